//! Scopes and periods: the pooled province, 1.2 carried from it, 5.3 by level,
//! totals, ranks, changes and the periods shown.

use super::super::result::{GroupScore, ScopeScore};
use super::super::scoring::rank;
use super::*;

#[test]
fn the_province_is_the_ratio_of_pooled_counts_not_the_mean_of_unit_rates() {
    let mut w = World::new(&[("A", Level::Department, false), ("B", Level::Department, false)]);
    let (pa, pb) = (w.procedure("A", "P", |_| {}), w.procedure("B", "P", |_| {}));
    let mut t = w.tally(Inputs::all());
    let synced = |p, s| Dossier { synced: s, ..dossier(p, "2025-03-03T08:00") };
    // A: 1 of 1 synced; B: 1 of 3.
    add(&mut t, [synced(pa, true), synced(pb, true), synced(pb, false), synced(pb, false)]);
    let index = t.score(&PeriodRange::all());
    let province = indicator(&index.periods[0].province, "1.4");
    assert_eq!((province.numerator, province.denominator, province.rate), (Some(2.0), Some(4.0), Some(0.5)));
    let mean_of_units = (1.0 + 1.0 / 3.0) / 2.0;
    assert!(!close(province.rate.unwrap_or(0.0), mean_of_units));
    assert_eq!(province.points, 3.0);
    assert_eq!(index.periods[0].province.rank, None, "the province has no rank");
}

#[test]
fn procedures_made_public_on_time_are_the_provinces_for_every_unit() {
    let mut w = World::new(&[("A", Level::Department, false), ("X", Level::Commune, false)]);
    // A's procedure: announced Mon 03-03, public Tue 03-11 (wd = 6): late.
    let pa = w.procedure("A", "P", |p| {
        p.announced = Some(date("2025-03-03"));
        p.published = Some(date("2025-03-11"));
    });
    // X's: public Mon 03-10 (wd = 5): on time. X2: not yet public.
    let px = w.procedure("X", "P", |p| {
        p.announced = Some(date("2025-03-03"));
        p.published = Some(date("2025-03-10"));
    });
    w.procedure("X", "P2", |p| p.announced = Some(date("2025-03-04")));
    let (a, x) = (w.unit_id("A"), w.unit_id("X"));
    let mut t = w.tally(Inputs::all());
    add(&mut t, [dossier(pa, "2025-03-03T08:00"), dossier(px, "2025-03-03T08:00")]);
    let index = t.score(&PeriodRange::all());
    for unit in [None, Some(a), Some(x)] {
        let i = indicator(scope(&index, 0, unit), "1.2");
        assert_eq!((i.numerator, i.denominator), (Some(1.0), Some(3.0)), "{unit:?}");
        assert!(close(i.points, 4.0 / 3.0));
    }
}

#[test]
fn certification_of_copies_is_not_applicable_to_departments_whose_total_is_scaled() {
    let mut w = World::new(&[
        ("D", Level::Department, false),
        ("X", Level::Commune, true),
        ("Y", Level::Commune, false),
        ("Z", Level::Commune, false),
    ]);
    let procedures: Vec<_> =
        ["D", "X", "Y"].iter().map(|u| w.procedure(u, "P", |p| p.complete = true)).collect();
    let ids: Vec<_> = ["D", "X", "Y"].iter().map(|u| w.unit_id(u)).collect();
    let mut t = w.tally(Inputs::all());
    let perfect = |p| Dossier {
        synced: true,
        online: true,
        e_result: true,
        attached: true,
        reused: true,
        data_store: true,
        population_data: true,
        ..dossier(p, "2025-03-03T08:00")
    };
    add(&mut t, procedures.iter().map(|&p| perfect(p)));
    let index = t.score(&PeriodRange::all());
    let department = scope(&index, 0, Some(ids[0]));
    let copies = indicator(department, "5.3");
    assert_eq!(
        (copies.status, copies.max, copies.points, copies.rate),
        (Status::NotApplicable, 0.0, 0.0, None)
    );
    assert_eq!((copies.numerator, copies.denominator), (None, None));
    assert_eq!(department.groups[4].max, 20.0, "group 5 loses 5.3's 2 points");
    // Everything else is perfect: 98 of 98, scaled to 100.
    assert!(close(department.total, 100.0), "{}", department.total);
    assert_eq!(department.max, 100.0);
    // A commune with copies earns the 2 points, one without 0.
    assert_eq!(indicator(scope(&index, 0, Some(ids[1])), "5.3").points, 2.0);
    let without = scope(&index, 0, Some(ids[2]));
    assert_eq!(indicator(without, "5.3").rate, Some(0.0));
    assert!(close(without.total, 98.0));
    // The province: 1 of the 3 communes (Z has no dossier but is a commune).
    let province = indicator(&index.periods[0].province, "5.3");
    assert_eq!((province.numerator, province.denominator), (Some(1.0), Some(3.0)));
}

#[test]
fn scaling_applies_to_the_total_only() {
    let mut w = World::new(&[("D", Level::Department, false)]);
    let p = w.procedure("D", "P", |_| {});
    let d = w.unit_id("D");
    let mut t = w.tally(Inputs::none());
    // Late, no optional input: 1.1 6 + 1.2 4 + 3.0 12 (no data: full points);
    // 1.3 and 2.1 earn 0; every indicator needing an optional input earns 0.
    add(&mut t, [Dossier { finished: Some(time("2025-03-31T00:00")), ..dossier(p, "2025-03-03T08:00") }]);
    let index = t.score(&PeriodRange::all());
    let s = scope(&index, 0, Some(d));
    let raw: f64 = s.groups.iter().map(|g| g.points).sum();
    assert_eq!(raw, 22.0, "{:#?}", s.groups);
    assert!(close(s.total, 22.0 * 100.0 / 98.0));
}

