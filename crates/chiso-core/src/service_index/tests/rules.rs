//! One indicator or rule at a time, on one department (D) and one commune (X).

use super::super::rules::{Facts, indicator_score};
use super::*;

/// A department D with a procedure P (every flag false), and commune X with Q.
fn world() -> (World, ProcedureId, ProcedureId) {
    let mut w = World::new(&[("D", Level::Department, false), ("X", Level::Commune, true)]);
    let p = w.procedure("D", "P", |_| {});
    let q = w.procedure("X", "Q", |_| {});
    (w, p, q)
}

#[test]
fn a_linear_indicator_earns_max_times_rate() {
    let (w, p, _) = world();
    let mut t = w.tally(Inputs::all());
    let synced = |s| Dossier { synced: s, ..dossier(p, "2025-03-03T08:00") };
    add(&mut t, [synced(true), synced(true), synced(true), synced(false)]);
    let index = t.score(&PeriodRange::all());
    let i = indicator(scope(&index, 0, Some(index.catalogue.unit_id("D").unwrap_or_default())), "1.4");
    assert_eq!((i.numerator, i.denominator, i.rate), (Some(3.0), Some(4.0), Some(0.75)));
    assert_eq!((i.points, i.max, i.status), (4.5, 6.0, Status::Ok));
}

#[test]
fn a_target_indicator_reaches_its_max_at_the_target() {
    let (w, p, _) = world();
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    // 5.4, target 80 %: 1 of 2 reused → 2 × 0.5 / 0.8 = 1.25.
    let reused = |r| Dossier { reused: r, ..dossier(p, "2025-03-03T08:00") };
    add(&mut t, [reused(true), reused(false)]);
    // April: 9 of 10 → above the target: the full 2 points.
    let april = |r| Dossier { reused: r, ..dossier(p, "2025-04-01T08:00") };
    add(&mut t, (0..10).map(|i| april(i < 9)));
    let index = t.score(&PeriodRange::all());
    let march = indicator(scope(&index, 0, Some(d)), "5.4");
    assert!(close(march.points, 1.25), "{march:?}");
    let april = indicator(scope(&index, 1, Some(d)), "5.4");
    assert_eq!((april.rate, april.points), (Some(0.9), 2.0));
}

#[test]
fn a_zero_denominator_is_no_data_and_earns_full_points() {
    let (w, p, _) = world();
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    add(&mut t, [dossier(p, "2025-03-03T08:00")]);
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    // no fee_due dossier (4.A), no petition (6.1, 6.2), no paper result (5.1), no
    // fee procedure (4.B, 4.C), no citizen procedure (5.7), nothing announced (1.1).
    for code in ["4.A", "6.1", "6.2", "5.1", "4.B", "4.C", "5.7", "1.1", "3.0"] {
        let i = indicator(s, code);
        assert_eq!(i.status, Status::NoData, "{code}");
        assert_eq!((i.numerator, i.denominator, i.rate), (Some(0.0), Some(0.0), None), "{code}");
        assert_eq!(i.points, i.max, "{code}");
        assert!(i.max > 0.0, "{code}");
    }
    // reported indicators earn nothing, even without data.
    let offered = indicator(s, "3.2");
    assert_eq!((offered.status, offered.points, offered.max), (Status::NoData, 0.0, 0.0));
}

#[test]
fn dossier_satisfaction_earns_nothing_without_dossiers() {
    let facts = Facts::default();
    let i = indicator_score(IndicatorCode::DossierSatisfaction, &facts, Inputs::all());
    assert_eq!((i.status, i.points, i.max), (Status::NoData, 0.0, 6.0));
    let petitions = indicator_score(IndicatorCode::PetitionsOnTime, &facts, Inputs::all());
    assert_eq!((petitions.status, petitions.points), (Status::NoData, 6.0), "unlike petitions");
}

