//! The assessment round run in the app (đợt đánh giá trực tuyến) as a pure state
//! machine: the round's stage (draft → open for self-assessment → appraisal →
//! approved → published), each unit's state (not started → draft → submitted →
//! returned → appraised), who may do what ([`authorise`]), what each action needs
//! and changes ([`check`]), both at once ([`decide`]), and the helpers the pages
//! and the store share ([`editable`], [`is_overdue`], [`completeness`]).
//!
//! Pure: no IO, no clock, no database. The caller loads a [`RoundState`], asks
//! [`decide`] about an [`Action`] of an [`Actor`] at `now` (Unix ms), and persists
//! the [`Transition`] it gets, or shows the [`Refusal`] (one message per language).
//!
//! The rules are today's, as `chiso-store` (states, in SQL and Rust) and the `/work`
//! pages of `chiso-web` (roles) apply them; [`authorise`] holds the pages' part and
//! [`check`] the store's, in the order each checks them. Where the two disagree or
//! a rule looks unintended, it is kept and written down here:
//!
//! - **A unit that has not submitted when appraisal starts blocks approval for
//!   good.** Appraisal may start with units still not started or in draft; such a
//!   unit is no longer editable (only returned units are, during appraisal), cannot
//!   be submitted, returned or finalised (those need `submitted`), and cannot be left
//!   out (assignment closes when appraisal starts), so [`Action::Approve`] is
//!   refused until the end of time.
//! - **The approval deadline is stored but never used**: only the self-assessment and
//!   appraisal deadlines mark units overdue ([`is_overdue`]). A deadline only marks,
//!   it never closes a form — except the contest deadline of preliminary results,
//!   after which no unit may contest (the one rule that reads the clock).
//! - **During appraisal every unit not yet appraised is "waiting"**, including those
//!   not started or in draft that can no longer act (see the first point).
//! - **The same refusal has different HTTP statuses**: a reporter saving another
//!   unit's form gets 403, a spreadsheet with another unit's cells gets 422 ("not
//!   your unit"); a reporter's spreadsheet for a locked unit gets 403 while saving
//!   the locked form gets 409. [`Refusal::class`] says what kind of refusal it is;
//!   the status stays the caller's choice.
//! - **The store checks no roles**: its methods trust their callers (`correct` says
//!   "callers allow this to admins only"). The pages check roles before the store
//!   checks states, so a refusal for the role comes first ([`decide`] does the same).
//! - **Completeness asks more than leaves**: every indicator with `evidence = true`,
//!   parent or leaf, needs evidence, and leaves with `source = "appraisal"` must be
//!   answered by the reporter too; only `kpi:` leaves are excepted.
//! - **Saving a form with nothing changed is not refused** even when the form is
//!   locked: the page skips the store when no value changed.
//! - **Outside this machine**: `/admin/rounds/{id}/publish` publishes any round,
//!   including one run in the app in any stage, without moving its stage; preview and
//!   evidence downloads check only that the unit is visible, not that it takes part.

mod action;
mod completeness;
mod refusal;

pub use action::{Action, ActionKind, EventKind, Transition, Writes, authorise, check, decide, offered};
pub use completeness::{Gap, Missing, completeness, is_answered};
pub use refusal::{Refusal, RefusalClass};

use crate::lang::Lang;
use std::collections::BTreeMap;
use std::fmt;

/// A code that names no variant (a stage, unit state or role as the store keeps it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    /// What was parsed, in Vietnamese and English.
    pub what: (&'static str, &'static str),
    pub found: String,
}

impl UnknownCode {
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Vi => format!("{} không hợp lệ: \"{}\"", self.what.0, self.found),
            Lang::En => format!("unknown {} \"{}\"", self.what.1, self.found),
        }
    }
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for UnknownCode {}

