//! What the store refuses of a caller's input, typed, each with one message per
//! language: the pages and the API show [`StoreError::message`] in the reader's
//! language and never an error's debug text; `Display` (logs, the CLI) is English.

use crate::error::{RowProblemKind, StoreError};
use chiso_core::Lang;
use std::fmt;

/// A caller-supplied field the store refuses (400).
#[derive(Debug, Clone, PartialEq)]
pub enum InputProblem {
    /// A username that is empty or holds spaces or control characters.
    Username {
        username: String,
    },
    /// A text longer than its limit (`field` names it: `username`, `display_name`).
    TooLong {
        field: &'static str,
        max: usize,
    },
    DisplayNameEmpty,
    TokenNameEmpty,
    /// An API token scope that is empty or holds spaces.
    Scope {
        scope: String,
    },
    /// A publication names the decision that approved it.
    DecisionEmpty,
    /// A decision's date is not a day written YYYY-MM-DD.
    DecisionDate {
        date: String,
    },
    /// A unit's framework has no such indicator.
    UnknownIndicator {
        unit: String,
        indicator: String,
    },
    /// A change for another unit sent with a unit's form.
    OtherUnit {
        unit: String,
        form: String,
    },
    /// A round copied for a new year needs `year = …` in its assessment.toml.
    NoYearLine,
    /// A document cited as evidence needs its number.
    ReferenceNumberEmpty,
    /// A service-index source needs a name.
    SourceNameEmpty,
    /// A service-index source is pulled every 1 to 10080 minutes (a week).
    SourceInterval {
        minutes: i64,
    },
    /// A URL or folder source needs its location.
    SourceLocationEmpty,
}

/// A clash with what is stored (409): the database is the source of truth.
#[derive(Debug, Clone, PartialEq)]
pub enum Clash {
    UsernameTaken {
        username: String,
    },
    /// A unique constraint: the row exists already (the database's own words).
    AlreadyExists {
        detail: String,
    },
    /// A foreign key: the row refers to a missing one, or is still referred to.
    StillReferenced {
        detail: String,
    },
    /// A KPI with stored observations cannot leave the catalogue.
    KpiInUse {
        kpi: String,
        observations: i64,
    },
    /// One open contest per indicator.
    AlreadyContested {
        unit: String,
        indicator: String,
    },
    ContestAnswered {
        contest: i64,
    },
    /// Service-index sources have distinct names.
    SourceNameTaken {
        name: String,
    },
}

impl InputProblem {
    pub fn message(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            InputProblem::Username { username } if vi => {
                format!("Tên đăng nhập \"{username}\" trống hoặc có dấu cách.")
            }
            InputProblem::Username { username } => {
                format!("The username \"{username}\" is empty or has spaces.")
            }
            InputProblem::TooLong { field, max } if vi => {
                format!("Trường \"{}\" dài quá {max} ký tự.", field_name(field, lang))
            }
            InputProblem::TooLong { field, max } => {
                format!("The field \"{}\" is longer than {max} characters.", field_name(field, lang))
            }
            InputProblem::DisplayNameEmpty => lang.pick("Thiếu họ tên.", "The display name is empty.").into(),
            InputProblem::TokenNameEmpty => lang.pick("Khoá API cần có tên.", "A token needs a name.").into(),
            InputProblem::Scope { scope } if vi => format!("Phạm vi \"{scope}\" trống hoặc có dấu cách."),
            InputProblem::Scope { scope } => format!("The scope \"{scope}\" is empty or has spaces."),
            InputProblem::DecisionEmpty => lang
                .pick(
                    "Cần ghi số quyết định phê duyệt kết quả.",
                    "A publication names the decision that approved it.",
                )
                .into(),
            InputProblem::DecisionDate { date } if vi => {
                format!(
                    "Ngày ký quyết định \"{date}\" không phải một ngày dạng năm-tháng-ngày (ví dụ 2025-03-20)."
                )
            }
            InputProblem::DecisionDate { date } => {
                format!(
                    "The decision's date \"{date}\" is not a day written year-month-day (e.g. 2025-03-20)."
                )
            }
            InputProblem::UnknownIndicator { unit, indicator } if vi => {
                format!("Đơn vị {unit} không có chỉ số {indicator}.")
            }
            InputProblem::UnknownIndicator { unit, indicator } => {
                format!("Unit {unit} has no indicator {indicator}.")
            }
            InputProblem::OtherUnit { unit, form } if vi => {
                format!("Giá trị của đơn vị {unit} được gửi kèm biểu mẫu của đơn vị {form}.")
            }
            InputProblem::OtherUnit { unit, form } => {
                format!("A value of unit {unit} was sent with the form of unit {form}.")
            }
            InputProblem::NoYearLine => lang
                .pick(
                    "Tệp assessment.toml của đợt không có dòng `year = …`.",
                    "The round's assessment.toml has no `year = …` line.",
                )
                .into(),
            InputProblem::ReferenceNumberEmpty => lang
                .pick("Văn bản dẫn chứng cần có số hiệu.", "A document reference needs its number.")
                .into(),
            InputProblem::SourceNameEmpty => {
                lang.pick("Nguồn dữ liệu cần có tên.", "A data source needs a name.").into()
            }
            InputProblem::SourceInterval { minutes } if vi => {
                format!("Chu kỳ lấy dữ liệu phải từ 1 đến 10080 phút (một tuần), không phải {minutes}.")
            }
            InputProblem::SourceInterval { minutes } => {
                format!("The pull interval must be 1 to 10080 minutes (a week), not {minutes}.")
            }
            InputProblem::SourceLocationEmpty => lang
                .pick(
                    "Cần nhập địa chỉ URL hoặc thư mục của nguồn dữ liệu.",
                    "A URL or folder source needs its address or folder.",
                )
                .into(),
        }
    }
}