#[test]
fn an_absent_input_scores_zero_and_is_listed() {
    let (w, p, _) = world();
    let d = w.unit_id("D");
    let inputs = Inputs::all().without(Input::Synced).without(Input::Petitions);
    let mut t = w.tally(inputs);
    add(&mut t, [Dossier { synced: true, ..dossier(p, "2025-03-03T08:00") }]);
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    for code in ["1.4", "4.C", "6.1", "6.2"] {
        let i = indicator(s, code);
        assert_eq!(i.status, Status::MissingInput, "{code}");
        assert_eq!((i.numerator, i.denominator, i.rate, i.points), (None, None, None, 0.0), "{code}");
        assert!(i.max > 0.0, "{code} keeps its max: a missing export never raises a score");
    }
    let codes: Vec<&str> = s.missing_inputs.iter().map(|c| c.code()).collect();
    assert_eq!(codes, ["1.4", "4.C", "6.1", "6.2"]);
    assert_eq!(index.periods[0].province.missing_inputs, s.missing_inputs);
    // 4.C would be no_data (no fee procedure, full points) with the column: missing
    // wins, so the absent export costs its 2 points.
    assert_eq!(indicator(s, "4.C").points, 0.0);
}

#[test]
fn on_time_dossiers_subtract_supplement_days_and_judge_unfinished_ones_at_the_period_end() {
    let (w, p, _) = world();
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    let base = dossier(p, "2025-03-03T08:00");
    let due = time("2025-03-10T17:00");
    add(
        &mut t,
        [
            // finished exactly at due: on time
            Dossier { due, finished: Some(due), ..base },
            // finished 2 days late, 2.5 days waiting for the applicant: on time
            Dossier { due, finished: Some(time("2025-03-12T17:00")), supplement_days: 2.5, ..base },
            // finished 1 day late, 0.5 days of supplement: late
            Dossier { due, finished: Some(time("2025-03-11T17:00")), supplement_days: 0.5, ..base },
            // unfinished, due after the period end (2025-04-01T00:00): on time
            Dossier { due: time("2025-04-01T00:00"), finished: None, ..base },
            // unfinished, due before the period end: late
            Dossier { due: time("2025-03-31T23:59"), finished: None, ..base },
        ],
    );
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    let on_time = indicator(s, "2.1");
    assert_eq!((on_time.numerator, on_time.denominator), (Some(3.0), Some(5.0)));
    assert!(close(on_time.points, 12.0));
    // 2.2: finished ones: 7d9h, (9d9h − 2.5d), (8d9h − 0.5d) → (7.375 + 6.875 + 7.875) / 3
    let mean = indicator(s, "2.2");
    assert_eq!((mean.points, mean.max, mean.rate), (0.0, 0.0, None));
    assert!(close(mean.value.unwrap_or(f64::NAN), (7.375 + 6.875 + 7.875) / 3.0), "{mean:?}");
    assert_eq!(mean.denominator, Some(3.0));
}

#[test]
fn mean_handling_time_is_null_without_finished_dossiers() {
    let (w, p, _) = world();
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    add(&mut t, [Dossier { finished: None, ..dossier(p, "2025-03-03T08:00") }]);
    let index = t.score(&PeriodRange::all());
    let mean = indicator(scope(&index, 0, Some(d)), "2.2");
    assert_eq!((mean.status, mean.value, mean.numerator), (Status::NoData, None, Some(0.0)));
}

#[test]
fn online_indicators_count_full_procedures_and_online_dossiers() {
    let mut w = World::new(&[("D", Level::Department, false)]);
    let full = w.procedure("D", "F", |p| p.online = OnlineLevel::Full);
    let partial = w.procedure("D", "P", |p| p.online = OnlineLevel::Partial);
    let _unused = w.procedure("D", "U", |p| p.online = OnlineLevel::Partial);
    let _offline = w.procedure("D", "N", |_| {});
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    let at = |p, online| Dossier { online, ..dossier(p, "2025-03-03T08:00") };
    add(&mut t, [at(full, true), at(full, false), at(partial, true), at(partial, false)]);
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    let fully = indicator(s, "3.0");
    assert_eq!((fully.numerator, fully.denominator, fully.points), (Some(1.0), Some(2.0), 6.0));
    // 3.1: 3 of 4 procedures online; 3.2: 2 of those 3 had an online dossier; 3.3: 2 of 4.
    assert_eq!(indicator(s, "3.1").rate, Some(0.75));
    assert!(close(indicator(s, "3.2").rate.unwrap_or(0.0), 2.0 / 3.0));
    assert_eq!(indicator(s, "3.3").rate, Some(0.5));
    for code in ["3.1", "3.2", "3.3"] {
        assert_eq!((indicator(s, code).points, indicator(s, code).max), (0.0, 0.0), "{code}");
    }
}

