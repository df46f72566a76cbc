//! The results document (`chiso score --format json`, the spec's format) as a
//! type: what the web app reads back from publications and the API serves. The
//! writer in [`crate::render::json`] streams the same document from the scoring
//! results without building it (a national round has a third of a million lines);
//! a test holds the two to one shape: every document written reads into
//! [`ResultsDoc`] and serialises back to the same JSON.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultsDoc {
    pub year: i32,
    pub name: String,
    pub overall: OverallDoc,
    pub groups: Vec<GroupDoc>,
    pub units: Vec<UnitDoc>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverallDoc {
    pub mean: Option<f64>,
    pub units: usize,
    pub band: String,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupDoc {
    pub code: String,
    pub name: String,
    pub units: usize,
    pub mean: Option<f64>,
    /// Band code → number of units, in the framework's band order.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub bands: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[cfg(test)]
mod tests {
    use super::ResultsDoc;
    use crate::{Files, Package};
    use chiso_core::Lang;
    use std::path::Path;

    #[test]
    fn every_written_document_reads_into_the_type_and_back_unchanged() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
        let package = Package::from_files(Files::dir(&dir)).unwrap_or_else(|e| panic!("{:?}", e.0));
        let results = package.score().unwrap_or_else(|e| panic!("{:?}", e.0));
        for lang in [Lang::Vi, Lang::En] {
            let mut written = Vec::new();
            crate::render::json::write(
                &mut written,
                &package.assessment,
                &results,
                &package.kpi_sources,
                lang,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            let value: serde_json::Value = serde_json::from_slice(&written).unwrap_or_else(|e| panic!("{e}"));
            let doc: ResultsDoc = serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(doc.units.len(), 32);
            let back = serde_json::to_value(&doc).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, value, "the document type and the writer disagree ({lang:?})");
        }
    }
}
