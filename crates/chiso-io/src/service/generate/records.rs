//! Dossiers and petitions, one working day at a time: the day's rows are drawn,
//! put in order of receipt and written, so memory holds one day only.

use super::GenerateOptions;
use super::model::{DOSSIER_STREAM, Online, PETITION_STREAM, Province};
use super::rng::{Rng, Weighted};
use super::text::{Chunked, OFFICE_MINUTES, add_working_days, at, office_time};
use chiso_core::service_index::Date;
use chiso_core::service_index::calendar::DAY_SECONDS;
use std::io::{self, Write};

/// The working days of the generated months, and how many records fall on each
/// (a little fewer around Tết, more at the end of the year).
fn days(province: &Province, total: u64) -> Vec<(Date, u64)> {
    let mut dates = Vec::new();
    let mut date = province.start;
    while date < province.end {
        if date.is_working_day() {
            dates.push(date);
        }
        date = date.plus_days(1);
    }
    const BY_MONTH: [u64; 12] = [95, 70, 105, 100, 100, 100, 95, 100, 105, 105, 110, 115];
    let weights = Weighted::new(dates.iter().map(|d| BY_MONTH[usize::from(d.ymd().1 - 1)]));
    dates.into_iter().zip(weights.split(total)).collect()
}

/// A time in office hours on `date`: seconds since 1970.
fn office(rng: &mut Rng, date: Date) -> i64 {
    at(date, office_time(rng.below(OFFICE_MINUTES), rng.below(60)))
}

/// One dossier, before it is written.
#[derive(Debug, Clone, Copy)]
struct DossierRow {
    received: i64,
    procedure: u32,
    due: i64,
    finished: Option<i64>,
    supplement_days: u32,
    online: bool,
    /// synced, fee_due, paid_online, e_result, attached, reused, data_store,
    /// population_data, disliked: bits 0 to 8.
    flags: u16,
}

const DOSSIER_HEADER: &str = "id,unit,procedure,channel,received,due,finished,digitized,supplement_days,\
synced,fee_due,paid_online,e_result,attached,reused,data_store,population_data,disliked\n";

/// Writes dossiers.csv: (dossiers written, of which pending).
pub(super) fn write_dossiers(
    province: &Province,
    options: &GenerateOptions,
    out: impl Write,
) -> io::Result<(u64, u64)> {
    let mut rng = Rng::new(options.seed, DOSSIER_STREAM);
    let mut w = Chunked::new(out);
    w.str(DOSSIER_HEADER);
    let end = at(province.end, 0);
    let (mut written, mut pending) = (0u64, 0u64);
    let mut day_rows: Vec<DossierRow> = Vec::new();
    for (date, count) in days(province, options.dossiers) {
        day_rows.clear();
        for _ in 0..count {
            let Some(procedure) = province.by_procedure.pick(&mut rng) else { break };
            day_rows.push(dossier(province, procedure, date, end, &mut rng));
        }
        day_rows.sort_by_key(|d| d.received);
        for (seq, d) in day_rows.iter().enumerate() {
            let p = &province.procedures[d.procedure as usize];
            w.str("H56-");
            w.short_date(date);
            w.byte(b'-');
            w.padded(seq as u64 + 1, 5);
            w.byte(b',');
            w.str(&province.units[p.unit].code);
            w.byte(b',');
            w.str(&p.code);
            w.str(if d.online { ",online," } else { ",offline," });
            w.moment(d.received);
            w.byte(b',');
            w.moment(d.due);
            w.byte(b',');
            if let Some(finished) = d.finished {
                w.moment(finished);
            } else {
                pending += 1;
            }
            w.byte(b',');
            w.flag(d.flags & (1 << 4) != 0); // digitized: its documents are attached
            w.byte(b',');
            w.number(u64::from(d.supplement_days));
            for bit in 0..9 {
                w.byte(b',');
                w.flag(d.flags & (1 << bit) != 0);
            }
            w.byte(b'\n');
            w.row_done()?;
            written += 1;
        }
    }
    w.finish()?;
    Ok((written, pending))
}