#[test]
fn payment_indicators_follow_fees_and_synchronisation() {
    let mut w = World::new(&[("D", Level::Department, false)]);
    let a = w.procedure("D", "A", |p| p.fee = true);
    let b = w.procedure("D", "B", |p| p.fee = true);
    let _c = w.procedure("D", "C", |p| p.fee = true); // no dossier this month
    let free = w.procedure("D", "F", |_| {});
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    let at = |p, fee_due, paid_online, synced| Dossier {
        fee_due,
        paid_online,
        synced,
        ..dossier(p, "2025-03-03T08:00")
    };
    add(
        &mut t,
        [
            at(a, true, true, true),
            at(a, true, false, true),
            at(b, true, false, false),
            at(free, false, false, true),
        ],
    );
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    // 4.A: 1 paid online of 3 with a fee due → 6 / 3 = 2.
    assert!(close(indicator(s, "4.A").points, 2.0));
    // 4.B: 1 of 3 fee procedures had a payment online → 2 × (1/3) / 0.8.
    assert!(close(indicator(s, "4.B").points, 2.0 * (1.0 / 3.0) / 0.8));
    // 4.C: of the 2 fee procedures with dossiers, A's were all synced, B's not → 0.5 / 0.8 × 2.
    let fee_synced = indicator(s, "4.C");
    assert_eq!((fee_synced.numerator, fee_synced.denominator), (Some(1.0), Some(2.0)));
    assert!(close(fee_synced.points, 1.25));
}

#[test]
fn digitisation_indicators_read_paper_results_and_attachments() {
    let mut w = World::new(&[("D", Level::Department, false)]);
    let paper = w.procedure("D", "P", |p| {
        p.paper_result = true;
        p.citizen = true;
    });
    let other = w.procedure("D", "O", |p| p.citizen = true);
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    let at = |p, e_result, attached| Dossier { e_result, attached, ..dossier(p, "2025-03-03T08:00") };
    add(
        &mut t,
        [
            at(paper, true, true),  // 5.1 yes, 5.2 yes
            at(paper, false, true), // 5.1 no, 5.2 no: attached but no electronic result
            at(other, false, true), // 5.2 yes: no paper result expected
            Dossier { population_data: true, data_store: true, ..at(other, false, false) },
        ],
    );
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    assert_eq!(indicator(s, "5.1").rate, Some(0.5));
    assert_eq!(indicator(s, "5.2").rate, Some(0.5));
    assert_eq!(indicator(s, "5.5").rate, Some(0.25));
    assert_eq!(indicator(s, "5.6").points, 0.5);
    // 5.7: of 2 citizen procedures, O had a dossier with population data.
    assert_eq!(indicator(s, "5.7").rate, Some(0.5));
}

#[test]
fn petitions_on_time_and_satisfaction() {
    let (w, p, _) = world();
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    add(&mut t, [dossier(p, "2025-03-03T08:00")]);
    let petition = |handled: Option<&str>, due: &str, satisfied, reopened| Petition {
        unit: d,
        received: time("2025-03-05T09:00"),
        due: time(due),
        handled: handled.map(time),
        satisfied,
        reopened,
    };
    for p in [
        petition(Some("2025-03-10T09:00"), "2025-03-10T09:00", Some(true), false), // on time, satisfied
        petition(Some("2025-03-10T09:00"), "2025-03-12T00:00", Some(false), false), // on time, not satisfied
        petition(Some("2025-03-10T09:00"), "2025-03-12T00:00", None, true),        // on time, reopened
        petition(None, "2025-04-01T00:00", None, false), // pending, due at the period end: on time
        petition(None, "2025-03-31T00:00", None, false), // pending, overdue: late
        petition(Some("2025-03-20T09:00"), "2025-03-19T00:00", Some(true), false), // late
    ] {
        t.add_petition(&p).unwrap_or_else(|e| panic!("{e:?}"));
    }
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    assert_eq!((indicator(s, "6.1").numerator, indicator(s, "6.1").denominator), (Some(4.0), Some(6.0)));
    assert_eq!(indicator(s, "6.2").numerator, Some(2.0));
    assert!(close(indicator(s, "6.2").points, 2.0));
}

