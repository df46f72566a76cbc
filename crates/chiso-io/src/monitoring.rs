//! Loading a monitoring package (kpis.toml, observations.csv) into a
//! [`Monitoring`], with every error located at `FILE:LINE`.

use crate::csv_file::CsvFile;
use crate::error::{ErrorKind, PackageError, PackageErrors};
use crate::files::Files;
use crate::toml_file::{self, LineIndex, Lines, RawNames, RawText, take};
use chiso_core::kpi::{Catalogue, KpiDef, Monitoring, Observation, Period, TargetDef};
use chiso_core::lang::NamesDef;
use chiso_core::number::parse_number;
use chiso_core::{Problem, SiteProblem};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use toml::Spanned;

pub const KPIS_FILE: &str = "kpis.toml";
pub const OBSERVATIONS_FILE: &str = "observations.csv";

/// A loaded, valid monitoring package.
#[derive(Debug, Clone)]
pub struct MonitoringPackage {
    /// Where the package's files were read from.
    pub files: Files,
    pub monitoring: Monitoring,
    /// The observations.csv line of each observation.
    pub lines: Vec<usize>,
}

impl MonitoringPackage {
    pub fn load(dir: &Path) -> Result<MonitoringPackage, PackageErrors> {
        MonitoringPackage::from_files(Files::dir(dir))
    }

    /// Loads a monitoring package from its files (a folder or in memory).
    pub fn from_files(files: Files) -> Result<MonitoringPackage, PackageErrors> {
        let dir = &files;
        if !dir.exists() {
            let name = dir.describe();
            return Err(PackageErrors(vec![PackageError::new(name, None, None, ErrorKind::FolderMissing)]));
        }
        let mut errors = Vec::new();
        let catalogue = load_catalogue(dir, &mut errors);
        let observations = catalogue.as_ref().and_then(|c| read_observations(dir, c, &mut errors));
        match (catalogue, observations, errors.is_empty()) {
            (Some(catalogue), Some((observations, lines)), true) => Ok(MonitoringPackage {
                files: files.clone(),
                monitoring: Monitoring { catalogue, observations },
                lines,
            }),
            _ => Err(PackageErrors(errors)),
        }
    }
}

