//! User accounts. The store keeps password *hashes* only: the web layer hashes
//! with Argon2 (in `spawn_blocking`) and verifies; the store never sees a password.

use crate::audit::{self, AuditRecord};
use crate::db::flag;
use crate::error::StoreError;
use crate::ids::{Actor, UserId};
use crate::problems::{Clash, InputProblem};
use crate::store::{Store, Tx};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::fmt;
use std::str::FromStr;

/// What a user may do (vai trò).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users, tokens, rounds and publications.
    Admin,
    /// Appraises (thẩm định) the values units report.
    Appraiser,
    /// Reports the values of one unit (`unit_code`).
    Reporter,
    /// Reads.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Appraiser, Role::Reporter, Role::Viewer];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Appraiser => "appraiser",
            Role::Reporter => "reporter",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| format!("unknown role {s:?} (admin, appraiser, reporter, viewer)"))
    }
}

/// A user to create.
#[derive(Clone, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// The Argon2 hash (PHC string) of the password.
    pub password_hash: String,
    pub role: Role,
    /// The unit a reporter reports for.
    pub unit_code: Option<String>,
}

/// A stored user.
#[derive(Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub unit_code: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// A disabled user cannot log in and has no sessions.
    pub disabled: bool,
}

// The password hash stays out of logs.
impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("unit_code", &self.unit_code)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("unit_code", &self.unit_code)
            .field("created_at", &self.created_at)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

impl User {
    /// What the audit log keeps of a user (never the hash).
    fn audit_json(&self) -> Value {
        json!({
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.code(),
            "unit_code": self.unit_code,
            "disabled": self.disabled,
        })
    }
}

const USER_COLUMNS: &str =
    "SELECT id, username, display_name, password_hash, role, unit_code, created_at, disabled FROM users";

pub(crate) fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: UserId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        role: role.parse().map_err(StoreError::corrupt)?,
        unit_code: row.try_get("unit_code")?,
        created_at: row.try_get("created_at")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

async fn find_user(conn: &mut AnyConnection, id: UserId) -> Result<Option<User>, StoreError> {
    let sql = format!("{USER_COLUMNS} WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(conn).await?;
    row.as_ref().map(user_from_row).transpose()
}

/// The longest username, in characters.
pub const MAX_USERNAME_CHARS: usize = 64;
/// The longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 200;

fn check_user_fields(username: &str, display_name: &str) -> Result<(), StoreError> {
    if username.is_empty() || username.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(StoreError::InvalidInput(InputProblem::Username { username: username.to_owned() }));
    }
    if username.chars().count() > MAX_USERNAME_CHARS {
        return Err(StoreError::InvalidInput(InputProblem::TooLong {
            field: "username",
            max: MAX_USERNAME_CHARS,
        }));
    }
    if display_name.trim().is_empty() {
        return Err(StoreError::InvalidInput(InputProblem::DisplayNameEmpty));
    }
    if display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(StoreError::InvalidInput(InputProblem::TooLong {
            field: "display_name",
            max: MAX_DISPLAY_NAME_CHARS,
        }));
    }
    Ok(())
}

impl Store {
    /// Creates a user. A username already taken is a [`StoreError::Conflict`]
    /// (the unique index decides, so two concurrent creates cannot both win).
    /// Usernames are compared exactly: normalise them (e.g. lowercase) before.
    #[tracing::instrument(skip_all, fields(actor = %actor, username = %user.username))]
    pub async fn create_user(&self, user: &NewUser, actor: Actor) -> Result<UserId, StoreError> {
        let username = user.username.trim();
        check_user_fields(username, &user.display_name)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, role, unit_code, created_at, disabled) \
             VALUES ($1, $2, $3, $4, $5, $6, 0) RETURNING id",
        )
        .bind(username)
        .bind(user.display_name.trim())
        .bind(&user.password_hash)
        .bind(user.role.code())
        .bind(user.unit_code.clone())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(Clash::UsernameTaken { username: username.to_owned() })
            }
            other => other,
        })?;
        let created =
            find_user(&mut tx, UserId(id)).await?.ok_or_else(|| StoreError::not_found("user", id))?;
        let record = AuditRecord::new("user.create", "user", id).after(created.audit_json());
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    #[tracing::instrument(skip_all, fields(user = %id))]
    pub async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        find_user(&mut conn, id).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("{USER_COLUMNS} WHERE username = $1");
        let row =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(username.trim()).fetch_optional(&self.pool).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Every user, by username.
    #[tracing::instrument(skip_all)]
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("{USER_COLUMNS} ORDER BY username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Changes a user's name, role and unit.
    #[tracing::instrument(skip_all, fields(user = %id, actor = %actor))]
    pub async fn update_user(
        &self,
        id: UserId,
        display_name: &str,
        role: Role,
        unit_code: Option<&str>,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let before = find_user(&mut tx, id).await?.ok_or_else(|| StoreError::not_found("user", id))?;
        check_user_fields(&before.username, display_name)?;
        sqlx::query("UPDATE users SET display_name = $1, role = $2, unit_code = $3 WHERE id = $4")
            .bind(display_name.trim())
            .bind(role.code())
            .bind(unit_code)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        self.finish_user_change(tx, before, actor, "user.update").await
    }

    /// Stores a new password hash and ends every session of the user but
    /// `keep_session` (the id hash of the session that made the change, when the
    /// users changes their own password): whoever knew the old password is signed
    /// out. The audit row says the password changed, not to what.
    #[tracing::instrument(skip_all, fields(user = %id, actor = %actor))]
    pub async fn set_password_hash(
        &self,
        id: UserId,
        password_hash: &str,
        keep_session: Option<&str>,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("user", id));
        }
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(id.0)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        let record = AuditRecord::new("user.set_password", "user", id)
            .before(json!({ "password_hash": "(previous)" }))
            .after(json!({ "password_hash": "(changed)", "sessions_ended": ended.rows_affected() }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables (or enables again) a user. Disabling also ends the user's sessions.
    #[tracing::instrument(skip_all, fields(user = %id, actor = %actor, disabled))]
    pub async fn set_user_disabled(
        &self,
        id: UserId,
        disabled: bool,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let before = find_user(&mut tx, id).await?.ok_or_else(|| StoreError::not_found("user", id))?;
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(flag(disabled))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *tx).await?;
        }
        self.finish_user_change(tx, before, actor, "user.set_disabled").await
    }

    /// Audits a user's change (before → after) and commits.
    async fn finish_user_change(
        &self,
        mut tx: Tx,
        before: User,
        actor: Actor,
        action: &'static str,
    ) -> Result<(), StoreError> {
        let after =
            find_user(&mut tx, before.id).await?.ok_or_else(|| StoreError::not_found("user", before.id))?;
        let record =
            AuditRecord::new(action, "user", before.id).before(before.audit_json()).after(after.audit_json());
        audit::append(&mut tx, self.now(), actor, record).await?;
        tx.commit().await?;
        Ok(())
    }
}
