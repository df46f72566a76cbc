//! The resolved model: an assessment and an uncertainty specification turned once
//! into flat arrays, so that one replication is a tight loop over them.
//!
//! Every replication is a *scenario*: a factor for each perturbed weight, a
//! normalisation and an aggregation. It is drawn from uniforms in [0, 1) laid out in
//! a fixed order (each `[[weights]]` entry in file order, its block covering the
//! indicators at that depth of every group in group order; then `normalise`, then
//! `aggregate`), whether the uniforms come from a seeded generator (uncertainty) or a
//! Sobol design (sensitivity).
//!
//! Per group, the indicator tree is cut down to the part a scenario can change: a
//! node none of whose descendants is perturbed is *frozen*, its value computed once
//! per unit (and per method combination, in composite mode) with the scoring
//! engine's own arithmetic. A replication only re-evaluates the nodes above the
//! perturbed ones. With every factor 1 the arithmetic is the scoring engine's, step
//! for step, so the totals are the nominal ones bit for bit.

use super::error::AnalysisError;
use super::sensitivity::Input;
use super::spec::UncertaintySpec;
use crate::assessment::Assessment;
use crate::framework::{Aggregate, Framework, Method, Normalise};
use crate::rank::rounded_key;
use crate::rule::Rule;
use crate::score::composite::fit_leaves;
use crate::score::points::group_best;
use crate::score::{AssessmentResults, UnitResult, score_assessment};
use crate::value::{Entry, Values};

/// Marks "no value" in composite tables and node values (a child without a value is
/// skipped by the aggregation). Normalised values are always finite.
const NONE: f64 = f64::NAN;

/// Factors for an unperturbed evaluation: every slot reads index 0.
pub(crate) const ONE: [f64; 1] = [1.0];

/// How the value of one node of a [`Tree`] is obtained.
#[derive(Debug, Clone, Copy)]
enum Node {
    /// Read from the unit's row of a frozen table, at this column.
    Frozen(u32),
    /// Computed from the children `children[start..end]`.
    Internal(u32, u32),
}

/// An indicator tree cut at the frozen nodes, in pre-order (parents first).
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    node: Vec<Node>,
    /// Children lists, in the order the scoring engine sums them: points mode sums
    /// the last child first (it walks the tree in reverse pre-order), composite mode
    /// the first child first.
    children: Vec<u32>,
    /// Per node: the index of its factor in the scenario's factor array.
    slot: Vec<u32>,
    /// Per node: its index in the framework.
    indicator: Vec<u32>,
    /// Points mode: per node, its max and the sum of its children's maxima.
    max: Vec<f64>,
    children_max: Vec<f64>,
    /// Composite mode: per node, its weight among its siblings.
    weight: Vec<f64>,
    /// The top-level nodes in the order their sums are taken (composite: the index).
    top: Vec<u32>,
    /// Per frozen column: the framework index of its node.
    pub(crate) frozen: Vec<usize>,
}

impl Tree {
    /// Cuts the framework's tree: a parent with `expand[i]` is computed from its
    /// children, any other node (every leaf) is frozen. `slot[i]` is the factor
    /// index of indicator i.
    pub(crate) fn build(framework: &Framework, expand: &[bool], slot: &[u32]) -> Tree {
        let indicators = &framework.indicators;
        let n = indicators.len();
        let points = framework.is_points();
        let mut position = vec![u32::MAX; n];
        let mut order = Vec::new();
        for (i, ind) in indicators.iter().enumerate() {
            let included = match ind.parent {
                None => true,
                Some(p) => position[p] != u32::MAX && expand[p] && !indicators[p].is_leaf(),
            };
            if included {
                position[i] = order.len() as u32;
                order.push(i);
            }
        }
        let mut tree = Tree {
            node: Vec::with_capacity(order.len()),
            children: Vec::new(),
            slot: Vec::with_capacity(order.len()),
            indicator: Vec::with_capacity(order.len()),
            max: Vec::with_capacity(order.len()),
            children_max: Vec::with_capacity(order.len()),
            weight: Vec::with_capacity(order.len()),
            top: Vec::new(),
            frozen: Vec::new(),
        };
        for &i in &order {
            let ind = &indicators[i];
            if expand[i] && !ind.is_leaf() {
                let start = tree.children.len() as u32;
                let kids = ind.children.iter().map(|&c| position[c]);
                if points {
                    tree.children.extend(kids.rev());
                } else {
                    tree.children.extend(kids);
                }
                tree.node.push(Node::Internal(start, tree.children.len() as u32));
            } else {
                tree.node.push(Node::Frozen(tree.frozen.len() as u32));
                tree.frozen.push(i);
            }
            tree.slot.push(slot[i]);
            tree.indicator.push(i as u32);
            tree.max.push(ind.max);
            // Summed exactly as the points kernel sums it.
            tree.children_max.push(ind.children.iter().map(|&c| indicators[c].max).sum());
            tree.weight.push(ind.weight);
        }
        tree.top = if points {
            framework.top.iter().rev().map(|&t| position[t]).collect()
        } else {
            framework.top.iter().take(1).map(|&t| position[t]).collect()
        };
        tree
    }

