//! `chiso kpi`: every KPI of a scope judged against its target, as a table grouped
//! by status (what a leader must act on first) or as the spec's JSON.

use super::clean;
use super::table::{Align, layout};
use chiso_core::Lang;
use chiso_core::kpi::{KpiStatus, Monitoring, Status, YearlyRule};
use chiso_core::rank::round_half_away;
use serde_json::{Value, json};

/// The order statuses are shown in: off track and at risk first.
pub const STATUS_ORDER: [Status; 7] = [
    Status::OffTrack,
    Status::AtRisk,
    Status::Missed,
    Status::OnTrack,
    Status::Met,
    Status::NoTarget,
    Status::NoData,
];

pub fn to_json(monitoring: &Monitoring, scope: &str, year: i32, statuses: &[KpiStatus], lang: Lang) -> Value {
    let kpis: Vec<Value> = statuses
        .iter()
        .map(|s| {
            let kpi = &monitoring.catalogue.kpis[s.kpi];
            json!({
                "code": kpi.code,
                "name": kpi.name.get(lang),
                "unit": kpi.unit.get(lang),
                "direction": kpi.direction.code(),
                "value": s.value.map(|(y, v)| json!({ "year": y, "value": clean(v) })),
                "latest": s.latest.map(|(p, v)| json!({ "period": p.to_string(), "value": clean(v) })),
                "previous_year": s.previous_year.map(clean),
                "target": s.target.as_ref().map(|t| json!({ "year": t.year, "value": clean(t.value), "basis": t.basis.as_ref().map(|b| b.get(lang)) })),
                "progress": s.progress.map(clean),
                "forecast": s.forecast.map(clean),
                "status": s.status.code(),
            })
        })
        .collect();
    json!({ "year": year, "scope": scope, "kpis": kpis })
}

/// The province as the reader calls it; a unit by its code.
pub(crate) fn scope_name(scope: &str, lang: Lang) -> &str {
    if scope == "province" { lang.pick("toàn tỉnh", "the province") } else { scope }
}

/// Two decimals, or four for values below 1 (an index of 0.5478).
pub(crate) fn number(lang: Lang, value: f64) -> String {
    let decimals = if value.abs() < 1.0 { 4 } else { 2 };
    lang.plain(round_half_away(value, decimals))
}

pub(crate) fn with_unit(lang: Lang, value: f64, unit: &str) -> String {
    if unit.is_empty() { number(lang, value) } else { format!("{} {unit}", number(lang, value)) }
}

/// A ten-cell bar of progress towards the target, full at 100%.
pub fn progress_bar(progress: f64) -> String {
    let filled = (progress.clamp(0.0, 1.0) * 10.0).round() as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

pub fn render(monitoring: &Monitoring, scope: &str, year: i32, statuses: &[KpiStatus], lang: Lang) -> String {
    let mut out = match lang {
        Lang::Vi => format!("Theo dõi chỉ tiêu — phạm vi: {}, năm {year}\n", scope_name(scope, lang)),
        Lang::En => format!("KPI monitoring — scope: {}, year {year}\n", scope_name(scope, lang)),
    };
    let header = match lang {
        Lang::Vi => ["Chỉ tiêu", "Giá trị (kỳ)", "Mục tiêu (năm, căn cứ)", "Tiến độ", "Dự báo"],
        Lang::En => ["KPI", "Value (period)", "Target (year, basis)", "Progress", "Forecast"],
    };
    use Align::{Left, Right};
    for status in STATUS_ORDER {
        let rows: Vec<Vec<String>> = statuses
            .iter()
            .filter(|s| s.status == status)
            .map(|s| {
                let kpi = &monitoring.catalogue.kpis[s.kpi];
                let value = match (s.value, s.latest) {
                    (Some((_, v)), Some((period, _))) if kpi.aggregate == YearlyRule::Last => {
                        format!("{} ({period})", with_unit(lang, v, kpi.unit.get(lang)))
                    }
                    (Some((y, v)), _) => format!("{} ({y})", with_unit(lang, v, kpi.unit.get(lang))),
                    (None, _) => "—".into(),
                };
                let target = s.target.as_ref().map_or("—".into(), |t| {
                    let basis = t.basis.as_ref().map(|b| format!(", {}", b.get(lang))).unwrap_or_default();
                    format!("{} ({}{basis})", with_unit(lang, t.value, kpi.unit.get(lang)), t.year)
                });
                let progress = s.progress.map_or("—".into(), |p| {
                    format!("{} {}%", progress_bar(p), lang.plain(round_half_away(p * 100.0, 1)))
                });
                let forecast = s.forecast.map_or("—".into(), |f| with_unit(lang, f, kpi.unit.get(lang)));
                vec![kpi.name.get(lang).to_string(), value, target, progress, forecast]
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} ({})\n", status.label().get(lang), rows.len()));
        out.push_str(&layout(&header, &[Left, Left, Left, Left, Right], &rows));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_progress_and_stops_at_full() {
        assert_eq!(progress_bar(0.0), "░░░░░░░░░░");
        assert_eq!(progress_bar(0.5), "█████░░░░░");
        assert_eq!(progress_bar(1.7), "██████████");
    }
}
