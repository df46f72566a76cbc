//! `chiso service-data FOLDER`: a generated, illustrative service folder that
//! `chiso service-index` reads; the same seed writes the same bytes; a folder that
//! already holds the files is refused without `--force`.

use crate::service_index::service_json;
use crate::support::*;

const FILES: [&str; 4] = ["units.csv", "procedures.csv", "dossiers.csv", "petitions.csv"];

/// `chiso service-data FOLDER --dossiers 3000 --petitions 100 EXTRA…`.
fn service_data(folder: &std::path::Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "service-data".to_string(),
        folder.display().to_string(),
        "--dossiers".into(),
        "3000".into(),
        "--petitions".into(),
        "100".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    chiso(&args)
}

#[test]
fn a_generated_folder_is_scored_by_service_index() {
    let dir = Package::empty();
    let folder = dir.path().join("dvc");
    let run = service_data(&folder, &["--lang", "en", "--months", "3"]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &[
            "illustrative data (generated, not published figures)",
            "units.csv 90 rows",
            "dossiers.csv 3000 rows",
        ],
    );
    assert_eq!(run.stdout.trim_end().lines().count(), 1, "one line: {}", run.stdout);
    let doc = service_json(&folder, &["--lang", "en"]);
    let periods = doc["periods"].as_array().map_or(0, Vec::len);
    assert_eq!(periods, 3, "July to September 2025");
    assert_eq!(doc["periods"][0]["period"], "2025-07");
    let total = doc["periods"][0]["province"]["total"].as_f64().unwrap_or_default();
    assert!((60.0..=100.0).contains(&total), "province total {total}");
    let vi = service_data(&dir.path().join("vi"), &["--units", "20"]);
    vi.assert_success();
    assert_contains_all(&vi.stdout, &["dữ liệu minh hoạ", "units.csv 20 dòng"]);
}

#[test]
fn the_same_seed_writes_the_same_files() {
    let dir = Package::empty();
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    service_data(&a, &["--seed", "42"]).assert_success();
    service_data(&b, &["--seed", "42"]).assert_success();
    service_data(&c, &["--seed", "43"]).assert_success();
    for file in FILES {
        let read = |folder: &std::path::Path| std::fs::read(folder.join(file)).unwrap_or_default();
        assert!(!read(&a).is_empty(), "{file} is written");
        assert!(read(&a) == read(&b), "{file} differs between two runs of the same seed");
    }
    let dossiers = |folder: &std::path::Path| std::fs::read(folder.join("dossiers.csv")).unwrap_or_default();
    assert!(dossiers(&a) != dossiers(&c), "another seed gives other dossiers");
}

#[test]
fn a_folder_holding_the_files_is_refused_without_force() {
    let dir = Package::empty();
    dir.write("dossiers.csv", "id\n");
    let run = service_data(dir.path(), &["--lang", "en"]);
    assert!(!run.success);
    assert_eq!(run.stdout, "");
    assert_contains_all(&run.stderr, &["already holds dossiers.csv", "--force"]);
    assert_eq!(dir.read("dossiers.csv"), "id\n", "nothing was overwritten");
    assert!(!dir.path().join("units.csv").exists());
    let forced = service_data(dir.path(), &["--force"]);
    forced.assert_success();
    assert!(dir.read("dossiers.csv").starts_with("id,unit,procedure,channel,received,due,finished"));
}

#[test]
fn bad_options_are_refused() {
    let dir = Package::empty();
    let folder = dir.path().join("dvc");
    for (extra, message) in [
        (&["--from", "2025-7"][..], "--from: \"2025-7\" is not a month written YYYY-MM (e.g. 2025-07)"),
        (&["--from", "2025-13"][..], "the first month must be 1 to 12 (got 13)"),
        (&["--units", "91"][..], "the number of units must be 1 to 90 (got 91)"),
        (&["--months", "0"][..], "the number of months must be 1 to 1200 (got 0)"),
    ] {
        let mut args = vec!["--lang", "en"];
        args.extend(extra);
        let run = service_data(&folder, &args);
        assert!(!run.success, "{extra:?} was accepted");
        assert_eq!(run.stderr.trim_end(), message);
    }
    assert!(!folder.exists(), "nothing was written");
    let help = chiso(&["service-data", "--help", "--lang", "en"]);
    assert_contains_all(&help.stdout, &["Write an illustrative Son La service folder", "--force"]);
    assert!(!help.stdout.contains("Thư mục"), "{}", help.stdout);
}
