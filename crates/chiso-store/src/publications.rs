//! Publications (công bố kết quả): immutable snapshots of a round's scored results,
//! in Vietnamese and English, with the hash of the inputs they were scored from, so
//! a report printed years later shows what was decided. There is no update or
//! delete (database triggers refuse both); a correction is a new publication that
//! supersedes the previous one.

use crate::audit::{self, AuditRecord};
use crate::db::blocking;
use crate::error::StoreError;
use crate::ids::{Actor, PublicationId, RoundId};
use crate::problems::InputProblem;
use crate::rounds::{self, Round, RoundStatus, inputs_hash, round_from_row};
use crate::store::Store;
use chiso_core::{AssessmentResults, Lang};
use chiso_io::{Files, Package};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// A publication without its results (for lists).
#[derive(Debug, Clone, PartialEq)]
pub struct PublicationInfo {
    pub id: PublicationId,
    pub round_id: RoundId,
    /// Unix ms.
    pub published_at: i64,
    pub published_by: String,
    /// The decision that approved the results (e.g. "Quyết định số 123/QĐ-UBND").
    pub decision: String,
    /// The day the decision was signed (`YYYY-MM-DD`), when it was given: the
    /// publication's date as the province counts it (`published_at` is when chiso
    /// stored it).
    pub decided_on: Option<String>,
    /// [`crate::inputs_hash`] of the files the results were scored from.
    pub inputs_hash: String,
    /// The publication this one corrects (or, after preliminary results, replaces).
    pub supersedes: Option<PublicationId>,
    /// Preliminary results, open to units' contests until a final publication
    /// replaces them.
    pub preliminary: bool,
}

/// The decision a publication is made under: its number and title as written, and
/// optionally the day it was signed (`YYYY-MM-DD`). A plain text converts into a
/// decision without a date.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    pub text: String,
    pub decided_on: Option<String>,
}

impl Decision {
    pub fn new(text: impl Into<String>, decided_on: Option<String>) -> Decision {
        Decision { text: text.into(), decided_on }
    }

    /// The trimmed text and the checked date, or why they cannot be published.
    fn checked(&self) -> Result<(&str, Option<&str>), StoreError> {
        let text = self.text.trim();
        if text.is_empty() {
            return Err(StoreError::InvalidInput(InputProblem::DecisionEmpty));
        }
        let date = self.decided_on.as_deref().map(str::trim).filter(|d| !d.is_empty());
        if let Some(date) = date
            && !is_calendar_date(date)
        {
            return Err(StoreError::InvalidInput(InputProblem::DecisionDate { date: date.to_owned() }));
        }
        Ok((text, date))
    }
}

impl From<&str> for Decision {
    fn from(text: &str) -> Decision {
        Decision::new(text, None)
    }
}

impl From<&String> for Decision {
    fn from(text: &String) -> Decision {
        Decision::new(text.as_str(), None)
    }
}

/// `YYYY-MM-DD` naming a day that exists, from 1945 (the first decisions of the
/// state) to 2199.
fn is_calendar_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &text[range];
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    match (number(0..4), number(5..7), number(8..10)) {
        (Some(year), Some(month), Some(day)) => {
            (1945..2200).contains(&year)
                && (1..=12).contains(&month)
                && day >= 1
                && day <= u32::from(chiso_core::kpi::days_in_month(year as i32, month as u8))
        }
        _ => false,
    }
}

/// A publication with its results: the `chiso score --format json` document in
/// each language, exactly as it was when published.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    pub info: PublicationInfo,
    pub results_json_vi: String,
    pub results_json_en: String,
    /// For a round run in the app: per unit, its self-assessed, appraised and final
    /// scores (total and per indicator), as JSON.
    pub stages_json: Option<String>,
}

impl Publication {
    pub fn results_json(&self, lang: Lang) -> &str {
        lang.pick(&self.results_json_vi, &self.results_json_en)
    }
}

/// A published round and its latest publication (for the public pages).
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRound {
    pub round: Round,
    pub latest: PublicationInfo,
}

const INFO_COLUMNS: &str =
    "id, round_id, published_at, published_by, decision, decided_on, inputs_hash, supersedes, preliminary";

