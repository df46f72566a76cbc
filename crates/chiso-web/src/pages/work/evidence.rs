//! Evidence of a unit's answers: a file or a reference to a document, added by
//! whoever may edit the unit; files downloaded by whoever may see it.

use super::unit::unit_form_page;
use super::{refused_on_form, require_unit};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::CsrfUpload;
use crate::extract::UnitEditor;
use crate::pages::{PageCtx, see_other};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_store::{EvidenceKind, NewEvidence, RoundId};

/// The largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;
const EVIDENCE_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "ppt", "pptx", "png", "jpg", "jpeg", "gif", "webp",
    "tif", "tiff",
];

pub async fn add_evidence(
    ctx: PageCtx,
    UnitEditor { who, id, unit }: UnitEditor,
    CsrfUpload(form): CsrfUpload,
) -> Result<Response, AppError> {
    let indicator = form.field("indicator").trim().to_owned();
    let reference = NewEvidence::Reference {
        number: form.field("number").trim().to_owned(),
        date: form.field("date").trim().to_owned(),
        summary: form.field("summary").trim().to_owned(),
    };
    let evidence = match form.files.into_iter().next() {
        Some((name, content)) => match checked_file(name, content, ctx.lang) {
            Ok((name, content_type, content)) => NewEvidence::File { name, content_type, content },
            Err(problem) => {
                let page = unit_form_page(&ctx, &who, id, &unit, None, Some(problem)).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        },
        None => reference,
    };
    match ctx.state.store.add_evidence(RoundId(id), &unit, &indicator, evidence, who.actor()).await {
        Ok(_) => Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message=evidence#i-{indicator}"))),
        Err(error) => refused_on_form(&ctx, &who, id, &unit, error).await,
    }
}

pub async fn evidence_file(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, evidence)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (meta, content) =
        state.store.evidence_file(RoundId(id), evidence).await?.ok_or(AppError::NotFound)?;
    require_unit(&who, &meta.unit)?;
    let EvidenceKind::File { name, content_type, .. } = meta.kind else { return Err(AppError::NotFound) };
    Ok(attachment(&name, &content_type, content))
}

/// An uploaded evidence (or contest) file as stored: its name without folders and
/// its content type; or why it is refused (too large, not a document or image),
/// naming the file, in the page's language.
pub(super) fn checked_file(
    name: String,
    content: Vec<u8>,
    lang: Lang,
) -> Result<(String, String, Vec<u8>), String> {
    let extension = name.rsplit('.').next().unwrap_or_default().to_lowercase();
    let problem = if content.len() > MAX_EVIDENCE_BYTES {
        Some(lang.pick("Tệp minh chứng quá 20 MB.", "The evidence file is larger than 20 MB."))
    } else if !EVIDENCE_EXTENSIONS.contains(&extension.as_str()) {
        Some(lang.pick(
            "Chỉ nhận tệp PDF, văn bản, bảng tính, trình chiếu hoặc ảnh.",
            "Only PDF, office documents and images are accepted.",
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(format!("{name}: {problem}"));
    }
    let content_type = match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    };
    let name = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_owned();
    Ok((name, content_type.to_owned(), content))
}

/// A stored file sent as a download (never shown inline), not cached.
pub(super) fn attachment(name: &str, content_type: &str, content: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\r', '\n'], "_"));
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    } else {
        headers.insert(CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}
