//! Verification per indicator (issue 12, item 3): an appraiser who belongs to a
//! unit (a department, `unit_code`) verifies the indicators whose framework names
//! it as `verifier`; the council (an appraiser without a unit) verifies the others
//! and decides whole units; admins do everything. The appraisal queue lists, for
//! every submitted unit, the indicators the signed-in appraiser verifies; a
//! reporter explains why an indicator that needs evidence has none.

use super::unit::unit_form_page;
use super::{refused_on_form, stage_label};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::UnitEditor;
use crate::extract::{AppraiserUser, CsrfForm};
use crate::pages::{Chrome, PageCtx, see_other};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chiso_core::framework::{Indicator, Source};
use chiso_core::workflow::{self, Actor, Refusal};
use chiso_store::{Role, RoundId, UnitState};
use serde::Deserialize;
use std::collections::HashMap;

/// The signed-in user as the workflow's rules see them: their role, and the unit
/// they report for (a reporter) or verify for (an appraiser of a department).
pub(super) fn workflow_actor(who: &SignedIn) -> Actor {
    let role = match who.user.role {
        Role::Admin => workflow::Role::Admin,
        Role::Appraiser => workflow::Role::Appraiser,
        Role::Reporter => workflow::Role::Reporter,
        Role::Viewer => workflow::Role::Viewer,
    };
    Actor::new(role, who.user.unit_code.clone())
}

/// Whether an indicator is in the queue of `actor`: a department's appraiser sees
/// the indicators it verifies, the council those no department verifies, an admin
/// all of them.
fn in_queue(actor: &Actor, indicator: &Indicator) -> bool {
    match actor.role {
        workflow::Role::Admin => true,
        workflow::Role::Appraiser => actor.unit.as_deref() == indicator.verifier.as_deref(),
        _ => false,
    }
}

/// What an appraiser appraises: a leaf the reporter answers, or anything that
/// needs evidence.
fn appraised(indicator: &Indicator) -> bool {
    (indicator.is_leaf() && !matches!(indicator.source, Source::Kpi(_))) || indicator.evidence
}

/// A refusal of the rules for who may act, shown on the unit's form in the page's
/// language (403).
pub(super) async fn forbidden_on_form(
    ctx: &PageCtx,
    who: &SignedIn,
    id: i64,
    unit: &str,
    refusal: Refusal,
) -> Result<Response, AppError> {
    let message = refusal.message(ctx.lang);
    let page = unit_form_page(ctx, who, id, unit, None, Some(message)).await?;
    Ok((StatusCode::FORBIDDEN, page).into_response())
}

/// The framework's verifier of an indicator of `unit` (None: the council).
pub(super) async fn verifier_of(
    state: &AppState,
    round: RoundId,
    unit: &str,
    indicator: &str,
) -> Result<Option<String>, AppError> {
    let model = state.store.round_model(round).await?;
    let u = model.units.iter().position(|x| x.code == unit).ok_or(AppError::NotFound)?;
    let framework = model.framework_of(u);
    Ok(framework.find(indicator.trim()).and_then(|i| framework.indicators[i].verifier.clone()))
}

#[derive(Debug, Deserialize)]
pub struct ExplainForm {
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    text: String,
}

/// Saves (or, blank, removes) the reporter's explanation of why an indicator that
/// needs evidence has none; reporters for their own unit, admins for any.
pub async fn explain(
    ctx: PageCtx,
    UnitEditor { who, id, unit }: UnitEditor,
    CsrfForm(form): CsrfForm<ExplainForm>,
) -> Result<Response, AppError> {
    let indicator = form.indicator.trim().to_owned();
    match ctx
        .state
        .store
        .explain_missing_evidence(RoundId(id), &unit, &indicator, &form.text, who.actor())
        .await
    {
        Ok(()) => Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message=explained#i-{indicator}"))),
        Err(error) => refused_on_form(&ctx, &who, id, &unit, error).await,
    }
}

/// One indicator waiting for the signed-in appraiser.
#[derive(Debug, Clone)]
pub struct QueueRow {
    code: String,
    name: String,
    value: String,
    appraised: String,
    evidence: usize,
    evidence_needed: bool,
    explanation: String,
}