    /// The whole tree, every parent computed, every leaf frozen (columns in the
    /// order of [`Framework::leaves`]), no factor.
    pub(crate) fn full(framework: &Framework) -> Tree {
        let n = framework.indicators.len();
        Tree::build(framework, &vec![true; n], &vec![0; n])
    }

    pub(crate) fn len(&self) -> usize {
        self.node.len()
    }

    /// Points mode: one unit's total under `buf.lanes` scenarios at once. `row`
    /// holds the frozen columns' (points, applicable max), (0, 0) where not
    /// applicable; `factors` holds, per factor slot, one factor per lane. A perturbed
    /// node contributes f·points and f·max to its parent, whose points are rescaled
    /// to its nominal children maxima before its cap; at the top, earned / applicable
    /// max × scale, into `totals[..lanes]`.
    ///
    /// Applicable maxima do not depend on the factors, so they are computed once for
    /// all lanes; only points are computed per lane. Each lane does the scoring
    /// engine's operations in its order, so with factors 1 its total is the nominal
    /// one bit for bit.
    pub(crate) fn points(
        &self,
        row: &[[f64; 2]],
        factors: &[f64],
        scale: f64,
        buf: &mut Lanes,
        totals: &mut [f64],
    ) {
        let lanes = buf.lanes;
        for k in (0..self.node.len()).rev() {
            match self.node[k] {
                Node::Frozen(col) => [buf.fixed[k], buf.max[k]] = row[col as usize],
                Node::Internal(start, end) => {
                    let children = &self.children[start as usize..end as usize];
                    let applicable = self.gather(children, factors, buf);
                    let Lanes { points, max, earned, scaled, .. } = buf;
                    let out = &mut points[k * lanes..(k + 1) * lanes];
                    if applicable == 0.0 {
                        // Every child not applicable: so is the parent.
                        out.fill(0.0);
                        max[k] = 0.0;
                    } else {
                        let cap = self.max[k] * (applicable / self.children_max[k]).min(1.0);
                        // With every factor 1, applicable / scaled is exactly 1.
                        for ((o, &e), &s) in out.iter_mut().zip(earned.iter()).zip(scaled.iter()) {
                            *o = (e * (applicable / s)).min(cap);
                        }
                        max[k] = cap;
                    }
                }
            }
        }
        self.gather(&self.top, factors, buf);
        for ((t, &e), &s) in totals[..lanes].iter_mut().zip(buf.earned.iter()).zip(buf.scaled.iter()) {
            *t = e / s * scale;
        }
    }

    /// Sums f·points and f·max of the children into `buf.earned` and `buf.scaled`
    /// per lane, in the scoring engine's order; returns the sum of their applicable
    /// maxima.
    #[inline]
    fn gather(&self, children: &[u32], factors: &[f64], buf: &mut Lanes) -> f64 {
        let lanes = buf.lanes;
        let Lanes { points, fixed, max, earned, scaled, .. } = buf;
        earned.fill(0.0);
        scaled.fill(0.0);
        let mut applicable = 0.0;
        for &c in children {
            let c = c as usize;
            let f = &factors[self.slot[c] as usize * lanes..][..lanes];
            let m = max[c];
            applicable += m;
            match self.node[c] {
                Node::Frozen(_) => {
                    let p = fixed[c];
                    for ((e, s), &f) in earned.iter_mut().zip(scaled.iter_mut()).zip(f) {
                        *e += f * p;
                        *s += f * m;
                    }
                }
                Node::Internal(..) => {
                    let p = &points[c * lanes..(c + 1) * lanes];
                    for (((e, s), &f), &p) in earned.iter_mut().zip(scaled.iter_mut()).zip(f).zip(p) {
                        *e += f * p;
                        *s += f * m;
                    }
                }
            }
        }
        applicable
    }

