//! `chiso report --format md|docx|pdf` (the province's report) and
//! `chiso kpi --format md|docx|pdf` (the monitoring report) on the bundled Son La
//! data: what is printed, what is written, and what is refused.

use crate::support::*;

fn sonla_arg() -> String {
    sonla().display().to_string()
}

fn sonla_monitoring() -> String {
    repo_root().join("data/sonla/monitoring").display().to_string()
}

/// The names of the files in `dir`.
fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

#[test]
fn report_as_markdown_prints_the_summary_the_rankings_and_the_robustness_of_sonla() {
    let paragraph = chiso(&["report", &sonla_arg()]);
    paragraph.assert_success();
    let run = chiso(&["report", &sonla_arg(), "--format", "md"]);
    run.assert_success();
    assert!(
        run.stdout.contains(paragraph.stdout.trim_end()),
        "the summary paragraph verbatim:\n{}",
        run.stdout
    );
    assert_contains_all(
        &run.stdout,
        &[
            "# Báo cáo kết quả đánh giá, xếp hạng mức độ chuyển đổi số",
            "## Kết quả theo khối",
            "### Khối cơ quan cấp tỉnh",
            "| 1 | Sở Thông tin và Truyền thông | 91,48 |",
            "| 1 | Thành phố Sơn La | 89,77 |",
            // The package has uncertainty.toml: the report says how robust the bands are.
            "## Độ vững của xếp loại",
            "Phân tích bất định với 1000 mẫu",
            "## Những điểm cần cải thiện",
        ],
    );
}

#[test]
fn report_as_pdf_is_written_to_out_and_nothing_else_is_left() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("bao-cao.pdf");
    let run = chiso(&[
        "report",
        &sonla_arg(),
        "--format",
        "pdf",
        "--out",
        &out.display().to_string(),
        "--decision",
        "Quyết định số 123/QĐ-UBND",
        "--decided-on",
        "2025-03-20",
    ]);
    run.assert_success();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let pdf = std::fs::read(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    assert_eq!(files_in(dir.path()), ["bao-cao.pdf"], "no temporary file left beside it");
}

#[test]
fn report_as_docx_in_english_is_written_to_out() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("report.docx");
    let run = chiso(&[
        "report",
        &sonla_arg(),
        "--format",
        "docx",
        "--out",
        &out.display().to_string(),
        "--lang",
        "en",
    ]);
    run.assert_success();
    let docx = std::fs::read(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(docx.starts_with(b"PK"), "a .docx is a zip archive");
}

#[test]
fn report_as_docx_or_pdf_without_out_is_refused_and_writes_nothing() {
    for (format, lang, expected) in
        [("docx", "vi", "cần --out"), ("pdf", "vi", "cần --out"), ("docx", "en", "need --out FILE")]
    {
        let run = chiso(&["report", &sonla_arg(), "--format", format, "--lang", lang]);
        assert!(!run.success, "{format} without --out must fail");
        assert!(run.stdout.is_empty(), "nothing on standard output: {:?}", run.stdout);
        assert!(run.stderr.contains(expected), "{format}/{lang}: {}", run.stderr);
    }
}

#[test]
fn report_refuses_a_decision_date_that_is_not_a_day() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("bao-cao.md");
    let run = chiso(&[
        "report",
        &sonla_arg(),
        "--format",
        "md",
        "--out",
        &out.display().to_string(),
        "--decided-on",
        "2025-02-30",
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("YYYY-MM-DD"), "{}", run.stderr);
    assert!(files_in(dir.path()).is_empty(), "nothing written");
}

#[test]
fn kpi_writes_the_monitoring_report_and_refuses_pdf_without_out() {
    let run = chiso(&["kpi", &sonla_monitoring(), "--year", "2025", "--format", "md"]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &[
            "# Báo cáo theo dõi thực hiện chỉ tiêu chuyển đổi số — toàn tỉnh, năm 2025",
            "## Nội dung có nguy cơ không hoàn thành",
            "| Dự báo |",
        ],
    );
    let refused = chiso(&["kpi", &sonla_monitoring(), "--format", "pdf", "--lang", "en"]);
    assert!(!refused.success && refused.stdout.is_empty());
    assert!(refused.stderr.contains("need --out FILE"), "{}", refused.stderr);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("theo-doi.pdf");
    let run = chiso(&[
        "kpi",
        &sonla_monitoring(),
        "--year",
        "2025",
        "--format",
        "pdf",
        "--out",
        &out.display().to_string(),
    ]);
    run.assert_success();
    assert!(std::fs::read(&out).unwrap_or_default().starts_with(b"%PDF-"));
}

/// A composite index on z-scores: totals below zero, no maximum points.
#[test]
fn report_of_a_composite_index_with_negative_totals_is_made_in_every_format() {
    let fw = "frameworks/index.toml";
    let bands = "[[band]]\ncode = \"high\"\nmin = 0\nlabel = { vi = \"Cao\", en = \"High\" }\n\n\
                 [[band]]\ncode = \"low\"\nmin = -1000\nlabel = { vi = \"Thấp\", en = \"Low\" }\n";
    let indicators = [
        composite_indicator("Index", ""),
        composite_indicator("a", "parent = \"Index\""),
        composite_indicator("b", "parent = \"Index\"\ndirection = -1"),
    ]
    .concat();
    let package = Package::new(
        &assessment_toml("rank_precision = 2", &[("test", fw)]),
        &[(
            fw,
            &composite_framework("{ kind = \"zscore\", mean = 0, sd = 1 }", "arithmetic", bands, &indicators),
        )],
        &units_csv(&[("U1", "test"), ("U2", "test"), ("U3", "test")]),
        &values_csv(&[
            ("U1", "a", "1"),
            ("U1", "b", "5"),
            ("U2", "a", "2"),
            ("U2", "b", "4"),
            ("U3", "a", "9"),
            ("U3", "b", "1"),
        ]),
    );
    let run = chiso(&["report", &package.arg(), "--format", "md"]);
    run.assert_success();
    assert_contains_all(&run.stdout, &["Đơn vị U1", "Đơn vị U2", "Đơn vị U3", "| Thấp |", "| Cao |"]);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for format in ["pdf", "docx"] {
        let out = dir.path().join(format!("report.{format}"));
        chiso(&["report", &package.arg(), "--format", format, "--out", &out.display().to_string()])
            .assert_success();
        assert!(std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) > 0, "{format} written");
    }
}
