//! Reading an uncertainty specification (`spec/analysis.md`, "The uncertainty
//! specification (TOML)") into a validated [`UncertaintySpec`].
//!
//! Errors follow the package reader's conventions: each names the file, the line
//! and the field, in Vietnamese and English, and [`SpecError::render`] prints them
//! exactly as [`crate::PackageError::render`] does (`FILE:LINE: message (field: F)`).
//! Every problem of the file is reported, not just the first: the file is read as
//! a TOML document with positions and checked key by key. After a TOML syntax error
//! the parser recovers as best it can and every syntax error it found is reported
//! (one per line), but the content is not checked further, since what it recovered
//! may not be what was meant.
//!
//! Decisions where the spec is silent:
//! - `samples` (≥ 1) and `seed` (≥ 0) are both required integers: the file is the
//!   record of an analysis, so the seed that reproduces it must be written in it.
//! - A `normalise` alternative takes the framework's spelling and defaults
//!   (`NormaliseDef`): `kind` is required; `minmax` takes `low` (default 0) and
//!   `high` (default 100), `zscore` takes `mean` (default 0) and `sd` (default 1),
//!   `none` takes nothing. A parameter of another kind is refused like an unknown key.
//! - `normalise = []` / `aggregate = []` are allowed (the framework's own method);
//!   the same alternative listed twice is an error (it would be drawn twice as often).
//! - A specification that varies nothing (no `[[weights]]`, no `normalise`, no
//!   `aggregate`) is an error.
//! - Numbers may be written as integers or floats (`noise = 0`, `low = 1.5`), but
//!   must be finite; `samples`, `seed` and `depth` must be integers.
//! - Strings are trimmed (`" geometric"` is `geometric`), as framework words are.

use crate::error::ErrorKind;
use crate::toml_file::LineIndex;
use chiso_core::analysis::{UncertaintySpec, WeightNoise};
use chiso_core::{Aggregate, Lang, Normalise, Problem};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The keys allowed at the top level of the file.
pub const TOP_KEYS: &[&str] = &["samples", "seed", "normalise", "aggregate", "weights"];
/// The keys allowed in a `[[weights]]` table.
pub const WEIGHTS_KEYS: &[&str] = &["depth", "noise"];
/// The keys allowed in a `normalise` alternative, whatever its kind.
pub const NORMALISE_KEYS: &[&str] = &["kind", "low", "high", "mean", "sd"];
const MINMAX_KEYS: &[&str] = &["kind", "low", "high"];
const ZSCORE_KEYS: &[&str] = &["kind", "mean", "sd"];
const NONE_KEYS: &[&str] = &["kind"];
const NORMALISATIONS: &[&str] = &["minmax", "zscore", "none"];
const AGGREGATES: &[&str] = &["arithmetic", "geometric"];

/// One reason an uncertainty specification is refused: the sibling of
/// [`crate::PackageError`], with the same location fields and the same rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// The file as it was named (the path given to [`load`], the name given to [`parse`]).
    pub file: String,
    /// 1-based line, where the error has one (not for a missing top-level key).
    pub line: Option<usize>,
    /// The key concerned, dotted below the top level: `samples`, `weights.noise`,
    /// `normalise.low`, `aggregate`.
    pub field: Option<String>,
    pub kind: SpecErrorKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SpecErrorKind {
    /// The file cannot be read, is not UTF-8, or is not valid TOML: phrased as for
    /// package files (`FileMissing`, `Unreadable`, `NotUtf8`, `TomlSyntax`).
    File(ErrorKind),
    /// A problem the core phrases: a missing field, an unknown word (normalise kind,
    /// aggregate name), `sd` not positive, `low` not below `high`.
    Problem(Problem),
    /// A key not allowed where it is written.
    UnknownKey { key: String, table: Table, allowed: &'static [&'static str] },
    /// A value of the wrong TOML type.
    WrongType { expected: Expected, found: TomlType },
    /// An integer below its minimum (`samples` ≥ 1, `seed` ≥ 0, `depth` ≥ 1).
    TooSmall { min: i64, found: i64 },
    /// An integer too large to be used.
    TooLarge { text: String },
    /// `inf` or `nan` where a number is needed.
    NotFinite,
    /// `noise` outside [0, 1).
    NoiseOutOfRange { found: f64 },
    /// A second `[[weights]]` for the same depth.
    DuplicateDepth { depth: usize, first_line: usize },
    /// A `normalise` or `aggregate` alternative listed twice.
    DuplicateAlternative { first_line: usize },
    /// No `[[weights]]`, `normalise` or `aggregate`: nothing would vary.
    NothingToVary,
}

