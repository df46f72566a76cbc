//! The workflow's rules one by one, as today's store and pages apply them.

use chiso_core::framework::{BandDef, FrameworkDef, IndicatorDef};
use chiso_core::lang::NamesDef;
use chiso_core::rule::RuleDef;
use chiso_core::workflow::{
    Action, ActionKind, Actor, Deadlines, EventKind, Gap, Missing, Refusal, RefusalClass, Role, RoundState,
    Stage, UnitState, Writes, completeness, decide, editable, is_answered, is_correction, is_overdue,
    offered,
};
use chiso_core::{Framework, Lang};
use std::collections::BTreeSet;

const NOW: i64 = 1_700_000_000_000;

/// Two units, A and B, in `stage`, with these states (both taking part).
fn round(stage: Stage, a: UnitState, b: UnitState) -> RoundState {
    let mut round = RoundState::new(["A", "B"]);
    round.stage = stage;
    round.units.entry("A".into()).and_modify(|e| e.state = a);
    round.units.entry("B".into()).and_modify(|e| e.state = b);
    round
}

fn refusal(round: &RoundState, actor: &Actor, action: &Action) -> Refusal {
    match decide(round, actor, action, NOW) {
        Err(refusal) => refusal,
        Ok(transition) => panic!("{action:?} by {actor:?} was allowed: {transition:?}"),
    }
}

fn save(unit: &str) -> Action {
    Action::SaveValues { unit: unit.into() }
}

fn submit(unit: &str) -> Action {
    Action::Submit { unit: unit.into(), gaps: Vec::new() }
}

fn names(code: &str) -> Option<NamesDef> {
    Some(NamesDef::new(code, code))
}

fn leaf(code: &str, parent: Option<&str>, max: f64, kind: &str) -> IndicatorDef {
    let rule = match kind {
        "linear" => {
            RuleDef { kind: Some(kind.into()), from: Some(0.0), to: Some(100.0), ..RuleDef::default() }
        }
        _ => RuleDef { kind: Some(kind.into()), ..RuleDef::default() },
    };
    IndicatorDef {
        code: Some(code.into()),
        parent: parent.map(Into::into),
        name: names(code),
        max: Some(max),
        rule: Some(rule),
        ..IndicatorDef::default()
    }
}

/// 1 (evidence) { 1.1 boolean, 1.2 linear from kpi:rate }, 2 manual (evidence),
/// 3 { 3.1 boolean from the appraisal council }.
pub fn framework() -> Framework {
    let parent = |code: &str, max: f64| IndicatorDef {
        code: Some(code.into()),
        name: names(code),
        max: Some(max),
        ..IndicatorDef::default()
    };
    let def = FrameworkDef {
        id: Some("t".into()),
        name: names("t"),
        scale: Some(10.0),
        bands: vec![
            BandDef { code: Some("high".into()), min: Some(7.0), label: names("high") },
            BandDef { code: Some("low".into()), min: Some(0.0), label: names("low") },
        ],
        indicators: vec![
            IndicatorDef { evidence: Some(true), ..parent("1", 4.0) },
            leaf("1.1", Some("1"), 2.0, "boolean"),
            IndicatorDef { source: Some("kpi:rate".into()), ..leaf("1.2", Some("1"), 2.0, "linear") },
            IndicatorDef { evidence: Some(true), ..leaf("2", None, 4.0, "manual") },
            parent("3", 2.0),
            IndicatorDef { source: Some("appraisal".into()), ..leaf("3.1", Some("3"), 2.0, "boolean") },
        ],
        ..FrameworkDef::default()
    };
    match Framework::build(&def) {
        Ok(framework) => framework,
        Err(problems) => panic!("{problems:?}"),
    }
}

#[test]
fn a_new_round_is_a_draft_with_every_unit_taking_part_and_not_started() {
    let round = RoundState::new(["A", "B"]);
    assert_eq!(round.stage, Stage::Draft);
    assert_eq!(round.deadlines, Deadlines::default());
    assert!(round.units.values().all(|e| e.assigned && e.state == UnitState::NotStarted));
}

#[test]
fn stages_move_forward_one_at_a_time() {
    let admin = Actor::admin();
    let mut r = RoundState::new(["A"]);
    for (action, to) in [(Action::Open, Stage::Open), (Action::StartAppraisal, Stage::Appraisal)] {
        assert_eq!(
            refusal(&r, &admin, &Action::Approve),
            Refusal::StageStep { from: r.stage, to: Stage::Approved }
        );
        assert_eq!(r.step(&admin, &action, NOW).map(|t| t.stage), Ok(Some(to)));
        assert_eq!(refusal(&r, &admin, &action), Refusal::StageStep { from: to, to });
    }
    assert_eq!(
        refusal(&r, &admin, &Action::Open),
        Refusal::StageStep { from: Stage::Appraisal, to: Stage::Open }
    );
}