/// A field's name as the reader knows it.
fn field_name(field: &str, lang: Lang) -> &str {
    match field {
        "username" => lang.pick("Tên đăng nhập", "Username"),
        "display_name" => lang.pick("Họ tên", "Display name"),
        other => other,
    }
}

impl Clash {
    pub fn message(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            Clash::UsernameTaken { username } if vi => {
                format!("Tên đăng nhập \"{username}\" đã có người dùng.")
            }
            Clash::UsernameTaken { username } => format!("The username \"{username}\" is taken."),
            Clash::AlreadyExists { .. } => {
                lang.pick("Mục này đã có trong hệ thống.", "This already exists.").into()
            }
            Clash::StillReferenced { .. } => lang
                .pick(
                    "Mục này còn được dùng ở nơi khác hoặc trỏ tới mục không còn.",
                    "This is still in use elsewhere, or refers to something that no longer exists.",
                )
                .into(),
            Clash::KpiInUse { kpi, observations } if vi => {
                format!("Chỉ tiêu \"{kpi}\" đã có {observations} số liệu nên không thể bỏ khỏi danh mục.")
            }
            Clash::KpiInUse { kpi, observations } => format!(
                "KPI \"{kpi}\" has {observations} stored observation(s) and cannot be dropped from the catalogue."
            ),
            Clash::AlreadyContested { unit, indicator } if vi => {
                format!("Chỉ số {indicator} của đơn vị {unit} đang được giải trình.")
            }
            Clash::AlreadyContested { unit, indicator } => {
                format!("Indicator {indicator} of unit {unit} is contested already.")
            }
            Clash::ContestAnswered { contest } if vi => format!("Giải trình số {contest} đã được trả lời."),
            Clash::ContestAnswered { contest } => format!("Contest {contest} is answered already."),
            Clash::SourceNameTaken { name } if vi => format!("Đã có nguồn dữ liệu tên \"{name}\"."),
            Clash::SourceNameTaken { name } => format!("A data source named \"{name}\" exists already."),
        }
    }
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl fmt::Display for Clash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Logs keep the database's words.
            Clash::AlreadyExists { detail } => write!(f, "already exists: {detail}"),
            Clash::StillReferenced { detail } => write!(f, "refers to a missing or still-used row: {detail}"),
            other => f.write_str(&other.message(Lang::En)),
        }
    }
}

