//! Reading TOML with line numbers: the raw shapes of `assessment.toml` and
//! framework files, kept with their spans so every core problem can be placed at
//! `FILE:LINE`.

use crate::error::{ErrorKind, PackageError};
use chiso_core::framework::{BandDef, FrameworkDef, IndicatorDef, NormaliseDef};
use chiso_core::lang::NamesDef;
use chiso_core::rule::{ChoiceDef, RuleDef};
use chiso_core::{AssessmentDef, GroupDef, Site};
use serde::Deserialize;
use std::collections::HashMap;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Byte offsets → 1-based line numbers.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { starts }
    }

    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// Where each part of a TOML definition was written.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    pub fields: HashMap<&'static str, usize>,
    /// Per `[[band]]` / `[[group]]`: its first line and its fields' lines.
    pub bands: Vec<(usize, HashMap<&'static str, usize>)>,
    pub indicators: Vec<(usize, HashMap<&'static str, usize>)>,
    pub groups: Vec<(usize, HashMap<&'static str, usize>)>,
    pub kpis: Vec<(usize, HashMap<&'static str, usize>)>,
    /// Per KPI, its `[[kpi.target]]` tables.
    pub targets: Vec<Vec<(usize, HashMap<&'static str, usize>)>>,
}

impl Lines {
    /// The line of a site: its field's own line if recorded, else its table's line.
    pub fn of(&self, site: Site) -> Option<usize> {
        let table = |tables: &[(usize, HashMap<&'static str, usize>)], index: usize, field: &str| {
            tables.get(index).map(|(line, fields)| field_line(fields, field).unwrap_or(*line))
        };
        match site {
            Site::Field(field) => field_line(&self.fields, field),
            Site::Band { index, field } => table(&self.bands, index, field),
            Site::Indicator { index, field } => table(&self.indicators, index, field),
            Site::Group { index, field } => table(&self.groups, index, field),
            Site::Kpi { index, field } => table(&self.kpis, index, field),
            Site::KpiTarget { kpi, index, field } => self
                .targets
                .get(kpi)
                .and_then(|targets| table(targets, index, field))
                .or_else(|| table(&self.kpis, kpi, "target")),
        }
    }
}

/// A field's line, falling back from `rule.options.code` to `rule.options` to `rule`.
fn field_line(fields: &HashMap<&'static str, usize>, field: &str) -> Option<usize> {
    let mut key = field;
    loop {
        if let Some(&line) = fields.get(key) {
            return Some(line);
        }
        key = key.rsplit_once('.')?.0;
    }
}

/// Parses TOML into `T`, turning a syntax or type error into a located error. The
/// field is read off the offending line (`key = value`).
///
/// TOML's `nan` and `inf` (any sign) are refused first, at their line and key: no
/// number of a package may be one (an overflowing `1e400` is a TOML error already).
pub fn parse<T: for<'de> Deserialize<'de>>(
    file: &str,
    text: &str,
    index: &LineIndex,
) -> Result<T, PackageError> {
    if let Ok(doc) = DeTable::parse(text)
        && let Some((key, value)) = first_non_finite(doc.get_ref(), "")
    {
        let line = index.line(value.span().start);
        let text = match value.get_ref() {
            DeValue::Float(f) => f.as_str().to_string(),
            _ => String::new(),
        };
        return Err(PackageError::new(file, Some(line), key.as_deref(), ErrorKind::NotFinite { text }));
    }
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| index.line(span.start));
        let field = line.and_then(|l| key_on_line(text, l));
        let message = e.message().trim().replace('\n', " ");
        PackageError::new(file, line, field.as_deref(), ErrorKind::TomlSyntax { message })
    })
}

/// The first float that is not finite, in file order, with its field named as the
/// package errors name fields: dotted below the table it is in (`max`,
/// `rule.from`, `normalise.low`); tables in an array (`[[indicator]]`) start afresh.
fn first_non_finite<'t, 'i>(
    table: &'t DeTable<'i>,
    prefix: &str,
) -> Option<(Option<String>, &'t Spanned<DeValue<'i>>)> {
    fn walk<'t, 'i>(
        value: &'t Spanned<DeValue<'i>>,
        field: &str,
        in_array: bool,
    ) -> Option<(Option<String>, &'t Spanned<DeValue<'i>>)> {
        match value.get_ref() {
            DeValue::Float(f) => {
                let finite = f.as_str().parse::<f64>().is_ok_and(f64::is_finite);
                (!finite).then(|| (Some(field.to_string()), value))
            }
            DeValue::Array(items) => items.iter().find_map(|item| walk(item, field, true)),
            DeValue::Table(table) if in_array => first_non_finite(table, ""),
            DeValue::Table(table) => first_non_finite(table, &format!("{field}.")),
            _ => None,
        }
    }
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries.into_iter().find_map(|(key, value)| walk(value, &format!("{prefix}{}", key.get_ref()), false))
}

fn key_on_line(text: &str, line: usize) -> Option<String> {
    let row = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = row.split_once('=')?;
    let key = key.trim();
    let bare = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || "_-.\"".contains(c));
    bare.then(|| key.trim_matches('"').to_string())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNames {
    vi: Option<String>,
    en: Option<String>,
}

impl From<RawNames> for NamesDef {
    fn from(raw: RawNames) -> Self {
        NamesDef { vi: raw.vi, en: raw.en }
    }
}

/// A free text written once for both languages (`unit = "%"`) or in each
/// (`unit = { vi = "doanh nghiệp", en = "businesses" }`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawText {
    Plain(String),
    Names(RawNames),
}

impl From<RawText> for NamesDef {
    fn from(raw: RawText) -> Self {
        match raw {
            RawText::Plain(text) => NamesDef { vi: Some(text.clone()), en: Some(text) },
            RawText::Names(names) => names.into(),
        }
    }
}

/// A choice code may be written as a string or a number (`code = 1`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Code {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

impl Code {
    fn text(self) -> String {
        match self {
            Code::Text(s) => s,
            Code::Integer(i) => i.to_string(),
            Code::Float(f) => f.to_string(),
            Code::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    code: Option<Code>,
    points: Option<f64>,
    label: Option<RawNames>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    kind: Option<Spanned<String>>,
    from: Option<Spanned<f64>>,
    to: Option<Spanned<f64>>,
    steps: Option<Spanned<Vec<Vec<f64>>>>,
    descending: Option<Spanned<bool>>,
    cap: Option<Spanned<f64>>,
    options: Option<Spanned<Vec<RawChoice>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: Option<Spanned<Code>>,
    parent: Option<Spanned<Code>>,
    name: Option<Spanned<RawNames>>,
    max: Option<Spanned<f64>>,
    unit: Option<Spanned<RawText>>,
    rule: Option<Spanned<RawRule>>,
    source: Option<Spanned<String>>,
    evidence: Option<Spanned<bool>>,
    verifier: Option<Spanned<Code>>,
    weight: Option<Spanned<f64>>,
    direction: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    code: Option<Spanned<String>>,
    min: Option<Spanned<f64>>,
    label: Option<Spanned<RawNames>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNormalise {
    kind: Option<Spanned<String>>,
    low: Option<Spanned<f64>>,
    high: Option<Spanned<f64>>,
    mean: Option<Spanned<f64>>,
    sd: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFramework {
    id: Option<Spanned<String>>,
    name: Option<Spanned<RawNames>>,
    method: Option<Spanned<String>>,
    scale: Option<Spanned<f64>>,
    normalise: Option<Spanned<RawNormalise>>,
    aggregate: Option<Spanned<String>>,
    #[serde(default)]
    band: Vec<Spanned<RawBand>>,
    #[serde(default)]
    indicator: Vec<Spanned<RawIndicator>>,
}

/// Records the line of an optional spanned field under `key` and returns its value.
pub(crate) fn take<T>(
    lines: &mut HashMap<&'static str, usize>,
    index: &LineIndex,
    key: &'static str,
    v: Option<Spanned<T>>,
) -> Option<T> {
    v.map(|s| {
        lines.insert(key, index.line(s.span().start));
        s.into_inner()
    })
}

impl RawFramework {
    pub(crate) fn into_def(self, index: &LineIndex) -> (FrameworkDef, Lines) {
        let mut lines = Lines::default();
        let f = &mut lines.fields;
        let id = take(f, index, "id", self.id);
        let name = take(f, index, "name", self.name).map(NamesDef::from);
        let method = take(f, index, "method", self.method);
        let scale = take(f, index, "scale", self.scale);
        let aggregate = take(f, index, "aggregate", self.aggregate);
        let normalise = take(f, index, "normalise", self.normalise).map(|n| NormaliseDef {
            kind: take(f, index, "normalise.kind", n.kind),
            low: take(f, index, "normalise.low", n.low),
            high: take(f, index, "normalise.high", n.high),
            mean: take(f, index, "normalise.mean", n.mean),
            sd: take(f, index, "normalise.sd", n.sd),
        });
        if let Some(first) = self.band.first() {
            f.insert("band", index.line(first.span().start));
        }
        if let Some(first) = self.indicator.first() {
            f.insert("indicator", index.line(first.span().start));
        }
        let bands = self
            .band
            .into_iter()
            .map(|b| {
                let line = index.line(b.span().start);
                let b = b.into_inner();
                let mut f = HashMap::new();
                let def = BandDef {
                    code: take(&mut f, index, "code", b.code),
                    min: take(&mut f, index, "min", b.min),
                    label: take(&mut f, index, "label", b.label).map(NamesDef::from),
                };
                lines.bands.push((line, f));
                def
            })
            .collect();
        let indicators = self
            .indicator
            .into_iter()
            .map(|i| {
                let line = index.line(i.span().start);
                let i = i.into_inner();
                let mut f = HashMap::new();
                let rule = take(&mut f, index, "rule", i.rule).map(|r| RuleDef {
                    kind: take(&mut f, index, "rule.kind", r.kind),
                    from: take(&mut f, index, "rule.from", r.from),
                    to: take(&mut f, index, "rule.to", r.to),
                    steps: take(&mut f, index, "rule.steps", r.steps),
                    descending: take(&mut f, index, "rule.descending", r.descending),
                    cap: take(&mut f, index, "rule.cap", r.cap),
                    options: take(&mut f, index, "rule.options", r.options).map(|options| {
                        options
                            .into_iter()
                            .map(|o| ChoiceDef {
                                code: o.code.map(Code::text),
                                points: o.points,
                                label: o.label.map(NamesDef::from),
                            })
                            .collect()
                    }),
                });
                let def = IndicatorDef {
                    code: take(&mut f, index, "code", i.code).map(Code::text),
                    parent: take(&mut f, index, "parent", i.parent).map(Code::text),
                    name: take(&mut f, index, "name", i.name).map(NamesDef::from),
                    max: take(&mut f, index, "max", i.max),
                    unit: take(&mut f, index, "unit", i.unit).map(NamesDef::from),
                    rule,
                    source: take(&mut f, index, "source", i.source),
                    evidence: take(&mut f, index, "evidence", i.evidence),
                    verifier: take(&mut f, index, "verifier", i.verifier).map(Code::text),
                    weight: take(&mut f, index, "weight", i.weight),
                    direction: take(&mut f, index, "direction", i.direction),
                };
                lines.indicators.push((line, f));
                def
            })
            .collect();
        let def = FrameworkDef { id, name, method, scale, normalise, aggregate, bands, indicators };
        (def, lines)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    code: Option<Spanned<String>>,
    name: Option<Spanned<RawNames>>,
    framework: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAssessment {
    year: Option<Spanned<i64>>,
    name: Option<Spanned<RawNames>>,
    overall: Option<Spanned<String>>,
    rank_precision: Option<Spanned<i64>>,
    #[serde(default)]
    group: Vec<Spanned<RawGroup>>,
}

impl RawAssessment {
    pub(crate) fn into_def(self, index: &LineIndex) -> (AssessmentDef, Lines) {
        let mut lines = Lines::default();
        let f = &mut lines.fields;
        let year = take(f, index, "year", self.year);
        let name = take(f, index, "name", self.name).map(NamesDef::from);
        let overall = take(f, index, "overall", self.overall);
        let rank_precision = take(f, index, "rank_precision", self.rank_precision);
        if let Some(first) = self.group.first() {
            f.insert("group", index.line(first.span().start));
        }
        let groups = self
            .group
            .into_iter()
            .map(|g| {
                let line = index.line(g.span().start);
                let g = g.into_inner();
                let mut f = HashMap::new();
                let def = GroupDef {
                    code: take(&mut f, index, "code", g.code),
                    name: take(&mut f, index, "name", g.name).map(NamesDef::from),
                    framework: take(&mut f, index, "framework", g.framework),
                };
                lines.groups.push((line, f));
                def
            })
            .collect();
        (AssessmentDef { year, name, overall, rank_precision, groups }, lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines() {
        let index = LineIndex::new("a\nbb\n\nc");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 2);
        assert_eq!(index.line(5), 3);
        assert_eq!(index.line(6), 4);
    }

    #[test]
    fn indicator_fields_keep_their_lines() {
        let text = "id = \"x\"\n\n[[indicator]]\ncode = \"1\"\nmax = 10\nrule = { kind = \"boolean\" }\n";
        let index = LineIndex::new(text);
        let raw: RawFramework = parse("f.toml", text, &index).unwrap_or_else(|e| panic!("{e}"));
        let (def, lines) = raw.into_def(&index);
        assert_eq!(def.indicators.len(), 1);
        assert_eq!(lines.of(Site::Indicator { index: 0, field: "max" }), Some(5));
        assert_eq!(lines.of(Site::Indicator { index: 0, field: "rule.kind" }), Some(6));
        assert_eq!(lines.of(Site::Indicator { index: 0, field: "rule.steps" }), Some(6));
        assert_eq!(lines.of(Site::Field("id")), Some(1));
    }

    #[test]
    fn nan_and_inf_are_refused_at_their_line_and_field() {
        for (text, line, field) in [
            ("id = \"x\"\nscale = inf\n", 2, "scale"),
            ("id = \"x\"\n\n[[indicator]]\ncode = \"1\"\nmax = nan\n", 5, "max"),
            ("[[indicator]]\nrule = { kind = \"linear\", from = 0,\n to = -inf }\n", 3, "rule.to"),
            ("[[indicator]]\nrule = { kind = \"steps\", steps = [[1, 2], [+nan, 1]] }\n", 2, "rule.steps"),
            ("normalise = { kind = \"minmax\", low = 0, high = inf }\n", 1, "normalise.high"),
        ] {
            let index = LineIndex::new(text);
            let Err(err) = parse::<RawFramework>("f.toml", text, &index) else { panic!("accepted {text}") };
            assert_eq!((err.line, err.field.as_deref()), (Some(line), Some(field)), "{text}");
            assert!(matches!(err.kind, ErrorKind::NotFinite { .. }), "{text}: {err:?}");
        }
        let text = "id = \"x\"\nscale = 1e2\n\n[[indicator]]\nmax = 2.5E+1\nweight = 1_0.0e-1\n";
        let index = LineIndex::new(text);
        let raw: RawFramework = parse("f.toml", text, &index).unwrap_or_else(|e| panic!("{e}"));
        let (def, _) = raw.into_def(&index);
        assert_eq!(
            (def.scale, def.indicators[0].max, def.indicators[0].weight),
            (Some(100.0), Some(25.0), Some(1.0))
        );
    }

    #[test]
    fn a_type_error_names_line_and_field() {
        let text = "id = \"x\"\nscale = \"hundred\"\n";
        let index = LineIndex::new(text);
        let err = parse::<RawFramework>("f.toml", text, &index).err();
        let err = err.unwrap_or_else(|| panic!("should fail"));
        assert_eq!(err.line, Some(2));
        assert_eq!(err.field.as_deref(), Some("scale"));
    }
}
