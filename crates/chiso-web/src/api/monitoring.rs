//! Monitoring: the KPIs judged against their targets, and the stored observations
//! a page at a time.

use super::{ApiError, ErrorBody, LangQuery, lang_of};
use crate::state::AppState;
use crate::views::PROVINCE;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct KpiQuery {
    /// The year to judge (default: the latest with observations for the scope).
    year: Option<i32>,
    /// `province` (default) or a unit code.
    scope: Option<String>,
    /// `vi` (default) or `en`.
    lang: Option<String>,
}

/// Every KPI judged against its target, as `chiso kpi --format json` prints it.
#[utoipa::path(get, path = "/api/v1/kpis", tag = "monitoring", params(KpiQuery),
    responses((status = 200, description = "`{year, scope, kpis: [{code, name, unit, direction, value, latest, previous_year, target, progress, forecast, status}]}`", body = Object),
              (status = 400, description = "Bad query", body = ErrorBody)))]
pub(super) async fn get_kpis(
    State(state): State<AppState>,
    Query(query): Query<KpiQuery>,
) -> Result<Json<Value>, ApiError> {
    let lang = lang_of(&LangQuery { lang: query.lang.clone() })?;
    let scope = query.scope.unwrap_or_else(|| PROVINCE.into());
    if scope.chars().count() > MAX_CODE_CHARS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("scope is longer than {MAX_CODE_CHARS} characters"),
        ));
    }
    let (version, monitoring) = crate::views::cache::current_monitoring(&state).await?;
    let key = (scope.clone(), query.year, lang);
    if let Some(doc) = state.views.kpi_json.get(version, &key) {
        return Ok(Json(Value::clone(&doc)));
    }
    let doc = match query.year.or_else(|| monitoring.latest_year(&scope)) {
        None => json!({ "year": null, "scope": scope, "kpis": [] }),
        Some(year) => {
            let statuses = monitoring.statuses(&scope, year);
            chiso_io::render::kpi::to_json(&monitoring, &scope, year, &statuses, lang)
        }
    };
    state.views.kpi_json.put(version, key, Arc::new(doc.clone()));
    Ok(Json(doc))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ObservationQuery {
    /// Only this KPI.
    kpi: Option<String>,
    /// Only this scope (`province` or a unit code).
    scope: Option<String>,
    /// Observations per page: 1,000 by default, at most 10,000.
    limit: Option<i64>,
    /// How many to skip (0 by default): the `next` link of a page says where the next starts.
    offset: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationJson {
    /// The KPI's code in the catalogue.
    kpi: String,
    /// `province` or a unit code.
    scope: String,
    /// `2024`, `2024-Q3`, `2024-09` or `2024-09-30`.
    period: String,
    value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// One page of observations.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Observations {
    observations: Vec<ObservationJson>,
    /// How many observations match the query in all.
    total: i64,
    limit: i64,
    offset: i64,
    /// The address of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// The longest code (KPI, scope, period) a query or a payload may hold, in characters.
pub const MAX_CODE_CHARS: usize = 100;

pub const DEFAULT_PAGE: i64 = 1_000;
pub const MAX_PAGE: i64 = 10_000;

/// Stored observations, by KPI in catalogue order, then scope and period, a page
/// at a time.
#[utoipa::path(get, path = "/api/v1/observations", tag = "monitoring", params(ObservationQuery),
    responses((status = 200, description = "A page of observations", body = Observations),
              (status = 400, description = "Bad query", body = ErrorBody)))]
pub(super) async fn list_observations(
    State(state): State<AppState>,
    Query(query): Query<ObservationQuery>,
) -> Result<Json<Observations>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    let offset = query.offset.unwrap_or(0);
    if !(1..=MAX_PAGE).contains(&limit) || offset < 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("limit must be 1 to {MAX_PAGE} and offset 0 or more"),
        ));
    }
    for (name, field) in [("kpi", &query.kpi), ("scope", &query.scope)] {
        if field.as_ref().is_some_and(|f| f.chars().count() > MAX_CODE_CHARS) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("{name} is longer than {MAX_CODE_CHARS} characters"),
            ));
        }
    }
    // The order (catalogue, scope, period) is sorted once per data version and kept:
    // a page is then a slice, whatever its offset.
    // As of this request: a client reads back what it has just written.
    let (version, monitoring) = crate::views::cache::monitoring_within(&state, Duration::ZERO).await?;
    let key = (query.kpi.clone(), query.scope.clone());
    let order = match state.views.observation_order.get(version, &key) {
        Some(order) => order,
        None => {
            let order =
                Arc::new(observation_order(&monitoring, query.kpi.as_deref(), query.scope.as_deref()));
            state.views.observation_order.put(version, key, order.clone());
            order
        }
    };
    let total = order.len() as i64;
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(order.len());
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(0)).min(order.len());
    let page = order[start..end].iter().map(|&i| {
        let o = &monitoring.observations[i];
        ObservationJson {
            kpi: monitoring.catalogue.kpis[o.kpi].code.clone(),
            scope: o.scope.clone(),
            period: o.period.to_string(),
            value: o.value,
            note: o.note.clone(),
        }
    });
    let next = (offset + limit < total).then(|| {
        let mut next = format!("/api/v1/observations?limit={limit}&offset={}", offset + limit);
        for (name, field) in [("kpi", &query.kpi), ("scope", &query.scope)] {
            if let Some(value) = field {
                next.push_str(&format!("&{name}={}", crate::error::percent_encode(value)));
            }
        }
        next
    });
    Ok(Json(Observations { observations: page.collect(), total, limit, offset, next }))
}

/// The observations of a KPI and/or scope (all when `None`), as indices into
/// `monitoring.observations` by KPI in catalogue order, then scope and period.
fn observation_order(
    monitoring: &chiso_core::kpi::Monitoring,
    kpi: Option<&str>,
    scope: Option<&str>,
) -> Vec<usize> {
    let kpi = kpi.map(|code| monitoring.catalogue.find(code));
    let mut order: Vec<(usize, &str, String, usize)> = monitoring
        .observations
        .iter()
        .enumerate()
        .filter(|(_, o)| kpi.is_none_or(|k| k == Some(o.kpi)) && scope.is_none_or(|s| s == o.scope))
        .map(|(i, o)| (o.kpi, o.scope.as_str(), o.period.to_string(), i))
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, _, _, i)| i).collect()
}
