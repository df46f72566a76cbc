//! Login sessions, kept in the database so app servers stay stateless, and login
//! throttling. The store holds the *hash* of a session token (the cookie holds the
//! token itself), so reading the table does not let anyone log in.

use crate::audit::{self, AuditRecord};
use crate::error::StoreError;
use crate::ids::{Actor, UserId};
use crate::store::Store;
use crate::users::{User, user_from_row};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::fmt;

/// A session to create.
#[derive(Clone, PartialEq)]
pub struct NewSession {
    /// The hash (e.g. SHA-256 hex) of the random token the cookie carries.
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    /// Unix ms.
    pub expires_at: i64,
}

/// What [`Store::count_login_attempt`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempt {
    /// Whether this attempt is within the limit.
    pub allowed: bool,
    /// Attempts counted in the current window, this one included.
    pub attempts: i64,
    /// How long until the window ends, in milliseconds.
    pub retry_after_ms: i64,
}

/// A stored session.
#[derive(Clone, PartialEq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen_at: i64,
}

impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish_non_exhaustive()
    }
}

fn session_from_row(row: &AnyRow) -> Result<Session, StoreError> {
    Ok(Session {
        id_hash: row.try_get("id_hash")?,
        user_id: UserId(row.try_get("user_id")?),
        csrf_token: row.try_get("csrf_token")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
    })
}

impl Store {
    /// Stores a new session (a login), audited as the user's own action.
    #[tracing::instrument(skip_all, fields(user = %session.user_id))]
    pub async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(&session.id_hash)
        .bind(session.user_id.0)
        .bind(&session.csrf_token)
        .bind(now)
        .bind(session.expires_at)
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new("session.create", "user", session.user_id)
            .after(json!({ "expires_at": session.expires_at }));
        audit::append(&mut tx, now, Actor::User(session.user_id), record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session with this hash if it has not expired.
    #[tracing::instrument(skip_all)]
    pub async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at FROM sessions \
             WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    /// The session and its user, if the session has not expired and the user is
    /// not disabled: what a request's authentication needs, in one query.
    #[tracing::instrument(skip_all)]
    pub async fn session_user(&self, id_hash: &str) -> Result<Option<(Session, User)>, StoreError> {
        let row = sqlx::query(
            "SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at AS session_created_at, s.expires_at, \
             s.last_seen_at, u.id, u.username, u.display_name, u.password_hash, u.role, u.unit_code, \
             u.created_at, u.disabled \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(id_hash)
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let session = Session {
            id_hash: row.try_get("id_hash")?,
            user_id: UserId(row.try_get("user_id")?),
            csrf_token: row.try_get("csrf_token")?,
            created_at: row.try_get("session_created_at")?,
            expires_at: row.try_get("expires_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
        };
        Ok(Some((session, user_from_row(&row)?)))
    }

    /// Marks the session seen now and, if given, moves its expiry (sliding
    /// sessions). Not audited: it happens on every request. False if there is no
    /// such unexpired session.
    #[tracing::instrument(skip_all)]
    pub async fn touch_session(&self, id_hash: &str, expires_at: Option<i64>) -> Result<bool, StoreError> {
        let now = self.now();
        let done = sqlx::query(
            "UPDATE sessions SET last_seen_at = $1, expires_at = COALESCE($2, expires_at) \
             WHERE id_hash = $3 AND expires_at > $1",
        )
        .bind(now)
        .bind(expires_at)
        .bind(id_hash)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Ends a session (a logout). False if there was none.
    #[tracing::instrument(skip_all, fields(actor = %actor))]
    pub async fn delete_session(&self, id_hash: &str, actor: Actor) -> Result<bool, StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let user: Option<i64> =
            sqlx::query_scalar("DELETE FROM sessions WHERE id_hash = $1 RETURNING user_id")
                .bind(id_hash)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(user) = user else { return Ok(false) };
        let record = AuditRecord::new("session.delete", "user", user).before(json!({ "session": "active" }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes expired sessions; returns how many. Audited (as `system`) when any was removed.
    #[tracing::instrument(skip_all)]
    pub async fn delete_expired_sessions(&self) -> Result<u64, StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&mut *tx).await?;
        let removed = done.rows_affected();
        if removed > 0 {
            let record = AuditRecord::new("sessions.expire", "sessions", "expired")
                .before(json!({ "expired_sessions": removed }))
                .after(json!({ "expired_sessions": 0 }));
            audit::append(&mut tx, now, Actor::System, record).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Records a failed login for `username` (known or not), audited as
    /// `login.failure` so attacks show in the audit log.
    #[tracing::instrument(skip_all)]
    pub async fn record_login_failure(&self, username: &str) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO login_failures (username, at) VALUES ($1, $2)")
            .bind(username)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let record = AuditRecord::new("login.failure", "username", username);
        audit::append(&mut tx, now, Actor::System, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many logins for `username` failed at or after `since` (Unix ms).
    #[tracing::instrument(skip_all)]
    pub async fn recent_login_failures(&self, username: &str, since: i64) -> Result<i64, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2")
                .bind(username)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        Ok(count)
    }

    /// Forgets the failed logins of `username` (after a successful login).
    /// Audited when there was any.
    #[tracing::instrument(skip_all)]
    pub async fn clear_login_failures(&self, username: &str) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            let record = AuditRecord::new("login.failures_cleared", "username", username)
                .before(json!({ "failures": done.rows_affected() }))
                .after(json!({ "failures": 0 }));
            audit::append(&mut tx, now, Actor::System, record).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Counts one sign-in attempt for `key` and says whether it may go on: the
    /// counter is incremented in one statement *before* the password is checked,
    /// so parallel attempts cannot all read the same old count. A window starts at
    /// the first attempt and lasts `window_ms`; `max` attempts fit in one.
    #[tracing::instrument(skip_all)]
    pub async fn count_login_attempt(
        &self,
        key: &str,
        window_ms: i64,
        max: i64,
    ) -> Result<LoginAttempt, StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO login_throttle (key, window_start, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.attempts + 1 END, \
             window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END \
             RETURNING attempts, window_start",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_ms)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        let attempts: i64 = row.try_get("attempts")?;
        let window_start: i64 = row.try_get("window_start")?;
        Ok(LoginAttempt {
            allowed: attempts <= max,
            attempts,
            retry_after_ms: (window_start + window_ms - now).max(0),
        })
    }

    /// Takes back one counted attempt of `key` (it succeeded), or all of them.
    #[tracing::instrument(skip_all)]
    pub async fn forgive_login_attempts(&self, key: &str, all: bool) -> Result<(), StoreError> {
        let sql = if all {
            "DELETE FROM login_throttle WHERE key = $1"
        } else {
            "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0"
        };
        sqlx::query(sql).bind(key).execute(&self.pool).await?;
        Ok(())
    }

    /// Forgets throttle counters whose window ended before `before` (Unix ms).
    #[tracing::instrument(skip_all)]
    pub async fn delete_stale_login_attempts(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM login_throttle WHERE window_start < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
