//! Every action on a round run in the app, and the one function that decides it.

use super::{Actor, Deadlines, Gap, Refusal, RefusalClass, Role, RoundState, Stage, UnitEntry, UnitState};
use super::{coded, editable};

/// Something a person asks of a round. Units are named by code; the texts a rule
/// needs (a comment, a reason, a decision) travel with the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Opens the forms: draft → open.
    Open,
    /// Closes the forms and starts appraisal: open → appraisal.
    StartAppraisal,
    /// Approves the results: appraisal (or preliminary results, once every contest
    /// is answered) → approved, once every unit taking part is appraised. Fills the
    /// `kpi:` leaves from the monitoring data.
    Approve,
    /// Publishes preliminary results (appraisal → preliminary) once every unit
    /// taking part is appraised: units may contest indicators until `deadline`.
    PublishPreliminary { decision: String, deadline: Option<i64> },
    /// A unit contests the appraised result of one indicator, with its reason,
    /// while preliminary results are out and before their deadline.
    Contest { unit: String, indicator: String, reason: String },
    /// An appraiser answers a contest: accepted (with a new value) or rejected,
    /// with the reason either way. `verifier` is the indicator's verifying
    /// department in the framework.
    AnswerContest { unit: String, indicator: String, accept: bool, reason: String, verifier: Option<String> },
    /// Publishes an approved round with the decision that approved it; publishing a
    /// published round again makes a correction publication.
    Publish { decision: String },
    /// Sets the three deadlines (until the round is published).
    SetDeadlines(Deadlines),
    /// Includes or leaves out a unit (before appraisal starts).
    AssignUnit { unit: String, assigned: bool },
    /// Saves values of a unit's form.
    SaveValues { unit: String },
    /// Saves a filled spreadsheet: values of several units at once, all or nothing.
    /// Units in the order the spreadsheet names them.
    ImportValues { units: Vec<String> },
    /// Adds evidence (a file or a document reference) to an indicator of a unit.
    AddEvidence { unit: String },
    /// Submits a unit's form; `gaps` is what [`super::completeness`] found missing.
    Submit { unit: String, gaps: Vec<Gap> },
    /// Returns a submitted unit to its reporter with what to revise.
    Return { unit: String, comment: String },
    /// Ends the appraisal of a submitted unit.
    Finalise { unit: String },
    /// Sets the council's value of an indicator of a submitted unit with its reason,
    /// or (`reason: None`) accepts the self-assessed value. `verifier` is the
    /// indicator's verifying department in the framework (None: the council).
    Appraise { unit: String, indicator: String, reason: Option<String>, verifier: Option<String> },
    /// Corrects a final value after approval, with its reason.
    Correct { unit: String, indicator: String, reason: String },
}

coded!(
    /// The kind of an [`Action`], without its data.
    ActionKind("thao tác", "action") {
        Open = "open", "mở tự đánh giá", "open self-assessment";
        StartAppraisal = "start_appraisal", "chuyển sang thẩm định", "start appraisal";
        Approve = "approve", "phê duyệt kết quả", "approve the results";
        PublishPreliminary = "publish_preliminary", "công bố kết quả sơ bộ", "publish preliminary results";
        Contest = "contest", "đề nghị xem xét lại", "contest a result";
        AnswerContest = "answer_contest", "trả lời đề nghị xem xét lại", "answer a contest";
        Publish = "publish", "công bố kết quả", "publish the results";
        SetDeadlines = "set_deadlines", "đặt thời hạn", "set the deadlines";
        AssignUnit = "assign_unit", "chọn đơn vị tham gia", "assign units";
        SaveValues = "save_values", "lưu biểu mẫu", "save a form";
        ImportValues = "import_values", "nhập bảng tính", "upload a spreadsheet";
        AddEvidence = "add_evidence", "thêm minh chứng", "add evidence";
        Submit = "submit", "nộp biểu mẫu", "submit a form";
        Return = "return", "trả lại đơn vị", "return a unit";
        Finalise = "finalise", "kết thúc thẩm định", "finalise an appraisal";
        Appraise = "appraise", "thẩm định", "appraise";
        Correct = "correct", "đính chính", "correct a final value";
    }
);

