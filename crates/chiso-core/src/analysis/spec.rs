//! The uncertainty specification (`uncertainty.toml` in `spec/analysis.md`), as
//! validated plain data. `chiso-io` reads the file into this; the analysis
//! functions check it against the assessment (depths that exist, alternatives only
//! for composite frameworks).

use crate::framework::{Aggregate, Normalise};

#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintySpec {
    /// Monte Carlo replications (uncertainty) or base samples N (sensitivity).
    pub samples: usize,
    pub seed: u64,
    /// Composite frameworks only: one drawn uniformly every sample. Empty: the
    /// framework's own method, never varied.
    pub normalise: Vec<Normalise>,
    pub aggregate: Vec<Aggregate>,
    /// In file order; at most one entry per depth.
    pub weights: Vec<WeightNoise>,
}

/// One `[[weights]]` entry: every weight at `depth` is multiplied by
/// `1 + U(−noise, noise)`, independently, every sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightNoise {
    /// As the spec counts: points mode, the top-level indicators are depth 1;
    /// composite mode, the index is depth 0 and its children depth 1 (so spec
    /// depth = [`crate::Indicator::depth`] − 1 there).
    pub depth: usize,
    /// In [0, 1).
    pub noise: f64,
}
