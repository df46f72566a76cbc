//! Property tests of the analyses on generated packages: rank intervals are
//! ordered and, for small noise, hold the nominal rank; zero noise reproduces the
//! nominal ranks; the gap's shortest list really reaches the next band when the
//! scoring engine scores it.
//!
//! Also an ignored timing test at the sizes of the performance goals:
//! `cargo test --release -p chiso-core --test analysis -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chiso_core::analysis::{UncertaintyResult, UncertaintySpec, WeightNoise, gap, sensitivity, uncertainty};
use chiso_core::framework::{BandDef, FrameworkDef, IndicatorDef, NormaliseDef};
use chiso_core::lang::NamesDef;
use chiso_core::rank::round_half_away;
use chiso_core::rule::{ChoiceDef, RuleDef};
use chiso_core::{
    Aggregate, Assessment, AssessmentResults, Framework, Group, Names, Normalise, OverallRule, Unit, Values,
    score_assessment,
};
use proptest::prelude::*;

#[path = "support/seed.rs"]
mod seed;
use seed::Seed;

fn names(code: &str) -> Option<NamesDef> {
    Some(NamesDef::new(code, code))
}

const KINDS: [&str; 8] = ["manual", "boolean", "linear", "count", "relative", "ratio", "choice", "steps"];

/// A rule of the kind, and the value text that earns its full max.
fn rule(kind: &str, max: f64, s: &mut Seed) -> (RuleDef, String) {
    let base = RuleDef { kind: Some(kind.to_string()), ..RuleDef::default() };
    match kind {
        "linear" => {
            let (a, b) = (s.float(0.0, 40.0), s.float(50.0, 100.0));
            let (from, to) = if s.below(3) == 0 { (b, a) } else { (a, b) };
            (RuleDef { from: Some(from), to: Some(to), ..base }, format!("{to}"))
        }
        "count" => {
            let cap = s.float(1.0, 10.0);
            (RuleDef { cap: Some(cap), ..base }, format!("{cap}"))
        }
        "choice" => {
            let options = ["a", "b", "c"]
                .iter()
                .enumerate()
                .map(|(i, code)| ChoiceDef {
                    code: Some((*code).into()),
                    points: Some(max * (2 - i) as f64 / 2.0),
                    label: names(code),
                })
                .collect();
            (RuleDef { options: Some(options), ..base }, "a".into())
        }
        "steps" => (
            RuleDef { steps: Some(vec![vec![8.0, max], vec![4.0, max / 2.0], vec![1.0, max / 4.0]]), ..base },
            "8".into(),
        ),
        "manual" => (base, format!("{max}")),
        "boolean" => (base, "có".into()),
        "relative" => (base, "1000000".into()),
        _ => (base, "1/1".into()),
    }
}

fn value(kind: &str, max: f64, s: &mut Seed) -> String {
    match s.below(10) {
        0 => return "na".into(),
        1 => return String::new(),
        _ => {}
    }
    match kind {
        "manual" => format!("{}", (s.float(0.0, max) * 100.0).floor() / 100.0),
        "boolean" => ["có", "không"][s.below(2) as usize].into(),
        "ratio" => format!("{}/{}", s.below(5), 1 + s.below(4)),
        "choice" => ["a", "b", "c"][s.below(3) as usize].into(),
        "steps" => format!("{}", s.below(10)),
        _ => format!("{:.2}", s.float(0.0, 100.0)),
    }
}

/// A generated points package: its assessment, values, and per unit and indicator
/// the text that earns the indicator's max (leaves only).
struct Case {
    assessment: Assessment,
    values: Values,
    full: Vec<String>,
}

