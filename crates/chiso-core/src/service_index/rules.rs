//! The rules: what each indicator's numerator and denominator are, how a rate
//! becomes points, what a zero denominator or an absent input earns, and how groups
//! and the total add up.

use super::indicators::{GROUPS, IndicatorCode, Inputs, Rule};
use super::result::{GroupScore, IndicatorScore, Status};
use super::tally::UnitCounts;

/// A count out of a count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Fraction {
    pub num: u64,
    pub den: u64,
}

impl Fraction {
    pub(crate) fn new(num: u64, den: u64) -> Self {
        Fraction { num, den }
    }

    pub(crate) fn add(&mut self, o: Fraction) {
        self.num += o.num;
        self.den += o.den;
    }
}

/// Counts over a scope's procedures: some as listed, some depending on the dossiers
/// of the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ProcedureCounts {
    pub all: u64,
    pub complete: u64,
    /// `online` ≠ `none`, and those with an online dossier in the period.
    pub offered_online: u64,
    pub offered_online_used: u64,
    /// With a fee; with a fee and a `paid_online` dossier.
    pub fee: u64,
    pub fee_paid_online: u64,
    /// With a fee and a dossier in the period; and whose dossiers were all synced.
    pub fee_with_dossiers: u64,
    pub fee_all_synced: u64,
    /// For citizens; for citizens with a `population_data` dossier.
    pub citizen: u64,
    pub citizen_population: u64,
}

impl ProcedureCounts {
    pub(crate) fn add(&mut self, o: &ProcedureCounts) {
        self.all += o.all;
        self.complete += o.complete;
        self.offered_online += o.offered_online;
        self.offered_online_used += o.offered_online_used;
        self.fee += o.fee;
        self.fee_paid_online += o.fee_paid_online;
        self.fee_with_dossiers += o.fee_with_dossiers;
        self.fee_all_synced += o.fee_all_synced;
        self.citizen += o.citizen;
        self.citizen_population += o.citizen_population;
    }
}

/// Everything a scope's indicators are computed from, for one period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Facts {
    pub counts: UnitCounts,
    pub procedures: ProcedureCounts,
    /// 1.1: announced in the period with both dates, and of them on time.
    pub announced: Fraction,
    /// 1.2, of the province: announced in the period, and of them public on time.
    pub published: Fraction,
    /// 5.3: communes offering electronic certified copies / communes; None for a
    /// department (not applicable).
    pub certified: Option<Fraction>,
}

/// What an indicator measures.
enum Measure {
    Fraction(Fraction),
    /// 2.2: days summed over finished dossiers, and their number.
    Mean {
        days: f64,
        count: u64,
    },
    NotApplicable,
}

fn measure(code: IndicatorCode, f: &Facts) -> Measure {
    use IndicatorCode as C;
    let (c, p) = (&f.counts, &f.procedures);
    let of = |num: u64, den: u64| Measure::Fraction(Fraction::new(num, den));
    match code {
        C::AnnouncedOnTime => Measure::Fraction(f.announced),
        C::PublishedOnTime => Measure::Fraction(f.published),
        C::CompleteRecord => of(p.complete, p.all),
        C::SyncedDossiers => of(c.synced, c.dossiers),
        C::OnTimeDossiers => of(c.on_time, c.dossiers),
        C::HandlingTime => Measure::Mean {
            days: c.handling_seconds as f64 / super::calendar::DAY_SECONDS as f64
                - c.finished_supplement_days.value(),
            count: c.finished,
        },
        C::FullyOnlineDossiers => of(c.full_procedure_online, c.full_procedure),
        C::OfferedOnline => of(p.offered_online, p.all),
        C::OnlineProceduresUsed => of(p.offered_online_used, p.offered_online),
        C::SubmittedOnline => of(c.online, c.dossiers),
        C::PaidOnline => of(c.fee_due_paid_online, c.fee_due),
        C::FeeProceduresPaidOnline => of(p.fee_paid_online, p.fee),
        C::FeeDataSynced => of(p.fee_all_synced, p.fee_with_dossiers),
        C::ElectronicResults => of(c.paper_result_electronic, c.paper_result),
        C::DigitisedDossiers => of(c.digitised, c.dossiers),
        C::CertifiedCopies => f.certified.map_or(Measure::NotApplicable, Measure::Fraction),
        C::DataReuse => of(c.reused, c.dossiers),
        C::DataStore => of(c.data_store, c.dossiers),
        C::PopulationDataDossiers => of(c.population_data, c.dossiers),
        C::PopulationDataProcedures => of(p.citizen_population, p.citizen),
        C::PetitionsOnTime => of(c.petitions_on_time, c.petitions),
        C::PetitionSatisfaction => of(c.petitions_satisfied, c.petitions),
        // (dossiers − late − disliked and not late) / dossiers
        C::DossierSatisfaction => of(c.on_time.saturating_sub(c.disliked_on_time), c.dossiers),
    }
}

