//! Saving the self-assessment form without losing work: the whole form (the
//! "Lưu nháp" button, without script) or one field as the reporter leaves it
//! (`fetch`, JSON). Valid values are saved even when others are refused; a refused
//! value stays in its field with its message, listed in the summary at the top; a
//! value someone else saved meanwhile is shown with what the reporter typed. The
//! submission asks to be confirmed first (a step page: it works without script).

use super::unit::{FormRow, unit_form_view};
use super::{refusal, refused_on_form};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::CsrfForm;
use crate::extract::{UnitEditor, UnitReader};
use crate::pages::{PageCtx, see_other};
use crate::state::AppState;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_core::framework::{Indicator, Source};
use chiso_store::{ChangeRefusal, RoundId, RowProblemKind, StoreError, ValueChange, ValueSave};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// What the last action leaves for the form to say.
#[derive(Debug, Default)]
pub(super) struct Feedback {
    pub message: Option<String>,
    pub error: Option<String>,
    /// Per indicator: a value kept as typed, with the message under its field.
    pub fields: HashMap<String, FieldNote>,
    /// Name what the form still lacks before it can be submitted.
    pub check_gaps: bool,
    /// Ask to confirm the submission (when nothing is missing).
    pub confirm: bool,
}

#[derive(Debug, Clone)]
pub(super) struct FieldNote {
    /// The text the reporter typed, shown instead of the stored value.
    pub typed: Option<String>,
    pub message: String,
    /// The field's value is refused (`aria-invalid`).
    pub invalid: bool,
}

/// How far a unit's form is: answered leaves of all the reporter fills, and the
/// indicators still needing evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Progress {
    pub answered: usize,
    pub total: usize,
    pub missing_evidence: usize,
}

impl Progress {
    pub fn of(indicators: &[Indicator], values: &HashMap<&str, &str>, evidenced: &[&str]) -> Progress {
        let filled = |i: &&Indicator| i.is_leaf() && !matches!(i.source, Source::Kpi(_));
        let answered = |i: &&Indicator| values.get(i.code.as_str()).is_some_and(|v| !v.trim().is_empty());
        Progress {
            answered: indicators.iter().filter(filled).filter(answered).count(),
            total: indicators.iter().filter(filled).count(),
            missing_evidence: indicators
                .iter()
                .filter(|i| i.evidence && !evidenced.contains(&i.code.as_str()))
                .count(),
        }
    }

    pub fn text(&self, lang: Lang) -> String {
        let n = |count: usize| lang.number(count as f64, 0);
        let (answered, total, missing) = (n(self.answered), n(self.total), n(self.missing_evidence));
        match lang {
            Lang::Vi => format!("{answered}/{total} đã trả lời, {missing} thiếu minh chứng"),
            Lang::En => format!("{answered}/{total} answered, {missing} missing evidence"),
        }
    }

    fn json(&self, lang: Lang) -> serde_json::Value {
        json!({
            "answered": self.answered,
            "total": self.total,
            "missing_evidence": self.missing_evidence,
            "text": self.text(lang),
        })
    }
}

/// The summary at the top of the form: the refused values, or (when the submission
/// is checked) what is still missing, each linking to its field; the rows with
/// their messages; whether to ask for confirmation.
pub(super) fn summary(
    lang: Lang,
    mut rows: Vec<FormRow>,
    progress: &Progress,
    check_gaps: bool,
    confirm: bool,
) -> (String, Vec<(String, String)>, Vec<FormRow>, bool) {
    let link = |row: &FormRow| format!("#f-{}", row.code);
    let refused: Vec<(String, String)> = rows
        .iter()
        .filter(|r| !r.note.is_empty())
        .map(|r| (link(r), format!("{}: {}", r.code, r.note)))
        .collect();
    if !refused.is_empty() {
        let title = match lang {
            Lang::Vi => format!("{} giá trị chưa được lưu; các giá trị khác đã lưu", refused.len()),
            Lang::En => format!("{} value(s) were not saved; the others were", refused.len()),
        };
        return (title, refused, rows, false);
    }
    if !check_gaps || (progress.answered == progress.total && progress.missing_evidence == 0) {
        return (String::new(), Vec::new(), rows, confirm);
    }
    let mut gaps = Vec::new();
    for row in &mut rows {
        let mut notes = Vec::new();
        if row.input && row.kind != "parent" && row.value.trim().is_empty() {
            notes.push(lang.pick("chưa trả lời", "not answered"));
            row.invalid = true;
            gaps.push((link(row), format!("{}: {}", row.code, notes[0])));
        }
        if row.evidence_needed && row.evidence.is_empty() && row.explanation.is_empty() {
            let text = lang.pick("cần minh chứng", "needs evidence");
            notes.push(text);
            gaps.push((format!("#i-{}", row.code), format!("{}: {text}", row.code)));
        }
        if !notes.is_empty() {
            row.note = notes.join("; ");
        }
    }
    let title = match lang {
        Lang::Vi => format!("Chưa nộp được: biểu mẫu còn thiếu {} mục", gaps.len()),
        Lang::En => format!("Not submitted: {} item(s) are missing", gaps.len()),
    };
    (title, gaps, rows, false)
}

