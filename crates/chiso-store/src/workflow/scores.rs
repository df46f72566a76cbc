//! The scores a workflow round publishes beside its results (self-assessed,
//! appraised, final), and the values `kpi:` leaves take at approval.

use crate::error::StoreError;
use crate::rounds::edit::ValueChange;
use crate::rounds::typed;
use crate::rounds::values_csv::ValueText;
use chiso_core::Assessment;
use chiso_io::render::clean;
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

/// The self-assessed, appraised and final scores of every unit, as JSON, from the
/// value rows before (`own`) and after appraisal. The final scores are what the
/// council approved — the appraised ones, since approval does not change any
/// (kept apart so a later approval step may).
pub(super) fn stages_json(
    model: &Assessment,
    own: &[ValueText],
    appraised: &[ValueText],
) -> Result<String, StoreError> {
    let own_results = typed::score(model, &typed::typed_values(model, own)?)?;
    let appraised_results = typed::score(model, &typed::typed_values(model, appraised)?)?;
    let mut units = BTreeMap::new();
    for (mine, theirs) in own_results.units.iter().zip(&appraised_results.units) {
        debug_assert_eq!(mine.unit, theirs.unit);
        let framework = model.framework_of(theirs.unit);
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
            model.units[theirs.unit].code.clone(),
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
    model: &Assessment,
    rows: &[ValueText],
    monitoring: &chiso_core::kpi::Monitoring,
) -> Result<Vec<ValueChange>, StoreError> {
    let values = typed::typed_values(model, rows)?;
    let (fills, _unknown) = chiso_core::kpi::kpi_fills(model, &values, monitoring);
    Ok(fills
        .into_iter()
        .map(|fill| ValueChange {
            unit: model.units[fill.unit].code.clone(),
            indicator: model.framework_of(fill.unit).indicators[fill.indicator].code.clone(),
            value: fill.value.to_string(),
            note: Some(format!("kpi:{} {}", monitoring.catalogue.kpis[fill.kpi].code, fill.year)),
            expected_version: None,
        })
        .collect())
}
