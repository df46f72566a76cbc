//! `chiso service-index` refuses a bad folder: one test per kind of bad row, each
//! naming `FILE:LINE` and the field, with nothing on standard output; `--skip-bad`
//! skips them and says so.

use crate::service_index::{copy_of_fixture, fixture, scope, service, service_json};
use crate::support::*;

/// A dossier row of the fixture's columns that is good: change one field to break it.
const GOOD_DOSSIER: &str = "S9,STP,P1,online,2025-03-05T08:00:00,2025-03-12T17:00:00,2025-03-06T08:00:00,yes,0,yes,no,no,no,no,no,no,no,no";

/// The fixture's files have these many lines; an appended row is the next one.
const UNITS_NEXT: usize = 5;
const PROCEDURES_NEXT: usize = 9;
const DOSSIERS_NEXT: usize = 15;
const PETITIONS_NEXT: usize = 6;

/// Appends `row` to `file` of a copy of the fixture and checks the refusal:
/// `FOLDER/FILE:LINE: … (field: FIELD)` in English, `mentions` in the message,
/// nothing on standard output. Returns the message.
fn refused(file: &str, row: &str, line: usize, field: Option<&str>, mentions: &str) -> String {
    let dir = copy_of_fixture();
    dir.append(file, &format!("{row}\n"));
    refused_in(&dir, file, line, field, mentions)
}

fn refused_in(dir: &Package, file: &str, line: usize, field: Option<&str>, mentions: &str) -> String {
    let run = service(dir.path(), &["--lang", "en", "--format", "json"]);
    assert!(!run.success, "the folder was accepted:\n{}", run.stdout);
    assert_eq!(run.stdout, "", "nothing may be printed on stdout when the folder is refused");
    let message = run.stderr.trim_end().to_string();
    assert_eq!(message.lines().count(), 1, "one error: the first bad row\n{message}");
    let place = format!("{}:{line}: ", dir.path().join(file).display());
    assert!(message.starts_with(&place), "expected {place}…, got:\n{message}");
    match field {
        Some(field) => assert!(message.ends_with(&format!(" (field: {field})")), "{message}"),
        None => assert!(!message.contains("(field:"), "{message}"),
    }
    assert!(message.contains(mentions), "{mentions:?} not in:\n{message}");
    message
}

fn dossier_with(column: usize, value: &str) -> String {
    let mut fields: Vec<&str> = GOOD_DOSSIER.split(',').collect();
    fields[column] = value;
    fields.join(",")
}

// units.csv

#[test]
fn an_unknown_level_is_refused() {
    refused("units.csv", "XC,Xã C,district,", UNITS_NEXT, Some("level"), "\"district\"");
}

#[test]
fn a_unit_code_twice_is_refused() {
    let message = refused(
        "units.csv",
        "XA,Xã khác,commune,",
        UNITS_NEXT,
        Some("code"),
        "unit code \"XA\" appears twice",
    );
    assert!(message.contains("first on line 3"), "{message}");
}

#[test]
fn a_department_offering_certified_copies_is_refused() {
    refused("units.csv", "SYT,Sở Y tế,department,yes", UNITS_NEXT, Some("e_certified_copy"), "only communes");
}

#[test]
fn a_bad_boolean_in_units_is_refused() {
    refused(
        "units.csv",
        "XC,Xã C,commune,maybe",
        UNITS_NEXT,
        Some("e_certified_copy"),
        "\"maybe\" is not a yes/no word",
    );
}

#[test]
fn an_empty_unit_name_is_refused() {
    refused("units.csv", "XC,,commune,", UNITS_NEXT, Some("name"), "empty");
}

// procedures.csv (columns: code,unit,announced,effective,published,online,fee,paper_result,citizen,complete)

#[test]
fn a_procedure_of_an_unknown_unit_is_refused() {
    refused(
        "procedures.csv",
        "P9,SYT,,,,none,no,no,no,no",
        PROCEDURES_NEXT,
        Some("unit"),
        "unit \"SYT\" is not in units.csv",
    );
}

