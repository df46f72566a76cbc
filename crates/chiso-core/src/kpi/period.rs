//! Periods of observations: a year `2024`, a quarter `2024-Q3`, a month `2024-09`
//! or a day `2024-09-30`.

use std::fmt;
use std::str::FromStr;

/// A validated period. Ordered by granularity through [`Period::granularity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
    Month(i32, u8),
    Day(i32, u8, u8),
}

/// Why a period text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError {
    pub text: String,
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" is not a period (write 2024, 2024-Q3, 2024-09 or 2024-09-30)", self.text)
    }
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Period {
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Quarter(y, _) | Period::Month(y, _) | Period::Day(y, _, _) => y,
        }
    }

    /// 0 for a year, 1 a quarter, 2 a month, 3 a day: higher is finer.
    pub fn granularity(self) -> u8 {
        match self {
            Period::Year(_) => 0,
            Period::Quarter(..) => 1,
            Period::Month(..) => 2,
            Period::Day(..) => 3,
        }
    }

    /// The last day of the period, as (year, month, day), comparable.
    pub fn end(self) -> (i32, u8, u8) {
        match self {
            Period::Year(y) => (y, 12, 31),
            Period::Quarter(y, q) => (y, q * 3, days_in_month(y, q * 3)),
            Period::Month(y, m) => (y, m, days_in_month(y, m)),
            Period::Day(y, m, d) => (y, m, d),
        }
    }

    /// Orders "ends later" first, then "finer" on the same end: the spec's rule for
    /// the latest observation.
    pub fn later_key(self) -> ((i32, u8, u8), u8) {
        (self.end(), self.granularity())
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || PeriodError { text: text.to_string() };
        let t = text.trim();
        let number = |s: &str, digits: usize| -> Option<u32> {
            (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
        };
        let parts: Vec<&str> = t.split('-').collect();
        let year = parts.first().and_then(|y| number(y, 4)).ok_or_else(err)? as i32;
        match parts[..] {
            [_] => Ok(Period::Year(year)),
            [_, q] if q.starts_with(['Q', 'q']) => match number(&q[1..], 1) {
                Some(q @ 1..=4) => Ok(Period::Quarter(year, q as u8)),
                _ => Err(err()),
            },
            [_, m] => match number(m, 2) {
                Some(m @ 1..=12) => Ok(Period::Month(year, m as u8)),
                _ => Err(err()),
            },
            [_, m, d] => {
                let (Some(m @ 1..=12), Some(d)) = (number(m, 2), number(d, 2)) else { return Err(err()) };
                if d == 0 || d > u32::from(days_in_month(year, m as u8)) {
                    return Err(err());
                }
                Ok(Period::Day(year, m as u8, d as u8))
            }
            _ => Err(err()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
            Period::Day(y, m, d) => write!(f, "{y}-{m:02}-{d:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_print_back() {
        for text in ["2024", "2024-Q3", "2024-09", "2024-09-30", "2024-02-29"] {
            let p: Period = text.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p.to_string(), text);
        }
        assert_eq!("2024-q1".parse::<Period>(), Ok(Period::Quarter(2024, 1)));
    }

    #[test]
    fn bad_periods_are_refused() {
        for text in
            ["24", "2024-Q5", "2024-13", "2023-02-29", "2024-9", "2024-09-31", "", "2024/09", "2024-09-30-1"]
        {
            assert!(text.parse::<Period>().is_err(), "{text}");
        }
    }

    #[test]
    fn ends_and_granularity_order_periods() {
        let q3: Period = "2024-Q3".parse().unwrap_or(Period::Year(0));
        let sep: Period = "2024-09".parse().unwrap_or(Period::Year(0));
        assert_eq!(q3.end(), sep.end());
        assert!(sep.later_key() > q3.later_key());
        assert!(Period::Year(2024).later_key() > sep.later_key());
    }
}
