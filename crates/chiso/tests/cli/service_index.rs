//! `chiso service-index`: the public-service quality index of a service folder.
//!
//! The fixture `tests/data/service` has 3 units (department STP; communes XA, which
//! offers electronic certified copies, and XB) over March and April 2025 (XA has no
//! dossier in April). Every expected value below was computed by hand from its rows;
//! the comments show the arithmetic.

use crate::support::*;
use serde_json::Value;
use std::path::PathBuf;

/// The hand-computed fixture.
pub fn fixture() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/service"))
}

/// A copy of the fixture, to change.
pub fn copy_of_fixture() -> Package {
    let dir = Package::empty();
    copy_dir(&fixture(), dir.path());
    dir
}

/// `chiso service-index FOLDER EXTRA…`.
pub fn service(folder: &std::path::Path, extra: &[&str]) -> Run {
    let mut args = vec!["service-index".to_string(), folder.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    chiso(&args)
}

/// `--format json`, which must succeed, parsed.
pub fn service_json(folder: &std::path::Path, extra: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend(extra);
    let run = service(folder, &all);
    run.assert_success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

/// The period `period` of a document.
fn period<'a>(doc: &'a Value, period: &str) -> &'a Value {
    doc["periods"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["period"] == period))
        .unwrap_or_else(|| panic!("no period {period} in {doc}"))
}

/// A scope of a period: `province` or a unit code (searched in both levels).
pub fn scope<'a>(doc: &'a Value, at: &str, code: &str) -> &'a Value {
    let p = period(doc, at);
    if code == "province" {
        return &p["province"];
    }
    ["department", "commune"]
        .iter()
        .flat_map(|level| p["levels"][level].as_array().into_iter().flatten())
        .find(|u| u["code"] == code)
        .unwrap_or_else(|| panic!("{code} is not scored in {at}"))
}

/// An indicator of a scope.
pub fn indicator<'a>(unit: &'a Value, code: &str) -> &'a Value {
    unit["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["indicators"].as_array().into_iter().flatten())
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no indicator {code} in {unit}"))
}

fn assert_near(actual: &Value, expected: f64, what: &str) {
    let actual = actual.as_f64().unwrap_or_else(|| panic!("{what}: {actual} is not a number"));
    assert!((actual - expected).abs() < 1e-9, "{what}: {actual} ≠ {expected}");
}

/// (period, scope, the six groups' points, total).
type Expected = (&'static str, &'static str, [f64; 6], f64);

