//! What a correction changed: the results of a publication against those of the
//! publication it supersedes, unit by unit, with the indicators whose points moved.

use super::results::{ResultsDoc, UnitDoc};

/// Differences below this are the noise of re-scoring, not a correction.
const SAME: f64 = 1e-9;

#[derive(Debug, Clone, PartialEq)]
pub struct UnitChange {
    pub code: String,
    pub name: String,
    pub group: String,
    /// Before, after; `None` where the unit is absent from that publication.
    pub total: (Option<f64>, Option<f64>),
    pub rank: (Option<usize>, Option<usize>),
    pub band: (Option<String>, Option<String>),
    /// Indicator code, points before, points after: only those that changed.
    pub indicators: Vec<(String, Option<f64>, Option<f64>)>,
}

fn differ(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() > SAME,
        (a, b) => a.is_some() != b.is_some(),
    }
}

/// Every unit whose total, rank, band or indicator points differ, in the order of
/// the new publication (then units it no longer has). `order` gives the indicator
/// codes in framework order for a group.
pub fn diff(old: &ResultsDoc, new: &ResultsDoc, order: impl Fn(&str) -> Vec<String>) -> Vec<UnitChange> {
    let find = |doc: &ResultsDoc, code: &str| doc.units.iter().find(|u| u.code == code).cloned();
    let codes = new.units.iter().map(|u| u.code.clone()).chain(
        old.units.iter().filter(|u| !new.units.iter().any(|n| n.code == u.code)).map(|u| u.code.clone()),
    );
    codes
        .filter_map(|code| {
            let (before, after) = (find(old, &code), find(new, &code));
            let any: &UnitDoc = after.as_ref().or(before.as_ref())?;
            let points = |doc: &Option<UnitDoc>, indicator: &str| {
                doc.as_ref().and_then(|u| u.scores.get(indicator).copied())
            };
            let mut indicators: Vec<(String, Option<f64>, Option<f64>)> = order(&any.group)
                .into_iter()
                .map(|i| {
                    let (a, b) = (points(&before, &i), points(&after, &i));
                    (i, a, b)
                })
                .filter(|(_, a, b)| differ(*a, *b))
                .collect();
            // Indicators the framework order does not know (a changed framework).
            for doc in [&before, &after].into_iter().flatten() {
                for code in doc.scores.keys() {
                    if !indicators.iter().any(|(c, ..)| c == code) && !order(&any.group).contains(code) {
                        let (a, b) = (points(&before, code), points(&after, code));
                        if differ(a, b) {
                            indicators.push((code.clone(), a, b));
                        }
                    }
                }
            }
            let change = UnitChange {
                code: code.clone(),
                name: any.name.clone(),
                group: any.group.clone(),
                total: (before.as_ref().and_then(|u| u.total), after.as_ref().and_then(|u| u.total)),
                rank: (before.as_ref().map(|u| u.rank), after.as_ref().map(|u| u.rank)),
                band: (before.as_ref().map(|u| u.band.clone()), after.as_ref().map(|u| u.band.clone())),
                indicators,
            };
            let changed = differ(change.total.0, change.total.1)
                || change.rank.0 != change.rank.1
                || change.band.0 != change.band.1
                || !change.indicators.is_empty();
            changed.then_some(change)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::results::OverallDoc;
    use std::collections::HashMap;

    fn unit(code: &str, total: f64, rank: usize, band: &str, scores: &[(&str, f64)]) -> UnitDoc {
        UnitDoc {
            code: code.into(),
            name: format!("Đơn vị {code}"),
            group: "g".into(),
            total: Some(total),
            band: band.into(),
            rank,
            scores: scores.iter().map(|(c, p)| (c.to_string(), *p)).collect::<HashMap<_, _>>(),
            missing: Vec::new(),
            not_applicable: Vec::new(),
            sources: HashMap::new(),
        }
    }

    fn doc(units: Vec<UnitDoc>) -> ResultsDoc {
        ResultsDoc {
            year: 2024,
            name: "t".into(),
            overall: OverallDoc { mean: None, units: units.len(), band: "good".into(), rule: "x".into() },
            groups: Vec::new(),
            units,
        }
    }

    fn order(_: &str) -> Vec<String> {
        vec!["1".into(), "1.1".into(), "2".into()]
    }

    #[test]
    fn only_units_that_changed_are_listed_with_the_indicators_that_moved() {
        let old = doc(vec![
            unit("A", 80.0, 1, "good", &[("1", 40.0), ("1.1", 40.0), ("2", 40.0)]),
            unit("B", 70.0, 2, "fair", &[("1", 35.0), ("1.1", 35.0), ("2", 35.0)]),
            unit("C", 60.0, 3, "fair", &[("1", 30.0), ("1.1", 30.0), ("2", 30.0)]),
        ]);
        let new = doc(vec![
            unit("B", 85.0, 1, "good", &[("1", 50.0), ("1.1", 50.0), ("2", 35.0)]),
            unit("A", 80.0, 2, "good", &[("1", 40.0), ("1.1", 40.0), ("2", 40.0)]),
            unit("C", 60.0 + 1e-12, 3, "fair", &[("1", 30.0), ("1.1", 30.0), ("2", 30.0)]),
        ]);
        let changes = diff(&old, &new, order);
        assert_eq!(changes.len(), 2, "C moved by rounding noise only: {changes:?}");
        assert_eq!(changes[0].code, "B");
        assert_eq!(changes[0].total, (Some(70.0), Some(85.0)));
        assert_eq!(changes[0].band, (Some("fair".into()), Some("good".into())));
        assert_eq!(
            changes[0].indicators,
            vec![("1".into(), Some(35.0), Some(50.0)), ("1.1".into(), Some(35.0), Some(50.0))]
        );
        assert_eq!(changes[1].code, "A");
        assert_eq!(changes[1].rank, (Some(1), Some(2)));
        assert!(changes[1].indicators.is_empty());
    }

    #[test]
    fn a_unit_added_or_removed_is_a_change() {
        let old = doc(vec![unit("A", 80.0, 1, "good", &[("1", 1.0)]), unit("Z", 10.0, 2, "weak", &[])]);
        let new = doc(vec![unit("A", 80.0, 1, "good", &[("1", 1.0)]), unit("N", 50.0, 2, "fair", &[])]);
        let changes = diff(&old, &new, order);
        let codes: Vec<&str> = changes.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["N", "Z"]);
        assert_eq!(changes[0].total, (None, Some(50.0)));
        assert_eq!(changes[1].rank, (Some(2), None));
        assert!(diff(&old, &old, order).is_empty());
    }
}
