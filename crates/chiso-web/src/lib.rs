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
mod extract;
pub mod feeds;
mod form;
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
pub use startup::{Bundled, FirstStart, first_start};
pub use state::{AppState, WebConfig};

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long in-flight requests may take to finish after a shutdown signal.
const GRACE: Duration = Duration::from_secs(20);

/// Serves the app on `listener` until `shutdown` completes, then lets in-flight
/// requests finish. Each connection gets a header read timeout; the peer's
/// address reaches handlers as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // A connection that trickles its headers (slowloris) is closed, not held.
    let header_read_timeout = state.config.header_read_timeout;
    let router = app(state);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors or a reset before accept: wait, go on.
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(request.map(axum::body::Body::new))
            });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after {GRACE:?}: stopping anyway");
    }
    Ok(())
}
