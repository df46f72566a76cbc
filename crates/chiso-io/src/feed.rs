//! Feeds from connected systems (`chiso feed dossiers|documents FILE`): raw records
//! exported by other systems, streamed and turned into KPI observations
//! (`kpi,scope,period,value,note`), per unit and for the province, per period.
//!
//! Memory grows with units × periods, never with rows: the file is read in blocks
//! and each row only adds to small counts per (unit, period). Both cores are used:
//! the file is cut into byte ranges scanned in parallel (see `scan`), and since
//! counts are sums the output is the same whatever the number of threads.
//!
//! Strict by default: the first bad row (by line) stops the run with
//! `FILE:LINE: reason` and nothing is written; with `skip_bad`, bad rows are
//! counted and the first few reported in the [`FeedSummary`].
//!
//! Input conventions (beyond the spec, which they follow):
//! - fields are trimmed of spaces and tabs; a row whose fields are all empty (a
//!   blank line) is skipped, not counted and not bad;
//! - `channel` (`online`/`offline`) and `direction` (`out`/`in`) ignore ASCII case;
//! - times are `YYYY-MM-DDTHH:MM:SS`, `YYYY-MM-DD HH:MM:SS`, or either without the
//!   seconds; no time zone, no fractions;
//! - documents: `signed` is a boolean word; an incoming document may leave it empty;
//! - a quoted field may hold commas and `""`, but not a line break: the scanner
//!   cuts rows at line breaks (a row with an unclosed quote is bad).
//!
//! Output conventions: a header line `kpi,scope,period,value,note`; rows ordered by
//! KPI (the spec's order), scope (`province` first, then unit codes in byte order),
//! period; counts as integers, rates in percent with Rust's shortest round-trip
//! formatting; a rate whose denominator is zero is left out (a count of zero is
//! written: `docs_in` is 0 for a unit that only sent documents that period); the
//! `note` column is empty.

mod documents;
mod dossiers;
mod error;
mod format;
mod scan;
mod tally;
mod text;

#[cfg(test)]
mod tests;

pub use error::{BadRow, FeedError, FeedProblem};

use documents::DocumentFeed;
use dossiers::DossierFeed;
use format::Format;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tally::Table;

/// Which feed a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKind {
    /// Public-service dossiers: `id,unit,procedure,channel,received,due,finished,digitized`.
    Dossiers,
    /// Documents: `id,unit,direction,sent,signed`.
    Documents,
}

impl FeedKind {
    pub fn name(self) -> &'static str {
        match self {
            FeedKind::Dossiers => "dossiers",
            FeedKind::Documents => "documents",
        }
    }

    /// The columns the header must have (any order, others allowed).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            FeedKind::Dossiers => DossierFeed::COLUMNS,
            FeedKind::Documents => DocumentFeed::COLUMNS,
        }
    }

    /// The KPI codes written, in output order.
    pub fn kpis(self) -> Vec<&'static str> {
        match self {
            FeedKind::Dossiers => DossierFeed::KPIS.iter().map(|k| k.code).collect(),
            FeedKind::Documents => DocumentFeed::KPIS.iter().map(|k| k.code).collect(),
        }
    }
}

impl FromStr for FeedKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "dossiers" => Ok(FeedKind::Dossiers),
            "documents" => Ok(FeedKind::Documents),
            other => Err(format!("unknown feed {other:?} (use dossiers or documents)")),
        }
    }
}

impl fmt::Display for FeedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The period of the output rows, by `received` (dossiers) or `sent` (documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Granularity {
    /// `2024-09` (the default).
    #[default]
    Month,
    /// `2024-Q3`.
    Quarter,
    /// `2024`.
    Year,
}

impl Granularity {
    pub fn name(self) -> &'static str {
        match self {
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
            Granularity::Year => "year",
        }
    }
}

impl FromStr for Granularity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "month" => Ok(Granularity::Month),
            "quarter" => Ok(Granularity::Quarter),
            "year" => Ok(Granularity::Year),
            other => Err(format!("unknown period {other:?} (use month, quarter or year)")),
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to run a feed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedOptions {
    pub granularity: Granularity,
    /// Skip bad rows (counted, the first few reported) instead of stopping.
    pub skip_bad: bool,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
}

/// Told from time to time (about ten times a second, from the calling thread) how
/// far the run is: bytes of the input processed so far (out of the file's length)
/// and data rows so far. Must be cheap. Any `Fn(u64, u64) + Sync` is one.
pub trait Progress: Sync {
    fn advance(&self, bytes: u64, rows: u64);
}