coded!(
    /// A step written to a unit's history.
    EventKind("sự kiện", "event") {
        Submit = "submit", "nộp", "submitted";
        Resubmit = "resubmit", "nộp lại", "resubmitted";
        Return = "return", "trả lại", "returned";
        Finalise = "finalise", "kết thúc thẩm định", "finalised";
        Correct = "correct", "đính chính", "corrected";
        Contest = "contest", "đề nghị xem xét lại", "contested";
        ContestAccepted = "contest_accepted", "chấp nhận đề nghị xem xét lại", "contest accepted";
        ContestRejected = "contest_rejected", "không chấp nhận đề nghị xem xét lại", "contest rejected";
    }
);

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Open => ActionKind::Open,
            Action::StartAppraisal => ActionKind::StartAppraisal,
            Action::Approve => ActionKind::Approve,
            Action::PublishPreliminary { .. } => ActionKind::PublishPreliminary,
            Action::Contest { .. } => ActionKind::Contest,
            Action::AnswerContest { .. } => ActionKind::AnswerContest,
            Action::Publish { .. } => ActionKind::Publish,
            Action::SetDeadlines(_) => ActionKind::SetDeadlines,
            Action::AssignUnit { .. } => ActionKind::AssignUnit,
            Action::SaveValues { .. } => ActionKind::SaveValues,
            Action::ImportValues { .. } => ActionKind::ImportValues,
            Action::AddEvidence { .. } => ActionKind::AddEvidence,
            Action::Submit { .. } => ActionKind::Submit,
            Action::Return { .. } => ActionKind::Return,
            Action::Finalise { .. } => ActionKind::Finalise,
            Action::Appraise { .. } => ActionKind::Appraise,
            Action::Correct { .. } => ActionKind::Correct,
        }
    }

    /// The one unit the action concerns, if it concerns one.
    pub fn unit(&self) -> Option<&str> {
        match self {
            Action::AssignUnit { unit, .. }
            | Action::SaveValues { unit }
            | Action::AddEvidence { unit }
            | Action::Submit { unit, .. }
            | Action::Return { unit, .. }
            | Action::Finalise { unit }
            | Action::Appraise { unit, .. }
            | Action::Contest { unit, .. }
            | Action::AnswerContest { unit, .. }
            | Action::Correct { unit, .. } => Some(unit),
            _ => None,
        }
    }

    /// The action the stage form asks for with `to`: moving to the open, appraisal
    /// or approved stage. None for draft and published, which no stage change
    /// reaches (publishing is [`Action::Publish`]); refuse those with
    /// [`Refusal::StageStep`].
    pub fn to_stage(to: Stage) -> Option<Action> {
        match to {
            Stage::Open => Some(Action::Open),
            Stage::Appraisal => Some(Action::StartAppraisal),
            Stage::Approved => Some(Action::Approve),
            Stage::Draft | Stage::Preliminary | Stage::Published => None,
        }
    }
}

/// What an allowed action writes besides the stage, unit states, assignment and
/// deadlines of its [`Transition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// Nothing else (a stage change, deadlines, an assignment, a return, a finalisation).
    Nothing,
    /// Self-assessed values of the units in [`Transition::units`] or the action.
    SelfValues,
    /// An evidence file or document reference.
    Evidence,
    /// An appraised value during appraisal; `accepts_self_value` removes it instead.
    Appraisal { accepts_self_value: bool },
    /// A final value changed after approval (the published results stay until
    /// published again).
    Correction,
    /// The `kpi:` leaves filled from the monitoring data, at approval.
    KpiValues,
    /// A publication; `republish` when it supersedes an earlier one;
    /// `preliminary` for preliminary results open to contests.
    Publication { republish: bool, preliminary: bool },
    /// A contest of an indicator, with its reason.
    Contest,
    /// The answer to a contest; `accept` sets the indicator's appraised value.
    ContestAnswer { accept: bool },
}

/// What an allowed action changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// When (Unix ms, the `now` it was decided at): the `updated_at` to write.
    pub at: i64,
    /// The new stage, when it changes.
    pub stage: Option<Stage>,
    /// Units whose state changes, with their new state.
    pub units: Vec<(String, UnitState)>,
    /// A unit included (true) or left out (false).
    pub assigned: Option<(String, bool)>,
    /// New deadlines.
    pub deadlines: Option<Deadlines>,
    pub writes: Writes,
    /// The step to add to a unit's history.
    pub event: Option<(String, EventKind)>,
    /// A new contest deadline (preliminary results).
    pub contest_deadline: Option<Option<i64>>,
    /// Contests opened (+1) or answered (−1).
    pub contests_opened: i64,
}

