//! Writing rows fast (no `format!` per field: the benchmark writes 10 million
//! dossiers) and the working-day arithmetic of due dates.

use chiso_core::service_index::{Date, calendar::DAY_SECONDS};
use std::io::{self, Write};

/// A chunk of rows written to its writer about every 64 KiB.
pub(super) struct Chunked<W: Write> {
    out: W,
    pub(super) buf: Vec<u8>,
}

const CHUNK: usize = 1 << 16;

impl<W: Write> Chunked<W> {
    pub(super) fn new(out: W) -> Self {
        Chunked { out, buf: Vec::with_capacity(CHUNK + 1024) }
    }

    /// Call after each row.
    pub(super) fn row_done(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }

    pub(super) fn str(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub(super) fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    pub(super) fn flag(&mut self, value: bool) {
        self.buf.push(if value { b'1' } else { b'0' });
    }

    pub(super) fn number(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&digits[at..]);
    }

    /// `n` with at least `width` digits.
    pub(super) fn padded(&mut self, n: u64, width: usize) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = n;
        while rest > 0 || digits.len() - at < width {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        self.buf.extend_from_slice(&digits[at..]);
    }

    /// `YYYY-MM-DD`.
    pub(super) fn date(&mut self, date: Date) {
        let (y, m, d) = date.ymd();
        self.padded(y.max(0) as u64, 4);
        self.byte(b'-');
        self.padded(u64::from(m), 2);
        self.byte(b'-');
        self.padded(u64::from(d), 2);
    }

    /// `YYYY-MM-DDTHH:MM:SS` of seconds since 1970-01-01T00:00:00.
    pub(super) fn moment(&mut self, seconds: i64) {
        self.date(Date::default().plus_days(seconds.div_euclid(DAY_SECONDS)));
        let within = seconds.rem_euclid(DAY_SECONDS) as u64;
        self.byte(b'T');
        self.padded(within / 3600, 2);
        self.byte(b':');
        self.padded(within % 3600 / 60, 2);
        self.byte(b':');
        self.padded(within % 60, 2);
    }

    /// `YYMMDD` of a date (in ids).
    pub(super) fn short_date(&mut self, date: Date) {
        let (y, m, d) = date.ymd();
        self.padded((y.rem_euclid(100)) as u64, 2);
        self.padded(u64::from(m), 2);
        self.padded(u64::from(d), 2);
    }
}

/// The working day `n` working days after `date` (Monday to Friday; a weekend
/// `date` counts from the Friday before).
pub(super) fn add_working_days(date: Date, n: u32) -> Date {
    let mut d = match date.weekday() {
        5 => date.plus_days(-1),
        6 => date.plus_days(-2),
        _ => date,
    };
    d = d.plus_days(7 * i64::from(n / 5));
    for _ in 0..n % 5 {
        d = d.plus_days(if d.weekday() == 4 { 3 } else { 1 });
    }
    d
}

/// The minutes of office hours: 07:00–11:30 and 13:30–17:00.
pub(super) const OFFICE_MINUTES: u64 = 270 + 210;

/// Seconds since midnight of the `minute`-th minute of office hours, plus `second`.
pub(super) fn office_time(minute: u64, second: u64) -> i64 {
    let of_day = if minute < 270 { 7 * 60 + minute } else { 13 * 60 + 30 + (minute - 270) };
    (of_day * 60 + second) as i64
}

/// Seconds since 1970-01-01T00:00:00 of `seconds` after the start of `date`.
pub(super) fn at(date: Date, seconds: i64) -> i64 {
    date.days() * DAY_SECONDS + seconds
}
