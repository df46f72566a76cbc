//! What every handler shares: the store, the settings, and the cache of views of
//! published results.

use crate::auth::PasswordGate;
use crate::views::analysis::AnalysisRuns;
use crate::views::cache::ViewCache;
use chiso_store::Store;
use std::sync::Arc;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// How long a login lasts, in milliseconds.
    pub session_ttl_ms: i64,
    /// The largest accepted upload (a package, observations), in bytes.
    pub max_upload_bytes: usize,
    /// Failed logins for one username within `login_window_ms` before further
    /// attempts are refused for the rest of the window.
    pub max_login_failures: i64,
    pub login_window_ms: i64,
    /// Failed sign-ins from one client address (any username) within
    /// `login_window_ms` before that address is refused for the rest of the window.
    pub max_login_failures_per_address: i64,
    /// Password hashes computed at once (Argon2id takes ~19 MiB each) ...
    pub password_workers: usize,
    /// ... and sign-ins that may wait for one; beyond that, 503 with Retry-After.
    pub password_queue: usize,
    /// Take the client's address from the last `X-Forwarded-For` entry (set this
    /// only behind a reverse proxy that sets the header).
    pub trust_proxy: bool,
    /// How long a client may take to send a request's headers (slowloris).
    pub header_read_timeout: std::time::Duration,
    /// How far behind the monitoring data the dashboard and KPI API may be.
    pub monitoring_staleness: std::time::Duration,
}

impl WebConfig {
    /// What an uploaded package (its zips unpacked) may add up to: four times
    /// the largest upload.
    pub fn max_package_bytes(&self) -> u64 {
        self.max_upload_bytes as u64 * 4
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_ttl_ms: 12 * 3600 * 1000,
            max_upload_bytes: 50 * 1024 * 1024,
            max_login_failures: 5,
            login_window_ms: 15 * 60 * 1000,
            max_login_failures_per_address: 100,
            password_workers: 2,
            password_queue: 32,
            trust_proxy: false,
            header_read_timeout: std::time::Duration::from_secs(10),
            monitoring_staleness: std::time::Duration::from_secs(1),
        }
    }
}

/// The shared state, cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub store: Store,
    pub config: WebConfig,
    pub views: ViewCache,
    /// The uncertainty analyses of publications, run in the background.
    pub analyses: AnalysisRuns,
    /// Bounds the password hashing running and waiting at once.
    pub passwords: PasswordGate,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState(Arc::new(Inner {
            store,
            passwords: PasswordGate::new(config.password_workers, config.password_queue),
            config,
            views: ViewCache::default(),
            analyses: AnalysisRuns::default(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
