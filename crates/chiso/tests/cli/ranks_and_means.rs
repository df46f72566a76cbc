//! Ranks (standard competition ranks of rounded totals), bands decided on the
//! rounded total, and how group and overall means are formed.

use crate::support::*;
use serde_json::{Value, json};

const FW: &str = "frameworks/test.toml";

/// One group, one manual leaf worth the whole scale: each unit's total is its value.
fn totals_package(head: &str, totals: &[(&str, &str)]) -> Package {
    let units: Vec<(&str, &str)> = totals.iter().map(|(u, _)| (*u, "test")).collect();
    let rows: Vec<(&str, &str, &str)> = totals.iter().map(|(u, v)| (*u, "1", *v)).collect();
    Package::new(
        &assessment_toml(head, &[("test", FW)]),
        &[(FW, &points_framework("100", &leaf("1", "100", r#"{ kind = "manual" }"#)))],
        &units_csv(&units),
        &values_csv(&rows),
    )
}

fn ranks(doc: &Value) -> Vec<(String, u64)> {
    doc["units"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| (u["code"].as_str().unwrap_or("").to_string(), u["rank"].as_u64().unwrap_or(0)))
        .collect()
}

fn ranked(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(c, r)| (c.to_string(), *r)).collect()
}

#[test]
fn totals_equal_at_rank_precision_share_a_rank_and_the_next_rank_is_skipped() {
    let package =
        totals_package("rank_precision = 2", &[("A", "90"), ("B", "80.004"), ("C", "80.001"), ("D", "70")]);
    let doc = package.score_json(&[]);
    assert_eq!(ranks(&doc), ranked(&[("A", 1), ("B", 2), ("C", 2), ("D", 4)]));
    // Totals stay unrounded in the JSON.
    assert_close(num(&unit(&doc, "B")["total"]), 80.004, 1e-9);
    assert_close(num(&unit(&doc, "C")["total"]), 80.001, 1e-9);
}

#[test]
fn a_higher_rank_precision_separates_the_tied_totals() {
    let package =
        totals_package("rank_precision = 3", &[("A", "90"), ("B", "80.004"), ("C", "80.001"), ("D", "70")]);
    assert_eq!(ranks(&package.score_json(&[])), ranked(&[("A", 1), ("B", 2), ("C", 3), ("D", 4)]));
}

#[test]
fn tied_units_are_listed_in_file_order() {
    let package =
        totals_package("rank_precision = 2", &[("D", "70"), ("C", "80.001"), ("A", "90"), ("B", "80.004")]);
    assert_eq!(ranks(&package.score_json(&[])), ranked(&[("A", 1), ("C", 2), ("B", 2), ("D", 4)]));
}

#[test]
fn the_table_shows_tied_units_with_the_same_rank_and_rounded_total() {
    let package =
        totals_package("rank_precision = 2", &[("A", "90"), ("B", "80.004"), ("C", "80.001"), ("D", "70")]);
    let run = package.score(&[]);
    run.assert_success();
    let rows: Vec<&str> =
        run.stdout.lines().filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit())).collect();
    assert_eq!(rows.len(), 4, "{}", run.stdout);
    for (row, (rank, code, total)) in
        rows.iter().zip([("1", "A", "90,00"), ("2", "B", "80,00"), ("2", "C", "80,00"), ("4", "D", "70,00")])
    {
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells[0], rank, "{row}");
        assert_eq!(cells[1], code, "{row}");
        assert!(row.contains(total), "{row}");
    }
}

#[test]
fn a_total_of_half_a_hundredth_rounds_away_from_zero_before_ranking() {
    // 80.005 rounds to 80.01 and ties with 80.01; 80.004 rounds to 80.00.
    let package = totals_package("rank_precision = 2", &[("A", "80.005"), ("B", "80.01"), ("C", "80.004")]);
    let doc = package.score_json(&[]);
    assert_eq!(ranks(&doc), ranked(&[("A", 1), ("B", 1), ("C", 3)]));
    let run = package.score(&["--lang", "en"]);
    run.assert_success();
    let a = run.stdout.lines().find(|l| l.contains("Unit A")).unwrap_or("");
    assert!(a.contains("80.01"), "{a}");
}

#[test]
fn rank_precision_zero_ranks_on_whole_points() {
    let package = totals_package("rank_precision = 0", &[("A", "80.4"), ("B", "79.6"), ("C", "79.4")]);
    assert_eq!(ranks(&package.score_json(&[])), ranked(&[("A", 1), ("B", 1), ("C", 3)]));
}

