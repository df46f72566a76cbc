//! Scoring one unit by itself, for pages that show a single unit's points while it
//! is being filled: exact whenever no leaf's points depend on the other units of
//! its group, so the page need not load or score the whole round.

use super::{ScoreError, points};
use crate::framework::{Framework, Method};
use crate::rule::Rule;
use crate::value::{Entry, Values};

/// One unit's points, per indicator of its framework (indexed like its indicators)
/// and in total, unrounded.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitAlone {
    pub total: f64,
    pub scores: Vec<Option<f64>>,
}

/// Whether a unit's score under `framework` depends only on its own values: the
/// points method with no `relative` leaf (a composite normalises against the group;
/// a relative leaf scales against the group's best).
pub fn scores_alone(framework: &Framework) -> bool {
    matches!(framework.method, Method::Points)
        && framework
            .leaves
            .iter()
            .all(|&leaf| !matches!(framework.indicators[leaf].rule, Some(Rule::Relative)))
}

/// Scores one unit from its entries (indexed like the framework's indicators), as
/// scoring the whole assessment would; None when the framework's scores depend on
/// the other units ([`scores_alone`] is false) and the whole group must be scored.
pub fn score_alone(framework: &Framework, entries: &[Entry]) -> Option<Result<UnitAlone, ScoreError>> {
    if !scores_alone(framework) {
        return None;
    }
    let mut values = Values::empty([framework.indicators.len()]);
    for (i, entry) in entries.iter().enumerate().take(framework.indicators.len()) {
        values.set(0, i, *entry);
    }
    let scored = points::score_group(framework, &[0], &values, 1);
    Some(match scored {
        Ok(mut units) => match units.pop() {
            Some(unit) => Ok(UnitAlone { total: unit.total, scores: unit.scores }),
            None => Err(ScoreError::NothingApplicable { unit: 0 }),
        },
        Err(mut errors) => Err(errors.pop().unwrap_or(ScoreError::NothingApplicable { unit: 0 })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::{Assessment, Group, OverallRule, Unit};
    use crate::framework::{BandDef, FrameworkDef, IndicatorDef};
    use crate::lang::{Names, NamesDef};
    use crate::rule::RuleDef;
    use crate::score::score_assessment;

    fn framework(kind_of_last: &str) -> Framework {
        let n = |c: &str| Some(NamesDef::new(c, c));
        let leaf = |code: &str, max: f64, kind: &str| IndicatorDef {
            code: Some(code.into()),
            name: n(code),
            max: Some(max),
            rule: Some(RuleDef { kind: Some(kind.into()), ..RuleDef::default() }),
            ..IndicatorDef::default()
        };
        let parent = |code: &str, max: f64| IndicatorDef {
            code: Some(code.into()),
            name: n(code),
            max: Some(max),
            ..IndicatorDef::default()
        };
        let def = FrameworkDef {
            id: Some("p".into()),
            name: n("p"),
            scale: Some(10.0),
            bands: vec![BandDef { code: Some("all".into()), min: Some(0.0), label: n("all") }],
            indicators: vec![
                parent("1", 6.0),
                leaf("1.1", 4.0, "manual"),
                leaf("1.2", 4.0, "manual"),
                parent("2", 4.0),
                leaf("2.1", 2.0, "manual"),
                leaf("2.2", 2.0, kind_of_last),
            ],
            ..FrameworkDef::default()
        };
        Framework::build(&def).unwrap_or_else(|p| panic!("{p:?}"))
    }

    #[test]
    fn one_unit_alone_scores_as_in_the_whole_round() {
        let framework = framework("manual");
        let rows: [&[(&str, &str)]; 3] =
            [&[("1.1", "3"), ("1.2", "na"), ("2.1", "2")], &[("1.1", "4"), ("2.2", "1.5")], &[]];
        let mut values = Values::empty(rows.iter().map(|_| framework.indicators.len()));
        for (u, row) in rows.iter().enumerate() {
            for (code, text) in row.iter() {
                let i = framework.find(code).unwrap_or_else(|| panic!("{code}"));
                values.set(
                    u,
                    i,
                    framework.indicators[i].parse_entry(text).unwrap_or_else(|p| panic!("{p:?}")),
                );
            }
        }
        let units = (0..rows.len())
            .map(|u| Unit { code: format!("U{u}"), name: Names::new("u", "u"), group: 0, parent: None })
            .collect();
        let assessment = Assessment {
            year: 2025,
            name: Names::new("t", "t"),
            overall: OverallRule::MeanOfUnits,
            rank_precision: 2,
            groups: vec![Group {
                code: "g".into(),
                name: Names::new("g", "g"),
                framework: framework.clone(),
            }],
            units,
        };
        let whole = score_assessment(&assessment, &values).unwrap_or_else(|e| panic!("{e:?}"));
        for result in &whole.units {
            let alone = score_alone(&framework, values.unit(result.unit))
                .expect("points without relative leaves score alone")
                .unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!((alone.total, &alone.scores), (result.total, &result.scores), "unit {}", result.unit);
        }
    }

    #[test]
    fn a_relative_leaf_needs_the_group() {
        assert!(scores_alone(&framework("manual")));
        assert!(!scores_alone(&framework("relative")));
        assert!(score_alone(&framework("relative"), &[]).is_none());
    }
}