/// Points for a rate under a rule.
pub(crate) fn points(rule: Rule, max: f64, rate: f64) -> f64 {
    match rule {
        Rule::Linear => max * rate,
        Rule::Target(target) => max * (rate / target).min(1.0),
        Rule::Reported { .. } | Rule::Mean => 0.0,
    }
}

/// Scores one indicator of a scope.
pub(crate) fn indicator_score(code: IndicatorCode, facts: &Facts, inputs: Inputs) -> IndicatorScore {
    let max = code.max();
    let empty = IndicatorScore {
        code,
        numerator: None,
        denominator: None,
        rate: None,
        value: None,
        points: 0.0,
        max,
        status: Status::Ok,
    };
    let measured = measure(code, facts);
    if let Measure::NotApplicable = measured {
        return IndicatorScore { max: 0.0, status: Status::NotApplicable, ..empty };
    }
    if !inputs.cover(code) {
        return IndicatorScore { status: Status::MissingInput, ..empty };
    }
    match measured {
        Measure::Fraction(Fraction { den: 0, .. }) | Measure::Mean { count: 0, .. } => {
            // The portal's rule for petitions, applied to every indicator: nothing to
            // judge earns full points; but a unit without dossiers is not satisfying
            // anyone (6.3), and reported indicators earn nothing.
            let full = code.is_scored() && code != IndicatorCode::DossierSatisfaction;
            IndicatorScore {
                numerator: Some(0.0),
                denominator: Some(0.0),
                points: if full { max } else { 0.0 },
                status: Status::NoData,
                ..empty
            }
        }
        Measure::Fraction(Fraction { num, den }) => {
            let rate = num as f64 / den as f64;
            IndicatorScore {
                numerator: Some(num as f64),
                denominator: Some(den as f64),
                rate: Some(rate),
                points: points(code.rule(), max, rate),
                ..empty
            }
        }
        Measure::Mean { days, count } => IndicatorScore {
            numerator: Some(days),
            denominator: Some(count as f64),
            value: Some(days / count as f64),
            ..empty
        },
        Measure::NotApplicable => empty,
    }
}

/// The groups of a scope from its indicators (in order), the total out of 100 and
/// the maximum. When an indicator is not applicable, the total is scaled to 100.
pub(crate) fn totals(indicators: &[IndicatorScore]) -> (Vec<GroupScore>, f64, f64) {
    let groups: Vec<GroupScore> = GROUPS
        .iter()
        .map(|group| {
            let of_group: Vec<IndicatorScore> =
                indicators.iter().filter(|i| i.code.group() == group.code).copied().collect();
            GroupScore {
                group: group.code,
                points: of_group.iter().map(|i| i.points).sum(),
                max: of_group.iter().map(|i| i.max).sum(),
                indicators: of_group,
            }
        })
        .collect();
    let points: f64 = groups.iter().map(|g| g.points).sum();
    let max: f64 = groups.iter().map(|g| g.max).sum();
    let total = if max < 100.0 && max > 0.0 { points * 100.0 / max } else { points };
    (groups, total, 100.0)
}
