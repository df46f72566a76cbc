//! The assessment round run in the app: the progress board (admin, appraisers,
//! viewers), the self-assessment form of a unit (its reporter), the appraisal of a
//! submitted unit (appraisers), spreadsheets both ways, and stage changes (admin).
//!
//! Who may do what: a reporter sees and edits only their own unit, and only while
//! it is editable (stage open, or returned during appraisal); appraisers and admins
//! appraise; admins run the stages; viewers read.
//!
//! The pages, one module each: the list of rounds and the progress board
//! (`board`), stage changes, deadlines and creating a round (`stages`), a unit's
//! form (`unit`) and saving it (`form`), evidence (`evidence`), appraisal
//! (`appraisal`), spreadsheets both ways (`xlsx`).

mod appraisal;
mod board;
mod contests;
mod evidence;
mod form;
mod stages;
mod unit;
mod verification;
mod xlsx;

pub use appraisal::{appraise, step};
pub use board::{board, index};
pub use contests::{answer_contest, contest, contest_file, publish_preliminary};
pub use evidence::{add_evidence, evidence_file};
pub use form::{preview, save, save_field};
pub use stages::{assign, change_stage, create, publish, set_deadlines};
pub use unit::unit_form;
pub use verification::{explain, queue};
pub use xlsx::{annex, template, upload_xlsx};

use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::APPRAISERS;
use crate::pages::PageCtx;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use board::board_page;
use chiso_core::Lang;
use chiso_store::{Role, Stage, StoreError, UnitState};
use serde::Deserialize;
use unit::unit_form_page;

/// The stage's name in the page's language (chiso-core's label).
pub fn stage_label(stage: Stage, lang: Lang) -> &'static str {
    stage.label(lang)
}

/// The unit state's name in the page's language (chiso-core's label).
pub fn state_label(state: UnitState, lang: Lang) -> &'static str {
    state.label(lang)
}

fn can_see_unit(who: &SignedIn, unit: &str) -> bool {
    who.user.role != Role::Reporter || who.user.unit_code.as_deref() == Some(unit)
}

fn require_unit(who: &SignedIn, unit: &str) -> Result<(), AppError> {
    if can_see_unit(who, unit) { Ok(()) } else { Err(AppError::Forbidden) }
}

fn can_edit(who: &SignedIn, unit: &str) -> bool {
    match who.user.role {
        Role::Admin => true,
        Role::Reporter => who.user.unit_code.as_deref() == Some(unit),
        _ => false,
    }
}

/// Whether `who` appraises (as [`AppraiserUser`](crate::extract::AppraiserUser) lets through).
fn can_appraise(who: &SignedIn) -> bool {
    APPRAISERS.contains(&who.user.role)
}

/// A store refusal of a user's action as a message for the page.
fn refusal(error: StoreError, lang: Lang) -> Result<String, AppError> {
    match error {
        StoreError::NotFound { .. } => Err(error.into()),
        error => error.message(lang).ok_or(AppError::Store(error)),
    }
}

/// A refused action shown on the board with the store's reason (409).
async fn refused_on_board(
    ctx: &PageCtx,
    who: &SignedIn,
    id: i64,
    error: StoreError,
) -> Result<Response, AppError> {
    let message = refusal(error, ctx.lang)?;
    let page = board_page(ctx, who, id, Some(message)).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// A refused action shown on the unit's form with the store's reason (409).
async fn refused_on_form(
    ctx: &PageCtx,
    who: &SignedIn,
    id: i64,
    unit: &str,
    error: StoreError,
) -> Result<Response, AppError> {
    let message = refusal(error, ctx.lang)?;
    let page = unit_form_page(ctx, who, id, unit, None, Some(message)).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct MessageQuery {
    message: Option<String>,
}

fn message_text(code: Option<&str>, lang: Lang) -> Option<String> {
    let text = match code? {
        "created" => lang.pick("Đã tạo đợt đánh giá.", "The round was created."),
        "stage" => lang.pick("Đã chuyển giai đoạn.", "The stage was changed."),
        "saved" => lang.pick("Đã lưu bản nháp.", "The draft was saved."),
        "submitted" => lang.pick("Đã nộp; biểu mẫu đã khoá.", "Submitted; the form is locked."),
        "returned" => lang.pick("Đã trả lại đơn vị để sửa.", "The unit was returned for revision."),
        "finalised" => lang.pick("Đã kết thúc thẩm định đơn vị.", "The unit's appraisal is final."),
        "appraised" => lang.pick("Đã lưu kết quả thẩm định.", "The appraisal was saved."),
        "corrected" => lang.pick(
            "Đã lưu đính chính; công bố lại để kết quả công khai được cập nhật.",
            "The correction was saved; publish again to update the public results.",
        ),
        "evidence" => lang.pick("Đã thêm minh chứng.", "The evidence was added."),
        "explained" => lang.pick("Đã lưu giải trình.", "The explanation was saved."),
        "published" => lang.pick("Đã công bố kết quả.", "The results were published."),
        "imported" => lang.pick("Đã nhập bảng tính thành bản nháp.", "The spreadsheet was saved as drafts."),
        "deadlines" => lang.pick("Đã lưu thời hạn.", "The deadlines were saved."),
        "preliminary" => lang.pick(
            "Đã công bố kết quả sơ bộ; các đơn vị có thể đề nghị xem xét lại đến hết thời hạn.",
            "The preliminary results were published; units may contest them until the deadline.",
        ),
        "contested" => lang.pick("Đã gửi đề nghị xem xét lại.", "The contest was sent."),
        "answered" => lang.pick("Đã trả lời đề nghị xem xét lại.", "The contest was answered."),
        _ => return None,
    };
    Some(text.into())
}