/// The values typed in a form: `v:CODE` (or `a:CODE` / `b:CODE` for a ratio) and
/// `na:CODE`, with `ver:CODE` the version each was edited from.
pub(super) fn typed_values(form: &BTreeMap<String, String>) -> Vec<(String, String, i64)> {
    let mut codes: Vec<&str> = form.keys().filter_map(|k| k.strip_prefix("ver:")).collect();
    codes.sort_unstable();
    codes
        .into_iter()
        .map(|code| {
            let get = |prefix: &str| {
                form.get(&format!("{prefix}:{code}")).map(|v| v.trim().to_owned()).unwrap_or_default()
            };
            let value = if form.contains_key(&format!("na:{code}")) {
                "na".to_owned()
            } else if form.contains_key(&format!("a:{code}")) {
                let (a, b) = (get("a"), get("b"));
                if a.is_empty() && b.is_empty() { String::new() } else { format!("{a}/{b}") }
            } else {
                get("v")
            };
            let version = get("ver").parse().unwrap_or(0);
            (code.to_owned(), value, version)
        })
        .collect()
}

/// The values of `unit` as stored: indicator → (text, version).
pub(super) async fn stored_values(
    state: &AppState,
    round: RoundId,
    unit: &str,
) -> Result<HashMap<String, (String, i64)>, StoreError> {
    Ok(state
        .store
        .unit_values(round, unit)
        .await?
        .into_iter()
        .map(|v| (v.indicator, (v.value, v.version)))
        .collect())
}

/// Saves what changed among the typed values, each from the version it was edited
/// from; valid ones are saved even when others are refused.
async fn save_typed(
    state: &AppState,
    who: &SignedIn,
    round: RoundId,
    unit: &str,
    typed: &[(String, String, i64)],
) -> Result<(ValueSave, HashMap<String, (String, i64)>), StoreError> {
    let stored = stored_values(state, round, unit).await?;
    let changes: Vec<ValueChange> = typed
        .iter()
        .filter(|(code, value, _)| stored.get(code).map_or(!value.is_empty(), |(s, _)| s != value))
        .map(|(indicator, value, version)| ValueChange {
            unit: unit.to_owned(),
            indicator: indicator.clone(),
            value: value.clone(),
            note: None,
            expected_version: Some(*version),
        })
        .collect();
    if changes.is_empty() {
        return Ok((ValueSave::default(), stored));
    }
    let outcome = state.store.save_self_values(round, unit, &changes, who.actor()).await?;
    Ok((outcome, stored))
}

/// Why a value was refused, in the page's language.
fn invalid_message(kind: &RowProblemKind, lang: Lang) -> String {
    match kind {
        RowProblemKind::BadValue { problem, .. } => {
            let text = problem.message(lang);
            let mut chars = text.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or(text)
        }
        other => other.message(lang),
    }
}

