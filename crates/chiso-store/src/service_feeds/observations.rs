//! The KPI observations a pull computed, merged into monitoring. Unlike the API's
//! all-or-nothing [`Store::add_observations`](crate::Store::add_observations), a
//! feed is not refused for one row: a KPI the catalogue does not have (or a row
//! that cannot be stored) is skipped and counted, and a stored observation is
//! updated in place, since a feed restates its figures on every pull.

use crate::error::StoreError;
use crate::monitoring::{NewObservation, bump_monitoring_version};
use chiso_core::kpi::Period;
use serde_json::{Value, json};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Merge {
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Rows skipped: unknown KPI, empty scope, bad period or a value that is not finite.
    pub ignored: i64,
    /// The unknown KPI codes, for the audit.
    pub unknown_kpis: Vec<String>,
}

impl Merge {
    pub fn changed(&self) -> i64 {
        self.inserted + self.updated
    }

    pub fn to_json(&self) -> Value {
        json!({
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "ignored": self.ignored,
            "unknown_kpis": self.unknown_kpis,
        })
    }
}

/// Inserts or updates `rows` (in the caller's transaction); bumps the monitoring
/// version when anything changed. Within the batch the last row of a key wins.
pub(crate) async fn merge(
    conn: &mut AnyConnection,
    rows: &[NewObservation],
    now: i64,
    by: &str,
) -> Result<Merge, StoreError> {
    let mut merge = Merge::default();
    if rows.is_empty() {
        return Ok(merge);
    }
    let known: HashSet<String> = sqlx::query_scalar::<_, String>("SELECT code FROM kpis")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    let mut unknown = HashSet::new();
    let mut latest: HashMap<(String, String, String), (f64, Option<String>)> = HashMap::new();
    let mut order = Vec::new();
    for o in rows {
        let (kpi, scope) = (o.kpi.trim(), o.scope.trim());
        if !known.contains(kpi) {
            merge.ignored += 1;
            if unknown.insert(kpi.to_string()) {
                merge.unknown_kpis.push(kpi.to_string());
            }
            continue;
        }
        let Ok(period) = o.period.trim().parse::<Period>() else {
            merge.ignored += 1;
            continue;
        };
        if scope.is_empty() || !o.value.is_finite() {
            merge.ignored += 1;
            continue;
        }
        let note = o.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        let key = (kpi.to_string(), scope.to_string(), period.to_string());
        if latest.insert(key.clone(), (o.value, note)).is_none() {
            order.push(key);
        }
    }
    for key in order {
        let Some((value, note)) = latest.remove(&key) else { continue };
        let stored: Option<(i64, f64, Option<String>)> = sqlx::query_as(
            "SELECT id, value, note FROM observations WHERE kpi_code = $1 AND scope = $2 AND period = $3",
        )
        .bind(&key.0)
        .bind(&key.1)
        .bind(&key.2)
        .fetch_optional(&mut *conn)
        .await?;
        match stored {
            Some((_, v, n)) if v == value && n == note => merge.unchanged += 1,
            Some((id, _, _)) => {
                sqlx::query("UPDATE observations SET value = $1, note = $2 WHERE id = $3")
                    .bind(value)
                    .bind(note)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                merge.updated += 1;
            }
            None => {
                sqlx::query(
                    "INSERT INTO observations (kpi_code, scope, period, value, note, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&key.0)
                .bind(&key.1)
                .bind(&key.2)
                .bind(value)
                .bind(note)
                .bind(now)
                .bind(by)
                .execute(&mut *conn)
                .await?;
                merge.inserted += 1;
            }
        }
    }
    if merge.changed() > 0 {
        bump_monitoring_version(conn).await?;
    }
    Ok(merge)
}
