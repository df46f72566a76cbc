//! Why an analysis cannot run: the package does not score, or the uncertainty
//! specification does not fit the package. Decided before any sample is drawn.

use crate::assessment::Assessment;
use crate::framework::Normalise;
use crate::lang::Lang;
use crate::score::ScoreError;

#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisError {
    /// The nominal package does not score.
    Score(Vec<ScoreError>),
    /// The group's framework has no indicator at this (spec) depth.
    DepthNotFound { depth: usize, group: usize },
    /// `normalise` or `aggregate` alternatives were given, but the group is in points mode.
    AlternativesNeedComposite { group: usize },
    /// Gap analysis asked of a composite framework.
    GapNeedsPoints { group: usize },
    /// `samples` is 0.
    NoSamples,
    /// Two `[[weights]]` entries for the same depth.
    DuplicateDepth { depth: usize },
    /// A weight noise outside [0, 1): a factor could reach 0 or turn negative.
    NoiseOutOfRange { depth: usize, noise: f64 },
    /// Geometric aggregation would meet a value of 0 or below for some drawn method:
    /// `indicator` indexes the unit's framework, `normalise` is the normalisation
    /// that produced the value.
    GeometricNeedsPositive { unit: usize, indicator: usize, value: f64, normalise: Normalise },
    /// The unit does not exist or has no result (gap analysis).
    UnitNotScored { unit: usize },
}

/// The deepest depth of a group's framework, counted as the spec counts.
fn deepest(assessment: &Assessment, group: usize) -> usize {
    let framework = &assessment.groups[group].framework;
    let deepest = framework.indicators.iter().map(|i| i.depth).max().unwrap_or(0);
    if framework.is_points() { deepest } else { deepest.saturating_sub(1) }
}

fn describe(normalise: Normalise, lang: Lang) -> String {
    match normalise {
        Normalise::MinMax { low, high } => format!("minmax {}..{}", lang.plain(low), lang.plain(high)),
        Normalise::ZScore { mean, sd } => format!("zscore mean {} sd {}", lang.plain(mean), lang.plain(sd)),
        Normalise::None => "none".to_string(),
    }
}

impl AnalysisError {
    pub fn message(&self, assessment: &Assessment, lang: Lang) -> String {
        let group_code = |g: usize| assessment.groups.get(g).map_or("?", |g| g.code.as_str());
        let unit_code = |u: usize| assessment.units.get(u).map_or("?", |u| u.code.as_str());
        match self {
            AnalysisError::Score(errors) => {
                errors.iter().map(|e| e.message(assessment, lang)).collect::<Vec<_>>().join("\n")
            }
            &AnalysisError::DepthNotFound { depth, group } => {
                let deepest = if group < assessment.groups.len() { deepest(assessment, group) } else { 0 };
                match lang {
                    Lang::Vi => format!(
                        "khối \"{}\": khung chỉ số không có chỉ số nào ở độ sâu {depth} (sâu nhất là {deepest})",
                        group_code(group)
                    ),
                    Lang::En => format!(
                        "group \"{}\": its framework has no indicator at depth {depth} (the deepest is {deepest})",
                        group_code(group)
                    ),
                }
            }
            &AnalysisError::AlternativesNeedComposite { group } => match lang {
                Lang::Vi => format!(
                    "khối \"{}\" chấm theo điểm (points): các phương án normalise/aggregate chỉ dùng cho khung tổng hợp (composite)",
                    group_code(group)
                ),
                Lang::En => format!(
                    "group \"{}\" is scored in points mode: normalise/aggregate alternatives are for composite frameworks only",
                    group_code(group)
                ),
            },
            &AnalysisError::GapNeedsPoints { group } => match lang {
                Lang::Vi => format!(
                    "khối \"{}\" dùng phương pháp tổng hợp (composite): phân tích khoảng cách chỉ dùng cho khung chấm điểm (points)",
                    group_code(group)
                ),
                Lang::En => format!(
                    "group \"{}\" uses the composite method: gap analysis is for points frameworks only",
                    group_code(group)
                ),
            },
            AnalysisError::NoSamples => match lang {
                Lang::Vi => "số mẫu (samples) phải lớn hơn 0".to_string(),
                Lang::En => "samples must be above 0".to_string(),
            },
            &AnalysisError::DuplicateDepth { depth } => match lang {
                Lang::Vi => format!("có hơn một mục [[weights]] cho độ sâu {depth}"),
                Lang::En => format!("more than one [[weights]] entry for depth {depth}"),
            },
            &AnalysisError::NoiseOutOfRange { depth, noise } => match lang {
                Lang::Vi => {
                    format!("[[weights]] độ sâu {depth}: noise = {} phải nằm trong [0, 1)", lang.plain(noise))
                }
                Lang::En => {
                    format!("[[weights]] depth {depth}: noise = {} must lie in [0, 1)", lang.plain(noise))
                }
            },
            &AnalysisError::GeometricNeedsPositive { unit, indicator, value, normalise } => {
                let code = assessment
                    .units
                    .get(unit)
                    .and_then(|_| assessment.framework_of(unit).indicators.get(indicator))
                    .map_or("?", |i| i.code.as_str());
                let how = describe(normalise, lang);
                match lang {
                    Lang::Vi => format!(
                        "đơn vị \"{}\", chỉ số \"{code}\": với chuẩn hoá {how}, giá trị {} không dương, \
                         phép tổng hợp nhân (geometric) cần giá trị lớn hơn 0 (ví dụ dùng minmax với low = 1, high = 100)",
                        unit_code(unit),
                        lang.plain(value)
                    ),
                    Lang::En => format!(
                        "unit \"{}\", indicator \"{code}\": with normalisation {how} its value {} is not above 0, \
                         which geometric aggregation needs (use e.g. minmax with low = 1, high = 100)",
                        unit_code(unit),
                        lang.plain(value)
                    ),
                }
            }
            &AnalysisError::UnitNotScored { unit } => match lang {
                Lang::Vi => format!("đơn vị \"{}\" không có kết quả chấm điểm", unit_code(unit)),
                Lang::En => format!("unit \"{}\" has no score", unit_code(unit)),
            },
        }
    }
}
