#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::model::Model;
use super::uncertainty::quantile;
use super::*;
use crate::assessment::{Group, OverallRule, Unit};
use crate::framework::{Aggregate, Band, BandDef, Framework, FrameworkDef, IndicatorDef, Method, Normalise};
use crate::lang::{Lang, Names, NamesDef};
use crate::rule::RuleDef;
use crate::score::{AssessmentResults, score_assessment};
use crate::value::Values;
use crate::{Assessment, Entry};
use std::sync::atomic::{AtomicUsize, Ordering};

fn n(code: &str) -> Option<NamesDef> {
    Some(NamesDef::new(code, code))
}

fn leaf(code: &str, max: f64, rule: RuleDef) -> IndicatorDef {
    IndicatorDef {
        code: Some(code.into()),
        name: n(code),
        max: Some(max),
        rule: Some(rule),
        ..Default::default()
    }
}

fn kind(kind: &str) -> RuleDef {
    RuleDef { kind: Some(kind.into()), ..RuleDef::default() }
}

fn parent(code: &str, max: f64) -> IndicatorDef {
    IndicatorDef { code: Some(code.into()), name: n(code), max: Some(max), ..Default::default() }
}

fn bands(list: &[(&str, f64)]) -> Vec<BandDef> {
    list.iter()
        .map(|&(code, min)| BandDef { code: Some(code.into()), min: Some(min), label: n(code) })
        .collect()
}

fn build(def: FrameworkDef) -> Framework {
    Framework::build(&def).unwrap_or_else(|p| panic!("{p:?}"))
}

/// Scale 20, three levels, caps (1 and 2.2), every kind of leaf arithmetic.
fn points_framework() -> Framework {
    build(FrameworkDef {
        id: Some("p".into()),
        name: n("p"),
        scale: Some(20.0),
        bands: bands(&[("fair", 10.0), ("good", 15.0), ("weak", 0.0)]),
        indicators: vec![
            parent("1", 8.0),
            leaf("1.1", 4.0, kind("manual")),
            leaf("1.2", 4.0, kind("relative")),
            leaf("1.3", 2.0, kind("boolean")),
            parent("2", 7.0),
            leaf("2.1", 4.0, RuleDef { from: Some(0.0), to: Some(100.0), ..kind("linear") }),
            parent("2.2", 3.0),
            leaf("2.2.1", 2.0, kind("manual")),
            leaf("2.2.2", 2.0, RuleDef { cap: Some(5.0), ..kind("count") }),
            parent("3", 5.0),
            leaf("3.1", 5.0, kind("ratio")),
        ],
        ..FrameworkDef::default()
    })
}

const POINTS_ROWS: [&[(&str, &str)]; 6] = [
    &[
        ("1.1", "4"),
        ("1.2", "80"),
        ("1.3", "có"),
        ("2.1", "90"),
        ("2.2.1", "2"),
        ("2.2.2", "5"),
        ("3.1", "3/4"),
    ],
    &[
        ("1.1", "2"),
        ("1.2", "na"),
        ("1.3", "không"),
        ("2.1", "40"),
        ("2.2.1", "na"),
        ("2.2.2", "na"),
        ("3.1", "50%"),
    ],
    &[
        ("1.1", "3"),
        ("1.2", "100"),
        ("1.3", "có"),
        ("2.1", ""),
        ("2.2.1", "1"),
        ("2.2.2", "7"),
        ("3.1", "na"),
    ],
    &[
        ("1.1", "1.5"),
        ("1.2", "20"),
        ("1.3", "có"),
        ("2.1", "70"),
        ("2.2.1", "0.5"),
        ("2.2.2", "2"),
        ("3.1", "1/4"),
    ],
    &[
        ("1.1", "0"),
        ("1.2", "60"),
        ("1.3", ""),
        ("2.1", "10"),
        ("2.2.1", "2"),
        ("2.2.2", "1"),
        ("3.1", "2/2"),
    ],
    &[
        ("1.1", "1.5"),
        ("1.2", "20"),
        ("1.3", "có"),
        ("2.1", "70"),
        ("2.2.1", "0.5"),
        ("2.2.2", "2"),
        ("3.1", "1/4"),
    ],
];

