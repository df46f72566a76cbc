//! `chiso feed`: observations from raw records, strict by default, atomic output.

use crate::support::*;

const DOSSIERS: &str = "id,unit,procedure,channel,received,due,finished,digitized
HS1,116,1.0,online,2024-03-04T08:15:00,2024-03-11T17:00:00,2024-03-08T10:00:00,true
HS2,116,1.0,offline,2024-03-05T08:15:00,2024-03-11T17:00:00,2024-03-11T17:00:00,không
HS3,118,1.0,online,2024-04-05T08:15:00,2024-04-11T17:00:00,,có
";

#[test]
fn dossiers_become_quarterly_observations_on_standard_output() {
    let dir = Package::empty();
    dir.write("d.csv", DOSSIERS);
    let run = chiso(&["feed", "dossiers", &format!("{}/d.csv", dir.arg()), "--period", "quarter"]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &[
            "kpi,scope,period,value,note\n",
            "dossiers_received,province,2024-Q1,2,",
            "dossiers_online_rate,116,2024-Q1,50,",
            // HS2 finished exactly at its due time: on time. HS3 is pending: not counted.
            "dossiers_on_time_rate,province,2024-Q1,100,",
        ],
    );
    assert!(!run.stdout.contains("dossiers_on_time_rate,province,2024-Q2"), "{}", run.stdout);
}

#[test]
fn a_bad_row_stops_the_feed_with_file_and_line_and_leaves_no_output_file() {
    let dir = Package::empty();
    dir.write("d.csv", &format!("{DOSSIERS}HS4,118,1.0,fax,2024-04-05T08:15:00,2024-04-11T17:00:00,,có\n"));
    let out = dir.path().join("obs.csv");
    let run = chiso(&[
        "feed",
        "dossiers",
        &format!("{}/d.csv", dir.arg()),
        "--out",
        &out.display().to_string(),
        "--lang",
        "en",
    ]);
    assert!(!run.success);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("d.csv:5:") && run.stderr.contains("fax"), "{}", run.stderr);
    assert!(!out.exists());
    let skipped = chiso(&[
        "feed",
        "dossiers",
        &format!("{}/d.csv", dir.arg()),
        "--out",
        &out.display().to_string(),
        "--skip-bad",
        "--lang",
        "en",
    ]);
    assert!(skipped.success, "{}", skipped.stderr);
    assert!(skipped.stderr.contains("Skipped 1 bad rows of 4"), "{}", skipped.stderr);
    assert!(dir.read("obs.csv").starts_with("kpi,scope,period,value,note\n"));
}

#[test]
fn documents_count_outgoing_and_signed() {
    let dir = Package::empty();
    dir.write(
        "v.csv",
        "id,unit,direction,sent,signed\nV1,STTTT,out,2024-03-04T09:00:00,true\nV2,STTTT,out,2024-03-05T09:00:00,false\nV3,STTTT,in,2024-03-06T09:00:00,\n",
    );
    let run = chiso(&["feed", "documents", &format!("{}/v.csv", dir.arg()), "--period", "year"]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &["docs_out,STTTT,2024,2,", "docs_out_signed_rate,province,2024,50,", "docs_in,STTTT,2024,1,"],
    );
}

