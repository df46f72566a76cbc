//! Errors of packages: each names the file, the line (CSV row or TOML line) and the
//! field, with a message in the chosen language.

use chiso_core::{Lang, Problem};
use std::fmt;

/// One reason a package is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageError {
    /// Path relative to the package folder, e.g. `values.csv`, `frameworks/a.toml`.
    pub file: String,
    /// 1-based line, where the error has one.
    pub line: Option<usize>,
    /// The field (TOML key or CSV column) concerned, where there is one.
    pub field: Option<String>,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// A problem the domain found in a definition or a value.
    Problem(Problem),
    FileMissing,
    FolderMissing,
    Unreadable {
        reason: String,
    },
    NotUtf8,
    TomlSyntax {
        message: String,
    },
    /// A TOML float that is `nan` or `inf`: TOML allows them, chiso's numbers not.
    NotFinite {
        text: String,
    },
    CsvSyntax {
        message: String,
    },
    MissingColumn {
        column: String,
    },
    DuplicateColumn {
        column: String,
    },
    WrongColumnCount {
        expected: usize,
        found: usize,
    },
    NoDataColumns,
    UnknownGroup {
        group: String,
        groups: Vec<String>,
    },
    DuplicateUnit {
        code: String,
        first_line: usize,
    },
    UnitInTwoGroups {
        code: String,
        first_group: String,
        first_line: usize,
    },
    UnknownUnit {
        unit: String,
    },
    UnknownIndicator {
        indicator: String,
        group: String,
    },
    NotALeaf {
        indicator: String,
    },
    DuplicateValue {
        unit: String,
        indicator: String,
        first_line: usize,
    },
    FrameworkFileMissing {
        path: String,
    },
    UnknownKpi {
        code: String,
    },
    /// A framework's `verifier` names no unit of the assessment.
    UnknownVerifier {
        indicator: String,
        verifier: String,
    },
    KpiNotInMonitoring {
        indicator: String,
        kpi: String,
    },
    KpiValueRefused {
        unit: String,
        indicator: String,
        problem: Problem,
    },
    BadPeriod {
        text: String,
    },
    DuplicateObservation {
        kpi: String,
        scope: String,
        period: String,
        first_line: usize,
    },
    /// A link of lineage.csv the core refuses (an unknown unit, shares that do not
    /// add up, …).
    Lineage(chiso_core::lineage::LineageProblem),
    /// A scoring error (already phrased, since it needs the whole assessment).
    Scoring {
        vi: String,
        en: String,
    },
}

