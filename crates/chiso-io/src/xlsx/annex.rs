//! The results as an official annex (phụ lục).

use super::XlsxError;
use crate::render::clean;
use chiso_core::rank::round_half_away;
use chiso_core::{Assessment, AssessmentResults, Lang, OverallRule};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError as WriterError};

/// Excel's code for A4 paper.
const A4: u8 = 9;
const HEADER_FILL: u32 = 0xDDEBF7;
/// Two decimals shown; the cell keeps the full number.
const TWO_DECIMALS: &str = "0.00";

/// Row (0-based) of the column headers of the annex sheets; the title is on row 0.
pub const ANNEX_HEADER_ROW: u32 = 1;

/// The results laid out as an official annex: one sheet per group (named after the
/// group code) with a title row (the assessment's name and the group's), a header
/// row (STT, unit, one column per main indicator "1. Nhận thức số (10)", total,
/// band, rank) and one row per unit in rank order; then a summary sheet ("Tổng hợp"
/// / "Summary") with, per group, the number of units, the mean and the units per
/// band, and the overall mean.
///
/// Numbers are numbers shown with 2 decimals. A unit's total is the rounded total
/// (to the assessment's `rank_precision`) its band and rank were decided on, so the
/// sheet agrees with itself; indicator points and means keep full precision.
pub fn results_annex(
    assessment: &Assessment,
    results: &AssessmentResults,
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    for g in &results.groups {
        let code = assessment.groups[g.group].code.as_str();
        let sheet = workbook.add_worksheet();
        let written = sheet.set_name(code).and_then(|sheet| group_sheet(sheet, assessment, results, g, lang));
        written.map_err(|e| XlsxError::writer(e, Some(code), lang))?;
    }
    let name = lang.pick("Tổng hợp", "Summary");
    let sheet = workbook.add_worksheet();
    let written = sheet.set_name(name).and_then(|sheet| summary_sheet(sheet, assessment, results, lang));
    written.map_err(|e| XlsxError::writer(e, Some(name), lang))?;
    workbook.save_to_buffer().map_err(|e| XlsxError::writer(e, None, lang))
}

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    integer: Format,
    decimal: Format,
    bold_decimal: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new().set_bold().set_font_size(13).set_align(FormatAlign::Center).set_text_wrap(),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(HEADER_FILL),
            text: cell.clone().set_text_wrap(),
            integer: cell.clone().set_num_format("0").set_align(FormatAlign::Center),
            decimal: cell.clone().set_num_format(TWO_DECIMALS),
            bold_decimal: cell.set_num_format(TWO_DECIMALS).set_bold(),
        }
    }
}

fn page_setup(sheet: &mut Worksheet) -> Result<(), WriterError> {
    sheet.set_landscape();
    sheet.set_paper_size(A4);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, ANNEX_HEADER_ROW)?;
    sheet.set_freeze_panes(ANNEX_HEADER_ROW + 1, 0)?;
    sheet.set_row_height(0, 36)?;
    Ok(())
}

fn column(index: usize) -> Result<u16, WriterError> {
    u16::try_from(index).map_err(|_| WriterError::RowColumnLimitError)
}

fn row(index: usize) -> Result<u32, WriterError> {
    u32::try_from(index).map_err(|_| WriterError::RowColumnLimitError)
}

fn group_sheet(
    sheet: &mut Worksheet,
    assessment: &Assessment,
    results: &AssessmentResults,
    g: &chiso_core::GroupResult,
    lang: Lang,
) -> Result<(), WriterError> {
    let f = Formats::new();
    let group = &assessment.groups[g.group];
    let framework = &group.framework;
    let mut header: Vec<String> =
        vec![lang.pick("STT", "No.").to_string(), lang.pick("Đơn vị", "Unit").to_string()];
    for &top in &framework.top {
        let indicator = &framework.indicators[top];
        let mut text = format!("{}. {}", indicator.code, indicator.name.get(lang));
        if framework.is_points() {
            text.push_str(&format!(" ({})", lang.plain(indicator.max)));
        }
        header.push(text);
    }
    for word in [("Tổng điểm", "Total"), ("Xếp loại", "Band"), ("Xếp hạng", "Rank")] {
        header.push(lang.pick(word.0, word.1).to_string());
    }
    let last = column(header.len() - 1)?;
    let title = format!("{} — {}", assessment.name.get(lang), group.name.get(lang));
    sheet.merge_range(0, 0, 0, last, &title, &f.title)?;
    for (c, text) in header.iter().enumerate() {
        sheet.write_string_with_format(ANNEX_HEADER_ROW, column(c)?, text, &f.header)?;
    }
    sheet.set_row_height(ANNEX_HEADER_ROW, 60)?;
    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, 40)?;
    for c in 2..=last {
        sheet.set_column_width(c, 13)?;
    }
    let not_applicable = lang.pick("không áp dụng", "not applicable");
    for (position, &i) in g.units.iter().enumerate() {
        let r = &results.units[i];
        let at = row(position)? + ANNEX_HEADER_ROW + 1;
        sheet.write_number_with_format(at, 0, (position + 1) as f64, &f.integer)?;
        sheet.write_string_with_format(at, 1, assessment.units[r.unit].name.get(lang), &f.text)?;
        let mut c = 2;
        for &top in &framework.top {
            match r.scores.get(top).copied().flatten() {
                Some(points) => sheet.write_number_with_format(at, c, clean(points), &f.decimal)?,
                None => sheet.write_string_with_format(at, c, not_applicable, &f.text)?,
            };
            c += 1;
        }
        sheet.write_number_with_format(at, c, r.rounded, &f.bold_decimal)?;
        sheet.write_string_with_format(at, c + 1, framework.bands[r.band].label.get(lang), &f.text)?;
        sheet.write_number_with_format(at, c + 2, r.rank as f64, &f.integer)?;
    }
    page_setup(sheet)
}

