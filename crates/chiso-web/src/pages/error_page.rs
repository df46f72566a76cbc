//! Error pages in the reader's language only, inside the site's layout (its
//! navigation, the language switch, a way back). A handler's error answers with
//! [`ErrorTexts`] in its response; this layer, which knows the request, renders
//! them. API errors are JSON and pass through untouched.

use super::{Chrome, PageCtx};
use crate::auth::MaybeSignedIn;
use crate::i18n::Locale;
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What an error page says, in both languages; the layer picks one.
#[derive(Debug, Clone)]
pub struct ErrorTexts {
    pub vi: String,
    pub en: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    code: u16,
    message: String,
}

/// Renders a handler's error as a page in the request's language.
pub async fn localise(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(Locale(lang)) = Locale::from_request_parts(&mut parts, &state).await;
    let (uri, headers) = (parts.uri.clone(), parts.headers.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(texts) = response.extensions().get::<ErrorTexts>().cloned() else { return response };
    // Who is asking, for the layout (only now: most answers are not errors).
    let (mut probe, ()) = Request::new(()).into_parts();
    probe.headers = headers;
    let who = MaybeSignedIn::from_request_parts(&mut probe, &state).await.ok().and_then(|m| m.0);
    let ctx = PageCtx { state, lang, uri };
    let page = ErrorPage {
        c: ctx.chrome(who.as_ref()),
        code: response.status().as_u16(),
        message: lang.pick(&texts.vi, &texts.en).to_owned(),
    };
    let Ok(html) = page.render() else { return response };
    let (mut head, _) = response.into_parts();
    head.headers.remove(CONTENT_LENGTH);
    head.headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    let mut rendered = Response::from_parts(head, axum::body::Body::from(html));
    if rendered.status() == StatusCode::OK {
        *rendered.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    }
    rendered.into_response()
}
