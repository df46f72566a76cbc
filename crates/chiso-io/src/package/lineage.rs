//! `lineage.csv` (optional): `from_year,from_code,to_code,kind,weight`, which
//! units of earlier rounds each unit of this round continues (format:
//! docs/formats/lineage.md; meaning: [`chiso_core::lineage`]).

use crate::csv_file::CsvFile;
use crate::error::{ErrorKind, PackageError};
use chiso_core::Problem;
use chiso_core::lineage::{Lineage, LineageProblem, Link, LinkKind};
use chiso_core::number::parse_number;

pub const LINEAGE_FILE: &str = "lineage.csv";

const KINDS: &[&str] = &["same", "rename", "merge", "split"];

/// A lineage as read, with the line of each link (for errors found later).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineageFile {
    pub lineage: Lineage,
    /// The 1-based line of each link, in order.
    pub lines: Vec<usize>,
}

impl LineageFile {
    /// The problems the core found in this lineage, as errors at their lines of
    /// `file` (a vanished unit, which has no line, is named on the header line).
    pub fn errors(&self, file: &str, problems: Vec<LineageProblem>) -> Vec<PackageError> {
        problems
            .into_iter()
            .map(|problem| {
                let line = problem.link().and_then(|i| self.lines.get(i).copied()).unwrap_or(1);
                let field = problem.field();
                PackageError::new(file, Some(line), Some(field), ErrorKind::Lineage(problem))
            })
            .collect()
    }
}

/// Reads a lineage file; every bad field is reported with its line and column.
pub fn parse(file: &str, text: &str, errors: &mut Vec<PackageError>) -> Option<LineageFile> {
    let before = errors.len();
    let mut csv = CsvFile::new(file, text);
    let header = csv.header(errors)?;
    let columns = ["from_year", "from_code", "to_code", "kind", "weight"];
    let found: Vec<Option<usize>> = columns.iter().map(|c| header.column(c)).collect();
    // The weight column may be left out when no link has one.
    let missing: Vec<&&str> =
        columns[..4].iter().zip(&found).filter(|(_, f)| f.is_none()).map(|(c, _)| c).collect();
    if !missing.is_empty() {
        for column in missing {
            errors.push(PackageError::new(
                file,
                Some(1),
                None,
                ErrorKind::MissingColumn { column: (*column).into() },
            ));
        }
        return None;
    }
    let [Some(c_year), Some(c_from), Some(c_to), Some(c_kind), c_weight] = found[..] else { return None };
    let mut read = LineageFile::default();
    csv.rows(&header, errors, |line, row, errors| {
        let err = |field: &str, problem| {
            PackageError::new(file, Some(line), Some(field), ErrorKind::Problem(problem))
        };
        let text = |c: usize| row.get(c).unwrap_or("");
        let year = text(c_year).parse::<i32>().ok().filter(|y| (1900..=2200).contains(y));
        if year.is_none() {
            errors.push(err("from_year", Problem::NotANumber { text: text(c_year).into() }));
        }
        let (from, to) = (text(c_from), text(c_to));
        if from.is_empty() {
            errors.push(err("from_code", Problem::EmptyCode));
        }
        if to.is_empty() {
            errors.push(err("to_code", Problem::EmptyCode));
        }
        let kind = LinkKind::parse(text(c_kind));
        if kind.is_none() {
            errors.push(err("kind", Problem::UnknownWord { found: text(c_kind).into(), expected: KINDS }));
        }
        let weight_text = c_weight.map(text).unwrap_or("");
        let weight = if weight_text.is_empty() {
            Some(None)
        } else {
            match parse_number(weight_text) {
                Some(w) if w.is_finite() && w > 0.0 => Some(Some(w)),
                Some(w) => {
                    errors.push(err("weight", Problem::NotPositive { found: w }));
                    None
                }
                None => {
                    errors.push(err("weight", Problem::NotANumber { text: weight_text.into() }));
                    None
                }
            }
        };
        if let (Some(from_year), false, false, Some(kind), Some(weight)) =
            (year, from.is_empty(), to.is_empty(), kind, weight)
        {
            read.lineage.links.push(Link { from_year, from: from.into(), to: to.into(), kind, weight });
            read.lines.push(line);
        }
    });
    (errors.len() == before).then_some(read)
}
