//! Appraisal (thẩm định) of submitted units: returning a unit with comments,
//! the council's values with their reasons, ending a unit's appraisal, and
//! corrections of final values after approval.

use super::state::{Decided, persist};
use super::{Appraisal, AppraisalChange, UnitEvent};
use crate::audit::{self, AuditRecord};
use crate::db::blocking;
use crate::error::StoreError;
use crate::ids::{Actor, RoundId};
use crate::rounds::values_csv::ValueText;
use crate::rounds::{load_value_texts, overlay_appraisals, typed};
use crate::store::Store;
use chiso_core::Assessment;
use chiso_core::workflow::{Action, Writes};
use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};
use std::sync::Arc;

impl Store {
    /// Returns a submitted unit to its reporter with the council's comments.
    pub async fn return_unit(
        &self,
        round: RoundId,
        unit: &str,
        comment: &str,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let comment = comment.trim();
        let action = Action::Return { unit: unit.to_owned(), comment: comment.to_owned() };
        self.unit_step(round, unit, &action, Some(comment), "unit.return", actor).await
    }

    /// Ends the appraisal of a submitted unit.
    pub async fn finalise_unit(&self, round: RoundId, unit: &str, actor: Actor) -> Result<(), StoreError> {
        let action = Action::Finalise { unit: unit.to_owned() };
        self.unit_step(round, unit, &action, None, "unit.finalise", actor).await
    }

