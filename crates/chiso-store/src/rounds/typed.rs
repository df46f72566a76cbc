//! A round's values as chiso-core's typed [`Values`], built from its stored rows
//! with the round's parsed model ([`Store::round_model`](crate::Store::round_model)):
//! scoring a round in the app writes and reads no values.csv.

use super::values_csv::ValueText;
use crate::error::{RowProblem, RowProblemKind, StoreError};
use chiso_core::{Assessment, AssessmentResults, Values};
use chiso_io::{ErrorKind, PackageError, PackageErrors};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// The units a round leaves out (narrowed before appraisal began).
pub(crate) async fn left_out(
    conn: &mut sqlx::AnyConnection,
    round: crate::ids::RoundId,
) -> Result<HashSet<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT unit_code FROM unit_progress WHERE round_id = $1 AND assigned = 0")
        .bind(round.0)
        .fetch_all(conn)
        .await?
        .into_iter()
        .collect())
}

/// The round as it is scored and published: its model without the units left
/// out, and `rows` without their values (the model itself when none is left out).
pub(crate) fn narrowed(
    model: &Arc<Assessment>,
    left_out: &HashSet<String>,
    rows: &mut Vec<ValueText>,
) -> Arc<Assessment> {
    if left_out.is_empty() {
        return model.clone();
    }
    rows.retain(|row| !left_out.contains(row.unit.trim()));
    let mut kept = Assessment::clone(model);
    kept.units.retain(|unit| !left_out.contains(&unit.code));
    // A group whose every unit is left out is not scored at all (its index moves).
    let groups = std::mem::take(&mut kept.groups);
    let mut new_index = vec![None; groups.len()];
    for (g, group) in groups.into_iter().enumerate() {
        if kept.units.iter().any(|u| u.group == g) {
            new_index[g] = Some(kept.groups.len());
            kept.groups.push(group);
        }
    }
    for unit in &mut kept.units {
        if let Some(g) = new_index[unit.group] {
            unit.group = g;
        }
    }
    Arc::new(kept)
}

/// A round's value rows as scored now — self-assessed, or with the appraised
/// values over them — and the model they are scored with (the units left out gone).
pub(crate) async fn scored_rows(
    conn: &mut sqlx::AnyConnection,
    round: crate::ids::RoundId,
    model: &Arc<Assessment>,
    appraised: bool,
) -> Result<(Arc<Assessment>, Vec<ValueText>), StoreError> {
    let mut rows = super::load_value_texts(&mut *conn, round).await?;
    if appraised {
        super::overlay_appraisals(&mut *conn, round, &mut rows).await?;
    }
    let left_out = left_out(conn, round).await?;
    let model = narrowed(model, &left_out, &mut rows);
    Ok((model, rows))
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

    #[test]
    fn a_round_narrowed_to_one_group_scores_that_group_alone() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
        let package = Package::from_files(Files::dir(&dir)).unwrap_or_else(|e| panic!("{:?}", e.0));
        let text = package.files.read_text("values.csv").unwrap_or_else(|e| panic!("{e:?}"));
        let mut rows = super::super::values_csv::read(&text).unwrap_or_else(|e| panic!("{e}"));
        let model = Arc::new(package.assessment.clone());
        let district: HashSet<String> = model
            .units
            .iter()
            .filter(|u| model.groups[u.group].code == "district")
            .map(|u| u.code.clone())
            .collect();
        let left_out: HashSet<String> = district.iter().cloned().chain(["SNV".to_owned()]).collect();
        let kept = narrowed(&model, &left_out, &mut rows);
        assert_eq!(kept.groups.len(), 1);
        assert_eq!(kept.units.len(), 19);
        assert!(rows.iter().all(|r| !left_out.contains(&r.unit)));
        let results = score(&kept, &typed_values(&kept, &rows).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
        let full = package.score().unwrap_or_else(|e| panic!("{:?}", e.0));
        let total = |r: &AssessmentResults, a: &Assessment, code: &str| {
            r.units.iter().find(|u| a.units[u.unit].code == code).map(|u| u.total)
        };
        assert_eq!(total(&results, &kept, "STTTT"), total(&full, &model, "STTTT"));
        assert_eq!(total(&results, &kept, "SNV"), None);
        let none = narrowed(&model, &HashSet::new(), &mut rows);
        assert!(Arc::ptr_eq(&none, &model), "nothing left out: the model itself");
    }
}
