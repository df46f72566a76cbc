//! The reports as Markdown (CommonMark with GitHub tables). Every text of the
//! model is escaped, so a unit named `<script>` or `*_#|` is shown as written and
//! never becomes markup. Charts are bars of block characters in the tables.

use super::model::{GapGroup, GroupSection, Report, Robustness};
use super::monitoring::MonitoringReport;
use std::fmt::Write;

/// Cells of a text bar at full length.
const BAR: usize = 20;

/// Plain text as Markdown inline text: a backslash before every character that
/// could start markup, line breaks as spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '$' | '&' | '@' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Plain text as a paragraph: [`escape`], and a list or heading marker at its start
/// ("- ", "1. ", "=") escaped too.
fn paragraph(text: &str) -> String {
    let text = escape(text.trim_start());
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    match text[digits..].chars().next() {
        Some(c @ ('.' | ')')) if digits > 0 => format!("{}\\{c}{}", &text[..digits], &text[digits + 1..]),
        Some('-' | '+' | '=') if digits == 0 => format!("\\{text}"),
        _ => text,
    }
}

fn bar(share: f64) -> String {
    let filled = (share.clamp(0.0, 1.0) * BAR as f64).round() as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(BAR - filled))
}

/// A GitHub table; `right` marks the right-aligned columns.
fn table(out: &mut String, header: &[String], right: &[bool], rows: &[Vec<String>]) {
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(header));
    let rule: Vec<String> =
        right.iter().map(|&r| if r { "---:".to_owned() } else { "---".to_owned() }).collect();
    out.push_str(&line(&rule));
    for row in rows {
        out.push_str(&line(row));
    }
    out.push('\n');
}

pub fn report(report: &Report) -> String {
    let l = &report.labels;
    let mut out = format!("# {}\n\n", escape(&report.title));
    if let Some(approval) = &report.approval {
        let _ = writeln!(out, "{}\n", paragraph(approval));
    }
    let _ = writeln!(out, "## {}\n\n{}\n", escape(l.summary), paragraph(&report.summary));
    let _ = writeln!(out, "## {}\n", escape(l.results));
    for group in &report.groups {
        group_section(&mut out, report, group);
    }
    if let Some(robustness) = &report.robustness {
        robustness_section(&mut out, report, robustness);
    }
    let _ = writeln!(out, "## {}\n\n{}\n", escape(l.gaps), paragraph(l.gaps_intro));
    for gaps in &report.gaps {
        gap_section(&mut out, report, gaps);
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn group_section(out: &mut String, report: &Report, group: &GroupSection) {
    let l = &report.labels;
    let _ = writeln!(out, "### {}\n\n{}\n", escape(&group.name), paragraph(&group.overview));
    let counts: Vec<String> = group
        .bands
        .iter()
        .map(|b| format!("{} ({}): {}", escape(&b.label), escape(&b.min), b.count))
        .collect();
    let _ = writeln!(out, "**{}:** {}\n", escape(l.band_counts), counts.join(" · "));
    let mut header: Vec<String> = [l.rank, l.unit, l.total, "", l.band].iter().map(|h| escape(h)).collect();
    header.extend(group.indicators.iter().map(|i| escape(&i.code)));
    let mut right = vec![true, false, true, false, false];
    right.extend(group.indicators.iter().map(|_| true));
    let rows: Vec<Vec<String>> = group
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![
                r.rank.to_string(),
                escape(&r.unit),
                escape(&r.total),
                bar(r.bar(group.axis)),
                escape(&r.band),
            ];
            row.extend(r.indicators.iter().map(|v| escape(v)));
            row
        })
        .collect();
    table(out, &header, &right, &rows);
    let legend: Vec<String> = group
        .indicators
        .iter()
        .map(|i| match &i.max {
            Some(max) => format!("{} — {} ({})", escape(&i.code), escape(&i.name), escape(max)),
            None => format!("{} — {}", escape(&i.code), escape(&i.name)),
        })
        .collect();
    let _ = writeln!(out, "*{}:* {}\n", escape(l.main_indicators), legend.join("; "));
}

