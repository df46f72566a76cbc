//! A unit's history as its page shows it: one row per published round (total on
//! its own scale, percent of scale, restated rows marked with where they come
//! from) and a line of percent of scale, the measure that compares across years.

use super::chart::Chart;
use crate::error::AppError;
use crate::state::AppState;
use chiso_core::Lang;
use chiso_store::{HistoryPoint, StoreError};

#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub year: i32,
    pub round: i64,
    /// "659,1 / 1000".
    pub total_text: String,
    /// "65,91 %".
    pub percent_text: String,
    /// Restated: "Tính lại từ: Sở Tài chính, Sở Kế hoạch và Đầu tư".
    pub restated: Option<String>,
    pub preliminary: bool,
    /// Each main indicator of `HistoryView::main` as percent of its maximum ("—"
    /// in a year that had no indicator of that code).
    pub main: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct HistoryView {
    /// The unit's main indicators today: (code, name), the table's columns.
    pub main: Vec<(String, String)>,
    pub rows: Vec<HistoryRow>,
    pub chart: String,
    pub any_restated: bool,
}

/// The history of unit `code` with its main indicators `main` (code, name); `None`
/// when it has only this round (nothing to compare).
pub async fn load(
    state: &AppState,
    code: &str,
    main: Vec<(String, String)>,
    lang: Lang,
) -> Result<Option<HistoryView>, AppError> {
    let points = match state.store.unit_history(code).await {
        Ok(points) => points,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    if points.len() < 2 {
        return Ok(None);
    }
    Ok(Some(view(&points, main, lang)))
}

fn view(points: &[HistoryPoint], main: Vec<(String, String)>, lang: Lang) -> HistoryView {
    let rows: Vec<HistoryRow> = points
        .iter()
        .map(|p| HistoryRow {
            year: p.year,
            round: p.round.0,
            total_text: match (p.total, p.scale) {
                (Some(total), Some(scale)) => format!("{} / {}", lang.number(total, 2), lang.plain(scale)),
                (Some(total), None) => lang.number(total, 2),
                _ => "—".into(),
            },
            percent_text: p.percent.map_or("—".into(), |v| format!("{} %", lang.number(v, 2))),
            restated: p.restated.then(|| {
                let names: Vec<&str> = p.from.iter().map(|(_, names)| names.get(lang)).collect();
                format!("{}: {}", lang.pick("Tính lại từ", "Restated from"), names.join(", "))
            }),
            preliminary: p.preliminary,
            main: main
                .iter()
                .map(|(code, _)| {
                    p.main.iter().find(|(c, _)| c == code).map_or("—".into(), |(_, v)| lang.number(*v, 1))
                })
                .collect(),
        })
        .collect();
    let chart = Chart::History {
        years: points.iter().map(|p| p.year.to_string()).collect(),
        percent: points.iter().map(|p| p.percent.map(|v| (v * 100.0).round() / 100.0)).collect(),
        restated: points.iter().map(|p| p.restated).collect(),
        series: lang.pick("Tổng điểm (% thang điểm)", "Total (% of scale)").into(),
        restated_label: lang.pick("tính lại", "restated").into(),
    };
    HistoryView { any_restated: rows.iter().any(|r| r.restated.is_some()), main, rows, chart: chart.json() }
}
