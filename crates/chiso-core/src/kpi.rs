//! Monitoring (theo dõi): a catalogue of KPIs with targets, observations over any
//! period, yearly values, least-squares forecasts and statuses, exactly as
//! `spec/monitoring.md` defines them.

mod period;

pub use period::{Period, PeriodError, days_in_month};

use crate::lang::{Names, NamesDef};
use crate::problem::{Problem, Site, SiteProblem};
use std::collections::HashMap;

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// How a year's value is formed from finer periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearlyRule {
    Last,
    Sum,
    Mean,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub year: i32,
    pub value: f64,
    /// The document that set it, e.g. "Nghị quyết 17-NQ/TU" (in each language).
    pub basis: Option<Names>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub code: String,
    pub name: Names,
    /// Shown after values: "%", "doanh nghiệp" / "businesses" ("" when none).
    pub unit: Names,
    pub direction: Direction,
    pub aggregate: YearlyRule,
    pub source: Option<String>,
    pub description: Option<Names>,
    /// Sorted by year.
    pub targets: Vec<Target>,
}

impl Kpi {
    /// Whether the KPI is a share in percent (its values lie in 0–100).
    pub fn is_percent(&self) -> bool {
        self.unit.vi.trim() == "%"
    }
}

/// `[[kpi]]` as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KpiDef {
    pub code: Option<String>,
    pub name: Option<NamesDef>,
    /// A plain text (the same in both languages) or `{ vi, en }`.
    pub unit: Option<NamesDef>,
    pub direction: Option<String>,
    pub aggregate: Option<String>,
    pub source: Option<String>,
    pub description: Option<NamesDef>,
    pub targets: Vec<TargetDef>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetDef {
    pub year: Option<i64>,
    pub value: Option<f64>,
    pub basis: Option<NamesDef>,
}

/// The KPI catalogue, in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalogue {
    pub kpis: Vec<Kpi>,
    by_code: HashMap<String, usize>,
}

const DIRECTIONS: &[&str] = &["up", "down"];
const YEARLY_RULES: &[&str] = &["last", "sum", "mean"];

impl Catalogue {
    pub fn build(defs: &[KpiDef]) -> Result<Catalogue, Vec<SiteProblem>> {
        let mut problems = Vec::new();
        let mut kpis: Vec<Kpi> = Vec::with_capacity(defs.len());
        let mut by_code = HashMap::new();
        for (index, d) in defs.iter().enumerate() {
            let mut report =
                |field, problem| problems.push(SiteProblem::new(Site::Kpi { index, field }, problem));
            let code = d.code.as_deref().map(str::trim).unwrap_or("");
            if d.code.is_none() {
                report("code", Problem::MissingField);
            } else if code.is_empty() {
                report("code", Problem::EmptyCode);
            } else if by_code.insert(code.to_string(), index).is_some() {
                report("code", Problem::DuplicateKpi { code: code.into() });
            }
            let name = match d.name.as_ref().map(NamesDef::validate) {
                Some(Ok(name)) => name,
                Some(Err(missing)) => {
                    report("name", Problem::NameIncomplete { missing });
                    Names::default()
                }
                None => {
                    report("name", Problem::MissingField);
                    Names::default()
                }
            };
            let description = match d.description.as_ref().map(NamesDef::validate) {
                Some(Ok(names)) => Some(names),
                Some(Err(missing)) => {
                    report("description", Problem::NameIncomplete { missing });
                    None
                }
                None => None,
            };
            let direction = match d.direction.as_deref().map(str::trim).unwrap_or("up") {
                "up" => Direction::Up,
                "down" => Direction::Down,
                other => {
                    report("direction", Problem::UnknownWord { found: other.into(), expected: DIRECTIONS });
                    Direction::Up
                }
            };
            let aggregate = match d.aggregate.as_deref().map(str::trim).unwrap_or("last") {
                "last" => YearlyRule::Last,
                "sum" => YearlyRule::Sum,
                "mean" => YearlyRule::Mean,
                other => {
                    report("aggregate", Problem::UnknownWord { found: other.into(), expected: YEARLY_RULES });
                    YearlyRule::Last
                }
            };
            let mut targets: Vec<Target> = Vec::with_capacity(d.targets.len());
            for (t, target) in d.targets.iter().enumerate() {
                let mut report = |field, problem| {
                    problems.push(SiteProblem::new(Site::KpiTarget { kpi: index, index: t, field }, problem))
                };
                let (Some(year), Some(value)) = (target.year, target.value) else {
                    if target.year.is_none() {
                        report("year", Problem::MissingField);
                    }
                    if target.value.is_none() {
                        report("value", Problem::MissingField);
                    }
                    continue;
                };
                if !(1900..=9999).contains(&year) {
                    report("year", Problem::NotPositive { found: year as f64 });
                    continue;
                }
                if targets.iter().any(|x| i64::from(x.year) == year) {
                    report("year", Problem::DuplicateTarget { year });
                    continue;
                }
                let basis = crate::lang::free_text(target.basis.as_ref());
                targets.push(Target { year: year as i32, value, basis });
            }
            targets.sort_by_key(|t| t.year);
            kpis.push(Kpi {
                code: code.to_string(),
                name,
                unit: crate::lang::free_text(d.unit.as_ref()).unwrap_or_default(),
                direction,
                aggregate,
                source: d.source.clone().filter(|s| !s.trim().is_empty()),
                description,
                targets,
            });
        }
        if problems.is_empty() { Ok(Catalogue { kpis, by_code }) } else { Err(problems) }
    }

