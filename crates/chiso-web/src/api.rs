//! The JSON API under `/api/v1`, documented by OpenAPI (`/api/openapi.json`, a page
//! at `/api/docs`). Reading is public, like the pages; adding KPI observations
//! needs an API token with the `observations:write` scope.
//!
//! Every route is registered through `utoipa_axum::routes!`, which takes its path
//! from the handler's `#[utoipa::path]`: a route cannot exist without its entry
//! in the document (a test keeps it that way).

use crate::auth;
use crate::error::store_status;
use crate::i18n::parse_lang;
use crate::pages::admin::OBSERVATIONS_WRITE;
use crate::pages::public::PROVINCE;
use crate::state::AppState;
use crate::views::results::{ResultsDoc, UnitDoc};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_core::kpi::Period;
use chiso_store::{Actor, NewObservation, PublicationInfo, RoundId, RowProblemKind, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chiso API",
        description = "Kết quả đánh giá chuyển đổi số đã công bố và số liệu theo dõi chỉ tiêu. \
                       Published digital transformation assessment results and KPI monitoring."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "rounds", description = "Đợt đánh giá đã công bố · Published assessment rounds"),
        (name = "monitoring", description = "Chỉ tiêu và số liệu · KPIs and observations"),
        (name = "operations", description = "Vận hành · Operations")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_rounds))
        .routes(routes!(get_round))
        .routes(routes!(get_results))
        .routes(routes!(list_units))
        .routes(routes!(get_unit))
        .routes(routes!(get_uncertainty))
        .routes(routes!(get_kpis))
        .routes(routes!(list_observations, post_observations))
        .routes(routes!(healthz))
        .split_for_parts()
}

// ---- errors -------------------------------------------------------------------

/// One bad field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// Where: `observations[2].period`.
    pub field: String,
    pub message: String,
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    fn new(status: StatusCode, error: impl Into<String>) -> ApiError {
        ApiError { status, body: ErrorBody { error: error.into(), errors: Vec::new() } }
    }

    fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not found")
    }

    fn fields(errors: Vec<FieldError>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody { error: "invalid request".into(), errors },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        let status = store_status(&error);
        if status.is_server_error() {
            tracing::error!(%error, "API request failed");
            return ApiError::new(status, "internal error");
        }
        ApiError::new(status, error.to_string())
    }
}

