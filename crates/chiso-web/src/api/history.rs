//! A unit's results across every published round, restated through lineage before
//! the unit existed (a merged department, a commune formed in 2025).

use super::{ApiError, ErrorBody, LangQuery, lang_of};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chiso_io::render::clean;
use chiso_store::{HistoryPoint, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitHistory {
    code: String,
    /// The unit's name in the latest round that has it.
    name: String,
    /// Oldest year first.
    points: Vec<HistoryPointDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPointDoc {
    year: i32,
    round: i64,
    publication: i64,
    /// Preliminary results, open to contests.
    preliminary: bool,
    /// The total on `scale` (a restated total only when its predecessors share a scale).
    total: Option<f64>,
    scale: Option<f64>,
    /// The total as percent of its scale: what compares across years and scales.
    percent: Option<f64>,
    /// Main indicators by code, as percent of their maximum.
    main: Vec<MainDoc>,
    /// Not the unit's own result: restated from its predecessors (`from`).
    restated: bool,
    from: Vec<FromDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MainDoc {
    code: String,
    percent: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FromDoc {
    code: String,
    name: String,
}

/// A unit's published results in every round, restated on its predecessors before it existed.
#[utoipa::path(get, path = "/api/v1/units/{code}/history", tag = "rounds",
    params(("code" = String, Path, description = "Mã đơn vị · Unit code"), LangQuery),
    responses((status = 200, description = "The unit's history, oldest year first", body = UnitHistory),
              (status = 404, description = "No published round has this unit", body = ErrorBody)))]
pub(super) async fn get_history(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Json<UnitHistory>, ApiError> {
    let lang = lang_of(&query)?;
    let points = match state.store.unit_history(&code).await {
        Ok(points) => points,
        Err(StoreError::NotFound { .. }) => return Err(ApiError::not_found()),
        Err(error) => return Err(error.into()),
    };
    let name = points
        .last()
        .and_then(|p| p.from.iter().find(|(c, _)| *c == code))
        .map(|(_, names)| names.get(lang).to_owned())
        .unwrap_or_else(|| code.clone());
    let points = points
        .into_iter()
        .map(|p: HistoryPoint| HistoryPointDoc {
            year: p.year,
            round: p.round.0,
            publication: p.publication.0,
            preliminary: p.preliminary,
            total: p.total.map(clean),
            scale: p.scale,
            percent: p.percent.map(clean),
            main: p
                .main
                .into_iter()
                .map(|(code, percent)| MainDoc { code, percent: clean(percent) })
                .collect(),
            restated: p.restated,
            from: p
                .from
                .into_iter()
                .map(|(code, names)| FromDoc { code, name: names.get(lang).to_owned() })
                .collect(),
        })
        .collect();
    Ok(Json(UnitHistory { code, name, points }))
}