impl RowProblemKind {
    /// The field a refused row is refused for (the API names it).
    pub fn field(&self) -> &'static str {
        match self {
            RowProblemKind::UnknownKpi { .. } => "kpi",
            RowProblemKind::EmptyScope => "scope",
            RowProblemKind::BadPeriod { .. }
            | RowProblemKind::DuplicateInBatch { .. }
            | RowProblemKind::AlreadyStored { .. } => "period",
            RowProblemKind::NotFinite
            | RowProblemKind::Unanswered { .. }
            | RowProblemKind::BadValue { .. } => "value",
            RowProblemKind::NoEvidence { .. } => "evidence",
            RowProblemKind::UnknownUnit { .. } => "unit",
            RowProblemKind::UnknownIndicator { .. } | RowProblemKind::NotALeaf { .. } => "indicator",
        }
    }

    /// Why the row was refused, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            RowProblemKind::UnknownKpi { kpi } if vi => format!("chỉ tiêu \"{kpi}\" không có trong danh mục"),
            RowProblemKind::UnknownKpi { kpi } => format!("KPI \"{kpi}\" is not in the catalogue"),
            RowProblemKind::EmptyScope => lang.pick("thiếu phạm vi", "the scope is empty").into(),
            RowProblemKind::BadPeriod { text } if vi => {
                format!("\"{text}\" không phải kỳ (viết 2024, 2024-Q3, 2024-09 hoặc 2024-09-30)")
            }
            RowProblemKind::BadPeriod { text } => {
                format!("\"{text}\" is not a period (write 2024, 2024-Q3, 2024-09 or 2024-09-30)")
            }
            RowProblemKind::NotFinite => {
                lang.pick("giá trị không phải số hữu hạn", "the value is not a finite number").into()
            }
            RowProblemKind::DuplicateInBatch { first_row } if vi => {
                format!("trùng chỉ tiêu, phạm vi và kỳ với dòng {first_row}")
            }
            RowProblemKind::DuplicateInBatch { first_row } => {
                format!("the same KPI, scope and period are on row {first_row}")
            }
            RowProblemKind::AlreadyStored { period, .. } if vi => format!("đã có số liệu cho kỳ {period}"),
            RowProblemKind::AlreadyStored { period, .. } => {
                format!("an observation for period {period} is already stored")
            }
            RowProblemKind::Unanswered { indicator } if vi => format!("{indicator}: chưa trả lời"),
            RowProblemKind::Unanswered { indicator } => format!("{indicator}: not answered"),
            RowProblemKind::NoEvidence { indicator } if vi => format!("{indicator}: cần minh chứng"),
            RowProblemKind::NoEvidence { indicator } => format!("{indicator}: needs evidence"),
            RowProblemKind::UnknownUnit { unit } if vi => format!("đơn vị {unit} không có trong đợt"),
            RowProblemKind::UnknownUnit { unit } => format!("unit {unit} is not in the round"),
            RowProblemKind::UnknownIndicator { indicator, .. } if vi => {
                format!("{indicator}: không phải chỉ số trong bộ chỉ số của đơn vị")
            }
            RowProblemKind::UnknownIndicator { indicator, .. } => {
                format!("{indicator}: not an indicator of this unit's framework")
            }
            RowProblemKind::NotALeaf { indicator } if vi => {
                format!("{indicator}: được tính từ các chỉ số thành phần")
            }
            RowProblemKind::NotALeaf { indicator } => {
                format!("{indicator}: computed from its sub-indicators")
            }
            RowProblemKind::BadValue { indicator, problem, .. } => {
                format!("{indicator}: {}", problem.message(lang))
            }
        }
    }
}

impl StoreError {
    /// What to tell the person whose request this refused, in their language;
    /// `None` for a failure on our side (logged, shown as a generic message).
    pub fn message(&self, lang: Lang) -> Option<String> {
        let joined = |parts: Vec<String>| parts.join("; ");
        match self {
            StoreError::Invalid(errors) => Some(joined(errors.0.iter().map(|e| e.render(lang)).collect())),
            StoreError::Refused(rows) => Some(joined(rows.iter().map(|r| r.kind.message(lang)).collect())),
            StoreError::InvalidInput(problem) => Some(problem.message(lang)),
            StoreError::Conflict(clash) => Some(clash.message(lang)),
            StoreError::NotAllowed(refusal) => Some(refusal.message(lang)),
            StoreError::NotFound { entity, id } => Some(match lang {
                Lang::Vi => format!("Không tìm thấy {} {id}.", entity_name(entity, lang)),
                Lang::En => format!("No {} {id}.", entity_name(entity, lang)),
            }),
            StoreError::Stale { what, value, .. } => Some(stale_message(what, value.as_deref(), lang)),
            StoreError::Immutable(_) => Some(
                lang.pick(
                    "Kết quả đã công bố và nhật ký không bao giờ bị sửa hay xoá.",
                    "Publications and the audit log are never changed or deleted.",
                )
                .into(),
            ),
            StoreError::UnsupportedUrl(_)
            | StoreError::Corrupt(_)
            | StoreError::Migrate(_)
            | StoreError::Database(_) => None,
        }
    }
}

