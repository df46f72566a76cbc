//! The reports on the bundled Son La 2024 package and monitoring data, read back
//! as a reader would: the Markdown as text, the .docx's document.xml, and the
//! PDF's text as poppler's `pdftotext` extracts it.

use super::*;
use crate::{Files, Package};
use chiso_core::Names;
use chiso_core::analysis::{GroupRanks, RankInterval};
use chiso_core::kpi::{Catalogue, KpiDef, Observation, TargetDef};
use chiso_core::lang::NamesDef;
use std::io::Read;
use std::path::{Path, PathBuf};

const HOSTILE: &str = "<script>#x*_$@\\";

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla").join(path)
}

fn sonla() -> (Package, AssessmentResults) {
    let package = Package::from_files(Files::dir(data("2024"))).unwrap_or_else(|e| panic!("{:?}", e.0));
    let results = package.score().unwrap_or_else(|e| panic!("{:?}", e.0));
    (package, results)
}

fn sonla_monitoring() -> Monitoring {
    crate::MonitoringPackage::load(&data("monitoring")).unwrap_or_else(|e| panic!("{:?}", e.0)).monitoring
}

fn no_meta() -> ReportMeta {
    ReportMeta::default()
}

/// The nominal ranks of `results` as an uncertainty result whose band_kept is
/// given per unit code (1.0 for the others).
fn uncertainty_with(
    package: &Package,
    results: &AssessmentResults,
    kept: &[(&str, Option<f64>)],
) -> UncertaintyResult {
    let groups = results
        .groups
        .iter()
        .map(|g| GroupRanks {
            group: g.group,
            units: g
                .units
                .iter()
                .map(|&i| {
                    let r = &results.units[i];
                    let code = &package.assessment.units[r.unit].code;
                    let band_kept = kept.iter().find(|(c, _)| c == code).map_or(Some(1.0), |&(_, k)| k);
                    RankInterval {
                        unit: r.unit,
                        nominal: r.rank,
                        mean: r.rank as f64,
                        median: r.rank as f64,
                        q05: r.rank as f64 - 1.0,
                        q95: r.rank as f64 + 2.5,
                        band_kept,
                    }
                })
                .collect(),
        })
        .collect();
    UncertaintyResult { samples: 500, seed: 1, groups }
}