fn composite_framework(normalise: Normalise, aggregate: Aggregate) -> Framework {
    let weighted = |code: &str, parent: &str, weight: f64, direction: f64| IndicatorDef {
        code: Some(code.into()),
        parent: Some(parent.into()),
        name: n(code),
        weight: Some(weight),
        direction: Some(direction),
        ..IndicatorDef::default()
    };
    let mut framework = build(FrameworkDef {
        id: Some("c".into()),
        name: n("c"),
        method: Some("composite".into()),
        bands: bands(&[("good", 60.0), ("weak", 0.0)]),
        indicators: vec![
            IndicatorDef { code: Some("Index".into()), name: n("Index"), ..Default::default() },
            weighted("A", "Index", 2.0, 1.0),
            weighted("a1", "A", 1.0, 1.0),
            weighted("a2", "A", 1.0, -1.0),
            weighted("B", "Index", 1.0, 1.0),
            weighted("b1", "B", 1.0, 1.0),
            weighted("b2", "B", 3.0, 1.0),
        ],
        ..FrameworkDef::default()
    });
    framework.method = Method::Composite { normalise, aggregate };
    framework
}

const COMPOSITE_ROWS: [&[(&str, &str)]; 6] = [
    &[("a1", "10"), ("a2", "5"), ("b1", "1"), ("b2", "7")],
    &[("a1", "20"), ("a2", "1"), ("b1", "2"), ("b2", "3")],
    &[("a1", "30"), ("a2", "10"), ("b1", "4"), ("b2", "")],
    &[("a1", "12"), ("a2", "4"), ("b1", "3"), ("b2", "6")],
    &[("a1", "25"), ("a2", "8"), ("b1", "2.5"), ("b2", "5")],
    &[("a1", "18"), ("a2", "3"), ("b1", "1.5"), ("b2", "9")],
];

const MINMAX_1_100: Normalise = Normalise::MinMax { low: 1.0, high: 100.0 };

/// An assessment of the given groups; `rows[i]` = (group, values by code).
fn package(frameworks: Vec<Framework>, rows: &[(usize, &[(&str, &str)])]) -> (Assessment, Values) {
    let groups: Vec<Group> = frameworks
        .into_iter()
        .enumerate()
        .map(|(g, framework)| Group { code: format!("g{g}"), name: Names::new("g", "g"), framework })
        .collect();
    let units: Vec<Unit> = rows
        .iter()
        .enumerate()
        .map(|(u, &(group, _))| Unit {
            code: format!("U{u}"),
            name: Names::new("u", "u"),
            group,
            parent: None,
        })
        .collect();
    let mut values = Values::empty(rows.iter().map(|&(g, _)| groups[g].framework.indicators.len()));
    for (u, &(g, row)) in rows.iter().enumerate() {
        let framework = &groups[g].framework;
        for (code, text) in row {
            let i = framework.find(code).unwrap_or_else(|| panic!("no {code}"));
            values.set(u, i, framework.indicators[i].parse_entry(text).unwrap());
        }
    }
    let assessment = Assessment {
        year: 2024,
        name: Names::new("t", "t"),
        overall: OverallRule::MeanOfGroups,
        rank_precision: 2,
        groups,
        units,
    };
    (assessment, values)
}

fn points_package() -> (Assessment, Values) {
    let rows: Vec<(usize, &[(&str, &str)])> = POINTS_ROWS.iter().map(|r| (0, *r)).collect();
    package(vec![points_framework()], &rows)
}

fn composite_package(normalise: Normalise, aggregate: Aggregate) -> (Assessment, Values) {
    let rows: Vec<(usize, &[(&str, &str)])> = COMPOSITE_ROWS.iter().map(|r| (0, *r)).collect();
    package(vec![composite_framework(normalise, aggregate)], &rows)
}

fn spec(samples: usize, seed: u64, weights: &[(usize, f64)]) -> UncertaintySpec {
    UncertaintySpec {
        samples,
        seed,
        normalise: Vec::new(),
        aggregate: Vec::new(),
        weights: weights.iter().map(|&(depth, noise)| WeightNoise { depth, noise }).collect(),
    }
}

