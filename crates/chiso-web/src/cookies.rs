//! Reading and writing the few cookies the app uses (language, session, the
//! login form's CSRF token).

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

pub const LANG: &str = "chiso_lang";
pub const SESSION: &str = "chiso_session";
pub const LOGIN_CSRF: &str = "chiso_login_csrf";

/// The value of cookie `name`, if the request carries it.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: HttpOnly unless it is the language (which scripts may
/// read), SameSite=Lax, for the whole site; `max_age` 0 deletes it.
pub fn set(name: &str, value: &str, max_age_s: i64, secure: bool) -> String {
    let http_only = if name == LANG { "" } else { "; HttpOnly" };
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age_s}; SameSite=Lax{http_only}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_a_cookie_among_several_headers_and_pairs() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; chiso_lang=en"));
        headers.append(COOKIE, HeaderValue::from_static("chiso_session=abc"));
        assert_eq!(get(&headers, LANG), Some("en"));
        assert_eq!(get(&headers, SESSION), Some("abc"));
        assert_eq!(get(&headers, "missing"), None);
    }

    #[test]
    fn session_cookies_are_http_only_and_secure_when_asked() {
        let cookie = set(SESSION, "x", 60, true);
        assert!(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax"));
        assert!(!set(LANG, "en", 60, false).contains("HttpOnly"));
    }
}