/// Reads observations.csv alone against a known catalogue (an upload of new
/// observations for the KPIs already stored): the observations and their lines, or
/// every error located at `observations.csv:LINE`.
pub fn read_observations_with(
    files: &Files,
    catalogue: &Catalogue,
) -> Result<(Vec<Observation>, Vec<usize>), PackageErrors> {
    let mut errors = Vec::new();
    match read_observations(files, catalogue, &mut errors) {
        Some(read) if errors.is_empty() => Ok(read),
        _ => Err(PackageErrors(errors)),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    year: Option<Spanned<i64>>,
    value: Option<Spanned<f64>>,
    basis: Option<Spanned<RawText>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKpi {
    code: Option<Spanned<String>>,
    name: Option<Spanned<RawNames>>,
    unit: Option<Spanned<RawText>>,
    direction: Option<Spanned<String>>,
    aggregate: Option<Spanned<String>>,
    source: Option<Spanned<String>>,
    description: Option<Spanned<RawNames>>,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    #[serde(default)]
    kpi: Vec<Spanned<RawKpi>>,
}

fn load_catalogue(root: &Files, errors: &mut Vec<PackageError>) -> Option<Catalogue> {
    let text = root.read_text(KPIS_FILE).map_err(|e| errors.push(e)).ok()?;
    let index = LineIndex::new(&text);
    let raw: RawCatalogue = toml_file::parse(KPIS_FILE, &text, &index).map_err(|e| errors.push(e)).ok()?;
    let mut lines = Lines::default();
    let defs: Vec<KpiDef> = raw
        .kpi
        .into_iter()
        .map(|k| {
            let line = index.line(k.span().start);
            let k = k.into_inner();
            let mut f = HashMap::new();
            let mut target_lines = Vec::new();
            if let Some(first) = k.target.first() {
                f.insert("target", index.line(first.span().start));
            }
            let targets = k
                .target
                .into_iter()
                .map(|t| {
                    let line = index.line(t.span().start);
                    let t = t.into_inner();
                    let mut tf = HashMap::new();
                    let def = TargetDef {
                        year: take(&mut tf, &index, "year", t.year),
                        value: take(&mut tf, &index, "value", t.value),
                        basis: take(&mut tf, &index, "basis", t.basis).map(NamesDef::from),
                    };
                    target_lines.push((line, tf));
                    def
                })
                .collect();
            let def = KpiDef {
                code: take(&mut f, &index, "code", k.code),
                name: take(&mut f, &index, "name", k.name).map(NamesDef::from),
                unit: take(&mut f, &index, "unit", k.unit).map(NamesDef::from),
                direction: take(&mut f, &index, "direction", k.direction),
                aggregate: take(&mut f, &index, "aggregate", k.aggregate),
                source: take(&mut f, &index, "source", k.source),
                description: take(&mut f, &index, "description", k.description).map(NamesDef::from),
                targets,
            };
            lines.kpis.push((line, f));
            lines.targets.push(target_lines);
            def
        })
        .collect();
    Catalogue::build(&defs)
        .map_err(|problems: Vec<SiteProblem>| {
            errors.extend(problems.into_iter().map(|p| {
                PackageError::new(
                    KPIS_FILE,
                    lines.of(p.site),
                    Some(p.site.field()),
                    ErrorKind::Problem(p.problem),
                )
            }))
        })
        .ok()
}

fn read_observations(
    root: &Files,
    catalogue: &Catalogue,
    errors: &mut Vec<PackageError>,
) -> Option<(Vec<Observation>, Vec<usize>)> {
    let text = root.read_text(OBSERVATIONS_FILE).map_err(|e| errors.push(e)).ok()?;
    let before = errors.len();
    let mut csv = CsvFile::new(OBSERVATIONS_FILE, &text);
    let header = csv.header(errors)?;
    let columns: Vec<Option<usize>> =
        ["kpi", "scope", "period", "value"].iter().map(|c| header.column(c)).collect();
    let [Some(c_kpi), Some(c_scope), Some(c_period), Some(c_value)] = columns[..] else {
        for (name, column) in ["kpi", "scope", "period", "value"].iter().zip(&columns) {
            if column.is_none() {
                let kind = ErrorKind::MissingColumn { column: (*name).into() };
                errors.push(PackageError::new(OBSERVATIONS_FILE, Some(1), None, kind));
            }
        }
        return None;
    };
    let c_note = header.column("note");
    let mut observations = Vec::new();
    let mut lines = Vec::new();
    let mut seen: HashMap<(usize, String, Period), usize> = HashMap::new();
    csv.rows(&header, errors, |line, row, errors| {
        let err = |field: &str, kind| PackageError::new(OBSERVATIONS_FILE, Some(line), Some(field), kind);
        let code = row.get(c_kpi).unwrap_or("");
        let Some(kpi) = catalogue.find(code) else {
            errors.push(err("kpi", ErrorKind::UnknownKpi { code: code.into() }));
            return;
        };
        let scope = row.get(c_scope).unwrap_or("");
        if scope.is_empty() {
            errors.push(err("scope", ErrorKind::Problem(Problem::MissingField)));
            return;
        }
        let period_text = row.get(c_period).unwrap_or("");
        let Ok(period) = period_text.parse::<Period>() else {
            errors.push(err("period", ErrorKind::BadPeriod { text: period_text.into() }));
            return;
        };
        let value_text = row.get(c_value).unwrap_or("");
        let Some(value) = parse_number(value_text) else {
            errors.push(err("value", ErrorKind::Problem(Problem::NotANumber { text: value_text.into() })));
            return;
        };
        if let Some(&first_line) = seen.get(&(kpi, scope.to_string(), period)) {
            errors.push(err(
                "period",
                ErrorKind::DuplicateObservation {
                    kpi: code.into(),
                    scope: scope.into(),
                    period: period.to_string(),
                    first_line,
                },
            ));
            return;
        }
        seen.insert((kpi, scope.to_string(), period), line);
        let note = c_note.and_then(|c| row.get(c)).filter(|n| !n.is_empty()).map(str::to_string);
        observations.push(Observation { kpi, scope: scope.to_string(), period, value, note });
        lines.push(line);
    });
    (errors.len() == before).then_some((observations, lines))
}