/// An enum with a stable code (as stored and sent in forms) and a label per language.
macro_rules! coded {
    (
        $(#[$doc:meta])* $name:ident ($what_vi:literal, $what_en:literal) {
            $($(#[$vdoc:meta])* $variant:ident = $code:literal, $vi:literal, $en:literal;)+
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self, lang: $crate::lang::Lang) -> &'static str {
                match self { $($name::$variant => lang.pick($vi, $en)),+ }
            }

            pub fn parse(code: &str) -> Result<$name, $crate::workflow::UnknownCode> {
                match code {
                    $($code => Ok($name::$variant),)+
                    other => Err($crate::workflow::UnknownCode { what: ($what_vi, $what_en), found: other.to_owned() }),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::workflow::UnknownCode;
            fn from_str(code: &str) -> Result<$name, $crate::workflow::UnknownCode> {
                $name::parse(code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use coded;

coded!(
    /// Where a round run in the app is; stages only move forward, one at a time.
    Stage("giai đoạn", "stage") {
        Draft = "draft", "Chuẩn bị", "Preparing";
        Open = "open", "Đang tự đánh giá", "Self-assessment open";
        Appraisal = "appraisal", "Đang thẩm định", "Appraisal";
        /// Preliminary results published: units may contest indicators until the
        /// deadline; appraisers answer each contest before final approval.
        Preliminary = "preliminary", "Kết quả sơ bộ", "Preliminary results";
        Approved = "approved", "Đã phê duyệt", "Approved";
        Published = "published", "Đã công bố", "Published";
    }
);

coded!(
    /// Where one unit of a round is.
    UnitState("trạng thái đơn vị", "unit state") {
        NotStarted = "not_started", "Chưa bắt đầu", "Not started";
        Draft = "draft", "Đang nhập", "Draft";
        Submitted = "submitted", "Đã nộp", "Submitted";
        Returned = "returned", "Trả lại để sửa", "Returned";
        Appraised = "appraised", "Đã thẩm định", "Appraised";
    }
);

coded!(
    /// What a person may do in the app.
    Role("vai trò", "role") {
        /// Runs the stages, assigns units, sets deadlines, corrects and publishes.
        Admin = "admin", "Quản trị viên", "Administrator";
        /// Appraises (thẩm định) what units submitted; one who belongs to a unit (a
        /// verifying department) appraises only the indicators it verifies.
        Appraiser = "appraiser", "Thẩm định viên", "Appraiser";
        /// Reports the values of one unit.
        Reporter = "reporter", "Báo cáo viên (một đơn vị)", "Reporter (one unit)";
        /// Reads.
        Viewer = "viewer", "Người xem", "Viewer";
    }
);

/// Someone acting on a round, as the workflow sees them: a role, and for a reporter
/// the unit they report for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Actor {
    pub role: Role,
    /// The unit a reporter reports for; for an appraiser, the department they
    /// verify for (None: the council, which appraises every indicator); ignored
    /// for admins and viewers.
    pub unit: Option<String>,
}

impl Actor {
    pub fn new(role: Role, unit: Option<String>) -> Actor {
        Actor { role, unit }
    }

    pub fn admin() -> Actor {
        Actor::new(Role::Admin, None)
    }

    pub fn appraiser() -> Actor {
        Actor::new(Role::Appraiser, None)
    }

    pub fn viewer() -> Actor {
        Actor::new(Role::Viewer, None)
    }

    pub fn reporter(unit: impl Into<String>) -> Actor {
        Actor::new(Role::Reporter, Some(unit.into()))
    }

    /// A reporter of this unit.
    pub fn reports_for(&self, unit: &str) -> bool {
        self.role == Role::Reporter && self.unit.as_deref() == Some(unit)
    }

    /// Everyone sees every unit, except a reporter, who sees only their own.
    pub fn may_see_unit(&self, unit: &str) -> bool {
        self.role != Role::Reporter || self.reports_for(unit)
    }

    /// An admin edits any unit's form, a reporter their own; nobody else edits.
    pub fn may_edit(&self, unit: &str) -> bool {
        self.role == Role::Admin || self.reports_for(unit)
    }

    /// Admins and appraisers appraise.
    pub fn may_appraise(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Appraiser)
    }

    /// The department an appraiser verifies for, if they belong to one.
    pub fn verifies_for(&self) -> Option<&str> {
        if self.role == Role::Appraiser { self.unit.as_deref() } else { None }
    }

    /// Whether the actor appraises an indicator verified by `verifier` (the
    /// framework's `verifier`, None when the council verifies it): admins and the
    /// council appraise every indicator, a department's appraiser only its own.
    pub fn may_verify(&self, verifier: Option<&str>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Appraiser => self.unit.is_none() || self.unit.as_deref() == verifier,
            _ => false,
        }
    }

    /// Whether the actor decides for whole units (returns, finalises): admins and
    /// appraisers of the council, not a verifying department.
    pub fn may_decide_units(&self) -> bool {
        self.role == Role::Admin || (self.role == Role::Appraiser && self.unit.is_none())
    }
}

/// Deadlines per stage, Unix ms (the end of the last allowed day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Deadlines {
    pub self_assessment: Option<i64>,
    pub appraisal: Option<i64>,
    /// Stored and shown, but marks nothing overdue (see the module docs).
    pub approval: Option<i64>,
}

impl Deadlines {
    /// The deadline units are held to in a stage: the self-assessment one while the
    /// forms are open, the appraisal one during appraisal, none otherwise.
    pub fn for_stage(&self, stage: Stage) -> Option<i64> {
        match stage {
            Stage::Open => self.self_assessment,
            Stage::Appraisal => self.appraisal,
            _ => None,
        }
    }
}

/// One unit of a round: whether it takes part, and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnitEntry {
    pub assigned: bool,
    pub state: UnitState,
}

/// Everything the workflow's rules look at: the stage, the deadlines, and every unit
/// of the round (by code) with whether it takes part and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundState {
    pub stage: Stage,
    pub deadlines: Deadlines,
    pub units: BTreeMap<String, UnitEntry>,
    /// Until when units may contest preliminary results (Unix ms).
    pub contest_deadline: Option<i64>,
    /// Contests not answered yet: final approval waits for them.
    pub open_contests: usize,
}

impl RoundState {
    /// A round as it is created: in draft, no deadlines, every unit taking part and
    /// not started.
    pub fn new<S: Into<String>>(units: impl IntoIterator<Item = S>) -> RoundState {
        let entry = UnitEntry { assigned: true, state: UnitState::NotStarted };
        RoundState {
            stage: Stage::Draft,
            deadlines: Deadlines::default(),
            units: units.into_iter().map(|code| (code.into(), entry)).collect(),
            contest_deadline: None,
            open_contests: 0,
        }
    }

    pub fn unit(&self, code: &str) -> Option<&UnitEntry> {
        self.units.get(code)
    }

    /// The units taking part that are not appraised yet (what blocks approval), by code.
    pub fn not_appraised(&self) -> Vec<String> {
        self.units
            .iter()
            .filter(|(_, e)| e.assigned && e.state != UnitState::Appraised)
            .map(|(code, _)| code.clone())
            .collect()
    }

    /// Whether a unit taking part is past its stage's deadline.
    pub fn is_overdue(&self, unit: &str, now: i64) -> bool {
        self.unit(unit).is_some_and(|e| e.assigned && is_overdue(&self.deadlines, self.stage, e.state, now))
    }

    /// Whether the round is listed for the actor: for a reporter, only when their
    /// unit takes part.
    pub fn shown_to(&self, actor: &Actor) -> bool {
        match (actor.role, &actor.unit) {
            (Role::Reporter, Some(unit)) => self.unit(unit).is_some_and(|e| e.assigned),
            (Role::Reporter, None) => false,
            _ => true,
        }
    }

    /// Writes a transition (one [`decide`] allowed on this state) into the state.
    pub fn apply(&mut self, transition: &Transition) {
        if let Some(stage) = transition.stage {
            self.stage = stage;
        }
        if let Some(deadlines) = transition.deadlines {
            self.deadlines = deadlines;
        }
        if let Some((unit, assigned)) = &transition.assigned
            && let Some(entry) = self.units.get_mut(unit)
        {
            entry.assigned = *assigned;
        }
        for (unit, state) in &transition.units {
            if let Some(entry) = self.units.get_mut(unit) {
                entry.state = *state;
            }
        }
        if let Some(deadline) = transition.contest_deadline {
            self.contest_deadline = deadline;
        }
        self.open_contests = (self.open_contests as i64 + transition.contests_opened).max(0) as usize;
    }

    /// Decides an action and, when it is allowed, applies it; a refused action
    /// leaves the state as it was.
    pub fn step(&mut self, actor: &Actor, action: &Action, now: i64) -> Result<Transition, Refusal> {
        let transition = decide(self, actor, action, now)?;
        self.apply(&transition);
        Ok(transition)
    }
}

/// Whether a unit's form (values and evidence) can change in this stage and state:
/// while the forms are open, until submitted; during appraisal, when returned.
pub fn editable(stage: Stage, state: UnitState) -> bool {
    matches!(
        (stage, state),
        (Stage::Open, UnitState::NotStarted | UnitState::Draft | UnitState::Returned)
            | (Stage::Appraisal, UnitState::Returned)
    )
}

/// Whether a unit in `state` still owes something in `stage`: while the forms are
/// open, every unit that has not submitted; during appraisal, every unit not yet
/// appraised. Nothing is owed in the other stages.
pub fn is_waiting(stage: Stage, state: UnitState) -> bool {
    match stage {
        Stage::Open => matches!(state, UnitState::NotStarted | UnitState::Draft | UnitState::Returned),
        Stage::Appraisal => state != UnitState::Appraised,
        _ => false,
    }
}

/// Whether a unit (taking part: the caller checks that) is overdue: it still owes
/// something in this stage and the stage's deadline has passed (`now` after it).
pub fn is_overdue(deadlines: &Deadlines, stage: Stage, state: UnitState, now: i64) -> bool {
    is_waiting(stage, state) && deadlines.for_stage(stage).is_some_and(|deadline| now > deadline)
}

/// Whether changing an appraised value in this stage is a correction (đính chính):
/// after approval it is, and only an admin makes one.
pub fn is_correction(stage: Stage) -> bool {
    matches!(stage, Stage::Approved | Stage::Published)
}