/// The section of `text` from `start` up to the next `## ` heading.
fn section<'a>(text: &'a str, start: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?} in:\n{text}"));
    let rest = &text[from + start.len()..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

fn without_whitespace(text: &str) -> String {
    text.split_whitespace().collect()
}

// ---------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------

#[test]
fn the_markdown_report_holds_the_summary_and_every_unit_with_its_total() {
    let (package, results) = sonla();
    let a = &package.assessment;
    let md = report_markdown(a, &results, None, &no_meta(), Lang::Vi);
    assert!(md.starts_with("# Báo cáo kết quả đánh giá, xếp hạng mức độ chuyển đổi số"), "{md}");
    let summary = crate::render::report::render(a, &results, Lang::Vi);
    assert!(section(&md, "## Tóm tắt").contains(&summary), "the summary paragraph verbatim:\n{md}");
    for r in &results.units {
        let name = a.units[r.unit].name.get(Lang::Vi);
        let total = Lang::Vi.number(r.rounded, a.rank_precision);
        let row = md
            .lines()
            .find(|l| l.starts_with(&format!("| {} | {name} | {total} |", r.rank)))
            .unwrap_or_else(|| panic!("no ranking row for {name} ({total}):\n{md}"));
        let band = a.framework_of(r.unit).bands[r.band].label.get(Lang::Vi);
        assert!(row.contains(&format!("| {band} |")), "{row}");
    }
    assert!(md.contains("| 1 | Sở Thông tin và Truyền thông | 91,48 |"), "{md}");
    assert!(md.contains("Tốt (≥ 85): 2 · Khá (≥ 70): 11 · Trung bình (≥ 50): 7 · Yếu (≥ 0): 0"), "{md}");
    assert!(!md.contains("## Độ vững"), "no uncertainty result, no robustness section");
}

#[test]
fn the_markdown_report_in_english_has_no_vietnamese_word() {
    let (package, results) = sonla();
    let u = uncertainty_with(&package, &results, &[("STTTT", Some(0.5))]);
    let md = report_markdown(&package.assessment, &results, Some(&u), &no_meta(), Lang::En);
    assert!(md.contains("| 1 | Department of Information and Communications | 91.48 |"), "{md}");
    assert!(md.contains(&crate::render::report::render(&package.assessment, &results, Lang::En)));
    for vietnamese in ["Sở ", "điểm", "Khối", "Hạng", "Xếp loại", "đơn vị", "Tốt", "Khá", "91,48"]
    {
        assert!(!md.contains(vietnamese), "{vietnamese:?} in the English report:\n{md}");
    }
    let vi = report_markdown(&package.assessment, &results, Some(&u), &no_meta(), Lang::Vi);
    for english in ["Department", "points", "Rank", "Unit", "Band", "Good", "Fair", "samples", "91.48"] {
        assert!(!vi.contains(english), "{english:?} in the Vietnamese report:\n{vi}");
    }
}

#[test]
fn the_report_robustness_lists_only_the_units_that_can_lose_their_band() {
    let (package, results) = sonla();
    let u = uncertainty_with(&package, &results, &[("STTTT", Some(0.624)), ("SGTVT", Some(0.9995))]);
    let md = report_markdown(&package.assessment, &results, Some(&u), &no_meta(), Lang::Vi);
    let robustness = section(&md, "## Độ vững của xếp loại");
    assert!(
        robustness.contains("| 1 | Sở Thông tin và Truyền thông | Tốt | 0 – 3,5 | 62,4% |"),
        "{robustness}"
    );
    assert!(
        robustness.contains("| Sở Giao thông vận tải | Tốt | 1 – 4,5 | 99,9% |"),
        "below 1 never shows 100%"
    );
    let listed = robustness
        .lines()
        .filter(|l| l.starts_with("| ") && l[2..].starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!(listed, 2, "only the two units that can lose their band:\n{robustness}");
    assert!(
        !robustness.contains("Khối UBND cấp huyện"),
        "a group where every unit keeps its band is left out"
    );
    assert!(!robustness.contains("Mọi đơn vị đều giữ"), "{robustness}");
}

#[test]
fn the_report_says_so_when_every_unit_keeps_its_band() {
    let (package, results) = sonla();
    let u = uncertainty_with(&package, &results, &[]);
    let md = report_markdown(&package.assessment, &results, Some(&u), &no_meta(), Lang::Vi);
    let robustness = section(&md, "## Độ vững của xếp loại");
    assert!(robustness.contains("Mọi đơn vị đều giữ nguyên xếp loại trong cả 500 mẫu."), "{robustness}");
    assert!(!robustness.contains("| Hạng |"), "no table:\n{robustness}");
    let en = report_markdown(&package.assessment, &results, Some(&u), &no_meta(), Lang::En);
    assert!(en.contains("Every unit keeps its band in all 500 samples."));
}

#[test]
fn the_report_says_when_the_samples_are_on_another_scale() {
    let (package, results) = sonla();
    let district: Vec<(&str, Option<f64>)> =
        package.assessment.units.iter().filter(|u| u.group == 1).map(|u| (u.code.as_str(), None)).collect();
    let u = uncertainty_with(&package, &results, &district);
    let md = report_markdown(&package.assessment, &results, Some(&u), &no_meta(), Lang::Vi);
    let robustness = section(&md, "## Độ vững của xếp loại");
    assert!(robustness.contains("### Khối UBND cấp huyện"), "{robustness}");
    assert!(robustness.contains("thang điểm khác"), "{robustness}");
    assert!(!robustness.contains("Mọi đơn vị đều giữ"), "nothing is known of the district group");
}

#[test]
fn the_report_robustness_of_sonla_follows_the_real_analysis() {
    let (package, results) = sonla();
    let mut spec =
        crate::uncertainty::load(&data("2024/uncertainty.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    spec.samples = 256;
    let u = chiso_core::analysis::uncertainty(&package.assessment, &package.values, &spec, &|_| {})
        .unwrap_or_else(|e| panic!("{e:?}"));
    let md = report_markdown(&package.assessment, &results, Some(&u), &no_meta(), Lang::Vi);
    let robustness = section(&md, "## Độ vững của xếp loại");
    for interval in u.groups.iter().flat_map(|g| &g.units) {
        let name = package.assessment.units[interval.unit].name.get(Lang::Vi);
        let listed = robustness.contains(&format!("| {name} |"));
        let can_lose = interval.band_kept.is_none_or(|k| k < 1.0);
        assert_eq!(listed, can_lose, "{name}: band kept {:?}\n{robustness}", interval.band_kept);
    }
}

#[test]
fn the_report_gaps_name_the_weakest_indicators_and_the_units_closest_to_the_next_band() {
    let (package, results) = sonla();
    let report = Report::build(&package.assessment, &results, None, &no_meta(), Lang::Vi);
    for (gaps, g) in report.gaps.iter().zip(&results.groups) {
        let framework = &package.assessment.groups[g.group].framework;
        assert_eq!(gaps.weakest.len(), 3);
        // The weakest has the lowest mean share of its maximum among main indicators.
        let share = |code: &str| {
            let t = framework.find(code).unwrap_or_else(|| panic!("{code}"));
            let scores: Vec<f64> = g.units.iter().filter_map(|&i| results.units[i].scores[t]).collect();
            scores.iter().sum::<f64>() / scores.len() as f64 / framework.indicators[t].max
        };
        let weakest = share(&gaps.weakest[0].code);
        for &t in &framework.top {
            assert!(share(&framework.indicators[t].code) >= weakest - 1e-12);
        }
        // The closest units need the fewest points, fewest first.
        let needed: Vec<f64> = gaps
            .closest
            .iter()
            .map(|c| c.needed.replace(',', ".").parse().unwrap_or_else(|e| panic!("{e}")))
            .collect();
        assert!(needed.windows(2).all(|w| w[0] <= w[1]), "{needed:?}");
        assert!(needed.iter().all(|&n| n > 0.0));
    }
    let md = report_markdown(&package.assessment, &results, None, &no_meta(), Lang::Vi);
    let gaps = section(&md, "## Những điểm cần cải thiện");
    assert!(gaps.contains("| Hạng | Đơn vị | Xếp loại | Xếp loại kế tiếp | Điểm còn thiếu |"), "{gaps}");
}

#[test]
fn the_report_states_the_approving_decision() {
    let (package, results) = sonla();
    let meta = ReportMeta {
        decision: Some("Quyết định số 123/QĐ-UBND".into()),
        decided_on: Some("2025-03-20".into()),
    };
    let md = report_markdown(&package.assessment, &results, None, &meta, Lang::Vi);
    assert!(md.contains("Kết quả đã được phê duyệt tại Quyết định số 123/QĐ-UBND ngày 20 tháng 3 năm 2025."));
}

/// Son La 2024 with its best unit renamed [`HOSTILE`], in both languages.
fn hostile_sonla() -> (Package, AssessmentResults) {
    let (mut package, results) = sonla();
    package.assessment.units[results.units[0].unit].name = Names::new(HOSTILE, HOSTILE);
    (package, results)
}

#[test]
fn a_hostile_unit_name_stays_text_in_the_markdown_report() {
    let (package, results) = hostile_sonla();
    let md = report_markdown(&package.assessment, &results, None, &no_meta(), Lang::Vi);
    assert!(md.contains("| 1 | \\<script\\>\\#x\\*\\_\\$\\@\\\\ | 91,48 |"), "{md}");
    assert!(!md.contains("<script>"), "{md}");
}

// ---------------------------------------------------------------------------
// Word
// ---------------------------------------------------------------------------

/// The text of a .docx: word/document.xml without its tags, one space per tag.
fn docx_text(docx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap_or_else(|e| panic!("{e}"));
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap_or_else(|e| panic!("{e}"))
        .read_to_string(&mut xml)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                if !text.ends_with('|') {
                    text.push('|');
                }
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&apos;", "'")
        .replace("&quot;", "\"")
}

#[test]
fn the_word_report_holds_the_summary_and_every_unit_with_its_total() {
    let (package, results) = sonla();
    let a = &package.assessment;
    let u = uncertainty_with(&package, &results, &[("STTTT", Some(0.7))]);
    let docx = report_docx(a, &results, Some(&u), &no_meta(), Lang::Vi).unwrap_or_else(|e| panic!("{e}"));
    let text = docx_text(&docx);
    assert!(text.contains(&crate::render::report::render(a, &results, Lang::Vi)), "{text}");
    for r in &results.units {
        let name = a.units[r.unit].name.get(Lang::Vi);
        let total = Lang::Vi.number(r.rounded, a.rank_precision);
        let band = a.framework_of(r.unit).bands[r.band].label.get(Lang::Vi);
        assert!(
            text.contains(&format!("|{}|{name}|{total}|{band}|", r.rank)),
            "{name}'s ranking row ({total}, {band}) is not in the document"
        );
    }
    assert!(text.contains("|Độ vững của xếp loại|"));
    assert!(text.contains("|70,0%|"), "STTTT's band kept");
    let en =
        docx_text(&report_docx(a, &results, None, &no_meta(), Lang::En).unwrap_or_else(|e| panic!("{e}")));
    assert!(en.contains("|1|Department of Information and Communications|91.48|Good|"), "{en}");
    assert!(!en.contains("Sở ") && !en.contains("Khối") && !en.contains("Robustness"));
}

// ---------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------

/// The text of a PDF as `pdftotext -raw` extracts it, or `None` (with a note on
/// standard error) when poppler's `pdftotext` is not installed. In CI, or with
/// CHISO_REQUIRE_PDFTOTEXT set, a missing `pdftotext` fails the test.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap_or_else(|e| panic!("{e}"));
    let output = match std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
    {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var_os("CI").is_some() || std::env::var_os("CHISO_REQUIRE_PDFTOTEXT").is_some() {
                panic!("pdftotext is required here (install poppler-utils)");
            }
            eprintln!("skipped: pdftotext not installed (apt-get install poppler-utils)");
            return None;
        }
        Err(e) => panic!("cannot run pdftotext: {e}"),
    };
    assert!(output.status.success(), "pdftotext: {}", String::from_utf8_lossy(&output.stderr));
    Some(String::from_utf8(output.stdout).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn the_pdf_report_holds_the_summary_with_its_diacritics_and_every_unit() {
    let (package, results) = sonla();
    let a = &package.assessment;
    let u = uncertainty_with(&package, &results, &[("STTTT", Some(0.7))]);
    let pdf = report_pdf(a, &results, Some(&u), &no_meta(), Lang::Vi).unwrap_or_else(|e| panic!("{e}"));
    assert!(pdf.starts_with(b"%PDF-"));
    let Some(text) = pdf_text(&pdf) else { return };
    let flat = without_whitespace(&text);
    let summary = crate::render::report::render(a, &results, Lang::Vi);
    assert!(flat.contains(&without_whitespace(&summary)), "the summary paragraph is not in:\n{text}");
    assert!(text.contains("điểm trung bình 74,8/100 điểm"), "diacritics as typed:\n{text}");
    for r in &results.units {
        let name = a.units[r.unit].name.get(Lang::Vi);
        assert!(flat.contains(&without_whitespace(name)), "{name} is not in:\n{text}");
        assert!(text.contains(&Lang::Vi.number(r.rounded, a.rank_precision)), "{name}'s total");
    }
    assert!(text.contains("Độ vững của xếp loại"));
}

#[test]
fn the_pdf_report_in_english_has_no_vietnamese_word() {
    let (package, results) = sonla();
    let pdf = report_pdf(&package.assessment, &results, None, &no_meta(), Lang::En)
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(text) = pdf_text(&pdf) else { return };
    assert!(text.contains("Department of Information and Communications"), "{text}");
    assert!(!text.contains("Sở ") && !text.contains("điểm") && !text.contains("Robustness"), "{text}");
}

#[test]
fn a_hostile_unit_name_stays_text_in_the_pdf_report() {
    let (package, results) = hostile_sonla();
    let meta = ReportMeta { decision: Some(format!("{HOSTILE}\" ] ) #pagebreak()")), decided_on: None };
    let pdf =
        report_pdf(&package.assessment, &results, None, &meta, Lang::Vi).unwrap_or_else(|e| panic!("{e}"));
    let Some(text) = pdf_text(&pdf) else { return };
    assert!(text.contains(HOSTILE), "the name as written:\n{text}");
    assert!(text.contains("#pagebreak()"), "{text}");
    assert!(text.contains("Sở Giao thông vận tải"), "the rest of the report is there");
}

// ---------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------

#[test]
fn the_monitoring_report_counts_the_kpis_and_lists_those_at_risk() {
    let monitoring = sonla_monitoring();
    let statuses = monitoring.statuses("province", 2025);
    let md = monitoring_markdown(&monitoring, "province", 2025, Lang::Vi);
    assert!(
        md.starts_with("# Báo cáo theo dõi thực hiện chỉ tiêu chuyển đổi số — toàn tỉnh, năm 2025"),
        "{md}"
    );
    let count = |s: chiso_core::kpi::Status| statuses.iter().filter(|k| k.status == s).count();
    let counts = format!(
        "có {} chỉ tiêu được theo dõi: {} đã đạt, {} đúng hướng, {} có nguy cơ không đạt",
        statuses.len(),
        count(chiso_core::kpi::Status::Met),
        count(chiso_core::kpi::Status::OnTrack),
        count(chiso_core::kpi::Status::AtRisk),
    );
    assert!(md.contains(&counts), "{counts:?} not in:\n{md}");
    for kpi in &monitoring.catalogue.kpis {
        assert!(md.contains(&format!("| {} |", kpi.name.vi)), "{} not in the table", kpi.code);
    }
    let at_risk = section(&md, "## Nội dung có nguy cơ không hoàn thành");
    assert!(
        at_risk.contains("chệch hướng: dự báo đạt 7,32 % vào năm 2025; mục tiêu 10 % (2025"),
        "{at_risk}"
    );
    let listed = at_risk.lines().filter(|l| l.starts_with("- ")).count();
    let expected = count(chiso_core::kpi::Status::AtRisk) + count(chiso_core::kpi::Status::OffTrack);
    assert_eq!(listed, expected, "{at_risk}");
    let en = monitoring_markdown(&monitoring, "province", 2025, Lang::En);
    assert!(
        en.contains("## Targets at risk") && en.contains("off track: forecast to reach 7.32 % in 2025"),
        "{en}"
    );
    for vietnamese in ["Chỉ tiêu", "Mục tiêu", "Dự báo", "toàn tỉnh"] {
        assert!(!en.contains(vietnamese), "{vietnamese:?} in:\n{en}");
    }
}

/// One % KPI rising 30 points a year towards 100: its trend passes 100.
fn steep_percent_kpi() -> Monitoring {
    let def = KpiDef {
        code: Some("signed".into()),
        name: Some(NamesDef::new("Tỷ lệ văn bản ký số", "Documents signed digitally")),
        unit: Some(NamesDef::new("%", "%")),
        targets: vec![TargetDef { year: Some(2026), value: Some(100.0), basis: None }],
        ..KpiDef::default()
    };
    let catalogue = Catalogue::build(&[def]).unwrap_or_else(|p| panic!("{p:?}"));
    let observations = [(2022, 10.0), (2023, 40.0), (2024, 70.0)]
        .iter()
        .map(|&(year, value)| Observation {
            kpi: 0,
            scope: "province".into(),
            period: year.to_string().parse().unwrap_or_else(|e| panic!("{e}")),
            value,
            note: None,
        })
        .collect();
    Monitoring { catalogue, observations }
}

#[test]
fn the_monitoring_report_caps_the_forecast_of_a_percent_kpi_at_100() {
    let monitoring = steep_percent_kpi();
    let md = monitoring_markdown(&monitoring, "province", 2024, Lang::Vi);
    let row = md.lines().find(|l| l.starts_with("| Tỷ lệ văn bản ký số |")).unwrap_or_else(|| panic!("{md}"));
    assert!(row.contains("| 100 (2026) | Đúng hướng |"), "forecast 100, not 130: {row}");
    assert!(md.contains("| Dự báo |"), "the column says it is a forecast");
    let en = monitoring_markdown(&monitoring, "province", 2024, Lang::En);
    assert!(en.contains("| Forecast |") && en.contains("| 100 (2026) | On track |"), "{en}");
}

#[test]
fn the_monitoring_report_as_word_and_pdf_holds_every_kpi() {
    let monitoring = sonla_monitoring();
    let docx = monitoring_docx(&monitoring, "province", 2025, Lang::Vi).unwrap_or_else(|e| panic!("{e}"));
    let text = docx_text(&docx);
    assert!(text.contains("|Nội dung có nguy cơ không hoàn thành|"), "{text}");
    for kpi in &monitoring.catalogue.kpis {
        assert!(text.contains(&format!("|{}|", kpi.name.vi)), "{} not in the .docx", kpi.code);
    }
    let pdf = monitoring_pdf(&monitoring, "province", 2025, Lang::Vi).unwrap_or_else(|e| panic!("{e}"));
    let Some(text) = pdf_text(&pdf) else { return };
    let flat = without_whitespace(&text);
    assert!(text.contains("Nội dung có nguy cơ không hoàn thành"), "{text}");
    for kpi in &monitoring.catalogue.kpis {
        assert!(flat.contains(&without_whitespace(&kpi.name.vi)), "{} not in:\n{text}", kpi.code);
    }
}
