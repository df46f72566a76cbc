//! Composite mode, as the JRC's COINr defines it: leaves normalised across the
//! group (n_minmax, n_zscore), then weighted arithmetic or geometric means up the
//! tree (a_amean, a_gmean); the index is the unit's total.

use super::{ScoreError, UnitScore};
use crate::framework::{Aggregate, Framework, Normalise};
use crate::value::{Entry, Values};

pub(super) fn score_group(
    framework: &Framework,
    normalise: Normalise,
    aggregate: Aggregate,
    members: &[usize],
    values: &Values,
    threads: usize,
) -> Result<Vec<UnitScore>, Vec<ScoreError>> {
    let indicators = &framework.indicators;
    let n = indicators.len();
    // Fit each leaf's normalisation across the group, then fill the table unit by
    // unit: reads and writes then walk memory in order.
    let number = |unit: usize, leaf: usize| match values.get(unit, leaf) {
        Entry::Given(v) => v.as_number().map(|x| x * indicators[leaf].direction),
        _ => None,
    };
    let normalisers = fit_leaves(framework, normalise, members, number);
    // Parents in reverse pre-order with their (child, weight) pairs: all the
    // aggregation reads, kept compact.
    let parents: Vec<(usize, Vec<(usize, f64)>)> = (0..n)
        .rev()
        .filter(|&i| !indicators[i].is_leaf())
        .map(|i| (i, indicators[i].children.iter().map(|&c| (c, indicators[c].weight)).collect()))
        .collect();
    let results = super::per_unit(members, threads, |chunk| {
        chunk
            .iter()
            .map(|&unit| {
                let mut row = vec![None; n];
                for &leaf in &framework.leaves {
                    row[leaf] = number(unit, leaf).map(|x| normalisers[leaf].apply(x));
                }
                aggregate_unit(framework, &parents, aggregate, values, unit, row)
            })
            .collect::<Vec<_>>()
    });
    let (scored, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    if errors.is_empty() {
        Ok(scored.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(errors.into_iter().filter_map(Result::err).collect())
    }
}

/// Aggregates one unit's normalised leaves up the tree (reverse pre-order).
fn aggregate_unit(
    framework: &Framework,
    parents: &[(usize, Vec<(usize, f64)>)],
    aggregate: Aggregate,
    values: &Values,
    unit: usize,
    mut row: Vec<Option<f64>>,
) -> Result<UnitScore, ScoreError> {
    for (i, children) in parents {
        let (mut weighted, mut weights) = (0.0, 0.0);
        for &(c, w) in children {
            let Some(x) = row[c] else { continue };
            match aggregate {
                Aggregate::Arithmetic => weighted += w * x,
                Aggregate::Geometric => {
                    if x <= 0.0 && w > 0.0 {
                        return Err(ScoreError::GeometricNeedsPositive { unit, indicator: c, value: x });
                    }
                    if w > 0.0 {
                        weighted += w * x.ln();
                    }
                }
            }
            weights += w;
        }
        row[*i] = (weights > 0.0).then(|| match aggregate {
            Aggregate::Arithmetic => weighted / weights,
            Aggregate::Geometric => (weighted / weights).exp(),
        });
    }
    let total = row[framework.top[0]].ok_or(ScoreError::NoIndexValue { unit })?;
    let entries = values.unit(unit);
    let leaves_where = |wanted: fn(&Entry) -> bool| -> Vec<usize> {
        framework.leaves.iter().copied().filter(|&l| wanted(&entries[l])).collect()
    };
    Ok(UnitScore {
        total,
        scores: row,
        missing: leaves_where(|e| matches!(e, Entry::Missing)),
        not_applicable: leaves_where(|e| matches!(e, Entry::NotApplicable)),
    })
}

/// Fits every leaf's normalisation with row-wise passes over the units (each leaf's
/// sums still accumulate in unit order, as a column-wise fit would): reading the
/// value table column by column costs a cache miss per value on large groups.
pub(crate) fn fit_leaves(
    framework: &Framework,
    normalise: Normalise,
    members: &[usize],
    number: impl Fn(usize, usize) -> Option<f64>,
) -> Vec<Normaliser> {
    let n = framework.indicators.len();
    let (mut count, mut sum) = (vec![0usize; n], vec![0.0; n]);
    let (mut lo, mut hi) = (vec![f64::INFINITY; n], vec![f64::NEG_INFINITY; n]);
    for &unit in members {
        for &leaf in &framework.leaves {
            if let Some(x) = number(unit, leaf) {
                count[leaf] += 1;
                sum[leaf] += x;
                lo[leaf] = lo[leaf].min(x);
                hi[leaf] = hi[leaf].max(x);
            }
        }
    }
    let mut squares = vec![0.0; n];
    if matches!(normalise, Normalise::ZScore { .. }) {
        for &unit in members {
            for &leaf in &framework.leaves {
                if let Some(x) = number(unit, leaf) {
                    let m = sum[leaf] / count[leaf] as f64;
                    squares[leaf] += (x - m) * (x - m);
                }
            }
        }
    }
    (0..n)
        .map(|i| {
            Normaliser::from_stats(
                normalise,
                Stats { count: count[i], sum: sum[i], lo: lo[i], hi: hi[i], squares: squares[i] },
            )
        })
        .collect()
}

/// What a normalisation needs of one leaf's values across the group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stats {
    count: usize,
    sum: f64,
    lo: f64,
    hi: f64,
    /// Σ (x − mean)², for z-scores.
    squares: f64,
}

/// A normalisation fitted to one leaf's values across the group.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Normaliser {
    /// Every unit gets this value (no spread, or a single value).
    Constant(f64),
    /// x ↦ (x − shift) × factor + offset.
    Affine {
        shift: f64,
        factor: f64,
        offset: f64,
    },
    Identity,
}

impl Normaliser {
    pub(crate) fn from_stats(normalise: Normalise, stats: Stats) -> Normaliser {
        let Stats { count, sum, lo, hi, squares } = stats;
        // "No spread" is decided on min = max, exactly: a computed standard
        // deviation of equal values is not always exactly 0.
        let no_spread = count == 0 || lo == hi;
        match normalise {
            Normalise::None => Normaliser::Identity,
            Normalise::MinMax { low, high } => {
                if no_spread {
                    Normaliser::Constant((low + high) / 2.0)
                } else {
                    Normaliser::Affine { shift: lo, factor: (high - low) / (hi - lo), offset: low }
                }
            }
            Normalise::ZScore { mean, sd } => {
                if no_spread || count < 2 {
                    return Normaliser::Constant(mean);
                }
                let m = sum / count as f64;
                let variance = squares / (count - 1) as f64;
                Normaliser::Affine { shift: m, factor: sd / variance.sqrt(), offset: mean }
            }
        }
    }

    pub(crate) fn apply(&self, x: f64) -> f64 {
        match *self {
            Normaliser::Constant(c) => c,
            Normaliser::Affine { shift, factor, offset } => (x - shift) * factor + offset,
            Normaliser::Identity => x,
        }
    }
}
