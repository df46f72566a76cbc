//! Runs each conformance test against every backend: a fresh SQLite file always,
//! and a fresh PostgreSQL database (created and dropped around the test) when
//! `CHISO_TEST_DATABASE_URL` names a server whose user may create databases.

use chiso_store::{Backend, Store};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

pub const POSTGRES_URL_VARIABLE: &str = "CHISO_TEST_DATABASE_URL";
/// Set to `1` where PostgreSQL must be tested (CI): then a missing URL or an
/// unreachable server fails the test instead of skipping PostgreSQL.
pub const REQUIRE_POSTGRES_VARIABLE: &str = "CHISO_REQUIRE_POSTGRES";

/// The PostgreSQL server's URL, or `None` after saying once that PostgreSQL is
/// skipped; a failure instead when `CHISO_REQUIRE_POSTGRES=1`.
fn postgres_url() -> Option<String> {
    let url = std::env::var(POSTGRES_URL_VARIABLE).ok().filter(|url| !url.is_empty());
    if url.is_none() {
        assert!(
            std::env::var(REQUIRE_POSTGRES_VARIABLE).as_deref() != Ok("1"),
            "{REQUIRE_POSTGRES_VARIABLE}=1 but {POSTGRES_URL_VARIABLE} is not set: set it to a server whose \
             user may create databases, e.g. postgres://postgres@127.0.0.1:5432/postgres"
        );
        announce_once(&format!("PostgreSQL conformance skipped: {POSTGRES_URL_VARIABLE} is not set"));
    }
    url
}

/// A folder of the repository's bundled data, e.g. `sonla/2024`.
pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data").join(path)
}

/// Runs `test` on a fresh, migrated store of each backend; a failure names the backend.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = TestResult> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("chiso.db").display());
    let store = fresh_store(&url).await;
    assert_eq!(store.backend(), Backend::Sqlite);
    let outcome = tokio::spawn(test(store.clone())).await;
    store.close().await;
    report("SQLite", outcome);

    let Some(admin_url) = postgres_url() else { return };
    announce_once("PostgreSQL conformance: each test also runs on a fresh PostgreSQL database");
    let database = TemporaryDatabase::create(&admin_url).await;
    let store = fresh_store(&database.url).await;
    assert_eq!(store.backend(), Backend::Postgres);
    let outcome = tokio::spawn(test(store.clone())).await;
    store.close().await;
    database.drop_it(&admin_url).await;
    report("PostgreSQL", outcome);
}

async fn fresh_store(url: &str) -> Store {
    let store = Store::connect(url).await.unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
    store.migrate().await.unwrap_or_else(|e| panic!("migrating {url}: {e}"));
    store
}

fn report(backend: &str, outcome: Result<TestResult, tokio::task::JoinError>) {
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{backend}: {e}"),
        Err(join) if join.is_panic() => {
            eprintln!("{backend}: the test panicked");
            std::panic::resume_unwind(join.into_panic())
        }
        Err(join) => panic!("{backend}: {join}"),
    }
}

/// Says something once per test run, on the real standard error (test output is
/// captured; this is not), so a run without PostgreSQL says so.
fn announce_once(line: &str) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    });
}

/// A database created for one test.
struct TemporaryDatabase {
    name: String,
    url: String,
}

impl TemporaryDatabase {
    async fn create(admin_url: &str) -> TemporaryDatabase {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name =
            format!("chiso_test_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut admin = PgConnection::connect(admin_url).await.unwrap_or_else(|e| {
            panic!("cannot reach the PostgreSQL server {POSTGRES_URL_VARIABLE} names: {e}")
        });
        let mut attempt = 0;
        loop {
            // Concurrent CREATE DATABASE can find the template busy: try again.
            let created =
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await;
            match created {
                Ok(_) => break,
                Err(e) if attempt < 20 && e.to_string().contains("being accessed by other users") => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => panic!("creating database {name}: {e}"),
            }
        }
        let _ = admin.close().await;
        TemporaryDatabase { url: with_database(admin_url, &name), name }
    }

    async fn drop_it(self, admin_url: &str) {
        if let Ok(mut admin) = PgConnection::connect(admin_url).await {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await {
                eprintln!("dropping test database {}: {e}", self.name);
            }
            let _ = admin.close().await;
        }
    }
}

/// `postgres://u@h:5432/postgres?x=y` with another database name.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

#[test]
fn a_database_name_replaces_the_url_path() {
    assert_eq!(with_database("postgres://p@127.0.0.1:5432/postgres", "t"), "postgres://p@127.0.0.1:5432/t");
    assert_eq!(with_database("postgres://p@h", "t"), "postgres://p@h/t");
    assert_eq!(
        with_database("postgresql://p:x@h/db?sslmode=disable", "t"),
        "postgresql://p:x@h/t?sslmode=disable"
    );
}
