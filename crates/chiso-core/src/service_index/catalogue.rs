//! The units and procedures of a run, validated as they are added, and the lookups
//! a reader needs to resolve a dossier's unit and procedure codes.

use super::records::{Level, Procedure, ServiceUnit};
use crate::Lang;
use std::collections::HashMap;

/// A unit's place in the [`Catalogue`] (the order of units.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UnitId(pub(crate) u32);

impl UnitId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A procedure's place in the [`Catalogue`] (the order of procedures.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ProcedureId(pub(crate) u32);

impl ProcedureId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Why a record is refused by the rules of the index (as opposed to a field that
/// does not parse, which the reader finds). Each names its field.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordProblem {
    /// A unit code appears twice in units.csv.
    DuplicateUnit { code: String, first: UnitId },
    /// A department says it offers electronic certification of copies: only
    /// communes do.
    CertifiedCopyOnDepartment { code: String },
    /// A unit code that is not in units.csv.
    UnknownUnit { code: String },
    /// (code, unit) appears twice in procedures.csv.
    DuplicateProcedure { code: String, unit: String, first: ProcedureId },
    /// A dossier's procedure is not in procedures.csv for its unit.
    UnknownProcedure { code: String, unit: String },
    /// `supplement_days` is negative.
    NegativeSupplementDays { value: f64 },
    /// A dossier finished before it was received.
    FinishedBeforeReceived,
    /// A petition was handled before it was received.
    HandledBeforeReceived,
}

impl RecordProblem {
    /// The column concerned.
    pub fn field(&self) -> &'static str {
        match self {
            RecordProblem::DuplicateUnit { .. } => "code",
            RecordProblem::CertifiedCopyOnDepartment { .. } => "e_certified_copy",
            RecordProblem::UnknownUnit { .. } => "unit",
            RecordProblem::DuplicateProcedure { .. } => "code",
            RecordProblem::UnknownProcedure { .. } => "procedure",
            RecordProblem::NegativeSupplementDays { .. } => "supplement_days",
            RecordProblem::FinishedBeforeReceived => "finished",
            RecordProblem::HandledBeforeReceived => "handled",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use RecordProblem::*;
        match (self, lang) {
            (DuplicateUnit { code, .. }, Lang::Vi) => format!("mã đơn vị \"{code}\" xuất hiện hai lần"),
            (DuplicateUnit { code, .. }, Lang::En) => format!("unit code \"{code}\" appears twice"),
            (CertifiedCopyOnDepartment { code }, Lang::Vi) => format!(
                "\"{code}\" là sở, ngành: chỉ xã, phường mới có chứng thực bản sao điện tử (để trống hoặc ghi không)"
            ),
            (CertifiedCopyOnDepartment { code }, Lang::En) => format!(
                "\"{code}\" is a department: only communes offer electronic certification of copies (leave it empty or write no)"
            ),
            (UnknownUnit { code }, Lang::Vi) => format!("đơn vị \"{code}\" không có trong units.csv"),
            (UnknownUnit { code }, Lang::En) => format!("unit \"{code}\" is not in units.csv"),
            (DuplicateProcedure { code, unit, .. }, Lang::Vi) => {
                format!("thủ tục \"{code}\" của đơn vị \"{unit}\" xuất hiện hai lần")
            }
            (DuplicateProcedure { code, unit, .. }, Lang::En) => {
                format!("procedure \"{code}\" of unit \"{unit}\" appears twice")
            }
            (UnknownProcedure { code, unit }, Lang::Vi) => {
                format!("thủ tục \"{code}\" không có trong procedures.csv cho đơn vị \"{unit}\"")
            }
            (UnknownProcedure { code, unit }, Lang::En) => {
                format!("procedure \"{code}\" is not in procedures.csv for unit \"{unit}\"")
            }
            (NegativeSupplementDays { value }, _) => format!(
                "{} {}",
                lang.pick("số ngày bổ sung hồ sơ không được âm:", "supplement days cannot be negative:"),
                lang.plain(*value)
            ),
            (FinishedBeforeReceived, _) => lang
                .pick("thời điểm hoàn thành ở trước thời điểm tiếp nhận", "finished before it was received")
                .to_string(),
            (HandledBeforeReceived, _) => lang
                .pick("thời điểm xử lý xong ở trước thời điểm tiếp nhận", "handled before it was received")
                .to_string(),
        }
    }
}

/// The units and procedures of a run.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    units: Vec<ServiceUnit>,
    unit_ids: HashMap<String, UnitId>,
    procedures: Vec<Procedure>,
    /// Per unit, its procedures by code.
    procedure_ids: Vec<HashMap<String, ProcedureId>>,
}

impl Catalogue {
    pub fn new() -> Self {
        Catalogue::default()
    }

    /// Adds a unit; a code already added, or a department with `e_certified_copy`,
    /// is refused.
    pub fn add_unit(&mut self, unit: ServiceUnit) -> Result<UnitId, RecordProblem> {
        if let Some(&first) = self.unit_ids.get(&unit.code) {
            return Err(RecordProblem::DuplicateUnit { code: unit.code, first });
        }
        if unit.level == Level::Department && unit.e_certified_copy {
            return Err(RecordProblem::CertifiedCopyOnDepartment { code: unit.code });
        }
        let id = UnitId(self.units.len() as u32);
        self.unit_ids.insert(unit.code.clone(), id);
        self.units.push(unit);
        self.procedure_ids.push(HashMap::new());
        Ok(id)
    }

    /// The unit of a code.
    pub fn unit_id(&self, code: &str) -> Result<UnitId, RecordProblem> {
        self.unit_ids.get(code).copied().ok_or_else(|| RecordProblem::UnknownUnit { code: code.to_string() })
    }

    /// Adds a procedure (its unit already resolved with [`Catalogue::unit_id`]); a
    /// (code, unit) already added is refused.
    pub fn add_procedure(&mut self, procedure: Procedure) -> Result<ProcedureId, RecordProblem> {
        let id = ProcedureId(self.procedures.len() as u32);
        let Some(of_unit) = self.procedure_ids.get_mut(procedure.unit.index()) else {
            return Err(RecordProblem::UnknownUnit { code: format!("#{}", procedure.unit.index()) });
        };
        if let Some(&first) = of_unit.get(&procedure.code) {
            let unit = self.units[procedure.unit.index()].code.clone();
            return Err(RecordProblem::DuplicateProcedure { code: procedure.code, unit, first });
        }
        of_unit.insert(procedure.code.clone(), id);
        self.procedures.push(procedure);
        Ok(id)
    }

    /// The procedure `code` of `unit`.
    pub fn procedure_id(&self, unit: UnitId, code: &str) -> Result<ProcedureId, RecordProblem> {
        self.procedure_ids.get(unit.index()).and_then(|p| p.get(code)).copied().ok_or_else(|| {
            RecordProblem::UnknownProcedure {
                code: code.to_string(),
                unit: self.units.get(unit.index()).map(|u| u.code.clone()).unwrap_or_default(),
            }
        })
    }

    pub fn units(&self) -> &[ServiceUnit] {
        &self.units
    }

    pub fn unit(&self, id: UnitId) -> &ServiceUnit {
        &self.units[id.index()]
    }

    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures
    }

    pub fn procedure(&self, id: ProcedureId) -> &Procedure {
        &self.procedures[id.index()]
    }

    /// Every unit with its id, in file order.
    pub fn unit_ids(&self) -> impl Iterator<Item = UnitId> + use<> {
        (0..self.units.len() as u32).map(UnitId)
    }
}
