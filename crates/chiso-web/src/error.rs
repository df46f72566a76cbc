//! Errors of page handlers, answered as a small bilingual HTML page with the right
//! status. (The API answers JSON: see `api::ApiError`.)

use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chiso_core::Lang;
use chiso_core::workflow::RefusalClass;
use chiso_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// A form without this session's CSRF token, or posted from another site.
    #[error("CSRF check failed")]
    Csrf,
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("too many attempts")]
    TooManyAttempts { retry_after_s: i64 },
    /// Too many password checks waiting already: try again in a moment.
    #[error("busy")]
    Busy,
    /// A text field longer than its limit.
    #[error("field {field} is longer than {max} characters")]
    TooLong { field: String, max: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooLong { .. } => StatusCode::BAD_REQUEST,
            AppError::Store(error) => store_status(error),
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn texts(&self) -> (String, String) {
        match self {
            AppError::NotFound => ("Không tìm thấy trang.".into(), "Page not found.".into()),
            AppError::Forbidden => {
                ("Tài khoản của bạn không có quyền này.".into(), "Your account may not do this.".into())
            }
            AppError::Csrf => (
                "Biểu mẫu đã hết hạn hoặc không gửi từ trang này. Hãy tải lại trang và thử lại.".into(),
                "The form has expired or was not sent from this site. Reload the page and try again.".into(),
            ),
            AppError::SignInRequired { .. } => ("Cần đăng nhập.".into(), "Please sign in.".into()),
            AppError::BadRequest(message) => (message.clone(), message.clone()),
            AppError::TooManyAttempts { retry_after_s } => {
                let minutes = (retry_after_s + 59) / 60;
                (
                    format!("Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút."),
                    format!("Too many failed sign-ins. Try again in {minutes} minutes."),
                )
            }
            AppError::Busy => (
                "Hệ thống đang bận xử lý nhiều lượt đăng nhập. Hãy thử lại sau ít giây.".into(),
                "The system is busy with many sign-ins. Try again in a few seconds.".into(),
            ),
            AppError::TooLong { field, max } => (
                format!("Trường \"{field}\" dài quá {max} ký tự."),
                format!("The field \"{field}\" is longer than {max} characters."),
            ),
            AppError::Store(error) if store_status(error).is_client_error() => {
                match error.message(Lang::Vi) {
                    Some(vi) => (vi, error.message(Lang::En).unwrap_or_default()),
                    None => (error.to_string(), error.to_string()),
                }
            }
            AppError::Store(_) | AppError::Internal(_) => (
                "Đã có lỗi trong hệ thống; lỗi đã được ghi lại.".into(),
                "Something went wrong on our side; it has been logged.".into(),
            ),
        }
    }
}

pub fn store_status(error: &StoreError) -> StatusCode {
    match error {
        StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
        StoreError::Conflict(_) | StoreError::Immutable(_) => StatusCode::CONFLICT,
        StoreError::InvalidInput(_) | StoreError::Refused(_) => StatusCode::BAD_REQUEST,
        StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        StoreError::Stale { .. } => StatusCode::CONFLICT,
        StoreError::NotAllowed(refusal) => match refusal.class() {
            RefusalClass::Forbidden => StatusCode::FORBIDDEN,
            RefusalClass::NotFound => StatusCode::NOT_FOUND,
            RefusalClass::Conflict | RefusalClass::Immutable => StatusCode::CONFLICT,
            RefusalClass::Invalid | RefusalClass::Incomplete => StatusCode::BAD_REQUEST,
        },
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        if let AppError::SignInRequired { next } = &self {
            let target = format!("/login?next={}", percent_encode(next));
            let mut response = status.into_response();
            if let Ok(value) = HeaderValue::from_str(&target) {
                response.headers_mut().insert(LOCATION, value);
            }
            return response;
        }
        let (vi, en) = self.texts();
        let page = format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{code} · chiso</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head>\
             <body><main class=\"narrow\"><h1>{code}</h1><p class=\"error\" lang=\"vi\">{vi}</p>\
             <p class=\"error\" lang=\"en\">{en}</p><p><a href=\"/\">← Trang chủ · Home</a></p></main></body></html>",
            code = status.as_u16(),
            vi = escape(&vi),
            en = escape(&en),
        );
        let mut response = (status, Html(page)).into_response();
        // The layer that knows the request renders this in its language, in the layout.
        response.extensions_mut().insert(crate::pages::error_page::ErrorTexts { vi, en });
        if let AppError::TooManyAttempts { retry_after_s } = self {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(retry_after_s));
        }
        if let AppError::Busy = self {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(2));
        }
        response
    }
}

/// Percent-encodes a path for a query parameter (`/admin?x=1` → `%2Fadmin%3Fx%3D1`).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only same-site paths are followed after sign-in or a language switch.
///
/// Browsers drop tabs and line breaks from a URL and read `\\` as `/`, so
/// `/\t/evil.example` would leave the site as `//evil.example`: a path holding any
/// control character, whitespace or backslash is refused whole, as is one that
/// does not start with a single `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            path.into()
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/admin?x=1")), "/admin?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(percent_encode("/a b?x=1"), "%2Fa%20b%3Fx%3D1");
    }

    #[test]
    fn issue_11_paths_that_browsers_turn_into_another_site_are_refused() {
        for sneaky in [
            "/\t/evil.example/x",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/ /evil.example",
            "/\u{0}/x",
            "/\u{85}/x",
            "/\u{3000}/x",
        ] {
            assert_eq!(safe_next(Some(sneaky)), "/", "{sneaky:?}");
        }
        assert_eq!(safe_next(Some("/rounds/1/units/STTTT?lang=en#x")), "/rounds/1/units/STTTT?lang=en#x");
        assert_eq!(safe_next(Some("/t%C3%ACm?q=S%C6%A1n%20La")), "/t%C3%ACm?q=S%C6%A1n%20La");
    }
}
