//! A refused package lists all its errors at once, and long lists are cut.

use crate::support::*;

#[test]
fn three_bad_values_on_different_lines_are_all_reported_together() {
    let values = values_csv(&[
        ("A", "1.1", "abc"),
        ("A", "1.2", "có"),
        ("B", "1.2", "maybe"),
        ("B", "1.1", "40"),
        ("C", "2.1", "99"),
    ]);
    let run = small_package(&values).score(&[]);
    let errors = run.refused();
    assert_eq!(errors.len(), 3, "{}", run.stderr);
    assert_eq!(run.announced_error_count(), 3);
    assert!(run.stderr.lines().next().unwrap_or("").contains("3 lỗi"), "{}", run.stderr);
    assert!(run.error_at(at("values.csv", 2, "value")).contains("\"abc\""));
    assert!(run.error_at(at("values.csv", 4, "value")).contains("\"maybe\""));
    assert!(run.error_at(at("values.csv", 6, "value")).contains("99"));
}

#[test]
fn errors_are_listed_in_file_order() {
    let values = values_csv(&[("A", "1.1", "x1"), ("B", "1.1", "x2"), ("C", "1.1", "x3")]);
    let run = small_package(&values).score(&[]);
    let errors = run.refused();
    let positions: Vec<usize> = ["x1", "x2", "x3"]
        .iter()
        .map(|v| errors.iter().position(|e| e.contains(&format!("\"{v}\""))).unwrap_or(usize::MAX))
        .collect();
    assert_eq!(positions, [0, 1, 2], "{}", run.stderr);
}

#[test]
fn errors_in_different_files_are_reported_together() {
    let package = Package::copy_of_sonla();
    let file = "frameworks/provincial.toml";
    package.edit(file, "code = \"1.2\"", "code = \"1.1\"");
    package.append("values.csv", "161,1.1,có,\n122,9.9,1,\n");
    let rows = package.read("values.csv").lines().count();
    let run = package.score(&[]);
    let errors = run.refused();
    assert_eq!(errors.len(), 3, "{}", run.stderr);
    let duplicate = lines_of(&package.read(file), "code = \"1.1\"")[1];
    assert!(run.error_at(at(file, duplicate, "code")).contains("\"1.1\""));
    assert!(run.error_at(at("values.csv", rows - 1, "unit")).contains("\"161\""));
    assert!(run.error_at(at("values.csv", rows, "indicator")).contains("\"9.9\""));
    assert_eq!(run.announced_error_count(), 3);
}

/// A package whose values.csv has `n` non-numbers for a linear rule.
fn package_with_bad_values(n: usize) -> Package {
    let units: Vec<String> = (1..=n).map(|i| format!("U{i}")).collect();
    let pairs: Vec<(&str, &str)> = units.iter().map(|u| (u.as_str(), "agencies")).collect();
    let rows: Vec<(&str, &str, &str)> = units.iter().map(|u| (u.as_str(), "1.1", "abc")).collect();
    Package::new(
        &assessment_toml("", &[("agencies", SMALL_FRAMEWORK_FILE)]),
        &[(SMALL_FRAMEWORK_FILE, &small_framework())],
        &units_csv(&pairs),
        &values_csv(&rows),
    )
}

#[test]
fn more_than_fifty_errors_are_cut_with_and_n_more_in_english() {
    let package = package_with_bad_values(63);
    let run = package.score(&["--lang", "en"]);
    let errors = run.refused();
    assert_eq!(run.announced_error_count(), 63);
    assert_eq!(errors.len(), 51, "50 errors then the cut line:\n{}", run.stderr);
    assert_eq!(errors[50], "… and 13 more");
    assert!(errors[49].contains("values.csv:51:"), "the first 50 are shown: {}", errors[49]);
}

#[test]
fn more_than_fifty_errors_are_cut_with_va_n_loi_khac_in_vietnamese() {
    let package = package_with_bad_values(51);
    let run = package.score(&[]);
    let errors = run.refused();
    assert_eq!(run.announced_error_count(), 51);
    assert_eq!(errors.len(), 51);
    assert_eq!(errors[50], "… và 1 lỗi khác");
}

#[test]
fn exactly_fifty_errors_are_all_shown() {
    let package = package_with_bad_values(50);
    let run = package.score(&["--lang", "en"]);
    let errors = run.refused();
    assert_eq!(errors.len(), 50, "{}", run.stderr);
    assert!(!run.stderr.contains("more"), "{}", run.stderr);
}

#[test]
fn a_refused_package_prints_nothing_on_stdout_in_any_format_or_command() {
    let values = values_csv(&[("A", "1.1", "abc")]);
    let package = small_package(&values);
    for args in [
        vec!["score", "--format", "table"],
        vec!["score", "--format", "json"],
        vec!["score", "--format", "csv"],
        vec!["check"],
        vec!["report"],
    ] {
        let mut args: Vec<String> = args.into_iter().map(String::from).collect();
        args.insert(1, package.arg());
        let run = chiso(&args);
        assert_eq!(run.refused().len(), 1, "{args:?}: {}", run.stderr);
        run.error_at(at("values.csv", 2, "value"));
    }
}
