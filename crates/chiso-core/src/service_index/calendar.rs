//! Dates, local times and working days (ngày làm việc) for the index.
//!
//! Times have no time zone: they are the province's local times as the
//! administrative-procedure system writes them. Working days are Monday to Friday;
//! public holidays are not modelled (a choice of the spec, since the holiday
//! calendar changes every year by decision).

use std::fmt;

/// Seconds in a day.
pub const DAY_SECONDS: i64 = 86_400;

/// A calendar date (proleptic Gregorian), kept as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Date {
    days: i64,
}

impl Date {
    /// The date of year, month and day, if it exists (2025-02-29 does not).
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= crate::kpi::days_in_month(year, month)
            && (0..=9999).contains(&year);
        valid.then(|| Date { days: days_from_civil(i64::from(year), i64::from(month), i64::from(day)) })
    }

    /// The first day of a month, for any year (a period's end may fall in year 10000).
    pub(crate) fn first_of_month(year: i64, month: u8) -> Date {
        Date { days: days_from_civil(year, i64::from(month.clamp(1, 12)), 1) }
    }

    /// `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let (month, day) = (digits(&b[5..7])?, digits(&b[8..10])?);
        Date::from_ymd(year as i32, month as u8, day as u8)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        self.days
    }

    /// The date `n` days later (earlier when negative).
    pub fn plus_days(self, n: i64) -> Date {
        Date { days: self.days + n }
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i32, u8, u8) {
        civil_from_days(self.days)
    }

    /// 0 for Monday … 6 for Sunday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday.
        (self.days + 3).rem_euclid(7) as u8
    }

    /// Monday to Friday.
    pub fn is_working_day(self) -> bool {
        self.weekday() < 5
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A local time to the second, kept as seconds since 1970-01-01T00:00:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Moment {
    seconds: i64,
}

impl Moment {
    /// The first instant of a date (00:00:00).
    pub fn start_of(date: Date) -> Moment {
        Moment { seconds: date.days * DAY_SECONDS }
    }

    /// A date and a time of day, if the time exists (24:00 does not).
    pub fn at(date: Date, hour: u8, minute: u8, second: u8) -> Option<Moment> {
        (hour < 24 && minute < 60 && second < 60).then(|| Moment {
            seconds: date.days * DAY_SECONDS
                + i64::from(hour) * 3600
                + i64::from(minute) * 60
                + i64::from(second),
        })
    }

    /// An ISO 8601 local time or a date: `2025-03-04T08:15:00`, `2025-03-04 08:15:00`,
    /// either without the seconds, or `2025-03-04` (meaning 00:00). No time zone, no
    /// fractions of a second.
    pub fn parse(text: &str) -> Option<Moment> {
        let b = text.as_bytes();
        let date = Date::parse(text.get(..10)?)?;
        match b.len() {
            10 => return Some(Moment::start_of(date)),
            16 | 19 => {}
            _ => return None,
        }
        if !(b[10] == b'T' || b[10] == b' ') || b[13] != b':' {
            return None;
        }
        let (hour, minute) = (digits(&b[11..13])?, digits(&b[14..16])?);
        let second = match b.len() {
            19 if b[16] == b':' => digits(&b[17..19])?,
            19 => return None,
            _ => 0,
        };
        Moment::at(date, hour as u8, minute as u8, second as u8)
    }

    /// Seconds since 1970-01-01T00:00:00.
    pub fn seconds(self) -> i64 {
        self.seconds
    }

    /// The date of this time.
    pub fn date(self) -> Date {
        Date { days: self.seconds.div_euclid(DAY_SECONDS) }
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let within = self.seconds.rem_euclid(DAY_SECONDS);
        let (h, m, s) = (within / 3600, within % 3600 / 60, within % 60);
        write!(f, "{}T{h:02}:{m:02}:{s:02}", self.date())
    }
}

/// wd(a, b): the number of working days d with a < d ≤ b; negative when b is before
/// a (−wd(b, a)). Times are ignored: only dates count.
pub fn wd(a: Date, b: Date) -> i64 {
    working_days_up_to(b) - working_days_up_to(a)
}

/// The number of working days up to and including `date`, counted from an arbitrary
/// Monday (1970-01-05): only differences mean anything.
fn working_days_up_to(date: Date) -> i64 {
    let since_monday = date.days - 4;
    let (weeks, day) = (since_monday.div_euclid(7), since_monday.rem_euclid(7));
    weeks * 5 + (day + 1).min(5)
}

/// ASCII digits as a number.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

/// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month as u8, day as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap_or_else(|| panic!("{text} is a date"))
    }

    #[test]
    fn dates_round_trip_through_day_numbers() {
        for text in ["1970-01-01", "2000-02-29", "2024-12-31", "2025-03-01", "0001-01-01", "9999-12-31"] {
            assert_eq!(date(text).to_string(), text);
        }
        assert_eq!(date("1970-01-02").days(), 1);
        assert_eq!(date("1969-12-31").days(), -1);
        let mut d = date("1999-12-25");
        for _ in 0..800 {
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
            d = d.plus_days(1);
        }
    }

    #[test]
    fn impossible_dates_and_times_are_refused() {
        for text in ["2025-02-29", "2025-13-01", "2025-00-10", "2025-1-01", "25-01-01", "2025/01/01", ""] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
        for text in [
            "2025-03-04T24:00:00",
            "2025-03-04T08:60",
            "2025-03-04T08:15:00Z",
            "2025-03-04X08:15",
            "2025-03-04T08:15:0",
            "2025-03-04T08:15.00",
            "2025-03-04 ",
        ] {
            assert_eq!(Moment::parse(text), None, "{text}");
        }
    }

    #[test]
    fn a_date_alone_means_midnight_and_every_spelling_of_a_time_agrees() {
        let t = Moment::parse("2025-03-04T08:15:00");
        assert_eq!(t.map(|t| t.to_string()).as_deref(), Some("2025-03-04T08:15:00"));
        assert_eq!(Moment::parse("2025-03-04 08:15:00"), t);
        assert_eq!(Moment::parse("2025-03-04T08:15"), t);
        assert_eq!(Moment::parse("2025-03-04"), Some(Moment::start_of(date("2025-03-04"))));
        assert_eq!(Moment::parse("2025-03-04T23:59:59").map(Moment::date), Some(date("2025-03-04")));
    }

    #[test]
    fn weekdays_are_known() {
        assert_eq!(date("2025-03-03").weekday(), 0, "a Monday");
        assert_eq!(date("2025-03-08").weekday(), 5, "a Saturday");
        assert_eq!(date("1969-12-28").weekday(), 6, "a Sunday before the epoch");
        assert!(!date("2025-03-09").is_working_day());
    }

    #[test]
    fn wd_counts_working_days_after_a_up_to_b() {
        // Mon 2025-03-03 → Fri 2025-03-07: Tue, Wed, Thu, Fri.
        assert_eq!(wd(date("2025-03-03"), date("2025-03-07")), 4);
        // Fri → next Mon: only the Monday; the weekend does not count.
        assert_eq!(wd(date("2025-03-07"), date("2025-03-10")), 1);
        // Sat → Sun: nothing; Sat → Mon: the Monday.
        assert_eq!(wd(date("2025-03-08"), date("2025-03-09")), 0);
        assert_eq!(wd(date("2025-03-08"), date("2025-03-10")), 1);
        // the same day: 0; two full weeks: 10.
        assert_eq!(wd(date("2025-03-05"), date("2025-03-05")), 0);
        assert_eq!(wd(date("2025-03-05"), date("2025-03-19")), 10);
        // b before a: negative.
        assert_eq!(wd(date("2025-03-10"), date("2025-03-07")), -1);
        assert_eq!(wd(date("2025-03-07"), date("2025-03-03")), -4);
        // across a year end and before 1970.
        assert_eq!(wd(date("2024-12-27"), date("2025-01-03")), 5);
        assert_eq!(wd(date("1969-12-26"), date("1970-01-02")), 5);
    }

    #[test]
    fn wd_is_antisymmetric_and_matches_counting_day_by_day() {
        let start = date("2024-12-20");
        for i in 0..30 {
            for j in 0..30 {
                let (a, b) = (start.plus_days(i), start.plus_days(j));
                let counted = if i <= j {
                    (i + 1..=j).filter(|&k| start.plus_days(k).is_working_day()).count() as i64
                } else {
                    -((j + 1..=i).filter(|&k| start.plus_days(k).is_working_day()).count() as i64)
                };
                assert_eq!(wd(a, b), counted, "wd({a}, {b})");
                assert_eq!(wd(a, b), -wd(b, a));
            }
        }
    }
}
