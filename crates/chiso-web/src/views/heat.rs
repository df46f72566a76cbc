//! A group's units × main indicators as percent of each indicator's maximum: the
//! heat map of the overview (which pillar is weakest, where), also a ranking per
//! main indicator (each column sorts).

use super::round::RoundView;
use chiso_core::{Lang, Method};

#[derive(Debug, Clone, Default)]
pub struct HeatMap {
    /// The main indicators: (code, name).
    pub columns: Vec<(String, String)>,
    pub rows: Vec<HeatRow>,
}

#[derive(Debug, Clone)]
pub struct HeatRow {
    pub name: String,
    pub url: String,
    /// Per column: (percent for sorting, as shown, heat level 0–4); level 5: no value.
    pub cells: Vec<(f64, String, u8)>,
}

/// The heat map of group `group` of the round, units in rank order.
pub fn heat_map(view: &RoundView, group: &str, lang: Lang) -> HeatMap {
    let Some(g) = view.assessment.groups.iter().position(|x| x.code == group) else {
        return HeatMap::default();
    };
    let framework = &view.assessment.groups[g].framework;
    let points = matches!(framework.method, Method::Points);
    let columns = framework
        .top
        .iter()
        .map(|&i| (framework.indicators[i].code.clone(), framework.indicators[i].name.get(lang).to_owned()))
        .collect();
    let rows = view
        .doc(lang)
        .units
        .iter()
        .filter(|u| u.group == group)
        .map(|unit| HeatRow {
            name: unit.name.clone(),
            url: format!("/rounds/{}/units/{}", view.round.id, unit.code),
            cells: framework
                .top
                .iter()
                .map(|&i| {
                    let indicator = &framework.indicators[i];
                    match unit.scores.get(&indicator.code) {
                        Some(&score) => {
                            let percent = if points && indicator.max > 0.0 {
                                score / indicator.max * 100.0
                            } else {
                                score
                            };
                            let level = (percent / 20.0).floor().clamp(0.0, 4.0) as u8;
                            (percent, lang.number(percent, 0), level)
                        }
                        None => (-1.0, "—".into(), 5),
                    }
                })
                .collect(),
        })
        .collect();
    HeatMap { columns, rows }
}
