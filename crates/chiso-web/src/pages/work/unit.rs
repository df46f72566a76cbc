//! A unit's self-assessment form as shown: every indicator with its value, points,
//! evidence and appraisal, the unit's history, and what the last action said.

use super::form;
use super::verification::workflow_actor;
use super::{MessageQuery, can_appraise, can_edit, message_text, require_unit, stage_label, state_label};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::UnitReader;
use crate::i18n::format_datetime;
use crate::pages::{Chrome, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use chiso_core::framework::{Indicator, Source};
use chiso_core::rule::Rule;
use chiso_store::{EvidenceKind, Role, RoundId, Stage, UnitState, editable};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct EvidenceRow {
    id: i64,
    text: String,
    file: bool,
}

#[derive(Debug, Clone)]
pub struct FormRow {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) depth: usize,
    /// parent, boolean, choice, ratio, number, manual, kpi
    pub(super) kind: &'static str,
    pub(super) value: String,
    pub(super) version: i64,
    pub(super) na: bool,
    pub(super) ratio: (String, String),
    pub(super) options: Vec<(String, String)>,
    pub(super) unit: String,
    pub(super) max: String,
    pub(super) points: String,
    pub(super) appraised_points: String,
    pub(super) kpi_source: String,
    pub(super) evidence_needed: bool,
    pub(super) evidence: Vec<EvidenceRow>,
    pub(super) appraised_value: String,
    pub(super) appraised_reason: String,
    pub(super) appraised_version: i64,
    /// The reporter edits this row (an editable leaf not taken from monitoring).
    pub(super) input: bool,
    /// What the form says under the field: an error (`invalid`) or a notice.
    pub(super) note: String,
    pub(super) invalid: bool,
    /// The name of the department that verifies this indicator (empty: the council).
    pub(super) verifier_name: String,
    /// The signed-in appraiser may appraise this row (their department verifies it).
    pub(super) verifiable: bool,
    /// The reporter's explanation of why there is no evidence.
    pub(super) explanation: String,
    /// Evidence is needed and there is none: the reporter may explain why.
    pub(super) explain: bool,
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
    /// The signed-in user returns and finalises units (admins, the council).
    decides_units: bool,
    total: String,
    appraised_total: String,
    rows: Vec<FormRow>,
    /// (when, who, event code, its label in the page's language, comment)
    history: Vec<(String, String, String, String, String)>,
    /// The unit may contest its preliminary results now (its reporter or an admin).
    contesting: bool,
    /// Until when ("" without a deadline), in the preliminary stage.
    contest_deadline: Option<String>,
    contests: Vec<super::contests::ContestRow>,
    message: Option<String>,
    error: Option<String>,
    boolean_words: (&'static str, &'static str),
    /// The error summary at the top: its title and (link, text) per problem.
    summary_title: String,
    summary: Vec<(String, String)>,
    /// "32/44 đã trả lời, 3 thiếu minh chứng".
    progress: String,
    /// Ask to confirm the submission (the form locks afterwards).
    pub(super) confirm: bool,
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

pub(super) async fn unit_form_page(
    ctx: &PageCtx,
    who: &SignedIn,
    id: i64,
    unit: &str,
    message: Option<String>,
    error: Option<String>,
) -> Result<UnitFormPage, AppError> {
    let feedback = form::Feedback { message, error, ..Default::default() };
    unit_form_view(ctx, who, id, unit, feedback).await
}

/// The unit's form, with what the last action left to say: values kept as typed
/// with their errors, the summary, the submission to confirm.
pub(super) async fn unit_form_view(
    ctx: &PageCtx,
    who: &SignedIn,
    id: i64,
    unit: &str,
    feedback: form::Feedback,
) -> Result<UnitFormPage, AppError> {
    let form::Feedback { message, error, fields, check_gaps, confirm } = feedback;
    let round_id = RoundId(id);
    require_unit(who, unit)?;
    let round = ctx.state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    let workflow = ctx.state.store.workflow(round_id).await?.ok_or(AppError::NotFound)?;
    let progress = ctx.state.store.unit_progress(round_id).await?;
    let unit_progress = progress.iter().find(|p| p.unit == unit && p.assigned).ok_or(AppError::NotFound)?;
    let a = ctx.state.store.round_model(round_id).await?;
    let u = a.units.iter().position(|x| x.code == unit).ok_or(AppError::NotFound)?;
    let framework = a.framework_of(u);
    let values = form::stored_values(&ctx.state, round_id, unit).await?;
    let appraisals: HashMap<String, chiso_store::Appraisal> = ctx
        .state
        .store
        .unit_appraisals(round_id, unit)
        .await?
        .into_iter()
        .map(|x| (x.indicator.clone(), x))
        .collect();
    let (scores, total) = ctx.state.store.unit_scores(round_id, unit, None, false).await?;
    let (appraised_scores, appraised_total) = ctx.state.store.unit_scores(round_id, unit, None, true).await?;
    let evidence = ctx.state.store.evidence(round_id, unit).await?;
    let explanations: HashMap<String, String> =
        ctx.state.store.evidence_explanations(round_id, unit).await?.into_iter().collect();
    let actor = workflow_actor(who);
    let verifier_name = |code: &str| {
        a.units
            .iter()
            .find(|x| x.code == code)
            .map_or_else(|| code.to_owned(), |x| x.name.get(ctx.lang).to_owned())
    };
    let (_, monitoring) = crate::views::cache::current_monitoring(&ctx.state).await?;
    // A `kpi:` leaf without a stored value shows what the monitoring data says now
    // (approval stores it); with one, where the stored value came from.
    let kpi_value = |code: &str| {
        let kpi = monitoring.catalogue.find(code)?;
        monitoring.yearly_value(kpi, unit, a.year)
    };
    let points = |s: Option<f64>| s.map_or("—".into(), |p| ctx.lang.number(p, 2));
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
                        value = ctx.lang.plain(v);
                        format!("kpi:{code} {}", a.year)
                    }
                    None => format!(
                        "kpi:{code} — {} {}",
                        ctx.lang.pick("chưa có số liệu năm", "no value yet for"),
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
                name: indicator.name.get(ctx.lang).to_owned(),
                depth: indicator.depth,
                kind: kind_of(indicator),
                na: value.eq_ignore_ascii_case("na"),
                ratio,
                options: match &indicator.rule {
                    Some(Rule::Choice { options }) => {
                        options.iter().map(|o| (o.code.clone(), o.label.get(ctx.lang).to_owned())).collect()
                    }
                    _ => Vec::new(),
                },
                value,
                version,
                unit: indicator.unit.as_ref().map(|u| u.get(ctx.lang).to_owned()).unwrap_or_default(),
                max: ctx.lang.plain(indicator.max),
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
                verifier_name: indicator.verifier.as_deref().map(verifier_name).unwrap_or_default(),
                verifiable: actor.may_verify(indicator.verifier.as_deref()),
                explanation: explanations.get(&indicator.code).cloned().unwrap_or_default(),
                explain: indicator.evidence && !evidence.iter().any(|e| e.indicator == indicator.code),
            }
        })
        .collect::<Vec<FormRow>>();
    let stored_values: HashMap<&str, &str> =
        values.iter().map(|(k, (v, _))| (k.as_str(), v.as_str())).collect();
    // An explanation of missing evidence meets the gap, as at submission.
    let evidenced: Vec<&str> = evidence
        .iter()
        .map(|e| e.indicator.as_str())
        .chain(explanations.keys().map(String::as_str))
        .collect();
    let progress = form::Progress::of(&framework.indicators, &stored_values, &evidenced);
    let editable_now = can_edit(who, unit) && editable(workflow.stage, unit_progress.state);
    let (summary_title, summary, rows, confirm) =
        form::summary(ctx.lang, rows, &progress, check_gaps && editable_now, confirm && editable_now);
    let names = crate::pages::admin::actor_names(ctx).await?;
    let history = ctx
        .state
        .store
        .unit_events(round_id, unit)
        .await?
        .into_iter()
        .map(|e| {
            let label = chiso_core::workflow::EventKind::parse(&e.action)
                .map_or_else(|_| e.action.clone(), |kind| kind.label(ctx.lang).to_owned());
            (
                format_datetime(e.at, ctx.lang),
                names.get(&e.actor).cloned().unwrap_or(e.actor),
                e.action,
                label,
                e.comment.unwrap_or_default(),
            )
        })
        .collect();
    let preliminary = workflow.stage == Stage::Preliminary;
    let contest_deadline = preliminary
        .then(|| workflow.contest_deadline.map(|d| format_datetime(d, ctx.lang)).unwrap_or_default());
    let contest_open = workflow.contest_deadline.is_none_or(|d| ctx.state.store.clock().now_ms() <= d);
    let contesting =
        preliminary && contest_open && unit_progress.state == UnitState::Appraised && can_edit(who, unit);
    let contests = super::contests::contest_rows(ctx, who, round_id, Some(unit), preliminary).await?;
    Ok(UnitFormPage {
        c: ctx.chrome(Some(who)),
        id,
        round_name: round.name.get(ctx.lang).to_owned(),
        unit: unit.to_owned(),
        unit_name: a.units[u].name.get(ctx.lang).to_owned(),
        stage_label: stage_label(workflow.stage, ctx.lang),
        state: unit_progress.state.code(),
        state_label: state_label(unit_progress.state, ctx.lang),
        editable: editable_now,
        appraising: can_appraise(who)
            && workflow.stage == Stage::Appraisal
            && unit_progress.state == UnitState::Submitted,
        correcting: who.user.role == Role::Admin
            && matches!(workflow.stage, Stage::Approved | Stage::Published)
            && unit_progress.state == UnitState::Appraised,
        decides_units: actor.may_decide_units(),
        total: ctx.lang.number(total, 2),
        appraised_total: ctx.lang.number(appraised_total, 2),
        rows,
        history,
        contesting,
        contest_deadline,
        contests,
        message,
        error,
        boolean_words: (ctx.lang.pick("có", "yes"), ctx.lang.pick("không", "no")),
        summary_title,
        summary,
        progress: progress.text(ctx.lang),
        confirm,
    })
}

pub async fn unit_form(
    ctx: PageCtx,
    UnitReader { who, id, unit }: UnitReader,
    Query(query): Query<MessageQuery>,
) -> Result<UnitFormPage, AppError> {
    let message = message_text(query.message.as_deref(), ctx.lang);
    unit_form_page(&ctx, &who, id, &unit, message, None).await
}
