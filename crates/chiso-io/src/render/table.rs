//! `chiso score` as a readable table: per group its ranking, then the means.

use chiso_core::{Assessment, AssessmentResults, Lang};
use unicode_width::UnicodeWidthStr;

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Right,
}

/// Lays out rows under a header, padding by display width (Vietnamese diacritics
/// are one column wide), two spaces between columns, a rule under the header.
pub fn layout(header: &[&str], align: &[Align], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (i, cell) in cells.enumerate() {
            let pad = widths[i].saturating_sub(cell.width());
            if i > 0 {
                out.push_str("  ");
            }
            if align[i] == Align::Right {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                if i + 1 < widths.len() {
                    out.push_str(&" ".repeat(pad));
                }
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(&mut header.iter().copied());
    let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    out.push_str(&"─".repeat(total));
    out.push('\n');
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

pub fn render(assessment: &Assessment, results: &AssessmentResults, lang: Lang) -> String {
    let precision = assessment.rank_precision;
    let mut out = format!("{} ({})\n", assessment.name.get(lang), assessment.year);
    for g in &results.groups {
        let group = &assessment.groups[g.group];
        let framework = &group.framework;
        out.push_str(&format!(
            "\n{} — {} {}\n",
            group.name.get(lang),
            g.units.len(),
            lang.pick("đơn vị", "units")
        ));
        let rows: Vec<Vec<String>> = g
            .units
            .iter()
            .map(|&i| {
                let r = &results.units[i];
                let unit = &assessment.units[r.unit];
                vec![
                    r.rank.to_string(),
                    unit.code.clone(),
                    unit.name.get(lang).to_string(),
                    lang.number(r.rounded, precision),
                    framework.bands[r.band].label.get(lang).to_string(),
                ]
            })
            .collect();
        let header = match lang {
            Lang::Vi => ["Hạng", "Mã", "Đơn vị", "Tổng điểm", "Xếp loại"],
            Lang::En => ["Rank", "Code", "Unit", "Total", "Band"],
        };
        use Align::{Left, Right};
        out.push_str(&layout(&header, &[Right, Left, Left, Right, Left], &rows));
        let counts: Vec<String> = framework
            .bands
            .iter()
            .zip(&g.band_counts)
            .map(|(band, n)| format!("{} {n}", band.label.get(lang)))
            .collect();
        out.push_str(&format!(
            "{}: {}   ({})\n",
            lang.pick("Điểm trung bình khối", "Group mean"),
            lang.number(g.mean, precision),
            counts.join(", ")
        ));
    }
    let first = &assessment.groups[0].framework;
    let rule = match assessment.overall {
        chiso_core::OverallRule::MeanOfGroups => {
            lang.pick("trung bình của các khối", "mean of the group means")
        }
        chiso_core::OverallRule::MeanOfUnits => lang.pick("trung bình của mọi đơn vị", "mean of all units"),
    };
    out.push_str(&format!(
        "\n{}: {} — {} ({}; {} {})\n",
        lang.pick("Điểm trung bình chung", "Overall mean"),
        lang.number(results.overall_mean, precision),
        first.bands[results.overall_band].label.get(lang),
        rule,
        results.unit_count,
        lang.pick("đơn vị", "units"),
    ));
    out
}
