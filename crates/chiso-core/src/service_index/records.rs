//! The records the index is computed from, already parsed: units, procedures
//! (thủ tục hành chính), dossiers (hồ sơ) and petitions (phản ánh, kiến nghị).
//! Where they come from (CSV files, a database) is no concern of the core.

use super::calendar::{Date, Moment};
use super::catalogue::{ProcedureId, UnitId};

/// The level a unit is ranked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// A provincial department (sở, ban, ngành).
    Department,
    /// A commune or ward (xã, phường).
    Commune,
}

impl Level {
    pub const ALL: [Level; 2] = [Level::Department, Level::Commune];

    /// `department` or `commune`, as in units.csv and the JSON.
    pub fn code(self) -> &'static str {
        match self {
            Level::Department => "department",
            Level::Commune => "commune",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "department" => Some(Level::Department),
            "commune" => Some(Level::Commune),
            _ => None,
        }
    }

    /// The units of this level, as a heading.
    pub fn name(self, lang: crate::Lang) -> &'static str {
        match self {
            Level::Department => lang.pick("Sở, ban, ngành", "Departments"),
            Level::Commune => lang.pick("Xã, phường", "Communes"),
        }
    }
}

/// A unit scored: a department or a commune (units.csv).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceUnit {
    pub code: String,
    pub name: String,
    pub level: Level,
    /// The commune offers electronic certification of copies from originals
    /// (always false for a department).
    pub e_certified_copy: bool,
}

/// How far a procedure can be done online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OnlineLevel {
    /// Not online.
    #[default]
    None,
    /// Partly online (dịch vụ công trực tuyến một phần).
    Partial,
    /// Fully online (dịch vụ công trực tuyến toàn trình).
    Full,
}

impl OnlineLevel {
    pub fn parse(text: &str) -> Option<OnlineLevel> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Some(OnlineLevel::None),
            "partial" => Some(OnlineLevel::Partial),
            "full" => Some(OnlineLevel::Full),
            _ => None,
        }
    }
}

/// A procedure as handled by one unit (procedures.csv), its unit resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    pub code: String,
    pub unit: UnitId,
    pub online: OnlineLevel,
    /// It carries a fee or charge.
    pub fee: bool,
    /// Its result is a paper document (so an electronic result is expected).
    pub paper_result: bool,
    /// Its applicants are citizens (so population data can be used).
    pub citizen: bool,
    /// Its public record has all seven required parts.
    pub complete: bool,
    /// The legal basis that created or changed it took effect.
    pub effective: Option<Date>,
    /// The provincial decision announcing it (quyết định công bố).
    pub announced: Option<Date>,
    /// Made public in the national procedures database.
    pub published: Option<Date>,
}

/// A dossier (dossiers.csv), its unit and procedure resolved. The optional facts are
/// read only when their input is in the run's [`super::Inputs`]; otherwise they
/// are ignored (leave them false).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Dossier {
    pub procedure: ProcedureId,
    /// Submitted online (`channel = online`).
    pub online: bool,
    pub received: Moment,
    pub due: Moment,
    /// None while still being handled.
    pub finished: Option<Moment>,
    /// Days the applicant took to supplement the dossier (0 when the column is absent).
    pub supplement_days: f64,
    pub synced: bool,
    pub fee_due: bool,
    pub paid_online: bool,
    pub e_result: bool,
    pub attached: bool,
    pub reused: bool,
    pub data_store: bool,
    pub population_data: bool,
    pub disliked: bool,
}

/// A petition about a unit's handling (petitions.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Petition {
    pub unit: UnitId,
    pub received: Moment,
    pub due: Moment,
    /// None while in progress.
    pub handled: Option<Moment>,
    /// The applicant's rating: None when not rated.
    pub satisfied: Option<bool>,
    /// It was complained about again.
    pub reopened: bool,
}
