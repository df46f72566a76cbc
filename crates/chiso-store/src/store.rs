//! The [`Store`]: a pool over SQLite or PostgreSQL chosen by the URL's scheme,
//! its migrations, and how a write transaction starts on each backend.

use crate::clock::Clock;
use crate::error::StoreError;
use sqlx::AnyConnection;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{AnyPool, ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite writer waits for another writer's lock before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file (`chiso.db`, WAL, foreign keys on): the embedded default.
    Sqlite,
    /// Production: several app servers share one database.
    Postgres,
}

impl Backend {
    /// The backend a database URL names: `sqlite:PATH`, `sqlite://PATH`,
    /// `postgres://…` or `postgresql://…`.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    /// The migrations of this backend, embedded in the binary.
    pub fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// All of chiso's persistent state, behind one API over SQLite and PostgreSQL.
///
/// Cheap to clone (a pool handle, the backend and the clock). Every write is one
/// transaction that also appends its audit row, so a crash mid-write leaves the
/// database as it was.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) clock: Clock,
    /// Rounds parsed once (see `rounds::model`).
    pub(crate) models: crate::rounds::model::RoundModels,
    /// What each publication read so far says of its units (they never change).
    pub(crate) published: crate::history::PublishedCache,
    /// This process's writers take turns here on SQLite (see [`Tx`]).
    pub(crate) writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction. On SQLite it also holds this process's turn to write:
/// writers queue on an async lock and are woken when the previous one ends,
/// instead of polling SQLite's busy handler (which sleeps 1-20 ms between tries
/// and made a 100-writer load wait up to 27 ms for nothing).
pub(crate) struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

impl Store {
    /// Opens the database the URL names. A SQLite file is created if missing and
    /// put in WAL mode; every SQLite connection has foreign keys on and waits for
    /// a busy writer instead of failing. Does not migrate: call [`Store::migrate`].
    #[tracing::instrument(skip_all, fields(backend))]
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        tracing::Span::current().record("backend", tracing::field::debug(backend));
        let options = match backend {
            Backend::Sqlite => {
                let in_memory = is_in_memory(url);
                if !in_memory {
                    create_sqlite_file(url).await?;
                }
                let options = AnyPoolOptions::new()
                    .after_connect(|conn, _| Box::pin(async move { configure_sqlite(conn).await }));
                if in_memory {
                    // Every connection to `sqlite::memory:` would be another database:
                    // keep exactly one, forever.
                    options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
                } else {
                    options.max_connections(8)
                }
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(10),
        };
        let pool = options.acquire_timeout(Duration::from_secs(30)).connect(url).await?;
        Ok(Store {
            pool,
            backend,
            clock: Clock::system(),
            models: Default::default(),
            published: Default::default(),
            writer: Default::default(),
        })
    }

    /// The same store with another clock (tests move time with it).
    pub fn with_clock(mut self, clock: Clock) -> Store {
        self.clock = clock;
        self
    }

    /// Runs the backend's pending migrations (`migrations/sqlite` or
    /// `migrations/postgres`, embedded at build time). Safe to call on every start.
    #[tracing::instrument(skip_all, fields(backend = ?self.backend))]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrator().run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The pool, for health checks and tests; the store's tables are its own.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before writing cannot fail
    /// half-way with SQLITE_BUSY when another writer got there first.
    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let turn = self.writer.clone().lock_owned().await;
                Tx { inner: self.pool.begin_with("BEGIN IMMEDIATE").await?, _turn: Some(turn) }
            }
            Backend::Postgres => Tx { inner: self.pool.begin().await?, _turn: None },
        })
    }

    /// `FOR UPDATE` on PostgreSQL (a row lock held to the end of the transaction);
    /// nothing on SQLite, where the write transaction already excludes other writers.
    pub(crate) fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }
}

fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// Creates the SQLite file if it is missing and switches it to WAL, which the file
/// remembers for every later connection.
async fn create_sqlite_file(url: &str) -> Result<(), StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true);
    let connection = options.connect().await?;
    connection.close().await?;
    Ok(())
}

async fn configure_sqlite(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for pragma in ["PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"] {
        sqlx::query(pragma).execute(&mut *conn).await?;
    }
    let timeout = format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}");
    sqlx::query(sqlx::AssertSqlSafe(timeout)).execute(&mut *conn).await?;
    Ok(())
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_scheme_picks_the_backend() {
        assert_eq!(Backend::from_url("sqlite:chiso.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite:///var/lib/chiso/chiso.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://u@h/db").ok(), Some(Backend::Postgres));
        assert_eq!(Backend::from_url("postgresql://u@h/db").ok(), Some(Backend::Postgres));
        assert!(
            matches!(Backend::from_url("mysql://u:secret@h/db"), Err(StoreError::UnsupportedUrl(u)) if !u.contains("secret"))
        );
    }
}
