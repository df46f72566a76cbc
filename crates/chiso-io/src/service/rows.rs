//! A CSV file of a service folder read one row at a time into one reused record:
//! memory does not grow with the file. The header is matched by name (any order;
//! a missing required column, an unknown or a repeated one is an error at line 1),
//! fields are trimmed of spaces, tabs and a carriage return, and blank rows are
//! skipped.
//!
//! Rows end at `\n` only (a `\r` before it is trimmed with the last field): the
//! csv crate's own CRLF handling reports wrong line numbers (rust-csv#395).
//!
//! dossiers.csv, the big file, is read by `super::scan` after its header
//! ([`Rows::into_rest`]), which hands back to a resumed [`Rows`] at the first quote.

use super::error::{BadRow, ServiceError, ServiceProblem};
use csv::StringRecord;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A named input: what a file of the folder is read from.
pub struct Source<'a> {
    /// Shown in messages (`FOLDER/dossiers.csv`).
    pub name: PathBuf,
    pub reader: Box<dyn Read + 'a>,
    /// Its length in bytes, when known (for progress).
    pub len: Option<u64>,
}

impl std::fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source").field("name", &self.name).field("len", &self.len).finish_non_exhaustive()
    }
}

impl<'a> Source<'a> {
    /// A file, opened.
    pub fn file(path: &Path) -> Result<Source<'a>, ServiceError> {
        let error = |cause| ServiceError::Read { file: path.to_path_buf(), cause };
        let file = std::fs::File::open(path).map_err(error)?;
        let metadata = file.metadata().map_err(error)?;
        if metadata.is_dir() {
            return Err(error(std::io::Error::from(std::io::ErrorKind::IsADirectory)));
        }
        let reader = Box::new(std::io::BufReader::with_capacity(1 << 16, file));
        Ok(Source { name: path.to_path_buf(), reader, len: Some(metadata.len()) })
    }

    /// Text in memory (tests, uploads).
    pub fn text(name: impl Into<PathBuf>, text: &'a str) -> Source<'a> {
        Source { name: name.into(), reader: Box::new(text.as_bytes()), len: Some(text.len() as u64) }
    }
}

/// What stops reading a row: a fatal error, or a bad row (reading may go on).
#[derive(Debug)]
pub(crate) enum Refusal {
    Fatal(ServiceError),
    Bad(BadRow),
}

/// The rows of one file.
pub(crate) struct Rows<'a> {
    file: PathBuf,
    reader: csv::Reader<Recorder<'a>>,
    record: StringRecord,
    width: usize,
    line: u64,
    /// The header's column names.
    names: Vec<String>,
    /// The line the reader's line 1 is (1, unless resumed in the middle of a file).
    line_base: u64,
    /// The bytes before the reader's byte 0.
    byte_base: u64,
}

/// The source's reader, keeping what it hands out while the header is read, so that
/// what the CSV reader read ahead of the header can be taken back
/// ([`Rows::into_rest`]).
struct Recorder<'a> {
    inner: Box<dyn Read + 'a>,
    seen: Vec<u8>,
    recording: bool,
}

impl Read for Recorder<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.recording {
            self.seen.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

/// A file after its header, as bytes: what was read ahead, then the rest of the
/// source. For a reader faster than the CSV reader (`super::scan`).
pub(crate) struct Rest<'a> {
    pub file: PathBuf,
    pub names: Vec<String>,
    pub width: usize,
    /// The line the data starts on.
    pub line: u64,
    /// The bytes of the header (before the data).
    pub offset: u64,
    /// The first bytes of the data, read with the header.
    pub ahead: Vec<u8>,
    pub reader: Box<dyn Read + 'a>,
}

/// A row being read: its fields by position in the file, and its line.
pub(crate) trait Row {
    /// The trimmed field at `index` ("" past the last).
    fn get(&self, index: usize) -> &str;
    /// The line the row starts on.
    fn line(&self) -> u64;
}

