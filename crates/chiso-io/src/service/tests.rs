//! Reading a service folder from text: line numbers, trimming, blank rows, and the
//! JSON document's shape.

use super::document::ServiceIndexDocument;
use super::*;
use crate::feed::NoProgress;
use chiso_core::Lang;

const UNITS: &str = "code,name,level,e_certified_copy\nD,\"Sở A, B\",department,\nX,Xã X,commune,x\n";
const PROCEDURES: &str = "code,unit,online,fee,paper_result,citizen,complete,effective,announced,published\n\
    P,D,full,no,no,no,yes,,,\nQ,X,none,no,no,no,yes,,,\n";
const HEADER: &str = "id,unit,procedure,channel,received,due,finished,digitized,synced";

fn sources<'a>(dossiers: &'a str, petitions: Option<&'a str>) -> Sources<'a> {
    Sources {
        units: Source::text("units.csv", UNITS),
        procedures: Source::text("procedures.csv", PROCEDURES),
        dossiers: Source::text("dossiers.csv", dossiers),
        petitions: petitions.map(|text| Source::text("petitions.csv", text)),
    }
}

fn read(dossiers: &str, skip_bad: bool) -> Result<ServiceRun, ServiceError> {
    let options = ServiceOptions { skip_bad, ..ServiceOptions::default() };
    read_sources(sources(dossiers, None), &options, &NoProgress)
}

fn bad_row(result: Result<ServiceRun, ServiceError>) -> BadRow {
    match result {
        Err(ServiceError::BadRow(bad)) => *bad,
        Err(other) => panic!("not a bad row: {other}"),
        Ok(_) => panic!("the input was accepted"),
    }
}

#[test]
fn windows_line_ends_keep_true_line_numbers() {
    let text = format!(
        "{HEADER}\r\nA,D,P,online,2025-03-03T08:00,2025-03-10T17:00,,yes,yes\r\n\r\nB,D,P,fax,2025-03-03T08:00,2025-03-10T17:00,,yes,yes\r\n"
    );
    let bad = bad_row(read(&text, false));
    assert_eq!((bad.line, bad.field.as_deref()), (4, Some("channel")));
    assert_eq!(
        bad.render(Lang::En),
        "dossiers.csv:4: unknown channel \"fax\" (write online or offline) (field: channel)"
    );
    // and the last field is read without its \r
    let good = format!("{HEADER}\r\nA,D,P,online,2025-03-03T08:00,2025-03-10T17:00,,yes,yes\r\n");
    let run = read(&good, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.index.periods.len(), 1);
}

#[test]
fn a_quoted_field_may_hold_a_comma_and_a_line_break() {
    let text = format!(
        "{HEADER}\n\"A\nB\",D,P,online,2025-03-03T08:00,2025-03-10T17:00,,yes,yes\nC,D,P,online,bad,2025-03-10T17:00,,yes,yes\n"
    );
    let bad = bad_row(read(&text, false));
    assert_eq!((bad.line, bad.field.as_deref()), (4, Some("received")), "the row after a two-line row");
    let run = read(&format!("{HEADER}\n"), false).unwrap_or_else(|e| panic!("{e}"));
    let document = ServiceIndexDocument::new(&run.index, Lang::Vi, None);
    assert!(document.periods.is_empty());
    assert_eq!(run.index.catalogue.units()[0].name, "Sở A, B");
}

