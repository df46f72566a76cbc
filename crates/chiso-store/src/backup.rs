//! Backups of the SQLite database and their restore (`chiso backup`, `chiso
//! restore`). PostgreSQL is backed up with its own tools (`pg_dump`), which the
//! binary runs; this module only says so ([`BackupError::NotSqlite`]).
//!
//! Everything chiso keeps is in the database, evidence files included (table
//! `evidence`, column `content`): nothing lives beside `chiso.db`, so one
//! snapshot of the database is a whole backup.
//!
//! **Backup.** `VACUUM INTO` a temporary file: a read transaction, so the
//! snapshot is transactionally consistent (every write committed before it
//! started is in it, none half-done) while the server keeps reading and writing
//! (WAL: readers never block writers). The snapshot is checked (`quick_check`,
//! the migrations table), hashed, and written with a manifest line as one file
//! ([`file`] describes the format), synced, and renamed into place.
//!
//! **Restore.** The backup's size and SHA-256 are checked against its manifest
//! while it is copied to a temporary file beside the database; SQLite's
//! `integrity_check` must say `ok`; its migrations must all be known to this
//! binary (never newer). Only then is the database replaced: a database that
//! another process holds open is refused, one that holds data needs `force`, and
//! the old file is kept as `chiso.db.before-restore-<UTC time>`. The restored
//! database is then migrated to this binary's schema. Whatever fails, the
//! database that was there is untouched.

mod error;
mod file;

pub use error::{BackupError, FileStep};
pub use file::{BACKUP_FORMAT, BackupKind};

use crate::db::blocking;
use crate::error::StoreError;
use crate::store::{Backend, Store};
use file::{TempFile, copy_hashing, hash_file, open_backup, put_in_place, utc_times, write_backup};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// What a backup says about itself: the second line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupManifest {
    /// [`BACKUP_FORMAT`] when written.
    pub format: u32,
    /// The version of the chiso that wrote it.
    pub chiso_version: String,
    /// `sqlite` (the only backend backed up this way).
    pub backend: String,
    /// The newest migration applied to the database (`_sqlx_migrations`).
    pub schema_version: i64,
    /// When the snapshot was taken, UTC, e.g. `2026-12-14T01:30:00Z`.
    pub created_at: String,
    pub created_at_ms: i64,
    /// The snapshot's size in bytes and its SHA-256 (lower-case hex).
    pub size: u64,
    pub sha256: String,
    /// Rows per table in the snapshot, to compare after a restore.
    pub rows: BTreeMap<String, i64>,
}

/// A step of a backup or a restore, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupStep {
    /// Taking the consistent snapshot (`VACUUM INTO`; no byte count).
    Snapshot,
    /// SQLite's integrity check of the snapshot or of the restored copy.
    Check,
    /// Hashing the snapshot.
    Hash,
    /// Writing the backup file.
    Write,
    /// Copying the backup beside the database while checking its SHA-256.
    Copy,
    /// Migrating the restored database.
    Migrate,
}

/// Receives the progress of a backup or a restore (a bar on a terminal).
pub trait BackupProgress: Send + Sync {
    /// A step starts; `total_bytes` when it is counted in bytes.
    fn step(&self, step: BackupStep, total_bytes: Option<u64>);
    /// Bytes done so far in the current step.
    fn advance(&self, bytes_done: u64);
}

/// No progress display.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoBackupProgress;

impl BackupProgress for NoBackupProgress {
    fn step(&self, _: BackupStep, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}

/// How a restore may treat the database already there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    /// Replace a database that holds data (it is kept beside as `.before-restore-…`).
    pub force: bool,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// The manifest of the backup; `None` for a bare SQLite file.
    pub manifest: Option<BackupManifest>,
    /// Where the database that was there is kept, if there was one.
    pub previous: Option<PathBuf>,
    /// The schema version of the backup, and the one after migrating.
    pub schema_version: i64,
    pub migrated_to: i64,
    /// Rows per table after the restore (before migrating).
    pub rows: BTreeMap<String, i64>,
}

/// The newest migration this binary knows for a backend.
pub fn latest_schema_version(backend: Backend) -> i64 {
    backend.migrator().iter().map(|m| m.version).max().unwrap_or(0)
}

/// What the file at `path` is, from its first bytes (and its manifest).
pub fn inspect_backup(path: &Path) -> Result<BackupKind, BackupError> {
    Ok(open_backup(path)?.kind)
}

/// The file a `sqlite:` URL names (`None` for an in-memory database or another scheme).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

