//! The made-up province: the real units of 2025, each with a drawn quality and
//! size, and the procedures they handle, with their properties and how many
//! dossiers each draws.

use super::GenerateOptions;
use super::rng::{Rng, Weighted};
use super::text::{Chunked, add_working_days};
use chiso_core::service_index::Date;
use std::collections::HashSet;
use std::io::{self, Write};

/// The province's units since 1 July 2025 (code, name, group, parent, name_en).
const UNITS_CSV: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sonla/2025/units.csv"));

/// Streams of the generator, one per purpose, so that changing the number of
/// dossiers does not change the procedures.
pub(super) const UNIT_STREAM: u64 = 1;
pub(super) const PROCEDURE_STREAM: u64 = 2;
pub(super) const DOSSIER_STREAM: u64 = 3;
pub(super) const PETITION_STREAM: u64 = 4;

/// A unit of 2025 as listed in `data/sonla/2025/units.csv`.
#[derive(Debug, Clone)]
pub(super) struct BundledUnit {
    pub code: String,
    pub name: String,
    pub department: bool,
}

/// The bundled units, departments first as in the file.
pub(super) fn bundled_units() -> io::Result<Vec<BundledUnit>> {
    let bad = |what: String| {
        io::Error::new(io::ErrorKind::InvalidData, format!("data/sonla/2025/units.csv: {what}"))
    };
    let mut reader = csv::Reader::from_reader(UNITS_CSV.as_bytes());
    let mut units = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let field = |i: usize| record.get(i).map(str::trim).unwrap_or_default().to_string();
        let department = match field(2).as_str() {
            "department" => true,
            "commune" => false,
            other => return Err(bad(format!("unknown group {other}"))),
        };
        units.push(BundledUnit { code: field(0), name: field(1), department });
    }
    Ok(units)
}

/// A unit with what the generator drew for it.
#[derive(Debug, Clone)]
pub(super) struct UnitModel {
    pub code: String,
    pub name: String,
    pub department: bool,
    /// 0 (worst) to 1 (best): every rate of the unit leans on it.
    pub quality: f64,
    pub e_certified_copy: bool,
}

/// How far a procedure can be done online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Online {
    None,
    Partial,
    Full,
}

impl Online {
    fn word(self) -> &'static str {
        match self {
            Online::None => "none",
            Online::Partial => "partial",
            Online::Full => "full",
        }
    }
}

/// A procedure as the province lists it (shared by every commune for a commune-level
/// one).
#[derive(Debug, Clone)]
struct Template {
    code: String,
    online: Online,
    fee: bool,
    paper_result: bool,
    citizen: bool,
    complete: bool,
    effective: Option<Date>,
    announced: Option<Date>,
    published: Option<Date>,
    /// The statutory time limit, in working days.
    limit: u32,
    /// How many dossiers it draws, relatively (thousandths).
    popularity: u64,
}

/// A procedure handled by one unit (a row of procedures.csv).
#[derive(Debug, Clone)]
pub(super) struct ProcedureModel {
    pub code: String,
    pub unit: usize,
    pub online: Online,
    pub fee: bool,
    pub paper_result: bool,
    pub citizen: bool,
    complete: bool,
    effective: Option<Date>,
    announced: Option<Date>,
    published: Option<Date>,
    pub limit: u32,
    /// Its dossiers are not always synchronised to the national portal.
    pub flaky_sync: bool,
}

/// The units and procedures of a generated folder, and how dossiers fall on them.
#[derive(Debug)]
pub(super) struct Province {
    pub units: Vec<UnitModel>,
    pub procedures: Vec<ProcedureModel>,
    /// Dossiers by procedure.
    pub by_procedure: Weighted,
    /// Petitions by unit (as its dossiers).
    pub by_unit: Weighted,
    /// The first day of the first month, and the first day after the last month.
    pub start: Date,
    pub end: Date,
}

/// The first day of the month `months` after (year, month).
pub(super) fn month_start(year: i32, month: u8, months: u32) -> Date {
    let index = i64::from(year) * 12 + i64::from(month) - 1 + i64::from(months);
    let (y, m) = (index.div_euclid(12) as i32, (index.rem_euclid(12) + 1) as u8);
    Date::from_ymd(y, m, 1).unwrap_or_default()
}