    pub fn find(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }
}

/// One measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Index into [`Catalogue::kpis`].
    pub kpi: usize,
    /// `province` or a unit code.
    pub scope: String,
    pub period: Period,
    pub value: f64,
    pub note: Option<String>,
}

/// A KPI's value for a year, formed by the spec's rule: the whole-year observation
/// if there is one; otherwise `last` takes the observation ending latest (on a tie
/// the finest period), and `sum` / `mean` use only the finest granularity present.
/// `observations` are those of one KPI and scope in that year.
pub fn yearly_value(rule: YearlyRule, observations: &[&Observation]) -> Option<f64> {
    if let Some(whole) = observations.iter().find(|o| matches!(o.period, Period::Year(_))) {
        return Some(whole.value);
    }
    match rule {
        YearlyRule::Last => observations.iter().max_by_key(|o| o.period.later_key()).map(|o| o.value),
        YearlyRule::Sum | YearlyRule::Mean => {
            let finest = observations.iter().map(|o| o.period.granularity()).max()?;
            let values: Vec<f64> =
                observations.iter().filter(|o| o.period.granularity() == finest).map(|o| o.value).collect();
            let sum: f64 = values.iter().sum();
            Some(if rule == YearlyRule::Sum { sum } else { sum / values.len() as f64 })
        }
    }
}

/// The status of a KPI against its target, judged in the spec's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    NoData,
    NoTarget,
    Met,
    Missed,
    OnTrack,
    AtRisk,
    OffTrack,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::NoData => "no_data",
            Status::NoTarget => "no_target",
            Status::Met => "met",
            Status::Missed => "missed",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
        }
    }

    pub fn label(self) -> Names {
        let (vi, en) = match self {
            Status::NoData => ("Chưa có số liệu", "No data"),
            Status::NoTarget => ("Chưa có chỉ tiêu", "No target"),
            Status::Met => ("Đã đạt", "Met"),
            Status::Missed => ("Không đạt", "Missed"),
            Status::OnTrack => ("Đúng hướng", "On track"),
            Status::AtRisk => ("Có nguy cơ không đạt", "At risk"),
            Status::OffTrack => ("Chệch hướng", "Off track"),
        };
        Names::new(vi, en)
    }
}

/// Everything `chiso kpi` says of one KPI for one scope and year.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiStatus {
    pub kpi: usize,
    /// The yearly value of the largest year ≤ Y that has observations.
    pub value: Option<(i32, f64)>,
    /// The observation with the latest-ending period in years ≤ Y.
    pub latest: Option<(Period, f64)>,
    pub previous_year: Option<f64>,
    pub target: Option<Target>,
    pub progress: Option<f64>,
    pub forecast: Option<f64>,
    pub status: Status,
}

/// The least-squares line through `points`, evaluated at `x`; `None` with fewer
/// than two distinct x.
pub fn least_squares_at(points: &[(f64, f64)], x: f64) -> Option<f64> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx == 0.0 {
        return None;
    }
    Some(mean_y + sxy / sxx * (x - mean_x))
}

/// A monitoring package: the catalogue and its observations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Monitoring {
    pub catalogue: Catalogue,
    pub observations: Vec<Observation>,
}

impl Monitoring {
    /// The observations of one KPI and scope.
    pub fn series(&self, kpi: usize, scope: &str) -> Vec<&Observation> {
        self.observations.iter().filter(|o| o.kpi == kpi && o.scope == scope).collect()
    }