#[test]
fn blank_rows_are_skipped_and_bad_ones_counted_with_skip_bad() {
    let text = format!(
        "{HEADER}\n\n , ,,,,,,,\nA,D,P,online,2025-03-03T08:00,2025-03-10T17:00,,yes,maybe\nB,D,P,online,2025-03-03T08:00,2025-03-10T17:00,,yes,yes\nC,D\n"
    );
    let run = read(&text, true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((run.skipped, run.first_bad.len()), (2, 2));
    assert_eq!(run.first_bad[0].line, 4);
    assert_eq!(run.first_bad[0].problem, ServiceProblem::NotBoolean { text: "maybe".into() });
    assert_eq!(run.first_bad[1].problem, ServiceProblem::WrongFieldCount { expected: 9, found: 2 });
    // 2 units + 2 procedures + 3 dossier rows (blank ones are not rows)
    assert_eq!(run.rows, 7);
    let synced = run.index.periods[0].province.groups[0].indicators[3];
    assert_eq!((synced.numerator, synced.denominator), (Some(1.0), Some(1.0)));
}

#[test]
fn a_header_is_matched_by_name_in_any_order() {
    let text = "digitized,due,received,channel,procedure,unit,id,finished\nyes,2025-03-10,2025-03-03,online,P,D,A,\n";
    let run = read(text, false).unwrap_or_else(|e| panic!("{e}"));
    let period = &run.index.periods[0];
    assert_eq!(period.period.to_string(), "2025-03");
    let codes: Vec<&str> = period.province.missing_inputs.iter().map(|c| c.code()).collect();
    assert_eq!(
        codes,
        ["1.4", "4.A", "4.B", "4.C", "5.1", "5.2", "5.4", "5.5", "5.6", "5.7", "6.1", "6.2", "6.3"]
    );
    for (text, field, problem) in [
        ("id,unit,procedure,channel,received,due,finished,digitized,colour\n", "colour", "UnknownColumn"),
        ("id,unit,procedure,channel,received,due,finished\n", "digitized", "MissingColumn"),
        ("id,unit,procedure,channel,received,due,finished,digitized,id\n", "id", "DuplicateColumn"),
    ] {
        let bad = bad_row(read(text, true));
        assert_eq!(
            (bad.line, bad.field.as_deref()),
            (1, Some(field)),
            "a bad header stops even with skip_bad"
        );
        assert!(format!("{:?}", bad.problem).starts_with(problem), "{:?}", bad.problem);
    }
    assert_eq!(bad_row(read("", false)).problem, ServiceProblem::NoHeader);
}

#[test]
fn the_document_has_the_shape_of_the_spec() {
    let text = format!("{HEADER}\nA,D,P,online,2025-03-03T08:00,2025-03-10T17:00,2025-03-04T08:00,yes,yes\n");
    let run = read(&text, false).unwrap_or_else(|e| panic!("{e}"));
    let document = ServiceIndexDocument::new(&run.index, Lang::En, None);
    let mut bytes = Vec::new();
    document.write(&mut bytes).unwrap_or_else(|e| panic!("{e}"));
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let period = &json["periods"][0];
    assert_eq!(period["province"]["name"], "Province");
    assert!(period["province"].get("rank").is_none(), "the province has no rank");
    let unit = &period["levels"]["department"][0];
    assert_eq!(unit["rank"], 1);
    assert_eq!(unit["change"], serde_json::Value::Null);
    let indicator = |code: &str| {
        unit["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["indicators"].as_array().into_iter().flatten())
            .find(|i| i["code"] == code)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(indicator("2.2")["value"], 1.0);
    assert!(indicator("2.1").get("value").is_none(), "only 2.2 has a value");
    assert_eq!(indicator("1.4")["numerator"].to_string(), "1", "a count is written as an integer");
    let copies = indicator("5.3");
    assert_eq!(copies["status"], "not_applicable");
    assert_eq!(
        (copies["max"].as_f64(), copies["rate"].is_null(), copies["numerator"].is_null()),
        (Some(0.0), true, true)
    );
    assert_eq!(indicator("6.1")["status"], "missing_input");
    assert_eq!(unit["groups"][4]["max"], 20);
    let back: ServiceIndexDocument = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, document, "one type reads back what it wrote");
}

#[test]
fn petitions_need_their_unit_and_a_rating_word() {
    let dossiers = format!("{HEADER}\nA,D,P,online,2025-03-03T08:00,2025-03-10T17:00,,yes,yes\n");
    let petitions = "id,unit,received,due,handled,satisfied,reopened\nK,D,2025-03-03,2025-03-10,,meh,no\n";
    let options = ServiceOptions::default();
    let bad = bad_row(read_sources(sources(&dossiers, Some(petitions)), &options, &NoProgress));
    assert_eq!((bad.line, bad.field.as_deref()), (2, Some("satisfied")));
    let petitions = "id,unit,received,due,handled,satisfied,reopened\nK,D,2025-03-03,2025-03-10,,có,no\n";
    let run = read_sources(sources(&dossiers, Some(petitions)), &options, &NoProgress);
    let run = run.unwrap_or_else(|e| panic!("{e}"));
    assert!(run.index.periods[0].province.missing_inputs.iter().all(|c| c.group() != 6 || c.code() == "6.3"));
}

#[test]
fn an_empty_boolean_is_refused_but_certified_copies_may_be_left_out() {
    let text = format!("{HEADER}\nA,D,P,online,2025-03-03T08:00,2025-03-10T17:00,,yes,\n");
    let bad = bad_row(read(&text, false));
    assert_eq!((bad.line, bad.field.as_deref(), bad.problem), (2, Some("synced"), ServiceProblem::Empty));
    let units = "level,code,name\ncommune,X,Xã X\ndepartment,D,Sở D\n";
    let dossiers = format!("{HEADER}\nA,D,P,online,2025-03-03T08:00,2025-03-10T17:00,,yes,yes\n");
    let sources = Sources { units: Source::text("units.csv", units), ..sources(&dossiers, None) };
    let run =
        read_sources(sources, &ServiceOptions::default(), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
    assert!(run.index.catalogue.units().iter().all(|u| !u.e_certified_copy));
    let copies =
        run.index.periods[0].province.indicator(chiso_core::service_index::IndicatorCode::CertifiedCopies);
    assert_eq!(copies.and_then(|i| i.numerator), Some(0.0), "X is a commune without certified copies");
}
