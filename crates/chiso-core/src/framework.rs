//! Frameworks (khung chỉ số): the indicator tree of one unit group, its rules and
//! rating bands (xếp loại). A [`FrameworkDef`] is what a file says; [`Framework::build`]
//! validates it once into flat arrays in pre-order (every parent before its
//! children), so scoring is a pass over arrays and never looks anything up.

use crate::lang::{Names, NamesDef};
use crate::problem::{Problem, Site, SiteProblem};
use crate::rule::{Rule, RuleDef};
use std::collections::HashMap;

/// A framework as written, before validation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrameworkDef {
    pub id: Option<String>,
    pub name: Option<NamesDef>,
    pub method: Option<String>,
    pub scale: Option<f64>,
    pub normalise: Option<NormaliseDef>,
    pub aggregate: Option<String>,
    pub bands: Vec<BandDef>,
    pub indicators: Vec<IndicatorDef>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NormaliseDef {
    pub kind: Option<String>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BandDef {
    pub code: Option<String>,
    pub min: Option<f64>,
    pub label: Option<NamesDef>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndicatorDef {
    pub code: Option<String>,
    pub parent: Option<String>,
    pub name: Option<NamesDef>,
    pub max: Option<f64>,
    pub unit: Option<NamesDef>,
    pub rule: Option<RuleDef>,
    pub source: Option<String>,
    pub evidence: Option<bool>,
    /// The unit (a department) that verifies this indicator's values during
    /// appraisal; none: the appraisal council.
    pub verifier: Option<String>,
    pub weight: Option<f64>,
    pub direction: Option<f64>,
}

/// How a framework turns values into a total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Points per leaf by its rule, summed up the tree with caps.
    Points,
    /// Normalise leaves across the group, then weighted aggregation up the tree.
    Composite { normalise: Normalise, aggregate: Aggregate },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalise {
    MinMax { low: f64, high: f64 },
    ZScore { mean: f64, sd: f64 },
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Arithmetic,
    Geometric,
}

/// Where a leaf's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The unit's self-assessment (tự đánh giá).
    SelfAssessment,
    /// The appraisal council (hội đồng thẩm định).
    Appraisal,
    /// A monitoring KPI's yearly value for the unit.
    Kpi(String),
}

/// A rating band (xếp loại): a total gets the band with the highest `min` it reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub code: String,
    pub min: f64,
    pub label: Names,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub code: String,
    pub name: Names,
    /// Index of the parent in [`Framework::indicators`].
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// 1 for a top-level indicator.
    pub depth: usize,
    /// Points mode: the maximum points; composite mode: 0.
    pub max: f64,
    pub unit: Option<Names>,
    /// Points-mode leaves only.
    pub rule: Option<Rule>,
    pub source: Source,
    pub evidence: bool,
    /// The unit (a department) that verifies this indicator during appraisal;
    /// None: the appraisal council.
    pub verifier: Option<String>,
    /// Composite mode: weight among siblings (default 1).
    pub weight: f64,
    /// Composite mode: 1 higher is better, -1 lower is better.
    pub direction: f64,
    /// Position of the `[[indicator]]` in the file, for messages.
    pub def_index: usize,
}

