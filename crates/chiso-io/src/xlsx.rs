//! Spreadsheets (XLSX) in and out, bytes to bytes, in Vietnamese or English:
//!
//! - [`template`]: a group's self-assessment sheet (one row per unit, one column per
//!   leaf indicator), optionally pre-filled from a draft, with drop-down lists where
//!   the rule has a fixed set of words;
//! - [`read_values`]: a filled template read back into the texts a `values.csv` would
//!   hold, checked by the leaves' rules; a file with any error is refused whole;
//! - [`results_annex`]: the results laid out as an official annex (phụ lục): one sheet
//!   per group in rank order, and a summary sheet.
//!
//! # Template layout
//!
//! One sheet named after the group code. Row 1 holds the indicator codes (the reader
//! finds columns by them, so columns may be moved), row 2 the indicator names, row 3
//! how to write the value (the rule in words and the unit of measure); data start on
//! row 4 with the unit code in column A (the reader finds units by it) and the unit
//! name in column B (ignored on reading).
//!
//! # Cell values and the texts they become
//!
//! - A number is written the shortest way that gives it back, after dropping binary
//!   noise beyond 15 significant digits (Excel keeps no more): `97.5`, never
//!   `97.50000000001`. The decimal separator is always `.` (values.csv accepts both).
//! - A number shown as a percentage (its number format has a `%`, as when someone types
//!   `97,5%`, which Excel stores as 0.975) becomes `97.5%`: the package format drops a
//!   trailing `%`, so it scores as 97.5, which is what the person saw.
//! - An Excel boolean (TRUE/FALSE) becomes `có`/`không` (`yes`/`no` in English); any
//!   word the package format accepts for booleans is kept as typed.
//! - Text is trimmed and kept as typed (`74,8`, `3/4`, `na`, an option code).
//! - A date is refused: Excel turns `3/4` typed into a General cell into a date. The
//!   template formats ratio, choice and boolean columns as text so that this does
//!   not happen there.
//! - A formula counts by the value Excel last computed and saved with it.
//!
//! Pre-filled values are written back the same way: numbers as numbers (`97%` as
//! 0.97 shown `97%`), ratios, choices and booleans as text (booleans as the
//! language's yes/no word).

mod annex;
mod read;
mod template;

pub use annex::results_annex;
pub use read::{COLUMN_SLACK, MAX_CELLS, MAX_SHEETS, ROW_SLACK, read_values};
pub use template::template;

use chiso_core::Lang;
use std::fmt;

/// Row (0-based) of the indicator codes in a template.
pub const CODE_ROW: u32 = 0;
/// Row (0-based) of the indicator names.
pub const NAME_ROW: u32 = 1;
/// Row (0-based) of the rule in words.
pub const RULE_ROW: u32 = 2;
/// First data row (0-based; row 4 in Excel).
pub const FIRST_DATA_ROW: u32 = 3;
/// Column (0-based) of the unit codes.
pub const UNIT_CODE_COLUMN: u16 = 0;
/// Column (0-based) of the unit names.
pub const UNIT_NAME_COLUMN: u16 = 1;
/// First indicator column (0-based; column C).
pub const FIRST_INDICATOR_COLUMN: u16 = 2;

/// Why a spreadsheet could not be written or read: where (sheet and cell, where
/// there is one) and what, in the language asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XlsxError {
    pub sheet: Option<String>,
    /// A1-style, e.g. `F12`.
    pub cell: Option<String>,
    pub message: String,
}

impl XlsxError {
    /// An error about the whole file.
    pub fn file(message: impl Into<String>) -> Self {
        XlsxError { sheet: None, cell: None, message: message.into() }
    }

    /// An error about one cell (0-based row and column).
    pub fn at(sheet: &str, row: u32, column: u16, message: impl Into<String>) -> Self {
        XlsxError {
            sheet: Some(sheet.to_string()),
            cell: Some(cell_name(row, column)),
            message: message.into(),
        }
    }

