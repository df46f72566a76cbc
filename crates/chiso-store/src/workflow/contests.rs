//! After appraisal: units contest indicators of the preliminary results (with a
//! reason and files), appraisers answer each contest (accepted with a new value,
//! or rejected, with a reason); and, before submission, a reporter's written
//! explanation where evidence is required but there is none.

use super::state::{Decided, persist};
use crate::audit::{self, AuditRecord};
use crate::error::StoreError;
use crate::ids::{Actor, RoundId};
use crate::problems::{Clash, InputProblem};
use crate::store::Store;
use chiso_core::workflow::Action;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

/// Where a contest is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContestStatus {
    Open,
    Accepted,
    Rejected,
}

impl ContestStatus {
    pub fn code(self) -> &'static str {
        match self {
            ContestStatus::Open => "open",
            ContestStatus::Accepted => "accepted",
            ContestStatus::Rejected => "rejected",
        }
    }

    fn parse(code: &str) -> Result<ContestStatus, StoreError> {
        match code {
            "open" => Ok(ContestStatus::Open),
            "accepted" => Ok(ContestStatus::Accepted),
            "rejected" => Ok(ContestStatus::Rejected),
            other => Err(StoreError::corrupt(format!("contest status {other:?}"))),
        }
    }
}

/// A file attached to a contest (without its content).
#[derive(Debug, Clone, PartialEq)]
pub struct ContestFile {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A file to attach.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A unit's request to reconsider one indicator, and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Contest {
    pub id: i64,
    pub unit: String,
    pub indicator: String,
    pub reason: String,
    pub created_at: i64,
    pub created_by: String,
    pub status: ContestStatus,
    /// The appraised value an accepted contest set.
    pub answer_value: Option<String>,
    pub answer_reason: Option<String>,
    pub answered_at: Option<i64>,
    pub answered_by: Option<String>,
    pub files: Vec<ContestFile>,
}

