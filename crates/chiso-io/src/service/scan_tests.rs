//! The fast reader gives what the CSV reader gives: the same index, the same rows,
//! the same first bad row at the same line, over several blocks and threads.

use super::super::generate::{GenerateOptions, GeneratedFolder, generate_in_memory};
use super::super::{ServiceError, ServiceOptions, ServiceRun, Source, Sources, read_sources};
use crate::feed::NoProgress;
use chiso_core::Lang;

/// About 3.5 MB of dossiers: several blocks.
fn folder() -> GeneratedFolder {
    let options =
        GenerateOptions { dossiers: 30_000, petitions: 200, months: 3, ..GenerateOptions::default() };
    generate_in_memory(&options).unwrap_or_else(|e| panic!("{e}"))
}

fn read(folder: &GeneratedFolder, dossiers: &str, skip_bad: bool) -> Result<ServiceRun, ServiceError> {
    let sources = Sources {
        units: Source::text("units.csv", &folder.units),
        procedures: Source::text("procedures.csv", &folder.procedures),
        dossiers: Source::text("dossiers.csv", dossiers),
        petitions: Some(Source::text("petitions.csv", &folder.petitions)),
    };
    read_sources(sources, &ServiceOptions { skip_bad, ..ServiceOptions::default() }, &NoProgress)
}

fn ok(result: Result<ServiceRun, ServiceError>) -> ServiceRun {
    result.unwrap_or_else(|e| panic!("{}", e.render(Lang::En)))
}

/// The dossiers with the id of data row `row` (1-based) quoted: from its block on,
/// the CSV reader reads.
fn quote_row(dossiers: &str, row: usize) -> String {
    let mut lines: Vec<String> = dossiers.lines().map(str::to_string).collect();
    let id_end = lines[row].find(',').unwrap_or(0);
    lines[row] = format!("\"{}\"{}", &lines[row][..id_end], &lines[row][id_end..]);
    lines.join("\n") + "\n"
}

/// The dossiers with data row `row`'s field `field` replaced.
fn with_field(dossiers: &str, row: usize, field: usize, value: &str) -> String {
    let mut lines: Vec<String> = dossiers.lines().map(str::to_string).collect();
    let mut fields: Vec<&str> = lines[row].split(',').collect();
    fields[field] = value;
    lines[row] = fields.join(",");
    lines.join("\n") + "\n"
}

#[test]
fn the_fast_reader_and_the_csv_reader_agree() {
    let folder = folder();
    assert!(folder.dossiers.len() > 3 << 20, "several blocks: {} bytes", folder.dossiers.len());
    let fast = ok(read(&folder, &folder.dossiers, false));
    // A quote in the first row: every row by the CSV reader.
    let csv = ok(read(&folder, &quote_row(&folder.dossiers, 1), false));
    // A quote half-way: blocks, then the CSV reader.
    let mixed = ok(read(&folder, &quote_row(&folder.dossiers, 20_000), false));
    let crlf = ok(read(&folder, &folder.dossiers.replace('\n', "\r\n"), false));
    for other in [&csv, &mixed, &crlf] {
        assert_eq!(other.rows, fast.rows);
        assert_eq!(other.index.periods, fast.index.periods);
    }
    assert_eq!(fast.rows, 91 + 300 + 30_000 + 200 - 1, "90 units, 300 procedures, the rows");
    // Blank lines and a last line without its line end change nothing.
    let spaced = folder.dossiers.replacen('\n', "\n\n  \n", 3000);
    let spaced = spaced.trim_end_matches('\n');
    let run = ok(read(&folder, spaced, false));
    assert_eq!((run.rows, &run.index.periods), (fast.rows, &fast.index.periods));
}

#[test]
fn the_first_bad_row_of_the_file_is_reported_at_its_line() {
    let folder = folder();
    // Data row r is on line r + 1.
    let late = with_field(&folder.dossiers, 25_000, 3, "fax");
    let both = with_field(&late, 9_000, 4, "2025-02-30T08:00:00");
    for (text, line, field) in [(&late, 25_001, "channel"), (&both, 9_001, "received")] {
        match read(&folder, text, false) {
            Err(ServiceError::BadRow(bad)) => {
                assert_eq!((bad.line, bad.field.as_deref()), (line, Some(field)), "{}", bad.render(Lang::En));
            }
            Err(other) => panic!("{}", other.render(Lang::En)),
            Ok(_) => panic!("accepted"),
        }
        // A quote earlier on: the same, through the CSV reader.
        match read(&folder, &quote_row(text, 2), false) {
            Err(ServiceError::BadRow(bad)) => assert_eq!(bad.line, line),
            _ => panic!("not refused"),
        }
    }
    let skipped = ok(read(&folder, &both, true));
    assert_eq!(skipped.skipped, 2);
    let lines: Vec<u64> = skipped.first_bad.iter().map(|b| b.line).collect();
    assert_eq!(lines, [9_001, 25_001]);
    // A row with a field too many, and one that is not UTF-8.
    let changed = with_field(&folder.dossiers, 12_000, 17, "0,1");
    let row = changed.lines().take(15_001).map(|l| l.len() + 1).sum::<usize>();
    let unit = row + changed[row..].find(',').unwrap_or(0) + 1;
    let mut bytes = changed.into_bytes();
    bytes[unit] = 0xff;
    let sources = |bytes: &[u8]| {
        let sources = Sources {
            units: Source::text("units.csv", &folder.units),
            procedures: Source::text("procedures.csv", &folder.procedures),
            dossiers: Source { name: "dossiers.csv".into(), reader: Box::new(bytes), len: None },
            petitions: None,
        };
        ok(read_sources(
            sources,
            &ServiceOptions { skip_bad: true, ..ServiceOptions::default() },
            &NoProgress,
        ))
    };
    let said = |run: &ServiceRun| run.first_bad.iter().map(|b| b.render(Lang::En)).collect::<Vec<_>>();
    let fast = said(&sources(&bytes));
    assert_eq!(
        fast,
        [
            "dossiers.csv:12001: the row has 19 fields but the header has 18",
            "dossiers.csv:15002: the field is not UTF-8 text (field: unit)",
        ]
    );
    // The CSV reader says the same.
    let mut quoted = b"\"".to_vec();
    let id_end = bytes.iter().position(|&b| b == b'\n').unwrap_or(0) + 1;
    let first_comma = id_end + bytes[id_end..].iter().position(|&b| b == b',').unwrap_or(0);
    quoted.splice(0..0, bytes[..id_end].iter().copied());
    quoted.extend_from_slice(&bytes[id_end..first_comma]);
    quoted.push(b'"');
    quoted.extend_from_slice(&bytes[first_comma..]);
    assert_eq!(said(&sources(&quoted)), fast);
}