fn dossier(province: &Province, procedure: usize, date: Date, end: i64, rng: &mut Rng) -> DossierRow {
    let p = &province.procedures[procedure];
    let q = province.units[p.unit].quality;
    let minute = rng.below(OFFICE_MINUTES);
    let received = at(date, office_time(minute, rng.below(60)));
    let due = at(add_working_days(date, p.limit), 17 * 3600);
    // Handled on time by most units, by nearly every dossier of the best.
    let on_time = rng.chance(0.93 + 0.065 * q);
    let day = if on_time {
        // Most are done well before the limit.
        rng.below(u64::from(p.limit) + 1).min(rng.below(u64::from(p.limit) + 1)) as u32
    } else {
        p.limit + 1 + rng.below(u64::from(p.limit.min(10)) + 2) as u32
    };
    let mut finished = if day == 0 && minute + 1 < OFFICE_MINUTES {
        // The same day, later than received.
        at(date, office_time(rng.between(minute + 1, OFFICE_MINUTES - 1), rng.below(60)))
    } else {
        office(rng, add_working_days(date, day.max(1)))
    };
    // The applicant took some days to supplement the dossier: not counted.
    let mut supplement_days = 0;
    if rng.chance(0.05) {
        let handled_on = Date::default().plus_days(finished.div_euclid(DAY_SECONDS));
        let later = add_working_days(handled_on, rng.between(1, 8) as u32);
        supplement_days = (later.days() - handled_on.days()) as u32;
        finished += i64::from(supplement_days) * DAY_SECONDS;
    }
    // Still being handled at the end of the data, or stuck.
    let finished = (finished < end && !rng.chance(0.002)).then_some(finished);

    let online = match p.online {
        Online::Full => rng.chance(0.72 + 0.26 * q),
        Online::Partial => rng.chance(0.3 + 0.35 * q),
        Online::None => false,
    };
    let synced = !p.flaky_sync || rng.chance(0.9);
    let fee_due = p.fee && rng.chance(0.92);
    let paid_online = fee_due && rng.chance(if online { 0.5 + 0.45 * q } else { 0.06 });
    let e_result = rng.chance(if p.paper_result { 0.8 + 0.19 * q } else { 0.3 });
    let attached = online || rng.chance(0.86 + 0.14 * q);
    let reused = rng.chance(0.35 + 0.55 * q);
    let data_store = rng.chance(0.45 + 0.5 * q);
    let population_data = rng.chance(if p.citizen { 0.55 + 0.42 * q } else { 0.03 });
    let disliked = rng.chance(if on_time { 0.004 + 0.03 * (1.0 - q) } else { 0.15 });
    let flags =
        [synced, fee_due, paid_online, e_result, attached, reused, data_store, population_data, disliked]
            .iter()
            .enumerate()
            .fold(0u16, |flags, (bit, &on)| flags | (u16::from(on) << bit));
    DossierRow { received, procedure: procedure as u32, due, finished, supplement_days, online, flags }
}

/// One petition, before it is written.
#[derive(Debug, Clone, Copy)]
struct PetitionRow {
    received: i64,
    unit: u32,
    due: i64,
    handled: Option<i64>,
    /// 0 not satisfied, 1 satisfied, 2 not rated.
    satisfied: u8,
    reopened: bool,
}

/// Writes petitions.csv: the petitions written.
pub(super) fn write_petitions(
    province: &Province,
    options: &GenerateOptions,
    out: impl Write,
) -> io::Result<u64> {
    let mut rng = Rng::new(options.seed, PETITION_STREAM);
    let mut w = Chunked::new(out);
    w.str("id,unit,received,due,handled,satisfied,reopened\n");
    let end = at(province.end, 0);
    let mut written = 0u64;
    let mut day_rows: Vec<PetitionRow> = Vec::new();
    let units = province.units.len() as u64;
    for (date, count) in days(province, options.petitions) {
        day_rows.clear();
        for _ in 0..count {
            let unit = match province.by_unit.pick(&mut rng) {
                Some(unit) => unit,
                None => rng.below(units) as usize,
            };
            day_rows.push(petition(province, unit, date, end, &mut rng));
        }
        day_rows.sort_by_key(|p| p.received);
        for (seq, p) in day_rows.iter().enumerate() {
            w.str("PAKN-");
            w.short_date(date);
            w.byte(b'-');
            w.padded(seq as u64 + 1, 4);
            w.byte(b',');
            w.str(&province.units[p.unit as usize].code);
            w.byte(b',');
            w.moment(p.received);
            w.byte(b',');
            w.moment(p.due);
            w.byte(b',');
            if let Some(handled) = p.handled {
                w.moment(handled);
            }
            w.byte(b',');
            match p.satisfied {
                0 => w.byte(b'0'),
                1 => w.byte(b'1'),
                _ => {}
            }
            w.byte(b',');
            w.flag(p.reopened);
            w.byte(b'\n');
            w.row_done()?;
            written += 1;
        }
    }
    w.finish()?;
    Ok(written)
}

fn petition(province: &Province, unit: usize, date: Date, end: i64, rng: &mut Rng) -> PetitionRow {
    let q = province.units[unit].quality;
    let received = office(rng, date);
    // Ten working days to answer a petition.
    let due = at(add_working_days(date, 10), 17 * 3600);
    let on_time = rng.chance(0.86 + 0.13 * q);
    let day = if on_time { rng.between(1, 10) } else { rng.between(11, 25) };
    let handled = office(rng, add_working_days(date, day as u32));
    let handled = (handled < end && !rng.chance(0.005)).then_some(handled);
    let satisfied = match (handled, on_time, rng.below(100)) {
        (None, _, _) => 2,
        (Some(_), true, 0..=74) | (Some(_), false, 0..=34) => 1,
        (Some(_), true, 75..=79) | (Some(_), false, 35..=69) => 0,
        _ => 2,
    };
    let reopened = rng.chance(if on_time { 0.015 } else { 0.1 });
    PetitionRow { received, unit: unit as u32, due, handled, satisfied, reopened }
}
