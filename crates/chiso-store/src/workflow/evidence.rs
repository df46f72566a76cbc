//! Evidence (minh chứng) of a unit's indicators: files and document references.

use super::state::Decided;
use super::{Evidence, EvidenceKind, NewEvidence};
use crate::audit::{self, AuditRecord};
use crate::error::StoreError;
use crate::ids::{Actor, RoundId};
use crate::problems::InputProblem;
use crate::store::Store;
use chiso_core::workflow::Action;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

impl Store {
    /// Adds evidence to an indicator of a unit whose form is editable.
    pub async fn add_evidence(
        &self,
        round: RoundId,
        unit: &str,
        indicator: &str,
        evidence: NewEvidence,
        actor: Actor,
    ) -> Result<i64, StoreError> {
        let model = self.round_model(round).await?;
        let action = Action::AddEvidence { unit: unit.to_owned() };
        let Decided { mut tx, transition, .. } = self.begin_action(round, &action).await?;
        let now = transition.at;
        let known = model.has_indicator(unit, indicator);
        if !known {
            return Err(StoreError::InvalidInput(InputProblem::UnknownIndicator {
                unit: unit.to_owned(),
                indicator: indicator.to_owned(),
            }));
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
                    return Err(StoreError::InvalidInput(InputProblem::ReferenceNumberEmpty));
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
