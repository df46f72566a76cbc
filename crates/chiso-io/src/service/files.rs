//! The four files of a service folder, each read row by row: units.csv and
//! procedures.csv into the [`Catalogue`], dossiers.csv and petitions.csv into the
//! [`Tally`]. Their columns are those of `shared/spec/service-index.md`.

use super::codes::Codes;
use super::error::{ServiceError, ServiceProblem};
use super::fields::{FieldError, Fields};
use super::rows::{BadRows, Refusal, Rest, Row, Rows, Source};
use crate::feed::Progress;
use chiso_core::service_index::{
    Catalogue, Dossier, Input, Inputs, Level, OnlineLevel, Petition, Procedure, RecordProblem, ServiceUnit,
    Tally,
};
use std::time::{Duration, Instant};

pub(crate) const UNIT_COLUMNS: &[&str] = &["code", "name", "level", "e_certified_copy"];
pub(crate) const PROCEDURE_COLUMNS: &[&str] = &[
    "code",
    "unit",
    "online",
    "fee",
    "paper_result",
    "citizen",
    "complete",
    "effective",
    "announced",
    "published",
];
/// The 8 columns of `chiso feed dossiers`, then the optional ones.
pub(crate) const DOSSIER_COLUMNS: &[&str] = &[
    "id",
    "unit",
    "procedure",
    "channel",
    "received",
    "due",
    "finished",
    "digitized",
    "supplement_days",
    "synced",
    "fee_due",
    "paid_online",
    "e_result",
    "attached",
    "reused",
    "data_store",
    "population_data",
    "disliked",
];
const DOSSIER_REQUIRED: usize = 8;
pub(crate) const PETITION_COLUMNS: &[&str] =
    &["id", "unit", "received", "due", "handled", "satisfied", "reopened"];

/// What reading a file's rows gave.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RowCount {
    /// Data rows (blank ones excluded), bad ones included.
    pub rows: u64,
}

