//! The errors of the store. A constraint the database enforces (a unique username,
//! an immutable publication) comes back typed, so the web layer can answer 409/422
//! instead of 500.

use crate::problems::{Clash, InputProblem};
use chiso_io::PackageErrors;
use std::fmt;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A package (assessment or monitoring) was refused; nothing was stored. Each
    /// error names its file, line and field.
    #[error("the package was refused: {}", render_package_errors(.0))]
    Invalid(PackageErrors),
    /// Rows of a batch were refused (all or nothing: none was stored), each named.
    #[error("{} row(s) refused: {}", .0.len(), render_rows(.0))]
    Refused(Vec<RowProblem>),
    /// A caller-supplied field is unusable (an empty username, a scope with a space).
    #[error("invalid input: {0}")]
    InvalidInput(InputProblem),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// A clash with what is stored (a taken username, an open contest): the
    /// database is the source of truth.
    #[error("conflict: {0}")]
    Conflict(Clash),
    /// The round's workflow refuses the action now (chiso-core's rules); the
    /// refusal says why in either language. Nothing was written.
    #[error("{0}")]
    NotAllowed(chiso_core::workflow::Refusal),
    /// Someone changed the value after the person read it: what is stored now.
    #[error("{what} was changed meanwhile: it is at version {version} now, not {expected}")]
    Stale { what: String, value: Option<String>, version: i64, expected: i64 },
    /// Publications and the audit log are never changed; a published round is never deleted.
    #[error("immutable: {0}")]
    Immutable(String),
    #[error("unsupported database URL {0:?}: use sqlite:PATH, sqlite://PATH, postgres://… or postgresql://…")]
    UnsupportedUrl(String),
    /// Stored data could not be turned back into domain types (should not happen).
    #[error("stored data cannot be read back: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] Box<sqlx::migrate::MigrateError>),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

/// One refused row of a batch: its 0-based position in the batch and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    pub row: usize,
    pub kind: RowProblemKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowProblemKind {
    /// Observations: the KPI is not in the catalogue.
    UnknownKpi {
        kpi: String,
    },
    EmptyScope,
    BadPeriod {
        text: String,
    },
    NotFinite,
    /// The same KPI, scope and period appear twice in the batch.
    DuplicateInBatch {
        first_row: usize,
    },
    /// The store already holds an observation for this KPI, scope and period.
    AlreadyStored {
        kpi: String,
        scope: String,
        period: String,
    },
    /// Values: the unit is not in the round.
    UnknownUnit {
        unit: String,
    },
    /// Values: the indicator is not in the framework of the unit's group.
    UnknownIndicator {
        unit: String,
        indicator: String,
    },
    /// Values: the indicator has children; its points come from them.
    NotALeaf {
        indicator: String,
    },
    /// Submission: a leaf has no value.
    Unanswered {
        indicator: String,
    },
    /// Submission: an indicator with `evidence = true` has no evidence.
    NoEvidence {
        indicator: String,
    },
    /// Values: the leaf's rule refuses the text (not a number, outside [0, max], …).
    BadValue {
        unit: String,
        indicator: String,
        problem: chiso_core::Problem,
    },
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}: ", self.row)?;
        match &self.kind {
            RowProblemKind::UnknownKpi { kpi } => write!(f, "KPI {kpi:?} is not in the catalogue"),
            RowProblemKind::EmptyScope => f.write_str("the scope is empty"),
            RowProblemKind::BadPeriod { text } => {
                write!(f, "{text:?} is not a period (write 2024, 2024-Q3, 2024-09 or 2024-09-30)")
            }
            RowProblemKind::NotFinite => f.write_str("the value is not a finite number"),
            RowProblemKind::DuplicateInBatch { first_row } => {
                write!(f, "the same KPI, scope and period are already on row {first_row}")
            }
            RowProblemKind::AlreadyStored { kpi, scope, period } => {
                write!(f, "KPI {kpi:?}, scope {scope:?}, period {period} already has an observation")
            }
            RowProblemKind::UnknownUnit { unit } => write!(f, "unit {unit:?} is not in the round"),
            RowProblemKind::UnknownIndicator { unit, indicator } => {
                write!(f, "indicator {indicator:?} is not in the framework of unit {unit:?}")
            }
            RowProblemKind::NotALeaf { indicator } => {
                write!(f, "indicator {indicator:?} has children and is computed from them")
            }
            RowProblemKind::Unanswered { indicator } => write!(f, "indicator {indicator:?} has no answer"),
            RowProblemKind::NoEvidence { indicator } => write!(f, "indicator {indicator:?} needs evidence"),
            RowProblemKind::BadValue { unit, indicator, problem } => {
                write!(f, "unit {unit:?}, indicator {indicator:?}: {}", problem.message(chiso_core::Lang::En))
            }
        }
    }
}

fn render_package_errors(errors: &PackageErrors) -> String {
    errors.0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

fn render_rows(rows: &[RowProblem]) -> String {
    rows.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl From<PackageErrors> for StoreError {
    fn from(errors: PackageErrors) -> Self {
        StoreError::Invalid(errors)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(Box::new(e))
    }
}

/// Database errors are sorted by what they mean: a unique or foreign-key violation
/// is a [`StoreError::Conflict`], the immutability triggers a [`StoreError::Immutable`].
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let message = db.message().to_string();
            if message.contains("immutable:") {
                return StoreError::Immutable(message);
            }
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return StoreError::Conflict(Clash::AlreadyExists { detail: message });
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return StoreError::Conflict(Clash::StillReferenced { detail: message });
                }
                _ => {}
            }
        }
        StoreError::Database(e)
    }
}

impl StoreError {
    pub(crate) fn not_found(entity: &'static str, id: impl fmt::Display) -> StoreError {
        StoreError::NotFound { entity, id: id.to_string() }
    }

    pub(crate) fn corrupt(what: impl fmt::Display) -> StoreError {
        StoreError::Corrupt(what.to_string())
    }
}
