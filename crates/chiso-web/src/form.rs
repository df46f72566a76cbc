//! Form posts with bounds: the body, and every field in it, has a length limit, so
//! no text a person (or a script) posts can grow the database or the audit log
//! without end. Over a limit the answer is a clear 400 naming the field.

use crate::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// The largest form body, in bytes (a self-assessment form of 50 answers with
/// notes is a few kilobytes).
pub const MAX_FORM_BYTES: usize = 1024 * 1024;
/// The longest text in one field, in characters (notes, reasons, decisions).
pub const MAX_FIELD_CHARS: usize = 4_000;

/// `application/x-www-form-urlencoded`, like `axum::Form`, with the bounds above.
#[derive(Debug, Clone)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(request.into_body()).await?;
        parse(&bytes).map(Form)
    }
}

/// The body of a form post, refused over [`MAX_FORM_BYTES`] or with a field
/// over its bound.
pub async fn read_body(body: Body) -> Result<Bytes, AppError> {
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::TooLong { field: "form".into(), max: MAX_FORM_BYTES })?;
    check_fields(&bytes)?;
    Ok(bytes)
}

/// The fields of a form body read by [`read_body`].
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_urlencoded::from_bytes(bytes).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// The first value of the field `name` in a form body, if any.
pub fn field(bytes: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(bytes).find(|(n, _)| n == name).map(|(_, value)| value.into_owned())
}

/// Refuses a form with a field longer than [`MAX_FIELD_CHARS`] or with more
/// fields than a form of ours has.
fn check_fields(body: &[u8]) -> Result<(), AppError> {
    let mut count = 0;
    for (name, value) in form_urlencoded::parse(body) {
        count += 1;
        if count > 2_000 {
            return Err(AppError::TooLong { field: "form".into(), max: MAX_FORM_BYTES });
        }
        if value.chars().count() > MAX_FIELD_CHARS || name.chars().count() > 200 {
            return Err(AppError::TooLong { field: name.chars().take(40).collect(), max: MAX_FIELD_CHARS });
        }
    }
    Ok(())
}

/// Refuses a single text longer than `max` characters, naming the field.
pub fn bounded(field: &str, text: &str, max: usize) -> Result<(), AppError> {
    if text.chars().count() > max {
        return Err(AppError::TooLong { field: field.into(), max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_11_long_fields_are_refused_and_named() {
        assert!(check_fields(b"csrf=x&note=short").is_ok());
        let long = format!("csrf=x&note={}", "a".repeat(MAX_FIELD_CHARS + 1));
        assert!(
            matches!(check_fields(long.as_bytes()), Err(AppError::TooLong { field, .. }) if field == "note")
        );
        // Characters, not bytes: 4,000 Vietnamese letters (2 bytes each) pass.
        let vietnamese = format!("note={}", "ắ".repeat(MAX_FIELD_CHARS));
        assert!(check_fields(vietnamese.as_bytes()).is_ok());
        assert!(bounded("username", &"a".repeat(65), 64).is_err());
        assert!(bounded("username", &"a".repeat(64), 64).is_ok());
    }
}
