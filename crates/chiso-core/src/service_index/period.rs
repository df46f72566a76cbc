//! The periods the index is computed for: months, quarters or years. A dossier or a
//! petition belongs to the period of its `received` time; a period's **end** is the
//! first instant of the next period.

use super::calendar::{Date, Moment};
use crate::kpi::Period;
use std::fmt;
use std::str::FromStr;

/// How long a period is (`--period month|quarter|year`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum PeriodKind {
    #[default]
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    /// Periods of this kind in a year.
    fn per_year(self) -> i64 {
        match self {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
            PeriodKind::Year => 1,
        }
    }
}

impl FromStr for PeriodKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "month" => Ok(PeriodKind::Month),
            "quarter" => Ok(PeriodKind::Quarter),
            "year" => Ok(PeriodKind::Year),
            other => Err(format!("unknown period {other:?} (use month, quarter or year)")),
        }
    }
}

/// One month, quarter or year, kept as a number that orders periods of one kind
/// (months, quarters or years counted from year 0), so that the previous period is
/// one less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServicePeriod {
    kind: PeriodKind,
    index: i64,
}

impl ServicePeriod {
    /// The period of `kind` holding `date`.
    pub fn containing(kind: PeriodKind, date: Date) -> ServicePeriod {
        let (year, month, _) = date.ymd();
        let month0 = i64::from(month) - 1;
        let within = month0 * kind.per_year() / 12;
        ServicePeriod { kind, index: i64::from(year) * kind.per_year() + within }
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    /// The period just before this one (2025-02 for 2025-03, 2024-Q4 for 2025-Q1).
    pub fn previous(self) -> ServicePeriod {
        ServicePeriod { index: self.index - 1, ..self }
    }

    /// The period just after this one.
    pub fn next(self) -> ServicePeriod {
        ServicePeriod { index: self.index + 1, ..self }
    }

    /// The year and the first month of the period.
    fn year_month(self) -> (i64, i64) {
        let per_year = self.kind.per_year();
        let (year, within) = (self.index.div_euclid(per_year), self.index.rem_euclid(per_year));
        (year, within * 12 / per_year + 1)
    }

    /// The first day of the period.
    pub fn first_day(self) -> Date {
        let (year, month) = self.year_month();
        civil(year, month)
    }

    /// The last day of the period.
    pub fn last_day(self) -> Date {
        self.next().first_day().plus_days(-1)
    }

    /// The first instant of the next period.
    pub fn end(self) -> Moment {
        Moment::start_of(self.next().first_day())
    }

    /// The same period as a KPI period (`Period::Month(2025, 3)`, …).
    pub fn as_kpi_period(self) -> Period {
        let (year, month) = self.year_month();
        let year = year as i32;
        match self.kind {
            PeriodKind::Month => Period::Month(year, month as u8),
            PeriodKind::Quarter => Period::Quarter(year, ((month - 1) / 3 + 1) as u8),
            PeriodKind::Year => Period::Year(year),
        }
    }
}

/// The first day of a month of a year.
fn civil(year: i64, month: i64) -> Date {
    Date::first_of_month(year, month as u8)
}

impl fmt::Display for ServicePeriod {
    /// `2025-03`, `2025-Q1` or `2025`, the year always in four digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_kpi_period() {
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            Period::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            Period::Year(y) | Period::Day(y, ..) => write!(f, "{y:04}"),
        }
    }
}

/// Which periods are reported (`--from`, `--to`): a period is kept when it overlaps
/// the days from the first day of `from` to the last day of `to`. The bounds are a
/// month, a quarter or a year, whatever the kind of the periods (`--period month
/// --from 2025-Q2` starts in April).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeriodRange {
    from: Option<Date>,
    to: Option<Date>,
}

/// Why a bound of a [`PeriodRange`] was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeProblem {
    /// Not `YYYY-MM`, `YYYY-Qn` or `YYYY`.
    NotAPeriod { text: String },
    /// `from` comes after `to`.
    Reversed { from: String, to: String },
}

impl RangeProblem {
    pub fn message(&self, lang: crate::Lang) -> String {
        match (self, lang) {
            (RangeProblem::NotAPeriod { text }, crate::Lang::Vi) => {
                format!("\"{text}\" không phải một kỳ (viết YYYY-MM, YYYY-Qn hoặc YYYY, ví dụ 2025-03)")
            }
            (RangeProblem::NotAPeriod { text }, crate::Lang::En) => {
                format!("\"{text}\" is not a period (write YYYY-MM, YYYY-Qn or YYYY, e.g. 2025-03)")
            }
            (RangeProblem::Reversed { from, to }, crate::Lang::Vi) => {
                format!("kỳ bắt đầu {from} ở sau kỳ kết thúc {to}")
            }
            (RangeProblem::Reversed { from, to }, crate::Lang::En) => {
                format!("the first period {from} comes after the last period {to}")
            }
        }
    }
}

