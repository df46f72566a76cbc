//! A deterministic generator of a **made-up** Son La service folder
//! (`chiso service-data FOLDER`): units.csv, procedures.csv, dossiers.csv and
//! petitions.csv in the format of `docs/formats/service-index.md`, for tests,
//! benchmarks and demonstrations.
//!
//! **Illustrative, generated data — never published fact.** The units are the
//! province's real ones since the reorganisation of 1 July 2025 (the 15 departments
//! and the 75 communes and wards of `data/sonla/2025/units.csv`, their codes and
//! Vietnamese names), but every procedure, dossier and petition is invented by a
//! seeded pseudo-random generator. The rates are tuned to be plausible and near
//! the province's published orders of magnitude (about 86 % of the dossiers of
//! fully online procedures submitted online, over 95 % of dossiers digitised, 95–98 %
//! handled on time, about 2 % disliked), and every unit has a drawn "quality" so that
//! some units are clearly better than others and rankings mean something; no figure
//! of it describes a real unit.
//!
//! What it writes:
//!
//! - **units.csv**: the first `units` units of 2025 (all 90 by default), departments
//!   then communes; communes offer electronic certified copies or not.
//! - **procedures.csv**: `procedures` procedures with codes in the style of the
//!   national database (`1.004227`), each owned by one unit; a department owns about
//!   three times as many as a commune, and the communes share one list of
//!   commune-level procedures (the same code handled by every commune, one row each).
//!   About one in three is announced within the generated months.
//! - **dossiers.csv**: `dossiers` dossiers received on the working days of `months`
//!   months from `from`, in office hours, in order of receipt, with every optional
//!   column; due dates are a procedure's statutory limit in working days; dossiers
//!   that would finish after the last month are still pending, as are a few stuck ones.
//! - **petitions.csv**: `petitions` petitions over the same months, due in 10 working
//!   days.
//!
//! Booleans are `yes`/`no` in the two catalogues (edited by hand) and `1`/`0` in the
//! two record exports (written by machines); times are ISO, `2025-07-03T08:15:00`.
//!
//! The same options always give the same bytes: a splitmix64 generator per file,
//! seeded from [`GenerateOptions::seed`], integer arithmetic for every count, and no
//! hash-ordered iteration. Rows are produced one working day at a time, so memory
//! stays small for any number of dossiers.
//!
//! [`generate`] writes a folder (each file to a temporary name first, renamed when
//! all four are complete, so that a half-written folder is never left);
//! [`generate_to_writers`] writes to any four writers (tests, the web app).

mod model;
mod records;
mod rng;
mod text;

#[cfg(test)]
mod tests;

use chiso_core::Lang;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The four files a generated folder holds, in the order they are written.
pub const FILES: [&str; 4] = ["units.csv", "procedures.csv", "dossiers.csv", "petitions.csv"];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// The same seed (and options) always gives the same bytes.
    pub seed: u64,
    /// The first month, (year, month): by default July 2025, after the
    /// reorganisation of 1 July 2025.
    pub from: (i32, u8),
    /// How many months of dossiers and petitions (default 12).
    pub months: u32,
    /// How many procedures (rows of procedures.csv; default 300).
    pub procedures: usize,
    /// How many dossiers (default 40,000: a folder of about 5 MB).
    pub dossiers: u64,
    /// How many petitions (default 2,000).
    pub petitions: u64,
    /// Only the first N units of 2025 (departments first); None: all 90.
    pub units: Option<usize>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            seed: 766,
            from: (2025, 7),
            months: 12,
            procedures: 300,
            dossiers: 40_000,
            petitions: 2_000,
            units: None,
        }
    }
}

/// Why options cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionProblem {
    /// The first month is not 1 to 12.
    Month { month: u8 },
    /// The first year is outside 1971–9000.
    Year { year: i32 },
    /// No month, or more than 1,200.
    Months { months: u32 },
    /// No unit, or more than there are.
    Units { asked: usize, max: usize },
    /// Dossiers were asked for, but no procedure for them to be of.
    NoProcedures,
}

impl OptionProblem {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (OptionProblem::Month { month }, Lang::Vi) => {
                format!("tháng bắt đầu phải từ 1 đến 12 (nhận được {month})")
            }
            (OptionProblem::Month { month }, Lang::En) => {
                format!("the first month must be 1 to 12 (got {month})")
            }
            (OptionProblem::Year { year }, Lang::Vi) => {
                format!("năm bắt đầu phải từ 1971 đến 9000 (nhận được {year})")
            }
            (OptionProblem::Year { year }, Lang::En) => {
                format!("the first year must be 1971 to 9000 (got {year})")
            }
            (OptionProblem::Months { months }, Lang::Vi) => {
                format!("số tháng phải từ 1 đến 1200 (nhận được {months})")
            }
            (OptionProblem::Months { months }, Lang::En) => {
                format!("the number of months must be 1 to 1200 (got {months})")
            }
            (OptionProblem::Units { asked, max }, Lang::Vi) => {
                format!("số đơn vị phải từ 1 đến {max} (nhận được {asked})")
            }
            (OptionProblem::Units { asked, max }, Lang::En) => {
                format!("the number of units must be 1 to {max} (got {asked})")
            }
            (OptionProblem::NoProcedures, Lang::Vi) => "cần ít nhất một thủ tục để tạo hồ sơ".to_string(),
            (OptionProblem::NoProcedures, Lang::En) => "dossiers need at least one procedure".to_string(),
        }
    }
}