fn robustness_section(out: &mut String, report: &Report, robustness: &Robustness) {
    let l = &report.labels;
    let _ = writeln!(out, "## {}\n\n{}\n", escape(l.robustness), paragraph(&robustness.intro));
    for group in &robustness.groups {
        let _ = writeln!(out, "### {}\n", escape(&group.name));
        if let Some(note) = &group.note {
            let _ = writeln!(out, "{}\n", paragraph(note));
        }
        if !group.rows.is_empty() {
            let header: Vec<String> =
                [l.rank, l.unit, l.band, l.interval, l.band_kept].iter().map(|h| escape(h)).collect();
            let rows: Vec<Vec<String>> = group
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.rank.to_string(),
                        escape(&r.unit),
                        escape(&r.band),
                        escape(&r.interval),
                        escape(&r.kept),
                    ]
                })
                .collect();
            table(out, &header, &[true, false, false, true, true], &rows);
        }
    }
    if let Some(conclusion) = &robustness.conclusion {
        let _ = writeln!(out, "{}\n", paragraph(conclusion));
    }
}

fn gap_section(out: &mut String, report: &Report, gaps: &GapGroup) {
    let l = &report.labels;
    let _ = writeln!(out, "### {}\n", escape(&gaps.name));
    if !gaps.weakest.is_empty() {
        let _ = writeln!(out, "**{}:**\n", escape(l.weakest));
        for w in &gaps.weakest {
            let _ = writeln!(out, "- {} — {}: {}", escape(&w.code), escape(&w.name), escape(&w.mean_percent));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "**{}:**\n", escape(l.closest));
    if gaps.closest.is_empty() {
        let _ = writeln!(out, "{}\n", paragraph(l.none_closer));
        return;
    }
    let header: Vec<String> =
        [l.rank, l.unit, l.band, l.next_band, l.needed].iter().map(|h| escape(h)).collect();
    let rows: Vec<Vec<String>> = gaps
        .closest
        .iter()
        .map(|c| {
            vec![
                c.rank.to_string(),
                escape(&c.unit),
                escape(&c.band),
                escape(&c.next_band),
                escape(&c.needed),
            ]
        })
        .collect();
    table(out, &header, &[true, false, false, false, true], &rows);
}

pub fn monitoring(report: &MonitoringReport) -> String {
    let l = &report.labels;
    let mut out = format!("# {}\n\n{}\n\n", escape(&report.title), paragraph(&report.counts));
    let _ = writeln!(out, "## {}\n", escape(l.kpis));
    let header: Vec<String> = [l.kpi, l.unit, l.latest, l.target, l.progress, "", l.forecast, l.status]
        .iter()
        .map(|h| escape(h))
        .collect();
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                escape(&r.name),
                escape(&r.unit),
                escape(&r.latest),
                escape(&r.target),
                escape(&r.progress),
                r.progress_share.map(bar).unwrap_or_default(),
                escape(&r.forecast),
                escape(&r.status),
            ]
        })
        .collect();
    table(&mut out, &header, &[false, false, true, true, true, false, true, false], &rows);
    let _ = writeln!(out, "*{}*\n", escape(l.forecast_note));
    let _ = writeln!(out, "## {}\n", escape(l.at_risk));
    if report.at_risk.is_empty() {
        let _ = writeln!(out, "{}", paragraph(l.none_at_risk));
    }
    for item in &report.at_risk {
        let _ = writeln!(out, "- **{}** — {}", escape(&item.name), escape(&item.detail));
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_and_lines_joined() {
        assert_eq!(escape("<script>#x*_$@\\"), "\\<script\\>\\#x\\*\\_\\$\\@\\\\");
        assert_eq!(escape("a|b\nc"), "a\\|b c");
        assert_eq!(escape("Sở Thông tin và Truyền thông"), "Sở Thông tin và Truyền thông");
    }

    #[test]
    fn a_paragraph_cannot_start_a_list_or_heading() {
        assert_eq!(paragraph("1. Sở"), "1\\. Sở");
        assert_eq!(paragraph("- Sở"), "\\- Sở");
        assert_eq!(paragraph("2024: Sở"), "2024: Sở");
    }

    #[test]
    fn the_bar_is_proportional_and_bounded() {
        assert_eq!(bar(0.5).chars().filter(|&c| c == '█').count(), 10);
        assert_eq!(bar(1.5).chars().filter(|&c| c == '█').count(), BAR);
        assert_eq!(bar(-1.0).chars().filter(|&c| c == '█').count(), 0);
    }
}