    async fn unit_step(
        &self,
        round: RoundId,
        unit: &str,
        action: &Action,
        comment: Option<&str>,
        audit_action: &'static str,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let Decided { mut tx, before, transition } = self.begin_action(round, action).await?;
        persist(&mut tx, round, &transition, comment, actor).await?;
        let from = before.unit(unit).map(|e| e.state.code()).unwrap_or_default();
        let to = transition.units.first().map(|(_, s)| s.code()).unwrap_or_default();
        let record = AuditRecord::new(audit_action, "unit", format!("{round}/{unit}"))
            .before(json!({ "state": from }))
            .after(json!({ "state": to, "comment": comment }));
        audit::append(&mut tx, transition.at, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the council's value of one indicator of a submitted unit (with a
    /// mandatory reason), or, with `value` equal to the self-assessed one, accepts
    /// it (the appraised value is removed). Optimistic: a stale
    /// `expected_version` is a [`StoreError::Conflict`].
    pub async fn appraise(
        &self,
        round: RoundId,
        unit: &str,
        change: &AppraisalChange,
        actor: Actor,
    ) -> Result<(), StoreError> {
        self.set_appraised(round, unit, change, actor, false).await
    }

    /// Corrects the final value of one indicator of an appraised unit after the
    /// round was approved or published, with a mandatory reason. The published
    /// results do not change: publishing again makes a correction that supersedes
    /// them and shows what changed. Callers allow this to admins only.
    pub async fn correct(
        &self,
        round: RoundId,
        unit: &str,
        change: &AppraisalChange,
        actor: Actor,
    ) -> Result<(), StoreError> {
        self.set_appraised(round, unit, change, actor, true).await
    }

    async fn set_appraised(
        &self,
        round: RoundId,
        unit: &str,
        change: &AppraisalChange,
        actor: Actor,
        correction: bool,
    ) -> Result<(), StoreError> {
        let indicator = change.indicator.trim();
        // The reason is asked for by the rules only when the value differs from the
        // self-assessed one, which is known under the lock: the first check leaves it
        // out for an appraisal, and the second, below, asks for it.
        let reason = change.reason.trim().to_owned();
        let action = if correction {
            Action::Correct { unit: unit.to_owned(), indicator: indicator.to_owned(), reason: reason.clone() }
        } else {
            Action::Appraise {
                unit: unit.to_owned(),
                indicator: indicator.to_owned(),
                reason: None,
                verifier: None,
            }
        };
        let model = self.round_model(round).await?;
        let Decided { mut tx, transition, .. } = self.begin_action(round, &action).await?;
        let now = transition.at;
        let indicator = change.indicator.trim();
        let current = sqlx::query("SELECT value, reason, version FROM appraisals WHERE round_id = $1 AND unit_code = $2 AND indicator = $3")
            .bind(round.0)
            .bind(unit)
            .bind(indicator)
            .fetch_optional(&mut *tx)
            .await?;
        let (before, version) = match &current {
            Some(row) => (
                json!({ "value": row.try_get::<String, _>("value")?, "reason": row.try_get::<String, _>("reason")? }),
                row.try_get::<i64, _>("version")?,
            ),
            None => (Value::Null, 0),
        };
        if version != change.expected_version {
            return Err(StoreError::Stale {
                what: indicator.to_owned(),
                value: before.get("value").and_then(Value::as_str).map(str::to_owned),
                version,
                expected: change.expected_version,
            });
        }
        let values = load_value_texts(&mut tx, round).await?;
        let own = values
            .iter()
            .find(|v| v.unit == unit && v.indicator == indicator)
            .map(|v| v.value.clone())
            .unwrap_or_default();
        let value = change.value.trim().to_owned();
        if value == own.trim() {
            sqlx::query("DELETE FROM appraisals WHERE round_id = $1 AND unit_code = $2 AND indicator = $3")
                .bind(round.0)
                .bind(unit)
                .bind(indicator)
                .execute(&mut *tx)
                .await?;
        } else {
            if reason.is_empty() {
                return Err(StoreError::NotAllowed(chiso_core::workflow::Refusal::NoReason {
                    indicator: indicator.to_owned(),
                    correction: false,
                }));
            }
            write_appraised(
                &mut tx,
                &model,
                round,
                unit,
                indicator,
                &value,
                &reason,
                version + 1,
                now,
                actor,
            )
            .await?;
        }
        let after = if value == own.trim() {
            json!({ "accepted": own })
        } else {
            json!({ "value": value, "reason": reason })
        };
        let action = if correction { "unit.correct" } else { "unit.appraise" };
        let record = AuditRecord::new(action, "indicator", format!("{round}/{unit}/{indicator}"))
            .before(before)
            .after(after);
        audit::append(&mut tx, now, actor, record).await?;
        if transition.writes == Writes::Correction {
            let comment = format!("{indicator} = {value}: {reason}");
            persist(&mut tx, round, &transition, Some(&comment), actor).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The appraised values of a round.
    pub async fn appraisals(&self, round: RoundId) -> Result<Vec<Appraisal>, StoreError> {
        let rows = sqlx::query(
            "SELECT unit_code, indicator, value, reason, version, updated_at, updated_by FROM appraisals \
             WHERE round_id = $1 ORDER BY unit_code, indicator",
        )
        .bind(round.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(appraisal).collect()
    }

    /// The appraised values of one unit of a round.
    pub async fn unit_appraisals(&self, round: RoundId, unit: &str) -> Result<Vec<Appraisal>, StoreError> {
        let rows = sqlx::query(
            "SELECT unit_code, indicator, value, reason, version, updated_at, updated_by FROM appraisals \
             WHERE round_id = $1 AND unit_code = $2 ORDER BY indicator",
        )
        .bind(round.0)
        .bind(unit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(appraisal).collect()
    }

    /// A unit's history, oldest first.
    pub async fn unit_events(&self, round: RoundId, unit: &str) -> Result<Vec<UnitEvent>, StoreError> {
        let rows = sqlx::query("SELECT at, actor, action, comment FROM unit_events WHERE round_id = $1 AND unit_code = $2 ORDER BY id")
            .bind(round.0)
            .bind(unit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(UnitEvent {
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    comment: row.try_get("comment")?,
                })
            })
            .collect()
    }
}

/// Sets an appraised value (checked: the leaf's rule accepts it and the round
/// still scores) with its reason, at `version`.
#[allow(clippy::too_many_arguments)]
async fn write_appraised(
    tx: &mut AnyConnection,
    model: &Arc<Assessment>,
    round: RoundId,
    unit: &str,
    indicator: &str,
    value: &str,
    reason: &str,
    version: i64,
    now: i64,
    actor: Actor,
) -> Result<(), StoreError> {
    let mut trial = load_value_texts(&mut *tx, round).await?;
    overlay_appraisals(&mut *tx, round, &mut trial).await?;
    let (model, u, i, v) = (model.clone(), unit.to_owned(), indicator.to_owned(), value.to_owned());
    blocking(move || check_appraised(&model, trial, &u, &i, &v)).await?;
    sqlx::query(
        "INSERT INTO appraisals (round_id, unit_code, indicator, value, reason, version, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (round_id, unit_code, indicator) DO UPDATE SET \
         value = excluded.value, reason = excluded.reason, version = excluded.version, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(round.0)
    .bind(unit)
    .bind(indicator)
    .bind(value)
    .bind(reason)
    .bind(version)
    .bind(now)
    .bind(actor.to_string())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// An accepted contest's value: the indicator's appraised value from now on, with
/// the answer's reason (one version after the current one).
#[allow(clippy::too_many_arguments)]
pub(super) async fn set_appraised_value(
    tx: &mut AnyConnection,
    model: &Arc<Assessment>,
    round: RoundId,
    unit: &str,
    indicator: &str,
    value: &str,
    reason: &str,
    now: i64,
    actor: Actor,
) -> Result<(), StoreError> {
    let version: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM appraisals WHERE round_id = $1 AND unit_code = $2 AND indicator = $3",
    )
    .bind(round.0)
    .bind(unit)
    .bind(indicator)
    .fetch_optional(&mut *tx)
    .await?;
    write_appraised(tx, model, round, unit, indicator, value, reason, version.unwrap_or(0) + 1, now, actor)
        .await
}

fn appraisal(row: &sqlx::any::AnyRow) -> Result<Appraisal, StoreError> {
    Ok(Appraisal {
        unit: row.try_get("unit_code")?,
        indicator: row.try_get("indicator")?,
        value: row.try_get("value")?,
        reason: row.try_get("reason")?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

/// An appraised value must be one the leaf's rule accepts, and the round must score with it.
fn check_appraised(
    model: &Assessment,
    mut values: Vec<ValueText>,
    unit: &str,
    indicator: &str,
    value: &str,
) -> Result<(), StoreError> {
    match values.iter_mut().find(|v| v.unit == unit && v.indicator == indicator) {
        Some(existing) => existing.value = value.to_owned(),
        None => values.push(ValueText {
            unit: unit.to_owned(),
            indicator: indicator.to_owned(),
            value: value.to_owned(),
            note: None,
        }),
    }
    typed::score(model, &typed::typed_values(model, &values)?)?;
    Ok(())
}
