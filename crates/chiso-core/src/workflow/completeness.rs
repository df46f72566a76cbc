//! What a unit's form still lacks before it can be submitted.

use crate::framework::{Framework, Source};
use crate::lang::Lang;
use std::collections::BTreeSet;

/// What is missing at an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    /// A leaf the reporter has not answered.
    Answer,
    /// An indicator with `evidence = true` and no evidence yet.
    Evidence,
}

/// One thing missing from a form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Gap {
    /// The indicator's position in [`Framework::indicators`].
    pub row: usize,
    pub indicator: String,
    pub missing: Missing,
}

impl Gap {
    pub fn message(&self, lang: Lang) -> String {
        let code = &self.indicator;
        match (self.missing, lang) {
            (Missing::Answer, Lang::Vi) => format!("{code}: chưa trả lời"),
            (Missing::Answer, Lang::En) => format!("{code}: not answered"),
            (Missing::Evidence, Lang::Vi) => format!("{code}: cần minh chứng hoặc giải trình lý do không có"),
            (Missing::Evidence, Lang::En) => {
                format!("{code}: needs evidence, or an explanation why there is none")
            }
        }
    }
}

/// Whether a value as written answers its indicator: anything but blanks (`na`
/// answers it).
pub fn is_answered(text: &str) -> bool {
    !text.trim().is_empty()
}

/// What a unit still lacks before it can be submitted, in the framework's order
/// (for one indicator, its answer before its evidence): every leaf answered, except
/// those whose value comes from a monitoring KPI (`source = "kpi:…"`), and every
/// indicator with `evidence = true` — parent or leaf — evidenced.
///
/// `answered` holds the codes of the unit's indicators with a value that
/// [`is_answered`]; `evidenced`, those with at least one piece of evidence or a
/// written explanation of why there is none (which the appraiser then reads).
pub fn completeness(
    framework: &Framework,
    answered: &BTreeSet<&str>,
    evidenced: &BTreeSet<&str>,
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for (row, indicator) in framework.indicators.iter().enumerate() {
        let code = indicator.code.as_str();
        let kpi = matches!(indicator.source, Source::Kpi(_));
        if indicator.is_leaf() && !kpi && !answered.contains(code) {
            gaps.push(Gap { row, indicator: code.to_owned(), missing: Missing::Answer });
        }
        if indicator.evidence && !evidenced.contains(code) {
            gaps.push(Gap { row, indicator: code.to_owned(), missing: Missing::Evidence });
        }
    }
    gaps
}
