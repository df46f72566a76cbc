//! Backups of a SQLite store taken while it is written, and their restore: every
//! write acknowledged before the backup started comes back, evidence files
//! included; a damaged, truncated or too new backup is refused and the database
//! already there is untouched; a database holding data is replaced only with
//! `force`, and kept. PostgreSQL is backed up with pg_dump (the CLI tests cover it).

use crate::rounds::{ADMIN, memory, sonla_files};
use crate::support::{TestResult, data, each_backend};
use chiso_io::{Files, Package};
use chiso_store::backup::{
    BackupError, BackupKind, BackupManifest, BackupProgress, NoBackupProgress, RestoreOptions,
    latest_schema_version, restore_sqlite,
};
use chiso_store::{Backend, NewEvidence, NewObservation, RoundId, Stage, Store};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn quiet() -> Arc<dyn BackupProgress> {
    Arc::new(NoBackupProgress)
}

fn monitoring_files() -> Files {
    Files::snapshot_dir(&data("sonla/monitoring")).expect("the bundled Son La monitoring package")
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

/// A migrated store on a new file `chiso.db` in `dir`, with the monitoring catalogue.
async fn store_with_data(dir: &Path) -> Store {
    let store = Store::connect(&sqlite_url(&dir.join("chiso.db"))).await.expect("a store");
    store.migrate().await.expect("migrated");
    store.import_monitoring(monitoring_files(), ADMIN).await.expect("monitoring imported");
    store
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The file's bytes, to show a refused restore left it alone.
fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Files whose name starts with a dot in `dir`: temporary files left behind.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("the folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect()
}

/// A round in the app with one evidence file; returns the round, the evidence id and its bytes.
async fn evidence_file(store: &Store) -> (RoundId, i64, Vec<u8>) {
    let mut files = memory(sonla_files());
    files.remove("values.csv");
    let package = Package::from_files(sonla_files()).expect("the bundled package");
    let a = &package.assessment;
    let unit = a.units.iter().position(|u| u.code == "STTTT").expect("unit STTTT");
    let indicator =
        a.framework_of(unit).indicators.iter().find(|i| i.evidence).expect("an indicator needing evidence");
    let round = store.create_workflow_round(Files::Memory(files), ADMIN).await.expect("a round");
    store.advance_stage(round, Stage::Open, ADMIN).await.expect("opened");
    let content: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let evidence = NewEvidence::File {
        name: "biên-bản.pdf".into(),
        content_type: "application/pdf".into(),
        content: content.clone(),
    };
    let id =
        store.add_evidence(round, "STTTT", &indicator.code, evidence, ADMIN).await.expect("evidence added");
    (round, id, content)
}

/// Writers adding one observation per transaction until stopped; each scope is
/// recorded once the store acknowledged its write.
struct Writers {
    acknowledged: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Writers {
    async fn start(store: &Store, count: usize) -> Writers {
        let kpi: String = sqlx::query_scalar("SELECT code FROM kpis ORDER BY position LIMIT 1")
            .fetch_one(store.pool())
            .await
            .expect("a KPI");
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = (0..count)
            .map(|writer| {
                let (store, kpi, acknowledged, stop) =
                    (store.clone(), kpi.clone(), acknowledged.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let scope = format!("W{writer}-{n}");
                        let row = NewObservation {
                            kpi: kpi.clone(),
                            scope: scope.clone(),
                            period: "2024".into(),
                            value: f64::from(n),
                            note: None,
                        };
                        store.add_observations(&[row], ADMIN).await.expect("a write");
                        acknowledged.lock().expect("the list").push(scope);
                        n += 1;
                    }
                })
            })
            .collect();
        Writers { acknowledged, stop, tasks }
    }

    fn acknowledged(&self) -> Vec<String> {
        self.acknowledged.lock().expect("the list").clone()
    }

    async fn wait_for(&self, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.acknowledged().len() < count {
            assert!(Instant::now() < deadline, "the writers stalled at {}", self.acknowledged().len());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn stop(self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        for task in self.tasks {
            task.await.expect("a writer");
        }
        self.acknowledged.lock().expect("the list").clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_writes_restores_every_acknowledged_write() {
    each_backend(|store| async move {
        let dir = tempfile::tempdir()?;
        let out = dir.path().join("chiso.backup");
        if store.backend() == Backend::Postgres {
            let refused = store.backup_sqlite(&out, quiet()).await;
            assert!(matches!(refused, Err(BackupError::NotSqlite)), "{refused:?}");
            assert!(refused.err().is_some_and(|e| e.to_string().contains("pg_dump")));
            return Ok(());
        }
        store.import_monitoring(monitoring_files(), ADMIN).await?;
        let (round, evidence_id, content) = evidence_file(&store).await;

        let writers = Writers::start(&store, 3).await;
        writers.wait_for(30).await;
        let before = writers.acknowledged();
        let manifest = store.backup_sqlite(&out, quiet()).await?;
        let during = writers.acknowledged().len();
        writers.wait_for(during + 15).await;
        let all: BTreeSet<String> = writers.stop().await.into_iter().collect();

        let fresh = tempfile::tempdir()?;
        let database = fresh.path().join("chiso.db");
        let report = restore_sqlite(&out, &database, RestoreOptions::default(), quiet()).await?;
        assert_eq!(report.manifest.as_ref(), Some(&manifest));
        assert_eq!(report.previous, None, "there was nothing to keep");
        let restored = Store::connect(&sqlite_url(&database)).await?;
        let integrity: String =
            sqlx::query_scalar("PRAGMA integrity_check").fetch_one(restored.pool()).await?;
        assert_eq!(integrity, "ok");
        let scopes: BTreeSet<String> =
            sqlx::query_scalar("SELECT scope FROM observations WHERE scope LIKE 'W%'")
                .fetch_all(restored.pool())
                .await?
                .into_iter()
                .collect();
        let missing: Vec<&String> = before.iter().filter(|s| !scopes.contains(*s)).collect();
        assert!(missing.is_empty(), "acknowledged before the backup but not restored: {missing:?}");
        assert!(scopes.is_subset(&all), "every restored write was acknowledged");
        assert!(scopes.len() < all.len(), "writes went on after the snapshot");
        // One transaction per write: each restored observation has its audit row, no more.
        let audited =
            scalar(&restored, "SELECT COUNT(*) FROM audit_log WHERE action = 'observations.add'").await;
        assert_eq!(audited as usize, scopes.len());
        assert_eq!(
            manifest.rows["observations"],
            scalar(&restored, "SELECT COUNT(*) FROM observations").await
        );
        // Evidence lives in the database, so it is in the backup byte for byte.
        let (_, restored_content) = restored.evidence_file(round, evidence_id).await?.expect("the evidence");
        assert!(restored_content == content, "the evidence file comes back unchanged");
        restored.close().await;
        assert!(leftovers(dir.path()).is_empty() && leftovers(fresh.path()).is_empty());
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_describes_the_snapshot() {
    let dir = tempfile::tempdir().expect("a folder");
    let store = store_with_data(dir.path()).await;
    let out = dir.path().join("backups").join("chiso.backup");
    std::fs::create_dir(dir.path().join("backups")).expect("a folder");
    let manifest = store.backup_sqlite(&out, quiet()).await.expect("a backup");
    store.close().await;
    assert!(bytes(&out).starts_with(b"CHISO-BACKUP 1\n{"), "the magic line then the manifest");
    let Ok(BackupKind::Chiso(read)) = chiso_store::backup::inspect_backup(&out) else {
        panic!("the backup reads back")
    };
    assert_eq!(read, manifest);
    let BackupManifest {
        format, chiso_version, backend, schema_version, created_at, size, sha256, rows, ..
    } = manifest;
    assert_eq!((format, backend.as_str()), (1, "sqlite"));
    assert_eq!(chiso_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(schema_version, latest_schema_version(Backend::Sqlite));
    assert!(created_at.ends_with('Z') && created_at.len() == 20, "{created_at}");
    assert!(size > 0 && sha256.len() == 64 && sha256.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(rows["kpis"] > 0 && rows.contains_key("evidence") && !rows.contains_key("_sqlx_migrations"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_or_damaged_backup_is_refused_and_the_database_stays_as_it_was() {
    let source = tempfile::tempdir().expect("a folder");
    let store = store_with_data(source.path()).await;
    let out = source.path().join("chiso.backup");
    store.backup_sqlite(&out, quiet()).await.expect("a backup");
    store.close().await;
    let good = bytes(&out);

    let target = tempfile::tempdir().expect("a folder");
    let database = target.path().join("chiso.db");
    restore_sqlite(&out, &database, RestoreOptions::default(), quiet()).await.expect("a first restore");
    let untouched = bytes(&database);
    let force = RestoreOptions { force: true };

    let truncated = source.path().join("truncated.backup");
    std::fs::write(&truncated, &good[..good.len() - 4096]).expect("written");
    let refused = restore_sqlite(&truncated, &database, force, quiet()).await;
    assert!(
        matches!(&refused, Err(BackupError::WrongSize { expected, found, .. }) if found < expected),
        "{refused:?}"
    );
    assert!(refused.err().is_some_and(|e| e.to_string().contains("truncated")));

    let mut flipped = good.clone();
    let middle = flipped.len() - 5000;
    flipped[middle] ^= 0x55;
    let damaged = source.path().join("damaged.backup");
    std::fs::write(&damaged, &flipped).expect("written");
    let refused = restore_sqlite(&damaged, &database, force, quiet()).await;
    assert!(matches!(refused, Err(BackupError::Checksum { .. })), "{refused:?}");

    let not_a_backup = source.path().join("notes.txt");
    std::fs::write(&not_a_backup, "không phải bản sao lưu\n").expect("written");
    let refused = restore_sqlite(&not_a_backup, &database, force, quiet()).await;
    assert!(matches!(refused, Err(BackupError::NotABackup { .. })), "{refused:?}");

    let pg_dump = source.path().join("chiso.dump");
    std::fs::write(&pg_dump, b"PGDMP\x01\x0e\x00").expect("written");
    let refused = restore_sqlite(&pg_dump, &database, force, quiet()).await;
    assert!(matches!(refused, Err(BackupError::PostgresDump { .. })), "{refused:?}");

    // A bare SQLite file (as `sqlite3 .backup` writes) with a damaged page: no
    // manifest to check, so SQLite's integrity check must find it.
    let header_end = good.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).map(|(i, _)| i + 1);
    let mut plain = good[header_end.expect("two header lines")..].to_vec();
    let page = 4096;
    for byte in &mut plain[2 * page + 8..2 * page + 600] {
        *byte = 0xA5;
    }
    let broken_plain = source.path().join("broken.db");
    std::fs::write(&broken_plain, &plain).expect("written");
    let refused = restore_sqlite(&broken_plain, &database, force, quiet()).await;
    assert!(matches!(refused, Err(BackupError::Damaged { .. })), "{refused:?}");

    assert!(bytes(&database) == untouched, "every refused restore left the database as it was");
    assert!(leftovers(target.path()).is_empty(), "no temporary file is left: {:?}", leftovers(target.path()));
    let names: Vec<String> = std::fs::read_dir(target.path())
        .expect("the folder")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("before-restore")), "nothing was set aside: {names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_sqlite_copy_restores_too() {
    let source = tempfile::tempdir().expect("a folder");
    let store = store_with_data(source.path()).await;
    let copy = source.path().join("copy.db");
    sqlx::query("VACUUM INTO $1")
        .bind(copy.display().to_string())
        .execute(store.pool())
        .await
        .expect("a copy");
    let kpis = scalar(&store, "SELECT COUNT(*) FROM kpis").await;
    store.close().await;
    let target = tempfile::tempdir().expect("a folder");
    let database = target.path().join("chiso.db");
    let report =
        restore_sqlite(&copy, &database, RestoreOptions::default(), quiet()).await.expect("restored");
    assert_eq!(report.manifest, None);
    assert_eq!(report.rows["kpis"], kpis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restoring_over_a_database_with_data_needs_force_and_keeps_the_old_one() {
    let source = tempfile::tempdir().expect("a folder");
    let store = store_with_data(source.path()).await;
    let out = source.path().join("chiso.backup");
    store.backup_sqlite(&out, quiet()).await.expect("a backup");
    store.close().await;

    // The target holds other data: a round and no monitoring.
    let target = tempfile::tempdir().expect("a folder");
    let database = target.path().join("chiso.db");
    let existing = Store::connect(&sqlite_url(&database)).await.expect("a store");
    existing.migrate().await.expect("migrated");
    existing.import_round(sonla_files(), ADMIN).await.expect("a round");
    let rounds_before = scalar(&existing, "SELECT COUNT(*) FROM rounds").await;
    existing.close().await;
    let untouched = bytes(&database);

    let refused = restore_sqlite(&out, &database, RestoreOptions::default(), quiet()).await;
    assert!(matches!(refused, Err(BackupError::TargetNotEmpty { .. })), "{refused:?}");
    assert!(refused.err().is_some_and(|e| e.to_string().contains("--force")));
    assert!(bytes(&database) == untouched);

    let report =
        restore_sqlite(&out, &database, RestoreOptions { force: true }, quiet()).await.expect("forced");
    let previous = report.previous.expect("the old database was kept");
    assert!(
        previous.file_name().is_some_and(|n| n.to_string_lossy().starts_with("chiso.db.before-restore-"))
    );
    let kept = Store::connect(&sqlite_url(&previous)).await.expect("the old database opens");
    assert_eq!(scalar(&kept, "SELECT COUNT(*) FROM rounds").await, rounds_before, "nothing was lost");
    kept.close().await;
    let restored = Store::connect(&sqlite_url(&database)).await.expect("the restored database opens");
    assert_eq!(scalar(&restored, "SELECT COUNT(*) FROM rounds").await, 0);
    assert!(scalar(&restored, "SELECT COUNT(*) FROM kpis").await > 0);
    restored.close().await;

    // A migrated database without data is replaced without --force (and kept all the same).
    let empty = tempfile::tempdir().expect("a folder");
    let database = empty.path().join("chiso.db");
    let fresh = Store::connect(&sqlite_url(&database)).await.expect("a store");
    fresh.migrate().await.expect("migrated");
    fresh.close().await;
    let report = restore_sqlite(&out, &database, RestoreOptions::default(), quiet()).await.expect("restored");
    assert!(report.previous.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_another_process_holds_open_is_not_replaced() {
    let source = tempfile::tempdir().expect("a folder");
    let store = store_with_data(source.path()).await;
    let out = source.path().join("chiso.backup");
    store.backup_sqlite(&out, quiet()).await.expect("a backup");
    // The source database itself, open in this store (as a running server holds it).
    let database = source.path().join("chiso.db");
    let refused = restore_sqlite(&out, &database, RestoreOptions { force: true }, quiet()).await;
    assert!(matches!(refused, Err(BackupError::TargetInUse { .. })), "{refused:?}");
    store.ping().await.expect("the store still works");
    store.close().await;
    restore_sqlite(&out, &database, RestoreOptions { force: true }, quiet())
        .await
        .expect("restored once closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_newer_schema_is_not_restored() {
    let source = tempfile::tempdir().expect("a folder");
    let store = store_with_data(source.path()).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from a newer chiso', 1, x'00', 0)",
    )
    .execute(store.pool())
    .await
    .expect("a migration from the future");
    let out = source.path().join("chiso.backup");
    let manifest = store.backup_sqlite(&out, quiet()).await.expect("a newer database is still backed up");
    assert_eq!(manifest.schema_version, 99990101000000);
    store.close().await;
    let target = tempfile::tempdir().expect("a folder");
    let database = target.path().join("chiso.db");
    let refused = restore_sqlite(&out, &database, RestoreOptions::default(), quiet()).await;
    assert!(
        matches!(refused, Err(BackupError::NewerSchema { backup: 99990101000000, binary, .. })
            if binary == latest_schema_version(Backend::Sqlite)),
        "{refused:?}"
    );
    assert!(!database.exists(), "nothing was restored");
    assert!(leftovers(target.path()).is_empty());
}
