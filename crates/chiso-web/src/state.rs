//! What every handler shares: the store, the settings, and the cache of views of
//! published results.

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
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_ttl_ms: 12 * 3600 * 1000,
            max_upload_bytes: 50 * 1024 * 1024,
            max_login_failures: 5,
            login_window_ms: 15 * 60 * 1000,
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
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState(Arc::new(Inner {
            store,
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