impl Store {
    /// Writes a consistent backup of this SQLite database to `out` (atomically:
    /// a temporary file beside it, synced, then renamed) while other connections
    /// keep writing. Every write committed before the call is in the backup.
    #[tracing::instrument(skip_all, fields(out = %out.display()))]
    pub async fn backup_sqlite(
        &self,
        out: &Path,
        progress: Arc<dyn BackupProgress>,
    ) -> Result<BackupManifest, BackupError> {
        if self.backend != Backend::Sqlite {
            return Err(BackupError::NotSqlite);
        }
        let snapshot = TempFile::beside(out, "snapshot");
        let snapshot_text = snapshot
            .path()
            .to_str()
            .ok_or_else(|| BackupError::PathNotUtf8 { path: out.to_owned() })?
            .to_owned();
        progress.step(BackupStep::Snapshot, None);
        let created_at_ms = self.now();
        sqlx::query("VACUUM INTO $1").bind(snapshot_text).execute(&self.pool).await?;
        progress.step(BackupStep::Check, None);
        let facts = check_snapshot(snapshot.path(), Check::Quick).await?;
        let out = out.to_owned();
        blocking(move || {
            let (size, sha256) = hash_file(snapshot.path(), &*progress)?;
            let manifest = BackupManifest {
                format: BACKUP_FORMAT,
                chiso_version: env!("CARGO_PKG_VERSION").to_owned(),
                backend: "sqlite".to_owned(),
                schema_version: facts.schema_version,
                created_at: utc_times(created_at_ms).0,
                created_at_ms,
                size,
                sha256,
                rows: facts.rows,
            };
            let partial = TempFile::beside(&out, "partial");
            write_backup(snapshot.path(), &manifest, partial.path(), &*progress)?;
            put_in_place(partial.path(), &out)?;
            partial.keep();
            Ok(manifest)
        })
        .await
    }
}

impl Store {
    /// How many tables the database has outside the database system's own
    /// (`pg_catalog`, `information_schema`, `sqlite_…`): a restore goes only into
    /// a database with none.
    pub async fn table_count(&self) -> Result<i64, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            }
        };
        Ok(sqlx::query_scalar(sql).fetch_one(&self.pool).await?)
    }
}

/// Backs up the SQLite database file `database` (which must exist; it is neither
/// created nor migrated) to `out`. See [`Store::backup_sqlite`].
pub async fn backup_sqlite_file(
    database: &Path,
    out: &Path,
    progress: Arc<dyn BackupProgress>,
) -> Result<BackupManifest, BackupError> {
    if !database.is_file() {
        return Err(BackupError::NoDatabase { path: database.to_owned() });
    }
    let store = Store::connect(&format!("sqlite:{}", database.display())).await?;
    let result = store.backup_sqlite(out, progress).await;
    store.close().await;
    result
}

/// Restores the backup `backup` as the SQLite database `database` (see the module
/// documentation for the checks), then migrates it to this binary's schema.
#[tracing::instrument(skip_all, fields(backup = %backup.display(), database = %database.display()))]
pub async fn restore_sqlite(
    backup: &Path,
    database: &Path,
    options: RestoreOptions,
    progress: Arc<dyn BackupProgress>,
) -> Result<RestoreReport, BackupError> {
    // Fail fast, before a long copy, when the database may not be replaced.
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(BackupError::file(FileStep::CreateDir, dir))?;
    }
    check_target(database, options).await?;

    let staged = TempFile::beside(database, "restoring");
    let manifest = {
        let (backup, staged_path, progress) = (backup.to_owned(), staged.path().to_owned(), progress.clone());
        blocking(move || stage(&backup, &staged_path, &*progress)).await?
    };
    progress.step(BackupStep::Check, None);
    let facts = check_snapshot(staged.path(), Check::Full).await.map_err(|e| match e {
        BackupError::Damaged { detail, .. } => BackupError::Damaged { path: backup.to_owned(), detail },
        BackupError::NotChiso { .. } => BackupError::NotChiso { path: backup.to_owned() },
        BackupError::NewerSchema { backup: b, binary, .. } => {
            BackupError::NewerSchema { path: backup.to_owned(), backup: b, binary }
        }
        other => other,
    })?;

    // Again, now that the backup is known good: nobody may have opened it since.
    check_target(database, options).await?;
    let previous = set_aside(database)?;
    if let Err(e) = put_in_place(staged.path(), database) {
        if let Some(previous) = &previous {
            let _ = std::fs::rename(previous, database);
        }
        return Err(e);
    }
    staged.keep();

    progress.step(BackupStep::Migrate, None);
    let store = Store::connect(&format!("sqlite:{}", database.display())).await?;
    let migrated = store.migrate().await;
    store.close().await;
    migrated?;
    Ok(RestoreReport {
        manifest,
        previous,
        schema_version: facts.schema_version,
        migrated_to: latest_schema_version(Backend::Sqlite).max(facts.schema_version),
        rows: facts.rows,
    })
}

