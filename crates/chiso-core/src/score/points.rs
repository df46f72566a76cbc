//! Points mode: each leaf earns points by its rule; a parent sums its children,
//! capped at its applicable maximum; not-applicable leaves shrink their parents.

use super::{ScoreError, UnitScore};
use crate::framework::Framework;
use crate::rule::Rule;
use crate::value::{Entry, Values};

pub(super) fn score_group(
    framework: &Framework,
    members: &[usize],
    values: &Values,
    threads: usize,
) -> Result<Vec<UnitScore>, Vec<ScoreError>> {
    let indicators = &framework.indicators;
    let n = indicators.len();
    let best = group_best(framework, members, values);
    let children_max: Vec<f64> =
        indicators.iter().map(|ind| ind.children.iter().map(|&c| indicators[c].max).sum()).collect();
    let scale = framework.scale.unwrap_or(100.0);

    // The kernel reads only this compact copy of the tree, not the whole indicators
    // (names, codes, units), so a unit's pass stays in the nearest cache.
    let nodes: Vec<Node> = indicators
        .iter()
        .map(|ind| Node { max: ind.max, parent: ind.parent.unwrap_or(usize::MAX), rule: ind.rule.as_ref() })
        .collect();
    let results = super::per_unit(members, threads, |chunk| {
        // Scratch sums, reset per unit: points and applicable maxima of each parent's children.
        let mut child_points: Vec<f64> = vec![0.0; n];
        let mut child_max = vec![0.0; n];
        chunk
            .iter()
            .map(|&unit| {
                child_points.fill(0.0);
                child_max.fill(0.0);
                score_unit(
                    &nodes,
                    values,
                    unit,
                    &best,
                    &children_max,
                    scale,
                    &mut child_points,
                    &mut child_max,
                )
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

/// One indicator as the kernel sees it.
struct Node<'a> {
    max: f64,
    /// `usize::MAX` at the top level.
    parent: usize,
    /// Leaves only.
    rule: Option<&'a Rule>,
}

#[allow(clippy::too_many_arguments)]
#[inline]
fn score_unit(
    nodes: &[Node],
    values: &Values,
    unit: usize,
    best: &[f64],
    children_max: &[f64],
    scale: f64,
    child_points: &mut [f64],
    child_max: &mut [f64],
) -> Result<UnitScore, ScoreError> {
    let n = nodes.len();
    let entries = values.unit(unit);
    let mut scores = vec![None; n];
    let (mut missing, mut not_applicable) = (Vec::new(), Vec::new());
    let (mut top_points, mut top_max) = (0.0, 0.0);
    // Reverse pre-order: every child is done before its parent.
    for i in (0..n).rev() {
        let ind = &nodes[i];
        let (points, applicable_max) = match (ind.rule, entries[i]) {
            (Some(_), Entry::NotApplicable) => {
                not_applicable.push(i);
                continue;
            }
            (Some(_), Entry::Missing) => {
                missing.push(i);
                (0.0, ind.max)
            }
            (Some(rule), Entry::Given(value)) => (rule.points(value, ind.max, best[i]), ind.max),
            (None, _) => {
                // Every max is > 0, so a parent with an applicable child has child_max > 0.
                if child_max[i] == 0.0 {
                    continue;
                }
                let applicable_max = ind.max * (child_max[i] / children_max[i]).min(1.0);
                (child_points[i].min(applicable_max), applicable_max)
            }
        };
        scores[i] = Some(points);
        if ind.parent == usize::MAX {
            top_points += points;
            top_max += applicable_max;
        } else {
            child_points[ind.parent] += points;
            child_max[ind.parent] += applicable_max;
        }
    }
    if top_max == 0.0 {
        return Err(ScoreError::NothingApplicable { unit });
    }
    missing.reverse();
    not_applicable.reverse();
    Ok(UnitScore { total: top_points / top_max * scale, scores, missing, not_applicable })
}

/// For each `relative` leaf, the largest value among the group's units that have one.
pub(crate) fn group_best(framework: &Framework, members: &[usize], values: &Values) -> Vec<f64> {
    let mut best = vec![0.0; framework.indicators.len()];
    for &leaf in &framework.leaves {
        if matches!(framework.indicators[leaf].rule, Some(Rule::Relative)) {
            best[leaf] = members
                .iter()
                .filter_map(|&u| match values.get(u, leaf) {
                    Entry::Given(v) => v.as_number(),
                    _ => None,
                })
                .fold(0.0, f64::max);
        }
    }
    best
}
