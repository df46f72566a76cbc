//! The self-assessment template of one group.

use super::{
    CODE_ROW, FIRST_DATA_ROW, FIRST_INDICATOR_COLUMN, NAME_ROW, NOT_APPLICABLE, RULE_ROW, UNIT_CODE_COLUMN,
    UNIT_NAME_COLUMN, XlsxError, yes_no,
};
use chiso_core::framework::Source;
use chiso_core::number::parse_number;
use chiso_core::rule::parse_boolean;
use chiso_core::{Assessment, Indicator, Lang, Rule};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, FormatBorder, Note,
    Workbook, Worksheet, XlsxError as WriterError,
};

/// Fill of the columns taken from monitoring data.
const GREY: u32 = 0xD9D9D9;
/// Fill of the header rows.
const HEADER_FILL: u32 = 0xDDEBF7;
const BORDER: u32 = 0xBFBFBF;
/// Excel's limit on the characters of a list validation (commas included).
const LIST_LIMIT: usize = 255;

/// The self-assessment template of group `group` (an index into
/// `assessment.groups`): one sheet named after the group code, one row per unit of
/// the group (file order), one column per leaf of its framework (framework order).
/// Cells are pre-filled with `values(unit_code, indicator_code)` where it gives a
/// value, so a draft can be downloaded, completed and uploaded again.
///
/// Leaves whose source is a monitoring KPI get a grey column marked "từ số liệu theo
/// dõi" / "from monitoring data"; [`read_values`](super::read_values) ignores it.
pub fn template(
    assessment: &Assessment,
    group: usize,
    values: &dyn Fn(&str, &str) -> Option<String>,
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let Some(g) = assessment.groups.get(group) else {
        return Err(XlsxError::file(match lang {
            Lang::Vi => {
                format!("đợt đánh giá không có khối thứ {} (có {} khối)", group + 1, assessment.groups.len())
            }
            Lang::En => {
                format!("the assessment has no group {} (it has {})", group + 1, assessment.groups.len())
            }
        }));
    };
    let sheet_name = g.code.as_str();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name).map_err(|e| XlsxError::writer(e, Some(sheet_name), lang))?;
    write_sheet(sheet, assessment, group, values, lang)
        .map_err(|e| XlsxError::writer(e, Some(sheet_name), lang))?;
    workbook.save_to_buffer().map_err(|e| XlsxError::writer(e, None, lang))
}

