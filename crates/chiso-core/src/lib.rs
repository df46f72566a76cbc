//! The chiso domain, pure: frameworks (indicator trees, rules, bands) and their
//! validation, values, scoring in points and composite mode, bands and ranks; the
//! public-service quality index of Decision 766/QĐ-TTg ([`service_index`]).
//!
//! This crate must not do IO, async, databases or HTTP. It takes plain definitions
//! (as read from files by `chiso-io`, or from a database) and says *what* is wrong
//! with them through [`Problem`]s tied to a [`Site`]; the caller knows *where* (file
//! and line) that site was written.

pub mod analysis;
pub mod assessment;
pub mod demo;
pub mod framework;
pub mod kpi;
pub mod lang;
pub mod lineage;
pub mod number;
pub mod problem;
pub mod rank;
pub mod rule;
pub mod score;
pub mod service_index;
pub mod value;
pub mod workflow;

pub use assessment::{Assessment, AssessmentDef, Group, GroupDef, OverallRule, Unit};
pub use framework::{Aggregate, Band, Framework, FrameworkDef, Indicator, IndicatorDef, Method, Normalise};
pub use lang::{Lang, Names};
pub use problem::{Problem, Site, SiteProblem};
pub use rule::{Rule, RuleDef};
pub use score::{
    AssessmentResults, GroupResult, ScoreError, UnitResult, score_assessment, score_assessment_on,
};
pub use value::{Entry, Value, Values};