#[test]
fn a_procedure_twice_for_one_unit_is_refused() {
    refused(
        "procedures.csv",
        "P1,STP,,,,none,no,no,no,no",
        PROCEDURES_NEXT,
        Some("code"),
        "procedure \"P1\" of unit \"STP\" appears twice, first on line 2",
    );
}

#[test]
fn an_unknown_online_level_is_refused() {
    refused(
        "procedures.csv",
        "P9,STP,,,,sometimes,no,no,no,no",
        PROCEDURES_NEXT,
        Some("online"),
        "\"sometimes\"",
    );
}

#[test]
fn a_bad_boolean_in_procedures_is_refused() {
    refused("procedures.csv", "P9,STP,,,,none,maybe,no,no,no", PROCEDURES_NEXT, Some("fee"), "\"maybe\"");
}

#[test]
fn an_impossible_date_is_refused() {
    refused(
        "procedures.csv",
        "P9,STP,2025-02-30,,,none,no,no,no,no",
        PROCEDURES_NEXT,
        Some("announced"),
        "\"2025-02-30\" is not a time",
    );
}

// dossiers.csv

#[test]
fn a_dossier_of_an_unknown_unit_is_refused() {
    refused(
        "dossiers.csv",
        &dossier_with(1, "SYT"),
        DOSSIERS_NEXT,
        Some("unit"),
        "unit \"SYT\" is not in units.csv",
    );
}

#[test]
fn a_dossier_whose_procedure_is_not_its_units_is_refused() {
    // Q1 is XA's, not STP's
    refused(
        "dossiers.csv",
        &dossier_with(2, "Q1"),
        DOSSIERS_NEXT,
        Some("procedure"),
        "procedure \"Q1\" is not in procedures.csv for unit \"STP\"",
    );
}

#[test]
fn an_unknown_channel_is_refused() {
    refused("dossiers.csv", &dossier_with(3, "fax"), DOSSIERS_NEXT, Some("channel"), "\"fax\"");
}

#[test]
fn a_bad_time_is_refused() {
    refused(
        "dossiers.csv",
        &dossier_with(4, "2025-03-05 8h"),
        DOSSIERS_NEXT,
        Some("received"),
        "\"2025-03-05 8h\" is not a time",
    );
}

#[test]
fn an_empty_due_time_is_refused() {
    refused("dossiers.csv", &dossier_with(5, ""), DOSSIERS_NEXT, Some("due"), "empty");
}

#[test]
fn finishing_before_receiving_is_refused() {
    refused(
        "dossiers.csv",
        &dossier_with(6, "2025-03-01"),
        DOSSIERS_NEXT,
        Some("finished"),
        "finished before it was received",
    );
}

#[test]
fn negative_supplement_days_are_refused() {
    refused(
        "dossiers.csv",
        &dossier_with(8, "-1"),
        DOSSIERS_NEXT,
        Some("supplement_days"),
        "cannot be negative",
    );
}

#[test]
fn supplement_days_that_are_not_a_number_are_refused() {
    refused(
        "dossiers.csv",
        &dossier_with(8, "two"),
        DOSSIERS_NEXT,
        Some("supplement_days"),
        "\"two\" is not a number",
    );
}

