//! The public-service quality index as the pages show it: the latest stored
//! snapshot's document, parsed once per `Store::service_version` and kept in
//! memory (a document of many months and ninety units is megabytes of JSON; two
//! hundred readers at once must not each parse it), and the English names of
//! units from the rounds' units. The page models themselves are in [`model`],
//! built without the store.

pub mod model;

#[cfg(test)]
pub mod fixture;
#[cfg(test)]
mod tests;

pub use model::{Provenance, UnitNames};

use crate::error::AppError;
use crate::state::AppState;
use chiso_io::service::document::ServiceIndexDocument;
use chiso_store::{ServiceSnapshot, SourceKind};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The latest snapshot, parsed.
#[derive(Debug)]
pub struct ServiceData {
    pub document: ServiceIndexDocument,
    /// The document as stored, for the API (answered as is, shared without a copy).
    pub json: axum::body::Bytes,
    pub provenance: Provenance,
}

/// What is shown at a version: `None` while no snapshot is stored.
type Current = Option<Arc<ServiceData>>;

/// The cache of the index's pages (one per process).
#[derive(Debug, Default)]
pub struct ServiceCache {
    /// The data at a version, and when that version was last confirmed current.
    current: Mutex<Option<(i64, Current, Instant)>>,
    /// Held by the one request that checks the version and reloads.
    refresh: tokio::sync::Mutex<()>,
    /// English unit names, by the rounds they come from, and when last checked.
    names: Mutex<Option<(NamesKey, Arc<UnitNames>, Instant)>>,
    names_refresh: tokio::sync::Mutex<()>,
}

/// The rounds names were read from: (round, its latest publication if published).
type NamesKey = Vec<(i64, Option<i64>)>;

impl ServiceCache {
    fn recent(&self, within: Duration) -> Option<Current> {
        let cached = self.current.lock().ok()?;
        cached.as_ref().filter(|(_, _, at)| at.elapsed() < within).map(|(_, data, _)| data.clone())
    }

    fn at_version(&self, version: i64) -> Option<Current> {
        let mut cached = self.current.lock().ok()?;
        let (v, data, at) = cached.as_mut()?;
        (*v == version).then(|| {
            *at = Instant::now();
            data.clone()
        })
    }

    fn put(&self, version: i64, data: Current) {
        if let Ok(mut cached) = self.current.lock() {
            *cached = Some((version, data, Instant::now()));
        }
    }

    fn recent_names(&self, within: Duration) -> Option<Arc<UnitNames>> {
        let cached = self.names.lock().ok()?;
        cached.as_ref().filter(|(_, _, at)| at.elapsed() < within).map(|(_, names, _)| names.clone())
    }

    fn names_for(&self, key: &NamesKey) -> Option<Arc<UnitNames>> {
        let mut cached = self.names.lock().ok()?;
        let (k, names, at) = cached.as_mut()?;
        (k == key).then(|| {
            *at = Instant::now();
            names.clone()
        })
    }

    fn put_names(&self, key: NamesKey, names: Arc<UnitNames>) {
        if let Ok(mut cached) = self.names.lock() {
            *cached = Some((key, names, Instant::now()));
        }
    }
}

impl Provenance {
    pub fn of(snapshot: &ServiceSnapshot) -> Provenance {
        Provenance {
            source_name: snapshot.source_name.clone(),
            source_kind: match snapshot.source_kind {
                SourceKind::Url => "url",
                SourceKind::Folder => "folder",
                SourceKind::Demo => "demo",
            },
            pulled_at: snapshot.pulled_at,
            rows: snapshot.rows,
            skipped: snapshot.skipped,
            content_hash: snapshot.content_hash.clone(),
            demo: snapshot.demo,
        }
    }
}

/// The latest snapshot, parsed, at most `monitoring_staleness` old (one second by
/// default): within that time it is served from memory; after it, one request
/// checks the version (one small query) and reloads only if a pull stored a new
/// snapshot, while the others wait for it.
pub async fn current(state: &AppState) -> Result<Current, AppError> {
    let cache = &state.views.service;
    let staleness = state.config.monitoring_staleness;
    if let Some(data) = cache.recent(staleness) {
        return Ok(data);
    }
    let _only_one = cache.refresh.lock().await;
    if let Some(data) = cache.recent(staleness) {
        return Ok(data);
    }
    let version = state.store.service_version().await?;
    if let Some(data) = cache.at_version(version) {
        return Ok(data);
    }
    let data = match state.store.latest_service_snapshot().await? {
        None => None,
        Some(snapshot) => {
            let provenance = Provenance::of(&snapshot);
            let json = axum::body::Bytes::from(snapshot.document.into_bytes());
            let bytes = json.clone();
            let document =
                tokio::task::spawn_blocking(move || serde_json::from_slice::<ServiceIndexDocument>(&bytes))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?
                    .map_err(|e| {
                        AppError::Internal(format!("a stored service-index snapshot cannot be read: {e}"))
                    })?;
            Some(Arc::new(ServiceData { document, json, provenance }))
        }
    };
    cache.put(version, data.clone());
    Ok(data)
}

/// English names of units by code: the latest publication's units first, then
/// those of the other published rounds and of the rounds in preparation, newest
/// year first (a unit named only in Vietnamese is skipped). Checked at most once
/// per `monitoring_staleness`, read again only when the rounds change.
pub async fn english_names(state: &AppState) -> Result<Arc<UnitNames>, AppError> {
    let cache = &state.views.service;
    let staleness = state.config.monitoring_staleness;
    if let Some(names) = cache.recent_names(staleness) {
        return Ok(names);
    }
    let _only_one = cache.names_refresh.lock().await;
    if let Some(names) = cache.recent_names(staleness) {
        return Ok(names);
    }
    let published = state.store.published_rounds().await?;
    let mut rounds = state.store.rounds().await?;
    rounds.sort_by_key(|r| std::cmp::Reverse((r.year, r.id.0)));
    let mut key: NamesKey = published.iter().map(|p| (p.round.id.0, Some(p.latest.id.0))).collect();
    key.extend(
        rounds.iter().filter(|r| !published.iter().any(|p| p.round.id == r.id)).map(|r| (r.id.0, None)),
    );
    if let Some(names) = cache.names_for(&key) {
        return Ok(names);
    }
    let mut map: HashMap<String, String> = HashMap::new();
    for &(round, _) in &key {
        for unit in state.store.round_units(chiso_store::RoundId(round)).await? {
            let en = unit.name.en.trim();
            if !en.is_empty() && en != unit.name.vi.trim() {
                map.entry(unit.code).or_insert_with(|| en.to_owned());
            }
        }
    }
    let names = Arc::new(UnitNames(map));
    cache.put_names(key, names.clone());
    Ok(names)
}

/// The names for a page in `lang`: English names only matter in English.
pub async fn names_for(state: &AppState, lang: chiso_core::Lang) -> Result<Arc<UnitNames>, AppError> {
    match lang {
        chiso_core::Lang::En => english_names(state).await,
        chiso_core::Lang::Vi => Ok(Arc::new(UnitNames::default())),
    }
}
