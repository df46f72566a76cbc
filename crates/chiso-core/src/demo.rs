//! Demo values: a plausible value for every leaf of every unit, generated
//! deterministically from a seed — for tests, benchmarks and a demo start of a
//! round nothing has been published for. Never presented as published fact.
//!
//! Each unit gets a level of maturity (most between 55 % and 95 %), each value
//! varies around it, and values are written as people write them ("có", "42/50",
//! "85", a choice's code), so they go through the same parsing as real ones.

use crate::Assessment;
use crate::analysis::splitmix64;
use crate::framework::Source;
use crate::rule::Rule;

/// One generated value: unit and leaf codes, and the text.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoValue {
    pub unit: String,
    pub indicator: String,
    pub value: String,
}

/// A stream of uniform numbers in [0, 1) from `seed` (SplitMix64: the same on
/// every platform and version).
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        (splitmix64(self.0) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A seed for a unit: its code mixed into the round's seed.
fn unit_seed(seed: u64, code: &str) -> u64 {
    code.bytes().fold(splitmix64(seed), |h, b| splitmix64(h ^ u64::from(b)))
}

/// Every leaf of every unit a value, except leaves whose value comes from a KPI.
pub fn values(assessment: &Assessment, seed: u64) -> Vec<DemoValue> {
    let mut values = Vec::new();
    for (u, unit) in assessment.units.iter().enumerate() {
        let mut draw = Draws(unit_seed(seed, &unit.code));
        // Most units between 55 % and 95 %, a few weaker.
        let level = 0.55 + 0.4 * draw.next() - if draw.next() < 0.1 { 0.25 } else { 0.0 };
        let framework = assessment.framework_of(u);
        for &leaf in &framework.leaves {
            let indicator = &framework.indicators[leaf];
            if matches!(indicator.source, Source::Kpi(_)) {
                continue;
            }
            let Some(rule) = &indicator.rule else { continue };
            // Around the unit's level, within [0, 1].
            let x = (level + 0.35 * (draw.next() - 0.5)).clamp(0.0, 1.0);
            let text = match rule {
                Rule::Boolean => (if x > 0.4 { "có" } else { "không" }).to_owned(),
                Rule::Linear { from, to } => number(from + (to - from) * (0.15 + 0.95 * x)),
                Rule::Steps { steps, .. } => {
                    let (lo, hi) =
                        steps.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (t, _)| (lo.min(*t), hi.max(*t)));
                    let span = if hi > lo { hi - lo } else { hi.abs().max(1.0) };
                    number((lo - 0.2 * span + 1.4 * span * x).max(0.0))
                }
                Rule::Count { cap } => number((cap * 1.2 * x).round()),
                Rule::Manual => number((indicator.max * x * 2.0).round() / 2.0),
                Rule::Relative => number((100.0 * x).round()),
                Rule::Ratio => {
                    let of = (20.0 + 180.0 * draw.next()).round();
                    format!("{}/{}", (of * x).round(), of)
                }
                Rule::Choice { options } => {
                    let mut by_points: Vec<_> = options.iter().collect();
                    by_points.sort_by(|a, b| a.points.total_cmp(&b.points));
                    let i = ((x * by_points.len() as f64) as usize).min(by_points.len() - 1);
                    by_points[i].code.clone()
                }
            };
            values.push(DemoValue {
                unit: unit.code.clone(),
                indicator: indicator.code.clone(),
                value: text,
            });
        }
    }
    values
}

/// A number as written in a CSV: at most 2 decimals, no trailing zeros.
fn number(value: f64) -> String {
    let text = format!("{:.2}", (value * 100.0).round() / 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_are_written_short() {
        assert_eq!(number(85.0), "85");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(1.0 / 3.0), "0.33");
        assert_eq!(number(0.0), "0");
    }
}
