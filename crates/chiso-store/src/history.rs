//! A unit's results across every published round, restated through lineage where
//! the unit did not exist yet (chiso-core's [`lineage`](chiso_core::lineage)), and
//! last year's results restated on this year's units for the change column.
//!
//! Everything here comes from publications: each published round's latest
//! publication, its snapshot of files (lineage.csv included) scored as published.
//! A publication never changes, so what is read of it is kept for the process.

use crate::error::StoreError;
use crate::ids::{PublicationId, RoundId};
use crate::store::Store;
use chiso_core::Names;
use chiso_core::lineage::{Lineage, Published, Restated, restate};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a publication says of every unit, read once.
#[derive(Debug)]
pub(crate) struct PublishedUnits {
    pub year: i32,
    pub round: RoundId,
    pub publication: PublicationId,
    pub preliminary: bool,
    /// Units in units.csv order.
    pub codes: Vec<String>,
    pub names: HashMap<String, Names>,
    pub results: HashMap<String, Published>,
    pub lineage: Lineage,
}

/// The publications read so far, by id.
#[derive(Debug, Default, Clone)]
pub(crate) struct PublishedCache(Arc<Mutex<HashMap<i64, Arc<PublishedUnits>>>>);

impl PublishedCache {
    fn get(&self, id: PublicationId) -> Option<Arc<PublishedUnits>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&id.0).cloned()
    }

    fn put(&self, units: Arc<PublishedUnits>) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(units.publication.0, units);
    }
}

/// One round in a unit's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    pub year: i32,
    pub round: RoundId,
    pub publication: PublicationId,
    pub preliminary: bool,
    /// The total on `scale` (own, or the restated share of the predecessors' scale
    /// when they share one).
    pub total: Option<f64>,
    pub scale: Option<f64>,
    /// Total and main indicators as percent of scale: what compares across years.
    pub percent: Option<f64>,
    pub main: Vec<(String, f64)>,
    /// Not the unit's own result: taken from `from` through lineage.
    pub restated: bool,
    /// The units of that round the figures come from, with their names.
    pub from: Vec<(String, Names)>,
}

/// Last year's results as they stand for this year's units.
#[derive(Debug, Clone)]
pub struct RestatedPrevious {
    pub year: i32,
    pub round: RoundId,
    pub publication: PublicationId,
    /// This year's unit code → last year's figures (own or restated).
    pub units: HashMap<String, Restated>,
    /// The names of last year's units (those `units` come from).
    pub names: HashMap<String, Names>,
}

impl Store {
    /// What publication `id` says of every unit.
    async fn published_units(&self, id: PublicationId) -> Result<Arc<PublishedUnits>, StoreError> {
        if let Some(found) = self.published.get(id) {
            return Ok(found);
        }
        let info = self.publication(id).await?.ok_or_else(|| StoreError::not_found("publication", id))?.info;
        let package = self.publication_package(id).await?.ok_or_else(|| {
            StoreError::corrupt(format!("the files of publication {id} are not those published"))
        })?;
        let units = crate::db::blocking(move || -> Result<PublishedUnits, StoreError> {
            let results = package.score()?;
            let assessment = &package.assessment;
            Ok(PublishedUnits {
                year: assessment.year,
                round: info.round_id,
                publication: info.id,
                preliminary: info.preliminary,
                codes: assessment.units.iter().map(|u| u.code.clone()).collect(),
                names: assessment.units.iter().map(|u| (u.code.clone(), u.name.clone())).collect(),
                results: chiso_core::lineage::published(assessment, &results),
                lineage: package.lineage.map(|l| l.lineage).unwrap_or_default(),
            })
        })
        .await?;
        let units = Arc::new(units);
        self.published.put(units.clone());
        Ok(units)
    }

    /// Every published round's latest publication, oldest year first; of two
    /// published rounds of one year, the later one.
    async fn published_in_order(&self) -> Result<Vec<Arc<PublishedUnits>>, StoreError> {
        let mut rounds = self.published_rounds().await?;
        rounds.sort_by_key(|p| (p.round.year, std::cmp::Reverse(p.round.id.0)));
        rounds.dedup_by_key(|p| p.round.year);
        let mut read = Vec::with_capacity(rounds.len());
        for round in rounds {
            read.push(self.published_units(round.latest.id).await?);
        }
        Ok(read)
    }

    /// Unit `code`'s results in every published round up to the latest that has
    /// it: its own, and before it existed, its predecessors' restated through each
    /// later round's lineage. `NotFound` if no published round has the unit.
    pub async fn unit_history(&self, code: &str) -> Result<Vec<HistoryPoint>, StoreError> {
        let rounds = self.published_in_order().await?;
        let Some(last) = rounds.iter().rposition(|r| r.results.contains_key(code)) else {
            return Err(StoreError::not_found("unit", code));
        };
        let code = code.to_owned();
        crate::db::blocking(move || Ok(history_of(&rounds[..=last], &code))).await
    }

