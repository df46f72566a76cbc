//! The chiso web application: public results and the monitoring dashboard, the
//! administration pages, and the JSON API (`/api/v1`, documented by OpenAPI).
//!
//! Handlers are thin: extract (locale, signed-in user, form) → call the store or the
//! core → render a template or JSON. Published results are immutable, so what the
//! public pages show of a publication is built once and cached in memory; several
//! app servers can share one PostgreSQL database (sessions live there too).

mod api;
mod auth;
pub mod bundled;
mod cookies;
mod error;
mod geo;
mod i18n;
mod pages;
mod router;
mod startup;
mod state;
mod upload;
mod views;

pub use auth::{hash_password, verify_password};
pub use router::{app, openapi};
pub use startup::{FirstStart, first_start};
pub use state::{AppState, WebConfig};

use std::future::Future;
use tokio::net::TcpListener;

/// Serves the app on `listener` until `shutdown` completes, then lets in-flight
/// requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