    /// The yearly value of a KPI for a scope, with no observation → `None`.
    pub fn yearly_value(&self, kpi: usize, scope: &str, year: i32) -> Option<f64> {
        let of_year: Vec<&Observation> =
            self.series(kpi, scope).into_iter().filter(|o| o.period.year() == year).collect();
        yearly_value(self.catalogue.kpis[kpi].aggregate, &of_year)
    }

    /// The latest year with any observation for the scope.
    pub fn latest_year(&self, scope: &str) -> Option<i32> {
        self.observations.iter().filter(|o| o.scope == scope).map(|o| o.period.year()).max()
    }

    /// Judges every KPI of the catalogue for `scope` in `year`, in catalogue order.
    pub fn statuses(&self, scope: &str, year: i32) -> Vec<KpiStatus> {
        (0..self.catalogue.kpis.len()).map(|k| self.status(k, scope, year)).collect()
    }

    pub fn status(&self, kpi: usize, scope: &str, year: i32) -> KpiStatus {
        let def = &self.catalogue.kpis[kpi];
        let series: Vec<&Observation> =
            self.series(kpi, scope).into_iter().filter(|o| o.period.year() <= year).collect();
        let mut years: Vec<i32> = series.iter().map(|o| o.period.year()).collect();
        years.sort_unstable();
        years.dedup();
        let yearly = |y: i32| {
            let of_year: Vec<&Observation> =
                series.iter().copied().filter(|o| o.period.year() == y).collect();
            yearly_value(def.aggregate, &of_year)
        };
        let yearly_values: Vec<(i32, f64)> =
            years.iter().filter_map(|&y| yearly(y).map(|v| (y, v))).collect();
        let value = yearly_values.last().copied();
        let latest = series.iter().max_by_key(|o| o.period.later_key()).map(|o| (o.period, o.value));
        let previous_year = yearly(year - 1);
        let target = def.targets.iter().find(|t| t.year >= year).or_else(|| def.targets.last()).cloned();
        let progress = match (value, &target) {
            (Some((_, v)), Some(t)) => match def.direction {
                Direction::Up if t.value != 0.0 => Some(v / t.value),
                Direction::Down if v != 0.0 => Some(t.value / v),
                _ => None,
            },
            _ => None,
        };
        let points: Vec<(f64, f64)> = yearly_values.iter().map(|&(y, v)| (f64::from(y), v)).collect();
        // A share cannot pass 100 % (nor fall below 0), however steep its trend.
        let forecast = target
            .as_ref()
            .and_then(|t| least_squares_at(&points, f64::from(t.year)))
            .map(|f| if def.is_percent() { f.clamp(0.0, 100.0) } else { f });
        let reaches = |x: f64, t: f64| match def.direction {
            Direction::Up => x >= t,
            Direction::Down => x <= t,
        };
        let status = match (value, &target) {
            (None, _) => Status::NoData,
            (_, None) => Status::NoTarget,
            (Some((_, v)), Some(t)) if reaches(v, t.value) => Status::Met,
            (Some(_), Some(t)) if t.year < year => Status::Missed,
            (Some((_, v)), Some(t)) => {
                let expected = forecast.unwrap_or(v);
                let shortfall = match def.direction {
                    Direction::Up => t.value - expected,
                    Direction::Down => expected - t.value,
                };
                if shortfall <= 0.0 {
                    Status::OnTrack
                } else if shortfall < 0.1 * t.value.abs() {
                    Status::AtRisk
                } else {
                    Status::OffTrack
                }
            }
        };
        KpiStatus { kpi, value, latest, previous_year, target, progress, forecast, status }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kpi(code: &str, direction: &str, aggregate: &str, targets: &[(i64, f64)]) -> KpiDef {
        KpiDef {
            code: Some(code.into()),
            name: Some(NamesDef::new(code, code)),
            unit: Some(NamesDef::new("%", "%")),
            direction: Some(direction.into()),
            aggregate: Some(aggregate.into()),
            targets: targets
                .iter()
                .map(|&(year, value)| TargetDef { year: Some(year), value: Some(value), basis: None })
                .collect(),
            ..KpiDef::default()
        }
    }

    fn monitoring(defs: &[KpiDef], rows: &[(&str, &str, f64)]) -> Monitoring {
        let catalogue = Catalogue::build(defs).unwrap_or_else(|p| panic!("{p:?}"));
        let observations = rows
            .iter()
            .map(|&(code, period, value)| Observation {
                kpi: catalogue.find(code).unwrap_or_else(|| panic!("{code}")),
                scope: "province".into(),
                period: period.parse().unwrap_or_else(|e| panic!("{e}")),
                value,
                note: None,
            })
            .collect();
        Monitoring { catalogue, observations }
    }

    fn yearly(aggregate: &str, rows: &[(&str, f64)], year: i32) -> Option<f64> {
        let rows: Vec<(&str, &str, f64)> = rows.iter().map(|&(p, v)| ("k", p, v)).collect();
        monitoring(&[kpi("k", "up", aggregate, &[])], &rows).yearly_value(0, "province", year)
    }

    const MIXED: [(&str, f64); 5] =
        [("2024-Q1", 10.0), ("2024-Q2", 20.0), ("2024-04", 3.0), ("2024-05", 4.0), ("2024-06-30", 7.0)];

    #[test]
    fn last_takes_the_period_ending_latest_and_the_finest_on_a_tie() {
        // Q2, June 30 and (nothing else) end on 2024-06-30; the day is finest.
        assert_eq!(yearly("last", &MIXED, 2024), Some(7.0));
        assert_eq!(yearly("last", &[("2024-Q2", 20.0), ("2024-06", 6.0)], 2024), Some(6.0));
        assert_eq!(yearly("last", &[("2024-Q3", 1.0), ("2024-06", 6.0)], 2024), Some(1.0));
    }

    #[test]
    fn sum_and_mean_use_only_the_finest_granularity_present() {
        assert_eq!(yearly("sum", &MIXED, 2024), Some(7.0));
        assert_eq!(yearly("sum", &[("2024-Q1", 10.0), ("2024-Q2", 20.0), ("2024-04", 3.0)], 2024), Some(3.0));
        assert_eq!(yearly("sum", &[("2024-Q1", 10.0), ("2024-Q2", 20.0)], 2024), Some(30.0));
        assert_eq!(yearly("mean", &[("2024-01", 1.0), ("2024-02", 2.0), ("2024-Q1", 9.0)], 2024), Some(1.5));
    }

    #[test]
    fn an_annual_observation_wins_over_its_quarters() {
        let rows = [("2024", 100.0), ("2024-Q1", 10.0), ("2024-Q2", 20.0)];
        for rule in ["last", "sum", "mean"] {
            assert_eq!(yearly(rule, &rows, 2024), Some(100.0), "{rule}");
        }
        assert_eq!(yearly("sum", &rows, 2023), None);
    }

    fn status_of(direction: &str, targets: &[(i64, f64)], rows: &[(&str, f64)], year: i32) -> KpiStatus {
        let rows: Vec<(&str, &str, f64)> = rows.iter().map(|&(p, v)| ("k", p, v)).collect();
        monitoring(&[kpi("k", direction, "last", targets)], &rows).status(0, "province", year)
    }

    #[test]
    fn a_share_is_never_forecast_past_100_percent() {
        // 80, 90, 99 in 2022–2024 trend to 108 in 2025: a share stops at 100.
        let steep =
            status_of("up", &[(2025, 100.0)], &[("2022", 80.0), ("2023", 90.0), ("2024", 99.0)], 2024);
        assert_eq!(steep.forecast, Some(100.0));
        assert_eq!(steep.status, Status::OnTrack);
    }

    #[test]
    fn every_status_is_reachable() {
        assert_eq!(status_of("up", &[(2025, 10.0)], &[], 2025).status, Status::NoData);
        assert_eq!(status_of("up", &[(2025, 10.0)], &[("2026", 5.0)], 2025).status, Status::NoData);
        assert_eq!(status_of("up", &[], &[("2024", 5.0)], 2025).status, Status::NoTarget);
        assert_eq!(status_of("up", &[(2025, 10.0)], &[("2024", 10.0)], 2025).status, Status::Met);
        assert_eq!(status_of("up", &[(2023, 10.0)], &[("2024", 9.0)], 2025).status, Status::Missed);
        // Forecast through (2023, 8), (2024, 9) reaches 10 in 2025.
        let on_track = status_of("up", &[(2025, 10.0)], &[("2023", 8.0), ("2024", 9.0)], 2025);
        assert_eq!(on_track.status, Status::OnTrack);
        assert_eq!(on_track.forecast, Some(10.0));
        // Flat at 9.5: short by 0.5, less than 10% of 10.
        assert_eq!(
            status_of("up", &[(2025, 10.0)], &[("2023", 9.5), ("2024", 9.5)], 2025).status,
            Status::AtRisk
        );
        // Without a forecast the value stands in: 8 is short by 2 ≥ 1.
        assert_eq!(status_of("up", &[(2025, 10.0)], &[("2024", 8.0)], 2025).status, Status::OffTrack);
    }

    #[test]
    fn lower_is_better_when_the_direction_is_down() {
        let met = status_of("down", &[(2025, 40.0)], &[("2024", 38.0)], 2025);
        assert_eq!(met.status, Status::Met);
        assert_eq!(met.progress, Some(40.0 / 38.0));
        // Ranks 51, 43: forecast for 2025 is 19, better than 30.
        assert_eq!(
            status_of("down", &[(2025, 30.0)], &[("2020", 51.0), ("2021", 43.0)], 2025).status,
            Status::OnTrack
        );
        assert_eq!(status_of("down", &[(2025, 30.0)], &[("2024", 32.0)], 2025).status, Status::AtRisk);
        assert_eq!(status_of("down", &[(2025, 30.0)], &[("2024", 40.0)], 2025).status, Status::OffTrack);
    }

    #[test]
    fn the_target_is_the_next_one_or_else_the_last_past_one() {
        let s = status_of("up", &[(2020, 5.0), (2025, 10.0), (2030, 20.0)], &[("2024", 6.0)], 2026);
        assert_eq!(s.target.map(|t| t.year), Some(2030));
        let past = status_of("up", &[(2020, 5.0), (2025, 10.0)], &[("2024", 6.0)], 2026);
        assert_eq!(past.target.map(|t| t.year), Some(2025));
        assert_eq!(past.status, Status::Missed);
    }

    #[test]
    fn value_latest_and_previous_year_follow_the_spec() {
        let s =
            status_of("up", &[(2025, 100.0)], &[("2023", 50.0), ("2024-Q2", 60.0), ("2024-Q3", 70.0)], 2025);
        assert_eq!(s.value, Some((2024, 70.0)));
        assert_eq!(s.latest, Some((Period::Quarter(2024, 3), 70.0)));
        assert_eq!(s.previous_year, Some(70.0));
        assert_eq!(s.progress, Some(0.7));
        let earlier = status_of("up", &[(2025, 100.0)], &[("2023", 50.0), ("2024-Q3", 70.0)], 2023);
        assert_eq!(earlier.value, Some((2023, 50.0)));
        assert_eq!(earlier.previous_year, None);
    }

    #[test]
    fn least_squares_needs_two_points() {
        assert_eq!(least_squares_at(&[(2020.0, 1.0)], 2025.0), None);
        assert_eq!(least_squares_at(&[(2020.0, 1.0), (2021.0, 3.0)], 2022.0), Some(5.0));
    }

    #[test]
    fn catalogue_problems_are_collected() {
        let mut dup = kpi("k", "sideways", "median", &[(2025, 1.0), (2025, 2.0)]);
        dup.name = None;
        let problems = Catalogue::build(&[dup, kpi("k", "up", "last", &[])]).err().unwrap_or_default();
        let kinds: Vec<&Problem> = problems.iter().map(|p| &p.problem).collect();
        assert_eq!(problems.len(), 5, "{kinds:?}");
        assert!(kinds.contains(&&Problem::DuplicateKpi { code: "k".into() }));
        assert!(kinds.contains(&&Problem::DuplicateTarget { year: 2025 }));
    }
}

/// A leaf value to take from monitoring: the KPI's yearly value for the unit (scope
/// = unit code) in the assessment's year.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiFill {
    pub unit: usize,
    pub indicator: usize,
    pub kpi: usize,
    pub year: i32,
    pub value: f64,
}

