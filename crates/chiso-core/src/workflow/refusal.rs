//! Why the workflow refuses an action, in both languages.

use super::{ActionKind, Gap, Role, Stage, UnitState};
use crate::lang::Lang;
use std::fmt;

/// Why [`super::decide`] refused an action. Each variant carries what a person needs
/// to understand it and has one message per language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The role never does this.
    NotAllowed { role: Role, action: ActionKind },
    /// A reporter acting on another unit.
    NotYourUnit { unit: String },
    /// No such unit in the round.
    UnknownUnit { unit: String },
    /// The unit does not take part in the round.
    NotAssigned { unit: String },
    /// Stages move forward one at a time: draft → open → appraisal → approved.
    StageStep { from: Stage, to: Stage },
    /// The unit's form is locked: not open yet, submitted, or closed.
    NotEditable { unit: String, stage: Stage, state: UnitState },
    /// Return, finalise and appraise need a submitted unit during appraisal.
    NotOpenForAppraisal { unit: String, stage: Stage, state: UnitState },
    /// A correction needs an appraised unit of an approved or published round.
    NotOpenForCorrection { unit: String, stage: Stage, state: UnitState },
    /// A submission with unanswered indicators or missing evidence.
    Incomplete { unit: String, gaps: Vec<Gap> },
    /// Returning a unit needs a comment saying what to revise.
    NoComment,
    /// An appraised value different from the self-assessed one, or a correction,
    /// needs its reason.
    NoReason { indicator: String, correction: bool },
    /// A publication names the decision that approved it.
    NoDecision,
    /// Approval needs every unit taking part appraised; these are not (by code).
    NotAppraised { units: Vec<String> },
    /// Only an approved (or published) round is published.
    NotApproved { stage: Stage },
    /// Units are assigned before appraisal starts.
    AssignmentClosed { stage: Stage },
    /// A published round's deadlines no longer change.
    RoundPublished,
    /// An appraiser of a verifying department appraising an indicator another
    /// department (or the council, `None`) verifies.
    NotYourIndicator { indicator: String, verifier: Option<String> },
    /// Contests need preliminary results and an appraised unit.
    NotOpenForContest { unit: String, stage: Stage, state: UnitState },
    /// The contest window closed at this deadline (Unix ms).
    ContestClosed { deadline: i64 },
    /// A contest, or its answer, needs a reason.
    NoContestReason { indicator: String },
    /// Final approval waits for every contest to be answered.
    ContestsOpen { count: usize },
}

/// What kind of refusal it is, for the caller to choose its error and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalClass {
    /// Not for this person (HTTP 403).
    Forbidden,
    /// Names something the round does not have (the store's `NotFound`).
    NotFound,
    /// Not in this state of the round (the store's `Conflict`, HTTP 409).
    Conflict,
    /// The person has to write something first (the store's `InvalidInput`).
    Invalid,
    /// The form is not complete (the store's `Refused` with each gap).
    Incomplete,
    /// The round is published (the store's `Immutable`).
    Immutable,
}

impl Refusal {
    pub fn class(&self) -> RefusalClass {
        match self {
            Refusal::NotAllowed { .. } | Refusal::NotYourUnit { .. } | Refusal::NotYourIndicator { .. } => {
                RefusalClass::Forbidden
            }
            Refusal::UnknownUnit { .. } => RefusalClass::NotFound,
            Refusal::NoComment
            | Refusal::NoReason { .. }
            | Refusal::NoDecision
            | Refusal::NoContestReason { .. } => RefusalClass::Invalid,
            Refusal::Incomplete { .. } => RefusalClass::Incomplete,
            Refusal::RoundPublished => RefusalClass::Immutable,
            Refusal::NotAssigned { .. }
            | Refusal::StageStep { .. }
            | Refusal::NotEditable { .. }
            | Refusal::NotOpenForAppraisal { .. }
            | Refusal::NotOpenForCorrection { .. }
            | Refusal::NotAppraised { .. }
            | Refusal::NotApproved { .. }
            | Refusal::AssignmentClosed { .. }
            | Refusal::NotOpenForContest { .. }
            | Refusal::ContestClosed { .. }
            | Refusal::ContestsOpen { .. } => RefusalClass::Conflict,
        }
    }

