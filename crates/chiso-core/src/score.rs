//! Scoring a whole assessment: every group by its framework's method, then totals
//! rounded to `rank_precision`, bands, standard competition ranks, group and
//! overall means.

mod composite;
mod points;

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
                Lang::Vi => format!("đơn vị \"{}\": mọi chỉ số cấp cao nhất đều không áp dụng (na), không thể tính tổng điểm", unit(u)),
                Lang::En => format!("unit \"{}\": every top-level indicator is not applicable (na), so there is no total", unit(u)),
            },
            ScoreError::GeometricNeedsPositive { unit: u, indicator, value } => {
                let code = &assessment.framework_of(u).indicators[indicator].code;
                match lang {
                    Lang::Vi => format!("đơn vị \"{}\", chỉ số \"{code}\": giá trị {value} không dương, phép tổng hợp nhân (geometric) cần giá trị lớn hơn 0", unit(u)),
                    Lang::En => format!("unit \"{}\", indicator \"{code}\": value {value} is not above 0, which geometric aggregation needs", unit(u)),
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

/// What scoring one unit yields before ranking.
struct UnitScore {
    total: f64,
    scores: Vec<Option<f64>>,
    missing: Vec<usize>,
    not_applicable: Vec<usize>,
}

/// Scores every unit of the assessment. All errors are collected.
pub fn score_assessment(assessment: &Assessment, values: &Values) -> Result<AssessmentResults, Vec<ScoreError>> {
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
            Method::Points => points::score_group(framework, &members, values),
            Method::Composite { normalise, aggregate } => {
                composite::score_group(framework, normalise, aggregate, &members, values)
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
