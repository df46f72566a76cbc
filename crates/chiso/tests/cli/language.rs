//! Messages in Vietnamese by default, in English with `--lang en` or CHISO_LANG=en.

use crate::support::*;

fn broken_sonla() -> (Package, usize) {
    let package = Package::copy_of_sonla();
    package.edit("values.csv", "STTTT,1.1,", "STTT,1.1,");
    let line = package.line_of("values.csv", "STTT,1.1,");
    (package, line)
}

#[test]
fn errors_are_in_vietnamese_by_default() {
    let (package, line) = broken_sonla();
    let run = package.score(&[]);
    let summary = run.stderr.lines().next().unwrap_or("").to_string();
    assert_contains_all(&summary, &["Gói đánh giá", "bị từ chối: 1 lỗi", "chưa chấm điểm"]);
    let error = run.only_error_at(at("values.csv", line, "unit"));
    assert!(error.ends_with("đơn vị \"STTT\" không có trong units.csv (trường: unit)"), "{error}");
}

#[test]
fn errors_are_in_english_with_lang_en() {
    let (package, line) = broken_sonla();
    let run = package.score(&["--lang", "en"]);
    let summary = run.stderr.lines().next().unwrap_or("").to_string();
    assert_contains_all(&summary, &["The package", "was refused: 1 error(s); nothing was scored."]);
    let error = run.only_error_at(at("values.csv", line, "unit"));
    assert!(error.ends_with("unit \"STTT\" is not in units.csv (field: unit)"), "{error}");
}

#[test]
fn lang_en_may_come_before_the_subcommand() {
    let (package, line) = broken_sonla();
    let run = chiso(&["--lang", "en", "score", &package.arg()]);
    let error = run.only_error_at(at("values.csv", line, "unit"));
    assert!(error.contains("is not in units.csv"), "{error}");
}

#[test]
fn errors_are_in_english_with_chiso_lang_en() {
    let (package, line) = broken_sonla();
    let run = chiso_with_env(&["score", &package.arg()], &[("CHISO_LANG", "en")]);
    let error = run.only_error_at(at("values.csv", line, "unit"));
    assert!(error.ends_with("unit \"STTT\" is not in units.csv (field: unit)"), "{error}");
}

#[test]
fn the_lang_option_wins_over_chiso_lang() {
    let (package, line) = broken_sonla();
    let run = chiso_with_env(&["score", &package.arg(), "--lang", "vi"], &[("CHISO_LANG", "en")]);
    let error = run.only_error_at(at("values.csv", line, "unit"));
    assert!(error.ends_with("(trường: unit)"), "{error}");
}

#[test]
fn chiso_lang_en_also_puts_results_in_english() {
    let run = chiso_with_env(&["report", &sonla().display().to_string()], &[("CHISO_LANG", "en")]);
    run.assert_success();
    assert!(run.stdout.contains("91.48/100 points"), "{}", run.stdout);
}

#[test]
fn framework_errors_are_translated_too() {
    let indicators = leaf("1", "100", r#"{ kind = "linear", from = 5, to = 5 }"#);
    let text = points_framework("100", &indicators);
    let package = package_with_framework(&text);
    let line = line_of(&text, "kind = \"linear\"");
    let vi = package.score(&[]).only_error_at(at(SMALL_FRAMEWORK_FILE, line, "rule.to"));
    let en = package.score(&["--lang", "en"]).only_error_at(at(SMALL_FRAMEWORK_FILE, line, "rule.to"));
    assert!(vi.contains("from và to đều bằng 5; chúng phải khác nhau"), "{vi}");
    assert!(en.contains("from and to are both 5; they must differ"), "{en}");
}

#[test]
fn an_unknown_language_is_a_usage_error_with_nothing_on_stdout() {
    let run = chiso(&["score", &sonla().display().to_string(), "--lang", "fr"]);
    assert!(!run.success);
    assert_eq!(run.code, Some(2), "clap's usage error code:\n{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("fr"), "{}", run.stderr);
}

/// `--help` speaks one language: Vietnamese by default, English with `--lang en`
/// or CHISO_LANG=en; every subcommand's too.
#[test]
fn help_is_in_one_language() {
    let vi = chiso(&["--help"]);
    assert!(vi.success, "{}", vi.stderr);
    assert_contains_all(&vi.stdout, &["Cách dùng:", "Lệnh", "Chấm điểm một gói đánh giá", "Ví dụ:"]);
    for english in ["Usage:", "Score a package", "Examples", "Commands:", "Print help"] {
        assert!(!vi.stdout.contains(english), "{english:?} in the Vietnamese help:\n{}", vi.stdout);
    }
    let en = chiso_with_env(&["--help"], &[("CHISO_LANG", "en")]);
    assert_contains_all(
        &en.stdout,
        &["Usage:", "Commands", "Score a package and print the rankings", "Examples:"],
    );
    assert!(!en.stdout.chars().any(|c| c.is_alphabetic() && !c.is_ascii()), "Vietnamese in:\n{}", en.stdout);
    let score = chiso(&["score", "--help", "--lang", "en"]);
    assert_contains_all(&score.stdout, &["The package folder", "Output format"]);
    assert!(!score.stdout.contains("Thư mục"), "{}", score.stdout);
    let score_vi = chiso(&["score", "--help"]);
    assert_contains_all(&score_vi.stdout, &["Thư mục gói đánh giá", "Tuỳ chọn"]);
    assert!(!score_vi.stdout.contains("The package folder"), "{}", score_vi.stdout);
}

#[test]
fn command_line_mistakes_are_said_in_the_language_asked_for() {
    let package = Package::copy_of_sonla();
    // Vietnamese by default: what is wrong, what is accepted, where to read more.
    let run = chiso(&["score", &package.arg(), "--format", "xml"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_contains_all(
        &run.stderr,
        &["lỗi: giá trị 'xml' không hợp lệ", "giá trị được chấp nhận: table, json, csv", "chiso --help"],
    );
    let run = chiso(&["scor", &package.arg()]);
    assert_contains_all(&run.stderr, &["lỗi: không có lệnh 'scor'", "gợi ý: có phải ý bạn là ", "'score'"]);
    let run = chiso(&["score", &package.arg(), "--formt", "json"]);
    assert_contains_all(&run.stderr, &["không có tuỳ chọn hay đối số '--formt'"]);
    for run in [chiso(&["score", &package.arg(), "--format", "xml"]), chiso(&["scor"]), chiso(&["score"])] {
        assert_eq!(run.code, Some(2));
        for english in ["error", "invalid", "unexpected", "Usage", "required", "found", "tip"] {
            assert!(!run.stderr.contains(english), "{english} in {}", run.stderr);
        }
    }
    // English: clap's own wording, with no Vietnamese.
    let run = chiso_with_env(&["score", &package.arg(), "--format", "xml"], &[("CHISO_LANG", "en")]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("invalid value 'xml'") && !run.stderr.contains("lỗi"), "{}", run.stderr);
}
