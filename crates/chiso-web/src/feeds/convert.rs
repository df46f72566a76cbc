//! From what a source delivered to a service folder's CSV: the column mapping
//! applied to a CSV header (the rows are copied byte for byte), or JSON records
//! (`[{"id": "HS-1", "unit": "SNV", …}, …]`) written as CSV rows, streaming, one
//! record in memory at a time. Everything else (field rules, `FILE:LINE` errors)
//! stays with the one reader of service folders, `chiso_io::service`.

use super::error::{FormatProblem, PullError};
use super::mapping::ColumnMapping;
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Writes `raw` (a CSV file named `origin` in messages) to `out` with its header
/// renamed by `mapping`. Returns the number of data lines (line breaks after the
/// header; an estimate where quoted fields hold line breaks).
pub fn csv_file(
    raw: &Path,
    out: &Path,
    file: &str,
    origin: &str,
    mapping: &ColumnMapping,
) -> Result<u64, PullError> {
    let read_error = |e: io::Error| PullError::Read { origin: origin.to_owned(), kind: e.kind() };
    let mut rest = File::open(raw).map_err(read_error)?;
    // The header line: up to the first line break outside quotes, within 64 KiB.
    let mut head = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < head.len() {
        match rest.read(&mut head[filled..]).map_err(read_error)? {
            0 => break,
            n => filled += n,
        }
    }
    let data_start = header_end(&head[..filled]).ok_or_else(|| PullError::Format {
        origin: origin.to_owned(),
        line: Some(1),
        problem: FormatProblem::NoHeader,
    })?;
    let header = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&head[..data_start])
        .records()
        .next()
        .transpose()
        .map_err(|_| PullError::Format {
            origin: origin.to_owned(),
            line: Some(1),
            problem: FormatProblem::HeaderNotText,
        })?
        .unwrap_or_default();
    let mut writer = BufWriter::new(File::create(out).map_err(read_error)?);
    {
        let mut header_writer = csv::Writer::from_writer(&mut writer);
        header_writer
            .write_record(header.iter().map(|name| mapping.rename(file, name.trim_start_matches('\u{feff}'))))
            .and_then(|()| header_writer.flush().map_err(csv::Error::from))
            .map_err(|e| PullError::Internal(e.to_string()))?;
    }
    rest.seek(SeekFrom::Start(data_start as u64)).map_err(read_error)?;
    let mut lines = 0u64;
    let mut buffer = vec![0u8; 256 * 1024];
    let mut last = b'\n';
    loop {
        let n = rest.read(&mut buffer).map_err(read_error)?;
        if n == 0 {
            break;
        }
        lines += buffer[..n].iter().filter(|b| **b == b'\n').count() as u64;
        last = buffer[n - 1];
        writer.write_all(&buffer[..n]).map_err(read_error)?;
    }
    if last != b'\n' {
        lines += 1;
    }
    writer.flush().map_err(read_error)?;
    Ok(lines)
}

/// Where the header line ends (after its line break; the whole text when it has
/// none and is short), counting a line break inside quotes as part of a field.
fn header_end(head: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, byte) in head.iter().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    (!head.is_empty() && head.len() < 64 * 1024).then_some(head.len())
}

/// Writes the JSON records of `raw` to `out` as CSV: the columns are the keys of
/// the first record (renamed by `mapping`), in its order; a later record may leave
/// keys out (empty fields) but not bring new ones. Strings are written as they
/// are, numbers as JSON wrote them, booleans as `true`/`false`, null as empty.
/// Returns the number of records.
pub fn json_file(
    raw: &Path,
    out: &Path,
    file: &str,
    origin: &str,
    mapping: &ColumnMapping,
) -> Result<u64, PullError> {
    let read_error = |e: io::Error| PullError::Read { origin: origin.to_owned(), kind: e.kind() };
    let input = BufReader::new(File::open(raw).map_err(read_error)?);
    let output = BufWriter::new(File::create(out).map_err(read_error)?);
    let mut sink = Records {
        writer: csv::Writer::from_writer(output),
        header: None,
        count: 0,
        file,
        mapping,
        problem: None,
    };
    let mut deserializer = serde_json::Deserializer::from_reader(input);
    let result = (&mut sink).deserialize(&mut deserializer).and_then(|()| deserializer.end());
    if let Err(e) = result {
        let line = (e.line() > 0).then_some(e.line() as u64);
        let problem = match (sink.problem.take(), e.classify()) {
            (Some(problem), _) => problem,
            (None, serde_json::error::Category::Io) => {
                return Err(PullError::Read { origin: origin.to_owned(), kind: io::ErrorKind::Other });
            }
            (None, serde_json::error::Category::Data) => FormatProblem::NotAList,
            (None, _) => FormatProblem::NotJson,
        };
        return Err(PullError::Format { origin: origin.to_owned(), line, problem });
    }
    // No record: an empty file, which the reader refuses for its missing header.
    sink.writer.flush().map_err(read_error)?;
    Ok(sink.count)
}

