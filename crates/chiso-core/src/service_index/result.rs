//! What scoring gives: per period, the province and each unit scored, with their
//! groups and indicators. Plain values; renderers (JSON, CSV, table, observations)
//! live in `chiso-io`.

use super::catalogue::{Catalogue, UnitId};
use super::indicators::{IndicatorCode, Inputs};
use super::period::{PeriodKind, ServicePeriod};
use super::records::Level;

/// How an indicator was scored (in JSON, by its [`Status::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Computed from a non-zero denominator.
    Ok,
    /// Its denominator is zero: full points (0 for 6.3 and the reported ones).
    NoData,
    /// 5.3 for a department: removed, the total scaled to 100.
    NotApplicable,
    /// An input it needs is absent: 0 points.
    MissingInput,
}

impl Status {
    /// `ok`, `no_data`, `not_applicable`, `missing_input`.
    pub fn code(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NoData => "no_data",
            Status::NotApplicable => "not_applicable",
            Status::MissingInput => "missing_input",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        [Status::Ok, Status::NoData, Status::NotApplicable, Status::MissingInput]
            .into_iter()
            .find(|s| s.code() == code)
    }

    pub fn name(self, lang: crate::Lang) -> &'static str {
        match self {
            Status::Ok => lang.pick("có số liệu", "scored"),
            Status::NoData => lang.pick("không phát sinh", "no data"),
            Status::NotApplicable => lang.pick("không áp dụng", "not applicable"),
            Status::MissingInput => lang.pick("thiếu dữ liệu", "missing input"),
        }
    }
}

/// One indicator of one scope in one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorScore {
    pub code: IndicatorCode,
    /// None when `missing_input` or `not_applicable`; 0 when `no_data`. For 2.2, the
    /// days summed over finished dossiers.
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// numerator / denominator in [0, 1]; None unless `ok` (and always for 2.2).
    pub rate: Option<f64>,
    /// 2.2 only: the mean handling time in days (None without finished dossiers).
    pub value: Option<f64>,
    pub points: f64,
    /// 0 for a `not_applicable` or reported indicator.
    pub max: f64,
    pub status: Status,
}

/// One group of one scope in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupScore {
    /// 1–6.
    pub group: u8,
    pub points: f64,
    /// The sum of its indicators' maxima (20 for group 5 of a department).
    pub max: f64,
    pub indicators: Vec<IndicatorScore>,
}

/// Whom a score is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The pooled records of every unit.
    Province,
    Unit(UnitId),
}

/// The index of the province or of one unit in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeScore {
    pub scope: Scope,
    /// Out of 100 (scaled to 100 when 5.3 is not applicable).
    pub total: f64,
    pub max: f64,
    /// Competition rank within the unit's level; None for the province.
    pub rank: Option<usize>,
    /// The total minus the total of the previous period; None when not scored then.
    pub change: Option<f64>,
    pub groups: Vec<GroupScore>,
    /// The indicators whose inputs are absent (scored 0), in order.
    pub missing_inputs: Vec<IndicatorCode>,
}

impl ScopeScore {
    pub fn indicator(&self, code: IndicatorCode) -> Option<&IndicatorScore> {
        self.indicators().find(|i| i.code == code)
    }

    /// Every indicator, in order.
    pub fn indicators(&self) -> impl Iterator<Item = &IndicatorScore> {
        self.groups.iter().flat_map(|g| &g.indicators)
    }

    pub fn unit(&self) -> Option<UnitId> {
        match self.scope {
            Scope::Province => None,
            Scope::Unit(id) => Some(id),
        }
    }
}

/// One period: the province and the units scored (those with dossiers), per level
/// in rank order (ties in file order).
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodScores {
    pub period: ServicePeriod,
    pub province: ScopeScore,
    pub departments: Vec<ScopeScore>,
    pub communes: Vec<ScopeScore>,
}

impl PeriodScores {
    pub fn level(&self, level: Level) -> &[ScopeScore] {
        match level {
            Level::Department => &self.departments,
            Level::Commune => &self.communes,
        }
    }

    /// The scores of every unit scored, departments first.
    pub fn units(&self) -> impl Iterator<Item = &ScopeScore> {
        self.departments.iter().chain(&self.communes)
    }

    pub fn unit(&self, id: UnitId) -> Option<&ScopeScore> {
        self.units().find(|s| s.scope == Scope::Unit(id))
    }
}

/// The index over a run's periods (in order), with the units and procedures it was
/// computed from.
#[derive(Debug, Clone)]
pub struct ServiceIndex {
    pub catalogue: Catalogue,
    pub kind: PeriodKind,
    pub inputs: Inputs,
    pub periods: Vec<PeriodScores>,
}
