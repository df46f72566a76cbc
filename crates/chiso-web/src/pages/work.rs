//! The assessment round run in the app: the progress board (admin, appraisers,
//! viewers), the self-assessment form of a unit (its reporter), the appraisal of a
//! submitted unit (appraisers), spreadsheets both ways, and stage changes (admin).
//!
//! Who may do what: a reporter sees and edits only their own unit, and only while
//! it is editable (stage open, or returned during appraisal); appraisers and admins
//! appraise; admins run the stages; viewers read.

use super::{Chrome, check_form, chrome, see_other};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::form::Form;
use crate::i18n::{Locale, format_datetime, parse_date_ms};
use crate::state::AppState;
use crate::upload;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_core::framework::{Indicator, Source};
use chiso_core::rule::Rule;
use chiso_io::Files;
use chiso_store::{
    AppraisalChange, Deadlines, EvidenceKind, NewEvidence, Role, RoundId, Stage, StoreError, UnitState,
    ValueChange, editable,
};
use serde::Deserialize;
use std::collections::HashMap;

mod form;
pub use form::{preview, save, save_field};

/// The largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;
const EVIDENCE_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "ppt", "pptx", "png", "jpg", "jpeg", "gif", "webp",
    "tif", "tiff",
];

pub fn stage_label(stage: Stage, lang: Lang) -> &'static str {
    match stage {
        Stage::Draft => lang.pick("Chuẩn bị", "Preparing"),
        Stage::Open => lang.pick("Đang tự đánh giá", "Self-assessment open"),
        Stage::Appraisal => lang.pick("Đang thẩm định", "Appraisal"),
        Stage::Approved => lang.pick("Đã phê duyệt", "Approved"),
        Stage::Published => lang.pick("Đã công bố", "Published"),
    }
}

pub fn state_label(state: UnitState, lang: Lang) -> &'static str {
    match state {
        UnitState::NotStarted => lang.pick("Chưa bắt đầu", "Not started"),
        UnitState::Draft => lang.pick("Đang nhập", "Draft"),
        UnitState::Submitted => lang.pick("Đã nộp", "Submitted"),
        UnitState::Returned => lang.pick("Trả lại để sửa", "Returned"),
        UnitState::Appraised => lang.pick("Đã thẩm định", "Appraised"),
    }
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

fn can_appraise(who: &SignedIn) -> bool {
    matches!(who.user.role, Role::Admin | Role::Appraiser)
}

/// A store refusal of a user's action as a message for the page.
fn refusal(error: StoreError, lang: Lang) -> Result<String, AppError> {
    match error {
        StoreError::Conflict(message) | StoreError::InvalidInput(message) => Ok(message),
        StoreError::Invalid(errors) => {
            Ok(errors.0.iter().map(|e| e.render(lang)).collect::<Vec<_>>().join("; "))
        }
        StoreError::Refused(problems) => Ok(problems
            .iter()
            .map(|p| crate::api::row_problem_message(&p.kind, lang))
            .collect::<Vec<_>>()
            .join("; ")),
        other => Err(other.into()),
    }
}

/// A refused action shown on the board with the store's reason (409).
async fn refused_on_board(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    id: i64,
    error: StoreError,
) -> Result<Response, AppError> {
    let message = refusal(error, locale.0)?;
    let page = board_page(state, who, locale, uri, id, Some(message)).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// A refused action shown on the unit's form with the store's reason (409).
async fn refused_on_form(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    id: i64,
    unit: &str,
    error: StoreError,
) -> Result<Response, AppError> {
    let message = refusal(error, locale.0)?;
    let page = unit_form_page(state, who, locale, uri, id, unit, None, Some(message)).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

// ---- the list of rounds ---------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct WorkRound {
    id: i64,
    year: i32,
    name: String,
    stage: &'static str,
    stage_label: &'static str,
    /// For a reporter: their unit's form.
    own_unit: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "work/index.html")]
pub struct WorkIndexPage {
    c: Chrome,
    rounds: Vec<WorkRound>,
}

