//! Assessment rounds (đợt đánh giá): imported from a package's files, kept as those
//! exact files plus the values in long form, and rebuilt into a package on demand.
//!
//! A round holds assessment.toml, the frameworks and units.csv byte for byte
//! (`round_files`); its groups and units are also copied into tables for queries.
//! values.csv is not kept as a file: its values live in `round_values`, one row per
//! unit and indicator with the text as written, so they can be edited one by one;
//! a rebuilt package gets a values.csv generated from them.

macro_rules! select_rounds {
    () => {
        "SELECT id, year, name_vi, name_en, overall, rank_precision, status, created_at, created_by FROM rounds"
    };
}

pub(crate) mod edit;
pub(crate) mod model;
pub(crate) mod typed;
pub(crate) mod values_csv;

pub use edit::{ChangeRefusal, RefusedChange, ValueChange, ValueSave};

use crate::audit::{self, AuditRecord};
use crate::db::{blocking, insert_many};
use crate::error::StoreError;
use crate::ids::{Actor, RoundId};
use crate::store::Store;
use chiso_core::{Names, OverallRule};
use chiso_io::package::VALUES_FILE;
use chiso_io::{Files, Package, PackageErrors};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use sqlx::Arguments;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;
use values_csv::ValueText;

/// Whether a round's results have been published (at least once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    Draft,
    Published,
}

impl RoundStatus {
    pub fn code(self) -> &'static str {
        match self {
            RoundStatus::Draft => "draft",
            RoundStatus::Published => "published",
        }
    }

    fn parse(code: &str) -> Result<RoundStatus, StoreError> {
        match code {
            "draft" => Ok(RoundStatus::Draft),
            "published" => Ok(RoundStatus::Published),
            other => Err(StoreError::corrupt(format!("round status {other:?}"))),
        }
    }
}

/// A round, as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub id: RoundId,
    pub year: i32,
    pub name: Names,
    pub overall: OverallRule,
    pub rank_precision: u32,
    pub status: RoundStatus,
    /// Unix ms.
    pub created_at: i64,
    /// The actor who imported it (`user:3`).
    pub created_by: String,
}

/// A group of units of a round (khối), in assessment.toml order.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundGroup {
    pub position: usize,
    pub code: String,
    pub name: Names,
    /// The framework file, as assessment.toml names it.
    pub framework_path: String,
}

/// A unit of a round, in units.csv order.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundUnit {
    pub position: usize,
    pub code: String,
    pub name: Names,
    pub group: String,
    pub parent: Option<String>,
}

/// One value of a round, with its edit history's last step.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundValue {
    pub unit: String,
    pub indicator: String,
    /// As written: "97%", "có", "3/4", "na", or empty (missing).
    pub value: String,
    pub note: Option<String>,
    /// 1 when imported, +1 per change: pass it back as `expected_version`.
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// The SHA-256 (hex) of a package's files: for each file in path order, the path's
/// length (u64, big-endian), the path, the content's length (u64, big-endian) and
/// the content. The same inputs always give the same hash.
pub fn inputs_hash(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut hasher = Sha256::new();
    for (path, content) in files {
        hasher.update((path.len() as u64).to_be_bytes());
        hasher.update(path.as_bytes());
        hasher.update((content.len() as u64).to_be_bytes());
        hasher.update(content);
    }
    format!("{:x}", hasher.finalize())
}

/// What an import stores, gathered before the transaction starts.
pub(crate) struct Import {
    pub(crate) package: Package,
    files: BTreeMap<String, Vec<u8>>,
    values: Vec<ValueText>,
}

impl Import {
    /// Validates and scores the package; a package that does not score is refused too.
    pub(crate) fn prepare(files: Files) -> Result<Import, StoreError> {
        let package = Package::from_files(files)?;
        package.check_references()?;
        package.score()?;
        let mut kept = BTreeMap::new();
        for path in package.input_files() {
            if path != VALUES_FILE {
                kept.insert(
                    chiso_io::files::normalise(path),
                    package
                        .files
                        .read_bytes(path)
                        .map_err(|e| StoreError::Invalid(PackageErrors(vec![e])))?,
                );
            }
        }
        let text = package.files.read_text(VALUES_FILE).map_err(|e| PackageErrors(vec![e]))?;
        let values = values_csv::read(&text)?;
        Ok(Import { package, files: kept, values })
    }

    fn summary(&self) -> serde_json::Value {
        let a = &self.package.assessment;
        let files: Vec<_> = self
            .files
            .iter()
            .map(
                |(path, content)| json!({ "path": path, "sha256": format!("{:x}", Sha256::digest(content)) }),
            )
            .collect();
        json!({
            "year": a.year,
            "name": { "vi": a.name.vi, "en": a.name.en },
            "groups": a.groups.iter().map(|g| g.code.as_str()).collect::<Vec<_>>(),
            "units": a.units.len(),
            "values": self.values.len(),
            "files": files,
        })
    }
}

