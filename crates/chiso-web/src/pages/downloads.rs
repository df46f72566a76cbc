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
    let meta = chiso_io::report::ReportMeta {
        decision: Some(latest.info.decision.clone()),
        decided_on: latest.info.decided_on.clone(),
    };
    let bytes = chiso_io::documents::decision_docx(&package.assessment, &results, &meta, ctx.lang)
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

/// A report's file format, from the path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportFormat {
    Pdf,
    Docx,
}

impl ReportFormat {
    fn from_file(file: &str, stem: &str) -> Option<ReportFormat> {
        match file.strip_prefix(stem)? {
            ".pdf" => Some(ReportFormat::Pdf),
            ".docx" => Some(ReportFormat::Docx),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Docx => "docx",
        }
    }
}

/// `/rounds/{id}/report.pdf` and `.docx`: the province's report on the latest
/// publication (summary, rankings, charts, robustness, gaps) in the reader's
/// language, under the publication's decision and its date.
pub async fn report(ctx: PageCtx, Path((id, file)): Path<(i64, String)>) -> Result<Response, AppError> {
    let format = ReportFormat::from_file(&file, "report").ok_or(AppError::NotFound)?;
    let latest = ctx.state.store.latest_publication(RoundId(id)).await?.ok_or(AppError::NotFound)?;
    let package = ctx.state.store.publication_package(latest.info.id).await?.ok_or(AppError::NotFound)?;
    let lang = ctx.lang;
    let meta = chiso_io::report::ReportMeta {
        decision: Some(crate::bundled::decision_text(&latest.info.decision, lang)),
        decided_on: latest.info.decided_on.clone(),
    };
    // Typesetting and the robustness analysis (the pages' own specification, so
    // the report says what the overview says) are CPU work: off the async threads.
    let (bytes, year) = tokio::task::spawn_blocking(move || {
        let results = package.score().map_err(|e| AppError::Internal(format!("{:?}", e.0)))?;
        let spec = crate::views::analysis::page_spec();
        let robustness =
            chiso_core::analysis::uncertainty(&package.assessment, &package.values, &spec, &|_| {}).ok();
        let a = &package.assessment;
        let bytes = match format {
            ReportFormat::Pdf => chiso_io::report::report_pdf(a, &results, robustness.as_ref(), &meta, lang),
            ReportFormat::Docx => {
                chiso_io::report::report_docx(a, &results, robustness.as_ref(), &meta, lang)
            }
        }
        .map_err(|e| AppError::Internal(e.message(chiso_core::Lang::En).to_owned()))?;
        Ok::<_, AppError>((bytes, a.year))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let name = format!("{}-{year}-{}.{}", lang.pick("bao-cao", "report"), lang.code(), format.extension());
    Ok(attachment(bytes, format.content_type(), &name))
}

/// `/monitoring/report.pdf` and `.docx`: the steering committee's monitoring
/// report of the province for the latest year with observations.
pub async fn monitoring_report(ctx: PageCtx, Path(file): Path<String>) -> Result<Response, AppError> {
    let format = ReportFormat::from_file(&file, "report").ok_or(AppError::NotFound)?;
    let (_, monitoring) = crate::views::cache::current_monitoring(&ctx.state).await?;
    let year = monitoring.latest_year(crate::views::PROVINCE).ok_or(AppError::NotFound)?;
    let lang = ctx.lang;
    let bytes = tokio::task::spawn_blocking(move || {
        let scope = crate::views::PROVINCE;
        match format {
            ReportFormat::Pdf => chiso_io::report::monitoring_pdf(&monitoring, scope, year, lang),
            ReportFormat::Docx => chiso_io::report::monitoring_docx(&monitoring, scope, year, lang),
        }
        .map_err(|e| AppError::Internal(e.message(chiso_core::Lang::En).to_owned()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let name = format!(
        "{}-{year}-{}.{}",
        lang.pick("theo-doi-chi-tieu", "monitoring"),
        lang.code(),
        format.extension()
    );
    Ok(attachment(bytes, format.content_type(), &name))
}