impl From<crate::error::AppError> for ApiError {
    fn from(error: crate::error::AppError) -> ApiError {
        match error {
            crate::error::AppError::NotFound => ApiError::not_found(),
            crate::error::AppError::Store(e) => e.into(),
            other => {
                tracing::error!(error = %other, "API request failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

// ---- rounds -------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
pub struct LangQuery {
    /// `vi` (default) or `en`: the language of names.
    lang: Option<String>,
}

fn lang_of(query: &LangQuery) -> Result<Lang, ApiError> {
    match query.lang.as_deref() {
        None => Ok(Lang::Vi),
        Some(code) => parse_lang(code).ok_or_else(|| {
            ApiError::fields(vec![FieldError { field: "lang".into(), message: "use vi or en".into() }])
        }),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Names {
    vi: String,
    en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicationSummary {
    id: i64,
    /// Unix milliseconds.
    published_at: i64,
    decision: String,
    /// SHA-256 of the package files the results were scored from.
    inputs_hash: String,
    /// The publication this one corrects.
    supersedes: Option<i64>,
}

impl From<&PublicationInfo> for PublicationSummary {
    fn from(p: &PublicationInfo) -> Self {
        PublicationSummary {
            id: p.id.0,
            published_at: p.published_at,
            decision: p.decision.clone(),
            inputs_hash: p.inputs_hash.clone(),
            supersedes: p.supersedes.map(|s| s.0),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundSummary {
    id: i64,
    year: i32,
    name: Names,
    /// The latest publication.
    publication: PublicationSummary,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupSummary {
    code: String,
    name: Names,
    framework: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDetail {
    id: i64,
    year: i32,
    name: Names,
    /// `mean_of_groups` or `mean_of_units`.
    overall: String,
    rank_precision: u32,
    groups: Vec<GroupSummary>,
    /// Newest first.
    publications: Vec<PublicationSummary>,
}

/// Published rounds, newest year first.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "rounds",
    responses((status = 200, description = "Các đợt đã công bố · Published rounds", body = Vec<RoundSummary>)))]
async fn list_rounds(State(state): State<AppState>) -> Result<Json<Vec<RoundSummary>>, ApiError> {
    let rounds = state.store.published_rounds().await?;
    Ok(Json(
        rounds
            .iter()
            .map(|p| RoundSummary {
                id: p.round.id.0,
                year: p.round.year,
                name: Names { vi: p.round.name.vi.clone(), en: p.round.name.en.clone() },
                publication: (&p.latest).into(),
            })
            .collect(),
    ))
}

/// A published round: its groups and publications.
#[utoipa::path(get, path = "/api/v1/rounds/{id}", tag = "rounds",
    params(("id" = i64, Path, description = "Mã đợt · Round id")),
    responses((status = 200, description = "The round", body = RoundDetail),
              (status = 404, description = "No such published round", body = ErrorBody)))]
async fn get_round(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<RoundDetail>, ApiError> {
    let id = RoundId(id);
    let publications = state.store.publications(id).await?;
    let round =
        state.store.round(id).await?.filter(|_| !publications.is_empty()).ok_or_else(ApiError::not_found)?;
    let groups = state.store.round_groups(id).await?;
    Ok(Json(RoundDetail {
        id: id.0,
        year: round.year,
        name: Names { vi: round.name.vi, en: round.name.en },
        overall: round.overall.code().into(),
        rank_precision: round.rank_precision,
        groups: groups
            .into_iter()
            .map(|g| GroupSummary {
                code: g.code,
                name: Names { vi: g.name.vi, en: g.name.en },
                framework: g.framework_path,
            })
            .collect(),
        publications: publications.iter().map(Into::into).collect(),
    }))
}

/// The results JSON of a round's latest publication, both languages, cached:
/// publications never change.
async fn published_results(state: &AppState, id: RoundId) -> Result<Arc<[String; 2]>, ApiError> {
    let latest = state.store.publications(id).await?.into_iter().next().ok_or_else(ApiError::not_found)?;
    if let Some(docs) = state.views.results(latest.id) {
        return Ok(docs);
    }
    let publication = state.store.publication(latest.id).await?.ok_or_else(ApiError::not_found)?;
    let docs = Arc::new([publication.results_json_vi, publication.results_json_en]);
    state.views.put_results(latest.id, docs.clone());
    Ok(docs)
}

fn pick(docs: &[String; 2], lang: Lang) -> &str {
    &docs[usize::from(lang == Lang::En)]
}

fn parse_doc(json: &str) -> Result<ResultsDoc, ApiError> {
    serde_json::from_str(json).map_err(|e| {
        tracing::error!(error = %e, "a stored publication cannot be read");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    })
}

/// The published results, exactly as `chiso score --format json` prints them.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/results", tag = "rounds",
    params(("id" = i64, Path, description = "Mã đợt · Round id"), LangQuery),
    responses((status = 200, description = "Kết quả đã công bố · The published results", body = ResultsDoc),
              (status = 404, description = "No such published round", body = ErrorBody)))]
async fn get_results(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<LangQuery>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&query)?;
    let docs = published_results(&state, RoundId(id)).await?;
    Ok(([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], pick(&docs, lang).to_owned())
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitSummary {
    code: String,
    name: String,
    group: String,
    total: Option<f64>,
    band: String,
    rank: usize,
}

/// The units of a published round with their totals, bands and ranks.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/units", tag = "rounds",
    params(("id" = i64, Path, description = "Mã đợt · Round id"), LangQuery),
    responses((status = 200, description = "Units in results order", body = Vec<UnitSummary>),
              (status = 404, description = "No such published round", body = ErrorBody)))]
async fn list_units(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<LangQuery>,
) -> Result<Json<Vec<UnitSummary>>, ApiError> {
    let lang = lang_of(&query)?;
    let docs = published_results(&state, RoundId(id)).await?;
    let doc = parse_doc(pick(&docs, lang))?;
    Ok(Json(
        doc.units
            .into_iter()
            .map(|u| UnitSummary {
                code: u.code,
                name: u.name,
                group: u.group,
                total: u.total,
                band: u.band,
                rank: u.rank,
            })
            .collect(),
    ))
}

/// One unit's published result with its score per indicator.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/units/{code}", tag = "rounds",
    params(("id" = i64, Path, description = "Mã đợt · Round id"), ("code" = String, Path, description = "Mã đơn vị · Unit code"), LangQuery),
    responses((status = 200, description = "The unit's result", body = UnitDoc),
              (status = 404, description = "No such round or unit", body = ErrorBody)))]
async fn get_unit(
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    Query(query): Query<LangQuery>,
) -> Result<Json<UnitDoc>, ApiError> {
    let lang = lang_of(&query)?;
    let docs = published_results(&state, RoundId(id)).await?;
    let doc = parse_doc(pick(&docs, lang))?;
    doc.units.into_iter().find(|u| u.code == code).map(Json).ok_or_else(ApiError::not_found)
}

/// The rank intervals of a published round (uncertainty analysis: ±25% on the main
/// indicators' weights, 1,000 samples, seed 42), or how far the background run is.
#[derive(Debug, Serialize, ToSchema)]
pub struct UncertaintyDoc {
    /// `running`, `ready` or `unavailable`.
    state: &'static str,
    /// Samples done and to do.
    done: usize,
    total: usize,
    /// Why there is no analysis (`unavailable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    samples: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    /// As `chiso analyze uncertainty --format json` (`ready`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<UncertaintyGroup>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UncertaintyGroup {
    code: String,
    units: Vec<UncertaintyUnit>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UncertaintyUnit {
    code: String,
    name: String,
    nominal: usize,
    mean: f64,
    median: f64,
    q05: f64,
    q95: f64,
    /// Share of samples in which the unit keeps its published band (0..1).
    band_kept: f64,
}

#[utoipa::path(get, path = "/api/v1/rounds/{id}/uncertainty", tag = "rounds",
    params(("id" = i64, Path, description = "Mã đợt · Round id"), LangQuery),
    responses((status = 200, description = "Khoảng thứ hạng · Rank intervals, or the progress of their analysis", body = UncertaintyDoc),
              (status = 404, description = "No such published round", body = ErrorBody)))]
async fn get_uncertainty(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<LangQuery>,
) -> Result<Json<UncertaintyDoc>, ApiError> {
    use crate::views::analysis::Robustness;
    let lang = lang_of(&query)?;
    let view = crate::views::round::load(&state, RoundId(id)).await?;
    let doc = match state.analyses.robustness(&view, lang) {
        Robustness::Running { done, total } => UncertaintyDoc {
            state: "running",
            done,
            total,
            message: None,
            samples: None,
            seed: None,
            groups: Vec::new(),
        },
        Robustness::Unavailable(message) => UncertaintyDoc {
            state: "unavailable",
            done: 0,
            total: 0,
            message: Some(message),
            samples: None,
            seed: None,
            groups: Vec::new(),
        },
        Robustness::Ready(result) => {
            let a = &view.assessment;
            UncertaintyDoc {
                state: "ready",
                done: result.samples,
                total: result.samples,
                message: None,
                samples: Some(result.samples),
                seed: Some(result.seed),
                groups: result
                    .groups
                    .iter()
                    .map(|g| UncertaintyGroup {
                        code: a.groups[g.group].code.clone(),
                        units: g
                            .units
                            .iter()
                            .map(|u| UncertaintyUnit {
                                code: a.units[u.unit].code.clone(),
                                name: a.units[u.unit].name.get(lang).to_owned(),
                                nominal: u.nominal,
                                mean: u.mean,
                                median: u.median,
                                q05: u.q05,
                                q95: u.q95,
                                band_kept: u.band_kept,
                            })
                            .collect(),
                    })
                    .collect(),
            }
        }
    };
    Ok(Json(doc))
}

// ---- monitoring -----------------------------------------------------------------

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
async fn get_kpis(
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

pub const DEFAULT_PAGE: i64 = 1_000;
pub const MAX_PAGE: i64 = 10_000;

/// Stored observations, by KPI in catalogue order, then scope and period, a page
/// at a time.
#[utoipa::path(get, path = "/api/v1/observations", tag = "monitoring", params(ObservationQuery),
    responses((status = 200, description = "A page of observations", body = Observations),
              (status = 400, description = "Bad query", body = ErrorBody)))]
async fn list_observations(
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

#[derive(Debug, Serialize, ToSchema)]
pub struct Added {
    /// How many observations were stored.
    added: usize,
}

/// Bounds of what one payload may hold: codes (KPI, scope, period) and notes, in
/// characters, and observations per request.
pub const MAX_CODE_CHARS: usize = 100;
pub const MAX_NOTE_CHARS: usize = 2_000;
pub const MAX_OBSERVATIONS_PER_REQUEST: usize = 10_000;

/// The API's own check of a payload, before the store's: every bad field named.
fn parse_observations(body: &[u8]) -> Result<Vec<NewObservation>, Vec<FieldError>> {
    let error = |field: String, message: &str| FieldError { field, message: message.into() };
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| vec![error("body".into(), &format!("not valid JSON: {e}"))])?;
    let Some(items) = value.get("observations").and_then(Value::as_array) else {
        return Err(vec![error("observations".into(), "an array of observations is required")]);
    };
    if items.is_empty() {
        return Err(vec![error("observations".into(), "the array is empty")]);
    }
    if items.len() > MAX_OBSERVATIONS_PER_REQUEST {
        let message = format!("at most {MAX_OBSERVATIONS_PER_REQUEST} observations per request");
        return Err(vec![error("observations".into(), &message)]);
    }
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |name: &str| format!("observations[{i}].{name}");
        let Some(object) = item.as_object() else {
            errors.push(error(format!("observations[{i}]"), "must be an object"));
            continue;
        };
        for key in object.keys() {
            if !["kpi", "scope", "period", "value", "note"].contains(&key.as_str()) {
                errors.push(error(at(key), "unknown field"));
            }
        }
        let text = |name: &str, errors: &mut Vec<FieldError>| match object.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::String(_)) => {
                errors.push(error(at(name), "must not be empty"));
                None
            }
            Some(_) => {
                errors.push(error(at(name), "must be a string"));
                None
            }
            None => {
                errors.push(error(at(name), "is required"));
                None
            }
        };
        let kpi = text("kpi", &mut errors);
        let scope = text("scope", &mut errors);
        let period = text("period", &mut errors);
        for (name, field, max) in [
            ("kpi", &kpi, MAX_CODE_CHARS),
            ("scope", &scope, MAX_CODE_CHARS),
            ("period", &period, MAX_CODE_CHARS),
        ] {
            if field.as_ref().is_some_and(|f| f.chars().count() > max) {
                errors.push(error(at(name), &format!("is longer than {max} characters")));
            }
        }
        if let Some(Value::String(note)) = object.get("note")
            && note.chars().count() > MAX_NOTE_CHARS
        {
            errors.push(error(at("note"), &format!("is longer than {MAX_NOTE_CHARS} characters")));
        }
        if let Some(p) = &period
            && p.parse::<Period>().is_err()
        {
            errors.push(error(at("period"), "is not a period: write 2024, 2024-Q3, 2024-09 or 2024-09-30"));
        }
        let value = match object.get("value") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(_) => {
                errors.push(error(at("value"), "must be a number"));
                None
            }
            None => {
                errors.push(error(at("value"), "is required"));
                None
            }
        };
        let note = match object.get("note") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                errors.push(error(at("note"), "must be a string"));
                None
            }
        };
        if let (Some(kpi), Some(scope), Some(period), Some(value)) = (kpi, scope, period, value) {
            rows.push(NewObservation { kpi, scope, period, value, note });
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// The field and message of a row the store refused.
pub fn row_problem_message(kind: &RowProblemKind, lang: Lang) -> String {
    let (_, en, vi) = row_problem(kind);
    lang.pick(&vi, &en).to_owned()
}

fn row_problem(kind: &RowProblemKind) -> (&'static str, String, String) {
    match kind {
        RowProblemKind::UnknownKpi { kpi } => (
            "kpi",
            format!("KPI {kpi:?} is not in the catalogue"),
            format!("chỉ tiêu \"{kpi}\" không có trong danh mục"),
        ),
        RowProblemKind::EmptyScope => ("scope", "the scope is empty".into(), "thiếu phạm vi".into()),
        RowProblemKind::BadPeriod { text } => (
            "period",
            format!("{text:?} is not a period"),
            format!("\"{text}\" không phải kỳ (viết 2024, 2024-Q3, 2024-09 hoặc 2024-09-30)"),
        ),
        RowProblemKind::NotFinite => {
            ("value", "not a finite number".into(), "giá trị không phải số hữu hạn".into())
        }
        RowProblemKind::DuplicateInBatch { first_row } => (
            "period",
            format!("the same KPI, scope and period are on row {first_row}"),
            format!("trùng chỉ tiêu, phạm vi và kỳ với dòng {first_row}"),
        ),
        RowProblemKind::AlreadyStored { period, .. } => (
            "period",
            format!("an observation for period {period} is already stored"),
            format!("đã có số liệu cho kỳ {period}"),
        ),
        RowProblemKind::Unanswered { indicator } => {
            ("value", format!("{indicator}: not answered"), format!("{indicator}: chưa trả lời"))
        }
        RowProblemKind::NoEvidence { indicator } => {
            ("evidence", format!("{indicator}: needs evidence"), format!("{indicator}: cần minh chứng"))
        }
        RowProblemKind::UnknownUnit { unit } => {
            ("unit", format!("unit {unit} is not in the round"), format!("đơn vị {unit} không có trong đợt"))
        }
        RowProblemKind::UnknownIndicator { indicator, .. } => (
            "indicator",
            format!("{indicator}: not an indicator of this unit's framework"),
            format!("{indicator}: không phải chỉ số trong bộ chỉ số của đơn vị"),
        ),
        RowProblemKind::NotALeaf { indicator } => (
            "indicator",
            format!("{indicator}: computed from its sub-indicators"),
            format!("{indicator}: được tính từ các chỉ số thành phần"),
        ),
        RowProblemKind::BadValue { indicator, problem, .. } => (
            "value",
            format!("{indicator}: {}", problem.message(Lang::En)),
            format!("{indicator}: {}", problem.message(Lang::Vi)),
        ),
    }
}

/// Adds KPI observations, all or nothing. Needs a token with `observations:write`.
#[utoipa::path(post, path = "/api/v1/observations", tag = "monitoring",
    request_body = Observations,
    security(("token" = [])),
    responses((status = 201, description = "Stored", body = Added),
              (status = 400, description = "Bad fields, each named; nothing was stored", body = ErrorBody),
              (status = 401, description = "No valid token", body = ErrorBody),
              (status = 403, description = "The token lacks the observations:write scope", body = ErrorBody)))]
