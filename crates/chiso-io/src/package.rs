//! Loading an assessment package folder (assessment.toml, frameworks/*.toml,
//! units.csv, values.csv) into a validated [`Assessment`] and its [`Values`].
//! Every error of every file is collected; a package with any error is refused whole.

pub mod earlier;
pub mod lineage;
mod units;
mod values;

pub use units::units_without;
pub use values::{WrittenValue, write_values, written_values};

use crate::error::{ErrorKind, PackageError, PackageErrors};
use crate::files::Files;
use crate::toml_file::{self, LineIndex, Lines, RawAssessment, RawFramework};
use chiso_core::assessment::AssessmentHead;
use chiso_core::kpi::{Monitoring, kpi_fills};
use chiso_core::{Assessment, AssessmentResults, Framework, Group, SiteProblem, Values, score_assessment};
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub const ASSESSMENT_FILE: &str = "assessment.toml";
pub const UNITS_FILE: &str = "units.csv";
pub const VALUES_FILE: &str = "values.csv";

/// Where a value was written, so later errors and reports can point at it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueOrigin<'a> {
    pub line: usize,
    /// `value` in the long form, the indicator's column in the wide form.
    pub field: &'a str,
    pub note: Option<&'a str>,
}

/// Where each value was written, kept compactly: a national package has a third of
/// a million values, so no string or hash entry per value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origins {
    /// Per unit, per indicator of its framework: (line, column index); line 0 = no row.
    pub(crate) at: Vec<Vec<(u32, u32)>>,
    /// Column names of values.csv.
    pub(crate) columns: Vec<String>,
    /// Only the notes that were written.
    pub(crate) notes: HashMap<(usize, usize), String>,
}

impl Origins {
    /// The line of values.csv the value was written on, if it was.
    pub fn line(&self, unit: usize, indicator: usize) -> Option<usize> {
        let &(line, _) = self.at.get(unit)?.get(indicator)?;
        (line > 0).then_some(line as usize)
    }

    pub fn get(&self, unit: usize, indicator: usize) -> Option<ValueOrigin<'_>> {
        let &(line, column) = self.at.get(unit)?.get(indicator)?;
        (line > 0).then(|| ValueOrigin {
            line: line as usize,
            field: self.columns.get(column as usize).map_or("value", String::as_str),
            note: self.notes.get(&(unit, indicator)).map(String::as_str),
        })
    }
}

/// A loaded, valid package.
#[derive(Debug, Clone)]
pub struct Package {
    /// Where the package's files were read from.
    pub files: Files,
    pub assessment: Assessment,
    pub values: Values,
    /// Where each value was written in values.csv.
    pub origins: Origins,
    /// Framework file per group, relative to the package.
    pub framework_files: Vec<String>,
    /// Values taken from monitoring KPIs: per unit, (indicator, "kpi:<code> <period>").
    pub kpi_sources: HashMap<usize, Vec<(usize, String)>>,
    /// Framework `verifier`s and lineage.csv `to_code`s that name no unit of this
    /// package, with file, line and field: refused where a package is taken in
    /// ([`Package::check_references`]), but not when a round's units are narrowed
    /// to those taking part (a verifying department need not be one of them).
    pub unknown_references: Vec<PackageError>,
    /// lineage.csv, when the package has one: which units of earlier rounds its
    /// units continue.
    pub lineage: Option<lineage::LineageFile>,
    /// earlier.csv, when the package has one: the province's means of earlier
    /// years chiso holds no round for, oldest first.
    pub earlier: Option<Vec<earlier::EarlierFigure>>,
}

impl Package {
    /// Refuses a package whose frameworks name a `verifier`, or whose lineage a
    /// `to_code`, that is none of its units (each with its file, line and field).
    pub fn check_references(&self) -> Result<(), PackageErrors> {
        if self.unknown_references.is_empty() {
            Ok(())
        } else {
            Err(PackageErrors(self.unknown_references.clone()))
        }
    }

