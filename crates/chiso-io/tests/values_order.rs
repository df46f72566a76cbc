//! The rows of a long-form values.csv may come in any order. Reading looks the next
//! row's unit and indicator up quickly when a unit's rows follow each other in its
//! framework's order (issue 11); any other order must read to the same values.

use chiso_io::{Files, Package};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

fn sonla() -> BTreeMap<String, Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
    match Files::snapshot_dir(&dir) {
        Ok(Files::Memory(files)) => files,
        other => panic!("reading {}: {other:?}", dir.display()),
    }
}

fn load(files: BTreeMap<String, Vec<u8>>) -> Package {
    Package::from_files(Files::Memory(files)).unwrap_or_else(|e| panic!("refused: {:?}", e.0))
}

/// values.csv with its data rows put in the order `arrange` gives.
fn rearranged(
    files: &BTreeMap<String, Vec<u8>>,
    arrange: impl Fn(&mut Vec<csv::StringRecord>),
) -> BTreeMap<String, Vec<u8>> {
    let mut reader = csv::Reader::from_reader(files["values.csv"].as_slice());
    let header = reader.headers().cloned().unwrap_or_else(|e| panic!("{e}"));
    let mut rows: Vec<csv::StringRecord> =
        reader.records().map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect();
    arrange(&mut rows);
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in std::iter::once(&header).chain(&rows) {
        writer.write_record(row).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut changed = files.clone();
    changed.insert("values.csv".into(), writer.into_inner().unwrap_or_else(|e| panic!("{e}")));
    changed
}

#[test]
fn long_form_rows_read_the_same_in_any_order() {
    let files = sonla();
    let original = load(files.clone());
    // Every unit's rows against its framework's order.
    let reversed = rearranged(&files, |rows| rows.reverse());
    // Units taking turns: no two rows of a unit follow each other.
    let interleaved = rearranged(&files, |rows| {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut keyed: Vec<(usize, csv::StringRecord)> = rows
            .drain(..)
            .map(|row| {
                let n = seen.entry(row[0].to_string()).or_default();
                *n += 1;
                (*n, row)
            })
            .collect();
        keyed.sort_by_key(|(n, _)| *n);
        rows.extend(keyed.into_iter().map(|(_, row)| row));
    });
    for changed in [reversed, interleaved] {
        let package = load(changed);
        assert_eq!(package.values, original.values);
        assert_eq!(package.score().ok(), original.score().ok());
    }
}

#[test]
fn a_repeated_row_is_still_a_duplicate_when_rows_come_in_order() {
    let files = sonla();
    let changed = rearranged(&files, |rows| {
        let first = rows[0].clone();
        rows.insert(1, first);
    });
    let errors = Package::from_files(Files::Memory(changed)).err().map(|e| e.0).unwrap_or_default();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].file.as_str(), errors[0].line), ("values.csv", Some(3)));
}
