//! HTML pages: public results and monitoring, sign-in, administration.

pub mod admin;
pub mod public;
pub mod session;
pub mod work;

use crate::auth::SignedIn;
use crate::error::percent_encode;
use crate::i18n::{L, Locale};
use axum::http::header::LOCATION;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// What the layout around every page needs.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub l: L,
    /// This page, for the language switch to come back to (percent-encoded).
    pub next: String,
    pub user: Option<String>,
    pub is_admin: bool,
    pub csrf: String,
}

pub fn chrome(Locale(lang): Locale, uri: &Uri, who: Option<&SignedIn>) -> Chrome {
    let here = uri.path_and_query().map_or("/", |pq| pq.as_str());
    Chrome {
        l: L(lang),
        next: percent_encode(here),
        user: who.map(|w| w.user.display_name.clone()),
        is_admin: who.is_some_and(SignedIn::is_admin),
        csrf: who.map(|w| w.session.csrf_token.clone()).unwrap_or_default(),
    }
}

/// A 303 to `to` (after a form post, so reloading does not post again).
pub fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = to.parse() {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}
