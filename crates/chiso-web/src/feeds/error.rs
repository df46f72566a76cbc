//! Why a pull failed, in both languages: the status page shows it in the reader's
//! language, so the store keeps both (`{"vi": …, "en": …}`).

use super::mapping::MappingError;
use chiso_core::Lang;

#[derive(Debug, Clone, PartialEq)]
pub enum PullError {
    /// The server answered with an error status.
    Status {
        origin: String,
        status: u16,
    },
    /// No answer: refused, reset, name not found, timed out.
    Network {
        origin: String,
        timed_out: bool,
        detail: String,
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
    /// Reading or writing a file failed.
    Read {
        origin: String,
        detail: String,
    },
    /// The delivered file is not CSV / JSON records.
    Format {
        origin: String,
        line: Option<u64>,
        detail: String,
    },
    Mapping(MappingError),
    /// The service folder was refused by its reader (`FILE:LINE: … (field: …)`).
    Refused {
        vi: String,
        en: String,
    },
    /// The computation stopped (a bug): nothing stored.
    Internal(String),
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
            PullError::Network { origin, timed_out: true, .. } => {
                format!("{origin}: {}", lang.pick("quá thời gian chờ trả lời", "timed out"))
            }
            PullError::Network { origin, detail, .. } => {
                format!("{origin}: {} ({detail})", lang.pick("không kết nối được", "could not connect"))
            }
            PullError::Missing { origin } => {
                format!("{origin}: {}", lang.pick("không có tệp này", "no such file"))
            }
            PullError::TooLarge { origin, limit } => format!(
                "{origin}: {} {} MB",
                lang.pick("dữ liệu vượt giới hạn", "the data exceeds the limit of"),
                limit / (1024 * 1024)
            ),
            PullError::Read { origin, detail } => {
                format!("{origin}: {} ({detail})", lang.pick("không đọc được", "cannot be read"))
            }
            PullError::Format { origin, line, detail } => {
                let at = line.map_or_else(|| origin.clone(), |line| format!("{origin}:{line}"));
                format!("{at}: {} ({detail})", lang.pick("sai định dạng", "not in the expected format"))
            }
            PullError::Mapping(error) => error.message(lang),
            PullError::Refused { vi, en } => lang.pick(vi, en).to_owned(),
            PullError::Internal(detail) => {
                format!(
                    "{} ({detail})",
                    lang.pick("lỗi nội bộ khi tính chỉ số", "internal error while computing")
                )
            }
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