/// Trims what surrounds a field: spaces, tabs, and the `\r` of a CRLF line end.
pub(crate) fn trim(field: &str) -> &str {
    let b = field.as_bytes();
    let blank = |c: &u8| matches!(c, b' ' | b'\t' | b'\r');
    // Most fields have nothing to trim.
    if !b.first().is_some_and(blank) && !b.last().is_some_and(blank) {
        return field;
    }
    let start = b.iter().position(|c| !blank(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !blank(c)).map_or(start, |e| e + 1);
    // Spaces, tabs and \r are ASCII: the cuts are on character boundaries.
    field.get(start..end).unwrap_or("")
}

impl<'a> Rows<'a> {
    /// Reads the header of `source` and finds `columns` in it: the result holds, for
    /// each of `columns` in order, its position, or None for an absent optional one.
    /// `required` columns must be present; every column of the file must be one of
    /// `columns`.
    pub(crate) fn open(
        source: Source<'a>,
        columns: &[&'static str],
        required: usize,
    ) -> Result<(Rows<'a>, Vec<Option<usize>>), ServiceError> {
        let recorder = Recorder { inner: source.reader, seen: Vec::new(), recording: true };
        let mut rows = Rows::with_reader(source.name, recorder, 1, 0);
        let header_error = |rows: &Rows, field: Option<&str>, problem| {
            ServiceError::BadRow(Box::new(rows.bad_at(1, field, problem)))
        };
        let read = rows.reader.read_record(&mut rows.record);
        match read {
            Ok(true) => {}
            Ok(false) => return Err(header_error(&rows, None, ServiceProblem::NoHeader)),
            Err(e) => {
                return Err(match rows.refusal(e) {
                    Refusal::Fatal(e) => e,
                    Refusal::Bad(bad) => ServiceError::BadRow(Box::new(bad)),
                });
            }
        }
        let names: Vec<String> =
            rows.record.iter().map(|n| trim(n.trim_start_matches('\u{feff}')).to_string()).collect();
        if names.iter().all(|n| n.is_empty()) {
            return Err(header_error(&rows, None, ServiceProblem::NoHeader));
        }
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(header_error(&rows, Some(name), ServiceProblem::DuplicateColumn));
            }
            if !columns.contains(&name.as_str()) {
                let known = columns.to_vec();
                return Err(header_error(&rows, Some(name), ServiceProblem::UnknownColumn { known }));
            }
        }
        let index: Vec<Option<usize>> =
            columns.iter().map(|column| names.iter().position(|n| n == column)).collect();
        if let Some(i) = (0..required).find(|&i| index[i].is_none()) {
            return Err(header_error(&rows, Some(columns[i]), ServiceProblem::MissingColumn));
        }
        rows.width = names.len();
        rows.names = names;
        // Only the header's bytes are kept (for `into_rest`).
        rows.reader.get_mut().recording = false;
        Ok((rows, index))
    }

    fn with_reader(file: PathBuf, recorder: Recorder<'a>, line_base: u64, byte_base: u64) -> Rows<'a> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(recorder);
        Rows {
            file,
            reader,
            record: StringRecord::new(),
            width: 0,
            line: line_base.saturating_sub(1),
            names: Vec::new(),
            line_base,
            byte_base,
        }
    }

    /// Straight after [`Rows::open`]: the file's data as bytes, for another reader.
    pub(crate) fn into_rest(self) -> Rest<'a> {
        let position = self.reader.position();
        let (offset, line) = (position.byte(), position.line());
        let recorder = self.reader.into_inner();
        let mut ahead = recorder.seen;
        // What the CSV reader buffered beyond the header.
        ahead.drain(..(offset as usize).min(ahead.len()));
        Rest {
            file: self.file,
            names: self.names,
            width: self.width,
            line,
            offset,
            ahead,
            reader: recorder.inner,
        }
    }

    /// Rows of a file from the middle on: `reader` starts at a row's start, on `line`,
    /// `offset` bytes into the file; the header was `names`.
    pub(crate) fn resume(
        file: PathBuf,
        names: Vec<String>,
        reader: Box<dyn Read + 'a>,
        line: u64,
        offset: u64,
    ) -> Rows<'a> {
        let mut rows = Rows::with_reader(
            file,
            Recorder { inner: reader, seen: Vec::new(), recording: false },
            line,
            offset,
        );
        rows.width = names.len();
        rows.names = names;
        rows
    }

    /// Reads the next row that is not blank: its line, or None at the end.
    pub(crate) fn next_row(&mut self) -> Result<Option<u64>, Refusal> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => return Err(self.refusal(e)),
            }
            self.line = self.record.position().map_or(self.line + 1, |p| self.line_base + p.line() - 1);
            if self.record.iter().all(|f| trim(f).is_empty()) {
                continue;
            }
            if self.record.len() != self.width {
                let problem =
                    ServiceProblem::WrongFieldCount { expected: self.width, found: self.record.len() };
                return Err(Refusal::Bad(self.bad(None, problem)));
            }
            return Ok(Some(self.line));
        }
    }

    /// Bytes read so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.byte_base + self.reader.position().byte()
    }

    /// A bad current row.
    pub(crate) fn bad(&self, field: Option<&str>, problem: ServiceProblem) -> BadRow {
        self.bad_at(self.line, field, problem)
    }

    fn bad_at(&self, line: u64, field: Option<&str>, problem: ServiceProblem) -> BadRow {
        BadRow { file: self.file.clone(), line, field: field.map(str::to_string), problem }
    }

    /// A read error: fatal when the file cannot be read, a bad row otherwise.
    fn refusal(&mut self, e: csv::Error) -> Refusal {
        let line = e.position().map_or(self.line + 1, |p| self.line_base + p.line() - 1);
        self.line = line;
        let message = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(cause) => {
                Refusal::Fatal(ServiceError::Read { file: self.file.clone(), cause })
            }
            csv::ErrorKind::Utf8 { err, .. } => {
                let field = self.names.get(err.field()).cloned();
                Refusal::Bad(self.bad_at(line, field.as_deref(), ServiceProblem::NotUtf8))
            }
            _ => Refusal::Bad(self.bad_at(line, None, ServiceProblem::Syntax { message })),
        }
    }
}

