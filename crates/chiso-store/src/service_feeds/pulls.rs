//! Recording a pull, and reading pulls and snapshots back. A pull is recorded in
//! one transaction with everything it changes, so a crash leaves either the whole
//! pull or nothing; a failed pull only moves the schedule and counts the failure,
//! so the last good snapshot stays the one shown.

use super::observations::{self, Merge};
use super::{SourceKind, load_source};
use crate::audit::{self, AuditRecord};
use crate::db::flag;
use crate::error::StoreError;
use crate::ids::{Actor, ServicePullId, ServiceSnapshotId, ServiceSourceId};
use crate::monitoring::NewObservation;
use crate::store::Store;
use serde_json::{Map, Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A snapshot to store: the index a pull computed, with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct NewServiceSnapshot {
    /// The hash of the content pulled (the caller's choice, e.g. SHA-256 hex).
    pub content_hash: String,
    /// Records read, and records skipped as unusable.
    pub rows: i64,
    pub skipped: i64,
    /// Records per kind, in order, e.g. `units`, `procedures`, `dossiers`, `petitions`.
    pub row_counts: Vec<(String, i64)>,
    /// `month`.
    pub period_kind: String,
    /// The `ServiceIndexDocument` JSON, stored verbatim.
    pub document: String,
    /// KPI observations merged into monitoring (KPIs not in the catalogue are
    /// skipped and counted). Pass none for demo data: monitoring holds facts.
    pub observations: Vec<NewObservation>,
    /// Generated illustration data, never published as fact.
    pub demo: bool,
}

/// How a pull ended.
#[derive(Debug, Clone, PartialEq)]
pub enum PullOutcome {
    /// New content: its snapshot.
    Stored(NewServiceSnapshot),
    /// The same content as the source's last snapshot.
    Unchanged { content_hash: String, rows: i64 },
    /// Nothing usable was pulled; the last good snapshot stays.
    Failed { error: String },
}

impl PullOutcome {
    fn code(&self) -> &'static str {
        match self {
            PullOutcome::Stored(_) => "stored",
            PullOutcome::Unchanged { .. } => "unchanged",
            PullOutcome::Failed { .. } => "failed",
        }
    }
}

/// A finished pull, to record.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePullRecord {
    pub source: ServiceSourceId,
    /// When the pull started (Unix ms); it finished when it is recorded.
    pub started_at: i64,
    pub outcome: PullOutcome,
    /// When the source is due again: the caller computes the interval or the backoff.
    pub next_run_at: i64,
}

/// A recorded pull.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePull {
    pub id: ServicePullId,
    pub source_id: ServiceSourceId,
    pub started_at: i64,
    pub finished_at: i64,
    /// `stored`, `unchanged` or `failed`.
    pub outcome: String,
    pub error: Option<String>,
    pub content_hash: Option<String>,
    pub rows: Option<i64>,
    pub skipped: Option<i64>,
    /// Observations inserted or updated in monitoring (stored pulls).
    pub observations_changed: Option<i64>,
    /// Observations skipped: unknown KPI or unusable row (stored pulls).
    pub observations_ignored: Option<i64>,
    pub snapshot_id: Option<ServiceSnapshotId>,
}

/// A stored snapshot of the service index, with its source.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSnapshot {
    pub id: ServiceSnapshotId,
    pub source_id: ServiceSourceId,
    pub source_name: String,
    pub source_kind: SourceKind,
    pub pulled_at: i64,
    pub content_hash: String,
    pub rows: i64,
    pub skipped: i64,
    pub row_counts: Vec<(String, i64)>,
    pub period_kind: String,
    /// The `ServiceIndexDocument` JSON, as it was stored.
    pub document: String,
    pub demo: bool,
}

const PULL_COLUMNS: &str = "id, source_id, started_at, finished_at, outcome, error, content_hash, rows_read, \
     rows_skipped, observations_changed, observations_ignored, snapshot_id";

const SNAPSHOT_SELECT: &str = "SELECT s.id, s.source_id, src.name AS source_name, src.kind AS source_kind, \
     s.pulled_at, s.content_hash, s.rows_read, s.rows_skipped, s.row_counts, s.period_kind, s.document, s.demo \
     FROM service_snapshots s JOIN service_sources src ON src.id = s.source_id";

