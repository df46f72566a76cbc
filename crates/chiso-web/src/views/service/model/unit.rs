//! `/service/units/{code}`: a unit's indicators, what it lacks, and its months.

use super::*;

/// One indicator of a unit, as its page lists it.
#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub code: String,
    pub name: String,
    /// "85,3 %", "4,20 ngày", or "—".
    pub rate_text: String,
    /// "12 / 15", or "—".
    pub counts_text: String,
    /// Points and max; empty for an indicator that earns none.
    pub points_text: String,
    pub max_text: String,
    /// The points it misses (sort key) and their text ("" when none).
    pub lost: f64,
    pub lost_text: String,
    /// `ok`, `no_data`, `not_applicable`, `missing_input`.
    pub status: &'static str,
    pub status_name: &'static str,
    /// What it lacks, in words ("" when nothing).
    pub lacks: String,
    /// Earns points (not 2.2, 3.1–3.3, nor a department's 5.3).
    pub scored: bool,
    /// Among the unit's largest losses.
    pub highlight: bool,
}

/// A group of a unit's indicators.
#[derive(Debug, Clone)]
pub struct UnitGroup {
    pub code: String,
    pub name: String,
    pub points_text: String,
    pub max_text: String,
    pub lost_text: String,
    pub indicators: Vec<IndicatorRow>,
}

/// A unit's scores in one period.
#[derive(Debug, Clone)]
pub struct UnitPeriod {
    pub total_text: String,
    /// "3 / 15"; empty for the province.
    pub rank_text: String,
    pub change_text: String,
    pub change_class: &'static str,
    /// The points lost over every indicator.
    pub lost_text: String,
    pub groups: Vec<UnitGroup>,
    /// The indicators that lose points, largest loss first (at most five).
    pub losses: Vec<IndicatorRow>,
    /// A department's total is scaled from 98 (5.3 does not apply) to 100.
    pub scaled: bool,
}

/// `/service/units/{code}`.
#[derive(Debug, Clone)]
pub struct UnitModel {
    pub code: String,
    pub name: String,
    /// "Sở, ban, ngành" / "Departments"; the province's name for the province.
    pub level_name: String,
    pub is_province: bool,
    pub period: String,
    pub period_label: String,
    /// The periods of the document, newest first.
    pub periods: Vec<PeriodOption>,
    /// `None`: not scored in this period (no dossiers).
    pub current: Option<UnitPeriod>,
    pub series_chart: String,
    pub series: Vec<SeriesRow>,
    /// Back to the rankings of the period.
    pub overview_url: String,
}

/// Where `code` is in a period: its document and level (`None` for the province).
fn unit_in<'a>(period: &'a PeriodDocument, code: &str) -> Option<(&'a UnitDocument, Option<Level>)> {
    if code == PROVINCE_CODE {
        return Some((&period.province, None));
    }
    let levels = [(Level::Department, &period.levels.department), (Level::Commune, &period.levels.commune)];
    levels
        .into_iter()
        .find_map(|(level, units)| units.iter().find(|u| u.code == code).map(|u| (u, Some(level))))
}

fn count_text(value: Option<f64>, lang: Lang) -> String {
    value.map_or_else(|| "—".to_owned(), |v| crate::i18n::grouped(lang, v, 2))
}

fn indicator_row(i: &IndicatorDocument, missing: &HashSet<&str>, lang: Lang) -> IndicatorRow {
    let code = i.indicator();
    let rule = code.map(IndicatorCode::rule);
    let scored = code.is_some_and(IndicatorCode::is_scored) && i.status != Status::NotApplicable;
    let lost = if scored { (i.max - i.points).max(0.0) } else { 0.0 };
    let rate_text = match (rule, i.value, i.rate) {
        (Some(Rule::Mean), Some(Some(days)), _) => {
            format!("{} {}", lang.number(days, 2), lang.pick("ngày", "days"))
        }
        (_, _, Some(rate)) => format!("{} %", lang.number(rate * 100.0, 1)),
        _ => "—".to_owned(),
    };
    let counts_text = match (i.numerator, i.denominator) {
        (None, None) => "—".to_owned(),
        (n, d) => format!("{} / {}", count_text(n, lang), count_text(d, lang)),
    };
    let target = match rule {
        Some(Rule::Target(t)) => Some(t),
        Some(Rule::Reported { target }) => target,
        _ => None,
    };
    let lacks = match (i.status, code) {
        (Status::MissingInput, Some(code)) => missing_text(code, missing, lang),
        // The points missed are in their own column; an indicator scored against a
        // target says at what rate it earns them all.
        (Status::Ok, _) if lost >= 0.005 => match target {
            Some(t) => match lang {
                Lang::Vi => format!("đủ điểm khi đạt {} %", lang.number(t * 100.0, 0)),
                Lang::En => format!("full points at {} %", lang.number(t * 100.0, 0)),
            },
            None => String::new(),
        },
        (Status::NoData, _) if scored && i.points < i.max => lang
            .pick("không có hồ sơ nào để hài lòng: 0 điểm", "no dossier to satisfy anyone: 0 points")
            .to_owned(),
        (_, _) if !scored && i.status != Status::NotApplicable => match target {
            Some(t) => match lang {
                Lang::Vi => {
                    format!("chỉ theo dõi, không tính điểm (mục tiêu {} %)", lang.number(t * 100.0, 0))
                }
                Lang::En => format!("reported, no points (target {} %)", lang.number(t * 100.0, 0)),
            },
            None => lang.pick("chỉ theo dõi, không tính điểm", "reported, no points").to_owned(),
        },
        _ => String::new(),
    };
    IndicatorRow {
        code: i.code.clone(),
        name: code.map_or_else(|| i.code.clone(), |c| c.name(lang).to_owned()),
        rate_text,
        counts_text,
        points_text: if scored { points(i.points, lang) } else { String::new() },
        max_text: if scored { max_text(i.max, lang) } else { String::new() },
        lost,
        lost_text: if lost >= 0.005 { lang.number(lost, 2) } else { String::new() },
        status: i.status.code(),
        status_name: i.status.name(lang),
        lacks,
        scored,
        highlight: false,
    }
}