#[test]
fn dossier_satisfaction_removes_late_and_disliked_dossiers_once() {
    let (w, p, _) = world();
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    let base = dossier(p, "2025-03-03T08:00");
    let late = Dossier { finished: Some(time("2025-03-20T08:00")), ..base };
    add(
        &mut t,
        [
            base,
            base,
            Dossier { disliked: true, ..base },
            Dossier { disliked: true, ..late }, // late and disliked: counted once
            late,
        ],
    );
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    // (5 − 2 late − 1 disliked not late) / 5 = 0.4 → 6 × 0.4 / 0.9
    let i = indicator(s, "6.3");
    assert_eq!(i.rate, Some(0.4));
    assert!(close(i.points, 6.0 * 0.4 / 0.9));
}

#[test]
fn announcements_count_in_the_period_of_their_decision() {
    let mut w = World::new(&[("D", Level::Department, false)]);
    // Announced Mon 2025-03-03; effective Mon 03-10: wd = 5 → on time.
    let on_time = w.procedure("D", "A", |p| {
        p.announced = Some(date("2025-03-03"));
        p.effective = Some(date("2025-03-10"));
    });
    // effective Fri 03-07: wd = 4 → late.
    w.procedure("D", "B", |p| {
        p.announced = Some(date("2025-03-03"));
        p.effective = Some(date("2025-03-07"));
    });
    // no effective date: not counted in 1.1 (only in 1.2).
    w.procedure("D", "C", |p| p.announced = Some(date("2025-03-03")));
    // announced in April: not March's.
    w.procedure("D", "E", |p| {
        p.announced = Some(date("2025-04-01"));
        p.effective = Some(date("2025-04-01"));
    });
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    add(&mut t, [dossier(on_time, "2025-03-03T08:00")]);
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    let announced = indicator(s, "1.1");
    assert_eq!((announced.numerator, announced.denominator, announced.points), (Some(1.0), Some(2.0), 3.0));
}

#[test]
fn refused_records_change_nothing() {
    let (w, p, _) = world();
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    let base = dossier(p, "2025-03-03T08:00");
    let negative = Dossier { supplement_days: -1.0, ..base };
    assert!(matches!(t.add_dossier(&negative), Err(RecordProblem::NegativeSupplementDays { .. })));
    let backwards = Dossier { finished: Some(time("2025-03-01T08:00")), ..base };
    assert_eq!(t.add_dossier(&backwards), Err(RecordProblem::FinishedBeforeReceived));
    let petition = Petition {
        unit: d,
        received: time("2025-03-05T09:00"),
        due: time("2025-03-10T09:00"),
        handled: Some(time("2025-03-04T09:00")),
        satisfied: None,
        reopened: false,
    };
    assert_eq!(t.add_petition(&petition), Err(RecordProblem::HandledBeforeReceived));
    assert!(t.score(&PeriodRange::all()).periods.is_empty());
}

#[test]
fn numerators_stay_within_their_denominators() {
    let mut w = World::new(&[("D", Level::Department, false)]);
    let fee = w.procedure("D", "F", |p| p.fee = true);
    let paper = w.procedure("D", "P", |p| p.paper_result = true);
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    add(
        &mut t,
        [
            // paid online without a fee due, an electronic result not expected
            Dossier { paid_online: true, e_result: true, ..dossier(fee, "2025-03-03T08:00") },
            // a fee due, not paid online; a paper result, not electronic
            Dossier { fee_due: true, ..dossier(paper, "2025-03-03T08:00") },
        ],
    );
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    let paid = indicator(s, "4.A");
    assert_eq!((paid.numerator, paid.denominator), (Some(0.0), Some(1.0)));
    let electronic = indicator(s, "5.1");
    assert_eq!((electronic.numerator, electronic.denominator), (Some(0.0), Some(1.0)));
    // 4.B needs only a dossier paid online
    assert_eq!(indicator(s, "4.B").rate, Some(1.0));
}

#[test]
fn a_procedure_made_public_before_its_announcement_is_on_time() {
    let mut w = World::new(&[("D", Level::Department, false)]);
    let p = w.procedure("D", "P", |p| {
        p.announced = Some(date("2025-03-10"));
        p.published = Some(date("2025-03-05"));
    });
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::all());
    add(&mut t, [dossier(p, "2025-03-03T08:00")]);
    let index = t.score(&PeriodRange::all());
    assert_eq!(indicator(scope(&index, 0, Some(d)), "1.2").rate, Some(1.0), "wd = −3 ≤ 5");
}
