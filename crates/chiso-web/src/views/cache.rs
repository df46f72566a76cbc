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

type Key = (PublicationId, Option<PublicationId>);

#[derive(Debug, Default)]
pub struct ViewCache {
    rounds: Mutex<HashMap<Key, Arc<RoundView>>>,
    /// The results JSON of a publication per language (vi, en), for the API.
    results: Mutex<HashMap<PublicationId, Arc<[String; 2]>>>,
    /// The monitoring data at one version.
    monitoring: Mutex<Option<(i64, Arc<Monitoring>)>>,
    /// The dashboard's cards per language.
    pub monitoring_cards: Versioned<Lang, Arc<MonitoringCards>>,
    /// `/api/v1/kpis` answers per scope, year asked and language.
    pub kpi_json: Versioned<(String, Option<i32>, Lang), Arc<serde_json::Value>>,
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
            if map.0 != version {
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

    /// The monitoring data if cached at `version`.
    pub fn monitoring(&self, version: i64) -> Option<Arc<Monitoring>> {
        let cached = self.monitoring.lock().ok()?;
        cached.as_ref().filter(|(v, _)| *v == version).map(|(_, m)| m.clone())
    }

    pub fn put_monitoring(&self, version: i64, monitoring: Arc<Monitoring>) {
        if let Ok(mut cached) = self.monitoring.lock() {
            *cached = Some((version, monitoring));
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

/// The monitoring data as of now: one cheap query for its version, the data
/// itself loaded again only when the version moved.
pub async fn current_monitoring(
    state: &crate::state::AppState,
) -> Result<(i64, Arc<Monitoring>), chiso_store::StoreError> {
    let version = state.store.monitoring_version().await?;
    if let Some(monitoring) = state.views.monitoring(version) {
        return Ok((version, monitoring));
    }
    let monitoring = Arc::new(state.store.monitoring().await?);
    state.views.put_monitoring(version, monitoring.clone());
    Ok((version, monitoring))
}
