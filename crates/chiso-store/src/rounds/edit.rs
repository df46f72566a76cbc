//! Changing a round after its import: values one by one (with optimistic
//! versions, so two people editing the same value do not overwrite each other
//! silently), and deleting a draft round.

use super::values_csv::ValueText;
use super::{RoundStatus, lock_round};
use crate::audit::{self, AuditRecord};
use crate::db::blocking;
use crate::error::{RowProblem, RowProblemKind, StoreError};
use crate::ids::{Actor, RoundId};
use crate::store::Store;
use chiso_core::Assessment;
use chiso_core::score::alone::{score_alone, scores_alone};
use chiso_core::value::Entry;
use serde_json::{Value, json};
use sqlx::AnyConnection;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;

/// A value to set (or add) in a round.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueChange {
    pub unit: String,
    pub indicator: String,
    /// As the person wrote it ("97%", "có", "na"); empty makes the value missing.
    pub value: String,
    pub note: Option<String>,
    /// The version the person edited (from [`crate::RoundValue::version`]); `Some(0)`
    /// means "there was no value yet"; `None` overwrites whatever is there.
    pub expected_version: Option<i64>,
}

/// A value change the store did not write, and why (the other changes of the same
/// save were written: see [`crate::Store::save_self_values`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedChange {
    pub indicator: String,
    pub reason: ChangeRefusal,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChangeRefusal {
    /// The change names no leaf of the unit, or the leaf's rule refuses its text
    /// ([`RowProblemKind::BadValue`] carries the rule's problem).
    Invalid(RowProblemKind),
    /// Someone saved the value after the person read it: what is stored now.
    Stale { value: String, version: i64 },
}

/// What a save of several values did: each value written with its new version,
/// and each refused one with why. Nothing refused is written; the rest is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueSave {
    pub saved: Vec<(String, i64)>,
    pub refused: Vec<RefusedChange>,
}

/// A stored value with what an edit needs.
#[derive(Debug, Clone)]
struct StoredValue {
    text: ValueText,
    position: i64,
    version: i64,
}

impl StoredValue {
    fn json(&self) -> Value {
        json!({
            "unit": self.text.unit,
            "indicator": self.text.indicator,
            "value": self.text.value,
            "note": self.text.note,
            "version": self.version,
        })
    }
}

impl Store {
    /// Sets values of a round, all or nothing, in one transaction with one audit row
    /// (every value before → after). Each change is checked against the unit's
    /// framework (a refused one is named in [`StoreError::Refused`]); a stale
    /// `expected_version` is a [`StoreError::Stale`]. Values of a published round
    /// can change too: publishing again supersedes the earlier publication.
    #[tracing::instrument(skip_all, fields(round = %round, actor = %actor, changes = changes.len()))]
    pub async fn set_round_values(
        &self,
        round: RoundId,
        changes: &[ValueChange],
        actor: Actor,
    ) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let model = self.round_model(round).await?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        lock_round(&mut tx, round, self.for_update()).await?;
        apply_value_changes(&mut tx, &model, round, changes, now, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a draft round and everything imported with it. A published round is
    /// never deleted ([`StoreError::Immutable`]): its publications must stay readable.
    #[tracing::instrument(skip_all, fields(round = %round, actor = %actor))]
    pub async fn delete_round(&self, round: RoundId, actor: Actor) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        if lock_round(&mut tx, round, self.for_update()).await? == RoundStatus::Published {
            return Err(StoreError::Immutable(format!("round {round} is published and cannot be deleted")));
        }
        let before = super::find_round(&mut tx, round).await?.map(|r| {
            json!({ "year": r.year, "name": { "vi": r.name.vi, "en": r.name.en }, "status": r.status.code() })
        });
        sqlx::query("DELETE FROM rounds WHERE id = $1").bind(round.0).execute(&mut *tx).await?;
        let mut record = AuditRecord::new("round.delete", "round", round);
        record.before = before;
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        self.models.remove(round);
        Ok(())
    }
}

/// Checks and writes value changes with their audit row, inside the caller's
/// transaction (which holds the round's lock). `model` is the round's
/// [`Store::round_model`].
pub(crate) async fn apply_value_changes(
    tx: &mut AnyConnection,
    model: &Arc<Assessment>,
    round: RoundId,
    changes: &[ValueChange],
    now: i64,
    actor: Actor,
) -> Result<(), StoreError> {
    let scope = Scope::of(model, changes);
    let stored = scope.load(&mut *tx, round).await?;
    write_changes(tx, model, round, &scope, stored, changes, now, actor).await
}

