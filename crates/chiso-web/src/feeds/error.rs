//! Why a pull failed, in both languages: the status page shows it in the reader's
//! language, so the store keeps both (`{"vi": …, "en": …}`).

use super::mapping::MappingError;
use chiso_core::Lang;
use std::io;

#[derive(Debug, Clone, PartialEq)]
pub enum PullError {
    /// The server answered with an error status.
    Status {
        origin: String,
        status: u16,
    },
    /// No answer, or one that broke off.
    Network {
        origin: String,
        cause: NetworkCause,
    },
    /// A file the index needs is not there (404, or absent from the folder).
    Missing {
        origin: String,
    },
    /// More than the limit over all files.
    TooLarge {
        origin: String,
        limit: u64,
    },
    /// Reading a file at the source failed.
    Read {
        origin: String,
        kind: io::ErrorKind,
    },
    /// The delivered file is not CSV / JSON records.
    Format {
        origin: String,
        line: Option<u64>,
        problem: FormatProblem,
    },
    Mapping(MappingError),
    /// The service folder was refused by its reader (`FILE:LINE: … (field: …)`).
    Refused {
        vi: String,
        en: String,
    },
    /// The machine failed chiso (a full disk, a bug): nothing stored. The detail
    /// goes to the log, not to the page (it is the system's English).
    Internal(String),
}

/// Why there was no (whole) answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkCause {
    TimedOut,
    Refused,
    HostNotFound,
    /// The connection broke off in the middle of a file.
    BrokenOff,
    Other,
}

impl NetworkCause {
    /// What kind of failure `error` is (its own text is the library's English).
    pub fn of(error: &reqwest::Error) -> NetworkCause {
        if error.is_timeout() {
            return NetworkCause::TimedOut;
        }
        let mut source: Option<&dyn std::error::Error> = Some(error);
        while let Some(e) = source {
            if let Some(io) = e.downcast_ref::<io::Error>() {
                match io.kind() {
                    io::ErrorKind::ConnectionRefused => return NetworkCause::Refused,
                    io::ErrorKind::TimedOut => return NetworkCause::TimedOut,
                    _ => {}
                }
            }
            if e.to_string().contains("dns error") {
                return NetworkCause::HostNotFound;
            }
            source = e.source();
        }
        if error.is_body() || error.is_decode() { NetworkCause::BrokenOff } else { NetworkCause::Other }
    }

    fn words(self, lang: Lang) -> &'static str {
        match self {
            NetworkCause::TimedOut => lang.pick("quá thời gian chờ trả lời", "timed out"),
            NetworkCause::Refused => lang
                .pick("không kết nối được: máy chủ từ chối kết nối", "could not connect: connection refused"),
            NetworkCause::HostNotFound => lang.pick("không tìm thấy tên máy chủ", "host name not found"),
            NetworkCause::BrokenOff => {
                lang.pick("kết nối bị ngắt giữa chừng", "the connection broke off midway")
            }
            NetworkCause::Other => lang.pick("không kết nối được", "could not connect"),
        }
    }
}

/// What is wrong with a delivered file's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatProblem {
    NoHeader,
    /// The header is not UTF-8 text.
    HeaderNotText,
    /// Not JSON at all, or cut short.
    NotJson,
    /// JSON, but not a list of records.
    NotAList,
    /// Record `record` (1-based) has a key the first record has not.
    NewKey {
        record: u64,
        key: String,
    },
    /// Record `record` holds a list or an object under `key`.
    Nested {
        record: u64,
        key: String,
    },
}

