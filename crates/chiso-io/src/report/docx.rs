//! The reports as Word documents, in the look of the decision
//! ([`crate::docx_style`]). Charts are native tables: each bar is a shaded cell
//! spanning as many of [`STEPS`] grid columns as its share of the axis, so the
//! bars stay proportional in Word and LibreOffice and remain editable.

use super::error::DocumentError;
use super::model::{GapGroup, GroupSection, Report, Robustness};
use super::monitoring::MonitoringReport;
use crate::docx_style::{A4, BODY, SMALL, TITLE, centred, justified, pack, run};
use docx_rs::{
    AlignmentType, BorderType, Docx, LineSpacing, PageMargin, Paragraph, Shading, ShdType, Table,
    TableBorder, TableBorderPosition, TableCell, TableCellMargins, TableLayoutType, TableRow, WidthType,
};

/// The usable width of an A4 page between the margins, in twentieths of a point.
const WIDTH: usize = 9_000;
/// A bar's resolution: the bar area is this many grid columns.
const STEPS: usize = 100;
/// Half-points: 8 pt in tables and charts, so a row of numbers fits the page.
const TABLE_TEXT: usize = 16;

fn heading(text: &str, size: usize) -> Paragraph {
    Paragraph::new()
        .line_spacing(LineSpacing::new().before(240).after(80))
        .add_run(run(text).size(size).bold())
}

/// Narrow cell margins (top, right, bottom, left), for tables of numbers.
fn narrow() -> TableCellMargins {
    TableCellMargins::new().margin(20, 50, 20, 50)
}

fn small(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text).size(SMALL))
}

fn cell(text: &str, bold: bool) -> TableCell {
    let r = run(text).size(TABLE_TEXT);
    TableCell::new().add_paragraph(Paragraph::new().add_run(if bold { r.bold() } else { r }))
}

/// A table in 8 pt with a bold header row; `widths` in twentieths of a point.
fn table(widths: &[usize], header: &[&str], rows: &[Vec<String>]) -> Table {
    let mut all = vec![TableRow::new(header.iter().map(|h| cell(h, true)).collect()).cant_split()];
    all.extend(
        rows.iter().map(|row| TableRow::new(row.iter().map(|c| cell(c, false)).collect()).cant_split()),
    );
    Table::new(all)
        .set_grid(widths.to_vec())
        .layout(TableLayoutType::Fixed)
        .width(WIDTH, WidthType::Dxa)
        .margins(narrow())
}

/// One bar of a chart: label, share (0..=1) of the axis, value written after it,
/// colour (`RRGGBB`).
struct Bar<'a> {
    label: &'a str,
    share: f64,
    value: &'a str,
    colour: &'a str,
}

/// A borderless table: the label, the bar (a shaded cell over its share of the
/// grid columns, the rest blank) and the value.
fn bar_chart(label_width: usize, bars: &[Bar]) -> Table {
    let value_width = 1_000;
    let step = (WIDTH - label_width - value_width) / STEPS;
    let mut grid = vec![label_width];
    grid.extend(std::iter::repeat_n(step, STEPS));
    grid.push(value_width);
    let rows = bars
        .iter()
        .map(|bar| {
            let filled = (bar.share.clamp(0.0, 1.0) * STEPS as f64).round() as usize;
            let mut cells = vec![cell(bar.label, false).width(label_width, WidthType::Dxa)];
            if filled > 0 {
                cells.push(
                    TableCell::new()
                        .add_paragraph(Paragraph::new())
                        .grid_span(filled)
                        .width(filled * step, WidthType::Dxa)
                        .shading(Shading::new().shd_type(ShdType::Clear).color("auto").fill(bar.colour)),
                );
            }
            if filled < STEPS {
                cells.push(
                    TableCell::new()
                        .add_paragraph(Paragraph::new())
                        .grid_span(STEPS - filled)
                        .width((STEPS - filled) * step, WidthType::Dxa),
                );
            }
            cells.push(cell(bar.value, false).width(value_width, WidthType::Dxa));
            TableRow::new(cells)
        })
        .collect();
    // White lines between the rows keep the bars apart.
    Table::new(rows)
        .set_grid(grid)
        .layout(TableLayoutType::Fixed)
        .width(WIDTH, WidthType::Dxa)
        .margins(narrow())
        .clear_all_border()
        .set_border(
            TableBorder::new(TableBorderPosition::InsideH)
                .border_type(BorderType::Single)
                .size(12)
                .color("FFFFFF"),
        )
}

