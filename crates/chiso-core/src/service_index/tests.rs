//! The rules of the index, one by one, on small hand-made records.

mod rules;
mod scopes;

use super::*;

/// A small world of units and procedures to feed dossiers to.
pub(super) struct World {
    catalogue: Catalogue,
}

pub(super) fn time(text: &str) -> Moment {
    Moment::parse(text).unwrap_or_else(|| panic!("{text} is a time"))
}

pub(super) fn date(text: &str) -> Date {
    Date::parse(text).unwrap_or_else(|| panic!("{text} is a date"))
}

impl World {
    /// Units by (code, level, e_certified_copy).
    pub(super) fn new(units: &[(&str, Level, bool)]) -> Self {
        let mut catalogue = Catalogue::new();
        for &(code, level, copy) in units {
            let unit = ServiceUnit { code: code.into(), name: code.into(), level, e_certified_copy: copy };
            catalogue.add_unit(unit).unwrap_or_else(|e| panic!("{e:?}"));
        }
        World { catalogue }
    }

    /// Adds a procedure with every flag false and no dates; `edit` changes it.
    pub(super) fn procedure(
        &mut self,
        unit: &str,
        code: &str,
        edit: impl FnOnce(&mut Procedure),
    ) -> ProcedureId {
        let unit = self.catalogue.unit_id(unit).unwrap_or_else(|e| panic!("{e:?}"));
        let mut p = Procedure {
            code: code.into(),
            unit,
            online: OnlineLevel::None,
            fee: false,
            paper_result: false,
            citizen: false,
            complete: false,
            effective: None,
            announced: None,
            published: None,
        };
        edit(&mut p);
        self.catalogue.add_procedure(p).unwrap_or_else(|e| panic!("{e:?}"))
    }

    pub(super) fn tally(self, inputs: Inputs) -> Tally {
        Tally::new(self.catalogue, PeriodKind::Month, inputs)
    }

    pub(super) fn unit_id(&self, code: &str) -> UnitId {
        self.catalogue.unit_id(code).unwrap_or_else(|e| panic!("{e:?}"))
    }
}

/// A dossier of `procedure` received at `received`, due seven days after its date
/// (at 00:00), finished the next day (at 00:00), with every optional flag false.
pub(super) fn dossier(procedure: ProcedureId, received: &str) -> Dossier {
    let received = time(received);
    Dossier {
        procedure,
        received,
        due: Moment::start_of(received.date().plus_days(7)),
        finished: Some(Moment::start_of(received.date().plus_days(1))),
        ..Dossier::default()
    }
}

/// Adds dossiers, panicking on a refused one.
pub(super) fn add(tally: &mut Tally, dossiers: impl IntoIterator<Item = Dossier>) {
    for d in dossiers {
        tally.add_dossier(&d).unwrap_or_else(|e| panic!("{e:?}"));
    }
}

/// The only period's score of a unit (or the province, `None`).
pub(super) fn scope(index: &ServiceIndex, period: usize, unit: Option<UnitId>) -> &ScopeScore {
    let p = &index.periods[period];
    match unit {
        None => &p.province,
        Some(id) => p.unit(id).unwrap_or_else(|| panic!("unit {id:?} is not scored")),
    }
}

pub(super) fn indicator(score: &ScopeScore, code: &str) -> IndicatorScore {
    let code = IndicatorCode::parse(code).unwrap_or_else(|| panic!("{code}"));
    *score.indicator(code).unwrap_or_else(|| panic!("{code} missing"))
}

pub(super) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