#[test]
fn the_stage_form_reaches_open_appraisal_and_approved_only() {
    assert_eq!(Action::to_stage(Stage::Open), Some(Action::Open));
    assert_eq!(Action::to_stage(Stage::Appraisal), Some(Action::StartAppraisal));
    assert_eq!(Action::to_stage(Stage::Approved), Some(Action::Approve));
    assert_eq!(Action::to_stage(Stage::Draft), None);
    assert_eq!(Action::to_stage(Stage::Published), None);
}

#[test]
fn only_an_admin_runs_the_round() {
    let r = RoundState::new(["A"]);
    let actions = [
        Action::Open,
        Action::StartAppraisal,
        Action::Approve,
        Action::Publish { decision: "QĐ".into() },
        Action::SetDeadlines(Deadlines::default()),
        Action::AssignUnit { unit: "A".into(), assigned: false },
    ];
    for actor in [Actor::appraiser(), Actor::reporter("A"), Actor::viewer()] {
        for action in &actions {
            let refused = refusal(&r, &actor, action);
            assert_eq!(refused, Refusal::NotAllowed { role: actor.role, action: action.kind() });
            assert_eq!(refused.class(), RefusalClass::Forbidden);
        }
    }
}

#[test]
fn approval_needs_every_unit_taking_part_appraised_and_names_the_others_by_code() {
    let admin = Actor::admin();
    let mut r = round(Stage::Appraisal, UnitState::Submitted, UnitState::Returned);
    r.units.insert("C".into(), chiso_core::workflow::UnitEntry { assigned: false, state: UnitState::Draft });
    assert_eq!(
        refusal(&r, &admin, &Action::Approve),
        Refusal::NotAppraised { units: vec!["A".into(), "B".into()] }
    );
    let r = round(Stage::Appraisal, UnitState::Appraised, UnitState::Appraised);
    let approved = decide(&r, &admin, &Action::Approve, NOW).unwrap();
    assert_eq!(approved.stage, Some(Stage::Approved));
    assert_eq!(approved.writes, Writes::KpiValues, "approval fills the kpi: leaves");
}

#[test]
fn a_unit_left_out_does_not_block_approval() {
    let mut r = round(Stage::Appraisal, UnitState::Appraised, UnitState::NotStarted);
    r.units.entry("B".into()).and_modify(|e| e.assigned = false);
    assert!(decide(&r, &Actor::admin(), &Action::Approve, NOW).is_ok());
}

#[test]
fn a_unit_not_submitted_when_appraisal_starts_blocks_approval_for_good() {
    // Today's rules, written down (see the module docs): nothing can move unit B.
    let admin = Actor::admin();
    let mut r = round(Stage::Open, UnitState::Submitted, UnitState::Draft);
    r.step(&admin, &Action::StartAppraisal, NOW).unwrap();
    r.step(&admin, &Action::Finalise { unit: "A".into() }, NOW).unwrap();
    for action in [
        save("B"),
        submit("B"),
        Action::Finalise { unit: "B".into() },
        Action::Return { unit: "B".into(), comment: "x".into() },
        Action::AssignUnit { unit: "B".into(), assigned: false },
        Action::Approve,
    ] {
        assert!(decide(&r, &admin, &action, NOW).is_err(), "{action:?}");
    }
}

#[test]
fn publishing_needs_an_approved_round_and_a_decision() {
    let admin = Actor::admin();
    let publish = |decision: &str| Action::Publish { decision: decision.into() };
    for stage in [Stage::Draft, Stage::Open, Stage::Appraisal] {
        let r = round(stage, UnitState::Appraised, UnitState::Appraised);
        assert_eq!(
            refusal(&r, &admin, &publish("")),
            Refusal::NotApproved { stage },
            "the stage is checked first"
        );
    }
    let r = round(Stage::Approved, UnitState::Appraised, UnitState::Appraised);
    assert_eq!(refusal(&r, &admin, &publish(" \n")), Refusal::NoDecision);
    let published = decide(&r, &admin, &publish("QĐ 2923"), NOW).unwrap();
    assert_eq!(published.stage, Some(Stage::Published));
    assert_eq!(published.writes, Writes::Publication { republish: false, preliminary: false });
}