#[test]
fn a_bad_boolean_in_dossiers_is_refused() {
    refused(
        "dossiers.csv",
        &dossier_with(9, "maybe"),
        DOSSIERS_NEXT,
        Some("synced"),
        "\"maybe\" is not a yes/no word",
    );
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_refused() {
    refused("dossiers.csv", "S9,STP,P1", DOSSIERS_NEXT, None, "the row has 3 fields but the header has 18");
}

// petitions.csv

#[test]
fn a_petition_of_an_unknown_unit_is_refused() {
    refused("petitions.csv", "PX,SYT,2025-03-05,2025-03-12,,,no", PETITIONS_NEXT, Some("unit"), "\"SYT\"");
}

#[test]
fn an_unknown_rating_is_refused() {
    refused(
        "petitions.csv",
        "PX,XA,2025-03-05,2025-03-12,,meh,no",
        PETITIONS_NEXT,
        Some("satisfied"),
        "unknown rating \"meh\"",
    );
}

#[test]
fn handling_before_receiving_is_refused() {
    refused(
        "petitions.csv",
        "PX,XA,2025-03-05,2025-03-12,2025-03-04,,no",
        PETITIONS_NEXT,
        Some("handled"),
        "handled before it was received",
    );
}

// headers and files

#[test]
fn an_unknown_column_is_refused() {
    let dir = copy_of_fixture();
    dir.edit("dossiers.csv", "population_data,disliked\n", "population_data,disliked,colour\n");
    refused_in(&dir, "dossiers.csv", 1, Some("colour"), "not a column of this file");
}

#[test]
fn a_missing_required_column_is_refused() {
    let dir = copy_of_fixture();
    dir.edit("procedures.csv", ",complete\n", "\n");
    refused_in(&dir, "procedures.csv", 1, Some("complete"), "the header lacks this column");
}

#[test]
fn a_column_twice_is_refused() {
    let dir = copy_of_fixture();
    dir.edit("petitions.csv", "satisfied,reopened", "satisfied,satisfied");
    refused_in(&dir, "petitions.csv", 1, Some("satisfied"), "appears twice");
}

#[test]
fn an_empty_file_is_refused() {
    let dir = copy_of_fixture();
    dir.write("units.csv", "");
    refused_in(&dir, "units.csv", 1, None, "a header row is needed");
}

#[test]
fn a_missing_file_or_folder_is_refused() {
    let dir = copy_of_fixture();
    dir.remove("dossiers.csv");
    let run = service(dir.path(), &["--lang", "en"]);
    assert!(!run.success && run.stdout.is_empty());
    assert!(
        run.stderr.contains(&format!("{}: file not found", dir.path().join("dossiers.csv").display())),
        "{}",
        run.stderr
    );
    let run = service(&dir.path().join("nowhere"), &[]);
    assert!(!run.success && run.stdout.is_empty());
    assert!(run.stderr.contains("không tìm thấy thư mục"), "{}", run.stderr);
}

#[test]
fn errors_are_in_vietnamese_by_default() {
    let dir = copy_of_fixture();
    dir.append("dossiers.csv", &format!("{}\n", dossier_with(9, "maybe")));
    let run = service(dir.path(), &[]);
    assert!(!run.success && run.stdout.is_empty());
    assert!(run.stderr.contains(&format!("dossiers.csv:{DOSSIERS_NEXT}: ")), "{}", run.stderr);
    assert!(
        run.stderr.contains("không phải giá trị có/không (viết") && run.stderr.contains("(trường: synced)"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_first_bad_row_stops_the_run_and_skip_bad_skips_every_bad_row() {
    let dir = copy_of_fixture();
    dir.append("dossiers.csv", &format!("{}\n{}\n", dossier_with(3, "fax"), dossier_with(9, "maybe")));
    dir.append("petitions.csv", "PX,XA,2025-03-05,2025-03-12,,meh,no\n");
    refused_in(&dir, "dossiers.csv", DOSSIERS_NEXT, Some("channel"), "fax");
    let run = service(dir.path(), &["--skip-bad", "--lang", "en", "--format", "json"]);
    assert!(run.success, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    // 3 units + 7 procedures + 15 dossier rows + 5 petition rows
    assert_eq!(lines[0], "Skipped 3 bad rows of 30; the first:");
    assert!(
        lines[1].contains(&format!("dossiers.csv:{DOSSIERS_NEXT}: "))
            && lines[1].ends_with("(field: channel)"),
        "{}",
        run.stderr
    );
    assert!(
        lines[2].contains(&format!("dossiers.csv:{}: ", DOSSIERS_NEXT + 1))
            && lines[2].ends_with("(field: synced)")
    );
    assert!(
        lines[3].contains(&format!("petitions.csv:{PETITIONS_NEXT}: "))
            && lines[3].ends_with("(field: satisfied)")
    );
    // the bad rows changed nothing
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    let expected = service_json(&fixture(), &["--lang", "en"]);
    assert_eq!(doc, expected);
    assert_eq!(scope(&doc, "2025-03", "STP")["rank"], 1);
}
