//! Unit lineage across rounds, and earlier results restated on today's units.
//!
//! Units change: departments merge, districts disappear and their communes merge
//! into new ones. A round's lineage says which units of an earlier round each of
//! its units continues — the way the ministry restated DTI for merged provinces —
//! so a unit's history and its change on last year still mean something.
//!
//! Restating a unit of this round from the round of `year`:
//! - no link to it: the unit of the same code, if there was one, carried as is
//!   (not a restatement);
//! - one link (`same`, `rename`, or one part of a `split`): the predecessor's
//!   figures, inherited;
//! - several links (a `merge`): the mean of the predecessors' figures, weighted by
//!   the links' weights where the merge gives them (otherwise equal).
//!
//! A `split` link's weight is the share of the old unit that went to the new one
//! (the shares of one old unit add up to 1); it says nothing about the mean, so in
//! a mean a split link weighs 1. Every figure that is not the unit's own is marked
//! restated, with the codes it came from.

use crate::{Assessment, AssessmentResults, Lang, Method};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How a unit continues into a later round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// The same unit, the same code.
    Same,
    /// The same unit under a new code or name.
    Rename,
    /// One of several units that became one.
    Merge,
    /// One of the parts of a unit that became several.
    Split,
}

impl LinkKind {
    pub const ALL: [LinkKind; 4] = [LinkKind::Same, LinkKind::Rename, LinkKind::Merge, LinkKind::Split];

    pub fn code(self) -> &'static str {
        match self {
            LinkKind::Same => "same",
            LinkKind::Rename => "rename",
            LinkKind::Merge => "merge",
            LinkKind::Split => "split",
        }
    }

    pub fn parse(text: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.code() == text.trim())
    }
}

/// One row of `lineage.csv`: unit `from` of the round of `from_year` continues,
/// whole or in part, as unit `to` of this round.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub from_year: i32,
    pub from: String,
    pub to: String,
    pub kind: LinkKind,
    pub weight: Option<f64>,
}

/// A round's lineage: its links to units of earlier rounds, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lineage {
    pub links: Vec<Link>,
}

/// Why a lineage is refused. `link` is the 0-based index of the link concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum LineageProblem {
    /// `to` is not a unit of this round.
    UnknownTo { link: usize, code: String },
    /// `from` is not a unit of the round of `from_year`.
    UnknownFrom { link: usize, code: String, year: i32 },
    /// A link from a round that is not earlier than this one.
    NotEarlier { link: usize, from_year: i32, year: i32 },
    /// `same` links two different codes.
    SameDiffers { link: usize },
    /// A weight that is not a positive finite number.
    BadWeight { link: usize },
    /// The same from → to twice.
    Duplicate { link: usize, first: usize },
    /// The weights of the parts of a split unit do not add up to 1.
    SplitShares { link: usize, from: String, sum: f64 },
    /// A merge that weighs some predecessors and not others.
    PartlyWeighted { link: usize, to: String },
    /// A unit of the earlier round that is gone from this one with no successor.
    Vanished { code: String, year: i32 },
}

impl LineageProblem {
    /// The link concerned, if any (a vanished unit has none).
    pub fn link(&self) -> Option<usize> {
        match self {
            LineageProblem::UnknownTo { link, .. }
            | LineageProblem::UnknownFrom { link, .. }
            | LineageProblem::NotEarlier { link, .. }
            | LineageProblem::SameDiffers { link }
            | LineageProblem::BadWeight { link }
            | LineageProblem::Duplicate { link, .. }
            | LineageProblem::SplitShares { link, .. }
            | LineageProblem::PartlyWeighted { link, .. } => Some(*link),
            LineageProblem::Vanished { .. } => None,
        }
    }