impl GenerateOptions {
    /// What is wrong with these options, if anything.
    pub fn problem(&self) -> Option<OptionProblem> {
        let (year, month) = self.from;
        if !(1..=12).contains(&month) {
            return Some(OptionProblem::Month { month });
        }
        if !(1971..=9000).contains(&year) {
            return Some(OptionProblem::Year { year });
        }
        if !(1..=1200).contains(&self.months) {
            return Some(OptionProblem::Months { months: self.months });
        }
        let max = bundled_units();
        if let Some(asked) = self.units
            && !(1..=max).contains(&asked)
        {
            return Some(OptionProblem::Units { asked, max });
        }
        if self.procedures == 0 && self.dossiers > 0 {
            return Some(OptionProblem::NoProcedures);
        }
        None
    }
}

/// The number of units of 2025 the generator knows (15 departments, 75 communes).
pub fn bundled_units() -> usize {
    model::bundled_units().map_or(0, |units| units.len())
}

/// What was generated: the data rows of each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenerateSummary {
    pub units: usize,
    pub procedures: usize,
    pub dossiers: u64,
    pub petitions: u64,
    /// Dossiers still pending at the end (no `finished`).
    pub pending: u64,
}

fn invalid(problem: &OptionProblem) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, problem.message(Lang::En))
}

/// Writes the four files into `folder` (created if needed; files already there are
/// replaced). Each file is written to a temporary name and the four are renamed
/// only when all are complete; on an error the temporary files are removed.
pub fn generate(folder: &Path, options: &GenerateOptions) -> io::Result<GenerateSummary> {
    if let Some(problem) = options.problem() {
        return Err(invalid(&problem));
    }
    fs::create_dir_all(folder)?;
    let partial: Vec<PathBuf> = FILES.iter().map(|name| folder.join(format!(".{name}.partial"))).collect();
    let result = write_partial(&partial, options);
    let result = result.and_then(|summary| {
        for (from, name) in partial.iter().zip(FILES) {
            fs::rename(from, folder.join(name))?;
        }
        Ok(summary)
    });
    if result.is_err() {
        for path in &partial {
            let _ = fs::remove_file(path);
        }
    }
    result
}

fn write_partial(paths: &[PathBuf], options: &GenerateOptions) -> io::Result<GenerateSummary> {
    let create = |i: usize| File::create(&paths[i]);
    let (units, procedures, dossiers, petitions) = (create(0)?, create(1)?, create(2)?, create(3)?);
    let summary = generate_to_writers(&units, &procedures, &dossiers, &petitions, options)?;
    for file in [units, procedures, dossiers, petitions] {
        file.sync_all()?;
    }
    Ok(summary)
}

/// Writes the four files to four writers (in memory for tests or the web app:
/// pass `&mut Vec<u8>`). Writes go out in chunks of about 64 KiB, so the writers
/// need no buffering of their own; each is flushed at the end.
pub fn generate_to_writers<U: Write, P: Write, D: Write, Q: Write>(
    units: U,
    procedures: P,
    dossiers: D,
    petitions: Q,
    options: &GenerateOptions,
) -> io::Result<GenerateSummary> {
    if let Some(problem) = options.problem() {
        return Err(invalid(&problem));
    }
    let all = model::bundled_units()?;
    let count = options.units.unwrap_or(all.len()).min(all.len());
    let province = model::Province::new(&all[..count], options);
    let mut summary = GenerateSummary { units: count, ..GenerateSummary::default() };
    province.write_units(units)?;
    summary.procedures = province.write_procedures(procedures)?;
    let (written, pending) = records::write_dossiers(&province, options, dossiers)?;
    summary.dossiers = written;
    summary.pending = pending;
    summary.petitions = records::write_petitions(&province, options, petitions)?;
    Ok(summary)
}

/// The four files generated in memory, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedFolder {
    pub units: String,
    pub procedures: String,
    pub dossiers: String,
    pub petitions: String,
    pub summary: GenerateSummary,
}

/// [`generate_to_writers`] into strings (for small folders: a demo, a test).
pub fn generate_in_memory(options: &GenerateOptions) -> io::Result<GeneratedFolder> {
    let (mut units, mut procedures, mut dossiers, mut petitions) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let summary = generate_to_writers(&mut units, &mut procedures, &mut dossiers, &mut petitions, options)?;
    let text =
        |bytes: Vec<u8>| String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e));
    Ok(GeneratedFolder {
        units: text(units)?,
        procedures: text(procedures)?,
        dossiers: text(dossiers)?,
        petitions: text(petitions)?,
        summary,
    })
}