/// A colour swatch (a shaded cell) and its text, one row per entry.
fn legend(entries: &[(&str, String)]) -> Table {
    let rows = entries
        .iter()
        .map(|(colour, text)| {
            TableRow::new(vec![
                TableCell::new()
                    .add_paragraph(Paragraph::new())
                    .width(300, WidthType::Dxa)
                    .shading(Shading::new().shd_type(ShdType::Clear).color("auto").fill(*colour)),
                cell(text, false).width(4_000, WidthType::Dxa),
            ])
        })
        .collect();
    Table::new(rows)
        .set_grid(vec![300, 4_000])
        .layout(TableLayoutType::Fixed)
        .margins(narrow())
        .clear_all_border()
        .set_border(
            TableBorder::new(TableBorderPosition::InsideH)
                .border_type(BorderType::Single)
                .size(12)
                .color("FFFFFF"),
        )
}

fn document() -> Docx {
    Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(PageMargin::new().top(1_134).bottom(1_134).left(1_701).right(1_134))
}

fn finish(docx: Docx) -> Result<Vec<u8>, DocumentError> {
    pack(docx).map_err(DocumentError::Docx)
}

pub fn report(report: &Report) -> Result<Vec<u8>, DocumentError> {
    let l = &report.labels;
    let mut docx = document().add_paragraph(centred(&report.title, true, TITLE));
    if let Some(approval) = &report.approval {
        docx =
            docx.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(approval).italic()));
    }
    docx = docx.add_paragraph(heading(l.summary, TITLE)).add_paragraph(justified(&report.summary));
    docx = docx.add_paragraph(heading(l.results, TITLE));
    for group in &report.groups {
        docx = group_section(docx, report, group);
    }
    if let Some(robustness) = &report.robustness {
        docx = robustness_section(docx, report, robustness);
    }
    docx = docx.add_paragraph(heading(l.gaps, TITLE)).add_paragraph(justified(l.gaps_intro));
    for gaps in &report.gaps {
        docx = gap_section(docx, report, gaps);
    }
    finish(docx)
}

fn group_section(mut docx: Docx, report: &Report, group: &GroupSection) -> Docx {
    let l = &report.labels;
    docx = docx
        .add_paragraph(heading(&group.name, BODY))
        .add_paragraph(justified(&group.overview))
        .add_paragraph(Paragraph::new().add_run(run(l.chart).size(SMALL).bold()));
    let bars: Vec<Bar> = group
        .rows
        .iter()
        .map(|r| Bar { label: &r.unit, share: r.bar(group.axis), value: &r.total, colour: r.colour })
        .collect();
    docx = docx.add_table(bar_chart(3_000, &bars));
    docx = docx.add_paragraph(
        Paragraph::new()
            .line_spacing(LineSpacing::new().before(120))
            .add_run(run(&format!("{}:", l.band_counts)).size(SMALL).bold()),
    );
    let entries: Vec<(&str, String)> =
        group.bands.iter().map(|b| (b.colour, format!("{} ({}): {}", b.label, b.min, b.count))).collect();
    docx = docx.add_table(legend(&entries)).add_paragraph(Paragraph::new());

    let fixed = [500, 2_500, 800, 950];
    let rest = WIDTH - fixed.iter().sum::<usize>();
    let each = rest / group.indicators.len().max(1);
    let mut widths = fixed.to_vec();
    widths.extend(group.indicators.iter().map(|_| each));
    let mut header = vec![l.rank, l.unit, l.total, l.band];
    header.extend(group.indicators.iter().map(|i| i.code.as_str()));
    let rows: Vec<Vec<String>> = group
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.rank.to_string(), r.unit.clone(), r.total.clone(), r.band.clone()];
            row.extend(r.indicators.iter().cloned());
            row
        })
        .collect();
    let legend: Vec<String> = group
        .indicators
        .iter()
        .map(|i| match &i.max {
            Some(max) => format!("{} — {} ({max})", i.code, i.name),
            None => format!("{} — {}", i.code, i.name),
        })
        .collect();
    docx.add_table(table(&widths, &header, &rows)).add_paragraph(small(&format!(
        "{}: {}",
        l.main_indicators,
        legend.join("; ")
    )))
}

