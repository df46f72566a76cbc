//! `chiso kpi` on monitoring packages, and `chiso score --monitoring` filling
//! `kpi:` indicators.

use crate::support::*;
use serde_json::Value;

fn sonla_monitoring() -> String {
    repo_root().join("data/sonla/monitoring").display().to_string()
}

fn kpi_json(dir: &str, extra: &[&str]) -> Value {
    let mut args = vec!["kpi", dir, "--format", "json"];
    args.extend(extra);
    let run = chiso(&args);
    run.assert_success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

fn status<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["kpis"]
        .as_array()
        .and_then(|kpis| kpis.iter().find(|k| k["code"] == code))
        .unwrap_or_else(|| panic!("no KPI {code}"))
}

#[test]
fn sonla_2025_shows_the_digital_economy_off_track_4g_at_risk_and_smartphones_met() {
    let doc = kpi_json(&sonla_monitoring(), &["--year", "2025"]);
    assert_eq!(doc["year"], 2025);
    assert_eq!(doc["scope"], "province");
    let economy = status(&doc, "digital_economy_grdp_share");
    assert_eq!(economy["status"], "off_track");
    assert_eq!(economy["value"]["year"], 2024);
    assert_eq!(num(&economy["value"]["value"]), 6.76);
    assert_eq!(num(&economy["target"]["value"]), 10.0);
    assert_close(num(&economy["forecast"]), 7.315, 1e-9);
    assert_close(num(&economy["progress"]), 0.676, 1e-9);
    assert_eq!(num(&economy["previous_year"]), 6.76);
    assert_eq!(status(&doc, "mobile_broadband_coverage")["status"], "at_risk");
    let phones = status(&doc, "smartphone_household_rate");
    assert_eq!(phones["status"], "met");
    assert_eq!(phones["latest"]["period"], "2024-Q3");
    assert!(phones["forecast"].is_null(), "one year of data gives no forecast");
}

#[test]
fn the_table_lists_off_track_and_at_risk_before_the_rest() {
    let run = chiso(&["kpi", &sonla_monitoring(), "--year", "2025"]);
    run.assert_success();
    let off = run.stdout.find("Chệch hướng").unwrap_or(usize::MAX);
    let risk = run.stdout.find("Có nguy cơ không đạt").unwrap_or(usize::MAX);
    let met = run.stdout.find("Đã đạt").unwrap_or(usize::MAX);
    assert!(off < risk && risk < met, "{}", run.stdout);
    assert_contains_all(&run.stdout, &["6,76 % (2024)", "10 % (2025", "█", "7,32 %"]);
    let english = chiso(&["kpi", &sonla_monitoring(), "--year", "2025", "--lang", "en"]);
    assert_contains_all(&english.stdout, &["Off track", "At risk", "Met", "6.76 % (2024)"]);
}

#[test]
fn the_year_defaults_to_the_latest_year_with_data() {
    let doc = kpi_json(&sonla_monitoring(), &[]);
    assert_eq!(doc["year"], 2025);
}

/// A monitoring package with these kpis.toml and observations.csv texts.
fn monitoring_package(kpis: &str, observations: &str) -> Package {
    let package = Package::empty();
    package.write("kpis.toml", kpis);
    package.write("observations.csv", observations);
    package
}

const KPIS: &str = r#"
[[kpi]]
code = "signed"
name = { vi = "Tỷ lệ văn bản ký số", en = "Documents signed" }
unit = "%"

[[kpi.target]]
year = 2025
value = 100
basis = "Nghị quyết 17-NQ/TU"

[[kpi]]
code = "rank"
name = { vi = "Thứ hạng", en = "Rank" }
direction = "down"
"#;

