//! Scheduled service-index feeds: sources, their schedule and lease, and the
//! pulls recorded with their snapshots and observations.

use crate::rounds::{ADMIN, count};
use crate::sessions::{MINUTE, START, with_test_clock};
use crate::support::{TestResult, data, each_backend};
use chiso_io::Files;
use chiso_store::{
    Actor, AuditFilter, Clash, InputProblem, NewObservation, NewServiceSnapshot, NewServiceSource,
    PullOutcome, ServicePullRecord, ServiceSnapshotId, ServiceSourceId, SourceFormat, SourceKind, Store,
    StoreError,
};
use std::sync::atomic::Ordering;

const SECRET: &str = "s3cr3t-bearer";

fn source(name: &str) -> NewServiceSource {
    NewServiceSource {
        name: name.into(),
        kind: SourceKind::Url,
        location: "https://dichvucong.example.vn/export.csv".into(),
        format: SourceFormat::Csv,
        token: Some(SECRET.into()),
        mapping: "unit=ma_don_vi".into(),
        interval_minutes: 60,
        enabled: true,
    }
}

fn snapshot(hash: &str, demo: bool, observations: Vec<NewObservation>) -> NewServiceSnapshot {
    NewServiceSnapshot {
        content_hash: hash.into(),
        rows: 120,
        skipped: 3,
        row_counts: vec![("units".into(), 90), ("procedures".into(), 300), ("dossiers".into(), 12)],
        period_kind: "month".into(),
        document: format!(r#"{{"hash":"{hash}","units":[]}}"#),
        observations,
        demo,
    }
}

fn observation(kpi: &str, period: &str, value: f64) -> NewObservation {
    NewObservation { kpi: kpi.into(), scope: "province".into(), period: period.into(), value, note: None }
}

fn pull(source: ServiceSourceId, outcome: PullOutcome, next_run_at: i64) -> ServicePullRecord {
    ServicePullRecord { source, started_at: START, outcome, next_run_at }
}

async fn audit_of(store: &Store, action: &str) -> Vec<chiso_store::AuditEntry> {
    store.audit(&AuditFilter { action: Some(action.into()), ..Default::default() }).await.expect("the audit")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_are_added_listed_and_updated_without_the_token_in_the_audit() {
    each_backend(|store| async move {
        let (store, now) = with_test_clock(store);
        let b = store.add_service_source(&source("  B cổng  "), ADMIN).await?;
        let a = store
            .add_service_source(
                &NewServiceSource {
                    kind: SourceKind::Demo,
                    location: String::new(),
                    token: None,
                    ..source("A demo")
                },
                ADMIN,
            )
            .await?;
        let listed = store.service_sources().await?;
        assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), vec![a, b]);
        let got = store.service_source(b).await?;
        assert_eq!(got.name, "B cổng");
        assert_eq!(got.token.as_deref(), Some(SECRET));
        assert_eq!(
            (got.kind, got.format, got.interval_minutes, got.enabled),
            (SourceKind::Url, SourceFormat::Csv, 60, true)
        );
        assert_eq!((got.created_at, got.next_run_at, got.failures), (START, START, 0));
        assert_eq!(
            (got.last_error.as_deref(), got.lease_until, got.created_by.as_str()),
            (None, None, "user:1")
        );
        assert!(!format!("{got:?}").contains(SECRET), "Debug hides the token");

        // A blank token with keep_token keeps it; the next run is now.
        now.store(START + 5 * MINUTE, Ordering::SeqCst);
        let edit = NewServiceSource { token: Some("  ".into()), interval_minutes: 30, ..source("B cổng") };
        store.update_service_source(b, &edit, true, ADMIN).await?;
        let got = store.service_source(b).await?;
        assert_eq!(
            (got.token.as_deref(), got.interval_minutes, got.next_run_at),
            (Some(SECRET), 30, START + 5 * MINUTE)
        );
        // A token given replaces it; without keep_token a blank one removes it.
        store
            .update_service_source(
                b,
                &NewServiceSource { token: Some("new-one".into()), ..edit.clone() },
                true,
                ADMIN,
            )
            .await?;
        assert_eq!(store.service_source(b).await?.token.as_deref(), Some("new-one"));
        store
            .update_service_source(b, &NewServiceSource { token: None, ..edit.clone() }, false, ADMIN)
            .await?;
        assert_eq!(store.service_source(b).await?.token, None);

        let entries =
            store.audit(&AuditFilter { entity: Some("service_source".into()), ..Default::default() }).await?;
        assert_eq!(entries.len(), 5);
        for entry in &entries {
            let text = format!("{:?} {:?}", entry.before, entry.after);
            assert!(!text.contains(SECRET) && !text.contains("new-one"), "a token in the audit: {text}");
        }
        let add = audit_of(&store, "service_source.add").await;
        let added_b = add.iter().find(|e| e.entity_id == b.to_string()).expect("b's audit");
        assert_eq!(added_b.after.as_ref().expect("after")["token_set"], true);
        let updates = audit_of(&store, "service_source.update").await;
        assert_eq!(updates[0].after.as_ref().expect("after")["token_set"], false);
        assert_eq!(updates[0].after.as_ref().expect("after")["token_changed"], true);
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_with_bad_fields_are_refused() {
    each_backend(|store| async move {
        let refused = |e: StoreError| match e {
            StoreError::InvalidInput(p) => Some(p),
            _ => None,
        };
        let bad = store.add_service_source(&source("   "), ADMIN).await.expect_err("no name");
        assert_eq!(refused(bad), Some(InputProblem::SourceNameEmpty));
        for minutes in [0, -5, 10_081] {
            let bad = store
                .add_service_source(&NewServiceSource { interval_minutes: minutes, ..source("x") }, ADMIN)
                .await
                .expect_err("a bad interval");
            assert_eq!(refused(bad), Some(InputProblem::SourceInterval { minutes }));
        }
        store
            .add_service_source(&NewServiceSource { interval_minutes: 10_080, ..source("week") }, ADMIN)
            .await?;
        let bad = store
            .add_service_source(&NewServiceSource { location: " ".into(), ..source("x") }, ADMIN)
            .await
            .expect_err("no location");
        assert_eq!(refused(bad), Some(InputProblem::SourceLocationEmpty));

        let first = store.add_service_source(&source("cổng"), ADMIN).await?;
        let other = store.add_service_source(&source("khác"), ADMIN).await?;
        match store.add_service_source(&source(" cổng "), ADMIN).await {
            Err(StoreError::Conflict(Clash::SourceNameTaken { name })) => assert_eq!(name, "cổng"),
            other => panic!("a taken name: {other:?}"),
        }
        match store.update_service_source(other, &source("cổng"), true, ADMIN).await {
            Err(StoreError::Conflict(Clash::SourceNameTaken { .. })) => {}
            other => panic!("a taken name: {other:?}"),
        }
        // Its own name is not taken.
        store.update_service_source(first, &source("cổng"), true, ADMIN).await?;
        let missing = ServiceSourceId(9_999);
        assert!(matches!(store.service_source(missing).await, Err(StoreError::NotFound { .. })));
        assert!(matches!(
            store.update_service_source(missing, &source("z"), true, ADMIN).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.pull_service_source_now(missing, ADMIN).await,
            Err(StoreError::NotFound { .. })
        ));
        assert_eq!(count(&store, "service_sources").await, 3);
        assert_eq!(audit_of(&store, "service_source.add").await.len(), 3);
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_source_is_claimed_once_until_its_lease_ends() {
    each_backend(|store| async move {
        let (store, now) = with_test_clock(store);
        let lease = 10 * MINUTE;
        assert_eq!(store.claim_due_service_source(lease).await?, None);
        let a = store.add_service_source(&source("a"), ADMIN).await?;
        now.store(START + 1, Ordering::SeqCst);
        let b = store.add_service_source(&source("b"), ADMIN).await?;
        store.add_service_source(&NewServiceSource { enabled: false, ..source("off") }, ADMIN).await?;

        // Most overdue first; the lease and the attempt are recorded.
        let claimed = store.claim_due_service_source(lease).await?.expect("a is due");
        assert_eq!(
            (claimed.id, claimed.lease_until, claimed.last_attempt_at),
            (a, Some(START + 1 + lease), Some(START + 1))
        );
        assert_eq!(store.claim_due_service_source(lease).await?.map(|s| s.id), Some(b));
        // Both leased, the disabled one never due.
        assert_eq!(store.claim_due_service_source(lease).await?, None);

        // A lease that expired (the server died mid-pull) is taken again.
        now.store(START + 2 + lease, Ordering::SeqCst);
        assert_eq!(store.claim_due_service_source(lease).await?.map(|s| s.id), Some(a));

        // Recording the pull releases the lease and sets the next run.
        let at = START + 2 + lease;
        store
            .record_service_pull(
                pull(b, PullOutcome::Failed { error: "timeout".into() }, at + 60 * MINUTE),
                Actor::System,
            )
            .await?;
        let got = store.service_source(b).await?;
        assert_eq!((got.lease_until, got.next_run_at), (None, at + 60 * MINUTE));
        assert_eq!(store.claim_due_service_source(lease).await?, None, "b is not due, a is leased");
        store.pull_service_source_now(b, ADMIN).await?;
        assert_eq!(store.claim_due_service_source(lease).await?.map(|s| s.id), Some(b));
        assert_eq!(audit_of(&store, "service_source.pull_now").await.len(), 1);
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_claiming_at_once_never_get_the_same_source() {
    each_backend(|store| async move {
        let names = ["a", "b", "c", "d", "e", "f"];
        for name in names {
            store.add_service_source(&source(name), ADMIN).await?;
        }
        // A second app server: another pool on the same database.
        let url = match store.backend() {
            chiso_store::Backend::Sqlite => {
                let path: String =
                    sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                        .fetch_one(store.pool())
                        .await?;
                format!("sqlite://{path}")
            }
            chiso_store::Backend::Postgres => {
                let database: String =
                    sqlx::query_scalar("SELECT current_database()::text").fetch_one(store.pool()).await?;
                let admin = std::env::var(crate::support::POSTGRES_URL_VARIABLE)?;
                same_server(&admin, &database)
            }
        };
        let other = Store::connect(&url).await?;
        let mut claimed = Vec::new();
        for _ in 0..3 {
            let tasks: Vec<_> = (0..6)
                .map(|i| {
                    let server = if i % 2 == 0 { store.clone() } else { other.clone() };
                    tokio::spawn(async move { server.claim_due_service_source(60 * MINUTE).await })
                })
                .collect();
            for task in tasks {
                if let Some(source) = task.await?? {
                    claimed.push(source.id);
                }
            }
        }
        other.close().await;
        let mut distinct = claimed.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), claimed.len(), "a source claimed twice: {claimed:?}");
        assert_eq!(distinct.len(), names.len(), "every source claimed in the end: {claimed:?}");
        Ok(()) as TestResult
    })
    .await;
}

/// `postgres://u@h:5432/postgres?x=y` naming another database.
fn same_server(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = base[authority..].find('/').map_or(base, |slash| &base[..authority + slash]);
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

fn monitoring_files() -> Files {
    Files::snapshot_dir(&data("sonla/monitoring")).expect("the bundled Son La monitoring package")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_pull_keeps_its_snapshot_and_merges_known_kpis() {
    each_backend(|store| async move {
        let (store, now) = with_test_clock(store);
        store.import_monitoring(monitoring_files(), ADMIN).await?;
        let observations_before = count(&store, "observations").await;
        let (monitoring, service) = (store.monitoring_version().await?, store.service_version().await?);
        let id = store.add_service_source(&source("cổng"), ADMIN).await?;
        store.claim_due_service_source(MINUTE).await?;
        now.store(START + MINUTE, Ordering::SeqCst);
        let rows = vec![
            observation("business_tax_online_rate", "2026-01", 91.5),
            observation("no_such_kpi", "2026-01", 1.0),
            observation("business_tax_online_rate", "not a period", 1.0),
            observation("business_tax_online_rate", "2025", 97.0),
        ];
        let pulled = store
            .record_service_pull(
                pull(id, PullOutcome::Stored(snapshot("h1", false, rows)), START + 61 * MINUTE),
                Actor::System,
            )
            .await?;

        let latest = store.latest_service_snapshot().await?.expect("a snapshot");
        assert_eq!(
            (latest.source_id, latest.source_name.as_str(), latest.source_kind),
            (id, "cổng", SourceKind::Url)
        );
        assert_eq!(
            (latest.content_hash.as_str(), latest.rows, latest.skipped, latest.demo),
            ("h1", 120, 3, false)
        );
        assert_eq!(latest.row_counts, snapshot("h1", false, vec![]).row_counts, "in their order");
        assert_eq!((latest.pulled_at, latest.period_kind.as_str()), (START + MINUTE, "month"));
        assert_eq!(latest.document, snapshot("h1", false, vec![]).document);
        assert_eq!(store.service_snapshot(latest.id).await?, latest);
        assert!(matches!(
            store.service_snapshot(ServiceSnapshotId(9_999)).await,
            Err(StoreError::NotFound { .. })
        ));
        assert_eq!(store.last_service_hash(id).await?.as_deref(), Some("h1"));

        let pulls = store.service_pulls(id, 10).await?;
        assert_eq!(pulls.len(), 1);
        let p = &pulls[0];
        assert_eq!(
            (p.id, p.outcome.as_str(), p.snapshot_id, p.started_at, p.finished_at),
            (pulled, "stored", Some(latest.id), START, START + MINUTE)
        );
        assert_eq!(
            (p.rows, p.skipped, p.observations_changed, p.observations_ignored),
            (Some(120), Some(3), Some(2), Some(2))
        );

        // Known KPIs only: one new, and one stored observation updated.
        assert_eq!(count(&store, "observations").await, observations_before + 1);
        let stored = store.monitoring().await?;
        let value = |period: &str| {
            stored
                .observations
                .iter()
                .find(|o| {
                    stored.catalogue.kpis[o.kpi].code == "business_tax_online_rate"
                        && o.scope == "province"
                        && o.period.to_string() == period
                })
                .map(|o| o.value)
        };
        assert_eq!((value("2026-01"), value("2025")), (Some(91.5), Some(97.0)));
        assert_eq!(store.monitoring_version().await?, monitoring + 1);
        assert_eq!(store.service_version().await?, service + 1);

        let source_now = store.service_source(id).await?;
        assert_eq!(
            (source_now.failures, source_now.last_success_at, source_now.lease_until),
            (0, Some(START + MINUTE), None)
        );
        assert_eq!(source_now.next_run_at, START + 61 * MINUTE);
        let audit = audit_of(&store, "service_pull").await;
        assert_eq!(audit.len(), 1);
        let after = audit[0].after.clone().expect("after");
        assert_eq!(
            (audit[0].entity.as_str(), audit[0].entity_id.clone(), audit[0].actor.as_str()),
            ("service_source", id.to_string(), "system")
        );
        assert_eq!(
            (after["outcome"].as_str(), after["content_hash"].as_str(), after["rows"].as_i64()),
            (Some("stored"), Some("h1"), Some(120))
        );
        assert_eq!(after["snapshot"], latest.id.0);
        assert_eq!(after["observations"]["unknown_kpis"][0], "no_such_kpi");

        // Snapshots are never changed.
        let change = sqlx::query("UPDATE service_snapshots SET document = 'x'").execute(store.pool()).await;
        assert!(change.is_err());
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_and_failed_pulls_keep_the_last_good_snapshot() {
    each_backend(|store| async move {
        let (store, now) = with_test_clock(store);
        let id = store.add_service_source(&source("cổng"), ADMIN).await?;
        store
            .record_service_pull(
                pull(id, PullOutcome::Stored(snapshot("h1", false, vec![])), START + 60 * MINUTE),
                ADMIN,
            )
            .await?;
        let good = store.latest_service_snapshot().await?.expect("a snapshot");
        let version = store.service_version().await?;
        let monitoring = store.monitoring_version().await?;
        assert_eq!(monitoring, 0, "no observation, no monitoring change");

        now.store(START + 60 * MINUTE, Ordering::SeqCst);
        let failed = PullOutcome::Failed { error: "HTTP 503".into() };
        store.record_service_pull(pull(id, failed.clone(), START + 62 * MINUTE), Actor::System).await?;
        store.record_service_pull(pull(id, failed, START + 64 * MINUTE), Actor::System).await?;
        let s = store.service_source(id).await?;
        assert_eq!(
            (s.failures, s.last_error.as_deref(), s.next_run_at),
            (2, Some("HTTP 503"), START + 64 * MINUTE)
        );
        assert_eq!(s.last_success_at, Some(START), "the last good pull");
        assert_eq!(store.latest_service_snapshot().await?, Some(good.clone()));

        now.store(START + 65 * MINUTE, Ordering::SeqCst);
        store
            .record_service_pull(
                pull(
                    id,
                    PullOutcome::Unchanged { content_hash: "h1".into(), rows: 120 },
                    START + 125 * MINUTE,
                ),
                Actor::System,
            )
            .await?;
        let s = store.service_source(id).await?;
        assert_eq!((s.failures, s.last_error, s.last_success_at), (0, None, Some(START + 65 * MINUTE)));
        assert_eq!(store.latest_service_snapshot().await?, Some(good));
        assert_eq!(store.service_version().await?, version, "no new snapshot");
        assert_eq!(count(&store, "service_snapshots").await, 1);

        let pulls = store.service_pulls(id, 3).await?;
        assert_eq!(
            pulls.iter().map(|p| p.outcome.as_str()).collect::<Vec<_>>(),
            ["unchanged", "failed", "failed"]
        );
        assert_eq!(
            (pulls[0].content_hash.as_deref(), pulls[0].rows, pulls[0].snapshot_id),
            (Some("h1"), Some(120), None)
        );
        assert_eq!((pulls[1].error.as_deref(), pulls[1].content_hash.as_deref()), (Some("HTTP 503"), None));
        assert_eq!(store.service_pulls(id, 10).await?.len(), 4);
        assert_eq!(audit_of(&store, "service_pull").await.len(), 4);
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_of_an_unknown_source_writes_nothing() {
    each_backend(|store| async move {
        let audit_rows = count(&store, "audit_log").await;
        let outcome = PullOutcome::Stored(snapshot("h", false, vec![]));
        let result =
            store.record_service_pull(pull(ServiceSourceId(42), outcome, START), Actor::System).await;
        assert!(matches!(result, Err(StoreError::NotFound { .. })), "{result:?}");
        for table in ["service_pulls", "service_snapshots"] {
            assert_eq!(count(&store, table).await, 0);
        }
        assert_eq!(count(&store, "audit_log").await, audit_rows);
        assert_eq!(store.service_version().await?, 0);
        assert_eq!(store.last_service_hash(ServiceSourceId(42)).await?, None);
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_is_shown_only_when_there_is_nothing_else() {
    each_backend(|store| async move {
        assert_eq!(store.latest_service_snapshot().await?, None);
        let demo = store
            .add_service_source(
                &NewServiceSource { kind: SourceKind::Demo, location: String::new(), ..source("demo") },
                ADMIN,
            )
            .await?;
        let real = store.add_service_source(&source("real"), ADMIN).await?;
        store
            .record_service_pull(
                pull(demo, PullOutcome::Stored(snapshot("d1", true, vec![])), START),
                Actor::System,
            )
            .await?;
        let latest = store.latest_service_snapshot().await?.expect("the demo one");
        assert!(latest.demo);
        assert_eq!(latest.source_kind, SourceKind::Demo);
        store
            .record_service_pull(
                pull(real, PullOutcome::Stored(snapshot("r1", false, vec![])), START),
                Actor::System,
            )
            .await?;
        // A newer demo snapshot does not hide the real one.
        store
            .record_service_pull(
                pull(demo, PullOutcome::Stored(snapshot("d2", true, vec![])), START),
                Actor::System,
            )
            .await?;
        let latest = store.latest_service_snapshot().await?.expect("the real one");
        assert_eq!((latest.content_hash.as_str(), latest.demo), ("r1", false));
        assert_eq!(store.last_service_hash(demo).await?.as_deref(), Some("d2"));
        assert_eq!(store.service_version().await?, 3);
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_carries_the_feeds() {
    use chiso_store::backup::{NoBackupProgress, RestoreOptions, restore_sqlite};
    let dir = tempfile::tempdir().expect("a folder");
    let store =
        Store::connect(&format!("sqlite:{}", dir.path().join("chiso.db").display())).await.expect("a store");
    store.migrate().await.expect("migrated");
    let id = store.add_service_source(&source("cổng"), ADMIN).await.expect("a source");
    store
        .record_service_pull(
            pull(id, PullOutcome::Stored(snapshot("h1", false, vec![])), START),
            Actor::System,
        )
        .await
        .expect("a pull");
    let snapshot_before = store.latest_service_snapshot().await.expect("read");
    let archive = dir.path().join("backup.chiso");
    store.backup_sqlite(&archive, std::sync::Arc::new(NoBackupProgress)).await.expect("a backup");
    store.close().await;

    let target = tempfile::tempdir().expect("a folder");
    let database = target.path().join("chiso.db");
    let report =
        restore_sqlite(&archive, &database, RestoreOptions::default(), std::sync::Arc::new(NoBackupProgress))
            .await
            .expect("restored");
    for table in ["service_sources", "service_pulls", "service_snapshots"] {
        assert_eq!(report.rows[table], 1, "{table}");
    }
    let restored =
        Store::connect(&format!("sqlite:{}", database.display())).await.expect("the restored store");
    assert_eq!(restored.latest_service_snapshot().await.expect("read"), snapshot_before);
    assert_eq!(restored.service_source(id).await.expect("the source").token.as_deref(), Some(SECRET));
    assert_eq!(restored.service_version().await.expect("read"), 1);
    restored.close().await;
}
