//! An assessment round (đợt đánh giá): its year and names, the unit groups (khối)
//! with their frameworks, the units, and how the overall mean is formed.

use crate::framework::Framework;
use crate::lang::{Names, NamesDef};
use crate::problem::{Problem, Site, SiteProblem};

/// How the overall mean is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverallRule {
    /// The mean of the group means (Son La 2024: (73.2 + 76.4) / 2 = 74.8).
    MeanOfGroups,
    /// The mean of all units' totals.
    MeanOfUnits,
}

impl OverallRule {
    pub fn code(self) -> &'static str {
        match self {
            OverallRule::MeanOfGroups => "mean_of_groups",
            OverallRule::MeanOfUnits => "mean_of_units",
        }
    }
}

const OVERALL_RULES: &[&str] = &["mean_of_groups", "mean_of_units"];

/// `assessment.toml` as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AssessmentDef {
    pub year: Option<i64>,
    pub name: Option<NamesDef>,
    pub overall: Option<String>,
    pub rank_precision: Option<i64>,
    pub groups: Vec<GroupDef>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupDef {
    pub code: Option<String>,
    pub name: Option<NamesDef>,
    /// Path of the framework file, relative to the package.
    pub framework: Option<String>,
}

/// The validated head of an assessment: everything but frameworks and units, which
/// the caller loads from the paths it names.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentHead {
    pub year: i32,
    pub name: Names,
    pub overall: OverallRule,
    pub rank_precision: u32,
    /// (code, name, framework path) per group, in file order.
    pub groups: Vec<(String, Names, String)>,
}

impl AssessmentDef {
    pub fn validate(&self) -> Result<AssessmentHead, Vec<SiteProblem>> {
        let mut problems = Vec::new();
        let mut report = |site, problem| problems.push(SiteProblem::new(site, problem));
        let year = match self.year {
            None => {
                report(Site::Field("year"), Problem::MissingField);
                0
            }
            Some(y) if !(1900..=9999).contains(&y) => {
                report(Site::Field("year"), Problem::NotPositive { found: y as f64 });
                0
            }
            Some(y) => y as i32,
        };
        let name = required_names(self.name.as_ref(), Site::Field("name"), &mut report);
        let overall = match self.overall.as_deref().map(str::trim).unwrap_or("mean_of_groups") {
            "mean_of_groups" => OverallRule::MeanOfGroups,
            "mean_of_units" => OverallRule::MeanOfUnits,
            other => {
                report(
                    Site::Field("overall"),
                    Problem::UnknownWord { found: other.into(), expected: OVERALL_RULES },
                );
                OverallRule::MeanOfGroups
            }
        };
        let rank_precision = match self.rank_precision.unwrap_or(2) {
            p @ 0..=6 => p as u32,
            other => {
                report(Site::Field("rank_precision"), Problem::RankPrecisionTooLarge { found: other });
                2
            }
        };
        if self.groups.is_empty() {
            report(Site::Field("group"), Problem::NoGroups);
        }
        let mut groups: Vec<(String, Names, String)> = Vec::new();
        for (index, g) in self.groups.iter().enumerate() {
            let site = |field| Site::Group { index, field };
            let code = g.code.as_deref().map(str::trim).unwrap_or("");
            if g.code.is_none() {
                report(site("code"), Problem::MissingField);
            } else if code.is_empty() {
                report(site("code"), Problem::EmptyCode);
            } else if groups.iter().any(|(c, _, _)| c == code) {
                report(site("code"), Problem::DuplicateGroup { code: code.into() });
            }
            let name = required_names(g.name.as_ref(), site("name"), &mut report);
            let framework = g.framework.as_deref().map(str::trim).unwrap_or("");
            if framework.is_empty() {
                report(site("framework"), Problem::MissingField);
            }
            groups.push((code.to_string(), name, framework.to_string()));
        }
        if problems.is_empty() {
            Ok(AssessmentHead { year, name, overall, rank_precision, groups })
        } else {
            Err(problems)
        }
    }
}

fn required_names(def: Option<&NamesDef>, site: Site, report: &mut impl FnMut(Site, Problem)) -> Names {
    match def.map(NamesDef::validate) {
        Some(Ok(names)) => names,
        Some(Err(missing)) => {
            report(site, Problem::NameIncomplete { missing });
            Names::default()
        }
        None => {
            report(site, Problem::MissingField);
            Names::default()
        }
    }
}

/// A unit group (khối) with its framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub code: String,
    pub name: Names,
    pub framework: Framework,
}

/// An assessed unit (đơn vị): an agency, a district, a commune.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub code: String,
    pub name: Names,
    /// Index into [`Assessment::groups`].
    pub group: usize,
    pub parent: Option<String>,
}

/// A whole assessment round, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub year: i32,
    pub name: Names,
    pub overall: OverallRule,
    pub rank_precision: u32,
    pub groups: Vec<Group>,
    pub units: Vec<Unit>,
}

impl Assessment {
    pub fn framework_of(&self, unit: usize) -> &Framework {
        &self.groups[self.units[unit].group].framework
    }

    /// Whether unit `unit` (a code) is in the assessment and its framework has an
    /// indicator `indicator` (a code).
    pub fn has_indicator(&self, unit: &str, indicator: &str) -> bool {
        self.units
            .iter()
            .position(|u| u.code == unit)
            .is_some_and(|u| self.framework_of(u).find(indicator).is_some())
    }

    /// Indices of the units of a group, in file order.
    pub fn units_of(&self, group: usize) -> impl Iterator<Item = usize> + '_ {
        self.units.iter().enumerate().filter(move |(_, u)| u.group == group).map(|(i, _)| i)
    }
}
