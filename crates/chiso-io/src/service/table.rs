//! `chiso service-index` as readable text in one language: per period the
//! province's total, then each level's ranking with the six groups' points; with
//! `--unit`, that unit's indicators one by one.

use super::document::province_name;
use crate::render::table::{Align, layout};
use chiso_core::Lang;
use chiso_core::service_index::{
    GROUPS, IndicatorScore, Level, PeriodKind, PeriodScores, Rule, ScopeScore, ServiceIndex, Status, UnitId,
};

/// The whole text, ending with a line break.
pub fn render(index: &ServiceIndex, lang: Lang, unit: Option<UnitId>) -> String {
    let by = match index.kind {
        PeriodKind::Month => lang.pick("theo tháng", "by month"),
        PeriodKind::Quarter => lang.pick("theo quý", "by quarter"),
        PeriodKind::Year => lang.pick("theo năm", "by year"),
    };
    let mut out = format!(
        "{}, {by}\n",
        lang.pick(
            "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
            "Public-service quality index (Decision 766/QD-TTg)"
        )
    );
    let groups: Vec<String> =
        GROUPS.iter().map(|g| format!("{} {} ({})", g.code, g.name(lang), g.max)).collect();
    out.push_str(&format!("{}: {}\n", lang.pick("Nhóm", "Groups"), groups.join(" · ")));
    if index.periods.is_empty() {
        out.push_str(lang.pick("\nKhông có kỳ nào có hồ sơ.\n", "\nNo period has dossiers.\n"));
    }
    for period in &index.periods {
        out.push_str(&period_text(index, period, lang, unit));
    }
    out
}

fn signed(value: Option<f64>, lang: Lang) -> String {
    match value {
        Some(v) if v > 0.0 && lang.number(v, 2) != lang.number(0.0, 2) => format!("+{}", lang.number(v, 2)),
        Some(v) => lang.number(v, 2),
        None => "—".to_string(),
    }
}

fn period_text(index: &ServiceIndex, period: &PeriodScores, lang: Lang, unit: Option<UnitId>) -> String {
    let p = &period.province;
    let mut out = format!(
        "\n{} {}\n{}: {}/100 ({} {})\n",
        lang.pick("Kỳ", "Period"),
        period.period,
        province_name(lang),
        lang.number(p.total, 2),
        lang.pick("thay đổi", "change"),
        signed(p.change, lang),
    );
    if !p.missing_inputs.is_empty() {
        let codes: Vec<&str> = p.missing_inputs.iter().map(|c| c.code()).collect();
        out.push_str(&format!(
            "{}: {}\n",
            lang.pick("Thiếu dữ liệu đầu vào (0 điểm)", "Missing inputs (0 points)"),
            codes.join(", ")
        ));
    }
    if let Some(id) = unit {
        out.push_str(&unit_text(index, period, id, lang));
        return out;
    }
    for level in Level::ALL {
        let scores = period.level(level);
        if scores.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} ({})\n", level.name(lang), scores.len()));
        out.push_str(&ranking(index, scores, lang));
    }
    out
}

fn ranking(index: &ServiceIndex, scores: &[ScopeScore], lang: Lang) -> String {
    let mut header = match lang {
        Lang::Vi => vec!["Hạng", "Mã", "Đơn vị", "Tổng điểm", "Thay đổi"],
        Lang::En => vec!["Rank", "Code", "Unit", "Total", "Change"],
    };
    let group_codes: Vec<String> = GROUPS.iter().map(|g| g.code.to_string()).collect();
    header.extend(group_codes.iter().map(String::as_str));
    let mut align = vec![Align::Right, Align::Left, Align::Left, Align::Right, Align::Right];
    align.extend(GROUPS.iter().map(|_| Align::Right));
    let rows: Vec<Vec<String>> = scores
        .iter()
        .map(|s| {
            let unit = s.unit().map(|id| index.catalogue.unit(id));
            let mut row = vec![
                s.rank.map(|r| r.to_string()).unwrap_or_default(),
                unit.map(|u| u.code.clone()).unwrap_or_default(),
                unit.map(|u| u.name.clone()).unwrap_or_default(),
                lang.number(s.total, 2),
                signed(s.change, lang),
            ];
            row.extend(s.groups.iter().map(|g| lang.number(g.points, 2)));
            row
        })
        .collect();
    layout(&header, &align, &rows)
}

fn unit_text(index: &ServiceIndex, period: &PeriodScores, id: UnitId, lang: Lang) -> String {
    let unit = index.catalogue.unit(id);
    let Some(score) = period.unit(id) else {
        return format!(
            "\n{} {}: {}\n",
            unit.code,
            unit.name,
            lang.pick("không được chấm kỳ này (không có hồ sơ)", "not scored this period (no dossiers)")
        );
    };
    let mut out = format!(
        "\n{} {} — {} {}, {} {}/100 ({} {})\n",
        unit.code,
        unit.name,
        lang.pick("hạng", "rank"),
        score.rank.map(|r| r.to_string()).unwrap_or_default(),
        lang.pick("tổng điểm", "total"),
        lang.number(score.total, 2),
        lang.pick("thay đổi", "change"),
        signed(score.change, lang),
    );
    let header = match lang {
        Lang::Vi => ["Mã", "Chỉ số", "Tử số", "Mẫu số", "Tỷ lệ", "Điểm", "Tối đa", "Trạng thái"],
        Lang::En => ["Code", "Indicator", "Numerator", "Denominator", "Rate", "Points", "Max", "Status"],
    };
    let align = [
        Align::Left,
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Left,
    ];
    let rows: Vec<Vec<String>> = score.indicators().map(|i| indicator_row(i, lang)).collect();
    out.push_str(&layout(&header, &align, &rows));
    out
}

fn indicator_row(i: &IndicatorScore, lang: Lang) -> Vec<String> {
    let count = |v: Option<f64>| v.map(|v| lang.plain(v)).unwrap_or_default();
    let shown = match (i.code.rule(), i.value, i.rate) {
        (Rule::Mean, Some(days), _) => format!("{} {}", lang.number(days, 2), lang.pick("ngày", "days")),
        (_, _, Some(rate)) => format!("{} %", lang.number(rate * 100.0, 1)),
        _ => String::new(),
    };
    let scored = i.code.is_scored() && i.status != Status::NotApplicable;
    vec![
        i.code.code().to_string(),
        i.code.name(lang).to_string(),
        count(i.numerator),
        count(i.denominator),
        shown,
        if scored { lang.number(i.points, 2) } else { String::new() },
        if scored { lang.number(i.max, 0) } else { String::new() },
        i.status.name(lang).to_string(),
    ]
}
