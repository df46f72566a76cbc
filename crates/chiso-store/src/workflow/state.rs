//! The workflow's state as the store keeps it (`round_workflow`, `unit_progress`,
//! `unit_events`): loaded into chiso-core's [`RoundState`] under the round's lock,
//! decided by the core's rules, and written back from the [`Transition`].

use super::{Deadlines, RoundState, Stage, UnitState};
use crate::audit::{self, AuditRecord};
use crate::error::StoreError;
use crate::ids::{Actor, RoundId};
use crate::rounds::lock_round;
use crate::store::{Store, Tx};
use chiso_core::workflow::{Action, Transition, UnitEntry, check};
use serde_json::json;
use sqlx::{AnyConnection, Row};

/// The round's workflow as stored; [`StoreError::NotFound`] for a round that is
/// not run in the app (an imported one).
pub(crate) async fn load_state(conn: &mut AnyConnection, round: RoundId) -> Result<RoundState, StoreError> {
    let row = sqlx::query(
        "SELECT stage, self_deadline, appraisal_deadline, approval_deadline, contest_deadline \
         FROM round_workflow WHERE round_id = $1",
    )
    .bind(round.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found("round run in the app", round))?;
    let stage = Stage::parse(&row.try_get::<String, _>("stage")?).map_err(StoreError::corrupt)?;
    let deadlines = Deadlines {
        self_assessment: row.try_get("self_deadline")?,
        appraisal: row.try_get("appraisal_deadline")?,
        approval: row.try_get("approval_deadline")?,
    };
    let rows = sqlx::query("SELECT unit_code, assigned, state FROM unit_progress WHERE round_id = $1")
        .bind(round.0)
        .fetch_all(&mut *conn)
        .await?;
    let mut units = std::collections::BTreeMap::new();
    for row in rows {
        let state = UnitState::parse(&row.try_get::<String, _>("state")?).map_err(StoreError::corrupt)?;
        let assigned = row.try_get::<i64, _>("assigned")? == 1;
        units.insert(row.try_get::<String, _>("unit_code")?, UnitEntry { assigned, state });
    }
    let contest_deadline: Option<i64> = row.try_get("contest_deadline")?;
    let open: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM contests WHERE round_id = $1 AND status = 'open'")
            .bind(round.0)
            .fetch_one(&mut *conn)
            .await?;
    let open_contests = usize::try_from(open).map_err(StoreError::corrupt)?;
    Ok(RoundState { stage, deadlines, units, contest_deadline, open_contests })
}

/// Writes what an allowed action changes in the workflow's own tables: the stage,
/// the deadlines, a unit's assignment, unit states and the history step (with
/// `comment`). The action's other rows (values, appraisals, evidence, a
/// publication) are the caller's.
pub(crate) async fn persist(
    conn: &mut AnyConnection,
    round: RoundId,
    transition: &Transition,
    comment: Option<&str>,
    actor: Actor,
) -> Result<(), StoreError> {
    let (now, by) = (transition.at, actor.to_string());
    if let Some(stage) = transition.stage {
        sqlx::query(
            "UPDATE round_workflow SET stage = $1, updated_at = $2, updated_by = $3 WHERE round_id = $4",
        )
        .bind(stage.code())
        .bind(now)
        .bind(&by)
        .bind(round.0)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(deadlines) = transition.deadlines {
        sqlx::query(
            "UPDATE round_workflow SET self_deadline = $1, appraisal_deadline = $2, approval_deadline = $3, \
             updated_at = $4, updated_by = $5 WHERE round_id = $6",
        )
        .bind(deadlines.self_assessment)
        .bind(deadlines.appraisal)
        .bind(deadlines.approval)
        .bind(now)
        .bind(&by)
        .bind(round.0)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(deadline) = transition.contest_deadline {
        sqlx::query(
            "UPDATE round_workflow SET contest_deadline = $1, updated_at = $2, updated_by = $3 WHERE round_id = $4",
        )
        .bind(deadline)
        .bind(now)
        .bind(&by)
        .bind(round.0)
        .execute(&mut *conn)
        .await?;
    }
    if let Some((unit, assigned)) = &transition.assigned {
        sqlx::query(
            "UPDATE unit_progress SET assigned = $1, updated_at = $2, updated_by = $3 \
             WHERE round_id = $4 AND unit_code = $5",
        )
        .bind(i64::from(*assigned))
        .bind(now)
        .bind(&by)
        .bind(round.0)
        .bind(unit)
        .execute(&mut *conn)
        .await?;
    }
    for (unit, state) in &transition.units {
        sqlx::query(
            "UPDATE unit_progress SET state = $1, updated_at = $2, updated_by = $3 \
             WHERE round_id = $4 AND unit_code = $5",
        )
        .bind(state.code())
        .bind(now)
        .bind(&by)
        .bind(round.0)
        .bind(unit)
        .execute(&mut *conn)
        .await?;
    }
    if let Some((unit, event)) = &transition.event {
        sqlx::query(
            "INSERT INTO unit_events (round_id, unit_code, at, actor, action, comment) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(round.0)
        .bind(unit)
        .bind(now)
        .bind(&by)
        .bind(event.code())
        .bind(comment)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A write transaction holding the round's lock, the round's state under that
/// lock, and what `action` changes by the core's rules (or why it is refused).
pub(crate) struct Decided {
    pub tx: Tx,
    pub before: RoundState,
    pub transition: Transition,
}

impl Store {
    /// Begins an action: locks the round, loads its state and decides `action`
    /// with [`chiso_core::workflow::check`]. A refusal is
    /// [`StoreError::NotAllowed`] and nothing is written.
    pub(crate) async fn begin_action(&self, round: RoundId, action: &Action) -> Result<Decided, StoreError> {
        let (tx, before) = self.begin_locked(round).await?;
        let transition = decide(&before, action, self.now())?;
        Ok(Decided { tx, before, transition })
    }

    /// A write transaction holding the round's lock, and the round's state under
    /// that lock (for an action whose check needs more than the state, such as the
    /// gaps of a submission: then [`decide`]).
    pub(crate) async fn begin_locked(&self, round: RoundId) -> Result<(Tx, RoundState), StoreError> {
        let mut tx = self.begin_write().await?;
        let state = locked_state(&mut tx, self, round).await?;
        Ok((tx, state))
    }

    pub(super) async fn start_workflow(
        &self,
        tx: &mut AnyConnection,
        round: RoundId,
        now: i64,
        actor: Actor,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO round_workflow (round_id, stage, updated_at, updated_by) VALUES ($1, $2, $3, $4)",
        )
        .bind(round.0)
        .bind(Stage::Draft.code())
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
        let record = AuditRecord::new("round.workflow.create", "round", round)
            .after(json!({ "stage": Stage::Draft.code() }));
        audit::append(&mut *tx, now, actor, record).await
    }
}

/// What `action` changes in `state` by the core's rules; a refusal is
/// [`StoreError::NotAllowed`].
pub(crate) fn decide(state: &RoundState, action: &Action, now: i64) -> Result<Transition, StoreError> {
    check(state, action, now).map_err(StoreError::NotAllowed)
}

async fn locked_state(tx: &mut Tx, store: &Store, round: RoundId) -> Result<RoundState, StoreError> {
    lock_round(tx, round, store.for_update()).await?;
    load_state(tx, round).await
}
