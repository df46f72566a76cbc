//! Monitoring (theo dõi): the KPI catalogue with its targets, and observations.
//! A monitoring package replaces the catalogue and merges its observations; the
//! API adds observations in all-or-nothing batches; [`Store::monitoring`] rebuilds
//! the core's [`Monitoring`] for statuses and forecasts.

use crate::audit::{self, AuditRecord};
use crate::db::{insert_many, upsert_many};
use crate::error::{RowProblem, RowProblemKind, StoreError};
use crate::ids::{Actor, ObservationId};
use crate::problems::Clash;
use crate::store::Store;
use chiso_core::kpi::{Catalogue, KpiDef, Monitoring, Observation, Period, TargetDef, YearlyRule};
use chiso_core::lang::NamesDef;
use chiso_io::{Files, MonitoringPackage};
use serde_json::{Value, json};
use sqlx::AnyConnection;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// An observation to add through the API.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation {
    pub kpi: String,
    /// `province` or a unit code.
    pub scope: String,
    /// `2024`, `2024-Q3`, `2024-09` or `2024-09-30`.
    pub period: String,
    pub value: f64,
    pub note: Option<String>,
}

/// What a monitoring import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoringImport {
    pub kpis: usize,
    pub observations_inserted: usize,
    pub observations_updated: usize,
    pub observations_unchanged: usize,
}

fn aggregate_code(rule: YearlyRule) -> &'static str {
    match rule {
        YearlyRule::Last => "last",
        YearlyRule::Sum => "sum",
        YearlyRule::Mean => "mean",
    }
}

type ObservationKey = (String, String, String);