#[test]
fn publishing_a_published_round_again_is_a_republication() {
    let r = round(Stage::Published, UnitState::Appraised, UnitState::Appraised);
    let again = decide(&r, &Actor::admin(), &Action::Publish { decision: "QĐ 15".into() }, NOW).unwrap();
    assert_eq!(again.stage, None);
    assert_eq!(again.writes, Writes::Publication { republish: true, preliminary: false });
}

#[test]
fn deadlines_change_until_the_round_is_published() {
    let admin = Actor::admin();
    let deadlines = Deadlines { self_assessment: Some(1), appraisal: Some(2), approval: Some(3) };
    for stage in [Stage::Draft, Stage::Open, Stage::Appraisal, Stage::Approved] {
        let mut r = round(stage, UnitState::NotStarted, UnitState::NotStarted);
        r.step(&admin, &Action::SetDeadlines(deadlines), NOW).unwrap();
        assert_eq!(r.deadlines, deadlines);
    }
    let r = round(Stage::Published, UnitState::Appraised, UnitState::Appraised);
    let refused = refusal(&r, &admin, &Action::SetDeadlines(deadlines));
    assert_eq!((refused.clone(), refused.class()), (Refusal::RoundPublished, RefusalClass::Immutable));
}

#[test]
fn units_are_assigned_only_before_appraisal_starts_and_the_stage_is_checked_before_the_unit() {
    let admin = Actor::admin();
    let leave_out = |unit: &str| Action::AssignUnit { unit: unit.into(), assigned: false };
    let mut r = round(Stage::Open, UnitState::Submitted, UnitState::Draft);
    r.step(&admin, &leave_out("A"), NOW).unwrap();
    assert!(!r.units["A"].assigned && r.units["A"].state == UnitState::Submitted, "the state is kept");
    assert_eq!(refusal(&r, &admin, &leave_out("Z")), Refusal::UnknownUnit { unit: "Z".into() });
    for stage in [Stage::Appraisal, Stage::Approved, Stage::Published] {
        let r = round(stage, UnitState::Appraised, UnitState::Appraised);
        assert_eq!(refusal(&r, &admin, &leave_out("Z")), Refusal::AssignmentClosed { stage });
    }
}

#[test]
fn forms_are_editable_while_open_until_submitted_and_when_returned_during_appraisal() {
    for &stage in Stage::ALL {
        for &state in UnitState::ALL {
            let expected = match stage {
                Stage::Open => !matches!(state, UnitState::Submitted | UnitState::Appraised),
                Stage::Appraisal => state == UnitState::Returned,
                _ => false,
            };
            assert_eq!(editable(stage, state), expected, "{stage} {state}");
        }
    }
}

#[test]
fn a_reporter_edits_only_their_own_unit_and_an_admin_any() {
    let r = round(Stage::Open, UnitState::Draft, UnitState::Draft);
    assert!(decide(&r, &Actor::reporter("A"), &save("A"), NOW).is_ok());
    assert!(decide(&r, &Actor::admin(), &save("B"), NOW).is_ok());
    for action in [save("B"), submit("B"), Action::AddEvidence { unit: "B".into() }] {
        assert_eq!(refusal(&r, &Actor::reporter("A"), &action), Refusal::NotYourUnit { unit: "B".into() });
    }
}

#[test]
fn viewers_appraisers_and_reporters_without_a_unit_never_edit_a_form() {
    let r = round(Stage::Open, UnitState::Draft, UnitState::Draft);
    for actor in [Actor::viewer(), Actor::appraiser(), Actor::new(Role::Reporter, None)] {
        for action in [save("A"), submit("A"), Action::ImportValues { units: Vec::new() }] {
            assert_eq!(
                refusal(&r, &actor, &action),
                Refusal::NotAllowed { role: actor.role, action: action.kind() }
            );
        }
    }
}

#[test]
fn the_role_is_checked_before_the_round() {
    let r = round(Stage::Draft, UnitState::NotStarted, UnitState::NotStarted);
    assert_eq!(refusal(&r, &Actor::reporter("A"), &save("B")), Refusal::NotYourUnit { unit: "B".into() });
    assert!(matches!(refusal(&r, &Actor::reporter("A"), &save("A")), Refusal::NotEditable { .. }));
}

#[test]
fn a_first_save_moves_a_unit_from_not_started_to_draft_and_later_saves_move_nothing() {
    let mut r = round(Stage::Open, UnitState::NotStarted, UnitState::NotStarted);
    let first = r.step(&Actor::reporter("A"), &save("A"), NOW).unwrap();
    assert_eq!((first.units, first.writes), (vec![("A".into(), UnitState::Draft)], Writes::SelfValues));
    let again = r.step(&Actor::reporter("A"), &save("A"), NOW).unwrap();
    assert!(again.units.is_empty());
}