/// Copies the backup's content to `staged`, checking its size and SHA-256 against
/// the manifest. Returns the manifest (`None` for a bare SQLite file).
fn stage(
    backup: &Path,
    staged: &Path,
    progress: &dyn BackupProgress,
) -> Result<Option<BackupManifest>, BackupError> {
    let opened = open_backup(backup)?;
    let manifest = match opened.kind {
        BackupKind::Chiso(manifest) => Some(manifest),
        BackupKind::PlainSqlite => None,
        BackupKind::PostgresDump => return Err(BackupError::PostgresDump { path: backup.to_owned() }),
    };
    if let Some(m) = &manifest {
        if m.backend != "sqlite" {
            return Err(BackupError::BadManifest {
                path: backup.to_owned(),
                detail: format!("backend {:?}", m.backend),
            });
        }
        if opened.content_len != m.size {
            return Err(BackupError::WrongSize {
                path: backup.to_owned(),
                expected: m.size,
                found: opened.content_len,
            });
        }
    }
    let mut out = File::create_new(staged).map_err(BackupError::file(FileStep::Write, staged))?;
    progress.step(BackupStep::Copy, Some(opened.content_len));
    let mut content = opened.content.take(opened.content_len);
    let (size, sha256) = copy_hashing(&mut content, backup, Some(&mut out), staged, progress)?;
    if let Some(m) = &manifest {
        if size != m.size {
            return Err(BackupError::WrongSize { path: backup.to_owned(), expected: m.size, found: size });
        }
        if sha256 != m.sha256 {
            return Err(BackupError::Checksum {
                path: backup.to_owned(),
                expected: m.sha256.clone(),
                found: sha256,
            });
        }
    }
    out.sync_all().map_err(BackupError::file(FileStep::Write, staged))?;
    Ok(manifest)
}

/// How thoroughly a snapshot is checked: `quick_check` right after it was taken;
/// the full `integrity_check`, and migrations this binary knows, before it
/// replaces a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Quick,
    Full,
}

/// What a checked snapshot holds.
#[derive(Debug)]
struct SnapshotFacts {
    schema_version: i64,
    rows: BTreeMap<String, i64>,
}

/// Opens the snapshot at `path` (rollback journal: no side files stay), runs
/// SQLite's check, and reads its migrations and row counts.
async fn check_snapshot(path: &Path, check: Check) -> Result<SnapshotFacts, BackupError> {
    let damaged = |e: sqlx::Error| BackupError::Damaged { path: path.to_owned(), detail: e.to_string() };
    let mut conn =
        SqliteConnectOptions::new().filename(path).foreign_keys(false).connect().await.map_err(damaged)?;
    let facts = read_facts(&mut conn, path, check).await;
    let _ = conn.close().await;
    facts
}

async fn read_facts(
    conn: &mut SqliteConnection,
    path: &Path,
    check: Check,
) -> Result<SnapshotFacts, BackupError> {
    let damaged = |e: sqlx::Error| BackupError::Damaged { path: path.to_owned(), detail: e.to_string() };
    let pragma = match check {
        Check::Quick => "PRAGMA quick_check",
        Check::Full => "PRAGMA integrity_check",
    };
    let problems: Vec<String> = sqlx::query_scalar(pragma).fetch_all(&mut *conn).await.map_err(damaged)?;
    if problems != ["ok"] {
        let detail = problems.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
        return Err(BackupError::Damaged { path: path.to_owned(), detail });
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(damaged)?;
    if !tables.iter().any(|t| t == "_sqlx_migrations") {
        return Err(BackupError::NotChiso { path: path.to_owned() });
    }
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
        .fetch_all(&mut *conn)
        .await
        .map_err(damaged)?;
    let schema_version = applied.iter().copied().max().unwrap_or(0);
    // A backup may be taken of a database a newer chiso migrated; it is restored
    // only by a chiso that knows every migration applied to it.
    let known: BTreeSet<i64> = Backend::Sqlite.migrator().iter().map(|m| m.version).collect();
    if check == Check::Full && applied.iter().any(|v| !known.contains(v)) {
        return Err(BackupError::NewerSchema {
            path: path.to_owned(),
            backup: schema_version,
            binary: latest_schema_version(Backend::Sqlite),
        });
    }
    let mut rows = BTreeMap::new();
    for table in tables.into_iter().filter(|t| t != "_sqlx_migrations") {
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""));
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.map_err(damaged)?;
        rows.insert(table, count);
    }
    Ok(SnapshotFacts { schema_version, rows })
}

