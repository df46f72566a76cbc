//! Public-service dossiers (hồ sơ thủ tục hành chính): one row per dossier, counted
//! per unit and period of `received`.

use super::format::{Counts, Field, FieldFault, Format, Kpi, Row, RowFault, Value, field, rate, time_field};
use super::text::{is_word, parse_bool};

/// The counts of a (unit, period).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DossierCounts {
    pub received: u64,
    pub online: u64,
    /// Dossiers with a `finished` time: the on-time rate's denominator.
    pub finished: u64,
    /// Finished no later than `due` (at the due time itself is on time).
    pub on_time: u64,
    pub digitized: u64,
}

impl Counts for DossierCounts {
    fn add(&mut self, o: &Self) {
        self.received += o.received;
        self.online += o.online;
        self.finished += o.finished;
        self.on_time += o.on_time;
        self.digitized += o.digitized;
    }

    fn is_empty(&self) -> bool {
        self.received == 0
    }
}

/// The dossier feed, with the positions of its columns in the file.
#[derive(Debug)]
pub(crate) struct DossierFeed {
    width: usize,
    unit: usize,
    channel: usize,
    received: usize,
    due: usize,
    finished: usize,
    digitized: usize,
}

impl Format for DossierFeed {
    type Counts = DossierCounts;
    const COLUMNS: &'static [&'static str] =
        &["id", "unit", "procedure", "channel", "received", "due", "finished", "digitized"];
    const KPIS: &'static [Kpi<DossierCounts>] = &[
        Kpi { code: "dossiers_received", value: |c| Some(Value::Count(c.received)) },
        Kpi { code: "dossiers_online_rate", value: |c| rate(c.online, c.received) },
        Kpi { code: "dossiers_on_time_rate", value: |c| rate(c.on_time, c.finished) },
        Kpi { code: "dossiers_digitized_rate", value: |c| rate(c.digitized, c.received) },
    ];

    fn new(index: &[usize], width: usize) -> Self {
        DossierFeed {
            width,
            unit: index[1],
            channel: index[3],
            received: index[4],
            due: index[5],
            finished: index[6],
            digitized: index[7],
        }
    }

    fn unit_index(&self) -> usize {
        self.unit
    }

    fn width(&self) -> usize {
        self.width
    }

    fn parse<'a>(&self, data: &'a [u8], fields: &[Field]) -> Result<Row<'a, DossierCounts>, RowFault> {
        if fields.len() != self.width {
            return Err(RowFault::FieldCount);
        }
        let unit = field(data, fields, self.unit);
        if unit.is_empty() {
            return Err(RowFault::EmptyUnit);
        }
        let online = match field(data, fields, self.channel) {
            b"online" => 1,
            b"offline" => 0,
            w if is_word(w, b"online") => 1,
            w if is_word(w, b"offline") => 0,
            _ => {
                return Err(RowFault::Field {
                    index: self.channel,
                    column: "channel",
                    fault: FieldFault::Channel,
                });
            }
        };
        let received = time_field(data, fields, self.received, "received")?;
        let due = time_field(data, fields, self.due, "due")?;
        let (finished, on_time) = if field(data, fields, self.finished).is_empty() {
            (0, 0)
        } else {
            let finished = time_field(data, fields, self.finished, "finished")?;
            (1, u64::from(finished <= due))
        };
        let digitized = parse_bool(field(data, fields, self.digitized)).ok_or(RowFault::Field {
            index: self.digitized,
            column: "digitized",
            fault: FieldFault::Boolean,
        })?;
        let counts =
            DossierCounts { received: 1, online, finished, on_time, digitized: u64::from(digitized) };
        Ok(Row { unit, stamp: received, counts })
    }
}