    /// Composite mode: the index of one unit under the scenario of lane `lane` of
    /// `factors` (per factor slot, `lanes` factors). `row` holds the frozen columns'
    /// values ([`NONE`] for no value), `v` (len ≥ [`Tree::len`]) receives every
    /// node's value.
    /// The first child value ≤ 0 that geometric aggregation meets with a positive
    /// weight is an error, (framework index, value), as the scoring engine refuses it.
    #[inline]
    pub(crate) fn composite(
        &self,
        row: &[f64],
        factors: &[f64],
        lanes: usize,
        lane: usize,
        aggregate: Aggregate,
        v: &mut [f64],
    ) -> Result<f64, (usize, f64)> {
        for k in (0..self.node.len()).rev() {
            v[k] = match self.node[k] {
                Node::Frozen(col) => row[col as usize],
                Node::Internal(start, end) => {
                    let (mut weighted, mut weights) = (0.0, 0.0);
                    for &c in &self.children[start as usize..end as usize] {
                        let c = c as usize;
                        let x = v[c];
                        if x.is_nan() {
                            continue;
                        }
                        let w = self.weight[c] * factors[self.slot[c] as usize * lanes + lane];
                        match aggregate {
                            Aggregate::Arithmetic => weighted += w * x,
                            Aggregate::Geometric => {
                                if w > 0.0 {
                                    if x <= 0.0 {
                                        return Err((self.indicator[c] as usize, x));
                                    }
                                    weighted += w * x.ln();
                                }
                            }
                        }
                        weights += w;
                    }
                    if weights > 0.0 {
                        match aggregate {
                            Aggregate::Arithmetic => weighted / weights,
                            Aggregate::Geometric => (weighted / weights).exp(),
                        }
                    } else {
                        NONE
                    }
                }
            };
        }
        Ok(self.top.first().map_or(NONE, |&t| v[t as usize]))
    }
}

/// Buffers of the points kernel for a number of lanes (scenarios evaluated together).
#[derive(Debug)]
pub(crate) struct Lanes {
    lanes: usize,
    /// Internal nodes: points per lane (node × lanes).
    points: Vec<f64>,
    /// Frozen nodes: points (the same in every lane).
    fixed: Vec<f64>,
    /// Every node: applicable max (factors do not change it).
    max: Vec<f64>,
    earned: Vec<f64>,
    scaled: Vec<f64>,
}

impl Lanes {
    pub(crate) fn new(nodes: usize, lanes: usize) -> Lanes {
        Lanes {
            lanes,
            points: vec![0.0; nodes * lanes],
            fixed: vec![0.0; nodes],
            max: vec![0.0; nodes],
            earned: vec![0.0; lanes],
            scaled: vec![0.0; lanes],
        }
    }

    /// Node k's (points in lane 0, applicable max) after [`Tree::points`].
    fn node(&self, tree: &Tree, k: usize) -> [f64; 2] {
        match tree.node[k] {
            Node::Frozen(_) => [self.fixed[k], self.max[k]],
            Node::Internal(..) => [self.points[k * self.lanes], self.max[k]],
        }
    }
}

/// Per leaf of the framework (in [`Framework::leaves`] order), the unit's (points,
/// applicable max) as the scoring engine decides them: the rule's points, 0 for a
/// missing value, (0, 0) for not applicable.
pub(crate) fn leaf_points(
    framework: &Framework,
    values: &Values,
    unit: usize,
    best: &[f64],
) -> Vec<[f64; 2]> {
    let entries = values.unit(unit);
    framework
        .leaves
        .iter()
        .map(|&leaf| {
            let ind = &framework.indicators[leaf];
            match (ind.rule.as_ref(), entries[leaf]) {
                (Some(_), Entry::NotApplicable) | (None, _) => [0.0, 0.0],
                (Some(_), Entry::Missing) => [0.0, ind.max],
                (Some(rule), Entry::Given(value)) => [rule.points(value, ind.max, best[leaf]), ind.max],
            }
        })
        .collect()
}

