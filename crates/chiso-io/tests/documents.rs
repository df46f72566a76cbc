//! The decision as Word: opened as a reader would (the .docx is a zip holding
//! word/document.xml) and read: the national title, the number and date to fill
//! in, the articles, and every unit with its score and band in the annex.

use chiso_core::Lang;
use chiso_io::documents::{decision_docx, decision_number, province_of};
use chiso_io::report::ReportMeta;
use chiso_io::{Files, Package};
use std::io::Read;
use std::path::Path;

/// The text of a .docx: word/document.xml without its tags.
fn text_of(docx: &[u8]) -> String {
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
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&").replace("&apos;", "'").replace("&quot;", "\"")
}

#[test]
fn the_decision_holds_the_national_format_and_every_unit_of_the_annex() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
    let package = Package::from_files(Files::dir(dir)).unwrap_or_else(|e| panic!("{:?}", e.0));
    let results = package.score().unwrap_or_else(|e| panic!("{:?}", e.0));
    assert_eq!(province_of(&package.assessment, Lang::Vi), "Sơn La");
    assert_eq!(province_of(&package.assessment, Lang::En), "Son La");

    let vi = text_of(
        &decision_docx(&package.assessment, &results, &ReportMeta::default(), Lang::Vi)
            .unwrap_or_else(|e| panic!("{e}")),
    );
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TỈNH SƠN LA",
        "Số: ……/QĐ-UBND",
        "Sơn La, ngày …… tháng …… năm 2025",
        "QUYẾT ĐỊNH",
        "Điều 1.",
        "Điểm trung bình chung đạt 74,80 điểm, xếp loại Khá",
        "Điều 3.",
        "Nơi nhận:",
        "PHỤ LỤC",
        "Khối cơ quan cấp tỉnh",
    ] {
        assert!(vi.contains(expected), "{expected:?} not in the decision:\n{vi}");
    }
    for (r, unit) in results.units.iter().map(|r| (r, &package.assessment.units[r.unit])) {
        assert!(vi.contains(unit.name.get(Lang::Vi)), "{} not in the annex", unit.code);
        assert!(vi.contains(&Lang::Vi.number(r.rounded, 2)), "{}'s score not in the annex", unit.code);
    }
    assert!(vi.contains("Sở Thông tin và Truyền thông91,48Tốt1"), "STTTT's row: total, band, rank");

    let en = text_of(
        &decision_docx(&package.assessment, &results, &ReportMeta::default(), Lang::En)
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(
        en.contains("SOCIALIST REPUBLIC OF VIETNAM")
            && en.contains("Article 1.")
            && en.contains("74.80 points")
    );
    assert!(en.contains("Department of Information and Communications91.48Good1"), "{en}");
    assert!(!en.contains("Điều") && !en.contains("Sở "), "one language per document");
}

/// The open-data bundle: a Frictionless descriptor and one CSV per group whose
/// columns are the descriptor's fields.
#[test]
fn the_open_data_bundle_describes_each_groups_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
    let package = Package::from_files(Files::dir(dir)).unwrap_or_else(|e| panic!("{:?}", e.0));
    let results = package.score().unwrap_or_else(|e| panic!("{:?}", e.0));
    let bytes = chiso_io::open_data::bundle(&package.assessment, &results, "Quyết định số 1/QĐ-UBND")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    let mut read = |name: &str| {
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_string(&mut text)
            .unwrap_or_default();
        text
    };
    let descriptor: serde_json::Value = serde_json::from_str(&read("datapackage.json")).unwrap_or_default();
    assert_eq!(descriptor["name"], "chiso-2024");
    let resources = descriptor["resources"].as_array().cloned().unwrap_or_default();
    assert_eq!(resources.len(), 2);
    for (resource, rows) in resources.iter().zip([20, 12]) {
        let csv = read(resource["path"].as_str().unwrap_or_default());
        let header: Vec<&str> = csv.lines().next().unwrap_or_default().split(',').collect();
        let empty = Vec::new();
        let fields: Vec<&str> = resource["schema"]["fields"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .filter_map(|f| f["name"].as_str())
            .collect();
        assert_eq!(header, fields, "the CSV's columns are the descriptor's fields");
        assert_eq!(csv.lines().count(), rows + 1);
    }
    let provincial = read("results-provincial.csv");
    assert!(
        provincial.lines().nth(1).unwrap_or_default().starts_with("1,STTTT,Sở Thông tin và Truyền thông,")
    );
    assert!(provincial.contains(",91.48,good"), "{provincial}");
}

#[test]
fn the_decision_carries_the_publications_number_and_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
    let package = Package::from_files(Files::dir(dir)).unwrap_or_else(|e| panic!("{:?}", e.0));
    let results = package.score().unwrap_or_else(|e| panic!("{:?}", e.0));
    let meta = ReportMeta {
        decision: Some("Quyết định số 123/QĐ-UBND phê duyệt kết quả".into()),
        decided_on: Some("2025-03-20".into()),
    };
    let vi = text_of(
        &decision_docx(&package.assessment, &results, &meta, Lang::Vi).unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(vi.contains("Số: 123/QĐ-UBND") && vi.contains("Sơn La, ngày 20 tháng 3 năm 2025"), "{vi}");
    assert!(!vi.contains("……"), "nothing left to fill in");
    let en = text_of(
        &decision_docx(&package.assessment, &results, &meta, Lang::En).unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(en.contains("No.: 123/QĐ-UBND") && en.contains("Son La, 20 March 2025"), "{en}");
    assert_eq!(decision_number("Decision No. 45/QĐ-UBND, 2025"), Some("45/QĐ-UBND"));
    assert_eq!(decision_number("Son La 2024 results bundled with chiso"), None);
}
