//! The scores a workflow round publishes beside its results (self-assessed,
//! appraised, final), and the values `kpi:` leaves take at approval.

use crate::error::StoreError;
use crate::rounds::edit::ValueChange;
use chiso_io::render::clean;
use chiso_io::{Files, Package};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// Per unit: total and per-indicator scores, self-assessed and final.
#[derive(Debug, Serialize)]
struct StageScores {
    #[serde(rename = "self")]
    self_assessed: f64,
    appraised: f64,
    #[serde(rename = "final")]
    final_score: f64,
    indicators: BTreeMap<String, [Option<f64>; 3]>,
}

/// The self-assessed, appraised and final scores of every unit, as JSON. The
/// appraised scores are those of the values after appraisal; the final ones are
/// what the council approved — the same values, since approval does not change
/// any (kept apart so a later approval step may).
pub(super) fn stages_json(
    self_files: BTreeMap<String, Vec<u8>>,
    final_files: BTreeMap<String, Vec<u8>>,
) -> Result<String, StoreError> {
    let own = Package::from_files(Files::Memory(self_files))?;
    let appraised = Package::from_files(Files::Memory(final_files))?;
    let (own_results, appraised_results) = (own.score()?, appraised.score()?);
    let mut units = BTreeMap::new();
    for (u, unit) in appraised.assessment.units.iter().enumerate() {
        let framework = appraised.assessment.framework_of(u);
        let find =
            |results: &chiso_core::AssessmentResults| results.units.iter().find(|r| r.unit == u).cloned();
        let (Some(mine), Some(theirs)) = (find(&own_results), find(&appraised_results)) else { continue };
        let indicators = framework
            .indicators
            .iter()
            .enumerate()
            .map(|(i, indicator)| {
                let (own, appraised) = (mine.scores[i].map(clean), theirs.scores[i].map(clean));
                (indicator.code.clone(), [own, appraised, appraised])
            })
            .collect();
        units.insert(
            unit.code.clone(),
            StageScores {
                self_assessed: clean(mine.total),
                appraised: clean(theirs.total),
                final_score: clean(theirs.total),
                indicators,
            },
        );
    }
    serde_json::to_string(&json!({ "units": units })).map_err(StoreError::corrupt)
}
/// The values that `kpi:` leaves without one take from the monitoring data: the
/// KPI's yearly value for the unit in the round's year, noted with where it came
/// from. KPIs the catalogue lacks are left missing, as `chiso score` without
/// `--monitoring` leaves them.
pub(super) fn kpi_values(
    files: Files,
    monitoring: &chiso_core::kpi::Monitoring,
) -> Result<Vec<ValueChange>, StoreError> {
    let package = Package::from_files(files)?;
    let a = &package.assessment;
    let (fills, _unknown) = chiso_core::kpi::kpi_fills(a, &package.values, monitoring);
    Ok(fills
        .into_iter()
        .map(|fill| ValueChange {
            unit: a.units[fill.unit].code.clone(),
            indicator: a.framework_of(fill.unit).indicators[fill.indicator].code.clone(),
            value: fill.value.to_string(),
            note: Some(format!("kpi:{} {}", monitoring.catalogue.kpis[fill.kpi].code, fill.year)),
            expected_version: None,
        })
        .collect())
}
