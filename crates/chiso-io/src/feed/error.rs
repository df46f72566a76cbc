//! What can go wrong with a feed: a bad row (with its line), or the input or the
//! output that cannot be read or written. Messages in Vietnamese and English.

use chiso_core::Lang;
use std::io;
use std::path::{Path, PathBuf};

/// Why one row (or the header, line 1) of a feed is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedProblem {
    /// The file is empty: there is no header row.
    NoHeader,
    /// A required column is not in the header.
    MissingColumn { column: String },
    /// A column name appears twice in the header.
    DuplicateColumn { column: String },
    /// The row does not have as many fields as the header.
    WrongFieldCount { expected: usize, found: usize },
    /// The `unit` field is empty.
    EmptyUnit,
    /// A field (the unit code) is not UTF-8 text.
    NotUtf8 { column: String },
    /// `channel` is neither `online` nor `offline`.
    UnknownChannel { text: String },
    /// `direction` is neither `out` nor `in`.
    UnknownDirection { text: String },
    /// A required time field is empty.
    MissingTime { column: String },
    /// A time field is not `YYYY-MM-DDTHH:MM[:SS]` (or with a space for `T`).
    BadTime { column: String, text: String },
    /// A yes/no field is not one of the boolean words.
    NotBoolean { column: String, text: String },
    /// A quoted field is not closed on its line, or text follows its closing quote.
    BadQuotes,
}

impl FeedProblem {
    pub fn message(&self, lang: Lang) -> String {
        use FeedProblem::*;
        let t = |vi: String, en: String| if lang == Lang::Vi { vi } else { en };
        match self {
            NoHeader => {
                t("tệp rỗng: cần có dòng tiêu đề".into(), "the file is empty: a header row is needed".into())
            }
            MissingColumn { column } => t(
                format!("thiếu cột \"{column}\" ở dòng tiêu đề"),
                format!("the header has no \"{column}\" column"),
            ),
            DuplicateColumn { column } => {
                t(format!("cột \"{column}\" xuất hiện hai lần"), format!("column \"{column}\" appears twice"))
            }
            WrongFieldCount { expected, found } => t(
                format!("dòng có {found} cột, dòng tiêu đề có {expected}"),
                format!("the row has {found} fields but the header has {expected}"),
            ),
            EmptyUnit => t("cột \"unit\" (mã đơn vị) để trống".into(), "the \"unit\" field is empty".into()),
            NotUtf8 { column } => t(
                format!("cột \"{column}\" không phải văn bản UTF-8"),
                format!("the \"{column}\" field is not UTF-8 text"),
            ),
            UnknownChannel { text } => t(
                format!("kênh \"{text}\" không hợp lệ (viết online hoặc offline)"),
                format!("unknown channel \"{text}\" (write online or offline)"),
            ),
            UnknownDirection { text } => t(
                format!("chiều \"{text}\" không hợp lệ (viết out hoặc in)"),
                format!("unknown direction \"{text}\" (write out or in)"),
            ),
            MissingTime { column } => t(
                format!("cột \"{column}\" để trống, cần một thời điểm"),
                format!("the \"{column}\" field is empty; a time is needed"),
            ),
            BadTime { column, text } => t(
                format!(
                    "\"{text}\" ở cột \"{column}\" không phải thời điểm hợp lệ (viết 2024-03-04T08:15:00)"
                ),
                format!("\"{text}\" in \"{column}\" is not a time (write 2024-03-04T08:15:00)"),
            ),
            NotBoolean { column, text } => t(
                format!(
                    "\"{text}\" ở cột \"{column}\" không phải giá trị có/không (viết 1/true/yes/có/x hoặc 0/false/no/không)"
                ),
                format!(
                    "\"{text}\" in \"{column}\" is not a yes/no word (write 1/true/yes/có/x or 0/false/no/không)"
                ),
            ),
            BadQuotes => t(
                "dấu ngoặc kép không khớp (một trường trong ngoặc kép phải kết thúc trên cùng dòng)".into(),
                "unbalanced quotes (a quoted field must end on the same line)".into(),
            ),
        }
    }
}

