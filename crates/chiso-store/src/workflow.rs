//! The assessment round run in the app (đợt đánh giá trực tuyến): stages with
//! deadlines (draft → open for self-assessment → appraisal → approved →
//! published), each unit's progress (not started → draft → submitted → returned →
//! appraised), its history, appraised values with their reasons, and evidence.
//!
//! Self-assessed values are the round's values (`round_values`, edited with
//! optimistic versions); an appraised value overrides one of them for scoring.
//! Every change is one transaction with its audit row.

use crate::audit::{self, AuditRecord};
use crate::db::blocking;
use crate::error::{RowProblem, RowProblemKind, StoreError};
use crate::ids::{Actor, PublicationId, RoundId};
use crate::rounds::edit::{ValueChange, ValueSave, apply_valid_value_changes, apply_value_changes};
use crate::rounds::values_csv::ValueText;
use crate::rounds::{self, Import, import_tx, load_files, load_value_texts, lock_round, with_values_csv};
use crate::store::Store;
use chiso_io::package::VALUES_FILE;
use chiso_io::render::clean;
use chiso_io::{Files, Package};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

macro_rules! codes {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Result<$name, StoreError> {
                match code {
                    $($code => Ok($name::$variant),)+
                    other => Err(StoreError::corrupt(format!("{} {other:?}", stringify!($name)))),
                }
            }
        }
    };
}

codes!(
    /// Where a round run in the app is.
    Stage { Draft = "draft", Open = "open", Appraisal = "appraisal", Approved = "approved", Published = "published" }
);

codes!(
    /// Where one unit of a round is.
    UnitState {
        NotStarted = "not_started",
        Draft = "draft",
        Submitted = "submitted",
        Returned = "returned",
        Appraised = "appraised",
    }
);

/// Deadlines per stage, Unix ms (the end of the last allowed day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadlines {
    pub self_assessment: Option<i64>,
    pub appraisal: Option<i64>,
    pub approval: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    pub round: RoundId,
    pub stage: Stage,
    pub deadlines: Deadlines,
    pub updated_at: i64,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitProgress {
    pub unit: String,
    pub group: String,
    pub assigned: bool,
    pub state: UnitState,
    pub updated_at: i64,
    pub updated_by: String,
}

/// One step of a unit's history.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitEvent {
    pub at: i64,
    pub actor: String,
    /// `save`, `submit`, `return`, `resubmit`, `appraise`, `finalise`.
    pub action: String,
    pub comment: Option<String>,
}

/// A value the appraisal council set instead of the self-assessed one.
#[derive(Debug, Clone, PartialEq)]
pub struct Appraisal {
    pub unit: String,
    pub indicator: String,
    pub value: String,
    pub reason: String,
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// An appraised value to set.
#[derive(Debug, Clone, PartialEq)]
pub struct AppraisalChange {
    pub indicator: String,
    pub value: String,
    /// Mandatory: why the council's value differs.
    pub reason: String,
    /// The version the appraiser saw; 0 when there was no appraised value yet.
    pub expected_version: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EvidenceKind {
    File { name: String, content_type: String, size: i64, sha256: String },
    Reference { number: String, date: String, summary: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub id: i64,
    pub unit: String,
    pub indicator: String,
    pub kind: EvidenceKind,
    pub created_at: i64,
    pub created_by: String,
}

/// Evidence to add: a file's bytes, or a document reference.
#[derive(Debug, Clone, PartialEq)]
pub enum NewEvidence {
    File { name: String, content_type: String, content: Vec<u8> },
    Reference { number: String, date: String, summary: String },
}

/// Whether a reporter may change the unit's values in this stage and state.
pub fn editable(stage: Stage, state: UnitState) -> bool {
    matches!(
        (stage, state),
        (Stage::Open, UnitState::NotStarted | UnitState::Draft | UnitState::Returned)
            | (Stage::Appraisal, UnitState::Returned)
    )
}

fn refuse(message: impl Into<String>) -> StoreError {
    StoreError::Conflict(message.into())
}

/// Replaces `year = N` in assessment.toml (a copy of last year's round for a new year).
fn with_year(text: &str, year: i32) -> Option<String> {
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if !found && trimmed.starts_with("year") && trimmed[4..].trim_start().starts_with('=') {
                found = true;
                format!("year = {year}")
            } else {
                line.to_owned()
            }
        })
        .collect();
    found.then(|| lines.join("\n") + "\n")
}

async fn workflow_stage(conn: &mut AnyConnection, round: RoundId) -> Result<Stage, StoreError> {
    let stage: Option<String> = sqlx::query_scalar("SELECT stage FROM round_workflow WHERE round_id = $1")
        .bind(round.0)
        .fetch_optional(&mut *conn)
        .await?;
    Stage::parse(&stage.ok_or_else(|| refuse(format!("round {round} is not run in the app")))?)
}

async fn unit_state(conn: &mut AnyConnection, round: RoundId, unit: &str) -> Result<UnitState, StoreError> {
    let row = sqlx::query("SELECT state, assigned FROM unit_progress WHERE round_id = $1 AND unit_code = $2")
        .bind(round.0)
        .bind(unit)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("unit", unit))?;
    if row.try_get::<i64, _>("assigned")? == 0 {
        return Err(refuse(format!("unit {unit:?} is not assigned to this round")));
    }
    UnitState::parse(&row.try_get::<String, _>("state")?)
}