/// Where a key was written.
#[derive(Debug, Clone, PartialEq)]
pub enum Table {
    Top,
    Weights,
    /// A `normalise` alternative, with its kind when it is a known one.
    Normalise {
        kind: Option<String>,
    },
}

/// What a value should have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Integer,
    Number,
    Text,
    /// A table (`{ … }` or `[…]` section).
    Table,
    /// `normalise = [ { kind = … }, … ]`
    NormaliseList,
    /// `aggregate = [ "arithmetic", … ]`
    AggregateList,
    /// `[[weights]]` tables
    WeightsTables,
}

/// The TOML type a value was written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TomlType {
    String,
    Integer,
    Float,
    Boolean,
    Datetime,
    Array,
    Table,
}

impl TomlType {
    fn of(value: &DeValue<'_>) -> TomlType {
        match value {
            DeValue::String(_) => TomlType::String,
            DeValue::Integer(_) => TomlType::Integer,
            DeValue::Float(_) => TomlType::Float,
            DeValue::Boolean(_) => TomlType::Boolean,
            DeValue::Datetime(_) => TomlType::Datetime,
            DeValue::Array(_) => TomlType::Array,
            DeValue::Table(_) => TomlType::Table,
        }
    }

    fn name(self, lang: Lang) -> &'static str {
        match self {
            TomlType::String => lang.pick("một chuỗi", "a string"),
            TomlType::Integer => lang.pick("một số nguyên", "an integer"),
            TomlType::Float => lang.pick("một số thực", "a float"),
            TomlType::Boolean => lang.pick("một giá trị đúng/sai", "a boolean"),
            TomlType::Datetime => lang.pick("một ngày giờ", "a date-time"),
            TomlType::Array => lang.pick("một mảng", "an array"),
            TomlType::Table => lang.pick("một bảng", "a table"),
        }
    }
}

impl Expected {
    fn name(self, lang: Lang) -> &'static str {
        match self {
            Expected::Integer => lang.pick("một số nguyên", "an integer"),
            Expected::Number => lang.pick("một số", "a number"),
            Expected::Text => lang.pick("một chuỗi", "a string"),
            Expected::Table => lang.pick("một bảng", "a table"),
            Expected::NormaliseList => lang.pick(
                "một mảng các bảng, ví dụ [ { kind = \"minmax\", low = 1, high = 100 } ]",
                "an array of tables, e.g. [ { kind = \"minmax\", low = 1, high = 100 } ]",
            ),
            Expected::AggregateList => lang.pick(
                "một mảng các chuỗi, ví dụ [ \"arithmetic\", \"geometric\" ]",
                "an array of strings, e.g. [ \"arithmetic\", \"geometric\" ]",
            ),
            Expected::WeightsTables => {
                lang.pick("các bảng [[weights]] (mảng các bảng)", "[[weights]] tables (an array of tables)")
            }
        }
    }
}

/// Short and exact enough for a message: 2.5, 100, 0.333333 (as the core writes numbers).
fn n(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_string() } else { text.to_string() }
}

fn words(list: &[&str]) -> String {
    list.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ")
}