impl Store {
    /// A unit contests the appraised result of `indicator` in the preliminary
    /// results, with its reason and files; one open contest per indicator.
    pub async fn contest(
        &self,
        round: RoundId,
        unit: &str,
        indicator: &str,
        reason: &str,
        files: Vec<NewFile>,
        actor: Actor,
    ) -> Result<i64, StoreError> {
        let (indicator, reason) = (indicator.trim(), reason.trim());
        let model = self.round_model(round).await?;
        let known = model.has_indicator(unit, indicator);
        let action = Action::Contest {
            unit: unit.to_owned(),
            indicator: indicator.to_owned(),
            reason: reason.to_owned(),
        };
        let Decided { mut tx, transition, .. } = self.begin_action(round, &action).await?;
        if !known {
            return Err(StoreError::InvalidInput(InputProblem::UnknownIndicator {
                unit: unit.to_owned(),
                indicator: indicator.to_owned(),
            }));
        }
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM contests WHERE round_id = $1 AND unit_code = $2 AND indicator = $3 AND status = 'open'",
        )
        .bind(round.0)
        .bind(unit)
        .bind(indicator)
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Err(StoreError::Conflict(Clash::AlreadyContested {
                unit: unit.to_owned(),
                indicator: indicator.to_owned(),
            }));
        }
        let now = transition.at;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contests (round_id, unit_code, indicator, reason, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(round.0)
        .bind(unit)
        .bind(indicator)
        .bind(reason)
        .bind(now)
        .bind(actor.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let mut names = Vec::new();
        for file in files {
            names.push(file.name.clone());
            insert_file(&mut tx, id, file).await?;
        }
        persist(&mut tx, round, &transition, Some(&format!("{indicator}: {reason}")), actor).await?;
        let record = AuditRecord::new("unit.contest", "contest", id)
            .after(json!({ "unit": unit, "indicator": indicator, "reason": reason, "files": names }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Answers an open contest: accepted, setting the indicator's appraised value
    /// to `value`, or rejected; with the reason either way. `verifier` is checked
    /// by the caller (the store checks no roles).
    pub async fn answer_contest(
        &self,
        round: RoundId,
        contest: i64,
        accept: Option<&str>,
        reason: &str,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let reason = reason.trim();
        let (unit, indicator) = self.open_contest(round, contest).await?;
        let model = self.round_model(round).await?;
        let action = Action::AnswerContest {
            unit: unit.clone(),
            indicator: indicator.clone(),
            accept: accept.is_some(),
            reason: reason.to_owned(),
            verifier: None,
        };
        let Decided { mut tx, transition, .. } = self.begin_action(round, &action).await?;
        let now = transition.at;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM contests WHERE id = $1 AND round_id = $2")
                .bind(contest)
                .bind(round.0)
                .fetch_optional(&mut *tx)
                .await?;
        if status.as_deref() != Some("open") {
            return Err(StoreError::Conflict(Clash::ContestAnswered { contest }));
        }
        let value = accept.map(str::trim).map(str::to_owned);
        if let Some(value) = &value {
            super::appraisal::set_appraised_value(
                &mut tx, &model, round, &unit, &indicator, value, reason, now, actor,
            )
            .await?;
        }
        let new_status = if value.is_some() { ContestStatus::Accepted } else { ContestStatus::Rejected };
        sqlx::query(
            "UPDATE contests SET status = $1, answer_value = $2, answer_reason = $3, answered_at = $4, \
             answered_by = $5 WHERE id = $6",
        )
        .bind(new_status.code())
        .bind(value.clone())
        .bind(reason)
        .bind(now)
        .bind(actor.to_string())
        .bind(contest)
        .execute(&mut *tx)
        .await?;
        let comment = match &value {
            Some(value) => format!("{indicator} = {value}: {reason}"),
            None => format!("{indicator}: {reason}"),
        };
        persist(&mut tx, round, &transition, Some(&comment), actor).await?;
        let record = AuditRecord::new("unit.contest.answer", "contest", contest)
            .before(json!({ "status": "open" }))
            .after(json!({ "status": new_status.code(), "value": value, "reason": reason }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The unit and indicator of an open contest of the round.
    pub async fn open_contest(&self, round: RoundId, contest: i64) -> Result<(String, String), StoreError> {
        let row =
            sqlx::query("SELECT unit_code, indicator, status FROM contests WHERE id = $1 AND round_id = $2")
                .bind(contest)
                .bind(round.0)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::not_found("contest", contest))?;
        if row.try_get::<String, _>("status")? != "open" {
            return Err(StoreError::Conflict(Clash::ContestAnswered { contest }));
        }
        Ok((row.try_get("unit_code")?, row.try_get("indicator")?))
    }

    /// The contests of a round (of one unit when given), oldest first, with their files.
    pub async fn contests(&self, round: RoundId, unit: Option<&str>) -> Result<Vec<Contest>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT id, unit_code, indicator, reason, created_at, created_by, status, answer_value, answer_reason, \
             answered_at, answered_by FROM contests WHERE round_id = $1 ORDER BY id",
        )
        .bind(round.0)
        .fetch_all(&mut *conn)
        .await?;
        let mut contests = Vec::new();
        for row in &rows {
            let unit_code: String = row.try_get("unit_code")?;
            if unit.is_some_and(|u| u != unit_code) {
                continue;
            }
            let id: i64 = row.try_get("id")?;
            contests.push(Contest {
                id,
                unit: unit_code,
                indicator: row.try_get("indicator")?,
                reason: row.try_get("reason")?,
                created_at: row.try_get("created_at")?,
                created_by: row.try_get("created_by")?,
                status: ContestStatus::parse(&row.try_get::<String, _>("status")?)?,
                answer_value: row.try_get("answer_value")?,
                answer_reason: row.try_get("answer_reason")?,
                answered_at: row.try_get("answered_at")?,
                answered_by: row.try_get("answered_by")?,
                files: contest_files(&mut conn, id).await?,
            });
        }
        Ok(contests)
    }

    /// One file of a contest of the round, with the unit it belongs to and its content.
    pub async fn contest_file(
        &self,
        round: RoundId,
        file: i64,
    ) -> Result<Option<(String, ContestFile, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT f.id, f.file_name, f.content_type, f.size, f.sha256, f.content, c.unit_code FROM contest_files f \
             JOIN contests c ON c.id = f.contest_id WHERE f.id = $1 AND c.round_id = $2",
        )
        .bind(file)
        .bind(round.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((row.try_get("unit_code")?, file_from_row(&row)?, row.try_get("content")?)))
            .transpose()
    }

    /// Writes (or, with blank text, removes) the reporter's explanation of why an
    /// indicator that needs evidence has none; only while the form is editable.
    pub async fn explain_missing_evidence(
        &self,
        round: RoundId,
        unit: &str,
        indicator: &str,
        text: &str,
        actor: Actor,
    ) -> Result<(), StoreError> {
        let (indicator, text) = (indicator.trim(), text.trim());
        let model = self.round_model(round).await?;
        let known = model.has_indicator(unit, indicator);
        let action = Action::AddEvidence { unit: unit.to_owned() };
        let Decided { mut tx, transition, .. } = self.begin_action(round, &action).await?;
        if !known {
            return Err(StoreError::InvalidInput(InputProblem::UnknownIndicator {
                unit: unit.to_owned(),
                indicator: indicator.to_owned(),
            }));
        }
        let now = transition.at;
        if text.is_empty() {
            sqlx::query(
                "DELETE FROM evidence_explanations WHERE round_id = $1 AND unit_code = $2 AND indicator = $3",
            )
            .bind(round.0)
            .bind(unit)
            .bind(indicator)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO evidence_explanations (round_id, unit_code, indicator, text, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (round_id, unit_code, indicator) DO UPDATE SET \
                 text = excluded.text, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )
            .bind(round.0)
            .bind(unit)
            .bind(indicator)
            .bind(text)
            .bind(now)
            .bind(actor.to_string())
            .execute(&mut *tx)
            .await?;
        }
        let record = AuditRecord::new("evidence.explain", "indicator", format!("{round}/{unit}/{indicator}"))
            .after(json!({ "explanation": text }));
        audit::append(&mut tx, now, actor, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The reporter's explanations of missing evidence of a unit: (indicator, text).
    pub async fn evidence_explanations(
        &self,
        round: RoundId,
        unit: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT indicator, text FROM evidence_explanations WHERE round_id = $1 AND unit_code = $2 ORDER BY indicator",
        )
        .bind(round.0)
        .bind(unit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok((row.try_get("indicator")?, row.try_get("text")?))).collect()
    }
}

async fn insert_file(conn: &mut AnyConnection, contest: i64, file: NewFile) -> Result<(), StoreError> {
    let sha = format!("{:x}", Sha256::digest(&file.content));
    sqlx::query(
        "INSERT INTO contest_files (contest_id, file_name, content_type, size, sha256, content) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(contest)
    .bind(file.name)
    .bind(file.content_type)
    .bind(file.content.len() as i64)
    .bind(sha)
    .bind(file.content)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn contest_files(conn: &mut AnyConnection, contest: i64) -> Result<Vec<ContestFile>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, file_name, content_type, size, sha256 FROM contest_files WHERE contest_id = $1 ORDER BY id",
    )
    .bind(contest)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(file_from_row).collect()
}

fn file_from_row(row: &sqlx::any::AnyRow) -> Result<ContestFile, StoreError> {
    Ok(ContestFile {
        id: row.try_get("id")?,
        name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
    })
}
