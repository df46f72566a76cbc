//! Views of publications, built once per process: a publication never changes, so
//! its view is valid as long as the previous year's publication it is compared
//! with is the same. Views of monitoring data are kept per data version (see
//! `Store::monitoring_version`) and dropped when it moves.

use super::round::RoundView;
use crate::pages::public::MonitoringCards;
use chiso_core::Lang;
use chiso_core::kpi::Monitoring;
use chiso_store::PublicationId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Key = (PublicationId, Option<PublicationId>);

/// The `kpi` and `scope` a list of observations is filtered by.
pub type ObservationFilter = (Option<String>, Option<String>);

#[derive(Debug, Default)]
pub struct ViewCache {
    rounds: Mutex<HashMap<Key, Arc<RoundView>>>,
    /// The results JSON of a publication per language (vi, en), for the API.
    results: Mutex<HashMap<PublicationId, Arc<[String; 2]>>>,
    /// The monitoring data at one version, and when that version was last
    /// confirmed current.
    monitoring: Mutex<Option<(i64, Arc<Monitoring>, Instant)>>,
    /// Held by the one request that checks the version and reloads: the others
    /// wait for it instead of all loading the same data at once.
    monitoring_refresh: tokio::sync::Mutex<()>,
    /// The dashboard's cards per language.
    pub monitoring_cards: Versioned<Lang, Arc<MonitoringCards>>,
    /// `/api/v1/observations`: the order of the observations per (kpi, scope) filter.
    pub observation_order: Versioned<ObservationFilter, Arc<Vec<usize>>>,
    /// `/api/v1/kpis` answers per scope, year asked and language.
    pub kpi_json: Versioned<(String, Option<i32>, Lang), Arc<serde_json::Value>>,
    /// The public-service index's latest snapshot, parsed, and English unit names.
    pub service: super::service::ServiceCache,
}

/// Values valid for one data version: asking with a newer version empties it.
/// Bounded, since keys may come from query strings.
#[derive(Debug)]
pub struct Versioned<K, V> {
    inner: Mutex<(i64, HashMap<K, V>)>,
}

impl<K, V> Default for Versioned<K, V> {
    fn default() -> Self {
        Versioned { inner: Mutex::new((i64::MIN, HashMap::new())) }
    }
}

/// The most derived views kept for one version.
const MAX_VIEWS: usize = 256;

impl<K: std::hash::Hash + Eq, V: Clone> Versioned<K, V> {
    pub fn get(&self, version: i64, key: &K) -> Option<V> {
        let map = self.inner.lock().ok()?;
        if map.0 == version { map.1.get(key).cloned() } else { None }
    }

    pub fn put(&self, version: i64, key: K, value: V) {
        if let Ok(mut map) = self.inner.lock() {
            if version < map.0 {
                return; // derived from data older than what is cached already
            }
            if version > map.0 {
                *map = (version, HashMap::new());
            }
            if map.1.len() < MAX_VIEWS {
                map.1.insert(key, value);
            }
        }
    }
}

impl ViewCache {
    pub fn round(&self, key: Key) -> Option<Arc<RoundView>> {
        self.rounds.lock().ok()?.get(&key).cloned()
    }

    pub fn put_round(&self, key: Key, view: Arc<RoundView>) {
        if let Ok(mut map) = self.rounds.lock() {
            map.insert(key, view);
        }
    }

    /// The cached monitoring data if its version was confirmed current less than
    /// `within` ago.
    fn recent_monitoring(&self, within: Duration) -> Option<(i64, Arc<Monitoring>)> {
        let cached = self.monitoring.lock().ok()?;
        cached.as_ref().filter(|(_, _, at)| at.elapsed() < within).map(|(v, m, _)| (*v, m.clone()))
    }

    /// The cached monitoring data if it is at `version` (and notes it is current).
    fn monitoring_at(&self, version: i64) -> Option<Arc<Monitoring>> {
        let mut cached = self.monitoring.lock().ok()?;
        let (v, m, at) = cached.as_mut()?;
        (*v == version).then(|| {
            *at = Instant::now();
            m.clone()
        })
    }

    fn put_monitoring(&self, version: i64, monitoring: Arc<Monitoring>) {
        if let Ok(mut cached) = self.monitoring.lock() {
            *cached = Some((version, monitoring, Instant::now()));
        }
    }

    pub fn results(&self, id: PublicationId) -> Option<Arc<[String; 2]>> {
        self.results.lock().ok()?.get(&id).cloned()
    }

    pub fn put_results(&self, id: PublicationId, docs: Arc<[String; 2]>) {
        if let Ok(mut map) = self.results.lock() {
            map.insert(id, docs);
        }
    }
}

/// The monitoring data as of now, or at most `monitoring_staleness` old (one
/// second by default): within that time it is served from memory; after it, one
/// request checks the data version (one small query) and reloads only if a write
/// moved it, while the other requests wait for that one instead of loading the
/// same data at once. Writers arriving many times a second thus cost one reload
/// a second, not one per reader.
pub async fn current_monitoring(
    state: &crate::state::AppState,
) -> Result<(i64, Arc<Monitoring>), chiso_store::StoreError> {
    monitoring_within(state, state.config.monitoring_staleness).await
}

/// The monitoring data no older than `staleness` (zero: as of this request, for
/// lists a client reads back after writing).
pub async fn monitoring_within(
    state: &crate::state::AppState,
    staleness: Duration,
) -> Result<(i64, Arc<Monitoring>), chiso_store::StoreError> {
    if let Some(recent) = state.views.recent_monitoring(staleness) {
        return Ok(recent);
    }
    let _only_one = state.views.monitoring_refresh.lock().await;
    if let Some(recent) = state.views.recent_monitoring(staleness) {
        return Ok(recent);
    }
    let version = state.store.monitoring_version().await?;
    if let Some(monitoring) = state.views.monitoring_at(version) {
        return Ok((version, monitoring));
    }
    let monitoring = Arc::new(state.store.monitoring().await?);
    state.views.put_monitoring(version, monitoring.clone());
    Ok((version, monitoring))
}