async fn set_unit_state(
    conn: &mut AnyConnection,
    round: RoundId,
    unit: &str,
    state: UnitState,
    now: i64,
    actor: Actor,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE unit_progress SET state = $1, updated_at = $2, updated_by = $3 WHERE round_id = $4 AND unit_code = $5")
        .bind(state.code())
        .bind(now)
        .bind(actor.to_string())
        .bind(round.0)
        .bind(unit)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn add_event(
    conn: &mut AnyConnection,
    round: RoundId,
    unit: &str,
    now: i64,
    actor: Actor,
    action: &str,
    comment: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO unit_events (round_id, unit_code, at, actor, action, comment) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(round.0)
        .bind(unit)
        .bind(now)
        .bind(actor.to_string())
        .bind(action)
        .bind(comment)
        .execute(&mut *conn)
        .await?;
    Ok(())
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

/// Per unit: total and per-indicator scores, self-assessed and final.
#[derive(Debug, Serialize)]
struct StageScores {
    #[serde(rename = "self")]
    self_assessed: f64,
    appraised: f64,
    #[serde(rename = "final")]
    final_score: f64,
    indicators: BTreeMap<String, [Option<f64>; 3]>,
}

/// The self-assessed, appraised and final scores of every unit, as JSON. The
/// appraised scores are those of the values after appraisal; the final ones are
/// what the council approved — the same values, since approval does not change
/// any (kept apart so a later approval step may).
fn stages_json(
    self_files: BTreeMap<String, Vec<u8>>,
    final_files: BTreeMap<String, Vec<u8>>,
) -> Result<String, StoreError> {
    let own = Package::from_files(Files::Memory(self_files))?;
    let appraised = Package::from_files(Files::Memory(final_files))?;
    let (own_results, appraised_results) = (own.score()?, appraised.score()?);
    let mut units = BTreeMap::new();
    for (u, unit) in appraised.assessment.units.iter().enumerate() {
        let framework = appraised.assessment.framework_of(u);
        let find =
            |results: &chiso_core::AssessmentResults| results.units.iter().find(|r| r.unit == u).cloned();
        let (Some(mine), Some(theirs)) = (find(&own_results), find(&appraised_results)) else { continue };
        let indicators = framework
            .indicators
            .iter()
            .enumerate()
            .map(|(i, indicator)| {
                let (own, appraised) = (mine.scores[i].map(clean), theirs.scores[i].map(clean));
                (indicator.code.clone(), [own, appraised, appraised])
            })
            .collect();
        units.insert(
            unit.code.clone(),
            StageScores {
                self_assessed: clean(mine.total),
                appraised: clean(theirs.total),
                final_score: clean(theirs.total),
                indicators,
            },
        );
    }
    serde_json::to_string(&json!({ "units": units })).map_err(StoreError::corrupt)
}

impl Store {
    /// Creates a round to run in the app from a package's frameworks and units
    /// (values.csv optional: a round usually starts empty), in stage `draft` with
    /// every unit assigned.
    #[tracing::instrument(skip_all, fields(actor = %actor))]
    pub async fn create_workflow_round(&self, files: Files, actor: Actor) -> Result<RoundId, StoreError> {
        let files = match files {
            Files::Memory(mut map) => {
                map.entry(VALUES_FILE.to_owned()).or_insert_with(|| b"unit,indicator,value\n".to_vec());
                Files::Memory(map)
            }
            dir => dir,
        };
        let import = blocking(move || Import::prepare(files)).await?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let id = import_tx(&mut tx, &import, now, actor).await?;
        self.start_workflow(&mut tx, id, now, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A new round for `year` with the frameworks and units of round `from`, and no values.
    #[tracing::instrument(skip_all, fields(from = %from, year, actor = %actor))]
    pub async fn copy_round(&self, from: RoundId, year: i32, actor: Actor) -> Result<RoundId, StoreError> {
        let mut conn = self.pool.acquire().await?;
        if rounds::find_round(&mut conn, from).await?.is_none() {
            return Err(StoreError::not_found("round", from));
        }
        let mut files = load_files(&mut conn, from).await?;
        drop(conn);
        let assessment = files
            .get("assessment.toml")
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .and_then(|text| with_year(text, year))
            .ok_or_else(|| StoreError::InvalidInput("assessment.toml has no `year = …` line".into()))?;
        files.insert("assessment.toml".into(), assessment.into_bytes());
        self.create_workflow_round(Files::Memory(files), actor).await
    }

    async fn start_workflow(
        &self,
        tx: &mut AnyConnection,
        round: RoundId,
        now: i64,
        actor: Actor,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO round_workflow (round_id, stage, updated_at, updated_by) VALUES ($1, 'draft', $2, $3)")
            .bind(round.0)
            .bind(now)
            .bind(actor.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO unit_progress (round_id, unit_code, updated_at, updated_by) \
             SELECT round_id, code, $2, $3 FROM units WHERE round_id = $1",
        )
        .bind(round.0)
        .bind(now)
        .bind(actor.to_string())
        .execute(&mut *tx)
        .await?;
        let record =
            AuditRecord::new("round.workflow.create", "round", round).after(json!({ "stage": "draft" }));
        audit::append(&mut *tx, now, actor, record).await
    }

    /// A write transaction holding the round's lock, with the round's stage and the
    /// unit's state as they are under that lock.
    async fn begin_unit_write(
        &self,
        round: RoundId,
        unit: &str,
    ) -> Result<(crate::store::Tx, Stage, UnitState), StoreError> {
        let mut tx = self.begin_write().await?;
        lock_round(&mut tx, round, self.for_update()).await?;
        let stage = workflow_stage(&mut tx, round).await?;
        let state = unit_state(&mut tx, round, unit).await?;
        Ok((tx, stage, state))
    }

    /// The workflow of a round run in the app (None for an imported round).
    pub async fn workflow(&self, round: RoundId) -> Result<Option<Workflow>, StoreError> {
        let row = sqlx::query(
            "SELECT stage, self_deadline, appraisal_deadline, approval_deadline, updated_at, updated_by \
             FROM round_workflow WHERE round_id = $1",
        )
        .bind(round.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Workflow {
                round,
                stage: Stage::parse(&row.try_get::<String, _>("stage")?)?,
                deadlines: Deadlines {
                    self_assessment: row.try_get("self_deadline")?,
                    appraisal: row.try_get("appraisal_deadline")?,
                    approval: row.try_get("approval_deadline")?,
                },
                updated_at: row.try_get("updated_at")?,
                updated_by: row.try_get("updated_by")?,
            })
        })
        .transpose()
    }

    pub async fn set_deadlines(
        &self,
        round: RoundId,
        deadlines: Deadlines,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        lock_round(&mut tx, round, self.for_update()).await?;
        let stage = workflow_stage(&mut tx, round).await?;
        if stage == Stage::Published {
            return Err(StoreError::Immutable(format!("round {round} is published")));
        }
        sqlx::query(
            "UPDATE round_workflow SET self_deadline = $1, appraisal_deadline = $2, approval_deadline = $3, \
             updated_at = $4, updated_by = $5 WHERE round_id = $6",
        )
        .bind(deadlines.self_assessment)
        .bind(deadlines.appraisal)
        .bind(deadlines.approval)
        .bind(now)
        .bind(actor.to_string())
        .bind(round.0)
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new("round.deadlines", "round", round).after(json!({
            "self_assessment": deadlines.self_assessment,
            "appraisal": deadlines.appraisal,
            "approval": deadlines.approval,
        }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Includes or leaves out a unit (only before appraisal starts).
    pub async fn set_unit_assigned(
        &self,
        round: RoundId,
        unit: &str,
        assigned: bool,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        lock_round(&mut tx, round, self.for_update()).await?;
        let stage = workflow_stage(&mut tx, round).await?;
        if !matches!(stage, Stage::Draft | Stage::Open) {
            return Err(refuse("units are assigned before appraisal starts"));
        }
        let changed = sqlx::query("UPDATE unit_progress SET assigned = $1, updated_at = $2, updated_by = $3 WHERE round_id = $4 AND unit_code = $5")
            .bind(i64::from(assigned))
            .bind(now)
            .bind(actor.to_string())
            .bind(round.0)
            .bind(unit)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found("unit", unit));
        }
        let record = AuditRecord::new("unit.assign", "unit", format!("{round}/{unit}"))
            .after(json!({ "assigned": assigned }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves the round to its next stage: draft → open → appraisal → approved.
    /// Approval needs every assigned unit appraised. Publishing is
    /// [`Store::publish_workflow_round`].
    pub async fn advance_stage(&self, round: RoundId, to: Stage, actor: Actor) -> Result<(), StoreError> {
        let now = self.now();
        // Approval freezes the `kpi:` leaves at the monitoring data of that moment.
        let monitoring = if to == Stage::Approved { Some(self.monitoring().await?) } else { None };
        let mut tx = self.begin_write().await?;
        lock_round(&mut tx, round, self.for_update()).await?;
        let from = workflow_stage(&mut tx, round).await?;
        let allowed = matches!(
            (from, to),
            (Stage::Draft, Stage::Open)
                | (Stage::Open, Stage::Appraisal)
                | (Stage::Appraisal, Stage::Approved)
        );
        if !allowed {
            return Err(refuse(format!("a round in stage {} cannot move to {}", from.code(), to.code())));
        }
        if to == Stage::Approved {
            let waiting: Vec<String> = sqlx::query_scalar(
                "SELECT unit_code FROM unit_progress WHERE round_id = $1 AND assigned = 1 AND state <> 'appraised' \
                 ORDER BY unit_code",
            )
            .bind(round.0)
            .fetch_all(&mut *tx)
            .await?;
            if !waiting.is_empty() {
                return Err(refuse(format!("units not appraised yet: {}", waiting.join(", "))));
            }
        }
        if let Some(monitoring) = monitoring {
            let files = rounds::load_inputs(&mut tx, round).await?;
            let fills = blocking(move || kpi_values(Files::Memory(files), &monitoring)).await?;
            if !fills.is_empty() {
                apply_value_changes(&mut tx, round, &fills, now, actor).await?;
            }
        }
        sqlx::query(
            "UPDATE round_workflow SET stage = $1, updated_at = $2, updated_by = $3 WHERE round_id = $4",
        )
        .bind(to.code())
        .bind(now)
        .bind(actor.to_string())
        .bind(round.0)
        .execute(&mut *tx)
        .await?;
        let record = AuditRecord::new("round.stage", "round", round)
            .before(json!({ "stage": from.code() }))
            .after(json!({ "stage": to.code() }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes an approved round with the decision that approved it: the results
    /// of the final values, and the three scores of every unit.
    pub async fn publish_workflow_round(
        &self,
        round: RoundId,
        decision: &str,
        actor: Actor,
    ) -> Result<PublicationId, StoreError> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        lock_round(&mut tx, round, self.for_update()).await?;
        let stage = workflow_stage(&mut tx, round).await?;
        if !matches!(stage, Stage::Approved | Stage::Published) {
            return Err(refuse("only an approved round is published"));
        }
        let mut files = load_files(&mut tx, round).await?;
        let mut own = load_value_texts(&mut tx, round).await?;
        rounds::leave_out_unassigned(&mut tx, round, &mut files, &mut own).await?;
        let self_files = with_values_csv(files, &own)?;
        let final_files = rounds::load_inputs(&mut tx, round).await?;
        let stages = blocking(move || stages_json(self_files, final_files)).await?;
        let id = crate::publications::publish_tx(
            &mut tx,
            self.for_update(),
            round,
            decision,
            now,
            actor,
            Some(stages),
        )
        .await?;
        sqlx::query("UPDATE round_workflow SET stage = 'published', updated_at = $1, updated_by = $2 WHERE round_id = $3")
            .bind(now)
            .bind(actor.to_string())
            .bind(round.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every unit of the round with its state, in units.csv order.
    pub async fn unit_progress(&self, round: RoundId) -> Result<Vec<UnitProgress>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.unit_code, u.group_code, p.assigned, p.state, p.updated_at, p.updated_by \
             FROM unit_progress p JOIN units u ON u.round_id = p.round_id AND u.code = p.unit_code \
             WHERE p.round_id = $1 ORDER BY u.position",
        )
        .bind(round.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UnitProgress {
                    unit: row.try_get("unit_code")?,
                    group: row.try_get("group_code")?,
                    assigned: row.try_get::<i64, _>("assigned")? == 1,
                    state: UnitState::parse(&row.try_get::<String, _>("state")?)?,
                    updated_at: row.try_get("updated_at")?,
                    updated_by: row.try_get("updated_by")?,
                })
            })
            .collect()
    }

    /// Saves a reporter's draft values of `unit` (each change with the version it
    /// was edited from: a stale one is a [`StoreError::Conflict`] and nothing is
    /// saved). Only while the unit is editable ([`editable`]).
    pub async fn save_self_assessment(
        &self,
        round: RoundId,
        unit: &str,
        changes: &[ValueChange],
        actor: Actor,
    ) -> Result<(), StoreError> {
        let (mut tx, state, now) = self.begin_self_edit(round, unit, changes).await?;
        apply_value_changes(&mut tx, round, changes, now, actor).await?;
        if state == UnitState::NotStarted {
            set_unit_state(&mut tx, round, unit, UnitState::Draft, now, actor).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The preamble of a reporter's save: every change is of `unit`, and the unit
    /// is editable; the write transaction, the unit's state and now.
    async fn begin_self_edit(
        &self,
        round: RoundId,
        unit: &str,
        changes: &[ValueChange],
    ) -> Result<(crate::store::Tx, UnitState, i64), StoreError> {
        if let Some(other) = changes.iter().find(|c| c.unit.trim() != unit) {
            return Err(StoreError::InvalidInput(format!(
                "a change for unit {:?} in the form of {unit:?}",
                other.unit
            )));
        }
        let now = self.now();
        let (tx, stage, state) = self.begin_unit_write(round, unit).await?;
        if !editable(stage, state) {
            return Err(refuse(format!(
                "unit {unit:?} cannot be changed now (round {}, unit {})",
                stage.code(),
                state.code()
            )));
        }
        Ok((tx, state, now))
    }

    /// Saves a reporter's draft values of `unit` value by value: those the leaf's
    /// rule accepts and whose version is current are written in one transaction
    /// (one audit row); each other one is refused with why, and what is stored now
    /// when it was stale. Only while the unit is editable ([`editable`]).
    pub async fn save_self_values(
        &self,
        round: RoundId,
        unit: &str,
        changes: &[ValueChange],
        actor: Actor,
    ) -> Result<ValueSave, StoreError> {
        let (mut tx, state, now) = self.begin_self_edit(round, unit, changes).await?;
        let outcome = apply_valid_value_changes(&mut tx, round, changes, now, actor).await?;
        if state == UnitState::NotStarted && !outcome.saved.is_empty() {
            set_unit_state(&mut tx, round, unit, UnitState::Draft, now, actor).await?;
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
        let now = self.now();
        let mut tx = self.begin_write().await?;
        lock_round(&mut tx, round, self.for_update()).await?;
        let stage = workflow_stage(&mut tx, round).await?;
        let mut units: Vec<&str> = changes.iter().map(|c| c.unit.trim()).collect();
        units.sort_unstable();
        units.dedup();
        let mut states = Vec::new();
        for unit in &units {
            let state = unit_state(&mut tx, round, unit).await?;
            if !editable(stage, state) {
                return Err(refuse(format!(
                    "unit {unit:?} cannot be changed now (round {}, unit {})",
                    stage.code(),
                    state.code()
                )));
            }
            states.push(state);
        }
        let changes: Vec<ValueChange> =
            changes.iter().map(|c| ValueChange { expected_version: None, ..c.clone() }).collect();
        apply_value_changes(&mut tx, round, &changes, now, actor).await?;
        for (unit, state) in units.iter().zip(states) {
            if state == UnitState::NotStarted {
                set_unit_state(&mut tx, round, unit, UnitState::Draft, now, actor).await?;
            }
        }
        tx.commit().await?;
        Ok(units.len())
    }

    /// The scores `unit` would get with `values` (indicator → text as typed) in place
    /// of its self-assessed ones (the points shown while a reporter types), or with
    /// the stored values when `values` is None; `appraised` scores the values after
    /// appraisal instead. Per indicator of the unit's framework, and the total.
    pub async fn unit_scores(
        &self,
        round: RoundId,
        unit: &str,
        values: Option<&[(String, String)]>,
        appraised: bool,
    ) -> Result<(Vec<Option<f64>>, f64), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let files = load_files(&mut conn, round).await?;
        let mut texts = load_value_texts(&mut conn, round).await?;
        if appraised {
            overlay_appraisals(&mut conn, round, &mut texts).await?;
        }
        drop(conn);
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
            let package = Package::from_files(Files::Memory(with_values_csv(files, &texts)?))?;
            let u = package
                .assessment
                .units
                .iter()
                .position(|x| x.code == unit)
                .ok_or_else(|| StoreError::not_found("unit", &unit))?;
            let results = package.score()?;
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
        let now = self.now();
        let (mut tx, stage, state) = self.begin_unit_write(round, unit).await?;
        if !editable(stage, state) {
            return Err(refuse(format!(
                "unit {unit:?} cannot be submitted now (round {}, unit {})",
                stage.code(),
                state.code()
            )));
        }
        let files = load_files(&mut tx, round).await?;
        let values = load_value_texts(&mut tx, round).await?;
        let evidenced: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT indicator FROM evidence WHERE round_id = $1 AND unit_code = $2",
        )
        .bind(round.0)
        .bind(unit)
        .fetch_all(&mut *tx)
        .await?;
        let unit_code = unit.to_owned();
        let problems = blocking(move || completeness(files, &values, &unit_code, &evidenced)).await?;
        if !problems.is_empty() {
            return Err(StoreError::Refused(problems));
        }
        set_unit_state(&mut tx, round, unit, UnitState::Submitted, now, actor).await?;
        let action = if state == UnitState::Returned { "resubmit" } else { "submit" };
        add_event(&mut tx, round, unit, now, actor, action, None).await?;
        let record = AuditRecord::new("unit.submit", "unit", format!("{round}/{unit}"))
            .before(json!({ "state": state.code() }))
            .after(json!({ "state": "submitted", "action": action }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Returns a submitted unit to its reporter with the council's comments.
    pub async fn return_unit(
        &self,
        round: RoundId,
        unit: &str,
        comment: &str,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let comment = comment.trim();
        if comment.is_empty() {
            return Err(StoreError::InvalidInput(
                "returning a unit needs a comment saying what to revise".into(),
            ));
        }
        self.unit_step(round, unit, UnitState::Submitted, UnitState::Returned, "return", Some(comment), actor)
            .await
    }

    /// Ends the appraisal of a submitted unit.
    pub async fn finalise_unit(&self, round: RoundId, unit: &str, actor: Actor) -> Result<(), StoreError> {
        self.unit_step(round, unit, UnitState::Submitted, UnitState::Appraised, "finalise", None, actor).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn unit_step(
        &self,
        round: RoundId,
        unit: &str,
        from: UnitState,
        to: UnitState,
        action: &str,
        comment: Option<&str>,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let (mut tx, stage, state) = self.begin_unit_write(round, unit).await?;
        if stage != Stage::Appraisal || state != from {
            return Err(refuse(format!(
                "unit {unit:?} cannot be {action}ed now (round {}, unit {})",
                stage.code(),
                state.code()
            )));
        }
        set_unit_state(&mut tx, round, unit, to, now, actor).await?;
        add_event(&mut tx, round, unit, now, actor, action, comment).await?;
        let record = AuditRecord::new(
            if action == "return" { "unit.return" } else { "unit.finalise" },
            "unit",
            format!("{round}/{unit}"),
        )
        .before(json!({ "state": state.code() }))
        .after(json!({ "state": to.code(), "comment": comment }));
        audit::append(&mut tx, now, actor, record).await?;
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
        let now = self.now();
        let (mut tx, stage, state) = self.begin_unit_write(round, unit).await?;
        let allowed = if correction {
            matches!(stage, Stage::Approved | Stage::Published) && state == UnitState::Appraised
        } else {
            stage == Stage::Appraisal && state == UnitState::Submitted
        };
        if !allowed {
            return Err(refuse(format!(
                "unit {unit:?} is not open for {} (round {}, unit {})",
                if correction { "correction" } else { "appraisal" },
                stage.code(),
                state.code()
            )));
        }
        if correction && change.reason.trim().is_empty() {
            return Err(StoreError::InvalidInput(format!(
                "a correction of {:?} needs its reason",
                change.indicator.trim()
            )));
        }
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
            return Err(StoreError::Conflict(format!(
                "the appraised value of {indicator:?} is at version {version}, not {}: someone changed it meanwhile",
                change.expected_version
            )));
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
            if change.reason.trim().is_empty() {
                return Err(StoreError::InvalidInput(format!(
                    "an appraised value of {indicator:?} needs its reason"
                )));
            }
            // The value must be one the leaf's rule accepts, and the round must still score.
            let files = load_files(&mut tx, round).await?;
            let mut trial = values.clone();
            overlay_appraisals(&mut tx, round, &mut trial).await?;
            let (u, i, v) = (unit.to_owned(), indicator.to_owned(), value.clone());
            blocking(move || check_appraised(files, trial, &u, &i, &v)).await?;
            sqlx::query(
                "INSERT INTO appraisals (round_id, unit_code, indicator, value, reason, version, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (round_id, unit_code, indicator) DO UPDATE SET \
                 value = excluded.value, reason = excluded.reason, version = excluded.version, \
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )
            .bind(round.0)
            .bind(unit)
            .bind(indicator)
            .bind(&value)
            .bind(change.reason.trim())
            .bind(version + 1)
            .bind(now)
            .bind(actor.to_string())
            .execute(&mut *tx)
            .await?;
        }
        let after = if value == own.trim() {
            json!({ "accepted": own })
        } else {
            json!({ "value": value, "reason": change.reason.trim() })
        };
        let action = if correction { "unit.correct" } else { "unit.appraise" };
        let record = AuditRecord::new(action, "indicator", format!("{round}/{unit}/{indicator}"))
            .before(before)
            .after(after);
        audit::append(&mut tx, now, actor, record).await?;
        if correction {
            let comment = format!("{indicator} = {value}: {}", change.reason.trim());
            add_event(&mut tx, round, unit, now, actor, "correct", Some(&comment)).await?;
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
        rows.iter()
            .map(|row| {
                Ok(Appraisal {
                    unit: row.try_get("unit_code")?,
                    indicator: row.try_get("indicator")?,
                    value: row.try_get("value")?,
                    reason: row.try_get("reason")?,
                    version: row.try_get("version")?,
                    updated_at: row.try_get("updated_at")?,
                    updated_by: row.try_get("updated_by")?,
                })
            })
            .collect()
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

    /// Adds evidence to an indicator of a unit whose form is editable.
    pub async fn add_evidence(
        &self,
        round: RoundId,
        unit: &str,
        indicator: &str,
        evidence: NewEvidence,
        actor: Actor,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        let (mut tx, stage, state) = self.begin_unit_write(round, unit).await?;
        if !editable(stage, state) {
            return Err(refuse(format!("evidence of unit {unit:?} cannot be changed now")));
        }
        // The frameworks and units are all this needs: the values are left empty.
        let files = with_values_csv(load_files(&mut tx, round).await?, &[])?;
        let (unit_code, code) = (unit.to_owned(), indicator.to_owned());
        let known = blocking(move || -> Result<bool, StoreError> {
            let package = Package::from_files(Files::Memory(files))?;
            let a = &package.assessment;
            Ok(a.units
                .iter()
                .position(|u| u.code == unit_code)
                .is_some_and(|u| a.framework_of(u).indicators.iter().any(|i| i.code == code)))
        })
        .await?;
        if !known {
            return Err(StoreError::InvalidInput(format!(
                "unit {unit:?} has no indicator {indicator:?} to attach evidence to"
            )));
        }
        let (kind, name, content_type, size, sha, content, number, date, summary, after) = match evidence {
            NewEvidence::File { name, content_type, content } => {
                let sha = format!("{:x}", Sha256::digest(&content));
                let after = json!({ "file": name, "size": content.len(), "sha256": sha });
                (
                    "file",
                    Some(name),
                    Some(content_type),
                    Some(content.len() as i64),
                    Some(sha),
                    Some(content),
                    None,
                    None,
                    None,
                    after,
                )
            }
            NewEvidence::Reference { number, date, summary } => {
                if number.trim().is_empty() {
                    return Err(StoreError::InvalidInput("a document reference needs its number".into()));
                }
                let after = json!({ "number": number, "date": date, "summary": summary });
                ("reference", None, None, None, None, None, Some(number), Some(date), Some(summary), after)
            }
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO evidence (round_id, unit_code, indicator, kind, file_name, content_type, size, sha256, content, \
             doc_number, doc_date, summary, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(round.0)
        .bind(unit)
        .bind(indicator.trim())
        .bind(kind)
        .bind(name)
        .bind(content_type)
        .bind(size)
        .bind(sha)
        .bind(content)
        .bind(number)
        .bind(date)
        .bind(summary)
        .bind(now)
        .bind(actor.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let record = AuditRecord::new("evidence.add", "evidence", id)
            .after(json!({ "unit": unit, "indicator": indicator, "evidence": after }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The evidence of a unit (without file contents).
    pub async fn evidence(&self, round: RoundId, unit: &str) -> Result<Vec<Evidence>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, unit_code, indicator, kind, file_name, content_type, size, sha256, doc_number, doc_date, summary, \
             created_at, created_by FROM evidence WHERE round_id = $1 AND unit_code = $2 ORDER BY indicator, id",
        )
        .bind(round.0)
        .bind(unit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(evidence_from_row).collect()
    }

    /// One evidence file with its content.
    pub async fn evidence_file(
        &self,
        round: RoundId,
        id: i64,
    ) -> Result<Option<(Evidence, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, unit_code, indicator, kind, file_name, content_type, size, sha256, doc_number, doc_date, summary, \
             created_at, created_by, content FROM evidence WHERE round_id = $1 AND id = $2 AND kind = 'file'",
        )
        .bind(round.0)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((evidence_from_row(&row)?, row.try_get::<Vec<u8>, _>("content")?))).transpose()
    }
}

fn evidence_from_row(row: &sqlx::any::AnyRow) -> Result<Evidence, StoreError> {
    let kind = match row.try_get::<String, _>("kind")?.as_str() {
        "file" => EvidenceKind::File {
            name: row.try_get::<Option<String>, _>("file_name")?.unwrap_or_default(),
            content_type: row.try_get::<Option<String>, _>("content_type")?.unwrap_or_default(),
            size: row.try_get::<Option<i64>, _>("size")?.unwrap_or_default(),
            sha256: row.try_get::<Option<String>, _>("sha256")?.unwrap_or_default(),
        },
        _ => EvidenceKind::Reference {
            number: row.try_get::<Option<String>, _>("doc_number")?.unwrap_or_default(),
            date: row.try_get::<Option<String>, _>("doc_date")?.unwrap_or_default(),
            summary: row.try_get::<Option<String>, _>("summary")?.unwrap_or_default(),
        },
    };
    Ok(Evidence {
        id: row.try_get("id")?,
        unit: row.try_get("unit_code")?,
        indicator: row.try_get("indicator")?,
        kind,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// What a unit still lacks before it can be submitted.
fn completeness(
    files: BTreeMap<String, Vec<u8>>,
    values: &[ValueText],
    unit: &str,
    evidenced: &[String],
) -> Result<Vec<RowProblem>, StoreError> {
    let package = Package::from_files(Files::Memory(with_values_csv(files, values)?))?;
    let a = &package.assessment;
    let u = a.units.iter().position(|x| x.code == unit).ok_or_else(|| StoreError::not_found("unit", unit))?;
    let framework = a.framework_of(u);
    let answered: HashMap<&str, &str> =
        values.iter().filter(|v| v.unit == unit).map(|v| (v.indicator.as_str(), v.value.trim())).collect();
    let mut problems = Vec::new();
    for (row, indicator) in framework.indicators.iter().enumerate() {
        let kpi = matches!(indicator.source, chiso_core::framework::Source::Kpi(_));
        if indicator.is_leaf() && !kpi && answered.get(indicator.code.as_str()).is_none_or(|v| v.is_empty()) {
            problems.push(RowProblem {
                row,
                kind: RowProblemKind::Unanswered { indicator: indicator.code.clone() },
            });
        }
        if indicator.evidence && !evidenced.contains(&indicator.code) {
            problems.push(RowProblem {
                row,
                kind: RowProblemKind::NoEvidence { indicator: indicator.code.clone() },
            });
        }
    }
    Ok(problems)
}

/// An appraised value must be one the leaf's rule accepts, and the round must score with it.
fn check_appraised(
    files: BTreeMap<String, Vec<u8>>,
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
    let package = Package::from_files(Files::Memory(with_values_csv(files, &values)?))?;
    package.score()?;
    Ok(())
}

/// The values that `kpi:` leaves without one take from the monitoring data: the
/// KPI's yearly value for the unit in the round's year, noted with where it came
/// from. KPIs the catalogue lacks are left missing, as `chiso score` without
/// `--monitoring` leaves them.
fn kpi_values(
    files: Files,
    monitoring: &chiso_core::kpi::Monitoring,
) -> Result<Vec<ValueChange>, StoreError> {
    let package = Package::from_files(files)?;
    let a = &package.assessment;
    let (fills, _unknown) = chiso_core::kpi::kpi_fills(a, &package.values, monitoring);
    Ok(fills
        .into_iter()
        .map(|fill| ValueChange {
            unit: a.units[fill.unit].code.clone(),
            indicator: a.framework_of(fill.unit).indicators[fill.indicator].code.clone(),
            value: fill.value.to_string(),
            note: Some(format!("kpi:{} {}", monitoring.catalogue.kpis[fill.kpi].code, fill.year)),
            expected_version: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_line_is_replaced_once() {
        let text = "# round\nyear = 2024\nname = { vi = \"năm 2024\", en = \"2024\" }\n";
        let copied = with_year(text, 2025).unwrap();
        assert!(copied.contains("year = 2025\n") && copied.contains("năm 2024"));
        assert_eq!(with_year("name = 1\n", 2025), None);
    }

    #[test]
    fn only_open_forms_and_returned_units_are_editable() {
        assert!(editable(Stage::Open, UnitState::NotStarted));
        assert!(editable(Stage::Appraisal, UnitState::Returned));
        assert!(!editable(Stage::Open, UnitState::Submitted));
        assert!(!editable(Stage::Draft, UnitState::NotStarted));
        assert!(!editable(Stage::Approved, UnitState::Returned));
    }
}