    /// The message in the chosen language.
    pub fn message(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        let pick = |v: String, e: String| if vi { v } else { e };
        let at = |stage: &Stage, state: &UnitState| {
            pick(
                format!("đợt: {}, đơn vị: {}", stage.label(lang), state.label(lang)),
                format!("round: {}, unit: {}", stage.label(lang), state.label(lang)),
            )
        };
        match self {
            Refusal::NotAllowed { role, action } => pick(
                format!("vai trò \"{}\" không được {}", role.label(lang), action.label(lang)),
                format!("the role \"{}\" may not {}", role.label(lang), action.label(lang)),
            ),
            Refusal::NotYourUnit { unit } => {
                pick(format!("{unit}: không phải đơn vị của bạn"), format!("{unit}: not your unit"))
            }
            Refusal::UnknownUnit { unit } => pick(
                format!("đợt đánh giá không có đơn vị \"{unit}\""),
                format!("the round has no unit \"{unit}\""),
            ),
            Refusal::NotAssigned { unit } => pick(
                format!("đơn vị \"{unit}\" không tham gia đợt đánh giá này"),
                format!("unit \"{unit}\" is not assigned to this round"),
            ),
            Refusal::StageStep { from, to } => pick(
                format!(
                    "đợt đánh giá ở giai đoạn \"{}\" không chuyển sang \"{}\" được",
                    from.label(lang),
                    to.label(lang)
                ),
                format!("a round at stage \"{}\" cannot move to \"{}\"", from.label(lang), to.label(lang)),
            ),
            Refusal::NotEditable { unit, stage, state } => pick(
                format!("biểu mẫu của đơn vị \"{unit}\" hiện không sửa được ({})", at(stage, state)),
                format!("the form of unit \"{unit}\" cannot be changed now ({})", at(stage, state)),
            ),
            Refusal::NotOpenForAppraisal { unit, stage, state } => pick(
                format!("đơn vị \"{unit}\" hiện không ở bước thẩm định ({})", at(stage, state)),
                format!("unit \"{unit}\" is not open for appraisal ({})", at(stage, state)),
            ),
            Refusal::NotOpenForCorrection { unit, stage, state } => pick(
                format!("đơn vị \"{unit}\" hiện không đính chính được ({})", at(stage, state)),
                format!("unit \"{unit}\" is not open for correction ({})", at(stage, state)),
            ),
            Refusal::Incomplete { gaps, .. } => {
                gaps.iter().map(|gap| gap.message(lang)).collect::<Vec<_>>().join("; ")
            }
            Refusal::NoComment => pick(
                "trả lại đơn vị cần ghi nhận xét về nội dung phải sửa".into(),
                "returning a unit needs a comment saying what to revise".into(),
            ),
            Refusal::NoReason { indicator, correction: false } => pick(
                format!("giá trị thẩm định của chỉ số \"{indicator}\" cần ghi lý do"),
                format!("an appraised value of \"{indicator}\" needs its reason"),
            ),
            Refusal::NoReason { indicator, correction: true } => pick(
                format!("đính chính chỉ số \"{indicator}\" cần ghi lý do"),
                format!("a correction of \"{indicator}\" needs its reason"),
            ),
            Refusal::NoDecision => pick(
                "công bố cần ghi quyết định phê duyệt kết quả".into(),
                "a publication names the decision that approved it".into(),
            ),
            Refusal::NotAppraised { units } => pick(
                format!("các đơn vị chưa thẩm định xong: {}", units.join(", ")),
                format!("units not appraised yet: {}", units.join(", ")),
            ),
            Refusal::NotApproved { stage } => pick(
                format!("chỉ công bố đợt đánh giá đã phê duyệt (đang ở giai đoạn \"{}\")", stage.label(lang)),
                format!("only an approved round is published (this one is at \"{}\")", stage.label(lang)),
            ),
            Refusal::AssignmentClosed { stage } => pick(
                format!(
                    "chỉ chọn đơn vị tham gia trước khi thẩm định (đang ở giai đoạn \"{}\")",
                    stage.label(lang)
                ),
                format!(
                    "units are assigned before appraisal starts (this round is at \"{}\")",
                    stage.label(lang)
                ),
            ),
            Refusal::NotYourIndicator { indicator, verifier } => match verifier {
                Some(verifier) => pick(
                    format!(
                        "chỉ số \"{indicator}\" do đơn vị \"{verifier}\" thẩm định, không phải đơn vị của bạn"
                    ),
                    format!(
                        "indicator \"{indicator}\" is verified by \"{verifier}\", not by your department"
                    ),
                ),
                None => pick(
                    format!("chỉ số \"{indicator}\" do hội đồng thẩm định"),
                    format!("indicator \"{indicator}\" is verified by the council"),
                ),
            },
            Refusal::NotOpenForContest { unit, stage, state } => pick(
                format!("đơn vị \"{unit}\" hiện không đề nghị xem xét lại được ({})", at(stage, state)),
                format!("unit \"{unit}\" cannot contest results now ({})", at(stage, state)),
            ),
            Refusal::ContestClosed { .. } => pick(
                "đã hết thời hạn đề nghị xem xét lại kết quả sơ bộ".into(),
                "the deadline for contesting the preliminary results has passed".into(),
            ),
            Refusal::NoContestReason { indicator } => pick(
                format!("đề nghị xem xét lại chỉ số \"{indicator}\" và câu trả lời cần ghi lý do"),
                format!("a contest of \"{indicator}\" and its answer need a reason"),
            ),
            Refusal::ContestsOpen { count } => pick(
                format!("còn {count} đề nghị xem xét lại chưa được trả lời"),
                format!("{count} contest(s) not answered yet"),
            ),
            Refusal::RoundPublished => pick(
                "đợt đánh giá đã công bố, không đổi thời hạn được".into(),
                "the round is published: its deadlines no longer change".into(),
            ),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Refusal {}