/// A submitted unit with the indicators the signed-in appraiser verifies.
#[derive(Debug, Clone)]
pub struct QueueUnit {
    code: String,
    name: String,
    rows: Vec<QueueRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "work/queue.html")]
pub struct QueuePage {
    c: Chrome,
    id: i64,
    round_name: String,
    stage_label: &'static str,
    /// Whose queue: the department's name, the council, or everything (admin).
    scope: String,
    units: Vec<QueueUnit>,
}

/// The appraisal queue: for every submitted unit, the indicators the signed-in
/// appraiser verifies, with the self-assessed and appraised values, the evidence
/// count and the reporter's explanation where evidence is missing. Admins and
/// appraisers; viewers and reporters are refused (403): it is a work list.
pub async fn queue(
    ctx: PageCtx,
    AppraiserUser(who): AppraiserUser,
    Path(id): Path<i64>,
) -> Result<QueuePage, AppError> {
    let round_id = RoundId(id);
    let round = ctx.state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    let stage = ctx.state.store.workflow(round_id).await?.ok_or(AppError::NotFound)?.stage;
    let model = ctx.state.store.round_model(round_id).await?;
    let actor = workflow_actor(&who);
    let unit_name = |code: &str| {
        model
            .units
            .iter()
            .find(|u| u.code == code)
            .map_or_else(|| code.to_owned(), |u| u.name.get(ctx.lang).to_owned())
    };
    let scope = match (who.user.role, actor.verifies_for()) {
        (Role::Admin, _) => {
            ctx.lang.pick("Mọi chỉ số (quản trị viên)", "Every indicator (administrator)").to_owned()
        }
        (_, Some(department)) => format!(
            "{} {}",
            ctx.lang.pick("Các chỉ số do đơn vị này thẩm định:", "The indicators verified by"),
            unit_name(department)
        ),
        _ => ctx
            .lang
            .pick("Các chỉ số do hội đồng thẩm định", "The indicators the appraisal council verifies")
            .to_owned(),
    };
    let appraisals: HashMap<(String, String), String> = ctx
        .state
        .store
        .appraisals(round_id)
        .await?
        .into_iter()
        .map(|a| ((a.unit, a.indicator), a.value))
        .collect();
    let mut units = Vec::new();
    for progress in ctx.state.store.unit_progress(round_id).await? {
        if !progress.assigned || progress.state != UnitState::Submitted {
            continue;
        }
        let Some(u) = model.units.iter().position(|x| x.code == progress.unit) else { continue };
        let framework = model.framework_of(u);
        let mine: Vec<&Indicator> =
            framework.indicators.iter().filter(|i| appraised(i) && in_queue(&actor, i)).collect();
        if mine.is_empty() {
            continue;
        }
        let unit = progress.unit;
        let values: HashMap<String, String> = ctx
            .state
            .store
            .unit_values(round_id, &unit)
            .await?
            .into_iter()
            .map(|v| (v.indicator, v.value))
            .collect();
        let evidence = ctx.state.store.evidence(round_id, &unit).await?;
        let explanations: HashMap<String, String> =
            ctx.state.store.evidence_explanations(round_id, &unit).await?.into_iter().collect();
        let rows = mine
            .into_iter()
            .map(|i| {
                let count = evidence.iter().filter(|e| e.indicator == i.code).count();
                QueueRow {
                    code: i.code.clone(),
                    name: i.name.get(ctx.lang).to_owned(),
                    value: values.get(&i.code).cloned().unwrap_or_default(),
                    appraised: appraisals.get(&(unit.clone(), i.code.clone())).cloned().unwrap_or_default(),
                    evidence: count,
                    evidence_needed: i.evidence,
                    explanation: if i.evidence && count == 0 {
                        explanations.get(&i.code).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        units.push(QueueUnit { name: unit_name(&unit), code: unit, rows });
    }
    Ok(QueuePage {
        c: ctx.chrome(Some(&who)),
        id,
        round_name: round.name.get(ctx.lang).to_owned(),
        stage_label: stage_label(stage, ctx.lang),
        scope,
        units,
    })
}
