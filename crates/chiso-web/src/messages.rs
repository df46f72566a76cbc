//! Messages shared by the pages and the API, in the reader's language.

use chiso_core::Lang;
use chiso_store::RowProblemKind;

/// The field and message of a row the store refused.
pub fn row_problem_message(kind: &RowProblemKind, lang: Lang) -> String {
    let (_, en, vi) = row_problem(kind);
    lang.pick(&vi, &en).to_owned()
}

/// The field, the English and the Vietnamese message of a row the store refused
/// (the API names the field; the pages show the message).
pub fn row_problem(kind: &RowProblemKind) -> (&'static str, String, String) {
    match kind {
        RowProblemKind::UnknownKpi { kpi } => (
            "kpi",
            format!("KPI {kpi:?} is not in the catalogue"),
            format!("chỉ tiêu \"{kpi}\" không có trong danh mục"),
        ),
        RowProblemKind::EmptyScope => ("scope", "the scope is empty".into(), "thiếu phạm vi".into()),
        RowProblemKind::BadPeriod { text } => (
            "period",
            format!("{text:?} is not a period"),
            format!("\"{text}\" không phải kỳ (viết 2024, 2024-Q3, 2024-09 hoặc 2024-09-30)"),
        ),
        RowProblemKind::NotFinite => {
            ("value", "not a finite number".into(), "giá trị không phải số hữu hạn".into())
        }
        RowProblemKind::DuplicateInBatch { first_row } => (
            "period",
            format!("the same KPI, scope and period are on row {first_row}"),
            format!("trùng chỉ tiêu, phạm vi và kỳ với dòng {first_row}"),
        ),
        RowProblemKind::AlreadyStored { period, .. } => (
            "period",
            format!("an observation for period {period} is already stored"),
            format!("đã có số liệu cho kỳ {period}"),
        ),
        RowProblemKind::Unanswered { indicator } => {
            ("value", format!("{indicator}: not answered"), format!("{indicator}: chưa trả lời"))
        }
        RowProblemKind::NoEvidence { indicator } => {
            ("evidence", format!("{indicator}: needs evidence"), format!("{indicator}: cần minh chứng"))
        }
        RowProblemKind::UnknownUnit { unit } => {
            ("unit", format!("unit {unit} is not in the round"), format!("đơn vị {unit} không có trong đợt"))
        }
        RowProblemKind::UnknownIndicator { indicator, .. } => (
            "indicator",
            format!("{indicator}: not an indicator of this unit's framework"),
            format!("{indicator}: không phải chỉ số trong bộ chỉ số của đơn vị"),
        ),
        RowProblemKind::NotALeaf { indicator } => (
            "indicator",
            format!("{indicator}: computed from its sub-indicators"),
            format!("{indicator}: được tính từ các chỉ số thành phần"),
        ),
        RowProblemKind::BadValue { indicator, problem, .. } => (
            "value",
            format!("{indicator}: {}", problem.message(Lang::En)),
            format!("{indicator}: {}", problem.message(Lang::Vi)),
        ),
    }
}
