use crate::support::{TestResult, each_backend};
use std::collections::BTreeSet;
use std::path::Path;

fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations_by_name() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must hold the same file names");
    let embedded = |backend: chiso_store::Backend| -> Vec<(i64, String)> {
        backend.migrator().iter().map(|m| (m.version, m.description.to_string())).collect()
    };
    assert_eq!(embedded(chiso_store::Backend::Sqlite), embedded(chiso_store::Backend::Postgres));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrating_again_changes_nothing() {
    each_backend(|store| async move {
        store.migrate().await?;
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(store.pool()).await?;
        assert_eq!(applied as usize, store.backend().migrator().iter().count());
        Ok(()) as TestResult
    })
    .await;
}