#[test]
fn evidence_does_not_start_a_unit() {
    let mut r = round(Stage::Open, UnitState::NotStarted, UnitState::NotStarted);
    let added = r.step(&Actor::reporter("A"), &Action::AddEvidence { unit: "A".into() }, NOW).unwrap();
    assert_eq!((added.units.len(), added.writes), (0, Writes::Evidence));
    assert_eq!(r.units["A"].state, UnitState::NotStarted);
}

#[test]
fn a_unit_must_be_in_the_round_and_taking_part() {
    let mut r = round(Stage::Open, UnitState::Draft, UnitState::Draft);
    r.units.entry("B".into()).and_modify(|e| e.assigned = false);
    assert_eq!(refusal(&r, &Actor::admin(), &save("Z")), Refusal::UnknownUnit { unit: "Z".into() });
    assert_eq!(refusal(&r, &Actor::admin(), &save("B")), Refusal::NotAssigned { unit: "B".into() });
    assert_eq!(Refusal::UnknownUnit { unit: "Z".into() }.class(), RefusalClass::NotFound);
    assert_eq!(Refusal::NotAssigned { unit: "B".into() }.class(), RefusalClass::Conflict);
}

#[test]
fn a_spreadsheet_names_the_first_foreign_unit_then_checks_units_in_code_order() {
    let r = round(Stage::Open, UnitState::Submitted, UnitState::Draft);
    let import =
        |units: &[&str]| Action::ImportValues { units: units.iter().map(|u| u.to_string()).collect() };
    assert_eq!(
        refusal(&r, &Actor::reporter("A"), &import(&["A", "Z", "B"])),
        Refusal::NotYourUnit { unit: "Z".into() }
    );
    assert!(
        matches!(refusal(&r, &Actor::admin(), &import(&["Z", "B", "A"])), Refusal::NotEditable { unit, .. } if unit == "A")
    );
    let r = round(Stage::Open, UnitState::NotStarted, UnitState::Draft);
    let imported = decide(&r, &Actor::admin(), &import(&["B", "A", "B"]), NOW).unwrap();
    assert_eq!(imported.units, vec![("A".into(), UnitState::Draft)], "only a unit not started moves");
}

#[test]
fn a_submission_with_gaps_is_refused_with_every_gap() {
    let r = round(Stage::Open, UnitState::Draft, UnitState::Draft);
    let gaps = vec![
        Gap { row: 1, indicator: "1.1".into(), missing: Missing::Answer },
        Gap { row: 3, indicator: "2".into(), missing: Missing::Evidence },
    ];
    let refused =
        refusal(&r, &Actor::reporter("A"), &Action::Submit { unit: "A".into(), gaps: gaps.clone() });
    assert_eq!(refused, Refusal::Incomplete { unit: "A".into(), gaps });
    assert_eq!(refused.class(), RefusalClass::Incomplete);
    assert_eq!(
        refused.message(Lang::En),
        "1.1: not answered; 2: needs evidence, or an explanation why there is none"
    );
    assert_eq!(
        refused.message(Lang::Vi),
        "1.1: chưa trả lời; 2: cần minh chứng hoặc giải trình lý do không có"
    );
}

#[test]
fn a_locked_form_is_refused_before_its_gaps() {
    let r = round(Stage::Open, UnitState::Submitted, UnitState::Draft);
    let gaps = vec![Gap { row: 1, indicator: "1.1".into(), missing: Missing::Answer }];
    let refused = refusal(&r, &Actor::admin(), &Action::Submit { unit: "A".into(), gaps });
    assert!(matches!(refused, Refusal::NotEditable { .. }), "{refused:?}");
}

#[test]
fn a_submission_locks_the_form_until_the_unit_is_returned() {
    let (admin, reporter) = (Actor::admin(), Actor::reporter("A"));
    let mut r = round(Stage::Open, UnitState::Draft, UnitState::Submitted);
    let submitted = r.step(&reporter, &submit("A"), NOW).unwrap();
    assert_eq!(submitted.event, Some(("A".into(), EventKind::Submit)));
    assert!(matches!(refusal(&r, &reporter, &save("A")), Refusal::NotEditable { .. }));
    r.step(&admin, &Action::StartAppraisal, NOW).unwrap();
    assert!(matches!(refusal(&r, &reporter, &save("A")), Refusal::NotEditable { .. }));
    r.step(&Actor::appraiser(), &Action::Return { unit: "A".into(), comment: "Bổ sung 2.1".into() }, NOW)
        .unwrap();
    assert!(r.step(&reporter, &save("A"), NOW).is_ok());
    let resubmitted = r.step(&reporter, &submit("A"), NOW).unwrap();
    assert_eq!(resubmitted.event, Some(("A".into(), EventKind::Resubmit)));
    assert_eq!(r.units["A"].state, UnitState::Submitted);
}