/// The largest value among the group's units for each `relative` leaf.
pub(crate) fn best_of(framework: &Framework, members: &[usize], values: &Values) -> Vec<f64> {
    if framework.leaves.iter().any(|&l| matches!(framework.indicators[l].rule, Some(Rule::Relative))) {
        group_best(framework, members, values)
    } else {
        vec![0.0; framework.indicators.len()]
    }
}

/// What one group's replication needs besides the scenario.
#[derive(Debug)]
enum Kind {
    Points {
        scale: f64,
        /// members × frozen columns: (points, applicable max).
        table: Vec<[f64; 2]>,
    },
    Composite {
        normalises: Vec<Normalise>,
        /// Per normalisation: whether it is the framework's own, so that its totals
        /// are on the scale the bands are thresholds on.
        on_scale: Vec<bool>,
        aggregates: Vec<Aggregate>,
        /// Per (normalisation, aggregation) pair, index n × aggregates.len() + a:
        /// members × frozen columns of values.
        tables: Vec<Vec<f64>>,
    },
}

/// One group, resolved.
#[derive(Debug)]
pub(crate) struct GroupModel<'a> {
    /// Index into [`Assessment::groups`].
    pub(crate) group: usize,
    pub(crate) framework: &'a Framework,
    /// Unit indices, in file order.
    pub(crate) members: Vec<usize>,
    /// Per member: the rank and band of [`score_assessment`].
    pub(crate) nominal: Vec<u32>,
    pub(crate) nominal_band: Vec<usize>,
    /// Position of the first member in a replication's rank array.
    pub(crate) offset: usize,
    tree: Tree,
    kind: Kind,
}

impl GroupModel<'_> {
    /// Whether a replication that drew normalisation alternative `normalise` gives
    /// totals on the scale the bands are thresholds on: always for points, and for
    /// a composite index only under the framework's own normalisation.
    fn on_band_scale(&self, normalise: usize) -> bool {
        match &self.kind {
            Kind::Points { .. } => true,
            Kind::Composite { on_scale, .. } => on_scale[normalise],
        }
    }
}

/// Per unit (rank-array order): the replications on the bands' scale (`counted`)
/// and those of them in which the unit kept its nominal band (`kept`).
#[derive(Debug, Clone)]
pub(crate) struct BandTally {
    pub(crate) kept: Vec<u32>,
    pub(crate) counted: Vec<u32>,
}

impl BandTally {
    pub(crate) fn new(units: usize) -> BandTally {
        BandTally { kept: vec![0; units], counted: vec![0; units] }
    }
}

/// The whole package, resolved for one specification.
#[derive(Debug)]
pub(crate) struct Model<'a> {
    pub(crate) results: AssessmentResults,
    /// The uncertain inputs in draw order, with their numbers of uniforms.
    pub(crate) inputs: Vec<Input>,
    pub(crate) dims: Vec<usize>,
    /// Noise of each weight uniform (they come first in a draw).
    noise: Vec<f64>,
    normalise_count: usize,
    aggregate_count: usize,
    pub(crate) groups: Vec<GroupModel<'a>>,
    /// Members of all groups: the length of a replication's rank array.
    pub(crate) unit_count: usize,
    precision: u32,
    nodes: usize,
    largest_group: usize,
}

/// Reusable buffers of one worker.
#[derive(Debug)]
pub(crate) struct Scratch {
    lanes: usize,
    /// Per factor slot, one factor per lane; the last slot (unperturbed) is all 1.
    factors: Vec<f64>,
    /// Per lane: the drawn normalisation and aggregation alternatives.
    normalise: Vec<usize>,
    aggregate: Vec<usize>,
    points: Lanes,
    values: Vec<f64>,
    /// Per member of a group, one total per lane.
    totals: Vec<f64>,
    keys: Vec<i64>,
    sorted: Vec<i64>,
}

/// The spec depth of a framework's indicator (composite: the index is depth 0).
fn spec_depth(framework: &Framework, depth: usize) -> usize {
    if framework.is_points() { depth } else { depth - 1 }
}