fn info_from_row(row: &AnyRow, prefix: &str) -> Result<PublicationInfo, StoreError> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(PublicationInfo {
        id: PublicationId(row.try_get(column("id").as_str())?),
        round_id: RoundId(row.try_get(column("round_id").as_str())?),
        published_at: row.try_get(column("published_at").as_str())?,
        published_by: row.try_get(column("published_by").as_str())?,
        decision: row.try_get(column("decision").as_str())?,
        decided_on: row.try_get(column("decided_on").as_str())?,
        inputs_hash: row.try_get(column("inputs_hash").as_str())?,
        supersedes: row.try_get::<Option<i64>, _>(column("supersedes").as_str())?.map(PublicationId),
        preliminary: row.try_get::<i64, _>(column("preliminary").as_str())? == 1,
    })
}

fn publication_from_row(row: &AnyRow) -> Result<Publication, StoreError> {
    Ok(Publication {
        info: info_from_row(row, "")?,
        results_json_vi: row.try_get("results_json_vi")?,
        results_json_en: row.try_get("results_json_en")?,
        stages_json: row.try_get("stages_json")?,
    })
}

fn render(package: &Package, results: &AssessmentResults, lang: Lang) -> Result<String, StoreError> {
    let mut out = Vec::new();
    chiso_io::render::json::write(&mut out, &package.assessment, results, &package.kpi_sources, lang)
        .map_err(StoreError::corrupt)?;
    String::from_utf8(out).map_err(StoreError::corrupt)
}

/// The hash of the inputs and the results in both languages.
fn score_snapshot(files: BTreeMap<String, Vec<u8>>) -> Result<(String, String, String), StoreError> {
    let hash = inputs_hash(&files);
    let package = Package::from_files(Files::Memory(files))?;
    let results = package.score()?;
    Ok((hash, render(&package, &results, Lang::Vi)?, render(&package, &results, Lang::En)?))
}

/// Scores the round as it is now and stores a publication, inside the caller's
/// transaction; `stages_json` holds the self-assessed / appraised / final scores of
/// a round run in the app.
/// What a round run in the app publishes besides its results.
pub(crate) struct WorkflowResults {
    /// The self-assessed, appraised and final scores of every unit.
    pub stages_json: String,
    /// Preliminary results, open to contests.
    pub preliminary: bool,
}