    /// The published round of the year before `year`, its results restated on
    /// `units` through `lineage` (this round's): the change column. `None` if that
    /// year has no published round.
    pub async fn restated_previous(
        &self,
        year: i32,
        units: Vec<String>,
        lineage: Lineage,
    ) -> Result<Option<RestatedPrevious>, StoreError> {
        let rounds = self.published_in_order().await?;
        let Some(previous) = rounds.into_iter().rev().find(|r| r.year == year - 1) else { return Ok(None) };
        crate::db::blocking(move || {
            let own = own_of(&previous);
            let codes: Vec<&str> = units.iter().map(String::as_str).collect();
            Ok(Some(RestatedPrevious {
                year: previous.year,
                round: previous.round,
                publication: previous.publication,
                units: restate(&lineage, previous.year, &own, &codes),
                names: previous.names.clone(),
            }))
        })
        .await
    }
}

impl Store {
    /// For each unit of `round` that continues other units of the year before (its
    /// lineage.csv), those units with their names as last year's publication gives
    /// them (the code alone when that year is not published): a commune's former
    /// district, a merged department's predecessors. Read from the round's stored
    /// lineage.csv, nothing else.
    pub async fn former_units(
        &self,
        round: RoundId,
    ) -> Result<HashMap<String, Vec<(String, Names)>>, StoreError> {
        let info = self.round(round).await?.ok_or_else(|| StoreError::not_found("round", round))?;
        let text: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT content FROM round_files WHERE round_id = $1 AND path = $2")
                .bind(round.0)
                .bind(chiso_io::package::lineage::LINEAGE_FILE)
                .fetch_optional(&self.pool)
                .await?;
        let Some(text) = text else { return Ok(HashMap::new()) };
        let text = String::from_utf8(text).map_err(StoreError::corrupt)?;
        let mut errors = Vec::new();
        let lineage =
            chiso_io::package::lineage::parse(chiso_io::package::lineage::LINEAGE_FILE, &text, &mut errors)
                .ok_or_else(|| StoreError::corrupt("a stored lineage.csv cannot be read"))?
                .lineage;
        let previous = self.published_in_order().await?.into_iter().rev().find(|r| r.year == info.year - 1);
        let mut former: HashMap<String, Vec<(String, Names)>> = HashMap::new();
        for link in lineage.links.iter().filter(|l| l.from_year == info.year - 1 && l.from != l.to) {
            let names = previous
                .as_ref()
                .and_then(|p| p.names.get(&link.from).cloned())
                .unwrap_or_else(|| Names::new(&link.from, &link.from));
            former.entry(link.to.clone()).or_default().push((link.from.clone(), names));
        }
        Ok(former)
    }
}

fn own_of(round: &PublishedUnits) -> HashMap<String, Restated> {
    round.results.iter().map(|(code, p)| (code.clone(), Restated::own(code, p.figures.clone()))).collect()
}

/// The history of `code`, the unit of the last of `rounds` (oldest first).
fn history_of(rounds: &[Arc<PublishedUnits>], code: &str) -> Vec<HistoryPoint> {
    let mut points = Vec::new();
    for (j, round) in rounds.iter().enumerate() {
        // Round j's results carried through every later round's lineage.
        let mut figures = own_of(round);
        for pair in rounds[j..].windows(2) {
            let (before, later) = (&pair[0], &pair[1]);
            let codes: Vec<&str> = later.codes.iter().map(String::as_str).collect();
            figures = restate(&later.lineage, before.year, &figures, &codes);
        }
        let Some(found) = figures.remove(code) else { continue };
        let scales: Vec<f64> =
            found.from.iter().filter_map(|c| round.results.get(c)).map(|p| p.scale).collect();
        let scale = scales.first().copied().filter(|s| scales.iter().all(|x| x == s));
        let own = round.results.get(code).filter(|_| !found.restated);
        let total = match own {
            Some(own) => Some(own.total),
            None => found.figures.total.zip(scale).map(|(percent, scale)| percent * scale / 100.0),
        };
        let name = |c: &String| (c.clone(), round.names.get(c).cloned().unwrap_or_default());
        points.push(HistoryPoint {
            year: round.year,
            round: round.round,
            publication: round.publication,
            preliminary: round.preliminary,
            total,
            scale,
            percent: found.figures.total,
            main: found.figures.main.into_iter().collect(),
            restated: found.restated,
            from: found.from.iter().map(name).collect(),
        });
    }
    points
}
