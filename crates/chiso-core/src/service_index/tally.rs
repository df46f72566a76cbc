//! Counting records as they stream in: per unit and period a few counts, per
//! procedure and period a few facts (3.2, 4.B, 4.C and 5.7 ask whether a procedure
//! had a certain dossier in the period). Memory grows with (units + procedures) ×
//! periods, never with the number of dossiers or petitions.

use super::calendar::{DAY_SECONDS, Moment};
use super::catalogue::{Catalogue, ProcedureId, RecordProblem};
use super::indicators::Inputs;
use super::period::{PeriodKind, PeriodRange, ServicePeriod};
use super::records::{Dossier, OnlineLevel, Petition};
use super::result::ServiceIndex;
use std::collections::BTreeMap;

/// The counts of one unit in one period, or of several pooled (the province): sums,
/// so pooling is adding.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct UnitCounts {
    pub dossiers: u64,
    pub synced: u64,
    /// On time by the rule of 2.1.
    pub on_time: u64,
    pub finished: u64,
    /// Σ (finished − received) over finished dossiers, in seconds.
    pub handling_seconds: i64,
    /// Σ supplement_days over finished dossiers, summed exactly (so that the sum does
    /// not depend on the order the dossiers were counted in, or on how many threads
    /// counted them).
    pub finished_supplement_days: ExactSum,
    /// Dossiers of procedures with `online = full`, and those of them submitted online.
    pub full_procedure: u64,
    pub full_procedure_online: u64,
    pub online: u64,
    pub fee_due: u64,
    pub fee_due_paid_online: u64,
    /// Dossiers of procedures with `paper_result`, and those of them with `e_result`.
    pub paper_result: u64,
    pub paper_result_electronic: u64,
    /// `attached` and (`e_result` where the procedure has `paper_result`).
    pub digitised: u64,
    pub reused: u64,
    pub data_store: u64,
    pub population_data: u64,
    /// `disliked` dossiers that are on time (a late one already counts as late).
    pub disliked_on_time: u64,
    pub petitions: u64,
    pub petitions_on_time: u64,
    /// On time, not rated "not satisfied", not reopened.
    pub petitions_satisfied: u64,
}

impl UnitCounts {
    pub(crate) fn add(&mut self, o: &UnitCounts) {
        self.dossiers += o.dossiers;
        self.synced += o.synced;
        self.on_time += o.on_time;
        self.finished += o.finished;
        self.handling_seconds += o.handling_seconds;
        self.finished_supplement_days.add(o.finished_supplement_days);
        self.full_procedure += o.full_procedure;
        self.full_procedure_online += o.full_procedure_online;
        self.online += o.online;
        self.fee_due += o.fee_due;
        self.fee_due_paid_online += o.fee_due_paid_online;
        self.paper_result += o.paper_result;
        self.paper_result_electronic += o.paper_result_electronic;
        self.digitised += o.digitised;
        self.reused += o.reused;
        self.data_store += o.data_store;
        self.population_data += o.population_data;
        self.disliked_on_time += o.disliked_on_time;
        self.petitions += o.petitions;
        self.petitions_on_time += o.petitions_on_time;
        self.petitions_satisfied += o.petitions_satisfied;
    }
}

/// A sum of non-negative numbers kept exactly, in fixed point (units of 2⁻⁶⁴): any
/// double from 2⁻¹¹ up to 2⁶³ is a whole number of units, so adding them is exact
/// and does not depend on the order; the sum is rounded once, when read. (A smaller
/// value, below a thousandth of a day, is rounded down to a unit: 5 × 10⁻²⁰.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactSum(i128);

impl ExactSum {
    const ONE: f64 = 18_446_744_073_709_551_616.0; // 2⁶⁴

    /// Adds a value (negative and non-finite ones are clamped: they are refused before).
    pub fn push(&mut self, value: f64) {
        // A power of two scales exactly; `as` saturates.
        self.0 = self.0.saturating_add((value.max(0.0) * Self::ONE) as i128);
    }