fn write_sheet(
    sheet: &mut Worksheet,
    assessment: &Assessment,
    group: usize,
    values: &dyn Fn(&str, &str) -> Option<String>,
    lang: Lang,
) -> Result<(), WriterError> {
    let framework = &assessment.groups[group].framework;
    let units: Vec<usize> = assessment.units_of(group).collect();
    let header = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin)
        .set_border_color(BORDER)
        .set_background_color(HEADER_FILL);
    let code_format = header.clone().set_bold().set_align(FormatAlign::Center);
    let rule_format = header.clone().set_italic();
    let cell = Format::new().set_border(FormatBorder::Thin).set_border_color(BORDER);

    sheet.merge_range(
        CODE_ROW,
        UNIT_CODE_COLUMN,
        RULE_ROW,
        UNIT_CODE_COLUMN,
        lang.pick("Mã đơn vị", "Unit code"),
        &code_format.clone().set_align(FormatAlign::VerticalCenter),
    )?;
    sheet.write_string_with_format(
        CODE_ROW,
        UNIT_NAME_COLUMN,
        lang.pick("Mã chỉ số →", "Indicator code →"),
        &code_format.clone().set_align(FormatAlign::Right),
    )?;
    sheet.write_string_with_format(
        NAME_ROW,
        UNIT_NAME_COLUMN,
        lang.pick("Tên chỉ số →", "Indicator →"),
        &header.clone().set_align(FormatAlign::Right),
    )?;
    sheet.write_string_with_format(
        RULE_ROW,
        UNIT_NAME_COLUMN,
        lang.pick(
            "Cách nhập → (na: không áp dụng; để trống: chưa có)",
            "How to enter → (na: not applicable; empty: not yet known)",
        ),
        &rule_format.clone().set_align(FormatAlign::Right),
    )?;
    sheet.set_column_width(UNIT_CODE_COLUMN, 12)?;
    sheet.set_column_width(UNIT_NAME_COLUMN, 42)?;

    let mut rows = Vec::with_capacity(units.len());
    for (k, &u) in units.iter().enumerate() {
        let row = data_row(k)?;
        let unit = &assessment.units[u];
        sheet.write_string_with_format(row, UNIT_CODE_COLUMN, &unit.code, &cell.clone().set_bold())?;
        sheet.write_string_with_format(row, UNIT_NAME_COLUMN, unit.name.get(lang), &cell)?;
        rows.push((row, unit.code.as_str()));
    }

    let mut longest = (0, 0);
    for (k, &leaf) in framework.leaves.iter().enumerate() {
        let column = u16::try_from(k)
            .ok()
            .and_then(|k| FIRST_INDICATOR_COLUMN.checked_add(k))
            .ok_or(WriterError::RowColumnLimitError)?;
        let indicator = &framework.indicators[leaf];
        let kpi = match &indicator.source {
            Source::Kpi(code) => Some(code.as_str()),
            _ => None,
        };
        let grey = |f: Format| if kpi.is_some() { f.set_background_color(GREY) } else { f };
        sheet.write_string_with_format(CODE_ROW, column, &indicator.code, &grey(code_format.clone()))?;
        sheet.write_string_with_format(NAME_ROW, column, indicator.name.get(lang), &grey(header.clone()))?;
        let mut words = rule_words(indicator, lang);
        if let Some(kpi) = kpi {
            words = format!("{} — {words}", lang.pick("từ số liệu theo dõi", "from monitoring data"));
            let note = match lang {
                Lang::Vi => format!(
                    "Từ số liệu theo dõi (chỉ tiêu {kpi}). Cột này chỉ để tham khảo: không được đọc khi tải tệp lên."
                ),
                Lang::En => format!(
                    "From monitoring data (KPI {kpi}). This column is for reference only: it is not read on upload."
                ),
            };
            sheet.insert_note(CODE_ROW, column, &Note::new(note).add_author_prefix(false))?;
        }
        sheet.write_string_with_format(RULE_ROW, column, &words, &grey(rule_format.clone()))?;
        longest =
            (longest.0.max(indicator.name.get(lang).chars().count()), longest.1.max(words.chars().count()));
        sheet.set_column_width(column, 18)?;

        let text_column = matches!(indicator.rule, Some(Rule::Boolean | Rule::Ratio | Rule::Choice { .. }));
        let data = grey(if text_column { cell.clone().set_num_format("@") } else { cell.clone() });
        for &(row, unit) in &rows {
            match values(unit, &indicator.code).and_then(|text| prefill(indicator, &text, lang)) {
                None => sheet.write_blank(row, column, &data)?,
                Some(Prefill::Text(text)) => sheet.write_string_with_format(row, column, &text, &data)?,
                Some(Prefill::Number(v)) => sheet.write_number_with_format(row, column, v, &data)?,
                Some(Prefill::Percent(v, decimals)) => {
                    let format = data.clone().set_num_format(percent_format(decimals));
                    sheet.write_number_with_format(row, column, v, &format)?
                }
            };
        }
        if let (Some(&(first, _)), Some(&(last, _)), None) = (rows.first(), rows.last(), kpi)
            && let Some(validation) = validation(indicator, lang)?
        {
            sheet.add_data_validation(first, column, last, column, &validation)?;
        }
    }
    // Tall enough for the longest name and rule text of the indicator columns.
    sheet.set_row_height(NAME_ROW, text_height(longest.0))?;
    sheet.set_row_height(RULE_ROW, text_height(longest.1))?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, FIRST_INDICATOR_COLUMN)?;
    Ok(())
}

/// Row height (points) for wrapped text of `chars` characters in an indicator column
/// (about 20 characters a line, 15 points a line, at most Excel's 409).
fn text_height(chars: usize) -> f64 {
    (chars.div_ceil(20).max(2) as f64 * 15.0).min(409.0)
}

