//! Creating a round run in the app, its stages, deadlines and assignments, and
//! what each unit's progress is.

use super::scores::{kpi_values, stages_json};
use super::state::{Decided, decide, persist};
use super::{Deadlines, Stage, UnitProgress, UnitState, Workflow};
use crate::audit::{self, AuditRecord};
use crate::db::blocking;
use crate::error::StoreError;
use crate::ids::{Actor, PublicationId, RoundId};
use crate::problems::InputProblem;
use crate::publications::{Decision, WorkflowResults};
use crate::rounds::edit::apply_value_changes;
use crate::rounds::typed;
use crate::rounds::{self, Import, import_tx, load_files};
use crate::store::Store;
use chiso_core::workflow::{Action, Refusal, Writes};
use chiso_io::Files;
use chiso_io::package::VALUES_FILE;
use serde_json::json;
use sqlx::Row;

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
            .ok_or_else(|| StoreError::InvalidInput(InputProblem::NoYearLine))?;
        files.insert("assessment.toml".into(), assessment.into_bytes());
        self.create_workflow_round(Files::Memory(files), actor).await
    }

    /// The workflow of a round run in the app (None for an imported round).
    pub async fn workflow(&self, round: RoundId) -> Result<Option<Workflow>, StoreError> {
        let row = sqlx::query(
            "SELECT stage, self_deadline, appraisal_deadline, approval_deadline, contest_deadline, updated_at, \
             updated_by FROM round_workflow WHERE round_id = $1",
        )
        .bind(round.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Workflow {
                round,
                stage: Stage::parse(&row.try_get::<String, _>("stage")?).map_err(StoreError::corrupt)?,
                deadlines: Deadlines {
                    self_assessment: row.try_get("self_deadline")?,
                    appraisal: row.try_get("appraisal_deadline")?,
                    approval: row.try_get("approval_deadline")?,
                },
                contest_deadline: row.try_get("contest_deadline")?,
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
        let Decided { mut tx, transition, .. } =
            self.begin_action(round, &Action::SetDeadlines(deadlines)).await?;
        persist(&mut tx, round, &transition, None, actor).await?;
        let record = AuditRecord::new("round.deadlines", "round", round).after(json!({
            "self_assessment": deadlines.self_assessment,
            "appraisal": deadlines.appraisal,
            "approval": deadlines.approval,
        }));
        audit::append(&mut tx, transition.at, actor, record).await?;
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
        let action = Action::AssignUnit { unit: unit.to_owned(), assigned };
        let Decided { mut tx, transition, .. } = self.begin_action(round, &action).await?;
        persist(&mut tx, round, &transition, None, actor).await?;
        let record = AuditRecord::new("unit.assign", "unit", format!("{round}/{unit}"))
            .after(json!({ "assigned": assigned }));
        audit::append(&mut tx, transition.at, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves the round to its next stage: draft → open → appraisal → approved.
    /// Approval needs every assigned unit appraised, and fills the `kpi:` leaves
    /// from the monitoring data of that moment. Publishing is
    /// [`Store::publish_workflow_round`].
    pub async fn advance_stage(&self, round: RoundId, to: Stage, actor: Actor) -> Result<(), StoreError> {
        let monitoring = if to == Stage::Approved { Some(self.monitoring().await?) } else { None };
        let model = self.round_model(round).await?;
        let (mut tx, before) = self.begin_locked(round).await?;
        let action = Action::to_stage(to)
            .ok_or(StoreError::NotAllowed(Refusal::StageStep { from: before.stage, to }))?;
        let transition = decide(&before, &action, self.now())?;
        if let (Writes::KpiValues, Some(monitoring)) = (transition.writes, monitoring) {
            let (scored, rows) = typed::scored_rows(&mut tx, round, &model, true).await?;
            let fills = blocking(move || kpi_values(&scored, &rows, &monitoring)).await?;
            if !fills.is_empty() {
                apply_value_changes(&mut tx, &model, round, &fills, transition.at, actor).await?;
            }
        }
        persist(&mut tx, round, &transition, None, actor).await?;
        let record = AuditRecord::new("round.stage", "round", round)
            .before(json!({ "stage": before.stage.code() }))
            .after(json!({ "stage": to.code() }));
        audit::append(&mut tx, transition.at, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes an approved round with the decision that approved it: the results
    /// of the final values, and the three scores of every unit. Publishing a
    /// published round again makes a correction publication.
    pub async fn publish_workflow_round(
        &self,
        round: RoundId,
        decision: impl Into<Decision>,
        actor: Actor,
    ) -> Result<PublicationId, StoreError> {
        let decision = decision.into();
        self.publish_stage(
            round,
            &Action::Publish { decision: decision.text.trim().to_owned() },
            &decision,
            actor,
        )
        .await
    }

    /// Publishes preliminary results of an appraised round (every unit taking part
    /// appraised) with the notice that announces them: units may contest
    /// indicators until `deadline` (Unix ms; none: until final approval).
    pub async fn publish_preliminary(
        &self,
        round: RoundId,
        decision: impl Into<Decision>,
        deadline: Option<i64>,
        actor: Actor,
    ) -> Result<PublicationId, StoreError> {
        let decision = decision.into();
        let action = Action::PublishPreliminary { decision: decision.text.trim().to_owned(), deadline };
        self.publish_stage(round, &action, &decision, actor).await
    }

    async fn publish_stage(
        &self,
        round: RoundId,
        action: &Action,
        decision: &Decision,
        actor: Actor,
    ) -> Result<PublicationId, StoreError> {
        let model = self.round_model(round).await?;
        let Decided { mut tx, transition, .. } = self.begin_action(round, action).await?;
        let (scored, own) = typed::scored_rows(&mut tx, round, &model, false).await?;
        let (_, appraised) = typed::scored_rows(&mut tx, round, &model, true).await?;
        let stages = blocking(move || stages_json(&scored, &own, &appraised)).await?;
        let id = crate::publications::publish_tx(
            &mut tx,
            self.for_update(),
            round,
            decision,
            transition.at,
            actor,
            Some(WorkflowResults {
                stages_json: stages,
                preliminary: matches!(transition.writes, Writes::Publication { preliminary: true, .. }),
            }),
        )
        .await?;
        persist(&mut tx, round, &transition, None, actor).await?;
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
                    state: UnitState::parse(&row.try_get::<String, _>("state")?)
                        .map_err(StoreError::corrupt)?,
                    updated_at: row.try_get("updated_at")?,
                    updated_by: row.try_get("updated_by")?,
                })
            })
            .collect()
    }
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

#[cfg(test)]
mod tests {
    use super::with_year;

    #[test]
    fn the_year_line_is_replaced_once() {
        let text = "# round\nyear = 2024\nname = { vi = \"năm 2024\", en = \"2024\" }\n";
        let copied = with_year(text, 2025).unwrap();
        assert!(copied.contains("year = 2025\n") && copied.contains("năm 2024"));
        assert_eq!(with_year("name = 1\n", 2025), None);
    }
}
