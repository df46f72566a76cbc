//! Adding KPI observations with an API token: the payload checked field by field
//! before the store sees it, every bad field named.

use super::monitoring::{MAX_CODE_CHARS, Observations};
use super::{ApiError, ErrorBody, FieldError};
use crate::auth::{self, OBSERVATIONS_WRITE};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_core::kpi::Period;
use chiso_store::{Actor, NewObservation, StoreError};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Added {
    /// How many observations were stored.
    added: usize,
}

/// Bounds of what one payload may hold: notes, in characters (codes: see
/// [`MAX_CODE_CHARS`]), and observations per request.
pub const MAX_NOTE_CHARS: usize = 2_000;
pub const MAX_OBSERVATIONS_PER_REQUEST: usize = 10_000;

/// The API's own check of a payload, before the store's: every bad field named.
fn parse_observations(body: &[u8]) -> Result<Vec<NewObservation>, Vec<FieldError>> {
    let error = |field: String, message: &str| FieldError { field, message: message.into() };
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| vec![error("body".into(), &format!("not valid JSON: {e}"))])?;
    let Some(items) = value.get("observations").and_then(Value::as_array) else {
        return Err(vec![error("observations".into(), "an array of observations is required")]);
    };
    if items.is_empty() {
        return Err(vec![error("observations".into(), "the array is empty")]);
    }
    if items.len() > MAX_OBSERVATIONS_PER_REQUEST {
        let message = format!("at most {MAX_OBSERVATIONS_PER_REQUEST} observations per request");
        return Err(vec![error("observations".into(), &message)]);
    }
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |name: &str| format!("observations[{i}].{name}");
        let Some(object) = item.as_object() else {
            errors.push(error(format!("observations[{i}]"), "must be an object"));
            continue;
        };
        for key in object.keys() {
            if !["kpi", "scope", "period", "value", "note"].contains(&key.as_str()) {
                errors.push(error(at(key), "unknown field"));
            }
        }
        let text = |name: &str, errors: &mut Vec<FieldError>| match object.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::String(_)) => {
                errors.push(error(at(name), "must not be empty"));
                None
            }
            Some(_) => {
                errors.push(error(at(name), "must be a string"));
                None
            }
            None => {
                errors.push(error(at(name), "is required"));
                None
            }
        };
        let kpi = text("kpi", &mut errors);
        let scope = text("scope", &mut errors);
        let period = text("period", &mut errors);
        for (name, field, max) in [
            ("kpi", &kpi, MAX_CODE_CHARS),
            ("scope", &scope, MAX_CODE_CHARS),
            ("period", &period, MAX_CODE_CHARS),
        ] {
            if field.as_ref().is_some_and(|f| f.chars().count() > max) {
                errors.push(error(at(name), &format!("is longer than {max} characters")));
            }
        }
        if let Some(Value::String(note)) = object.get("note")
            && note.chars().count() > MAX_NOTE_CHARS
        {
            errors.push(error(at("note"), &format!("is longer than {MAX_NOTE_CHARS} characters")));
        }
        if let Some(p) = &period
            && p.parse::<Period>().is_err()
        {
            errors.push(error(at("period"), "is not a period: write 2024, 2024-Q3, 2024-09 or 2024-09-30"));
        }
        let value = match object.get("value") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(_) => {
                errors.push(error(at("value"), "must be a number"));
                None
            }
            None => {
                errors.push(error(at("value"), "is required"));
                None
            }
        };
        let note = match object.get("note") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                errors.push(error(at("note"), "must be a string"));
                None
            }
        };
        if let (Some(kpi), Some(scope), Some(period), Some(value)) = (kpi, scope, period, value) {
            rows.push(NewObservation { kpi, scope, period, value, note });
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// Adds KPI observations, all or nothing. Needs a token with `observations:write`.
#[utoipa::path(post, path = "/api/v1/observations", tag = "monitoring",
    request_body = Observations,
    security(("token" = [])),
    responses((status = 201, description = "Stored", body = Added),
              (status = 400, description = "Bad fields, each named; nothing was stored", body = ErrorBody),
              (status = 401, description = "No valid token", body = ErrorBody),
              (status = 403, description = "The token lacks the observations:write scope", body = ErrorBody)))]