impl<F: Fn(u64, u64) + Sync> Progress for F {
    fn advance(&self, bytes: u64, rows: u64) {
        self(bytes, rows)
    }
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn advance(&self, _bytes: u64, _rows: u64) {}
}

/// What a successful run did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedSummary {
    /// Data rows read (header and blank lines excluded), bad ones included.
    pub rows: u64,
    /// Bad rows skipped (only with `skip_bad`; 0 otherwise).
    pub skipped: u64,
    /// The first bad rows by line, at most 5.
    pub first_bad: Vec<BadRow>,
    /// Observations written (output rows, header excluded).
    pub observations: usize,
}

/// Bytes per chunk of parallel work; tests use small ones.
const CHUNK_BYTES: u64 = scan::DEFAULT_CHUNK_BYTES;

/// Streams `input`, aggregates it, and writes the observations CSV
/// (`kpi,scope,period,value,note`, with a header line) to `output`. Nothing is
/// written unless the whole input was read without a fatal error.
pub fn run_feed(
    kind: FeedKind,
    input: &Path,
    output: &mut dyn Write,
    options: &FeedOptions,
    progress: &dyn Progress,
) -> Result<FeedSummary, FeedError> {
    run_feed_chunked(kind, input, output, options, progress, CHUNK_BYTES)
}

/// [`run_feed`] with a chosen chunk size.
pub(crate) fn run_feed_chunked(
    kind: FeedKind,
    input: &Path,
    output: &mut dyn Write,
    options: &FeedOptions,
    progress: &dyn Progress,
    chunk_bytes: u64,
) -> Result<FeedSummary, FeedError> {
    match kind {
        FeedKind::Dossiers => run_format::<DossierFeed>(input, output, options, progress, chunk_bytes),
        FeedKind::Documents => run_format::<DocumentFeed>(input, output, options, progress, chunk_bytes),
    }
}

fn run_format<F: Format>(
    input: &Path,
    output: &mut dyn Write,
    options: &FeedOptions,
    progress: &dyn Progress,
    chunk_bytes: u64,
) -> Result<FeedSummary, FeedError> {
    let header = scan::read_header(input)?;
    let format = F::from_header(&header.names).map_err(|problem| FeedError::BadRow {
        file: input.to_path_buf(),
        line: 1,
        problem,
    })?;
    let scanned = scan::scan(input, &header, &format, options, progress, chunk_bytes)?;
    let table = Table::merge(options.granularity, scanned.tallies);
    let observations = table.write::<F>(output).map_err(|cause| FeedError::Write { file: None, cause })?;
    progress.advance(header.len, scanned.rows);
    Ok(FeedSummary {
        rows: scanned.rows,
        skipped: scanned.skipped,
        first_bad: scanned.first_bad,
        observations,
    })
}

/// [`run_feed`] into a file, atomically: the output goes to a temporary file in the
/// same folder, renamed to `out_path` at the end. On any error the temporary file
/// is removed, so no output file is left (and a file already at `out_path` is left
/// untouched).
pub fn run_feed_to_file(
    kind: FeedKind,
    input: &Path,
    out_path: &Path,
    options: &FeedOptions,
    progress: &dyn Progress,
) -> Result<FeedSummary, FeedError> {
    run_feed_to_file_chunked(kind, input, out_path, options, progress, CHUNK_BYTES)
}

pub(crate) fn run_feed_to_file_chunked(
    kind: FeedKind,
    input: &Path,
    out_path: &Path,
    options: &FeedOptions,
    progress: &dyn Progress,
    chunk_bytes: u64,
) -> Result<FeedSummary, FeedError> {
    let write_error = |cause| FeedError::Write { file: Some(out_path.to_path_buf()), cause };
    let mut temporary = TemporaryFile::beside(out_path).map_err(write_error)?;
    let summary = match run_feed_chunked(kind, input, &mut temporary.file, options, progress, chunk_bytes) {
        Err(FeedError::Write { file: None, cause }) => return Err(write_error(cause)),
        other => other?,
    };
    temporary.persist(out_path).map_err(write_error)?;
    Ok(summary)
}

/// A file created next to its final place, removed when dropped unless persisted.
struct TemporaryFile {
    path: PathBuf,
    file: File,
    persisted: bool,
}

impl TemporaryFile {
    fn beside(target: &Path) -> io::Result<Self> {
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?
            .to_string_lossy();
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut attempt = 0u32;
        loop {
            let path = folder.join(format!(".{name}.{}-{attempt}.tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok(TemporaryFile { path, file, persisted: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e),
            }
        }
    }

    fn persist(mut self, target: &Path) -> io::Result<()> {
        self.file.sync_all()?;
        fs::rename(&self.path, target)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = fs::remove_file(&self.path);
        }
    }
}
