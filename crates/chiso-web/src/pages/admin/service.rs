//! Data sources of the public-service index (scheduled feeds): registered,
//! changed and pulled on demand by an administrator, with each source's status —
//! the last good pull, the last error and when the next attempt is due.

use crate::error::AppError;
use crate::extract::{AdminUser, CsrfForm};
use crate::feeds::{ColumnMapping, stored_message};
use crate::i18n::format_datetime;
use crate::pages::{Chrome, PageCtx, see_other};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_store::{
    NewServiceSource, ServicePull, ServiceSource, ServiceSourceId, SourceFormat, SourceKind, StoreError,
};
use serde::Deserialize;

/// A source as the list shows it.
#[derive(Debug, Clone)]
pub struct SourceRow {
    id: i64,
    name: String,
    kind: &'static str,
    location: String,
    every: String,
    /// `ok`, `failing`, `running`, `off`, `new` (a CSS class and a test hook).
    state: &'static str,
    state_label: &'static str,
    last_success: String,
    last_error: Option<String>,
    next: String,
}

/// The form's values, as typed (kept when the form is refused).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SourceForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    clear_token: Option<String>,
    #[serde(default)]
    mapping: String,
    #[serde(default)]
    interval_minutes: String,
    #[serde(default)]
    enabled: Option<String>,
}

impl SourceForm {
    fn of(source: &ServiceSource) -> SourceForm {
        SourceForm {
            name: source.name.clone(),
            kind: source.kind.as_str().to_owned(),
            location: source.location.clone(),
            format: source.format.as_str().to_owned(),
            token: String::new(),
            clear_token: None,
            mapping: source.mapping.clone(),
            interval_minutes: source.interval_minutes.to_string(),
            enabled: source.enabled.then(|| "on".to_owned()),
        }
    }

    fn blank() -> SourceForm {
        SourceForm {
            kind: "url".into(),
            format: "csv".into(),
            interval_minutes: "60".into(),
            enabled: Some("on".into()),
            ..SourceForm::default()
        }
    }

    /// The source the form describes, or every problem in `lang`.
    fn parse(&self, lang: Lang) -> Result<NewServiceSource, Vec<String>> {
        let mut problems = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            problems.push(lang.pick("Cần đặt tên nguồn.", "Give the source a name.").to_owned());
        }
        let kind = match self.kind.as_str() {
            "folder" => SourceKind::Folder,
            _ => SourceKind::Url,
        };
        let location = self.location.trim();
        match kind {
            SourceKind::Url => {
                let url = location.replace("{file}", "dossiers");
                let parsed = reqwest::Url::parse(&url);
                if !parsed.is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()) {
                    problems.push(
                        lang.pick(
                            "Địa chỉ phải là một URL http:// hoặc https:// đầy đủ.",
                            "The address must be a full http:// or https:// URL.",
                        )
                        .to_owned(),
                    );
                }
            }
            _ => {
                if !std::path::Path::new(location).is_absolute() {
                    problems.push(
                        lang.pick(
                            "Thư mục phải là đường dẫn tuyệt đối trên máy chủ (ví dụ /srv/dvc/xuat).",
                            "The folder must be an absolute path on the server (e.g. /srv/dvc/export).",
                        )
                        .to_owned(),
                    );
                }
            }
        }
        let format = if self.format == "json" { SourceFormat::Json } else { SourceFormat::Csv };
        let interval = self.interval_minutes.trim().parse::<i64>().ok().filter(|m| (1..=10_080).contains(m));
        if interval.is_none() {
            problems.push(
                lang.pick(
                    "Chu kỳ là số phút từ 1 đến 10080 (một tuần).",
                    "The schedule is a number of minutes from 1 to 10080 (a week).",
                )
                .to_owned(),
            );
        }
        if let Err(error) = ColumnMapping::parse(&self.mapping) {
            problems.push(error.message(lang));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let token = self.token.trim();
        Ok(NewServiceSource {
            name: name.to_owned(),
            kind,
            location: location.to_owned(),
            format,
            token: (!token.is_empty()).then(|| token.to_owned()),
            mapping: self.mapping.trim().to_owned(),
            interval_minutes: interval.unwrap_or(60),
            enabled: self.enabled.is_some(),
        })
    }
}

