//! A round's frameworks and units, parsed once per process: they never change
//! after import (values live in `round_values`, and round ids are never reused),
//! so pages and saves that concern one unit read its framework from memory instead
//! of rebuilding the round's package from its files on every request.

use super::{find_round, load_files, with_values_csv};
use crate::db::blocking;
use crate::error::StoreError;
use crate::ids::RoundId;
use crate::store::Store;
use chiso_core::Assessment;
use chiso_io::{Files, Package};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The parsed rounds of this process, by id.
#[derive(Debug, Default, Clone)]
pub(crate) struct RoundModels(Arc<Mutex<HashMap<i64, Arc<Assessment>>>>);

impl RoundModels {
    fn get(&self, round: RoundId) -> Option<Arc<Assessment>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&round.0).cloned()
    }

    fn insert(&self, round: RoundId, model: Arc<Assessment>) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(round.0, model);
    }

    /// Forgets a deleted round.
    pub(crate) fn remove(&self, round: RoundId) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&round.0);
    }
}

impl Store {
    /// The round's frameworks and units (its assessment without values), parsed on
    /// first use and kept.
    pub async fn round_model(&self, round: RoundId) -> Result<Arc<Assessment>, StoreError> {
        if let Some(model) = self.models.get(round) {
            return Ok(model);
        }
        let mut conn = self.pool.acquire().await?;
        if find_round(&mut conn, round).await?.is_none() {
            return Err(StoreError::not_found("round", round));
        }
        let files = load_files(&mut conn, round).await?;
        drop(conn);
        let model = blocking(move || -> Result<Assessment, StoreError> {
            Ok(Package::from_files(Files::Memory(with_values_csv(files, &[])?))?.assessment)
        })
        .await?;
        let model = Arc::new(model);
        self.models.insert(round, model.clone());
        Ok(model)
    }
}