fn no_progress(_: usize) {}

/// The nominal totals in rank-array order (group after group, members in file order).
fn nominal_totals(assessment: &Assessment, results: &AssessmentResults) -> Vec<f64> {
    (0..assessment.groups.len())
        .flat_map(|g| assessment.units_of(g).collect::<Vec<_>>())
        .map(|u| results.units.iter().find(|r| r.unit == u).unwrap().total)
        .collect()
}

#[test]
fn unit_factors_reproduce_the_scoring_engine_bit_for_bit_in_points_mode() {
    let (assessment, values) = points_package();
    let results = score_assessment(&assessment, &values).unwrap();
    let expected = nominal_totals(&assessment, &results);
    for weights in
        [vec![], vec![(1, 0.3)], vec![(2, 0.3)], vec![(3, 0.3)], vec![(1, 0.3), (2, 0.2), (3, 0.1)]]
    {
        let model = Model::build(&assessment, &values, &spec(1, 0, &weights)).unwrap();
        // u = 0.5 gives the factor 1 exactly.
        let totals = model.all_totals(&vec![0.5; model.uniforms()]).unwrap();
        assert_eq!(totals, expected, "weights {weights:?}");
    }
}

#[test]
fn perturbed_points_are_rescaled_to_the_nominal_maxima_before_the_cap() {
    let framework = build(FrameworkDef {
        id: Some("s".into()),
        name: n("s"),
        scale: Some(10.0),
        bands: bands(&[("weak", 0.0)]),
        indicators: vec![
            parent("1", 6.0),
            leaf("1.1", 4.0, kind("manual")),
            leaf("1.2", 4.0, kind("manual")),
            parent("2", 4.0),
            leaf("2.1", 2.0, kind("manual")),
            leaf("2.2", 2.0, kind("manual")),
        ],
        ..FrameworkDef::default()
    });
    let rows: [(usize, &[(&str, &str)]); 2] = [
        (0, &[("1.1", "3"), ("1.2", "2"), ("2.1", "1"), ("2.2", "2")]),
        (0, &[("1.1", "4"), ("1.2", "4"), ("2.1", "1"), ("2.2", "na")]),
    ];
    let (assessment, values) = package(vec![framework], &rows);
    let model = Model::build(&assessment, &values, &spec(1, 0, &[(1, 0.5), (2, 0.5)])).unwrap();
    // Depth 1: factors 1.25, 1; depth 2 (1.1, 1.2, 2.1, 2.2): 1.25, 0.75, 1.25, 0.75.
    let totals = model.all_totals(&[0.75, 0.5, 0.75, 0.25, 0.75, 0.25]).unwrap();
    // Unit 0: parent 1 earns 1.25·3 + 0.75·2 = 5.25 of a scaled max 8 = nominal 8; parent 2
    // earns 1.25·1 + 0.75·2 = 2.75 of 4. Top: (1.25·5.25 + 2.75) / (1.25·6 + 4) × 10.
    let expect0 = (1.25 * 5.25 + 2.75) / (1.25 * 6.0 + 4.0) * 10.0;
    assert!((totals[0] - expect0).abs() < 1e-12, "{} vs {expect0}", totals[0]);
    // Unit 1: parent 1 earns 5 + 3 = 8 → capped at 6; 2.2 is na: parent 2's applicable
    // max is 4 × 2/4 = 2, its points 1.25·1 × (2 / 2.5) = 1.
    let expect1 = (1.25 * 6.0 + 1.0) / (1.25 * 6.0 + 2.0) * 10.0;
    assert!((totals[1] - expect1).abs() < 1e-12, "{} vs {expect1}", totals[1]);
}