pub async fn index(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
) -> Result<WorkIndexPage, AppError> {
    let lang = locale.0;
    let mut rounds = Vec::new();
    for round in state.store.rounds().await? {
        let Some(workflow) = state.store.workflow(round.id).await? else { continue };
        let own_unit = match (&who.user.role, &who.user.unit_code) {
            (Role::Reporter, Some(unit)) => {
                let progress = state.store.unit_progress(round.id).await?;
                if !progress.iter().any(|p| &p.unit == unit && p.assigned) {
                    continue;
                }
                Some(unit.clone())
            }
            _ => None,
        };
        rounds.push(WorkRound {
            id: round.id.0,
            year: round.year,
            name: round.name.get(lang).to_owned(),
            stage: workflow.stage.code(),
            stage_label: stage_label(workflow.stage, lang),
            own_unit,
        });
    }
    Ok(WorkIndexPage { c: chrome(locale, &uri, Some(&who)), rounds })
}

// ---- the progress board ------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct BoardUnit {
    code: String,
    name: String,
    assigned: bool,
    state: &'static str,
    state_label: &'static str,
    overdue: bool,
    updated: String,
}

#[derive(Debug, Clone)]
pub struct BoardGroup {
    code: String,
    name: String,
    /// (state code, label, count)
    counts: Vec<(&'static str, &'static str, usize)>,
    units: Vec<BoardUnit>,
}

