//! `chiso analyze`: the results of the three analyses of `chiso_core::analysis`
//! (uncertainty, sensitivity, gap) as JSON documents and as readable tables, in
//! either language.
//!
//! The JSON shapes of uncertainty and sensitivity are the contract of
//! `docs/formats/analysis.md`, keys in the order written there; the gap document is
//! ours and documented in `docs/analysis.md`. Numbers are JSON numbers at full
//! precision, floating-point noise below 1e-9 removed ([`super::clean`]); names are
//! in the chosen language. The documents are `serde_json::Value`s, so the web app
//! can serve them as they are.

pub mod gap;
pub mod sensitivity;
pub mod uncertainty;

use chiso_core::Lang;
use chiso_core::rank::round_half_away;

/// A share (0..=1) as a percentage with one decimal: `87,5%` / `87.5%`.
fn percent(lang: Lang, share: f64) -> String {
    format!("{}%", lang.number(share * 100.0, 1))
}

/// A number rounded to `decimals` and written as short as it can be: `3`, `3,5`.
fn short(lang: Lang, value: f64, decimals: u32) -> String {
    lang.plain(round_half_away(value, decimals))
}

/// [`layout`](super::table::layout) without the spaces it leaves at the end of a
/// line whose last cell is empty (the flag column of the uncertainty table).
fn table(header: &[&str], align: &[super::table::Align], rows: &[Vec<String>]) -> String {
    super::table::layout(header, align, rows).lines().map(|line| format!("{}\n", line.trim_end())).collect()
}

/// The title line of every analysis table: the assessment's name and year.
fn title(assessment: &chiso_core::Assessment, lang: Lang) -> String {
    format!("{} ({})\n", assessment.name.get(lang), assessment.year)
}