fn points_case(seed: u64, units: usize, beyond: bool) -> Case {
    let mut s = Seed(seed);
    let mut defs: Vec<IndicatorDef> = Vec::new();
    let mut full_by_def: Vec<String> = Vec::new();
    let mut kind_by_def: Vec<&str> = Vec::new();
    let mut scale = 0.0;
    let def = |code: &str, max: f64, rule: Option<RuleDef>| IndicatorDef {
        code: Some(code.into()),
        name: names(code),
        max: Some(max),
        rule,
        ..IndicatorDef::default()
    };
    for t in 0..1 + s.below(4) {
        let code = format!("{}", t + 1);
        let top = defs.len();
        defs.push(def(&code, 0.0, None));
        full_by_def.push(String::new());
        kind_by_def.push("");
        let mut children = 0.0;
        for c in 0..1 + s.below(3) {
            let child = format!("{code}.{}", c + 1);
            let grandchildren = if s.below(3) == 0 { 1 + s.below(3) } else { 0 };
            if grandchildren == 0 {
                let kind = KINDS[s.below(KINDS.len() as u64) as usize];
                let max = (s.float(0.5, 10.0) * 4.0).round() / 4.0;
                let (rule, full) = rule(kind, max, &mut s);
                defs.push(def(&child, max, Some(rule)));
                full_by_def.push(full);
                kind_by_def.push(kind);
                children += max;
            } else {
                let mid = defs.len();
                defs.push(def(&child, 0.0, None));
                full_by_def.push(String::new());
                kind_by_def.push("");
                let mut sum = 0.0;
                for g in 0..grandchildren {
                    let kind = KINDS[s.below(KINDS.len() as u64) as usize];
                    let max = (s.float(0.5, 5.0) * 4.0).round() / 4.0;
                    let (rule, full) = rule(kind, max, &mut s);
                    defs.push(def(&format!("{child}.{}", g + 1), max, Some(rule)));
                    full_by_def.push(full);
                    kind_by_def.push(kind);
                    sum += max;
                }
                let max = ((sum * s.float(0.5, 1.0) * 4.0).round().max(1.0) / 4.0).min(sum);
                defs[mid].max = Some(max);
                children += max;
            }
        }
        let max = ((children * s.float(0.6, 1.0) * 4.0).round().max(1.0) / 4.0).min(children);
        defs[top].max = Some(max);
        scale += max;
    }
    let mut bands = vec![
        BandDef { code: Some("low".into()), min: Some(0.0), label: names("low") },
        BandDef { code: Some("high".into()), min: Some(scale * 0.7), label: names("high") },
        BandDef { code: Some("mid".into()), min: Some(scale * 0.4), label: names("mid") },
    ];
    if beyond {
        bands.push(BandDef { code: Some("beyond".into()), min: Some(scale + 1.0), label: names("beyond") });
    }
    let framework = Framework::build(&FrameworkDef {
        id: Some("generated".into()),
        name: names("generated"),
        scale: Some(scale),
        bands,
        indicators: defs,
        ..FrameworkDef::default()
    })
    .unwrap_or_else(|p| panic!("generated framework refused: {p:?}"));
    let full: Vec<String> = framework.indicators.iter().map(|i| full_by_def[i.def_index].clone()).collect();
    let kinds: Vec<&str> = framework.indicators.iter().map(|i| kind_by_def[i.def_index]).collect();
    let mut values = Values::empty((0..units).map(|_| framework.indicators.len()));
    for u in 0..units {
        for &leaf in &framework.leaves {
            let text = value(kinds[leaf], framework.indicators[leaf].max, &mut s);
            values.set(u, leaf, framework.indicators[leaf].parse_entry(&text).unwrap());
        }
    }
    Case { assessment: assessment(vec![framework], &vec![0; units]), values, full }
}