/// Stores a prepared import as a new draft round, with its audit row, inside the
/// caller's transaction.
pub(crate) async fn import_tx(
    tx: &mut AnyConnection,
    import: &Import,
    now: i64,
    actor: Actor,
) -> Result<RoundId, StoreError> {
    let a = &import.package.assessment;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rounds (year, name_vi, name_en, overall, rank_precision, status, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7) RETURNING id",
    )
    .bind(i64::from(a.year))
    .bind(&a.name.vi)
    .bind(&a.name.en)
    .bind(a.overall.code())
    .bind(i64::from(a.rank_precision))
    .bind(now)
    .bind(actor.to_string())
    .fetch_one(&mut *tx)
    .await?;
    let files: Vec<(&String, &Vec<u8>)> = import.files.iter().collect();
    insert_many(
        &mut *tx,
        "INSERT INTO round_files (round_id, path, content)",
        3,
        &files,
        |args, (path, content)| {
            args.add(id)?;
            args.add(path.as_str())?;
            args.add(content.to_vec())
        },
    )
    .await?;
    let groups: Vec<_> = a.groups.iter().zip(&import.package.framework_files).enumerate().collect();
    insert_many(
        &mut *tx,
        "INSERT INTO round_groups (round_id, position, code, name_vi, name_en, framework_path)",
        6,
        &groups,
        |args, (position, (group, path))| {
            args.add(id)?;
            args.add(*position as i64)?;
            args.add(group.code.as_str())?;
            args.add(group.name.vi.as_str())?;
            args.add(group.name.en.as_str())?;
            args.add(path.as_str())
        },
    )
    .await?;
    let units: Vec<_> = a.units.iter().enumerate().collect();
    insert_many(
        &mut *tx,
        "INSERT INTO units (round_id, position, code, name_vi, name_en, group_code, parent)",
        7,
        &units,
        |args, (position, unit)| {
            args.add(id)?;
            args.add(*position as i64)?;
            args.add(unit.code.as_str())?;
            args.add(unit.name.vi.as_str())?;
            args.add(unit.name.en.as_str())?;
            args.add(a.groups[unit.group].code.as_str())?;
            args.add(unit.parent.clone())
        },
    )
    .await?;
    let values: Vec<_> = import.values.iter().enumerate().collect();
    insert_values(&mut *tx, id, &values, now, &actor.to_string()).await?;
    let record = AuditRecord::new("round.import", "round", id).after(import.summary());
    audit::append(&mut *tx, now, actor, record).await?;
    Ok(RoundId(id))
}

impl Store {
    /// Imports an assessment package as a new draft round, in one transaction with
    /// its audit row. A package with any error (or one that does not score) is
    /// refused with its `FILE:LINE` errors and nothing is stored.
    #[tracing::instrument(skip_all, fields(actor = %actor, round))]
    pub async fn import_round(&self, files: Files, actor: Actor) -> Result<RoundId, StoreError> {
        let import = blocking(move || Import::prepare(files)).await?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let id = import_tx(&mut tx, &import, now, actor).await?;
        tracing::Span::current().record("round", id.0);
        tx.commit().await?;
        Ok(id)
    }

