//! `earlier.csv` (optional): figures the province published in years chiso holds
//! no round for — `year,mean,scale,source,source_en` — such as Son La's 2023 mean of
//! 659.1 out of 1000. Shown beside the round's own mean, each on its own scale and
//! as percent of it (format: docs/formats/assessment-package.md).

use crate::csv_file::CsvFile;
use crate::error::{ErrorKind, PackageError};
use chiso_core::number::parse_number;
use chiso_core::{Lang, Problem};

pub const EARLIER_FILE: &str = "earlier.csv";

/// The province's overall mean of an earlier year, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierFigure {
    pub year: i32,
    pub mean: f64,
    pub scale: f64,
    /// Where it was published (the decision), in Vietnamese and English.
    pub source: String,
    pub source_en: String,
}

impl EarlierFigure {
    /// The mean as percent of its scale.
    pub fn percent(&self) -> f64 {
        self.mean / self.scale * 100.0
    }

    pub fn source(&self, lang: Lang) -> &str {
        lang.pick(&self.source, &self.source_en)
    }
}

/// Reads earlier.csv; `year` is the package's (earlier figures must be before it).
pub fn parse(text: &str, year: Option<i32>, errors: &mut Vec<PackageError>) -> Option<Vec<EarlierFigure>> {
    let before = errors.len();
    let mut csv = CsvFile::new(EARLIER_FILE, text);
    let header = csv.header(errors)?;
    let required = ["year", "mean", "scale", "source"];
    let columns: Vec<Option<usize>> = required.iter().map(|c| header.column(c)).collect();
    for (column, found) in required.iter().zip(&columns) {
        if found.is_none() {
            errors.push(PackageError::new(
                EARLIER_FILE,
                Some(1),
                None,
                ErrorKind::MissingColumn { column: (*column).into() },
            ));
        }
    }
    let [Some(c_year), Some(c_mean), Some(c_scale), Some(c_source)] = columns[..] else { return None };
    let c_source_en = header.column("source_en");
    let mut figures = Vec::new();
    csv.rows(&header, errors, |line, row, errors| {
        let mut err = |field: &str, problem| {
            errors.push(PackageError::new(EARLIER_FILE, Some(line), Some(field), ErrorKind::Problem(problem)))
        };
        let text = |c: usize| row.get(c).unwrap_or("");
        let figure_year =
            text(c_year).parse::<i32>().ok().filter(|y| year.is_none_or(|now| *y < now) && *y >= 1900);
        if figure_year.is_none() {
            err("year", Problem::NotANumber { text: text(c_year).into() });
        }
        let scale = parse_number(text(c_scale)).filter(|s| s.is_finite() && *s > 0.0);
        if scale.is_none() {
            err("scale", Problem::NotPositive { found: parse_number(text(c_scale)).unwrap_or(0.0) });
        }
        let mean = match (parse_number(text(c_mean)), scale) {
            (Some(m), Some(s)) if (0.0..=s).contains(&m) => Some(m),
            (Some(m), Some(s)) => {
                err("mean", Problem::ManualOutOfRange { value: m, max: s });
                None
            }
            (Some(m), None) => Some(m),
            (None, _) => {
                err("mean", Problem::NotANumber { text: text(c_mean).into() });
                None
            }
        };
        let source = text(c_source).to_owned();
        if source.is_empty() {
            err("source", Problem::MissingField);
        }
        if let (Some(year), Some(mean), Some(scale), false) = (figure_year, mean, scale, source.is_empty()) {
            let source_en =
                c_source_en.map(text).filter(|s| !s.is_empty()).map_or_else(|| source.clone(), str::to_owned);
            figures.push(EarlierFigure { year, mean, scale, source, source_en });
        }
    });
    figures.sort_by_key(|f| f.year);
    (errors.len() == before).then_some(figures)
}
