//! `values.csv`, long form (`unit,indicator,value,note`) or wide form (`unit`
//! then one column per indicator code). Each value is typed by its leaf's rule as
//! it is read, so a bad value is reported at its row and column.

use super::{Origins, VALUES_FILE};
use crate::csv_file::{CsvFile, Header};
use crate::error::{ErrorKind, PackageError};
use crate::files::Files;
use chiso_core::{Framework, Unit, Values};
use std::collections::HashMap;

pub(super) type ReadValues = (Values, Origins);

/// Reads the values of `units`. Groups whose framework failed to load (`None`)
/// get their unit codes checked but not their indicators.
pub(super) fn read(
    root: &Files,
    units: &[Unit],
    group_codes: &[String],
    frameworks: &[Option<Framework>],
    errors: &mut Vec<PackageError>,
) -> Option<ReadValues> {
    let text = root.read_text(VALUES_FILE).map_err(|e| errors.push(e)).ok()?;
    let before = errors.len();
    let mut csv = CsvFile::new(VALUES_FILE, &text);
    let header = csv.header(errors)?;
    let counts = units
        .iter()
        .map(|u| frameworks.get(u.group).and_then(Option::as_ref).map_or(0, |f| f.indicators.len()));
    let mut reader = Reader {
        units,
        group_codes,
        frameworks,
        unit_index: units.iter().enumerate().map(|(i, u)| (u.code.as_str(), i)).collect(),
        values: Values::empty(counts.clone()),
        origins: Origins {
            at: counts.map(|n| vec![(0, 0); n]).collect(),
            columns: header.names.clone(),
            notes: HashMap::new(),
        },
    };
    let is_long = header.column("indicator").is_some() || header.column("value").is_some();
    if is_long {
        reader.read_long(&mut csv, &header, errors);
    } else if header.names.first().map(String::as_str) == Some("unit") && header.names.len() > 1 {
        reader.read_wide(&mut csv, &header, errors);
    } else {
        errors.push(PackageError::new(VALUES_FILE, Some(1), None, ErrorKind::NoDataColumns));
    }
    (errors.len() == before).then_some((reader.values, reader.origins))
}

struct Reader<'a> {
    units: &'a [Unit],
    group_codes: &'a [String],
    frameworks: &'a [Option<Framework>],
    unit_index: HashMap<&'a str, usize>,
    values: Values,
    origins: Origins,
}

impl Reader<'_> {
    fn read_long(&mut self, csv: &mut CsvFile, header: &Header, errors: &mut Vec<PackageError>) {
        let columns: Vec<Option<usize>> =
            ["unit", "indicator", "value"].iter().map(|c| header.column(c)).collect();
        let [Some(c_unit), Some(c_indicator), Some(c_value)] = columns[..] else {
            for (name, column) in ["unit", "indicator", "value"].iter().zip(&columns) {
                if column.is_none() {
                    let kind = ErrorKind::MissingColumn { column: (*name).into() };
                    errors.push(PackageError::new(VALUES_FILE, Some(1), None, kind));
                }
            }
            return;
        };
        let c_note = header.column("note");
        // The previous row's unit and indicator: a unit's rows usually come together
        // and in the framework's order, which spares two hash look-ups a row.
        let mut previous: Option<(usize, usize)> = None;
        csv.rows(header, errors, |line, row, errors| {
            let code = row.get(c_unit).unwrap_or("");
            let same_unit = previous.map(|(unit, _)| unit).filter(|&unit| self.units[unit].code == code);
            let Some(unit) = same_unit.or_else(|| self.unit(code, line, errors)) else { return };
            let code = row.get(c_indicator).unwrap_or("");
            let note = c_note.and_then(|c| row.get(c)).filter(|n| !n.is_empty()).map(str::to_string);
            let Some(framework) = self.frameworks[self.units[unit].group].as_ref() else { return };
            let next = previous.map_or(0, |(_, indicator)| indicator + 1);
            let in_order = framework.indicators.get(next).is_some_and(|i| i.code == code).then_some(next);
            let found = in_order.or_else(|| framework.find(code));
            previous = Some((unit, found.unwrap_or(0)));
            let Some(indicator) = found else {
                let kind = ErrorKind::UnknownIndicator {
                    indicator: code.into(),
                    group: self.group_codes[self.units[unit].group].clone(),
                };
                errors.push(PackageError::new(VALUES_FILE, Some(line), Some("indicator"), kind));
                return;
            };
            self.store(unit, indicator, row.get(c_value).unwrap_or(""), line, c_value, note, errors);
        });
    }

    fn read_wide(&mut self, csv: &mut CsvFile, header: &Header, errors: &mut Vec<PackageError>) {
        // A column must be an indicator of at least one group's framework.
        for name in &header.names[1..] {
            let known = self.frameworks.iter().flatten().any(|f| f.find(name).is_some());
            if !known {
                let kind = ErrorKind::UnknownIndicator {
                    indicator: name.clone(),
                    group: self.group_codes.join(", "),
                };
                errors.push(PackageError::new(VALUES_FILE, Some(1), Some(name), kind));
            }
        }
        // Per group, the indicator each column names: looked up once, not per cell.
        let column_indicators: Vec<Vec<Option<usize>>> = self
            .frameworks
            .iter()
            .map(|f| header.names.iter().map(|name| f.as_ref().and_then(|f| f.find(name))).collect())
            .collect();
        let mut seen: HashMap<usize, usize> = HashMap::new();
        csv.rows(header, errors, |line, row, errors| {
            let Some(unit) = self.unit(row.get(0).unwrap_or(""), line, errors) else { return };
            if let Some(&first_line) = seen.get(&unit) {
                let kind = ErrorKind::DuplicateUnit { code: self.units[unit].code.clone(), first_line };
                errors.push(PackageError::new(VALUES_FILE, Some(line), Some("unit"), kind));
                return;
            }
            seen.insert(unit, line);
            let group = self.units[unit].group;
            let Some(framework) = self.frameworks[group].as_ref() else { return };
            let indicators = &column_indicators[group];
            for (c, (column, text)) in header.names.iter().zip(row.iter()).enumerate().skip(1) {
                match indicators[c] {
                    // An empty cell is missing, whatever the column is in this framework.
                    Some(indicator) if text.is_empty() && !framework.indicators[indicator].is_leaf() => {}
                    Some(indicator) => self.store(unit, indicator, text, line, c, None, errors),
                    None if text.is_empty() => {}
                    None => {
                        let kind = ErrorKind::UnknownIndicator {
                            indicator: column.clone(),
                            group: self.group_codes[group].clone(),
                        };
                        errors.push(PackageError::new(VALUES_FILE, Some(line), Some(column), kind));
                    }
                }
            }
        });
    }

    fn unit(&self, code: &str, line: usize, errors: &mut Vec<PackageError>) -> Option<usize> {
        let found = self.unit_index.get(code).copied();
        if found.is_none() {
            let kind = ErrorKind::UnknownUnit { unit: code.into() };
            errors.push(PackageError::new(VALUES_FILE, Some(line), Some("unit"), kind));
        }
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn store(
        &mut self,
        unit: usize,
        indicator: usize,
        text: &str,
        line: usize,
        column: usize,
        note: Option<String>,
        errors: &mut Vec<PackageError>,
    ) {
        let field = self.origins.columns[column].as_str();
        let Some(framework) = self.frameworks[self.units[unit].group].as_ref() else { return };
        let leaf = &framework.indicators[indicator];
        let err = |kind| PackageError::new(VALUES_FILE, Some(line), Some(field), kind);
        if !leaf.is_leaf() {
            errors.push(err(ErrorKind::NotALeaf { indicator: leaf.code.clone() }));
            return;
        }
        if let Some(first_line) = self.origins.line(unit, indicator) {
            errors.push(err(ErrorKind::DuplicateValue {
                unit: self.units[unit].code.clone(),
                indicator: leaf.code.clone(),
                first_line,
            }));
            return;
        }
        match leaf.parse_entry(text) {
            Ok(entry) => {
                self.values.set(unit, indicator, entry);
                self.origins.at[unit][indicator] = (line as u32, column as u32);
                if let Some(note) = note {
                    self.origins.notes.insert((unit, indicator), note);
                }
            }
            Err(problem) => errors.push(err(ErrorKind::Problem(problem))),
        }
    }
}

