//! What can be wrong with a framework, an assessment or a value, in both languages.
//!
//! A [`Problem`] says *what* is wrong; a [`Site`] says which part of the definition
//! it concerns (an indicator's field, a band's field, …). The reader of the files
//! turns a site into `FILE:LINE` because only it knows where the definition was
//! written.

use crate::lang::Lang;
use std::fmt;

/// The part of a definition a problem concerns. `field` is the field's name as
/// written in the file (`max`, `rule.steps`, `normalise.low`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// A top-level field of a framework or an assessment.
    Field(&'static str),
    /// The `index`-th `[[band]]` of a framework.
    Band { index: usize, field: &'static str },
    /// The `index`-th `[[indicator]]` of a framework, in file order.
    Indicator { index: usize, field: &'static str },
    /// The `index`-th `[[group]]` of an assessment.
    Group { index: usize, field: &'static str },
    /// The `index`-th `[[kpi]]` of a KPI catalogue.
    Kpi { index: usize, field: &'static str },
    /// The `index`-th `[[kpi.target]]` of the `kpi`-th KPI.
    KpiTarget { kpi: usize, index: usize, field: &'static str },
}

impl Site {
    pub fn field(&self) -> &'static str {
        match *self {
            Site::Field(field)
            | Site::Band { field, .. }
            | Site::Indicator { field, .. }
            | Site::Group { field, .. }
            | Site::Kpi { field, .. }
            | Site::KpiTarget { field, .. } => field,
        }
    }
}

/// A problem together with the site it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteProblem {
    pub site: Site,
    pub problem: Problem,
}

impl SiteProblem {
    pub fn new(site: Site, problem: Problem) -> Self {
        SiteProblem { site, problem }
    }
}

/// Everything the core can refuse. Each variant carries what a person needs to fix it.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    // --- definitions: general
    MissingField,
    NameIncomplete { missing: &'static str },
    UnknownWord { found: String, expected: &'static [&'static str] },
    NotPositive { found: f64 },
    // --- frameworks
    NoIndicators,
    NoBands,
    DuplicateBand { code: String },
    NoBandAtZero { lowest: f64 },
    DuplicateIndicator { code: String },
    EmptyCode,
    UnknownParent { parent: String },
    ParentCycle { code: String },
    RuleOnParent { code: String },
    MissingRule { code: String },
    RuleFieldMissing { kind: String, field: &'static str },
    RuleFieldUnexpected { kind: String, field: &'static str },
    LinearFromEqualsTo { value: f64 },
    StepsEmpty,
    StepNotAPair { position: usize },
    StepsNotInOrder { position: usize, descending: bool },
    PointsOutOfRange { points: f64, max: f64 },
    ChoiceEmpty,
    DuplicateChoice { code: String },
    ChildrenMaxTooSmall { code: String, children: f64, max: f64 },
    TopLevelSum { sum: f64, scale: f64 },
    CompositeTopLevel { count: usize },
    BadDirection { found: f64 },
    BadNormaliseRange { low: f64, high: f64 },
    NotForMethod { method: &'static str },
    // --- assessments
    NoGroups,
    DuplicateGroup { code: String },
    RankPrecisionTooLarge { found: i64 },
    // --- monitoring
    DuplicateKpi { code: String },
    DuplicateTarget { year: i64 },
    // --- values
    NotANumber { text: String },
    NotABoolean { text: String },
    NotARatio { text: String },
    NegativeValue { value: f64 },
    ManualOutOfRange { value: f64, max: f64 },
    RatioByZero { text: String },
    UnknownChoice { text: String, options: Vec<String> },
}

fn t(lang: Lang, vi: String, en: String) -> String {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

fn n(value: f64) -> String {
    // Short and exact enough for a message: 2.5, 100, 0.333333.
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_string() } else { text.to_string() }
}

fn words(list: &[&str]) -> String {
    list.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ")
}

impl Problem {
    /// The message in the chosen language, without the location.
    pub fn message(&self, lang: Lang) -> String {
        use Problem::*;
        match self {
            MissingField => t(lang, "thiếu trường bắt buộc".into(), "required field is missing".into()),
            NameIncomplete { missing } => t(
                lang,
                format!("tên phải có cả tiếng Việt (vi) và tiếng Anh (en); thiếu \"{missing}\""),
                format!("a name needs both Vietnamese (vi) and English (en); \"{missing}\" is missing"),
            ),
            UnknownWord { found, expected } => t(
                lang,
                format!("giá trị \"{found}\" không hợp lệ; dùng một trong: {}", words(expected)),
                format!("\"{found}\" is not allowed here; use one of: {}", words(expected)),
            ),
            NotPositive { found } => t(
                lang,
                format!("phải là số lớn hơn 0, nhưng là {}", n(*found)),
                format!("must be a number greater than 0, but is {}", n(*found)),
            ),
            NoIndicators => {
                t(lang, "khung chỉ số không có chỉ số nào".into(), "the framework has no indicator".into())
            }
            NoBands => t(
                lang,
                "khung chỉ số không có mức xếp loại ([[band]]) nào".into(),
                "the framework has no rating band ([[band]])".into(),
            ),
            DuplicateBand { code } => t(
                lang,
                format!("mức xếp loại \"{code}\" bị khai báo hai lần"),
                format!("band \"{code}\" is declared twice"),
            ),
            NoBandAtZero { lowest } => t(
                lang,
                format!(
                    "cần một mức xếp loại có min bằng 0 hoặc nhỏ hơn (mức thấp nhất hiện có min = {})",
                    n(*lowest)
                ),
                format!("a band with min 0 or below is needed (the lowest has min = {})", n(*lowest)),
            ),
            DuplicateIndicator { code } => t(
                lang,
                format!("mã chỉ số \"{code}\" bị trùng"),
                format!("indicator code \"{code}\" is used twice"),
            ),
            EmptyCode => t(lang, "mã không được để trống".into(), "the code must not be empty".into()),
            UnknownParent { parent } => t(
                lang,
                format!("chỉ số cha \"{parent}\" không có trong khung chỉ số"),
                format!("parent \"{parent}\" is not an indicator of this framework"),
            ),
            ParentCycle { code } => t(
                lang,
                format!("chỉ số \"{code}\" nằm trong một vòng lặp cha–con"),
                format!("indicator \"{code}\" is part of a parent cycle"),
            ),
            RuleOnParent { code } => t(
                lang,
                format!("chỉ số \"{code}\" có chỉ số con nên không được có quy tắc chấm điểm (rule)"),
                format!("indicator \"{code}\" has children, so it must not have a rule"),
            ),
            MissingRule { code } => t(
                lang,
                format!("chỉ số lá \"{code}\" cần có quy tắc chấm điểm (rule)"),
                format!("leaf indicator \"{code}\" needs a rule"),
            ),
            RuleFieldMissing { kind, field } => t(
                lang,
                format!("quy tắc \"{kind}\" cần trường \"{field}\""),
                format!("rule \"{kind}\" needs the field \"{field}\""),
            ),
            RuleFieldUnexpected { kind, field } => t(
                lang,
                format!("quy tắc \"{kind}\" không dùng trường \"{field}\""),
                format!("rule \"{kind}\" does not take the field \"{field}\""),
            ),
            LinearFromEqualsTo { value } => t(
                lang,
                format!("from và to đều bằng {}; chúng phải khác nhau", n(*value)),
                format!("from and to are both {}; they must differ", n(*value)),
            ),
            StepsEmpty => t(lang, "danh sách bậc (steps) trống".into(), "the steps list is empty".into()),
            StepNotAPair { position } => t(
                lang,
                format!("bậc thứ {position} phải có dạng [ngưỡng, điểm]"),
                format!("step {position} must be written [threshold, points]"),
            ),
            StepsNotInOrder { position, descending } => {
                if *descending {
                    t(
                        lang,
                        format!(
                            "với descending = true, ngưỡng phải tăng dần; bậc thứ {position} không lớn hơn bậc trước"
                        ),
                        format!(
                            "with descending = true thresholds must strictly increase; step {position} does not"
                        ),
                    )
                } else {
                    t(
                        lang,
                        format!("ngưỡng các bậc phải giảm dần; bậc thứ {position} không nhỏ hơn bậc trước"),
                        format!("step thresholds must strictly decrease; step {position} does not"),
                    )
                }
            }
            PointsOutOfRange { points, max } => t(
                lang,
                format!("điểm {} nằm ngoài khoảng [0, {}]", n(*points), n(*max)),
                format!("points {} lie outside [0, {}]", n(*points), n(*max)),
            ),
            ChoiceEmpty => t(
                lang,
                "quy tắc choice cần ít nhất một phương án (options)".into(),
                "a choice rule needs at least one option".into(),
            ),
            DuplicateChoice { code } => t(
                lang,
                format!("phương án \"{code}\" bị trùng"),
                format!("option \"{code}\" is listed twice"),
            ),
            ChildrenMaxTooSmall { code, children, max } => t(
                lang,
                format!(
                    "tổng điểm tối đa của các chỉ số con của \"{code}\" là {}, nhỏ hơn điểm tối đa {} của nó",
                    n(*children),
                    n(*max)
                ),
                format!(
                    "the children of \"{code}\" have maxima summing to {}, less than its max {}",
                    n(*children),
                    n(*max)
                ),
            ),
            TopLevelSum { sum, scale } => t(
                lang,
                format!(
                    "tổng điểm tối đa của các chỉ số cấp cao nhất là {}, phải bằng thang điểm {}",
                    n(*sum),
                    n(*scale)
                ),
                format!("the top-level maxima sum to {}, but must equal the scale {}", n(*sum), n(*scale)),
            ),
            CompositeTopLevel { count } => t(
                lang,
                format!(
                    "khung tổng hợp (composite) phải có đúng một chỉ số cấp cao nhất (chỉ số tổng), nhưng có {count}"
                ),
                format!(
                    "a composite framework needs exactly one top-level indicator (the index), but has {count}"
                ),
            ),
            BadDirection { found } => t(
                lang,
                format!("direction phải là 1 hoặc -1, nhưng là {}", n(*found)),
                format!("direction must be 1 or -1, but is {}", n(*found)),
            ),
            BadNormaliseRange { low, high } => t(
                lang,
                format!("low ({}) phải nhỏ hơn high ({})", n(*low), n(*high)),
                format!("low ({}) must be less than high ({})", n(*low), n(*high)),
            ),
            NotForMethod { method } => t(
                lang,
                format!("trường này không dùng với phương pháp \"{method}\""),
                format!("this field is not used by the \"{method}\" method"),
            ),
            NoGroups => t(
                lang,
                "đợt đánh giá không có khối ([[group]]) nào".into(),
                "the assessment has no group ([[group]])".into(),
            ),
            DuplicateGroup { code } => t(
                lang,
                format!("mã khối \"{code}\" bị trùng"),
                format!("group code \"{code}\" is used twice"),
            ),
            RankPrecisionTooLarge { found } => t(
                lang,
                format!("rank_precision phải từ 0 đến 6, nhưng là {found}"),
                format!("rank_precision must be between 0 and 6, but is {found}"),
            ),
            DuplicateKpi { code } => t(
                lang,
                format!("mã chỉ tiêu \"{code}\" bị trùng"),
                format!("KPI code \"{code}\" is used twice"),
            ),
            DuplicateTarget { year } => t(
                lang,
                format!("đã có chỉ tiêu cho năm {year}"),
                format!("there is already a target for {year}"),
            ),
            NotANumber { text } => t(
                lang,
                format!("\"{text}\" không phải là số (viết ví dụ 97, 97%, 74,8 hoặc 74.8)"),
                format!("\"{text}\" is not a number (write e.g. 97, 97%, 74,8 or 74.8)"),
            ),
            NotABoolean { text } => t(
                lang,
                format!("\"{text}\" không phải là có/không (dùng có, không, 1, 0, yes, no, true, false, x)"),
                format!("\"{text}\" is not yes/no (use có, không, 1, 0, yes, no, true, false, x)"),
            ),
            NotARatio { text } => t(
                lang,
                format!("\"{text}\" không phải là tỷ số a/b (ví dụ 3/4) hay tỷ lệ phần trăm"),
                format!("\"{text}\" is not a ratio a/b (e.g. 3/4) or a percentage"),
            ),
            NegativeValue { value } => t(
                lang,
                format!("giá trị {} âm; ở đây chỉ nhận số từ 0 trở lên", n(*value)),
                format!("{} is negative; only numbers of 0 or more are allowed here", n(*value)),
            ),
            ManualOutOfRange { value, max } => t(
                lang,
                format!("điểm chấm {} nằm ngoài khoảng [0, {}]", n(*value), n(*max)),
                format!("awarded points {} lie outside [0, {}]", n(*value), n(*max)),
            ),
            RatioByZero { text } => t(
                lang,
                format!("\"{text}\": mẫu số bằng 0 trong khi tử số lớn hơn 0"),
                format!("\"{text}\": the denominator is 0 while the numerator is above 0"),
            ),
            UnknownChoice { text, options } => t(
                lang,
                format!("\"{text}\" không phải là phương án hợp lệ; dùng một trong: {}", quoted(options)),
                format!("\"{text}\" is not one of the options: {}", quoted(options)),
            ),
        }
    }
}

fn quoted(list: &[String]) -> String {
    list.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_exist_in_both_languages_and_differ() {
        let p = Problem::DuplicateIndicator { code: "1.1".into() };
        assert!(p.message(Lang::Vi).contains("1.1"));
        assert!(p.message(Lang::En).contains("1.1"));
        assert_ne!(p.message(Lang::Vi), p.message(Lang::En));
    }

    #[test]
    fn numbers_in_messages_are_short() {
        assert_eq!(n(2.5), "2.5");
        assert_eq!(n(100.0), "100");
        assert_eq!(n(-0.0), "0");
    }
}