    /// The column concerned.
    pub fn field(&self) -> &'static str {
        match self {
            LineageProblem::UnknownTo { .. } | LineageProblem::SameDiffers { .. } => "to_code",
            LineageProblem::UnknownFrom { .. } | LineageProblem::Vanished { .. } => "from_code",
            LineageProblem::Duplicate { .. } => "to_code",
            LineageProblem::NotEarlier { .. } => "from_year",
            LineageProblem::BadWeight { .. }
            | LineageProblem::SplitShares { .. }
            | LineageProblem::PartlyWeighted { .. } => "weight",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            LineageProblem::UnknownTo { code, .. } if vi => {
                format!("đơn vị \"{code}\" không có trong units.csv")
            }
            LineageProblem::UnknownTo { code, .. } => format!("unit \"{code}\" is not in units.csv"),
            LineageProblem::UnknownFrom { code, year, .. } if vi => {
                format!("đơn vị \"{code}\" không có trong đợt đánh giá năm {year}")
            }
            LineageProblem::UnknownFrom { code, year, .. } => {
                format!("unit \"{code}\" is not in the {year} round")
            }
            LineageProblem::NotEarlier { from_year, year, .. } if vi => {
                format!("năm {from_year} không trước năm của đợt này ({year})")
            }
            LineageProblem::NotEarlier { from_year, year, .. } => {
                format!("{from_year} is not before this round's year ({year})")
            }
            LineageProblem::SameDiffers { .. } => lang
                .pick(
                    "quan hệ \"same\" phải giữ nguyên mã; mã đổi thì dùng \"rename\"",
                    "a \"same\" link keeps the code; use \"rename\" for a new code",
                )
                .into(),
            LineageProblem::BadWeight { .. } => {
                lang.pick("trọng số phải là số dương", "the weight must be a positive number").into()
            }
            LineageProblem::Duplicate { first, .. } if vi => {
                format!("quan hệ này đã có ở dòng {}", first + 2)
            }
            LineageProblem::Duplicate { first, .. } => format!("this link is already on line {}", first + 2),
            LineageProblem::SplitShares { from, sum, .. } if vi => format!(
                "tỷ trọng các phần tách ra từ \"{from}\" cộng lại bằng {}, không phải 1",
                lang.plain(*sum)
            ),
            LineageProblem::SplitShares { from, sum, .. } => {
                format!("the shares of the parts of \"{from}\" add up to {}, not 1", lang.plain(*sum))
            }
            LineageProblem::PartlyWeighted { to, .. } if vi => {
                format!("khi hợp nhất vào \"{to}\", hoặc mọi đơn vị có trọng số hoặc không đơn vị nào có")
            }
            LineageProblem::PartlyWeighted { to, .. } => {
                format!("a merge into \"{to}\" weighs either every predecessor or none")
            }
            LineageProblem::Vanished { code, year } if vi => format!(
                "đơn vị \"{code}\" của đợt năm {year} không còn trong đợt này mà không có đơn vị kế thừa"
            ),
            LineageProblem::Vanished { code, year } => {
                format!("unit \"{code}\" of the {year} round is not in this round and has no successor")
            }
        }
    }
}

/// Tolerance on split shares (they are usually written with a few decimals).
const SHARE_TOLERANCE: f64 = 1e-6;