#[test]
fn the_band_is_decided_on_the_rounded_total() {
    // Good from 85: 84.996 rounds to 85.00 (good), 84.994 to 84.99 (fair).
    let package = totals_package("rank_precision = 2", &[("A", "84.996"), ("B", "84.994"), ("C", "49.995")]);
    let doc = package.score_json(&[]);
    assert_eq!(unit(&doc, "A")["band"], "good");
    assert_eq!(unit(&doc, "B")["band"], "fair");
    assert_eq!(unit(&doc, "C")["band"], "average");
    assert_eq!(group(&doc, "test")["bands"], json!({ "good": 1, "fair": 1, "average": 1, "weak": 0 }));
    let run = package.score(&[]);
    run.assert_success();
    let a = run.stdout.lines().find(|l| l.contains("Đơn vị A")).unwrap_or("");
    assert!(a.contains("85,00") && a.ends_with("Tốt"), "{a}");
}

#[test]
fn the_group_mean_is_the_mean_of_the_unrounded_totals() {
    let package = totals_package("rank_precision = 2", &[("A", "80.004"), ("B", "80.001")]);
    let doc = package.score_json(&[]);
    assert_close(num(&group(&doc, "test")["mean"]), 80.0025, 1e-9);
    assert_close(num(&doc["overall"]["mean"]), 80.0025, 1e-9);
}

/// Group "a": one unit at 90 (Son La bands). Group "b": units at 40, 50 and 60,
/// with bands pass ≥ 50 / fail.
fn two_group_package(overall: &str) -> Package {
    let fa = points_framework("100", &leaf("1", "100", r#"{ kind = "manual" }"#));
    let fb = format!(
        "id = \"b\"\nname = {{ vi = \"Khung B\", en = \"Framework B\" }}\nscale = 100\n\n[[band]]\ncode = \"pass\"\nmin = 50\nlabel = {{ vi = \"Đạt\", en = \"Pass\" }}\n\n[[band]]\ncode = \"fail\"\nmin = 0\nlabel = {{ vi = \"Không đạt\", en = \"Fail\" }}\n{}",
        leaf("1", "100", r#"{ kind = "manual" }"#)
    );
    Package::new(
        &assessment_toml(overall, &[("a", "frameworks/a.toml"), ("b", "frameworks/b.toml")]),
        &[("frameworks/a.toml", &fa), ("frameworks/b.toml", &fb)],
        &units_csv(&[("A1", "a"), ("B1", "b"), ("B2", "b"), ("B3", "b")]),
        &values_csv(&[("A1", "1", "90"), ("B1", "1", "40"), ("B2", "1", "50"), ("B3", "1", "60")]),
    )
}

#[test]
fn mean_of_groups_averages_the_group_means() {
    let doc = two_group_package("overall = \"mean_of_groups\"").score_json(&[]);
    assert_close(num(&group(&doc, "a")["mean"]), 90.0, 1e-9);
    assert_close(num(&group(&doc, "b")["mean"]), 50.0, 1e-9);
    assert_close(num(&doc["overall"]["mean"]), 70.0, 1e-9);
    assert_eq!(doc["overall"]["rule"], "mean_of_groups");
    assert_eq!(doc["overall"]["units"], 4);
    // The overall band uses the first group's bands: 70 is "fair".
    assert_eq!(doc["overall"]["band"], "fair");
    assert_eq!(group(&doc, "b")["bands"], json!({ "pass": 2, "fail": 1 }));
}

#[test]
fn mean_of_units_averages_every_units_total() {
    let doc = two_group_package("overall = \"mean_of_units\"").score_json(&[]);
    assert_close(num(&doc["overall"]["mean"]), (90.0 + 40.0 + 50.0 + 60.0) / 4.0, 1e-9);
    assert_eq!(doc["overall"]["rule"], "mean_of_units");
    assert_eq!(doc["overall"]["band"], "average");
}

#[test]
fn the_overall_rule_defaults_to_mean_of_groups() {
    let doc = two_group_package("").score_json(&[]);
    assert_eq!(doc["overall"]["rule"], "mean_of_groups");
    assert_close(num(&doc["overall"]["mean"]), 70.0, 1e-9);
}

#[test]
fn the_table_names_the_overall_rule() {
    let run = two_group_package("overall = \"mean_of_units\"").score(&["--lang", "en"]);
    run.assert_success();
    assert!(
        run.stdout.contains("Overall mean: 60.00 — Average (mean of all units; 4 units)"),
        "{}",
        run.stdout
    );
}