fn unit_score(total: f64, unit: u32) -> ScopeScore {
    ScopeScore {
        scope: Scope::Unit(UnitId(unit)),
        total,
        max: 100.0,
        rank: None,
        change: None,
        groups: Vec::<GroupScore>::new(),
        missing_inputs: Vec::new(),
    }
}

#[test]
fn ranks_are_competition_ranks_with_totals_within_1e_9_tied() {
    let mut scores = vec![
        unit_score(80.0, 0),
        unit_score(90.0, 1),
        unit_score(80.0 + 5e-10, 2),
        unit_score(70.0, 3),
        unit_score(80.0 - 2e-9, 4),
    ];
    rank(&mut scores);
    let ranked: Vec<(Option<usize>, usize)> =
        scores.iter().map(|s| (s.rank, s.unit().map(UnitId::index).unwrap_or(99))).collect();
    assert_eq!(ranked, [(Some(1), 1), (Some(2), 0), (Some(2), 2), (Some(4), 4), (Some(5), 3)]);
}

#[test]
fn units_are_ranked_within_their_level() {
    let mut w = World::new(&[
        ("D1", Level::Department, false),
        ("D2", Level::Department, false),
        ("X", Level::Commune, false),
    ]);
    let ps: Vec<_> = ["D1", "D2", "X"].iter().map(|u| w.procedure(u, "P", |_| {})).collect();
    let mut t = w.tally(Inputs::all());
    let late = |p| Dossier { finished: Some(time("2025-03-31T00:00")), ..dossier(p, "2025-03-03T08:00") };
    add(&mut t, [late(ps[0]), dossier(ps[1], "2025-03-03T08:00"), late(ps[2])]);
    let index = t.score(&PeriodRange::all());
    let period = &index.periods[0];
    let codes: Vec<_> = period.departments.iter().map(|s| (s.unit().map(UnitId::index), s.rank)).collect();
    assert_eq!(codes, [(Some(1), Some(1)), (Some(0), Some(2))]);
    assert_eq!(period.communes[0].rank, Some(1), "alone in its level");
}

#[test]
fn change_is_against_the_previous_period_when_the_unit_was_scored_then() {
    let mut w = World::new(&[("A", Level::Department, false), ("B", Level::Department, false)]);
    let (pa, pb) = (w.procedure("A", "P", |_| {}), w.procedure("B", "P", |_| {}));
    let (a, b) = (w.unit_id("A"), w.unit_id("B"));
    let mut t = w.tally(Inputs::all());
    let late = |p, at| Dossier { finished: Some(time("2025-06-30T00:00")), ..dossier(p, at) };
    // A: February late, March on time, May on time (April: nothing anywhere).
    // B: only March.
    add(
        &mut t,
        [
            late(pa, "2025-02-03T08:00"),
            dossier(pa, "2025-03-03T08:00"),
            dossier(pb, "2025-03-03T08:00"),
            dossier(pa, "2025-05-05T08:00"),
        ],
    );
    let index = t.score(&PeriodRange::all());
    let shown: Vec<String> = index.periods.iter().map(|p| p.period.to_string()).collect();
    assert_eq!(shown, ["2025-02", "2025-03", "2025-05"], "a period without dossiers is not scored");
    let feb = scope(&index, 0, Some(a)).total;
    let mar = scope(&index, 1, Some(a));
    assert_eq!(scope(&index, 0, Some(a)).change, None, "nothing before February");
    assert!(close(mar.change.unwrap_or(f64::NAN), mar.total - feb));
    // 2.1 (20) and 6.3 (6) now on time, scaled to 100 as for every department.
    assert!(close(mar.change.unwrap_or(0.0), 26.0 * 100.0 / 98.0));
    assert_eq!(scope(&index, 1, Some(b)).change, None, "B was not scored in February");
    assert_eq!(scope(&index, 2, Some(a)).change, None, "April was not scored");
    let province_change = index.periods[1].province.change.unwrap_or(f64::NAN);
    assert!(close(province_change, index.periods[1].province.total - index.periods[0].province.total));
}

#[test]
fn a_range_hides_earlier_periods_but_keeps_their_change() {
    let mut w = World::new(&[("A", Level::Department, false)]);
    let p = w.procedure("A", "P", |_| {});
    let a = w.unit_id("A");
    let mut t = w.tally(Inputs::all());
    add(&mut t, [dossier(p, "2025-02-03T08:00"), dossier(p, "2025-03-03T08:00")]);
    let range = PeriodRange::parse(Some("2025-03"), None).unwrap_or_default();
    let index = t.score(&range);
    assert_eq!(index.periods.len(), 1);
    assert_eq!(scope(&index, 0, Some(a)).change, Some(0.0), "February was scored, though not shown");
}

#[test]
fn petitions_alone_do_not_make_a_period_scored() {
    let mut w = World::new(&[("A", Level::Department, false)]);
    let p = w.procedure("A", "P", |_| {});
    let a = w.unit_id("A");
    let mut t = w.tally(Inputs::all());
    add(&mut t, [dossier(p, "2025-03-03T08:00")]);
    let petition = Petition {
        unit: a,
        received: time("2025-04-02T08:00"),
        due: time("2025-04-09T08:00"),
        handled: None,
        satisfied: None,
        reopened: false,
    };
    t.add_petition(&petition).unwrap_or_else(|e| panic!("{e:?}"));
    let index = t.score(&PeriodRange::all());
    assert_eq!(index.periods.len(), 1);
    assert_eq!(index.periods[0].period.to_string(), "2025-03");
}