/// [`apply_value_changes`] with the stored values of `scope` already read.
#[allow(clippy::too_many_arguments)]
async fn write_changes(
    tx: &mut AnyConnection,
    model: &Arc<Assessment>,
    round: RoundId,
    scope: &Scope,
    stored: Vec<StoredValue>,
    changes: &[ValueChange],
    now: i64,
    actor: Actor,
) -> Result<(), StoreError> {
    let plan = plan_changes(model, stored, changes, scope.next_position(&mut *tx, round).await?)?;
    match scope {
        // Only the changed units' values were loaded: each must still score alone.
        Scope::Units(_) if plan.scores_alone(model) => {}
        _ => {
            let all = load_stored_values(&mut *tx, round, None).await?;
            let changed: Vec<StoredValue> = plan.changed.iter().map(|&i| plan.stored[i].clone()).collect();
            let model = model.clone();
            blocking(move || whole_round_scores(&model, all, changed)).await?;
        }
    }
    for &i in &plan.changed {
        upsert_value(&mut *tx, round, &plan.stored[i], now, &actor.to_string()).await?;
    }
    let record = AuditRecord::new("round.values.set", "round", round)
        .before(Value::Array(plan.before))
        .after(Value::Array(plan.after));
    audit::append(&mut *tx, now, actor, record).await?;
    Ok(())
}

/// Writes the changes that are valid and current, one audit row for them, inside
/// the caller's transaction; refuses the others one by one instead of all.
pub(crate) async fn apply_valid_value_changes(
    tx: &mut AnyConnection,
    model: &Arc<Assessment>,
    round: RoundId,
    changes: &[ValueChange],
    now: i64,
    actor: Actor,
) -> Result<ValueSave, StoreError> {
    let scope = Scope::of(model, changes);
    let stored = scope.load(&mut *tx, round).await?;
    let (accepted, outcome) = sort_changes(model, &stored, changes.to_vec());
    if !accepted.is_empty() {
        write_changes(tx, model, round, &scope, stored, &accepted, now, actor).await?;
    }
    Ok(outcome)
}

/// Which stored values a set of changes needs: those of the changed units when
/// each of them scores alone (chiso-core's `score::alone`), else the whole round.
enum Scope {
    Units(Vec<String>),
    Round,
}

impl Scope {
    fn of(model: &Assessment, changes: &[ValueChange]) -> Scope {
        let mut units: Vec<String> = changes.iter().map(|c| c.unit.trim().to_owned()).collect();
        units.sort_unstable();
        units.dedup();
        let alone = units.iter().all(|code| {
            model
                .units
                .iter()
                .position(|u| u.code == *code)
                .is_some_and(|u| scores_alone(model.framework_of(u)))
        });
        if alone { Scope::Units(units) } else { Scope::Round }
    }

    async fn load(&self, conn: &mut AnyConnection, round: RoundId) -> Result<Vec<StoredValue>, StoreError> {
        match self {
            Scope::Units(units) => load_stored_values(conn, round, Some(units)).await,
            Scope::Round => load_stored_values(conn, round, None).await,
        }
    }

    /// The position a new value takes: after every value of the round.
    async fn next_position(&self, conn: &mut AnyConnection, round: RoundId) -> Result<i64, StoreError> {
        let max: Option<i64> =
            sqlx::query_scalar("SELECT MAX(position) FROM round_values WHERE round_id = $1")
                .bind(round.0)
                .fetch_one(conn)
                .await?;
        Ok(max.unwrap_or(0) + 1)
    }
}

