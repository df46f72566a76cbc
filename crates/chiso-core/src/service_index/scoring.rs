//! From a [`Tally`] to the index: per period with dossiers, the province on pooled
//! counts (ratios of pooled counts, never a mean of unit scores), each unit with
//! dossiers, 1.2 carried from the province to every unit, ranks per level and the
//! change since the previous period.

use super::calendar::wd;
use super::catalogue::{Catalogue, UnitId};
use super::indicators::{IndicatorCode, Inputs};
use super::period::{PeriodKind, PeriodRange, ServicePeriod};
use super::records::{Level, OnlineLevel};
use super::result::{PeriodScores, Scope, ScopeScore, ServiceIndex};
use super::rules::{Facts, Fraction, ProcedureCounts, indicator_score, totals};
use super::tally::{PeriodTally, Tally, UnitCounts};
use std::collections::{BTreeMap, HashMap};

/// Totals within this much are tied.
pub const TIE: f64 = 1e-9;

/// 1.1 and 1.2 counts of one unit in one period.
#[derive(Debug, Clone, Copy, Default)]
struct Announcements {
    announced: Fraction,
    published: Fraction,
}

pub(crate) fn score(tally: Tally, range: &PeriodRange) -> ServiceIndex {
    let Tally { catalogue, kind, inputs, periods: tallies, .. } = tally;
    let announcements = announcements(&catalogue, kind);
    let as_listed = procedures_as_listed(&catalogue);
    let mut periods: Vec<PeriodScores> = Vec::new();
    let mut previous: Option<(ServicePeriod, HashMap<Scope, f64>)> = None;
    for (&period, tally) in &tallies {
        if !tally.has_dossiers() {
            continue;
        }
        let context = PeriodContext {
            catalogue: &catalogue,
            inputs,
            tally,
            announcements: announcements.get(&period),
            as_listed: &as_listed,
        };
        let mut scores = context.score(period);
        let totals: HashMap<Scope, f64> =
            std::iter::once(&scores.province).chain(scores.units()).map(|s| (s.scope, s.total)).collect();
        if let Some((before, earlier)) = &previous
            && *before == period.previous()
        {
            let all = std::iter::once(&mut scores.province)
                .chain(scores.departments.iter_mut())
                .chain(scores.communes.iter_mut());
            for s in all {
                s.change = earlier.get(&s.scope).map(|t| s.total - t);
            }
        }
        previous = Some((period, totals));
        if range.contains(period) {
            periods.push(scores);
        }
    }
    ServiceIndex { catalogue, kind, inputs, periods }
}

/// Per period of `announced`, per unit: the counts of 1.1 and 1.2.
fn announcements(catalogue: &Catalogue, kind: PeriodKind) -> BTreeMap<ServicePeriod, Vec<Announcements>> {
    let mut by_period: BTreeMap<ServicePeriod, Vec<Announcements>> = BTreeMap::new();
    for procedure in catalogue.procedures() {
        let Some(announced) = procedure.announced else { continue };
        let period = ServicePeriod::containing(kind, announced);
        let units = by_period
            .entry(period)
            .or_insert_with(|| vec![Announcements::default(); catalogue.units().len()]);
        let a = &mut units[procedure.unit.index()];
        a.published.den += 1;
        a.published.num += u64::from(procedure.published.is_some_and(|p| wd(announced, p) <= 5));
        if let Some(effective) = procedure.effective {
            a.announced.den += 1;
            a.announced.num += u64::from(wd(announced, effective) >= 5);
        }
    }
    by_period
}

/// Per unit, the procedure counts that do not depend on the period.
fn procedures_as_listed(catalogue: &Catalogue) -> Vec<ProcedureCounts> {
    let mut units = vec![ProcedureCounts::default(); catalogue.units().len()];
    for p in catalogue.procedures() {
        let c = &mut units[p.unit.index()];
        c.all += 1;
        c.complete += u64::from(p.complete);
        c.offered_online += u64::from(p.online != OnlineLevel::None);
        c.fee += u64::from(p.fee);
        c.citizen += u64::from(p.citizen);
    }
    units
}

/// What scoring one period needs.
struct PeriodContext<'a> {
    catalogue: &'a Catalogue,
    inputs: Inputs,
    tally: &'a PeriodTally,
    announcements: Option<&'a Vec<Announcements>>,
    as_listed: &'a [ProcedureCounts],
}