impl SpecErrorKind {
    pub fn message(&self, lang: Lang) -> String {
        use SpecErrorKind::*;
        let t = |vi: String, en: String| if lang == Lang::Vi { vi } else { en };
        match self {
            File(kind) => kind.message(lang),
            Problem(p) => p.message(lang),
            UnknownKey { key, table, allowed } => {
                let (where_vi, where_en) = match table {
                    Table::Top => ("ở cấp cao nhất".to_string(), "at the top level".to_string()),
                    Table::Weights => ("trong bảng [[weights]]".to_string(), "in a [[weights]] table".to_string()),
                    Table::Normalise { kind: Some(kind) } => (
                        format!("trong phương án normalise \"{kind}\""),
                        format!("in a normalise alternative of kind \"{kind}\""),
                    ),
                    Table::Normalise { kind: None } => {
                        ("trong phương án normalise".to_string(), "in a normalise alternative".to_string())
                    }
                };
                let mut message = t(
                    format!("khóa \"{key}\" không dùng được {where_vi}; các khóa dùng được ở đây: {}", words(allowed)),
                    format!("unknown key \"{key}\" {where_en}; the keys allowed here are: {}", words(allowed)),
                );
                if *table == Table::Weights && TOP_KEYS.contains(&key.as_str()) {
                    message.push_str(lang.pick(
                        " (đây là khóa cấp cao nhất: hãy viết nó trước bảng [[weights]] đầu tiên)",
                        " (it is a top-level key: write it before the first [[weights]] table)",
                    ));
                }
                message
            }
            WrongType { expected, found } => t(
                format!("phải là {}, nhưng là {}", expected.name(lang), found.name(lang)),
                format!("must be {}, but is {}", expected.name(lang), found.name(lang)),
            ),
            TooSmall { min, found } => t(
                format!("phải là số nguyên từ {min} trở lên, nhưng là {found}"),
                format!("must be an integer of at least {min}, but is {found}"),
            ),
            TooLarge { text } => t(format!("số {text} quá lớn"), format!("the number {text} is too large")),
            NotFinite => t("phải là một số hữu hạn".into(), "must be a finite number".into()),
            NoiseOutOfRange { found } => t(
                format!("noise phải nằm trong [0, 1) (0 ≤ noise < 1), nhưng là {}", n(*found)),
                format!("noise must lie in [0, 1) (0 ≤ noise < 1), but is {}", n(*found)),
            ),
            DuplicateDepth { depth, first_line } => t(
                format!(
                    "độ sâu {depth} đã có bảng [[weights]] ở dòng {first_line}; mỗi độ sâu chỉ khai báo một lần"
                ),
                format!("depth {depth} already has a [[weights]] table on line {first_line}; one per depth"),
            ),
            DuplicateAlternative { first_line } => t(
                format!("phương án này đã có ở dòng {first_line}; mỗi phương án chỉ liệt kê một lần"),
                format!("this alternative is already listed on line {first_line}; list each alternative once"),
            ),
            NothingToVary => t(
                "đặc tả không làm thay đổi gì: cần ít nhất một bảng [[weights]], hoặc normalise, hoặc aggregate"
                    .into(),
                "the specification varies nothing: give at least one [[weights]] table, normalise or aggregate"
                    .into(),
            ),
        }
    }
}

impl SpecError {
    pub fn new(
        file: impl Into<String>,
        line: Option<usize>,
        field: Option<&str>,
        kind: SpecErrorKind,
    ) -> Self {
        SpecError { file: file.into(), line, field: field.map(str::to_string), kind }
    }

