//! Persistence for chiso: one [`Store`] API over SQLite (a file, `chiso.db`: the
//! embedded default) and PostgreSQL (production, several app servers), the backend
//! chosen by the database URL's scheme.
//!
//! It holds assessment rounds (the exact files of the imported package, the values
//! in long form), immutable publications of their scored results, the KPI catalogue
//! and observations, users, sessions, API tokens, and an audit log of every write.
//! Every write is one transaction that appends its audit row, so a crash mid-write
//! leaves the database as it was.
//!
//! Packages are validated and scored by `chiso-io` / `chiso-core` (the same code the
//! CLI uses); the store never interprets a value itself. It knows nothing of HTTP:
//! password hashing, token generation and authorisation belong to the web layer.
//!
//! The schema is portable (integers, doubles, text, blobs; booleans as 0/1; instants
//! as Unix milliseconds; JSON as text) so one `sqlx::AnyPool` serves both backends;
//! `migrations/sqlite` and `migrations/postgres` hold the same migrations by name.

mod audit;
pub mod backup;
mod clock;
mod db;
mod error;
mod history;
mod ids;
mod monitoring;
mod problems;
mod publications;
mod rounds;
mod service_feeds;
mod sessions;
mod store;
mod tokens;
mod users;
mod workflow;

pub use audit::{AuditEntry, AuditFilter, DEFAULT_AUDIT_LIMIT};
pub use clock::Clock;
pub use error::{RowProblem, RowProblemKind, StoreError};
pub use history::{HistoryPoint, RestatedPrevious};
pub use ids::{
    Actor, ApiTokenId, ObservationId, PublicationId, RoundId, ServicePullId, ServiceSnapshotId,
    ServiceSourceId, UserId,
};
pub use monitoring::{MonitoringImport, NewObservation};
pub use problems::{Clash, InputProblem, stale_message};
pub use publications::{Decision, Publication, PublicationInfo, PublishedRound};
pub use rounds::{
    ChangeRefusal, RefusedChange, Round, RoundGroup, RoundStatus, RoundUnit, RoundValue, ValueChange,
    ValueSave, inputs_hash,
};
pub use service_feeds::{
    MAX_INTERVAL_MINUTES, NewServiceSnapshot, NewServiceSource, PullOutcome, ServicePull, ServicePullRecord,
    ServiceSnapshot, ServiceSource, SourceFormat, SourceKind,
};
pub use sessions::{LoginAttempt, NewSession, Session};
pub use store::{Backend, Store};
pub use tokens::{ApiToken, NewApiToken};
pub use users::{MAX_DISPLAY_NAME_CHARS, MAX_USERNAME_CHARS, NewUser, Role, User};
pub use workflow::{
    Appraisal, AppraisalChange, Contest, ContestFile, ContestStatus, Deadlines, Evidence, EvidenceKind,
    NewEvidence, NewFile, Stage, UnitEvent, UnitProgress, UnitState, Workflow, editable,
};
