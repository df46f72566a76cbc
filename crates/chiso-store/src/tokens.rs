//! API tokens for connected systems (feeds, the provincial operations center).
//! Only the token's hash is stored; the token is shown once, when created.

use crate::audit::{self, AuditRecord};
use crate::error::StoreError;
use crate::ids::{Actor, ApiTokenId};
use crate::problems::InputProblem;
use crate::store::Store;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::fmt;

/// A token to create.
#[derive(Clone, PartialEq)]
pub struct NewApiToken {
    /// What it is for ("Hệ thống quản lý văn bản").
    pub name: String,
    /// The hash (e.g. SHA-256 hex) of the random token.
    pub token_hash: String,
    /// What it may do, e.g. `observations:write`; no spaces inside a scope.
    pub scopes: Vec<String>,
}

/// A stored token.
#[derive(Clone, PartialEq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    pub token_hash: String,
    pub scopes: Vec<String>,
    /// The actor who created it (`user:1`).
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl ApiToken {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

impl fmt::Debug for NewApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiToken")
            .field("name", &self.name)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiToken")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("scopes", &self.scopes)
            .field("created_by", &self.created_by)
            .field("created_at", &self.created_at)
            .field("revoked_at", &self.revoked_at)
            .field("last_used_at", &self.last_used_at)
            .finish_non_exhaustive()
    }
}

const TOKEN_COLUMNS: &str =
    "SELECT id, name, token_hash, scopes, created_by, created_at, revoked_at, last_used_at FROM api_tokens";

fn token_from_row(row: &AnyRow) -> Result<ApiToken, StoreError> {
    let scopes: String = row.try_get("scopes")?;
    Ok(ApiToken {
        id: ApiTokenId(row.try_get("id")?),
        name: row.try_get("name")?,
        token_hash: row.try_get("token_hash")?,
        scopes: scopes.split_whitespace().map(str::to_string).collect(),
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

impl Store {
    /// Stores a new token. A hash already stored is a [`StoreError::Conflict`].
    #[tracing::instrument(skip_all, fields(actor = %actor))]
    pub async fn create_api_token(
        &self,
        token: &NewApiToken,
        actor: Actor,
    ) -> Result<ApiTokenId, StoreError> {
        let name = token.name.trim();
        if name.is_empty() {
            return Err(StoreError::InvalidInput(InputProblem::TokenNameEmpty));
        }
        if let Some(bad) = token.scopes.iter().find(|s| s.is_empty() || s.chars().any(char::is_whitespace)) {
            return Err(StoreError::InvalidInput(InputProblem::Scope { scope: bad.clone() }));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, token_hash, scopes, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(&token.token_hash)
        .bind(token.scopes.join(" "))
        .bind(actor.to_string())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let record = AuditRecord::new("token.create", "api_token", id)
            .after(json!({ "name": name, "scopes": token.scopes }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(ApiTokenId(id))
    }

    /// The token with this hash, unless it was revoked.
    #[tracing::instrument(skip_all)]
    pub async fn active_api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        let sql = format!("{TOKEN_COLUMNS} WHERE token_hash = $1 AND revoked_at IS NULL");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(&self.pool).await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// Records that the token was used now. Not audited: it happens on every call.
    #[tracing::instrument(skip_all, fields(token = %id))]
    pub async fn touch_api_token(&self, id: ApiTokenId) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(self.now())
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Revokes a token (for good). Revoking a revoked token changes nothing.
    #[tracing::instrument(skip_all, fields(token = %id, actor = %actor))]
    pub async fn revoke_api_token(&self, id: ApiTokenId, actor: Actor) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT revoked_at FROM api_tokens WHERE id = $1{}", self.for_update());
        let found: Option<Option<i64>> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(&mut *tx).await?;
        match found {
            None => return Err(StoreError::not_found("API token", id)),
            Some(Some(_)) => return Ok(()),
            Some(None) => {}
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let record = AuditRecord::new("token.revoke", "api_token", id)
            .before(json!({ "revoked_at": null }))
            .after(json!({ "revoked_at": now }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every token, revoked ones included, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let sql = format!("{TOKEN_COLUMNS} ORDER BY id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(token_from_row).collect()
    }
}
