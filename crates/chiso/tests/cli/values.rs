//! How values are read and scored in points mode: the number and word forms of
//! the spec, each rule kind, missing and not-applicable leaves. Expected points
//! are worked out by hand from the spec's table.

use crate::support::*;
use serde_json::Value;

const FW: &str = "frameworks/test.toml";

/// A one-group package with these indicators (scale 100) and values.
fn package(indicators: &str, units: &[&str], values: &str) -> Package {
    let pairs: Vec<(&str, &str)> = units.iter().map(|u| (*u, "test")).collect();
    Package::new(
        &assessment_toml("rank_precision = 2", &[("test", FW)]),
        &[(FW, &points_framework("100", indicators))],
        &units_csv(&pairs),
        values,
    )
}

fn score_of(doc: &Value, unit_code: &str, indicator: &str) -> f64 {
    num(&unit(doc, unit_code)["scores"][indicator])
}

#[track_caller]
fn assert_scores(doc: &Value, unit_code: &str, expected: &[(&str, f64)]) {
    for (indicator, points) in expected {
        let scores = &unit(doc, unit_code)["scores"];
        let actual = scores
            .get(*indicator)
            .map(num)
            .unwrap_or_else(|| panic!("{unit_code} has no score for {indicator}: {scores}"));
        assert!((actual - points).abs() < 1e-9, "{unit_code} {indicator}: expected {points}, got {actual}");
    }
}