/// Splits changes into those to write (with the version each will have) and those
/// refused: a value the leaf's rule refuses, a repeated indicator, a stale version.
fn sort_changes(
    model: &Assessment,
    stored: &[StoredValue],
    changes: Vec<ValueChange>,
) -> (Vec<ValueChange>, ValueSave) {
    let index: HashMap<(&str, &str), &StoredValue> =
        stored.iter().map(|s| ((s.text.unit.as_str(), s.text.indicator.as_str()), s)).collect();
    let (mut accepted, mut outcome) = (Vec::new(), ValueSave::default());
    let mut seen = Vec::new();
    for change in changes {
        let indicator = change.indicator.trim().to_owned();
        let mut refuse =
            |reason| outcome.refused.push(RefusedChange { indicator: indicator.clone(), reason });
        if let Some(first_row) = seen.iter().position(|s| *s == indicator) {
            refuse(ChangeRefusal::Invalid(RowProblemKind::DuplicateInBatch { first_row }));
            continue;
        }
        seen.push(indicator.clone());
        if let Err(StoreError::Refused(problems)) = check_changes(model, std::slice::from_ref(&change)) {
            if let Some(problem) = problems.into_iter().next() {
                refuse(ChangeRefusal::Invalid(problem.kind));
            }
            continue;
        }
        let found = index.get(&(change.unit.trim(), indicator.as_str()));
        let version = found.map_or(0, |s| s.version);
        if change.expected_version.is_some_and(|expected| expected != version) {
            let value = found.map(|s| s.text.value.clone()).unwrap_or_default();
            // Saved meanwhile with the very same text (two tabs, or a field saved
            // as the form was posted): nothing is lost, nothing to write.
            if value == change.value.trim() {
                outcome.saved.push((indicator, version));
            } else {
                refuse(ChangeRefusal::Stale { value, version });
            }
            continue;
        }
        outcome.saved.push((indicator, version + 1));
        accepted.push(change);
    }
    (accepted, outcome)
}

/// The whole round must still load and score with the changed values (e.g. no
/// geometric mean of 0 in a composite). CPU work: run it off the async runtime.
fn whole_round_scores(
    model: &Assessment,
    mut all: Vec<StoredValue>,
    changed: Vec<StoredValue>,
) -> Result<(), StoreError> {
    for value in changed {
        match all
            .iter_mut()
            .find(|s| s.text.unit == value.text.unit && s.text.indicator == value.text.indicator)
        {
            Some(existing) => *existing = value,
            None => all.push(value),
        }
    }
    let values = super::typed::typed_values(model, all.iter().map(|s| &s.text))?;
    super::typed::score(model, &values)?;
    Ok(())
}

/// A round's values after a checked set of changes, and what to write.
struct Plan {
    stored: Vec<StoredValue>,
    /// Indices into `stored` of the rows to write, each once.
    changed: Vec<usize>,
    before: Vec<Value>,
    after: Vec<Value>,
}

/// The stored values after `changes`, checked: each change against the unit's
/// framework and its expected version. New values take positions from
/// `next_position` on.
fn plan_changes(
    model: &Assessment,
    mut stored: Vec<StoredValue>,
    changes: &[ValueChange],
    mut next_position: i64,
) -> Result<Plan, StoreError> {
    // Refuses repeated keys too, so each row below changes once.
    check_changes(model, changes)?;
    let mut index: HashMap<(String, String), usize> = stored
        .iter()
        .enumerate()
        .map(|(i, s)| ((s.text.unit.clone(), s.text.indicator.clone()), i))
        .collect();
    let (mut before, mut changed) = (Vec::new(), Vec::new());
    for change in changes {
        let key = (change.unit.trim().to_string(), change.indicator.trim().to_string());
        let text = ValueText {
            unit: key.0.clone(),
            indicator: key.1.clone(),
            value: change.value.trim().to_string(),
            note: change.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string),
        };
        let found = index.get(&key).copied();
        let version = found.map_or(0, |i| stored[i].version);
        if let Some(expected) = change.expected_version
            && expected != version
        {
            return Err(StoreError::Stale {
                what: format!("{} {}", key.0, key.1),
                value: found.map(|i| stored[i].text.value.clone()),
                version,
                expected,
            });
        }
        match found {
            Some(i) => {
                before.push(stored[i].json());
                stored[i].text = text;
                stored[i].version += 1;
                changed.push(i);
            }
            None => {
                before.push(Value::Null);
                index.insert(key, stored.len());
                changed.push(stored.len());
                stored.push(StoredValue { text, position: next_position, version: 1 });
                next_position += 1;
            }
        }
    }
    let after = changed.iter().map(|&i| stored[i].json()).collect();
    Ok(Plan { stored, changed, before, after })
}