#[test]
fn own_alternatives_reproduce_the_scoring_engine_in_composite_mode() {
    let cases: [(Vec<Normalise>, Vec<Aggregate>); 2] = [
        (
            vec![MINMAX_1_100, Normalise::ZScore { mean: 10.0, sd: 2.0 }, Normalise::None],
            vec![Aggregate::Arithmetic],
        ),
        (
            vec![MINMAX_1_100, Normalise::ZScore { mean: 10.0, sd: 2.0 }],
            vec![Aggregate::Arithmetic, Aggregate::Geometric],
        ),
    ];
    for (normalises, aggregates) in cases {
        let (assessment, values) = composite_package(MINMAX_1_100, Aggregate::Arithmetic);
        let mut spec = spec(1, 0, &[(1, 0.2), (2, 0.2)]);
        spec.normalise = normalises.clone();
        spec.aggregate = aggregates.clone();
        let model = Model::build(&assessment, &values, &spec).unwrap();
        for (i, &normalise) in normalises.iter().enumerate() {
            for (j, &aggregate) in aggregates.iter().enumerate() {
                let mut own = assessment.clone();
                own.groups[0].framework.method = Method::Composite { normalise, aggregate };
                let results = score_assessment(&own, &values).unwrap();
                let mut uniforms = vec![0.5; model.uniforms() - 2];
                uniforms.push((i as f64 + 0.5) / normalises.len() as f64);
                uniforms.push((j as f64 + 0.5) / aggregates.len() as f64);
                let totals = model.all_totals(&uniforms).unwrap();
                assert_eq!(totals, nominal_totals(&own, &results), "{normalise:?} {aggregate:?}");
            }
        }
    }
}

#[test]
fn composite_weights_multiply_the_weights() {
    let (assessment, values) = composite_package(MINMAX_1_100, Aggregate::Arithmetic);
    let results = score_assessment(&assessment, &values).unwrap();
    let model = Model::build(&assessment, &values, &spec(1, 0, &[(1, 0.5)])).unwrap();
    assert_eq!(model.dims, vec![2]);
    let totals = model.all_totals(&[0.75, 0.25]).unwrap();
    let framework = &assessment.groups[0].framework;
    let (a, b) = (framework.find("A").unwrap(), framework.find("B").unwrap());
    for (u, total) in totals.iter().enumerate() {
        let r = results.units.iter().find(|r| r.unit == u).unwrap();
        let expect = match (r.scores[a], r.scores[b]) {
            (Some(x), Some(y)) => (2.0 * 1.25 * x + 0.75 * y) / (2.0 * 1.25 + 0.75),
            (Some(x), None) => x,
            _ => unreachable!(),
        };
        assert!((total - expect).abs() < 1e-9, "unit {u}: {total} vs {expect}");
    }
}

fn assert_all_nominal(result: &UncertaintyResult) {
    for group in &result.groups {
        for r in &group.units {
            let nominal = r.nominal as f64;
            assert_eq!(
                (r.q05, r.median, r.q95, r.mean, r.band_kept),
                (nominal, nominal, nominal, nominal, Some(1.0))
            );
        }
    }
}

#[test]
fn zero_noise_and_single_alternatives_give_every_sample_the_nominal_ranks() {
    let (assessment, values) = points_package();
    let zero = spec(70, 3, &[(1, 0.0), (2, 0.0), (3, 0.0)]);
    assert_all_nominal(&uncertainty(&assessment, &values, &zero, &no_progress).unwrap());
    // Sample by sample, on the kernel.
    let model = Model::build(&assessment, &values, &zero).unwrap();
    let nominal: Vec<u32> = model.groups.iter().flat_map(|g| g.nominal.clone()).collect();
    let mut scratch = model.scratch(1);
    let mut ranks = vec![0; model.unit_count];
    for s in 0..50 {
        let uniforms: Vec<f64> =
            (0..model.uniforms()).map(|i| ((s * 31 + i * 17) % 97) as f64 / 97.0).collect();
        model.run(&uniforms, &mut scratch, &mut ranks, None).unwrap();
        assert_eq!(ranks, nominal);
    }

    let (assessment, values) = composite_package(MINMAX_1_100, Aggregate::Geometric);
    let mut zero = spec(70, 3, &[(0, 0.0), (1, 0.0), (2, 0.0)]);
    zero.normalise = vec![MINMAX_1_100];
    zero.aggregate = vec![Aggregate::Geometric];
    assert_all_nominal(&uncertainty(&assessment, &values, &zero, &no_progress).unwrap());
}