    /// `FILE:LINE: message (field: F)`, in the chosen language: the same form as
    /// [`crate::PackageError::render`].
    pub fn render(&self, lang: Lang) -> String {
        crate::error::render_at(&self.file, self.line, self.field.as_deref(), &self.kind.message(lang), lang)
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// All the errors of a refused specification, in line order (errors about the
/// whole file, such as a missing `samples`, first).
#[derive(Debug, Clone, PartialEq, Default, thiserror::Error)]
#[error("the uncertainty specification has {} error(s)", .0.len())]
pub struct SpecErrors(pub Vec<SpecError>);

impl SpecErrors {
    /// What a command prints on standard error: a heading naming the file, then
    /// every error rendered, one a line (each line ends with a newline).
    pub fn report(&self, lang: Lang) -> String {
        let count = self.0.len();
        let file = self.0.first().map_or("", |e| e.file.as_str());
        let mut out = match lang {
            Lang::Vi => {
                format!("Đặc tả phân tích bất định {file} bị từ chối: {count} lỗi, chưa phân tích gì.\n")
            }
            Lang::En => {
                format!(
                    "The uncertainty specification {file} was refused: {count} error(s); nothing was analysed.\n"
                )
            }
        };
        for e in &self.0 {
            out.push_str(&e.render(lang));
            out.push('\n');
        }
        out
    }
}

/// Reads and validates the specification at `path`; errors name the file as `path`
/// is written.
pub fn load(path: &Path) -> Result<UncertaintySpec, SpecErrors> {
    let file = path.display().to_string();
    let refuse =
        |kind| Err(SpecErrors(vec![SpecError::new(file.clone(), None, None, SpecErrorKind::File(kind))]));
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return refuse(ErrorKind::FileMissing),
        Err(e) => return refuse(ErrorKind::Unreadable { reason: e.to_string() }),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return refuse(ErrorKind::NotUtf8);
    };
    parse(&text, &file)
}

/// Validates the text of a specification; `file` names it in errors. A leading BOM
/// is ignored.
pub fn parse(text: &str, file: &str) -> Result<UncertaintySpec, SpecErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let index = LineIndex::new(text);
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(SpecErrors(syntax_errors(file, text, &index, &syntax)));
    }
    let mut reader = Reader { file, index, errors: Vec::new() };
    let spec = reader.spec(doc.get_ref());
    let mut errors = reader.errors;
    match spec {
        Some(spec) if errors.is_empty() => Ok(spec),
        _ => {
            errors.sort_by_key(|e| e.line.unwrap_or(0));
            Err(SpecErrors(errors))
        }
    }
}

/// TOML syntax errors in position order, one per line (the parser's recovery can
/// report several on the line of a single mistake): on each line an "unclosed …"
/// error if there is one (it names the cause of what follows), else the first.
fn syntax_errors(file: &str, text: &str, index: &LineIndex, syntax: &[toml::de::Error]) -> Vec<SpecError> {
    let mut located: Vec<(usize, Option<usize>, String)> = syntax
        .iter()
        .map(|e| {
            let start = e.span().map_or(0, |s| s.start);
            let line = e.span().map(|_| index.line(start));
            (start, line, e.message().trim().replace('\n', " "))
        })
        .collect();
    located.sort_by_key(|(start, _, _)| *start);
    let mut out: Vec<SpecError> = Vec::new();
    for (_, line, message) in located {
        let same_line = line.is_some() && out.last().is_some_and(|last| last.line == line);
        if same_line && !message.starts_with("unclosed") {
            continue;
        }
        let field = line.and_then(|l| key_on_line(text, l));
        let kind = SpecErrorKind::File(ErrorKind::TomlSyntax { message });
        let error = SpecError::new(file, line, field.as_deref(), kind);
        match out.last_mut() {
            Some(last) if same_line => *last = error,
            _ => out.push(error),
        }
    }
    out
}

/// The key written on a line (`key = value`), as the package reader finds it.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let row = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = row.split_once('=')?;
    let key = key.trim();
    let bare = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || "_-.\"".contains(c));
    bare.then(|| key.trim_matches('"').to_string())
}

type Value<'i> = Spanned<DeValue<'i>>;

/// The entries of a table in the order they were written.
fn entries<'t, 'i>(table: &'t DeTable<'i>) -> Vec<(&'t Spanned<std::borrow::Cow<'i, str>>, &'t Value<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

struct Reader<'a> {
    file: &'a str,
    index: LineIndex,
    errors: Vec<SpecError>,
}

