//! Uncertainty analysis: Monte Carlo replications of the scoring with drawn weights
//! and methods, and per unit the distribution of its rank (mean, median, 5% and 95%
//! percentiles) and the share of replications that keep its nominal band.
//!
//! Replications run in chunks of [`CHUNK`] on rayon; chunk k draws from its own
//! generator seeded from (seed, k) and the chunks are joined in order, so the result
//! depends on the seed alone, never on the number of threads.

use super::error::AnalysisError;
use super::model::{BandTally, Model};
use super::spec::UncertaintySpec;
use crate::assessment::Assessment;
use crate::value::Values;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

/// Replications per chunk: a chunk is the unit of parallel work and of progress.
pub const CHUNK: usize = 64;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UncertaintyResult {
    pub samples: usize,
    pub seed: u64,
    /// In the order of [`Assessment::groups`].
    pub groups: Vec<GroupRanks>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupRanks {
    /// Index into [`Assessment::groups`].
    pub group: usize,
    /// In nominal rank order (ties in file order), like [`crate::AssessmentResults`].
    pub units: Vec<RankInterval>,
}

/// The ranks one unit took over the replications.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RankInterval {
    /// Index into [`Assessment::units`].
    pub unit: usize,
    /// The rank of [`crate::score_assessment`].
    pub nominal: usize,
    pub mean: f64,
    /// Percentiles by linear interpolation between order statistics (R type 7).
    pub median: f64,
    pub q05: f64,
    pub q95: f64,
    /// Share (0..=1) of the replications in which the unit keeps its nominal band,
    /// among those whose totals are on the bands' scale (a replication that draws
    /// another normalisation than the framework's own is left out); `None` when no
    /// replication is left.
    pub band_kept: Option<f64>,
}

/// SplitMix64's output function: decorrelates nearby seeds.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of chunk `k`'s generator.
fn chunk_seed(seed: u64, k: usize) -> u64 {
    splitmix64(seed ^ splitmix64(k as u64))
}

/// The p-quantile of sorted values, by linear interpolation between order
/// statistics (R's type 7, NumPy's default).
pub(crate) fn quantile(sorted: &[u32], p: f64) -> f64 {
    let Some(&last) = sorted.last() else { return f64::NAN };
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    if lo + 1 >= sorted.len() {
        return f64::from(last);
    }
    let (a, b) = (f64::from(sorted[lo]), f64::from(sorted[lo + 1]));
    a + (h - lo as f64) * (b - a)
}

/// What one chunk of replications yields.
struct Chunk {
    /// Replication after replication, each a rank per unit (rank-array order).
    ranks: Vec<u32>,
    /// Per unit: replications on the bands' scale, and those that kept the band.
    bands: BandTally,
}

/// Runs `spec.samples` replications. `progress` is called (from worker threads)
/// with the number of replications of each finished chunk.
pub fn uncertainty(
    assessment: &Assessment,
    values: &Values,
    spec: &UncertaintySpec,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<UncertaintyResult, AnalysisError> {
    let model = Model::build(assessment, values, spec)?;
    let samples = spec.samples;
    let units = model.unit_count;
    let draws = model.uniforms();
    let chunks: Vec<Result<Chunk, AnalysisError>> = (0..samples.div_ceil(CHUNK))
        .into_par_iter()
        .map(|k| {
            let len = CHUNK.min(samples - k * CHUNK);
            let mut rng = StdRng::seed_from_u64(chunk_seed(spec.seed, k));
            let mut scratch = model.scratch(CHUNK);
            let mut uniforms = vec![0.0; len * draws];
            for u in &mut uniforms {
                *u = rng.random::<f64>();
            }
            let mut ranks = vec![0u32; len * units];
            let mut bands = BandTally::new(units);
            model.run(&uniforms, &mut scratch, &mut ranks, Some(&mut bands))?;
            progress(len);
            Ok(Chunk { ranks, bands })
        })
        .collect();
    let mut ranks = Vec::with_capacity(samples * units);
    let mut kept = vec![0u64; units];
    let mut counted = vec![0u64; units];
    for chunk in chunks {
        let chunk = chunk?;
        ranks.extend_from_slice(&chunk.ranks);
        for (total, k) in kept.iter_mut().zip(chunk.bands.kept) {
            *total += u64::from(k);
        }
        for (total, c) in counted.iter_mut().zip(chunk.bands.counted) {
            *total += u64::from(c);
        }
    }

    // Position of each unit in a replication's rank array.
    let mut position = vec![0; assessment.units.len()];
    for group in &model.groups {
        for (m, &unit) in group.members.iter().enumerate() {
            position[unit] = group.offset + m;
        }
    }
    let groups = model
        .groups
        .iter()
        .zip(&model.results.groups)
        .map(|(group, result)| {
            let order: Vec<usize> = result.units.iter().map(|&r| model.results.units[r].unit).collect();
            let units = order
                .par_iter()
                .map(|&unit| {
                    let at = position[unit];
                    let mut column: Vec<u32> = ranks.iter().skip(at).step_by(units.max(1)).copied().collect();
                    let sum: u64 = column.iter().map(|&r| u64::from(r)).sum();
                    column.sort_unstable();
                    RankInterval {
                        unit,
                        nominal: group.nominal[at - group.offset] as usize,
                        mean: sum as f64 / samples as f64,
                        median: quantile(&column, 0.5),
                        q05: quantile(&column, 0.05),
                        q95: quantile(&column, 0.95),
                        band_kept: (counted[at] > 0).then(|| kept[at] as f64 / counted[at] as f64),
                    }
                })
                .collect();
            GroupRanks { group: group.group, units }
        })
        .collect();
    Ok(UncertaintyResult { samples, seed: spec.seed, groups })
}