    pub fn add(&mut self, other: ExactSum) {
        self.0 = self.0.saturating_add(other.0);
    }

    /// The sum, rounded once.
    pub fn value(self) -> f64 {
        self.0 as f64 / Self::ONE
    }
}

/// What one procedure's dossiers of one period showed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ProcedureFacts {
    pub dossiers: u32,
    pub synced: u32,
    pub online_dossier: bool,
    pub paid_online: bool,
    pub population_data: bool,
}

impl ProcedureFacts {
    fn add(&mut self, o: &ProcedureFacts) {
        self.dossiers += o.dossiers;
        self.synced += o.synced;
        self.online_dossier |= o.online_dossier;
        self.paid_online |= o.paid_online;
        self.population_data |= o.population_data;
    }
}

/// The counts of one period.
#[derive(Debug, Clone)]
pub(crate) struct PeriodTally {
    /// Per unit (catalogue order).
    pub units: Vec<UnitCounts>,
    /// Per procedure (catalogue order).
    pub procedures: Vec<ProcedureFacts>,
}

impl PeriodTally {
    /// Whether any dossier was received in the period (else it is not scored).
    pub(crate) fn has_dossiers(&self) -> bool {
        self.units.iter().any(|u| u.dossiers > 0)
    }
}

/// Records counted so far, ready to be scored. Feed it dossiers and petitions one at
/// a time, in any order; [`Tally::score`] then computes the index.
#[derive(Debug, Clone)]
pub struct Tally {
    pub(crate) catalogue: Catalogue,
    pub(crate) kind: PeriodKind,
    pub(crate) inputs: Inputs,
    pub(crate) periods: BTreeMap<ServicePeriod, PeriodTally>,
    /// The period of the last record and its days [first, end): records come in
    /// runs of the same period, so most skip the calendar arithmetic.
    last: Option<(ServicePeriod, i64, i64, Moment)>,
}

impl Tally {
    /// An empty tally over these units and procedures, for periods of `kind`, with
    /// the optional inputs `inputs` (the indicators needing another are
    /// `missing_input`).
    pub fn new(catalogue: Catalogue, kind: PeriodKind, inputs: Inputs) -> Self {
        Tally { catalogue, kind, inputs, periods: BTreeMap::new(), last: None }
    }

    /// An empty tally over the same units, procedures, periods and inputs: for
    /// another thread to count some of the records, then [`Tally::merge`] them back.
    pub fn split(&self) -> Tally {
        Tally::new(self.catalogue.clone(), self.kind, self.inputs)
    }

    /// Adds the counts of `other`, a tally of [`Tally::split`]: the result is the
    /// same as if this tally had counted `other`'s records too, in any order.
    pub fn merge(&mut self, other: Tally) {
        for (period, theirs) in other.periods {
            let ours = self.period(period);
            for (a, b) in ours.units.iter_mut().zip(&theirs.units) {
                a.add(b);
            }
            for (a, b) in ours.procedures.iter_mut().zip(&theirs.procedures) {
                a.add(b);
            }
        }
    }

    /// The period containing `date`, and its end.
    fn period_of(&mut self, date: super::calendar::Date) -> (ServicePeriod, Moment) {
        let day = date.days();
        if let Some((period, first, end, moment)) = self.last
            && (first..end).contains(&day)
        {
            return (period, moment);
        }
        let period = ServicePeriod::containing(self.kind, date);
        let end = period.end();
        self.last = Some((period, period.first_day().days(), period.next().first_day().days(), end));
        (period, end)
    }