impl Lineage {
    /// The years this lineage links from, ascending.
    pub fn from_years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.links.iter().map(|l| l.from_year).collect();
        years.sort_unstable();
        years.dedup();
        years
    }

    /// What can be checked with this round alone: every `to` is one of `units`,
    /// links come from earlier years, `same` keeps its code, weights are positive,
    /// no link twice, split shares add up to 1, a merge weighs all or none.
    pub fn check(&self, year: i32, units: &[&str]) -> Vec<LineageProblem> {
        let units: HashSet<&str> = units.iter().copied().collect();
        let mut problems = Vec::new();
        let mut seen: HashMap<(i32, &str, &str), usize> = HashMap::new();
        for (i, link) in self.links.iter().enumerate() {
            if !units.contains(link.to.as_str()) {
                problems.push(LineageProblem::UnknownTo { link: i, code: link.to.clone() });
            }
            if link.from_year >= year {
                problems.push(LineageProblem::NotEarlier { link: i, from_year: link.from_year, year });
            }
            if link.kind == LinkKind::Same && link.from != link.to {
                problems.push(LineageProblem::SameDiffers { link: i });
            }
            if link.weight.is_some_and(|w| !(w.is_finite() && w > 0.0)) {
                problems.push(LineageProblem::BadWeight { link: i });
            }
            if let Some(&first) = seen.get(&(link.from_year, link.from.as_str(), link.to.as_str())) {
                problems.push(LineageProblem::Duplicate { link: i, first });
            } else {
                seen.insert((link.from_year, &link.from, &link.to), i);
            }
        }
        // Split shares, per old unit: all given and adding up to 1, or none given.
        let mut splits: BTreeMap<(i32, &str), Vec<usize>> = BTreeMap::new();
        let mut merges: BTreeMap<(i32, &str), Vec<usize>> = BTreeMap::new();
        for (i, link) in self.links.iter().enumerate() {
            match link.kind {
                LinkKind::Split => splits.entry((link.from_year, &link.from)).or_default().push(i),
                LinkKind::Merge => merges.entry((link.from_year, &link.to)).or_default().push(i),
                _ => {}
            }
        }
        for ((_, from), links) in splits {
            let shares: Vec<f64> = links.iter().filter_map(|&i| self.links[i].weight).collect();
            if shares.is_empty() {
                continue;
            }
            let sum: f64 = shares.iter().sum();
            if shares.len() != links.len() || (sum - 1.0).abs() > SHARE_TOLERANCE {
                problems.push(LineageProblem::SplitShares { link: links[0], from: from.to_owned(), sum });
            }
        }
        for ((_, to), links) in merges {
            let weighted = links.iter().filter(|&&i| self.links[i].weight.is_some()).count();
            if weighted != 0 && weighted != links.len() {
                problems.push(LineageProblem::PartlyWeighted { link: links[0], to: to.to_owned() });
            }
        }
        problems
    }

    /// What needs the earlier round too: every link from `year` names one of its
    /// `earlier` units, and every earlier unit either is still a unit of this round
    /// (`units`) or has a successor.
    pub fn check_earlier(&self, year: i32, earlier: &[&str], units: &[&str]) -> Vec<LineageProblem> {
        let known: HashSet<&str> = earlier.iter().copied().collect();
        let now: HashSet<&str> = units.iter().copied().collect();
        let mut problems = Vec::new();
        let mut continued: HashSet<&str> = HashSet::new();
        for (i, link) in self.links.iter().enumerate().filter(|(_, l)| l.from_year == year) {
            if known.contains(link.from.as_str()) {
                continued.insert(&link.from);
            } else {
                problems.push(LineageProblem::UnknownFrom { link: i, code: link.from.clone(), year });
            }
        }
        for code in earlier {
            if !now.contains(code) && !continued.contains(code) {
                problems.push(LineageProblem::Vanished { code: (*code).to_owned(), year });
            }
        }
        problems
    }
}

/// A unit's figures in one round, each as percent of its scale (so rounds scored
/// out of 1000 and out of 100 compare): the total and the main indicators by code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub total: Option<f64>,
    pub main: BTreeMap<String, f64>,
}

/// Figures of an earlier round as they stand for a unit of a later one.
#[derive(Debug, Clone, PartialEq)]
pub struct Restated {
    pub figures: Figures,
    /// The units of the earlier round the figures come from (the unit itself when
    /// carried as is), in order.
    pub from: Vec<String>,
    /// Whether the figures are not the unit's own: taken from predecessors.
    pub restated: bool,
}

impl Restated {
    /// A unit's own figures in its own round.
    pub fn own(code: &str, figures: Figures) -> Restated {
        Restated { figures, from: vec![code.to_owned()], restated: false }
    }
}

/// Restates `earlier` — figures by unit code, as they stood for the units of the
/// round of `year` (own or already restated) — on `units` of this round through
/// the links from `year`. Units with no figure to take are left out.
pub fn restate(
    lineage: &Lineage,
    year: i32,
    earlier: &HashMap<String, Restated>,
    units: &[&str],
) -> HashMap<String, Restated> {
    let mut into: HashMap<&str, Vec<&Link>> = HashMap::new();
    for link in lineage.links.iter().filter(|l| l.from_year == year) {
        into.entry(link.to.as_str()).or_default().push(link);
    }
    let mut restated = HashMap::with_capacity(units.len());
    for &unit in units {
        let found = match into.get(unit) {
            None => earlier.get(unit).cloned(),
            Some(links) => mean_of(links, earlier),
        };
        if let Some(found) = found {
            restated.insert(unit.to_owned(), found);
        }
    }
    restated
}