impl PeriodRange {
    /// Every period.
    pub fn all() -> Self {
        PeriodRange::default()
    }

    /// From the texts of `--from` and `--to` (either may be absent).
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, RangeProblem> {
        let bound = |text: &str| -> Result<Period, RangeProblem> {
            match text.trim().parse::<Period>() {
                Ok(Period::Day(..)) | Err(_) => Err(RangeProblem::NotAPeriod { text: text.to_string() }),
                Ok(period) => Ok(period),
            }
        };
        let first_day = |p: Period| match p {
            Period::Year(y) => Date::from_ymd(y, 1, 1),
            Period::Quarter(y, q) => Date::from_ymd(y, (q - 1) * 3 + 1, 1),
            Period::Month(y, m) | Period::Day(y, m, _) => Date::from_ymd(y, m, 1),
        };
        let last_day = |p: Period| {
            let (y, m, d) = p.end();
            Date::from_ymd(y, m, d)
        };
        let from_period = from.map(bound).transpose()?;
        let to_period = to.map(bound).transpose()?;
        let range = PeriodRange { from: from_period.and_then(first_day), to: to_period.and_then(last_day) };
        if let (Some(a), Some(b), Some(f), Some(t)) = (range.from, range.to, from, to)
            && a > b
        {
            return Err(RangeProblem::Reversed { from: f.trim().to_string(), to: t.trim().to_string() });
        }
        Ok(range)
    }

    /// Whether `period` overlaps the range.
    pub fn contains(&self, period: ServicePeriod) -> bool {
        self.from.is_none_or(|from| period.last_day() >= from)
            && self.to.is_none_or(|to| period.first_day() <= to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap_or_else(|| panic!("{text}"))
    }

    #[test]
    fn periods_are_named_and_bounded_by_their_kind() {
        let d = date("2025-08-15");
        let month = ServicePeriod::containing(PeriodKind::Month, d);
        let quarter = ServicePeriod::containing(PeriodKind::Quarter, d);
        let year = ServicePeriod::containing(PeriodKind::Year, d);
        assert_eq!(
            (month.to_string(), quarter.to_string(), year.to_string()),
            ("2025-08".into(), "2025-Q3".into(), "2025".into())
        );
        assert_eq!(month.end(), Moment::start_of(date("2025-09-01")));
        assert_eq!(quarter.first_day(), date("2025-07-01"));
        assert_eq!(quarter.end(), Moment::start_of(date("2025-10-01")));
        assert_eq!(year.end(), Moment::start_of(date("2026-01-01")));
        assert_eq!(month.last_day(), date("2025-08-31"));
        let last = ServicePeriod::containing(PeriodKind::Month, date("9999-12-31"));
        assert!(last.end() > Moment::start_of(date("9999-12-31")), "the last month ends after it");
    }

    #[test]
    fn the_previous_period_crosses_year_ends() {
        let january = ServicePeriod::containing(PeriodKind::Month, date("2025-01-31"));
        assert_eq!(january.previous().to_string(), "2024-12");
        let q1 = ServicePeriod::containing(PeriodKind::Quarter, date("2025-03-31"));
        assert_eq!(q1.previous().to_string(), "2024-Q4");
        assert_eq!(q1.previous().next(), q1);
        assert_eq!(q1.as_kpi_period(), Period::Quarter(2025, 1));
    }

    #[test]
    fn a_range_keeps_the_periods_that_overlap_it() {
        let range = PeriodRange::parse(Some("2025-Q2"), Some("2025-05")).unwrap_or_default();
        let month = |t: &str| ServicePeriod::containing(PeriodKind::Month, date(t));
        assert!(!range.contains(month("2025-03-31")));
        assert!(range.contains(month("2025-04-01")));
        assert!(range.contains(month("2025-05-20")));
        assert!(!range.contains(month("2025-06-01")));
        let year = ServicePeriod::containing(PeriodKind::Year, date("2025-01-01"));
        assert!(range.contains(year), "a year overlapping the range is kept");
        assert!(PeriodRange::all().contains(year));
    }

    #[test]
    fn bad_or_reversed_bounds_are_refused() {
        assert!(matches!(PeriodRange::parse(Some("2025-03-04"), None), Err(RangeProblem::NotAPeriod { .. })));
        assert!(matches!(PeriodRange::parse(None, Some("March")), Err(RangeProblem::NotAPeriod { .. })));
        assert!(matches!(
            PeriodRange::parse(Some("2025-06"), Some("2025-Q1")),
            Err(RangeProblem::Reversed { .. })
        ));
        assert!(PeriodRange::parse(Some("2025"), Some("2025")).is_ok());
    }
}
