//! Composite mode (COINr's n_minmax, n_zscore, a_amean, a_gmean): expected
//! values are computed here from the spec's definitions and compared with the
//! JSON within 1e-9.
//!
//! The index: Index ← P1 (weight 2) ← a, b (direction −1)
//!                  ← P2 (weight 1) ← c (weight 2), d (weight 1)
//! Four units; U4 has no value for d.

use crate::support::*;
use serde_json::Value;

const FW: &str = "frameworks/index.toml";
const UNITS: [&str; 4] = ["U1", "U2", "U3", "U4"];
const LEAVES: [&str; 4] = ["a", "b", "c", "d"];

/// Raw values per leaf (a, b, c, d) per unit; `None` is missing.
const RAW: [[Option<f64>; 4]; 4] = [
    [Some(10.0), Some(5.0), Some(1.0), Some(100.0)],
    [Some(20.0), Some(3.0), Some(4.0), Some(50.0)],
    [Some(30.0), Some(9.0), Some(2.0), Some(70.0)],
    [Some(40.0), Some(1.0), Some(3.0), None],
];
const DIRECTION: [f64; 4] = [1.0, -1.0, 1.0, 1.0];

/// Bands wide enough for z-scores.
const COMPOSITE_BANDS: &str = r#"
[[band]]
code = "high"
min = 60
label = { vi = "Cao", en = "High" }

[[band]]
code = "low"
min = -1000
label = { vi = "Thấp", en = "Low" }
"#;

fn indicators() -> String {
    [
        composite_indicator("Index", ""),
        composite_indicator("P1", "parent = \"Index\"\nweight = 2"),
        composite_indicator("a", "parent = \"P1\""),
        composite_indicator("b", "parent = \"P1\"\ndirection = -1"),
        composite_indicator("P2", "parent = \"Index\"\nweight = 1"),
        composite_indicator("c", "parent = \"P2\"\nweight = 2"),
        composite_indicator("d", "parent = \"P2\"\nweight = 1"),
    ]
    .concat()
}

fn values() -> String {
    let mut rows = Vec::new();
    for (u, raw) in UNITS.iter().zip(RAW) {
        for (leaf, value) in LEAVES.iter().zip(raw) {
            rows.push((u.to_string(), leaf.to_string(), value.map(|v| v.to_string()).unwrap_or_default()));
        }
    }
    let rows: Vec<(&str, &str, &str)> =
        rows.iter().map(|(u, l, v)| (u.as_str(), l.as_str(), v.as_str())).collect();
    values_csv(&rows)
}

fn composite_package(normalise: &str, aggregate: &str) -> Package {
    let pairs: Vec<(&str, &str)> = UNITS.iter().map(|u| (*u, "test")).collect();
    Package::new(
        &assessment_toml("rank_precision = 2", &[("test", FW)]),
        &[(FW, &composite_framework(normalise, aggregate, COMPOSITE_BANDS, &indicators()))],
        &units_csv(&pairs),
        &values(),
    )
}

// --- the spec's definitions -------------------------------------------------

/// One leaf's column across the units, after multiplying by the direction.
fn column(leaf: usize) -> Vec<Option<f64>> {
    RAW.iter().map(|row| row[leaf].map(|x| x * DIRECTION[leaf])).collect()
}

fn minmax(xs: &[Option<f64>], low: f64, high: f64) -> Vec<Option<f64>> {
    let present: Vec<f64> = xs.iter().flatten().copied().collect();
    let (min, max) =
        present.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    xs.iter()
        .map(|x| {
            x.map(
                |x| {
                    if max == min { (low + high) / 2.0 } else { (x - min) / (max - min) * (high - low) + low }
                },
            )
        })
        .collect()
}

