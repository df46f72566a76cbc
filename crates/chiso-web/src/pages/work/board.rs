//! The rounds a person works on, and a round's progress board: each unit's state,
//! what is overdue, the appraisal queue, the stage and its deadlines.

use super::{MessageQuery, can_appraise, message_text, stage_label, state_label};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::i18n::format_datetime;
use crate::pages::{Chrome, PageCtx, see_other};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_store::{Role, RoundId, Stage, UnitState};

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

pub async fn index(ctx: PageCtx, who: SignedIn) -> Result<WorkIndexPage, AppError> {
    let mut rounds = Vec::new();
    for round in ctx.state.store.rounds().await? {
        let Some(workflow) = ctx.state.store.workflow(round.id).await? else { continue };
        let own_unit = match (&who.user.role, &who.user.unit_code) {
            (Role::Reporter, Some(unit)) => {
                let progress = ctx.state.store.unit_progress(round.id).await?;
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
            name: round.name.get(ctx.lang).to_owned(),
            stage: workflow.stage.code(),
            stage_label: stage_label(workflow.stage, ctx.lang),
            own_unit,
        });
    }
    Ok(WorkIndexPage { c: ctx.chrome(Some(&who)), rounds })
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
    /// The codes of the units of last year it continues (the table's filter).
    former: String,
}

#[derive(Debug, Clone)]
pub struct BoardGroup {
    code: String,
    name: String,
    /// (state code, label, count)
    counts: Vec<(&'static str, &'static str, usize)>,
    units: Vec<BoardUnit>,
    /// Last year's units several of these came from (a commune's former district).
    former_options: Vec<(String, String)>,
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
    /// Appraisal is over for every unit: preliminary results may be published.
    can_publish_preliminary: bool,
    /// In the preliminary stage: until when units may contest ("" without a deadline).
    preliminary: Option<String>,
    contests: Vec<super::contests::ContestRow>,
    /// The year the units' former units belong to (the filter's label).
    former_year: Option<i32>,
}

fn date_input(ms: Option<i64>) -> String {
    ms.map(|ms| {
        let text = format_datetime(ms, Lang::En);
        text.split(' ').next().unwrap_or_default().to_owned()
    })
    .unwrap_or_default()
}

pub(super) async fn board_page(
    ctx: &PageCtx,
    who: &SignedIn,
    id: i64,
    message: Option<String>,
) -> Result<BoardPage, AppError> {
    let round_id = RoundId(id);
    let round = ctx.state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    let workflow = ctx.state.store.workflow(round_id).await?.ok_or(AppError::NotFound)?;
    let units = ctx.state.store.round_units(round_id).await?;
    let groups = ctx.state.store.round_groups(round_id).await?;
    let progress = ctx.state.store.unit_progress(round_id).await?;
    let former = ctx.state.store.former_units(round_id).await?;
    let former_of = |code: &str| former.get(code).map_or(&[][..], Vec::as_slice);
    let now = ctx.state.store.clock().now_ms();
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
                        .map(|u| u.name.get(ctx.lang).to_owned())
                        .unwrap_or_default(),
                    assigned: p.assigned,
                    state: p.state.code(),
                    state_label: state_label(p.state, ctx.lang),
                    overdue: p.assigned && waiting(p.state) && deadline.is_some_and(|d| now > d),
                    updated: format_datetime(p.updated_at, ctx.lang),
                    former: crate::views::filters::former_codes(former_of(&p.unit)),
                })
                .collect();
            let former_options =
                crate::views::filters::former_options(units.iter().map(|u| former_of(&u.code)), ctx.lang);
            let counts = UnitState::ALL
                .iter()
                .map(|s| {
                    (
                        s.code(),
                        state_label(*s, ctx.lang),
                        units.iter().filter(|u| u.assigned && u.state == s.code()).count(),
                    )
                })
                .collect();
            BoardGroup {
                code: g.code.clone(),
                name: g.name.get(ctx.lang).to_owned(),
                counts,
                units,
                former_options,
            }
        })
        .collect();
    let next_stage = match workflow.stage {
        Stage::Draft => Some(("open", ctx.lang.pick("Mở tự đánh giá", "Open self-assessment"))),
        Stage::Open => Some(("appraisal", ctx.lang.pick("Chuyển sang thẩm định", "Start appraisal"))),
        Stage::Appraisal | Stage::Preliminary => {
            Some(("approved", ctx.lang.pick("Phê duyệt kết quả", "Approve the results")))
        }
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
                    .map(|u| u.name.get(ctx.lang).to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let assigned = || progress.iter().filter(|p| p.assigned);
    let can_publish_preliminary = workflow.stage == Stage::Appraisal
        && assigned().next().is_some()
        && assigned().all(|p| p.state == UnitState::Appraised);
    let preliminary = (workflow.stage == Stage::Preliminary)
        .then(|| workflow.contest_deadline.map(|d| format_datetime(d, ctx.lang)).unwrap_or_default());
    let answering = workflow.stage == Stage::Preliminary;
    let contests = super::contests::contest_rows(ctx, who, round_id, None, answering).await?;
    let former_year = (!former.is_empty()).then_some(round.year - 1);
    Ok(BoardPage {
        former_year,
        c: ctx.chrome(Some(who)),
        id,
        name: round.name.get(ctx.lang).to_owned(),
        stage: workflow.stage.code(),
        stage_label: stage_label(workflow.stage, ctx.lang),
        deadlines: [
            (
                "self_deadline".into(),
                ctx.lang.pick("Hạn tự đánh giá", "Self-assessment deadline"),
                date_input(workflow.deadlines.self_assessment),
            ),
            (
                "appraisal_deadline".into(),
                ctx.lang.pick("Hạn thẩm định", "Appraisal deadline"),
                date_input(workflow.deadlines.appraisal),
            ),
            (
                "approval_deadline".into(),
                ctx.lang.pick("Hạn phê duyệt", "Approval deadline"),
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
        can_publish_preliminary,
        preliminary,
        contests,
    })
}

pub async fn board(
    ctx: PageCtx,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<MessageQuery>,
) -> Result<Response, AppError> {
    if who.user.role == Role::Reporter {
        let unit = who.user.unit_code.clone().ok_or(AppError::Forbidden)?;
        return Ok(see_other(&format!("/work/rounds/{id}/units/{unit}")));
    }
    let message = message_text(query.message.as_deref(), ctx.lang);
    Ok(board_page(&ctx, &who, id, message).await?.into_response())
}