impl Transition {
    fn new(at: i64, writes: Writes) -> Transition {
        Transition {
            at,
            stage: None,
            units: Vec::new(),
            assigned: None,
            deadlines: None,
            writes,
            event: None,
            contest_deadline: None,
            contests_opened: 0,
        }
    }

    /// A change of a final value after approval, rather than an appraisal.
    pub fn is_correction(&self) -> bool {
        self.writes == Writes::Correction
    }
}

/// Decides an action: first whether the actor's role allows it ([`authorise`], the
/// pages' rules), then whether the round allows it now and what it changes
/// ([`check`], the store's rules). Pure: the same arguments give the same answer.
pub fn decide(round: &RoundState, actor: &Actor, action: &Action, now: i64) -> Result<Transition, Refusal> {
    authorise(actor, action)?;
    check(round, action, now)
}

/// Whether a page offers the action: [`decide`] allows it, or refuses it only for
/// what the person has still to give (a reason, a comment, a decision, missing
/// answers). The unit form's "editable", "appraising" and "correcting" flags.
pub fn offered(round: &RoundState, actor: &Actor, action: &Action, now: i64) -> bool {
    match decide(round, actor, action, now) {
        Ok(_) => true,
        Err(refusal) => matches!(refusal.class(), RefusalClass::Invalid | RefusalClass::Incomplete),
    }
}

/// Whether the actor's role allows the action, whatever the round's state: admins
/// run the round; an admin edits any unit's form and a reporter their own; admins
/// and appraisers appraise; only admins correct; viewers read.
pub fn authorise(actor: &Actor, action: &Action) -> Result<(), Refusal> {
    let not_allowed = || Refusal::NotAllowed { role: actor.role, action: action.kind() };
    let edit = |unit: &str| match actor.role {
        _ if actor.may_edit(unit) => Ok(()),
        Role::Reporter if actor.unit.is_some() => Err(Refusal::NotYourUnit { unit: unit.to_owned() }),
        _ => Err(not_allowed()),
    };
    match action {
        Action::Open
        | Action::StartAppraisal
        | Action::Approve
        | Action::PublishPreliminary { .. }
        | Action::Publish { .. }
        | Action::SetDeadlines(_)
        | Action::AssignUnit { .. }
        | Action::Correct { .. } => {
            if actor.role == Role::Admin {
                Ok(())
            } else {
                Err(not_allowed())
            }
        }
        Action::SaveValues { unit }
        | Action::AddEvidence { unit }
        | Action::Submit { unit, .. }
        | Action::Contest { unit, .. } => edit(unit),
        Action::ImportValues { units } => match (actor.role, &actor.unit) {
            (Role::Admin, _) | (Role::Reporter, Some(_)) => units.iter().try_for_each(|unit| edit(unit)),
            _ => Err(not_allowed()),
        },
        Action::Return { .. } | Action::Finalise { .. } => {
            if actor.may_decide_units() {
                Ok(())
            } else {
                Err(not_allowed())
            }
        }
        Action::Appraise { indicator, verifier, .. } | Action::AnswerContest { indicator, verifier, .. } => {
            if !actor.may_appraise() {
                Err(not_allowed())
            } else if actor.may_verify(verifier.as_deref()) {
                Ok(())
            } else {
                Err(Refusal::NotYourIndicator { indicator: indicator.clone(), verifier: verifier.clone() })
            }
        }
    }
}