fn zscore(xs: &[Option<f64>], mean: f64, sd: f64) -> Vec<Option<f64>> {
    let present: Vec<f64> = xs.iter().flatten().copied().collect();
    let n = present.len() as f64;
    let m = present.iter().sum::<f64>() / n;
    let s = (present.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    xs.iter().map(|x| x.map(|x| (x - m) / s * sd + mean)).collect()
}

/// Weighted mean over the children that have a value.
fn amean(children: &[(Option<f64>, f64)]) -> Option<f64> {
    let present: Vec<(f64, f64)> = children.iter().filter_map(|(x, w)| x.map(|x| (x, *w))).collect();
    let weights: f64 = present.iter().map(|(_, w)| w).sum();
    (!present.is_empty()).then(|| present.iter().map(|(x, w)| w * x).sum::<f64>() / weights)
}

fn gmean(children: &[(Option<f64>, f64)]) -> Option<f64> {
    let present: Vec<(f64, f64)> = children.iter().filter_map(|(x, w)| x.map(|x| (x, *w))).collect();
    let weights: f64 = present.iter().map(|(_, w)| w).sum();
    (!present.is_empty()).then(|| (present.iter().map(|(x, w)| w * x.ln()).sum::<f64>() / weights).exp())
}

/// Expected (leaf values, P1, P2, Index) per unit.
struct Expected {
    leaves: Vec<Vec<Option<f64>>>,
    p1: Vec<Option<f64>>,
    p2: Vec<Option<f64>>,
    index: Vec<Option<f64>>,
}

/// A weighted aggregation of (value, weight) pairs, as the spec defines it.
type Aggregation = fn(&[(Option<f64>, f64)]) -> Option<f64>;

fn expected(normalise: impl Fn(&[Option<f64>]) -> Vec<Option<f64>>, aggregate: Aggregation) -> Expected {
    let by_leaf: Vec<Vec<Option<f64>>> = (0..4).map(|l| normalise(&column(l))).collect();
    let leaves: Vec<Vec<Option<f64>>> = (0..4).map(|u| (0..4).map(|l| by_leaf[l][u]).collect()).collect();
    let p1: Vec<Option<f64>> = leaves.iter().map(|x| aggregate(&[(x[0], 1.0), (x[1], 1.0)])).collect();
    let p2: Vec<Option<f64>> = leaves.iter().map(|x| aggregate(&[(x[2], 2.0), (x[3], 1.0)])).collect();
    let index = (0..4).map(|u| aggregate(&[(p1[u], 2.0), (p2[u], 1.0)])).collect();
    Expected { leaves, p1, p2, index }
}

#[track_caller]
fn assert_matches(doc: &Value, expected: &Expected) {
    for (u, code) in UNITS.iter().enumerate() {
        let unit_json = unit(doc, code);
        let scores = &unit_json["scores"];
        let check = |name: &str, value: Option<f64>| match value {
            Some(v) => {
                let actual =
                    scores.get(name).map(num).unwrap_or_else(|| panic!("{code} has no {name}: {scores}"));
                assert!((actual - v).abs() <= 1e-9, "{code} {name}: expected {v}, got {actual}");
            }
            None => assert!(scores.get(name).is_none(), "{code} {name} should have no value: {scores}"),
        };
        for (l, leaf) in LEAVES.iter().enumerate() {
            check(leaf, expected.leaves[u][l]);
        }
        check("P1", expected.p1[u]);
        check("P2", expected.p2[u]);
        check("Index", expected.index[u]);
        let total = expected.index[u].unwrap_or(f64::NAN);
        assert!(
            (num(&unit_json["total"]) - total).abs() <= 1e-9,
            "{code} total: expected {total}, got {}",
            unit_json["total"]
        );
    }
}

// --- tests ---------------------------------------------------------------------

#[test]
fn composite_minmax_arithmetic_matches_coinr_n_minmax_and_a_amean() {
    let doc = composite_package("{ kind = \"minmax\", low = 0, high = 100 }", "arithmetic").score_json(&[]);
    assert_matches(&doc, &expected(|xs| minmax(xs, 0.0, 100.0), amean));
    // Worked by hand: U1 has a = 0, b = (−5 + 9)/8 × 100 = 50, c = 0, d = 100, so
    // P1 = 25, P2 = (2·0 + 100)/3 and the index (2·25 + 100/3)/3 = 250/9.
    assert_close(num(&unit(&doc, "U1")["total"]), 250.0 / 9.0, 1e-9);
    // U4 has no d: P2 is c alone (200/3), P1 = 100, index (200 + 200/3)/3 = 800/9.
    assert_close(num(&unit(&doc, "U4")["total"]), 800.0 / 9.0, 1e-9);
    assert_close(num(&unit(&doc, "U4")["scores"]["P2"]), 200.0 / 3.0, 1e-9);
}

#[test]
fn composite_leaves_without_a_value_are_absent_from_scores_and_listed_as_missing() {
    let doc = composite_package("{ kind = \"minmax\", low = 0, high = 100 }", "arithmetic").score_json(&[]);
    let u4 = unit(&doc, "U4");
    assert!(u4["scores"].get("d").is_none(), "{}", u4["scores"]);
    assert_eq!(strings(&u4["missing"]), ["d"]);
    assert!(strings(&unit(&doc, "U1")["missing"]).is_empty());
}

#[test]
fn composite_ranks_and_bands_work_as_in_points_mode() {
    let doc = composite_package("{ kind = \"minmax\", low = 0, high = 100 }", "arithmetic").score_json(&[]);
    let e = expected(|xs| minmax(xs, 0.0, 100.0), amean);
    let totals: Vec<f64> = e.index.iter().map(|t| t.unwrap_or(f64::NAN)).collect();
    for (u, code) in UNITS.iter().enumerate() {
        let rank = 1 + totals.iter().filter(|&&t| round(t, 2) > round(totals[u], 2)).count();
        assert_eq!(unit(&doc, code)["rank"], rank as u64, "{code}");
        let band = if round(totals[u], 2) >= 60.0 { "high" } else { "low" };
        assert_eq!(unit(&doc, code)["band"], band, "{code}");
    }
    let mean = totals.iter().sum::<f64>() / 4.0;
    assert_close(num(&group(&doc, "test")["mean"]), mean, 1e-9);
}

#[test]
fn composite_zscore_uses_the_sample_standard_deviation() {
    let doc = composite_package("{ kind = \"zscore\", mean = 0, sd = 1 }", "arithmetic").score_json(&[]);
    assert_matches(&doc, &expected(|xs| zscore(xs, 0.0, 1.0), amean));
    // a = 10, 20, 30, 40: mean 25, sample sd √(500/3); U1's a is −15/√(500/3).
    assert_close(num(&unit(&doc, "U1")["scores"]["a"]), -15.0 / (500.0f64 / 3.0).sqrt(), 1e-9);
}

#[test]
fn composite_zscore_takes_the_target_mean_and_sd() {
    let doc = composite_package("{ kind = \"zscore\", mean = 50, sd = 10 }", "arithmetic").score_json(&[]);
    assert_matches(&doc, &expected(|xs| zscore(xs, 50.0, 10.0), amean));
}

#[test]
fn composite_geometric_over_minmax_1_to_100_matches_coinr_a_gmean() {
    let doc = composite_package("{ kind = \"minmax\", low = 1, high = 100 }", "geometric").score_json(&[]);
    assert_matches(&doc, &expected(|xs| minmax(xs, 1.0, 100.0), gmean));
}

#[test]
fn composite_normalise_none_aggregates_the_values_as_they_are() {
    let text = composite_framework(
        "{ kind = \"none\" }",
        "arithmetic",
        COMPOSITE_BANDS,
        &[
            composite_indicator("Index", ""),
            composite_indicator("x", "parent = \"Index\"\nweight = 3"),
            composite_indicator("y", "parent = \"Index\""),
        ]
        .concat(),
    );
    let package = Package::new(
        &assessment_toml("", &[("test", FW)]),
        &[(FW, &text)],
        &units_csv(&[("U1", "test"), ("U2", "test")]),
        &values_csv(&[("U1", "x", "10"), ("U1", "y", "50"), ("U2", "x", "\"2,5\""), ("U2", "y", "")]),
    );
    let doc = package.score_json(&[]);
    assert_close(num(&unit(&doc, "U1")["total"]), (3.0 * 10.0 + 50.0) / 4.0, 1e-9);
    assert_close(num(&unit(&doc, "U1")["scores"]["x"]), 10.0, 1e-9);
    // U2 has no y: the index is x alone.
    assert_close(num(&unit(&doc, "U2")["total"]), 2.5, 1e-9);
}

#[test]
fn composite_leaf_with_no_spread_gets_the_minmax_midpoint() {
    let text = composite_framework(
        "{ kind = \"minmax\", low = 0, high = 100 }",
        "arithmetic",
        COMPOSITE_BANDS,
        &[
            composite_indicator("Index", ""),
            composite_indicator("x", "parent = \"Index\""),
            composite_indicator("y", "parent = \"Index\""),
        ]
        .concat(),
    );
    let package = Package::new(
        &assessment_toml("", &[("test", FW)]),
        &[(FW, &text)],
        &units_csv(&[("U1", "test"), ("U2", "test")]),
        &values_csv(&[("U1", "x", "7"), ("U1", "y", "1"), ("U2", "x", "7"), ("U2", "y", "3")]),
    );
    let doc = package.score_json(&[]);
    assert_close(num(&unit(&doc, "U1")["scores"]["x"]), 50.0, 1e-9);
    assert_close(num(&unit(&doc, "U1")["total"]), 25.0, 1e-9);
    assert_close(num(&unit(&doc, "U2")["total"]), 75.0, 1e-9);
}

#[test]
fn composite_geometric_with_a_value_at_zero_after_normalising_names_the_unit_and_indicator() {
    // minmax 0..100 sends each leaf's lowest unit to 0, which geometric cannot take:
    // U1 is lowest on x, U2 on y.
    let text = composite_framework(
        "{ kind = \"minmax\", low = 0, high = 100 }",
        "geometric",
        COMPOSITE_BANDS,
        &[
            composite_indicator("Index", ""),
            composite_indicator("x", "parent = \"Index\""),
            composite_indicator("y", "parent = \"Index\""),
        ]
        .concat(),
    );
    let values = values_csv(&[
        ("U1", "x", "1"),
        ("U1", "y", "5"),
        ("U2", "x", "2"),
        ("U2", "y", "3"),
        ("U3", "x", "3"),
        ("U3", "y", "4"),
    ]);
    let package = Package::new(
        &assessment_toml("", &[("test", FW)]),
        &[(FW, &text)],
        &units_csv(&[("U1", "test"), ("U2", "test"), ("U3", "test")]),
        &values,
    );
    let run = package.score(&["--lang", "en"]);
    assert_eq!(run.refused().len(), 2, "{}", run.stderr);
    let u1 = run.error_at(at("values.csv", line_of(&values, "U1,x,"), "value"));
    assert_contains_all(&u1, &["unit \"U1\"", "indicator \"x\"", "geometric"]);
    let u2 = run.error_at(at("values.csv", line_of(&values, "U2,y,"), "value"));
    assert_contains_all(&u2, &["unit \"U2\"", "indicator \"y\""]);
}

#[test]
fn a_composite_value_must_be_a_number() {
    let package = composite_package("{ kind = \"minmax\", low = 0, high = 100 }", "arithmetic");
    package.edit("values.csv", "U4,d,,", "U4,d,có,");
    let line = package.line_of("values.csv", "U4,d,");
    let error = package.score(&[]).only_error_at(at("values.csv", line, "value"));
    assert!(error.contains("\"có\""), "{error}");
}

#[test]
fn check_describes_a_composite_framework() {
    let package = composite_package("{ kind = \"zscore\", mean = 0, sd = 1 }", "arithmetic");
    let run = chiso(&["check", &package.arg(), "--lang", "en"]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &[
            "composite",
            "zscore",
            "Indicators: 7 (1 main, 4 leaves)",
            "Values: 15 present, 1 missing, 0 not applicable",
        ],
    );
}

#[test]
fn the_report_of_a_composite_index_has_no_points_scale() {
    let package = composite_package("{ kind = \"minmax\", low = 0, high = 100 }", "arithmetic");
    let run = chiso(&["report", &package.arg(), "--lang", "en"]);
    run.assert_success();
    assert!(!run.stdout.contains("/100 points"), "{}", run.stdout);
    assert!(run.stdout.contains("Unit U4 ranking first at 88.89"), "{}", run.stdout);
}