#[test]
fn a_duplicate_observation_is_refused_at_its_line() {
    let package = monitoring_package(
        KPIS,
        "kpi,scope,period,value,note\nsigned,province,2024,90,\nsigned,province,2024-Q3,91,\nsigned,province,2024,92,\n",
    );
    let run = chiso(&["kpi", &package.arg(), "--lang", "en"]);
    let message = run.only_error_at(at("observations.csv", 4, "period"));
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn unknown_kpis_bad_periods_and_values_are_all_reported() {
    let package = monitoring_package(
        KPIS,
        "kpi,scope,period,value\nsigend,province,2024,90\nsigned,province,2024-Q5,91\nsigned,province,2024,abc\n",
    );
    let run = chiso(&["kpi", &package.arg(), "--lang", "en"]);
    assert!(run.error_at(at("observations.csv", 2, "kpi")).contains("sigend"));
    assert!(run.error_at(at("observations.csv", 3, "period")).contains("2024-Q5"));
    assert!(run.error_at(at("observations.csv", 4, "value")).contains("abc"));
    assert!(run.stdout.is_empty());
}

#[test]
fn a_catalogue_error_names_kpis_toml_line_and_field() {
    let package = monitoring_package(
        &KPIS.replace("direction = \"down\"", "direction = \"sideways\""),
        "kpi,scope,period,value\n",
    );
    let line = package.line_of("kpis.toml", "sideways");
    chiso(&["kpi", &package.arg()]).only_error_at(at("kpis.toml", line, "direction"));
}

#[test]
fn a_unit_scope_is_judged_on_its_own_observations() {
    let package = monitoring_package(
        KPIS,
        "kpi,scope,period,value\nsigned,province,2024,90\nsigned,116,2023,50\nsigned,116,2024,60\nrank,116,2024,3\n",
    );
    let doc = kpi_json(&package.arg(), &["--scope", "116", "--year", "2025"]);
    let signed = status(&doc, "signed");
    assert_eq!(num(&signed["value"]["value"]), 60.0);
    assert_close(num(&signed["forecast"]), 70.0, 1e-9);
    assert_eq!(signed["status"], "off_track");
    assert_eq!(signed["target"]["basis"], "Nghị quyết 17-NQ/TU");
    assert_eq!(status(&doc, "rank")["status"], "no_target");
    assert_eq!(status(&doc, "rank")["direction"], "down");
}

/// The small assessment package whose leaf 1.1 takes its value from KPI `signed`.
fn package_fed_by_kpi(values: &str) -> Package {
    let framework = small_framework().replace(
        "rule = { kind = \"linear\", from = 0, to = 100 }",
        "rule = { kind = \"linear\", from = 0, to = 100 }\nsource = \"kpi:signed\"",
    );
    Package::new(
        &assessment_toml("", &[("agencies", SMALL_FRAMEWORK_FILE)]),
        &[(SMALL_FRAMEWORK_FILE, &framework)],
        &units_csv(&[("A", "agencies"), ("B", "agencies"), ("C", "agencies")]),
        values,
    )
}

#[test]
fn score_with_monitoring_fills_kpi_indicators_and_says_where_from() {
    let assessment =
        package_fed_by_kpi(&values_csv(&[("A", "1.2", "có"), ("B", "1.1", "40"), ("C", "1.2", "có")]));
    let monitoring = monitoring_package(
        KPIS,
        "kpi,scope,period,value\nsigned,A,2024-Q2,70\nsigned,A,2024-Q4,80\nsigned,B,2024,99\nsigned,C,2023,99\n",
    );
    let doc = assessment.score_json(&["--monitoring", &monitoring.arg()]);
    let a = unit(&doc, "A");
    // 1.1 is linear 0..100 on 25 points: the yearly value (last: Q4) is 80 → 20 points.
    assert_eq!(num(&a["scores"]["1.1"]), 20.0);
    assert_eq!(a["sources"]["1.1"], "kpi:signed 2024");
    // B's values.csv gives 1.1, which wins over the KPI.
    let b = unit(&doc, "B");
    assert_eq!(num(&b["scores"]["1.1"]), 10.0);
    assert!(b.get("sources").is_none());
    // C has only a 2023 observation: nothing for 2024, so 1.1 stays missing.
    let c = unit(&doc, "C");
    assert!(strings(&c["missing"]).contains(&"1.1".to_string()));
    // Without --monitoring nothing is filled.
    let plain = assessment.score_json(&[]);
    assert!(strings(&unit(&plain, "A")["missing"]).contains(&"1.1".to_string()));
}

#[test]
fn a_kpi_indicator_whose_kpi_is_not_in_the_monitoring_package_is_an_error() {
    let assessment = package_fed_by_kpi(&values_csv(&[("A", "1.2", "có")]));
    let monitoring = monitoring_package(&KPIS.replace("\"signed\"", "\"other\""), "kpi,scope,period,value\n");
    let run = assessment.score(&["--monitoring", &monitoring.arg(), "--lang", "en"]);
    let errors = run.refused();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(SMALL_FRAMEWORK_FILE) && errors[0].contains("(field: source)"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("\"signed\""), "{}", errors[0]);
}
