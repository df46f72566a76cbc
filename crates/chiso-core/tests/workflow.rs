//! Property tests of the round's workflow: random sequences of (actor, action) over
//! a random round, applying only what `decide` allows, never reach an invalid state;
//! a refused action changes nothing; deciding is deterministic. The rules one by one
//! are in `workflow/rules.rs`, as sentences.

use chiso_core::workflow::{
    Action, Actor, Deadlines, Gap, Missing, Refusal, Role, RoundState, Stage, Transition, UnitEntry,
    UnitState, Writes, decide, editable,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[path = "support/seed.rs"]
#[allow(dead_code)] // the workflow draws no floats
mod seed;
use seed::Seed;

#[path = "workflow/rules.rs"]
mod rules;

/// A unit code no round has.
const GHOST: &str = "GHOST";

fn unit_code(i: usize) -> String {
    format!("U{i}")
}

/// An actor from a random byte: mostly admins (they can do the most), appraisers,
/// reporters of a unit of the round (or of none, or of a unit not in it), viewers.
fn actor_of(pick: u8, units: usize) -> Actor {
    let reported = usize::from(pick / 16) % (units + 1);
    let own = if reported == units { GHOST.to_owned() } else { unit_code(reported) };
    match pick % 16 {
        0..=5 => Actor::admin(),
        6..=7 => Actor::appraiser(),
        8 => Actor::new(Role::Appraiser, Some(DEPARTMENT.to_owned())),
        9 => Actor::viewer(),
        10 => Actor::new(Role::Reporter, None),
        _ => Actor::reporter(own),
    }
}

/// (kind, weight): the steps a round needs most are drawn most often.
/// The verifying department some indicators name in the random rounds.
const DEPARTMENT: &str = "SNV";

const KINDS: [(u8, u32); 17] = [
    (0, 3),
    (1, 2),
    (2, 4),
    (3, 4),
    (4, 2),
    (5, 3),
    (6, 8),
    (7, 3),
    (8, 3),
    (9, 10),
    (10, 4),
    (11, 10),
    (12, 5),
    (13, 5),
    (14, 3),
    (15, 5),
    (16, 5),
];

/// An action from random bytes: its kind, its unit (sometimes one not in the round;
/// for a reporter usually their own), and its texts (sometimes blank).
fn action_of(kind: u8, unit: u8, flag: u8, units: usize, actor: &Actor) -> Action {
    let total: u32 = KINDS.iter().map(|(_, w)| w).sum();
    let mut at = u32::from(kind) * total / 256;
    let kind = KINDS
        .iter()
        .find(|(_, w)| {
            let here = at < *w;
            at = at.saturating_sub(*w);
            here
        })
        .map_or(0, |(k, _)| *k);
    let code = match (&actor.unit, flag % 4) {
        (Some(own), 0..=2) if actor.role == Role::Reporter => own.clone(),
        _ if unit % 8 == 7 => GHOST.to_owned(),
        _ => unit_code(usize::from(unit) % units),
    };
    let text = |blank: bool| if blank { "  ".to_owned() } else { "Biên bản số 3".to_owned() };
    match kind {
        0 => Action::Open,
        1 => Action::StartAppraisal,
        2 => Action::Approve,
        3 => Action::Publish { decision: text(flag.is_multiple_of(5)) },
        4 => Action::SetDeadlines(Deadlines {
            self_assessment: Some(i64::from(flag) * 1_000),
            appraisal: (flag.is_multiple_of(2)).then_some(i64::from(flag) * 2_000),
            approval: None,
        }),
        5 => Action::AssignUnit { unit: code, assigned: !flag.is_multiple_of(3) },
        6 => Action::SaveValues { unit: code },
        7 => {
            let other = unit_code(usize::from(flag) % units);
            Action::ImportValues {
                units: if flag.is_multiple_of(3) { vec![code, other] } else { vec![code] },
            }
        }
        8 => Action::AddEvidence { unit: code },
        9 => {
            let gaps = if flag.is_multiple_of(5) {
                vec![Gap { row: 1, indicator: "1.1".into(), missing: Missing::Answer }]
            } else {
                Vec::new()
            };
            Action::Submit { unit: code, gaps }
        }
        10 => Action::Return { unit: code, comment: text(flag.is_multiple_of(6)) },
        11 => Action::Finalise { unit: code },
        12 => Action::Appraise {
            unit: code,
            indicator: "1.2".into(),
            reason: match flag % 3 {
                0 => None,
                1 => Some(text(true)),
                _ => Some(text(false)),
            },
            verifier: verifier_of(flag),
        },
        14 => Action::PublishPreliminary {
            decision: text(flag.is_multiple_of(5)),
            deadline: match flag % 3 {
                0 => None,
                1 => Some(0),
                _ => Some(i64::MAX),
            },
        },
        15 => Action::Contest { unit: code, indicator: "1.2".into(), reason: text(flag.is_multiple_of(5)) },
        16 => Action::AnswerContest {
            unit: code,
            indicator: "1.2".into(),
            accept: flag.is_multiple_of(2),
            reason: text(flag.is_multiple_of(7)),
            verifier: verifier_of(flag),
        },
        _ => Action::Correct { unit: code, indicator: "1.2".into(), reason: text(flag.is_multiple_of(5)) },
    }
}

/// The indicator's verifying department: the council's, the department some
/// appraisers belong to, or another.
fn verifier_of(flag: u8) -> Option<String> {
    match flag % 3 {
        0 => None,
        1 => Some(DEPARTMENT.to_owned()),
        _ => Some("SXD".to_owned()),
    }
}

/// One step of a run: the state before, who asked what, the answer, the state after.
#[derive(Debug, Clone, PartialEq)]
struct Record {
    before: RoundState,
    actor: Actor,
    action: Action,
    result: Result<Transition, Refusal>,
    after: RoundState,
}

/// Runs a script on a new round of `units` units (some left out at the start).
fn run(units: usize, left_out: u8, script: &[[u8; 4]], start: i64) -> Vec<Record> {
    let mut round = RoundState::new((0..units).map(unit_code));
    for (i, entry) in round.units.values_mut().enumerate() {
        entry.assigned = left_out >> i & 1 == 0 || i == 0;
    }
    let mut records = Vec::with_capacity(script.len());
    for (i, [a, k, u, f]) in script.iter().enumerate() {
        let actor = actor_of(*a, units);
        let action = action_of(*k, *u, *f, units, &actor);
        let before = round.clone();
        let result = round.step(&actor, &action, start + i as i64 * 60_000);
        records.push(Record { before, actor, action, result, after: round.clone() });
    }
    records
}

fn stage_index(stage: Stage) -> usize {
    Stage::ALL.iter().position(|s| *s == stage).unwrap_or(usize::MAX)
}

/// A state no allowed sequence may reach is invalid: units not started while the
/// round is a draft; nothing returned or appraised before appraisal; every unit
/// taking part appraised once approved.
fn valid(round: &RoundState) -> Result<(), String> {
    for (code, entry) in &round.units {
        let ok = match round.stage {
            Stage::Draft => entry.state == UnitState::NotStarted,
            Stage::Open => !matches!(entry.state, UnitState::Returned | UnitState::Appraised),
            Stage::Appraisal => true,
            Stage::Preliminary | Stage::Approved | Stage::Published => {
                if entry.assigned {
                    entry.state == UnitState::Appraised
                } else {
                    !matches!(entry.state, UnitState::Returned | UnitState::Appraised)
                }
            }
        };
        if !ok {
            return Err(format!(
                "{code} is {} (assigned {}) at {}",
                entry.state, entry.assigned, round.stage
            ));
        }
    }
    Ok(())
}

/// The unit states an allowed action may move between.
fn allowed_edge(from: UnitState, to: UnitState) -> bool {
    use UnitState::*;
    matches!(
        (from, to),
        (NotStarted, Draft)
            | (NotStarted | Draft | Returned, Submitted)
            | (Submitted, Returned)
            | (Submitted, Appraised)
    )
}

/// Every invariant of one step.
fn check_step(r: &Record) -> Result<(), TestCaseError> {
    let Record { before, actor, action, result, after } = r;
    let transition = match result {
        Err(refusal) => {
            prop_assert_eq!(after, before, "refused ({}) yet changed", refusal);
            return Ok(());
        }
        Ok(t) => t,
    };
    let (from, to) = (stage_index(before.stage), stage_index(after.stage));
    // Preliminary results are a step approval may skip.
    let skips_preliminary = before.stage == Stage::Appraisal && after.stage == Stage::Approved;
    prop_assert!(
        to == from || to == from + 1 || skips_preliminary,
        "stage jumped {} → {}",
        before.stage,
        after.stage
    );
    if after.stage == Stage::Approved && before.stage == Stage::Preliminary {
        prop_assert_eq!(before.open_contests, 0, "approved with contests open");
    }
    if let Action::Appraise { verifier, .. } | Action::AnswerContest { verifier, .. } = action
        && let Some(department) = actor.verifies_for()
    {
        prop_assert_eq!(verifier.as_deref(), Some(department), "a department appraised another's indicator");
    }
    if matches!(action, Action::Return { .. } | Action::Finalise { .. }) {
        prop_assert!(actor.verifies_for().is_none(), "a department decided for a whole unit");
    }
    if after.stage == Stage::Published && before.stage != Stage::Published {
        prop_assert_eq!(before.stage, Stage::Approved, "published without approval");
    }
    if after.stage == Stage::Approved && before.stage != Stage::Approved {
        prop_assert!(
            before.not_appraised().is_empty(),
            "approved with {:?} not appraised",
            before.not_appraised()
        );
    }
    if actor.role == Role::Reporter {
        let own = actor.unit.as_deref();
        let touched = transition
            .units
            .iter()
            .map(|(u, _)| u.as_str())
            .chain(transition.assigned.as_ref().map(|(u, _)| u.as_str()))
            .chain(transition.event.as_ref().map(|(u, _)| u.as_str()))
            .chain(action.unit())
            .chain(match action {
                Action::ImportValues { units } => units.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            });
        for unit in touched {
            prop_assert_eq!(Some(unit), own, "a reporter changed another unit");
        }
        prop_assert!(
            transition.stage.is_none() && transition.deadlines.is_none(),
            "a reporter ran the round"
        );
    }
    if stage_index(before.stage) >= stage_index(Stage::Approved) {
        prop_assert!(
            transition.units.is_empty() && transition.assigned.is_none(),
            "a unit moved after approval"
        );
        prop_assert!(
            matches!(transition.writes, Writes::Correction | Writes::Publication { .. } | Writes::Nothing),
            "{:?} after approval",
            transition.writes
        );
    } else {
        prop_assert!(!transition.is_correction(), "a correction before approval");
    }
    for (code, entry) in &before.units {
        let now = &after.units[code];
        if now.state != entry.state {
            prop_assert!(entry.assigned, "{} moved while left out", code);
            prop_assert!(allowed_edge(entry.state, now.state), "{}: {} → {}", code, entry.state, now.state);
        }
    }
    prop_assert_eq!(after.units.len(), before.units.len());
    valid(after).map_err(TestCaseError::fail)?;
    // A submitted (or appraised) unit is locked for everyone until it is returned.
    for (code, entry) in &after.units {
        if matches!(entry.state, UnitState::Submitted | UnitState::Appraised) {
            for who in [Actor::reporter(code.clone()), Actor::admin()] {
                for probe in [
                    Action::SaveValues { unit: code.clone() },
                    Action::AddEvidence { unit: code.clone() },
                    Action::Submit { unit: code.clone(), gaps: Vec::new() },
                    Action::ImportValues { units: vec![code.clone()] },
                ] {
                    prop_assert!(
                        decide(after, &who, &probe, 0).is_err(),
                        "{:?} by {:?} on a locked unit",
                        probe,
                        who
                    );
                }
            }
        }
    }
    Ok(())
}

fn script() -> impl Strategy<Value = (usize, u8, Vec<[u8; 4]>, i64)> {
    (1usize..5, any::<u8>(), prop::collection::vec(any::<[u8; 4]>(), 1..240), 0i64..4_000_000_000_000)
}

fn any_state() -> impl Strategy<Value = UnitState> {
    prop::sample::select(UnitState::ALL.to_vec())
}

/// Any round, reachable or not: any stage, units in any state.
fn any_round() -> impl Strategy<Value = RoundState> {
    (
        prop::sample::select(Stage::ALL.to_vec()),
        prop::collection::vec((any::<bool>(), any_state()), 1..5),
        prop::option::of(0i64..10_000),
        prop::option::of(0i64..10_000),
    )
        .prop_map(|(stage, units, self_assessment, appraisal)| RoundState {
            stage,
            deadlines: Deadlines { self_assessment, appraisal, approval: None },
            contest_deadline: None,
            open_contests: 0,
            units: units
                .into_iter()
                .enumerate()
                .map(|(i, (assigned, state))| (unit_code(i), UnitEntry { assigned, state }))
                .collect::<BTreeMap<_, _>>(),
        })
}

/// Any actor and action on a round of `units` units.
fn any_request() -> impl Strategy<Value = ([u8; 4], i64)> {
    (any::<[u8; 4]>(), 0i64..20_000)
}

fn request(round: &RoundState, [a, k, u, f]: [u8; 4]) -> (Actor, Action) {
    let units = round.units.len();
    let actor = actor_of(a, units);
    let action = action_of(k, u, f, units, &actor);
    (actor, action)
}

proptest! {
    #![proptest_config(ProptestConfig { max_global_rejects: 4096, ..ProptestConfig::with_cases(256) })]

    #[test]
    fn no_sequence_of_allowed_actions_reaches_an_invalid_state((units, left_out, steps, start) in script()) {
        let records = run(units, left_out, &steps, start);
        // A run in which nothing was allowed checks nothing: rejected, and counted.
        prop_assume!(records.iter().any(|r| r.result.is_ok()), "nothing was allowed");
        for record in &records {
            check_step(record)?;
        }
    }

    #[test]
    fn the_same_sequence_gives_the_same_states_and_answers((units, left_out, steps, start) in script()) {
        prop_assert_eq!(run(units, left_out, &steps, start), run(units, left_out, &steps, start));
    }

    #[test]
    fn a_refused_action_changes_nothing(round in any_round(), (bytes, now) in any_request()) {
        let (actor, action) = request(&round, bytes);
        let refused = decide(&round, &actor, &action, now).is_err();
        prop_assume!(refused, "allowed");
        let mut stepped = round.clone();
        prop_assert!(stepped.step(&actor, &action, now).is_err());
        prop_assert_eq!(stepped, round);
    }

    #[test]
    fn deciding_is_deterministic_and_a_step_applies_what_was_decided(round in any_round(), (bytes, now) in any_request()) {
        let (actor, action) = request(&round, bytes);
        let first = decide(&round, &actor, &action, now);
        prop_assert_eq!(&first, &decide(&round, &actor, &action, now));
        let mut stepped = round.clone();
        let result = stepped.step(&actor, &action, now);
        prop_assert_eq!(&result, &first);
        let mut applied = round.clone();
        if let Ok(transition) = &first {
            prop_assert_eq!(transition.at, now);
            applied.apply(transition);
        }
        prop_assert_eq!(stepped, applied);
    }

    #[test]
    fn saving_is_allowed_exactly_when_the_actor_may_edit_a_unit_taking_part_with_an_editable_form(
        round in any_round(), (bytes, now) in any_request()
    ) {
        let (actor, _) = request(&round, bytes);
        for unit in round.units.keys().cloned().chain([GHOST.to_owned()]) {
            let expected = actor.may_edit(&unit)
                && round.unit(&unit).is_some_and(|e| e.assigned && editable(round.stage, e.state));
            let save = decide(&round, &actor, &Action::SaveValues { unit: unit.clone() }, now);
            prop_assert_eq!(save.is_ok(), expected, "{:?} saving {}", actor, unit);
            let evidence = decide(&round, &actor, &Action::AddEvidence { unit: unit.clone() }, now);
            prop_assert_eq!(evidence.is_ok(), expected);
        }
    }

    #[test]
    fn approval_is_allowed_exactly_when_every_unit_taking_part_is_appraised(round in any_round(), now in 0i64..10) {
        let allowed = decide(&round, &Actor::admin(), &Action::Approve, now).is_ok();
        let expected = matches!(round.stage, Stage::Appraisal | Stage::Preliminary)
            && round.units.values().all(|e| !e.assigned || e.state == UnitState::Appraised)
            && round.open_contests == 0;
        prop_assert_eq!(allowed, expected);
    }

    #[test]
    fn completeness_names_exactly_the_unanswered_leaves_and_the_unevidenced_indicators(
        answered in prop::collection::btree_set(0usize..5, 0..6), evidenced in prop::collection::btree_set(0usize..5, 0..6)
    ) {
        let framework = rules::framework();
        let code = |i: &usize| framework.indicators[*i].code.as_str();
        let answered: BTreeSet<&str> = answered.iter().map(code).collect();
        let evidenced: BTreeSet<&str> = evidenced.iter().map(code).collect();
        let gaps = chiso_core::workflow::completeness(&framework, &answered, &evidenced);
        for (row, indicator) in framework.indicators.iter().enumerate() {
            let kpi = matches!(indicator.source, chiso_core::framework::Source::Kpi(_));
            let unanswered = indicator.is_leaf() && !kpi && !answered.contains(indicator.code.as_str());
            let unevidenced = indicator.evidence && !evidenced.contains(indicator.code.as_str());
            prop_assert_eq!(gaps.iter().any(|g| g.row == row && g.missing == Missing::Answer), unanswered);
            prop_assert_eq!(gaps.iter().any(|g| g.row == row && g.missing == Missing::Evidence), unevidenced);
        }
        prop_assert!(gaps.windows(2).all(|w| w[0].row <= w[1].row), "in the framework's order");
    }
}

/// What random runs reach: without this, the properties above could pass on runs
/// that never leave the draft stage.
#[test]
fn random_runs_reach_every_stage_state_and_refusal() {
    let mut s = Seed(12);
    let (mut stages, mut states, mut allowed, mut refused) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let (mut corrections, mut reporter_steps) = (0, 0);
    for _ in 0..400 {
        let units = 1 + s.below(4) as usize;
        let steps: Vec<[u8; 4]> = (0..200).map(|_| s.next().to_le_bytes()[..4].try_into().unwrap()).collect();
        for r in run(units, s.below(256) as u8, &steps, 0) {
            stages.insert(r.after.stage);
            states.extend(r.after.units.values().map(|e| e.state));
            match &r.result {
                Ok(t) => {
                    allowed.insert(r.action.kind());
                    corrections += usize::from(t.is_correction());
                    reporter_steps += usize::from(r.actor.role == Role::Reporter);
                }
                Err(refusal) => {
                    refused.insert(
                        format!("{refusal:?}").split([' ', '{']).next().unwrap_or_default().to_owned(),
                    );
                }
            }
        }
    }
    assert_eq!(stages.len(), Stage::ALL.len(), "{stages:?}");
    assert_eq!(states.len(), UnitState::ALL.len(), "{states:?}");
    assert_eq!(allowed.len(), chiso_core::workflow::ActionKind::ALL.len(), "{allowed:?}");
    assert_eq!(refused.len(), 21, "every refusal: {refused:?}");
    assert!(
        corrections > 10 && reporter_steps > 100,
        "{corrections} corrections, {reporter_steps} by reporters"
    );
}
