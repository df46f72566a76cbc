//! Scoring a whole assessment: every group by its framework's method, then totals
//! rounded to `rank_precision`, bands, standard competition ranks, group and
//! overall means.

pub mod alone;
pub(crate) mod composite;
pub(crate) mod points;

use crate::assessment::{Assessment, OverallRule};
use crate::framework::Method;
use crate::lang::Lang;
use crate::rank::{competition_ranks, round_half_away, rounded_key};
use crate::value::Values;

/// The score of one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitResult {
    /// Index into [`Assessment::units`].
    pub unit: usize,
    /// Unrounded.
    pub total: f64,
    /// Rounded half away from zero to `rank_precision`; band and rank use this.
    pub rounded: f64,
    /// Index into the group framework's bands.
    pub band: usize,
    /// Standard competition rank within the group.
    pub rank: usize,
    /// Per indicator of the unit's framework (indexed like its indicators): points,
    /// or the normalised / aggregated value; `None` where not applicable / no value.
    pub scores: Vec<Option<f64>>,
    /// Indicator indices of the leaves with no value.
    pub missing: Vec<usize>,
    /// Indicator indices of the leaves marked `na`.
    pub not_applicable: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    /// Index into [`Assessment::groups`].
    pub group: usize,
    /// Positions in [`AssessmentResults::units`], best rank first.
    pub units: Vec<usize>,
    /// Mean of the unrounded totals.
    pub mean: f64,
    /// Units per band, indexed like the framework's bands.
    pub band_counts: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentResults {
    /// Grouped in group order, then by rank, then in file order.
    pub units: Vec<UnitResult>,
    pub groups: Vec<GroupResult>,
    pub overall_mean: f64,
    /// Index into the first group's framework's bands.
    pub overall_band: usize,
    pub unit_count: usize,
}

/// Why an assessment cannot be scored even though every value is well formed.
#[derive(Debug, Clone, PartialEq)]
pub enum ScoreError {
    /// Every top-level indicator of the unit is not applicable.
    NothingApplicable { unit: usize },
    /// Geometric aggregation met a value of 0 or below.
    GeometricNeedsPositive { unit: usize, indicator: usize, value: f64 },
    /// Composite mode: no value reached the index.
    NoIndexValue { unit: usize },
    /// A group has no unit, so it has no mean.
    EmptyGroup { group: usize },
}

impl ScoreError {
    /// The unit and indicator (of the unit's framework) the error is about, if any.
    pub fn unit_and_indicator(&self) -> (Option<usize>, Option<usize>) {
        match *self {
            ScoreError::NothingApplicable { unit } | ScoreError::NoIndexValue { unit } => (Some(unit), None),
            ScoreError::GeometricNeedsPositive { unit, indicator, .. } => (Some(unit), Some(indicator)),
            ScoreError::EmptyGroup { .. } => (None, None),
        }
    }

    pub fn message(&self, assessment: &Assessment, lang: Lang) -> String {
        let unit = |u: usize| &assessment.units[u].code;
        match *self {
            ScoreError::NothingApplicable { unit: u } => match lang {
                Lang::Vi => format!(
                    "đơn vị \"{}\": mọi chỉ số cấp cao nhất đều không áp dụng (na), không thể tính tổng điểm",
                    unit(u)
                ),
                Lang::En => format!(
                    "unit \"{}\": every top-level indicator is not applicable (na), so there is no total",
                    unit(u)
                ),
            },
            ScoreError::GeometricNeedsPositive { unit: u, indicator, value } => {
                let code = &assessment.framework_of(u).indicators[indicator].code;
                match lang {
                    Lang::Vi => format!(
                        "đơn vị \"{}\", chỉ số \"{code}\": giá trị {value} không dương, phép tổng hợp nhân (geometric) cần giá trị lớn hơn 0",
                        unit(u)
                    ),
                    Lang::En => format!(
                        "unit \"{}\", indicator \"{code}\": value {value} is not above 0, which geometric aggregation needs",
                        unit(u)
                    ),
                }
            }
            ScoreError::NoIndexValue { unit: u } => match lang {
                Lang::Vi => format!("đơn vị \"{}\" không có giá trị nào để tính chỉ số tổng", unit(u)),
                Lang::En => format!("unit \"{}\" has no value from which to compute the index", unit(u)),
            },
            ScoreError::EmptyGroup { group } => {
                let code = &assessment.groups[group].code;
                match lang {
                    Lang::Vi => format!("khối \"{code}\" không có đơn vị nào trong units.csv"),
                    Lang::En => format!("group \"{code}\" has no unit in units.csv"),
                }
            }
        }
    }
}