impl Indicator {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Framework {
    pub id: String,
    pub name: Names,
    pub method: Method,
    /// Points mode: the top-level maxima sum to this. Composite mode: 100 by
    /// convention (only used to print "/100" style totals when given).
    pub scale: Option<f64>,
    /// In file order.
    pub bands: Vec<Band>,
    /// In pre-order: every parent before its children, siblings in file order.
    pub indicators: Vec<Indicator>,
    /// Indices of the top-level indicators.
    pub top: Vec<usize>,
    /// Indices of the leaves, in pre-order.
    pub leaves: Vec<usize>,
    by_code: HashMap<String, usize>,
}

const METHODS: &[&str] = &["points", "composite"];
const AGGREGATES: &[&str] = &["arithmetic", "geometric"];
const NORMALISATIONS: &[&str] = &["minmax", "zscore", "none"];
const SOURCES: &[&str] = &["self", "appraisal", "kpi:<KPI code>"];

impl Framework {
    /// Validates a definition, collecting every problem rather than stopping at the first.
    pub fn build(def: &FrameworkDef) -> Result<Framework, Vec<SiteProblem>> {
        let mut problems = Vec::new();
        let mut report = |site: Site, problem: Problem| problems.push(SiteProblem::new(site, problem));

        let id = match def.id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_string(),
            Some(_) => {
                report(Site::Field("id"), Problem::EmptyCode);
                String::new()
            }
            None => {
                report(Site::Field("id"), Problem::MissingField);
                String::new()
            }
        };
        let name = names(def.name.as_ref(), Site::Field("name"), &mut report);
        let method = build_method(def, &mut report);
        let is_points = method == Some(Method::Points);
        let scale = match (def.scale, is_points) {
            (None, true) => {
                report(Site::Field("scale"), Problem::MissingField);
                None
            }
            (Some(scale), _) if scale <= 0.0 => {
                report(Site::Field("scale"), Problem::NotPositive { found: scale });
                None
            }
            (scale, _) => scale,
        };
        let bands = build_bands(&def.bands, &mut report);
        let tree = build_tree(&def.indicators, &mut report);
        let (Some(method), Some(tree)) = (method, tree) else {
            return Err(problems);
        };

        let mut indicators = Vec::with_capacity(tree.order.len());
        for &i in &tree.order {
            let d = &def.indicators[i];
            let site = |field| Site::Indicator { index: i, field };
            let has_children = !tree.children[i].is_empty();
            let code = d.code.clone().unwrap_or_default().trim().to_string();
            let name =
                names(d.name.as_ref(), site("name"), &mut |s, p| problems.push(SiteProblem::new(s, p)));
            let mut max = 0.0;
            let mut rule = None;
            let (mut weight, mut direction) = (1.0, 1.0);
            if is_points {
                match d.max {
                    None => problems.push(SiteProblem::new(site("max"), Problem::MissingField)),
                    Some(m) if m <= 0.0 => {
                        problems.push(SiteProblem::new(site("max"), Problem::NotPositive { found: m }))
                    }
                    Some(m) => max = m,
                }
                match (&d.rule, has_children) {
                    (Some(_), true) => problems
                        .push(SiteProblem::new(site("rule"), Problem::RuleOnParent { code: code.clone() })),
                    (None, false) => problems
                        .push(SiteProblem::new(site("rule"), Problem::MissingRule { code: code.clone() })),
                    (Some(r), false) => match Rule::build(r, max) {
                        Ok(r) => rule = Some(r),
                        Err(rule_problems) => problems.extend(
                            rule_problems.into_iter().map(|(field, p)| SiteProblem::new(site(field), p)),
                        ),
                    },
                    (None, true) => {}
                }
                for (field, set) in [("weight", d.weight.is_some()), ("direction", d.direction.is_some())] {
                    if set {
                        problems
                            .push(SiteProblem::new(site(field), Problem::NotForMethod { method: "points" }));
                    }
                }
            } else {
                if d.rule.is_some() {
                    problems
                        .push(SiteProblem::new(site("rule"), Problem::NotForMethod { method: "composite" }));
                }
                match d.weight {
                    Some(w) if w < 0.0 => {
                        problems.push(SiteProblem::new(site("weight"), Problem::NegativeValue { value: w }))
                    }
                    Some(w) => weight = w,
                    None => {}
                }
                match d.direction {
                    Some(v) if v != 1.0 && v != -1.0 => {
                        problems.push(SiteProblem::new(site("direction"), Problem::BadDirection { found: v }))
                    }
                    Some(v) => direction = v,
                    None => {}
                }
            }
            let source = match build_source(d.source.as_deref()) {
                Ok(source) => source,
                Err(problem) => {
                    problems.push(SiteProblem::new(site("source"), problem));
                    Source::SelfAssessment
                }
            };
            indicators.push(Indicator {
                code,
                name,
                parent: tree.parent[i].map(|p| tree.position[p]),
                children: tree.children[i].iter().map(|&c| tree.position[c]).collect(),
                depth: 0,
                max,
                unit: crate::lang::free_text(d.unit.as_ref()),
                rule,
                source,
                evidence: d.evidence.unwrap_or(false),
                verifier: d.verifier.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned),
                weight,
                direction,
                def_index: i,
            });
        }
        for i in 0..indicators.len() {
            indicators[i].depth = indicators[i].parent.map_or(1, |p| indicators[p].depth + 1);
        }
        let top: Vec<usize> = (0..indicators.len()).filter(|&i| indicators[i].parent.is_none()).collect();
        let leaves: Vec<usize> = (0..indicators.len()).filter(|&i| indicators[i].is_leaf()).collect();

