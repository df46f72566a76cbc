//! Preliminary results and their explanation window (issue 12, item 4): an admin
//! publishes preliminary results with a deadline; a unit's reporter contests an
//! indicator with a reason and files; appraisers answer each contest (accept with
//! a new value, or reject), with a reason; then final approval and publication.
//!
//! Who may do what is the core's [`authorise`]: a contest is for whoever may edit
//! the unit; an answer for appraisers who verify the indicator.

use super::evidence::{attachment, checked_file};
use super::{board_page, refused_on_board, refused_on_form, require_unit};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::{AppraiserUser, CsrfForm, CsrfUpload};
use crate::i18n::format_datetime;
use crate::pages::{PageCtx, see_other};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_core::workflow::{self, Action};
use chiso_store::{Contest, ContestStatus, NewFile, RoundId, StoreError};
use serde::Deserialize;
use std::collections::HashMap;

use super::verification::workflow_actor;

/// A contest as the board and the unit's form list it.
#[derive(Debug, Clone)]
pub struct ContestRow {
    pub id: i64,
    pub unit: String,
    pub unit_name: String,
    pub indicator: String,
    pub indicator_name: String,
    pub reason: String,
    /// "10:00 01/03/2025 · bc.sttt"
    pub created: String,
    /// (file id, "name (12 KB)")
    pub files: Vec<(i64, String)>,
    /// open, accepted, rejected
    pub status: &'static str,
    pub status_label: &'static str,
    /// The appraised value an accepted contest set.
    pub answer_value: String,
    pub answer_reason: String,
    /// "10:00 05/03/2025 · thamdinh"; empty while open.
    pub answered: String,
    /// The signed-in user may answer it now.
    pub can_answer: bool,
}

fn status_label(status: ContestStatus, lang: Lang) -> &'static str {
    match status {
        ContestStatus::Open => lang.pick("Chờ trả lời", "Awaiting an answer"),
        ContestStatus::Accepted => lang.pick("Chấp nhận", "Accepted"),
        ContestStatus::Rejected => lang.pick("Không chấp nhận", "Rejected"),
    }
}

/// The contests of a round (of one unit when given), as rows in the page's
/// language; `answering`: whether the stage lets anyone answer now.
pub(super) async fn contest_rows(
    ctx: &PageCtx,
    who: &SignedIn,
    round: RoundId,
    unit: Option<&str>,
    answering: bool,
) -> Result<Vec<ContestRow>, AppError> {
    let contests = ctx.state.store.contests(round, unit).await?;
    if contests.is_empty() {
        return Ok(Vec::new());
    }
    let model = ctx.state.store.round_model(round).await?;
    let names = crate::pages::admin::actor_names(ctx).await?;
    let name_of = |actor: &str| names.get(actor).cloned().unwrap_or_else(|| actor.to_owned());
    let actor = workflow_actor(who);
    let mut unit_names = HashMap::new();
    let rows = contests
        .into_iter()
        .map(|c: Contest| {
            let u = model.units.iter().position(|x| x.code == c.unit);
            let indicator = u.and_then(|u| {
                let framework = model.framework_of(u);
                framework.find(&c.indicator).map(|i| &framework.indicators[i])
            });
            let unit_name = unit_names
                .entry(c.unit.clone())
                .or_insert_with(|| {
                    u.map(|u| model.units[u].name.get(ctx.lang).to_owned()).unwrap_or_default()
                })
                .clone();
            let answer = Action::AnswerContest {
                unit: c.unit.clone(),
                indicator: c.indicator.clone(),
                accept: false,
                reason: String::new(),
                verifier: indicator.and_then(|i| i.verifier.clone()),
            };
            ContestRow {
                id: c.id,
                unit_name,
                indicator_name: indicator.map(|i| i.name.get(ctx.lang).to_owned()).unwrap_or_default(),
                reason: c.reason,
                created: format!("{} · {}", format_datetime(c.created_at, ctx.lang), name_of(&c.created_by)),
                files: c
                    .files
                    .iter()
                    .map(|f| (f.id, format!("{} ({} KB)", f.name, (f.size + 1023) / 1024)))
                    .collect(),
                status: c.status.code(),
                status_label: status_label(c.status, ctx.lang),
                answer_value: c.answer_value.unwrap_or_default(),
                answer_reason: c.answer_reason.unwrap_or_default(),
                answered: match (c.answered_at, c.answered_by) {
                    (Some(at), Some(by)) => format!("{} · {}", format_datetime(at, ctx.lang), name_of(&by)),
                    _ => String::new(),
                },
                can_answer: answering
                    && c.status == ContestStatus::Open
                    && workflow::authorise(&actor, &answer).is_ok(),
                unit: c.unit,
                indicator: c.indicator,
            }
        })
        .collect();
    Ok(rows)
}

#[derive(Debug, Deserialize)]
pub struct PreliminaryForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    deadline: String,
}

/// Publishes preliminary results with the notice that announces them and the
/// last day units may contest them.
pub async fn publish_preliminary(
    ctx: PageCtx,
    crate::extract::AdminUser(who): crate::extract::AdminUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PreliminaryForm>,
) -> Result<Response, AppError> {
    let deadline = super::stages::end_of_day(&form.deadline)?;
    match ctx
        .state
        .store
        .publish_preliminary(
            RoundId(id),
            crate::pages::admin::decision_of(&form.decision, &form.decided_on),
            deadline,
            who.actor(),
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!("/work/rounds/{id}?message=preliminary"))),
        Err(error) => refused_on_board(&ctx, &who, id, error).await,
    }
}

