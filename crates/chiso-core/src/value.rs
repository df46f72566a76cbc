//! Values entered for a unit's leaves, after reading: typed by the leaf's rule.

use crate::framework::Indicator;
use crate::number::{parse_number, trim};
use crate::problem::Problem;

/// A value typed by the rule of the leaf it was written for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Bool(bool),
    Number(f64),
    /// `a/b`, as for meetings chaired / meetings held.
    Ratio(f64, f64),
    /// The index of the chosen option of a `choice` rule.
    Choice(usize),
}

impl Value {
    /// The value as a number, where it is one (the `relative` rule compares these).
    pub fn as_number(&self) -> Option<f64> {
        match *self {
            Value::Number(v) => Some(v),
            _ => None,
        }
    }
}

/// What a unit has for one leaf.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Entry {
    /// No row, or an empty value: scores 0 and is listed as missing.
    #[default]
    Missing,
    /// `na`: the leaf and its maximum are removed for this unit.
    NotApplicable,
    Given(Value),
}

impl Indicator {
    /// Reads what was written for this leaf: empty is missing, `na` is not
    /// applicable, anything else must suit the leaf's rule (or be a number, for a
    /// composite leaf).
    pub fn parse_entry(&self, text: &str) -> Result<Entry, Problem> {
        let text = trim(text);
        if text.is_empty() {
            return Ok(Entry::Missing);
        }
        if text.eq_ignore_ascii_case("na") {
            return Ok(Entry::NotApplicable);
        }
        match &self.rule {
            Some(rule) => rule.parse_value(text, self.max).map(Entry::Given),
            None => parse_number(text)
                .map(|v| Entry::Given(Value::Number(v)))
                .ok_or_else(|| Problem::NotANumber { text: text.to_string() }),
        }
    }
}

/// The entries of every unit of an assessment: `entries[unit][indicator]`, indexed
/// like the assessment's units and the unit's framework's indicators. Parents
/// always hold `Missing`; only leaves are read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Values {
    /// All units' entries in one allocation; unit u owns `entries[starts[u]..starts[u + 1]]`.
    entries: Vec<Entry>,
    starts: Vec<usize>,
}

impl Values {
    /// All leaves missing, for units whose frameworks have these indicator counts.
    pub fn empty(indicator_counts: impl IntoIterator<Item = usize>) -> Self {
        let mut starts = vec![0];
        for n in indicator_counts {
            starts.push(starts[starts.len() - 1] + n);
        }
        let total = starts[starts.len() - 1];
        Values { entries: vec![Entry::Missing; total], starts }
    }

    pub fn set(&mut self, unit: usize, indicator: usize, entry: Entry) {
        let at = self.starts[unit] + indicator;
        debug_assert!(at < self.starts[unit + 1]);
        self.entries[at] = entry;
    }

    pub fn get(&self, unit: usize, indicator: usize) -> Entry {
        self.unit(unit)[indicator]
    }

    pub fn unit(&self, unit: usize) -> &[Entry] {
        &self.entries[self.starts[unit]..self.starts[unit + 1]]
    }
}
