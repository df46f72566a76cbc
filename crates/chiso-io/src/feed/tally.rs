//! Counts per (unit, period), kept small: unit codes are interned to small numbers
//! (per worker), and each (unit number, period) has one [`Counts`]. Memory grows
//! with units × periods, never with rows. Tallies of several workers are merged by
//! unit code into a [`Table`], which is sorted and written as observations.

use super::Granularity;
use super::format::{Counts, Format, Value};
use super::text::{Stamp, key_period, period_key};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Write};

/// A fast hash for short keys (unit codes, packed numbers): a folded multiply per
/// 8 bytes. Not resistant to chosen collisions, which a feed file cannot exploit
/// for more than a slowdown.
#[derive(Default, Clone, Copy)]
pub(crate) struct FoldHasher(u64);

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

impl FoldHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        let product = u128::from(self.0 ^ word) * u128::from(SEED);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for FoldHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FoldHasher>>;

/// One worker's counts.
pub(crate) struct Tally<C> {
    granularity: Granularity,
    ids: FastMap<Box<[u8]>, u32>,
    names: Vec<String>,
    /// Key: unit number in the high half, period key in the low half.
    slots: FastMap<u64, C>,
    last: Option<u32>,
}

impl<C: Counts> Tally<C> {
    pub(crate) fn new(granularity: Granularity) -> Self {
        Tally { granularity, ids: FastMap::default(), names: Vec::new(), slots: FastMap::default(), last: None }
    }

    /// Adds a row's counts; `Err` when the unit code is not UTF-8.
    #[inline]
    pub(crate) fn add(&mut self, unit: &[u8], stamp: Stamp, counts: &C) -> Result<(), ()> {
        let id = match self.last {
            Some(id) if self.names[id as usize].as_bytes() == unit => id,
            _ => self.intern(unit)?,
        };
        self.last = Some(id);
        let key = (u64::from(id) << 32) | u64::from(period_key(stamp, self.granularity));
        self.slots.entry(key).or_default().add(counts);
        Ok(())
    }

    fn intern(&mut self, unit: &[u8]) -> Result<u32, ()> {
        if let Some(&id) = self.ids.get(unit) {
            return Ok(id);
        }
        let name = std::str::from_utf8(unit).map_err(|_| ())?;
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(unit.into(), id);
        Ok(id)
    }
}

/// The merged counts of all workers: per unit code (sorted), per period key.
pub(crate) struct Table<C> {
    granularity: Granularity,
    units: BTreeMap<String, BTreeMap<u32, C>>,
}

impl<C: Counts> Table<C> {
    pub(crate) fn merge(granularity: Granularity, tallies: Vec<Tally<C>>) -> Self {
        let mut units: BTreeMap<String, BTreeMap<u32, C>> = BTreeMap::new();
        for tally in tallies {
            for (key, counts) in tally.slots {
                let name = &tally.names[(key >> 32) as usize];
                let periods = match units.get_mut(name) {
                    Some(periods) => periods,
                    None => units.entry(name.clone()).or_default(),
                };
                periods.entry(key as u32).or_default().add(&counts);
            }
        }
        Table { granularity, units }
    }

    /// The province's counts: the sum over units, per period.
    fn province(&self) -> BTreeMap<u32, C> {
        let mut total: BTreeMap<u32, C> = BTreeMap::new();
        for periods in self.units.values() {
            for (key, counts) in periods {
                total.entry(*key).or_default().add(counts);
            }
        }
        total
    }

    /// Writes `kpi,scope,period,value,note` (header included), rows ordered by KPI
    /// (the format's order), scope (`province`, then unit codes), period; the note
    /// is left empty. Returns the number of observations written.
    pub(crate) fn write<F: Format<Counts = C>>(&self, out: &mut dyn Write) -> io::Result<usize> {
        let province = self.province();
        let scopes = std::iter::once(("province", &province)).chain(self.units.iter().map(|(u, p)| (u.as_str(), p)));
        let scopes: Vec<_> = scopes.collect();
        let mut out = io::BufWriter::with_capacity(64 * 1024, out);
        out.write_all(b"kpi,scope,period,value,note\n")?;
        let mut written = 0;
        for kpi in F::KPIS {
            for (scope, periods) in &scopes {
                for (key, counts) in periods.iter() {
                    let Some(value) = (kpi.value)(counts) else { continue };
                    let period = key_period(*key, self.granularity);
                    out.write_all(kpi.code.as_bytes())?;
                    out.write_all(b",")?;
                    write_csv_field(&mut out, scope)?;
                    match value {
                        Value::Count(n) => writeln!(out, ",{period},{n},")?,
                        Value::Rate(r) => writeln!(out, ",{period},{r},")?,
                    }
                    written += 1;
                }
            }
        }
        out.flush()?;
        Ok(written)
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn write_csv_field(out: &mut impl Write, text: &str) -> io::Result<()> {
    if text.contains([',', '"', '\n', '\r']) {
        write!(out, "\"{}\"", text.replace('"', "\"\""))
    } else {
        out.write_all(text.as_bytes())
    }
}