fn pull_from_row(row: &AnyRow) -> Result<ServicePull, StoreError> {
    let snapshot: Option<i64> = row.try_get("snapshot_id")?;
    Ok(ServicePull {
        id: ServicePullId(row.try_get("id")?),
        source_id: ServiceSourceId(row.try_get("source_id")?),
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        outcome: row.try_get("outcome")?,
        error: row.try_get("error")?,
        content_hash: row.try_get("content_hash")?,
        rows: row.try_get("rows_read")?,
        skipped: row.try_get("rows_skipped")?,
        observations_changed: row.try_get("observations_changed")?,
        observations_ignored: row.try_get("observations_ignored")?,
        snapshot_id: snapshot.map(ServiceSnapshotId),
    })
}

fn snapshot_from_row(row: &AnyRow) -> Result<ServiceSnapshot, StoreError> {
    let kind: String = row.try_get("source_kind")?;
    let counts: String = row.try_get("row_counts")?;
    let demo: i64 = row.try_get("demo")?;
    Ok(ServiceSnapshot {
        id: ServiceSnapshotId(row.try_get("id")?),
        source_id: ServiceSourceId(row.try_get("source_id")?),
        source_name: row.try_get("source_name")?,
        source_kind: SourceKind::parse(&kind)
            .ok_or_else(|| StoreError::corrupt(format!("source kind {kind:?}")))?,
        pulled_at: row.try_get("pulled_at")?,
        content_hash: row.try_get("content_hash")?,
        rows: row.try_get("rows_read")?,
        skipped: row.try_get("rows_skipped")?,
        row_counts: read_counts(&counts)?,
        period_kind: row.try_get("period_kind")?,
        document: row.try_get("document")?,
        demo: demo != 0,
    })
}

/// Row counts as a JSON object, in their order (serde_json keeps it).
fn write_counts(counts: &[(String, i64)]) -> String {
    let map: Map<String, Value> = counts.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    Value::Object(map).to_string()
}

fn read_counts(text: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let map: Map<String, Value> =
        serde_json::from_str(text).map_err(|e| StoreError::corrupt(format!("row counts {text:?}: {e}")))?;
    map.into_iter()
        .map(|(k, v)| {
            let n = v.as_i64().ok_or_else(|| StoreError::corrupt(format!("row count {k:?}: {v}")))?;
            Ok((k, n))
        })
        .collect()
}

