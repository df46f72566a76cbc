//! Running `chiso`, building packages in temporary folders, and reading what the
//! binary printed.

#![allow(dead_code)]

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------

/// The workspace root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The bundled Son La 2024 package.
pub fn sonla() -> PathBuf {
    repo_root().join("data/sonla/2024")
}

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

/// What one run of `chiso` did.
#[derive(Debug)]
pub struct Run {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `chiso ARGS` with the language left to its default (CHISO_LANG removed).
pub fn chiso<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    chiso_with_env(args, &[])
}

/// Runs `chiso ARGS` with these environment variables (CHISO_LANG removed first).
pub fn chiso_with_env<S: AsRef<std::ffi::OsStr>>(args: &[S], env: &[(&str, &str)]) -> Run {
    let mut command =
        assert_cmd::Command::cargo_bin("chiso").unwrap_or_else(|e| panic!("no chiso binary: {e}"));
    command.env_remove("CHISO_LANG");
    for (key, value) in env {
        command.env(key, value);
    }
    command.args(args);
    let output = command.output().unwrap_or_else(|e| panic!("cannot run chiso: {e}"));
    Run {
        success: output.status.success(),
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap_or_else(|e| panic!("stdout is not UTF-8: {e}")),
        stderr: String::from_utf8(output.stderr).unwrap_or_else(|e| panic!("stderr is not UTF-8: {e}")),
    }
}

/// `chiso score DIR --format json EXTRA…`, which must succeed, parsed.
pub fn score_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args: Vec<String> =
        vec!["score".into(), dir.display().to_string(), "--format".into(), "json".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = chiso(&args);
    run.assert_success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout))
}

/// `chiso score DIR EXTRA…`, run and returned whatever it did.
pub fn score(dir: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["score".into(), dir.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    chiso(&args)
}

/// Where an error is expected: file (relative to the package), line, field.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub file: &'a str,
    pub line: Option<usize>,
    pub field: Field<'a>,
}

/// What the `(field: F)` suffix of an error must be.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    Is(&'a str),
    Absent,
    Any,
}

/// `FILE:LINE: … (field: FIELD)`.
pub fn at<'a>(file: &'a str, line: usize, field: &'a str) -> At<'a> {
    At { file, line: Some(line), field: Field::Is(field) }
}

/// `FILE:LINE: …`, whatever the field.
pub fn at_line(file: &str, line: usize) -> At<'_> {
    At { file, line: Some(line), field: Field::Any }
}

/// `FILE: …`, no line, no field.
pub fn at_file(file: &str) -> At<'_> {
    At { file, line: None, field: Field::Absent }
}

impl Run {
    pub fn assert_success(&self) -> &Self {
        assert!(
            self.success,
            "chiso should have succeeded (exit {:?})\n--- stderr:\n{}\n--- stdout:\n{}",
            self.code, self.stderr, self.stdout
        );
        assert_eq!(self.stderr, "", "a successful run prints nothing on stderr");
        self
    }

    /// The package was refused: non-zero exit, nothing on stdout, a summary line
    /// then one line per error on stderr. Returns the error lines (summary excluded).
    pub fn refused(&self) -> Vec<&str> {
        assert!(!self.success, "chiso should have refused the package, but printed:\n{}", self.stdout);
        assert_ne!(self.code, Some(0), "a refused package exits non-zero");
        assert!(self.code.is_some(), "chiso was killed by a signal:\n{}", self.stderr);
        assert_eq!(self.stdout, "", "nothing may be printed on stdout when the package is refused");
        let mut lines = self.stderr.lines();
        let summary = lines.next().unwrap_or_else(|| panic!("stderr is empty"));
        assert!(
            summary.contains("bị từ chối") || summary.contains("was refused"),
            "the first stderr line should be the summary, got: {summary}"
        );
        lines.collect()
    }