#[test]
fn returning_needs_a_comment_before_anything_else_is_looked_at() {
    let r = round(Stage::Draft, UnitState::NotStarted, UnitState::NotStarted);
    let blank = Action::Return { unit: "Z".into(), comment: " ".into() };
    assert_eq!(refusal(&r, &Actor::appraiser(), &blank), Refusal::NoComment);
    assert_eq!(Refusal::NoComment.class(), RefusalClass::Invalid);
    assert!(
        matches!(refusal(&r, &Actor::viewer(), &blank), Refusal::NotAllowed { .. }),
        "but after the role"
    );
}

#[test]
fn return_finalise_and_appraise_need_a_submitted_unit_during_appraisal() {
    let appraiser = Actor::appraiser();
    let actions = |unit: &str| {
        [
            Action::Return { unit: unit.into(), comment: "x".into() },
            Action::Finalise { unit: unit.into() },
            Action::Appraise {
                unit: unit.into(),
                indicator: "1.2".into(),
                reason: Some("x".into()),
                verifier: None,
            },
        ]
    };
    let r = round(Stage::Appraisal, UnitState::Submitted, UnitState::Returned);
    for action in actions("A") {
        assert!(decide(&r, &appraiser, &action, NOW).is_ok(), "{action:?}");
    }
    for action in actions("B") {
        let expected = Refusal::NotOpenForAppraisal {
            unit: "B".into(),
            stage: Stage::Appraisal,
            state: UnitState::Returned,
        };
        assert_eq!(refusal(&r, &appraiser, &action), expected);
    }
    let r = round(Stage::Open, UnitState::Submitted, UnitState::Submitted);
    for action in actions("A") {
        assert!(matches!(refusal(&r, &appraiser, &action), Refusal::NotOpenForAppraisal { .. }));
    }
    let mut r = round(Stage::Appraisal, UnitState::Submitted, UnitState::Submitted);
    let returned =
        r.step(&appraiser, &Action::Return { unit: "A".into(), comment: "x".into() }, NOW).unwrap();
    assert_eq!(returned.event, Some(("A".into(), EventKind::Return)));
    let finalised = r.step(&appraiser, &Action::Finalise { unit: "B".into() }, NOW).unwrap();
    assert_eq!(
        (finalised.units, finalised.event),
        (vec![("B".into(), UnitState::Appraised)], Some(("B".into(), EventKind::Finalise)))
    );
}

#[test]
fn an_appraised_value_needs_a_reason_but_accepting_the_self_assessed_one_does_not() {
    let r = round(Stage::Appraisal, UnitState::Submitted, UnitState::Submitted);
    let appraise = |reason: Option<&str>| Action::Appraise {
        unit: "A".into(),
        indicator: " 1.2 ".into(),
        reason: reason.map(Into::into),
        verifier: None,
    };
    assert_eq!(
        refusal(&r, &Actor::admin(), &appraise(Some(""))),
        Refusal::NoReason { indicator: "1.2".into(), correction: false }
    );
    let accepted = decide(&r, &Actor::admin(), &appraise(None), NOW).unwrap();
    assert_eq!(accepted.writes, Writes::Appraisal { accepts_self_value: true });
    let set = decide(&r, &Actor::appraiser(), &appraise(Some("Chỉ 1 biên bản")), NOW).unwrap();
    assert_eq!(
        (set.writes, set.units.len(), set.event),
        (Writes::Appraisal { accepts_self_value: false }, 0, None)
    );
    for actor in [Actor::reporter("A"), Actor::viewer()] {
        assert!(matches!(refusal(&r, &actor, &appraise(None)), Refusal::NotAllowed { .. }));
    }
}