/// Calls `each` on every row of `rows`; a row it refuses (or that is not CSV) is
/// recorded in `bad`, which stops the run unless bad rows are skipped. `tick` is
/// called now and then with the rows so far.
fn each_row<'a>(
    mut rows: Rows<'a>,
    index: &[Option<usize>],
    columns: &[&'static str],
    bad: &mut BadRows,
    mut each: impl FnMut(&Fields<'_, Rows<'a>>) -> Result<(), FieldError>,
    mut tick: impl FnMut(&Rows<'a>, u64),
) -> Result<RowCount, ServiceError> {
    let mut read = RowCount::default();
    loop {
        match rows.next_row() {
            Ok(None) => break,
            Ok(Some(_)) => {}
            Err(refusal) => {
                read.rows += 1;
                bad.refuse(refusal)?;
                continue;
            }
        }
        read.rows += 1;
        let fields = Fields { rows: &rows, index, columns };
        if let Err(error) = each(&fields) {
            bad.refuse(Refusal::Bad(rows.bad(Some(error.column), error.problem)))?;
        }
        if read.rows % 4096 == 0 {
            tick(&rows, read.rows);
        }
    }
    tick(&rows, read.rows);
    Ok(read)
}

/// units.csv: `code,name,level[,e_certified_copy]`.
pub(crate) fn read_units(
    source: Source<'_>,
    bad: &mut BadRows,
) -> Result<(Catalogue, RowCount), ServiceError> {
    let (rows, index) = Rows::open(source, UNIT_COLUMNS, 3)?;
    let mut catalogue = Catalogue::new();
    let mut lines: Vec<u64> = Vec::new();
    let read = each_row(
        rows,
        &index,
        UNIT_COLUMNS,
        bad,
        |f| {
            let unit = ServiceUnit {
                code: f.required(0)?.to_string(),
                name: f.required(1)?.to_string(),
                level: f.word(2, Level::parse, |text| ServiceProblem::UnknownLevel { text })?,
                e_certified_copy: f.boolean_or(3, false)?,
            };
            match catalogue.add_unit(unit) {
                Ok(_) => lines.push(f.rows.line()),
                Err(problem @ RecordProblem::DuplicateUnit { first, .. }) => {
                    return Err(repeated(problem, lines[first.index()]));
                }
                Err(problem) => return Err(problem.into()),
            }
            Ok(())
        },
        |_, _| {},
    )?;
    Ok((catalogue, read))
}

/// A unit or procedure given twice, with the line of the first.
fn repeated(problem: RecordProblem, first_line: u64) -> FieldError {
    FieldError { column: problem.field(), problem: ServiceProblem::Repeated { problem, first_line } }
}

/// procedures.csv, every column required (the dates may be empty).
pub(crate) fn read_procedures(
    source: Source<'_>,
    catalogue: &mut Catalogue,
    bad: &mut BadRows,
) -> Result<RowCount, ServiceError> {
    let (rows, index) = Rows::open(source, PROCEDURE_COLUMNS, PROCEDURE_COLUMNS.len())?;
    let mut lines: Vec<u64> = Vec::new();
    each_row(
        rows,
        &index,
        PROCEDURE_COLUMNS,
        bad,
        |f| {
            let code = f.required(0)?.to_string();
            let unit = catalogue.unit_id(f.required(1)?)?;
            let procedure = Procedure {
                code,
                unit,
                online: f.word(2, OnlineLevel::parse, |text| ServiceProblem::UnknownOnline { text })?,
                fee: f.boolean(3)?,
                paper_result: f.boolean(4)?,
                citizen: f.boolean(5)?,
                complete: f.boolean(6)?,
                effective: f.optional_date(7)?,
                announced: f.optional_date(8)?,
                published: f.optional_date(9)?,
            };
            match catalogue.add_procedure(procedure) {
                Ok(_) => lines.push(f.rows.line()),
                Err(problem @ RecordProblem::DuplicateProcedure { first, .. }) => {
                    return Err(repeated(problem, lines[first.index()]));
                }
                Err(problem) => return Err(problem.into()),
            }
            Ok(())
        },
        |_, _| {},
    )
}

/// The optional inputs a dossiers.csv header has.
fn dossier_inputs(index: &[Option<usize>]) -> Inputs {
    let by_column = [
        (9, Input::Synced),
        (10, Input::FeeDue),
        (11, Input::PaidOnline),
        (12, Input::EResult),
        (13, Input::Attached),
        (14, Input::Reused),
        (15, Input::DataStore),
        (16, Input::PopulationData),
        (17, Input::Disliked),
    ];
    by_column
        .into_iter()
        .filter(|&(column, _)| index[column].is_some())
        .fold(Inputs::none(), |inputs, (_, input)| inputs.with(input))
}

/// The header of dossiers.csv: the data after it, and the optional inputs it has.
pub(crate) fn open_dossiers(
    source: Source<'_>,
) -> Result<(Rest<'_>, Vec<Option<usize>>, Inputs), ServiceError> {
    let (rows, index) = Rows::open(source, DOSSIER_COLUMNS, DOSSIER_REQUIRED)?;
    let inputs = dossier_inputs(&index);
    Ok((rows.into_rest(), index, inputs))
}

/// dossiers.csv into the tally, with progress (bytes of the file, rows) about ten
/// times a second: by the fast reader of `super::scan`, which hands over to
/// [`read_dossier_rows`] at the first quoted field.
pub(crate) fn read_dossiers(
    rest: Rest<'_>,
    index: &[Option<usize>],
    tally: &mut Tally,
    bad: &mut BadRows,
    progress: &dyn Progress,
) -> Result<RowCount, ServiceError> {
    super::scan::read_dossiers(rest, index, tally, bad, progress)
}

/// Dossier rows read by the CSV reader (any quoting) into `tally`; `before` rows
/// were read already (for progress).
pub(crate) fn read_dossier_rows(
    rows: Rows<'_>,
    index: &[Option<usize>],
    tally: &mut Tally,
    bad: &mut BadRows,
    progress: &dyn Progress,
    before: u64,
) -> Result<RowCount, ServiceError> {
    let mut last = Instant::now();
    let mut counted = tally.split();
    let codes = Codes::new(tally.catalogue());
    let read = each_row(
        rows,
        index,
        DOSSIER_COLUMNS,
        bad,
        |f| {
            let dossier = parse_dossier(f, &codes)?;
            counted.add_dossier(&dossier)?;
            Ok(())
        },
        |rows, count| {
            if last.elapsed() >= Duration::from_millis(100) {
                progress.advance(rows.bytes(), before + count);
                last = Instant::now();
            }
        },
    )?;
    drop(codes);
    tally.merge(counted);
    Ok(read)
}

/// A dossier row, its codes resolved.
pub(crate) fn parse_dossier<R: Row + ?Sized>(
    f: &Fields<'_, R>,
    codes: &Codes<'_>,
) -> Result<Dossier, FieldError> {
    let unit = codes.unit(f.required(1)?)?;
    let procedure = codes.procedure(unit, f.required(2)?)?;
    let channel = |text: &str| match text {
        _ if text.eq_ignore_ascii_case("online") => Some(true),
        _ if text.eq_ignore_ascii_case("offline") => Some(false),
        _ => None,
    };
    let online = f.word(3, channel, |text| ServiceProblem::UnknownChannel { text })?;
    let received = f.time(4)?;
    let due = f.time(5)?;
    let finished = f.optional_time(6)?;
    f.boolean(7)?; // digitized: checked, used by `chiso feed dossiers` only
    let supplement_days = f.number_or_zero(8)?;
    Ok(Dossier {
        procedure,
        online,
        received,
        due,
        finished,
        supplement_days,
        synced: f.optional_boolean(9)?,
        fee_due: f.optional_boolean(10)?,
        paid_online: f.optional_boolean(11)?,
        e_result: f.optional_boolean(12)?,
        attached: f.optional_boolean(13)?,
        reused: f.optional_boolean(14)?,
        data_store: f.optional_boolean(15)?,
        population_data: f.optional_boolean(16)?,
        disliked: f.optional_boolean(17)?,
    })
}

/// petitions.csv into the tally.
pub(crate) fn read_petitions(
    source: Source<'_>,
    tally: &mut Tally,
    bad: &mut BadRows,
) -> Result<RowCount, ServiceError> {
    let (rows, index) = Rows::open(source, PETITION_COLUMNS, PETITION_COLUMNS.len())?;
    each_row(
        rows,
        &index,
        PETITION_COLUMNS,
        bad,
        |f| {
            let unit = tally.catalogue().unit_id(f.required(1)?)?;
            let satisfied = match f.text(5) {
                "" => None,
                _ => Some(f.word(5, chiso_core::rule::parse_boolean, |text| {
                    ServiceProblem::UnknownRating { text }
                })?),
            };
            let petition = Petition {
                unit,
                received: f.time(2)?,
                due: f.time(3)?,
                handled: f.optional_time(4)?,
                satisfied,
                reopened: f.boolean(6)?,
            };
            tally.add_petition(&petition)?;
            Ok(())
        },
        |_, _| {},
    )
}