/// Statutory time limits in working days, and how often each is met.
const LIMITS: [(u32, u64); 9] =
    [(1, 8), (2, 6), (3, 12), (5, 18), (7, 10), (10, 16), (15, 14), (20, 10), (30, 6)];

impl Province {
    pub(super) fn new(bundled: &[BundledUnit], options: &GenerateOptions) -> Province {
        let (year, month) = options.from;
        let start = month_start(year, month, 0);
        let end = month_start(year, month, options.months);
        let mut rng = Rng::new(options.seed, UNIT_STREAM);
        let units: Vec<UnitModel> = bundled
            .iter()
            .map(|u| {
                // Spread out, so that rankings mean something: a few very good, a
                // few poor units.
                let quality = rng.unit();
                let e_certified_copy = !u.department && rng.chance(0.45 + 0.5 * quality);
                UnitModel {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    department: u.department,
                    quality,
                    e_certified_copy,
                }
            })
            .collect();
        // How big a commune is (wards are bigger): its dossiers, relatively.
        let size: Vec<u64> = units
            .iter()
            .map(|u| match () {
                _ if u.department => 1000,
                _ if u.name.starts_with("Phường") => 1300 + rng.below(700),
                _ => 500 + rng.below(800),
            })
            .collect();

        let mut rng = Rng::new(options.seed, PROCEDURE_STREAM);
        // A department handles about three times as many procedures as a commune.
        let share = Weighted::new(units.iter().map(|u| if u.department { 3 } else { 1 }));
        let counts = share.split(options.procedures as u64);
        let mut codes = HashSet::new();
        let commune_count = units.iter().zip(&counts).filter(|(u, _)| !u.department).map(|(_, &c)| c).max();
        let mut commune_list: Vec<Template> = (0..commune_count.unwrap_or(0))
            .map(|_| template(&mut rng, &mut codes, start, end, true))
            .collect();
        // Every commune handles the most used ones (birth registration, certified
        // copies); the rarer ones only where a commune has more procedures.
        commune_list.sort_by_key(|t| std::cmp::Reverse(t.popularity));
        let mut procedures = Vec::with_capacity(options.procedures);
        let mut weights = Vec::with_capacity(options.procedures);
        for (unit, (model, &count)) in units.iter().zip(&counts).enumerate() {
            for k in 0..count as usize {
                let t = match commune_list.get(k) {
                    Some(shared) if !model.department => shared.clone(),
                    _ => template(&mut rng, &mut codes, start, end, false),
                };
                let flaky_sync = rng.chance(0.04 + 0.2 * (1.0 - model.quality));
                weights.push(t.popularity * size[unit] / 1000);
                procedures.push(ProcedureModel {
                    code: t.code,
                    unit,
                    online: t.online,
                    fee: t.fee,
                    paper_result: t.paper_result,
                    citizen: t.citizen,
                    complete: t.complete && rng.chance(0.9 + 0.1 * model.quality),
                    effective: t.effective,
                    announced: t.announced,
                    published: t.published,
                    limit: t.limit,
                    flaky_sync,
                });
            }
        }
        // Communes and wards receive about two dossiers in three (civil status,
        // certification, land), whatever the procedures drawn.
        let of = |department: bool| -> u128 {
            procedures
                .iter()
                .zip(&weights)
                .filter(|(p, _)| units[p.unit].department == department)
                .map(|(_, &w)| u128::from(w))
                .sum()
        };
        let (departments, communes) = (of(true), of(false));
        if departments > 0 && communes > 0 {
            for (p, w) in procedures.iter().zip(weights.iter_mut()) {
                if !units[p.unit].department {
                    *w = (u128::from(*w) * departments * 2 / communes) as u64;
                }
            }
        }
        let mut per_unit = vec![0u64; units.len()];
        for (p, w) in procedures.iter().zip(&weights) {
            per_unit[p.unit] += w;
        }
        Province {
            units,
            procedures,
            by_procedure: Weighted::new(weights),
            by_unit: Weighted::new(per_unit),
            start,
            end,
        }
    }