fn robustness_section(mut docx: Docx, report: &Report, robustness: &Robustness) -> Docx {
    let l = &report.labels;
    docx = docx.add_paragraph(heading(l.robustness, TITLE)).add_paragraph(justified(&robustness.intro));
    for group in &robustness.groups {
        docx = docx.add_paragraph(heading(&group.name, BODY));
        if let Some(note) = &group.note {
            docx = docx.add_paragraph(justified(note));
        }
        if !group.rows.is_empty() {
            let rows: Vec<Vec<String>> = group
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.rank.to_string(),
                        r.unit.clone(),
                        r.band.clone(),
                        r.interval.clone(),
                        r.kept.clone(),
                    ]
                })
                .collect();
            docx = docx.add_table(table(
                &[700, 3_800, 1_300, 1_700, 1_500],
                &[l.rank, l.unit, l.band, l.interval, l.band_kept],
                &rows,
            ));
        }
    }
    if let Some(conclusion) = &robustness.conclusion {
        docx = docx.add_paragraph(justified(conclusion));
    }
    docx
}

fn gap_section(mut docx: Docx, report: &Report, gaps: &GapGroup) -> Docx {
    let l = &report.labels;
    docx = docx.add_paragraph(heading(&gaps.name, BODY));
    if !gaps.weakest.is_empty() {
        docx = docx.add_paragraph(Paragraph::new().add_run(run(&format!("{}:", l.weakest)).bold()));
        for w in &gaps.weakest {
            docx = docx.add_paragraph(justified(&format!("- {} — {}: {}", w.code, w.name, w.mean_percent)));
        }
    }
    docx = docx.add_paragraph(Paragraph::new().add_run(run(&format!("{}:", l.closest)).bold()));
    if gaps.closest.is_empty() {
        return docx.add_paragraph(justified(l.none_closer));
    }
    let rows: Vec<Vec<String>> = gaps
        .closest
        .iter()
        .map(|c| {
            vec![c.rank.to_string(), c.unit.clone(), c.band.clone(), c.next_band.clone(), c.needed.clone()]
        })
        .collect();
    docx.add_table(table(
        &[700, 3_800, 1_300, 1_700, 1_500],
        &[l.rank, l.unit, l.band, l.next_band, l.needed],
        &rows,
    ))
}

pub fn monitoring(report: &MonitoringReport) -> Result<Vec<u8>, DocumentError> {
    let l = &report.labels;
    let mut docx = document()
        .add_paragraph(centred(&report.title, true, TITLE))
        .add_paragraph(justified(&report.counts))
        .add_paragraph(heading(l.kpis, TITLE));
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.unit.clone(),
                r.latest.clone(),
                r.target.clone(),
                r.progress.clone(),
                r.forecast.clone(),
                r.status.clone(),
            ]
        })
        .collect();
    docx = docx
        .add_table(table(
            &[2_600, 1_000, 1_200, 1_100, 900, 1_100, 1_100],
            &[l.kpi, l.unit, l.latest, l.target, l.progress, l.forecast, l.status],
            &rows,
        ))
        .add_paragraph(small(l.forecast_note))
        .add_paragraph(heading(l.chart, TITLE));
    let bars: Vec<Bar> = report
        .rows
        .iter()
        .filter_map(|r| {
            r.progress_share.map(|share| Bar { label: &r.name, share, value: &r.progress, colour: r.colour })
        })
        .collect();
    docx = docx.add_table(bar_chart(3_600, &bars)).add_paragraph(heading(l.at_risk, TITLE));
    if report.at_risk.is_empty() {
        docx = docx.add_paragraph(justified(l.none_at_risk));
    }
    for item in &report.at_risk {
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Both)
                .add_run(run(&format!("- {}", item.name)).bold())
                .add_run(run(&format!(" — {}", item.detail))),
        );
    }
    finish(docx)
}
