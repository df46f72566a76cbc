//! The round run in the app: stages, a unit's self-assessment with evidence,
//! submission checks, return and resubmission, appraisal with reasons, approval
//! and publication with the three scores; lost updates refused.

use crate::rounds::{ADMIN, memory, sonla_files};
use crate::support::each_backend;
use chiso_core::workflow::Refusal;
use chiso_io::{Files, Package};
use chiso_store::{
    Actor, AppraisalChange, NewEvidence, RowProblemKind, Stage, Store, StoreError, UnitState, UserId,
    ValueChange,
};
use std::collections::BTreeMap;

const REPORTER: Actor = Actor::User(UserId(2));
const APPRAISER: Actor = Actor::User(UserId(3));

/// The bundled package's frameworks and units without its values.
fn empty_round_files() -> BTreeMap<String, Vec<u8>> {
    let mut files = memory(sonla_files());
    files.remove("values.csv");
    files
}

/// The bundled values of `unit` as changes of a form never saved before.
fn bundled_values(unit: &str) -> Vec<ValueChange> {
    let package = Package::from_files(sonla_files()).unwrap();
    let text = package.files.read_text("values.csv").unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.splitn(4, ',');
            let (u, indicator, value) = (fields.next()?, fields.next()?, fields.next()?);
            (u == unit).then(|| ValueChange {
                unit: unit.into(),
                indicator: indicator.into(),
                value: value.trim_matches('"').into(),
                note: None,
                expected_version: Some(0),
            })
        })
        .collect()
}

/// The indicators of `unit`'s framework that need evidence.
fn needing_evidence(unit: &str) -> Vec<String> {
    let package = Package::from_files(sonla_files()).unwrap();
    let a = &package.assessment;
    let u = a.units.iter().position(|x| x.code == unit).unwrap();
    a.framework_of(u).indicators.iter().filter(|i| i.evidence).map(|i| i.code.clone()).collect()
}

async fn evidence_all(store: &Store, round: chiso_store::RoundId, unit: &str) {
    for (i, indicator) in needing_evidence(unit).iter().enumerate() {
        let evidence = if i == 0 {
            NewEvidence::File {
                name: "bien-ban.pdf".into(),
                content_type: "application/pdf".into(),
                content: b"%PDF-1.4 minutes".to_vec(),
            }
        } else {
            NewEvidence::Reference {
                number: format!("{i}/QĐ-UBND"),
                date: "2024-03-01".into(),
                summary: "Quyết định".into(),
            }
        };
        store.add_evidence(round, unit, indicator, evidence, REPORTER).await.unwrap();
    }
}