/// A value someone changed after the person read it, with what is stored now.
pub fn stale_message(what: &str, value: Option<&str>, lang: Lang) -> String {
    match (lang, value) {
        (Lang::Vi, Some(value)) => format!(
            "\"{what}\" vừa được người khác thay đổi. Giá trị hiện nay: \"{value}\". Hãy xem lại rồi lưu lần nữa."
        ),
        (Lang::Vi, None) => {
            format!(
                "\"{what}\" vừa được người khác thay đổi. Giá trị đó đã bị xoá. Hãy xem lại rồi lưu lần nữa."
            )
        }
        (Lang::En, Some(value)) => format!(
            "\"{what}\" was changed by someone else meanwhile. It is now \"{value}\". Check it and save again."
        ),
        (Lang::En, None) => {
            format!(
                "\"{what}\" was changed by someone else meanwhile. It was removed. Check it and save again."
            )
        }
    }
}

/// The things the store looks up, named for a reader.
fn entity_name(entity: &str, lang: Lang) -> &str {
    let (vi, en) = match entity {
        "round" => ("đợt đánh giá", "round"),
        "unit" => ("đơn vị", "unit"),
        "user" => ("tài khoản", "user"),
        "publication" => ("kết quả công bố", "publication"),
        "contest" => ("giải trình", "contest"),
        "round run in the app" => ("đợt đánh giá trực tuyến", "round run in the app"),
        "service source" => ("nguồn dữ liệu dịch vụ công", "public-service data source"),
        "service snapshot" => ("bản chụp chỉ số dịch vụ công", "public-service index snapshot"),
        other => (other, other),
    };
    lang.pick(vi, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Vietnamese message holds none of the English one's words, and back.
    #[test]
    fn each_problem_speaks_one_language() {
        let inputs = [
            InputProblem::Username { username: "a b".into() },
            InputProblem::TooLong { field: "username", max: 64 },
            InputProblem::DisplayNameEmpty,
            InputProblem::TokenNameEmpty,
            InputProblem::Scope { scope: "".into() },
            InputProblem::DecisionEmpty,
            InputProblem::DecisionDate { date: "2025-02-30".into() },
            InputProblem::UnknownIndicator { unit: "STP".into(), indicator: "9.9".into() },
            InputProblem::OtherUnit { unit: "STP".into(), form: "SYT".into() },
            InputProblem::NoYearLine,
            InputProblem::ReferenceNumberEmpty,
            InputProblem::SourceNameEmpty,
            InputProblem::SourceInterval { minutes: 0 },
            InputProblem::SourceLocationEmpty,
        ];
        let clashes = [
            Clash::UsernameTaken { username: "lan".into() },
            Clash::AlreadyExists { detail: "UNIQUE constraint failed".into() },
            Clash::StillReferenced { detail: "FOREIGN KEY".into() },
            Clash::KpiInUse { kpi: "k".into(), observations: 3 },
            Clash::AlreadyContested { unit: "STP".into(), indicator: "1.1".into() },
            Clash::ContestAnswered { contest: 4 },
            Clash::SourceNameTaken { name: "Cổng dịch vụ công".into() },
        ];
        let messages = inputs
            .iter()
            .map(|p| (p.message(Lang::Vi), p.message(Lang::En)))
            .chain(clashes.iter().map(|c| (c.message(Lang::Vi), c.message(Lang::En))));
        for (vi, en) in messages {
            assert_ne!(vi, en);
            for english in ["the ", " is ", " has ", "constraint", "FOREIGN"] {
                assert!(!vi.contains(english), "{vi:?} holds {english:?}");
            }
            for vietnamese in ["đơn vị", "chỉ", "đã"] {
                assert!(!en.contains(vietnamese), "{en:?} holds {vietnamese:?}");
            }
        }
    }
}