    /// `provincial!F12: message`, `provincial: message` or `message`.
    pub fn render(&self) -> String {
        match (&self.sheet, &self.cell) {
            (Some(sheet), Some(cell)) => format!("{sheet}!{cell}: {}", self.message),
            (Some(sheet), None) => format!("{sheet}: {}", self.message),
            (None, Some(cell)) => format!("{cell}: {}", self.message),
            (None, None) => self.message.clone(),
        }
    }

    /// The `sheet!cell` this error points at, if it points at a cell.
    pub fn location(&self) -> Option<String> {
        match (&self.sheet, &self.cell) {
            (Some(sheet), Some(cell)) => Some(format!("{sheet}!{cell}")),
            _ => None,
        }
    }

    /// An error of the XLSX writer (only a bug or an impossible name can cause one).
    fn writer(error: rust_xlsxwriter::XlsxError, sheet: Option<&str>, lang: Lang) -> Self {
        XlsxError {
            sheet: sheet.map(str::to_string),
            cell: None,
            message: match lang {
                Lang::Vi => format!("không tạo được tệp XLSX: {error}"),
                Lang::En => format!("cannot write the XLSX file: {error}"),
            },
        }
    }
}

impl fmt::Display for XlsxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for XlsxError {}

/// One value read from a filled template, as a `values.csv` row would hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellValue {
    pub unit: String,
    pub indicator: String,
    pub text: String,
}

/// A1-style name of a 0-based cell: (0, 0) is `A1`, (11, 5) is `F12`.
pub fn cell_name(row: u32, column: u16) -> String {
    let mut letters = Vec::new();
    let mut n = u32::from(column) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), u64::from(row) + 1)
}

/// A number as values.csv would hold it: the shortest text that reads back as the
/// number once rounded to 15 significant digits, so binary noise (0.1 + 0.2,
/// 0.975 × 100) disappears and nothing a person typed is lost.
pub fn number_text(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded}")
}

/// The word for yes / no a template offers and a TRUE / FALSE cell becomes.
pub(crate) fn yes_no(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Vi => ("có", "không"),
        Lang::En => ("yes", "no"),
    }
}

/// The word for "not applicable" in the package format.
pub(crate) const NOT_APPLICABLE: &str = "na";

/// Whether an Excel number format shows the number as a percentage (a `%` outside
/// quoted text and escapes, in the first section).
pub(crate) fn is_percent_format(code: &str) -> bool {
    let mut chars = code.chars();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => return false,
            '%' => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_a1_style() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(11, 5), "F12");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(2, 701), "ZZ3");
        assert_eq!(cell_name(0, 702), "AAA1");
    }

    #[test]
    fn numbers_lose_their_float_noise_only() {
        assert_eq!(number_text(97.5), "97.5");
        assert_eq!(number_text(0.975 * 100.0), "97.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(97.50000001), "97.50000001");
        assert_eq!(number_text(2.0), "2");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(1.0 / 3.0), "0.333333333333333");
        assert_eq!(number_text(123456789.0), "123456789");
        assert_eq!(number_text(0.0000125), "0.0000125");
    }

    #[test]
    fn percent_formats_are_recognised() {
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(!is_percent_format("General"));
        assert!(!is_percent_format("0.00"));
        assert!(!is_percent_format("0.0\"%\""));
        assert!(!is_percent_format("0\\%"));
        assert!(!is_percent_format("0;0%"));
        assert!(!is_percent_format("@"));
    }

    #[test]
    fn errors_render_with_their_place() {
        let e = XlsxError::at("provincial", 11, 5, "sai");
        assert_eq!(e.render(), "provincial!F12: sai");
        assert_eq!(e.location().as_deref(), Some("provincial!F12"));
        assert_eq!(XlsxError::file("hỏng").render(), "hỏng");
    }
}
