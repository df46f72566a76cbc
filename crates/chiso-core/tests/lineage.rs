//! Property tests of restatement through lineage: whatever the links, a restated
//! figure lies between its predecessors' figures, the same units carried as they
//! are change nothing, scaling every merge weight changes nothing, and every
//! figure not a unit's own is marked restated.

use chiso_core::lineage::{Figures, Lineage, Link, LinkKind, Restated, restate};
use proptest::prelude::*;
use std::collections::HashMap;

fn earlier(totals: &[f64]) -> HashMap<String, Restated> {
    totals
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let code = format!("O{i}");
            let figures = Figures { total: Some(t), main: [("1".to_owned(), t / 2.0)].into_iter().collect() };
            (code.clone(), Restated::own(&code, figures))
        })
        .collect()
}

/// Random links from the old units onto `new` new units: each old unit goes to
/// one new unit (a merge when several meet there) with a random weight or none.
/// (old unit → new unit, weight) pairs.
type Pairs = Vec<(usize, usize, Option<u8>)>;

fn links_strategy() -> impl Strategy<Value = (Vec<f64>, usize, Pairs)> {
    (1usize..12, 1usize..6).prop_flat_map(|(old, new)| {
        (
            prop::collection::vec(0.0f64..100.0, old),
            Just(new),
            prop::collection::vec((0..old, 0..new, prop::option::of(1u8..10)), 1..20),
        )
    })
}

fn lineage_of(new: usize, pairs: &[(usize, usize, Option<u8>)], scale: f64) -> (Lineage, Vec<String>) {
    let mut links: Vec<Link> = Vec::new();
    for &(from, to, weight) in pairs {
        let (from, to) = (format!("O{from}"), format!("N{to}"));
        if links.iter().any(|l| l.from == from && l.to == to) {
            continue;
        }
        links.push(Link {
            from_year: 2024,
            from,
            to,
            kind: LinkKind::Merge,
            weight: weight.map(|w| f64::from(w) * scale),
        });
    }
    (Lineage { links }, (0..new).map(|n| format!("N{n}")).collect())
}

proptest! {
    #[test]
    fn a_restated_figure_lies_between_its_predecessors((totals, new, pairs) in links_strategy()) {
        let (lineage, units) = lineage_of(new, &pairs, 1.0);
        let units: Vec<&str> = units.iter().map(String::as_str).collect();
        let now = restate(&lineage, 2024, &earlier(&totals), &units);
        for (code, restated) in &now {
            prop_assert!(restated.restated, "{code} is not its own");
            let from: Vec<f64> = restated.from.iter().map(|c| totals[c[1..].parse::<usize>().unwrap_or(0)]).collect();
            let (lo, hi) = from.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            let total = restated.figures.total.unwrap_or(f64::NAN);
            prop_assert!(total >= lo - 1e-9 && total <= hi + 1e-9, "{total} outside [{lo}, {hi}]");
            prop_assert!((restated.figures.main["1"] - total / 2.0).abs() < 1e-9);
        }
        // A new unit some link reaches has figures; one none reaches has none.
        for unit in &units {
            prop_assert_eq!(now.contains_key(*unit), lineage.links.iter().any(|l| l.to == *unit));
        }
    }

    #[test]
    fn scaling_every_weight_changes_nothing((totals, new, pairs) in links_strategy(), scale in 0.01f64..100.0) {
        let (one, units) = lineage_of(new, &pairs, 1.0);
        let (scaled, _) = lineage_of(new, &pairs, scale);
        let units: Vec<&str> = units.iter().map(String::as_str).collect();
        // Only a valid lineage: a merge weighs every predecessor or none.
        prop_assume!(one.check(2025, &units).is_empty());
        let (a, b) = (restate(&one, 2024, &earlier(&totals), &units), restate(&scaled, 2024, &earlier(&totals), &units));
        for (code, x) in &a {
            let (x, y) = (x.figures.total.unwrap_or(0.0), b[code].figures.total.unwrap_or(0.0));
            prop_assert!((x - y).abs() < 1e-9 * x.abs().max(1.0));
        }
    }

    #[test]
    fn units_carried_as_they_are_keep_their_own_figures(totals in prop::collection::vec(0.0f64..100.0, 1..20), same in any::<bool>()) {
        let earlier = earlier(&totals);
        let codes: Vec<String> = (0..totals.len()).map(|i| format!("O{i}")).collect();
        let links = if same {
            codes.iter().map(|c| Link { from_year: 2024, from: c.clone(), to: c.clone(), kind: LinkKind::Same, weight: None }).collect()
        } else {
            Vec::new()
        };
        let units: Vec<&str> = codes.iter().map(String::as_str).collect();
        let now = restate(&Lineage { links }, 2024, &earlier, &units);
        prop_assert_eq!(now, earlier);
    }
}