/// The leaves with `source = "kpi:<code>"` that have no value yet (missing) and whose
/// KPI has a yearly value for the unit in the assessment's year. Leaves whose KPI is
/// not in the catalogue are returned separately, as (unit group, indicator, code).
pub fn kpi_fills(
    assessment: &crate::Assessment,
    values: &crate::Values,
    monitoring: &Monitoring,
) -> (Vec<KpiFill>, Vec<(usize, usize, String)>) {
    use crate::framework::Source;
    let mut fills = Vec::new();
    let mut unknown = Vec::new();
    for (g, group) in assessment.groups.iter().enumerate() {
        for &leaf in &group.framework.leaves {
            let Source::Kpi(code) = &group.framework.indicators[leaf].source else { continue };
            let Some(kpi) = monitoring.catalogue.find(code) else {
                unknown.push((g, leaf, code.clone()));
                continue;
            };
            for unit in assessment.units_of(g) {
                if values.get(unit, leaf) != crate::Entry::Missing {
                    continue;
                }
                let scope = &assessment.units[unit].code;
                if let Some(value) = monitoring.yearly_value(kpi, scope, assessment.year) {
                    fills.push(KpiFill { unit, indicator: leaf, kpi, year: assessment.year, value });
                }
            }
        }
    }
    (fills, unknown)
}
