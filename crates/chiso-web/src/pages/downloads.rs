//! Tables to download from the public pages: one group's ranking as CSV, with
//! named columns in the reader's language, from the round's latest publication
//! (never from data changed since).

use super::PageCtx;
use crate::error::AppError;
use axum::extract::Path;
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chiso_store::RoundId;

/// `/rounds/{id}/decision.docx`: the decision approving the published results, a
/// Word draft in the reader's language for the provincial office to number and sign.
pub async fn decision_docx(ctx: PageCtx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let latest = ctx.state.store.latest_publication(RoundId(id)).await?.ok_or(AppError::NotFound)?;
    let package = ctx.state.store.publication_package(latest.info.id).await?.ok_or(AppError::NotFound)?;
    let results = package.score().map_err(|e| AppError::Internal(format!("{:?}", e.0)))?;
    let bytes = chiso_io::documents::decision_docx(&package.assessment, &results, ctx.lang)
        .map_err(AppError::Internal)?;
    let name = format!(
        "{}-{}-{}.docx",
        ctx.lang.pick("quyet-dinh", "decision"),
        package.assessment.year,
        ctx.lang.code()
    );
    Ok(attachment(bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &name))
}

/// `/rounds/{id}/open-data.zip`: the latest publication as a Frictionless data
/// package (datapackage.json and one CSV per group).
pub async fn open_data(ctx: PageCtx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let latest = ctx.state.store.latest_publication(RoundId(id)).await?.ok_or(AppError::NotFound)?;
    let package = ctx.state.store.publication_package(latest.info.id).await?.ok_or(AppError::NotFound)?;
    let results = package.score().map_err(|e| AppError::Internal(format!("{:?}", e.0)))?;
    let decision = crate::bundled::decision_text(&latest.info.decision, chiso_core::Lang::Vi);
    let bytes =
        chiso_io::open_data::bundle(&package.assessment, &results, &decision).map_err(AppError::Internal)?;
    Ok(attachment(bytes, "application/zip", &format!("chiso-{}-open-data.zip", package.assessment.year)))
}

/// `bytes` to download as `name`.
fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// `/rounds/{id}/tables/{group}.csv`.
pub async fn group_csv(ctx: PageCtx, Path((id, file)): Path<(i64, String)>) -> Result<Response, AppError> {
    let group = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let latest = ctx.state.store.latest_publication(RoundId(id)).await?.ok_or(AppError::NotFound)?;
    let package = ctx.state.store.publication_package(latest.info.id).await?.ok_or(AppError::NotFound)?;
    let results = package.score().map_err(|e| AppError::Internal(format!("{:?}", e.0)))?;
    let mut bytes = Vec::new();
    chiso_io::render::group_csv::write(&mut bytes, &package.assessment, &results, group, ctx.lang)
        .ok_or(AppError::NotFound)?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}-{group}-{}.csv", package.assessment.year, ctx.lang.code());
    Ok(attachment(bytes, "text/csv; charset=utf-8", &name))
}
