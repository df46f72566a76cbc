//! Scoring rules of points-mode leaves: their definitions, validation, the values
//! they accept, and the points a value earns.

use crate::lang::{Names, NamesDef};
use crate::number::{parse_number, trim};
use crate::problem::Problem;
use crate::value::Value;

/// A rule as written in a framework file: a `kind` and the fields some kinds need.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleDef {
    pub kind: Option<String>,
    pub from: Option<f64>,
    pub to: Option<f64>,
    pub steps: Option<Vec<Vec<f64>>>,
    pub descending: Option<bool>,
    pub cap: Option<f64>,
    pub options: Option<Vec<ChoiceDef>>,
}

/// One option of a `choice` rule, as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChoiceDef {
    pub code: Option<String>,
    pub points: Option<f64>,
    pub label: Option<NamesDef>,
}

/// One option of a `choice` rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceOption {
    pub code: String,
    pub points: f64,
    pub label: Names,
}

/// A validated rule. Points are always within `[0, max]` of the leaf.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Boolean,
    Linear { from: f64, to: f64 },
    Steps { steps: Vec<(f64, f64)>, descending: bool },
    Count { cap: f64 },
    Manual,
    Relative,
    Ratio,
    Choice { options: Vec<ChoiceOption> },
}

pub const RULE_KINDS: &[&str] =
    &["boolean", "linear", "steps", "count", "manual", "relative", "ratio", "choice"];