/// A copy of the bundled monitoring package, to append observations to.
fn copy_of_sonla_monitoring() -> Package {
    let dir = Package::empty();
    let bundled = repo_root().join("data/sonla/monitoring");
    for file in ["kpis.toml", "observations.csv"] {
        let text = std::fs::read_to_string(bundled.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        dir.write(file, &text);
    }
    dir
}

/// `chiso kpi DIR --format json` with these options, as JSON.
fn kpi_json(dir: &Package, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["kpi".to_string(), dir.arg(), "--format".into(), "json".into()];
    args.extend(extra.iter().map(|a| a.to_string()));
    let run = chiso(&args);
    run.assert_success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

fn kpi<'a>(doc: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    doc["kpis"]
        .as_array()
        .and_then(|kpis| kpis.iter().find(|k| k["code"] == code))
        .unwrap_or_else(|| panic!("chiso kpi does not show {code}: {doc}"))
}

/// Runs a feed and returns its output without the header line, ready to append.
fn feed_rows(kind: &str, input: &Package, file: &str, period: &str) -> String {
    let run = chiso(&["feed", kind, &format!("{}/{file}", input.arg()), "--period", period]);
    run.assert_success();
    let rows = run.stdout.strip_prefix("kpi,scope,period,value,note\n");
    rows.unwrap_or_else(|| panic!("no header line: {}", run.stdout)).to_string()
}

#[test]
fn issue_11_feed_output_appended_to_the_bundled_monitoring_package_shows_in_chiso_kpi() {
    let input = Package::empty();
    input.write(
        "d.csv",
        "id,unit,procedure,channel,received,due,finished,digitized
HS1,116,1.0,online,2026-03-04T08:15:00,2026-03-11T17:00:00,2026-03-08T10:00:00,true
HS2,116,1.0,offline,2026-03-05T08:15:00,2026-03-11T17:00:00,2026-03-12T09:00:00,không
HS3,118,1.0,online,2026-04-05T08:15:00,2026-04-11T17:00:00,2026-04-10T08:00:00,có
HS4,118,1.0,online,2026-04-06T08:15:00,2026-04-11T17:00:00,,0
",
    );
    input.write(
        "v.csv",
        "id,unit,direction,sent,signed
V1,STTTT,out,2026-03-04T09:00:00,true
V2,STTTT,out,2026-03-05T09:00:00,false
V3,116,out,2026-04-06T09:00:00,có
V4,116,out,2026-04-07T09:00:00,có
V5,STTTT,in,2026-04-08T09:00:00,
",
    );
    let monitoring = copy_of_sonla_monitoring();
    monitoring.append("observations.csv", &feed_rows("dossiers", &input, "d.csv", "month"));
    monitoring.append("observations.csv", &feed_rows("documents", &input, "v.csv", "month"));

    let doc = kpi_json(&monitoring, &["--year", "2026"]);
    // Counts are flows per month: the year adds them up.
    assert_eq!(num(&kpi(&doc, "dossiers_received")["value"]["value"]), 4.0);
    assert_eq!(num(&kpi(&doc, "docs_out")["value"]["value"]), 4.0);
    assert_eq!(num(&kpi(&doc, "docs_in")["value"]["value"]), 1.0);
    // Rates take the latest month, April: 2 of 2 online, 1 of 1 finished on time,
    // 1 of 2 digitised, 2 of 2 outgoing documents signed.
    let latest = |code: &str| {
        let k = kpi(&doc, code);
        assert_eq!(k["latest"]["period"], "2026-04", "{code}: {k}");
        num(&k["value"]["value"])
    };
    assert_eq!(latest("dossiers_online_rate"), 100.0);
    assert_eq!(latest("dossiers_on_time_rate"), 100.0);
    assert_eq!(latest("dossiers_digitized_rate"), 50.0);
    assert_eq!(latest("docs_out_signed_rate"), 100.0);
    // The published yearly figure is still there for 2025, and the target too.
    let signed = kpi(&doc, "docs_out_signed_rate");
    assert_eq!(num(&signed["previous_year"]), 97.0);

    // Per unit: March for STTTT, one of its two outgoing documents signed.
    let unit = kpi_json(&monitoring, &["--year", "2026", "--scope", "STTTT"]);
    assert_eq!(num(&kpi(&unit, "docs_out_signed_rate")["value"]["value"]), 50.0);
    assert_eq!(num(&kpi(&unit, "docs_in")["value"]["value"]), 1.0);

    // And the table shows them by name.
    let run = chiso(&["kpi", &monitoring.arg(), "--year", "2026", "--lang", "en"]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &["Outgoing documents digitally signed", "Administrative dossiers received"],
    );
}

#[test]
fn issue_11_every_kpi_a_feed_writes_is_in_the_bundled_catalogue() {
    let input = Package::empty();
    input.write("d.csv", DOSSIERS);
    input.write("v.csv", "id,unit,direction,sent,signed\nV1,STTTT,out,2024-03-04T09:00:00,true\nV2,STTTT,in,2024-03-06T09:00:00,\n");
    let catalogue =
        std::fs::read_to_string(repo_root().join("data/sonla/monitoring/kpis.toml")).unwrap_or_default();
    let rows =
        feed_rows("dossiers", &input, "d.csv", "year") + &feed_rows("documents", &input, "v.csv", "year");
    let mut codes: Vec<&str> = rows.lines().filter_map(|l| l.split(',').next()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 7, "{codes:?}");
    for code in codes {
        assert!(catalogue.contains(&format!("code = \"{code}\"")), "{code} is not in the bundled kpis.toml");
    }
}

#[test]
fn issue_11_observations_written_by_r_or_pandas_load_with_scientific_notation() {
    let monitoring = copy_of_sonla_monitoring();
    // R's write.csv quotes text and writes doubles with 15 digits and a signed
    // two-digit exponent; pandas' to_csv writes Python's repr.
    monitoring.append(
        "observations.csv",
        "\"docs_out\",\"province\",\"2026-01\",1e+05,NA
docs_out,province,2026-02,2.5E+04,
\"docs_out_signed_rate\",\"province\",\"2026-02\",9.85e+01,\"\"
digital_economy_grdp_share,province,2026,7.5e-00,
",
    );
    let doc = kpi_json(&monitoring, &["--year", "2026"]);
    assert_eq!(num(&kpi(&doc, "docs_out")["value"]["value"]), 125_000.0);
    assert_eq!(num(&kpi(&doc, "docs_out_signed_rate")["value"]["value"]), 98.5);
    assert_eq!(num(&kpi(&doc, "digital_economy_grdp_share")["value"]["value"]), 7.5);

    // What stays refused is refused with its line.
    monitoring.append("observations.csv", "docs_in,province,2026-03,Inf,\ndocs_in,province,2026-04,1e400,\n");
    let run = chiso(&["kpi", &monitoring.arg(), "--lang", "en"]);
    assert!(!run.success);
    let lines = monitoring.read("observations.csv").lines().count();
    assert_contains_all(
        &run.stderr,
        &[
            &format!("observations.csv:{}: ", lines - 1),
            "\"Inf\"",
            &format!("observations.csv:{}: ", lines),
            "\"1e400\"",
        ],
    );
}
