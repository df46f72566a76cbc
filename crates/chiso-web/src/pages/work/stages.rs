//! What an admin runs: creating a round, its stages, deadlines, which units take
//! part, and publication.

use super::{refusal, refused_on_board};
use crate::error::AppError;
use crate::extract::{AdminUser, CsrfForm, CsrfUpload};
use crate::i18n::parse_date_ms;
use crate::pages::admin::PublishForm;
use crate::pages::{PageCtx, see_other};
use crate::state::AppState;
use crate::upload;
use axum::extract::{Path, State};
use axum::response::Response;
use chiso_io::Files;
use chiso_store::{Deadlines, RoundId, Stage, StoreError};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct StageForm {
    #[serde(default)]
    to: String,
}

pub async fn change_stage(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StageForm>,
) -> Result<Response, AppError> {
    let to =
        Stage::parse(&form.to).map_err(|_| AppError::BadRequest(format!("unknown stage {:?}", form.to)))?;
    match ctx.state.store.advance_stage(RoundId(id), to, who.actor()).await {
        Ok(()) => Ok(see_other(&format!("/work/rounds/{id}?message=stage"))),
        Err(error) => refused_on_board(&ctx, &who, id, error).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct DeadlinesForm {
    #[serde(default)]
    self_deadline: String,
    #[serde(default)]
    appraisal_deadline: String,
    #[serde(default)]
    approval_deadline: String,
}

pub async fn set_deadlines(
    State(state): State<AppState>,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DeadlinesForm>,
) -> Result<Response, AppError> {
    let day = end_of_day;
    let deadlines = Deadlines {
        self_assessment: day(&form.self_deadline)?,
        appraisal: day(&form.appraisal_deadline)?,
        approval: day(&form.approval_deadline)?,
    };
    state.store.set_deadlines(RoundId(id), deadlines, who.actor()).await?;
    Ok(see_other(&format!("/work/rounds/{id}?message=deadlines")))
}

/// A deadline from a date field: the end of its day (None when blank).
pub(super) fn end_of_day(text: &str) -> Result<Option<i64>, AppError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_date_ms(text).map(|ms| Some(ms + 86_400_000 - 1)).ok_or_else(|| {
        AppError::BadRequest("Ngày viết dạng 2025-03-31 · Dates are written 2025-03-31".into())
    })
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assigned: Option<String>,
}

pub async fn assign(
    State(state): State<AppState>,
    AdminUser(who): AdminUser,
    Path((id, unit)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, AppError> {
    state.store.set_unit_assigned(RoundId(id), &unit, form.assigned.is_some(), who.actor()).await?;
    Ok(see_other(&format!("/work/rounds/{id}")))
}

pub async fn publish(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> Result<Response, AppError> {
    match ctx.state.store.publish_workflow_round(RoundId(id), form.decision(), who.actor()).await {
        Ok(_) => Ok(see_other(&format!("/rounds/{id}"))),
        Err(error) => refused_on_board(&ctx, &who, id, error).await,
    }
}

/// Creates a round to run in the app: from uploaded frameworks and units (a package
/// without values), or as a copy of another round for a new year.
pub async fn create(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    CsrfUpload(form): CsrfUpload,
) -> Result<Response, AppError> {
    let result = if form.files.is_empty() {
        let from =
            form.field("from").trim().parse::<i64>().map_err(|_| AppError::BadRequest("from".into()))?;
        let year = form.field("year").trim().parse::<i32>().map_err(|_| {
            AppError::BadRequest(
                ctx.lang.pick("Cần năm của đợt mới.", "The new round's year is required.").into(),
            )
        })?;
        ctx.state.store.copy_round(RoundId(from), year, who.actor()).await
    } else {
        match upload::package_files(form.files, "assessment.toml", ctx.state.config.max_package_bytes()) {
            Ok(files) => ctx.state.store.create_workflow_round(Files::Memory(files), who.actor()).await,
            Err(problem) => {
                let errors = vec![problem.message(ctx.lang)];
                return crate::pages::admin::refused(&ctx, &who, errors).await;
            }
        }
    };
    match result {
        Ok(round) => Ok(see_other(&format!("/work/rounds/{round}?message=created"))),
        Err(error) => {
            let errors = match error {
                StoreError::Invalid(errors) => errors.0.iter().map(|e| e.render(ctx.lang)).collect(),
                other => vec![refusal(other, ctx.lang)?],
            };
            crate::pages::admin::refused(&ctx, &who, errors).await
        }
    }
}