impl Store {
    /// Records a finished pull, in one transaction: its row; for a stored one the
    /// snapshot and its observations merged into monitoring; the source's state
    /// (a good pull clears the failures, a failed one counts and keeps its error);
    /// the lease released and the next run set; one audit row. A source that no
    /// longer exists is [`StoreError::NotFound`] and nothing is written.
    #[tracing::instrument(skip_all, fields(source = %record.source, actor = %actor, outcome = record.outcome.code()))]
    pub async fn record_service_pull(
        &self,
        record: ServicePullRecord,
        actor: Actor,
    ) -> Result<ServicePullId, StoreError> {
        let now = self.now();
        let by = actor.to_string();
        let source = record.source;
        let mut tx = self.begin_write().await?;
        load_source(&mut tx, source, self.for_update()).await?;
        let (error, content_hash, rows, skipped) = match &record.outcome {
            PullOutcome::Stored(s) => (None, Some(s.content_hash.clone()), Some(s.rows), Some(s.skipped)),
            PullOutcome::Unchanged { content_hash, rows } => {
                (None, Some(content_hash.clone()), Some(*rows), None)
            }
            PullOutcome::Failed { error } => (Some(error.clone()), None, None, None),
        };
        let pull: i64 = sqlx::query_scalar(
            "INSERT INTO service_pulls (source_id, started_at, finished_at, outcome, error, content_hash, \
             rows_read, rows_skipped) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(source.0)
        .bind(record.started_at)
        .bind(now)
        .bind(record.outcome.code())
        .bind(error.clone())
        .bind(content_hash.clone())
        .bind(rows)
        .bind(skipped)
        .fetch_one(&mut *tx)
        .await?;

        let mut stored: Option<(i64, Merge)> = None;
        if let PullOutcome::Stored(snapshot) = &record.outcome {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO service_snapshots (source_id, pull_id, pulled_at, content_hash, rows_read, \
                 rows_skipped, row_counts, period_kind, document, demo) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(source.0)
            .bind(pull)
            .bind(now)
            .bind(&snapshot.content_hash)
            .bind(snapshot.rows)
            .bind(snapshot.skipped)
            .bind(write_counts(&snapshot.row_counts))
            .bind(&snapshot.period_kind)
            .bind(&snapshot.document)
            .bind(flag(snapshot.demo))
            .fetch_one(&mut *tx)
            .await?;
            let merge = observations::merge(&mut tx, &snapshot.observations, now, &by).await?;
            sqlx::query(
                "UPDATE service_pulls SET snapshot_id = $1, observations_changed = $2, \
                 observations_ignored = $3 WHERE id = $4",
            )
            .bind(id)
            .bind(merge.changed())
            .bind(merge.ignored)
            .bind(pull)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE data_versions SET version = version + 1 WHERE name = 'service'")
                .execute(&mut *tx)
                .await?;
            stored = Some((id, merge));
        }

        let update = match &record.outcome {
            PullOutcome::Failed { .. } => {
                "UPDATE service_sources SET failures = failures + 1, last_error = $1, lease_until = NULL, \
                 next_run_at = $2 WHERE id = $3"
            }
            _ => {
                "UPDATE service_sources SET failures = 0, last_error = $1, last_success_at = $2, \
                 lease_until = NULL, next_run_at = $3 WHERE id = $4"
            }
        };
        let mut query = sqlx::query(update).bind(error.clone());
        if !matches!(record.outcome, PullOutcome::Failed { .. }) {
            query = query.bind(now);
        }
        query.bind(record.next_run_at).bind(source.0).execute(&mut *tx).await?;

        let after = json!({
            "pull": pull,
            "outcome": record.outcome.code(),
            "content_hash": content_hash,
            "rows": rows,
            "error": error,
            "snapshot": stored.as_ref().map(|(id, _)| *id),
            "observations": stored.as_ref().map(|(_, merge)| merge.to_json()),
            "next_run_at": record.next_run_at,
        });
        let entry = AuditRecord::new("service_pull", "service_source", source).after(after);
        audit::append(&mut tx, now, actor, entry).await?;
        tx.commit().await?;
        Ok(ServicePullId(pull))
    }

    /// A source's pulls, newest first, at most `limit`.
    #[tracing::instrument(skip_all, fields(source = %source))]
    pub async fn service_pulls(
        &self,
        source: ServiceSourceId,
        limit: i64,
    ) -> Result<Vec<ServicePull>, StoreError> {
        let sql = format!(
            "SELECT {PULL_COLUMNS} FROM service_pulls WHERE source_id = $1 ORDER BY id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(source.0)
            .bind(limit.max(0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(pull_from_row).collect()
    }

    /// The content hash of the source's newest snapshot: a pull of the same
    /// content is [`PullOutcome::Unchanged`].
    #[tracing::instrument(skip_all, fields(source = %source))]
    pub async fn last_service_hash(&self, source: ServiceSourceId) -> Result<Option<String>, StoreError> {
        let hash = sqlx::query_scalar(
            "SELECT content_hash FROM service_snapshots WHERE source_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(source.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(hash)
    }

    /// The snapshot to show: the newest one that is not demo data, or the newest
    /// demo one when there is no other.
    #[tracing::instrument(skip_all)]
    pub async fn latest_service_snapshot(&self) -> Result<Option<ServiceSnapshot>, StoreError> {
        let sql = format!("{SNAPSHOT_SELECT} ORDER BY s.demo, s.id DESC LIMIT 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_optional(&self.pool).await?;
        row.as_ref().map(snapshot_from_row).transpose()
    }

    /// One snapshot ([`StoreError::NotFound`] if there is none).
    #[tracing::instrument(skip_all, fields(snapshot = %id))]
    pub async fn service_snapshot(&self, id: ServiceSnapshotId) -> Result<ServiceSnapshot, StoreError> {
        let sql = format!("{SNAPSHOT_SELECT} WHERE s.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(&self.pool).await?;
        match row {
            Some(row) => snapshot_from_row(&row),
            None => Err(StoreError::not_found("service snapshot", id)),
        }
    }

    /// A number that changes whenever a snapshot is stored (on any app server
    /// sharing the database): what is derived from the latest snapshot stays
    /// valid while it stays the same.
    #[tracing::instrument(skip_all)]
    pub async fn service_version(&self) -> Result<i64, StoreError> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM data_versions WHERE name = 'service'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(version.unwrap_or(0))
    }
}
