//! What can be wrong with a service folder: a bad row (file, line, field), a file
//! that cannot be read. Every message in Vietnamese and English.

use crate::error::render_at;
use chiso_core::Lang;
use chiso_core::service_index::RecordProblem;
use std::io;
use std::path::{Path, PathBuf};

/// Why a row (or a header, line 1) is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceProblem {
    /// The file is empty: no header row.
    NoHeader,
    /// A required column is not in the header.
    MissingColumn,
    /// A column the file does not have in the format.
    UnknownColumn { known: Vec<&'static str> },
    /// A column name appears twice in the header.
    DuplicateColumn,
    /// The row does not have as many fields as the header.
    WrongFieldCount { expected: usize, found: usize },
    /// The row cannot be read as CSV.
    Syntax { message: String },
    /// A field is not UTF-8 text.
    NotUtf8,
    /// A required field is empty.
    Empty,
    /// Not a time (`2025-03-04T08:15:00`) or a date (`2025-03-04`).
    BadTime { text: String },
    /// Not one of the boolean words.
    NotBoolean { text: String },
    /// Not a number.
    NotANumber { text: String },
    /// `level` is not `department` or `commune`.
    UnknownLevel { text: String },
    /// `online` is not `none`, `partial` or `full`.
    UnknownOnline { text: String },
    /// `channel` is not `online` or `offline`.
    UnknownChannel { text: String },
    /// `satisfied` is not yes, no or empty.
    UnknownRating { text: String },
    /// A rule of the index (unknown unit, duplicate procedure, …).
    Record(RecordProblem),
    /// A unit or a procedure already given, on `first_line`.
    Repeated { problem: RecordProblem, first_line: u64 },
}

impl ServiceProblem {
    pub fn message(&self, lang: Lang) -> String {
        use ServiceProblem::*;
        let t = |vi: String, en: String| if lang == Lang::Vi { vi } else { en };
        match self {
            NoHeader => {
                t("tệp rỗng: cần có dòng tiêu đề".into(), "the file is empty: a header row is needed".into())
            }
            MissingColumn => t("dòng tiêu đề thiếu cột này".into(), "the header lacks this column".into()),
            UnknownColumn { known } => t(
                format!("cột không có trong định dạng (các cột: {})", known.join(", ")),
                format!("not a column of this file (its columns: {})", known.join(", ")),
            ),
            DuplicateColumn => t("cột xuất hiện hai lần".into(), "the column appears twice".into()),
            WrongFieldCount { expected, found } => t(
                format!("dòng có {found} cột, dòng tiêu đề có {expected}"),
                format!("the row has {found} fields but the header has {expected}"),
            ),
            Syntax { message } => {
                t(format!("dòng CSV không đọc được: {message}"), format!("unreadable CSV row: {message}"))
            }
            NotUtf8 => t("trường không phải văn bản UTF-8".into(), "the field is not UTF-8 text".into()),
            Empty => t("trường bắt buộc để trống".into(), "a required field is empty".into()),
            BadTime { text } => t(
                format!("\"{text}\" không phải thời điểm (viết 2025-03-04T08:15:00 hoặc 2025-03-04)"),
                format!("\"{text}\" is not a time (write 2025-03-04T08:15:00 or 2025-03-04)"),
            ),
            NotBoolean { text } => t(
                format!(
                    "\"{text}\" không phải giá trị có/không (viết 1/true/yes/có/x hoặc 0/false/no/không)"
                ),
                format!("\"{text}\" is not a yes/no word (write 1/true/yes/x or 0/false/no)"),
            ),
            NotANumber { text } => {
                t(format!("\"{text}\" không phải số"), format!("\"{text}\" is not a number"))
            }
            UnknownLevel { text } => t(
                format!("cấp \"{text}\" không hợp lệ (viết department hoặc commune)"),
                format!("unknown level \"{text}\" (write department or commune)"),
            ),
            UnknownOnline { text } => t(
                format!("mức trực tuyến \"{text}\" không hợp lệ (viết none, partial hoặc full)"),
                format!("unknown online level \"{text}\" (write none, partial or full)"),
            ),
            UnknownChannel { text } => t(
                format!("kênh \"{text}\" không hợp lệ (viết online hoặc offline)"),
                format!("unknown channel \"{text}\" (write online or offline)"),
            ),
            UnknownRating { text } => t(
                format!("đánh giá \"{text}\" không hợp lệ (viết yes, no hoặc để trống)"),
                format!("unknown rating \"{text}\" (write yes, no or leave it empty)"),
            ),
            Record(problem) => problem.message(lang),
            Repeated { problem, first_line } => {
                format!(
                    "{} {first_line}",
                    problem.message(lang) + lang.pick(", lần đầu ở dòng", ", first on line")
                )
            }
        }
    }
}

/// A refused row: where, which field, why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    pub file: PathBuf,
    /// 1-based line (the header is line 1).
    pub line: u64,
    /// The column concerned, where there is one.
    pub field: Option<String>,
    pub problem: ServiceProblem,
}

impl BadRow {
    /// `FILE:LINE: reason (field: F)` in the chosen language.
    pub fn render(&self, lang: Lang) -> String {
        let file = self.file.display().to_string();
        render_at(&file, Some(self.line as usize), self.field.as_deref(), &self.problem.message(lang), lang)
    }
}

/// Why a service folder was refused. Nothing was computed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The first bad row (strict mode), or a bad header (line 1).
    #[error("{}", .0.render(Lang::En))]
    BadRow(Box<BadRow>),
    /// The folder does not exist.
    #[error("{}", folder_text(.0, Lang::En))]
    NoFolder(PathBuf),
    /// A file cannot be opened or read.
    #[error("{}", read_text(.file, .cause, Lang::En))]
    Read { file: PathBuf, cause: io::Error },
}

impl ServiceError {
    /// The message in the chosen language (`Display` is the English one).
    pub fn render(&self, lang: Lang) -> String {
        match self {
            ServiceError::BadRow(bad) => bad.render(lang),
            ServiceError::NoFolder(folder) => folder_text(folder, lang),
            ServiceError::Read { file, cause } => read_text(file, cause, lang),
        }
    }
}

fn folder_text(folder: &Path, lang: Lang) -> String {
    format!("{}: {}", folder.display(), lang.pick("không tìm thấy thư mục", "folder not found"))
}

fn read_text(file: &Path, cause: &io::Error, lang: Lang) -> String {
    let reason = match cause.kind() {
        io::ErrorKind::NotFound => lang.pick("không tìm thấy tệp", "file not found").to_string(),
        io::ErrorKind::PermissionDenied => {
            lang.pick("không có quyền đọc tệp", "permission denied").to_string()
        }
        io::ErrorKind::IsADirectory => {
            lang.pick("đây là thư mục, không phải tệp", "this is a folder, not a file").to_string()
        }
        _ => format!("{} {cause}", lang.pick("không đọc được tệp:", "cannot read the file:")),
    };
    format!("{}: {reason}", file.display())
}
