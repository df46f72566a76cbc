//! Every error kind of the spec, each refusing the whole package: non-zero exit,
//! nothing on stdout, and on stderr `FILE:LINE: message (trường: FIELD)`.

use crate::support::*;

const FW: &str = SMALL_FRAMEWORK_FILE;

/// Scores the small package with a points framework of these indicators (scale 100).
fn score_framework(indicators: &str) -> (Run, String) {
    let text = points_framework("100", indicators);
    let run = package_with_framework(&text).score(&[]);
    (run, text)
}

fn named(code: &str) -> String {
    format!("name = {{ vi = \"Chỉ số {code}\", en = \"Indicator {code}\" }}")
}

// ---------------------------------------------------------------------------
// Frameworks
// ---------------------------------------------------------------------------

#[test]
fn duplicate_indicator_code_names_the_second_declaration_and_field_code() {
    let indicators = [
        parent("1", "100"),
        leaf("1.1", "50", r#"{ kind = "manual" }"#),
        leaf("1.1", "50", r#"{ kind = "manual" }"#),
    ]
    .concat();
    let (run, text) = score_framework(&indicators);
    let second = lines_of(&text, "code = \"1.1\"")[1];
    let error = run.error_at(at(FW, second, "code"));
    assert_contains_all(&error, &["\"1.1\"", "bị trùng"]);
}

#[test]
fn unknown_dotted_parent_names_the_line_and_field_code() {
    let indicators = [
        parent("1", "100"),
        leaf("1.1", "50", r#"{ kind = "manual" }"#),
        leaf("3.1", "50", r#"{ kind = "manual" }"#),
    ]
    .concat();
    let (run, text) = score_framework(&indicators);
    let error = run.error_at(at(FW, line_of(&text, "code = \"3.1\""), "code"));
    assert_contains_all(&error, &["\"3\"", "không có trong khung chỉ số"]);
}

#[test]
fn unknown_explicit_parent_names_the_line_and_field_parent() {
    let indicators = format!(
        "{}\n[[indicator]]\ncode = \"Z\"\nparent = \"X\"\n{}\nmax = 100\nrule = {{ kind = \"manual\" }}\n",
        parent("1", "100"),
        named("Z")
    );
    let (run, text) = score_framework(&indicators);
    let error = run.error_at(at(FW, line_of(&text, "parent = \"X\""), "parent"));
    assert!(error.contains("\"X\""), "{error}");
}

#[test]
fn a_rule_on_a_parent_names_the_rule_line() {
    let indicators = format!(
        "\n[[indicator]]\ncode = \"1\"\n{}\nmax = 100\nrule = {{ kind = \"boolean\" }}\n{}",
        named("1"),
        leaf("1.1", "100", r#"{ kind = "manual" }"#)
    );
    let (run, text) = score_framework(&indicators);
    let error = run.error_at(at(FW, line_of(&text, "rule = { kind = \"boolean\" }"), "rule"));
    assert_contains_all(&error, &["\"1\"", "không được có quy tắc"]);
}

#[test]
fn a_leaf_without_a_rule_names_its_indicator_table_line() {
    let indicators = format!(
        "{}\n[[indicator]]\ncode = \"2\"\n{}\nmax = 50\n",
        leaf("1", "50", r#"{ kind = "manual" }"#),
        named("2")
    );
    let (run, text) = score_framework(&indicators);
    let table_line = line_of(&text, "code = \"2\"") - 1;
    let error = run.error_at(at(FW, table_line, "rule"));
    assert_contains_all(&error, &["\"2\"", "cần có quy tắc"]);
}

#[test]
fn a_points_framework_with_an_error_is_not_also_told_it_needs_one_top_level_indicator() {
    // Two top-level indicators are normal in points mode; only the missing rule is wrong.
    let indicators = format!(
        "{}\n[[indicator]]\ncode = \"2\"\n{}\nmax = 50\n",
        leaf("1", "50", r#"{ kind = "manual" }"#),
        named("2")
    );
    let (run, text) = score_framework(&indicators);
    let error = run.only_error_at(at(FW, line_of(&text, "code = \"2\"") - 1, "rule"));
    assert!(error.contains("cần có quy tắc"), "{error}");
}

#[test]
fn children_maxima_below_the_parent_max_name_the_parent_max_line() {
    let indicators = [
        parent("1", "60"),
        leaf("1.1", "25", r#"{ kind = "manual" }"#),
        leaf("1.2", "25", r#"{ kind = "manual" }"#),
        leaf("2", "40", r#"{ kind = "manual" }"#),
    ]
    .concat();
    let (run, text) = score_framework(&indicators);
    let error = run.only_error_at(at(FW, line_after(&text, "code = \"1\"", "max = 60"), "max"));
    assert_contains_all(&error, &["\"1\"", "50", "60"]);
}

#[test]
fn top_level_maxima_not_summing_to_the_scale_name_the_scale_line() {
    let indicators =
        [leaf("1", "60", r#"{ kind = "manual" }"#), leaf("2", "30", r#"{ kind = "manual" }"#)].concat();
    let (run, text) = score_framework(&indicators);
    let error = run.only_error_at(at(FW, line_of(&text, "scale = 100"), "scale"));
    assert_contains_all(&error, &["90", "100"]);
}

#[test]
fn steps_not_in_decreasing_order_name_the_rule_line_and_field_rule_steps() {
    let (run, text) =
        score_framework(&leaf("1", "100", r#"{ kind = "steps", steps = [[50, 50], [80, 100]] }"#));
    let error = run.only_error_at(at(FW, line_of(&text, "kind = \"steps\""), "rule.steps"));
    assert_contains_all(&error, &["giảm dần", "bậc thứ 2"]);
}

#[test]
fn descending_steps_not_in_increasing_order_name_the_rule_line_and_field_rule_steps() {
    let (run, text) = score_framework(&leaf(
        "1",
        "100",
        r#"{ kind = "steps", steps = [[10, 100], [5, 50]], descending = true }"#,
    ));
    let error = run.only_error_at(at(FW, line_of(&text, "kind = \"steps\""), "rule.steps"));
    assert_contains_all(&error, &["descending = true", "tăng dần", "bậc thứ 2"]);
}

#[test]
fn linear_with_from_equal_to_to_names_field_rule_to() {
    let (run, text) = score_framework(&leaf("1", "100", r#"{ kind = "linear", from = 5, to = 5 }"#));
    let error = run.only_error_at(at(FW, line_of(&text, "kind = \"linear\""), "rule.to"));
    assert!(error.contains("from và to đều bằng 5"), "{error}");
}

#[test]
fn step_points_above_the_leaf_max_name_field_rule_steps() {
    let (run, text) =
        score_framework(&leaf("1", "100", r#"{ kind = "steps", steps = [[80, 120], [50, 50]] }"#));
    let error = run.only_error_at(at(FW, line_of(&text, "kind = \"steps\""), "rule.steps"));
    assert!(error.contains("[0, 100]"), "{error}");
}

#[test]
fn a_choice_option_worth_more_than_the_leaf_max_names_field_rule_options_points() {
    let (run, text) = score_framework(&leaf(
        "1",
        "100",
        r#"{ kind = "choice", options = [{ code = "all", points = 150 }, { code = "none", points = 0 }] }"#,
    ));
    let error = run.only_error_at(at(FW, line_of(&text, "kind = \"choice\""), "rule.options.points"));
    assert!(error.contains("150"), "{error}");
}

#[test]
fn a_rule_field_the_kind_does_not_take_is_named() {
    let (run, text) = score_framework(&leaf("1", "100", r#"{ kind = "boolean", cap = 3 }"#));
    let error = run.only_error_at(at(FW, line_of(&text, "kind = \"boolean\""), "rule.cap"));
    assert_contains_all(&error, &["\"boolean\"", "\"cap\""]);
}

#[test]
fn a_composite_direction_other_than_one_or_minus_one_names_the_direction_line() {
    let indicators =
        [composite_indicator("I", ""), composite_indicator("x", "parent = \"I\"\ndirection = 2")].concat();
    let text =
        composite_framework("{ kind = \"minmax\", low = 0, high = 100 }", "arithmetic", BANDS, &indicators);
    let run = package_with_framework(&text).score(&[]);
    let error = run.only_error_at(at(FW, line_of(&text, "direction = 2"), "direction"));
    assert!(error.contains("1 hoặc -1"), "{error}");
}

#[test]
fn unknown_rule_kind_names_the_kind_line_of_a_rule_subtable() {
    let indicators = format!(
        "\n[[indicator]]\ncode = \"1\"\n{}\nmax = 100\n[indicator.rule]\nkind = \"fuzzy\"\n",
        named("1")
    );
    let (run, text) = score_framework(&indicators);
    let error = run.only_error_at(at(FW, line_of(&text, "kind = \"fuzzy\""), "rule.kind"));
    assert_contains_all(&error, &["\"fuzzy\"", "\"linear\"", "\"choice\""]);
}

#[test]
fn unknown_method_names_the_method_line() {
    let text = points_framework("100", &leaf("1", "100", r#"{ kind = "manual" }"#))
        .replace("method = \"points\"", "method = \"weighted\"");
    let run = package_with_framework(&text).score(&[]);
    let error = run.only_error_at(at(FW, line_of(&text, "method = \"weighted\""), "method"));
    assert_contains_all(&error, &["\"weighted\"", "\"points\"", "\"composite\""]);
}

#[test]
fn a_band_list_without_a_band_at_zero_or_below_names_the_first_band() {
    let text = points_framework("100", &leaf("1", "100", r#"{ kind = "manual" }"#))
        .replace("min = 0\n", "min = 10\n");
    let run = package_with_framework(&text).score(&[]);
    let first_band = lines_of(&text, "[[band]]")[0];
    let error = run.only_error_at(at(FW, first_band, "band"));
    assert!(error.contains("min = 10"), "{error}");
}

#[test]
fn duplicate_band_codes_name_the_second_band_code() {
    let text = points_framework("100", &leaf("1", "100", r#"{ kind = "manual" }"#))
        .replace("code = \"fair\"", "code = \"good\"");
    let run = package_with_framework(&text).score(&[]);
    let second = lines_of(&text, "code = \"good\"")[1];
    let error = run.only_error_at(at(FW, second, "code"));
    assert_contains_all(&error, &["\"good\"", "hai lần"]);
}

#[test]
fn a_type_error_in_toml_names_the_line_and_the_key() {
    // Son La's provincial framework, indicator "1": `max = 10` → `max = "ten"`.
    let package = Package::copy_of_sonla();
    let file = "frameworks/provincial.toml";
    package.edit(
        file,
        "code = \"1\"\nname = { vi = \"Nhận thức số\", en = \"Digital awareness\" }\nmax = 10",
        "code = \"1\"\nname = { vi = \"Nhận thức số\", en = \"Digital awareness\" }\nmax = \"ten\"",
    );
    let line = package.line_of(file, "max = \"ten\"");
    let error = package.score(&[]).only_error_at(at(file, line, "max"));
    assert!(error.contains("\"ten\""), "{error}");
}

#[test]
fn invalid_toml_syntax_in_a_framework_names_the_line() {
    let package = Package::copy_of_sonla();
    let file = "frameworks/district.toml";
    package.edit(file, "scale = 100", "scale = = 100");
    let line = package.line_of(file, "scale = = 100");
    let error = package.score(&[]).only_error_at(at_line(file, line));
    assert!(error.contains("TOML không hợp lệ"), "{error}");
}

#[test]
fn invalid_toml_syntax_in_assessment_toml_names_the_line() {
    let package = Package::copy_of_sonla();
    package.edit("assessment.toml", "overall = \"mean_of_groups\"", "overall = \"mean_of_groups");
    let line = package.line_of("assessment.toml", "overall = \"mean_of_groups");
    let error = package.score(&[]).only_error_at(at_line("assessment.toml", line));
    assert!(error.contains("TOML không hợp lệ"), "{error}");
}

#[test]
fn an_unknown_overall_rule_in_assessment_toml_names_the_line_and_field() {
    let package = Package::copy_of_sonla();
    package.edit("assessment.toml", "overall = \"mean_of_groups\"", "overall = \"median\"");
    let line = package.line_of("assessment.toml", "overall = \"median\"");
    let error = package.score(&[]).only_error_at(at("assessment.toml", line, "overall"));
    assert_contains_all(&error, &["\"median\"", "\"mean_of_units\""]);
}

#[test]
fn a_composite_framework_with_two_top_level_indicators_names_the_first_indicator() {
    let indicators = [composite_indicator("A", ""), composite_indicator("B", "")].concat();
    let text =
        composite_framework("{ kind = \"minmax\", low = 0, high = 100 }", "arithmetic", BANDS, &indicators);
    let run = package_with_framework(&text).score(&[]);
    let first = lines_of(&text, "[[indicator]]")[0];
    let error = run.only_error_at(at(FW, first, "indicator"));
    assert!(error.contains("có 2"), "{error}");
}

// ---------------------------------------------------------------------------
// units.csv
// ---------------------------------------------------------------------------

#[test]
fn duplicate_unit_code_in_units_names_the_second_line_and_field_code() {
    let package = Package::copy_of_sonla();
    let first = package.line_of("units.csv", "STTTT,");
    package.append("units.csv", "STTTT,Sở Thông tin và Truyền thông (bản sao),provincial,,Copy\n");
    let second = package.read("units.csv").lines().count();
    let error = package.score(&[]).only_error_at(at("units.csv", second, "code"));
    assert_contains_all(&error, &["\"STTTT\"", &format!("dòng {first}")]);
}

#[test]
fn a_unit_in_two_groups_names_the_second_line_and_the_first_group() {
    let package = Package::copy_of_sonla();
    let first = package.line_of("units.csv", "STTTT,");
    package.append(
        "units.csv",
        "STTTT,Sở Thông tin và Truyền thông,district,,Department of Information and Communications\n",
    );
    let second = package.read("units.csv").lines().count();
    let error = package.score(&[]).only_error_at(at("units.csv", second, "code"));
    assert_contains_all(&error, &["\"STTTT\"", "\"provincial\"", &format!("dòng {first}")]);
}

#[test]
fn a_unit_whose_group_is_not_in_assessment_toml_names_the_line_and_field_group() {
    let package = Package::copy_of_sonla();
    package.edit("units.csv", "116,Thành phố Sơn La,district,", "116,Thành phố Sơn La,districts,");
    let line = package.line_of("units.csv", "116,");
    let error = package.score(&[]).only_error_at(at("units.csv", line, "group"));
    assert_contains_all(&error, &["\"districts\"", "provincial, district"]);
}

#[test]
fn a_group_with_no_unit_is_refused_naming_units_csv() {
    let package = Package::copy_of_sonla();
    let units: String = package
        .read("units.csv")
        .lines()
        .filter(|l| !l.contains(",district,"))
        .map(|l| format!("{l}\n"))
        .collect();
    package.write("units.csv", &units);
    let values: String = package
        .read("values.csv")
        .lines()
        .filter(|l| !l.starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| format!("{l}\n"))
        .collect();
    package.write("values.csv", &values);
    let error = package.score(&[]).only_error_at(at_file("units.csv"));
    assert!(error.contains("\"district\""), "{error}");
}

// ---------------------------------------------------------------------------
// values.csv
// ---------------------------------------------------------------------------

#[test]
fn unknown_unit_in_values_names_file_line_and_field() {
    // The spec's own example: `values.csv:14: unit "STTT" is not in units.csv`.
    let package = Package::copy_of_sonla();
    package.edit("values.csv", "STTTT,1.1,", "STTT,1.1,");
    let line = package.line_of("values.csv", "STTT,1.1,");
    let error = package.score(&[]).only_error_at(at("values.csv", line, "unit"));
    assert_contains_all(&error, &["\"STTT\"", "không có trong units.csv"]);
    assert!(
        error.starts_with(&format!("{}/values.csv:{line}: ", package.arg())),
        "the path is the package's: {error}"
    );
}

#[test]
fn a_value_that_is_not_a_number_for_a_linear_rule_names_line_and_field_value() {
    let values = values_csv(&[("A", "1.2", "có"), ("A", "1.1", "abc")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 3, "value"));
    assert_contains_all(&error, &["\"abc\"", "không phải là số"]);
}

#[test]
fn a_number_with_a_thousands_separator_is_not_a_number() {
    let values = values_csv(&[("A", "1.1", "\"1,234.5\""), ("B", "1.1", "1.234,5")]);
    let run = small_package(&values).score(&[]);
    assert!(run.error_at(at("values.csv", 2, "value")).contains("\"1,234.5\""));
    // `1.234,5` unquoted is four fields: the row is refused for its shape.
    run.error_at(at_line("values.csv", 3));
    assert_eq!(run.refused().len(), 2, "{}", run.stderr);
}

#[test]
fn a_word_that_is_not_yes_or_no_for_a_boolean_rule_names_line_and_field_value() {
    let values = values_csv(&[("A", "1.1", "50"), ("B", "1.1", "60"), ("B", "1.2", "maybe")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 4, "value"));
    assert_contains_all(&error, &["\"maybe\"", "có/không"]);
}

#[test]
fn a_manual_value_above_the_max_names_line_and_field_value() {
    let values = values_csv(&[("A", "2.1", "25")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 2, "value"));
    assert_contains_all(&error, &["25", "[0, 20]"]);
}

#[test]
fn a_negative_manual_value_is_outside_zero_to_max() {
    let values = values_csv(&[("A", "2.1", "0"), ("C", "2.1", "-1")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 3, "value"));
    assert_contains_all(&error, &["-1", "[0, 20]"]);
}

#[test]
fn a_ratio_over_zero_with_a_positive_numerator_names_line_and_field_value() {
    let values = values_csv(&[("A", "2.2", "0/0"), ("B", "2.2", "3/0")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 3, "value"));
    assert_contains_all(&error, &["\"3/0\"", "mẫu số bằng 0"]);
}

#[test]
fn an_unknown_choice_names_line_and_field_value_and_lists_the_options() {
    let values = values_csv(&[("A", "2.4", "head"), ("B", "2.4", "chief")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 3, "value"));
    assert_contains_all(&error, &["\"chief\"", "\"head\", \"deputy\", \"other\""]);
}

#[test]
fn a_negative_count_names_line_and_field_value() {
    let values = values_csv(&[("A", "2.3", "3"), ("B", "2.3", "-2")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 3, "value"));
    assert_contains_all(&error, &["-2", "âm"]);
}

#[test]
fn an_indicator_not_in_the_units_framework_names_line_and_field_indicator() {
    let values = values_csv(&[("A", "1.1", "50"), ("A", "9.9", "1")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 3, "indicator"));
    assert_contains_all(&error, &["\"9.9\"", "\"agencies\""]);
}

#[test]
fn an_indicator_of_the_other_groups_framework_is_not_in_the_units_framework() {
    // District indicator 8.1 given for a provincial agency.
    let package = Package::copy_of_sonla();
    package.append("values.csv", "STTTT,8.1,có,\n");
    let line = package.read("values.csv").lines().count();
    let error = package.score(&[]).only_error_at(at("values.csv", line, "indicator"));
    assert_contains_all(&error, &["\"8.1\"", "\"provincial\""]);
}

#[test]
fn a_value_for_a_parent_indicator_names_line_and_field_value() {
    let values = values_csv(&[("A", "1.1", "50"), ("A", "1", "30")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 3, "value"));
    assert_contains_all(&error, &["\"1\"", "chỉ số con"]);
}

#[test]
fn a_duplicate_unit_and_indicator_row_names_the_second_line_and_the_first() {
    let values = values_csv(&[("A", "1.1", "50"), ("B", "1.1", "60"), ("A", "1.1", "70")]);
    let error = small_package(&values).score(&[]).only_error_at(at("values.csv", 4, "value"));
    assert_contains_all(&error, &["\"A\"", "\"1.1\"", "dòng 2"]);
}

#[test]
fn a_wide_form_column_not_in_any_framework_names_the_header_line_and_the_column() {
    let error = small_package("unit,1.1,9.9\nA,50,1\n").score(&[]).error_at(at("values.csv", 1, "9.9"));
    assert!(error.contains("\"9.9\""), "{error}");
}

#[test]
fn a_bad_value_in_a_wide_form_file_names_its_row_and_its_indicator_column() {
    let error = small_package("unit,1.1,1.2,2.1\nA,50,có,10\nB,60,maybe,10\n").score(&[]).only_error_at(at(
        "values.csv",
        3,
        "1.2",
    ));
    assert!(error.contains("\"maybe\""), "{error}");
}

#[test]
fn a_unit_twice_in_a_wide_form_file_names_the_second_row() {
    let error = small_package("unit,1.1,1.2\nA,50,có\nB,60,không\nA,70,có\n").score(&[]).only_error_at(at(
        "values.csv",
        4,
        "unit",
    ));
    assert_contains_all(&error, &["\"A\"", "dòng 2"]);
}

#[test]
fn a_values_file_with_neither_layout_is_refused_at_its_header() {
    let error = small_package("code,score\nA,50\n").score(&[]).only_error_at(at_line("values.csv", 1));
    assert!(error.contains("unit,indicator,value"), "{error}");
}

#[test]
fn a_row_with_too_many_fields_names_its_line() {
    // An unquoted `74,8` splits into two fields.
    let values = values_csv(&[("A", "1.1", "74,8")]);
    let error = small_package(&values).score(&[]).only_error_at(at_line("values.csv", 2));
    assert!(error.contains("5 cột") && error.contains("4"), "{error}");
}

#[test]
fn a_unit_whose_top_level_indicators_are_all_not_applicable_is_refused() {
    let values = values_csv(&[
        ("A", "1.1", "na"),
        ("A", "1.2", "na"),
        ("A", "2.1", "na"),
        ("A", "2.2", "na"),
        ("A", "2.3", "na"),
        ("A", "2.4", "na"),
    ]);
    let errors = small_package(&values).score(&[]).refused().join("\n");
    assert_contains_all(&errors, &["values.csv", "\"A\"", "không áp dụng"]);
}

// ---------------------------------------------------------------------------
// Files and folders
// ---------------------------------------------------------------------------

#[test]
fn a_missing_values_file_is_named() {
    let package = Package::copy_of_sonla();
    package.remove("values.csv");
    let error = package.score(&[]).only_error_at(at_file("values.csv"));
    assert!(error.contains("không tìm thấy tệp"), "{error}");
}

#[test]
fn a_missing_units_file_is_named() {
    let package = Package::copy_of_sonla();
    package.remove("units.csv");
    let error = package.score(&[]).only_error_at(at_file("units.csv"));
    assert!(error.contains("không tìm thấy tệp"), "{error}");
}

#[test]
fn a_missing_assessment_file_is_named() {
    let package = Package::copy_of_sonla();
    package.remove("assessment.toml");
    let error = package.score(&[]).only_error_at(at_file("assessment.toml"));
    assert!(error.contains("không tìm thấy tệp"), "{error}");
}

#[test]
fn a_missing_framework_file_is_named() {
    let package = Package::copy_of_sonla();
    package.edit("assessment.toml", "frameworks/district.toml", "frameworks/districts.toml");
    let errors = package.score(&[]).refused().join("\n");
    assert!(errors.contains("frameworks/districts.toml"), "{errors}");
}

#[test]
fn a_missing_package_folder_is_named() {
    let parent = Package::empty();
    let missing = parent.path().join("no-such-package");
    let run = score(&missing, &[]);
    let error = run.only_error_at(at_file(&missing.display().to_string()));
    assert!(error.contains("không tìm thấy thư mục"), "{error}");
}

#[test]
fn each_command_refuses_a_missing_folder() {
    for command in ["score", "check", "report"] {
        let run = chiso(&[command, "/nonexistent/chiso/package"]);
        let errors = run.refused();
        assert_eq!(errors.len(), 1, "{command}: {}", run.stderr);
    }
}
