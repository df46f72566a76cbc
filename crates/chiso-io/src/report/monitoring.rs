//! The steering committee's monitoring report (báo cáo theo dõi chỉ tiêu) as a
//! model in one language: how many KPIs are where, every KPI against its target
//! with its forecast, and the targets at risk of not being reached. Statuses and
//! forecasts are `chiso_core::kpi`'s (a forecast of a KPI in % is already capped
//! at 100 there); this module only words them.

use super::colour::status_colour;
use crate::render::kpi::{STATUS_ORDER, number, scope_name, with_unit};
use chiso_core::Lang;
use chiso_core::kpi::{KpiStatus, Monitoring, Status, YearlyRule};
use chiso_core::rank::round_half_away;

/// The monitoring report in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringReport {
    pub lang: Lang,
    pub labels: MonitoringLabels,
    pub title: String,
    /// "Năm 2025, toàn tỉnh có 20 chỉ tiêu được theo dõi: …".
    pub counts: String,
    /// Every KPI, off track and at risk first (as `chiso kpi` lists them).
    pub rows: Vec<KpiRow>,
    /// The KPIs off track or at risk: forecast to miss their target.
    pub at_risk: Vec<RiskItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiRow {
    pub name: String,
    pub unit: String,
    /// "6,76 (2024)", or with the latest period of a KPI that keeps its last value.
    pub latest: String,
    /// "10 (2025)".
    pub target: String,
    /// "67,6%".
    pub progress: String,
    /// Value over target (or target over value when lower is better), for the chart.
    pub progress_share: Option<f64>,
    /// The forecast for the target's year: "7,32 (2025)".
    pub forecast: String,
    pub status: String,
    pub colour: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RiskItem {
    pub name: String,
    /// "chệch hướng: dự báo 7,32 % vào năm 2025, mục tiêu 10 % (Nghị quyết …)."
    pub detail: String,
}

/// The monitoring report's fixed words in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoringLabels {
    pub kpis: &'static str,
    pub kpi: &'static str,
    pub unit: &'static str,
    pub latest: &'static str,
    pub target: &'static str,
    pub progress: &'static str,
    pub forecast: &'static str,
    pub status: &'static str,
    pub forecast_note: &'static str,
    pub chart: &'static str,
    pub at_risk: &'static str,
    pub none_at_risk: &'static str,
}

impl MonitoringLabels {
    pub fn of(lang: Lang) -> MonitoringLabels {
        match lang {
            Lang::Vi => MonitoringLabels {
                kpis: "Tình hình thực hiện các chỉ tiêu",
                kpi: "Chỉ tiêu",
                unit: "Đơn vị tính",
                latest: "Giá trị gần nhất",
                target: "Mục tiêu",
                progress: "Tiến độ",
                forecast: "Dự báo",
                status: "Tình trạng",
                forecast_note: "Dự báo: giá trị ước tính cho năm của mục tiêu theo xu hướng (bình phương tối thiểu) của các năm đã có số liệu; chỉ tiêu tính theo % không vượt quá 100. Tiến độ: giá trị gần nhất so với mục tiêu.",
                chart: "Tiến độ so với mục tiêu",
                at_risk: "Nội dung có nguy cơ không hoàn thành",
                none_at_risk: "Không có chỉ tiêu nào có nguy cơ không hoàn thành.",
            },
            Lang::En => MonitoringLabels {
                kpis: "Progress of every KPI",
                kpi: "KPI",
                unit: "Unit",
                latest: "Latest value",
                target: "Target",
                progress: "Progress",
                forecast: "Forecast",
                status: "Status",
                forecast_note: "Forecast: the value the trend (least squares) of the years with data reaches in the target's year; a KPI in % never passes 100. Progress: the latest value against the target.",
                chart: "Progress towards the targets",
                at_risk: "Targets at risk",
                none_at_risk: "No target is at risk of not being reached.",
            },
        }
    }
}

impl MonitoringReport {
    pub fn build(monitoring: &Monitoring, scope: &str, year: i32, lang: Lang) -> MonitoringReport {
        let statuses = monitoring.statuses(scope, year);
        let ordered: Vec<&KpiStatus> =
            STATUS_ORDER.iter().flat_map(|&st| statuses.iter().filter(move |s| s.status == st)).collect();
        let where_ = match scope {
            "province" => scope_name(scope, lang).to_owned(),
            unit => format!("{} {unit}", lang.pick("đơn vị", "unit")),
        };
        let title = match lang {
            Lang::Vi => format!("Báo cáo theo dõi thực hiện chỉ tiêu chuyển đổi số — {where_}, năm {year}"),
            Lang::En => format!("Digital transformation targets: monitoring report — {where_}, {year}"),
        };
        MonitoringReport {
            lang,
            labels: MonitoringLabels::of(lang),
            title,
            counts: counts(&statuses, &where_, year, lang),
            rows: ordered.iter().map(|s| kpi_row(monitoring, s, lang)).collect(),
            at_risk: ordered
                .iter()
                .filter(|s| matches!(s.status, Status::OffTrack | Status::AtRisk))
                .map(|s| risk_item(monitoring, s, lang))
                .collect(),
        }
    }
}

