//! The public-service quality index of Decision 766/QĐ-TTg (Chỉ số phục vụ người dân,
//! doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công), per department
//! and commune, as the national portal computes it: six groups, 100 points
//! (`shared/spec/service-index.md`, documented in `docs/formats/service-index.md`).
//!
//! Pure: records come in already parsed, one at a time, so that a reader can stream
//! a file of millions of dossiers, and a web page or a scheduled feed can pass
//! records from elsewhere:
//!
//! ```text
//! Catalogue (units, procedures) → Tally::new → add_dossier / add_petition … → Tally::score → ServiceIndex
//! ```
//!
//! Memory grows with (units + procedures) × periods, never with the number of
//! records. Rendering (JSON, CSV, tables, KPI observations) is `chiso-io`'s job.

pub mod calendar;
pub mod catalogue;
pub mod indicators;
pub mod period;
pub mod records;
pub mod result;
mod rules;
mod scoring;
mod tally;

#[cfg(test)]
mod tests;

pub use calendar::{Date, Moment, wd};
pub use catalogue::{Catalogue, ProcedureId, RecordProblem, UnitId};
pub use indicators::{GROUPS, Group, IndicatorCode, Input, Inputs, Rule};
pub use period::{PeriodKind, PeriodRange, RangeProblem, ServicePeriod};
pub use records::{Dossier, Level, OnlineLevel, Petition, Procedure, ServiceUnit};
pub use result::{GroupScore, IndicatorScore, PeriodScores, Scope, ScopeScore, ServiceIndex, Status};
pub use scoring::TIE;
pub use tally::Tally;