/// A bad row skipped with `--skip-bad`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// 1-based line of the file (the header is line 1).
    pub line: u64,
    pub reason: FeedProblem,
}

impl BadRow {
    /// `FILE:LINE: reason`, in the chosen language.
    pub fn render(&self, file: &Path, lang: Lang) -> String {
        format!("{}:{}: {}", file.display(), self.line, self.reason.message(lang))
    }
}

/// Why a feed run failed. Nothing was written to the output when this is returned
/// (for [`super::run_feed`], nothing at all; for [`super::run_feed_to_file`], no
/// file is left behind).
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// A bad row in strict mode (the first of the file), or a bad header (line 1).
    #[error("{}", bad_row_text(.file, .line, .problem, Lang::En))]
    BadRow { file: PathBuf, line: u64, problem: FeedProblem },
    /// The input cannot be opened or read.
    #[error("{}", io_text(Some(.file), .cause, IoSide::Read, Lang::En))]
    Read { file: PathBuf, cause: io::Error },
    /// The output cannot be created, written or put in place; `file` is `None` for
    /// the stream given to [`super::run_feed`] (standard output, say).
    #[error("{}", io_text(.file.as_deref(), .cause, IoSide::Write, Lang::En))]
    Write { file: Option<PathBuf>, cause: io::Error },
}

impl FeedError {
    /// `FILE:LINE: reason` for a bad row, `FILE: reason` for a file that cannot be
    /// read or written, in the chosen language. `Display` is the English form.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            FeedError::BadRow { file, line, problem } => bad_row_text(file, line, problem, lang),
            FeedError::Read { file, cause } => io_text(Some(file), cause, IoSide::Read, lang),
            FeedError::Write { file, cause } => io_text(file.as_deref(), cause, IoSide::Write, lang),
        }
    }

    /// The same as [`FeedError::render`].
    pub fn message(&self, lang: Lang) -> String {
        self.render(lang)
    }

    /// True when the output stream was closed by its reader (`chiso feed … | head`):
    /// not an error for a command-line tool.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, FeedError::Write { cause, .. } if cause.kind() == io::ErrorKind::BrokenPipe)
    }
}

#[derive(Clone, Copy)]
enum IoSide {
    Read,
    Write,
}

fn bad_row_text(file: &Path, line: &u64, problem: &FeedProblem, lang: Lang) -> String {
    format!("{}:{line}: {}", file.display(), problem.message(lang))
}

fn io_text(file: Option<&Path>, cause: &io::Error, side: IoSide, lang: Lang) -> String {
    let t = |vi: String, en: String| if lang == Lang::Vi { vi } else { en };
    let reason = match (cause.kind(), side) {
        (io::ErrorKind::NotFound, IoSide::Read) => t("không tìm thấy tệp".into(), "file not found".into()),
        (io::ErrorKind::NotFound, IoSide::Write) => {
            t("không tìm thấy thư mục".into(), "the folder does not exist".into())
        }
        (io::ErrorKind::PermissionDenied, IoSide::Read) => {
            t("không có quyền đọc tệp".into(), "permission denied".into())
        }
        (io::ErrorKind::PermissionDenied, IoSide::Write) => {
            t("không có quyền ghi".into(), "permission denied".into())
        }
        (io::ErrorKind::IsADirectory, IoSide::Read) => {
            t("đây là thư mục, không phải tệp".into(), "this is a folder, not a file".into())
        }
        (_, IoSide::Read) => {
            t(format!("không đọc được tệp: {cause}"), format!("cannot read the file: {cause}"))
        }
        (_, IoSide::Write) => t(format!("không ghi được: {cause}"), format!("cannot write: {cause}")),
    };
    match file {
        Some(file) => format!("{}: {reason}", file.display()),
        None => t(format!("đầu ra: {reason}"), format!("output: {reason}")),
    }
}
