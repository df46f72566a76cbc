//! Documents (văn bản đi/đến) of the document-management system: outgoing ones
//! counted with their digital signatures, incoming ones counted, per unit and
//! period of `sent`.

use super::format::{Counts, Field, FieldFault, Format, Kpi, Row, RowFault, Value, field, rate, time_field};
use super::text::{is_word, parse_bool};

/// The counts of a (unit, period).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DocumentCounts {
    pub outgoing: u64,
    pub outgoing_signed: u64,
    pub incoming: u64,
}

impl Counts for DocumentCounts {
    fn add(&mut self, o: &Self) {
        self.outgoing += o.outgoing;
        self.outgoing_signed += o.outgoing_signed;
        self.incoming += o.incoming;
    }

    fn is_empty(&self) -> bool {
        self.outgoing == 0 && self.incoming == 0
    }
}

/// The document feed, with the positions of its columns in the file.
#[derive(Debug)]
pub(crate) struct DocumentFeed {
    width: usize,
    unit: usize,
    direction: usize,
    sent: usize,
    signed: usize,
}

impl Format for DocumentFeed {
    type Counts = DocumentCounts;
    const COLUMNS: &'static [&'static str] = &["id", "unit", "direction", "sent", "signed"];
    const KPIS: &'static [Kpi<DocumentCounts>] = &[
        Kpi { code: "docs_out", value: |c| Some(Value::Count(c.outgoing)) },
        Kpi { code: "docs_out_signed_rate", value: |c| rate(c.outgoing_signed, c.outgoing) },
        Kpi { code: "docs_in", value: |c| Some(Value::Count(c.incoming)) },
    ];

    fn new(index: &[usize], width: usize) -> Self {
        DocumentFeed { width, unit: index[1], direction: index[2], sent: index[3], signed: index[4] }
    }

    fn unit_index(&self) -> usize {
        self.unit
    }

    fn width(&self) -> usize {
        self.width
    }

    /// `signed` must be a boolean word; an incoming document may leave it empty.
    fn parse<'a>(&self, data: &'a [u8], fields: &[Field]) -> Result<Row<'a, DocumentCounts>, RowFault> {
        if fields.len() != self.width {
            return Err(RowFault::FieldCount);
        }
        let unit = field(data, fields, self.unit);
        if unit.is_empty() {
            return Err(RowFault::EmptyUnit);
        }
        let outgoing = match field(data, fields, self.direction) {
            b"out" => true,
            b"in" => false,
            w if is_word(w, b"out") => true,
            w if is_word(w, b"in") => false,
            _ => {
                return Err(RowFault::Field {
                    index: self.direction,
                    column: "direction",
                    fault: FieldFault::Direction,
                });
            }
        };
        let sent = time_field(data, fields, self.sent, "sent")?;
        let signed_text = field(data, fields, self.signed);
        let signed = match parse_bool(signed_text) {
            Some(signed) => signed,
            None if !outgoing && signed_text.is_empty() => false,
            None => {
                return Err(RowFault::Field {
                    index: self.signed,
                    column: "signed",
                    fault: FieldFault::Boolean,
                });
            }
        };
        let counts = if outgoing {
            DocumentCounts { outgoing: 1, outgoing_signed: u64::from(signed), incoming: 0 }
        } else {
            DocumentCounts { outgoing: 0, outgoing_signed: 0, incoming: 1 }
        };
        Ok(Row { unit, stamp: sent, counts })
    }
}