        if is_points {
            if problems.is_empty() {
                check_maxima(&indicators, &top, scale, &mut problems);
            }
        } else if top.len() != 1 {
            problems.push(SiteProblem::new(
                Site::Field("indicator"),
                Problem::CompositeTopLevel { count: top.len() },
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let by_code = indicators.iter().enumerate().map(|(i, ind)| (ind.code.clone(), i)).collect();
        Ok(Framework { id, name, method, scale, bands, indicators, top, leaves, by_code })
    }

    /// The index of the indicator with this code.
    pub fn find(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// The band a (rounded) total falls in: the one with the highest `min` it
    /// reaches; a total below every band gets the lowest band.
    pub fn band_for(&self, total: f64) -> usize {
        let mut best: Option<usize> = None;
        let mut lowest = 0;
        for (i, band) in self.bands.iter().enumerate() {
            if band.min < self.bands[lowest].min {
                lowest = i;
            }
            if total >= band.min && best.is_none_or(|b| band.min > self.bands[b].min) {
                best = Some(i);
            }
        }
        best.unwrap_or(lowest)
    }

    pub fn is_points(&self) -> bool {
        self.method == Method::Points
    }

    /// The maximum points of the whole framework (points mode).
    pub fn max_points(&self) -> f64 {
        self.top.iter().map(|&i| self.indicators[i].max).sum()
    }
}

fn names(def: Option<&NamesDef>, site: Site, report: &mut impl FnMut(Site, Problem)) -> Names {
    match def.map(NamesDef::validate) {
        None => {
            report(site, Problem::MissingField);
            Names::default()
        }
        Some(Err(missing)) => {
            report(site, Problem::NameIncomplete { missing });
            Names::default()
        }
        Some(Ok(names)) => names,
    }
}

fn build_method(def: &FrameworkDef, report: &mut impl FnMut(Site, Problem)) -> Option<Method> {
    let word = def.method.as_deref().map(str::trim).unwrap_or("points");
    match word {
        "points" => {
            for (field, set) in
                [("normalise", def.normalise.is_some()), ("aggregate", def.aggregate.is_some())]
            {
                if set {
                    report(Site::Field(field), Problem::NotForMethod { method: "points" });
                }
            }
            Some(Method::Points)
        }
        "composite" => {
            let aggregate = match def.aggregate.as_deref().map(str::trim).unwrap_or("arithmetic") {
                "arithmetic" => Some(Aggregate::Arithmetic),
                "geometric" => Some(Aggregate::Geometric),
                other => {
                    report(
                        Site::Field("aggregate"),
                        Problem::UnknownWord { found: other.into(), expected: AGGREGATES },
                    );
                    None
                }
            };
            let normalise = match &def.normalise {
                None => Some(Normalise::MinMax { low: 0.0, high: 100.0 }),
                Some(n) => build_normalise(n, report),
            };
            Some(Method::Composite { normalise: normalise?, aggregate: aggregate? })
        }
        other => {
            report(Site::Field("method"), Problem::UnknownWord { found: other.into(), expected: METHODS });
            None
        }
    }
}

fn build_normalise(def: &NormaliseDef, report: &mut impl FnMut(Site, Problem)) -> Option<Normalise> {
    let Some(kind) = def.kind.as_deref().map(str::trim) else {
        report(Site::Field("normalise.kind"), Problem::MissingField);
        return None;
    };
    let fields = [("low", def.low), ("high", def.high), ("mean", def.mean), ("sd", def.sd)];
    let takes: &[&str] = match kind {
        "minmax" => &["low", "high"],
        "zscore" => &["mean", "sd"],
        "none" => &[],
        other => {
            report(
                Site::Field("normalise.kind"),
                Problem::UnknownWord { found: other.into(), expected: NORMALISATIONS },
            );
            return None;
        }
    };
    let mut ok = true;
    for (field, value) in fields {
        if value.is_some() && !takes.contains(&field) {
            report(
                Site::Field(normalise_field(field)),
                Problem::RuleFieldUnexpected { kind: kind.to_string(), field },
            );
            ok = false;
        }
    }
    let normalise = match kind {
        "minmax" => {
            let (low, high) = (def.low.unwrap_or(0.0), def.high.unwrap_or(100.0));
            if low >= high {
                report(Site::Field("normalise.high"), Problem::BadNormaliseRange { low, high });
                ok = false;
            }
            Normalise::MinMax { low, high }
        }
        "zscore" => {
            let (mean, sd) = (def.mean.unwrap_or(0.0), def.sd.unwrap_or(1.0));
            if sd <= 0.0 {
                report(Site::Field("normalise.sd"), Problem::NotPositive { found: sd });
                ok = false;
            }
            Normalise::ZScore { mean, sd }
        }
        _ => Normalise::None,
    };
    ok.then_some(normalise)
}

fn normalise_field(field: &str) -> &'static str {
    match field {
        "low" => "normalise.low",
        "high" => "normalise.high",
        "mean" => "normalise.mean",
        _ => "normalise.sd",
    }
}

fn build_source(word: Option<&str>) -> Result<Source, Problem> {
    match word.map(str::trim) {
        None | Some("self") => Ok(Source::SelfAssessment),
        Some("appraisal") => Ok(Source::Appraisal),
        Some(other) => match other.strip_prefix("kpi:").map(str::trim) {
            Some(code) if !code.is_empty() => Ok(Source::Kpi(code.to_string())),
            _ => Err(Problem::UnknownWord { found: other.to_string(), expected: SOURCES }),
        },
    }
}

fn build_bands(defs: &[BandDef], report: &mut impl FnMut(Site, Problem)) -> Vec<Band> {
    if defs.is_empty() {
        report(Site::Field("band"), Problem::NoBands);
        return Vec::new();
    }
    let mut bands: Vec<Band> = Vec::with_capacity(defs.len());
    for (index, d) in defs.iter().enumerate() {
        let site = |field| Site::Band { index, field };
        let code = d.code.as_deref().map(str::trim).unwrap_or("").to_string();
        if d.code.is_none() {
            report(site("code"), Problem::MissingField);
        } else if code.is_empty() {
            report(site("code"), Problem::EmptyCode);
        } else if bands.iter().any(|b| b.code == code) {
            report(site("code"), Problem::DuplicateBand { code: code.clone() });
        }
        let Some(min) = d.min else {
            report(site("min"), Problem::MissingField);
            continue;
        };
        let label = names(d.label.as_ref(), site("label"), report);
        bands.push(Band { code, min, label });
    }
    if let Some(lowest) = bands.iter().map(|b| b.min).reduce(f64::min)
        && lowest > 0.0
    {
        report(Site::Field("band"), Problem::NoBandAtZero { lowest });
    }
    bands
}

/// The indicator tree resolved from file order: parents, children and pre-order.
struct Tree {
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    /// File indices in pre-order.
    order: Vec<usize>,
    /// File index → pre-order position.
    position: Vec<usize>,
}

fn build_tree(defs: &[IndicatorDef], report: &mut impl FnMut(Site, Problem)) -> Option<Tree> {
    if defs.is_empty() {
        report(Site::Field("indicator"), Problem::NoIndicators);
        return None;
    }
    let before_problems = std::cell::Cell::new(0usize);
    let mut fail = |site, problem| {
        before_problems.set(before_problems.get() + 1);
        report(site, problem)
    };
    let mut by_code: HashMap<&str, usize> = HashMap::new();
    for (i, d) in defs.iter().enumerate() {
        let site = Site::Indicator { index: i, field: "code" };
        match d.code.as_deref().map(str::trim) {
            None => fail(site, Problem::MissingField),
            Some("") => fail(site, Problem::EmptyCode),
            Some(code) => {
                if by_code.insert(code, i).is_some() {
                    fail(site, Problem::DuplicateIndicator { code: code.to_string() });
                }
            }
        }
    }
    let mut parent = vec![None; defs.len()];
    for (i, d) in defs.iter().enumerate() {
        let code = d.code.as_deref().map(str::trim).unwrap_or("");
        let explicit = d.parent.as_deref().map(str::trim).filter(|p| !p.is_empty());
        let (wanted, field) = match explicit {
            Some(p) => (Some(p), "parent"),
            None => (code.rsplit_once('.').map(|(prefix, _)| prefix), "code"),
        };
        if let Some(wanted) = wanted {
            match by_code.get(wanted) {
                Some(&p) if p != i => parent[i] = Some(p),
                Some(_) => {
                    fail(Site::Indicator { index: i, field }, Problem::ParentCycle { code: code.into() })
                }
                None => fail(
                    Site::Indicator { index: i, field },
                    Problem::UnknownParent { parent: wanted.to_string() },
                ),
            }
        }
    }
    // A chain longer than the number of indicators can only be a cycle.
    for i in 0..defs.len() {
        let (mut at, mut steps) = (i, 0);
        while let Some(p) = parent[at] {
            at = p;
            steps += 1;
            if steps > defs.len() {
                let code = defs[i].code.clone().unwrap_or_default();
                fail(Site::Indicator { index: i, field: "parent" }, Problem::ParentCycle { code });
                break;
            }
        }
    }
    if before_problems.get() > 0 {
        return None;
    }
    let mut children = vec![Vec::new(); defs.len()];
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = *p {
            children[p].push(i);
        }
    }
    let mut order = Vec::with_capacity(defs.len());
    let mut stack: Vec<usize> = (0..defs.len()).filter(|&i| parent[i].is_none()).rev().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(children[i].iter().rev());
    }
    let mut position = vec![0; defs.len()];
    for (at, &i) in order.iter().enumerate() {
        position[i] = at;
    }
    Some(Tree { parent, children, order, position })
}

/// Points mode: the children of every parent must be able to fill it, and the
/// top level must sum to the scale.
fn check_maxima(
    indicators: &[Indicator],
    top: &[usize],
    scale: Option<f64>,
    problems: &mut Vec<SiteProblem>,
) {
    const EPSILON: f64 = 1e-9;
    for ind in indicators.iter().filter(|ind| !ind.is_leaf()) {
        let children: f64 = ind.children.iter().map(|&c| indicators[c].max).sum();
        if children + EPSILON < ind.max {
            problems.push(SiteProblem::new(
                Site::Indicator { index: ind.def_index, field: "max" },
                Problem::ChildrenMaxTooSmall { code: ind.code.clone(), children, max: ind.max },
            ));
        }
    }
    if let Some(scale) = scale {
        let sum: f64 = top.iter().map(|&i| indicators[i].max).sum();
        if (sum - scale).abs() > 1e-6 * scale.max(1.0) {
            problems.push(SiteProblem::new(Site::Field("scale"), Problem::TopLevelSum { sum, scale }));
        }
    }
}
