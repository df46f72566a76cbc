//! A unit's self-assessed values: saved by its reporter (form or spreadsheet),
//! scored as they are typed, and submitted once complete.

use super::state::{Decided, decide, persist};
use crate::audit::{self, AuditRecord};
use crate::db::blocking;
use crate::error::{RowProblem, RowProblemKind, StoreError};
use crate::ids::{Actor, RoundId};
use crate::problems::InputProblem;
use crate::rounds::edit::{ValueChange, ValueSave, apply_valid_value_changes, apply_value_changes};
use crate::rounds::values_csv::ValueText;
use crate::rounds::{load_value_texts, overlay_appraisals, typed};
use crate::store::Store;
use chiso_core::Assessment;
use chiso_core::framework::Framework;
use chiso_core::score::alone::{score_alone, scores_alone};
use chiso_core::value::Entry;
use chiso_core::workflow::{Action, Missing, completeness, is_answered};
use chiso_io::render::clean;

use serde_json::json;
use sqlx::Row;
use std::collections::BTreeSet;

impl Store {
    /// Saves a reporter's draft values of `unit`, all or nothing (each change with
    /// the version it was edited from: a stale one is a [`StoreError::Stale`]
    /// and nothing is saved). Only while the unit is editable.
    pub async fn save_self_assessment(
        &self,
        round: RoundId,
        unit: &str,
        changes: &[ValueChange],
        actor: Actor,
    ) -> Result<(), StoreError> {
        let model = self.round_model(round).await?;
        let Decided { mut tx, transition, .. } = self.begin_self_edit(round, unit, changes).await?;
        apply_value_changes(&mut tx, &model, round, changes, transition.at, actor).await?;
        persist(&mut tx, round, &transition, None, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The preamble of a reporter's save: every change is of `unit`, and the
    /// workflow allows saving the unit's values now.
    async fn begin_self_edit(
        &self,
        round: RoundId,
        unit: &str,
        changes: &[ValueChange],
    ) -> Result<Decided, StoreError> {
        if let Some(other) = changes.iter().find(|c| c.unit.trim() != unit) {
            return Err(StoreError::InvalidInput(InputProblem::OtherUnit {
                unit: other.unit.clone(),
                form: unit.to_owned(),
            }));
        }
        self.begin_action(round, &Action::SaveValues { unit: unit.to_owned() }).await
    }

    /// Saves a reporter's draft values of `unit` value by value: those the leaf's
    /// rule accepts and whose version is current are written in one transaction
    /// (one audit row); each other one is refused with why, and what is stored now
    /// when it was stale. Only while the unit is editable.
    pub async fn save_self_values(
        &self,
        round: RoundId,
        unit: &str,
        changes: &[ValueChange],
        actor: Actor,
    ) -> Result<ValueSave, StoreError> {
        let model = self.round_model(round).await?;
        let Decided { mut tx, transition, .. } = self.begin_self_edit(round, unit, changes).await?;
        let outcome =
            apply_valid_value_changes(&mut tx, &model, round, changes, transition.at, actor).await?;
        if !outcome.saved.is_empty() {
            persist(&mut tx, round, &transition, None, actor).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    /// Saves values of several units at once as drafts (a filled spreadsheet),
    /// all or nothing: every unit must be editable. Values overwrite what is there.
    pub async fn import_self_values(
        &self,
        round: RoundId,
        changes: &[ValueChange],
        actor: Actor,
    ) -> Result<usize, StoreError> {
        let units: BTreeSet<String> = changes.iter().map(|c| c.unit.trim().to_owned()).collect();
        let action = Action::ImportValues { units: units.iter().cloned().collect() };
        let model = self.round_model(round).await?;
        let Decided { mut tx, transition, .. } = self.begin_action(round, &action).await?;
        let changes: Vec<ValueChange> =
            changes.iter().map(|c| ValueChange { expected_version: None, ..c.clone() }).collect();
        apply_value_changes(&mut tx, &model, round, &changes, transition.at, actor).await?;
        persist(&mut tx, round, &transition, None, actor).await?;
        tx.commit().await?;
        Ok(units.len())
    }

    /// The scores `unit` would get with `values` (indicator → text as typed) in place
    /// of its self-assessed ones (the points shown while a reporter types), or with
    /// the stored values when `values` is None; `appraised` scores the values after
    /// appraisal instead. Per indicator of the unit's framework, and the total.
    ///
    /// When the unit's framework scores a unit by itself (chiso-core's
    /// `score::alone`), only this unit's values are read and scored; otherwise (or
    /// when a value does not parse, to give the round's own error) the whole round.
    pub async fn unit_scores(
        &self,
        round: RoundId,
        unit: &str,
        values: Option<&[(String, String)]>,
        appraised: bool,
    ) -> Result<(Vec<Option<f64>>, f64), StoreError> {
        let model = self.round_model(round).await?;
        let u = model
            .units
            .iter()
            .position(|x| x.code == unit)
            .ok_or_else(|| StoreError::not_found("unit", unit))?;
        let framework = model.framework_of(u);
        if scores_alone(framework) {
            let texts = match values {
                Some(values) => values.to_vec(),
                None => self.unit_value_texts(round, unit, appraised).await?,
            };
            if let Some(Ok(scored)) = entries_of(framework, &texts).and_then(|e| score_alone(framework, &e)) {
                return Ok((scored.scores.into_iter().map(|s| s.map(clean)).collect(), clean(scored.total)));
            }
        }
        self.unit_scores_in_round(round, unit, values, appraised).await
    }

    /// One unit's stored values (indicator, text), with its appraised values over
    /// them when `appraised`.
    async fn unit_value_texts(
        &self,
        round: RoundId,
        unit: &str,
        appraised: bool,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT indicator, value FROM round_values WHERE round_id = $1 AND unit_code = $2 ORDER BY position",
        )
        .bind(round.0)
        .bind(unit)
        .fetch_all(&mut *conn)
        .await?;
        let mut texts: Vec<(String, String)> = rows
            .iter()
            .map(|r| Ok((r.try_get("indicator")?, r.try_get("value")?)))
            .collect::<Result<_, StoreError>>()?;
        if appraised {
            let rows =
                sqlx::query("SELECT indicator, value FROM appraisals WHERE round_id = $1 AND unit_code = $2")
                    .bind(round.0)
                    .bind(unit)
                    .fetch_all(&mut *conn)
                    .await?;
            for row in rows {
                let (indicator, value): (String, String) = (row.try_get("indicator")?, row.try_get("value")?);
                match texts.iter_mut().find(|(i, _)| *i == indicator) {
                    Some(existing) => existing.1 = value,
                    None => texts.push((indicator, value)),
                }
            }
        }
        Ok(texts)
    }

    /// [`Store::unit_scores`] by scoring the whole round.
    async fn unit_scores_in_round(
        &self,
        round: RoundId,
        unit: &str,
        values: Option<&[(String, String)]>,
        appraised: bool,
    ) -> Result<(Vec<Option<f64>>, f64), StoreError> {
        let model = self.round_model(round).await?;
        let mut conn = self.pool.acquire().await?;
        let mut texts = load_value_texts(&mut conn, round).await?;
        if appraised {
            overlay_appraisals(&mut conn, round, &mut texts).await?;
        }
        // Scored among the units taking part, as it will be published (a unit left
        // out is still shown its points, among all).
        let mut left_out = typed::left_out(&mut conn, round).await?;
        drop(conn);
        left_out.remove(unit);
        let model = typed::narrowed(&model, &left_out, &mut texts);
        if let Some(values) = values {
            texts.retain(|t| t.unit != unit);
            texts.extend(values.iter().map(|(indicator, value)| ValueText {
                unit: unit.to_owned(),
                indicator: indicator.clone(),
                value: value.clone(),
                note: None,
            }));
        }
        let unit = unit.to_owned();
        blocking(move || {
            let u = model
                .units
                .iter()
                .position(|x| x.code == unit)
                .ok_or_else(|| StoreError::not_found("unit", &unit))?;
            let results = typed::score(&model, &typed::typed_values(&model, &texts)?)?;
            let result = results
                .units
                .into_iter()
                .find(|r| r.unit == u)
                .ok_or_else(|| StoreError::not_found("unit", &unit))?;
            Ok((result.scores.into_iter().map(|s| s.map(clean)).collect(), clean(result.total)))
        })
        .await
    }

    /// Submits a unit's self-assessment: every leaf answered (kpi-sourced leaves
    /// excepted) and every indicator with `evidence = true` evidenced, else each gap
    /// is named ([`StoreError::Refused`]). The form is locked afterwards.
    pub async fn submit_unit(&self, round: RoundId, unit: &str, actor: Actor) -> Result<(), StoreError> {
        let model = self.round_model(round).await?;
        let (mut tx, before) = self.begin_locked(round).await?;
        // The gaps are worth finding only for a unit that could be submitted.
        let gaps = match decide(&before, &Action::Submit { unit: unit.to_owned(), gaps: Vec::new() }, 0) {
            Ok(_) => {
                let values = load_value_texts(&mut tx, round).await?;
                let evidenced: Vec<String> = sqlx::query_scalar(
                    // Evidence, or the reporter's explanation of why there is none.
                    "SELECT indicator FROM evidence WHERE round_id = $1 AND unit_code = $2 \
                     UNION SELECT indicator FROM evidence_explanations WHERE round_id = $1 AND unit_code = $2",
                )
                .bind(round.0)
                .bind(unit)
                .fetch_all(&mut *tx)
                .await?;
                gaps_of(&model, &values, unit, &evidenced)?
            }
            Err(_) => Vec::new(),
        };
        let action = Action::Submit { unit: unit.to_owned(), gaps };
        let transition = match decide(&before, &action, self.now()) {
            Err(StoreError::NotAllowed(chiso_core::workflow::Refusal::Incomplete { gaps, .. })) => {
                return Err(StoreError::Refused(gaps.into_iter().map(row_problem).collect()));
            }
            other => other?,
        };
        persist(&mut tx, round, &transition, None, actor).await?;
        let state = before.unit(unit).map(|e| e.state.code()).unwrap_or_default();
        let event = transition.event.as_ref().map(|(_, e)| e.code()).unwrap_or_default();
        let record = AuditRecord::new("unit.submit", "unit", format!("{round}/{unit}"))
            .before(json!({ "state": state }))
            .after(json!({ "state": "submitted", "action": event }));
        audit::append(&mut tx, transition.at, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A unit's entries from its values as written; None when one names no leaf or
/// does not parse (the whole round's load then reports it).
fn entries_of(framework: &Framework, texts: &[(String, String)]) -> Option<Vec<Entry>> {
    let mut entries = vec![Entry::Missing; framework.indicators.len()];
    for (indicator, text) in texts {
        let i = framework.find(indicator.trim())?;
        if !framework.indicators[i].is_leaf() {
            return None;
        }
        entries[i] = framework.indicators[i].parse_entry(text).ok()?;
    }
    Some(entries)
}

/// A gap of a submission as the row problem the pages list.
fn row_problem(gap: chiso_core::workflow::Gap) -> RowProblem {
    let kind = match gap.missing {
        Missing::Answer => RowProblemKind::Unanswered { indicator: gap.indicator },
        Missing::Evidence => RowProblemKind::NoEvidence { indicator: gap.indicator },
    };
    RowProblem { row: gap.row, kind }
}

/// What a unit still lacks before it can be submitted (chiso-core's rule).
fn gaps_of(
    a: &Assessment,
    values: &[ValueText],
    unit: &str,
    evidenced: &[String],
) -> Result<Vec<chiso_core::workflow::Gap>, StoreError> {
    let u = a.units.iter().position(|x| x.code == unit).ok_or_else(|| StoreError::not_found("unit", unit))?;
    let answered: BTreeSet<&str> = values
        .iter()
        .filter(|v| v.unit == unit && is_answered(&v.value))
        .map(|v| v.indicator.as_str())
        .collect();
    let evidenced: BTreeSet<&str> = evidenced.iter().map(String::as_str).collect();
    Ok(completeness(a.framework_of(u), &answered, &evidenced))
}