const EXPECTED: [Expected; 7] = [
    // March, STP (department: 5.3 not applicable, total × 100/98).
    // 1: 1.1 P1 on time (wd 03-03→03-14 = 9 ≥ 5), P2 late (wd = 3): 1/2 → 3
    //    1.2 the province's: P1 public in 4 working days, P2 not public: 1/2 → 2
    //    1.3 P1, P3 complete of 3: 2 × 2/3;  1.4 S1, S2, S4 synced of 4: 6 × 3/4 = 4.5
    //    → 3 + 2 + 4/3 + 4.5 = 65/6
    // 2: 2.1 S1 on time, S2 (finished 03-13 09:00 − 2 days ≤ due 03-11 17:00), S4
    //    (unfinished, period end 04-01 ≤ due 04-05), S3 late: 3/4 → 15
    // 3: 3.0 dossiers of full procedure P1: S1 online, S2 not: 12 × 1/2 = 6
    // 4: 4.A fee due S1, S2, S4, paid online S1: 6/3 = 2; 4.B fee procedures P1, P3,
    //    P1 paid online: 2 × 0.5/0.8 = 1.25; 4.C P1 (S1, S2) and P3 (S4) all synced: 2
    //    → 5.25
    // 5: 5.1 paper results S1, S2, S4, electronic S1: 6/3 = 2; 5.2 S1 and S3 (no paper
    //    result expected) of 4: 2; 5.4 S1, S3 reused: 2 × 0.5/0.8 = 1.25; 5.5 S1: 1;
    //    5.6 S1, S2: 1; 5.7 citizen P1, P3, P1 with population data: 1 → 8.25 (of 20)
    // 6: 6.1 PA1 on time, PA2 late: 3; 6.2 PA1 satisfied: 3;
    //    6.3 (4 − 1 late − 1 disliked on time)/4 = 0.5: 6 × 0.5/0.9 = 10/3 → 28/3
    // total (65/6 + 15 + 6 + 5.25 + 8.25 + 28/3) × 100/98 = 164/3 × 100/98 = 8200/147
    ("2025-03", "STP", [65.0 / 6.0, 15.0, 6.0, 5.25, 8.25, 28.0 / 3.0], 8200.0 / 147.0),
    // March, XA (commune with certified copies).
    // 1: 1.1 nothing announced: 6; 1.2: 2; 1.3 1/2: 1; 1.4 A1, A2 of 3: 4 → 13
    // 2: A1, A2 (finished at its due time), A3 (unfinished, due 04-07): 3/3 → 20
    // 3: P1's dossiers A1, A2 both online: 12
    // 4: 4.A A3 paid online: 6; 4.B Q1 paid online: 2; 4.C Q1's A3 not synced: 0 → 8
    // 5: 5.1 2/2: 6; 5.2 3/3: 4; 5.3 1/1: 2; 5.4 2/3: 2 × (2/3)/0.8 = 5/3;
    //    5.5 1/3: 4/3; 5.6 2/3: 4/3; 5.7 P1 of P1, Q1: 1 → 52/3
    // 6: no petitions: 6 + 6; 6.3 (3 − 0 − 1 disliked A2)/3: 6 × (2/3)/0.9 = 40/9 → 148/9
    // total 13 + 20 + 12 + 8 + 52/3 + 148/9 = 781/9
    ("2025-03", "XA", [13.0, 20.0, 12.0, 8.0, 52.0 / 3.0, 148.0 / 9.0], 781.0 / 9.0),
    // March, XB (commune without certified copies).
    // 1: 6 + 2 + 1.3 2/2: 2 + 1.4 1/2: 3 → 13;  2: B1 late even with 1 day: 1/2 → 10
    // 3: R2's B2 online: 12;  4: no fee due, no fee procedure: 6 + 2 + 2 = 10
    // 5: 5.1 0/1: 0; 5.2 B2: 1/2 → 2; 5.3 0; 5.4 0; 5.5 1/2: 2; 5.6 1/2: 1; 5.7 1/1: 2 → 7
    // 6: PB1 pending, due after the period end: on time (6) but reopened (0);
    //    6.3 (2 − 1 late)/2: 10/3 → 28/3
    // total 13 + 10 + 12 + 10 + 7 + 28/3 = 184/3
    ("2025-03", "XB", [13.0, 10.0, 12.0, 10.0, 7.0, 28.0 / 3.0], 184.0 / 3.0),
    // March, the province: ratios of pooled counts (9 dossiers).
    // 1: 1.1 1/2: 3; 1.2 1/2: 2; 1.3 5/7: 10/7; 1.4 6/9: 4 → 73/7
    // 2: 7/9: 140/9;  3: 3.0 4/5: 9.6
    // 4: 4.A 2/4: 3; 4.B P1, Q1 of P1, P3, Q1: 2 × (2/3)/0.8 = 5/3; 4.C 2/3: 5/3 → 19/3
    // 5: 5.1 3/6: 3; 5.2 6/9: 8/3; 5.3 XA of 2 communes: 1; 5.4 4/9: 10/9; 5.5 3/9: 4/3;
    //    5.6 5/9: 10/9; 5.7 3/5: 1.2 → 9.2 + 20/9
    // 6: 6.1 2/3: 4; 6.2 1/3: 2; 6.3 (7 − 2)/9: 6 × (5/9)/0.9 = 100/27 → 6 + 100/27
    // total 59576/945
    (
        "2025-03",
        "province",
        [73.0 / 7.0, 140.0 / 9.0, 9.6, 19.0 / 3.0, 9.2 + 20.0 / 9.0, 6.0 + 100.0 / 27.0],
        59576.0 / 945.0,
    ),
    // April, STP: 1.1 no data 6 + 1.2 (XA's P1 late, XB's R2 on time) 2 + 4/3 + 6 = 46/3;
    // 2: 20; 3: 12; 4: 6 + 1.25 + 2 = 9.25; 5: 6 + 4 + 2 + 4 + 1 + 1 = 18; 6: 6 + 6 + 6
    // total (46/3 + 77.25) × 100/98 = 1111/12 × 100/98 = 27775/294
    ("2025-04", "STP", [46.0 / 3.0, 20.0, 12.0, 9.25, 18.0, 18.0], 27775.0 / 294.0),
    // April, XB: 1: 1.1 R2 (wd 04-07→04-14 = 5): 6 + 2 + 2 + 6 = 16; 2: B3 unfinished
    // and overdue at the period end: 1/2 → 10; 3: 12; 4: 10;
    // 5: 6 + 4 + 0 + 2 + 0 + 1 + 2 = 15; 6: 6 + 6 + 6.3 (2 − 1 − 1)/2 = 0 → 12; total 75
    ("2025-04", "XB", [16.0, 10.0, 12.0, 10.0, 15.0, 12.0], 75.0),
    // April, the province (4 dossiers; XA's petition PA3 counts though XA is not scored):
    // 1: 1.1 1/1: 6; 1.2 1/2: 2; 1.3: 10/7; 1.4 4/4: 6 → 108/7;  2: 3/4: 15;  3: 2/2: 12
    // 4: 4.A 1/1: 6; 4.B 1/3: 2 × (1/3)/0.8 = 5/6; 4.C 1/1: 2 → 53/6
    // 5: 6 + 4 + 1 + 2 + 5.5 2/4: 2 + 5.6 2/4: 1 + 5.7 2/5: 0.8 → 16.8
    // 6: 6.1 1/1: 6; 6.2 PA3 not satisfied: 0; 6.3 (3 − 1)/4: 10/3 → 28/3
    // total 16253/210
    ("2025-04", "province", [108.0 / 7.0, 15.0, 12.0, 53.0 / 6.0, 16.8, 28.0 / 3.0], 16253.0 / 210.0),
];