#[test]
fn a_change_after_approval_is_a_correction_only_an_admin_makes() {
    assert!(
        !is_correction(Stage::Appraisal) && is_correction(Stage::Approved) && is_correction(Stage::Published)
    );
    let correct =
        |reason: &str| Action::Correct { unit: "A".into(), indicator: "1.2".into(), reason: reason.into() };
    for stage in [Stage::Approved, Stage::Published] {
        let r = round(stage, UnitState::Appraised, UnitState::Appraised);
        let corrected = decide(&r, &Actor::admin(), &correct("Biên bản thứ hai"), NOW).unwrap();
        assert!(corrected.is_correction());
        assert_eq!((corrected.units.len(), corrected.event), (0, Some(("A".into(), EventKind::Correct))));
        assert_eq!(
            refusal(&r, &Actor::admin(), &correct(" ")),
            Refusal::NoReason { indicator: "1.2".into(), correction: true }
        );
        assert_eq!(
            refusal(&r, &Actor::appraiser(), &correct("x")),
            Refusal::NotAllowed { role: Role::Appraiser, action: ActionKind::Correct }
        );
        let late =
            Action::Appraise { unit: "A".into(), indicator: "1.2".into(), reason: None, verifier: None };
        assert!(
            matches!(refusal(&r, &Actor::appraiser(), &late), Refusal::NotOpenForAppraisal { .. }),
            "no appraisal after approval"
        );
    }
    let r = round(Stage::Appraisal, UnitState::Appraised, UnitState::Appraised);
    assert!(
        matches!(refusal(&r, &Actor::admin(), &correct(" ")), Refusal::NotOpenForCorrection { .. }),
        "the stage before the reason"
    );
}

#[test]
fn offered_means_only_what_the_person_writes_is_missing() {
    let r = round(Stage::Published, UnitState::Appraised, UnitState::Appraised);
    let correct = Action::Correct { unit: "A".into(), indicator: "1.2".into(), reason: String::new() };
    assert!(offered(&r, &Actor::admin(), &correct, NOW), "the correcting form is shown to an admin");
    assert!(!offered(&r, &Actor::appraiser(), &correct, NOW));
    let r = round(Stage::Open, UnitState::Draft, UnitState::Submitted);
    let gaps = vec![Gap { row: 1, indicator: "1.1".into(), missing: Missing::Answer }];
    assert!(offered(&r, &Actor::reporter("A"), &Action::Submit { unit: "A".into(), gaps }, NOW));
    assert!(!offered(&r, &Actor::reporter("B"), &save("B"), NOW), "a submitted form is not editable");
}

#[test]
fn overdue_units_owe_something_after_their_stages_deadline() {
    let d = Deadlines { self_assessment: Some(100), appraisal: Some(200), approval: Some(300) };
    assert!(!is_overdue(&d, Stage::Open, UnitState::Draft, 100), "the deadline's own instant is in time");
    assert!(is_overdue(&d, Stage::Open, UnitState::Returned, 101));
    assert!(!is_overdue(&d, Stage::Open, UnitState::Submitted, 101));
    assert!(is_overdue(&d, Stage::Appraisal, UnitState::NotStarted, 201));
    assert!(is_overdue(&d, Stage::Appraisal, UnitState::Submitted, 201));
    assert!(!is_overdue(&d, Stage::Appraisal, UnitState::Appraised, 201));
    assert!(
        !is_overdue(&Deadlines::default(), Stage::Open, UnitState::Draft, i64::MAX),
        "no deadline, never late"
    );
}

#[test]
fn the_approval_deadline_marks_nothing_overdue() {
    let d = Deadlines { self_assessment: Some(0), appraisal: Some(0), approval: Some(0) };
    for stage in [Stage::Draft, Stage::Approved, Stage::Published] {
        assert!(UnitState::ALL.iter().all(|&s| !is_overdue(&d, stage, s, 1)), "{stage}");
    }
}

#[test]
fn only_units_taking_part_are_overdue() {
    let mut r = round(Stage::Open, UnitState::Draft, UnitState::Draft);
    r.deadlines.self_assessment = Some(10);
    r.units.entry("B".into()).and_modify(|e| e.assigned = false);
    assert!(r.is_overdue("A", 11) && !r.is_overdue("B", 11) && !r.is_overdue("Z", 11));
}

#[test]
fn no_rule_depends_on_the_clock() {
    let mut r = round(Stage::Open, UnitState::Draft, UnitState::Draft);
    r.deadlines.self_assessment = Some(10);
    let late = decide(&r, &Actor::reporter("A"), &save("A"), i64::MAX).unwrap();
    let early = decide(&r, &Actor::reporter("A"), &save("A"), 0).unwrap();
    assert_eq!((late.at, early.at), (i64::MAX, 0));
    assert_eq!(chiso_core::workflow::Transition { at: 0, ..late }, early);
}

#[test]
fn a_reporter_sees_only_their_own_unit_and_rounds_it_takes_part_in() {
    let mut r = round(Stage::Open, UnitState::Draft, UnitState::Draft);
    r.units.entry("B".into()).and_modify(|e| e.assigned = false);
    assert!(Actor::reporter("A").may_see_unit("A") && !Actor::reporter("A").may_see_unit("B"));
    assert!(Actor::viewer().may_see_unit("B") && Actor::appraiser().may_see_unit("B"));
    assert!(!Actor::new(Role::Reporter, None).may_see_unit("A"));
    assert!(r.shown_to(&Actor::reporter("A")) && !r.shown_to(&Actor::reporter("B")));
    assert!(r.shown_to(&Actor::viewer()) && !r.shown_to(&Actor::new(Role::Reporter, None)));
}