impl Row for Rows<'_> {
    /// The trimmed field at `index` of the current row.
    fn get(&self, index: usize) -> &str {
        self.record.get(index).map_or("", trim)
    }

    /// The line of the current row (its first line, when a quoted field spans several).
    fn line(&self) -> u64 {
        self.line
    }
}

/// The bad rows met so far: with `skip`, counted and the first few kept; without,
/// the first one stops the run.
#[derive(Debug, Default)]
pub(crate) struct BadRows {
    skip: bool,
    pub count: u64,
    pub first: Vec<BadRow>,
}

/// How many bad rows are kept to report.
pub(crate) const KEPT_BAD_ROWS: usize = 5;

impl BadRows {
    pub(crate) fn new(skip: bool) -> Self {
        BadRows { skip, count: 0, first: Vec::new() }
    }

    /// Whether bad rows are skipped (else the first stops the run).
    pub(crate) fn skips(&self) -> bool {
        self.skip
    }

    /// Records a bad row, or stops the run with it.
    pub(crate) fn refuse(&mut self, refusal: Refusal) -> Result<(), ServiceError> {
        let bad = match refusal {
            Refusal::Fatal(e) => return Err(e),
            Refusal::Bad(bad) => bad,
        };
        if !self.skip {
            return Err(ServiceError::BadRow(Box::new(bad)));
        }
        self.count += 1;
        if self.first.len() < KEPT_BAD_ROWS {
            self.first.push(bad);
        }
        Ok(())
    }
}
