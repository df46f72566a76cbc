//! Variance-based (Sobol) sensitivity analysis: which of the method choices (weights, normalisation,
//! aggregation) drive the uncertainty of a ranking, and how much of it each explains alone or through
//! interactions.
//!
//! Saltelli's design evaluates the model on two independent sample matrices A and B and, for each input,
//! on A with that input's block taken from B. An input may be a block of several uniforms, so perturbing
//! many weights at once still counts as one input and its index covers all of them together.
//!
//! Every random number comes from a stream keyed by (seed, purpose, row or resample), and every sum is taken
//! in a fixed order, so the result depends on the seed alone, never on rayon's thread count or scheduling.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

/// The indices of one input for one output.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SobolIndex {
    /// First-order index, Saltelli (2010).
    pub si: f64,
    /// 95% bootstrap percentile interval of `si`.
    pub si_ci: [f64; 2],
    /// Total-order index, Jansen (1999).
    pub sti: f64,
    pub sti_ci: [f64; 2],
}

impl SobolIndex {
    const ZERO: Self = Self { si: 0.0, si_ci: [0.0; 2], sti: 0.0, sti_ci: [0.0; 2] };
}

/// What a sensitivity run needs besides the model.
#[derive(Debug, Clone, Copy)]
pub struct SobolDesign<'a> {
    /// Uniforms per input: input i is a block of `dims[i]` uniforms in [0, 1).
    pub dims: &'a [usize],
    /// Base samples N; the model runs N × (d + 2) times.
    pub samples: usize,
    /// Bootstrap resamples for the intervals (0: intervals are [si, si]).
    pub bootstrap: usize,
    pub seed: u64,
}

/// Number of model runs for a design: N × (d + 2).
pub fn runs(design: &SobolDesign) -> usize {
    design.samples.saturating_mul(design.dims.len().saturating_add(2))
}

/// Key of the stream that draws the rows of A and B.
const DESIGN_STREAM: u64 = 0;
/// Key of the stream that draws bootstrap resamples, so that changing `bootstrap` leaves A and B as they were.
const BOOTSTRAP_STREAM: u64 = 1;