fn summary_sheet(
    sheet: &mut Worksheet,
    assessment: &Assessment,
    results: &AssessmentResults,
    lang: Lang,
) -> Result<(), WriterError> {
    let f = Formats::new();
    // Bands by code across the groups' frameworks, in first-seen order.
    let mut bands: Vec<(&str, &str)> = Vec::new();
    for g in &results.groups {
        for band in &assessment.groups[g.group].framework.bands {
            if !bands.iter().any(|(code, _)| *code == band.code) {
                bands.push((&band.code, band.label.get(lang)));
            }
        }
    }
    let mut header: Vec<&str> = vec![
        lang.pick("Khối", "Group"),
        lang.pick("Số đơn vị", "Units"),
        lang.pick("Điểm trung bình", "Mean"),
        lang.pick("Xếp loại (theo điểm trung bình)", "Band (of the mean)"),
    ];
    header.extend(bands.iter().map(|(_, label)| *label));
    let last = column(header.len() - 1)?;
    sheet.merge_range(0, 0, 0, last, assessment.name.get(lang), &f.title)?;
    for (c, text) in header.iter().enumerate() {
        sheet.write_string_with_format(ANNEX_HEADER_ROW, column(c)?, *text, &f.header)?;
    }
    sheet.set_row_height(ANNEX_HEADER_ROW, 45)?;
    sheet.set_column_width(0, 40)?;
    for c in 1..=last {
        sheet.set_column_width(c, 13)?;
    }
    let band_column = |code: &str| bands.iter().position(|(c, _)| *c == code).map(|p| p as u16 + 4);
    let mut totals = vec![0usize; bands.len()];
    let mut at = ANNEX_HEADER_ROW + 1;
    for g in &results.groups {
        let group = &assessment.groups[g.group];
        let framework = &group.framework;
        sheet.write_string_with_format(at, 0, group.name.get(lang), &f.text)?;
        sheet.write_number_with_format(at, 1, g.units.len() as f64, &f.integer)?;
        sheet.write_number_with_format(at, 2, g.mean, &f.decimal)?;
        let band = framework.band_for(round_half_away(g.mean, assessment.rank_precision));
        sheet.write_string_with_format(at, 3, framework.bands[band].label.get(lang), &f.text)?;
        for c in 4..=last {
            sheet.write_number_with_format(at, c, 0.0, &f.integer)?;
        }
        for (band, &count) in framework.bands.iter().zip(&g.band_counts) {
            if let Some(c) = band_column(&band.code) {
                sheet.write_number_with_format(at, c, count as f64, &f.integer)?;
                totals[usize::from(c - 4)] += count;
            }
        }
        at += 1;
    }
    let bold_text = f.text.clone().set_bold();
    let bold_integer = f.integer.clone().set_bold();
    sheet.write_string_with_format(at, 0, lang.pick("Chung", "Overall"), &bold_text)?;
    sheet.write_number_with_format(at, 1, results.unit_count as f64, &bold_integer)?;
    sheet.write_number_with_format(at, 2, results.overall_mean, &f.bold_decimal)?;
    let first = &assessment.groups[0].framework;
    sheet.write_string_with_format(at, 3, first.bands[results.overall_band].label.get(lang), &bold_text)?;
    for (k, total) in totals.iter().enumerate() {
        sheet.write_number_with_format(at, column(k + 4)?, *total as f64, &bold_integer)?;
    }
    let rule = match assessment.overall {
        OverallRule::MeanOfGroups => lang.pick(
            "Điểm trung bình chung là trung bình của các khối.",
            "The overall mean is the mean of the group means.",
        ),
        OverallRule::MeanOfUnits => lang.pick(
            "Điểm trung bình chung là trung bình của mọi đơn vị.",
            "The overall mean is the mean of all units.",
        ),
    };
    sheet.write_string(at + 2, 0, rule)?;
    page_setup(sheet)
}