#[test]
fn intervals_are_ordered_and_listed_in_nominal_rank_order() {
    let (assessment, values) = points_package();
    let result =
        uncertainty(&assessment, &values, &spec(200, 9, &[(1, 0.4), (2, 0.4)]), &no_progress).unwrap();
    let results = score_assessment(&assessment, &values).unwrap();
    let order: Vec<usize> = results.units.iter().map(|r| r.unit).collect();
    assert_eq!(result.groups[0].units.iter().map(|r| r.unit).collect::<Vec<_>>(), order);
    let mut moved = false;
    for r in &result.groups[0].units {
        assert!(1.0 <= r.q05 && r.q05 <= r.median && r.median <= r.q95 && r.q95 <= 6.0, "{r:?}");
        assert!((1.0..=6.0).contains(&r.mean) && r.band_kept.is_some_and(|k| (0.0..=1.0).contains(&k)));
        moved |= r.q05 != r.q95;
    }
    assert!(moved, "noise 0.4 should move some rank");
}

#[test]
fn results_depend_on_the_seed_only_never_on_the_thread_count() {
    let (assessment, values) = points_package();
    let spec = spec(300, 11, &[(1, 0.5), (2, 0.5)]);
    let on = |threads: usize, spec: &UncertaintySpec| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let done = AtomicUsize::new(0);
        let progress = |n: usize| {
            done.fetch_add(n, Ordering::Relaxed);
        };
        let result = pool.install(|| uncertainty(&assessment, &values, spec, &progress).unwrap());
        assert_eq!(done.load(Ordering::Relaxed), spec.samples);
        result
    };
    let one = on(1, &spec);
    assert_eq!(one, on(3, &spec));
    assert_eq!(one, on(2, &spec));
    let other = UncertaintySpec { seed: 12, ..spec.clone() };
    assert_ne!(one, on(2, &other));
}

#[test]
fn several_groups_and_a_group_of_one_unit_work() {
    let small = build(FrameworkDef {
        id: Some("s".into()),
        name: n("s"),
        scale: Some(10.0),
        bands: bands(&[("good", 5.0), ("weak", 0.0)]),
        indicators: vec![
            parent("A", 10.0),
            leaf("A.1", 5.0, kind("manual")),
            leaf("A.2", 5.0, kind("manual")),
        ],
        ..FrameworkDef::default()
    });
    let mut rows: Vec<(usize, &[(&str, &str)])> = POINTS_ROWS.iter().map(|r| (0, *r)).collect();
    rows.insert(2, (1, &[("A.1", "3"), ("A.2", "4")]));
    let (assessment, values) = package(vec![points_framework(), small], &rows);
    let spec = spec(100, 5, &[(1, 0.3), (2, 0.3)]);
    let model = Model::build(&assessment, &values, &spec).unwrap();
    // Each block covers the depth in both groups: 3 + 1 top-level, 6 + 2 at depth 2.
    assert_eq!(model.dims, vec![4, 8]);
    let result = uncertainty(&assessment, &values, &spec, &no_progress).unwrap();
    assert_eq!(result.groups.len(), 2);
    let single = &result.groups[1].units;
    assert_eq!(single.len(), 1);
    assert_eq!(single[0].unit, 2);
    assert_eq!((single[0].q05, single[0].median, single[0].q95, single[0].mean), (1.0, 1.0, 1.0, 1.0));
    let sensitivity = sensitivity(&assessment, &values, &spec, 10, &no_progress).unwrap();
    for input in &sensitivity.groups[1].inputs {
        assert_eq!((input.index.si, input.index.sti), (0.0, 0.0), "a single unit never moves");
    }
}

#[test]
fn quantiles_interpolate_between_order_statistics() {
    let x = [1, 2, 3, 4];
    assert!((quantile(&x, 0.05) - 1.15).abs() < 1e-12);
    assert_eq!(quantile(&x, 0.5), 2.5);
    assert!((quantile(&x, 0.95) - 3.85).abs() < 1e-12);
    assert_eq!(quantile(&[7], 0.95), 7.0);
    assert_eq!(quantile(&[1, 1, 9], 1.0), 9.0);
}

