//! Appraising a submitted unit (appraisers and admins): a value per indicator with
//! its reason, then returning the unit or finalising it; after approval, an
//! admin's correction. An appraiser of a department appraises only the indicators
//! it verifies, and returning or finalising a unit stays with the council and
//! admins (`chiso_core::workflow::authorise`; refused with 403 on the form).

use super::refused_on_form;
use super::verification::{forbidden_on_form, verifier_of, workflow_actor};
use crate::error::AppError;
use crate::extract::{AppraiserUser, CsrfForm};
use crate::pages::{PageCtx, see_other};
use axum::extract::Path;
use axum::response::Response;
use chiso_core::workflow::{Action, authorise};
use chiso_store::{AppraisalChange, Role, RoundId, Stage};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct AppraiseForm {
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i64,
}

pub async fn appraise(
    ctx: PageCtx,
    AppraiserUser(who): AppraiserUser,
    Path((id, unit)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<AppraiseForm>,
) -> Result<Response, AppError> {
    let verifier = verifier_of(&ctx.state, RoundId(id), &unit, &form.indicator).await?;
    let action = Action::Appraise {
        unit: unit.clone(),
        indicator: form.indicator.trim().to_owned(),
        reason: None,
        verifier,
    };
    if let Err(refusal) = authorise(&workflow_actor(&who), &action) {
        return forbidden_on_form(&ctx, &who, id, &unit, refusal).await;
    }
    let change = AppraisalChange {
        indicator: form.indicator.clone(),
        value: form.value,
        reason: form.reason,
        expected_version: form.version,
    };
    // After approval a change is a correction, which only an admin makes.
    let stage = ctx.state.store.workflow(RoundId(id)).await?.ok_or(AppError::NotFound)?.stage;
    let correction = matches!(stage, Stage::Approved | Stage::Published);
    let result = if correction {
        who.require(&[Role::Admin])?;
        ctx.state.store.correct(RoundId(id), &unit, &change, who.actor()).await
    } else {
        ctx.state.store.appraise(RoundId(id), &unit, &change, who.actor()).await
    };
    let message = if correction { "corrected" } else { "appraised" };
    match result {
        Ok(()) => {
            Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message={message}#i-{}", form.indicator)))
        }
        Err(error) => refused_on_form(&ctx, &who, id, &unit, error).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    comment: String,
    #[serde(default)]
    action: String,
}

/// Returns a unit with comments, or finalises its appraisal.
pub async fn step(
    ctx: PageCtx,
    AppraiserUser(who): AppraiserUser,
    Path((id, unit)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let round = RoundId(id);
    let action = match form.action.as_str() {
        "return" => Action::Return { unit: unit.clone(), comment: form.comment.clone() },
        "finalise" => Action::Finalise { unit: unit.clone() },
        other => return Err(AppError::BadRequest(format!("unknown action {other:?}"))),
    };
    if let Err(refusal) = authorise(&workflow_actor(&who), &action) {
        return forbidden_on_form(&ctx, &who, id, &unit, refusal).await;
    }
    let (result, message) = match form.action.as_str() {
        "return" => (ctx.state.store.return_unit(round, &unit, &form.comment, who.actor()).await, "returned"),
        "finalise" => (ctx.state.store.finalise_unit(round, &unit, who.actor()).await, "finalised"),
        other => return Err(AppError::BadRequest(format!("unknown action {other:?}"))),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/work/rounds/{id}?message={message}"))),
        Err(error) => refused_on_form(&ctx, &who, id, &unit, error).await,
    }
}