impl Plan {
    /// Whether every changed unit, with its values as planned, scores by itself
    /// (`stored` holds all of those units' values).
    fn scores_alone(&self, model: &Assessment) -> bool {
        let mut units: Vec<&str> = self.changed.iter().map(|&i| self.stored[i].text.unit.as_str()).collect();
        units.sort_unstable();
        units.dedup();
        units.into_iter().all(|code| {
            let Some(u) = model.units.iter().position(|u| u.code == code) else { return false };
            let framework = model.framework_of(u);
            let mut entries = vec![Entry::Missing; framework.indicators.len()];
            for value in self.stored.iter().filter(|s| s.text.unit == code) {
                let Some(i) = framework.find(&value.text.indicator) else { return false };
                match framework.indicators[i].parse_entry(&value.text.value) {
                    Ok(entry) => entries[i] = entry,
                    Err(_) => return false,
                }
            }
            matches!(score_alone(framework, &entries), Some(Ok(_)))
        })
    }
}

/// Every change must name a unit of the round and a leaf of its framework, with a
/// value the leaf's rule accepts.
fn check_changes(a: &Assessment, changes: &[ValueChange]) -> Result<(), StoreError> {
    let mut problems = Vec::new();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (row, change) in changes.iter().enumerate() {
        let (unit_code, indicator) = (change.unit.trim(), change.indicator.trim());
        let mut refuse = |kind| problems.push(RowProblem { row, kind });
        if let Some(&first_row) = seen.get(&(unit_code, indicator)) {
            refuse(RowProblemKind::DuplicateInBatch { first_row });
            continue;
        }
        seen.insert((unit_code, indicator), row);
        let Some(unit) = a.units.iter().position(|u| u.code == unit_code) else {
            refuse(RowProblemKind::UnknownUnit { unit: unit_code.into() });
            continue;
        };
        let framework = a.framework_of(unit);
        let Some(leaf) = framework.find(indicator).map(|i| &framework.indicators[i]) else {
            refuse(RowProblemKind::UnknownIndicator { unit: unit_code.into(), indicator: indicator.into() });
            continue;
        };
        if !leaf.is_leaf() {
            refuse(RowProblemKind::NotALeaf { indicator: indicator.into() });
            continue;
        }
        if let Err(problem) = leaf.parse_entry(&change.value) {
            refuse(RowProblemKind::BadValue { unit: unit_code.into(), indicator: indicator.into(), problem });
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(StoreError::Refused(problems)) }
}

/// The round's stored values in order, or only those of `units`.
async fn load_stored_values(
    conn: &mut AnyConnection,
    round: RoundId,
    units: Option<&[String]>,
) -> Result<Vec<StoredValue>, StoreError> {
    let rows = match units {
        None => {
            sqlx::query(
                "SELECT unit_code, indicator, value, note, position, version FROM round_values \
                 WHERE round_id = $1 ORDER BY position",
            )
            .bind(round.0)
            .fetch_all(&mut *conn)
            .await?
        }
        Some(units) => {
            let mut rows = Vec::new();
            for unit in units {
                rows.extend(
                    sqlx::query(
                        "SELECT unit_code, indicator, value, note, position, version FROM round_values \
                         WHERE round_id = $1 AND unit_code = $2 ORDER BY position",
                    )
                    .bind(round.0)
                    .bind(unit)
                    .fetch_all(&mut *conn)
                    .await?,
                );
            }
            rows
        }
    };
    rows.iter()
        .map(|row| {
            Ok(StoredValue {
                text: ValueText {
                    unit: row.try_get("unit_code")?,
                    indicator: row.try_get("indicator")?,
                    value: row.try_get("value")?,
                    note: row.try_get("note")?,
                },
                position: row.try_get("position")?,
                version: row.try_get("version")?,
            })
        })
        .collect()
}

async fn upsert_value(
    conn: &mut AnyConnection,
    round: RoundId,
    value: &StoredValue,
    now: i64,
    by: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO round_values (round_id, unit_code, indicator, value, note, position, version, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (round_id, unit_code, indicator) DO UPDATE SET value = excluded.value, note = excluded.note, \
         version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(round.0)
    .bind(&value.text.unit)
    .bind(&value.text.indicator)
    .bind(&value.text.value)
    .bind(value.text.note.clone())
    .bind(value.position)
    .bind(value.version)
    .bind(now)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}
