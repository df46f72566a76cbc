//! A framework indicator may name the department that verifies it during
//! appraisal (`verifier = "SNV"`); the code must be a unit of the assessment.

use chiso_io::{Files, Package};
use std::collections::BTreeMap;
use std::path::Path;

fn sonla() -> BTreeMap<String, Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
    match Files::snapshot_dir(&dir) {
        Ok(Files::Memory(files)) => files,
        other => panic!("reading {}: {other:?}", dir.display()),
    }
}

/// Son La 2024 with `verifier = …` added to indicator 1.1 of the provincial framework.
fn with_verifier(code: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files = sonla();
    let path = "frameworks/provincial.toml";
    let text = String::from_utf8(files[path].clone()).unwrap_or_else(|e| panic!("{e}"));
    let marker = "code = \"1.1\"\n";
    assert!(text.contains(marker));
    let changed = text.replacen(marker, &format!("{marker}verifier = \"{code}\"\n"), 1);
    files.insert(path.into(), changed.into_bytes());
    files
}

#[test]
fn a_verifier_that_is_a_unit_is_kept_on_its_indicator() {
    let package =
        Package::from_files(Files::Memory(with_verifier("SNV"))).unwrap_or_else(|e| panic!("{:?}", e.0));
    let framework = &package.assessment.groups[0].framework;
    let verified: Vec<(&str, Option<&str>)> = framework
        .indicators
        .iter()
        .filter(|i| i.verifier.is_some())
        .map(|i| (i.code.as_str(), i.verifier.as_deref()))
        .collect();
    assert_eq!(verified, [("1.1", Some("SNV"))]);
}

#[test]
fn a_verifier_that_is_no_unit_is_refused_with_its_file_line_and_field() {
    let files = with_verifier("SO-KHONG-CO");
    let text = String::from_utf8(files["frameworks/provincial.toml"].clone()).unwrap_or_default();
    let line = text.lines().position(|l| l.starts_with("verifier")).map(|l| l + 1);
    let package = Package::from_files(Files::Memory(files.clone())).unwrap_or_else(|e| panic!("{:?}", e.0));
    let Err(errors) = package.check_references() else { panic!("an unknown verifier was accepted") };
    assert_eq!(errors.0.len(), 1, "{:?}", errors.0);
    let error = &errors.0[0];
    assert_eq!(
        (error.file.as_str(), error.line, error.field.as_deref()),
        ("frameworks/provincial.toml", line, Some("verifier"))
    );
    let message = error.render(chiso_core::Lang::En);
    assert!(message.contains("SO-KHONG-CO") && message.contains("1.1"), "{message}");
}

/// A round narrowed to the units taking part still loads when its verifying
/// department is not one of them (its results are published without it).
#[test]
fn a_package_without_its_verifying_department_loads_but_is_refused_where_packages_are_taken_in() {
    let mut files = with_verifier("SNV");
    let units = String::from_utf8(files["units.csv"].clone()).unwrap_or_default();
    let without: String =
        units.lines().filter(|l| !l.starts_with("SNV,")).map(|l| format!("{l}\n")).collect();
    files.insert("units.csv".into(), without.into_bytes());
    let values = String::from_utf8(files["values.csv"].clone()).unwrap_or_default();
    let without: String =
        values.lines().filter(|l| !l.starts_with("SNV,")).map(|l| format!("{l}\n")).collect();
    files.insert("values.csv".into(), without.into_bytes());
    let package = Package::from_files(Files::Memory(files)).unwrap_or_else(|e| panic!("{:?}", e.0));
    assert!(package.score().is_ok());
    assert_eq!(package.check_references().map_err(|e| e.0.len()), Err(1));
}