#[test]
fn the_specification_is_checked_against_the_package_before_sampling() {
    let (points, values) = points_package();
    let check = |assessment: &Assessment, values: &Values, spec: &UncertaintySpec| {
        let error = uncertainty(assessment, values, spec, &no_progress).unwrap_err();
        assert_eq!(sensitivity(assessment, values, spec, 10, &no_progress).unwrap_err(), error);
        for lang in [Lang::Vi, Lang::En] {
            assert!(!error.message(assessment, lang).is_empty());
        }
        error
    };
    assert_eq!(check(&points, &values, &spec(0, 1, &[])), AnalysisError::NoSamples);
    let error = check(&points, &values, &spec(10, 1, &[(4, 0.1)]));
    assert_eq!(error, AnalysisError::DepthNotFound { depth: 4, group: 0 });
    assert!(
        error.message(&points, Lang::En).contains("\"g0\"") && error.message(&points, Lang::En).contains('3')
    );
    assert_eq!(
        check(&points, &values, &spec(10, 1, &[(0, 0.1)])),
        AnalysisError::DepthNotFound { depth: 0, group: 0 }
    );
    assert_eq!(
        check(&points, &values, &spec(10, 1, &[(1, 0.1), (1, 0.2)])),
        AnalysisError::DuplicateDepth { depth: 1 }
    );
    assert_eq!(
        check(&points, &values, &spec(10, 1, &[(1, 1.0)])),
        AnalysisError::NoiseOutOfRange { depth: 1, noise: 1.0 }
    );
    let alternatives = UncertaintySpec { aggregate: vec![Aggregate::Geometric], ..spec(10, 1, &[]) };
    assert_eq!(check(&points, &values, &alternatives), AnalysisError::AlternativesNeedComposite { group: 0 });

    let (composite, values) = composite_package(MINMAX_1_100, Aggregate::Arithmetic);
    // Composite depths: the index is 0, A and B 1, the leaves 2.
    assert_eq!(
        check(&composite, &values, &spec(10, 1, &[(3, 0.1)])),
        AnalysisError::DepthNotFound { depth: 3, group: 0 }
    );
    let geometric = UncertaintySpec {
        normalise: vec![MINMAX_1_100, Normalise::MinMax { low: 0.0, high: 100.0 }],
        aggregate: vec![Aggregate::Arithmetic, Aggregate::Geometric],
        ..spec(10, 1, &[])
    };
    let error = check(&composite, &values, &geometric);
    assert!(
        matches!(error, AnalysisError::GeometricNeedsPositive { value, normalise: Normalise::MinMax { low, .. }, .. } if value == 0.0 && low == 0.0),
        "{error:?}"
    );
    assert!(error.message(&composite, Lang::En).contains("minmax 0..100"));

    // A package that does not score.
    let (mut broken, mut values) = points_package();
    for &l in &broken.groups[0].framework.leaves {
        values.set(0, l, Entry::NotApplicable);
    }
    broken.units[0].code = "ALLNA".into();
    let error = check(&broken, &values, &spec(10, 1, &[]));
    assert!(matches!(error, AnalysisError::Score(_)));
    assert!(error.message(&broken, Lang::Vi).contains("ALLNA"));
}

