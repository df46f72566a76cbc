//! The reports as PDF: typst markup generated from the model, typeset in memory
//! ([`super::typst_world`]). Data never enters the markup as markup: every text
//! of the model becomes a typst string literal ([`lit`]), which typst shows as
//! written, so a unit named `#x*_$@<script>` cannot change the document. Charts
//! are typst rectangles whose widths are the values' shares of the axis.

use super::error::DocumentError;
use super::model::{GapGroup, GroupSection, Report, Robustness};
use super::monitoring::MonitoringReport;
use super::typst_world::compile_pdf;
use chiso_core::Lang;
use std::fmt::Write;

/// `text` as a typst string literal: quotes and backslashes escaped, control
/// characters written as `\u{…}`.
pub(crate) fn lit(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Page, fonts and table style, the title and the document's metadata.
fn preamble(out: &mut String, lang: Lang, title: &str) {
    let _ = writeln!(
        out,
        "#set document(title: {title})\n\
         #set page(paper: \"a4\", margin: (x: 2cm, y: 2cm), numbering: \"1\")\n\
         #set text(font: \"Libertinus Serif\", size: 10.5pt, lang: \"{lang}\", hyphenate: false)\n\
         #set par(justify: true)\n\
         #set table(stroke: 0.4pt + luma(160), inset: (x: 3pt, y: 2.5pt))\n\
         #show table.cell.where(y: 0): set text(weight: \"bold\")\n\
         #show heading: set block(above: 1.2em, below: 0.7em)\n\
         #show heading.where(level: 1): set text(size: 13pt)\n\
         #show heading.where(level: 2): set text(size: 11.5pt)\n\
         #align(center, text(size: 15pt, weight: \"bold\", {title}))\n",
        title = lit(title),
        lang = lang.code(),
    );
}

fn heading(out: &mut String, level: u8, text: &str) {
    let _ = writeln!(out, "#heading(level: {level}, {})\n", lit(text));
}

fn paragraph(out: &mut String, text: &str) {
    let _ = writeln!(out, "#{}\n", lit(text));
}

fn small(out: &mut String, text: &str) {
    let _ = writeln!(out, "#text(size: 8.5pt, {})\n", lit(text));
}

/// A table in 8 pt: `widths` in typst (`auto`, `1fr`), `right` the right-aligned
/// columns, the header repeated on every page.
fn table(out: &mut String, widths: &[&str], right: &[bool], header: &[&str], rows: &[Vec<String>]) {
    let align: Vec<&str> = right.iter().map(|&r| if r { "right" } else { "left" }).collect();
    let _ = write!(
        out,
        "#text(size: 8pt, table(columns: ({},), align: ({},),\n  table.header({}),\n",
        widths.join(", "),
        align.join(", "),
        header.iter().map(|h| lit(h)).collect::<Vec<_>>().join(", ")
    );
    for row in rows {
        let _ = writeln!(out, "  {},", row.iter().map(|c| lit(c)).collect::<Vec<_>>().join(", "));
    }
    out.push_str("))\n\n");
}

/// One bar of a chart: its label, its share (0..=1) of the axis, the value written
/// after it and its colour (`RRGGBB`).
struct Bar<'a> {
    label: &'a str,
    share: f64,
    value: &'a str,
    colour: &'a str,
}

/// Horizontal bars: labels on the left, bars as wide as their share of the axis.
fn bar_chart(out: &mut String, label_width: &str, bars: &[Bar]) {
    let _ = writeln!(
        out,
        "#block(breakable: true, grid(columns: ({label_width}, 1fr, 1.3cm), column-gutter: 5pt, row-gutter: 2.5pt, \
         align: (right + horizon, left + horizon, left + horizon),"
    );
    for bar in bars {
        let _ = writeln!(
            out,
            "  text(size: 8pt, {}), rect(width: {:.3}%, height: 7pt, fill: rgb(\"#{}\"), stroke: none), text(size: 8pt, {}),",
            lit(bar.label),
            bar.share.clamp(0.0, 1.0) * 100.0,
            bar.colour,
            lit(bar.value)
        );
    }
    out.push_str("))\n\n");
}

/// A colour swatch and its text, for a chart's legend.
fn swatch(colour: &str, text: &str) -> String {
    format!(
        "#box(rect(width: 7pt, height: 7pt, fill: rgb(\"#{colour}\"), stroke: none)) #text(size: 8.5pt, {})#h(1em)",
        lit(text)
    )
}

pub fn report(report: &Report) -> Result<Vec<u8>, DocumentError> {
    compile_pdf(report_markup(report))
}

pub(crate) fn report_markup(report: &Report) -> String {
    let l = &report.labels;
    let mut out = String::with_capacity(32 * 1024);
    preamble(&mut out, report.lang, &report.title);
    if let Some(approval) = &report.approval {
        let _ = writeln!(out, "#align(center, emph({}))\n", lit(approval));
    }
    heading(&mut out, 1, l.summary);
    paragraph(&mut out, &report.summary);
    heading(&mut out, 1, l.results);
    for group in &report.groups {
        group_section(&mut out, report, group);
    }
    if let Some(robustness) = &report.robustness {
        robustness_section(&mut out, report, robustness);
    }
    heading(&mut out, 1, l.gaps);
    paragraph(&mut out, l.gaps_intro);
    for gaps in &report.gaps {
        gap_section(&mut out, report, gaps);
    }
    out
}