    /// The number of errors the summary line announces.
    pub fn announced_error_count(&self) -> usize {
        let summary = self.stderr.lines().next().unwrap_or("");
        let after = summary
            .split_once(": ")
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("no count in the summary line: {summary}"));
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().unwrap_or_else(|_| panic!("no count in the summary line: {summary}"))
    }

    fn is_english(&self) -> bool {
        self.stderr.lines().next().is_some_and(|l| l.contains("was refused"))
    }

    /// The one error line placed at `at` (file, line and field must all match);
    /// panics with the whole stderr when there is none.
    pub fn error_at(&self, at: At<'_>) -> String {
        let errors = self.refused();
        let word = if self.is_english() { "field" } else { "trường" };
        let location = match at.line {
            Some(line) => format!("{}:{line}: ", at.file),
            None => format!("{}: ", at.file),
        };
        let matching: Vec<&&str> = errors
            .iter()
            .filter(|l| {
                let placed = l.starts_with(&location) || l.contains(&format!("/{location}"));
                let field_ok = match at.field {
                    Field::Is(field) => l.ends_with(&format!(" ({word}: {field})")),
                    Field::Absent => !(l.ends_with(')') && l.contains(&format!(" ({word}: "))),
                    Field::Any => true,
                };
                placed && field_ok
            })
            .collect();
        assert!(
            !matching.is_empty(),
            "expected an error at {location}(field {:?}); stderr was:\n{}",
            at.field,
            self.stderr
        );
        matching[0].to_string()
    }

    /// Like [`Run::error_at`], and the error must be the only one.
    pub fn only_error_at(&self, at: At<'_>) -> String {
        let errors = self.refused();
        assert_eq!(errors.len(), 1, "expected exactly one error; stderr was:\n{}", self.stderr);
        assert_eq!(self.announced_error_count(), 1, "the summary counts one error:\n{}", self.stderr);
        self.error_at(at)
    }
}

/// Asserts `haystack` contains every needle, showing it whole if not.
pub fn assert_contains_all(haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(haystack.contains(needle), "expected {needle:?} in:\n{haystack}");
    }
}

// ---------------------------------------------------------------------------
// Packages in temporary folders
// ---------------------------------------------------------------------------

/// A package folder that disappears with the test.
#[derive(Debug)]
pub struct Package {
    dir: TempDir,
}

impl Package {
    /// An empty folder.
    pub fn empty() -> Self {
        Package { dir: tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}")) }
    }

    /// A package from its files: `assessment.toml`, the frameworks (path relative
    /// to the package, text), `units.csv`, `values.csv`.
    pub fn new(assessment: &str, frameworks: &[(&str, &str)], units: &str, values: &str) -> Self {
        let package = Package::empty();
        package.write("assessment.toml", assessment);
        for (path, text) in frameworks {
            package.write(path, text);
        }
        package.write("units.csv", units);
        package.write("values.csv", values);
        package
    }

