//! Chart data handed to the browser (static/app.js draws it with ECharts). The
//! JSON goes into a `data-chart` attribute, which the template escapes.

use crate::geo::FeatureCollection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Chart {
    /// Units per band: one bar per band, labelled with its count.
    Bands { labels: Vec<String>, codes: Vec<String>, counts: Vec<u64>, axis: String },
    /// Points against the maximum per main indicator.
    Points { labels: Vec<String>, points: Vec<f64>, max: Vec<f64>, points_name: String, max_name: String },
    /// The main indicators in percent of their maximum.
    Radar { labels: Vec<String>, percent: Vec<f64>, series: String },
    /// Units' areas filled by band: `areas` holds one GeoJSON feature per unit, named
    /// by its code; `aspect` is the map's `aspectScale` (see `geo::aspect`).
    Map {
        areas: FeatureCollection,
        aspect: f64,
        units: Vec<MapUnit>,
        bands: Vec<MapBand>,
        tooltip_total: String,
    },
    /// A unit's total across years in percent of scale (0–100 axis); restated
    /// years drawn hollow.
    History {
        years: Vec<String>,
        percent: Vec<Option<f64>>,
        restated: Vec<bool>,
        series: String,
        restated_label: String,
    },
    /// Yearly values of a KPI with its target. `percent`: the axis runs 0–100;
    /// `lower_is_better` (a rank): the axis is inverted, so up means better. Other
    /// axes start at 0.
    Kpi {
        years: Vec<i32>,
        values: Vec<Option<f64>>,
        target: Option<KpiTarget>,
        unit: String,
        series: String,
        percent: bool,
        lower_is_better: bool,
    },
}

/// A band of the map's legend, in the framework's order (best first).
#[derive(Debug, Clone, Serialize)]
pub struct MapBand {
    pub code: String,
    pub label: String,
}

/// A unit on the map: `code` names its area; `short` is its name for the area's
/// label; `band` is its band's index in `bands`.
#[derive(Debug, Clone, Serialize)]
pub struct MapUnit {
    pub code: String,
    pub name: String,
    pub short: String,
    pub total: String,
    pub band: usize,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct KpiTarget {
    pub year: i32,
    pub value: f64,
    pub label: String,
}

impl Chart {
    pub fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".into())
    }
}