/// Whether the round allows the action now, whoever asks, and what it changes.
/// No rule depends on `now` (deadlines only mark units overdue); it is the time of
/// the transition.
pub fn check(round: &RoundState, action: &Action, now: i64) -> Result<Transition, Refusal> {
    let stage = round.stage;
    match action {
        Action::Open => stage_step(round, Stage::Draft, Stage::Open, now),
        Action::StartAppraisal => stage_step(round, Stage::Open, Stage::Appraisal, now),
        Action::Approve => {
            let from = if stage == Stage::Preliminary { Stage::Preliminary } else { Stage::Appraisal };
            let mut transition = stage_step(round, from, Stage::Approved, now)?;
            let units = round.not_appraised();
            if !units.is_empty() {
                return Err(Refusal::NotAppraised { units });
            }
            if round.open_contests > 0 {
                return Err(Refusal::ContestsOpen { count: round.open_contests });
            }
            transition.writes = Writes::KpiValues;
            Ok(transition)
        }
        Action::PublishPreliminary { decision, deadline } => {
            let mut transition = stage_step(round, Stage::Appraisal, Stage::Preliminary, now)?;
            let units = round.not_appraised();
            if !units.is_empty() {
                return Err(Refusal::NotAppraised { units });
            }
            if decision.trim().is_empty() {
                return Err(Refusal::NoDecision);
            }
            transition.writes = Writes::Publication { republish: false, preliminary: true };
            transition.contest_deadline = Some(*deadline);
            Ok(transition)
        }
        Action::Contest { unit, indicator, reason } => {
            let entry = assigned_unit(round, unit)?;
            if !(stage == Stage::Preliminary && entry.state == UnitState::Appraised) {
                return Err(Refusal::NotOpenForContest { unit: unit.clone(), stage, state: entry.state });
            }
            if let Some(deadline) = round.contest_deadline
                && now > deadline
            {
                return Err(Refusal::ContestClosed { deadline });
            }
            if reason.trim().is_empty() {
                return Err(Refusal::NoContestReason { indicator: indicator.trim().to_owned() });
            }
            let mut transition = Transition::new(now, Writes::Contest);
            transition.event = Some((unit.clone(), EventKind::Contest));
            transition.contests_opened = 1;
            Ok(transition)
        }
        Action::AnswerContest { unit, indicator, accept, reason, .. } => {
            let entry = assigned_unit(round, unit)?;
            if stage != Stage::Preliminary {
                return Err(Refusal::NotOpenForContest { unit: unit.clone(), stage, state: entry.state });
            }
            if reason.trim().is_empty() {
                return Err(Refusal::NoContestReason { indicator: indicator.trim().to_owned() });
            }
            let mut transition = Transition::new(now, Writes::ContestAnswer { accept: *accept });
            let event = if *accept { EventKind::ContestAccepted } else { EventKind::ContestRejected };
            transition.event = Some((unit.clone(), event));
            transition.contests_opened = -1;
            Ok(transition)
        }
        Action::Publish { decision } => {
            if !matches!(stage, Stage::Approved | Stage::Published) {
                return Err(Refusal::NotApproved { stage });
            }
            if decision.trim().is_empty() {
                return Err(Refusal::NoDecision);
            }
            let republish = stage == Stage::Published;
            let mut transition = Transition::new(now, Writes::Publication { republish, preliminary: false });
            transition.stage = (!republish).then_some(Stage::Published);
            Ok(transition)
        }
        Action::SetDeadlines(deadlines) => {
            if stage == Stage::Published {
                return Err(Refusal::RoundPublished);
            }
            Ok(Transition { deadlines: Some(*deadlines), ..Transition::new(now, Writes::Nothing) })
        }
        Action::AssignUnit { unit, assigned } => {
            if !matches!(stage, Stage::Draft | Stage::Open) {
                return Err(Refusal::AssignmentClosed { stage });
            }
            if round.unit(unit).is_none() {
                return Err(Refusal::UnknownUnit { unit: unit.clone() });
            }
            Ok(Transition {
                assigned: Some((unit.clone(), *assigned)),
                ..Transition::new(now, Writes::Nothing)
            })
        }
        Action::SaveValues { unit } => {
            let entry = editable_unit(round, unit)?;
            let mut transition = Transition::new(now, Writes::SelfValues);
            transition.units.extend(started(unit, entry));
            Ok(transition)
        }
        Action::ImportValues { units } => {
            // The store checks each unit once, in code order.
            let mut codes: Vec<&String> = units.iter().collect();
            codes.sort_unstable();
            codes.dedup();
            let mut transition = Transition::new(now, Writes::SelfValues);
            for unit in codes {
                let entry = editable_unit(round, unit)?;
                transition.units.extend(started(unit, entry));
            }
            Ok(transition)
        }
        Action::AddEvidence { unit } => {
            editable_unit(round, unit)?;
            Ok(Transition::new(now, Writes::Evidence))
        }
        Action::Submit { unit, gaps } => {
            let entry = editable_unit(round, unit)?;
            if !gaps.is_empty() {
                return Err(Refusal::Incomplete { unit: unit.clone(), gaps: gaps.clone() });
            }
            let event =
                if entry.state == UnitState::Returned { EventKind::Resubmit } else { EventKind::Submit };
            let mut transition = Transition::new(now, Writes::Nothing);
            transition.units.push((unit.clone(), UnitState::Submitted));
            transition.event = Some((unit.clone(), event));
            Ok(transition)
        }
        Action::Return { unit, comment } => {
            // The store asks for the comment before it looks at the unit.
            if comment.trim().is_empty() {
                return Err(Refusal::NoComment);
            }
            appraisal_step(round, unit, UnitState::Returned, EventKind::Return, now)
        }
        Action::Finalise { unit } => {
            appraisal_step(round, unit, UnitState::Appraised, EventKind::Finalise, now)
        }
        Action::Appraise { unit, indicator, reason, .. } => {
            let entry = assigned_unit(round, unit)?;
            if !(stage == Stage::Appraisal && entry.state == UnitState::Submitted) {
                return Err(Refusal::NotOpenForAppraisal { unit: unit.clone(), stage, state: entry.state });
            }
            if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
                return Err(Refusal::NoReason { indicator: indicator.trim().to_owned(), correction: false });
            }
            Ok(Transition::new(now, Writes::Appraisal { accepts_self_value: reason.is_none() }))
        }
        Action::Correct { unit, indicator, reason } => {
            let entry = assigned_unit(round, unit)?;
            if !(super::is_correction(stage) && entry.state == UnitState::Appraised) {
                return Err(Refusal::NotOpenForCorrection { unit: unit.clone(), stage, state: entry.state });
            }
            if reason.trim().is_empty() {
                return Err(Refusal::NoReason { indicator: indicator.trim().to_owned(), correction: true });
            }
            let mut transition = Transition::new(now, Writes::Correction);
            transition.event = Some((unit.clone(), EventKind::Correct));
            Ok(transition)
        }
    }
}

