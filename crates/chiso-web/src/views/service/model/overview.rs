//! `/service`: the province's summary, its trend and the rankings of one period.

use super::*;

/// A group's column of the rankings.
#[derive(Debug, Clone)]
pub struct GroupHead {
    pub code: String,
    pub name: String,
    pub max_text: String,
}

/// A group's card on the province's summary.
#[derive(Debug, Clone)]
pub struct GroupCard {
    pub code: String,
    pub name: String,
    pub points_text: String,
    pub max_text: String,
    /// 0–100, the bar's width.
    pub percent: u32,
}

/// A unit's row in a ranking.
#[derive(Debug, Clone)]
pub struct RankRow {
    pub rank: String,
    pub code: String,
    pub name: String,
    pub url: String,
    /// Sort keys, then texts.
    pub total_key: String,
    pub total_text: String,
    pub change_key: String,
    pub change_text: String,
    pub change_class: &'static str,
    /// Per group: (sort key, text).
    pub groups: Vec<(String, String)>,
}

/// One level's ranking (departments or communes).
#[derive(Debug, Clone)]
pub struct LevelTable {
    /// `department` or `commune`.
    pub level: &'static str,
    pub name: &'static str,
    pub rows: Vec<RankRow>,
    /// The ranking as CSV, for the period shown.
    pub csv_url: String,
}

/// `/service` for one period.
#[derive(Debug, Clone)]
pub struct Overview {
    pub period: String,
    pub period_label: String,
    /// Newest first.
    pub periods: Vec<PeriodOption>,
    pub latest: bool,
    /// The period before, as a label ("Tháng 2/2025"), when the document has it.
    pub previous_label: Option<String>,
    pub total_text: String,
    pub change_text: String,
    pub change_class: &'static str,
    pub groups: Vec<GroupCard>,
    pub trend_chart: String,
    pub trend: Vec<SeriesRow>,
    pub heads: Vec<GroupHead>,
    pub levels: Vec<LevelTable>,
    /// Indicators without their input in this document, described.
    pub missing_inputs: Vec<String>,
    pub province_url: String,
}

fn heads(lang: Lang) -> Vec<GroupHead> {
    GROUPS
        .iter()
        .map(|g| GroupHead {
            code: g.code.to_string(),
            name: g.name(lang).to_owned(),
            max_text: max_text(g.max, lang),
        })
        .collect()
}

fn rank_row(unit: &UnitDocument, period: &str, lang: Lang, names: &UnitNames) -> RankRow {
    RankRow {
        rank: unit.rank.map(|r| r.to_string()).unwrap_or_default(),
        code: unit.code.clone(),
        name: names.of(unit, lang),
        url: unit_url(&unit.code, Some(period)),
        total_key: format!("{:.4}", unit.total),
        total_text: points(unit.total, lang),
        change_key: change_key(unit.change),
        change_text: signed(unit.change, lang),
        change_class: change_class(unit.change),
        groups: GROUPS
            .iter()
            .map(|g| {
                let found = unit.groups.iter().find(|d| d.code == g.code.to_string());
                match found {
                    Some(d) => (format!("{:.4}", d.points), points(d.points, lang)),
                    None => ("-1".to_owned(), "—".to_owned()),
                }
            })
            .collect(),
    }
}

/// The province's totals over every period, as a chart and rows.
fn province_trend(doc: &ServiceIndexDocument, selected: &str, lang: Lang) -> (String, Vec<SeriesRow>) {
    let chart = TrendChart {
        kind: "service_trend",
        labels: doc.periods.iter().map(|p| period_short(&p.period, lang)).collect(),
        series: vec![TrendSeries {
            name: province_name(lang).to_owned(),
            values: doc.periods.iter().map(|p| Some(rounded(p.province.total))).collect(),
        }],
        selected: doc.periods.iter().position(|p| p.period == selected),
    };
    let rows = doc
        .periods
        .iter()
        .rev()
        .map(|p| SeriesRow {
            period: p.period.clone(),
            label: period_label(&p.period, lang),
            total_text: points(p.province.total, lang),
            change_text: signed(p.province.change, lang),
            rank_text: String::new(),
            url: format!("/service?period={}", crate::error::percent_encode(&p.period)),
            selected: p.period == selected,
        })
        .collect();
    (chart.json(), rows)
}

/// `/service`: the province and the rankings of period `wanted` (the latest
/// without one); `None` when the document has no such period.
pub fn overview(
    doc: &ServiceIndexDocument,
    wanted: Option<&str>,
    lang: Lang,
    names: &UnitNames,
) -> Option<Overview> {
    let period = find_period(doc, wanted)?;
    let index = doc.periods.iter().position(|p| p.period == period.period)?;
    let province = &period.province;
    let (trend_chart, trend) = province_trend(doc, &period.period, lang);
    let missing = missing_set(province);
    let levels = [(Level::Department, &period.levels.department), (Level::Commune, &period.levels.commune)]
        .into_iter()
        .filter(|(_, units)| !units.is_empty())
        .map(|(level, units)| LevelTable {
            level: level.code(),
            name: level.name(lang),
            rows: units.iter().map(|u| rank_row(u, &period.period, lang, names)).collect(),
            csv_url: format!(
                "/service/tables/{}.csv?period={}&lang={}",
                level_file(level),
                crate::error::percent_encode(&period.period),
                lang.code()
            ),
        })
        .collect();
    Some(Overview {
        period: period.period.clone(),
        period_label: period_label(&period.period, lang),
        periods: period_options(doc, &period.period, lang),
        latest: index + 1 == doc.periods.len(),
        previous_label: index.checked_sub(1).map(|i| period_label(&doc.periods[i].period, lang)),
        total_text: points(province.total, lang),
        change_text: signed(province.change, lang),
        change_class: change_class(province.change),
        groups: GROUPS
            .iter()
            .map(|g| {
                let found = province.groups.iter().find(|d| d.code == g.code.to_string());
                let (p, max) = found.map_or((0.0, g.max), |d| (d.points, d.max));
                GroupCard {
                    code: g.code.to_string(),
                    name: g.name(lang).to_owned(),
                    points_text: points(p, lang),
                    max_text: max_text(max, lang),
                    percent: if max > 0.0 { (p / max * 100.0).clamp(0.0, 100.0).round() as u32 } else { 0 },
                }
            })
            .collect(),
        trend_chart,
        trend,
        heads: heads(lang),
        levels,
        missing_inputs: province
            .missing_inputs
            .iter()
            .filter_map(|code| IndicatorCode::parse(code))
            .map(|code| {
                format!("{} {} ({})", code.code(), code.name(lang), missing_text(code, &missing, lang))
            })
            .collect(),
        province_url: unit_url(PROVINCE_CODE, Some(&period.period)),
    })
}
