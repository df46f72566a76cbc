//! The audit log (nhật ký): who did what, when, and what it was before and after.
//! Every write of the store appends its row here in the write's own transaction;
//! the rows can be read, never changed (a database trigger refuses it).

use crate::error::StoreError;
use crate::ids::Actor;
use crate::store::Store;
use serde_json::Value;
use sqlx::AnyConnection;
use sqlx::Arguments;
use sqlx::Row;
use sqlx::any::{AnyArguments, AnyRow};

/// How many rows [`Store::audit`] returns when no limit is given.
pub const DEFAULT_AUDIT_LIMIT: i64 = 1000;

/// One write, as it is appended.
#[derive(Debug, Clone)]
pub(crate) struct AuditRecord {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl AuditRecord {
    pub(crate) fn new(action: &'static str, entity: &'static str, entity_id: impl ToString) -> Self {
        AuditRecord { action, entity, entity_id: entity_id.to_string(), before: None, after: None }
    }

    pub(crate) fn before(mut self, before: Value) -> Self {
        self.before = Some(before);
        self
    }

    pub(crate) fn after(mut self, after: Value) -> Self {
        self.after = Some(after);
        self
    }
}

/// Appends `record` (in the caller's transaction).
pub(crate) async fn append(
    conn: &mut AnyConnection,
    at: i64,
    actor: Actor,
    record: AuditRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(at)
    .bind(actor.to_string())
    .bind(record.action)
    .bind(record.entity)
    .bind(record.entity_id)
    .bind(record.before.map(|v| v.to_string()))
    .bind(record.after.map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Which audit rows to read; every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// `user:3`, `token:2`, `system`.
    pub actor: Option<String>,
    /// `round.import`, `user.create`, …
    pub action: Option<String>,
    /// `round`, `user`, `observations`, …
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Unix ms, inclusive.
    pub since: Option<i64>,
    /// Unix ms, exclusive.
    pub until: Option<i64>,
    /// At most this many rows (default [`DEFAULT_AUDIT_LIMIT`]).
    pub limit: Option<i64>,
}

/// One audit row.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix ms.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'r> sqlx::FromRow<'r, AnyRow> for AuditEntry {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        let json = |column: &str| -> Result<Option<Value>, sqlx::Error> {
            let text: Option<String> = row.try_get(column)?;
            Ok(text.map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t))))
        };
        Ok(AuditEntry {
            id: row.try_get("id")?,
            at: row.try_get("at")?,
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
            entity: row.try_get("entity")?,
            entity_id: row.try_get("entity_id")?,
            before: json("before_json")?,
            after: json("after_json")?,
        })
    }
}

impl Store {
    /// The audit rows matching `filter`, newest first.
    #[tracing::instrument(skip_all, fields(action = ?filter.action, entity = ?filter.entity))]
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut conditions: Vec<String> = Vec::new();
        let mut arguments = AnyArguments::default();
        let texts = [
            ("actor", &filter.actor),
            ("action", &filter.action),
            ("entity", &filter.entity),
            ("entity_id", &filter.entity_id),
        ];
        for (column, value) in texts {
            if let Some(value) = value {
                arguments.add(value.clone()).map_err(sqlx::Error::Encode)?;
                conditions.push(format!("{column} = ${}", arguments.len()));
            }
        }
        for (condition, value) in [("at >=", filter.since), ("at <", filter.until)] {
            if let Some(value) = value {
                arguments.add(value).map_err(sqlx::Error::Encode)?;
                conditions.push(format!("{condition} ${}", arguments.len()));
            }
        }
        let limit = filter.limit.unwrap_or(DEFAULT_AUDIT_LIMIT).max(0);
        arguments.add(limit).map_err(sqlx::Error::Encode)?;
        let mut sql = String::from(
            "SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log",
        );
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(&format!(" ORDER BY at DESC, id DESC LIMIT ${}", arguments.len()));
        let rows = sqlx::query_as_with::<_, AuditEntry, _>(sqlx::AssertSqlSafe(sql), arguments)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows)
    }
}
