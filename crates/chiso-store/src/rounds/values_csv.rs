//! values.csv in and out, through chiso-io's own reader and writer (one CSV
//! reader for the whole program). An import keeps every value as the text written
//! ("97%", "có", "3/4", "na"), one row per unit and indicator (a wide-form file is
//! turned into the long form); a rebuilt package gets a long-form values.csv
//! generated from those rows.

use chiso_io::package::{write_values, written_values};

/// One value of a round, as written.
pub(crate) type ValueText = chiso_io::package::WrittenValue;

/// Reads the rows of a values.csv that `chiso_io::Package` has already accepted.
pub(crate) fn read(text: &str) -> Result<Vec<ValueText>, chiso_io::PackageErrors> {
    written_values(text)
}

/// A long-form values.csv (`unit,indicator,value,note`), quoted where needed.
pub(crate) fn write<'a>(
    rows: impl IntoIterator<Item = &'a ValueText>,
) -> Result<Vec<u8>, impl std::fmt::Display> {
    write_values(rows)
}
