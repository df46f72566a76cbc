//! The public page of the public-service quality index (Decision 766/QĐ-TTg):
//! `/service` (the province and the rankings of a period), `/service/units/{code}`
//! (a unit's indicators, what it lacks, its months; `province` for the province),
//! and the rankings as CSV. Everything comes from the latest stored snapshot,
//! parsed once per version (`views::service::current`).

use super::{Chrome, PageCtx};
use crate::auth::MaybeSignedIn;
use crate::error::AppError;
use crate::views::service::model::{self, Overview, ProvenanceView, UnitModel};
use crate::views::service::{self as service_view, ServiceData};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chiso_io::service::document::PROVINCE_CODE;
use serde::Deserialize;
use std::sync::Arc;

/// `?period=2025-03`: the period to show (the latest without one).
#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "service.html")]
pub struct ServicePage {
    c: Chrome,
    /// `None`: no snapshot is stored yet.
    provenance: Option<ProvenanceView>,
    /// `None` with a snapshot: it holds no period.
    page: Option<Overview>,
    /// What the filter bar of a long ranking takes (no "former unit" filter here).
    no_options: Vec<(String, String)>,
    no_year: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "service_unit.html")]
pub struct ServiceUnitPage {
    c: Chrome,
    /// Always there (a unit page needs a snapshot); optional for the shared parts.
    provenance: Option<ProvenanceView>,
    u: UnitModel,
    /// The unit page's own address, for the period selector.
    action: String,
}

/// `/service`.
pub async fn overview(
    ctx: PageCtx,
    Query(query): Query<PeriodQuery>,
    who: MaybeSignedIn,
) -> Result<ServicePage, AppError> {
    let c = ctx.chrome(who.0.as_ref());
    let empty = |provenance| ServicePage {
        c: c.clone(),
        provenance,
        page: None,
        no_options: Vec::new(),
        no_year: None,
    };
    let Some(data) = service_view::current(&ctx.state).await? else {
        return if query.period.is_some() { Err(AppError::NotFound) } else { Ok(empty(None)) };
    };
    let provenance = ProvenanceView::new(&data.provenance, ctx.lang);
    if data.document.periods.is_empty() {
        return if query.period.is_some() { Err(AppError::NotFound) } else { Ok(empty(Some(provenance))) };
    }
    let names = service_view::names_for(&ctx.state, ctx.lang).await?;
    let page = model::overview(&data.document, query.period.as_deref(), ctx.lang, &names)
        .ok_or(AppError::NotFound)?;
    Ok(ServicePage { page: Some(page), ..empty(Some(provenance)) })
}

/// The snapshot, or 404 while there is none.
async fn data(ctx: &PageCtx) -> Result<Arc<ServiceData>, AppError> {
    service_view::current(&ctx.state).await?.ok_or(AppError::NotFound)
}

async fn unit_page(
    ctx: PageCtx,
    code: &str,
    query: PeriodQuery,
    who: MaybeSignedIn,
) -> Result<ServiceUnitPage, AppError> {
    let data = data(&ctx).await?;
    let names = service_view::names_for(&ctx.state, ctx.lang).await?;
    let u = model::unit(&data.document, code, query.period.as_deref(), ctx.lang, &names)
        .ok_or(AppError::NotFound)?;
    Ok(ServiceUnitPage {
        c: ctx.chrome(who.0.as_ref()),
        provenance: Some(ProvenanceView::new(&data.provenance, ctx.lang)),
        action: model::unit_url(code, None),
        u,
    })
}

/// `/service/units/{code}`; `province` is the province.
pub async fn unit(
    ctx: PageCtx,
    Path(code): Path<String>,
    Query(query): Query<PeriodQuery>,
    who: MaybeSignedIn,
) -> Result<ServiceUnitPage, AppError> {
    unit_page(ctx, &code, query, who).await
}

/// `/service/province`: the province's page.
pub async fn province(
    ctx: PageCtx,
    Query(query): Query<PeriodQuery>,
    who: MaybeSignedIn,
) -> Result<ServiceUnitPage, AppError> {
    unit_page(ctx, PROVINCE_CODE, query, who).await
}

/// `/service/tables/departments.csv` and `communes.csv`: a level's ranking in the
/// period asked (the latest without one), columns named in the reader's language.
pub async fn table_csv(
    ctx: PageCtx,
    Path(file): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let level = file.strip_suffix(".csv").and_then(model::level_of_file).ok_or(AppError::NotFound)?;
    let data = data(&ctx).await?;
    let names = service_view::names_for(&ctx.state, ctx.lang).await?;
    let (period, bytes) = model::level_csv(&data.document, level, query.period.as_deref(), ctx.lang, &names)
        .ok_or(AppError::NotFound)?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let period: String = period.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let name = format!("service-{period}-{}-{}.csv", model::level_file(level), ctx.lang.code());
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
