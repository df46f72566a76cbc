//! The JSON API under `/api/v1`, documented by OpenAPI (`/api/openapi.json`, a page
//! at `/api/docs`). Reading is public, like the pages; adding KPI observations
//! needs an API token with the `observations:write` scope.
//!
//! Every route is registered through `utoipa_axum::routes!`, which takes its path
//! from the handler's `#[utoipa::path]`: a route cannot exist without its entry
//! in the document (a test keeps it that way).

mod add_observations;
mod error;
mod history;
mod monitoring;
mod rounds;
mod service;

pub use error::{ApiError, ErrorBody, FieldError};

use crate::i18n::parse_lang;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use serde::{Deserialize, Serialize};
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
        (name = "service", description = "Chỉ số phục vụ người dân, doanh nghiệp · Public-service quality index"),
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
        .routes(routes!(rounds::list_rounds))
        .routes(routes!(rounds::get_round))
        .routes(routes!(rounds::get_results))
        .routes(routes!(rounds::list_units))
        .routes(routes!(rounds::get_unit))
        .routes(routes!(rounds::get_uncertainty))
        .routes(routes!(history::get_history))
        .routes(routes!(monitoring::get_kpis))
        .routes(routes!(monitoring::list_observations, add_observations::post_observations))
        .routes(routes!(service::get_service))
        .routes(routes!(healthz))
        .split_for_parts()
}

/// The language asked for (`?lang=`), shared by the routes.
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
