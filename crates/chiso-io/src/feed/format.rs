//! What a feed format is to the scanner: its columns, how one row becomes a unit, a
//! time and a few counts, and which KPIs the summed counts give.

use super::error::FeedProblem;
use super::text::{Stamp, parse_stamp, shown, trim};

/// A field of a row: a byte range into the row's data.
pub(crate) type Field = (usize, usize);

/// The counts kept per (unit, period): summed, so the order of rows and chunks
/// does not change them.
pub(crate) trait Counts: Copy + Default + Send + Sync + 'static {
    fn add(&mut self, other: &Self);
    /// No row was counted (every row counts at least one thing).
    fn is_empty(&self) -> bool;
}

/// A number of the output: counts as integers, rates in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Count(u64),
    Rate(f64),
}

/// `num / den` in percent, none when `den` is zero. One rounding: `num × 100` is
/// exact for any count a file can hold.
pub(crate) fn rate(num: u64, den: u64) -> Option<Value> {
    (den > 0).then(|| Value::Rate(num as f64 * 100.0 / den as f64))
}

/// One KPI of a feed: its code and how its value comes from the counts.
pub(crate) struct Kpi<C> {
    pub code: &'static str,
    pub value: fn(&C) -> Option<Value>,
}

/// A good row, reduced to what is aggregated.
pub(crate) struct Row<'a, C> {
    pub unit: &'a [u8],
    /// The time that decides the period (`received`, `sent`).
    pub stamp: Stamp,
    pub counts: C,
}

/// Why a row is bad, cheap to return; [`explain`] turns it into a [`FeedProblem`]
/// for the few that are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowFault {
    FieldCount,
    EmptyUnit,
    Quotes,
    /// A field, by its index in the row and its column name.
    Field {
        index: usize,
        column: &'static str,
        fault: FieldFault,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldFault {
    NotUtf8,
    Channel,
    Direction,
    Time,
    Boolean,
}

/// A feed format, built from the header (the columns' positions).
pub(crate) trait Format: Sync + Sized {
    type Counts: Counts;
    /// The required columns, by name, in the spec's order.
    const COLUMNS: &'static [&'static str];
    /// The KPIs written, in output order.
    const KPIS: &'static [Kpi<Self::Counts>];

    /// `index[i]` is the position in the row of `COLUMNS[i]`; `width` the number of
    /// fields of the header.
    fn new(index: &[usize], width: usize) -> Self;
    /// The position in the row of the `unit` column.
    fn unit_index(&self) -> usize;
    /// The number of fields of the header (and of every row).
    fn width(&self) -> usize;
    fn parse<'a>(&self, data: &'a [u8], fields: &[Field]) -> Result<Row<'a, Self::Counts>, RowFault>;

    /// Finds the required columns in the header (any order, other columns allowed).
    fn from_header(names: &[String]) -> Result<Self, FeedProblem> {
        for (i, name) in names.iter().enumerate() {
            if !name.is_empty() && names[..i].contains(name) {
                return Err(FeedProblem::DuplicateColumn { column: name.clone() });
            }
        }
        let mut index = Vec::with_capacity(Self::COLUMNS.len());
        for column in Self::COLUMNS {
            match names.iter().position(|n| n == column) {
                Some(i) => index.push(i),
                None => return Err(FeedProblem::MissingColumn { column: (*column).to_string() }),
            }
        }
        Ok(Self::new(&index, names.len()))
    }
}

/// The trimmed text of field `i`.
pub(crate) fn field<'a>(data: &'a [u8], fields: &[Field], i: usize) -> &'a [u8] {
    let (start, end) = fields[i];
    trim(&data[start..end])
}

/// A required time field.
pub(crate) fn time_field(
    data: &[u8],
    fields: &[Field],
    index: usize,
    column: &'static str,
) -> Result<Stamp, RowFault> {
    parse_stamp(field(data, fields, index)).ok_or(RowFault::Field { index, column, fault: FieldFault::Time })
}

/// True when every field of the row is empty (a blank line): skipped, not bad.
pub(crate) fn is_blank(data: &[u8], fields: &[Field]) -> bool {
    (0..fields.len()).all(|i| field(data, fields, i).is_empty())
}

/// The problem a fault stands for, with the text of the field concerned.
pub(crate) fn explain(fault: RowFault, data: &[u8], fields: &[Field], width: usize) -> FeedProblem {
    match fault {
        RowFault::FieldCount => FeedProblem::WrongFieldCount { expected: width, found: fields.len() },
        RowFault::EmptyUnit => FeedProblem::EmptyUnit,
        RowFault::Quotes => FeedProblem::BadQuotes,
        RowFault::Field { index, column, fault } => {
            let raw = field(data, fields, index);
            let text = shown(raw);
            let column = column.to_string();
            match fault {
                FieldFault::NotUtf8 => FeedProblem::NotUtf8 { column },
                FieldFault::Channel => FeedProblem::UnknownChannel { text },
                FieldFault::Direction => FeedProblem::UnknownDirection { text },
                FieldFault::Time if raw.is_empty() => FeedProblem::MissingTime { column },
                FieldFault::Time => FeedProblem::BadTime { column, text },
                FieldFault::Boolean => FeedProblem::NotBoolean { column, text },
            }
        }
    }
}