pub(super) async fn post_observations(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = auth::bearer_token(&state, &headers)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "a valid API token is required"))?;
    if !token.has_scope(OBSERVATIONS_WRITE) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "the token lacks the observations:write scope"));
    }
    let rows = parse_observations(&body).map_err(ApiError::fields)?;
    match state.store.add_observations(&rows, Actor::Token(token.id)).await {
        Ok(ids) => Ok((StatusCode::CREATED, Json(Added { added: ids.len() })).into_response()),
        Err(StoreError::Refused(problems)) => Err(ApiError::fields(
            problems
                .iter()
                .map(|p| FieldError {
                    field: format!("observations[{}].{}", p.row, p.kind.field()),
                    message: p.kind.message(Lang::En),
                })
                .collect(),
        )),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_bad_field_is_named() {
        let body = br#"{"observations": [
            {"kpi": "DVC", "scope": "province", "period": "2025-Q5", "value": "12"},
            {"scope": "", "period": "2025", "value": 1, "extra": true}
        ]}"#;
        let errors = parse_observations(body).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "observations[0].period",
                "observations[0].value",
                "observations[1].extra",
                "observations[1].kpi",
                "observations[1].scope"
            ]
        );
        assert_eq!(parse_observations(b"[]").unwrap_err()[0].field, "observations");
        assert_eq!(parse_observations(b"{").unwrap_err()[0].field, "body");
    }

    #[test]
    fn a_good_payload_is_read() {
        let body = br#"{"observations": [{"kpi": "A", "scope": "province", "period": "2025-09", "value": 1.5, "note": "x"}]}"#;
        let rows = parse_observations(body).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].period, "2025-09");
    }

    /// Issue 11 (fuzzing the API's JSON): any bytes, and any JSON of any shape,
    /// get a list of named problems or rows, never a panic; a payload over the
    /// limits is refused whole.
    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<f64>().prop_map(|f| json!(f)),
                any::<i64>().prop_map(|i| json!(i)),
                ".{0,40}".prop_map(Value::String),
                prop_oneof![Just("kpi"), Just("scope"), Just("period"), Just("value"), Just("note")]
                    .prop_map(|s| Value::String(s.into())),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                    proptest::collection::btree_map(
                        prop_oneof![
                            Just("observations".to_owned()),
                            Just("kpi".to_owned()),
                            Just("scope".to_owned()),
                            Just("period".to_owned()),
                            Just("value".to_owned()),
                            Just("note".to_owned()),
                            ".{0,8}"
                        ],
                        inner,
                        0..6
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]
            #[test]
            fn any_bytes_are_answered(body in proptest::collection::vec(any::<u8>(), 0..512)) {
                let _ = parse_observations(&body);
            }

            #[test]
            fn any_json_is_answered_and_rows_are_complete(value in json()) {
                let body = serde_json::to_vec(&json!({ "observations": value })).unwrap();
                if let Ok(rows) = parse_observations(&body) {
                    for row in rows {
                        prop_assert!(!row.kpi.is_empty() && !row.scope.is_empty() && row.value.is_finite());
                    }
                }
            }
        }

        #[test]
        fn too_many_observations_are_refused_whole() {
            let one = json!({ "kpi": "A", "scope": "province", "period": "2025", "value": 1 });
            let body = json!({ "observations": vec![one; MAX_OBSERVATIONS_PER_REQUEST + 1] });
            let errors = parse_observations(&serde_json::to_vec(&body).unwrap()).unwrap_err();
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "observations");
        }
    }
}
