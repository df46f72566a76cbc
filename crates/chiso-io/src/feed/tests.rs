//! The feed against a naive reference on generated files (every thread count,
//! chunk size and granularity), and the spec's rules one by one.

mod reference;

use super::*;
use chiso_core::Lang;
use reference::{Rng, generate, reference};
use std::sync::Mutex;
use tempfile::TempDir;

const GRANULARITIES: [Granularity; 3] = [Granularity::Month, Granularity::Quarter, Granularity::Year];

fn folder() -> TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn file(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn options(granularity: Granularity, skip_bad: bool, threads: usize) -> FeedOptions {
    FeedOptions { granularity, skip_bad, threads }
}

fn run(
    kind: FeedKind,
    path: &Path,
    options: &FeedOptions,
    chunk: u64,
) -> Result<(String, FeedSummary), FeedError> {
    let mut out = Vec::new();
    let summary = run_feed_chunked(kind, path, &mut out, options, &NoProgress, chunk)?;
    Ok((String::from_utf8(out).unwrap_or_else(|e| panic!("{e}")), summary))
}

fn ok(kind: FeedKind, path: &Path, options: &FeedOptions, chunk: u64) -> (String, FeedSummary) {
    run(kind, path, options, chunk).unwrap_or_else(|e| panic!("{}", e.render(Lang::En)))
}

fn fails(kind: FeedKind, path: &Path, options: &FeedOptions, chunk: u64) -> FeedError {
    match run(kind, path, options, chunk) {
        Ok((out, _)) => panic!("expected an error, got\n{out}"),
        Err(e) => e,
    }
}

const DOSSIER_HEADER: &str = "id,unit,procedure,channel,received,due,finished,digitized";

fn dossier_file(dir: &TempDir, rows: &[&str]) -> PathBuf {
    let text = std::iter::once(DOSSIER_HEADER).chain(rows.iter().copied()).collect::<Vec<_>>().join("\n");
    file(dir, "dossiers.csv", &(text + "\n"))
}

fn lines_of(out: &str, kpi: &str) -> Vec<String> {
    out.lines().filter(|l| l.starts_with(&format!("{kpi},"))).map(str::to_string).collect()
}

#[test]
fn output_matches_the_reference_for_every_thread_count_chunk_size_and_granularity() {
    let dir = folder();
    for kind in [FeedKind::Dossiers, FeedKind::Documents] {
        for seed in 0..6 {
            let rows = Rng::new(seed + 100).below(400) as usize;
            let text = generate(kind, seed, rows, false);
            let path = file(&dir, "feed.csv", &text);
            for granularity in GRANULARITIES {
                let expected = reference(kind, &text, granularity);
                assert!(expected.bad_lines.is_empty(), "{:?}", expected.bad_lines);
                for threads in [1, 2, 4] {
                    for chunk in [37, 700, 1 << 20] {
                        let (out, summary) = ok(kind, &path, &options(granularity, false, threads), chunk);
                        let context =
                            format!("{kind} seed {seed} {granularity} threads {threads} chunk {chunk}");
                        assert_eq!(out, expected.csv, "{context}");
                        assert_eq!(summary.rows, expected.rows, "{context}");
                        assert_eq!(summary.observations, out.lines().count() - 1, "{context}");
                        assert_eq!((summary.skipped, summary.first_bad.len()), (0, 0), "{context}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_larger_feed_gives_the_same_bytes_whatever_the_thread_count() {
    let dir = folder();
    let text = generate(FeedKind::Dossiers, 42, 20_000, false);
    let path = file(&dir, "big.csv", &text);
    for granularity in GRANULARITIES {
        let expected = reference(FeedKind::Dossiers, &text, granularity);
        for threads in [1, 2, 4] {
            let (out, summary) = ok(FeedKind::Dossiers, &path, &options(granularity, false, threads), 4096);
            assert_eq!(out, expected.csv, "{granularity} threads {threads}");
            assert_eq!(summary.rows, 20_000);
        }
    }
    let (default_chunks, _) = ok(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
    assert_eq!(default_chunks, reference(FeedKind::Dossiers, &text, Granularity::Month).csv);
}

#[test]
fn skip_bad_matches_the_reference_and_reports_the_first_five_bad_lines() {
    let dir = folder();
    for kind in [FeedKind::Dossiers, FeedKind::Documents] {
        for seed in 10..16 {
            let text = generate(kind, seed, 500, true);
            let path = file(&dir, "bad.csv", &text);
            let expected = reference(kind, &text, Granularity::Month);
            assert!(expected.bad_lines.len() > 5, "the generator makes bad rows");
            for (threads, chunk) in [(1, 1 << 20), (2, 53), (4, 999)] {
                let (out, summary) = ok(kind, &path, &options(Granularity::Month, true, threads), chunk);
                let context = format!("{kind} seed {seed} threads {threads} chunk {chunk}");
                assert_eq!(out, expected.csv, "{context}");
                assert_eq!(summary.rows, expected.rows, "{context}");
                assert_eq!(summary.skipped, expected.bad_lines.len() as u64, "{context}");
                let lines: Vec<u64> = summary.first_bad.iter().map(|b| b.line).collect();
                assert_eq!(lines, expected.bad_lines[..5], "{context}");
            }
        }
    }
}

#[test]
fn strict_mode_names_the_first_bad_line_even_in_a_later_chunk() {
    let dir = folder();
    for kind in [FeedKind::Dossiers, FeedKind::Documents] {
        for seed in 20..26 {
            let text = generate(kind, seed, 300, true);
            let path = file(&dir, "bad.csv", &text);
            let first = reference(kind, &text, Granularity::Month).bad_lines[0];
            for (threads, chunk) in [(1, 1 << 20), (2, 41), (4, 301)] {
                let mut out = Vec::new();
                let result = run_feed_chunked(
                    kind,
                    &path,
                    &mut out,
                    &options(Granularity::Month, false, threads),
                    &NoProgress,
                    chunk,
                );
                let Err(FeedError::BadRow { line, .. }) = &result else { panic!("{result:?}") };
                assert_eq!(*line, first, "{kind} seed {seed} threads {threads} chunk {chunk}");
                assert!(out.is_empty(), "nothing is written");
            }
        }
    }
    // Good rows fill many chunks; the bad rows sit in late ones.
    let mut text = format!("{DOSSIER_HEADER}\n");
    for n in 0..3000 {
        text.push_str(&format!(
            "HS-{n},U{},1.0,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,true\n",
            n % 7
        ));
    }
    let line = 3002;
    text.push_str("HS-X,116,1.0,fax,2024-03-04T08:15:00,2024-03-11T17:00:00,,true\n");
    text.push_str("HS-Y,,1.0,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,true\n");
    let path = file(&dir, "late.csv", &text);
    for threads in [1, 2, 4] {
        let error = fails(FeedKind::Dossiers, &path, &options(Granularity::Month, false, threads), 1000);
        let expected =
            format!("{}:{line}: unknown channel \"fax\" (write online or offline)", path.display());
        assert_eq!(error.render(Lang::En), expected);
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn finished_exactly_at_the_due_time_counts_as_on_time() {
    let dir = folder();
    let path = dossier_file(
        &dir,
        &[
            "1,116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,2024-03-11T17:00:00,true",
            "2,116,p,online,2024-03-05T08:15:00,2024-03-11T17:00:00,2024-03-11 17:00,true",
            "3,116,p,online,2024-03-06T08:15:00,2024-03-11T17:00:00,2024-03-11T17:00:01,true",
            "4,116,p,online,2024-03-07T08:15:00,2024-03-11T17:00,2024-03-10T09:00:00,true",
        ],
    );
    let (out, _) = ok(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
    assert_eq!(
        lines_of(&out, "dossiers_on_time_rate"),
        ["dossiers_on_time_rate,province,2024-03,75,", "dossiers_on_time_rate,116,2024-03,75,"]
    );
}

#[test]
fn pending_dossiers_are_not_in_the_on_time_denominator() {
    let dir = folder();
    let path = dossier_file(
        &dir,
        &[
            "1,116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,2024-03-08T10:00:00,true",
            "2,116,p,offline,2024-03-04T08:15:00,2024-03-11T17:00:00,,false",
            "3,116,p,offline,2024-03-04T08:15:00,2024-03-11T17:00:00,  ,false",
            "4,116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,2024-03-12T10:00:00,false",
        ],
    );
    let (out, summary) = ok(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
    let expected = "kpi,scope,period,value,note\n\
        dossiers_received,province,2024-03,4,\n\
        dossiers_received,116,2024-03,4,\n\
        dossiers_online_rate,province,2024-03,50,\n\
        dossiers_online_rate,116,2024-03,50,\n\
        dossiers_on_time_rate,province,2024-03,50,\n\
        dossiers_on_time_rate,116,2024-03,50,\n\
        dossiers_digitized_rate,province,2024-03,25,\n\
        dossiers_digitized_rate,116,2024-03,25,\n";
    assert_eq!(out, expected);
    assert_eq!((summary.rows, summary.observations), (4, 8));
}

#[test]
fn a_rate_with_a_zero_denominator_is_not_written() {
    let dir = folder();
    let path = dossier_file(
        &dir,
        &[
            "1,116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,true",
            "2,117,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,2024-03-05T17:00:00,true",
            "3,116,p,offline,2024-04-04T08:15:00,2024-04-11T17:00:00,2024-04-05T17:00:00,false",
        ],
    );
    let (out, _) = ok(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
    assert_eq!(
        lines_of(&out, "dossiers_on_time_rate"),
        [
            "dossiers_on_time_rate,province,2024-03,100,",
            "dossiers_on_time_rate,province,2024-04,100,",
            "dossiers_on_time_rate,116,2024-04,100,",
            "dossiers_on_time_rate,117,2024-03,100,",
        ]
    );
    assert_eq!(lines_of(&out, "dossiers_received").len(), 5);
}

#[test]
fn rates_are_written_in_full_precision_and_periods_follow_the_granularity() {
    let dir = folder();
    let path = dossier_file(
        &dir,
        &[
            "1,116,p,online,2024-01-04T08:15:00,2024-03-11T17:00:00,,true",
            "2,116,p,offline,2024-02-04T08:15:00,2024-03-11T17:00:00,,false",
            "3,116,p,offline,2024-03-31T23:59:59,2024-03-11T17:00:00,,false",
            "4,116,p,offline,2024-04-01T00:00:00,2024-03-11T17:00:00,,false",
        ],
    );
    let (out, _) = ok(FeedKind::Dossiers, &path, &options(Granularity::Quarter, false, 1), CHUNK_BYTES);
    assert_eq!(
        lines_of(&out, "dossiers_online_rate"),
        [
            "dossiers_online_rate,province,2024-Q1,33.333333333333336,",
            "dossiers_online_rate,province,2024-Q2,0,",
            "dossiers_online_rate,116,2024-Q1,33.333333333333336,",
            "dossiers_online_rate,116,2024-Q2,0,",
        ]
    );
    let (out, _) = ok(FeedKind::Dossiers, &path, &options(Granularity::Year, false, 1), CHUNK_BYTES);
    assert_eq!(
        lines_of(&out, "dossiers_received"),
        ["dossiers_received,province,2024,4,", "dossiers_received,116,2024,4,"]
    );
}

#[test]
fn documents_count_outgoing_signed_and_incoming_per_unit_and_province() {
    let dir = folder();
    let text = "id,unit,direction,sent,signed\n\
        VB-1,STTTT,out,2024-03-04T09:00:00,true\n\
        VB-2,STTTT,out,2024-03-05T09:00:00,false\n\
        VB-3,STTTT,in,2024-03-06T09:00:00,\n\
        VB-4,SYT,in,2024-03-06T09:00:00,có\n";
    let path = file(&dir, "documents.csv", text);
    let (out, summary) = ok(FeedKind::Documents, &path, &FeedOptions::default(), CHUNK_BYTES);
    let expected = "kpi,scope,period,value,note\n\
        docs_out,province,2024-03,2,\n\
        docs_out,STTTT,2024-03,2,\n\
        docs_out,SYT,2024-03,0,\n\
        docs_out_signed_rate,province,2024-03,50,\n\
        docs_out_signed_rate,STTTT,2024-03,50,\n\
        docs_in,province,2024-03,2,\n\
        docs_in,STTTT,2024-03,1,\n\
        docs_in,SYT,2024-03,1,\n";
    assert_eq!(out, expected);
    assert_eq!(summary.observations, 8);
    let bad = file(
        &dir,
        "bad.csv",
        "id,unit,direction,sent,signed\nVB-1,STTTT,sideways,2024-03-04T09:00:00,true\n",
    );
    let error = fails(FeedKind::Documents, &bad, &FeedOptions::default(), CHUNK_BYTES);
    assert!(error.to_string().ends_with(":2: unknown direction \"sideways\" (write out or in)"), "{error}");
}

#[test]
fn columns_may_come_in_any_order_with_other_columns_between() {
    let dir = folder();
    let text = "digitized,finished,note,due,received,channel,procedure,unit,id\r\n\
        true,,\"a, b\",2024-03-11T17:00:00,2024-03-04T08:15:00,online,1.0,116,HS-1\r\n";
    let path = file(&dir, "reordered.csv", text);
    let (out, summary) = ok(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
    assert_eq!(summary.rows, 1);
    assert_eq!(
        lines_of(&out, "dossiers_received"),
        ["dossiers_received,province,2024-03,1,", "dossiers_received,116,2024-03,1,"]
    );
}

#[test]
fn quoted_fields_may_hold_commas_but_not_line_breaks() {
    let dir = folder();
    let path = dossier_file(
        &dir,
        &[
            "\"HS,1\",\"Phường 1, Q3\",\"1,2\",online,2024-03-04T08:15:00,2024-03-11T17:00:00,,\"true\"",
            "\"HS \"\"2\"\"\",116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,true",
        ],
    );
    let (out, _) = ok(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
    assert_eq!(
        lines_of(&out, "dossiers_received"),
        [
            "dossiers_received,province,2024-03,2,",
            "dossiers_received,116,2024-03,1,",
            "dossiers_received,\"Phường 1, Q3\",2024-03,1,",
        ]
    );
    let broken =
        dossier_file(&dir, &["\"HS\n1\",116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,true"]);
    let error = fails(FeedKind::Dossiers, &broken, &FeedOptions::default(), CHUNK_BYTES);
    assert_eq!(
        error.render(Lang::En),
        format!("{}:2: unbalanced quotes (a quoted field must end on the same line)", broken.display())
    );
}

#[test]
fn each_kind_of_bad_row_has_its_reason() {
    let dir = folder();
    let cases = [
        (
            "1,116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,",
            "the row has 7 fields but the header has 8",
        ),
        ("1, ,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,true", "the \"unit\" field is empty"),
        (
            "1,116,p,post,2024-03-04T08:15:00,2024-03-11T17:00:00,,true",
            "unknown channel \"post\" (write online or offline)",
        ),
        (
            "1,116,p,online,2024-03-04,2024-03-11T17:00:00,,true",
            "\"2024-03-04\" in \"received\" is not a time (write 2024-03-04T08:15:00)",
        ),
        ("1,116,p,online,2024-03-04T08:15:00,,,true", "the \"due\" field is empty; a time is needed"),
        (
            "1,116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,2024-02-30T10:00:00,true",
            "\"2024-02-30T10:00:00\" in \"finished\" is not a time (write 2024-03-04T08:15:00)",
        ),
        (
            "1,116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,maybe",
            "\"maybe\" in \"digitized\" is not a yes/no word (write 1/true/yes/có/x or 0/false/no/không)",
        ),
    ];
    for (row, reason) in cases {
        let path = dossier_file(&dir, &[row]);
        let error = fails(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
        assert_eq!(error.render(Lang::En), format!("{}:2: {reason}", path.display()));
    }
    let path = file(&dir, "latin1.csv", "");
    let mut bytes = format!("{DOSSIER_HEADER}\n").into_bytes();
    bytes.extend_from_slice(b"1,S\xe1,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,true\n");
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    let error = fails(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
    assert!(error.to_string().ends_with(":2: the \"unit\" field is not UTF-8 text"), "{error}");
}

#[test]
fn bad_rows_are_explained_in_vietnamese_too() {
    let dir = folder();
    let path = dossier_file(&dir, &["1,116,p,fax,2024-03-04T08:15:00,2024-03-11T17:00:00,,true"]);
    let error = fails(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
    assert_eq!(
        error.render(Lang::Vi),
        format!("{}:2: kênh \"fax\" không hợp lệ (viết online hoặc offline)", path.display())
    );
    let (_, summary) = ok(FeedKind::Dossiers, &path, &options(Granularity::Month, true, 1), CHUNK_BYTES);
    assert_eq!((summary.rows, summary.skipped), (1, 1));
    assert_eq!(summary.first_bad[0].render(&path, Lang::Vi), error.render(Lang::Vi));
    let missing =
        fails(FeedKind::Dossiers, &dir.path().join("none.csv"), &FeedOptions::default(), CHUNK_BYTES);
    assert!(
        missing.render(Lang::Vi).ends_with("none.csv: không tìm thấy tệp"),
        "{}",
        missing.render(Lang::Vi)
    );
    assert!(missing.render(Lang::En).ends_with("none.csv: file not found"), "{missing}");
}

#[test]
fn the_header_is_checked_on_line_1() {
    let dir = folder();
    let cases = [
        ("", "the file is empty: a header row is needed"),
        ("id,unit,procedure,channel,received,due,digitized\n", "the header has no \"finished\" column"),
        ("id,unit,unit,procedure,channel,received,due,finished,digitized\n", "column \"unit\" appears twice"),
    ];
    for (text, reason) in cases {
        let path = file(&dir, "header.csv", text);
        let error = fails(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
        assert_eq!(error.render(Lang::En), format!("{}:1: {reason}", path.display()));
    }
    let path = file(&dir, "only-header.csv", DOSSIER_HEADER);
    let (out, summary) = ok(FeedKind::Dossiers, &path, &FeedOptions::default(), CHUNK_BYTES);
    assert_eq!((out.as_str(), summary.rows, summary.observations), ("kpi,scope,period,value,note\n", 0, 0));
}

#[test]
fn progress_ends_at_the_file_length_and_the_row_count() {
    let dir = folder();
    let text = generate(FeedKind::Dossiers, 3, 2000, false);
    let path = file(&dir, "feed.csv", &text);
    let calls = Mutex::new(Vec::new());
    let record = |bytes: u64, rows: u64| calls.lock().unwrap_or_else(|e| e.into_inner()).push((bytes, rows));
    let mut out = Vec::new();
    let summary = run_feed_chunked(
        FeedKind::Dossiers,
        &path,
        &mut out,
        &options(Granularity::Month, false, 2),
        &record,
        5000,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let calls = calls.into_inner().unwrap_or_else(|e| e.into_inner());
    assert_eq!(calls.last(), Some(&(text.len() as u64, summary.rows)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "{calls:?}");
}

#[test]
fn a_closed_output_pipe_is_recognised() {
    struct ClosedPipe;
    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let dir = folder();
    let path = dossier_file(&dir, &["1,116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,true"]);
    let error = run_feed(FeedKind::Dossiers, &path, &mut ClosedPipe, &FeedOptions::default(), &NoProgress);
    assert!(error.as_ref().is_err_and(FeedError::is_broken_pipe), "{error:?}");
}

fn folder_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default())
        .collect();
    names.sort();
    names
}

#[test]
fn run_feed_to_file_writes_the_output_in_place() {
    let input_dir = folder();
    let text = generate(FeedKind::Documents, 5, 300, false);
    let input = file(&input_dir, "documents.csv", &text);
    let out_dir = folder();
    let out = out_dir.path().join("observations.csv");
    fs::write(&out, "old").unwrap_or_else(|e| panic!("{e}"));
    let summary = run_feed_to_file_chunked(
        FeedKind::Documents,
        &input,
        &out,
        &FeedOptions::default(),
        &NoProgress,
        999,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let written = fs::read_to_string(&out).unwrap_or_default();
    assert_eq!(written, reference(FeedKind::Documents, &text, Granularity::Month).csv);
    assert_eq!(summary.observations, written.lines().count() - 1);
    assert_eq!(folder_entries(out_dir.path()), ["observations.csv"]);
}

#[test]
fn run_feed_to_file_leaves_nothing_behind_on_failure() {
    let input_dir = folder();
    let mut text = generate(FeedKind::Dossiers, 8, 2000, false);
    text.push_str("\nHS-X,116,1.0,online,2024-13-04T08:15:00,2024-03-11T17:00:00,,true\n");
    let input = file(&input_dir, "dossiers.csv", &text);
    let out_dir = folder();
    let out = out_dir.path().join("observations.csv");
    let error = run_feed_to_file_chunked(
        FeedKind::Dossiers,
        &input,
        &out,
        &FeedOptions::default(),
        &NoProgress,
        4096,
    );
    assert!(matches!(error, Err(FeedError::BadRow { .. })), "{error:?}");
    assert!(folder_entries(out_dir.path()).is_empty(), "{:?}", folder_entries(out_dir.path()));

    fs::write(&out, "kept").unwrap_or_else(|e| panic!("{e}"));
    let error = run_feed_to_file(FeedKind::Dossiers, &input, &out, &FeedOptions::default(), &NoProgress);
    assert!(matches!(error, Err(FeedError::BadRow { .. })), "{error:?}");
    assert_eq!(fs::read_to_string(&out).unwrap_or_default(), "kept");
    assert_eq!(folder_entries(out_dir.path()), ["observations.csv"]);

    let missing = input_dir.path().join("missing.csv");
    let error = run_feed_to_file(FeedKind::Dossiers, &missing, &out, &FeedOptions::default(), &NoProgress);
    assert!(matches!(&error, Err(FeedError::Read { file, .. }) if file == &missing), "{error:?}");
    assert_eq!(fs::read_to_string(&out).unwrap_or_default(), "kept");
    assert_eq!(folder_entries(out_dir.path()), ["observations.csv"]);
}

#[test]
fn an_output_folder_that_does_not_exist_is_named() {
    let dir = folder();
    let input = dossier_file(&dir, &["1,116,p,online,2024-03-04T08:15:00,2024-03-11T17:00:00,,true"]);
    let out = dir.path().join("no-such-folder").join("out.csv");
    let error = run_feed_to_file(FeedKind::Dossiers, &input, &out, &FeedOptions::default(), &NoProgress);
    let Err(error) = error else { panic!("expected an error") };
    assert_eq!(error.render(Lang::En), format!("{}: the folder does not exist", out.display()));
    assert!(matches!(error, FeedError::Write { file: Some(_), .. }));
}

#[test]
fn kinds_and_granularities_parse_from_their_names() {
    assert_eq!("dossiers".parse::<FeedKind>(), Ok(FeedKind::Dossiers));
    assert_eq!("documents".parse::<FeedKind>(), Ok(FeedKind::Documents));
    assert!("letters".parse::<FeedKind>().is_err());
    for g in GRANULARITIES {
        assert_eq!(g.to_string().parse::<Granularity>(), Ok(g));
    }
    assert!("week".parse::<Granularity>().is_err());
    assert_eq!(FeedKind::Documents.kpis(), ["docs_out", "docs_out_signed_rate", "docs_in"]);
}

#[test]
fn periods_far_apart_and_out_of_order_are_all_kept() {
    let dir = folder();
    let mut rows = Vec::new();
    for (n, year) in [2024, 2023, 1900, 9999, 2024, 1990, 2075, 2010, 1900, 2030, 0, 2024].iter().enumerate()
    {
        for month in [12, 1, 6] {
            let unit = ["116", "a-long-unit-code", "117"][n % 3];
            rows.push(format!(
                "{n},{unit},p,online,{year:04}-{month:02}-04T08:15:00,2024-03-11T17:00:00,2024-03-10T17:00:00,true"
            ));
        }
    }
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let path = dossier_file(&dir, &rows);
    let text = fs::read_to_string(&path).unwrap_or_default();
    for granularity in GRANULARITIES {
        for threads in [1, 3] {
            let (out, _) = ok(FeedKind::Dossiers, &path, &options(granularity, false, threads), 200);
            assert_eq!(out, reference(FeedKind::Dossiers, &text, granularity).csv, "{granularity}");
        }
    }
}