#[test]
fn the_hand_computed_fixture_is_reproduced_to_1e_9() {
    let doc = service_json(&fixture(), &[]);
    for (at, code, groups, total) in EXPECTED {
        let unit = scope(&doc, at, code);
        assert_near(&unit["total"], total, &format!("{at} {code} total"));
        for (g, expected) in groups.iter().enumerate() {
            assert_near(&unit["groups"][g]["points"], *expected, &format!("{at} {code} group {}", g + 1));
        }
    }
    let periods: Vec<&str> =
        doc["periods"].as_array().into_iter().flatten().filter_map(|p| p["period"].as_str()).collect();
    assert_eq!(periods, ["2025-03", "2025-04"]);
    assert!(
        period(&doc, "2025-04")["levels"]["commune"].as_array().is_some_and(|c| c.len() == 1),
        "XA has no dossier in April"
    );
    // Ranks per level; change against March (null in March).
    assert_eq!(
        (scope(&doc, "2025-03", "XA")["rank"].as_u64(), scope(&doc, "2025-03", "XB")["rank"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(scope(&doc, "2025-04", "XB")["rank"], 1);
    assert!(scope(&doc, "2025-03", "STP")["change"].is_null());
    // 27775/294 − 8200/147 = 11375/294;  75 − 184/3 = 41/3;  16253/210 − 59576/945 = 5425/378
    assert_near(&scope(&doc, "2025-04", "STP")["change"], 11375.0 / 294.0, "STP change");
    assert_near(&scope(&doc, "2025-04", "XB")["change"], 41.0 / 3.0, "XB change");
    assert_near(&scope(&doc, "2025-04", "province")["change"], 5425.0 / 378.0, "province change");
}

#[test]
fn the_fixtures_indicators_carry_counts_rates_and_statuses() {
    let doc = service_json(&fixture(), &[]);
    let stp = scope(&doc, "2025-03", "STP");
    let on_time = indicator(stp, "2.1");
    assert_eq!((on_time["numerator"].as_f64(), on_time["denominator"].as_f64()), (Some(3.0), Some(4.0)));
    assert_near(&on_time["rate"], 0.75, "2.1 rate");
    // 2.2: (4 1/12 + (9 − 2) + 10) / 3 days = 253/36
    assert_near(&indicator(stp, "2.2")["value"], 253.0 / 36.0, "STP 2.2");
    assert_eq!(indicator(stp, "2.2")["max"], 0);
    // 5.3 is not applicable to a department: nulls, max 0, group 5 out of 20, total out of 100.
    let copies = indicator(stp, "5.3");
    assert_eq!(copies["status"], "not_applicable");
    assert!(copies["numerator"].is_null() && copies["denominator"].is_null() && copies["rate"].is_null());
    assert_eq!(
        (copies["max"].as_f64(), stp["groups"][4]["max"].as_f64(), stp["max"].as_f64()),
        (Some(0.0), Some(20.0), Some(100.0))
    );
    // 1.2 is the province's for every unit.
    for code in ["province", "STP", "XA", "XB"] {
        let published = indicator(scope(&doc, "2025-03", code), "1.2");
        assert_eq!(
            (published["numerator"].as_f64(), published["denominator"].as_f64()),
            (Some(1.0), Some(2.0)),
            "{code}"
        );
    }
    // A zero denominator: no data, numerator and denominator 0, rate null, full points.
    let petitions = indicator(scope(&doc, "2025-03", "XA"), "6.1");
    assert_eq!(
        (petitions["status"].as_str(), petitions["numerator"].as_f64(), petitions["points"].as_f64()),
        (Some("no_data"), Some(0.0), Some(6.0))
    );
    assert!(petitions["rate"].is_null());
    // The province: pooled counts, and no rank; 3.x reported with no points.
    let province = scope(&doc, "2025-03", "province");
    assert!(province.get("rank").is_none());
    assert_eq!(province["code"], "province");
    let online = indicator(province, "3.3");
    assert_eq!(
        (
            online["numerator"].as_f64(),
            online["denominator"].as_f64(),
            online["points"].as_f64(),
            online["max"].as_f64()
        ),
        (Some(5.0), Some(9.0), Some(0.0), Some(0.0))
    );
    // 2.2 of the province: (253/12 + 67/8 + 8) / 7 = 899/168
    assert_near(&indicator(province, "2.2")["value"], 899.0 / 168.0, "province 2.2");
    assert_eq!(province["missing_inputs"], serde_json::json!([]));
}

#[test]
fn absent_columns_and_files_score_zero_and_are_listed() {
    let dir = copy_of_fixture();
    dir.remove("petitions.csv");
    // drop the synced column (the 10th) from every row of dossiers.csv
    let without: String = dir
        .read("dossiers.csv")
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields.remove(9);
            fields.join(",") + "\n"
        })
        .collect();
    dir.write("dossiers.csv", &without);
    let doc = service_json(dir.path(), &["--lang", "en"]);
    let xa = scope(&doc, "2025-03", "XA");
    let listed: Vec<String> = strings(&xa["missing_inputs"]);
    assert_eq!(listed, ["1.4", "4.C", "6.1", "6.2"]);
    for code in ["1.4", "4.C", "6.1", "6.2"] {
        let i = indicator(xa, code);
        assert_eq!(i["status"], "missing_input", "{code}");
        assert!(i["numerator"].is_null() && i["denominator"].is_null() && i["rate"].is_null(), "{code}");
        assert_eq!(i["points"], 0, "{code}");
    }
    // XA lost 1.4 (4) and 6.1 + 6.2 (12, which were no data: full points); 4.C was 0.
    assert_near(&xa["total"], 781.0 / 9.0 - 16.0, "XA without synced and petitions");
}

#[test]
fn quarters_name_the_periods_and_a_year_judges_unfinished_work_at_its_end() {
    let doc = service_json(&fixture(), &["--period", "quarter"]);
    // March is Q1 and April Q2, and a quarter ends when March's or April's month
    // does for every unfinished dossier: the same scores under other names.
    assert_near(&scope(&doc, "2025-Q1", "STP")["total"], 8200.0 / 147.0, "Q1 STP");
    assert_near(&scope(&doc, "2025-Q2", "XB")["total"], 75.0, "Q2 XB");
    assert_near(&scope(&doc, "2025-Q2", "province")["change"], 5425.0 / 378.0, "Q2 change");
    let year = service_json(&fixture(), &["--period", "year"]);
    // One period, 2025: S4 (due 04-05) is unfinished at 2026-01-01: late now.
    // STP on time: S1, S2, S5, S6 of 6.
    let on_time = indicator(scope(&year, "2025", "STP"), "2.1");
    assert_eq!((on_time["numerator"].as_f64(), on_time["denominator"].as_f64()), (Some(4.0), Some(6.0)));
    assert!(scope(&year, "2025", "STP")["change"].is_null());
}

#[test]
fn from_and_to_choose_the_periods_shown_and_keep_the_change() {
    let doc = service_json(&fixture(), &["--from", "2025-04", "--to", "2025"]);
    let periods = doc["periods"].as_array().map_or(0, Vec::len);
    assert_eq!(periods, 1);
    assert_near(&scope(&doc, "2025-04", "STP")["change"], 11375.0 / 294.0, "the change needs March");
    let none = service_json(&fixture(), &["--to", "2025-02"]);
    assert_eq!(none["periods"], serde_json::json!([]));
    let bad = service(&fixture(), &["--from", "2025-13", "--lang", "en"]);
    assert!(!bad.success && bad.stdout.is_empty());
    assert!(bad.stderr.contains("\"2025-13\" is not a period"), "{}", bad.stderr);
    let reversed = service(&fixture(), &["--from", "2025-04", "--to", "2025-03"]);
    assert!(!reversed.success && reversed.stdout.is_empty(), "{}", reversed.stderr);
}

#[test]
fn unit_shows_one_unit_and_the_province() {
    let doc = service_json(&fixture(), &["--unit", "XB"]);
    for at in ["2025-03", "2025-04"] {
        let p = period(&doc, at);
        assert_eq!(p["levels"]["department"], serde_json::json!([]));
        assert_eq!(p["levels"]["commune"].as_array().map(Vec::len), Some(1));
    }
    // its rank is still among every commune
    assert_eq!(scope(&doc, "2025-03", "XB")["rank"], 2);
    assert_near(&scope(&doc, "2025-03", "province")["total"], 59576.0 / 945.0, "province kept");
    let table = service(&fixture(), &["--unit", "XA", "--lang", "en"]);
    table.assert_success();
    assert_contains_all(
        &table.stdout,
        &[
            "XA Xã Chiềng An — rank 1",
            "5.3   Electronic certification of copies",
            "not scored this period (no dossiers)",
        ],
    );
    let unknown = service(&fixture(), &["--unit", "SYT", "--lang", "en"]);
    assert!(!unknown.success && unknown.stdout.is_empty());
    assert!(unknown.stderr.contains("unit \"SYT\" is not in units.csv"), "{}", unknown.stderr);
}

#[test]
fn observations_are_kpi_rows_ready_for_monitoring() {
    let run = service(&fixture(), &["--observations"]);
    run.assert_success();
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(rows[0], "kpi,scope,period,value,note");
    // the total first, province first, then units in code order, then periods
    assert_eq!(rows[1], "svc_index,province,2025-03,63.04338624338623,");
    assert_eq!(rows[3], "svc_index,STP,2025-03,55.78231292517006,");
    assert_contains_all(
        &run.stdout,
        &[
            "svc_index,XB,2025-04,75,\n",
            // rates in percent: XB's 2.1 in March, 1 of 2
            "svc_2_1_rate,XB,2025-03,50,\n",
            // 1.2 carried to every unit
            "svc_1_2_rate,XA,2025-03,50,\n",
            "svc_4_A_rate,province,2025-04,100,\n",
        ],
    );
    // no rate without one: 5.3 of a department, 2.2 (a mean), no data
    assert!(!run.stdout.contains("svc_5_3_rate,STP"), "{}", run.stdout);
    assert!(!run.stdout.contains("svc_2_2"), "{}", run.stdout);
    assert!(!run.stdout.contains("svc_6_1_rate,XA"), "{}", run.stdout);
    let only = service(&fixture(), &["--observations", "--unit", "XA"]);
    only.assert_success();
    assert!(only.stdout.lines().skip(1).all(|l| l.split(',').nth(1) == Some("XA")), "{}", only.stdout);

    // Appended to a monitoring package that declares them, they are KPIs like others.
    let monitoring = Package::empty();
    monitoring.write(
        "kpis.toml",
        r#"[[kpi]]
code = "svc_index"
name = { vi = "Chỉ số phục vụ người dân, doanh nghiệp", en = "Public-service quality index" }
unit = { vi = "điểm", en = "points" }

[[kpi]]
code = "svc_2_1_rate"
name = { vi = "Hồ sơ giải quyết đúng hạn", en = "Dossiers handled on time" }
unit = "%"
"#,
    );
    // (only the rows of the KPIs the catalogue declares)
    let declared: String = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("kpi,") || l.starts_with("svc_index,") || l.starts_with("svc_2_1_rate,"))
        .map(|l| format!("{l}\n"))
        .collect();
    monitoring.write("observations.csv", &declared);
    let kpi = chiso(&["kpi", &monitoring.arg(), "--year", "2025", "--scope", "STP", "--format", "json"]);
    kpi.assert_success();
    let doc: Value = serde_json::from_str(&kpi.stdout).unwrap_or_else(|e| panic!("{e}: {}", kpi.stdout));
    let latest = doc["kpis"]
        .as_array()
        .and_then(|k| k.iter().find(|k| k["code"] == "svc_index"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(latest["latest"]["period"], "2025-04");
    assert_near(&latest["latest"]["value"], 27775.0 / 294.0, "STP's April index in chiso kpi");
}

#[test]
fn csv_has_a_row_per_scope_and_period_with_named_columns_in_each_language() {
    let en = service(&fixture(), &["--format", "csv", "--lang", "en"]);
    en.assert_success();
    let rows = parse_csv(&en.stdout);
    assert_eq!(rows.len(), 1 + 4 + 3, "header, March (province + 3), April (province + 2)");
    let header = &rows[0];
    assert_eq!(header[..8], ["Period", "Level", "Code", "Name", "Total", "Max", "Rank", "Change"]);
    assert!(
        header.contains(&"2.1 rate (%)".to_string()) && header.contains(&"2.2 days".to_string()),
        "{header:?}"
    );
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}"));
    let xb = rows.iter().find(|r| r[0] == "2025-04" && r[2] == "XB").cloned().unwrap_or_default();
    assert_eq!(
        (xb[1].as_str(), xb[column("Total")].as_str(), xb[column("Rank")].as_str()),
        ("Commune", "75", "1")
    );
    assert_eq!(xb[column("2.1 rate (%)")], "50");
    assert_eq!(rows[1][column("Rank")], "", "the province has no rank");
    let vi = service(&fixture(), &["--format", "csv"]);
    vi.assert_success();
    let vi_rows = parse_csv(&vi.stdout);
    assert_eq!(vi_rows[0][..8], ["Kỳ", "Cấp", "Mã", "Tên", "Tổng điểm", "Điểm tối đa", "Hạng", "Thay đổi"]);
    assert!(vi_rows[0].contains(&"1 Công khai, minh bạch".to_string()), "{:?}", vi_rows[0]);
    assert_eq!(vi_rows[1][1], "Tỉnh");
    for word in ["Period", "Total", "Rank", "Commune", "rate", "points", "Province"] {
        assert!(!vi.stdout.contains(word), "{word} in the Vietnamese CSV");
    }
}

#[test]
fn the_table_speaks_one_language() {
    let vi = service(&fixture(), &[]);
    vi.assert_success();
    assert_contains_all(
        &vi.stdout,
        &[
            "Kỳ 2025-03",
            "Toàn tỉnh: 63,04/100",
            "Sở, ban, ngành (1)",
            "Xã, phường (2)",
            "Hạng",
            "86,78",
            "+38,69",
        ],
    );
    for word in ["Period", "Province", "Rank", "Total", "Change", "Communes", "Departments", "Groups"] {
        assert!(!vi.stdout.contains(word), "{word} in the Vietnamese table:\n{}", vi.stdout);
    }
    let en = service(&fixture(), &["--lang", "en"]);
    en.assert_success();
    assert_contains_all(
        &en.stdout,
        &[
            "Period 2025-03",
            "Province: 63.04/100",
            "Departments (1)",
            "Communes (2)",
            "Rank",
            "86.78",
            "+38.69",
        ],
    );
    // The only Vietnamese letters left are the units' own names (data).
    let without_names =
        en.stdout.replace("Sở Tư pháp", "").replace("Xã Chiềng An", "").replace("Phường Tô Hiệu", "");
    assert!(
        !without_names.chars().any(|c| c.is_alphabetic() && !c.is_ascii()),
        "Vietnamese in:\n{}",
        en.stdout
    );
}

#[test]
fn the_service_dossiers_file_is_still_a_dossier_feed() {
    let run = chiso(&["feed", "dossiers", &fixture().join("dossiers.csv").display().to_string()]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &["dossiers_received,province,2025-03,9,", "dossiers_received,STP,2025-04,2,"],
    );
}

#[test]
fn help_describes_the_command_in_one_language() {
    let en = chiso(&["service-index", "--help", "--lang", "en"]);
    assert!(en.success, "{}", en.stderr);
    assert_contains_all(
        &en.stdout,
        &["public-service quality index", "The service folder", "--observations", "--skip-bad"],
    );
    assert!(!en.stdout.chars().any(|c| c.is_alphabetic() && !c.is_ascii()), "Vietnamese in:\n{}", en.stdout);
    let vi = chiso(&["service-index", "--help"]);
    assert_contains_all(&vi.stdout, &["Chỉ số phục vụ người dân", "Thư mục dữ liệu dịch vụ công"]);
    assert!(!vi.stdout.contains("The service folder"), "{}", vi.stdout);
}
