//! earlier.csv: the province's published means of years chiso holds no round for.

use chiso_io::package::earlier::EARLIER_FILE;
use chiso_io::{Files, Package};
use std::collections::BTreeMap;
use std::path::Path;

fn sonla_files() -> BTreeMap<String, Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
    match Files::snapshot_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
        Files::Memory(files) => files,
        Files::Dir(_) => unreachable!("a snapshot is in memory"),
    }
}

#[test]
fn son_la_holds_its_2023_mean_out_of_1000() {
    let package = Package::from_files(Files::Memory(sonla_files())).unwrap_or_else(|e| panic!("{:?}", e.0));
    let earlier = package.earlier.as_ref().expect("Son La 2024 has earlier.csv");
    assert_eq!(earlier.len(), 1);
    assert_eq!((earlier[0].year, earlier[0].mean, earlier[0].scale), (2023, 659.1, 1000.0));
    assert!((earlier[0].percent() - 65.91).abs() < 1e-9);
    assert!(earlier[0].source(chiso_core::Lang::En).starts_with("Decision No. 2923"));
    assert!(package.input_files().contains(&EARLIER_FILE), "kept by an import and a publication");
}

#[test]
fn each_bad_field_is_named_with_its_line() {
    let mut files = sonla_files();
    let text = "year,mean,scale,source\n2023,659.1,1000,QĐ 1\n2024,70,100,not earlier\n2022,1200,1000,over\n2021,50,0,no scale\n2020,50,100,\n";
    files.insert(EARLIER_FILE.into(), text.as_bytes().to_vec());
    let Err(errors) = Package::from_files(Files::Memory(files)) else {
        panic!("a bad earlier.csv was accepted")
    };
    let found: Vec<(Option<usize>, Option<String>)> =
        errors.0.iter().map(|e| (e.line, e.field.clone())).collect();
    let at = |line: usize, field: &str| (Some(line), Some(field.to_owned()));
    assert_eq!(found, [at(3, "year"), at(4, "mean"), at(5, "scale"), at(6, "source")], "{:?}", errors.0);
    assert!(errors.0.iter().all(|e| e.file == EARLIER_FILE));
}
