//! Scheduled service-index feeds (issue 15): the sources of public-service records
//! an administrator registers, when each is due, and the lease that makes one app
//! server pull it while the others leave it alone.
//!
//! The web layer fetches a source and computes the service index; the store only
//! keeps what it is told. A pull is recorded in one transaction (see [`pulls`]):
//! its row, the snapshot of the index it computed (immutable), the KPI observations
//! merged into monitoring, the source's schedule and failure count, and the audit.
//! A failed pull leaves the last good snapshot the latest one.
//!
//! A source's bearer token is a secret: it is never written to the audit log and
//! never printed by `Debug`.

mod observations;
mod pulls;

pub use pulls::{NewServiceSnapshot, PullOutcome, ServicePull, ServicePullRecord, ServiceSnapshot};

use crate::audit::{self, AuditRecord};
use crate::db::flag;
use crate::error::StoreError;
use crate::ids::{Actor, ServiceSourceId};
use crate::problems::{Clash, InputProblem};
use crate::store::{Backend, Store};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::fmt;

/// The longest interval between two pulls: a week.
pub const MAX_INTERVAL_MINUTES: i64 = 7 * 24 * 60;

/// Where a source's records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// An HTTP(S) URL answering CSV or JSON.
    Url,
    /// A folder another system drops files into.
    Folder,
    /// Generated illustration data: never published as fact.
    Demo,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Url => "url",
            SourceKind::Folder => "folder",
            SourceKind::Demo => "demo",
        }
    }

    /// `url`, `folder` or `demo`.
    pub fn parse(text: &str) -> Option<SourceKind> {
        match text {
            "url" => Some(SourceKind::Url),
            "folder" => Some(SourceKind::Folder),
            "demo" => Some(SourceKind::Demo),
            _ => None,
        }
    }
}

/// How a source's records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    Csv,
    Json,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Csv => "csv",
            SourceFormat::Json => "json",
        }
    }

    /// `csv` or `json`.
    pub fn parse(text: &str) -> Option<SourceFormat> {
        match text {
            "csv" => Some(SourceFormat::Csv),
            "json" => Some(SourceFormat::Json),
            _ => None,
        }
    }
}

/// A source to register, or what an edit sets.
#[derive(Clone, PartialEq)]
pub struct NewServiceSource {
    pub name: String,
    pub kind: SourceKind,
    /// The URL or the folder's path; empty for [`SourceKind::Demo`].
    pub location: String,
    pub format: SourceFormat,
    /// A bearer token sent with a URL pull (`None` or blank: none).
    pub token: Option<String>,
    /// The column mapping, as the web layer writes it (opaque to the store).
    pub mapping: String,
    /// Minutes between two pulls: 1 to [`MAX_INTERVAL_MINUTES`].
    pub interval_minutes: i64,
    pub enabled: bool,
}

/// A stored source, with its schedule and the state of its last pulls.
#[derive(Clone, PartialEq)]
pub struct ServiceSource {
    pub id: ServiceSourceId,
    pub name: String,
    pub kind: SourceKind,
    pub location: String,
    pub format: SourceFormat,
    pub token: Option<String>,
    pub mapping: String,
    pub interval_minutes: i64,
    pub enabled: bool,
    pub created_at: i64,
    /// The actor who registered it (`user:1`).
    pub created_by: String,
    /// When it is due (Unix ms).
    pub next_run_at: i64,
    /// Consecutive failed pulls (0 after a good one): the caller's backoff.
    pub failures: i64,
    /// The error of the last pull, if it failed.
    pub last_error: Option<String>,
    pub last_attempt_at: Option<i64>,
    pub last_success_at: Option<i64>,
    /// A pull is running until then (an app server claimed it).
    pub lease_until: Option<i64>,
}

/// `Some(..)` or `None`, never the secret.
fn redacted(token: &Option<String>) -> &'static str {
    if token.is_some() { "Some(***)" } else { "None" }
}

impl fmt::Debug for NewServiceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewServiceSource")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("location", &self.location)
            .field("format", &self.format)
            .field("token", &format_args!("{}", redacted(&self.token)))
            .field("mapping", &self.mapping)
            .field("interval_minutes", &self.interval_minutes)
            .field("enabled", &self.enabled)
            .finish()
    }
}

impl fmt::Debug for ServiceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceSource")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("location", &self.location)
            .field("format", &self.format)
            .field("token", &format_args!("{}", redacted(&self.token)))
            .field("mapping", &self.mapping)
            .field("interval_minutes", &self.interval_minutes)
            .field("enabled", &self.enabled)
            .field("created_at", &self.created_at)
            .field("created_by", &self.created_by)
            .field("next_run_at", &self.next_run_at)
            .field("failures", &self.failures)
            .field("last_error", &self.last_error)
            .field("last_attempt_at", &self.last_attempt_at)
            .field("last_success_at", &self.last_success_at)
            .field("lease_until", &self.lease_until)
            .finish()
    }
}

