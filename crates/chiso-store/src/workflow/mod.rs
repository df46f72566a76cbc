//! The assessment round run in the app (đợt đánh giá trực tuyến): stages with
//! deadlines (draft → open for self-assessment → appraisal → approved →
//! published), each unit's progress (not started → draft → submitted → returned →
//! appraised), its history, appraised values with their reasons, and evidence.
//!
//! The rules are chiso-core's [`chiso_core::workflow`]: every write loads the
//! round's [`RoundState`] under the round's lock, asks the core's `check` what the
//! action changes ([`state`]), writes the action's own rows, then the
//! [`chiso_core::workflow::Transition`]. A refusal is [`StoreError::NotAllowed`]
//! with the core's typed reason. The store checks no roles: the web layer decides
//! those with the core's `authorise` before calling it.
//!
//! Self-assessed values are the round's values (`round_values`, edited with
//! optimistic versions); an appraised value overrides one of them for scoring.
//! Every change is one transaction with its audit row.

mod appraisal;
mod contests;
mod evidence;
mod scores;
mod stages;
mod state;
mod values;

pub use chiso_core::workflow::{Deadlines, RoundState, Stage, UnitState, editable};
pub use contests::{Contest, ContestFile, ContestStatus, NewFile};

use crate::ids::RoundId;

#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    pub round: RoundId,
    pub stage: Stage,
    pub deadlines: Deadlines,
    /// Until when units may contest preliminary results (Unix ms).
    pub contest_deadline: Option<i64>,
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
