//! lineage.csv: read with FILE:LINE errors, checked against the package's own units
//! and against the round it follows; Son La 2025 and the national table of 2025
//! (10,602 old communes → 3,321) load and validate.

use chiso_core::lineage::LineageProblem;
use chiso_io::package::lineage::{self, LINEAGE_FILE};
use chiso_io::{ErrorKind, Files, Package, PackageError};
use std::collections::BTreeMap;
use std::path::Path;

#[path = "support/national_lineage.rs"]
mod national_lineage;
use national_lineage::{data, national_lineage_csv};

fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    match Files::snapshot_dir(dir).unwrap_or_else(|e| panic!("{e}")) {
        Files::Memory(files) => files,
        Files::Dir(_) => unreachable!("a snapshot is in memory"),
    }
}

fn load(files: BTreeMap<String, Vec<u8>>) -> Result<Package, Vec<PackageError>> {
    Package::from_files(Files::Memory(files)).map_err(|e| e.0)
}

fn located(errors: &[PackageError]) -> Vec<(String, Option<usize>, Option<String>)> {
    errors.iter().map(|e| (e.file.clone(), e.line, e.field.clone())).collect()
}

#[test]
fn son_la_2025_continues_every_2024_unit() {
    let now = load(files_of(&data("sonla/2025"))).unwrap_or_else(|e| panic!("{e:?}"));
    now.check_references().unwrap_or_else(|e| panic!("{:?}", e.0));
    let lineage = now.lineage.as_ref().expect("Son La 2025 has a lineage");
    assert_eq!(lineage.lineage.links.len(), 96);
    assert!(now.input_files().contains(&LINEAGE_FILE), "an import keeps the lineage");
    let before = load(files_of(&data("sonla/2024"))).unwrap_or_else(|e| panic!("{e:?}"));
    now.check_lineage_against(&before).unwrap_or_else(|e| panic!("{:?}", e.0));
    // Without its lineage, 2024's districts and merged departments vanish.
    let mut bare = files_of(&data("sonla/2025"));
    bare.remove(LINEAGE_FILE);
    let bare = load(bare).unwrap_or_else(|e| panic!("{e:?}"));
    let Err(errors) = bare.check_lineage_against(&before) else { panic!("vanished units accepted") };
    assert!(errors.0.iter().any(|e| matches!(&e.kind, ErrorKind::Lineage(LineageProblem::Vanished { code, year: 2024 }) if code == "116")));
}

#[test]
fn each_bad_field_is_named_with_its_line() {
    let mut files = files_of(&data("sonla/2025"));
    let text = "from_year,from_code,to_code,kind,weight\n\
                2024,STP,STP,same,\n\
                20x4,SCT,SCT,same,\n\
                2024,SYT,SYT,copy,\n\
                2024,SGDDT,SGDDT,same,-1\n\
                2024,SGDDT,SGDDT,same,abc\n\
                2024,,SNV,merge,\n";
    files.insert(LINEAGE_FILE.into(), text.as_bytes().to_vec());
    let Err(errors) = load(files) else { panic!("a bad lineage.csv was accepted") };
    let at = |line: usize, field: &str| (LINEAGE_FILE.to_owned(), Some(line), Some(field.to_owned()));
    assert_eq!(
        located(&errors),
        [at(3, "from_year"), at(4, "kind"), at(5, "weight"), at(6, "weight"), at(7, "from_code")],
        "{errors:?}"
    );
}

#[test]
fn links_the_core_refuses_are_placed_at_their_lines() {
    let mut files = files_of(&data("sonla/2025"));
    let text = "from_year,from_code,to_code,kind,weight\n\
                2024,STP,STP,same,\n\
                2024,SCT,SCTX,rename,\n\
                2024,116,03646,split,0.5\n\
                2024,116,03670,split,0.4\n\
                2024,SYT,SGDDT,same,\n\
                2025,SYT,SYT,same,\n\
                2024,STP,STP,same,\n";
    files.insert(LINEAGE_FILE.into(), text.as_bytes().to_vec());
    let Err(errors) = load(files.clone()) else { panic!("bad links were accepted") };
    let at = |line: usize, field: &str| (LINEAGE_FILE.to_owned(), Some(line), Some(field.to_owned()));
    let found = located(&errors);
    for expected in [at(4, "weight"), at(6, "to_code"), at(7, "from_year"), at(8, "to_code")] {
        assert!(found.contains(&expected), "{expected:?} in {found:?}");
    }
    assert!(!found.contains(&at(3, "to_code")), "an unknown unit is a reference error, checked on import");
    // Alone, the unknown unit refuses the package where it is taken in, at its line.
    let text = "from_year,from_code,to_code,kind,weight\n2024,SCT,SCTX,rename,\n";
    files.insert(LINEAGE_FILE.into(), text.as_bytes().to_vec());
    let package = load(files).unwrap_or_else(|e| panic!("{e:?}"));
    let Err(refused) = package.check_references() else { panic!("an unknown to_code was accepted") };
    assert_eq!(located(&refused.0), [at(2, "to_code")]);
    assert!(refused.0[0].render(chiso_core::Lang::Vi).contains("SCTX"));
}

#[test]
fn the_national_lineage_loads_and_validates() {
    let (csv, old, new) = national_lineage_csv();
    let mut errors = Vec::new();
    let read = lineage::parse(LINEAGE_FILE, &csv, &mut errors).unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(read.lineage.links.len(), 10_602);
    assert_eq!(new.len(), 3_321);
    let new: Vec<&str> = new.iter().map(String::as_str).collect();
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    assert_eq!(read.lineage.check(2025, &new), []);
    assert_eq!(read.lineage.check_earlier(2024, &old, &new), []);
}