pub(crate) async fn publish_tx(
    tx: &mut sqlx::AnyConnection,
    for_update: &str,
    round: RoundId,
    decision: &Decision,
    now: i64,
    actor: Actor,
    workflow: Option<WorkflowResults>,
) -> Result<PublicationId, StoreError> {
    let (stages_json, preliminary) = workflow.map_or((None, false), |w| (Some(w.stages_json), w.preliminary));
    let (decision, decided_on) = decision.checked()?;
    let status = rounds::lock_round(&mut *tx, round, for_update).await?;
    let files = rounds::load_inputs(&mut *tx, round).await?;
    let snapshot = files.clone();
    let (hash, vi, en) = blocking(move || score_snapshot(files)).await?;
    let previous: Option<i64> =
        sqlx::query_scalar("SELECT id FROM publications WHERE round_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(round.0)
            .fetch_optional(&mut *tx)
            .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO publications (round_id, published_at, published_by, decision, results_json_vi, \
         results_json_en, inputs_hash, supersedes, stages_json, preliminary, decided_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         RETURNING id",
    )
    .bind(round.0)
    .bind(now)
    .bind(actor.to_string())
    .bind(decision)
    .bind(vi)
    .bind(en)
    .bind(&hash)
    .bind(previous)
    .bind(stages_json)
    .bind(i64::from(preliminary))
    .bind(decided_on)
    .fetch_one(&mut *tx)
    .await?;
    for (path, content) in &snapshot {
        sqlx::query("INSERT INTO publication_files (publication_id, path, content) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(path)
            .bind(content.as_slice())
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE rounds SET status = 'published' WHERE id = $1")
        .bind(round.0)
        .execute(&mut *tx)
        .await?;
    let record = AuditRecord::new("round.publish", "publication", id)
        .before(json!({ "round": round.0, "status": status.code(), "latest_publication": previous }))
        .after(json!({
            "round": round.0,
            "status": RoundStatus::Published.code(),
            "decision": decision,
            "decided_on": decided_on,
            "inputs_hash": hash,
            "supersedes": previous,
            "preliminary": preliminary,
        }));
    audit::append(&mut *tx, now, actor, record).await?;
    Ok(PublicationId(id))
}

impl Store {
    /// Scores the round as it is now and stores the results as a new publication
    /// (superseding the round's latest, if any), marking the round published; one
    /// transaction with its audit row.
    #[tracing::instrument(skip_all, fields(round = %round, actor = %actor))]
    pub async fn publish_round(
        &self,
        round: RoundId,
        decision: impl Into<Decision>,
        actor: Actor,
    ) -> Result<PublicationId, StoreError> {
        let decision = decision.into();
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let id = publish_tx(&mut tx, self.for_update(), round, &decision, now, actor, None).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all, fields(publication = %id))]
    pub async fn publication(&self, id: PublicationId) -> Result<Option<Publication>, StoreError> {
        let sql = format!(
            "SELECT {INFO_COLUMNS}, results_json_vi, results_json_en, stages_json FROM publications WHERE id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(publication_from_row).transpose()
    }

    /// The round's current publication (the newest), with its results.
    #[tracing::instrument(skip_all, fields(round = %round))]
    pub async fn latest_publication(&self, round: RoundId) -> Result<Option<Publication>, StoreError> {
        let sql = format!(
            "SELECT {INFO_COLUMNS}, results_json_vi, results_json_en, stages_json FROM publications \
             WHERE round_id = $1 ORDER BY id DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(round.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(publication_from_row).transpose()
    }

    /// The package a publication was scored from, exactly: its stored inputs, or
    /// for a publication made before they were stored, the round's current inputs
    /// if they still hash to what was published. `None` when neither is there
    /// (the round changed since): nothing public may then be rebuilt from it.
    #[tracing::instrument(skip_all, fields(publication = %id))]
    pub async fn publication_package(&self, id: PublicationId) -> Result<Option<Package>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let Some(info) = self.publication(id).await?.map(|p| p.info) else {
            return Err(StoreError::not_found("publication", id));
        };
        let rows = sqlx::query("SELECT path, content FROM publication_files WHERE publication_id = $1")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?;
        let mut files: BTreeMap<String, Vec<u8>> = rows
            .iter()
            .map(|row| Ok((row.try_get("path")?, row.try_get("content")?)))
            .collect::<Result<_, StoreError>>()?;
        if files.is_empty() {
            files = rounds::load_inputs(&mut conn, info.round_id).await?;
        }
        if inputs_hash(&files) != info.inputs_hash {
            return Ok(None);
        }
        Ok(Some(blocking(move || Package::from_files(Files::Memory(files))).await?))
    }

    /// Every publication of a round, newest first.
    #[tracing::instrument(skip_all, fields(round = %round))]
    pub async fn publications(&self, round: RoundId) -> Result<Vec<PublicationInfo>, StoreError> {
        let sql = format!("SELECT {INFO_COLUMNS} FROM publications WHERE round_id = $1 ORDER BY id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(round.0).fetch_all(&self.pool).await?;
        rows.iter().map(|row| info_from_row(row, "")).collect()
    }

    /// The published rounds with their latest publication, newest year first.
    #[tracing::instrument(skip_all)]
    pub async fn published_rounds(&self) -> Result<Vec<PublishedRound>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, r.year, r.name_vi, r.name_en, r.overall, r.rank_precision, r.status, r.created_at, \
             r.created_by, p.id AS p_id, p.round_id AS p_round_id, p.published_at AS p_published_at, \
             p.published_by AS p_published_by, p.decision AS p_decision, p.decided_on AS p_decided_on, p.inputs_hash AS p_inputs_hash, \
             p.supersedes AS p_supersedes, p.preliminary AS p_preliminary \
             FROM rounds r JOIN publications p ON p.round_id = r.id \
             WHERE p.id = (SELECT MAX(q.id) FROM publications q WHERE q.round_id = r.id) \
             ORDER BY r.year DESC, r.id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok(PublishedRound { round: round_from_row(row)?, latest: info_from_row(row, "p_")? }))
            .collect()
    }
}