/// Groups at least this large are scored on all cores; smaller ones are not worth
/// the threads.
const PARALLEL_FROM: usize = 1024;

/// Runs `work` over chunks of the members, on up to `threads` threads for large
/// groups, and joins the results in member order, so the outcome never depends on
/// the thread count.
fn per_unit<T: Send>(members: &[usize], threads: usize, work: impl Fn(&[usize]) -> Vec<T> + Sync) -> Vec<T> {
    if members.len() < PARALLEL_FROM || threads < 2 {
        return work(members);
    }
    let chunk = members.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = members.chunks(chunk).map(|c| scope.spawn(|| work(c))).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// What scoring one unit yields before ranking.
struct UnitScore {
    total: f64,
    scores: Vec<Option<f64>>,
    missing: Vec<usize>,
    not_applicable: Vec<usize>,
}

/// Scores every unit of the assessment, large groups on all cores. All errors are
/// collected.
pub fn score_assessment(
    assessment: &Assessment,
    values: &Values,
) -> Result<AssessmentResults, Vec<ScoreError>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    score_assessment_on(assessment, values, threads)
}

/// [`score_assessment`] on at most `threads` threads (the results are the same for
/// any count). A short-lived process scoring once, like the command line, is
/// better served by 1: in a fresh process the threads' own start-up and memory
/// arenas cost more CPU than the few milliseconds of scoring they share.
pub fn score_assessment_on(
    assessment: &Assessment,
    values: &Values,
    threads: usize,
) -> Result<AssessmentResults, Vec<ScoreError>> {
    let mut errors = Vec::new();
    let mut units = Vec::with_capacity(assessment.units.len());
    let mut groups = Vec::with_capacity(assessment.groups.len());
    for (g, group) in assessment.groups.iter().enumerate() {
        let members: Vec<usize> = assessment.units_of(g).collect();
        if members.is_empty() {
            errors.push(ScoreError::EmptyGroup { group: g });
            continue;
        }
        let framework = &group.framework;
        let scored = match framework.method {
            Method::Points => points::score_group(framework, &members, values, threads),
            Method::Composite { normalise, aggregate } => {
                composite::score_group(framework, normalise, aggregate, &members, values, threads)
            }
        };
        let scored = match scored {
            Ok(scored) => scored,
            Err(mut e) => {
                errors.append(&mut e);
                continue;
            }
        };
        let keys: Vec<i64> = scored.iter().map(|s| rounded_key(s.total, assessment.rank_precision)).collect();
        let ranks = competition_ranks(&keys);
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by_key(|&i| (ranks[i], i));
        let mut band_counts = vec![0; framework.bands.len()];
        let mean = scored.iter().map(|s| s.total).sum::<f64>() / scored.len() as f64;
        let mut scored: Vec<Option<UnitScore>> = scored.into_iter().map(Some).collect();
        let first = units.len();
        for i in order {
            let Some(s) = scored[i].take() else { continue };
            let rounded = round_half_away(s.total, assessment.rank_precision);
            let band = framework.band_for(rounded);
            band_counts[band] += 1;
            units.push(UnitResult {
                unit: members[i],
                total: s.total,
                rounded,
                band,
                rank: ranks[i],
                scores: s.scores,
                missing: s.missing,
                not_applicable: s.not_applicable,
            });
        }
        groups.push(GroupResult { group: g, units: (first..units.len()).collect(), mean, band_counts });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let overall_mean = match assessment.overall {
        OverallRule::MeanOfGroups => groups.iter().map(|g| g.mean).sum::<f64>() / groups.len() as f64,
        OverallRule::MeanOfUnits => units.iter().map(|u| u.total).sum::<f64>() / units.len() as f64,
    };
    let first_framework = &assessment.groups[0].framework;
    let overall_band = first_framework.band_for(round_half_away(overall_mean, assessment.rank_precision));
    Ok(AssessmentResults { unit_count: units.len(), units, groups, overall_mean, overall_band })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::{Group, Unit};
    use crate::framework::{BandDef, Framework, FrameworkDef, IndicatorDef, NormaliseDef};
    use crate::lang::{Names, NamesDef};
    use crate::rule::RuleDef;
    use crate::value::Entry;

    fn n(code: &str) -> Option<NamesDef> {
        Some(NamesDef::new(code, code))
    }

    fn leaf(code: &str, max: f64, kind: &str) -> IndicatorDef {
        IndicatorDef {
            code: Some(code.into()),
            name: n(code),
            max: Some(max),
            rule: Some(RuleDef { kind: Some(kind.into()), ..RuleDef::default() }),
            ..IndicatorDef::default()
        }
    }

    fn parent(code: &str, max: Option<f64>) -> IndicatorDef {
        IndicatorDef { code: Some(code.into()), name: n(code), max, ..IndicatorDef::default() }
    }

    fn bands() -> Vec<BandDef> {
        vec![
            BandDef { code: Some("good".into()), min: Some(80.0), label: n("good") },
            BandDef { code: Some("weak".into()), min: Some(0.0), label: n("weak") },
        ]
    }

    fn build(def: FrameworkDef) -> Framework {
        Framework::build(&def).unwrap_or_else(|p| panic!("{p:?}"))
    }

    /// One group, units U0.., values given as text per leaf code.
    fn run(framework: Framework, rows: &[&[(&str, &str)]]) -> AssessmentResults {
        let units: Vec<Unit> = (0..rows.len())
            .map(|u| Unit { code: format!("U{u}"), name: Names::new("u", "u"), group: 0, parent: None })
            .collect();
        let mut values = Values::empty(rows.iter().map(|_| framework.indicators.len()));
        for (u, row) in rows.iter().enumerate() {
            for (code, text) in row.iter() {
                let i = framework.find(code).unwrap_or_else(|| panic!("no {code}"));
                let entry = framework.indicators[i].parse_entry(text).unwrap_or_else(|p| panic!("{p:?}"));
                values.set(u, i, entry);
            }
        }
        let assessment = Assessment {
            year: 2024,
            name: Names::new("t", "t"),
            overall: OverallRule::MeanOfUnits,
            rank_precision: 2,
            groups: vec![Group { code: "g".into(), name: Names::new("g", "g"), framework }],
            units,
        };
        score_assessment(&assessment, &values).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn total_of(results: &AssessmentResults, unit: usize) -> f64 {
        results.units.iter().find(|r| r.unit == unit).map(|r| r.total).unwrap_or(f64::NAN)
    }

    fn points_framework() -> Framework {
        build(FrameworkDef {
            id: Some("p".into()),
            name: n("p"),
            scale: Some(10.0),
            bands: bands(),
            indicators: vec![
                parent("1", Some(6.0)),
                leaf("1.1", 4.0, "manual"),
                leaf("1.2", 4.0, "manual"),
                parent("2", Some(4.0)),
                leaf("2.1", 2.0, "manual"),
                leaf("2.2", 2.0, "manual"),
            ],
            ..FrameworkDef::default()
        })
    }

    #[test]
    fn large_groups_are_scored_in_parallel_chunks_joined_in_member_order() {
        let members: Vec<usize> = (0..5000).rev().collect();
        let doubled = per_unit(&members, 2, |chunk| chunk.iter().map(|u| u * 2).collect());
        assert_eq!(doubled, members.iter().map(|u| u * 2).collect::<Vec<_>>());
        // A large group gives every unit the same total as the same values would alone.
        let framework = points_framework();
        let rows: Vec<&[(&str, &str)]> =
            (0..1500).map(|i| if i % 2 == 0 { ROWS_POINTS[0] } else { ROWS_POINTS[1] }).collect();
        let r = run(framework, &rows);
        assert!(r.units.iter().all(|u| u.total == if u.unit % 2 == 0 { 8.0 } else { 4.5 / 8.0 * 10.0 }));
        assert_eq!(r.units.iter().filter(|u| u.rank == 1).count(), 750);
    }

    #[test]
    fn any_thread_count_gives_the_same_results() {
        // 1,500 units: a large group, so 2 and 3 threads really split it into chunks.
        let framework = composite("minmax", 0.0, 100.0, "arithmetic");
        let mut values = Values::empty([framework.indicators.len(); 1500]);
        for u in 0..1500 {
            let row = ROWS[u % 3];
            for (code, text) in row.iter() {
                let i = framework.find(code).unwrap_or(0);
                values.set(u, i, framework.indicators[i].parse_entry(text).unwrap_or(Entry::Missing));
            }
        }
        let unit =
            |u: usize| Unit { code: format!("U{u}"), name: Names::new("u", "u"), group: 0, parent: None };
        let assessment = Assessment {
            year: 2024,
            name: Names::new("t", "t"),
            overall: OverallRule::MeanOfUnits,
            rank_precision: 2,
            groups: vec![Group { code: "g".into(), name: Names::new("g", "g"), framework }],
            units: (0..1500).map(unit).collect(),
        };
        let one = score_assessment_on(&assessment, &values, 1);
        assert!(one.is_ok());
        assert_eq!(score_assessment_on(&assessment, &values, 2), one);
        assert_eq!(score_assessment_on(&assessment, &values, 3), one);
        assert_eq!(score_assessment(&assessment, &values), one);
    }

    const ROWS_POINTS: [&[(&str, &str)]; 2] = [
        &[("1.1", "4"), ("1.2", "4"), ("2.1", "1"), ("2.2", "1")],
        &[("1.1", "3"), ("1.2", "0"), ("2.1", "1.5"), ("2.2", "na")],
    ];

    #[test]
    fn a_parent_caps_its_childrens_points() {
        let r = run(points_framework(), &[&[("1.1", "4"), ("1.2", "4"), ("2.1", "1"), ("2.2", "1")]]);
        assert_eq!(r.units[0].scores[0], Some(6.0));
        assert_eq!(r.units[0].total, 8.0);
    }

    #[test]
    fn na_indicator_shrinks_the_parent_max() {
        // 2.2 is na: parent 2's applicable max is 4 × 2/4 = 2; its points 1.5 stay under it.
        let r = run(points_framework(), &[&[("1.1", "3"), ("1.2", "0"), ("2.1", "1.5"), ("2.2", "na")]]);
        let u = &r.units[0];
        assert_eq!(u.scores[3], Some(1.5));
        assert_eq!(u.scores[5], None);
        assert_eq!(u.not_applicable, vec![5]);
        // total = (3 + 1.5) / (6 + 2) × 10
        assert!((u.total - 4.5 / 8.0 * 10.0).abs() < 1e-12);
    }

    #[test]
    fn a_parent_whose_children_are_all_na_is_absent() {
        let r = run(points_framework(), &[&[("1.1", "4"), ("1.2", "2"), ("2.1", "na"), ("2.2", "na")]]);
        let u = &r.units[0];
        assert_eq!(u.scores[3], None);
        assert_eq!(u.total, 10.0);
    }

    #[test]
    fn a_missing_leaf_scores_zero_and_is_listed() {
        let r = run(points_framework(), &[&[("1.1", "4"), ("1.2", "")]]);
        let u = &r.units[0];
        assert_eq!(u.scores[2], Some(0.0));
        assert_eq!(u.missing, vec![2, 4, 5]);
    }

    #[test]
    fn everything_na_is_an_error_not_a_total() {
        let framework = points_framework();
        let mut values = Values::empty([framework.indicators.len()]);
        for &l in &framework.leaves {
            values.set(0, l, Entry::NotApplicable);
        }
        let assessment = Assessment {
            year: 2024,
            name: Names::new("t", "t"),
            overall: OverallRule::MeanOfUnits,
            rank_precision: 2,
            groups: vec![Group { code: "g".into(), name: Names::new("g", "g"), framework }],
            units: vec![Unit { code: "U".into(), name: Names::new("u", "u"), group: 0, parent: None }],
        };
        assert_eq!(
            score_assessment(&assessment, &values),
            Err(vec![ScoreError::NothingApplicable { unit: 0 }])
        );
    }

    fn composite(normalise: &str, low: f64, high: f64, aggregate: &str) -> Framework {
        let weighted = |code: &str, parent: &str, weight: f64, direction: f64| IndicatorDef {
            code: Some(code.into()),
            parent: Some(parent.into()),
            name: n(code),
            weight: Some(weight),
            direction: Some(direction),
            ..IndicatorDef::default()
        };
        let normalise = match normalise {
            "minmax" => NormaliseDef {
                kind: Some("minmax".into()),
                low: Some(low),
                high: Some(high),
                ..Default::default()
            },
            "zscore" => NormaliseDef {
                kind: Some("zscore".into()),
                mean: Some(low),
                sd: Some(high),
                ..Default::default()
            },
            _ => NormaliseDef { kind: Some("none".into()), ..Default::default() },
        };
        build(FrameworkDef {
            id: Some("c".into()),
            name: n("c"),
            method: Some("composite".into()),
            normalise: Some(normalise),
            aggregate: Some(aggregate.into()),
            bands: bands(),
            indicators: vec![
                parent("Index", None),
                weighted("A", "Index", 2.0, 1.0),
                weighted("B", "Index", 1.0, 1.0),
                weighted("a1", "A", 1.0, 1.0),
                weighted("a2", "A", 1.0, -1.0),
                weighted("b1", "B", 1.0, 1.0),
            ],
            ..FrameworkDef::default()
        })
    }

    const ROWS: [&[(&str, &str)]; 3] = [
        &[("a1", "10"), ("a2", "5"), ("b1", "1")],
        &[("a1", "20"), ("a2", "0"), ("b1", "2")],
        &[("a1", "30"), ("a2", "10"), ("b1", "")],
    ];

    #[test]
    fn minmax_arithmetic_follows_coinr() {
        let r = run(composite("minmax", 0.0, 100.0, "arithmetic"), &ROWS);
        // a1 → 0, 50, 100; −a2 → 50, 100, 0; b1 → 0, 100, (none).
        // A = (a1 + a2)/2 → 25, 75, 50; B → 0, 100, none; Index = (2A + B)/3, or A alone.
        assert!((total_of(&r, 0) - 50.0 / 3.0).abs() < 1e-9);
        assert!((total_of(&r, 1) - 250.0 / 3.0).abs() < 1e-9);
        assert!((total_of(&r, 2) - 50.0).abs() < 1e-9);
        assert_eq!(r.units.iter().find(|u| u.unit == 2).map(|u| u.missing.clone()), Some(vec![5]));
    }

    #[test]
    fn zscore_uses_the_sample_standard_deviation() {
        let r = run(composite("zscore", 10.0, 2.0, "arithmetic"), &ROWS);
        // a1: mean 20, sd 10 → 8, 10, 12. −a2: −5, 0, −10 → mean −5, sd 5 → 10, 12, 8.
        // b1: 1, 2 → mean 1.5, sd √0.5 → 10 ∓ √2.
        let s2 = 2f64.sqrt();
        let expect0 = (2.0 * (8.0 + 10.0) / 2.0 + (10.0 - s2)) / 3.0;
        assert!((total_of(&r, 0) - expect0).abs() < 1e-9);
        assert!((total_of(&r, 2) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn geometric_refuses_values_not_above_zero() {
        let framework = composite("minmax", 0.0, 100.0, "geometric");
        let units = vec![Unit { code: "U0".into(), name: Names::new("u", "u"), group: 0, parent: None }; 3];
        let mut values = Values::empty([framework.indicators.len(); 3]);
        for (u, row) in ROWS.iter().enumerate() {
            for (code, text) in row.iter() {
                let i = framework.find(code).unwrap_or(0);
                values.set(u, i, framework.indicators[i].parse_entry(text).unwrap_or(Entry::Missing));
            }
        }
        let assessment = Assessment {
            year: 2024,
            name: Names::new("t", "t"),
            overall: OverallRule::MeanOfUnits,
            rank_precision: 2,
            groups: vec![Group { code: "g".into(), name: Names::new("g", "g"), framework }],
            units,
        };
        let errors = score_assessment(&assessment, &values).err().unwrap_or_default();
        assert!(
            matches!(errors[0], ScoreError::GeometricNeedsPositive { unit: 0, value, .. } if value == 0.0)
        );
    }

    #[test]
    fn geometric_with_positive_values_is_the_weighted_geometric_mean() {
        let r = run(composite("minmax", 1.0, 100.0, "geometric"), &ROWS);
        // a1 → 1, 50.5, 100; −a2 → 50.5, 100, 1; b1 → 1, 100.
        let a0 = (1.0f64 * 50.5).sqrt();
        let expect0 = ((2.0 * a0.ln() + 1f64.ln()) / 3.0).exp();
        assert!((total_of(&r, 0) - expect0).abs() < 1e-9);
    }

    #[test]
    fn no_spread_gets_the_midpoint() {
        let rows: [&[(&str, &str)]; 2] =
            [&[("a1", "5"), ("a2", "5"), ("b1", "5")], &[("a1", "5"), ("a2", "5"), ("b1", "5")]];
        let r = run(composite("minmax", 0.0, 100.0, "arithmetic"), &rows);
        assert_eq!(total_of(&r, 0), 50.0);
        assert_eq!(r.units[0].rank, 1);
        assert_eq!(r.units[1].rank, 1);
    }
}