fn unit_period(unit: &UnitDocument, level_size: Option<usize>, lang: Lang) -> UnitPeriod {
    let missing = missing_set(unit);
    let mut groups: Vec<UnitGroup> = unit
        .groups
        .iter()
        .map(|g: &GroupDocument| {
            let indicators: Vec<IndicatorRow> =
                g.indicators.iter().map(|i| indicator_row(i, &missing, lang)).collect();
            let lost: f64 = indicators.iter().map(|i| i.lost).sum();
            UnitGroup {
                code: g.code.clone(),
                name: group_name(&g.code, lang),
                points_text: points(g.points, lang),
                max_text: max_text(g.max, lang),
                lost_text: if lost >= 0.005 { lang.number(lost, 2) } else { String::new() },
                indicators,
            }
        })
        .collect();
    // The largest losses stand out: the three largest are highlighted in their
    // group, and the five largest listed first.
    let mut order: Vec<(usize, usize, f64)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, group)| group.indicators.iter().enumerate().map(move |(i, row)| (g, i, row.lost)))
        .filter(|(_, _, lost)| *lost >= 0.005)
        .collect();
    order.sort_by(|a, b| b.2.total_cmp(&a.2));
    for &(g, i, _) in order.iter().take(3) {
        groups[g].indicators[i].highlight = true;
    }
    let losses = order.iter().take(5).map(|&(g, i, _)| groups[g].indicators[i].clone()).collect();
    let lost: f64 = order.iter().map(|(_, _, l)| l).sum();
    UnitPeriod {
        total_text: points(unit.total, lang),
        rank_text: match (unit.rank, level_size) {
            (Some(rank), Some(size)) => format!("{rank} / {size}"),
            _ => String::new(),
        },
        change_text: signed(unit.change, lang),
        change_class: change_class(unit.change),
        lost_text: lang.number(lost, 2),
        groups,
        losses,
        scaled: unit.groups.iter().flat_map(|g| &g.indicators).any(|i| i.status == Status::NotApplicable),
    }
}

/// `/service/units/{code}` for period `wanted` (the latest in which the unit was
/// scored, without one). `None` when the document never scored `code`, or has no
/// period `wanted`.
pub fn unit(
    doc: &ServiceIndexDocument,
    code: &str,
    wanted: Option<&str>,
    lang: Lang,
    names: &UnitNames,
) -> Option<UnitModel> {
    let scored: Vec<(usize, &UnitDocument, Option<Level>)> = doc
        .periods
        .iter()
        .enumerate()
        .filter_map(|(i, p)| unit_in(p, code).map(|(u, level)| (i, u, level)))
        .collect();
    let &(last, latest, level) = scored.last()?;
    let period = match wanted {
        Some(w) => doc.periods.iter().find(|p| p.period == w)?,
        None => &doc.periods[last],
    };
    let name = names.of(latest, lang);
    let level_size = |p: &PeriodDocument| match level {
        Some(Level::Department) => Some(p.levels.department.len()),
        Some(Level::Commune) => Some(p.levels.commune.len()),
        None => None,
    };
    let current = unit_in(period, code).map(|(u, _)| unit_period(u, level_size(period), lang));
    let mut series = vec![TrendSeries {
        name: name.clone(),
        values: doc.periods.iter().map(|p| unit_in(p, code).map(|(u, _)| rounded(u.total))).collect(),
    }];
    if level.is_some() {
        series.push(TrendSeries {
            name: province_name(lang).to_owned(),
            values: doc.periods.iter().map(|p| Some(rounded(p.province.total))).collect(),
        });
    }
    let chart = TrendChart {
        kind: "service_trend",
        labels: doc.periods.iter().map(|p| period_short(&p.period, lang)).collect(),
        series,
        selected: doc.periods.iter().position(|p| p.period == period.period),
    };
    let rows = scored
        .iter()
        .rev()
        .map(|&(i, u, _)| {
            let p = &doc.periods[i];
            SeriesRow {
                period: p.period.clone(),
                label: period_label(&p.period, lang),
                total_text: points(u.total, lang),
                change_text: signed(u.change, lang),
                rank_text: match (u.rank, level_size(p)) {
                    (Some(rank), Some(size)) => format!("{rank} / {size}"),
                    _ => String::new(),
                },
                url: unit_url(code, Some(&p.period)),
                selected: p.period == period.period,
            }
        })
        .collect();
    Some(UnitModel {
        code: code.to_owned(),
        name,
        level_name: match level {
            Some(level) => level.name(lang).to_owned(),
            None => province_name(lang).to_owned(),
        },
        is_province: level.is_none(),
        period: period.period.clone(),
        period_label: period_label(&period.period, lang),
        periods: period_options(doc, &period.period, lang),
        current,
        series_chart: chart.json(),
        series: rows,
        overview_url: format!("/service?period={}", crate::error::percent_encode(&period.period)),
    })
}
