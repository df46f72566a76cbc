//! Unit and procedure codes resolved fast: every dossier names both, and the
//! catalogue's maps hash with SipHash. A miss asks the catalogue, for its exact
//! refusal.

use chiso_core::service_index::{Catalogue, ProcedureId, RecordProblem, UnitId};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (as in rustc): a multiply and a rotate per word; the keys are a few
/// thousand codes of the province's own files, not chosen by an attacker.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Fx = BuildHasherDefault<FxHasher>;

/// The catalogue's codes, resolved with FxHash.
#[derive(Debug)]
pub(crate) struct Codes<'c> {
    catalogue: &'c Catalogue,
    units: HashMap<&'c str, UnitId, Fx>,
    procedures: HashMap<(u32, &'c str), ProcedureId, Fx>,
}

impl<'c> Codes<'c> {
    pub(crate) fn new(catalogue: &'c Catalogue) -> Codes<'c> {
        let units = catalogue.unit_ids().map(|id| (catalogue.unit(id).code.as_str(), id)).collect();
        let procedures = catalogue
            .procedures()
            .iter()
            .filter_map(|p| {
                let id = catalogue.procedure_id(p.unit, &p.code).ok()?;
                Some(((p.unit.index() as u32, p.code.as_str()), id))
            })
            .collect();
        Codes { catalogue, units, procedures }
    }

    pub(crate) fn unit(&self, code: &str) -> Result<UnitId, RecordProblem> {
        match self.units.get(code) {
            Some(&id) => Ok(id),
            None => self.catalogue.unit_id(code),
        }
    }

    pub(crate) fn procedure(&self, unit: UnitId, code: &str) -> Result<ProcedureId, RecordProblem> {
        match self.procedures.get(&(unit.index() as u32, code)) {
            Some(&id) => Ok(id),
            None => self.catalogue.procedure_id(unit, code),
        }
    }
}
