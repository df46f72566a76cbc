//! Counts per (unit, period), kept small: unit codes are interned to small numbers
//! (per worker), and each (unit number, period) has one [`Counts`]. Memory grows
//! with units × periods, never with rows. Tallies of several workers are merged by
//! unit code into a [`Table`], which is sorted and written as observations.

use super::Granularity;
use super::format::{Counts, Format, Value};
use super::text::{Stamp, period_key, period_text};
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
    /// Unit codes of up to 7 bytes, packed with their length into a word: one
    /// multiply to hash, one compare to find (the common case).
    short_ids: FastMap<u64, u32>,
    ids: FastMap<Box<[u8]>, u32>,
    names: Vec<String>,
    /// Per unit number, its counts per period.
    units: Vec<Periods<C>>,
    /// Periods too far from a unit's others for [`Periods`] (a stray year 1900):
    /// key: unit number in the high half, period key in the low half.
    far: FastMap<u64, C>,
    last: Option<u32>,
}

/// The longest run of periods one unit keeps in a plain array (50 years of months).
const MAX_SPAN: u32 = 600;

/// A unit's counts over a run of consecutive period keys from `base`; a period
/// without rows has empty counts.
struct Periods<C> {
    base: u32,
    counts: Vec<C>,
}

impl<C: Counts> Periods<C> {
    /// Widens the run to hold `key`, with some room on that side; false when it
    /// would pass [`MAX_SPAN`].
    fn widen(&mut self, key: u32) -> bool {
        const ROOM: u32 = 12;
        if self.counts.is_empty() {
            self.base = key.saturating_sub(ROOM / 2);
            self.counts = vec![C::default(); ROOM as usize + 1];
            return true;
        }
        let end = self.base + self.counts.len() as u32;
        let (low, high) = if key < self.base {
            (key.saturating_sub(ROOM).max(end.saturating_sub(MAX_SPAN)), end)
        } else {
            (self.base, (key + 1 + ROOM).min(self.base + MAX_SPAN))
        };
        if key < low || key >= high {
            return false;
        }
        let mut counts = vec![C::default(); (high - low) as usize];
        let offset = (self.base - low) as usize;
        counts[offset..offset + self.counts.len()].copy_from_slice(&self.counts);
        self.base = low;
        self.counts = counts;
        true
    }

    fn iter(&self) -> impl Iterator<Item = (u32, &C)> {
        (self.base..).zip(&self.counts).filter(|(_, c)| !c.is_empty())
    }
}

impl<C: Counts> Tally<C> {
    pub(crate) fn new(granularity: Granularity) -> Self {
        Tally {
            granularity,
            short_ids: FastMap::default(),
            ids: FastMap::default(),
            names: Vec::new(),
            units: Vec::new(),
            far: FastMap::default(),
            last: None,
        }
    }

    /// Adds a row's counts; `Err` when the unit code is not UTF-8.
    #[inline]
    pub(crate) fn add(&mut self, unit: &[u8], stamp: Stamp, counts: &C) -> Result<(), ()> {
        let id = match self.last {
            Some(id) if self.names[id as usize].as_bytes() == unit => id,
            _ => self.intern(unit)?,
        };
        self.last = Some(id);
        let key = period_key(stamp, self.granularity);
        let periods = &mut self.units[id as usize];
        match periods.counts.get_mut(key.wrapping_sub(periods.base) as usize) {
            Some(slot) => slot.add(counts),
            None => self.add_outside(id, key, counts),
        }
        Ok(())
    }

    #[cold]
    fn add_outside(&mut self, id: u32, key: u32, counts: &C) {
        let periods = &mut self.units[id as usize];
        if periods.widen(key) {
            periods.counts[(key - periods.base) as usize].add(counts);
        } else {
            self.far.entry((u64::from(id) << 32) | u64::from(key)).or_default().add(counts);
        }
    }

    #[inline]
    fn intern(&mut self, unit: &[u8]) -> Result<u32, ()> {
        if unit.len() < 8 {
            let mut word = [0u8; 8];
            word[..unit.len()].copy_from_slice(unit);
            word[7] = unit.len() as u8;
            let word = u64::from_le_bytes(word);
            if let Some(&id) = self.short_ids.get(&word) {
                return Ok(id);
            }
            let id = self.new_unit(unit)?;
            self.short_ids.insert(word, id);
            return Ok(id);
        }
        if let Some(&id) = self.ids.get(unit) {
            return Ok(id);
        }
        let id = self.new_unit(unit)?;
        self.ids.insert(unit.into(), id);
        Ok(id)
    }

    #[cold]
    fn new_unit(&mut self, unit: &[u8]) -> Result<u32, ()> {
        let name = std::str::from_utf8(unit).map_err(|_| ())?;
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.units.push(Periods { base: 0, counts: Vec::new() });
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
            let far = tally.far.iter().map(|(&key, c)| ((key >> 32) as usize, key as u32, c));
            let near =
                tally.units.iter().enumerate().flat_map(|(id, p)| p.iter().map(move |(k, c)| (id, k, c)));
            for (id, key, counts) in near.chain(far) {
                let name = &tally.names[id];
                let periods = match units.get_mut(name) {
                    Some(periods) => periods,
                    None => units.entry(name.clone()).or_default(),
                };
                periods.entry(key).or_default().add(counts);
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
        let scopes =
            std::iter::once(("province", &province)).chain(self.units.iter().map(|(u, p)| (u.as_str(), p)));
        let scopes: Vec<_> = scopes.collect();
        let mut out = io::BufWriter::with_capacity(64 * 1024, out);
        out.write_all(b"kpi,scope,period,value,note\n")?;
        let mut written = 0;
        for kpi in F::KPIS {
            for (scope, periods) in &scopes {
                for (key, counts) in periods.iter() {
                    let Some(value) = (kpi.value)(counts) else { continue };
                    let period = period_text(*key, self.granularity);
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
