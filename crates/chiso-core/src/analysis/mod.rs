//! Analysis of a scored assessment: how robust its ranking is to the choice of
//! weights and methods (uncertainty and Sobol sensitivity), and what would move a
//! unit to the next band (gap analysis).

mod error;
mod gap;
mod model;
mod sensitivity;
pub mod sobol;
pub mod spec;
#[cfg(test)]
mod tests;
mod uncertainty;

pub use error::AnalysisError;
pub use gap::{Gap, LeafGain, NextBand, gap};
pub use sensitivity::{GroupSensitivity, Input, InputSensitivity, SensitivityResult, sensitivity};
pub use sobol::SobolIndex;
pub use spec::{UncertaintySpec, WeightNoise};
pub(crate) use uncertainty::splitmix64;
pub use uncertainty::{CHUNK, GroupRanks, RankInterval, UncertaintyResult, uncertainty};
