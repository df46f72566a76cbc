//! `chiso check` (what a package holds) and `chiso report` (the paragraph a
//! province publishes) on Son La 2024.

use crate::support::*;

fn sonla_arg() -> String {
    sonla().display().to_string()
}

#[test]
fn check_summarises_sonla_groups_indicators_rules_and_values_in_vietnamese() {
    let run = chiso(&["check", &sonla_arg()]);
    run.assert_success();
    let out = &run.stdout;
    assert_contains_all(
        out,
        &[
            "Số khối: 2",
            "Khối cơ quan cấp tỉnh (provincial) — 20 đơn vị",
            "Khối UBND cấp huyện (district) — 12 đơn vị",
            "frameworks/provincial.toml",
            "frameworks/district.toml",
            "Số chỉ số: 54 (7 chỉ số chính, 44 chỉ số lá)",
            "Số chỉ số: 61 (8 chỉ số chính, 50 chỉ số lá)",
            "Điểm tối đa: 100",
            "Quy tắc chấm điểm: boolean 11, choice 1, count 6, linear 16, manual 2, ratio 2, relative 1, steps 5",
            "Xếp loại: Tốt ≥ 85, Khá ≥ 70, Trung bình ≥ 50, Yếu ≥ 0",
            "Giá trị: 1470 đã nhập, 2 còn thiếu, 8 không áp dụng",
            "Gói hợp lệ.",
        ],
    );
}

#[test]
fn check_summarises_sonla_in_english() {
    let run = chiso(&["check", &sonla_arg(), "--lang", "en"]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &[
            "Groups: 2",
            "Provincial agencies (provincial) — 20 units",
            "Indicators: 54 (7 main, 44 leaves)",
            "Indicators: 61 (8 main, 50 leaves)",
            "Maximum points: 100",
            "Rule kinds: boolean 8, choice 1, count 6, linear 25, manual 2, ratio 3, relative 1, steps 4",
            "Values: 1470 present, 2 missing, 8 not applicable",
            "The package is valid.",
        ],
    );
}

#[test]
fn check_refuses_a_broken_package_like_score_does() {
    let package = Package::copy_of_sonla();
    package.edit("values.csv", "STTTT,1.1,", "STTT,1.1,");
    let line = package.line_of("values.csv", "STTT,1.1,");
    let run = chiso(&["check", &package.arg()]);
    let error = run.only_error_at(at("values.csv", line, "unit"));
    assert!(error.contains("\"STTT\""), "{error}");
}

#[test]
fn report_in_vietnamese_states_the_published_figures() {
    let run = chiso(&["report", &sonla_arg()]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &[
            "đạt mức khá với điểm trung bình 74,8/100 điểm",
            "khối cơ quan cấp tỉnh đạt 73,2/100 điểm",
            "xếp thứ nhất là Sở Thông tin và Truyền thông đạt 91,48/100 điểm",
            "thứ hai là Sở Giao thông vận tải đạt 89,94/100 điểm",
            "11 đơn vị đạt mức khá",
            "7 đơn vị đạt mức trung bình",
            "khối UBND cấp huyện đạt 76,4/100 điểm",
            "Thành phố Sơn La đạt 89,77/100 điểm",
            "Huyện Phù Yên đạt 84,13/100 điểm",
            "7 đơn vị đạt mức khá, 4 đơn vị đạt mức trung bình",
        ],
    );
    assert!(run.stdout.ends_with(".\n"), "{:?}", run.stdout);
}

#[test]
fn report_in_english_states_the_published_figures() {
    let run = chiso(&["report", &sonla_arg(), "--lang", "en"]);
    run.assert_success();
    assert_contains_all(
        &run.stdout,
        &[
            "\"fair\" rating with an average score of 74.8/100 points",
            "provincial agencies was 73.2/100 points",
            "Department of Information and Communications ranking first at 91.48/100 points",
            "followed by Department of Transport at 89.94/100 points",
            "11 units achieved a \"fair\" rating and 7 an \"average\" rating",
            "76.4/100 points",
            "Son La City ranking first at 89.77/100 points",
            "Phu Yen District at 84.13/100 points",
            "7 units achieved a \"fair\" rating and 4 an \"average\" rating",
        ],
    );
    assert!(!run.stdout.contains("74,8"), "{}", run.stdout);
}

#[test]
fn report_of_a_broken_package_prints_nothing_on_stdout() {
    let package = Package::copy_of_sonla();
    package.remove("values.csv");
    let run = chiso(&["report", &package.arg()]);
    run.only_error_at(at_file("values.csv"));
}

#[test]
fn check_previous_validates_son_la_2025_lineage_against_2024_and_names_each_bad_row() {
    let sonla_2025 = repo_root().join("data/sonla/2025");
    let run = chiso(&["check", &sonla_2025.display().to_string(), "--previous", &sonla_arg()]);
    run.assert_success();
    assert_contains_all(&run.stdout, &["Khối UBND cấp xã (commune) — 75 đơn vị", "Gói hợp lệ."]);

    // A predecessor that was not a unit in 2024, and a 2024 district left without a successor.
    let broken = Package::empty();
    copy_dir(&sonla_2025, broken.path());
    let lineage = std::fs::read_to_string(sonla_2025.join("lineage.csv")).unwrap_or_default();
    let edited: String = lineage
        .lines()
        .map(|l| if l == "2024,SXD,SXD,merge," { "2024,SXX,SXD,merge," } else { l })
        .filter(|l| !l.starts_with("2024,127,"))
        .map(|l| format!("{l}\n"))
        .collect();
    broken.write("lineage.csv", &edited);
    let line = edited.lines().position(|l| l.starts_with("2024,SXX")).map(|i| i + 1).unwrap_or(0);
    let run = chiso(&["check", &broken.arg(), "--previous", &sonla_arg(), "--lang", "en"]);
    let unknown = run.error_at(at("lineage.csv", line, "from_code"));
    assert!(unknown.contains("unit \"SXX\" is not in the 2024 round"), "{unknown}");
    let vanished = run.error_at(at("lineage.csv", 1, "from_code"));
    assert!(
        vanished.contains("\"127\" of the 2024 round is not in this round and has no successor"),
        "{vanished}"
    );
    assert_eq!(run.announced_error_count(), 2);
}