    /// The units and procedures, to resolve the codes of records.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn inputs(&self) -> Inputs {
        self.inputs
    }

    /// Counts a dossier. A refused dossier changes nothing.
    pub fn add_dossier(&mut self, dossier: &Dossier) -> Result<(), RecordProblem> {
        let supplement = dossier.supplement_days;
        if supplement.is_nan() || supplement < 0.0 {
            return Err(RecordProblem::NegativeSupplementDays { value: supplement });
        }
        if dossier.finished.is_some_and(|f| f < dossier.received) {
            return Err(RecordProblem::FinishedBeforeReceived);
        }
        let Some(procedure) = self.catalogue.procedures().get(dossier.procedure.index()) else {
            return Err(unknown_procedure(dossier.procedure));
        };
        let (unit, online_level, paper_result) =
            (procedure.unit.index(), procedure.online, procedure.paper_result);
        let (period, end) = self.period_of(dossier.received.date());
        let on_time = is_on_time(dossier.finished.unwrap_or(end), supplement, dossier.due);
        let tally = self.period(period);
        let c = &mut tally.units[unit];
        let d = dossier;
        c.dossiers += 1;
        c.synced += u64::from(d.synced);
        c.on_time += u64::from(on_time);
        if let Some(finished) = d.finished {
            c.finished += 1;
            c.handling_seconds += finished.seconds() - d.received.seconds();
            c.finished_supplement_days.push(supplement);
        }
        if online_level == OnlineLevel::Full {
            c.full_procedure += 1;
            c.full_procedure_online += u64::from(d.online);
        }
        c.online += u64::from(d.online);
        c.fee_due += u64::from(d.fee_due);
        c.fee_due_paid_online += u64::from(d.fee_due && d.paid_online);
        if paper_result {
            c.paper_result += 1;
            c.paper_result_electronic += u64::from(d.e_result);
        }
        c.digitised += u64::from(d.attached && (d.e_result || !paper_result));
        c.reused += u64::from(d.reused);
        c.data_store += u64::from(d.data_store);
        c.population_data += u64::from(d.population_data);
        c.disliked_on_time += u64::from(d.disliked && on_time);
        let facts = &mut tally.procedures[d.procedure.index()];
        facts.dossiers += 1;
        facts.synced += u32::from(d.synced);
        facts.online_dossier |= d.online;
        facts.paid_online |= d.paid_online;
        facts.population_data |= d.population_data;
        Ok(())
    }

    /// Counts a petition. A refused petition changes nothing.
    pub fn add_petition(&mut self, petition: &Petition) -> Result<(), RecordProblem> {
        if petition.handled.is_some_and(|h| h < petition.received) {
            return Err(RecordProblem::HandledBeforeReceived);
        }
        let unit = petition.unit.index();
        if unit >= self.catalogue.units().len() {
            return Err(RecordProblem::UnknownUnit { code: format!("#{unit}") });
        }
        let (period, end) = self.period_of(petition.received.date());
        let on_time = petition.handled.unwrap_or(end) <= petition.due;
        let satisfied = on_time && petition.satisfied != Some(false) && !petition.reopened;
        let c = &mut self.period(period).units[unit];
        c.petitions += 1;
        c.petitions_on_time += u64::from(on_time);
        c.petitions_satisfied += u64::from(satisfied);
        Ok(())
    }

    fn period(&mut self, period: ServicePeriod) -> &mut PeriodTally {
        let (units, procedures) = (self.catalogue.units().len(), self.catalogue.procedures().len());
        self.periods.entry(period).or_insert_with(|| PeriodTally {
            units: vec![UnitCounts::default(); units],
            procedures: vec![ProcedureFacts::default(); procedures],
        })
    }

    /// The index of every period with dossiers that overlaps `range` (earlier
    /// periods are scored too, for the change of the first one shown).
    pub fn score(self, range: &PeriodRange) -> ServiceIndex {
        super::scoring::score(self, range)
    }
}

/// 2.1's rule: `end − supplement_days` is no later than `due`.
fn is_on_time(end: Moment, supplement_days: f64, due: Moment) -> bool {
    if supplement_days == 0.0 {
        return end <= due;
    }
    // Seconds since 1970 and whole or half days are exact in a double.
    end.seconds() as f64 - supplement_days * DAY_SECONDS as f64 <= due.seconds() as f64
}

fn unknown_procedure(id: ProcedureId) -> RecordProblem {
    RecordProblem::UnknownProcedure { code: format!("#{}", id.index()), unit: String::new() }
}