impl Store {
    /// Imports a monitoring package: its catalogue replaces the stored one (KPIs
    /// and targets, in file order), its observations are added or, for a KPI, scope
    /// and period already stored, update the value and note. Observations the file
    /// does not mention are kept. A KPI that has stored observations cannot be
    /// dropped from the catalogue ([`StoreError::Conflict`]). One transaction.
    #[tracing::instrument(skip_all, fields(actor = %actor))]
    pub async fn import_monitoring(
        &self,
        files: Files,
        actor: Actor,
    ) -> Result<MonitoringImport, StoreError> {
        let package = MonitoringPackage::from_files(files)?;
        let Monitoring { catalogue, observations } = &package.monitoring;
        let now = self.now();
        let by = actor.to_string();
        let mut tx = self.begin_write().await?;
        if self.backend == crate::Backend::Postgres {
            // Two imports at once would interleave their upserts: one waits for the
            // other. (Reads and observation inserts are not blocked by this mode.)
            sqlx::query("LOCK TABLE kpis IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        }

        let old_codes: Vec<String> =
            sqlx::query_scalar("SELECT code FROM kpis ORDER BY position").fetch_all(&mut *tx).await?;
        let old_count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM observations").fetch_one(&mut *tx).await?;
        let new_codes: HashSet<&str> = catalogue.kpis.iter().map(|k| k.code.as_str()).collect();
        for dropped in old_codes.iter().filter(|c| !new_codes.contains(c.as_str())) {
            let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM observations WHERE kpi_code = $1")
                .bind(dropped)
                .fetch_one(&mut *tx)
                .await?;
            if used > 0 {
                return Err(StoreError::Conflict(Clash::KpiInUse {
                    kpi: dropped.clone(),
                    observations: used,
                }));
            }
            sqlx::query("DELETE FROM kpis WHERE code = $1").bind(dropped).execute(&mut *tx).await?;
        }
        for (position, kpi) in catalogue.kpis.iter().enumerate() {
            upsert_kpi(&mut tx, position, kpi).await?;
        }
        sqlx::query("DELETE FROM kpi_targets").execute(&mut *tx).await?;
        let targets: Vec<_> =
            catalogue.kpis.iter().flat_map(|k| k.targets.iter().map(move |t| (k.code.as_str(), t))).collect();
        insert_many(
            &mut tx,
            "INSERT INTO kpi_targets (kpi_code, year, value, basis, basis_en)",
            5,
            &targets,
            |args, (code, t)| {
                use sqlx::Arguments;
                args.add(*code)?;
                args.add(i64::from(t.year))?;
                args.add(t.value)?;
                args.add(t.basis.as_ref().map(|b| b.vi.clone()))?;
                args.add(t.basis.as_ref().map(|b| b.en.clone()))
            },
        )
        .await?;

        let stored = stored_observations(&mut tx).await?;
        let (mut inserted, mut unchanged, mut changes) = (0, 0, Vec::new());
        let mut writes = Vec::new();
        for o in observations {
            let code = &catalogue.kpis[o.kpi].code;
            let key = (code.clone(), o.scope.clone(), o.period.to_string());
            match stored.get(&key) {
                None => inserted += 1,
                Some((value, note)) if *value == o.value && *note == o.note => {
                    unchanged += 1;
                    continue;
                }
                Some((value, note)) => changes.push(json!({
                    "kpi": key.0, "scope": key.1, "period": key.2,
                    "before": { "value": value, "note": note },
                    "after": { "value": o.value, "note": o.note },
                })),
            }
            writes.push((key, o));
        }
        upsert_many(
            &mut tx,
            "INSERT INTO observations (kpi_code, scope, period, value, note, created_at, created_by)",
            "ON CONFLICT (kpi_code, scope, period) DO UPDATE SET value = excluded.value, note = excluded.note",
            7,
            &writes,
            |args, ((kpi, scope, period), o)| {
                use sqlx::Arguments;
                args.add(kpi.as_str())?;
                args.add(scope.as_str())?;
                args.add(period.as_str())?;
                args.add(o.value)?;
                args.add(o.note.clone())?;
                args.add(now)?;
                args.add(by.as_str())
            },
        )
        .await?;
        let summary = MonitoringImport {
            kpis: catalogue.kpis.len(),
            observations_inserted: inserted,
            observations_updated: changes.len(),
            observations_unchanged: unchanged,
        };
        let record = AuditRecord::new("monitoring.import", "monitoring", "catalogue")
            .before(json!({ "kpis": old_codes, "observations": old_count }))
            .after(json!({
                "kpis": catalogue.kpis.iter().map(|k| k.code.as_str()).collect::<Vec<_>>(),
                "observations": old_count + inserted as i64,
                "inserted": inserted,
                "updated": Value::Array(changes),
                "unchanged": unchanged,
            }));
        bump_monitoring_version(&mut tx).await?;
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Adds observations, all or nothing: if any row is refused (unknown KPI, empty
    /// scope, bad period, a value that is not finite, the same KPI/scope/period
    /// twice in the batch or already stored) nothing is stored and every refused
    /// row is named in [`StoreError::Refused`]. One transaction, one audit row.
    #[tracing::instrument(skip_all, fields(actor = %actor, rows = rows.len()))]
    pub async fn add_observations(
        &self,
        rows: &[NewObservation],
        actor: Actor,
    ) -> Result<Vec<ObservationId>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let known: HashSet<String> = sqlx::query_scalar::<_, String>("SELECT code FROM kpis")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        let mut problems = Vec::new();
        let mut keys: Vec<ObservationKey> = Vec::with_capacity(rows.len());
        let mut seen: HashMap<ObservationKey, usize> = HashMap::new();
        for (row, o) in rows.iter().enumerate() {
            let mut refuse = |kind| problems.push(RowProblem { row, kind });
            let (kpi, scope) = (o.kpi.trim(), o.scope.trim());
            let period = o.period.trim().parse::<Period>();
            if !known.contains(kpi) {
                refuse(RowProblemKind::UnknownKpi { kpi: kpi.into() });
            }
            if scope.is_empty() {
                refuse(RowProblemKind::EmptyScope);
            }
            if period.is_err() {
                refuse(RowProblemKind::BadPeriod { text: o.period.clone() });
            }
            if !o.value.is_finite() {
                refuse(RowProblemKind::NotFinite);
            }
            let Ok(period) = period else { continue };
            let key = (kpi.to_string(), scope.to_string(), period.to_string());
            if let Some(&first_row) = seen.get(&key) {
                refuse(RowProblemKind::DuplicateInBatch { first_row });
                continue;
            }
            seen.insert(key.clone(), row);
            let exists: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM observations WHERE kpi_code = $1 AND scope = $2 AND period = $3",
            )
            .bind(&key.0)
            .bind(&key.1)
            .bind(&key.2)
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_some() {
                let (kpi, scope, period) = key.clone();
                problems.push(RowProblem { row, kind: RowProblemKind::AlreadyStored { kpi, scope, period } });
            }
            keys.push(key);
        }
        if !problems.is_empty() {
            return Err(StoreError::Refused(problems));
        }
        let mut ids = Vec::with_capacity(rows.len());
        let mut added = Vec::with_capacity(rows.len());
        for ((kpi, scope, period), o) in keys.iter().zip(rows) {
            let note = o.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO observations (kpi_code, scope, period, value, note, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(kpi)
            .bind(scope)
            .bind(period)
            .bind(o.value)
            .bind(note)
            .bind(now)
            .bind(actor.to_string())
            .fetch_one(&mut *tx)
            .await?;
            ids.push(ObservationId(id));
            added.push(json!({ "id": id, "kpi": kpi, "scope": scope, "period": period, "value": o.value, "note": note }));
        }
        let entity_id = ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        let record =
            AuditRecord::new("observations.add", "observations", entity_id).after(Value::Array(added));
        bump_monitoring_version(&mut tx).await?;
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// The stored catalogue (in its order) and every observation (in the order they
    /// were stored), as the core's [`Monitoring`].
    #[tracing::instrument(skip_all)]
    pub async fn monitoring(&self) -> Result<Monitoring, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let catalogue = load_catalogue(&mut conn).await?;
        let rows = sqlx::query("SELECT kpi_code, scope, period, value, note FROM observations ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
        let observations = rows
            .iter()
            .map(|row| {
                let code: String = row.try_get("kpi_code")?;
                let period: String = row.try_get("period")?;
                Ok(Observation {
                    kpi: catalogue.find(&code).ok_or_else(|| StoreError::corrupt(format!("KPI {code:?}")))?,
                    scope: row.try_get("scope")?,
                    period: period.parse().map_err(|_| StoreError::corrupt(format!("period {period:?}")))?,
                    value: row.try_get("value")?,
                    note: row.try_get("note")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Monitoring { catalogue, observations })
    }
}

/// Marks the monitoring data changed (in the writer's transaction).
pub(crate) async fn bump_monitoring_version(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE data_versions SET version = version + 1 WHERE name = 'monitoring'")
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    /// A number that changes whenever the KPI catalogue or an observation changes
    /// (on any app server sharing the database): what is derived from
    /// [`Store::monitoring`] stays valid while it stays the same.
    #[tracing::instrument(skip_all)]
    pub async fn monitoring_version(&self) -> Result<i64, StoreError> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM data_versions WHERE name = 'monitoring'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(version.unwrap_or(0))
    }
}

async fn upsert_kpi(
    conn: &mut AnyConnection,
    position: usize,
    kpi: &chiso_core::kpi::Kpi,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO kpis (code, position, name_vi, name_en, unit, direction, aggregate, source, \
         description_vi, description_en, unit_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (code) DO UPDATE SET position = excluded.position, name_vi = excluded.name_vi, \
         name_en = excluded.name_en, unit = excluded.unit, unit_en = excluded.unit_en, direction = excluded.direction, \
         aggregate = excluded.aggregate, source = excluded.source, description_vi = excluded.description_vi, \
         description_en = excluded.description_en",
    )
    .bind(&kpi.code)
    .bind(position as i64)
    .bind(&kpi.name.vi)
    .bind(&kpi.name.en)
    .bind(&kpi.unit.vi)
    .bind(kpi.direction.code())
    .bind(aggregate_code(kpi.aggregate))
    .bind(kpi.source.clone())
    .bind(kpi.description.as_ref().map(|d| d.vi.clone()))
    .bind(kpi.description.as_ref().map(|d| d.en.clone()))
    .bind(&kpi.unit.en)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stored observations by key: (value, note).
async fn stored_observations(
    conn: &mut AnyConnection,
) -> Result<HashMap<ObservationKey, (f64, Option<String>)>, StoreError> {
    let rows =
        sqlx::query("SELECT kpi_code, scope, period, value, note FROM observations").fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            Ok((
                (row.try_get("kpi_code")?, row.try_get("scope")?, row.try_get("period")?),
                (row.try_get("value")?, row.try_get("note")?),
            ))
        })
        .collect()
}

/// A free text stored as its Vietnamese column and an English one (empty before
/// migration 0008: the same text).
fn both_languages(vi: Option<String>, en: Option<String>) -> Option<NamesDef> {
    vi.map(|vi| NamesDef { en: Some(en.unwrap_or_else(|| vi.clone())), vi: Some(vi) })
}

async fn load_catalogue(conn: &mut AnyConnection) -> Result<Catalogue, StoreError> {
    let kpis = sqlx::query(
        "SELECT code, name_vi, name_en, unit, unit_en, direction, aggregate, source, description_vi, description_en \
         FROM kpis ORDER BY position",
    )
    .fetch_all(&mut *conn)
    .await?;
    let targets =
        sqlx::query("SELECT kpi_code, year, value, basis, basis_en FROM kpi_targets ORDER BY kpi_code, year")
            .fetch_all(&mut *conn)
            .await?;
    let mut targets_of: HashMap<String, Vec<TargetDef>> = HashMap::new();
    for row in &targets {
        targets_of.entry(row.try_get("kpi_code")?).or_default().push(TargetDef {
            year: Some(row.try_get("year")?),
            value: Some(row.try_get("value")?),
            basis: both_languages(row.try_get("basis")?, row.try_get("basis_en")?),
        });
    }
    let defs = kpis
        .iter()
        .map(|row| {
            let code: String = row.try_get("code")?;
            let description_vi: Option<String> = row.try_get("description_vi")?;
            let description_en: Option<String> = row.try_get("description_en")?;
            let description = (description_vi.is_some() || description_en.is_some())
                .then_some(NamesDef { vi: description_vi, en: description_en });
            Ok(KpiDef {
                targets: targets_of.remove(&code).unwrap_or_default(),
                code: Some(code),
                name: Some(NamesDef { vi: Some(row.try_get("name_vi")?), en: Some(row.try_get("name_en")?) }),
                unit: both_languages(row.try_get("unit")?, row.try_get("unit_en")?),
                direction: Some(row.try_get("direction")?),
                aggregate: Some(row.try_get("aggregate")?),
                source: row.try_get("source")?,
                description,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Catalogue::build(&defs)
        .map_err(|problems| StoreError::corrupt(format!("the KPI catalogue: {problems:?}")))
}
