//! CSV files read row by row with their line numbers; a malformed row becomes a
//! located error and reading goes on, so all errors are reported together.

use crate::error::{ErrorKind, PackageError};
use chiso_core::number::trim;
use csv::StringRecord;
use std::borrow::Cow;

pub(crate) struct CsvFile<'a> {
    file: String,
    reader: csv::Reader<std::io::Cursor<Cow<'a, [u8]>>>,
}

/// The header row, trimmed.
pub(crate) struct Header {
    pub names: Vec<String>,
}

impl<'a> CsvFile<'a> {
    pub(crate) fn new(file: impl Into<String>, text: &'a str) -> Self {
        // The csv crate counts a CRLF as no line break in its positions
        // (rust-csv#395), so Windows files are read as LF for true line numbers.
        let bytes: Cow<'a, [u8]> = if text.contains("\r\n") {
            Cow::Owned(text.replace("\r\n", "\n").into_bytes())
        } else {
            Cow::Borrowed(text.as_bytes())
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(std::io::Cursor::new(bytes));
        CsvFile { file: file.into(), reader }
    }

    fn syntax(&self, e: &csv::Error) -> PackageError {
        let line = e.position().map(|p| p.line() as usize);
        PackageError::new(&self.file, line, None, ErrorKind::CsvSyntax { message: e.to_string() })
    }

    /// Reads the header; duplicate column names are an error.
    pub(crate) fn header(&mut self, errors: &mut Vec<PackageError>) -> Option<Header> {
        let mut record = StringRecord::new();
        match self.reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => {
                errors.push(PackageError::new(&self.file, Some(1), None, ErrorKind::NoDataColumns));
                return None;
            }
            Err(e) => {
                errors.push(self.syntax(&e));
                return None;
            }
        }
        let names: Vec<String> =
            record.iter().map(|n| n.trim_start_matches('\u{feff}').trim().to_string()).collect();
        let mut ok = true;
        for (i, name) in names.iter().enumerate() {
            if !name.is_empty() && names[..i].contains(name) {
                let kind = ErrorKind::DuplicateColumn { column: name.clone() };
                errors.push(PackageError::new(&self.file, Some(1), Some(name), kind));
                ok = false;
            }
        }
        ok.then_some(Header { names })
    }

    /// Calls `each(line, row, errors)` for every data row with as many fields as the
    /// header; other rows are reported.
    pub(crate) fn rows(
        &mut self,
        header: &Header,
        errors: &mut Vec<PackageError>,
        mut each: impl FnMut(usize, Row<'_>, &mut Vec<PackageError>),
    ) {
        let mut record = StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    errors.push(self.syntax(&e));
                    continue;
                }
            }
            let line = record.position().map_or(0, |p| p.line() as usize);
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if record.len() != header.names.len() {
                let kind = ErrorKind::WrongColumnCount { expected: header.names.len(), found: record.len() };
                errors.push(PackageError::new(&self.file, Some(line), None, kind));
                continue;
            }
            each(line, Row(&record), errors);
        }
    }
}

/// A data row whose fields are trimmed as they are read (cheaper than having the
/// csv crate build a trimmed copy of every record).
#[derive(Clone, Copy)]
pub(crate) struct Row<'r>(&'r StringRecord);

impl<'r> Row<'r> {
    pub(crate) fn get(&self, i: usize) -> Option<&'r str> {
        self.0.get(i).map(trim)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'r str> + 'r {
        self.0.iter().map(trim)
    }
}
