//! Spreadsheets both ways: a group's template pre-filled with what the user may
//! see, a filled template saved as drafts, and the published results as an annex.

use super::board::board_page;
use super::unit::unit_form_page;
use super::{can_edit, can_see_unit, refusal};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::CsrfUpload;
use crate::pages::{PageCtx, see_other};
use axum::extract::Path;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chiso_io::Files;
use chiso_store::{Role, RoundId, ValueChange, editable};
use std::collections::HashMap;

fn xlsx(bytes: Vec<u8>, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// The self-assessment template of a group, pre-filled with the drafts the user
/// may see (a reporter: their own unit only).
pub async fn template(
    ctx: PageCtx,
    who: SignedIn,
    Path((id, group)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let round = RoundId(id);
    ctx.state.store.workflow(round).await?.ok_or(AppError::NotFound)?;
    let files = ctx.state.store.round_self_files(round).await?;
    let package =
        chiso_io::Package::from_files(Files::Memory(files)).map_err(|e| AppError::Internal(e.to_string()))?;
    let g = package.assessment.groups.iter().position(|g| g.code == group).ok_or(AppError::NotFound)?;
    let values: HashMap<(String, String), String> = ctx
        .state
        .store
        .round_values(round)
        .await?
        .into_iter()
        .filter(|v| can_see_unit(&who, &v.unit))
        .map(|v| ((v.unit, v.indicator), v.value))
        .collect();
    let lookup = |unit: &str, indicator: &str| values.get(&(unit.to_owned(), indicator.to_owned())).cloned();
    let bytes = chiso_io::xlsx::template(&package.assessment, g, &lookup, ctx.lang)
        .map_err(|e| AppError::Internal(e.render()))?;
    Ok(xlsx(bytes, &format!("tu-danh-gia-{}-{group}.xlsx", package.assessment.year)))
}

/// A filled template saved as drafts, all or nothing; every error names sheet and cell.
pub async fn upload_xlsx(
    ctx: PageCtx,
    who: SignedIn,
    Path(id): Path<i64>,
    CsrfUpload(form): CsrfUpload,
) -> Result<Response, AppError> {
    if !matches!(who.user.role, Role::Admin | Role::Reporter) {
        return Err(AppError::Forbidden);
    }
    let round = RoundId(id);
    let workflow = ctx.state.store.workflow(round).await?.ok_or(AppError::NotFound)?;
    // The unit is checked before a byte of the workbook is read: a reporter may
    // upload only while their own unit takes part and is editable.
    if who.user.role == Role::Reporter {
        let unit = who.user.unit_code.as_deref().ok_or(AppError::Forbidden)?;
        let progress = ctx.state.store.unit_progress(round).await?;
        let mine = progress.iter().find(|p| p.unit == unit && p.assigned).ok_or(AppError::Forbidden)?;
        if !editable(workflow.stage, mine.state) {
            return Err(AppError::Forbidden);
        }
    }
    let back = |message: String| xlsx_refused(&ctx, &who, id, message);
    let Some((_, bytes)) = form.files.into_iter().next() else {
        return back(ctx.lang.pick("Chưa chọn tệp.", "No file was chosen.").into()).await;
    };
    let files = ctx.state.store.round_self_files(round).await?;
    let package =
        chiso_io::Package::from_files(Files::Memory(files)).map_err(|e| AppError::Internal(e.to_string()))?;
    let cells = match chiso_io::xlsx::read_values(&package.assessment, &bytes, ctx.lang) {
        Ok(cells) => cells,
        Err(errors) => return back(errors.iter().map(|e| e.render()).collect::<Vec<_>>().join("\n")).await,
    };
    if let Some(other) = cells.iter().find(|c| !can_edit(&who, &c.unit)) {
        return back(format!(
            "{}: {}",
            other.unit,
            ctx.lang.pick("không phải đơn vị của bạn", "not your unit")
        ))
        .await;
    }
    let changes: Vec<ValueChange> = cells
        .into_iter()
        .map(|c| ValueChange {
            unit: c.unit,
            indicator: c.indicator,
            value: c.text,
            note: None,
            expected_version: None,
        })
        .collect();
    match ctx.state.store.import_self_values(round, &changes, who.actor()).await {
        Ok(_) => match (&who.user.role, &who.user.unit_code) {
            (Role::Reporter, Some(unit)) => {
                Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message=imported")))
            }
            _ => Ok(see_other(&format!("/work/rounds/{id}?message=imported"))),
        },
        Err(error) => back(refusal(error, ctx.lang)?).await,
    }
}

/// A refused spreadsheet: the page it came from, with every error.
async fn xlsx_refused(ctx: &PageCtx, who: &SignedIn, id: i64, message: String) -> Result<Response, AppError> {
    let page = match who.user.unit_code.clone().filter(|_| who.user.role == Role::Reporter) {
        Some(unit) => unit_form_page(ctx, who, id, &unit, None, Some(message)).await?.into_response(),
        None => board_page(ctx, who, id, Some(message)).await?.into_response(),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The published results in the layout of an official annex.
pub async fn annex(ctx: PageCtx, Path(id): Path<i64>) -> Result<Response, AppError> {
    // Built from the latest publication's own inputs: a correction not yet
    // published never shows here.
    let latest = ctx.state.store.latest_publication(RoundId(id)).await?.ok_or(AppError::NotFound)?;
    let package = ctx.state.store.publication_package(latest.info.id).await?.ok_or(AppError::NotFound)?;
    let results = package.score().map_err(|e| AppError::Internal(e.to_string()))?;
    let bytes = chiso_io::xlsx::results_annex(&package.assessment, &results, ctx.lang)
        .map_err(|e| AppError::Internal(e.render()))?;
    Ok(xlsx(bytes, &format!("ket-qua-{}.xlsx", package.assessment.year)))
}
