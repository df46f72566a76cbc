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
) -> Result<Vec<UnitScore>, Vec<ScoreError>> {
    let indicators = &framework.indicators;
    let n = indicators.len();
    // Fit each leaf's normalisation across the group, then fill the table unit by
    // unit: reads and writes then walk memory in order.
    let number = |unit: usize, leaf: usize| match values.get(unit, leaf) {
        Entry::Given(v) => v.as_number().map(|x| x * indicators[leaf].direction),
        _ => None,
    };
    let mut normalisers = vec![Normaliser::Identity; n];
    for &leaf in &framework.leaves {
        normalisers[leaf] = Normaliser::fit(normalise, members.iter().filter_map(|&u| number(u, leaf)));
    }
    let mut table: Vec<Vec<Option<f64>>> = members
        .iter()
        .map(|&unit| {
            let mut row = vec![None; n];
            for &leaf in &framework.leaves {
                row[leaf] = number(unit, leaf).map(|x| normalisers[leaf].apply(x));
            }
            row
        })
        .collect();

    let mut scored = Vec::with_capacity(members.len());
    let mut errors = Vec::new();
    for (k, &unit) in members.iter().enumerate() {
        let row = &mut table[k];
        let mut failed = false;
        for i in (0..n).rev() {
            let ind = &indicators[i];
            if ind.is_leaf() {
                continue;
            }
            let (mut weighted, mut weights) = (0.0, 0.0);
            for &c in &ind.children {
                let Some(x) = row[c] else { continue };
                let w = indicators[c].weight;
                match aggregate {
                    Aggregate::Arithmetic => weighted += w * x,
                    Aggregate::Geometric => {
                        if x <= 0.0 && w > 0.0 {
                            errors.push(ScoreError::GeometricNeedsPositive { unit, indicator: c, value: x });
                            failed = true;
                            break;
                        }
                        if w > 0.0 {
                            weighted += w * x.ln();
                        }
                    }
                }
                weights += w;
            }
            if failed {
                break;
            }
            row[i] = (weights > 0.0).then(|| match aggregate {
                Aggregate::Arithmetic => weighted / weights,
                Aggregate::Geometric => (weighted / weights).exp(),
            });
        }
        if failed {
            continue;
        }
        let Some(total) = row[framework.top[0]] else {
            errors.push(ScoreError::NoIndexValue { unit });
            continue;
        };
        let entries = values.unit(unit);
        let leaves_where = |wanted: fn(&Entry) -> bool| -> Vec<usize> {
            framework.leaves.iter().copied().filter(|&l| wanted(&entries[l])).collect()
        };
        scored.push(UnitScore {
            total,
            scores: std::mem::take(row),
            missing: leaves_where(|e| matches!(e, Entry::Missing)),
            not_applicable: leaves_where(|e| matches!(e, Entry::NotApplicable)),
        });
    }
    if errors.is_empty() { Ok(scored) } else { Err(errors) }
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
    pub(crate) fn fit(normalise: Normalise, xs: impl Iterator<Item = f64> + Clone) -> Normaliser {
        let (mut count, mut sum, mut lo, mut hi) = (0usize, 0.0, f64::INFINITY, f64::NEG_INFINITY);
        for x in xs.clone() {
            count += 1;
            sum += x;
            lo = lo.min(x);
            hi = hi.max(x);
        }
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
                let variance = xs.map(|x| (x - m) * (x - m)).sum::<f64>() / (count - 1) as f64;
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