#[test]
fn codes_parse_back_and_unknown_codes_are_refused() {
    for &stage in Stage::ALL {
        assert_eq!(Stage::parse(stage.code()), Ok(stage));
    }
    for &state in UnitState::ALL {
        assert_eq!(state.code().parse::<UnitState>(), Ok(state));
    }
    for &role in Role::ALL {
        assert_eq!(Role::parse(role.code()), Ok(role));
    }
    assert_eq!(UnitState::NotStarted.code(), "not_started");
    let unknown = Stage::parse("closed").unwrap_err();
    assert_eq!(unknown.message(Lang::En), "unknown stage \"closed\"");
    assert_eq!(unknown.message(Lang::Vi), "giai đoạn không hợp lệ: \"closed\"");
}

#[test]
fn labels_exist_in_both_languages_as_the_pages_show_them() {
    assert_eq!(Stage::Open.label(Lang::Vi), "Đang tự đánh giá");
    assert_eq!(Stage::Open.label(Lang::En), "Self-assessment open");
    assert_eq!(UnitState::Returned.label(Lang::Vi), "Trả lại để sửa");
    assert_eq!(Role::Appraiser.label(Lang::En), "Appraiser");
    for label in
        Stage::ALL.iter().map(|s| s.label(Lang::Vi)).chain(UnitState::ALL.iter().map(|s| s.label(Lang::Vi)))
    {
        assert!(!label.is_empty());
    }
}

#[test]
fn every_refusal_has_a_message_in_both_languages_that_differ() {
    let at = (Stage::Open, UnitState::Draft);
    let refusals = [
        Refusal::NotAllowed { role: Role::Viewer, action: ActionKind::Submit },
        Refusal::NotYourUnit { unit: "B".into() },
        Refusal::UnknownUnit { unit: "Z".into() },
        Refusal::NotAssigned { unit: "B".into() },
        Refusal::StageStep { from: Stage::Open, to: Stage::Approved },
        Refusal::NotEditable { unit: "A".into(), stage: at.0, state: at.1 },
        Refusal::NotOpenForAppraisal { unit: "A".into(), stage: at.0, state: at.1 },
        Refusal::NotOpenForCorrection { unit: "A".into(), stage: at.0, state: at.1 },
        Refusal::Incomplete {
            unit: "A".into(),
            gaps: vec![Gap { row: 0, indicator: "1".into(), missing: Missing::Evidence }],
        },
        Refusal::NoComment,
        Refusal::NoReason { indicator: "1.2".into(), correction: false },
        Refusal::NoReason { indicator: "1.2".into(), correction: true },
        Refusal::NoDecision,
        Refusal::NotAppraised { units: vec!["A".into(), "B".into()] },
        Refusal::NotApproved { stage: Stage::Open },
        Refusal::AssignmentClosed { stage: Stage::Appraisal },
        Refusal::RoundPublished,
    ];
    for refusal in refusals {
        let (vi, en) = (refusal.message(Lang::Vi), refusal.message(Lang::En));
        assert!(!vi.is_empty() && vi != en, "{refusal:?}: {vi} / {en}");
        assert_eq!(refusal.to_string(), en);
    }
    assert_eq!(
        Refusal::NotAppraised { units: vec!["116".into(), "STTTT".into()] }.message(Lang::En),
        "units not appraised yet: 116, STTTT"
    );
}

#[test]
fn completeness_names_unanswered_leaves_and_missing_evidence_in_framework_order() {
    let framework = framework();
    let gaps = completeness(&framework, &BTreeSet::new(), &BTreeSet::new());
    let found: Vec<(usize, &str, Missing)> =
        gaps.iter().map(|g| (g.row, g.indicator.as_str(), g.missing)).collect();
    assert_eq!(
        found,
        [
            (0, "1", Missing::Evidence),
            (1, "1.1", Missing::Answer),
            (3, "2", Missing::Answer),
            (3, "2", Missing::Evidence),
            (5, "3.1", Missing::Answer),
        ],
        "kpi leaves need no answer; a parent with evidence = true needs evidence; appraisal leaves are asked too"
    );
    let answered = BTreeSet::from(["1.1", "2", "3.1"]);
    let evidenced = BTreeSet::from(["1", "2"]);
    assert!(completeness(&framework, &answered, &evidenced).is_empty());
}

