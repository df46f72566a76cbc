//! A round's values as chiso-core's typed [`Values`], built from its stored rows
//! with the round's parsed model ([`Store::round_model`](crate::Store::round_model)):
//! scoring a round in the app writes and reads no values.csv.

use super::values_csv::ValueText;
use crate::error::{RowProblem, RowProblemKind, StoreError};
use chiso_core::{Assessment, AssessmentResults, Values};
use chiso_io::{ErrorKind, PackageError, PackageErrors};
use std::collections::HashMap;

/// The typed values of `rows` (each a unit's value of a leaf as written); a row
/// that names no unit or leaf, or that its leaf's rule refuses, is refused with
/// its position among the rows.
pub(crate) fn typed_values<'a>(
    model: &Assessment,
    rows: impl IntoIterator<Item = &'a ValueText>,
) -> Result<Values, StoreError> {
    let units: HashMap<&str, usize> =
        model.units.iter().enumerate().map(|(u, x)| (x.code.as_str(), u)).collect();
    let mut values = Values::empty((0..model.units.len()).map(|u| model.framework_of(u).indicators.len()));
    let mut problems = Vec::new();
    for (row, text) in rows.into_iter().enumerate() {
        let mut refuse = |kind| problems.push(RowProblem { row, kind });
        let Some(&u) = units.get(text.unit.as_str()) else {
            refuse(RowProblemKind::UnknownUnit { unit: text.unit.clone() });
            continue;
        };
        let framework = model.framework_of(u);
        let Some(i) = framework.find(text.indicator.trim()) else {
            refuse(RowProblemKind::UnknownIndicator {
                unit: text.unit.clone(),
                indicator: text.indicator.clone(),
            });
            continue;
        };
        if !framework.indicators[i].is_leaf() {
            refuse(RowProblemKind::NotALeaf { indicator: text.indicator.clone() });
            continue;
        }
        match framework.indicators[i].parse_entry(&text.value) {
            Ok(entry) => values.set(u, i, entry),
            Err(problem) => refuse(RowProblemKind::BadValue {
                unit: text.unit.clone(),
                indicator: text.indicator.clone(),
                problem,
            }),
        }
    }
    if problems.is_empty() { Ok(values) } else { Err(StoreError::Refused(problems)) }
}

/// Scores the round's typed values; what only scoring finds (a geometric mean of
/// 0, a unit with nothing applicable) is refused with its message in both languages.
pub(crate) fn score(model: &Assessment, values: &Values) -> Result<AssessmentResults, StoreError> {
    chiso_core::score_assessment(model, values).map_err(|errors| {
        StoreError::Invalid(PackageErrors(
            errors
                .into_iter()
                .map(|e| {
                    let kind = ErrorKind::Scoring {
                        vi: e.message(model, chiso_core::Lang::Vi),
                        en: e.message(model, chiso_core::Lang::En),
                    };
                    PackageError::new("values", None, None, kind)
                })
                .collect(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_io::{Files, Package};
    use std::path::Path;

    #[test]
    fn typed_rows_score_as_the_package_does_and_a_bad_row_is_named() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
        let package = Package::from_files(Files::dir(&dir)).unwrap_or_else(|e| panic!("{:?}", e.0));
        let text = package.files.read_text("values.csv").unwrap_or_else(|e| panic!("{e:?}"));
        let mut rows = super::super::values_csv::read(&text).unwrap_or_else(|e| panic!("{e}"));
        let model = &package.assessment;
        let ours = score(model, &typed_values(model, &rows).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
        let theirs = package.score().unwrap_or_else(|e| panic!("{:?}", e.0));
        assert_eq!(ours, theirs);
        rows[3].value = "abc".into();
        let Err(StoreError::Refused(problems)) = typed_values(model, &rows) else {
            panic!("a bad value was typed")
        };
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row, 3);
        assert!(matches!(problems[0].kind, RowProblemKind::BadValue { .. }));
    }
}