    /// Every round, newest year first.
    #[tracing::instrument(skip_all)]
    pub async fn rounds(&self) -> Result<Vec<Round>, StoreError> {
        let rows = sqlx::query(concat!(select_rounds!(), " ORDER BY year DESC, id DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(round_from_row).collect()
    }

    #[tracing::instrument(skip_all, fields(round = %id))]
    pub async fn round(&self, id: RoundId) -> Result<Option<Round>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        find_round(&mut conn, id).await
    }

    /// The groups of a round, in assessment.toml order.
    #[tracing::instrument(skip_all, fields(round = %id))]
    pub async fn round_groups(&self, id: RoundId) -> Result<Vec<RoundGroup>, StoreError> {
        let rows = sqlx::query(
            "SELECT position, code, name_vi, name_en, framework_path FROM round_groups \
             WHERE round_id = $1 ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RoundGroup {
                    position: row.try_get::<i64, _>("position")? as usize,
                    code: row.try_get("code")?,
                    name: Names::new(
                        row.try_get::<String, _>("name_vi")?,
                        row.try_get::<String, _>("name_en")?,
                    ),
                    framework_path: row.try_get("framework_path")?,
                })
            })
            .collect()
    }

    /// The units of a round, in units.csv order.
    #[tracing::instrument(skip_all, fields(round = %id))]
    pub async fn round_units(&self, id: RoundId) -> Result<Vec<RoundUnit>, StoreError> {
        let rows = sqlx::query(
            "SELECT position, code, name_vi, name_en, group_code, parent FROM units \
             WHERE round_id = $1 ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RoundUnit {
                    position: row.try_get::<i64, _>("position")? as usize,
                    code: row.try_get("code")?,
                    name: Names::new(
                        row.try_get::<String, _>("name_vi")?,
                        row.try_get::<String, _>("name_en")?,
                    ),
                    group: row.try_get("group_code")?,
                    parent: row.try_get("parent")?,
                })
            })
            .collect()
    }

    /// The values of a round, in the order they were imported (new ones last).
    #[tracing::instrument(skip_all, fields(round = %id))]
    pub async fn round_values(&self, id: RoundId) -> Result<Vec<RoundValue>, StoreError> {
        let rows = sqlx::query(
            "SELECT unit_code, indicator, value, note, version, updated_at, updated_by FROM round_values \
             WHERE round_id = $1 ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(round_value).collect()
    }

    /// The values of one unit of a round, in order: what its form shows.
    pub async fn unit_values(&self, id: RoundId, unit: &str) -> Result<Vec<RoundValue>, StoreError> {
        let rows = sqlx::query(
            "SELECT unit_code, indicator, value, note, version, updated_at, updated_by FROM round_values \
             WHERE round_id = $1 AND unit_code = $2 ORDER BY position",
        )
        .bind(id.0)
        .bind(unit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(round_value).collect()
    }

    /// The round's package files: the imported assessment.toml, frameworks and
    /// units.csv, and a long-form values.csv generated from its values (an export).
    #[tracing::instrument(skip_all, fields(round = %id))]
    pub async fn round_files(&self, id: RoundId) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_inputs(&mut conn, id).await
    }

    /// The round's files with the self-assessed values only (no appraised value
    /// overriding them): what the units reported.
    #[tracing::instrument(skip_all, fields(round = %id))]
    pub async fn round_self_files(&self, id: RoundId) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        if find_round(&mut conn, id).await?.is_none() {
            return Err(StoreError::not_found("round", id));
        }
        let files = load_files(&mut conn, id).await?;
        let values = load_value_texts(&mut conn, id).await?;
        with_values_csv(files, &values)
    }

    /// The round rebuilt into a validated package (its files from [`Store::round_files`]).
    #[tracing::instrument(skip_all, fields(round = %id))]
    pub async fn round_package(&self, id: RoundId) -> Result<Package, StoreError> {
        let files = self.round_files(id).await?;
        Ok(Package::from_files(Files::Memory(files))?)
    }

    /// The hash a publication of the round's current inputs would carry: compare it
    /// with the latest publication's to tell whether values changed since.
    #[tracing::instrument(skip_all, fields(round = %id))]
    pub async fn round_inputs_hash(&self, id: RoundId) -> Result<String, StoreError> {
        Ok(inputs_hash(&self.round_files(id).await?))
    }
}

async fn insert_values(
    conn: &mut AnyConnection,
    round: i64,
    values: &[(usize, &ValueText)],
    now: i64,
    by: &str,
) -> Result<(), StoreError> {
    insert_many(
        conn,
        "INSERT INTO round_values (round_id, unit_code, indicator, value, note, position, updated_at, updated_by)",
        8,
        values,
        |args, (position, value)| {
            args.add(round)?;
            args.add(value.unit.as_str())?;
            args.add(value.indicator.as_str())?;
            args.add(value.value.as_str())?;
            args.add(value.note.clone())?;
            args.add(*position as i64)?;
            args.add(now)?;
            args.add(by)
        },
    )
    .await
}

