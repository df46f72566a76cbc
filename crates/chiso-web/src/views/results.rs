//! The published results document (`chiso score --format json`), read back.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ResultsDoc {
    pub year: i32,
    pub name: String,
    pub overall: OverallDoc,
    pub groups: Vec<GroupDoc>,
    pub units: Vec<UnitDoc>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct OverallDoc {
    pub mean: Option<f64>,
    pub units: usize,
    pub band: String,
    pub rule: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct GroupDoc {
    pub code: String,
    pub name: String,
    pub units: usize,
    pub mean: Option<f64>,
    /// Band code → number of units, in the framework's band order.
    #[schema(value_type = Object)]
    pub bands: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct UnitDoc {
    pub code: String,
    pub name: String,
    pub group: String,
    pub total: Option<f64>,
    pub band: String,
    pub rank: usize,
    pub scores: HashMap<String, f64>,
    #[serde(default)]
    pub missing: Vec<String>,
    #[serde(default)]
    pub not_applicable: Vec<String>,
    /// Indicators filled from monitoring data: code → `kpi:<code> <period>`.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub sources: HashMap<String, String>,
}

impl GroupDoc {
    pub fn band_counts(&self) -> Vec<(String, u64)> {
        self.bands.iter().map(|(code, count)| (code.clone(), count.as_u64().unwrap_or(0))).collect()
    }
}