fn state_of(progress: &[chiso_store::UnitProgress], unit: &str) -> UnitState {
    progress.iter().find(|p| p.unit == unit).unwrap().state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_runs_from_self_assessment_to_publication() {
    each_backend(|store| async move {
        let round = store.create_workflow_round(Files::Memory(empty_round_files()), ADMIN).await?;
        assert_eq!(store.workflow(round).await?.unwrap().stage, Stage::Draft);
        assert_eq!(store.unit_progress(round).await?.len(), 32);
        // Not open yet: nobody can fill a form.
        let early = store.save_self_assessment(round, "STTTT", &bundled_values("STTTT"), REPORTER).await;
        assert!(
            matches!(early, Err(StoreError::NotAllowed(Refusal::NotEditable { stage: Stage::Draft, .. }))),
            "{early:?}"
        );
        for unit in store.unit_progress(round).await? {
            if unit.unit != "STTTT" && unit.unit != "116" {
                store.set_unit_assigned(round, &unit.unit, false, ADMIN).await?;
            }
        }
        store.advance_stage(round, Stage::Open, ADMIN).await?;

        // STTTT: saved, refused for missing evidence, evidenced, submitted, locked.
        store.save_self_assessment(round, "STTTT", &bundled_values("STTTT"), REPORTER).await?;
        assert_eq!(state_of(&store.unit_progress(round).await?, "STTTT"), UnitState::Draft);
        let refused = store.submit_unit(round, "STTTT", REPORTER).await;
        let Err(StoreError::Refused(problems)) = refused else { panic!("{refused:?}") };
        assert_eq!(problems.len(), needing_evidence("STTTT").len());
        assert!(problems.iter().all(|p| matches!(p.kind, RowProblemKind::NoEvidence { .. })));
        evidence_all(&store, round, "STTTT").await;
        store.submit_unit(round, "STTTT", REPORTER).await?;
        let locked =
            store.save_self_assessment(round, "STTTT", &bundled_values("STTTT")[..1], REPORTER).await;
        assert!(
            matches!(locked, Err(StoreError::NotAllowed(Refusal::NotEditable { state: UnitState::Submitted, .. }))),
            "a submitted form is locked: {locked:?}"
        );
        let evidence = store.evidence(round, "STTTT").await?;
        assert_eq!(evidence.len(), needing_evidence("STTTT").len());
        let (meta, content) = store
            .evidence_file(
                round,
                evidence
                    .iter()
                    .find(|e| matches!(e.kind, chiso_store::EvidenceKind::File { .. }))
                    .unwrap()
                    .id,
            )
            .await?
            .unwrap();
        assert_eq!(content, b"%PDF-1.4 minutes");
        let chiso_store::EvidenceKind::File { sha256, .. } = meta.kind else { panic!() };
        assert_eq!(sha256.len(), 64);

        // 116: an unanswered leaf is named.
        let mut partial = bundled_values("116");
        let dropped = partial.pop().unwrap().indicator;
        store.save_self_assessment(round, "116", &partial, REPORTER).await?;
        evidence_all(&store, round, "116").await;
        let Err(StoreError::Refused(problems)) = store.submit_unit(round, "116", REPORTER).await else {
            panic!()
        };
        assert_eq!(problems.len(), 1);
        assert!(
            matches!(&problems[0].kind, RowProblemKind::Unanswered { indicator } if *indicator == dropped)
        );
        let last = ValueChange { expected_version: Some(0), ..bundled_values("116").pop().unwrap() };
        store.save_self_assessment(round, "116", &[last], REPORTER).await?;
        store.submit_unit(round, "116", REPORTER).await?;

        // Appraisal: a value changed with its reason; 116 returned, revised, resubmitted.
        store.advance_stage(round, Stage::Appraisal, ADMIN).await?;
        let change = AppraisalChange {
            indicator: "1.2".into(),
            value: "1".into(),
            reason: String::new(),
            expected_version: 0,
        };
        let no_reason = store.appraise(round, "STTTT", &change, APPRAISER).await;
        assert!(
            matches!(no_reason, Err(StoreError::NotAllowed(Refusal::NoReason { correction: false, .. }))),
            "{no_reason:?}"
        );
        let change = AppraisalChange { reason: "Chỉ có 1 biên bản họp".into(), ..change };
        store.appraise(round, "STTTT", &change, APPRAISER).await?;
        let stale = store.appraise(round, "STTTT", &change, APPRAISER).await;
        assert!(
            matches!(&stale, Err(StoreError::Stale { value: Some(v), version: 1, expected: 0, .. }) if v == "1"),
            "{stale:?}"
        );
        let bad = AppraisalChange {
            indicator: "1.3".into(),
            value: "nhiều".into(),
            reason: "x".into(),
            expected_version: 0,
        };
        assert!(store.appraise(round, "STTTT", &bad, APPRAISER).await.is_err(), "a value the rule refuses");
        store.return_unit(round, "116", "Bổ sung minh chứng chỉ số 2.1", APPRAISER).await?;
        assert_eq!(state_of(&store.unit_progress(round).await?, "116"), UnitState::Returned);
        let revised =
            ValueChange { value: "3".into(), expected_version: Some(1), ..bundled_values("116").remove(1) };
        store.save_self_assessment(round, "116", &[revised], REPORTER).await?;
        store.submit_unit(round, "116", REPORTER).await?;
        let actions: Vec<String> =
            store.unit_events(round, "116").await?.into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["submit", "return", "resubmit"]);
        let early = store.advance_stage(round, Stage::Approved, ADMIN).await;
        assert!(
            matches!(&early, Err(StoreError::NotAllowed(Refusal::NotAppraised { units })) if units == &["116", "STTTT"]),
            "{early:?}"
        );
        store.finalise_unit(round, "STTTT", APPRAISER).await?;
        store.finalise_unit(round, "116", APPRAISER).await?;
        store.advance_stage(round, Stage::Approved, ADMIN).await?;

        // Publication: final results and the three scores.
        let id =
            store.publish_workflow_round(round, "Quyết định số 2923/QĐ-UBND ngày 31/12/2023", ADMIN).await?;
        assert_eq!(store.workflow(round).await?.unwrap().stage, Stage::Published);
        let publication = store.publication(id).await?.unwrap();
        let stages: serde_json::Value = serde_json::from_str(publication.stages_json.as_deref().unwrap())?;
        let staged: Vec<&String> = stages["units"].as_object().unwrap().keys().collect();
        assert_eq!(staged, ["116", "STTTT"], "the three scores of the units taking part only");
        let sttt = &stages["units"]["STTTT"];
        assert!((sttt["self"].as_f64().unwrap() - 91.48).abs() < 0.01, "{sttt}");
        assert!(sttt["final"].as_f64().unwrap() < sttt["self"].as_f64().unwrap(), "the appraisal lowered it");
        assert_eq!(sttt["indicators"]["1.2"][0], 2.0);
        let results: serde_json::Value = serde_json::from_str(&publication.results_json_vi)?;
        let codes: Vec<&str> =
            results["units"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["STTTT", "116"], "only the units taking part are published");
        let published = results["units"].as_array().unwrap().iter().find(|u| u["code"] == "STTTT").unwrap();
        assert_eq!(published["total"], sttt["final"]);
        let audit = store
            .audit(&chiso_store::AuditFilter { entity: Some("unit".into()), ..Default::default() })
            .await?;
        assert!(audit.len() >= 6, "submissions, return, finalisations are audited");

        // A correction: refused during appraisal-only rules and without a reason; the
        // publication stays as it was until published again, which supersedes it.
        let fix = AppraisalChange {
            indicator: "1.2".into(),
            value: "2".into(),
            reason: String::new(),
            expected_version: 1,
        };
        let no_reason = store.correct(round, "STTTT", &fix, ADMIN).await;
        assert!(
            matches!(no_reason, Err(StoreError::NotAllowed(Refusal::NoReason { correction: true, .. }))),
            "{no_reason:?}"
        );
        let late = store.appraise(round, "STTTT", &fix, APPRAISER).await;
        assert!(
            matches!(late, Err(StoreError::NotAllowed(Refusal::NotOpenForAppraisal { stage: Stage::Published, .. }))),
            "no appraisal after publication: {late:?}"
        );
        let fix = AppraisalChange { reason: "Biên bản thứ hai được bổ sung".into(), ..fix };
        store.correct(round, "STTTT", &fix, ADMIN).await?;
        assert_eq!(store.publication(id).await?.unwrap().results_json_vi, publication.results_json_vi);
        let corrected =
            store.publish_workflow_round(round, "Quyết định số 15/QĐ-UBND ngày 10/01/2024", ADMIN).await?;
        assert_eq!(store.publication(corrected).await?.unwrap().info.supersedes, Some(id));
        let results: serde_json::Value =
            serde_json::from_str(&store.publication(corrected).await?.unwrap().results_json_vi)?;
        let now = results["units"].as_array().unwrap().iter().find(|u| u["code"] == "STTTT").unwrap();
        assert!(now["total"].as_f64() > published["total"].as_f64(), "the correction raised 1.2");
        let actions: Vec<String> =
            store.unit_events(round, "STTTT").await?.into_iter().map(|e| e.action).collect();
        assert_eq!(actions.last().map(String::as_str), Some("correct"));
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_saves_of_one_indicator_from_the_same_version_lose_nothing() {
    each_backend(|store| async move {
        let round = store.create_workflow_round(Files::Memory(empty_round_files()), ADMIN).await?;
        store.advance_stage(round, Stage::Open, ADMIN).await?;
        let first = ValueChange {
            unit: "STTTT".into(),
            indicator: "1.2".into(),
            value: "3".into(),
            note: None,
            expected_version: Some(0),
        };
        let second = ValueChange { value: "4".into(), ..first.clone() };
        let (first, second) = ([first], [second]);
        let (a, b) = tokio::join!(
            store.save_self_assessment(round, "STTTT", &first, REPORTER),
            store.save_self_assessment(round, "STTTT", &second, Actor::User(UserId(4)))
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
        let loser = if a.is_err() { a } else { b };
        assert!(
            matches!(&loser, Err(StoreError::Stale { version: 1, expected: 0, value: Some(v), .. }) if v == "3" || v == "4"),
            "{loser:?}"
        );
        let values = store.round_values(round).await?;
        assert_eq!(values.len(), 1);
        assert_eq!(values[0].version, 1);
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_years_round_copies_frameworks_and_units_without_values() {
    each_backend(|store| async move {
        let last = store.import_round(sonla_files(), ADMIN).await?;
        let next = store.copy_round(last, 2025, ADMIN).await?;
        let round = store.round(next).await?.unwrap();
        assert_eq!(round.year, 2025);
        assert!(store.round_values(next).await?.is_empty());
        assert_eq!(store.round_units(next).await?.len(), 32);
        assert_eq!(store.workflow(next).await?.unwrap().stage, Stage::Draft);
        assert!(store.workflow(last).await?.is_none(), "an imported round is not run in the app");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_fills_kpi_leaves_from_the_monitoring_data() {
    each_backend(|store| async move {
        store
            .import_monitoring(Files::snapshot_dir(&crate::support::data("sonla/monitoring")).unwrap(), ADMIN)
            .await?;
        let observation = chiso_store::NewObservation {
            kpi: "docs_out_signed_rate".into(),
            scope: "STTTT".into(),
            period: "2024".into(),
            value: 90.0,
            note: None,
        };
        store.add_observations(&[observation], ADMIN).await?;
        let round = store.create_workflow_round(Files::Memory(empty_round_files()), ADMIN).await?;
        for unit in store.unit_progress(round).await? {
            if unit.unit != "STTTT" {
                store.set_unit_assigned(round, &unit.unit, false, ADMIN).await?;
            }
        }
        store.advance_stage(round, Stage::Open, ADMIN).await?;
        // 6.1.1 takes `kpi:docs_out_signed_rate`: the reporter does not answer it.
        let own: Vec<ValueChange> =
            bundled_values("STTTT").into_iter().filter(|v| v.indicator != "6.1.1").collect();
        store.save_self_assessment(round, "STTTT", &own, REPORTER).await?;
        evidence_all(&store, round, "STTTT").await;
        store.submit_unit(round, "STTTT", REPORTER).await?;
        store.advance_stage(round, Stage::Appraisal, ADMIN).await?;
        store.finalise_unit(round, "STTTT", APPRAISER).await?;
        let before = store.unit_scores(round, "STTTT", None, true).await?.1;
        assert!(!store.round_values(round).await?.iter().any(|v| v.indicator == "6.1.1"));
        store.advance_stage(round, Stage::Approved, ADMIN).await?;
        let values = store.round_values(round).await?;
        let filled = values.iter().find(|v| v.unit == "STTTT" && v.indicator == "6.1.1").unwrap();
        assert_eq!(filled.value, "90");
        assert_eq!(filled.note.as_deref(), Some("kpi:docs_out_signed_rate 2024"));
        // linear 50..100 of 2.5 points: 90 % earns 2 points more than nothing did.
        let after = store.unit_scores(round, "STTTT", None, true).await?.1;
        assert!(after > before, "{before} → {after}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporters_save_keeps_the_valid_values_and_scores_the_unit_as_the_round_does() {
    each_backend(|store| async move {
        let round = store.create_workflow_round(Files::Memory(empty_round_files()), ADMIN).await?;
        store.advance_stage(round, Stage::Open, ADMIN).await?;
        let mut changes = bundled_values("STTTT");
        let bad = ValueChange { value: "abc".into(), ..changes[2].clone() };
        changes[2] = bad.clone();
        let outcome = store.save_self_values(round, "STTTT", &changes, REPORTER).await?;
        assert_eq!(outcome.saved.len(), changes.len() - 1, "every valid value saved: {outcome:?}");
        assert_eq!(outcome.refused.len(), 1);
        assert_eq!(outcome.refused[0].indicator, bad.indicator.trim());
        let stored = store.round_values(round).await?;
        assert_eq!(stored.len(), changes.len() - 1);
        assert!(stored.iter().all(|v| v.indicator != bad.indicator.trim()), "the bad value is not stored");
        assert_eq!(state_of(&store.unit_progress(round).await?, "STTTT"), UnitState::Draft);

        // The unit's points, read from its own values, are those of the whole round.
        let (scores, total) = store.unit_scores(round, "STTTT", None, false).await?;
        let package = store.round_package(round).await?;
        let results = package.score()?;
        let u = package.assessment.units.iter().position(|x| x.code == "STTTT").unwrap();
        let whole = results.units.iter().find(|r| r.unit == u).unwrap();
        assert!((total - whole.total).abs() < 1e-9, "{total} vs {}", whole.total);
        assert_eq!(scores.iter().filter(|s| s.is_some()).count(), whole.scores.iter().filter(|s| s.is_some()).count());

        // A stale version is refused with what is stored now; the same text is no conflict.
        let first = &stored[0];
        assert_eq!(first.indicator, "1.1", "a choice of head, deputy, other");
        let stale = ValueChange {
            unit: "STTTT".into(),
            indicator: first.indicator.clone(),
            value: if first.value == "deputy" { "other".into() } else { "deputy".into() },
            note: None,
            expected_version: Some(first.version - 1),
        };
        let outcome = store.save_self_values(round, "STTTT", std::slice::from_ref(&stale), REPORTER).await?;
        assert!(outcome.saved.is_empty(), "{outcome:?}");
        assert!(
            matches!(
            &outcome.refused[0].reason,
            chiso_store::ChangeRefusal::Stale { value, version } if *value == first.value && *version == first.version
            ),
            "{outcome:?} {first:?}"
        );
        let same = ValueChange { value: first.value.clone(), ..stale };
        let outcome = store.save_self_values(round, "STTTT", &[same], REPORTER).await?;
        assert_eq!(outcome.saved, [(first.indicator.clone(), first.version)]);
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contest_of_the_preliminary_results_is_answered_before_final_publication() {
    each_backend(|store| async move {
        let round = store.create_workflow_round(Files::Memory(empty_round_files()), ADMIN).await?;
        for unit in store.unit_progress(round).await? {
            if unit.unit != "STTTT" && unit.unit != "116" {
                store.set_unit_assigned(round, &unit.unit, false, ADMIN).await?;
            }
        }
        store.advance_stage(round, Stage::Open, ADMIN).await?;
        store.save_self_assessment(round, "STTTT", &bundled_values("STTTT"), REPORTER).await?;
        // The district unit goes straight through.
        store.save_self_assessment(round, "116", &bundled_values("116"), REPORTER).await?;
        evidence_all(&store, round, "116").await;
        store.submit_unit(round, "116", REPORTER).await?;
        // Evidence for all but one indicator; that one is explained instead.
        let needing = needing_evidence("STTTT");
        for (i, indicator) in needing.iter().enumerate().skip(1) {
            let reference = NewEvidence::Reference {
                number: format!("{i}/QĐ-UBND"),
                date: "2025-03-01".into(),
                summary: "Quyết định".into(),
            };
            store.add_evidence(round, "STTTT", indicator, reference, REPORTER).await?;
        }
        let refused = store.submit_unit(round, "STTTT", REPORTER).await;
        assert!(matches!(&refused, Err(StoreError::Refused(p)) if p.len() == 1), "{refused:?}");
        let why = "Cơ quan chưa ban hành văn bản; đã có kế hoạch quý III";
        store.explain_missing_evidence(round, "STTTT", &needing[0], why, REPORTER).await?;
        assert_eq!(
            store.evidence_explanations(round, "STTTT").await?,
            [(needing[0].clone(), why.to_owned())]
        );
        store.submit_unit(round, "STTTT", REPORTER).await?;
        let late = store.explain_missing_evidence(round, "STTTT", &needing[0], "x", REPORTER).await;
        assert!(matches!(late, Err(StoreError::NotAllowed(Refusal::NotEditable { .. }))), "{late:?}");

        store.advance_stage(round, Stage::Appraisal, ADMIN).await?;
        let change = AppraisalChange {
            indicator: "1.2".into(),
            value: "1".into(),
            reason: "Chỉ có 1 biên bản họp".into(),
            expected_version: 0,
        };
        store.appraise(round, "STTTT", &change, APPRAISER).await?;
        store.finalise_unit(round, "STTTT", APPRAISER).await?;
        store.finalise_unit(round, "116", APPRAISER).await?;
        let deadline = i64::MAX;
        let preliminary =
            store.publish_preliminary(round, "Thông báo số 7/TB-SKHCN", Some(deadline), ADMIN).await?;
        assert!(store.publication(preliminary).await?.unwrap().info.preliminary);
        let workflow = store.workflow(round).await?.unwrap();
        assert_eq!((workflow.stage, workflow.contest_deadline), (Stage::Preliminary, Some(deadline)));

        let file = chiso_store::NewFile {
            name: "bien-ban-2.pdf".into(),
            content_type: "application/pdf".into(),
            content: b"%PDF-1.4 second minutes".to_vec(),
        };
        let contest =
            store.contest(round, "STTTT", "1.2", "Đã họp 2 lần, có biên bản", vec![file], REPORTER).await?;
        let again = store.contest(round, "STTTT", "1.2", "lần nữa", Vec::new(), REPORTER).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "one open contest per indicator: {again:?}");
        let early = store.advance_stage(round, Stage::Approved, ADMIN).await;
        assert!(
            matches!(early, Err(StoreError::NotAllowed(Refusal::ContestsOpen { count: 1 }))),
            "{early:?}"
        );
        let listed = store.contests(round, Some("STTTT")).await?;
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].status, listed[0].files.len()), (chiso_store::ContestStatus::Open, 1));
        let (owner, meta, content) = store.contest_file(round, listed[0].files[0].id).await?.unwrap();
        assert_eq!(
            (owner.as_str(), meta.name.as_str(), content.as_slice()),
            ("STTTT", "bien-ban-2.pdf", &b"%PDF-1.4 second minutes"[..])
        );

        store.answer_contest(round, contest, Some("2"), "Biên bản thứ hai hợp lệ", APPRAISER).await?;
        let answered = store.answer_contest(round, contest, None, "x", APPRAISER).await;
        assert!(matches!(answered, Err(StoreError::Conflict(_))), "{answered:?}");
        let appraised = store.unit_appraisals(round, "STTTT").await?;
        assert!(
            appraised
                .iter()
                .any(|a| a.indicator == "1.2" && a.value == "2" && a.reason == "Biên bản thứ hai hợp lệ")
        );
        store.advance_stage(round, Stage::Approved, ADMIN).await?;
        let published = store.publish_workflow_round(round, "Quyết định số 99/QĐ-UBND", ADMIN).await?;
        let final_publication = store.publication(published).await?.unwrap();
        assert!(!final_publication.info.preliminary);
        assert_eq!(final_publication.info.supersedes, Some(preliminary));
        let before: serde_json::Value =
            serde_json::from_str(&store.publication(preliminary).await?.unwrap().results_json_vi)?;
        let after: serde_json::Value = serde_json::from_str(&final_publication.results_json_vi)?;
        let total = |doc: &serde_json::Value| {
            doc["units"].as_array().unwrap().iter().find(|u| u["code"] == "STTTT").unwrap()["total"].as_f64()
        };
        assert!(total(&after) > total(&before), "the accepted contest raised 1.2 in the final results");
        let actions: Vec<String> =
            store.unit_events(round, "STTTT").await?.into_iter().map(|e| e.action).collect();
        assert!(actions.ends_with(&["contest".to_owned(), "contest_accepted".to_owned()]), "{actions:?}");
        Ok(())
    })
    .await;
}