/// The weighted mean of the predecessors' figures (those that have any).
fn mean_of(links: &[&Link], earlier: &HashMap<String, Restated>) -> Option<Restated> {
    let parts: Vec<(f64, &Restated, &Link)> = links
        .iter()
        .filter_map(|link| {
            let weight = if link.kind == LinkKind::Merge { link.weight.unwrap_or(1.0) } else { 1.0 };
            earlier.get(&link.from).map(|figures| (weight, figures, *link))
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    if let [(_, only, link)] = parts.as_slice() {
        let carried = link.kind == LinkKind::Same && !only.restated;
        return Some(Restated { figures: only.figures.clone(), from: only.from.clone(), restated: !carried });
    }
    let mean = |pick: &dyn Fn(&Figures) -> Option<f64>| {
        let (sum, weights) = parts
            .iter()
            .filter_map(|(w, r, _)| pick(&r.figures).map(|v| (w * v, *w)))
            .fold((0.0, 0.0), |(s, t), (v, w)| (s + v, t + w));
        (weights > 0.0).then(|| sum / weights)
    };
    let total = mean(&|f: &Figures| f.total);
    let codes: std::collections::BTreeSet<&String> =
        parts.iter().flat_map(|(_, r, _)| r.figures.main.keys()).collect();
    let main = codes
        .into_iter()
        .filter_map(|code| mean(&|f: &Figures| f.main.get(code).copied()).map(|v| (code.clone(), v)))
        .collect();
    let mut from: Vec<String> = Vec::new();
    for (_, r, _) in &parts {
        for code in &r.from {
            if !from.contains(code) {
                from.push(code.clone());
            }
        }
    }
    Some(Restated { figures: Figures { total, main }, from, restated: true })
}

/// A unit's published result: its total on its framework's scale, and its figures
/// as percent of scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub total: f64,
    pub scale: f64,
    pub figures: Figures,
}

/// Every scored unit's result by code, from its round's results. Points: the total
/// out of the framework's scale, each main indicator out of its maximum; a composite
/// index is already on 0–100.
pub fn published(assessment: &Assessment, results: &AssessmentResults) -> HashMap<String, Published> {
    results
        .units
        .iter()
        .map(|r| {
            let framework = assessment.framework_of(r.unit);
            let points = matches!(framework.method, Method::Points);
            let scale = framework.scale.filter(|_| points).unwrap_or(100.0);
            let main = framework
                .top
                .iter()
                .filter_map(|&i| {
                    let indicator = &framework.indicators[i];
                    let score = r.scores[i]?;
                    let percent =
                        if points && indicator.max > 0.0 { score / indicator.max * 100.0 } else { score };
                    Some((indicator.code.clone(), percent))
                })
                .collect();
            let figures = Figures { total: Some(r.total / scale * 100.0), main };
            (assessment.units[r.unit].code.clone(), Published { total: r.total, scale, figures })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(from: &str, to: &str, kind: LinkKind, weight: Option<f64>) -> Link {
        Link { from_year: 2024, from: from.into(), to: to.into(), kind, weight }
    }

    fn figures(total: f64, main: &[(&str, f64)]) -> Figures {
        Figures { total: Some(total), main: main.iter().map(|(c, v)| ((*c).to_owned(), *v)).collect() }
    }

    fn own(pairs: &[(&str, Figures)]) -> HashMap<String, Restated> {
        pairs.iter().map(|(c, f)| ((*c).to_owned(), Restated::own(c, f.clone()))).collect()
    }

    #[test]
    fn a_merge_takes_the_mean_and_a_weighted_merge_the_weighted_mean() {
        let earlier = own(&[
            ("STC", figures(80.0, &[("1", 60.0)])),
            ("SKHDT", figures(70.0, &[("1", 40.0), ("2", 10.0)])),
            ("123", figures(90.0, &[])),
            ("128", figures(60.0, &[])),
        ]);
        let lineage = Lineage {
            links: vec![
                link("STC", "STC", LinkKind::Merge, None),
                link("SKHDT", "STC", LinkKind::Merge, None),
                link("123", "03985", LinkKind::Merge, Some(3.0)),
                link("128", "03985", LinkKind::Merge, Some(1.0)),
            ],
        };
        let now = restate(&lineage, 2024, &earlier, &["STC", "03985"]);
        let stc = &now["STC"];
        assert_eq!(stc.figures.total, Some(75.0));
        assert_eq!(stc.figures.main["1"], 50.0);
        assert_eq!(stc.figures.main["2"], 10.0, "a main indicator only one predecessor had");
        assert!(stc.restated);
        assert_eq!(stc.from, ["STC", "SKHDT"]);
        assert_eq!(now["03985"].figures.total, Some((3.0 * 90.0 + 60.0) / 4.0));
    }

    #[test]
    fn a_split_inherits_a_rename_carries_over_and_an_unlinked_unit_keeps_its_own() {
        let earlier =
            own(&[("116", figures(89.77, &[])), ("BDT", figures(70.0, &[])), ("STP", figures(80.0, &[]))]);
        let lineage = Lineage {
            links: vec![
                link("116", "03646", LinkKind::Split, None),
                link("116", "03670", LinkKind::Split, None),
                link("BDT", "SDTTG", LinkKind::Rename, None),
            ],
        };
        let now = restate(&lineage, 2024, &earlier, &["03646", "03670", "SDTTG", "STP", "NEW"]);
        assert_eq!(now["03646"].figures.total, Some(89.77));
        assert_eq!(now["03670"].figures.total, Some(89.77));
        assert!(now["03646"].restated && now["SDTTG"].restated);
        assert_eq!(now["SDTTG"].from, ["BDT"]);
        assert!(!now["STP"].restated, "the same unit, not restated");
        assert!(!now.contains_key("NEW"), "a unit with no past has no figure");
    }

    #[test]
    fn restatements_chain_across_rounds_and_stay_marked() {
        // 2023 → 2024: the same units; 2024 → 2025: a merge.
        let y2023 = own(&[("A", figures(65.91, &[])), ("B", figures(50.0, &[]))]);
        let to_2024 = Lineage::default();
        let in_2024 = restate(&to_2024, 2023, &y2023, &["A", "B"]);
        assert!(!in_2024["A"].restated);
        let to_2025 = Lineage {
            links: vec![link("A", "AB", LinkKind::Merge, None), link("B", "AB", LinkKind::Merge, None)],
        };
        let in_2025 = restate(&to_2025, 2024, &in_2024, &["AB"]);
        assert!(in_2025["AB"].restated);
        assert!((in_2025["AB"].figures.total.unwrap_or_default() - 57.955).abs() < 1e-9);
        assert_eq!(in_2025["AB"].from, ["A", "B"]);
    }

    #[test]
    fn checks_name_each_bad_link() {
        let lineage = Lineage {
            links: vec![
                link("A", "A", LinkKind::Same, None),
                link("A", "X", LinkKind::Rename, None),
                link("B", "C", LinkKind::Same, None),
                link("D", "C", LinkKind::Split, Some(0.5)),
                link("D", "E", LinkKind::Split, Some(0.4)),
                link("F", "E", LinkKind::Merge, Some(2.0)),
                link("G", "E", LinkKind::Merge, None),
                link("A", "A", LinkKind::Same, None),
                Link { from_year: 2025, ..link("H", "C", LinkKind::Merge, Some(-1.0)) },
            ],
        };
        let problems = lineage.check(2025, &["A", "C", "E"]);
        assert!(problems.contains(&LineageProblem::UnknownTo { link: 1, code: "X".into() }));
        assert!(problems.contains(&LineageProblem::SameDiffers { link: 2 }));
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, LineageProblem::SplitShares { link: 3, from, .. } if from == "D"))
        );
        assert!(problems.contains(&LineageProblem::PartlyWeighted { link: 5, to: "E".into() }));
        assert!(problems.contains(&LineageProblem::Duplicate { link: 7, first: 0 }));
        assert!(problems.contains(&LineageProblem::NotEarlier { link: 8, from_year: 2025, year: 2025 }));
        assert!(problems.contains(&LineageProblem::BadWeight { link: 8 }));
        let earlier = lineage.check_earlier(2024, &["A", "B", "D", "F", "G", "Z"], &["A", "C", "E"]);
        assert_eq!(earlier, [LineageProblem::Vanished { code: "Z".into(), year: 2024 }]);
        let unknown = Lineage { links: vec![link("Q", "A", LinkKind::Rename, None)] }.check_earlier(
            2024,
            &["A"],
            &["A"],
        );
        assert_eq!(unknown, [LineageProblem::UnknownFrom { link: 0, code: "Q".into(), year: 2024 }]);
        for p in problems {
            assert_ne!(p.message(Lang::Vi), p.message(Lang::En));
        }
    }
}
