//! Rounds imported as packages: the upload, the provisional results of a draft
//! round, publication.

use super::{NoticeQuery, actor_name, actor_names, notice_text, refused, status_label, store_errors};
use crate::error::AppError;
use crate::extract::{AdminUser, CsrfForm, CsrfUpload, StaffUser};
use crate::i18n::format_datetime;
use crate::pages::{Chrome, PageCtx, see_other};
use crate::state::AppState;
use crate::upload;
use crate::views::results::ResultsDoc;
use crate::views::round::RankRow;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chiso_io::Files;
use chiso_store::{Decision, RoundId};
use serde::Deserialize;

pub async fn upload_round(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    CsrfUpload(form): CsrfUpload,
) -> Result<Response, AppError> {
    let files =
        match upload::package_files(form.files, "assessment.toml", ctx.state.config.max_package_bytes()) {
            Ok(files) => files,
            Err(problem) => return refused(&ctx, &who, vec![problem.message(ctx.lang)]).await,
        };
    match ctx.state.store.import_round(Files::Memory(files), who.actor()).await {
        Ok(id) => {
            tracing::info!(round = %id, user = %who.user.id, "round imported");
            Ok(see_other(&format!("/admin/rounds/{id}?notice=imported")))
        }
        Err(error) => match store_errors(&error, ctx.lang) {
            Some(errors) => refused(&ctx, &who, errors).await,
            None => Err(error.into()),
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/round.html")]
pub struct RoundPage {
    c: Chrome,
    id: i64,
    year: i32,
    name: String,
    status: &'static str,
    status_label: &'static str,
    created: String,
    created_by: String,
    notice: Option<String>,
    groups: Vec<PreviewGroup>,
    publications: Vec<(i64, String, String, String)>,
}

#[derive(Debug, Clone)]
pub struct PreviewGroup {
    code: String,
    name: String,
    unit_count: usize,
    mean_text: String,
    rows: Vec<RankRow>,
}

/// A round's provisional results. Not public while a draft: staff only (a
/// reporter sees only their own unit, on /work, until the round is published).
pub async fn round(
    ctx: PageCtx,
    StaffUser(who): StaffUser,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<RoundPage, AppError> {
    let id = RoundId(id);
    let round = ctx.state.store.round(id).await?.ok_or(AppError::NotFound)?;
    let package = ctx.state.store.round_package(id).await?;
    let results = package.score().map_err(|e| AppError::Internal(e.to_string()))?;
    let mut json = Vec::new();
    chiso_io::render::json::write(&mut json, &package.assessment, &results, &package.kpi_sources, ctx.lang)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let doc: ResultsDoc = serde_json::from_slice(&json).map_err(|e| AppError::Internal(e.to_string()))?;
    let band_label = |group: &str, band: &str| {
        package
            .assessment
            .groups
            .iter()
            .find(|g| g.code == group)
            .and_then(|g| g.framework.bands.iter().find(|b| b.code == band))
            .map_or_else(|| band.to_owned(), |b| b.label.get(ctx.lang).to_owned())
    };
    let groups = doc
        .groups
        .iter()
        .map(|g| PreviewGroup {
            code: g.code.clone(),
            name: g.name.clone(),
            unit_count: g.units,
            mean_text: g.mean.map_or("—".into(), |m| ctx.lang.number(m, 2)),
            rows: doc
                .units
                .iter()
                .filter(|u| u.group == g.code)
                .map(|u| RankRow {
                    rank: u.rank,
                    code: u.code.clone(),
                    name: u.name.clone(),
                    total: u.total.unwrap_or(f64::NAN),
                    total_text: ctx.lang.number(u.total.unwrap_or(f64::NAN), 2),
                    band: u.band.clone(),
                    band_label: band_label(&g.code, &u.band),
                    change: None,
                    change_text: String::new(),
                    url: String::new(),
                    interval: None,
                    former: String::new(),
                })
                .collect(),
        })
        .collect();
    let names = actor_names(&ctx).await?;
    let publications = ctx
        .state
        .store
        .publications(id)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.id.0,
                crate::i18n::publication_date(&p, ctx.lang),
                actor_name(&names, p.published_by),
                crate::bundled::decision_text(&p.decision, ctx.lang),
            )
        })
        .collect();
    Ok(RoundPage {
        c: ctx.chrome(Some(&who)),
        id: id.0,
        year: round.year,
        name: round.name.get(ctx.lang).to_owned(),
        status: round.status.code(),
        status_label: status_label(round.status, ctx.lang),
        created: format_datetime(round.created_at, ctx.lang),
        created_by: actor_name(&names, round.created_by),
        notice: notice_text(query.notice.as_deref(), ctx.lang),
        groups,
        publications,
    })
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    pub decision: String,
    /// The day the decision was signed (an `<input type="date">`: YYYY-MM-DD, or
    /// empty when not given).
    #[serde(default)]
    pub decided_on: String,
}

impl PublishForm {
    pub fn decision(&self) -> Decision {
        decision_of(&self.decision, &self.decided_on)
    }
}

/// A publishing form's decision and optional date.
pub fn decision_of(text: &str, decided_on: &str) -> Decision {
    let date = decided_on.trim();
    Decision::new(text, (!date.is_empty()).then(|| date.to_owned()))
}

pub async fn publish(
    State(state): State<AppState>,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> Result<Response, AppError> {
    // An empty decision is refused by the store, said in the reader's language.
    let publication = state.store.publish_round(RoundId(id), form.decision(), who.actor()).await?;
    tracing::info!(round = id, publication = %publication, user = %who.user.id, "round published");
    Ok(see_other(&format!("/admin/rounds/{id}?notice=published")))
}