#[derive(Template, WebTemplate)]
#[template(path = "work/board.html")]
pub struct BoardPage {
    c: Chrome,
    id: i64,
    name: String,
    stage: &'static str,
    stage_label: &'static str,
    deadlines: [(String, &'static str, String); 3],
    next_stage: Option<(&'static str, &'static str)>,
    can_publish: bool,
    /// Publishing again makes a correction.
    published: bool,
    groups: Vec<BoardGroup>,
    message: Option<String>,
    queue: Vec<(String, String)>,
    can_appraise: bool,
}

fn date_input(ms: Option<i64>) -> String {
    ms.map(|ms| {
        let text = format_datetime(ms, Lang::En);
        text.split(' ').next().unwrap_or_default().to_owned()
    })
    .unwrap_or_default()
}

async fn board_page(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    id: i64,
    message: Option<String>,
) -> Result<BoardPage, AppError> {
    let lang = locale.0;
    let round_id = RoundId(id);
    let round = state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    let workflow = state.store.workflow(round_id).await?.ok_or(AppError::NotFound)?;
    let units = state.store.round_units(round_id).await?;
    let groups = state.store.round_groups(round_id).await?;
    let progress = state.store.unit_progress(round_id).await?;
    let now = state.store.clock().now_ms();
    let deadline = match workflow.stage {
        Stage::Open => workflow.deadlines.self_assessment,
        Stage::Appraisal => workflow.deadlines.appraisal,
        _ => None,
    };
    let waiting = |s: UnitState| match workflow.stage {
        Stage::Open => matches!(s, UnitState::NotStarted | UnitState::Draft | UnitState::Returned),
        Stage::Appraisal => s != UnitState::Appraised,
        _ => false,
    };
    let board_groups = groups
        .iter()
        .map(|g| {
            let units: Vec<BoardUnit> = progress
                .iter()
                .filter(|p| p.group == g.code)
                .map(|p| BoardUnit {
                    code: p.unit.clone(),
                    name: units
                        .iter()
                        .find(|u| u.code == p.unit)
                        .map(|u| u.name.get(lang).to_owned())
                        .unwrap_or_default(),
                    assigned: p.assigned,
                    state: p.state.code(),
                    state_label: state_label(p.state, lang),
                    overdue: p.assigned && waiting(p.state) && deadline.is_some_and(|d| now > d),
                    updated: format_datetime(p.updated_at, lang),
                })
                .collect();
            let counts = UnitState::ALL
                .iter()
                .map(|s| {
                    (
                        s.code(),
                        state_label(*s, lang),
                        units.iter().filter(|u| u.assigned && u.state == s.code()).count(),
                    )
                })
                .collect();
            BoardGroup { code: g.code.clone(), name: g.name.get(lang).to_owned(), counts, units }
        })
        .collect();
    let next_stage = match workflow.stage {
        Stage::Draft => Some(("open", lang.pick("Mở tự đánh giá", "Open self-assessment"))),
        Stage::Open => Some(("appraisal", lang.pick("Chuyển sang thẩm định", "Start appraisal"))),
        Stage::Appraisal => Some(("approved", lang.pick("Phê duyệt kết quả", "Approve the results"))),
        _ => None,
    };
    let queue = progress
        .iter()
        .filter(|p| p.assigned && p.state == UnitState::Submitted)
        .map(|p| {
            (
                p.unit.clone(),
                units
                    .iter()
                    .find(|u| u.code == p.unit)
                    .map(|u| u.name.get(lang).to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect();
    Ok(BoardPage {
        c: chrome(locale, uri, Some(who)),
        id,
        name: round.name.get(lang).to_owned(),
        stage: workflow.stage.code(),
        stage_label: stage_label(workflow.stage, lang),
        deadlines: [
            (
                "self_deadline".into(),
                lang.pick("Hạn tự đánh giá", "Self-assessment deadline"),
                date_input(workflow.deadlines.self_assessment),
            ),
            (
                "appraisal_deadline".into(),
                lang.pick("Hạn thẩm định", "Appraisal deadline"),
                date_input(workflow.deadlines.appraisal),
            ),
            (
                "approval_deadline".into(),
                lang.pick("Hạn phê duyệt", "Approval deadline"),
                date_input(workflow.deadlines.approval),
            ),
        ],
        next_stage,
        can_publish: matches!(workflow.stage, Stage::Approved | Stage::Published),
        published: workflow.stage == Stage::Published,
        groups: board_groups,
        message,
        queue,
        can_appraise: can_appraise(who),
    })
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
        "published" => lang.pick("Đã công bố kết quả.", "The results were published."),
        "imported" => lang.pick("Đã nhập bảng tính thành bản nháp.", "The spreadsheet was saved as drafts."),
        "deadlines" => lang.pick("Đã lưu thời hạn.", "The deadlines were saved."),
        _ => return None,
    };
    Some(text.into())
}

pub async fn board(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    Path(id): Path<i64>,
    Query(query): Query<MessageQuery>,
) -> Result<Response, AppError> {
    if who.user.role == Role::Reporter {
        let unit = who.user.unit_code.clone().ok_or(AppError::Forbidden)?;
        return Ok(see_other(&format!("/work/rounds/{id}/units/{unit}")));
    }
    let message = message_text(query.message.as_deref(), locale.0);
    Ok(board_page(&state, &who, locale, &uri, id, message).await?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct StageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
}

pub async fn change_stage(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<StageForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    let to =
        Stage::parse(&form.to).map_err(|_| AppError::BadRequest(format!("unknown stage {:?}", form.to)))?;
    match state.store.advance_stage(RoundId(id), to, who.actor()).await {
        Ok(()) => Ok(see_other(&format!("/work/rounds/{id}?message=stage"))),
        Err(error) => refused_on_board(&state, &who, locale, &uri, id, error).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct DeadlinesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    self_deadline: String,
    #[serde(default)]
    appraisal_deadline: String,
    #[serde(default)]
    approval_deadline: String,
}

pub async fn set_deadlines(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DeadlinesForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    // A deadline is the end of its day.
    let day = |text: &str| -> Result<Option<i64>, AppError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        parse_date_ms(text).map(|ms| Some(ms + 86_400_000 - 1)).ok_or_else(|| {
            AppError::BadRequest("Ngày viết dạng 2025-03-31 · Dates are written 2025-03-31".into())
        })
    };
    let deadlines = Deadlines {
        self_assessment: day(&form.self_deadline)?,
        appraisal: day(&form.appraisal_deadline)?,
        approval: day(&form.approval_deadline)?,
    };
    state.store.set_deadlines(RoundId(id), deadlines, who.actor()).await?;
    Ok(see_other(&format!("/work/rounds/{id}?message=deadlines")))
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    assigned: Option<String>,
}

pub async fn assign(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    state.store.set_unit_assigned(RoundId(id), &unit, form.assigned.is_some(), who.actor()).await?;
    Ok(see_other(&format!("/work/rounds/{id}")))
}

pub async fn publish(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<crate::pages::admin::PublishForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    match state.store.publish_workflow_round(RoundId(id), &form.decision, who.actor()).await {
        Ok(_) => Ok(see_other(&format!("/rounds/{id}"))),
        Err(error) => refused_on_board(&state, &who, locale, &uri, id, error).await,
    }
}

// ---- the unit form ------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct EvidenceRow {
    id: i64,
    text: String,
    file: bool,
}

#[derive(Debug, Clone)]
pub struct FormRow {
    code: String,
    name: String,
    depth: usize,
    /// parent, boolean, choice, ratio, number, manual, kpi
    kind: &'static str,
    value: String,
    version: i64,
    na: bool,
    ratio: (String, String),
    options: Vec<(String, String)>,
    unit: String,
    max: String,
    points: String,
    appraised_points: String,
    kpi_source: String,
    evidence_needed: bool,
    evidence: Vec<EvidenceRow>,
    appraised_value: String,
    appraised_reason: String,
    appraised_version: i64,
    /// The reporter edits this row (an editable leaf not taken from monitoring).
    input: bool,
    /// What the form says under the field: an error (`invalid`) or a notice.
    note: String,
    invalid: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "work/unit.html")]
pub struct UnitFormPage {
    c: Chrome,
    id: i64,
    round_name: String,
    unit: String,
    unit_name: String,
    stage_label: &'static str,
    state: &'static str,
    state_label: &'static str,
    editable: bool,
    appraising: bool,
    /// An admin correcting final values after approval.
    correcting: bool,
    total: String,
    appraised_total: String,
    rows: Vec<FormRow>,
    history: Vec<(String, String, String, String)>,
    message: Option<String>,
    error: Option<String>,
    boolean_words: (&'static str, &'static str),
    /// The error summary at the top: its title and (link, text) per problem.
    summary_title: String,
    summary: Vec<(String, String)>,
    /// "32/44 đã trả lời, 3 thiếu minh chứng".
    progress: String,
    /// Ask to confirm the submission (the form locks afterwards).
    confirm: bool,
}

fn kind_of(indicator: &Indicator) -> &'static str {
    if !indicator.is_leaf() {
        return "parent";
    }
    if matches!(indicator.source, Source::Kpi(_)) {
        return "kpi";
    }
    match &indicator.rule {
        Some(Rule::Boolean) => "boolean",
        Some(Rule::Choice { .. }) => "choice",
        Some(Rule::Ratio) => "ratio",
        Some(Rule::Manual) => "manual",
        _ => "number",
    }
}

#[allow(clippy::too_many_arguments)]
async fn unit_form_page(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    id: i64,
    unit: &str,
    message: Option<String>,
    error: Option<String>,
) -> Result<UnitFormPage, AppError> {
    let feedback = form::Feedback { message, error, ..Default::default() };
    unit_form_view(state, who, locale, uri, id, unit, feedback).await
}

/// The unit's form, with what the last action left to say: values kept as typed
/// with their errors, the summary, the submission to confirm.
async fn unit_form_view(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    id: i64,
    unit: &str,
    feedback: form::Feedback,
) -> Result<UnitFormPage, AppError> {
    let form::Feedback { message, error, fields, check_gaps, confirm } = feedback;
    let lang = locale.0;
    let round_id = RoundId(id);
    require_unit(who, unit)?;
    let round = state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    let workflow = state.store.workflow(round_id).await?.ok_or(AppError::NotFound)?;
    let progress = state.store.unit_progress(round_id).await?;
    let unit_progress = progress.iter().find(|p| p.unit == unit && p.assigned).ok_or(AppError::NotFound)?;
    let package = chiso_io::Package::from_files(Files::Memory(state.store.round_self_files(round_id).await?))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let a = &package.assessment;
    let u = a.units.iter().position(|x| x.code == unit).ok_or(AppError::NotFound)?;
    let framework = a.framework_of(u);
    let values = form::stored_values(state, round_id, unit).await?;
    let appraisals: HashMap<String, chiso_store::Appraisal> = state
        .store
        .appraisals(round_id)
        .await?
        .into_iter()
        .filter(|x| x.unit == unit)
        .map(|x| (x.indicator.clone(), x))
        .collect();
    let (scores, total) = state.store.unit_scores(round_id, unit, None, false).await?;
    let (appraised_scores, appraised_total) = state.store.unit_scores(round_id, unit, None, true).await?;
    let evidence = state.store.evidence(round_id, unit).await?;
    let (_, monitoring) = crate::views::cache::current_monitoring(state).await?;
    // A `kpi:` leaf without a stored value shows what the monitoring data says now
    // (approval stores it); with one, where the stored value came from.
    let kpi_value = |code: &str| {
        let kpi = monitoring.catalogue.find(code)?;
        monitoring.yearly_value(kpi, unit, a.year)
    };
    let points = |s: Option<f64>| s.map_or("—".into(), |p| lang.number(p, 2));
    let rows = framework
        .indicators
        .iter()
        .enumerate()
        .map(|(i, indicator)| {
            let (mut value, version) = values.get(&indicator.code).cloned().unwrap_or_default();
            let field = fields.get(&indicator.code);
            if let Some(typed) = field.and_then(|f| f.typed.clone()) {
                value = typed;
            }
            let kpi_source = match &indicator.source {
                Source::Kpi(code) if value.is_empty() => match kpi_value(code) {
                    Some(v) => {
                        value = lang.plain(v);
                        format!("kpi:{code} {}", a.year)
                    }
                    None => format!(
                        "kpi:{code} — {} {}",
                        lang.pick("chưa có số liệu năm", "no value yet for"),
                        a.year
                    ),
                },
                Source::Kpi(code) => format!("kpi:{code} {}", a.year),
                _ => String::new(),
            };
            let ratio = value
                .split_once('/')
                .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
                .unwrap_or_default();
            let appraisal = appraisals.get(&indicator.code);
            FormRow {
                code: indicator.code.clone(),
                name: indicator.name.get(lang).to_owned(),
                depth: indicator.depth,
                kind: kind_of(indicator),
                na: value.eq_ignore_ascii_case("na"),
                ratio,
                options: match &indicator.rule {
                    Some(Rule::Choice { options }) => {
                        options.iter().map(|o| (o.code.clone(), o.label.get(lang).to_owned())).collect()
                    }
                    _ => Vec::new(),
                },
                value,
                version,
                unit: indicator.unit.clone().unwrap_or_default(),
                max: lang.plain(indicator.max),
                points: points(scores.get(i).copied().flatten()),
                appraised_points: points(appraised_scores.get(i).copied().flatten()),
                kpi_source,
                evidence_needed: indicator.evidence,
                evidence: evidence
                    .iter()
                    .filter(|e| e.indicator == indicator.code)
                    .map(|e| match &e.kind {
                        EvidenceKind::File { name, size, sha256, .. } => EvidenceRow {
                            id: e.id,
                            text: format!(
                                "{name} ({} KB, SHA-256 {}…)",
                                (size + 1023) / 1024,
                                &sha256[..sha256.len().min(12)]
                            ),
                            file: true,
                        },
                        EvidenceKind::Reference { number, date, summary } => EvidenceRow {
                            id: e.id,
                            text: format!("{number}, {date}: {summary}"),
                            file: false,
                        },
                    })
                    .collect(),
                appraised_value: appraisal.map(|x| x.value.clone()).unwrap_or_default(),
                appraised_reason: appraisal.map(|x| x.reason.clone()).unwrap_or_default(),
                appraised_version: appraisal.map_or(0, |x| x.version),
                input: indicator.is_leaf() && !matches!(indicator.source, Source::Kpi(_)),
                note: field.map(|f| f.message.clone()).unwrap_or_default(),
                invalid: field.is_some_and(|f| f.invalid),
            }
        })
        .collect::<Vec<FormRow>>();
    let stored_values: HashMap<&str, &str> =
        values.iter().map(|(k, (v, _))| (k.as_str(), v.as_str())).collect();
    let evidenced: Vec<&str> = evidence.iter().map(|e| e.indicator.as_str()).collect();
    let progress = form::Progress::of(&framework.indicators, &stored_values, &evidenced);
    let editable_now = can_edit(who, unit) && editable(workflow.stage, unit_progress.state);
    let (summary_title, summary, rows, confirm) =
        form::summary(lang, rows, &progress, check_gaps && editable_now, confirm && editable_now);
    let names = crate::pages::admin::actor_names(state, lang).await?;
    let history = state
        .store
        .unit_events(round_id, unit)
        .await?
        .into_iter()
        .map(|e| {
            (
                format_datetime(e.at, lang),
                names.get(&e.actor).cloned().unwrap_or(e.actor),
                e.action,
                e.comment.unwrap_or_default(),
            )
        })
        .collect();
    Ok(UnitFormPage {
        c: chrome(locale, uri, Some(who)),
        id,
        round_name: round.name.get(lang).to_owned(),
        unit: unit.to_owned(),
        unit_name: a.units[u].name.get(lang).to_owned(),
        stage_label: stage_label(workflow.stage, lang),
        state: unit_progress.state.code(),
        state_label: state_label(unit_progress.state, lang),
        editable: editable_now,
        appraising: can_appraise(who)
            && workflow.stage == Stage::Appraisal
            && unit_progress.state == UnitState::Submitted,
        correcting: who.user.role == Role::Admin
            && matches!(workflow.stage, Stage::Approved | Stage::Published)
            && unit_progress.state == UnitState::Appraised,
        total: lang.number(total, 2),
        appraised_total: lang.number(appraised_total, 2),
        rows,
        history,
        message,
        error,
        boolean_words: (lang.pick("có", "yes"), lang.pick("không", "no")),
        summary_title,
        summary,
        progress: progress.text(lang),
        confirm,
    })
}

pub async fn unit_form(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    Path((id, unit)): Path<(i64, String)>,
    Query(query): Query<MessageQuery>,
) -> Result<UnitFormPage, AppError> {
    let message = message_text(query.message.as_deref(), locale.0);
    unit_form_page(&state, &who, locale, &uri, id, &unit, message, None).await
}

pub async fn add_evidence(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = upload::read(multipart).await?;
    check_form(&who, &headers, form.field("csrf"))?;
    if !can_edit(&who, &unit) {
        return Err(AppError::Forbidden);
    }
    let lang = locale.0;
    let indicator = form.field("indicator").trim().to_owned();
    let reference = NewEvidence::Reference {
        number: form.field("number").trim().to_owned(),
        date: form.field("date").trim().to_owned(),
        summary: form.field("summary").trim().to_owned(),
    };
    let evidence = match form.files.into_iter().next() {
        Some((name, content)) => {
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
                let page = unit_form_page(
                    &state,
                    &who,
                    locale,
                    &uri,
                    id,
                    &unit,
                    None,
                    Some(format!("{name}: {problem}")),
                )
                .await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
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
            NewEvidence::File { name, content_type: content_type.into(), content }
        }
        None => reference,
    };
    match state.store.add_evidence(RoundId(id), &unit, &indicator, evidence, who.actor()).await {
        Ok(_) => Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message=evidence#i-{indicator}"))),
        Err(error) => refused_on_form(&state, &who, locale, &uri, id, &unit, error).await,
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
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\r', '\n'], "_"));
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    } else {
        headers.insert(CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct AppraiseForm {
    #[serde(default)]
    csrf: String,
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
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    Form(form): Form<AppraiseForm>,
) -> Result<Response, AppError> {
    check_form(&who, &headers, &form.csrf)?;
    if !can_appraise(&who) {
        return Err(AppError::Forbidden);
    }
    let change = AppraisalChange {
        indicator: form.indicator.clone(),
        value: form.value,
        reason: form.reason,
        expected_version: form.version,
    };
    // After approval a change is a correction, which only an admin makes.
    let stage = state.store.workflow(RoundId(id)).await?.ok_or(AppError::NotFound)?.stage;
    let correction = matches!(stage, Stage::Approved | Stage::Published);
    let result = if correction {
        who.require(&[Role::Admin])?;
        state.store.correct(RoundId(id), &unit, &change, who.actor()).await
    } else {
        state.store.appraise(RoundId(id), &unit, &change, who.actor()).await
    };
    let message = if correction { "corrected" } else { "appraised" };
    match result {
        Ok(()) => {
            Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message={message}#i-{}", form.indicator)))
        }
        Err(error) => refused_on_form(&state, &who, locale, &uri, id, &unit, error).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    action: String,
}

/// Returns a unit with comments, or finalises its appraisal.
pub async fn step(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    check_form(&who, &headers, &form.csrf)?;
    if !can_appraise(&who) {
        return Err(AppError::Forbidden);
    }
    let round = RoundId(id);
    let (result, message) = match form.action.as_str() {
        "return" => (state.store.return_unit(round, &unit, &form.comment, who.actor()).await, "returned"),
        "finalise" => (state.store.finalise_unit(round, &unit, who.actor()).await, "finalised"),
        other => return Err(AppError::BadRequest(format!("unknown action {other:?}"))),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/work/rounds/{id}?message={message}"))),
        Err(error) => refused_on_form(&state, &who, locale, &uri, id, &unit, error).await,
    }
}

// ---- spreadsheets ---------------------------------------------------------------------------

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
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    Path((id, group)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let round = RoundId(id);
    state.store.workflow(round).await?.ok_or(AppError::NotFound)?;
    let files = state.store.round_self_files(round).await?;
    let package =
        chiso_io::Package::from_files(Files::Memory(files)).map_err(|e| AppError::Internal(e.to_string()))?;
    let g = package.assessment.groups.iter().position(|g| g.code == group).ok_or(AppError::NotFound)?;
    let values: HashMap<(String, String), String> = state
        .store
        .round_values(round)
        .await?
        .into_iter()
        .filter(|v| can_see_unit(&who, &v.unit))
        .map(|v| ((v.unit, v.indicator), v.value))
        .collect();
    let lookup = |unit: &str, indicator: &str| values.get(&(unit.to_owned(), indicator.to_owned())).cloned();
    let bytes = chiso_io::xlsx::template(&package.assessment, g, &lookup, locale.0)
        .map_err(|e| AppError::Internal(e.render()))?;
    Ok(xlsx(bytes, &format!("tu-danh-gia-{}-{group}.xlsx", package.assessment.year)))
}

/// A filled template saved as drafts, all or nothing; every error names sheet and cell.
pub async fn upload_xlsx(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let lang = locale.0;
    let form = upload::read(multipart).await?;
    check_form(&who, &headers, form.field("csrf"))?;
    if !matches!(who.user.role, Role::Admin | Role::Reporter) {
        return Err(AppError::Forbidden);
    }
    let round = RoundId(id);
    let workflow = state.store.workflow(round).await?.ok_or(AppError::NotFound)?;
    // The unit is checked before a byte of the workbook is read: a reporter may
    // upload only while their own unit takes part and is editable.
    if who.user.role == Role::Reporter {
        let unit = who.user.unit_code.as_deref().ok_or(AppError::Forbidden)?;
        let progress = state.store.unit_progress(round).await?;
        let mine = progress.iter().find(|p| p.unit == unit && p.assigned).ok_or(AppError::Forbidden)?;
        if !editable(workflow.stage, mine.state) {
            return Err(AppError::Forbidden);
        }
    }
    let back = |message: String| xlsx_refused(&state, &who, locale, &uri, id, message);
    let Some((_, bytes)) = form.files.into_iter().next() else {
        return back(lang.pick("Chưa chọn tệp.", "No file was chosen.").into()).await;
    };
    let files = state.store.round_self_files(round).await?;
    let package =
        chiso_io::Package::from_files(Files::Memory(files)).map_err(|e| AppError::Internal(e.to_string()))?;
    let cells = match chiso_io::xlsx::read_values(&package.assessment, &bytes, lang) {
        Ok(cells) => cells,
        Err(errors) => return back(errors.iter().map(|e| e.render()).collect::<Vec<_>>().join("\n")).await,
    };
    if let Some(other) = cells.iter().find(|c| !can_edit(&who, &c.unit)) {
        return back(format!("{}: {}", other.unit, lang.pick("không phải đơn vị của bạn", "not your unit")))
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
    match state.store.import_self_values(round, &changes, who.actor()).await {
        Ok(_) => match (&who.user.role, &who.user.unit_code) {
            (Role::Reporter, Some(unit)) => {
                Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message=imported")))
            }
            _ => Ok(see_other(&format!("/work/rounds/{id}?message=imported"))),
        },
        Err(error) => back(refusal(error, lang)?).await,
    }
}

/// A refused spreadsheet: the page it came from, with every error.
async fn xlsx_refused(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    id: i64,
    message: String,
) -> Result<Response, AppError> {
    let page = match who.user.unit_code.clone().filter(|_| who.user.role == Role::Reporter) {
        Some(unit) => {
            unit_form_page(state, who, locale, uri, id, &unit, None, Some(message)).await?.into_response()
        }
        None => board_page(state, who, locale, uri, id, Some(message)).await?.into_response(),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The published results in the layout of an official annex.
pub async fn annex(
    State(state): State<AppState>,
    locale: Locale,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    // Built from the latest publication's own inputs: a correction not yet
    // published never shows here.
    let latest = state.store.latest_publication(RoundId(id)).await?.ok_or(AppError::NotFound)?;
    let package = state.store.publication_package(latest.info.id).await?.ok_or(AppError::NotFound)?;
    let results = package.score().map_err(|e| AppError::Internal(e.to_string()))?;
    let bytes = chiso_io::xlsx::results_annex(&package.assessment, &results, locale.0)
        .map_err(|e| AppError::Internal(e.render()))?;
    Ok(xlsx(bytes, &format!("ket-qua-{}.xlsx", package.assessment.year)))
}

// ---- creating a round ---------------------------------------------------------------------

/// Creates a round to run in the app: from uploaded frameworks and units (a package
/// without values), or as a copy of another round for a new year.
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    let form = upload::read(multipart).await?;
    check_form(&who, &headers, form.field("csrf"))?;
    let lang = locale.0;
    let result = if form.files.is_empty() {
        let from =
            form.field("from").trim().parse::<i64>().map_err(|_| AppError::BadRequest("from".into()))?;
        let year = form.field("year").trim().parse::<i32>().map_err(|_| {
            AppError::BadRequest(
                lang.pick("Cần năm của đợt mới.", "The new round's year is required.").into(),
            )
        })?;
        state.store.copy_round(RoundId(from), year, who.actor()).await
    } else {
        match upload::package_files(form.files, "assessment.toml", state.config.max_upload_bytes as u64 * 4) {
            Ok(files) => state.store.create_workflow_round(Files::Memory(files), who.actor()).await,
            Err(problem) => Err(StoreError::InvalidInput(problem.message(lang))),
        }
    };
    match result {
        Ok(round) => Ok(see_other(&format!("/work/rounds/{round}?message=created"))),
        Err(error) => {
            let errors = match error {
                StoreError::Invalid(errors) => errors.0.iter().map(|e| e.render(lang)).collect(),
                other => vec![refusal(other, lang)?],
            };
            crate::pages::admin::refused_page(&state, &who, locale, &uri, errors).await
        }
    }
}
