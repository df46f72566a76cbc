//! The public-service quality index (Decision 766/QĐ-TTg) from a service folder
//! (`chiso service-index FOLDER`; `docs/formats/service-index.md`):
//!
//! ```text
//! FOLDER/units.csv, procedures.csv, dossiers.csv[, petitions.csv]
//!   → chiso_core::service_index (Catalogue, Tally) → ServiceIndex
//!   → JSON document, CSV, table, or KPI observations
//! ```
//!
//! Strict by default: the first bad row (units, procedures, dossiers, petitions, in
//! that order) stops the run with `FILE:LINE: reason (field: F)`, and nothing is
//! computed; with `skip_bad`, bad rows are counted and the first few kept. Dossiers
//! and petitions stream: memory by units × periods, not by rows (dossiers.csv in
//! blocks parsed by one thread per core, `scan`).
//!
//! For a web page or a scheduled job: [`read_folder`] (files) or [`read_sources`]
//! (any readers), then one of the renderers ([`document::ServiceIndexDocument`],
//! [`output::write_csv`], [`output::write_observations`], [`table::render`]).

mod codes;
pub mod document;
mod error;
mod fields;
mod files;
pub mod generate;
pub mod output;
mod rows;
mod scan;
pub mod table;

#[cfg(test)]
mod tests;

pub use error::{BadRow, ServiceError, ServiceProblem};
pub use rows::Source;

use crate::feed::Progress;
use chiso_core::service_index::{Input, PeriodKind, PeriodRange, ServiceIndex, Tally};
use rows::BadRows;
use std::path::Path;

/// The files of a service folder (without `.csv`) and their columns, in the
/// format's order: what a column mapping may name.
pub const FILES: [(&str, &[&str]); 4] = [
    ("units", files::UNIT_COLUMNS),
    ("procedures", files::PROCEDURE_COLUMNS),
    ("dossiers", files::DOSSIER_COLUMNS),
    ("petitions", files::PETITION_COLUMNS),
];

/// How to compute the index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceOptions {
    pub period: PeriodKind,
    /// The periods shown (earlier ones are still scored, for the change).
    pub range: PeriodRange,
    /// Skip bad rows (counted, the first few kept) instead of stopping.
    pub skip_bad: bool,
}

/// A successful run: the index, and what was read.
#[derive(Debug)]
pub struct ServiceRun {
    pub index: ServiceIndex,
    /// Data rows read, over every file (blank lines excluded, bad rows included).
    pub rows: u64,
    /// The same per file (`units`, `procedures`, `dossiers`, `petitions` when given).
    pub files: Vec<(&'static str, u64)>,
    /// Bad rows skipped (0 unless `skip_bad`).
    pub skipped: u64,
    /// The first bad rows, in the order met (at most 5).
    pub first_bad: Vec<BadRow>,
}

/// The files of a service folder, as readers; petitions may be absent (6.1 and 6.2
/// are then `missing_input`).
#[derive(Debug)]
pub struct Sources<'a> {
    pub units: Source<'a>,
    pub procedures: Source<'a>,
    pub dossiers: Source<'a>,
    pub petitions: Option<Source<'a>>,
}

/// Reads `FOLDER/{units,procedures,dossiers,petitions}.csv` and computes the index.
/// `progress` is told (bytes of dossiers.csv, rows) about ten times a second.
pub fn read_folder(
    folder: &Path,
    options: &ServiceOptions,
    progress: &dyn Progress,
) -> Result<ServiceRun, ServiceError> {
    if !folder.is_dir() {
        return Err(ServiceError::NoFolder(folder.to_path_buf()));
    }
    let petitions = folder.join("petitions.csv");
    let sources = Sources {
        units: Source::file(&folder.join("units.csv"))?,
        procedures: Source::file(&folder.join("procedures.csv"))?,
        dossiers: Source::file(&folder.join("dossiers.csv"))?,
        petitions: if petitions.exists() { Some(Source::file(&petitions)?) } else { None },
    };
    read_sources(sources, options, progress)
}

/// [`read_folder`] over any readers (uploads, tests).
pub fn read_sources(
    sources: Sources<'_>,
    options: &ServiceOptions,
    progress: &dyn Progress,
) -> Result<ServiceRun, ServiceError> {
    let mut bad = BadRows::new(options.skip_bad);
    let (mut catalogue, units) = files::read_units(sources.units, &mut bad)?;
    let procedures = files::read_procedures(sources.procedures, &mut catalogue, &mut bad)?;
    let (dossier_rows, index, mut inputs) = files::open_dossiers(sources.dossiers)?;
    if sources.petitions.is_some() {
        inputs = inputs.with(Input::Petitions);
    }
    let mut tally = Tally::new(catalogue, options.period, inputs);
    let dossiers = files::read_dossiers(dossier_rows, &index, &mut tally, &mut bad, progress)?;
    let petitions = match sources.petitions {
        Some(source) => Some(files::read_petitions(source, &mut tally, &mut bad)?),
        None => None,
    };
    let mut files = vec![("units", units.rows), ("procedures", procedures.rows), ("dossiers", dossiers.rows)];
    files.extend(petitions.map(|p| ("petitions", p.rows)));
    Ok(ServiceRun {
        index: tally.score(&options.range),
        rows: files.iter().map(|(_, rows)| rows).sum(),
        files,
        skipped: bad.count,
        first_bad: bad.first,
    })
}
