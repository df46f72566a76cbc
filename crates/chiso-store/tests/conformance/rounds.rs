use crate::support::{TestResult, data, each_backend};
use chiso_core::Lang;
use chiso_io::{Files, Package};
use chiso_store::{Actor, AuditFilter, RoundStatus, RowProblemKind, Store, StoreError, UserId, ValueChange};
use std::collections::BTreeMap;

pub const ADMIN: Actor = Actor::User(UserId(1));

pub fn sonla_files() -> Files {
    Files::snapshot_dir(&data("sonla/2024")).expect("the bundled Son La 2024 package")
}

pub fn memory(files: Files) -> BTreeMap<String, Vec<u8>> {
    match files {
        Files::Memory(map) => map,
        Files::Dir(dir) => panic!("{} was not read into memory", dir.display()),
    }
}

pub async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await
        .unwrap_or_else(|e| panic!("counting {table}: {e}"))
}

pub fn score_json(package: &Package, lang: Lang) -> String {
    let results = package.score().expect("the package scores");
    let mut out = Vec::new();
    chiso_io::render::json::write(&mut out, &package.assessment, &results, &package.kpi_sources, lang)
        .expect("JSON is written");
    String::from_utf8(out).expect("JSON is UTF-8")
}

const ROUND_TABLES: [&str; 5] = ["rounds", "round_files", "round_groups", "units", "round_values"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_round_rebuilds_to_the_same_results() {
    each_backend(|store| async move {
        let id = store.import_round(Files::dir(data("sonla/2024")), ADMIN).await?;
        let folder = Package::load(&data("sonla/2024")).expect("the folder loads");
        let rebuilt = store.round_package(id).await?;
        for lang in [Lang::Vi, Lang::En] {
            assert_eq!(score_json(&rebuilt, lang), score_json(&folder, lang));
        }

        let round = store.round(id).await?.expect("the round");
        assert_eq!(
            (round.year, round.status, round.created_by.as_str()),
            (2024, RoundStatus::Draft, "user:1")
        );
        assert_eq!(round.name, folder.assessment.name);
        assert_eq!(store.rounds().await?, vec![round]);
        let groups = store.round_groups(id).await?;
        assert_eq!(groups.iter().map(|g| g.code.as_str()).collect::<Vec<_>>(), ["provincial", "district"]);
        let units = store.round_units(id).await?;
        assert_eq!(units.len(), folder.assessment.units.len());
        assert_eq!(units[0].code, "VPUBND");

        // The exact input files are kept (not tools/, not the original values.csv) …
        let original = memory(sonla_files());
        let files = store.round_files(id).await?;
        assert_eq!(
            files.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "assessment.toml",
                "earlier.csv",
                "frameworks/district.toml",
                "frameworks/provincial.toml",
                "units.csv",
                "values.csv"
            ]
        );
        for path in ["assessment.toml", "frameworks/district.toml", "frameworks/provincial.toml", "units.csv"]
        {
            assert_eq!(files[path], original[path], "{path} is stored byte for byte");
        }
        // … and every value keeps the text as written.
        let values = store.round_values(id).await?;
        let original_rows = String::from_utf8(original["values.csv"].clone())?.lines().count() - 1;
        assert_eq!(values.len(), original_rows);
        let ratio = values.iter().find(|v| v.unit == "VPUBND" && v.indicator == "1.3").expect("VPUBND 1.3");
        assert_eq!((ratio.value.as_str(), ratio.version), ("3/4", 1));
        let noted = values.iter().find(|v| v.unit == "VPUBND" && v.indicator == "1.1").expect("VPUBND 1.1");
        assert_eq!(noted.note.as_deref(), Some("Quyết định số 365/QĐ-VPUBND ngày 13/02/2024"));
        assert_eq!(count(&store, "audit_log").await, 1);
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_package_is_refused_with_its_errors_and_nothing_is_stored() {
    each_backend(|store| async move {
        let mut files = memory(sonla_files());
        let values = String::from_utf8(files["values.csv"].clone())?;
        files.insert("values.csv".into(), values.replacen("\nVPUBND,1.1,", "\nSTTT,1.1,", 1).into_bytes());
        let refused = store.import_round(Files::Memory(files), ADMIN).await;
        let Err(StoreError::Invalid(errors)) = refused else { panic!("expected Invalid, got {refused:?}") };
        assert_eq!(errors.0.len(), 1);
        assert_eq!((errors.0[0].file.as_str(), errors.0[0].line), ("values.csv", Some(2)));
        assert!(errors.0[0].to_string().contains("STTT"));
        for table in ROUND_TABLES.iter().chain(&["audit_log"]) {
            assert_eq!(count(&store, table).await, 0, "{table} is empty");
        }
        Ok(()) as TestResult
    })
    .await;
}

/// Makes the audit row of an import (the import's last statement) fail.
async fn fail_the_import_audit(store: &Store) -> TestResult {
    let sql = match store.backend() {
        chiso_store::Backend::Sqlite => {
            "CREATE TRIGGER fail_import BEFORE INSERT ON audit_log WHEN NEW.action = 'round.import' \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        }
        chiso_store::Backend::Postgres => {
            "CREATE FUNCTION fail_import() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'injected failure'; END $$; \
             CREATE TRIGGER fail_import BEFORE INSERT ON audit_log FOR EACH ROW \
             WHEN (NEW.action = 'round.import') EXECUTE FUNCTION fail_import()"
        }
    };
    sqlx::raw_sql(sql).execute(store.pool()).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_failing_at_its_last_statement_leaves_nothing_behind() {
    each_backend(|store| async move {
        fail_the_import_audit(&store).await?;
        let failed = store.import_round(sonla_files(), ADMIN).await;
        assert!(
            matches!(&failed, Err(StoreError::Database(e)) if e.to_string().contains("injected failure")),
            "{failed:?}"
        );
        for table in ROUND_TABLES.iter().chain(&["audit_log"]) {
            assert_eq!(count(&store, table).await, 0, "{table} is empty after the rollback");
        }
        let drop = match store.backend() {
            chiso_store::Backend::Sqlite => "DROP TRIGGER fail_import",
            chiso_store::Backend::Postgres => "DROP TRIGGER fail_import ON audit_log",
        };
        sqlx::raw_sql(drop).execute(store.pool()).await?;
        let id = store.import_round(sonla_files(), ADMIN).await?;
        assert_eq!(store.rounds().await?.len(), 1);
        assert!(store.round_package(id).await.is_ok());
        Ok(()) as TestResult
    })
    .await;
}

fn change(unit: &str, indicator: &str, value: &str, expected_version: Option<i64>) -> ValueChange {
    ValueChange {
        unit: unit.into(),
        indicator: indicator.into(),
        value: value.into(),
        note: Some("sửa theo hồ sơ thẩm định".into()),
        expected_version,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_change_with_versions_and_refused_values_are_named() {
    each_backend(|store| async move {
        let id = store.import_round(sonla_files(), ADMIN).await?;
        store.set_round_values(id, &[change("VPUBND", "1.3", "4/4", Some(1))], ADMIN).await?;
        let value = |values: Vec<chiso_store::RoundValue>| {
            values.into_iter().find(|v| v.unit == "VPUBND" && v.indicator == "1.3").expect("VPUBND 1.3")
        };
        let changed = value(store.round_values(id).await?);
        assert_eq!(
            (changed.value.as_str(), changed.version, changed.updated_by.as_str()),
            ("4/4", 2, "user:1")
        );

        // Someone who edited version 1 meanwhile is told, not overwritten.
        let stale = store.set_round_values(id, &[change("VPUBND", "1.3", "2/4", Some(1))], ADMIN).await;
        assert!(
            matches!(&stale, Err(StoreError::Stale { version: 2, expected: 1, value: Some(v), .. }) if v == "4/4"),
            "{stale:?}"
        );

        let bad = [
            change("VPUBND", "1.3", "abc", None),
            change("NOPE", "1.1", "1", None),
            change("VPUBND", "9.9", "1", None),
            change("VPUBND", "1", "1", None),
        ];
        let refused = store.set_round_values(id, &bad, ADMIN).await;
        let Err(StoreError::Refused(problems)) = refused else { panic!("expected Refused, got {refused:?}") };
        assert_eq!(problems.iter().map(|p| p.row).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert!(matches!(problems[0].kind, RowProblemKind::BadValue { .. }));
        assert!(matches!(problems[1].kind, RowProblemKind::UnknownUnit { .. }));
        assert!(matches!(problems[2].kind, RowProblemKind::UnknownIndicator { .. }));
        assert!(matches!(problems[3].kind, RowProblemKind::NotALeaf { .. }));
        assert_eq!(value(store.round_values(id).await?).version, 2, "nothing changed");

        let audit = store
            .audit(&AuditFilter { action: Some("round.values.set".into()), ..Default::default() })
            .await?;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].before.as_ref().map(|b| b[0]["value"].clone()), Some("3/4".into()));
        assert_eq!(audit[0].after.as_ref().map(|a| a[0]["value"].clone()), Some("4/4".into()));

        // The rebuilt package scores the new value.
        let package = store.round_package(id).await?;
        let json: serde_json::Value = serde_json::from_str(&score_json(&package, Lang::En))?;
        let vpubnd = json["units"].as_array().and_then(|u| u.iter().find(|u| u["code"] == "VPUBND")).cloned();
        let folder = Package::load(&data("sonla/2024")).expect("the folder loads");
        let before: serde_json::Value = serde_json::from_str(&score_json(&folder, Lang::En))?;
        let vpubnd_before =
            before["units"].as_array().and_then(|u| u.iter().find(|u| u["code"] == "VPUBND")).cloned();
        assert_ne!(
            vpubnd.map(|u| u["scores"]["1.3"].clone()),
            vpubnd_before.map(|u| u["scores"]["1.3"].clone())
        );
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_round_can_be_deleted_but_a_published_one_cannot() {
    each_backend(|store| async move {
        let draft = store.import_round(sonla_files(), ADMIN).await?;
        let published = store.import_round(sonla_files(), ADMIN).await?;
        store.publish_round(published, "Quyết định số 1/QĐ-UBND", ADMIN).await?;
        store.delete_round(draft, ADMIN).await?;
        assert!(store.round(draft).await?.is_none());
        let refused = store.delete_round(published, ADMIN).await;
        assert!(matches!(refused, Err(StoreError::Immutable(_))), "{refused:?}");
        let missing = store.delete_round(draft, ADMIN).await;
        assert!(matches!(missing, Err(StoreError::NotFound { .. })), "{missing:?}");
        assert_eq!(store.rounds().await?.len(), 1);
        assert_eq!(count(&store, "round_values").await as usize, store.round_values(published).await?.len());
        Ok(()) as TestResult
    })
    .await;
}

/// The package's values.csv rewritten in the wide form (a `unit` column, then one
/// column per indicator code).
fn wide_form(long: &[u8]) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(long);
    let mut codes: Vec<String> = Vec::new();
    let mut rows: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for record in reader.records() {
        let record = record.expect("a values.csv row");
        let (unit, indicator, value) = (&record[0], &record[1], &record[2]);
        if !codes.iter().any(|c| c == indicator) {
            codes.push(indicator.to_string());
        }
        if rows.last().is_none_or(|(u, _)| u != unit) {
            rows.push((unit.to_string(), BTreeMap::new()));
        }
        if let Some((_, values)) = rows.last_mut() {
            values.insert(indicator.to_string(), value.to_string());
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(std::iter::once("unit").chain(codes.iter().map(String::as_str))).expect("a header");
    for (unit, values) in &rows {
        let cells = codes.iter().map(|c| values.get(c).map_or("", String::as_str));
        writer.write_record(std::iter::once(unit.as_str()).chain(cells)).expect("a row");
    }
    writer.into_inner().expect("the CSV")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wide_form_package_is_stored_in_long_form_and_scores_the_same() {
    each_backend(|store| async move {
        let mut files = memory(sonla_files());
        let wide = wide_form(&files["values.csv"]);
        files.insert("values.csv".into(), wide);
        let folder = Package::from_files(Files::Memory(files.clone())).expect("the wide form loads");
        let id = store.import_round(Files::Memory(files), ADMIN).await?;
        let values = store.round_values(id).await?;
        let ratio = values.iter().find(|v| v.unit == "VPUBND" && v.indicator == "1.3").expect("VPUBND 1.3");
        assert_eq!((ratio.value.as_str(), ratio.note.as_ref()), ("3/4", None));
        let stored = store.round_files(id).await?;
        assert!(stored["values.csv"].starts_with(b"unit,indicator,value,note\n"));
        let rebuilt = store.round_package(id).await?;
        assert_eq!(score_json(&rebuilt, Lang::Vi), score_json(&folder, Lang::Vi));
        Ok(()) as TestResult
    })
    .await;
}