#[test]
fn number_and_word_forms_score_as_the_spec_says() {
    let indicators = [
        parent("1", "40"),
        leaf("1.1", "10", r#"{ kind = "linear", from = 0, to = 100 }"#),
        leaf("1.2", "10", r#"{ kind = "linear", from = 50, to = 100 }"#),
        leaf("1.3", "10", r#"{ kind = "linear", from = 50, to = 100 }"#),
        leaf("1.4", "10", r#"{ kind = "boolean" }"#),
        parent("2", "60"),
        leaf("2.1", "10", r#"{ kind = "boolean" }"#),
        leaf("2.2", "10", r#"{ kind = "boolean" }"#),
        leaf("2.3", "10", r#"{ kind = "boolean" }"#),
        leaf("2.4", "10", r#"{ kind = "manual" }"#),
        leaf("2.5", "10", r#"{ kind = "ratio" }"#),
        leaf("2.6", "10", r#"{ kind = "steps", steps = [[80, 10], [50, 5]] }"#),
    ]
    .concat();
    let values = values_csv(&[
        ("A", "1.1", "97%"),      // 97 → 10 × 97/100 = 9.7
        ("A", "1.2", "\"74,8\""), // 74.8 → 10 × 24.8/50 = 4.96
        ("A", "1.3", "74.8"),     // 4.96
        ("A", "1.4", "có"),       // 10
        ("A", "2.1", "không"),    // 0
        ("A", "2.2", "x"),        // 10
        ("A", "2.3", "na"),       // not applicable
        ("A", "2.4", ""),         // missing: 0
        ("A", "2.5", "3/4"),      // 10 × 3/4 = 7.5
        ("A", "2.6", "60"),       // first step reached: [50, 5] → 5
    ]);
    let doc = package(&indicators, &["A"], &values).score_json(&[]);
    assert_scores(
        &doc,
        "A",
        &[
            ("1.1", 9.7),
            ("1.2", 4.96),
            ("1.3", 4.96),
            ("1.4", 10.0),
            ("1", 29.62),
            ("2.1", 0.0),
            ("2.2", 10.0),
            ("2.4", 0.0),
            ("2.5", 7.5),
            ("2.6", 5.0),
            ("2", 22.5),
        ],
    );
    let a = unit(&doc, "A");
    assert!(a["scores"].get("2.3").is_none(), "na is absent from scores: {}", a["scores"]);
    assert_eq!(strings(&a["missing"]), ["2.4"]);
    assert_eq!(strings(&a["not_applicable"]), ["2.3"]);
    // "2" loses 2.3's 10 of its 60: applicable max 50. Total = (29.62 + 22.5) / (40 + 50) × 100.
    assert_close(num(&a["total"]), (29.62 + 22.5) / 90.0 * 100.0, 1e-9);
}

#[test]
fn boolean_words_are_read_in_any_letter_case() {
    let indicators = [
        leaf("1", "20", r#"{ kind = "boolean" }"#),
        leaf("2", "20", r#"{ kind = "boolean" }"#),
        leaf("3", "20", r#"{ kind = "boolean" }"#),
        leaf("4", "20", r#"{ kind = "boolean" }"#),
        leaf("5", "20", r#"{ kind = "boolean" }"#),
    ]
    .concat();
    let values = values_csv(&[
        ("A", "1", "Có"),
        ("A", "2", "TRUE"),
        ("A", "3", "X"),
        ("A", "4", "yes"),
        ("A", "5", "1"),
        ("B", "1", "KHÔNG"),
        ("B", "2", "false"),
        ("B", "3", "No"),
        ("B", "4", "0"),
        ("B", "5", "NA"),
    ]);
    let doc = package(&indicators, &["A", "B"], &values).score_json(&[]);
    assert_eq!(num(&unit(&doc, "A")["total"]), 100.0);
    assert_eq!(num(&unit(&doc, "B")["total"]), 0.0);
    assert_eq!(strings(&unit(&doc, "B")["not_applicable"]), ["5"]);
}

#[test]
fn a_leaf_with_no_row_is_missing_and_scores_zero() {
    let indicators =
        [leaf("1", "50", r#"{ kind = "manual" }"#), leaf("2", "50", r#"{ kind = "manual" }"#)].concat();
    let doc = package(&indicators, &["A"], &values_csv(&[("A", "1", "40")])).score_json(&[]);
    let a = unit(&doc, "A");
    assert_eq!(strings(&a["missing"]), ["2"]);
    assert_eq!(num(&a["scores"]["2"]), 0.0);
    assert_close(num(&a["total"]), 40.0, 1e-9);
}

#[test]
fn every_rule_kind_scores_as_the_spec_table_says() {
    let indicators = [
        parent("1", "40"),
        leaf("1.1", "10", r#"{ kind = "linear", from = 10, to = 0 }"#),
        leaf("1.2", "10", r#"{ kind = "steps", steps = [[80, 10], [50, 6], [20, 2]] }"#),
        leaf("1.3", "10", r#"{ kind = "steps", steps = [[1, 10], [3, 5]], descending = true }"#),
        leaf("1.4", "10", r#"{ kind = "relative" }"#),
        parent("2", "60"),
        leaf("2.1", "20", r#"{ kind = "count", cap = 4 }"#),
        leaf("2.2", "20", r#"{ kind = "ratio" }"#),
        leaf(
            "2.3",
            "20",
            r#"{ kind = "choice", options = [{ code = "head", points = 20 }, { code = "deputy", points = 10 }, { code = "other", points = 0 }] }"#,
        ),
    ]
    .concat();
    let values = values_csv(&[
        ("A", "1.1", "2.5"),    // lower is better: 10 × (2.5 − 10)/(0 − 10) = 7.5
        ("A", "1.2", "80"),     // reaches 80: 10
        ("A", "1.3", "0"),      // ≤ 1: 10
        ("A", "1.4", "50"),     // 10 × 50 / 200 = 2.5
        ("A", "2.1", "2"),      // 20 × 2/4 = 10
        ("A", "2.2", "3/4"),    // 20 × 0.75 = 15
        ("A", "2.3", "deputy"), // 10
        ("B", "1.1", "12"),     // above from: 0
        ("B", "1.2", "79.9"),   // reaches 50: 6
        ("B", "1.3", "2"),      // ≤ 3: 5
        ("B", "1.4", "200"),    // the group's largest: 10
        ("B", "2.1", "9"),      // capped at 4: 20
        ("B", "2.2", "50"),     // a plain number is a percentage: 20 × 0.5 = 10
        ("B", "2.3", "head"),   // 20
        ("C", "1.1", "0"),      // at to: 10
        ("C", "1.2", "10"),     // reaches no step: 0
        ("C", "1.3", "7"),      // above every threshold: 0
        ("C", "1.4", "na"),     // not applicable (and not in the group's largest)
        ("C", "2.1", "0"),      // 0
        ("C", "2.2", "0/0"),    // 0
        ("C", "2.3", "other"),  // 0
    ]);
    let doc = package(&indicators, &["A", "B", "C"], &values).score_json(&[]);
    assert_scores(
        &doc,
        "A",
        &[
            ("1.1", 7.5),
            ("1.2", 10.0),
            ("1.3", 10.0),
            ("1.4", 2.5),
            ("2.1", 10.0),
            ("2.2", 15.0),
            ("2.3", 10.0),
        ],
    );
    assert_scores(
        &doc,
        "B",
        &[
            ("1.1", 0.0),
            ("1.2", 6.0),
            ("1.3", 5.0),
            ("1.4", 10.0),
            ("2.1", 20.0),
            ("2.2", 10.0),
            ("2.3", 20.0),
        ],
    );
    assert_scores(
        &doc,
        "C",
        &[("1.1", 10.0), ("1.2", 0.0), ("1.3", 0.0), ("2.1", 0.0), ("2.2", 0.0), ("2.3", 0.0)],
    );
    assert_close(num(&unit(&doc, "A")["total"]), 30.0 + 35.0, 1e-9);
    assert_close(num(&unit(&doc, "B")["total"]), 21.0 + 50.0, 1e-9);
    // C: "1" has applicable max 40 × 30/40 = 30; total = 10 / (30 + 60) × 100.
    assert_close(num(&unit(&doc, "C")["total"]), 10.0 / 90.0 * 100.0, 1e-9);
}

#[test]
fn relative_is_zero_for_everyone_when_the_largest_value_is_zero() {
    let indicators =
        [leaf("1", "50", r#"{ kind = "relative" }"#), leaf("2", "50", r#"{ kind = "manual" }"#)].concat();
    let values = values_csv(&[("A", "1", "0"), ("A", "2", "50"), ("B", "1", "0"), ("B", "2", "25")]);
    let doc = package(&indicators, &["A", "B"], &values).score_json(&[]);
    assert_eq!(score_of(&doc, "A", "1"), 0.0);
    assert_eq!(score_of(&doc, "B", "1"), 0.0);
    assert_close(num(&unit(&doc, "A")["total"]), 50.0, 1e-9);
}

#[test]
fn a_not_applicable_leaf_shrinks_its_parents_max_and_the_total() {
    let indicators = [
        parent("1", "40"),
        leaf("1.1", "30", r#"{ kind = "manual" }"#),
        leaf("1.2", "10", r#"{ kind = "manual" }"#),
        parent("2", "60"),
        leaf("2.1", "60", r#"{ kind = "manual" }"#),
    ]
    .concat();
    let values = values_csv(&[
        ("A", "1.1", "na"),
        ("A", "1.2", "8"),
        ("A", "2.1", "30"),
        ("B", "1.1", "na"),
        ("B", "1.2", "na"),
        ("B", "2.1", "45"),
        ("C", "1.1", "30"),
        ("C", "1.2", "8"),
        ("C", "2.1", "30"),
    ]);
    let doc = package(&indicators, &["A", "B", "C"], &values).score_json(&[]);
    // A: "1" keeps 1.2's 10 of its children's 40, so its applicable max is
    // 40 × 10/40 = 10; total = (8 + 30) / (10 + 60) × 100.
    assert_scores(&doc, "A", &[("1", 8.0), ("1.2", 8.0), ("2", 30.0)]);
    assert!(unit(&doc, "A")["scores"].get("1.1").is_none());
    assert_close(num(&unit(&doc, "A")["total"]), 38.0 / 70.0 * 100.0, 1e-9);
    // B: every child of "1" is na, so "1" is na too: absent, and the total is 45/60.
    assert!(unit(&doc, "B")["scores"].get("1").is_none(), "{}", unit(&doc, "B")["scores"]);
    assert_eq!(strings(&unit(&doc, "B")["not_applicable"]), ["1.1", "1.2"]);
    assert_close(num(&unit(&doc, "B")["total"]), 75.0, 1e-9);
    // C: nothing is na: 38 + 30.
    assert_close(num(&unit(&doc, "C")["total"]), 68.0, 1e-9);
}

#[test]
fn a_parent_is_capped_at_its_max_and_at_its_shrunk_max() {
    // Children may sum to more than their parent: 8 + 8 for a parent of 10.
    let indicators = [
        parent("1", "10"),
        leaf("1.1", "8", r#"{ kind = "manual" }"#),
        leaf("1.2", "8", r#"{ kind = "manual" }"#),
        leaf("2", "90", r#"{ kind = "manual" }"#),
    ]
    .concat();
    let values = values_csv(&[
        ("A", "1.1", "8"),
        ("A", "1.2", "7"),
        ("A", "2", "45"),
        ("B", "1.1", "6"),
        ("B", "1.2", "na"),
        ("B", "2", "90"),
    ]);
    let doc = package(&indicators, &["A", "B"], &values).score_json(&[]);
    // A: 8 + 7 = 15, capped at 10; total 10 + 45.
    assert_scores(&doc, "A", &[("1", 10.0)]);
    assert_close(num(&unit(&doc, "A")["total"]), 55.0, 1e-9);
    // B: applicable max 10 × 8/16 = 5; 6 is capped at 5; total (5 + 90) / (5 + 90) × 100.
    assert_scores(&doc, "B", &[("1", 5.0), ("1.1", 6.0)]);
    assert_close(num(&unit(&doc, "B")["total"]), 100.0, 1e-9);
}

#[test]
fn a_scale_other_than_100_scales_the_total() {
    let indicators =
        [leaf("1", "600", r#"{ kind = "manual" }"#), leaf("2", "400", r#"{ kind = "manual" }"#)].concat();
    let text = points_framework("1000", &indicators);
    let package = Package::new(
        &assessment_toml("", &[("test", FW)]),
        &[(FW, &text)],
        &units_csv(&[("A", "test"), ("B", "test")]),
        &values_csv(&[("A", "1", "300"), ("A", "2", "359.1"), ("B", "1", "na"), ("B", "2", "200")]),
    );
    let doc = package.score_json(&[]);
    assert_close(num(&unit(&doc, "A")["total"]), 659.1, 1e-9);
    // Not applicable: 200 / 400 × 1000.
    assert_close(num(&unit(&doc, "B")["total"]), 500.0, 1e-9);
}

#[test]
fn a_values_file_saved_with_a_bom_and_crlf_line_ends_is_read() {
    let indicators =
        [leaf("1", "50", r#"{ kind = "manual" }"#), leaf("2", "50", r#"{ kind = "boolean" }"#)].concat();
    let values = "\u{feff}unit,indicator,value,note\r\nA,1,\"42,5\",\r\nA,2,có,\r\n";
    let doc = package(&indicators, &["A"], values).score_json(&[]);
    assert_close(num(&unit(&doc, "A")["total"]), 92.5, 1e-9);
}

#[test]
fn a_bad_value_in_a_crlf_values_file_names_its_physical_line() {
    let indicators =
        [leaf("1", "50", r#"{ kind = "manual" }"#), leaf("2", "50", r#"{ kind = "boolean" }"#)].concat();
    let values = "unit,indicator,value,note\r\nA,1,10,\r\nA,2,maybe,\r\n";
    let run = package(&indicators, &["A"], values).score(&[]);
    let error = run.only_error_at(at("values.csv", 3, "value"));
    assert!(error.contains("\"maybe\""), "{error}");
}

#[test]
fn a_bad_value_after_a_note_spanning_two_lines_names_its_physical_line() {
    let indicators =
        [leaf("1", "50", r#"{ kind = "manual" }"#), leaf("2", "50", r#"{ kind = "boolean" }"#)].concat();
    let values = "unit,indicator,value,note\nA,1,10,\"Quyết định số 1\nngày 2/1\"\nA,2,maybe,\n";
    let error = package(&indicators, &["A"], values).score(&[]).only_error_at(at("values.csv", 4, "value"));
    assert!(error.contains("\"maybe\""), "{error}");
}

#[test]
fn a_wide_form_file_may_leave_empty_a_column_that_is_a_parent_in_another_groups_framework() {
    // Group "a": 1 is a parent of 1.1. Group "b": 1 is a leaf. In the wide form
    // the A unit leaves column 1 empty, the B unit leaves column 1.1 empty.
    let fa =
        points_framework("100", &[parent("1", "100"), leaf("1.1", "100", r#"{ kind = "manual" }"#)].concat());
    let fb = points_framework("100", &leaf("1", "100", r#"{ kind = "manual" }"#));
    let package = Package::new(
        &assessment_toml("", &[("a", "frameworks/a.toml"), ("b", "frameworks/b.toml")]),
        &[("frameworks/a.toml", &fa), ("frameworks/b.toml", &fb)],
        &units_csv(&[("A1", "a"), ("B1", "b")]),
        "unit,1,1.1\nA1,,70\nB1,40,\n",
    );
    let doc = package.score_json(&[]);
    assert_close(num(&unit(&doc, "A1")["total"]), 70.0, 1e-9);
    assert_close(num(&unit(&doc, "B1")["total"]), 40.0, 1e-9);
}

#[test]
fn a_wide_form_value_for_a_column_only_in_another_groups_framework_is_refused() {
    let fa = points_framework("100", &leaf("1", "100", r#"{ kind = "manual" }"#));
    let fb = points_framework(
        "100",
        &[leaf("1", "50", r#"{ kind = "manual" }"#), leaf("2", "50", r#"{ kind = "manual" }"#)].concat(),
    );
    let package = Package::new(
        &assessment_toml("", &[("a", "frameworks/a.toml"), ("b", "frameworks/b.toml")]),
        &[("frameworks/a.toml", &fa), ("frameworks/b.toml", &fb)],
        &units_csv(&[("A1", "a"), ("B1", "b")]),
        "unit,1,2\nB1,40,30\nA1,70,5\n",
    );
    let error = package.score(&[]).only_error_at(at("values.csv", 3, "2"));
    assert_contains_all(&error, &["\"2\"", "\"a\""]);
}

// ---------------------------------------------------------------------------
// Numbers as R, Python and Excel write them (issue 11)

const COMPOSITE_FW: &str = "frameworks/index.toml";

/// A composite package: Index ← a, b (b lower is better), units U1..U3, z-scores.
fn exported_composite(values: &str) -> Package {
    let bands = "\n[[band]]\ncode = \"high\"\nmin = 0\nlabel = { vi = \"Cao\", en = \"High\" }\n\n[[band]]\ncode = \"low\"\nmin = -1000\nlabel = { vi = \"Thấp\", en = \"Low\" }\n";
    let indicators = [
        composite_indicator("Index", ""),
        composite_indicator("a", "parent = \"Index\""),
        composite_indicator("b", "parent = \"Index\"\ndirection = -1"),
    ]
    .concat();
    Package::new(
        &assessment_toml("rank_precision = 2", &[("test", COMPOSITE_FW)]),
        &[(
            COMPOSITE_FW,
            &composite_framework("{ kind = \"zscore\", mean = 0, sd = 1 }", "arithmetic", bands, &indicators),
        )],
        &units_csv(&[("U1", "test"), ("U2", "test"), ("U3", "test")]),
        values,
    )
}

fn totals(doc: &Value) -> Vec<f64> {
    ["U1", "U2", "U3"].iter().map(|u| num(&unit(doc, u)["total"])).collect()
}

#[test]
fn issue_11_a_composite_package_written_by_r_and_by_pandas_scores_as_plain_decimals() {
    // The same values written plainly, by R's write.csv(row.names = FALSE) (quoted
    // text, 15 significant digits, signed two-digit exponents, NA for a missing
    // value) and by pandas' to_csv(index = False) (repr, NaN as an empty field).
    let plain =
        "unit,indicator,value\nU1,a,0.000066\nU1,b,100000\nU2,a,0.1\nU2,b,-0.00000025\nU3,a,0.5\nU3,b,\n";
    let r = "\"unit\",\"indicator\",\"value\"\n\"U1\",\"a\",6.6e-05\n\"U1\",\"b\",1e+05\n\"U2\",\"a\",0.1\n\"U2\",\"b\",-2.5e-07\n\"U3\",\"a\",0.5\n\"U3\",\"b\",NA\n";
    let pandas =
        "unit,indicator,value\nU1,a,6.6e-05\nU1,b,100000.0\nU2,a,0.1\nU2,b,-2.5e-07\nU3,a,0.5\nU3,b,\n";
    // Excel's CSV export of cells in scientific format, and a decimal comma.
    let excel = "unit,indicator,value\nU1,a,6.60E-05\nU1,b,1.00E+05\nU2,a,\"1,0E-01\"\nU2,b,-2.50E-07\nU3,a,5.00E-01\nU3,b,\n";
    let expected = totals(&exported_composite(plain).score_json(&[]));
    assert!(expected.iter().all(|t| t.is_finite()), "{expected:?}");
    for (who, values) in [("R", r), ("pandas", pandas), ("Excel", excel)] {
        let doc = exported_composite(values).score_json(&[]);
        assert_eq!(totals(&doc), expected, "{who}");
    }
    // R's NA reads as the package's `na`: in a composite framework it is skipped
    // exactly like an empty value, and listed as not applicable.
    let doc = exported_composite(r).score_json(&[]);
    assert_eq!(strings(&unit(&doc, "U3")["not_applicable"]), vec!["b"]);
    let doc = exported_composite(pandas).score_json(&[]);
    assert_eq!(strings(&unit(&doc, "U3")["missing"]), vec!["b"]);
}

#[test]
fn issue_11_a_wide_values_file_written_by_r_scores() {
    let r = "\"unit\",\"a\",\"b\"\n\"U1\",6.6e-05,1e+05\n\"U2\",0.1,-2.5e-07\n\"U3\",0.5,NA\n";
    let plain = "unit,a,b\nU1,0.000066,100000\nU2,0.1,-0.00000025\nU3,0.5,\n";
    assert_eq!(
        totals(&exported_composite(r).score_json(&[])),
        totals(&exported_composite(plain).score_json(&[]))
    );
}

#[test]
fn issue_11_points_values_in_scientific_notation_score_like_their_decimals() {
    let indicators = [
        leaf("1", "40", r#"{ kind = "linear", from = 0, to = 100 }"#),
        leaf("2", "30", r#"{ kind = "count", cap = 4 }"#),
        leaf("3", "30", r#"{ kind = "ratio" }"#),
    ]
    .concat();
    let written = values_csv(&[
        ("A", "1", "7.48E+01"),
        ("A", "2", "+3e0"),
        ("A", "3", "1.5e0/2E0"),
        ("B", "1", "\"7,48e1\""),
        ("B", "2", ".3e1"),
        ("B", "3", "7.5e1%"),
    ]);
    let doc = package(&indicators, &["A", "B"], &written).score_json(&[]);
    for u in ["A", "B"] {
        assert_scores(&doc, u, &[("1", 40.0 * 0.748), ("2", 30.0 * 0.75), ("3", 30.0 * 0.75)]);
    }
}

#[test]
fn issue_11_numbers_other_tools_write_but_the_format_refuses_name_their_line() {
    let indicators = leaf("1", "100", r#"{ kind = "linear", from = 0, to = 100 }"#);
    for text in ["Inf", "NaN", "1e400", "0x10", "1_000", "\"1,234.5\""] {
        let written = values_csv(&[("A", "1", text)]);
        let run = package(&indicators, &["A"], &written).score(&["--lang", "en"]);
        assert!(!run.success, "{text} was accepted");
        let message = run.only_error_at(at("values.csv", 2, "value"));
        assert!(message.contains("not a number"), "{text}: {message}");
    }
}

#[test]
fn issue_11_nan_and_inf_in_a_framework_are_refused_at_their_line() {
    // TOML allows `nan` and `inf`; a framework with one used to score every unit as
    // null and weak.
    let indicators =
        [leaf("1", "nan", r#"{ kind = "boolean" }"#), leaf("2", "100", r#"{ kind = "boolean" }"#)].concat();
    let pkg = package(&indicators, &["A"], &values_csv(&[("A", "1", "có")]));
    let line = pkg.line_of(FW, "max = nan");
    let run = pkg.score(&["--lang", "en"]);
    assert!(!run.success && run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.only_error_at(at(FW, line, "max")).contains("nan is not a finite number"), "{}", run.stderr);
    let run = pkg.score(&[]);
    assert!(
        run.only_error_at(at(FW, line, "max")).contains("nan không phải là một số hữu hạn"),
        "{}",
        run.stderr
    );
    // Exponents are TOML numbers like any other.
    let indicators = [
        leaf("1", "5e1", r#"{ kind = "linear", from = 0, to = 1E+2 }"#),
        leaf("2", "50", r#"{ kind = "boolean" }"#),
    ]
    .concat();
    let doc =
        package(&indicators, &["A"], &values_csv(&[("A", "1", "5e1"), ("A", "2", "có")])).score_json(&[]);
    assert_scores(&doc, "A", &[("1", 25.0), ("2", 50.0)]);
}