/// A problem found in a rule, with the field of the rule it concerns.
pub type RuleProblem = (&'static str, Problem);

impl RuleDef {
    /// The fields that are set, as (name, set?) pairs, for the "unexpected field" check.
    fn fields(&self) -> [(&'static str, bool); 6] {
        [
            ("from", self.from.is_some()),
            ("to", self.to.is_some()),
            ("steps", self.steps.is_some()),
            ("descending", self.descending.is_some()),
            ("cap", self.cap.is_some()),
            ("options", self.options.is_some()),
        ]
    }
}

impl Rule {
    /// Validates a rule definition for a leaf whose maximum is `max`.
    pub fn build(def: &RuleDef, max: f64) -> Result<Rule, Vec<RuleProblem>> {
        let Some(kind) = def.kind.as_deref().map(str::trim) else {
            return Err(vec![("rule.kind", Problem::MissingField)]);
        };
        let takes: &[&str] = match kind {
            "boolean" | "manual" | "relative" | "ratio" => &[],
            "linear" => &["from", "to"],
            "steps" => &["steps", "descending"],
            "count" => &["cap"],
            "choice" => &["options"],
            _ => {
                return Err(vec![(
                    "rule.kind",
                    Problem::UnknownWord { found: kind.to_string(), expected: RULE_KINDS },
                )]);
            }
        };
        let mut problems: Vec<RuleProblem> = def
            .fields()
            .into_iter()
            .filter(|(name, set)| *set && !takes.contains(name))
            .map(|(name, _)| {
                (rule_field(name), Problem::RuleFieldUnexpected { kind: kind.to_string(), field: name })
            })
            .collect();
        let missing = |field: &'static str| {
            (rule_field(field), Problem::RuleFieldMissing { kind: kind.to_string(), field })
        };
        let rule = match kind {
            "boolean" => Some(Rule::Boolean),
            "manual" => Some(Rule::Manual),
            "relative" => Some(Rule::Relative),
            "ratio" => Some(Rule::Ratio),
            "linear" => match (def.from, def.to) {
                (Some(from), Some(to)) if from == to => {
                    problems.push(("rule.to", Problem::LinearFromEqualsTo { value: from }));
                    None
                }
                (Some(from), Some(to)) => Some(Rule::Linear { from, to }),
                (from, to) => {
                    if from.is_none() {
                        problems.push(missing("from"));
                    }
                    if to.is_none() {
                        problems.push(missing("to"));
                    }
                    None
                }
            },
            "steps" => match &def.steps {
                None => {
                    problems.push(missing("steps"));
                    None
                }
                Some(raw) => {
                    let descending = def.descending.unwrap_or(false);
                    build_steps(raw, descending, max, &mut problems)
                        .map(|steps| Rule::Steps { steps, descending })
                }
            },
            "count" => match def.cap {
                None => {
                    problems.push(missing("cap"));
                    None
                }
                Some(cap) if cap <= 0.0 => {
                    problems.push(("rule.cap", Problem::NotPositive { found: cap }));
                    None
                }
                Some(cap) => Some(Rule::Count { cap }),
            },
            _ => match &def.options {
                None => {
                    problems.push(missing("options"));
                    None
                }
                Some(raw) => build_options(raw, max, &mut problems).map(|options| Rule::Choice { options }),
            },
        };
        match rule {
            Some(rule) if problems.is_empty() => Ok(rule),
            _ => Err(problems),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Boolean => "boolean",
            Rule::Linear { .. } => "linear",
            Rule::Steps { .. } => "steps",
            Rule::Count { .. } => "count",
            Rule::Manual => "manual",
            Rule::Relative => "relative",
            Rule::Ratio => "ratio",
            Rule::Choice { .. } => "choice",
        }
    }

    /// Reads a value written for this rule (not empty, not `na`: the caller handles
    /// those). `max` is the leaf's maximum, which bounds `manual` values.
    pub fn parse_value(&self, text: &str, max: f64) -> Result<Value, Problem> {
        let text = trim(text);
        let number = || parse_number(text).ok_or_else(|| Problem::NotANumber { text: text.to_string() });
        let non_negative = |v: f64| if v < 0.0 { Err(Problem::NegativeValue { value: v }) } else { Ok(v) };
        match self {
            Rule::Boolean => parse_boolean(text)
                .map(Value::Bool)
                .ok_or_else(|| Problem::NotABoolean { text: text.to_string() }),
            Rule::Linear { .. } | Rule::Steps { .. } => number().map(Value::Number),
            Rule::Count { .. } | Rule::Relative => number().and_then(non_negative).map(Value::Number),
            Rule::Manual => {
                let v = number()?;
                if (0.0..=max).contains(&v) {
                    Ok(Value::Number(v))
                } else {
                    Err(Problem::ManualOutOfRange { value: v, max })
                }
            }
            Rule::Ratio => parse_ratio(text),
            Rule::Choice { options } => {
                options.iter().position(|o| o.code == text).map(Value::Choice).ok_or_else(|| {
                    Problem::UnknownChoice {
                        text: text.to_string(),
                        options: options.iter().map(|o| o.code.clone()).collect(),
                    }
                })
            }
        }
    }

    /// The points `value` earns on a leaf whose maximum is `max`. `group_best` is the
    /// largest value among the group's units (used by `relative` only).
    #[inline]
    pub fn points(&self, value: Value, max: f64, group_best: f64) -> f64 {
        match (self, value) {
            (Rule::Boolean, Value::Bool(true)) => max,
            (Rule::Boolean, Value::Bool(false)) => 0.0,
            (Rule::Linear { from, to }, Value::Number(v)) => max * ((v - from) / (to - from)).clamp(0.0, 1.0),
            (Rule::Steps { steps, descending }, Value::Number(v)) => steps
                .iter()
                .find(|(threshold, _)| if *descending { v <= *threshold } else { v >= *threshold })
                .map_or(0.0, |(_, points)| *points),
            (Rule::Count { cap }, Value::Number(v)) => max * (v.min(*cap) / cap),
            (Rule::Manual, Value::Number(v)) => v,
            (Rule::Relative, Value::Number(v)) if group_best > 0.0 => max * (v / group_best).min(1.0),
            (Rule::Relative, Value::Number(_)) => 0.0,
            (Rule::Ratio, Value::Ratio(_, 0.0)) => 0.0,
            (Rule::Ratio, Value::Ratio(a, b)) => max * (a / b).min(1.0),
            (Rule::Ratio, Value::Number(v)) => max * (v / 100.0).min(1.0),
            (Rule::Choice { options }, Value::Choice(i)) => options.get(i).map_or(0.0, |o| o.points),
            // A value is always parsed by the rule that scores it; nothing else reaches here.
            _ => 0.0,
        }
    }
}

fn rule_field(name: &'static str) -> &'static str {
    match name {
        "from" => "rule.from",
        "to" => "rule.to",
        "steps" => "rule.steps",
        "descending" => "rule.descending",
        "cap" => "rule.cap",
        _ => "rule.options",
    }
}

fn build_steps(
    raw: &[Vec<f64>],
    descending: bool,
    max: f64,
    problems: &mut Vec<RuleProblem>,
) -> Option<Vec<(f64, f64)>> {
    if raw.is_empty() {
        problems.push(("rule.steps", Problem::StepsEmpty));
        return None;
    }
    let before = problems.len();
    let mut steps: Vec<(f64, f64)> = Vec::with_capacity(raw.len());
    for (i, pair) in raw.iter().enumerate() {
        let position = i + 1;
        let [threshold, points] = pair[..] else {
            problems.push(("rule.steps", Problem::StepNotAPair { position }));
            continue;
        };
        if let Some(&(previous, _)) = steps.last() {
            let in_order = if descending { threshold > previous } else { threshold < previous };
            if !in_order {
                problems.push(("rule.steps", Problem::StepsNotInOrder { position, descending }));
            }
        }
        if !(0.0..=max).contains(&points) {
            problems.push(("rule.steps", Problem::PointsOutOfRange { points, max }));
        }
        steps.push((threshold, points));
    }
    (problems.len() == before).then_some(steps)
}

fn build_options(raw: &[ChoiceDef], max: f64, problems: &mut Vec<RuleProblem>) -> Option<Vec<ChoiceOption>> {
    if raw.is_empty() {
        problems.push(("rule.options", Problem::ChoiceEmpty));
        return None;
    }
    let before = problems.len();
    let mut options: Vec<ChoiceOption> = Vec::with_capacity(raw.len());
    for def in raw {
        let code = def.code.as_deref().map(str::trim).unwrap_or("");
        if code.is_empty() {
            problems.push(("rule.options.code", Problem::EmptyCode));
            continue;
        }
        if options.iter().any(|o| o.code == code) {
            problems.push(("rule.options.code", Problem::DuplicateChoice { code: code.to_string() }));
        }
        let Some(points) = def.points else {
            problems.push((
                "rule.options.points",
                Problem::RuleFieldMissing { kind: "choice".into(), field: "points" },
            ));
            continue;
        };
        if !(0.0..=max).contains(&points) {
            problems.push(("rule.options.points", Problem::PointsOutOfRange { points, max }));
        }
        let label = match &def.label {
            None => Names::new(code, code),
            Some(label) => match label.validate() {
                Ok(label) => label,
                Err(missing) => {
                    problems.push(("rule.options.label", Problem::NameIncomplete { missing }));
                    continue;
                }
            },
        };
        options.push(ChoiceOption { code: code.to_string(), points, label });
    }
    (problems.len() == before).then_some(options)
}

/// The boolean words of the spec, in any letter case.
pub fn parse_boolean(text: &str) -> Option<bool> {
    // Compared lowercased char by char: no lowercased copy of every value.
    let text = trim(text);
    let is = |word: &str| text.chars().flat_map(char::to_lowercase).eq(word.chars());
    if ["1", "true", "yes", "có", "x"].into_iter().any(is) {
        Some(true)
    } else if ["0", "false", "no", "không"].into_iter().any(is) {
        Some(false)
    } else {
        None
    }
}

fn parse_ratio(text: &str) -> Result<Value, Problem> {
    let Some((a, b)) = text.split_once('/') else {
        let v = parse_number(text).ok_or_else(|| Problem::NotARatio { text: text.to_string() })?;
        return if v < 0.0 { Err(Problem::NegativeValue { value: v }) } else { Ok(Value::Number(v)) };
    };
    let (Some(a), Some(b)) = (parse_number(a), parse_number(b)) else {
        return Err(Problem::NotARatio { text: text.to_string() });
    };
    if a < 0.0 || b < 0.0 {
        return Err(Problem::NegativeValue { value: a.min(b) });
    }
    if b == 0.0 && a > 0.0 {
        return Err(Problem::RatioByZero { text: text.to_string() });
    }
    Ok(Value::Ratio(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(def: RuleDef, max: f64) -> Rule {
        match Rule::build(&def, max) {
            Ok(rule) => rule,
            Err(problems) => panic!("rule refused: {problems:?}"),
        }
    }

    fn kind(kind: &str) -> RuleDef {
        RuleDef { kind: Some(kind.into()), ..RuleDef::default() }
    }

    fn points(rule: &Rule, text: &str, max: f64) -> f64 {
        match rule.parse_value(text, max) {
            Ok(value) => rule.points(value, max, 0.0),
            Err(problem) => panic!("value refused: {problem:?}"),
        }
    }

    #[test]
    fn boolean_takes_the_spec_words() {
        let r = rule(kind("boolean"), 2.0);
        for yes in ["1", "true", "yes", "có", "Có", "x", "X"] {
            assert_eq!(points(&r, yes, 2.0), 2.0, "{yes}");
        }
        for no in ["0", "false", "no", "không", "KHÔNG"] {
            assert_eq!(points(&r, no, 2.0), 0.0, "{no}");
        }
        assert!(matches!(r.parse_value("maybe", 2.0), Err(Problem::NotABoolean { .. })));
    }

    #[test]
    fn linear_interpolates_in_both_directions() {
        let up = rule(RuleDef { from: Some(50.0), to: Some(100.0), ..kind("linear") }, 4.0);
        assert_eq!(points(&up, "40", 4.0), 0.0);
        assert_eq!(points(&up, "75%", 4.0), 2.0);
        assert_eq!(points(&up, "120", 4.0), 4.0);
        let down = rule(RuleDef { from: Some(10.0), to: Some(0.0), ..kind("linear") }, 2.0);
        assert_eq!(points(&down, "2,5", 2.0), 1.5);
        assert_eq!(points(&down, "12", 2.0), 0.0);
        assert_eq!(points(&down, "0", 2.0), 2.0);
    }

    #[test]
    fn linear_with_from_equal_to_is_refused() {
        let def = RuleDef { from: Some(5.0), to: Some(5.0), ..kind("linear") };
        assert_eq!(
            Rule::build(&def, 1.0),
            Err(vec![("rule.to", Problem::LinearFromEqualsTo { value: 5.0 })])
        );
    }

    #[test]
    fn steps_take_the_first_threshold_reached() {
        let r = rule(RuleDef { steps: Some(vec![vec![4.0, 2.0], vec![2.0, 1.0]]), ..kind("steps") }, 2.0);
        assert_eq!(points(&r, "5", 2.0), 2.0);
        assert_eq!(points(&r, "4", 2.0), 2.0);
        assert_eq!(points(&r, "3", 2.0), 1.0);
        assert_eq!(points(&r, "1", 2.0), 0.0);
        let d = rule(
            RuleDef {
                steps: Some(vec![vec![1.0, 3.0], vec![3.0, 1.0]]),
                descending: Some(true),
                ..kind("steps")
            },
            3.0,
        );
        assert_eq!(points(&d, "0", 3.0), 3.0);
        assert_eq!(points(&d, "2", 3.0), 1.0);
        assert_eq!(points(&d, "7", 3.0), 0.0);
    }

    #[test]
    fn steps_out_of_order_or_over_max_are_refused() {
        let def = RuleDef { steps: Some(vec![vec![2.0, 1.0], vec![4.0, 2.0]]), ..kind("steps") };
        assert_eq!(
            Rule::build(&def, 2.0),
            Err(vec![("rule.steps", Problem::StepsNotInOrder { position: 2, descending: false })])
        );
        let def = RuleDef { steps: Some(vec![vec![4.0, 3.0]]), ..kind("steps") };
        assert_eq!(
            Rule::build(&def, 2.0),
            Err(vec![("rule.steps", Problem::PointsOutOfRange { points: 3.0, max: 2.0 })])
        );
        let def = RuleDef { steps: Some(vec![vec![4.0]]), ..kind("steps") };
        assert_eq!(Rule::build(&def, 2.0), Err(vec![("rule.steps", Problem::StepNotAPair { position: 1 })]));
    }

    #[test]
    fn count_is_capped_and_refuses_negatives() {
        let r = rule(RuleDef { cap: Some(4.0), ..kind("count") }, 2.0);
        assert_eq!(points(&r, "2", 2.0), 1.0);
        assert_eq!(points(&r, "9", 2.0), 2.0);
        assert_eq!(r.parse_value("-1", 2.0), Err(Problem::NegativeValue { value: -1.0 }));
    }

    #[test]
    fn manual_must_lie_within_the_max() {
        let r = rule(kind("manual"), 3.0);
        assert_eq!(points(&r, "2,5", 3.0), 2.5);
        assert_eq!(r.parse_value("3.5", 3.0), Err(Problem::ManualOutOfRange { value: 3.5, max: 3.0 }));
    }

    #[test]
    fn relative_scales_against_the_group_best() {
        let r = rule(kind("relative"), 2.0);
        let v = r.parse_value("5", 2.0).ok();
        assert_eq!(v.map(|v| r.points(v, 2.0, 10.0)), Some(1.0));
        assert_eq!(v.map(|v| r.points(v, 2.0, 0.0)), Some(0.0));
    }

    #[test]
    fn ratio_takes_a_over_b_or_a_percentage() {
        let r = rule(kind("ratio"), 2.0);
        assert_eq!(points(&r, "3/4", 2.0), 1.5);
        assert_eq!(points(&r, "5/4", 2.0), 2.0);
        assert_eq!(points(&r, "0/0", 2.0), 0.0);
        assert_eq!(points(&r, "50%", 2.0), 1.0);
        assert_eq!(r.parse_value("2/0", 2.0), Err(Problem::RatioByZero { text: "2/0".into() }));
        assert!(matches!(r.parse_value("a/b", 2.0), Err(Problem::NotARatio { .. })));
    }

    #[test]
    fn choice_takes_the_option_points_or_refuses() {
        let option = |code: &str, points: f64| ChoiceDef {
            code: Some(code.into()),
            points: Some(points),
            label: Some(NamesDef::new(code, code)),
        };
        let r = rule(
            RuleDef { options: Some(vec![option("head", 2.0), option("deputy", 1.0)]), ..kind("choice") },
            2.0,
        );
        assert_eq!(points(&r, "deputy", 2.0), 1.0);
        assert!(matches!(r.parse_value("other", 2.0), Err(Problem::UnknownChoice { .. })));
        let dup = RuleDef { options: Some(vec![option("a", 1.0), option("a", 1.0)]), ..kind("choice") };
        assert_eq!(
            Rule::build(&dup, 2.0),
            Err(vec![("rule.options.code", Problem::DuplicateChoice { code: "a".into() })])
        );
    }

    #[test]
    fn unknown_kinds_and_stray_fields_are_refused() {
        assert!(
            matches!(Rule::build(&kind("fuzzy"), 1.0), Err(p) if matches!(p[0].1, Problem::UnknownWord { .. }))
        );
        let stray = RuleDef { cap: Some(3.0), ..kind("boolean") };
        assert_eq!(
            Rule::build(&stray, 1.0),
            Err(vec![("rule.cap", Problem::RuleFieldUnexpected { kind: "boolean".into(), field: "cap" })])
        );
        let missing = kind("linear");
        assert_eq!(Rule::build(&missing, 1.0).map_err(|p| p.len()), Err(2));
    }
}