impl<'a> Model<'a> {
    /// Checks the specification against the package, scores it, and resolves every
    /// group. Nothing is drawn yet.
    pub(crate) fn build(
        assessment: &'a Assessment,
        values: &Values,
        spec: &UncertaintySpec,
    ) -> Result<Model<'a>, AnalysisError> {
        if spec.samples == 0 {
            return Err(AnalysisError::NoSamples);
        }
        for (e, entry) in spec.weights.iter().enumerate() {
            if !(0.0..1.0).contains(&entry.noise) {
                return Err(AnalysisError::NoiseOutOfRange { depth: entry.depth, noise: entry.noise });
            }
            if spec.weights[..e].iter().any(|w| w.depth == entry.depth) {
                return Err(AnalysisError::DuplicateDepth { depth: entry.depth });
            }
        }
        let alternatives = !spec.normalise.is_empty() || !spec.aggregate.is_empty();
        for (g, group) in assessment.groups.iter().enumerate() {
            let framework = &group.framework;
            if alternatives && framework.is_points() {
                return Err(AnalysisError::AlternativesNeedComposite { group: g });
            }
            for entry in &spec.weights {
                if !framework.indicators.iter().any(|i| spec_depth(framework, i.depth) == entry.depth) {
                    return Err(AnalysisError::DepthNotFound { depth: entry.depth, group: g });
                }
            }
        }
        let results = score_assessment(assessment, values).map_err(AnalysisError::Score)?;

        // Factor slots: each weights entry covers its depth in every group, in group order.
        let mut slots: Vec<Vec<u32>> =
            assessment.groups.iter().map(|g| vec![u32::MAX; g.framework.indicators.len()]).collect();
        let mut noise = Vec::new();
        let mut inputs = Vec::new();
        let mut dims = Vec::new();
        for entry in &spec.weights {
            let before = noise.len();
            for (g, group) in assessment.groups.iter().enumerate() {
                let framework = &group.framework;
                for (i, ind) in framework.indicators.iter().enumerate() {
                    if spec_depth(framework, ind.depth) == entry.depth {
                        slots[g][i] = noise.len() as u32;
                        noise.push(entry.noise);
                    }
                }
            }
            inputs.push(Input::Weights { depth: entry.depth });
            dims.push(noise.len() - before);
        }
        // Unperturbed nodes read the factor after the weight factors, always 1.
        let unperturbed = noise.len() as u32;
        for slot in slots.iter_mut().flatten() {
            if *slot == u32::MAX {
                *slot = unperturbed;
            }
        }
        if !spec.normalise.is_empty() {
            inputs.push(Input::Normalise);
            dims.push(1);
        }
        if !spec.aggregate.is_empty() {
            inputs.push(Input::Aggregate);
            dims.push(1);
        }