    /// A copy of the bundled Son La 2024 package, to break.
    pub fn copy_of_sonla() -> Self {
        let package = Package::empty();
        copy_dir(&sonla(), package.path());
        package
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The package path as an argument.
    pub fn arg(&self) -> String {
        self.path().display().to_string()
    }

    pub fn write(&self, file: &str, text: &str) -> &Self {
        let path = self.path().join(file);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
        }
        fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    pub fn read(&self, file: &str) -> String {
        let path = self.path().join(file);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    pub fn remove(&self, file: &str) -> &Self {
        let path = self.path().join(file);
        fs::remove_file(&path).unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
        self
    }

    /// Replaces the first occurrence of `from` (which must be there) by `to`.
    pub fn edit(&self, file: &str, from: &str, to: &str) -> &Self {
        let text = self.read(file);
        assert!(text.contains(from), "{file} does not contain {from:?}; the test needs updating");
        self.write(file, &text.replacen(from, to, 1))
    }

    /// Appends `text` to a file.
    pub fn append(&self, file: &str, text: &str) -> &Self {
        let mut all = self.read(file);
        if !all.ends_with('\n') {
            all.push('\n');
        }
        all.push_str(text);
        self.write(file, &all)
    }

    /// The 1-based line of `file` holding `needle` (which must occur exactly once).
    pub fn line_of(&self, file: &str, needle: &str) -> usize {
        line_of(&self.read(file), needle)
    }

    pub fn score(&self, extra: &[&str]) -> Run {
        score(self.path(), extra)
    }

    pub fn score_json(&self, extra: &[&str]) -> Value {
        score_json(self.path(), extra)
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("mkdir {}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// The 1-based line of `text` holding `needle`, which must occur on exactly one line.
pub fn line_of(text: &str, needle: &str) -> usize {
    let lines: Vec<usize> =
        text.lines().enumerate().filter(|(_, l)| l.contains(needle)).map(|(i, _)| i + 1).collect();
    assert_eq!(lines.len(), 1, "{needle:?} should be on exactly one line, found on {lines:?} of:\n{text}");
    lines[0]
}

/// The 1-based lines of `text` holding `needle`.
pub fn lines_of(text: &str, needle: &str) -> Vec<usize> {
    text.lines().enumerate().filter(|(_, l)| l.contains(needle)).map(|(i, _)| i + 1).collect()
}

/// The 1-based line of the first line holding `needle` after the line holding `after`.
pub fn line_after(text: &str, after: &str, needle: &str) -> usize {
    let start = line_of(text, after);
    text.lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("no {needle:?} after {after:?} in:\n{text}"))
}

// ---------------------------------------------------------------------------
// Writing small packages
// ---------------------------------------------------------------------------

/// `assessment.toml` with these (group code, framework path) and extra head lines
/// (e.g. `overall = "mean_of_units"`), written before the groups.
pub fn assessment_toml(head: &str, groups: &[(&str, &str)]) -> String {
    let mut text = String::from("year = 2024\nname = { vi = \"Đánh giá thử\", en = \"Test assessment\" }\n");
    text.push_str(head);
    if !head.is_empty() && !head.ends_with('\n') {
        text.push('\n');
    }
    for (code, framework) in groups {
        text.push_str(&format!(
            "\n[[group]]\ncode = \"{code}\"\nname = {{ vi = \"Khối {code}\", en = \"Group {code}\" }}\nframework = \"{framework}\"\n"
        ));
    }
    text
}

/// The bands of the Son La frameworks: good ≥ 85, fair ≥ 70, average ≥ 50, weak ≥ 0.
pub const BANDS: &str = r#"
[[band]]
code = "good"
min = 85
label = { vi = "Tốt", en = "Good" }

[[band]]
code = "fair"
min = 70
label = { vi = "Khá", en = "Fair" }

[[band]]
code = "average"
min = 50
label = { vi = "Trung bình", en = "Average" }

[[band]]
code = "weak"
min = 0
label = { vi = "Yếu", en = "Weak" }
"#;

/// A points framework: header with `scale`, [`BANDS`], then the indicators.
pub fn points_framework(scale: &str, indicators: &str) -> String {
    format!(
        "id = \"test-points\"\nname = {{ vi = \"Khung thử\", en = \"Test framework\" }}\nmethod = \"points\"\nscale = {scale}\n{BANDS}\n{indicators}"
    )
}

/// A composite framework with this normalisation and aggregation, bands at
/// `bands` (whole `[[band]]` text), then the indicators.
pub fn composite_framework(normalise: &str, aggregate: &str, bands: &str, indicators: &str) -> String {
    format!(
        "id = \"test-composite\"\nname = {{ vi = \"Chỉ số tổng hợp\", en = \"Composite index\" }}\nmethod = \"composite\"\nnormalise = {normalise}\naggregate = \"{aggregate}\"\n{bands}\n{indicators}"
    )
}

/// An `[[indicator]]` with children (no rule).
pub fn parent(code: &str, max: &str) -> String {
    format!(
        "\n[[indicator]]\ncode = \"{code}\"\nname = {{ vi = \"Chỉ số {code}\", en = \"Indicator {code}\" }}\nmax = {max}\n"
    )
}

/// A leaf `[[indicator]]` with its rule (an inline table).
pub fn leaf(code: &str, max: &str, rule: &str) -> String {
    format!(
        "\n[[indicator]]\ncode = \"{code}\"\nname = {{ vi = \"Chỉ số {code}\", en = \"Indicator {code}\" }}\nmax = {max}\nrule = {rule}\n"
    )
}

/// A composite `[[indicator]]`: extra lines such as `parent = "P"`, `weight = 2`.
pub fn composite_indicator(code: &str, extra: &str) -> String {
    format!(
        "\n[[indicator]]\ncode = \"{code}\"\nname = {{ vi = \"Chỉ số {code}\", en = \"Indicator {code}\" }}\n{extra}\n"
    )
}

/// `units.csv` with these (code, group) units, named after their codes.
pub fn units_csv(units: &[(&str, &str)]) -> String {
    let mut text = String::from("code,name,group,parent,name_en\n");
    for (code, group) in units {
        text.push_str(&format!("{code},Đơn vị {code},{group},,Unit {code}\n"));
    }
    text
}

/// `values.csv` in long form from (unit, indicator, value) rows; values are
/// written as given (quote them yourself where they hold a comma).
pub fn values_csv(rows: &[(&str, &str, &str)]) -> String {
    let mut text = String::from("unit,indicator,value,note\n");
    for (unit, indicator, value) in rows {
        text.push_str(&format!("{unit},{indicator},{value},\n"));
    }
    text
}

/// The small package most error tests break: one group "agencies" with a points
/// framework of every rule kind, units A, B and C.
///
/// ```text
/// 1    max 50   1.1 linear 0..100 (25), 1.2 boolean (25)
/// 2    max 50   2.1 manual (20), 2.2 ratio (10), 2.3 count cap 4 (10),
///               2.4 choice head 10 / deputy 5 / other 0 (10)
/// ```
pub fn small_framework() -> String {
    let mut indicators = String::new();
    indicators.push_str(&parent("1", "50"));
    indicators.push_str(&leaf("1.1", "25", r#"{ kind = "linear", from = 0, to = 100 }"#));
    indicators.push_str(&leaf("1.2", "25", r#"{ kind = "boolean" }"#));
    indicators.push_str(&parent("2", "50"));
    indicators.push_str(&leaf("2.1", "20", r#"{ kind = "manual" }"#));
    indicators.push_str(&leaf("2.2", "10", r#"{ kind = "ratio" }"#));
    indicators.push_str(&leaf("2.3", "10", r#"{ kind = "count", cap = 4 }"#));
    indicators.push_str(&leaf(
        "2.4",
        "10",
        r#"{ kind = "choice", options = [{ code = "head", points = 10 }, { code = "deputy", points = 5 }, { code = "other", points = 0 }] }"#,
    ));
    points_framework("100", &indicators)
}

pub const SMALL_FRAMEWORK_FILE: &str = "frameworks/agencies.toml";

/// The small package with this `values.csv`.
pub fn small_package(values: &str) -> Package {
    Package::new(
        &assessment_toml("rank_precision = 2", &[("agencies", SMALL_FRAMEWORK_FILE)]),
        &[(SMALL_FRAMEWORK_FILE, &small_framework())],
        &units_csv(&[("A", "agencies"), ("B", "agencies"), ("C", "agencies")]),
        values,
    )
}

/// The small package with this framework text instead (values: one row).
pub fn package_with_framework(framework: &str) -> Package {
    Package::new(
        &assessment_toml("", &[("agencies", SMALL_FRAMEWORK_FILE)]),
        &[(SMALL_FRAMEWORK_FILE, framework)],
        &units_csv(&[("A", "agencies")]),
        "unit,indicator,value\n",
    )
}

// ---------------------------------------------------------------------------
// Reading results
// ---------------------------------------------------------------------------

/// The unit with this code in a score JSON document.
pub fn unit<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["units"]
        .as_array()
        .and_then(|units| units.iter().find(|u| u["code"] == code))
        .unwrap_or_else(|| panic!("no unit {code} in:\n{doc:#}"))
}

/// The group with this code in a score JSON document.
pub fn group<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["groups"]
        .as_array()
        .and_then(|groups| groups.iter().find(|g| g["code"] == code))
        .unwrap_or_else(|| panic!("no group {code} in:\n{doc:#}"))
}

/// A JSON number, which must be one.
pub fn num(value: &Value) -> f64 {
    value.as_f64().unwrap_or_else(|| panic!("not a number: {value}"))
}

/// The strings of a JSON array.
pub fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_else(|| panic!("not a string: {v}")).to_string())
        .collect()
}

/// Rounds half away from zero to `decimals` (the spec's rounding).
pub fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

/// Asserts two numbers agree within `tolerance`.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, tolerance: f64) {
    assert!((actual - expected).abs() <= tolerance, "expected {expected} (±{tolerance}), got {actual}");
}

/// Reads CSV text (RFC 4180: quoted fields may hold commas, quotes and newlines).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Writes one CSV field, quoting it when needed.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