const SOURCE_COLUMNS: &str = "id, name, kind, location, format, token, mapping, interval_minutes, enabled, \
     created_at, created_by, next_run_at, failures, last_error, last_attempt_at, last_success_at, lease_until";

fn source_from_row(row: &AnyRow) -> Result<ServiceSource, StoreError> {
    let kind: String = row.try_get("kind")?;
    let format: String = row.try_get("format")?;
    let enabled: i64 = row.try_get("enabled")?;
    Ok(ServiceSource {
        id: ServiceSourceId(row.try_get("id")?),
        name: row.try_get("name")?,
        kind: SourceKind::parse(&kind).ok_or_else(|| StoreError::corrupt(format!("source kind {kind:?}")))?,
        location: row.try_get("location")?,
        format: SourceFormat::parse(&format)
            .ok_or_else(|| StoreError::corrupt(format!("source format {format:?}")))?,
        token: row.try_get("token")?,
        mapping: row.try_get("mapping")?,
        interval_minutes: row.try_get("interval_minutes")?,
        enabled: enabled != 0,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        next_run_at: row.try_get("next_run_at")?,
        failures: row.try_get("failures")?,
        last_error: row.try_get("last_error")?,
        last_attempt_at: row.try_get("last_attempt_at")?,
        last_success_at: row.try_get("last_success_at")?,
        lease_until: row.try_get("lease_until")?,
    })
}

/// A source's fields, checked and trimmed.
struct Checked<'a> {
    name: &'a str,
    location: &'a str,
    token: Option<&'a str>,
}

fn check(new: &NewServiceSource) -> Result<Checked<'_>, StoreError> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(StoreError::InvalidInput(InputProblem::SourceNameEmpty));
    }
    if !(1..=MAX_INTERVAL_MINUTES).contains(&new.interval_minutes) {
        return Err(StoreError::InvalidInput(InputProblem::SourceInterval { minutes: new.interval_minutes }));
    }
    let location = new.location.trim();
    if location.is_empty() && new.kind != SourceKind::Demo {
        return Err(StoreError::InvalidInput(InputProblem::SourceLocationEmpty));
    }
    let token = new.token.as_deref().map(str::trim).filter(|t| !t.is_empty());
    Ok(Checked { name, location, token })
}

/// What the audit log says of a source: everything but the token.
fn audited(source: &ServiceSource) -> Value {
    json!({
        "name": source.name,
        "kind": source.kind.as_str(),
        "location": source.location,
        "format": source.format.as_str(),
        "token_set": source.token.is_some(),
        "mapping": source.mapping,
        "interval_minutes": source.interval_minutes,
        "enabled": source.enabled,
    })
}