fn stale_message(lang: Lang, current: &str, typed: &str) -> String {
    let current = if current.is_empty() { "—" } else { current };
    let typed = if typed.is_empty() { "—" } else { typed };
    match lang {
        Lang::Vi => format!(
            "Có người đã lưu chỉ số này trước bạn; giá trị hiện tại: {current}. Giá trị bạn nhập ({typed}) chưa được lưu: hãy kiểm tra rồi lưu lại."
        ),
        Lang::En => format!(
            "Someone saved this indicator before you; the current value is {current}. Your value ({typed}) was not saved: check it and save again."
        ),
    }
}

/// The message under each refused field.
fn notes(lang: Lang, typed: &[(String, String, i64)], outcome: &ValueSave) -> HashMap<String, FieldNote> {
    outcome
        .refused
        .iter()
        .map(|refused| {
            let typed_text =
                typed.iter().find(|(c, _, _)| *c == refused.indicator).map_or("", |(_, v, _)| v.as_str());
            let note = match &refused.reason {
                ChangeRefusal::Invalid(kind) => FieldNote {
                    typed: Some(typed_text.to_owned()),
                    message: invalid_message(kind, lang),
                    invalid: true,
                },
                ChangeRefusal::Stale { value, .. } => {
                    FieldNote { typed: None, message: stale_message(lang, value, typed_text), invalid: false }
                }
            };
            (refused.indicator.clone(), note)
        })
        .collect()
}