async fn post_observations(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = auth::bearer_token(&state, &headers)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "a valid API token is required"))?;
    if !token.has_scope(OBSERVATIONS_WRITE) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "the token lacks the observations:write scope"));
    }
    let rows = parse_observations(&body).map_err(ApiError::fields)?;
    match state.store.add_observations(&rows, Actor::Token(token.id)).await {
        Ok(ids) => Ok((StatusCode::CREATED, Json(Added { added: ids.len() })).into_response()),
        Err(StoreError::Refused(problems)) => Err(ApiError::fields(
            problems
                .iter()
                .map(|p| {
                    let (field, en, _) = row_problem(&p.kind);
                    FieldError { field: format!("observations[{}].{field}", p.row), message: en }
                })
                .collect(),
        )),
        Err(error) => Err(error.into()),
    }
}

// ---- operations -------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    status: String,
}

/// Whether the app and its database answer (for load balancers and monitoring).
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Healthy", body = Health),
              (status = 503, description = "The database does not answer", body = Health)))]
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(Health { status: "ok".into() }).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable".into() })).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named() {
        let body = br#"{"observations": [
            {"kpi": "DVC", "scope": "province", "period": "2025-Q5", "value": "12"},
            {"scope": "", "period": "2025", "value": 1, "extra": true}
        ]}"#;
        let errors = parse_observations(body).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "observations[0].period",
                "observations[0].value",
                "observations[1].extra",
                "observations[1].kpi",
                "observations[1].scope"
            ]
        );
        assert_eq!(parse_observations(b"[]").unwrap_err()[0].field, "observations");
        assert_eq!(parse_observations(b"{").unwrap_err()[0].field, "body");
    }

    #[test]
    fn a_good_payload_is_read() {
        let body = br#"{"observations": [{"kpi": "A", "scope": "province", "period": "2025-09", "value": 1.5, "note": "x"}]}"#;
        let rows = parse_observations(body).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].period, "2025-09");
    }

    /// Issue 11 (fuzzing the API's JSON): any bytes, and any JSON of any shape,
    /// get a list of named problems or rows, never a panic; a payload over the
    /// limits is refused whole.
    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<f64>().prop_map(|f| json!(f)),
                any::<i64>().prop_map(|i| json!(i)),
                ".{0,40}".prop_map(Value::String),
                prop_oneof![Just("kpi"), Just("scope"), Just("period"), Just("value"), Just("note")]
                    .prop_map(|s| Value::String(s.into())),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                    proptest::collection::btree_map(
                        prop_oneof![
                            Just("observations".to_owned()),
                            Just("kpi".to_owned()),
                            Just("scope".to_owned()),
                            Just("period".to_owned()),
                            Just("value".to_owned()),
                            Just("note".to_owned()),
                            ".{0,8}"
                        ],
                        inner,
                        0..6
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]
            #[test]
            fn any_bytes_are_answered(body in proptest::collection::vec(any::<u8>(), 0..512)) {
                let _ = parse_observations(&body);
            }

            #[test]
            fn any_json_is_answered_and_rows_are_complete(value in json()) {
                let body = serde_json::to_vec(&json!({ "observations": value })).unwrap();
                if let Ok(rows) = parse_observations(&body) {
                    for row in rows {
                        prop_assert!(!row.kpi.is_empty() && !row.scope.is_empty() && row.value.is_finite());
                    }
                }
            }
        }

        #[test]
        fn too_many_observations_are_refused_whole() {
            let one = json!({ "kpi": "A", "scope": "province", "period": "2025", "value": 1 });
            let body = json!({ "observations": vec![one; MAX_OBSERVATIONS_PER_REQUEST + 1] });
            let errors = parse_observations(&serde_json::to_vec(&body).unwrap()).unwrap_err();
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "observations");
        }
    }
}