fn assessment(frameworks: Vec<Framework>, unit_groups: &[usize]) -> Assessment {
    Assessment {
        year: 2024,
        name: Names::new("t", "t"),
        overall: OverallRule::MeanOfGroups,
        rank_precision: 2,
        groups: frameworks
            .into_iter()
            .enumerate()
            .map(|(g, framework)| Group { code: format!("g{g}"), name: Names::new("g", "g"), framework })
            .collect(),
        units: unit_groups
            .iter()
            .enumerate()
            .map(|(u, &group)| Unit {
                code: format!("U{u}"),
                name: Names::new("u", "u"),
                group,
                parent: None,
            })
            .collect(),
    }
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

/// Scores a generated package. A refused one (a unit without a total) is rejected,
/// as `prop_assume!` does: proptest then fails the test when too many draws are
/// rejected, instead of passing on cases it never checked.
fn scored(assessment: &Assessment, values: &Values) -> Result<AssessmentResults, TestCaseError> {
    let results = score_assessment(assessment, values);
    prop_assume!(results.is_ok(), "the generated package is refused: {:?}", results.as_ref().err());
    results.map_err(|_| TestCaseError::fail("refused"))
}

fn unit_result(results: &AssessmentResults, unit: usize) -> &chiso_core::UnitResult {
    results.units.iter().find(|r| r.unit == unit).unwrap()
}

/// Ordered percentiles within [1, n], a mean within [1, n], a share within [0, 1].
fn check_intervals(result: &UncertaintyResult, assessment: &Assessment) -> Result<(), TestCaseError> {
    for group in &result.groups {
        let n = assessment.units_of(group.group).count() as f64;
        prop_assert_eq!(group.units.len() as f64, n);
        for r in &group.units {
            prop_assert!(1.0 <= r.q05 && r.q05 <= r.median && r.median <= r.q95 && r.q95 <= n, "{:?}", r);
            prop_assert!(
                (1.0..=n).contains(&r.mean) && r.band_kept.is_some_and(|k| (0.0..=1.0).contains(&k)),
                "{:?}",
                r
            );
        }
    }
    Ok(())
}

/// A composite package: Index → two sub-indices → pillars → leaves, random weights
/// and positive values.
fn composite_case(seed: u64, units: usize) -> (Assessment, Values) {
    let mut s = Seed(seed);
    let node = |code: &str, parent: Option<&str>, weight: f64, direction: f64| IndicatorDef {
        code: Some(code.into()),
        parent: parent.map(str::to_string),
        name: names(code),
        weight: parent.map(|_| weight),
        direction: parent.map(|_| direction),
        ..IndicatorDef::default()
    };
    let mut defs = vec![node("Index", None, 1.0, 1.0)];
    for sub in 0..2 {
        let sub_code = format!("S{sub}");
        defs.push(node(&sub_code, Some("Index"), s.float(0.5, 2.0), 1.0));
        for p in 0..1 + s.below(3) {
            let pillar = format!("{sub_code}P{p}");
            defs.push(node(&pillar, Some(&sub_code), s.float(0.5, 2.0), 1.0));
            for l in 0..1 + s.below(3) {
                let direction = if s.below(4) == 0 { -1.0 } else { 1.0 };
                defs.push(node(&format!("{pillar}L{l}"), Some(&pillar), s.float(0.5, 2.0), direction));
            }
        }
    }
    let framework = Framework::build(&FrameworkDef {
        id: Some("c".into()),
        name: names("c"),
        method: Some("composite".into()),
        normalise: Some(NormaliseDef {
            kind: Some("minmax".into()),
            low: Some(1.0),
            high: Some(100.0),
            ..NormaliseDef::default()
        }),
        aggregate: Some("geometric".into()),
        bands: vec![
            BandDef { code: Some("low".into()), min: Some(0.0), label: names("low") },
            BandDef { code: Some("high".into()), min: Some(50.0), label: names("high") },
        ],
        indicators: defs,
        ..FrameworkDef::default()
    })
    .unwrap_or_else(|p| panic!("{p:?}"));
    let mut values = Values::empty((0..units).map(|_| framework.indicators.len()));
    for u in 0..units {
        for &leaf in &framework.leaves {
            let text = if s.below(12) == 0 { String::new() } else { format!("{:.1}", s.float(1.0, 50.0)) };
            values.set(u, leaf, framework.indicators[leaf].parse_entry(&text).unwrap());
        }
    }
    (assessment(vec![framework], &vec![0; units]), values)
}

proptest! {
    // Generated packages are rarely refused: more rejections than cases means the
    // generator is broken, and fails.
    #![proptest_config(ProptestConfig { max_global_rejects: 48, ..ProptestConfig::with_cases(48) })]

    #[test]
    fn small_noise_keeps_well_separated_units_at_their_nominal_rank(seed in any::<u64>(), units in 1usize..8) {
        let case = points_case(seed, units, false);
        let results = scored(&case.assessment, &case.values)?;
        let result = uncertainty(&case.assessment, &case.values, &spec(40, seed, &[(1, 0.001), (2, 0.001)]), &|_| {}).unwrap();
        check_intervals(&result, &case.assessment)?;
        let scale = case.assessment.groups[0].framework.scale.unwrap_or(100.0);
        // Factors within 1 ± 0.001 on two levels move a total by far less than this.
        let margin = 0.02 * scale + 0.02;
        for r in &result.groups[0].units {
            let me = unit_result(&results, r.unit);
            let ties = results.units.iter().filter(|o| o.rounded == me.rounded).count();
            let separated = results.units.iter().all(|o| o.rounded == me.rounded || (o.total - me.total).abs() > margin);
            prop_assert_eq!(r.nominal, me.rank);
            if separated {
                let (low, high) = (me.rank as f64, (me.rank + ties - 1) as f64);
                prop_assert!(low <= r.q05 && r.q95 <= high && low <= r.mean && r.mean <= high, "{:?} ties {}", r, ties);
                if ties == 1 {
                    prop_assert_eq!((r.q05, r.median, r.q95, r.mean), (low, low, low, low));
                }
            }
        }
    }

    #[test]
    fn intervals_are_ordered_whatever_the_noise(seed in any::<u64>(), units in 1usize..8, noise in 0.0f64..0.9, deep in any::<bool>()) {
        let case = points_case(seed, units, false);
        scored(&case.assessment, &case.values)?;
        let weights: &[(usize, f64)] = if deep { &[(2, noise), (1, noise / 2.0)] } else { &[(1, noise)] };
        let result = uncertainty(&case.assessment, &case.values, &spec(33, seed, weights), &|_| {}).unwrap();
        check_intervals(&result, &case.assessment)?;
    }

    #[test]
    fn zero_noise_gives_the_nominal_ranks(seed in any::<u64>(), units in 1usize..8) {
        let case = points_case(seed, units, false);
        scored(&case.assessment, &case.values)?;
        let result = uncertainty(&case.assessment, &case.values, &spec(20, seed, &[(1, 0.0), (2, 0.0)]), &|_| {}).unwrap();
        for r in &result.groups[0].units {
            let nominal = r.nominal as f64;
            prop_assert_eq!((r.q05, r.median, r.q95, r.mean, r.band_kept), (nominal, nominal, nominal, nominal, Some(1.0)));
        }
    }

    #[test]
    fn composite_alternatives_keep_intervals_ordered_and_zero_noise_nominal(seed in any::<u64>(), units in 1usize..8, noise in 0.0f64..0.5) {
        let (assessment, values) = composite_case(seed, units);
        scored(&assessment, &values)?;
        let mut varied = spec(24, seed, &[(1, noise), (2, noise), (3, noise)]);
        varied.normalise = vec![Normalise::MinMax { low: 1.0, high: 100.0 }, Normalise::ZScore { mean: 50.0, sd: 10.0 }];
        varied.aggregate = vec![Aggregate::Arithmetic, Aggregate::Geometric];
        let result = uncertainty(&assessment, &values, &varied, &|_| {}).unwrap();
        check_intervals(&result, &assessment)?;
        let mut own = spec(16, seed, &[(1, 0.0), (2, 0.0), (3, 0.0)]);
        own.normalise = vec![Normalise::MinMax { low: 1.0, high: 100.0 }];
        own.aggregate = vec![Aggregate::Geometric];
        let result = uncertainty(&assessment, &values, &own, &|_| {}).unwrap();
        for r in &result.groups[0].units {
            let nominal = r.nominal as f64;
            prop_assert_eq!((r.q05, r.median, r.q95, r.mean, r.band_kept), (nominal, nominal, nominal, nominal, Some(1.0)));
        }
    }

    #[test]
    fn the_shortest_list_reaches_the_next_band_when_scored(seed in any::<u64>(), units in 1usize..6, pick in any::<usize>(), beyond in any::<bool>()) {
        let case = points_case(seed, units, beyond);
        let results = scored(&case.assessment, &case.values)?;
        let unit = pick % units;
        let framework = &case.assessment.groups[0].framework;
        let gap = gap(&case.assessment, &case.values, &results, unit).unwrap();
        let me = unit_result(&results, unit);
        prop_assert_eq!((gap.total, gap.rounded, gap.band, gap.rank), (me.total, me.rounded, me.band, me.rank));
        prop_assert!(gap.leaves.iter().all(|l| l.gain > 0.0 && l.points < l.max));
        prop_assert!(gap.leaves.windows(2).all(|w| w[0].gain >= w[1].gain));
        let listed: Vec<usize> = gap.leaves.iter().map(|l| l.indicator).collect();
        prop_assert!(gap.shortest.iter().all(|i| listed.contains(i)));
        let mut distinct = gap.shortest.clone();
        distinct.sort_unstable();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), gap.shortest.len());
        let Some(next) = &gap.next else {
            prop_assert!(gap.shortest.is_empty() && !gap.reachable);
            prop_assert!(framework.bands.iter().all(|b| b.min <= framework.bands[me.band].min));
            return Ok(());
        };
        prop_assert!(next.min > framework.bands[me.band].min);
        // Completing every leaf gives the scale: the band is reachable iff the scale reaches it.
        let scale = framework.scale.unwrap_or(100.0);
        prop_assert_eq!(gap.reachable, round_half_away(scale, 2) >= next.min);
        if gap.reachable {
            let mut completed = case.values.clone();
            for &i in &gap.shortest {
                completed.set(unit, i, framework.indicators[i].parse_entry(&case.full[i]).unwrap());
            }
            let after = score_assessment(&case.assessment, &completed).unwrap();
            let after = unit_result(&after, unit);
            prop_assert!(after.rounded >= next.min, "{} < {}", after.rounded, next.min);
            prop_assert!(framework.bands[after.band].min >= next.min);
        }
    }
}

#[test]
fn sensitivity_of_a_generated_package_is_finite_and_bounded() {
    let case = points_case(42, 7, false);
    let result =
        sensitivity(&case.assessment, &case.values, &spec(64, 1, &[(1, 0.5), (2, 0.3)]), 20, &|_| {})
            .unwrap();
    for input in &result.groups[0].inputs {
        let i = input.index;
        assert!(i.si.is_finite() && i.sti.is_finite(), "{input:?}");
        assert!(i.sti >= -0.2, "{input:?}");
    }
}