/// "Năm 2025, toàn tỉnh có 20 chỉ tiêu được theo dõi: 3 đã đạt, 2 đúng hướng, …".
/// On track, at risk, missed and no data are always counted; the other statuses
/// when some KPI has them.
fn counts(statuses: &[KpiStatus], where_: &str, year: i32, lang: Lang) -> String {
    const ORDER: [(Status, bool); 7] = [
        (Status::Met, false),
        (Status::OnTrack, true),
        (Status::AtRisk, true),
        (Status::OffTrack, false),
        (Status::Missed, true),
        (Status::NoTarget, false),
        (Status::NoData, true),
    ];
    let parts: Vec<String> = ORDER
        .iter()
        .filter_map(|&(status, always)| {
            let n = statuses.iter().filter(|s| s.status == status).count();
            (always || n > 0).then(|| format!("{n} {}", count_word(status, lang)))
        })
        .collect();
    let total = statuses.len();
    match lang {
        Lang::Vi => {
            format!("Năm {year}, {where_} có {total} chỉ tiêu được theo dõi: {}.", join(&parts, " và "))
        }
        Lang::En => format!(
            "In {year}, {where_} monitors {total} {}: {}.",
            if total == 1 { "KPI" } else { "KPIs" },
            join(&parts, " and ")
        ),
    }
}

fn count_word(status: Status, lang: Lang) -> &'static str {
    match status {
        Status::Met => lang.pick("đã đạt", "met"),
        Status::OnTrack => lang.pick("đúng hướng", "on track"),
        Status::AtRisk => lang.pick("có nguy cơ không đạt", "at risk"),
        Status::OffTrack => lang.pick("chệch hướng", "off track"),
        Status::Missed => lang.pick("không đạt", "missed"),
        Status::NoTarget => lang.pick("chưa có mục tiêu", "with no target"),
        Status::NoData => lang.pick("chưa có số liệu", "with no data"),
    }
}

fn join(parts: &[String], last: &str) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., end] => format!("{}{last}{end}", init.join(", ")),
    }
}

fn kpi_row(monitoring: &Monitoring, s: &KpiStatus, lang: Lang) -> KpiRow {
    let kpi = &monitoring.catalogue.kpis[s.kpi];
    let latest = match (s.value, s.latest) {
        (Some((_, v)), Some((period, _))) if kpi.aggregate == YearlyRule::Last => {
            format!("{} ({period})", number(lang, v))
        }
        (Some((y, v)), _) => format!("{} ({y})", number(lang, v)),
        (None, _) => "—".into(),
    };
    let target =
        s.target.as_ref().map_or("—".into(), |t| format!("{} ({})", number(lang, t.value), t.year));
    let forecast = match (s.forecast, &s.target) {
        (Some(f), Some(t)) => format!("{} ({})", number(lang, f), t.year),
        _ => "—".into(),
    };
    KpiRow {
        name: kpi.name.get(lang).to_owned(),
        unit: kpi.unit.get(lang).to_owned(),
        latest,
        target,
        progress: s
            .progress
            .map_or("—".into(), |p| format!("{}%", lang.plain(round_half_away(p * 100.0, 1)))),
        progress_share: s.progress,
        forecast,
        status: s.status.label().get(lang).to_owned(),
        colour: status_colour(s.status),
    }
}

fn risk_item(monitoring: &Monitoring, s: &KpiStatus, lang: Lang) -> RiskItem {
    let kpi = &monitoring.catalogue.kpis[s.kpi];
    let unit = kpi.unit.get(lang);
    let status = count_word(s.status, lang);
    let (target, basis) = match &s.target {
        Some(t) => (
            format!("{} ({})", with_unit(lang, t.value, unit), t.year),
            t.basis.as_ref().map(|b| format!(", {}", b.get(lang))).unwrap_or_default(),
        ),
        None => ("—".to_owned(), String::new()),
    };
    let expected = match (s.forecast, &s.target, s.value) {
        (Some(f), Some(t), _) => match lang {
            Lang::Vi => format!("dự báo đạt {} vào năm {}", with_unit(lang, f, unit), t.year),
            Lang::En => format!("forecast to reach {} in {}", with_unit(lang, f, unit), t.year),
        },
        (_, _, Some((y, v))) => match lang {
            Lang::Vi => {
                format!("chưa đủ số liệu để dự báo, giá trị gần nhất {} ({y})", with_unit(lang, v, unit))
            }
            Lang::En => format!("too few years to forecast, latest value {} ({y})", with_unit(lang, v, unit)),
        },
        _ => lang.pick("chưa có số liệu", "no data").to_owned(),
    };
    let detail = match lang {
        Lang::Vi => format!("{status}: {expected}; mục tiêu {target}{basis}."),
        Lang::En => format!("{status}: {expected}; target {target}{basis}."),
    };
    RiskItem { name: kpi.name.get(lang).to_owned(), detail }
}
