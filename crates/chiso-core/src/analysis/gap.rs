//! Gap analysis (points mode): what one unit could still gain on each leaf, and the
//! shortest list of leaves whose full completion reaches the next band up.
//!
//! Every gain is a recomputed total (the leaf at its max, through the caps and the
//! not-applicable rescaling of the scoring engine) minus the current one, so the
//! list is verified with the real arithmetic by construction.

use super::error::AnalysisError;
use super::model::{Lanes, ONE, Tree, best_of, leaf_points};
use crate::assessment::Assessment;
use crate::rank::round_half_away;
use crate::score::AssessmentResults;
use crate::value::Values;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Gap {
    /// Index into [`Assessment::units`].
    pub unit: usize,
    /// As scored: unrounded, rounded to `rank_precision`, band index, rank.
    pub total: f64,
    pub rounded: f64,
    pub band: usize,
    pub rank: usize,
    /// `None` when the unit is already in the top band.
    pub next: Option<NextBand>,
    /// Every leaf with a gain above 0, largest gain first, ties in framework order.
    pub leaves: Vec<LeafGain>,
    /// Indicator indices, chosen greedily by the gain they add to those already
    /// chosen, whose full completion reaches `next.min` (rounded as scoring rounds).
    /// When even every leaf cannot reach it, every leaf that adds anything, in the
    /// same greedy order, and `reachable` is false. Empty when `next` is `None`.
    pub shortest: Vec<usize>,
    /// Whether completing `shortest` reaches the next band (false without one).
    pub reachable: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NextBand {
    /// Index into the framework's bands.
    pub band: usize,
    pub min: f64,
    /// `min` − the rounded total.
    pub needed: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeafGain {
    /// Index into the framework's indicators.
    pub indicator: usize,
    pub points: f64,
    pub max: f64,
    /// In total points: what completing this leaf alone adds to the unit's total.
    pub gain: f64,
}

/// Gap analysis of one unit (index into [`Assessment::units`]), given the results
/// of [`crate::score_assessment`] for the same package.
pub fn gap(
    assessment: &Assessment,
    values: &Values,
    results: &AssessmentResults,
    unit: usize,
) -> Result<Gap, AnalysisError> {
    let not_scored = AnalysisError::UnitNotScored { unit };
    let group = assessment.units.get(unit).ok_or(not_scored.clone())?.group;
    let framework = &assessment.groups.get(group).ok_or(not_scored.clone())?.framework;
    if !framework.is_points() {
        return Err(AnalysisError::GapNeedsPoints { group });
    }
    let scored = results.units.iter().find(|r| r.unit == unit).ok_or(not_scored)?;
    let members: Vec<usize> = assessment.units_of(group).collect();
    let best = best_of(framework, &members, values);
    let mut row = leaf_points(framework, values, unit, &best);
    let mut eval = Evaluator::new(Tree::full(framework), framework.scale.unwrap_or(100.0));
    let maxima: Vec<f64> = framework.leaves.iter().map(|&l| framework.indicators[l].max).collect();
    let precision = assessment.rank_precision;
    let current = eval.total(&row);

    let mut leaves: Vec<LeafGain> = Vec::new();
    for j in 0..row.len() {
        let g = eval.gain(&mut row, &maxima, j, current);
        if g > 0.0 {
            let leaf = framework.leaves[j];
            leaves.push(LeafGain { indicator: leaf, points: row[j][0], max: maxima[j], gain: g });
        }
    }
    // Stable: ties stay in framework order.
    leaves.sort_by(|a, b| b.gain.total_cmp(&a.gain));

    let band_min = framework.bands[scored.band].min;
    let next = framework
        .bands
        .iter()
        .enumerate()
        .filter(|(_, b)| b.min > band_min)
        .min_by(|(_, a), (_, b)| a.min.total_cmp(&b.min))
        .map(|(band, b)| NextBand { band, min: b.min, needed: b.min - scored.rounded });

    let mut shortest = Vec::new();
    let mut reachable = false;
    if let Some(next) = &next {
        let mut now = current;
        loop {
            if round_half_away(now, precision) >= next.min {
                reachable = true;
                break;
            }
            let mut pick: Option<(usize, f64)> = None;
            for j in 0..row.len() {
                let g = eval.gain(&mut row, &maxima, j, now);
                if g > 0.0 && pick.is_none_or(|(_, best)| g > best) {
                    pick = Some((j, g));
                }
            }
            let Some((j, _)) = pick else { break };
            row[j] = [maxima[j], maxima[j]];
            shortest.push(framework.leaves[j]);
            now = eval.total(&row);
        }
    }
    Ok(Gap {
        unit,
        total: scored.total,
        rounded: scored.rounded,
        band: scored.band,
        rank: scored.rank,
        next,
        leaves,
        shortest,
        reachable,
    })
}

/// The points kernel over a whole framework, with its buffers.
struct Evaluator {
    tree: Tree,
    scale: f64,
    lanes: Lanes,
}

impl Evaluator {
    fn new(tree: Tree, scale: f64) -> Evaluator {
        let lanes = Lanes::new(tree.len(), 1);
        Evaluator { tree, scale, lanes }
    }

    /// The total of a row of leaf (points, applicable max), in framework leaf order.
    fn total(&mut self, row: &[[f64; 2]]) -> f64 {
        let mut total = [0.0];
        self.tree.points(row, &ONE, self.scale, &mut self.lanes, &mut total);
        total[0]
    }

    /// What completing leaf column `j` adds to the total `now` of `row`; 0 for a
    /// leaf that is not applicable or already full.
    fn gain(&mut self, row: &mut [[f64; 2]], maxima: &[f64], j: usize, now: f64) -> f64 {
        let saved = row[j];
        let [points, applicable] = saved;
        if applicable == 0.0 || points >= maxima[j] {
            return 0.0;
        }
        row[j] = [maxima[j], maxima[j]];
        let gained = self.total(row) - now;
        row[j] = saved;
        gained
    }
}