fn data_row(k: usize) -> Result<u32, WriterError> {
    u32::try_from(k).ok().and_then(|k| FIRST_DATA_ROW.checked_add(k)).ok_or(WriterError::RowColumnLimitError)
}

/// How a draft's text is written into its cell.
#[derive(Debug, Clone, PartialEq)]
enum Prefill {
    Text(String),
    Number(f64),
    /// The fraction (0.97 for `97%`) and the decimals the text showed.
    Percent(f64, usize),
}

fn prefill(indicator: &Indicator, text: &str, lang: Lang) -> Option<Prefill> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.eq_ignore_ascii_case(NOT_APPLICABLE) {
        return Some(Prefill::Text(NOT_APPLICABLE.to_string()));
    }
    Some(match &indicator.rule {
        Some(Rule::Boolean) => {
            let (yes, no) = yes_no(lang);
            Prefill::Text(match parse_boolean(text) {
                Some(true) => yes.to_string(),
                Some(false) => no.to_string(),
                None => text.to_string(),
            })
        }
        Some(Rule::Ratio | Rule::Choice { .. }) => Prefill::Text(text.to_string()),
        _ => match (parse_number(text), text.strip_suffix('%')) {
            (Some(v), Some(digits)) => {
                let decimals = digits.trim_end().rsplit_once([',', '.']).map_or(0, |(_, d)| d.len());
                Prefill::Percent(v / 100.0, decimals)
            }
            (Some(v), None) => Prefill::Number(v),
            // Kept as written, so the person sees what the draft holds and fixes it.
            (None, _) => Prefill::Text(text.to_string()),
        },
    })
}

fn percent_format(decimals: usize) -> String {
    if decimals == 0 { "0%".to_string() } else { format!("0.{}%", "0".repeat(decimals.min(10))) }
}

/// The rule in words and the unit of measure, for row 3.
fn rule_words(indicator: &Indicator, lang: Lang) -> String {
    let unit = indicator.unit.as_ref().map(|u| u.get(lang).trim()).filter(|u| !u.is_empty());
    let with_unit = |words: &str| match unit {
        Some(unit) => format!("{words} ({unit})"),
        None => words.to_string(),
    };
    let (yes, no) = yes_no(lang);
    let mut words = match &indicator.rule {
        Some(Rule::Boolean) => format!("{yes}/{no}"),
        Some(Rule::Linear { .. } | Rule::Steps { .. }) | None => with_unit(lang.pick("số", "number")),
        Some(Rule::Count { .. } | Rule::Relative) => with_unit(lang.pick("số ≥ 0", "number ≥ 0")),
        Some(Rule::Manual) => format!("{} 0..{}", lang.pick("điểm", "points"), lang.plain(indicator.max)),
        Some(Rule::Ratio) => with_unit("a/b"),
        Some(Rule::Choice { options }) => options
            .iter()
            .map(|o| format!("{} = {}", o.code, o.label.get(lang)))
            .collect::<Vec<_>>()
            .join("; "),
    };
    if indicator.evidence {
        words.push_str(lang.pick("; cần minh chứng", "; evidence required"));
    }
    words
}