#[test]
fn sensitivity_finds_the_input_that_moves_the_ranking() {
    // Two top-level indicators; units trade places when their weights move.
    let framework = build(FrameworkDef {
        id: Some("s".into()),
        name: n("s"),
        scale: Some(100.0),
        bands: bands(&[("weak", 0.0)]),
        indicators: vec![
            parent("1", 50.0),
            leaf("1.1", 50.0, kind("manual")),
            parent("2", 50.0),
            leaf("2.1", 25.0, kind("manual")),
            leaf("2.2", 25.0, kind("manual")),
        ],
        ..FrameworkDef::default()
    });
    let rows: Vec<(usize, Vec<(&str, String)>)> = (0..8)
        .map(|i| {
            let x = 10.0 + 4.0 * i as f64;
            (
                0,
                vec![
                    ("1.1", format!("{x}")),
                    ("2.1", format!("{}", 25.0 - x / 2.0)),
                    ("2.2", "10".to_string()),
                ],
            )
        })
        .collect();
    let rows: Vec<(usize, Vec<(&str, &str)>)> =
        rows.iter().map(|(g, r)| (*g, r.iter().map(|(c, t)| (*c, t.as_str())).collect())).collect();
    let rows: Vec<(usize, &[(&str, &str)])> = rows.iter().map(|(g, r)| (*g, r.as_slice())).collect();
    let (assessment, values) = package(vec![framework], &rows);

    let spec = spec(256, 4, &[(1, 0.5), (2, 0.0)]);
    let result = sensitivity(&assessment, &values, &spec, 50, &no_progress).unwrap();
    assert_eq!(result.runs, 256 * 4);
    let inputs = &result.groups[0].inputs;
    assert_eq!(inputs.iter().map(|i| i.input.label()).collect::<Vec<_>>(), ["weights:1", "weights:2"]);
    let (w1, w2) = (inputs[0].index, inputs[1].index);
    assert!((-0.1..=1.1).contains(&w1.si) && (-0.1..=1.1).contains(&w1.sti), "{w1:?}");
    assert!([w1.si_ci, w1.sti_ci].iter().flatten().all(|v| v.is_finite()), "{w1:?}");
    assert!(w1.sti >= w1.si - 0.1 && w1.sti > 0.5, "{w1:?}");
    assert!(w2.si.abs() < 1e-12 && w2.sti.abs() < 1e-12, "{w2:?}");

    let zero = spec_with_zero_noise();
    let result = sensitivity(&assessment, &values, &zero, 20, &no_progress).unwrap();
    for input in &result.groups[0].inputs {
        let i = input.index;
        assert_eq!([i.si, i.sti, i.si_ci[0], i.si_ci[1], i.sti_ci[0], i.sti_ci[1]], [0.0; 6], "{input:?}");
    }
    let none = sensitivity(&assessment, &values, &self::spec(64, 4, &[]), 20, &no_progress).unwrap();
    assert_eq!((none.runs, none.groups[0].inputs.len()), (0, 0));
}

fn spec_with_zero_noise() -> UncertaintySpec {
    spec(64, 4, &[(1, 0.0), (2, 0.0)])
}

#[test]
fn input_labels_are_the_json_names() {
    assert_eq!(Input::Weights { depth: 2 }.label(), "weights:2");
    assert_eq!(Input::Normalise.label(), "normalise");
    assert_eq!(Input::Aggregate.label(), "aggregate");
}

/// The text that earns a leaf of the points fixture its max.
fn full_text(code: &str) -> &'static str {
    match code {
        "1.1" => "4",
        "1.2" => "1000",
        "1.3" => "có",
        "2.1" => "100",
        "2.2.1" => "2",
        "2.2.2" => "5",
        _ => "1/1",
    }
}

#[test]
fn gap_lists_gains_and_a_shortest_list_that_reaches_the_next_band() {
    let (assessment, values) = points_package();
    let results = score_assessment(&assessment, &values).unwrap();
    let framework = &assessment.groups[0].framework;
    let mut checked = 0;
    for unit in 0..assessment.units.len() {
        let gap = gap(&assessment, &values, &results, unit).unwrap();
        let scored = results.units.iter().find(|r| r.unit == unit).unwrap();
        assert_eq!((gap.total, gap.band, gap.rank), (scored.total, scored.band, scored.rank));
        assert!(gap.leaves.windows(2).all(|w| w[0].gain >= w[1].gain));
        // Each gain is what the scoring engine gives when that leaf alone is full.
        for g in &gap.leaves {
            let mut full = values.clone();
            let code = &framework.indicators[g.indicator].code;
            full.set(
                unit,
                g.indicator,
                framework.indicators[g.indicator].parse_entry(full_text(code)).unwrap(),
            );
            let after = score_assessment(&assessment, &full).unwrap();
            let total = after.units.iter().find(|r| r.unit == unit).unwrap().total;
            assert!(
                (total - scored.total - g.gain).abs() < 1e-9,
                "{code}: {total} − {} ≠ {}",
                scored.total,
                g.gain
            );
        }
        let Some(next) = &gap.next else {
            assert!(gap.shortest.is_empty() && !gap.reachable);
            assert_eq!(framework.bands[gap.band].code, "good");
            continue;
        };
        assert!(next.min > framework.bands[gap.band].min);
        assert!((next.needed - (next.min - scored.rounded)).abs() < 1e-12);
        assert!(gap.reachable, "the scale 20 is above every band");
        let mut full = values.clone();
        for &i in &gap.shortest {
            let code = &framework.indicators[i].code;
            full.set(unit, i, framework.indicators[i].parse_entry(full_text(code)).unwrap());
        }
        let after = score_assessment(&assessment, &full).unwrap();
        let rounded = after.units.iter().find(|r| r.unit == unit).unwrap().rounded;
        assert!(rounded >= next.min, "unit {unit}: {rounded} < {}", next.min);
        // Greedy: without its last leaf the list would not have reached the band.
        if let Some((&last, rest)) = gap.shortest.split_last() {
            let mut partial = values.clone();
            for &i in rest {
                let code = &framework.indicators[i].code;
                partial.set(unit, i, framework.indicators[i].parse_entry(full_text(code)).unwrap());
            }
            let before = score_assessment(&assessment, &partial).unwrap();
            let rounded = before.units.iter().find(|r| r.unit == unit).unwrap().rounded;
            assert!(rounded < next.min, "unit {unit}: {last} was not needed");
        }
        checked += 1;
    }
    assert!(checked >= 3, "the fixture should have units below the top band");
}