struct Records<'a, W: Write> {
    writer: csv::Writer<W>,
    /// The first record's keys, as delivered.
    header: Option<Vec<String>>,
    count: u64,
    file: &'a str,
    mapping: &'a ColumnMapping,
    /// What was wrong with a record, for the message (serde's own is English).
    problem: Option<FormatProblem>,
}

impl<W: Write> Records<'_, W> {
    fn add(&mut self, record: Map<String, Value>) -> Result<(), FormatProblem> {
        self.count += 1;
        let header = match &self.header {
            Some(header) => header,
            None => {
                let keys: Vec<String> = record.keys().cloned().collect();
                let renamed: Vec<&str> = keys.iter().map(|k| self.mapping.rename(self.file, k)).collect();
                self.writer.write_record(&renamed).map_err(|_| FormatProblem::NotJson)?;
                self.header.insert(keys)
            }
        };
        if let Some(extra) = record.keys().find(|k| !header.contains(k)) {
            return Err(FormatProblem::NewKey { record: self.count, key: extra.clone() });
        }
        let mut fields = Vec::with_capacity(header.len());
        for key in header {
            fields.push(match record.get(key) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(text)) => text.clone(),
                Some(Value::Number(number)) => number.to_string(),
                Some(Value::Bool(flag)) => flag.to_string(),
                Some(_) => return Err(FormatProblem::Nested { record: self.count, key: key.clone() }),
            });
        }
        self.writer.write_record(&fields).map_err(|_| FormatProblem::NotJson)
    }
}

impl<'de, W: Write> DeserializeSeed<'de> for &mut Records<'_, W> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, W: Write> Visitor<'de> for &mut Records<'_, W> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of records (objects)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<Map<String, Value>>()? {
            if let Err(problem) = self.add(record) {
                self.problem = Some(problem);
                return Err(de::Error::custom("record refused"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert_json(text: &str, mapping: &str) -> Result<(u64, String), PullError> {
        let dir = tempfile::tempdir().unwrap();
        let (raw, out) = (dir.path().join("raw"), dir.path().join("out"));
        std::fs::write(&raw, text).unwrap();
        let mapping = ColumnMapping::parse(mapping).unwrap();
        let count = json_file(&raw, &out, "dossiers", "dossiers.json", &mapping)?;
        Ok((count, std::fs::read_to_string(out).unwrap()))
    }

    #[test]
    fn json_records_become_csv_rows() {
        let (count, csv) = convert_json(
            r#"[{"MaHS": "HS-1", "unit": "SNV", "days": 6.6e-05, "synced": true, "finished": null},
                {"MaHS": "HS,2", "unit": "STP", "synced": false}]"#,
            "MaHS = id",
        )
        .unwrap();
        assert_eq!(count, 2);
        assert_eq!(csv, "id,unit,days,synced,finished\nHS-1,SNV,0.000066,true,\n\"HS,2\",STP,,false,\n");
    }

    #[test]
    fn bad_json_is_refused_with_its_line() {
        let error = convert_json("[{\"id\": 1},\n {\"id\": [2]}]", "").unwrap_err();
        assert!(error.message(chiso_core::Lang::En).contains("dossiers.json:2"), "{error:?}");
        let error = convert_json("[{\"id\": 1},\n{\"other\": 2}]", "").unwrap_err();
        assert!(error.message(chiso_core::Lang::En).contains("record 2 has the key «other»"), "{error:?}");
        assert!(error.message(chiso_core::Lang::Vi).contains("bản ghi 2 có khoá «other»"), "{error:?}");
        assert!(convert_json("{\"id\": 1}", "").is_err());
        assert!(convert_json("[{\"id\": 1}] trailing", "").is_err());
        assert!(convert_json("[{\"id\": 1}", "").is_err());
        assert_eq!(convert_json("[]", "").unwrap(), (0, String::new()));
    }

    #[test]
    fn csv_headers_are_renamed_and_rows_copied() {
        let dir = tempfile::tempdir().unwrap();
        let (raw, out) = (dir.path().join("raw"), dir.path().join("out"));
        std::fs::write(&raw, "\u{feff}MaHS,unit\r\n\"HS,1\",SNV\r\nHS-2,STP").unwrap();
        let mapping = ColumnMapping::parse("MaHS = id").unwrap();
        assert_eq!(csv_file(&raw, &out, "dossiers", "d.csv", &mapping).unwrap(), 2);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "id,unit\n\"HS,1\",SNV\r\nHS-2,STP");
    }
}