impl FormatProblem {
    fn words(&self, lang: Lang) -> String {
        match self {
            FormatProblem::NoHeader => lang.pick("không có dòng tiêu đề", "no header line").to_owned(),
            FormatProblem::HeaderNotText => lang
                .pick("dòng tiêu đề không phải văn bản UTF-8", "the header line is not UTF-8 text")
                .to_owned(),
            FormatProblem::NotJson => lang
                .pick("không phải JSON hợp lệ hoặc bị cắt ngang", "not valid JSON, or cut short")
                .to_owned(),
            FormatProblem::NotAList => {
                lang.pick("cần một danh sách bản ghi JSON", "expected a list of JSON records").to_owned()
            }
            FormatProblem::NewKey { record, key } => format!(
                "{} {record} {} «{key}» {}",
                lang.pick("bản ghi", "record"),
                lang.pick("có khoá", "has the key"),
                lang.pick("không có trong bản ghi đầu tiên", "that the first record has not")
            ),
            FormatProblem::Nested { record, key } => format!(
                "{} {record}: «{key}» {}",
                lang.pick("bản ghi", "record"),
                lang.pick(
                    "chứa danh sách hoặc đối tượng, cần một giá trị",
                    "holds a list or an object, not a value"
                )
            ),
        }
    }
}

fn read_words(kind: io::ErrorKind, lang: Lang) -> &'static str {
    match kind {
        io::ErrorKind::PermissionDenied => lang.pick("không có quyền đọc tệp", "permission denied"),
        io::ErrorKind::IsADirectory => {
            lang.pick("đây là thư mục, không phải tệp", "this is a folder, not a file")
        }
        io::ErrorKind::InvalidData => {
            lang.pick("tệp không đọc được (dữ liệu hỏng)", "the file cannot be read (bad data)")
        }
        _ => lang.pick("không đọc được tệp", "the file cannot be read"),
    }
}

impl PullError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            PullError::Status { origin, status } => {
                format!(
                    "{origin}: {} {status}",
                    lang.pick("máy chủ trả lời lỗi HTTP", "the server answered HTTP")
                )
            }
            PullError::Network { origin, cause } => format!("{origin}: {}", cause.words(lang)),
            PullError::Missing { origin } => {
                format!("{origin}: {}", lang.pick("không có tệp này", "no such file"))
            }
            PullError::TooLarge { origin, limit } => format!(
                "{origin}: {} {} MB",
                lang.pick("dữ liệu vượt giới hạn", "the data exceeds the limit of"),
                limit / (1024 * 1024)
            ),
            PullError::Read { origin, kind } => format!("{origin}: {}", read_words(*kind, lang)),
            PullError::Format { origin, line, problem } => {
                let at = line.map_or_else(|| origin.clone(), |line| format!("{origin}:{line}"));
                format!("{at}: {}", problem.words(lang))
            }
            PullError::Mapping(error) => error.message(lang),
            PullError::Refused { vi, en } => lang.pick(vi, en).to_owned(),
            PullError::Internal(_) => lang
                .pick(
                    "lỗi của máy chủ chiso khi kéo dữ liệu (xem nhật ký máy chủ)",
                    "chiso's server failed during the pull (see the server's log)",
                )
                .to_owned(),
        }
    }

    /// What the store keeps: the message in both languages.
    pub fn stored(&self) -> String {
        serde_json::json!({ "vi": self.message(Lang::Vi), "en": self.message(Lang::En) }).to_string()
    }
}

/// A stored error in `lang` (text stored otherwise is shown as it is).
pub fn stored_message(stored: &str, lang: Lang) -> String {
    serde_json::from_str::<serde_json::Value>(stored)
        .ok()
        .and_then(|v| v.get(lang.code()).and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| stored.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_kept_in_both_languages() {
        let error = PullError::Status { origin: "http://x/dossiers.csv".into(), status: 503 };
        let stored = error.stored();
        assert_eq!(stored_message(&stored, Lang::Vi), "http://x/dossiers.csv: máy chủ trả lời lỗi HTTP 503");
        assert_eq!(stored_message(&stored, Lang::En), "http://x/dossiers.csv: the server answered HTTP 503");
        assert_eq!(stored_message("plain", Lang::En), "plain");
    }
}