/// A unit contests one indicator of its preliminary results: its reason and files.
pub async fn contest(
    ctx: PageCtx,
    who: SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    CsrfUpload(form): CsrfUpload,
) -> Result<Response, AppError> {
    let indicator = form.field("indicator").trim().to_owned();
    let reason = form.field("reason").trim().to_owned();
    let action = Action::Contest { unit: unit.clone(), indicator: indicator.clone(), reason: reason.clone() };
    workflow::authorise(&workflow_actor(&who), &action).map_err(|_| AppError::Forbidden)?;
    let mut files = Vec::new();
    for (name, content) in form.files {
        match checked_file(name, content, ctx.lang) {
            Ok((name, content_type, content)) => files.push(NewFile { name, content_type, content }),
            Err(problem) => return form_refusal(&ctx, &who, id, &unit, problem).await,
        }
    }
    let round = RoundId(id);
    let open = ctx.state.store.contests(round, Some(&unit)).await?;
    if open.iter().any(|c| c.indicator == indicator && c.status == ContestStatus::Open) {
        let problem = format!(
            "{indicator}: {}",
            ctx.lang.pick(
                "chỉ số này đã có đề nghị xem xét lại đang chờ trả lời.",
                "this indicator has a contest awaiting an answer already.",
            )
        );
        return form_refusal(&ctx, &who, id, &unit, problem).await;
    }
    match ctx.state.store.contest(round, &unit, &indicator, &reason, files, who.actor()).await {
        Ok(_) => Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message=contested#contests"))),
        Err(StoreError::InvalidInput(_)) => {
            let problem =
                ctx.lang.pick("Hãy chọn một chỉ số của đơn vị.", "Choose one of the unit's indicators.");
            form_refusal(&ctx, &who, id, &unit, problem.into()).await
        }
        Err(error) => refused_on_form(&ctx, &who, id, &unit, error).await,
    }
}

/// The unit's form with what was wrong with the contest (422).
async fn form_refusal(
    ctx: &PageCtx,
    who: &SignedIn,
    id: i64,
    unit: &str,
    problem: String,
) -> Result<Response, AppError> {
    let page = super::unit::unit_form_page(ctx, who, id, unit, None, Some(problem)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    /// "accept" or "reject".
    #[serde(default)]
    answer: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// An appraiser who verifies the indicator answers a contest: accepted with the
/// new appraised value, or rejected; with the reason either way.
pub async fn answer_contest(
    ctx: PageCtx,
    AppraiserUser(who): AppraiserUser,
    Path((id, contest)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    let round = RoundId(id);
    let (unit, indicator) = match ctx.state.store.open_contest(round, contest).await {
        Ok(found) => found,
        Err(StoreError::Conflict(_)) => {
            let message =
                ctx.lang.pick("Đề nghị này đã được trả lời.", "This contest has been answered already.");
            return board_refusal(&ctx, &who, id, StatusCode::CONFLICT, message.into()).await;
        }
        Err(error) => return Err(error.into()),
    };
    let model = ctx.state.store.round_model(round).await?;
    let verifier = model.units.iter().position(|u| u.code == unit).and_then(|u| {
        let framework = model.framework_of(u);
        framework.find(&indicator).and_then(|i| framework.indicators[i].verifier.clone())
    });
    let accept = match form.answer.as_str() {
        "accept" => Some(form.value.trim()),
        "reject" => None,
        _ => {
            let message = ctx.lang.pick("Hãy chọn chấp nhận hoặc không.", "Choose to accept or to reject.");
            return board_refusal(&ctx, &who, id, StatusCode::UNPROCESSABLE_ENTITY, message.into()).await;
        }
    };
    let action = Action::AnswerContest {
        unit: unit.clone(),
        indicator: indicator.clone(),
        accept: accept.is_some(),
        reason: form.reason.clone(),
        verifier,
    };
    if let Err(refused) = workflow::authorise(&workflow_actor(&who), &action) {
        let message = refused.message(ctx.lang);
        return board_refusal(&ctx, &who, id, StatusCode::FORBIDDEN, message).await;
    }
    if accept.is_some_and(str::is_empty) {
        let message = format!(
            "{indicator}: {}",
            ctx.lang.pick("chấp nhận cần giá trị thẩm định mới.", "accepting needs the new appraised value.")
        );
        return board_refusal(&ctx, &who, id, StatusCode::UNPROCESSABLE_ENTITY, message).await;
    }
    match ctx.state.store.answer_contest(round, contest, accept, &form.reason, who.actor()).await {
        Ok(()) => Ok(see_other(&format!("/work/rounds/{id}?message=answered#contests"))),
        Err(error) => refused_on_board(&ctx, &who, id, error).await,
    }
}

/// The board with why an answer was refused, under `status`.
async fn board_refusal(
    ctx: &PageCtx,
    who: &SignedIn,
    id: i64,
    status: StatusCode,
    message: String,
) -> Result<Response, AppError> {
    let page = board_page(ctx, who, id, Some(message)).await?;
    Ok((status, page).into_response())
}

/// A contest's file, as a download: for staff and the unit's own reporter.
pub async fn contest_file(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (unit, meta, content) =
        state.store.contest_file(RoundId(id), file).await?.ok_or(AppError::NotFound)?;
    require_unit(&who, &unit)?;
    Ok(attachment(&meta.name, &meta.content_type, content))
}
