//! HTML pages: public results and monitoring, sign-in, administration.

pub mod admin;
pub mod downloads;
pub mod error_page;
pub mod public;
pub mod service;
pub mod session;
pub mod work;

use crate::auth::SignedIn;
use crate::error::percent_encode;
use crate::i18n::{L, Locale};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use std::convert::Infallible;

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

/// What every page handler needs besides who is asking and what they sent: the
/// shared state, the request's language ([`Locale`]) and its URI (for the
/// layout's language switch to come back to). One extractor instead of
/// `State`, `Locale` and `Uri` in each handler, and one argument instead of three
/// for the helpers that build a page. It checks nothing: who may do what stays
/// with the role extractors and the CSRF forms of [`crate::extract`].
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub state: AppState,
    pub lang: Lang,
    pub uri: Uri,
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Locale(lang) = Locale::from_request_parts(parts, state).await?;
        Ok(PageCtx { state: state.clone(), lang, uri: parts.uri.clone() })
    }
}

impl PageCtx {
    /// The layout around the page, for `who` (`None`: nobody signed in).
    pub fn chrome(&self, who: Option<&SignedIn>) -> Chrome {
        let here = self.uri.path_and_query().map_or("/", |pq| pq.as_str());
        Chrome {
            l: L(self.lang),
            next: percent_encode(here),
            user: who.map(|w| w.user.display_name.clone()),
            is_admin: who.is_some_and(SignedIn::is_admin),
            csrf: who.map(|w| w.session.csrf_token.clone()).unwrap_or_default(),
        }
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