impl Store {
    /// Registers a source, due at once (the scheduler pulls it soon). Its name is
    /// unique ([`Clash::SourceNameTaken`]); the interval is 1 to
    /// [`MAX_INTERVAL_MINUTES`]; a URL or folder source needs its location.
    #[tracing::instrument(skip_all, fields(actor = %actor))]
    pub async fn add_service_source(
        &self,
        new: &NewServiceSource,
        actor: Actor,
    ) -> Result<ServiceSourceId, StoreError> {
        let checked = check(new)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        ensure_name_free(&mut tx, checked.name, None).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO service_sources (name, kind, location, format, token, mapping, interval_minutes, \
             enabled, created_at, created_by, next_run_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(checked.name)
        .bind(new.kind.as_str())
        .bind(checked.location)
        .bind(new.format.as_str())
        .bind(checked.token)
        .bind(&new.mapping)
        .bind(new.interval_minutes)
        .bind(flag(new.enabled))
        .bind(now)
        .bind(actor.to_string())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let source = load_source(&mut tx, ServiceSourceId(id), "").await?;
        let record = AuditRecord::new("service_source.add", "service_source", id).after(audited(&source));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(ServiceSourceId(id))
    }

    /// Changes a source's settings and makes it due at once; its pull history
    /// (failures, last error) is kept. With `keep_token`, a blank `new.token` leaves
    /// the stored token (a form that does not show the secret); a token given
    /// replaces it. Without `keep_token`, the token becomes `new.token` (blank: none).
    #[tracing::instrument(skip_all, fields(source = %id, actor = %actor))]
    pub async fn update_service_source(
        &self,
        id: ServiceSourceId,
        new: &NewServiceSource,
        keep_token: bool,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let checked = check(new)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let before = load_source(&mut tx, id, self.for_update()).await?;
        ensure_name_free(&mut tx, checked.name, Some(id)).await?;
        let token = match checked.token {
            None if keep_token => before.token.clone(),
            given => given.map(str::to_string),
        };
        sqlx::query(
            "UPDATE service_sources SET name = $1, kind = $2, location = $3, format = $4, token = $5, \
             mapping = $6, interval_minutes = $7, enabled = $8, next_run_at = $9 WHERE id = $10",
        )
        .bind(checked.name)
        .bind(new.kind.as_str())
        .bind(checked.location)
        .bind(new.format.as_str())
        .bind(token)
        .bind(&new.mapping)
        .bind(new.interval_minutes)
        .bind(flag(new.enabled))
        .bind(now)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let after = load_source(&mut tx, id, "").await?;
        let mut after_json = audited(&after);
        after_json["token_changed"] = json!(before.token != after.token);
        let record = AuditRecord::new("service_source.update", "service_source", id)
            .before(audited(&before))
            .after(after_json);
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every source, by name.
    #[tracing::instrument(skip_all)]
    pub async fn service_sources(&self) -> Result<Vec<ServiceSource>, StoreError> {
        let sql = format!("SELECT {SOURCE_COLUMNS} FROM service_sources ORDER BY name, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(source_from_row).collect()
    }

    /// One source ([`StoreError::NotFound`] if there is none).
    #[tracing::instrument(skip_all, fields(source = %id))]
    pub async fn service_source(&self, id: ServiceSourceId) -> Result<ServiceSource, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_source(&mut conn, id, "").await
    }

    /// Makes a source due now (an administrator's "pull now"); a pull already
    /// running keeps its lease.
    #[tracing::instrument(skip_all, fields(source = %id, actor = %actor))]
    pub async fn pull_service_source_now(&self, id: ServiceSourceId, actor: Actor) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let before = load_source(&mut tx, id, self.for_update()).await?;
        sqlx::query("UPDATE service_sources SET next_run_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let record = AuditRecord::new("service_source.pull_now", "service_source", id)
            .before(json!({ "next_run_at": before.next_run_at }))
            .after(json!({ "next_run_at": now }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the most overdue enabled source that no one is pulling: leases it
    /// for `lease_ms` (another app server will not take it until then, or until
    /// its pull is recorded) and returns it; `None` when nothing is due. Safe
    /// between app servers sharing a database: a source goes to one of them.
    /// Not audited: the pull's record is.
    #[tracing::instrument(skip_all)]
    pub async fn claim_due_service_source(&self, lease_ms: i64) -> Result<Option<ServiceSource>, StoreError> {
        let now = self.now();
        // PostgreSQL: a source another server is claiming right now is skipped,
        // so that server gets the next one instead of waiting and finding none.
        // SQLite: the write transaction already excludes other writers.
        let skip_locked = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE service_sources SET lease_until = $1, last_attempt_at = $2 \
             WHERE id = (SELECT id FROM service_sources WHERE enabled = 1 AND next_run_at <= $3 \
             AND (lease_until IS NULL OR lease_until < $4) ORDER BY next_run_at, id LIMIT 1{skip_locked}) \
             AND (lease_until IS NULL OR lease_until < $5) RETURNING {SOURCE_COLUMNS}"
        );
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now.saturating_add(lease_ms.max(0)))
            .bind(now)
            .bind(now)
            .bind(now)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        row.as_ref().map(source_from_row).transpose()
    }
}

/// The source, read in the caller's transaction (`lock`: [`Store::for_update`] or "").
pub(crate) async fn load_source(
    conn: &mut sqlx::AnyConnection,
    id: ServiceSourceId,
    lock: &str,
) -> Result<ServiceSource, StoreError> {
    let sql = format!("SELECT {SOURCE_COLUMNS} FROM service_sources WHERE id = $1{lock}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(conn).await?;
    match row {
        Some(row) => source_from_row(&row),
        None => Err(StoreError::not_found("service source", id)),
    }
}

/// A clear refusal of a name another source has (the unique constraint stays
/// the guard against a race).
async fn ensure_name_free(
    conn: &mut sqlx::AnyConnection,
    name: &str,
    except: Option<ServiceSourceId>,
) -> Result<(), StoreError> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM service_sources WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    match taken {
        Some(other) if Some(ServiceSourceId(other)) != except => {
            Err(StoreError::Conflict(Clash::SourceNameTaken { name: name.to_string() }))
        }
        _ => Ok(()),
    }
}