        let mut by_unit: Vec<Option<&UnitResult>> = vec![None; assessment.units.len()];
        for r in &results.units {
            by_unit[r.unit] = Some(r);
        }
        let mut groups = Vec::with_capacity(assessment.groups.len());
        let mut offset = 0;
        for (g, group) in assessment.groups.iter().enumerate() {
            let framework = &group.framework;
            let members: Vec<usize> = assessment.units_of(g).collect();
            let mut nominal = Vec::with_capacity(members.len());
            let mut nominal_band = Vec::with_capacity(members.len());
            for &u in &members {
                let r = by_unit[u].ok_or(AnalysisError::UnitNotScored { unit: u })?;
                nominal.push(r.rank as u32);
                nominal_band.push(r.band);
            }
            let (tree, kind) = resolve_group(framework, &members, values, &slots[g], unperturbed, spec)?;
            groups.push(GroupModel {
                group: g,
                framework,
                offset,
                members,
                nominal,
                nominal_band,
                tree,
                kind,
            });
            offset += groups[groups.len() - 1].members.len();
        }
        let nodes = groups.iter().map(|g| g.tree.len()).max().unwrap_or(0);
        let largest_group = groups.iter().map(|g| g.members.len()).max().unwrap_or(0);
        Ok(Model {
            results,
            inputs,
            dims,
            noise,
            normalise_count: spec.normalise.len(),
            aggregate_count: spec.aggregate.len(),
            groups,
            unit_count: offset,
            precision: assessment.rank_precision,
            nodes,
            largest_group,
        })
    }

    /// Number of uniforms one scenario is drawn from.
    pub(crate) fn uniforms(&self) -> usize {
        self.dims.iter().sum()
    }

    /// Buffers for replications run `lanes` at a time.
    pub(crate) fn scratch(&self, lanes: usize) -> Scratch {
        Scratch {
            lanes,
            factors: vec![1.0; (self.noise.len() + 1) * lanes],
            normalise: vec![0; lanes],
            aggregate: vec![0; lanes],
            points: Lanes::new(self.nodes, lanes),
            values: vec![0.0; self.nodes],
            totals: vec![0.0; self.largest_group * lanes],
            keys: vec![0; self.largest_group],
            sorted: Vec::with_capacity(self.largest_group),
        }
    }

    /// Up to `scratch.lanes` replications at once, as many as `ranks` has room for.
    /// Replication s is drawn from
    /// `uniforms[s × d..(s + 1) × d]` (see the module documentation); its ranks are
    /// written to `ranks[s × units..]` (group after group, each group's members in
    /// file order) and, with `bands`, each replication whose totals are on the
    /// bands' scale is tallied per unit (see [`BandTally`]).
    pub(crate) fn run(
        &self,
        uniforms: &[f64],
        scratch: &mut Scratch,
        ranks: &mut [u32],
        mut bands: Option<&mut BandTally>,
    ) -> Result<(), AnalysisError> {
        let count = ranks.len() / self.unit_count.max(1);
        debug_assert!(count <= scratch.lanes && uniforms.len() == count * self.uniforms());
        self.scenarios(uniforms, count, scratch);
        let lanes = scratch.lanes;
        let factor = 10f64.powi(self.precision as i32);
        for group in &self.groups {
            let n = group.members.len();
            self.totals(group, count, scratch)?;
            let Scratch { totals, keys, sorted, normalise, .. } = scratch;
            let keys = &mut keys[..n];
            for s in 0..count {
                for (m, key) in keys.iter_mut().enumerate() {
                    *key = rounded_key(totals[m * lanes + s], self.precision);
                }
                let at = s * self.unit_count + group.offset;
                let ranks = &mut ranks[at..at + n];
                sorted.clear();
                sorted.extend_from_slice(keys);
                sorted.sort_unstable_by(|x, y| y.cmp(x));
                for (rank, key) in ranks.iter_mut().zip(keys.iter()) {
                    *rank = (sorted.partition_point(|s| s > key) + 1) as u32;
                }
                if let Some(tally) = bands.as_deref_mut()
                    && group.on_band_scale(normalise[s])
                {
                    let range = group.offset..group.offset + n;
                    let (kept, counted) = (&mut tally.kept[range.clone()], &mut tally.counted[range]);
                    for (m, key) in keys.iter().enumerate() {
                        counted[m] += 1;
                        if group.framework.band_for(*key as f64 / factor) == group.nominal_band[m] {
                            kept[m] += 1;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Draws `count` scenarios into the scratch: the weight factors (slot-major, one
    /// per lane) and the normalisation and aggregation alternatives (0 where none is
    /// drawn).
    fn scenarios(&self, uniforms: &[f64], count: usize, scratch: &mut Scratch) {
        let lanes = scratch.lanes;
        let draws = self.uniforms();
        let pick = |u: f64, k: usize| ((u * k as f64) as usize).min(k.saturating_sub(1));
        for s in 0..count {
            let u = &uniforms[s * draws..(s + 1) * draws];
            for (slot, (&noise, &u)) in self.noise.iter().zip(u).enumerate() {
                scratch.factors[slot * lanes + s] = 1.0 + noise * (2.0 * u - 1.0);
            }
            let mut at = self.noise.len();
            scratch.normalise[s] = if self.normalise_count > 0 {
                at += 1;
                pick(u[at - 1], self.normalise_count)
            } else {
                0
            };
            scratch.aggregate[s] =
                if self.aggregate_count > 0 { pick(u[at], self.aggregate_count) } else { 0 };
        }
    }

    /// Every member's total of one group under the first `count` scenarios of the
    /// scratch, into `scratch.totals[member × lanes + lane]`.
    fn totals(&self, group: &GroupModel, count: usize, scratch: &mut Scratch) -> Result<(), AnalysisError> {
        let Scratch { lanes, factors, normalise, aggregate, points, values, totals, .. } = scratch;
        let lanes = *lanes;
        let frozen = group.tree.frozen.len();
        match &group.kind {
            Kind::Points { scale, table } => {
                for m in 0..group.members.len() {
                    let row = &table[m * frozen..(m + 1) * frozen];
                    group.tree.points(row, factors, *scale, points, &mut totals[m * lanes..(m + 1) * lanes]);
                }
            }
            Kind::Composite { normalises, aggregates, tables, .. } => {
                for m in 0..group.members.len() {
                    for s in 0..count {
                        let table = &tables[normalise[s] * aggregates.len() + aggregate[s]];
                        let row = &table[m * frozen..(m + 1) * frozen];
                        let how = aggregates[aggregate[s]];
                        totals[m * lanes + s] = group
                            .tree
                            .composite(row, factors, lanes, s, how, values)
                            .map_err(|(indicator, value)| AnalysisError::GeometricNeedsPositive {
                                unit: group.members[m],
                                indicator,
                                value,
                                normalise: normalises[normalise[s]],
                            })?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every unit's unrounded total under the scenario drawn from `uniforms`, in
    /// rank-array order (tests compare them with the scoring engine's).
    #[cfg(test)]
    pub(crate) fn all_totals(&self, uniforms: &[f64]) -> Result<Vec<f64>, AnalysisError> {
        let mut scratch = self.scratch(1);
        self.scenarios(uniforms, 1, &mut scratch);
        let mut out = Vec::with_capacity(self.unit_count);
        for group in &self.groups {
            self.totals(group, 1, &mut scratch)?;
            out.extend_from_slice(&scratch.totals[..group.members.len()]);
        }
        Ok(out)
    }
}

/// Resolves one group: its cut tree and frozen tables.
fn resolve_group(
    framework: &Framework,
    members: &[usize],
    values: &Values,
    slot: &[u32],
    unperturbed: u32,
    spec: &UncertaintySpec,
) -> Result<(Tree, Kind), AnalysisError> {
    let indicators = &framework.indicators;
    let n = indicators.len();
    // A parent is evaluated per replication iff some node below it is perturbed.
    let mut below = vec![false; n];
    for i in (0..n).rev() {
        if let Some(p) = indicators[i].parent
            && (below[i] || slot[i] != unperturbed)
        {
            below[p] = true;
        }
    }
    let tree = Tree::build(framework, &below, slot);
    let full = Tree::full(framework);
    let mut values_of_nodes = vec![0.0; full.len()];
    let mut lanes = Lanes::new(full.len(), 1);
    let frozen = tree.frozen.len();
    let kind = match framework.method {
        Method::Points => {
            let best = best_of(framework, members, values);
            let scale = framework.scale.unwrap_or(100.0);
            let mut table = Vec::with_capacity(members.len() * frozen);
            for &unit in members {
                let row = leaf_points(framework, values, unit, &best);
                full.points(&row, &ONE, scale, &mut lanes, &mut [0.0]);
                // The full tree lists every indicator in framework order.
                table.extend(tree.frozen.iter().map(|&i| lanes.node(&full, i)));
            }
            Kind::Points { scale, table }
        }
        Method::Composite { normalise: own_normalise, aggregate: own_aggregate } => {
            let normalises =
                if spec.normalise.is_empty() { vec![own_normalise] } else { spec.normalise.clone() };
            let aggregates =
                if spec.aggregate.is_empty() { vec![own_aggregate] } else { spec.aggregate.clone() };
            let number = |unit: usize, leaf: usize| match values.get(unit, leaf) {
                Entry::Given(v) => v.as_number().map(|x| x * indicators[leaf].direction),
                _ => None,
            };
            let mut tables = Vec::with_capacity(normalises.len() * aggregates.len());
            for &normalise in &normalises {
                let normalisers = fit_leaves(framework, normalise, members, number);
                let leaf_rows: Vec<Vec<f64>> = members
                    .iter()
                    .map(|&unit| {
                        framework
                            .leaves
                            .iter()
                            .map(|&leaf| number(unit, leaf).map_or(NONE, |x| normalisers[leaf].apply(x)))
                            .collect()
                    })
                    .collect();
                for &aggregate in &aggregates {
                    let mut table = Vec::with_capacity(members.len() * frozen);
                    for (&unit, row) in members.iter().zip(&leaf_rows) {
                        full.composite(row, &ONE, 1, 0, aggregate, &mut values_of_nodes).map_err(
                            |(indicator, value)| AnalysisError::GeometricNeedsPositive {
                                unit,
                                indicator,
                                value,
                                normalise,
                            },
                        )?;
                        table.extend(tree.frozen.iter().map(|&i| values_of_nodes[i]));
                    }
                    tables.push(table);
                }
            }
            let on_scale = normalises.iter().map(|&n| n == own_normalise).collect();
            Kind::Composite { normalises, on_scale, aggregates, tables }
        }
    };
    Ok((tree, kind))
}