pub(crate) fn round_from_row(row: &AnyRow) -> Result<Round, StoreError> {
    let overall = match row.try_get::<String, _>("overall")?.as_str() {
        "mean_of_groups" => OverallRule::MeanOfGroups,
        "mean_of_units" => OverallRule::MeanOfUnits,
        other => return Err(StoreError::corrupt(format!("overall rule {other:?}"))),
    };
    Ok(Round {
        id: RoundId(row.try_get("id")?),
        year: row.try_get::<i64, _>("year")? as i32,
        name: Names::new(row.try_get::<String, _>("name_vi")?, row.try_get::<String, _>("name_en")?),
        overall,
        rank_precision: row.try_get::<i64, _>("rank_precision")? as u32,
        status: RoundStatus::parse(&row.try_get::<String, _>("status")?)?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

pub(crate) async fn find_round(conn: &mut AnyConnection, id: RoundId) -> Result<Option<Round>, StoreError> {
    let row =
        sqlx::query(concat!(select_rounds!(), " WHERE id = $1")).bind(id.0).fetch_optional(conn).await?;
    row.as_ref().map(round_from_row).transpose()
}

/// The round's status, locking its row until the transaction ends (PostgreSQL;
/// SQLite's write transaction already excludes other writers).
pub(crate) async fn lock_round(
    conn: &mut AnyConnection,
    id: RoundId,
    for_update: &str,
) -> Result<RoundStatus, StoreError> {
    let sql = format!("SELECT status FROM rounds WHERE id = $1{for_update}");
    let status: Option<String> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(conn).await?;
    RoundStatus::parse(&status.ok_or_else(|| StoreError::not_found("round", id))?)
}

/// The stored files of a round (without values.csv).
fn round_value(row: &sqlx::any::AnyRow) -> Result<RoundValue, StoreError> {
    Ok(RoundValue {
        unit: row.try_get("unit_code")?,
        indicator: row.try_get("indicator")?,
        value: row.try_get("value")?,
        note: row.try_get("note")?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

pub(crate) async fn load_files(
    conn: &mut AnyConnection,
    id: RoundId,
) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
    let rows = sqlx::query("SELECT path, content FROM round_files WHERE round_id = $1")
        .bind(id.0)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|row| Ok((row.try_get("path")?, row.try_get("content")?))).collect()
}

/// The values of a round as text rows, in order.
pub(crate) async fn load_value_texts(
    conn: &mut AnyConnection,
    id: RoundId,
) -> Result<Vec<ValueText>, StoreError> {
    let rows = sqlx::query(
        "SELECT unit_code, indicator, value, note FROM round_values WHERE round_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ValueText {
                unit: row.try_get("unit_code")?,
                indicator: row.try_get("indicator")?,
                value: row.try_get("value")?,
                note: row.try_get("note")?,
            })
        })
        .collect()
}

/// The stored files plus values.csv generated from `values`.
pub(crate) fn with_values_csv<'a>(
    mut files: BTreeMap<String, Vec<u8>>,
    values: impl IntoIterator<Item = &'a ValueText>,
) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
    let csv = values_csv::write(values).map_err(StoreError::corrupt)?;
    files.insert(VALUES_FILE.to_string(), csv);
    Ok(files)
}

/// A round's package files: stored files and generated values.csv. `NotFound` if
/// there is no such round.
pub(crate) async fn load_inputs(
    conn: &mut AnyConnection,
    id: RoundId,
) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
    if find_round(conn, id).await?.is_none() {
        return Err(StoreError::not_found("round", id));
    }
    let mut files = load_files(conn, id).await?;
    let mut values = load_value_texts(conn, id).await?;
    overlay_appraisals(conn, id, &mut values).await?;
    leave_out_unassigned(conn, id, &mut files, &mut values).await?;
    with_values_csv(files, &values)
}

/// The appraised values of a round, overriding the self-assessed ones: the values
/// a round is scored and published with.
pub(crate) async fn overlay_appraisals(
    conn: &mut AnyConnection,
    round: RoundId,
    values: &mut Vec<ValueText>,
) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT unit_code, indicator, value FROM appraisals WHERE round_id = $1 ORDER BY unit_code, indicator")
        .bind(round.0)
        .fetch_all(&mut *conn)
        .await?;
    for row in rows {
        let (unit, indicator, value): (String, String, String) =
            (row.try_get("unit_code")?, row.try_get("indicator")?, row.try_get("value")?);
        match values.iter_mut().find(|v| v.unit == unit && v.indicator == indicator) {
            Some(existing) => existing.value = value,
            None => values.push(ValueText { unit, indicator, value, note: None }),
        }
    }
    Ok(())
}

/// A round run in the app scores and publishes only the units taking part in it:
/// the units an admin left out are dropped from units.csv and the values.
pub(crate) async fn leave_out_unassigned(
    conn: &mut AnyConnection,
    id: RoundId,
    files: &mut BTreeMap<String, Vec<u8>>,
    values: &mut Vec<ValueText>,
) -> Result<(), StoreError> {
    let left_out = typed::left_out(conn, id).await?;
    if left_out.is_empty() {
        return Ok(());
    }
    values.retain(|v| !left_out.contains(v.unit.trim()));
    let Some(units) = files.get("units.csv") else { return Ok(()) };
    let text = std::str::from_utf8(units).map_err(StoreError::corrupt)?;
    let kept = chiso_io::package::units_without(text, &left_out)?;
    files.insert("units.csv".into(), kept);
    Ok(())
}
