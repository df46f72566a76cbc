//! The route table: public pages, sign-in, administration, the API, static files.

use crate::api;
use crate::error::AppError;
use crate::pages::{admin, public, session, work};
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa_swagger_ui::SwaggerUi;

/// The whole application.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router();
    let limit = state.config.max_upload_bytes;
    Router::new()
        .route("/", get(public::home))
        .route("/rounds/{id}", get(public::overview))
        .route("/rounds/{id}/units/{code}", get(public::unit))
        .route("/rounds/{id}/map", get(public::map))
        .route("/rounds/{id}/changes", get(public::changes))
        .route("/map", get(public::latest_map))
        .route("/monitoring", get(public::monitoring))
        .route("/service", get(crate::pages::service::overview))
        .route("/service/province", get(crate::pages::service::province))
        .route("/service/units/{code}", get(crate::pages::service::unit))
        .route("/service/tables/{file}", get(crate::pages::service::table_csv))
        .route("/lang/{code}", get(session::switch_language))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/admin", get(admin::index))
        .route("/admin/rounds", post(admin::upload_round))
        .route("/admin/rounds/{id}", get(admin::round))
        .route("/admin/rounds/{id}/publish", post(admin::publish))
        .route("/admin/monitoring", post(admin::upload_monitoring))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}", post(admin::update_user))
        .route("/admin/users/{id}/password", post(admin::set_password))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/tokens", get(admin::tokens).post(admin::create_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/admin/service", get(admin::sources).post(admin::add_source))
        .route("/admin/service/{id}", get(admin::source).post(admin::update_source))
        .route("/admin/service/{id}/pull", post(admin::pull_now))
        .route("/work", get(work::index))
        .route("/work/rounds", post(work::create))
        .route("/work/rounds/{id}", get(work::board))
        .route("/work/rounds/{id}/stage", post(work::change_stage))
        .route("/work/rounds/{id}/deadlines", post(work::set_deadlines))
        .route("/work/rounds/{id}/publish", post(work::publish))
        .route("/work/rounds/{id}/xlsx", post(work::upload_xlsx))
        .route("/work/rounds/{id}/template/{group}", get(work::template))
        .route("/work/rounds/{id}/evidence/{evidence}", get(work::evidence_file))
        .route("/work/rounds/{id}/preliminary", post(work::publish_preliminary))
        .route("/work/rounds/{id}/contests/{contest}/answer", post(work::answer_contest))
        .route("/work/rounds/{id}/contest-files/{file}", get(work::contest_file))
        .route("/work/rounds/{id}/units/{unit}/contest", post(work::contest))
        .route("/work/rounds/{id}/units/{unit}", get(work::unit_form))
        .route("/work/rounds/{id}/units/{unit}/save", post(work::save))
        .route("/work/rounds/{id}/units/{unit}/field", post(work::save_field))
        .route("/work/rounds/{id}/units/{unit}/preview", post(work::preview))
        .route("/work/rounds/{id}/units/{unit}/evidence", post(work::add_evidence))
        .route("/work/rounds/{id}/units/{unit}/appraise", post(work::appraise))
        .route("/work/rounds/{id}/units/{unit}/step", post(work::step))
        .route("/work/rounds/{id}/units/{unit}/assign", post(work::assign))
        .route("/work/rounds/{id}/queue", get(work::queue))
        .route("/work/rounds/{id}/units/{unit}/explain", post(work::explain))
        .route("/rounds/{id}/annex.xlsx", get(work::annex))
        .route("/rounds/{id}/tables/{file}", get(crate::pages::downloads::group_csv))
        .route("/rounds/{id}/decision.docx", get(crate::pages::downloads::decision_docx))
        .route("/rounds/{id}/open-data.zip", get(crate::pages::downloads::open_data))
        .route("/rounds/{id}/reports/{file}", get(crate::pages::downloads::report))
        .route("/monitoring/{file}", get(crate::pages::downloads::monitoring_report))
        .route("/static/{*path}", get(static_file))
        .route("/favicon.ico", get(|| static_file(Path("favicon.svg".to_owned()))))
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .fallback(|| async { AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::pages::error_page::localise))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(DefaultBodyLimit::max(limit))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// What the pages may load: scripts only from this site (chart data travels in
/// `data-` attributes, never in inline script), nothing framed, forms posted only
/// here. Inline *styles* stay allowed: the chart library sets them on its SVG.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers every answer carries: the CSP; `no-store` on anything answered to a
/// signed-in person or under /admin and /work (shared computers, back buttons);
/// HSTS when the site runs behind HTTPS (`--secure-cookies`).
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let private = path.starts_with("/admin")
        || path.starts_with("/work")
        || path.starts_with("/login")
        || (crate::cookies::get(request.headers(), crate::cookies::SESSION).is_some()
            && !path.starts_with("/static/"));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// The OpenAPI document of the API (what `/api/openapi.json` serves).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().1
}

/// Static files, built into the binary so it runs from any folder.
const STATIC: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../static/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../static/app.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../static/favicon.svg")),
    (
        "vendor/echarts.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/echarts.min.js"),
    ),
];

async fn static_file(Path(path): Path<String>) -> Response {
    match STATIC.iter().find(|(name, _, _)| *name == path) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
            ],
            *bytes,
        )
            .into_response(),
        None => AppError::NotFound.into_response(),
    }
}