/// `model(x)` gets one point: the concatenation of every input's block (length Σ dims)
/// and returns one value per output (always `outputs` values).
/// Result: `[output][input]`.
/// `progress` is called from worker threads with the number of model runs just finished
/// (small increments; the caller sums them for a progress bar).
///
/// The model runs exactly [`runs`] times, even for `samples < 2` (where the indices are all zero because one
/// row cannot estimate a variance), so a progress bar sized with [`runs`] always completes. A model that
/// breaks the `outputs` contract gets its surplus values ignored and missing ones read as NaN, which then
/// shows in the affected indices rather than passing for a plausible result.
pub fn sobol_indices<F>(
    design: &SobolDesign,
    outputs: usize,
    model: F,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<Vec<SobolIndex>>
where
    F: Fn(&[f64]) -> Vec<f64> + Sync,
{
    let d = design.dims.len();
    let n = design.samples;
    let y = evaluate(design, outputs, &model, progress);
    if n < 2 {
        return vec![vec![SobolIndex::ZERO; d]; outputs];
    }
    let block = (d + 2) * n;
    let output = |o: usize| &y[o * block..(o + 1) * block];

    let all: Vec<usize> = (0..n).collect();
    let point: Vec<Vec<(f64, f64)>> = (0..outputs).map(|o| estimate(output(o), n, d, &all)).collect();

    // One resample of rows serves every output, as the rows are shared model runs.
    let boot: Vec<Vec<Vec<(f64, f64)>>> = (0..design.bootstrap)
        .into_par_iter()
        .map(|b| {
            let mut rng = stream_rng(design.seed, BOOTSTRAP_STREAM, b as u64);
            let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            (0..outputs).map(|o| estimate(output(o), n, d, &rows)).collect()
        })
        .collect();

    point
        .iter()
        .enumerate()
        .map(|(o, estimates)| {
            estimates
                .iter()
                .enumerate()
                .map(|(i, &(si, sti))| {
                    if boot.is_empty() {
                        return SobolIndex { si, si_ci: [si, si], sti, sti_ci: [sti, sti] };
                    }
                    let first: Vec<f64> = boot.iter().map(|r| r[o][i].0).collect();
                    let total: Vec<f64> = boot.iter().map(|r| r[o][i].1).collect();
                    SobolIndex { si, si_ci: interval95(first), sti, sti_ci: interval95(total) }
                })
                .collect()
        })
        .collect()
}

/// A ChaCha stream per (seed, purpose, index): rows and resamples can then be drawn on any thread in any
/// order with the same values, and distinct keys cannot collide as derived 64-bit seeds could.
fn stream_rng(seed: u64, stream: u64, index: u64) -> StdRng {
    let mut key = [0u8; 32];
    for (chunk, word) in key.chunks_exact_mut(8).zip([seed, stream, index]) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    StdRng::from_seed(key)
}

/// Runs the model on every point of the design. Rows of A and B are drawn inside the worker from the row's
/// own stream, and the A_B^(i) points are built there too, so memory holds only the results.
///
/// Layout of the result: `[output][matrix][row]`, matrix 0 = A, 1 = B, 2 + i = A_B^(i), so that the
/// estimators read contiguous columns.
fn evaluate<F>(design: &SobolDesign, outputs: usize, model: &F, progress: &(dyn Fn(usize) + Sync)) -> Vec<f64>
where
    F: Fn(&[f64]) -> Vec<f64> + Sync,
{
    let d = design.dims.len();
    let n = design.samples;
    let k: usize = design.dims.iter().sum();
    let starts: Vec<usize> = design
        .dims
        .iter()
        .scan(0, |start, &dim| {
            let this = *start;
            *start += dim;
            Some(this)
        })
        .collect();
    let matrices = d + 2;

    let rows: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map_init(
            || vec![0.0; 3 * k],
            |buf, j| {
                let (a, rest) = buf.split_at_mut(k);
                let (b, x) = rest.split_at_mut(k);
                let mut rng = stream_rng(design.seed, DESIGN_STREAM, j as u64);
                a.iter_mut().chain(b.iter_mut()).for_each(|u| *u = rng.random());

                let mut out = Vec::with_capacity(matrices * outputs);
                let mut record = |values: Vec<f64>| {
                    out.extend(values.into_iter().chain(std::iter::repeat(f64::NAN)).take(outputs));
                };
                record(model(a));
                record(model(b));
                for (&start, &dim) in starts.iter().zip(design.dims) {
                    x.copy_from_slice(a);
                    x[start..start + dim].copy_from_slice(&b[start..start + dim]);
                    record(model(x));
                }
                progress(matrices);
                out
            },
        )
        .collect();

    let mut y = vec![0.0; outputs * matrices * n];
    for (j, row) in rows.into_iter().enumerate() {
        for (m, values) in row.chunks_exact(outputs.max(1)).enumerate().take(matrices) {
            for (o, &v) in values.iter().enumerate() {
                y[(o * matrices + m) * n + j] = v;
            }
        }
    }
    y
}

/// First-order and total indices of every input for one output, over the given rows (all rows, or a
/// bootstrap resample, repeats included). `y` is one output's `[matrix][row]` block; `rows` is non-empty.
fn estimate(y: &[f64], n: usize, d: usize, rows: &[usize]) -> Vec<(f64, f64)> {
    let fa = &y[..n];
    let fb = &y[n..2 * n];
    let count = rows.len() as f64;

    // Shifting by one observed value makes a constant output's variance exactly zero, and a variance at
    // the level of the model's own rounding noise is treated as zero too: indices of noise are meaningless.
    let shift = rows.first().map_or(0.0, |&j| fa[j]);
    let mean = rows.iter().map(|&j| (fa[j] - shift) + (fb[j] - shift)).sum::<f64>() / (2.0 * count);
    let variance = rows.iter().map(|&j| sq(fa[j] - shift - mean) + sq(fb[j] - shift - mean)).sum::<f64>()
        / (2.0 * count);
    let scale = rows.iter().map(|&j| fa[j].abs().max(fb[j].abs())).fold(0.0, f64::max);
    if variance <= sq(64.0 * f64::EPSILON * scale) {
        return vec![(0.0, 0.0); d];
    }

    (0..d)
        .map(|i| {
            let fab = &y[(2 + i) * n..(3 + i) * n];
            let first = rows.iter().map(|&j| fb[j] * (fab[j] - fa[j])).sum::<f64>() / count;
            let total = rows.iter().map(|&j| sq(fa[j] - fab[j])).sum::<f64>() / (2.0 * count);
            (first / variance, total / variance)
        })
        .collect()
}

fn sq(x: f64) -> f64 {
    x * x
}

/// The 2.5% and 97.5% percentiles of non-empty bootstrap estimates.
fn interval95(mut estimates: Vec<f64>) -> [f64; 2] {
    estimates.sort_by(f64::total_cmp);
    [percentile(&estimates, 0.025), percentile(&estimates, 0.975)]
}

/// Percentile of sorted values by linear interpolation between order statistics (R's type 7, the default
/// of R and NumPy), so intervals match what users get from those tools on the same estimates.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let h = p * last as f64;
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn no_progress(_: usize) {}

    /// Checks an estimate against the truth: within `tol` of it, and the truth inside the interval widened
    /// by 0.01 for the bootstrap's own noise.
    fn check(what: &str, estimate: f64, ci: [f64; 2], truth: f64, tol: f64) {
        assert!((estimate - truth).abs() <= tol, "{what}: estimate {estimate} vs truth {truth}");
        assert!(ci[0] <= estimate && estimate <= ci[1], "{what}: estimate {estimate} outside {ci:?}");
        assert!(ci[0] - 0.01 <= truth && truth <= ci[1] + 0.01, "{what}: truth {truth} outside {ci:?}");
    }

    fn ishigami(u: &[f64]) -> Vec<f64> {
        let x: Vec<f64> = u.iter().map(|&u| PI * (2.0 * u - 1.0)).collect();
        vec![x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()]
    }

    #[test]
    fn ishigami_matches_closed_form() {
        let (a, b) = (7.0, 0.1);
        let pi4 = PI.powi(4);
        let pi8 = PI.powi(8);
        let v = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi8 / 18.0 + 0.5;
        let v1 = sq(1.0 + b * pi4 / 5.0) / 2.0;
        let v2 = a * a / 8.0;
        let v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
        let s = [v1 / v, v2 / v, 0.0];
        let st = [(v1 + v13) / v, v2 / v, v13 / v];
        assert!((s[0] - 0.3139).abs() < 1e-4 && (st[2] - 0.2437).abs() < 1e-4);

        let design = SobolDesign { dims: &[1, 1, 1], samples: 10_000, bootstrap: 100, seed: 7 };
        let result = sobol_indices(&design, 1, ishigami, &no_progress);
        assert_eq!(result.len(), 1);
        assert_eq!(result[0].len(), 3);
        for (i, index) in result[0].iter().enumerate() {
            check(&format!("S{}", i + 1), index.si, index.si_ci, s[i], 0.05);
            check(&format!("ST{}", i + 1), index.sti, index.sti_ci, st[i], 0.05);
        }
    }

    #[test]
    fn grouped_linear_model() {
        let c = [1.0, 2.0, 3.0];
        let model = |u: &[f64]| vec![u.iter().zip(c).map(|(&u, c)| c * (2.0 * u - 1.0)).sum()];
        // Input 0 is the group {z0, z1}, input 1 is z2.
        let design = SobolDesign { dims: &[2, 1], samples: 5_000, bootstrap: 100, seed: 11 };
        let result = sobol_indices(&design, 1, model, &no_progress);
        let truth = [5.0 / 14.0, 9.0 / 14.0];
        assert_eq!(result[0].len(), 2);
        for (i, index) in result[0].iter().enumerate() {
            check(&format!("S{i}"), index.si, index.si_ci, truth[i], 0.05);
            check(&format!("ST{i}"), index.sti, index.sti_ci, truth[i], 0.05);
        }
    }

    #[test]
    fn outputs_are_indexed_output_then_input() {
        // Output 0 depends on input 0 only, output 1 on input 1 only, output 2 on both.
        let model = |u: &[f64]| {
            let z: Vec<f64> = u.iter().map(|&u| 2.0 * u - 1.0).collect();
            vec![z[0] + 2.0 * z[1], 3.0 * z[2], z[0] + z[2]]
        };
        let design = SobolDesign { dims: &[2, 1], samples: 2_000, bootstrap: 50, seed: 3 };
        let result = sobol_indices(&design, 3, model, &no_progress);
        assert_eq!(result.len(), 3);
        assert!(result.iter().all(|r| r.len() == 2));
        // An input the output ignores leaves f(A_B) == f(A) bit for bit: exactly zero.
        assert_eq!(result[0][1], SobolIndex::ZERO);
        assert_eq!(result[1][0], SobolIndex::ZERO);
        check("S00", result[0][0].si, result[0][0].si_ci, 1.0, 0.05);
        check("ST00", result[0][0].sti, result[0][0].sti_ci, 1.0, 0.05);
        check("S11", result[1][1].si, result[1][1].si_ci, 1.0, 0.05);
        check("ST11", result[1][1].sti, result[1][1].sti_ci, 1.0, 0.05);
        for index in &result[2] {
            check("S2", index.si, index.si_ci, 0.5, 0.05);
            check("ST2", index.sti, index.sti_ci, 0.5, 0.05);
        }
    }

    #[test]
    fn constant_model_gives_zeros() {
        let design = SobolDesign { dims: &[1, 3], samples: 500, bootstrap: 20, seed: 1 };
        let result = sobol_indices(&design, 2, |_| vec![0.1, -3.7], &no_progress);
        assert_eq!(result, vec![vec![SobolIndex::ZERO; 2]; 2]);
    }

    #[test]
    fn too_few_samples_give_zeros() {
        for samples in [0, 1] {
            let design = SobolDesign { dims: &[1, 2], samples, bootstrap: 10, seed: 1 };
            let result = sobol_indices(&design, 2, |u| vec![u[0], u[1] + u[2]], &no_progress);
            assert_eq!(result, vec![vec![SobolIndex::ZERO; 2]; 2]);
        }
    }

    #[test]
    fn no_bootstrap_gives_degenerate_intervals() {
        let design = SobolDesign { dims: &[1, 1, 1], samples: 200, bootstrap: 0, seed: 5 };
        let result = sobol_indices(&design, 1, ishigami, &no_progress);
        for index in &result[0] {
            assert_eq!(index.si_ci, [index.si, index.si]);
            assert_eq!(index.sti_ci, [index.sti, index.sti]);
            assert!(index.si != 0.0 && index.sti != 0.0);
        }
    }

    #[test]
    fn same_seed_same_result_whatever_the_threads() {
        let design = SobolDesign { dims: &[1, 1, 1], samples: 2_000, bootstrap: 50, seed: 42 };
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| sobol_indices(&design, 1, ishigami, &no_progress))
        };
        let one = run(1);
        let three = run(3);
        assert_eq!(one, three);

        let other = sobol_indices(&SobolDesign { seed: 43, ..design }, 1, ishigami, &no_progress);
        assert_ne!(one, other);
        for (a, b) in one[0].iter().zip(&other[0]) {
            assert!((a.si - b.si).abs() < 0.1 && (a.sti - b.sti).abs() < 0.1, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn model_runs_and_progress_match_runs() {
        for samples in [0, 1, 7, 100] {
            let design = SobolDesign { dims: &[2, 1, 3], samples, bootstrap: 5, seed: 9 };
            let calls = AtomicUsize::new(0);
            let reported = AtomicUsize::new(0);
            let model = |u: &[f64]| {
                assert_eq!(u.len(), 6);
                assert!(u.iter().all(|u| (0.0..1.0).contains(u)));
                calls.fetch_add(1, Ordering::Relaxed);
                vec![u.iter().sum()]
            };
            let progress = |k: usize| {
                reported.fetch_add(k, Ordering::Relaxed);
            };
            sobol_indices(&design, 1, model, &progress);
            assert_eq!(runs(&design), samples * 5);
            assert_eq!(calls.load(Ordering::Relaxed), runs(&design));
            assert_eq!(reported.load(Ordering::Relaxed), runs(&design));
        }
    }

    #[test]
    fn percentile_is_type_7() {
        let sorted = [1.0, 2.0, 3.0, 4.0];
        assert!((percentile(&sorted, 0.025) - 1.075).abs() < 1e-12);
        assert!((percentile(&sorted, 0.975) - 3.925).abs() < 1e-12);
        assert_eq!(percentile(&[5.0], 0.975), 5.0);
        assert_eq!(
            interval95(vec![4.0, 1.0, 3.0, 2.0]),
            [percentile(&sorted, 0.025), percentile(&sorted, 0.975)]
        );
    }
}
