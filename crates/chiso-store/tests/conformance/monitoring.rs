use crate::rounds::{ADMIN, count, memory};
use crate::support::{TestResult, data, each_backend};
use chiso_io::{Files, MonitoringPackage};
use chiso_store::{Actor, ApiTokenId, AuditFilter, Clash, NewObservation, RowProblemKind, StoreError};

fn monitoring_files() -> Files {
    Files::snapshot_dir(&data("sonla/monitoring")).expect("the bundled Son La monitoring package")
}

fn observation(kpi: &str, scope: &str, period: &str, value: f64) -> NewObservation {
    NewObservation { kpi: kpi.into(), scope: scope.into(), period: period.into(), value, note: None }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_monitoring_rebuilds_to_the_same_catalogue_observations_and_statuses() {
    each_backend(|store| async move {
        let package = MonitoringPackage::from_files(monitoring_files()).expect("the package loads");
        let imported = store.import_monitoring(monitoring_files(), ADMIN).await?;
        assert_eq!(imported.kpis, package.monitoring.catalogue.kpis.len());
        assert_eq!(imported.observations_inserted, package.monitoring.observations.len());
        let stored = store.monitoring().await?;
        assert_eq!(stored, package.monitoring);
        assert_eq!(stored.statuses("province", 2025), package.monitoring.statuses("province", 2025));

        // Importing the same package again changes nothing but says so.
        let again = store.import_monitoring(monitoring_files(), ADMIN).await?;
        assert_eq!((again.observations_inserted, again.observations_updated), (0, 0));
        assert_eq!(again.observations_unchanged, package.monitoring.observations.len());
        assert_eq!(store.monitoring().await?, package.monitoring);
        assert_eq!(count(&store, "audit_log").await, 2);
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitoring_import_updates_observations_and_keeps_kpis_in_use() {
    each_backend(|store| async move {
        store.import_monitoring(monitoring_files(), ADMIN).await?;
        let mut files = memory(monitoring_files());
        let text = String::from_utf8(files["observations.csv"].clone())?;
        let changed = text.replacen(
            "digital_economy_grdp_share,province,2021,5.74,",
            "digital_economy_grdp_share,province,2021,5.8,",
            1,
        );
        assert_ne!(changed, text);
        files.insert("observations.csv".into(), changed.into_bytes());
        let update = store.import_monitoring(Files::Memory(files), ADMIN).await?;
        assert_eq!(update.observations_updated, 1);
        let audit = store
            .audit(&AuditFilter {
                action: Some("monitoring.import".into()),
                limit: Some(1),
                ..Default::default()
            })
            .await?;
        let after = audit[0].after.clone().unwrap_or_default();
        assert_eq!(after["updated"][0]["before"]["value"], 5.74);
        assert_eq!(after["updated"][0]["after"]["value"], 5.8);

        // A catalogue without a KPI that has observations is refused whole.
        let mut files = memory(monitoring_files());
        let kpis = String::from_utf8(files["kpis.toml"].clone())?;
        let first_kpi_end =
            kpis.find("[[kpi]]").and_then(|start| kpis[start + 1..].find("[[kpi]]").map(|n| start + 1 + n));
        let without_first = kpis[first_kpi_end.expect("two KPIs")..].to_string();
        files.insert("kpis.toml".into(), without_first.into_bytes());
        files.insert("observations.csv".into(), b"kpi,scope,period,value,note\n".to_vec());
        let refused = store.import_monitoring(Files::Memory(files), ADMIN).await;
        assert!(
            matches!(&refused, Err(StoreError::Conflict(Clash::KpiInUse { kpi, .. })) if kpi == "national_dti_value"),
            "{refused:?}"
        );
        assert_eq!(
            store.monitoring().await?.catalogue.kpis.len(),
            MonitoringPackage::from_files(monitoring_files()).expect("loads").monitoring.catalogue.kpis.len()
        );

        // A broken package is refused with its errors.
        let mut files = memory(monitoring_files());
        files.insert(
            "observations.csv".into(),
            b"kpi,scope,period,value,note\nnope,province,2024,1,\n".to_vec(),
        );
        let invalid = store.import_monitoring(Files::Memory(files), ADMIN).await;
        let Err(StoreError::Invalid(errors)) = invalid else { panic!("expected Invalid, got {invalid:?}") };
        assert_eq!((errors.0[0].file.as_str(), errors.0[0].line), ("observations.csv", Some(2)));
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observations_are_added_all_or_nothing_and_each_refused_row_is_named() {
    each_backend(|store| async move {
        store.import_monitoring(monitoring_files(), ADMIN).await?;
        let before = count(&store, "observations").await;
        let token = Actor::Token(ApiTokenId(7));
        let batch = [
            observation("docs_out_signed_rate", "116", "2025-01", 91.5),
            observation("digital_economy_grdp_share", "province", "2021", 6.0),
            observation("docs_out_signed_rate", "116", "2025-01", 92.0),
            observation("no_such_kpi", "province", "2025", 1.0),
            observation("docs_out_signed_rate", "province", "2025-13", 1.0),
            observation("docs_out_signed_rate", " ", "2025", f64::NAN),
        ];
        let refused = store.add_observations(&batch, token).await;
        let Err(StoreError::Refused(problems)) = refused else { panic!("expected Refused, got {refused:?}") };
        let kinds: Vec<(usize, &RowProblemKind)> = problems.iter().map(|p| (p.row, &p.kind)).collect();
        assert!(matches!(kinds[0], (1, RowProblemKind::AlreadyStored { .. })), "{kinds:?}");
        assert!(matches!(kinds[1], (2, RowProblemKind::DuplicateInBatch { first_row: 0 })), "{kinds:?}");
        assert!(matches!(kinds[2], (3, RowProblemKind::UnknownKpi { .. })), "{kinds:?}");
        assert!(matches!(kinds[3], (4, RowProblemKind::BadPeriod { .. })), "{kinds:?}");
        assert!(matches!(kinds[4], (5, RowProblemKind::EmptyScope)), "{kinds:?}");
        assert!(matches!(kinds[5], (5, RowProblemKind::NotFinite)), "{kinds:?}");
        assert_eq!(kinds.len(), 6);
        assert_eq!(count(&store, "observations").await, before, "nothing was stored");

        let ids = store.add_observations(&batch[..1], token).await?;
        assert_eq!(ids.len(), 1);
        assert_eq!(count(&store, "observations").await, before + 1);
        let monitoring = store.monitoring().await?;
        let added = monitoring.observations.last().expect("an observation");
        assert_eq!(
            (added.scope.as_str(), added.period.to_string(), added.value),
            ("116", "2025-01".into(), 91.5)
        );
        let audit = store.audit(&AuditFilter { actor: Some("token:7".into()), ..Default::default() }).await?;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "observations.add");
        assert_eq!(audit[0].after.as_ref().map(|a| a[0]["value"].clone()), Some(91.5.into()));
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_adding_distinct_observations_all_succeed() {
    each_backend(|store| async move {
        store.import_monitoring(monitoring_files(), ADMIN).await?;
        let before = count(&store, "observations").await;
        let tasks: Vec<_> = (1..=20)
            .map(|day| {
                let store = store.clone();
                tokio::spawn(async move {
                    let row = observation(
                        "docs_out_signed_rate",
                        "province",
                        &format!("2025-02-{day:02}"),
                        f64::from(day),
                    );
                    store.add_observations(&[row], ADMIN).await
                })
            })
            .collect();
        for task in tasks {
            task.await??;
        }
        assert_eq!(count(&store, "observations").await, before + 20);
        let audit = store
            .audit(&AuditFilter { action: Some("observations.add".into()), ..Default::default() })
            .await?;
        assert_eq!(audit.len(), 20);
        Ok(()) as TestResult
    })
    .await;
}