impl Reader<'_> {
    fn line(&self, span: Range<usize>) -> usize {
        self.index.line(span.start)
    }

    fn push(&mut self, line: Option<usize>, field: &str, kind: SpecErrorKind) {
        self.errors.push(SpecError::new(self.file, line, Some(field), kind));
    }

    fn at(&mut self, span: Range<usize>, field: &str, kind: SpecErrorKind) {
        let line = self.line(span);
        self.push(Some(line), field, kind);
    }

    fn wrong_type(&mut self, value: &Value<'_>, field: &str, expected: Expected) {
        let found = TomlType::of(value.get_ref());
        self.at(value.span(), field, SpecErrorKind::WrongType { expected, found });
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        prefix: &str,
        table: Table,
        allowed: &'static [&'static str],
    ) {
        let name = key.get_ref().to_string();
        let field = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        self.at(key.span(), &field, SpecErrorKind::UnknownKey { key: name, table, allowed });
    }

    fn integer(&mut self, value: &Value<'_>, field: &str, min: i64) -> Option<i64> {
        let DeValue::Integer(i) = value.get_ref() else {
            self.wrong_type(value, field, Expected::Integer);
            return None;
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(found) if found >= min => Some(found),
            Ok(found) => {
                self.at(value.span(), field, SpecErrorKind::TooSmall { min, found });
                None
            }
            Err(_) => {
                self.at(value.span(), field, SpecErrorKind::TooLarge { text: i.to_string() });
                None
            }
        }
    }

    /// An integer ≥ `min` (≥ 0) as a `usize`.
    fn count(&mut self, value: &Value<'_>, field: &str, min: i64) -> Option<usize> {
        let found = self.integer(value, field, min)?;
        usize::try_from(found).ok().or_else(|| {
            self.at(value.span(), field, SpecErrorKind::TooLarge { text: found.to_string() });
            None
        })
    }

    /// An integer or a float, finite.
    fn number(&mut self, value: &Value<'_>, field: &str) -> Option<f64> {
        let number = match value.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(v) => v as f64,
                Err(_) => {
                    self.at(value.span(), field, SpecErrorKind::TooLarge { text: i.to_string() });
                    return None;
                }
            },
            DeValue::Float(f) => f.as_str().parse::<f64>().unwrap_or(f64::NAN),
            _ => {
                self.wrong_type(value, field, Expected::Number);
                return None;
            }
        };
        if number.is_finite() {
            Some(number)
        } else {
            self.at(value.span(), field, SpecErrorKind::NotFinite);
            None
        }
    }

    fn text(&mut self, value: &Value<'_>, field: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.trim().to_string()),
            _ => {
                self.wrong_type(value, field, Expected::Text);
                None
            }
        }
    }

    /// The whole file; `None` if something required is unusable (errors recorded).
    fn spec(&mut self, doc: &DeTable<'_>) -> Option<UncertaintySpec> {
        let (mut samples, mut seed) = (None, None);
        let (mut normalise, mut aggregate, mut weights) = (Vec::new(), Vec::new(), Vec::new());
        // Whether anything would vary (a non-empty list under one of the three keys).
        let mut varies = false;
        let (mut samples_seen, mut seed_seen) = (false, false);
        for (key, value) in entries(doc) {
            match key.get_ref().as_ref() {
                "samples" => {
                    samples_seen = true;
                    samples = self.count(value, "samples", 1);
                }
                "seed" => {
                    seed_seen = true;
                    seed = self.integer(value, "seed", 0).and_then(|s| u64::try_from(s).ok());
                }
                "normalise" => {
                    varies |= non_empty_array(value);
                    normalise = self.normalise(value);
                }
                "aggregate" => {
                    varies |= non_empty_array(value);
                    aggregate = self.aggregate(value);
                }
                "weights" => {
                    varies |= non_empty_array(value);
                    weights = self.weights(value);
                }
                _ => self.unknown_key(key, "", Table::Top, TOP_KEYS),
            }
        }
        for (seen, field) in [(samples_seen, "samples"), (seed_seen, "seed")] {
            if !seen {
                self.push(None, field, SpecErrorKind::Problem(Problem::MissingField));
            }
        }
        if !varies {
            self.errors.push(SpecError::new(self.file, None, None, SpecErrorKind::NothingToVary));
        }
        Some(UncertaintySpec { samples: samples?, seed: seed?, normalise, aggregate, weights })
    }

    /// The elements of an array, or the array's type error.
    fn array<'v, 'i>(&mut self, value: &'v Value<'i>, field: &str, expected: Expected) -> &'v [Value<'i>] {
        match value.get_ref() {
            DeValue::Array(items) => items,
            _ => {
                self.wrong_type(value, field, expected);
                &[]
            }
        }
    }

    fn normalise(&mut self, value: &Value<'_>) -> Vec<Normalise> {
        let mut out: Vec<(Normalise, usize)> = Vec::new();
        for item in self.array(value, "normalise", Expected::NormaliseList) {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(item, "normalise", Expected::Table);
                continue;
            };
            let line = self.line(item.span());
            let Some(normalise) = self.alternative(table, line) else { continue };
            match out.iter().find(|(n, _)| *n == normalise) {
                Some(&(_, first_line)) => {
                    self.push(Some(line), "normalise", SpecErrorKind::DuplicateAlternative { first_line })
                }
                None => out.push((normalise, line)),
            }
        }
        out.into_iter().map(|(n, _)| n).collect()
    }

    /// One `normalise` alternative, written on `line`.
    fn alternative(&mut self, table: &DeTable<'_>, line: usize) -> Option<Normalise> {
        let kind_value = table.get("kind");
        let kind = match kind_value {
            None => {
                self.push(Some(line), "normalise.kind", SpecErrorKind::Problem(Problem::MissingField));
                None
            }
            Some(value) => match self.text(value, "normalise.kind") {
                Some(word) if NORMALISATIONS.contains(&word.as_str()) => Some(word),
                Some(word) => {
                    let problem = Problem::UnknownWord { found: word, expected: NORMALISATIONS };
                    self.at(value.span(), "normalise.kind", SpecErrorKind::Problem(problem));
                    None
                }
                None => None,
            },
        };
        let allowed = match kind.as_deref() {
            Some("minmax") => MINMAX_KEYS,
            Some("zscore") => ZSCORE_KEYS,
            Some(_) => NONE_KEYS,
            None => NORMALISE_KEYS,
        };
        let mut ok = kind.is_some();
        let mut params: [Option<(f64, usize)>; 4] = [None; 4];
        for (key, value) in entries(table) {
            let name = key.get_ref().as_ref();
            if name == "kind" {
                continue;
            }
            if !allowed.contains(&name) {
                self.unknown_key(key, "normalise", Table::Normalise { kind: kind.clone() }, allowed);
                ok = false;
                continue;
            }
            let field = format!("normalise.{name}");
            match (NORMALISE_KEYS.iter().position(|k| *k == name), self.number(value, &field)) {
                (Some(slot), Some(number)) if slot >= 1 => {
                    params[slot - 1] = Some((number, self.line(value.span())));
                }
                _ => ok = false,
            }
        }
        let [low, high, mean, sd] = params;
        let normalise = match kind.as_deref()? {
            "minmax" => {
                let (low, high, at) = (
                    low.map_or(0.0, |(v, _)| v),
                    high.map_or(100.0, |(v, _)| v),
                    high.or(low).map_or(line, |(_, l)| l),
                );
                if low >= high {
                    let problem = Problem::BadNormaliseRange { low, high };
                    self.push(Some(at), "normalise.high", SpecErrorKind::Problem(problem));
                    ok = false;
                }
                Normalise::MinMax { low, high }
            }
            "zscore" => {
                let (mean, sd_value) = (mean.map_or(0.0, |(v, _)| v), sd.map_or(1.0, |(v, _)| v));
                if sd_value <= 0.0 {
                    let at = sd.map_or(line, |(_, l)| l);
                    let problem = Problem::NotPositive { found: sd_value };
                    self.push(Some(at), "normalise.sd", SpecErrorKind::Problem(problem));
                    ok = false;
                }
                Normalise::ZScore { mean, sd: sd_value }
            }
            _ => Normalise::None,
        };
        ok.then_some(normalise)
    }

    fn aggregate(&mut self, value: &Value<'_>) -> Vec<Aggregate> {
        let mut out: Vec<(Aggregate, usize)> = Vec::new();
        for item in self.array(value, "aggregate", Expected::AggregateList) {
            let Some(word) = self.text(item, "aggregate") else { continue };
            let line = self.line(item.span());
            let aggregate = match word.as_str() {
                "arithmetic" => Aggregate::Arithmetic,
                "geometric" => Aggregate::Geometric,
                _ => {
                    let problem = Problem::UnknownWord { found: word, expected: AGGREGATES };
                    self.push(Some(line), "aggregate", SpecErrorKind::Problem(problem));
                    continue;
                }
            };
            match out.iter().find(|(a, _)| *a == aggregate) {
                Some(&(_, first_line)) => {
                    self.push(Some(line), "aggregate", SpecErrorKind::DuplicateAlternative { first_line })
                }
                None => out.push((aggregate, line)),
            }
        }
        out.into_iter().map(|(a, _)| a).collect()
    }

    fn weights(&mut self, value: &Value<'_>) -> Vec<WeightNoise> {
        let mut out = Vec::new();
        // (depth, line of its [[weights]] table), valid or not, to catch duplicates.
        let mut seen: Vec<(usize, usize)> = Vec::new();
        for item in self.array(value, "weights", Expected::WeightsTables) {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(item, "weights", Expected::Table);
                continue;
            };
            let line = self.line(item.span());
            let (mut depth, mut noise, mut depth_line) = (None, None, line);
            let (mut depth_seen, mut noise_seen) = (false, false);
            for (key, value) in entries(table) {
                match key.get_ref().as_ref() {
                    "depth" => {
                        depth_seen = true;
                        depth_line = self.line(value.span());
                        depth = self.count(value, "weights.depth", 1);
                    }
                    "noise" => {
                        noise_seen = true;
                        noise = self.number(value, "weights.noise").and_then(|found| {
                            if (0.0..1.0).contains(&found) {
                                Some(found)
                            } else {
                                let kind = SpecErrorKind::NoiseOutOfRange { found };
                                self.at(value.span(), "weights.noise", kind);
                                None
                            }
                        });
                    }
                    _ => self.unknown_key(key, "weights", Table::Weights, WEIGHTS_KEYS),
                }
            }
            for (seen, field) in [(depth_seen, "weights.depth"), (noise_seen, "weights.noise")] {
                if !seen {
                    self.push(Some(line), field, SpecErrorKind::Problem(Problem::MissingField));
                }
            }
            let Some(depth) = depth else { continue };
            if let Some(&(_, first_line)) = seen.iter().find(|(d, _)| *d == depth) {
                let kind = SpecErrorKind::DuplicateDepth { depth, first_line };
                self.push(Some(depth_line), "weights.depth", kind);
                continue;
            }
            seen.push((depth, line));
            if let Some(noise) = noise {
                out.push(WeightNoise { depth, noise });
            }
        }
        out
    }
}

fn non_empty_array(value: &Value<'_>) -> bool {
    match value.get_ref() {
        DeValue::Array(items) => !items.is_empty(),
        // A wrong type is reported as such, not as "nothing varies".
        _ => true,
    }
}