/// Refuses to replace a database another process has open, or one holding data
/// without `force`. Leaves its write-ahead log checkpointed into the file.
async fn check_target(database: &Path, options: RestoreOptions) -> Result<(), BackupError> {
    match database.metadata() {
        Err(_) => return Ok(()),
        Ok(meta) if meta.len() == 0 => return Ok(()),
        Ok(_) => {}
    }
    let in_use = || BackupError::TargetInUse { path: database.to_owned() };
    // In WAL mode every open connection keeps a shared lock on the file, so an
    // exclusive lock is only granted when nobody else has the database open.
    let options_exclusive = SqliteConnectOptions::new()
        .filename(database)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::ZERO);
    let mut conn = match options_exclusive.connect().await {
        Ok(conn) => conn,
        Err(e) if is_busy(&e) => return Err(in_use()),
        // Unreadable: it may hold something; replace it only when forced.
        Err(_) => return if options.force { Ok(()) } else { Err(not_empty(database)) },
    };
    let has_data = match sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await {
        Err(e) if is_busy(&e) => {
            let _ = conn.close().await;
            return Err(in_use());
        }
        Err(_) => true,
        Ok(_) => {
            let has_data = holds_data(&mut conn).await.unwrap_or(true);
            let _ = sqlx::query("COMMIT").execute(&mut conn).await;
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await;
            has_data
        }
    };
    let _ = conn.close().await;
    if has_data && !options.force {
        return Err(not_empty(database));
    }
    Ok(())
}

fn not_empty(database: &Path) -> BackupError {
    BackupError::TargetNotEmpty { path: database.to_owned() }
}

/// SQLITE_BUSY or SQLITE_LOCKED, whatever the extended code.
fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|db| db.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

/// Whether any table has more rows than a freshly migrated database has (some
/// migrations seed rows): an empty database created by `chiso migrate` holds no data.
async fn holds_data(conn: &mut SqliteConnection) -> Result<bool, StoreError> {
    let seeded = seeded_rows().await?;
    for table in data_tables(conn).await? {
        let quoted = format!("\"{}\"", table.replace('"', "\"\""));
        let more = match seeded.get(&table) {
            Some(&rows) if rows > 0 => {
                let sql = format!("SELECT COUNT(*) > {rows} FROM {quoted}");
                sqlx::query_scalar::<_, bool>(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await?
            }
            _ => {
                let sql = format!("SELECT EXISTS (SELECT 1 FROM {quoted})");
                sqlx::query_scalar::<_, bool>(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await?
            }
        };
        if more {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The tables of a SQLite database, without SQLite's own and the migrations.
async fn data_tables(conn: &mut SqliteConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Rows per table of a database just migrated by this binary (in memory).
async fn seeded_rows() -> Result<BTreeMap<String, i64>, StoreError> {
    let store = Store::connect("sqlite::memory:").await?;
    store.migrate().await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&store.pool)
    .await?;
    let mut rows = BTreeMap::new();
    for table in tables {
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""));
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&store.pool).await?;
        rows.insert(table, count);
    }
    store.close().await;
    Ok(rows)
}

/// Moves the database (and a write-ahead log left beside it) to
/// `NAME.before-restore-<UTC time>`; returns that path if there was a database.
fn set_aside(database: &Path) -> Result<Option<PathBuf>, BackupError> {
    let side = |suffix: &str| {
        let mut path = database.as_os_str().to_owned();
        path.push(suffix);
        PathBuf::from(path)
    };
    let (_, stamp) = utc_times(crate::clock::Clock::system().now_ms());
    let mut kept = side(&format!(".before-restore-{stamp}"));
    let mut n = 1;
    while kept.exists() {
        n += 1;
        kept = side(&format!(".before-restore-{stamp}-{n}"));
    }
    let existed = database.exists();
    if existed {
        put_in_place(database, &kept)?;
    }
    let wal = side("-wal");
    if wal.exists() {
        let mut kept_wal = kept.clone().into_os_string();
        kept_wal.push("-wal");
        put_in_place(&wal, Path::new(&kept_wal))?;
    }
    // The shared-memory index is rebuilt from the log; a stale one must not stay.
    let _ = std::fs::remove_file(side("-shm"));
    Ok(existed.then_some(kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite:data/chiso.db"), Some(PathBuf::from("data/chiso.db")));
        assert_eq!(
            sqlite_path("sqlite:///var/lib/chiso/chiso.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/chiso/chiso.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
    }
}