    pub(super) fn write_units(&self, out: impl Write) -> io::Result<()> {
        let mut w = Chunked::new(out);
        w.str("code,name,level,e_certified_copy\n");
        for u in &self.units {
            w.str(&u.code);
            w.byte(b',');
            quoted(&mut w, &u.name);
            w.str(if u.department { ",department," } else { ",commune," });
            w.str(match (u.department, u.e_certified_copy) {
                (true, _) => "",
                (false, true) => "có",
                (false, false) => "không",
            });
            w.byte(b'\n');
            w.row_done()?;
        }
        w.finish()
    }

    pub(super) fn write_procedures(&self, out: impl Write) -> io::Result<usize> {
        let mut w = Chunked::new(out);
        w.str("code,unit,online,fee,paper_result,citizen,complete,effective,announced,published\n");
        let yes_no = |v: bool| if v { "yes" } else { "no" };
        for p in &self.procedures {
            w.str(&p.code);
            w.byte(b',');
            w.str(&self.units[p.unit].code);
            w.byte(b',');
            w.str(p.online.word());
            for flag in [p.fee, p.paper_result, p.citizen, p.complete] {
                w.byte(b',');
                w.str(yes_no(flag));
            }
            for date in [p.effective, p.announced, p.published] {
                w.byte(b',');
                if let Some(date) = date {
                    w.date(date);
                }
            }
            w.byte(b'\n');
            w.row_done()?;
        }
        w.finish()?;
        Ok(self.procedures.len())
    }
}

/// A name, quoted when it holds a comma.
fn quoted<W: Write>(w: &mut Chunked<W>, text: &str) {
    if text.contains([',', '"', '\n']) {
        w.byte(b'"');
        w.str(&text.replace('"', "\"\""));
        w.byte(b'"');
    } else {
        w.str(text);
    }
}

/// A new procedure with a code not used yet.
fn template(rng: &mut Rng, codes: &mut HashSet<String>, start: Date, end: Date, commune: bool) -> Template {
    let code = loop {
        let prefix = match rng.below(10) {
            0..=6 => 1,
            7 | 8 => 2,
            _ => 3,
        };
        let code = format!("{prefix}.{:06}", rng.between(100, 13_999));
        if codes.insert(code.clone()) {
            break code;
        }
    };
    let online = match rng.below(100) {
        0..=57 => Online::Full,
        58..=84 => Online::Partial,
        _ => Online::None,
    };
    let limit = Weighted::new(LIMITS.map(|(_, w)| w)).pick(rng).map_or(5, |i| LIMITS[i].0);
    // Heavy-tailed: a few procedures (birth registration, certified copies, land)
    // draw most dossiers.
    let u = rng.unit();
    let popularity = 500 + (u * u * u * 20_000.0) as u64;
    let (effective, announced, published) = dates(rng, start, end);
    Template {
        code,
        online,
        fee: rng.chance(if commune { 0.3 } else { 0.45 }),
        paper_result: rng.chance(0.7),
        citizen: rng.chance(if commune { 0.9 } else { 0.4 }),
        complete: rng.chance(0.97),
        effective,
        announced,
        published,
        limit,
        popularity: if commune { popularity * 3 / 2 } else { popularity },
    }
}

/// When a procedure's legal basis took effect, and when it was announced and made
/// public: a tenth with no dates (old procedures), a third announced within the
/// generated months, the others in the year before.
fn dates(rng: &mut Rng, start: Date, end: Date) -> (Option<Date>, Option<Date>, Option<Date>) {
    let span = (end.days() - start.days()).max(1) as u64;
    let announced = match rng.below(100) {
        0..=9 => return (None, None, None),
        10..=42 => start.plus_days(rng.below(span) as i64),
        _ => start.plus_days(-1 - rng.below(365) as i64),
    };
    let announced = add_working_days(announced, 0);
    // Announced at least 5 working days before it takes effect, most of the time.
    let ahead = if rng.chance(0.88) { rng.between(5, 25) } else { rng.between(0, 4) };
    let effective = add_working_days(announced, ahead as u32);
    let published = match rng.below(100) {
        0..=2 => None,
        3..=90 => Some(add_working_days(announced, rng.between(0, 5) as u32)),
        _ => Some(add_working_days(announced, rng.between(6, 15) as u32)),
    };
    (Some(effective), Some(announced), published)
}