fn stage_step(round: &RoundState, from: Stage, to: Stage, now: i64) -> Result<Transition, Refusal> {
    if round.stage != from {
        return Err(Refusal::StageStep { from: round.stage, to });
    }
    Ok(Transition { stage: Some(to), ..Transition::new(now, Writes::Nothing) })
}

/// The unit, known and taking part.
fn assigned_unit<'a>(round: &'a RoundState, unit: &str) -> Result<&'a UnitEntry, Refusal> {
    let entry = round.unit(unit).ok_or_else(|| Refusal::UnknownUnit { unit: unit.to_owned() })?;
    if !entry.assigned {
        return Err(Refusal::NotAssigned { unit: unit.to_owned() });
    }
    Ok(entry)
}

/// The unit, known, taking part and with an editable form.
fn editable_unit<'a>(round: &'a RoundState, unit: &str) -> Result<&'a UnitEntry, Refusal> {
    let entry = assigned_unit(round, unit)?;
    if !editable(round.stage, entry.state) {
        return Err(Refusal::NotEditable { unit: unit.to_owned(), stage: round.stage, state: entry.state });
    }
    Ok(entry)
}

/// A unit's first save moves it from not started to draft.
fn started(unit: &str, entry: &UnitEntry) -> Option<(String, UnitState)> {
    (entry.state == UnitState::NotStarted).then(|| (unit.to_owned(), UnitState::Draft))
}

/// Return and finalise: a submitted unit during appraisal.
fn appraisal_step(
    round: &RoundState,
    unit: &str,
    to: UnitState,
    event: EventKind,
    now: i64,
) -> Result<Transition, Refusal> {
    let entry = assigned_unit(round, unit)?;
    if !(round.stage == Stage::Appraisal && entry.state == UnitState::Submitted) {
        return Err(Refusal::NotOpenForAppraisal {
            unit: unit.to_owned(),
            stage: round.stage,
            state: entry.state,
        });
    }
    let mut transition = Transition::new(now, Writes::Nothing);
    transition.units.push((unit.to_owned(), to));
    transition.event = Some((unit.to_owned(), event));
    Ok(transition)
}
