//! Published rounds: their publications, results, units and rank intervals.

use super::{ApiError, ErrorBody, LangQuery, lang_of};
use crate::state::AppState;
use crate::views::results::{ResultsDoc, UnitDoc};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_store::{PublicationInfo, RoundId};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

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
    /// The day the decision was signed (YYYY-MM-DD), when it was given.
    decided_on: Option<String>,
    /// SHA-256 of the package files the results were scored from.
    inputs_hash: String,
    /// The publication this one corrects (or, after preliminary results, replaces).
    supersedes: Option<i64>,
    /// Preliminary results, open to contests until the final publication.
    preliminary: bool,
}

impl From<&PublicationInfo> for PublicationSummary {
    fn from(p: &PublicationInfo) -> Self {
        PublicationSummary {
            id: p.id.0,
            published_at: p.published_at,
            decision: p.decision.clone(),
            decided_on: p.decided_on.clone(),
            inputs_hash: p.inputs_hash.clone(),
            supersedes: p.supersedes.map(|s| s.0),
            preliminary: p.preliminary,
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
pub(super) async fn list_rounds(State(state): State<AppState>) -> Result<Json<Vec<RoundSummary>>, ApiError> {
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
pub(super) async fn get_round(
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
pub(super) async fn get_results(
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
pub(super) async fn list_units(
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
pub(super) async fn get_unit(
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
    /// Share of samples in which the unit keeps its published band (0..1), among
    /// the samples on the bands' scale; null when none is.
    band_kept: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/rounds/{id}/uncertainty", tag = "rounds",
    params(("id" = i64, Path, description = "Mã đợt · Round id"), LangQuery),
    responses((status = 200, description = "Khoảng thứ hạng · Rank intervals, or the progress of their analysis", body = UncertaintyDoc),
              (status = 404, description = "No such published round", body = ErrorBody)))]
pub(super) async fn get_uncertainty(
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