/// Saves the form (only what changed, each from the version shown), or submits it
/// after a confirmation step.
pub async fn save(
    ctx: PageCtx,
    UnitEditor { who, id, unit }: UnitEditor,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let round = RoundId(id);
    let typed = typed_values(&form);
    let outcome = match save_typed(&ctx.state, &who, round, &unit, &typed).await {
        Ok((outcome, _)) => outcome,
        Err(error) => return refused_on_form(&ctx, &who, id, &unit, error).await,
    };
    if !outcome.refused.is_empty() {
        let stale_only = outcome.refused.iter().all(|r| matches!(r.reason, ChangeRefusal::Stale { .. }));
        let status = if stale_only { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
        let feedback = Feedback { fields: notes(ctx.lang, &typed, &outcome), ..Default::default() };
        let page = unit_form_view(&ctx, &who, id, &unit, feedback).await?;
        return Ok((status, page).into_response());
    }
    if !form.contains_key("submit") {
        return Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message=saved")));
    }
    if !form.contains_key("confirm") {
        let feedback = Feedback { check_gaps: true, confirm: true, ..Default::default() };
        let page = unit_form_view(&ctx, &who, id, &unit, feedback).await?;
        let status = if page.confirm { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return Ok((status, page).into_response());
    }
    match ctx.state.store.submit_unit(round, &unit, who.actor()).await {
        Ok(()) => Ok(see_other(&format!("/work/rounds/{id}/units/{unit}?message=submitted"))),
        Err(StoreError::Refused(_)) => {
            let feedback = Feedback { check_gaps: true, ..Default::default() };
            let page = unit_form_view(&ctx, &who, id, &unit, feedback).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => {
            let message = format!(
                "{} {}",
                ctx.lang.pick("Chưa nộp được:", "Not submitted:"),
                refusal(error, ctx.lang)?
            );
            let feedback = Feedback { error: Some(message), ..Default::default() };
            let page = unit_form_view(&ctx, &who, id, &unit, feedback).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Saves the fields of one indicator as the reporter leaves it; answers per field
/// `saved` (with the new version), `invalid` or `stale` (with the current value and
/// version), and the form's progress.
pub async fn save_field(
    ctx: PageCtx,
    UnitEditor { who, id, unit }: UnitEditor,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let round = RoundId(id);
    let typed = typed_values(&form);
    if typed.is_empty() {
        return Err(AppError::BadRequest(
            ctx.lang.pick("Không có giá trị nào.", "No value was sent.").into(),
        ));
    }
    let (outcome, stored) = match save_typed(&ctx.state, &who, round, &unit, &typed).await {
        Ok(saved) => saved,
        Err(error) => {
            let message = refusal(error, ctx.lang)?;
            return Ok((StatusCode::CONFLICT, Json(json!({ "error": message }))).into_response());
        }
    };
    let notes = notes(ctx.lang, &typed, &outcome);
    let mut fields = serde_json::Map::new();
    for (code, _, _) in &typed {
        let refused = outcome.refused.iter().find(|r| r.indicator == *code);
        let entry = match (refused.map(|r| &r.reason), notes.get(code)) {
            (Some(ChangeRefusal::Stale { value, version }), Some(note)) => {
                json!({ "status": "stale", "message": note.message, "value": value, "version": version })
            }
            (Some(_), Some(note)) => json!({ "status": "invalid", "message": note.message }),
            _ => {
                let version = outcome
                    .saved
                    .iter()
                    .find(|(c, _)| c == code)
                    .map(|(_, v)| *v)
                    .or_else(|| stored.get(code).map(|(_, v)| *v))
                    .unwrap_or(0);
                json!({ "status": "saved", "message": ctx.lang.pick("Đã lưu", "Saved"), "version": version })
            }
        };
        fields.insert(code.clone(), entry);
    }
    let progress = form_progress(&ctx.state, round, &unit).await?;
    Ok(Json(json!({ "fields": fields, "progress": progress.json(ctx.lang) })).into_response())
}

async fn form_progress(state: &AppState, round: RoundId, unit: &str) -> Result<Progress, AppError> {
    let a = state.store.round_model(round).await?;
    let u = a.units.iter().position(|x| x.code == unit).ok_or(AppError::NotFound)?;
    let stored = stored_values(state, round, unit).await?;
    let values: HashMap<&str, &str> = stored.iter().map(|(k, (v, _))| (k.as_str(), v.as_str())).collect();
    let evidence = state.store.evidence(round, unit).await?;
    let explained = state.store.evidence_explanations(round, unit).await?;
    // An explanation of missing evidence meets the gap, as at submission.
    let evidenced: Vec<&str> = evidence
        .iter()
        .map(|e| e.indicator.as_str())
        .chain(explained.iter().map(|(indicator, _)| indicator.as_str()))
        .collect();
    Ok(Progress::of(&a.framework_of(u).indicators, &values, &evidenced))
}

/// The points the form's values would earn, as the reporter types: a value its
/// rule refuses is named in `problems` and scored as stored, the others count.
pub async fn preview(
    ctx: PageCtx,
    // Nothing is stored, but another site must not make the server score for it.
    UnitReader { id, unit, .. }: UnitReader,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let model = ctx.state.store.round_model(RoundId(id)).await?;
    let u = model.units.iter().position(|x| x.code == unit).ok_or(AppError::NotFound)?;
    let framework = model.framework_of(u);
    let mut problems: BTreeMap<String, String> = BTreeMap::new();
    let values: Vec<(String, String)> = typed_values(&form)
        .into_iter()
        .filter_map(|(code, value, _)| {
            let leaf = framework.find(&code).map(|i| &framework.indicators[i]);
            match leaf.map(|l| l.parse_entry(&value)) {
                Some(Err(problem)) => {
                    let kind =
                        RowProblemKind::BadValue { unit: unit.clone(), indicator: code.clone(), problem };
                    problems.insert(code, invalid_message(&kind, ctx.lang));
                    None
                }
                _ => Some((code, value)),
            }
        })
        .collect();
    let stored: Vec<(String, String)> = stored_values(&ctx.state, RoundId(id), &unit)
        .await?
        .into_iter()
        .filter(|(code, _)| !values.iter().any(|(c, _)| c == code))
        .map(|(code, (value, _))| (code, value))
        .collect();
    let all: Vec<(String, String)> = values.into_iter().chain(stored).collect();
    match ctx.state.store.unit_scores(RoundId(id), &unit, Some(&all), false).await {
        Ok((scores, total)) => {
            let points: BTreeMap<&str, Option<f64>> =
                framework.indicators.iter().zip(scores).map(|(i, s)| (i.code.as_str(), s)).collect();
            Ok(Json(json!({ "points": points, "total": total, "problems": problems })).into_response())
        }
        // The values together do not score (each is valid): say why, keep the last points.
        Err(StoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "errors": errors.0.iter().map(|e| e.render(ctx.lang)).collect::<Vec<_>>(),
                "problems": problems,
            })),
        )
            .into_response()),
        Err(error) => Err(error.into()),
    }
}