impl ErrorKind {
    pub fn message(&self, lang: Lang) -> String {
        use ErrorKind::*;
        let t = |vi: String, en: String| if lang == Lang::Vi { vi } else { en };
        match self {
            Problem(p) => p.message(lang),
            Lineage(p) => p.message(lang),
            FileMissing => t("không tìm thấy tệp".into(), "file not found".into()),
            FolderMissing => t(
                "không tìm thấy thư mục gói đánh giá".into(),
                "the package folder does not exist".into(),
            ),
            Unreadable { reason } => t(format!("không đọc được tệp: {reason}"), format!("cannot read the file: {reason}")),
            NotUtf8 => t("tệp không phải văn bản UTF-8".into(), "the file is not UTF-8 text".into()),
            TomlSyntax { message } => t(format!("TOML không hợp lệ: {message}"), format!("invalid TOML: {message}")),
            NotFinite { text } => {
                t(format!("{text} không phải là một số hữu hạn"), format!("{text} is not a finite number"))
            }
            CsvSyntax { message } => t(format!("CSV không hợp lệ: {message}"), format!("invalid CSV: {message}")),
            MissingColumn { column } => t(
                format!("thiếu cột \"{column}\" ở dòng tiêu đề"),
                format!("the header has no \"{column}\" column"),
            ),
            DuplicateColumn { column } => t(
                format!("cột \"{column}\" xuất hiện hai lần"),
                format!("column \"{column}\" appears twice"),
            ),
            WrongColumnCount { expected, found } => t(
                format!("dòng có {found} cột, dòng tiêu đề có {expected}"),
                format!("the row has {found} fields but the header has {expected}"),
            ),
            NoDataColumns => t(
                "không nhận ra dạng tệp: cần các cột unit,indicator,value (dạng dọc) hoặc unit rồi một cột cho mỗi mã chỉ số (dạng ngang)".into(),
                "unrecognised layout: expected columns unit,indicator,value (long form) or unit followed by one column per indicator code (wide form)".into(),
            ),
            UnknownGroup { group, groups } => t(
                format!("khối \"{group}\" không có trong assessment.toml (các khối: {})", groups.join(", ")),
                format!("group \"{group}\" is not in assessment.toml (groups: {})", groups.join(", ")),
            ),
            DuplicateUnit { code, first_line } => t(
                format!("mã đơn vị \"{code}\" đã có ở dòng {first_line}"),
                format!("unit code \"{code}\" already appears on line {first_line}"),
            ),
            UnitInTwoGroups { code, first_group, first_line } => t(
                format!("đơn vị \"{code}\" đã thuộc khối \"{first_group}\" ở dòng {first_line}; một đơn vị chỉ thuộc một khối"),
                format!("unit \"{code}\" is already in group \"{first_group}\" on line {first_line}; a unit belongs to one group"),
            ),
            UnknownUnit { unit } => t(
                format!("đơn vị \"{unit}\" không có trong units.csv"),
                format!("unit \"{unit}\" is not in units.csv"),
            ),
            UnknownIndicator { indicator, group } => t(
                format!("chỉ số \"{indicator}\" không có trong khung chỉ số của khối \"{group}\""),
                format!("indicator \"{indicator}\" is not in the framework of group \"{group}\""),
            ),
            NotALeaf { indicator } => t(
                format!("chỉ số \"{indicator}\" có chỉ số con; điểm của nó được tính từ các chỉ số con, hãy nhập giá trị cho chỉ số con"),
                format!("indicator \"{indicator}\" has children and is computed from them; enter values for its children"),
            ),
            DuplicateValue { unit, indicator, first_line } => t(
                format!("đơn vị \"{unit}\", chỉ số \"{indicator}\" đã có giá trị ở dòng {first_line}"),
                format!("unit \"{unit}\", indicator \"{indicator}\" already has a value on line {first_line}"),
            ),
            FrameworkFileMissing { path } => t(
                format!("tệp khung chỉ số \"{path}\" không tồn tại"),
                format!("framework file \"{path}\" does not exist"),
            ),
            UnknownVerifier { indicator, verifier } => t(
                format!("chỉ số \"{indicator}\": đơn vị thẩm định \"{verifier}\" không có trong units.csv"),
                format!("indicator \"{indicator}\": verifier \"{verifier}\" is not a unit in units.csv"),
            ),
            UnknownKpi { code } => t(
                format!("chỉ tiêu \"{code}\" không có trong kpis.toml"),
                format!("KPI \"{code}\" is not in kpis.toml"),
            ),
            KpiNotInMonitoring { indicator, kpi } => t(
                format!("chỉ số \"{indicator}\" lấy giá trị từ chỉ tiêu \"{kpi}\", nhưng gói theo dõi không có chỉ tiêu này"),
                format!("indicator \"{indicator}\" takes its value from KPI \"{kpi}\", which the monitoring package does not have"),
            ),
            KpiValueRefused { unit, indicator, problem } => t(
                format!("đơn vị \"{unit}\", chỉ số \"{indicator}\": giá trị lấy từ chỉ tiêu không dùng được: {}", problem.message(lang)),
                format!("unit \"{unit}\", indicator \"{indicator}\": the value taken from the KPI cannot be used: {}", problem.message(lang)),
            ),
            BadPeriod { text } => t(
                format!("\"{text}\" không phải là kỳ hợp lệ (viết 2024, 2024-Q3, 2024-09 hoặc 2024-09-30)"),
                format!("\"{text}\" is not a period (write 2024, 2024-Q3, 2024-09 or 2024-09-30)"),
            ),
            DuplicateObservation { kpi, scope, period, first_line } => t(
                format!("chỉ tiêu \"{kpi}\", phạm vi \"{scope}\", kỳ {period} đã có số liệu ở dòng {first_line}"),
                format!("KPI \"{kpi}\", scope \"{scope}\", period {period} already has an observation on line {first_line}"),
            ),
            Scoring { vi, en } => t(vi.clone(), en.clone()),
        }
    }
}

impl PackageError {
    pub fn new(file: impl Into<String>, line: Option<usize>, field: Option<&str>, kind: ErrorKind) -> Self {
        PackageError { file: file.into(), line, field: field.map(str::to_string), kind }
    }

    /// `FILE:LINE: message (field: F)`, in the chosen language.
    pub fn render(&self, lang: Lang) -> String {
        render_at(&self.file, self.line, self.field.as_deref(), &self.kind.message(lang), lang)
    }
}

/// `FILE:LINE: message (field: F)`: how every error about a file reads, so a
/// package's and an uncertainty specification's errors look alike.
pub(crate) fn render_at(
    file: &str,
    line: Option<usize>,
    field: Option<&str>,
    message: &str,
    lang: Lang,
) -> String {
    let mut out = file.to_owned();
    if let Some(line) = line {
        out.push_str(&format!(":{line}"));
    }
    out.push_str(": ");
    out.push_str(message);
    if let Some(field) = field {
        out.push_str(&format!(" ({}: {field})", lang.pick("trường", "field")));
    }
    out
}

impl fmt::Display for PackageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// All the errors of a refused package, in the order they were found.
#[derive(Debug, Clone, PartialEq, Default, thiserror::Error)]
#[error("the package has {} error(s)", .0.len())]
pub struct PackageErrors(pub Vec<PackageError>);
