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