/// One value of values.csv as written (the long form's row, or a wide form's
/// non-empty cell), for keeping values as people wrote them ("97%", "có", "3/4").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenValue {
    pub unit: String,
    pub indicator: String,
    pub value: String,
    pub note: Option<String>,
}

/// The values of a values.csv as written, read by the same reader as the
/// package (fields trimmed, blank rows skipped; in the wide form an empty cell is
/// no value). For a file the package has accepted.
pub fn written_values(text: &str) -> Result<Vec<WrittenValue>, crate::error::PackageErrors> {
    let mut errors = Vec::new();
    let mut csv = CsvFile::new(VALUES_FILE, text);
    let Some(header) = csv.header(&mut errors) else { return Err(crate::error::PackageErrors(errors)) };
    let column = |name: &str| header.column(name);
    let (unit, indicator, value, note) =
        (column("unit"), column("indicator"), column("value"), column("note"));
    let mut rows = Vec::new();
    csv.rows(&header, &mut errors, |_, row, _| {
        let field = |i: usize| row.get(i).unwrap_or("").to_owned();
        if let (Some(u), Some(i), Some(v)) = (unit, indicator, value) {
            rows.push(WrittenValue {
                unit: field(u),
                indicator: field(i),
                value: field(v),
                note: note.map(field).filter(|n| !n.is_empty()),
            });
        } else {
            let code = field(0);
            for (name, text) in header.names.iter().zip(row.iter()).skip(1) {
                if !text.is_empty() {
                    rows.push(WrittenValue {
                        unit: code.clone(),
                        indicator: name.clone(),
                        value: text.to_owned(),
                        note: None,
                    });
                }
            }
        }
    });
    if errors.is_empty() { Ok(rows) } else { Err(crate::error::PackageErrors(errors)) }
}

/// A long-form values.csv (`unit,indicator,value,note`) of `rows`, quoted where
/// needed: what [`written_values`] reads back as the same rows.
pub fn write_values<'a>(rows: impl IntoIterator<Item = &'a WrittenValue>) -> Result<Vec<u8>, csv::Error> {
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
mod written_tests {
    use super::*;

    fn value(unit: &str, indicator: &str, value: &str, note: Option<&str>) -> WrittenValue {
        WrittenValue {
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
        assert_eq!(
            written_values(text).ok(),
            Some(vec![
                value("STTTT", "1.1", "có", None),
                value("STTTT", "1.2", "97%", Some("ký số, văn bản đi"))
            ])
        );
    }

    #[test]
    fn wide_form_becomes_long_form_without_empty_cells() {
        assert_eq!(
            written_values("unit,1.1,1.2\nA,3/4,\nB,na,5\n").ok(),
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
        let text = String::from_utf8(write_values(&rows).unwrap_or_default()).unwrap_or_default();
        assert!(text.starts_with("unit,indicator,value,note\n"));
        assert_eq!(written_values(&text).ok(), Some(rows));
    }
}