#[test]
fn gap_in_the_top_band_has_no_next_band_and_an_unreachable_band_says_so() {
    let (mut assessment, values) = points_package();
    let results = score_assessment(&assessment, &values).unwrap();
    let top =
        results.units.iter().find(|r| assessment.groups[0].framework.bands[r.band].code == "good").unwrap();
    let gap = gap(&assessment, &values, &results, top.unit).unwrap();
    assert_eq!((gap.next.clone(), gap.shortest.len(), gap.reachable), (None, 0, false));

    assessment.groups[0].framework.bands.push(Band {
        code: "beyond".into(),
        min: 25.0,
        label: Names::new("b", "b"),
    });
    let results = score_assessment(&assessment, &values).unwrap();
    let gap = super::gap(&assessment, &values, &results, top.unit).unwrap();
    let next = gap.next.clone().unwrap();
    assert_eq!((next.band, next.min), (3, 25.0));
    assert!(!gap.reachable);
    assert_eq!(gap.shortest.len(), gap.leaves.len(), "every leaf that adds anything");
}

#[test]
fn gap_refuses_composite_frameworks_and_unknown_units() {
    let (assessment, values) = composite_package(MINMAX_1_100, Aggregate::Arithmetic);
    let results = score_assessment(&assessment, &values).unwrap();
    let error = gap(&assessment, &values, &results, 0).unwrap_err();
    assert_eq!(error, AnalysisError::GapNeedsPoints { group: 0 });
    assert!(error.message(&assessment, Lang::Vi).contains("\"g0\""));
    assert_eq!(
        gap(&assessment, &values, &results, 99).unwrap_err(),
        AnalysisError::UnitNotScored { unit: 99 }
    );
}

#[test]
fn band_kept_counts_only_samples_on_the_bands_scale() {
    let (assessment, values) = composite_package(MINMAX_1_100, Aggregate::Arithmetic);
    let zscore = Normalise::ZScore { mean: 10.0, sd: 2.0 };
    // No weight noise: a sample under the framework's own min-max gives the nominal
    // totals, so every unit keeps its band in each sample that counts; z-scores
    // (around 10, far below the bands' thresholds) are left out.
    let mut both = spec(200, 5, &[(0, 0.0)]);
    both.normalise = vec![MINMAX_1_100, zscore];
    let result = uncertainty(&assessment, &values, &both, &no_progress).unwrap();
    for r in &result.groups[0].units {
        assert_eq!(r.band_kept, Some(1.0), "{r:?}");
    }
    // Only another scale drawn: nothing to count.
    let mut other = spec(50, 5, &[(0, 0.0)]);
    other.normalise = vec![zscore];
    let result = uncertainty(&assessment, &values, &other, &no_progress).unwrap();
    assert!(result.groups[0].units.iter().all(|r| r.band_kept.is_none()));
}
