//! Analysis of a scored assessment: how robust its ranking is to the choice of
//! weights and methods (uncertainty and Sobol sensitivity), and what would move a
//! unit to the next band (gap analysis).

pub mod sobol;
pub mod spec;

pub use spec::{UncertaintySpec, WeightNoise};