fn kind_label(kind: SourceKind, lang: Lang) -> &'static str {
    match kind {
        SourceKind::Url => lang.pick("URL", "URL"),
        SourceKind::Folder => lang.pick("Thư mục", "Folder"),
        SourceKind::Demo => lang.pick("Dữ liệu minh họa", "Illustrative data"),
    }
}

fn every(minutes: i64, lang: Lang) -> String {
    match (minutes % 60, minutes / 60) {
        (0, 1) => lang.pick("mỗi giờ", "hourly").to_owned(),
        (0, hours) => format!("{} {hours} {}", lang.pick("mỗi", "every"), lang.pick("giờ", "hours")),
        _ => format!("{} {minutes} {}", lang.pick("mỗi", "every"), lang.pick("phút", "minutes")),
    }
}

fn row(source: &ServiceSource, now: i64, lang: Lang) -> SourceRow {
    let (state, state_label) = if source.lease_until.is_some_and(|until| until > now) {
        ("running", lang.pick("Đang kéo dữ liệu", "Pulling now"))
    } else if !source.enabled {
        ("off", lang.pick("Tạm dừng", "Paused"))
    } else if source.failures > 0 {
        ("failing", lang.pick("Lỗi — giữ dữ liệu tốt gần nhất", "Failing — the last good data is kept"))
    } else if source.last_success_at.is_some() {
        ("ok", lang.pick("Tốt", "Good"))
    } else {
        ("new", lang.pick("Chưa kéo lần nào", "Not pulled yet"))
    };
    let never = || lang.pick("chưa có", "never").to_owned();
    SourceRow {
        id: source.id.0,
        name: source.name.clone(),
        kind: kind_label(source.kind, lang),
        location: source.location.clone(),
        every: every(source.interval_minutes, lang),
        state,
        state_label,
        last_success: source.last_success_at.map_or_else(never, |ms| format_datetime(ms, lang)),
        last_error: source.last_error.as_deref().filter(|_| source.failures > 0).map(|e| {
            let times = if source.failures > 1 {
                format!(" ({} {})", source.failures, lang.pick("lần liên tiếp", "times in a row"))
            } else {
                String::new()
            };
            stored_message(e, lang) + &times
        }),
        next: if source.enabled { format_datetime(source.next_run_at, lang) } else { "—".to_owned() },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/service.html")]
pub struct SourcesPage {
    c: Chrome,
    sources: Vec<SourceRow>,
    form: SourceForm,
    errors: Vec<String>,
}

pub async fn sources(ctx: PageCtx, AdminUser(who): AdminUser) -> Result<SourcesPage, AppError> {
    sources_page(&ctx, &who, SourceForm::blank(), Vec::new()).await
}

async fn sources_page(
    ctx: &PageCtx,
    who: &crate::auth::SignedIn,
    form: SourceForm,
    errors: Vec<String>,
) -> Result<SourcesPage, AppError> {
    let now = ctx.state.store.clock().now_ms();
    let sources = ctx.state.store.service_sources().await?.iter().map(|s| row(s, now, ctx.lang)).collect();
    Ok(SourcesPage { c: ctx.chrome(Some(who)), sources, form, errors })
}

pub async fn add_source(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    CsrfForm(form): CsrfForm<SourceForm>,
) -> Result<Response, AppError> {
    let refused = |errors| async { sources_page(&ctx, &who, form.clone(), errors).await };
    let new = match form.parse(ctx.lang) {
        Ok(new) => new,
        Err(errors) => return Ok((StatusCode::UNPROCESSABLE_ENTITY, refused(errors).await?).into_response()),
    };
    match ctx.state.store.add_service_source(&new, who.actor()).await {
        Ok(id) => Ok(see_other(&format!("/admin/service/{id}"))),
        Err(StoreError::Conflict(_)) => {
            let message = ctx.lang.pick("Đã có nguồn mang tên này.", "A source of that name already exists.");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, refused(vec![message.to_owned()]).await?).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// A pull in the source's history.
#[derive(Debug, Clone)]
pub struct PullRow {
    started: String,
    outcome: &'static str,
    outcome_label: &'static str,
    rows: String,
    hash: String,
    error: Option<String>,
}

fn pull_row(pull: &ServicePull, lang: Lang) -> PullRow {
    let (outcome, outcome_label) = match pull.outcome.as_str() {
        "stored" => ("stored", lang.pick("Đã lưu số liệu mới", "New data stored")),
        "unchanged" => ("unchanged", lang.pick("Không đổi", "Unchanged")),
        _ => ("failed", lang.pick("Lỗi — không lưu gì", "Failed — nothing stored")),
    };
    PullRow {
        started: format_datetime(pull.started_at, lang),
        outcome,
        outcome_label,
        rows: pull.rows.map_or_else(|| "—".to_owned(), |rows| crate::i18n::grouped(lang, rows as f64, 0)),
        hash: pull.content_hash.as_deref().map_or_else(|| "—".to_owned(), |h| h.chars().take(12).collect()),
        error: pull.error.as_deref().map(|e| stored_message(e, lang)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/service_source.html")]
pub struct SourcePage {
    c: Chrome,
    source: SourceRow,
    token_set: bool,
    form: SourceForm,
    errors: Vec<String>,
    pulls: Vec<PullRow>,
}

async fn source_page(
    ctx: &PageCtx,
    who: &crate::auth::SignedIn,
    id: ServiceSourceId,
    form: Option<SourceForm>,
    errors: Vec<String>,
) -> Result<SourcePage, AppError> {
    let store = &ctx.state.store;
    let source = match store.service_source(id).await {
        Err(StoreError::NotFound { .. }) => return Err(AppError::NotFound),
        other => other?,
    };
    let pulls = store.service_pulls(id, 50).await?.iter().map(|p| pull_row(p, ctx.lang)).collect();
    Ok(SourcePage {
        c: ctx.chrome(Some(who)),
        source: row(&source, store.clock().now_ms(), ctx.lang),
        token_set: source.token.is_some(),
        form: form.unwrap_or_else(|| SourceForm::of(&source)),
        errors,
        pulls,
    })
}

pub async fn source(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
) -> Result<SourcePage, AppError> {
    source_page(&ctx, &who, ServiceSourceId(id), None, Vec::new()).await
}

pub async fn update_source(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<SourceForm>,
) -> Result<Response, AppError> {
    let id = ServiceSourceId(id);
    let new = match form.parse(ctx.lang) {
        Ok(new) => new,
        Err(errors) => {
            let page = source_page(&ctx, &who, id, Some(form), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let keep_token = new.token.is_none() && form.clear_token.is_none();
    match ctx.state.store.update_service_source(id, &new, keep_token, who.actor()).await {
        Ok(()) => Ok(see_other(&format!("/admin/service/{id}"))),
        Err(StoreError::NotFound { .. }) => Err(AppError::NotFound),
        Err(StoreError::Conflict(_)) => {
            let message = ctx.lang.pick("Đã có nguồn mang tên này.", "A source of that name already exists.");
            let page = source_page(&ctx, &who, id, Some(form), vec![message.to_owned()]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// The "pull now" form: nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct PullNowForm {}

pub async fn pull_now(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<PullNowForm>,
) -> Result<Response, AppError> {
    match ctx.state.store.pull_service_source_now(ServiceSourceId(id), who.actor()).await {
        Ok(()) => Ok(see_other(&format!("/admin/service/{id}"))),
        Err(StoreError::NotFound { .. }) => Err(AppError::NotFound),
        Err(error) => Err(error.into()),
    }
}