fn group_section(out: &mut String, report: &Report, group: &GroupSection) {
    let l = &report.labels;
    heading(out, 2, &group.name);
    paragraph(out, &group.overview);
    let _ = writeln!(out, "#text(weight: \"bold\", {})\n", lit(l.chart));
    let bars: Vec<Bar> = group
        .rows
        .iter()
        .map(|r| Bar { label: &r.unit, share: r.bar(group.axis), value: &r.total, colour: r.colour })
        .collect();
    bar_chart(out, "5.2cm", &bars);
    let _ = write!(out, "#text(size: 8.5pt, weight: \"bold\", {}) ", lit(&format!("{}:", l.band_counts)));
    for band in &group.bands {
        out.push_str(&swatch(band.colour, &format!("{} ({}): {}", band.label, band.min, band.count)));
    }
    out.push_str("\n\n");
    let mut widths = vec!["auto", "1fr", "auto", "auto"];
    widths.extend(group.indicators.iter().map(|_| "auto"));
    let mut right = vec![true, false, true, false];
    right.extend(group.indicators.iter().map(|_| true));
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
    table(out, &widths, &right, &header, &rows);
    let legend: Vec<String> = group
        .indicators
        .iter()
        .map(|i| match &i.max {
            Some(max) => format!("{} — {} ({max})", i.code, i.name),
            None => format!("{} — {}", i.code, i.name),
        })
        .collect();
    small(out, &format!("{}: {}", l.main_indicators, legend.join("; ")));
}

fn robustness_section(out: &mut String, report: &Report, robustness: &Robustness) {
    let l = &report.labels;
    heading(out, 1, l.robustness);
    paragraph(out, &robustness.intro);
    for group in &robustness.groups {
        heading(out, 2, &group.name);
        if let Some(note) = &group.note {
            paragraph(out, note);
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
            table(
                out,
                &["auto", "1fr", "auto", "auto", "auto"],
                &[true, false, false, true, true],
                &[l.rank, l.unit, l.band, l.interval, l.band_kept],
                &rows,
            );
        }
    }
    if let Some(conclusion) = &robustness.conclusion {
        paragraph(out, conclusion);
    }
}

fn gap_section(out: &mut String, report: &Report, gaps: &GapGroup) {
    let l = &report.labels;
    heading(out, 2, &gaps.name);
    if !gaps.weakest.is_empty() {
        let _ = writeln!(out, "#strong({})\n", lit(&format!("{}:", l.weakest)));
        let items: Vec<String> = gaps
            .weakest
            .iter()
            .map(|w| lit(&format!("{} — {}: {}", w.code, w.name, w.mean_percent)))
            .collect();
        let _ = writeln!(out, "#list({})\n", items.join(", "));
    }
    let _ = writeln!(out, "#strong({})\n", lit(&format!("{}:", l.closest)));
    if gaps.closest.is_empty() {
        paragraph(out, l.none_closer);
        return;
    }
    let rows: Vec<Vec<String>> = gaps
        .closest
        .iter()
        .map(|c| {
            vec![c.rank.to_string(), c.unit.clone(), c.band.clone(), c.next_band.clone(), c.needed.clone()]
        })
        .collect();
    table(
        out,
        &["auto", "1fr", "auto", "auto", "auto"],
        &[true, false, false, false, true],
        &[l.rank, l.unit, l.band, l.next_band, l.needed],
        &rows,
    );
}

pub fn monitoring(report: &MonitoringReport) -> Result<Vec<u8>, DocumentError> {
    compile_pdf(monitoring_markup(report))
}

pub(crate) fn monitoring_markup(report: &MonitoringReport) -> String {
    let l = &report.labels;
    let mut out = String::with_capacity(16 * 1024);
    preamble(&mut out, report.lang, &report.title);
    paragraph(&mut out, &report.counts);
    heading(&mut out, 1, l.kpis);
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
    table(
        &mut out,
        &["1fr", "auto", "auto", "auto", "auto", "auto", "auto"],
        &[false, false, true, true, true, true, false],
        &[l.kpi, l.unit, l.latest, l.target, l.progress, l.forecast, l.status],
        &rows,
    );
    small(&mut out, l.forecast_note);
    heading(&mut out, 1, l.chart);
    let bars: Vec<Bar> = report
        .rows
        .iter()
        .filter_map(|r| {
            r.progress_share.map(|share| Bar { label: &r.name, share, value: &r.progress, colour: r.colour })
        })
        .collect();
    bar_chart(&mut out, "7.5cm", &bars);
    heading(&mut out, 1, l.at_risk);
    if report.at_risk.is_empty() {
        paragraph(&mut out, l.none_at_risk);
    } else {
        let items: Vec<String> = report
            .at_risk
            .iter()
            .map(|item| format!("[#strong({}) — #{}]", lit(&item.name), lit(&item.detail)))
            .collect();
        let _ = writeln!(out, "#list({})\n", items.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_escapes_quotes_backslashes_and_control_characters() {
        assert_eq!(lit("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(lit("x\ny\u{7}"), "\"x\\ny\\u{7}\"");
        assert_eq!(lit("#*_$@<script>"), "\"#*_$@<script>\"");
    }

    #[test]
    fn hostile_text_typesets_as_written() {
        let mut markup = String::new();
        preamble(&mut markup, Lang::Vi, "<script>#x*_$@\\ \" ] ) }");
        paragraph(&mut markup, "#set page(paper: \"a5\")\n= not a heading // not a comment");
        let pdf = compile_pdf(markup).unwrap_or_else(|e| panic!("{e}"));
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
