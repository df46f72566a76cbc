//! `units.csv`: `code,name,group,parent,name_en`.

use super::UNITS_FILE;
use crate::csv_file::{CsvFile, Header};
use crate::error::{ErrorKind, PackageError};
use crate::files::Files;
use chiso_core::{Names, Problem, Unit};
use std::collections::HashMap;

/// Reads the units. `groups` is `None` when assessment.toml could not be read, in
/// which case group codes are not checked (the errors there come first).
pub(super) fn read(
    root: &Files,
    groups: Option<&[String]>,
    errors: &mut Vec<PackageError>,
) -> Option<Vec<Unit>> {
    let text = root.read_text(UNITS_FILE).map_err(|e| errors.push(e)).ok()?;
    let before = errors.len();
    let mut csv = CsvFile::new(UNITS_FILE, &text);
    let header = csv.header(errors)?;
    let col = |name: &str| header.column(name);
    let (Some(c_code), Some(c_name), Some(c_group)) = (col("code"), col("name"), col("group")) else {
        for required in ["code", "name", "group"] {
            if col(required).is_none() {
                errors.push(PackageError::new(
                    UNITS_FILE,
                    Some(1),
                    None,
                    ErrorKind::MissingColumn { column: required.into() },
                ));
            }
        }
        return None;
    };
    let (c_parent, c_name_en) = (col("parent"), col("name_en"));
    let mut units: Vec<Unit> = Vec::new();
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    csv.rows(&header, errors, |line, row, errors| {
        let err = |field: &str, kind| PackageError::new(UNITS_FILE, Some(line), Some(field), kind);
        let code = row.get(c_code).unwrap_or("").trim();
        let name = row.get(c_name).unwrap_or("").trim();
        let group_code = row.get(c_group).unwrap_or("").trim();
        if code.is_empty() {
            errors.push(err("code", ErrorKind::Problem(Problem::EmptyCode)));
            return;
        }
        if name.is_empty() {
            errors.push(err("name", ErrorKind::Problem(Problem::MissingField)));
        }
        let group = match groups {
            None => 0,
            Some(groups) => match groups.iter().position(|g| g == group_code) {
                Some(g) => g,
                None => {
                    errors.push(err(
                        "group",
                        ErrorKind::UnknownGroup { group: group_code.into(), groups: groups.to_vec() },
                    ));
                    return;
                }
            },
        };
        if let Some(&(first_line, first_group)) = seen.get(code) {
            let kind = if first_group == group {
                ErrorKind::DuplicateUnit { code: code.into(), first_line }
            } else {
                let first_group = groups.map(|g| g[first_group].clone()).unwrap_or_default();
                ErrorKind::UnitInTwoGroups { code: code.into(), first_group, first_line }
            };
            errors.push(err("code", kind));
            return;
        }
        seen.insert(code.to_string(), (line, group));
        let optional = |c: Option<usize>| c.and_then(|c| row.get(c)).map(str::trim).filter(|s| !s.is_empty());
        let name_en = optional(c_name_en).unwrap_or(name);
        units.push(Unit {
            code: code.to_string(),
            name: Names::new(name, name_en),
            group,
            parent: optional(c_parent).map(str::to_string),
        });
    });
    (errors.len() == before).then_some(units)
}

/// units.csv without the rows of the units `left_out` (every column kept, read by
/// the package's own reader): a round narrowed to the units taking part.
pub fn units_without(
    text: &str,
    left_out: &std::collections::HashSet<String>,
) -> Result<Vec<u8>, crate::error::PackageErrors> {
    let mut errors = Vec::new();
    let mut csv = CsvFile::new(UNITS_FILE, text);
    let Some(header) = csv.header(&mut errors) else { return Err(crate::error::PackageErrors(errors)) };
    let code = header.column("code").unwrap_or(0);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut failed = None;
    let mut write = |fields: Vec<&str>| {
        if let Err(e) = writer.write_record(fields) {
            failed.get_or_insert(e.to_string());
        }
    };
    write(header.names.iter().map(String::as_str).collect());
    csv.rows(&header, &mut errors, |_, row, _| {
        if !row.get(code).is_some_and(|c| left_out.contains(c)) {
            write(row.iter().collect());
        }
    });
    let bytes = writer.into_inner().map_err(|e| e.to_string());
    match (failed, bytes) {
        (None, Ok(bytes)) if errors.is_empty() => Ok(bytes),
        (failed, bytes) => {
            let reason = failed.or(bytes.err());
            errors.extend(
                reason.map(|reason| {
                    PackageError::new(UNITS_FILE, None, None, ErrorKind::Unreadable { reason })
                }),
            );
            Err(crate::error::PackageErrors(errors))
        }
    }
}

impl Header {
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

#[cfg(test)]
mod tests {
    use super::units_without;
    use std::collections::HashSet;

    #[test]
    fn a_narrowed_units_file_keeps_every_column_of_the_rows_kept() {
        let text = "code,name,group,parent,name_en\nSVH,\"Sở Văn hóa, Thể thao\",p,,\"Culture, Sports\"\n116,TP Sơn La,d,,Son La City\n";
        let left_out: HashSet<String> = ["116".to_owned()].into();
        let kept = String::from_utf8(units_without(text, &left_out).unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            kept,
            "code,name,group,parent,name_en\nSVH,\"Sở Văn hóa, Thể thao\",p,,\"Culture, Sports\"\n"
        );
    }
}