/// The data validation of a leaf's cells: a list for booleans and choices (with
/// `na`), a decimal between 0 and the maximum for manual points (a warning only, so
/// that `na` can still be entered). None where the rule has no fixed set.
fn validation(indicator: &Indicator, lang: Lang) -> Result<Option<DataValidation>, WriterError> {
    let list = |words: Vec<&str>| -> Result<Option<DataValidation>, WriterError> {
        let length: usize = words.iter().map(|w| w.encode_utf16().count() + 1).sum();
        if length > LIST_LIMIT || words.iter().any(|w| w.contains([',', '"'])) {
            return Ok(None);
        }
        let message = match lang {
            Lang::Vi => format!("Chọn một giá trị trong danh sách: {}.", words.join(", ")),
            Lang::En => format!("Choose a value from the list: {}.", words.join(", ")),
        };
        Ok(Some(
            DataValidation::new()
                .allow_list_strings(&words)?
                .set_error_title(lang.pick("Giá trị không hợp lệ", "Invalid value"))?
                .set_error_message(truncate(&message))?,
        ))
    };
    match &indicator.rule {
        Some(Rule::Boolean) => {
            let (yes, no) = yes_no(lang);
            list(vec![yes, no, NOT_APPLICABLE])
        }
        Some(Rule::Choice { options }) => {
            let mut words: Vec<&str> = options.iter().map(|o| o.code.as_str()).collect();
            if !words.contains(&NOT_APPLICABLE) {
                words.push(NOT_APPLICABLE);
            }
            list(words)
        }
        Some(Rule::Manual) => {
            let max = lang.plain(indicator.max);
            let message = match lang {
                Lang::Vi => format!("Nhập số điểm từ 0 đến {max}, hoặc na nếu không áp dụng."),
                Lang::En => format!("Enter points from 0 to {max}, or na if not applicable."),
            };
            Ok(Some(
                DataValidation::new()
                    .allow_decimal_number(DataValidationRule::Between(0.0, indicator.max))
                    .set_error_style(DataValidationErrorStyle::Warning)
                    .set_error_title(lang.pick("Điểm ngoài khoảng cho phép", "Points out of range"))?
                    .set_error_message(truncate(&message))?,
            ))
        }
        _ => Ok(None),
    }
}

/// Cuts a message to Excel's 255 characters for validation messages.
fn truncate(message: &str) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in message.chars() {
        units += c.len_utf16();
        if units > 250 {
            out.push('…');
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_core::Names;

    fn leaf(rule: Option<Rule>, unit: Option<&str>) -> Indicator {
        Indicator {
            code: "1.1".into(),
            name: Names::new("Chỉ số", "Indicator"),
            parent: None,
            children: Vec::new(),
            depth: 2,
            max: 2.0,
            unit: unit.map(|u| chiso_core::Names::new(u, u)),
            rule,
            source: Source::SelfAssessment,
            evidence: false,
            verifier: None,
            weight: 1.0,
            direction: 1.0,
            def_index: 0,
        }
    }

    #[test]
    fn drafts_become_numbers_percentages_or_text() {
        let linear = leaf(Some(Rule::Linear { from: 50.0, to: 100.0 }), Some("%"));
        assert_eq!(prefill(&linear, "97", Lang::Vi), Some(Prefill::Number(97.0)));
        assert_eq!(prefill(&linear, "74,8", Lang::Vi), Some(Prefill::Number(74.8)));
        assert_eq!(prefill(&linear, "97%", Lang::Vi), Some(Prefill::Percent(0.97, 0)));
        assert_eq!(prefill(&linear, "96,5 %", Lang::Vi), Some(Prefill::Percent(0.965, 1)));
        assert_eq!(prefill(&linear, "NA", Lang::Vi), Some(Prefill::Text("na".into())));
        assert_eq!(prefill(&linear, "abc", Lang::Vi), Some(Prefill::Text("abc".into())));
        assert_eq!(prefill(&linear, "  ", Lang::Vi), None);
        let boolean = leaf(Some(Rule::Boolean), None);
        assert_eq!(prefill(&boolean, "x", Lang::Vi), Some(Prefill::Text("có".into())));
        assert_eq!(prefill(&boolean, "0", Lang::En), Some(Prefill::Text("no".into())));
        let ratio = leaf(Some(Rule::Ratio), None);
        assert_eq!(prefill(&ratio, "3/4", Lang::Vi), Some(Prefill::Text("3/4".into())));
    }

    #[test]
    fn rules_are_put_in_words() {
        assert_eq!(
            rule_words(&leaf(Some(Rule::Linear { from: 1.0, to: 2.0 }), Some("%")), Lang::Vi),
            "số (%)"
        );
        assert_eq!(rule_words(&leaf(Some(Rule::Boolean), None), Lang::Vi), "có/không");
        assert_eq!(rule_words(&leaf(Some(Rule::Boolean), None), Lang::En), "yes/no");
        assert_eq!(rule_words(&leaf(Some(Rule::Manual), Some("điểm")), Lang::Vi), "điểm 0..2");
        assert_eq!(rule_words(&leaf(Some(Rule::Ratio), Some("cuộc")), Lang::Vi), "a/b (cuộc)");
    }
}
