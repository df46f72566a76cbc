//! Views of publications, built once per process: a publication never changes, so
//! its view is valid as long as the previous year's publication it is compared
//! with is the same.

use super::round::RoundView;
use chiso_store::PublicationId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Key = (PublicationId, Option<PublicationId>);

#[derive(Debug, Default)]
pub struct ViewCache {
    rounds: Mutex<HashMap<Key, Arc<RoundView>>>,
    /// The results JSON of a publication per language (vi, en), for the API.
    results: Mutex<HashMap<PublicationId, Arc<[String; 2]>>>,
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

    pub fn results(&self, id: PublicationId) -> Option<Arc<[String; 2]>> {
        self.results.lock().ok()?.get(&id).cloned()
    }

    pub fn put_results(&self, id: PublicationId, docs: Arc<[String; 2]>) {
        if let Ok(mut map) = self.results.lock() {
            map.insert(id, docs);
        }
    }
}
