//! One pull of one source, from staging to the stored run (see the module above).

use super::FeedSettings;
use super::error::PullError;
use super::stage::{self, Staged};
use chiso_core::Lang;
use chiso_io::feed::NoProgress;
use chiso_io::service::document::ServiceIndexDocument;
use chiso_io::service::{ServiceOptions, ServiceRun, output, read_folder};
use chiso_store::{
    Actor, NewObservation, NewServiceSnapshot, PullOutcome, ServicePullRecord, ServiceSource, SourceKind,
    Store, StoreError,
};
use std::time::Duration;

/// What a pull did, for logs and tests.
#[derive(Debug, Clone, PartialEq)]
pub enum PullReport {
    Stored { hash: String, rows: u64 },
    Unchanged { hash: String },
    Failed(PullError),
}

/// When to try again after `failures` failures in a row (this one included):
/// the backoff doubled per earlier failure, never later than the schedule.
pub fn next_attempt(now_ms: i64, failures: i64, interval_minutes: i64, settings: &FeedSettings) -> i64 {
    let schedule = Duration::from_secs(interval_minutes.max(1) as u64 * 60);
    let doublings = failures.clamp(1, 20) as u32 - 1;
    let wait = settings.backoff.saturating_mul(1 << doublings).min(schedule);
    now_ms + wait.as_millis() as i64
}

/// Pulls `source` (already claimed) and records the run. Errors of the store are
/// returned; everything else is a run with its outcome.
pub async fn pull(
    store: &Store,
    source: &ServiceSource,
    settings: &FeedSettings,
) -> Result<PullReport, StoreError> {
    let started_at = store.clock().now_ms();
    let attempt = fetch_and_score(store, source, settings).await;
    let now = store.clock().now_ms();
    let on_schedule = now + source.interval_minutes * 60_000;
    let (report, outcome, next_run_at) = match attempt {
        Ok(Scored::Unchanged { hash, rows }) => (
            PullReport::Unchanged { hash: hash.clone() },
            PullOutcome::Unchanged { content_hash: hash, rows: rows as i64 },
            on_schedule,
        ),
        Ok(Scored::New(snapshot)) => (
            PullReport::Stored { hash: snapshot.content_hash.clone(), rows: snapshot.rows as u64 },
            PullOutcome::Stored(*snapshot),
            on_schedule,
        ),
        Err(error) => {
            tracing::warn!(source = %source.name, error = %error.message(Lang::En), detail = ?error, "pull failed");
            let stored = error.stored();
            (
                PullReport::Failed(error),
                PullOutcome::Failed { error: stored },
                next_attempt(now, source.failures + 1, source.interval_minutes, settings),
            )
        }
    };
    store
        .record_service_pull(
            ServicePullRecord { source: source.id, started_at, outcome, next_run_at },
            Actor::System,
        )
        .await?;
    Ok(report)
}

enum Scored {
    Unchanged { hash: String, rows: u64 },
    New(Box<NewServiceSnapshot>),
}

async fn fetch_and_score(
    store: &Store,
    source: &ServiceSource,
    settings: &FeedSettings,
) -> Result<Scored, PullError> {
    let staged = stage::stage(source, settings).await?;
    let last = store.last_service_hash(source.id).await.map_err(|e| PullError::Internal(e.to_string()))?;
    if last.as_deref() == Some(staged.hash.as_str()) {
        return Ok(Scored::Unchanged { hash: staged.hash.clone(), rows: staged.rows });
    }
    let demo = source.kind == SourceKind::Demo;
    tokio::task::spawn_blocking(move || score(&staged, demo))
        .await
        .map_err(|e| PullError::Internal(e.to_string()))?
        .map(|snapshot| Scored::New(Box::new(snapshot)))
}

/// Reads and scores a staged folder into the snapshot to store.
fn score(staged: &Staged, demo: bool) -> Result<NewServiceSnapshot, PullError> {
    let run = read_folder(staged.dir.path(), &ServiceOptions::default(), &NoProgress).map_err(|e| {
        PullError::Refused { vi: staged.locate(&e.render(Lang::Vi)), en: staged.locate(&e.render(Lang::En)) }
    })?;
    snapshot(&run, staged.hash.clone(), demo)
}

/// The snapshot of a scored run: the index's JSON document and its observations
/// (none for demo data: monitoring holds real figures only).
pub fn snapshot(run: &ServiceRun, content_hash: String, demo: bool) -> Result<NewServiceSnapshot, PullError> {
    let document = ServiceIndexDocument::new(&run.index, Lang::Vi, None);
    let document = serde_json::to_string(&document).map_err(|e| PullError::Internal(e.to_string()))?;
    Ok(NewServiceSnapshot {
        content_hash,
        rows: run.rows as i64,
        skipped: run.skipped as i64,
        row_counts: run.files.iter().map(|(name, rows)| ((*name).to_owned(), *rows as i64)).collect(),
        period_kind: "month".to_owned(),
        document,
        observations: if demo { Vec::new() } else { observations(run)? },
        demo,
    })
}

/// The KPI observations of the index (`svc_index`, `svc_<code>_rate`), as
/// `chiso service-index --observations` prints them.
fn observations(run: &ServiceRun) -> Result<Vec<NewObservation>, PullError> {
    let mut csv = Vec::new();
    output::write_observations(&mut csv, &run.index, None).map_err(|e| PullError::Internal(e.to_string()))?;
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| PullError::Internal(e.to_string()))?;
        let value = record.get(3).and_then(|v| v.parse::<f64>().ok());
        if let (Some(kpi), Some(scope), Some(period), Some(value)) =
            (record.get(0), record.get(1), record.get(2), value)
        {
            rows.push(NewObservation {
                kpi: kpi.to_owned(),
                scope: scope.to_owned(),
                period: period.to_owned(),
                value,
                note: None,
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_at_the_schedule() {
        let settings = FeedSettings { backoff: Duration::from_secs(60), ..FeedSettings::default() };
        let minute = 60_000;
        assert_eq!(next_attempt(0, 1, 60, &settings), minute);
        assert_eq!(next_attempt(0, 2, 60, &settings), 2 * minute);
        assert_eq!(next_attempt(0, 4, 60, &settings), 8 * minute);
        assert_eq!(next_attempt(0, 7, 60, &settings), 60 * minute);
        assert_eq!(next_attempt(0, 1000, 60, &settings), 60 * minute);
        assert_eq!(next_attempt(5, 1, 0, &settings), 5 + minute);
    }
}