#[test]
fn blank_answers_do_not_count_and_na_does() {
    assert!(!is_answered("") && !is_answered(" \t"));
    assert!(is_answered("na") && is_answered("0") && is_answered(" không "));
}

#[test]
fn a_department_appraises_only_the_indicators_it_verifies_and_the_council_decides_units() {
    let r = round(Stage::Appraisal, UnitState::Submitted, UnitState::Submitted);
    let snv = Actor::new(Role::Appraiser, Some("SNV".into()));
    let appraise = |verifier: Option<&str>| Action::Appraise {
        unit: "A".into(),
        indicator: "1.2".into(),
        reason: None,
        verifier: verifier.map(Into::into),
    };
    assert!(decide(&r, &snv, &appraise(Some("SNV")), NOW).is_ok());
    assert_eq!(
        refusal(&r, &snv, &appraise(Some("SXD"))),
        Refusal::NotYourIndicator { indicator: "1.2".into(), verifier: Some("SXD".into()) }
    );
    assert!(matches!(refusal(&r, &snv, &appraise(None)), Refusal::NotYourIndicator { verifier: None, .. }));
    for council in [Actor::appraiser(), Actor::admin()] {
        assert!(decide(&r, &council, &appraise(Some("SXD")), NOW).is_ok(), "{council:?}");
    }
    assert!(matches!(
        refusal(&r, &snv, &Action::Finalise { unit: "A".into() }),
        Refusal::NotAllowed { action: ActionKind::Finalise, .. }
    ));
    assert!(decide(&r, &Actor::appraiser(), &Action::Finalise { unit: "A".into() }, NOW).is_ok());
    let message = Refusal::NotYourIndicator { indicator: "1.2".into(), verifier: Some("SXD".into()) };
    assert!(message.message(Lang::Vi).contains("SXD") && message.message(Lang::En).contains("verified by"));
}

#[test]
fn preliminary_results_are_contested_before_their_deadline_and_answered_before_approval() {
    let mut r = round(Stage::Appraisal, UnitState::Appraised, UnitState::Appraised);
    let admin = Actor::admin();
    let publish = |decision: &str| Action::PublishPreliminary {
        decision: decision.into(),
        deadline: Some(NOW + 1_000),
    };
    assert_eq!(refusal(&r, &admin, &publish(" ")), Refusal::NoDecision);
    let published = r.step(&admin, &publish("Thông báo số 1"), NOW).unwrap();
    assert_eq!(published.writes, Writes::Publication { republish: false, preliminary: true });
    assert_eq!((r.stage, r.contest_deadline), (Stage::Preliminary, Some(NOW + 1_000)));

    let contest =
        |reason: &str| Action::Contest { unit: "A".into(), indicator: "1.2".into(), reason: reason.into() };
    assert!(matches!(refusal(&r, &Actor::reporter("B"), &contest("x")), Refusal::NotYourUnit { .. }));
    assert_eq!(
        refusal(&r, &Actor::reporter("A"), &contest("")),
        Refusal::NoContestReason { indicator: "1.2".into() }
    );
    let late = decide(&r, &Actor::reporter("A"), &contest("Đã có biên bản"), NOW + 1_001);
    assert_eq!(late, Err(Refusal::ContestClosed { deadline: NOW + 1_000 }));
    r.step(&Actor::reporter("A"), &contest("Đã có biên bản"), NOW).unwrap();
    assert_eq!(r.open_contests, 1);
    assert_eq!(refusal(&r, &admin, &Action::Approve), Refusal::ContestsOpen { count: 1 });

    let answer = Action::AnswerContest {
        unit: "A".into(),
        indicator: "1.2".into(),
        accept: true,
        reason: "Biên bản hợp lệ".into(),
        verifier: Some("SNV".into()),
    };
    assert!(matches!(refusal(&r, &Actor::reporter("A"), &answer), Refusal::NotAllowed { .. }));
    let answered = r.step(&Actor::new(Role::Appraiser, Some("SNV".into())), &answer, NOW).unwrap();
    assert_eq!(answered.writes, Writes::ContestAnswer { accept: true });
    assert_eq!(answered.event, Some(("A".into(), EventKind::ContestAccepted)));
    assert_eq!(r.open_contests, 0);
    r.step(&admin, &Action::Approve, NOW).unwrap();
    assert_eq!(r.stage, Stage::Approved);
    assert!(matches!(
        refusal(&r, &Actor::reporter("A"), &contest("x")),
        Refusal::NotOpenForContest { stage: Stage::Approved, .. }
    ));
}