    /// Loads and validates the package in `dir`, its verifiers included.
    pub fn load(dir: &Path) -> Result<Package, PackageErrors> {
        let package = load(Files::dir(dir))?;
        package.check_references()?;
        Ok(package)
    }

    /// Checks this package's lineage against the round it follows: every link from
    /// `earlier`'s year names one of its units, and each of its units is still a
    /// unit here or has a successor (with no lineage.csv, every unit must still be
    /// here under its code).
    pub fn check_lineage_against(&self, earlier: &Package) -> Result<(), PackageErrors> {
        let empty = lineage::LineageFile::default();
        let file = self.lineage.as_ref().unwrap_or(&empty);
        let problems =
            file.lineage.check_earlier(earlier.assessment.year, &earlier.unit_codes(), &self.unit_codes());
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PackageErrors(file.errors(lineage::LINEAGE_FILE, problems)))
        }
    }

    /// The codes of the package's units, in units.csv order.
    pub fn unit_codes(&self) -> Vec<&str> {
        self.assessment.units.iter().map(|u| u.code.as_str()).collect()
    }

    /// Loads and validates a package from its files (a folder or in memory).
    pub fn from_files(files: Files) -> Result<Package, PackageErrors> {
        load(files)
    }

    /// The package files scoring reads, in a stable order: what an import keeps.
    pub fn input_files(&self) -> Vec<&str> {
        let mut files = vec![ASSESSMENT_FILE];
        files.extend(self.framework_files.iter().map(String::as_str));
        files.extend([UNITS_FILE, VALUES_FILE]);
        if self.lineage.is_some() {
            files.push(lineage::LINEAGE_FILE);
        }
        if self.earlier.is_some() {
            files.push(earlier::EARLIER_FILE);
        }
        files
    }

    /// Fills the missing values of `source = "kpi:<code>"` leaves from the KPI's
    /// yearly value for the unit in the assessment's year, and records where each
    /// came from. A KPI the monitoring package lacks, or a KPI value the leaf's rule
    /// refuses, is an error naming the framework file and the field `source`.
    pub fn fill_from_monitoring(&mut self, monitoring: &Monitoring) -> Result<(), PackageErrors> {
        let (fills, unknown) = kpi_fills(&self.assessment, &self.values, monitoring);
        let mut errors: Vec<PackageError> = unknown
            .into_iter()
            .map(|(g, leaf, code)| {
                let indicator = self.assessment.groups[g].framework.indicators[leaf].code.clone();
                let kind = ErrorKind::KpiNotInMonitoring { indicator, kpi: code };
                PackageError::new(self.framework_files[g].clone(), None, Some("source"), kind)
            })
            .collect();
        for fill in fills {
            let framework = self.assessment.framework_of(fill.unit);
            let leaf = &framework.indicators[fill.indicator];
            let kpi = &monitoring.catalogue.kpis[fill.kpi];
            match leaf.parse_entry(&fill.value.to_string()) {
                Ok(entry) => {
                    self.values.set(fill.unit, fill.indicator, entry);
                    let source = format!("kpi:{} {}", kpi.code, fill.year);
                    self.kpi_sources.entry(fill.unit).or_default().push((fill.indicator, source));
                }
                Err(problem) => {
                    let file = self.framework_files[self.assessment.units[fill.unit].group].clone();
                    let unit = self.assessment.units[fill.unit].code.clone();
                    let kind = ErrorKind::KpiValueRefused { unit, indicator: leaf.code.clone(), problem };
                    errors.push(PackageError::new(file, None, Some("source"), kind));
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(PackageErrors(errors)) }
    }

    /// Scores the package; errors that only scoring finds (e.g. geometric
    /// aggregation of a value ≤ 0) are placed at the value's line where there is one.
    pub fn score(&self) -> Result<AssessmentResults, PackageErrors> {
        score_assessment(&self.assessment, &self.values).map_err(|errors| {
            PackageErrors(
                errors
                    .into_iter()
                    .map(|e| {
                        let origin = match e.unit_and_indicator() {
                            (Some(u), Some(i)) => self.origins.get(u, i),
                            _ => None,
                        };
                        let kind = ErrorKind::Scoring {
                            vi: e.message(&self.assessment, chiso_core::Lang::Vi),
                            en: e.message(&self.assessment, chiso_core::Lang::En),
                        };
                        let file = if matches!(e, chiso_core::ScoreError::EmptyGroup { .. }) {
                            UNITS_FILE
                        } else {
                            VALUES_FILE
                        };
                        PackageError::new(
                            file,
                            origin.as_ref().map(|o| o.line),
                            origin.as_ref().map(|o| o.field),
                            kind,
                        )
                    })
                    .collect(),
            )
        })
    }
}

fn locate(file: &str, lines: &Lines, problems: Vec<SiteProblem>) -> Vec<PackageError> {
    problems
        .into_iter()
        .map(|p| {
            PackageError::new(file, lines.of(p.site), Some(p.site.field()), ErrorKind::Problem(p.problem))
        })
        .collect()
}

fn load_head(root: &Files, errors: &mut Vec<PackageError>) -> Option<(AssessmentHead, Lines)> {
    let text = root.read_text(ASSESSMENT_FILE).map_err(|e| errors.push(e)).ok()?;
    let index = LineIndex::new(&text);
    let raw: RawAssessment =
        toml_file::parse(ASSESSMENT_FILE, &text, &index).map_err(|e| errors.push(e)).ok()?;
    let (def, lines) = raw.into_def(&index);
    let head =
        def.validate().map_err(|problems| errors.extend(locate(ASSESSMENT_FILE, &lines, problems))).ok()?;
    Some((head, lines))
}

/// Loads the framework of group `index`; a framework file that does not exist is
/// reported where assessment.toml names it.
fn load_group_framework(
    root: &Files,
    index: usize,
    file: &str,
    lines: &Lines,
    errors: &mut Vec<PackageError>,
    units: Option<(&HashSet<&str>, &mut Vec<PackageError>)>,
) -> Option<Framework> {
    if !root.has(file) {
        let line = lines.of(chiso_core::Site::Group { index, field: "framework" });
        let kind = ErrorKind::FrameworkFileMissing { path: file.to_string() };
        errors.push(PackageError::new(ASSESSMENT_FILE, line, Some("framework"), kind));
        return None;
    }
    load_framework_with(root, file, errors, units)
}

/// Loads one framework file; `None` (with errors recorded) if it is unusable.
pub fn load_framework(root: &Files, file: &str, errors: &mut Vec<PackageError>) -> Option<Framework> {
    load_framework_with(root, file, errors, None)
}

/// [`load_framework`], also noting (in the second vector) every `verifier` that
/// names none of `units` (when they are known).
fn load_framework_with(
    root: &Files,
    file: &str,
    errors: &mut Vec<PackageError>,
    units: Option<(&HashSet<&str>, &mut Vec<PackageError>)>,
) -> Option<Framework> {
    let text = root.read_text(file).map_err(|e| errors.push(e)).ok()?;
    let index = LineIndex::new(&text);
    let raw: RawFramework = toml_file::parse(file, &text, &index).map_err(|e| errors.push(e)).ok()?;
    let (def, lines) = raw.into_def(&index);
    let framework =
        Framework::build(&def).map_err(|problems| errors.extend(locate(file, &lines, problems))).ok()?;
    if let Some((units, unknown)) = units {
        for indicator in &framework.indicators {
            let Some(verifier) = &indicator.verifier else { continue };
            if !units.contains(verifier.as_str()) {
                let line =
                    lines.of(chiso_core::Site::Indicator { index: indicator.def_index, field: "verifier" });
                let kind = ErrorKind::UnknownVerifier {
                    indicator: indicator.code.clone(),
                    verifier: verifier.clone(),
                };
                unknown.push(PackageError::new(file, line, Some("verifier"), kind));
            }
        }
    }
    Some(framework)
}

fn load(files: Files) -> Result<Package, PackageErrors> {
    let root = &files;
    if !root.exists() {
        let name = root.describe();
        return Err(PackageErrors(vec![PackageError::new(name, None, None, ErrorKind::FolderMissing)]));
    }
    let mut errors = Vec::new();
    let head = load_head(root, &mut errors);
    let group_codes: Vec<String> = head
        .as_ref()
        .map(|(h, _)| h.groups.iter().map(|(code, _, _)| code.clone()).collect())
        .unwrap_or_default();
    let units = units::read(root, head.as_ref().map(|_| group_codes.as_slice()), &mut errors);
    let mut verifier_errors = Vec::new();
    let unit_codes: Option<HashSet<&str>> =
        units.as_ref().map(|u| u.iter().map(|u| u.code.as_str()).collect());
    let frameworks: Vec<Option<Framework>> = head
        .as_ref()
        .map(|(h, lines)| {
            h.groups
                .iter()
                .enumerate()
                .map(|(i, (_, _, file))| {
                    let units = unit_codes.as_ref().map(|codes| (codes, &mut verifier_errors));
                    load_group_framework(root, i, file, lines, &mut errors, units)
                })
                .collect()
        })
        .unwrap_or_default();
    let earlier = read_earlier(root, head.as_ref().map(|(h, _)| h.year), &mut errors);
    let lineage = read_lineage(
        root,
        head.as_ref().map(|(h, _)| h.year),
        units.as_deref(),
        &mut errors,
        &mut verifier_errors,
    );
    // Values can only be read against known groups and frameworks.
    let mut values_read = None;
    if let (Some(units), Some(_)) = (&units, &head) {
        values_read = values::read(root, units, &group_codes, &frameworks, &mut errors);
    }
    let head = head.map(|(head, _)| head);
    let (Some(head), Some(units), Some((values, origins)), true) =
        (head, units, values_read, errors.is_empty())
    else {
        return Err(PackageErrors(errors));
    };
    let framework_files = head.groups.iter().map(|(_, _, file)| file.clone()).collect();
    let groups = head
        .groups
        .into_iter()
        .zip(frameworks)
        .filter_map(|((code, name, _), framework)| Some(Group { code, name, framework: framework? }))
        .collect();
    let assessment = Assessment {
        year: head.year,
        name: head.name,
        overall: head.overall,
        rank_precision: head.rank_precision,
        groups,
        units,
    };
    Ok(Package {
        files,
        assessment,
        values,
        origins,
        framework_files,
        kpi_sources: HashMap::new(),
        unknown_references: verifier_errors,
        lineage,
        earlier,
    })
}

/// Reads earlier.csv if the package has one.
fn read_earlier(
    root: &Files,
    year: Option<i32>,
    errors: &mut Vec<PackageError>,
) -> Option<Vec<earlier::EarlierFigure>> {
    if !root.has(earlier::EARLIER_FILE) {
        return None;
    }
    let text = root.read_text(earlier::EARLIER_FILE).map_err(|e| errors.push(e)).ok()?;
    earlier::parse(&text, year, errors)
}

/// Reads lineage.csv if the package has one: its own errors refuse the package; a
/// `to_code` that is no unit is a reference error, like an unknown verifier.
fn read_lineage(
    root: &Files,
    year: Option<i32>,
    units: Option<&[chiso_core::Unit]>,
    errors: &mut Vec<PackageError>,
    references: &mut Vec<PackageError>,
) -> Option<lineage::LineageFile> {
    if !root.has(lineage::LINEAGE_FILE) {
        return None;
    }
    let text = root.read_text(lineage::LINEAGE_FILE).map_err(|e| errors.push(e)).ok()?;
    let read = lineage::parse(lineage::LINEAGE_FILE, &text, errors)?;
    if let (Some(year), Some(units)) = (year, units) {
        let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
        let (unknown, own): (Vec<_>, Vec<_>) = read
            .lineage
            .check(year, &codes)
            .into_iter()
            .partition(|p| matches!(p, chiso_core::lineage::LineageProblem::UnknownTo { .. }));
        errors.extend(read.errors(lineage::LINEAGE_FILE, own));
        references.extend(read.errors(lineage::LINEAGE_FILE, unknown));
    }
    Some(read)
}