impl PeriodContext<'_> {
    fn score(&self, period: ServicePeriod) -> PeriodScores {
        let procedures = self.procedure_counts();
        let units: Vec<Facts> = self
            .catalogue
            .unit_ids()
            .map(|id| {
                let unit = self.catalogue.unit(id);
                let announced = self.announcements.map(|a| a[id.index()]).unwrap_or_default();
                Facts {
                    counts: self.tally.units[id.index()],
                    procedures: procedures[id.index()],
                    announced: announced.announced,
                    published: announced.published,
                    certified: (unit.level == Level::Commune)
                        .then(|| Fraction::new(u64::from(unit.e_certified_copy), 1)),
                }
            })
            .collect();
        let province = self.score_scope(Scope::Province, &pooled(&units), None);
        let published = province.indicator(IndicatorCode::PublishedOnTime).copied();
        let mut levels: [Vec<ScopeScore>; 2] = [Vec::new(), Vec::new()];
        for (id, facts) in self.catalogue.unit_ids().zip(&units) {
            if facts.counts.dossiers == 0 {
                continue;
            }
            let level = self.catalogue.unit(id).level as usize;
            levels[level].push(self.score_scope(Scope::Unit(id), facts, published));
        }
        let [mut departments, mut communes] = levels;
        rank(&mut departments);
        rank(&mut communes);
        PeriodScores { period, province, departments, communes }
    }

    /// Per unit, the procedure counts of this period.
    fn procedure_counts(&self) -> Vec<ProcedureCounts> {
        let mut units = self.as_listed.to_vec();
        for (p, facts) in self.catalogue.procedures().iter().zip(&self.tally.procedures) {
            let c = &mut units[p.unit.index()];
            if p.online != OnlineLevel::None {
                c.offered_online_used += u64::from(facts.online_dossier);
            }
            if p.fee {
                c.fee_paid_online += u64::from(facts.paid_online);
                if facts.dossiers > 0 {
                    c.fee_with_dossiers += 1;
                    c.fee_all_synced += u64::from(facts.synced == facts.dossiers);
                }
            }
            if p.citizen {
                c.citizen_population += u64::from(facts.population_data);
            }
        }
        units
    }

    /// Scores a scope; a unit carries the province's 1.2 (`published`).
    fn score_scope(
        &self,
        scope: Scope,
        facts: &Facts,
        published: Option<super::result::IndicatorScore>,
    ) -> ScopeScore {
        let indicators: Vec<_> = IndicatorCode::ALL
            .into_iter()
            .map(|code| match (code, published) {
                (IndicatorCode::PublishedOnTime, Some(province)) => province,
                _ => indicator_score(code, facts, self.inputs),
            })
            .collect();
        let missing_inputs = IndicatorCode::ALL.into_iter().filter(|&c| !self.inputs.cover(c)).collect();
        let (groups, total, max) = totals(&indicators);
        ScopeScore { scope, total, max, rank: None, change: None, groups, missing_inputs }
    }
}

/// The province's facts: every unit's counts added up, 1.2 from every procedure,
/// 5.3 over every commune.
fn pooled(units: &[Facts]) -> Facts {
    let mut province = Facts { certified: Some(Fraction::default()), ..Facts::default() };
    let mut counts = UnitCounts::default();
    for facts in units {
        counts.add(&facts.counts);
        province.procedures.add(&facts.procedures);
        province.announced.add(facts.announced);
        province.published.add(facts.published);
        if let (Some(all), Some(commune)) = (province.certified.as_mut(), facts.certified) {
            all.add(commune);
        }
    }
    province.counts = counts;
    province
}

/// Competition ranks (1, 2, 2, 4) by total, totals within [`TIE`] tied; the list
/// ends in rank order, ties in file order.
pub(crate) fn rank(scores: &mut [ScopeScore]) {
    let totals: Vec<f64> = scores.iter().map(|s| s.total).collect();
    for s in scores.iter_mut() {
        s.rank = Some(1 + totals.iter().filter(|&&t| t > s.total + TIE).count());
    }
    scores.sort_by_key(|s| (s.rank, s.unit().map(UnitId::index)));
}
