//! values.csv in and out. An import keeps every value as the text written
//! ("97%", "có", "3/4", "na"), one row per unit and indicator (a wide-form file is
//! turned into the long form); a rebuilt package gets a long-form values.csv
//! generated from those rows.

/// One value of a round, as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValueText {
    pub unit: String,
    pub indicator: String,
    pub value: String,
    pub note: Option<String>,
}

/// Reads the rows of a values.csv that `chiso_io::Package` has already accepted,
/// with the package's own reader (`chiso_io::package::written_values`): the same
/// trimming and blank rows, one CSV reader for the whole program.
pub(crate) fn read(text: &str) -> Result<Vec<ValueText>, chiso_io::PackageErrors> {
    Ok(chiso_io::package::written_values(text)?
        .into_iter()
        .map(|w| ValueText { unit: w.unit, indicator: w.indicator, value: w.value, note: w.note })
        .collect())
}

/// A long-form values.csv (`unit,indicator,value,note`), quoted where needed.
pub(crate) fn write<'a>(rows: impl IntoIterator<Item = &'a ValueText>) -> Result<Vec<u8>, csv::Error> {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    writer.write_record(["unit", "indicator", "value", "note"])?;
    for row in rows {
        writer.write_record([
            row.unit.as_str(),
            row.indicator.as_str(),
            row.value.as_str(),
            row.note.as_deref().unwrap_or(""),
        ])?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(unit: &str, indicator: &str, value: &str, note: Option<&str>) -> ValueText {
        ValueText {
            unit: unit.into(),
            indicator: indicator.into(),
            value: value.into(),
            note: note.map(str::to_string),
        }
    }

    #[test]
    fn long_form_values_keep_their_text_and_notes() {
        let text =
            "\u{feff}unit,indicator,value,note\nSTTTT,1.1,có,\nSTTTT,1.2, 97% ,\"ký số, văn bản đi\"\n\n";
        let rows = read(text).ok();
        assert_eq!(
            rows,
            Some(vec![
                value("STTTT", "1.1", "có", None),
                value("STTTT", "1.2", "97%", Some("ký số, văn bản đi")),
            ])
        );
    }

    #[test]
    fn wide_form_becomes_long_form_without_empty_cells() {
        let rows = read("unit,1.1,1.2\nA,3/4,\nB,na,5\n").ok();
        assert_eq!(
            rows,
            Some(vec![
                value("A", "1.1", "3/4", None),
                value("B", "1.1", "na", None),
                value("B", "1.2", "5", None)
            ])
        );
    }

    #[test]
    fn written_values_read_back_the_same() {
        let rows = vec![
            value("A", "1.1", "74,8", Some("a \"quoted\" note\nover two lines")),
            value("A", "1.2", "", None),
        ];
        let bytes = write(&rows).unwrap_or_default();
        let text = String::from_utf8(bytes).unwrap_or_default();
        assert!(text.starts_with("unit,indicator,value,note\n"));
        assert_eq!(read(&text).ok(), Some(rows));
    }
}
