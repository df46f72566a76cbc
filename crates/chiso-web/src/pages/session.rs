//! Signing in and out, and the language switch.

use super::{Chrome, PageCtx};
use crate::auth::{self, ClientAddress, MaybeSignedIn, random_token, same_secret};
use crate::cookies;
use crate::error::{AppError, safe_next};
use crate::extract::check_form;
use crate::form::Form;
use crate::i18n::parse_lang;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chiso_store::{MAX_USERNAME_CHARS, Role};
use serde::Deserialize;
use std::sync::LazyLock;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    c: Chrome,
    login_csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn redirect(to: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = to.parse() {
        response.headers_mut().insert(LOCATION, value);
    }
    for cookie in cookies {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// Where a person lands after signing in with no page asked for: admins on the
/// administration, everyone else on the assessment rounds they work on.
fn landing(role: Role) -> &'static str {
    if role == Role::Admin { "/admin" } else { "/work" }
}

/// The sign-in form. Before a session exists, CSRF protection is a random token
/// in both a cookie and the form (double submit).
pub async fn login_form(ctx: PageCtx, Query(query): Query<NextQuery>, who: MaybeSignedIn) -> Response {
    if let Some(who) = &who.0 {
        let next =
            query.next.as_deref().map_or_else(|| landing(who.user.role).to_owned(), |n| safe_next(Some(n)));
        return redirect(&next, &[]);
    }
    login_page(&ctx, query.next.as_deref(), "", None, StatusCode::OK)
}

fn login_page(
    ctx: &PageCtx,
    next: Option<&str>,
    username: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let token = random_token();
    let page = LoginPage {
        c: ctx.chrome(None),
        login_csrf: token.clone(),
        // Empty: each role's own landing page after sign-in.
        next: next.map(|n| safe_next(Some(n))).unwrap_or_default(),
        username: username.to_owned(),
        error,
    };
    let cookie = cookies::set(cookies::LOGIN_CSRF, &token, 3600, ctx.state.config.secure_cookies);
    let mut response = (status, page).into_response();
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn login(
    ctx: PageCtx,
    headers: HeaderMap,
    ClientAddress(address): ClientAddress,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let cookie_token = cookies::get(&headers, cookies::LOGIN_CSRF).unwrap_or_default();
    if auth::cross_site(&headers) || cookie_token.is_empty() || !same_secret(cookie_token, &form.csrf) {
        return Err(AppError::Csrf);
    }
    let username = form.username.trim();
    // Refused before anything is stored: the throttle and the audit log keep usernames.
    if username.chars().count() > MAX_USERNAME_CHARS {
        return Err(AppError::TooLong { field: "username".into(), max: MAX_USERNAME_CHARS });
    }
    if form.password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::TooLong { field: "password".into(), max: MAX_PASSWORD_BYTES });
    }
    // Counted before the password is checked, so parallel guesses cannot share one
    // count: per username from this address (an attacker elsewhere cannot lock the
    // owner out), and per address over all usernames (no spraying).
    let window = ctx.state.config.login_window_ms;
    let address_key = format!("addr|{address}");
    let user_key = format!("user|{username}|{address}");
    let by_address = ctx
        .state
        .store
        .count_login_attempt(&address_key, window, ctx.state.config.max_login_failures_per_address)
        .await?;
    let by_user =
        ctx.state.store.count_login_attempt(&user_key, window, ctx.state.config.max_login_failures).await?;
    if !by_address.allowed || !by_user.allowed {
        let retry_after_ms = if by_user.allowed { by_address.retry_after_ms } else { by_user.retry_after_ms };
        tracing::warn!(username, %address, "sign-in refused: too many failures");
        return Err(AppError::TooManyAttempts { retry_after_s: (retry_after_ms + 999) / 1000 });
    }
    let user = ctx.state.store.user_by_username(username).await?;
    // A missing user costs as much time as a wrong password.
    let hash = user.as_ref().map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let valid = auth::verify_password_async(&ctx.state, hash, form.password.clone()).await?;
    match user {
        Some(user) if valid && !user.disabled => {
            ctx.state.store.forgive_login_attempts(&user_key, true).await?;
            ctx.state.store.forgive_login_attempts(&address_key, false).await?;
            ctx.state.store.clear_login_failures(username).await?;
            let cookie = auth::start_session(&ctx.state, &user).await?;
            tracing::info!(user = %user.id, "signed in");
            let next = if form.next.is_empty() {
                landing(user.role).to_owned()
            } else {
                safe_next(Some(&form.next))
            };
            Ok(redirect(&next, &[cookie, cookies::set(cookies::LOGIN_CSRF, "", 0, false)]))
        }
        _ => {
            ctx.state.store.record_login_failure(username).await?;
            let message = ctx.lang.pick(
                "Tên đăng nhập hoặc mật khẩu không đúng (hoặc tài khoản đã bị khoá).",
                "Wrong username or password (or the account is disabled).",
            );
            Ok(login_page(&ctx, Some(&form.next), username, Some(message.into()), StatusCode::UNAUTHORIZED))
        }
    }
}

/// The longest password accepted, in bytes (Argon2 takes any length; the bound
/// only keeps request handling cheap).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The hash of a random password, verified against when the username does not
/// exist, so the time taken does not tell which usernames exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| auth::hash_password(&random_token()).unwrap_or_default());

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    who: MaybeSignedIn,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Result<Response, AppError> {
    if let Some(who) = who.0 {
        // Without a session there is nothing to sign out of, so no token to check:
        // `CsrfForm` (which needs a session) does not fit.
        check_form(&who, &headers, &form.csrf)?;
        state.store.delete_session(&who.session.id_hash, who.actor()).await?;
    }
    Ok(redirect("/", &[cookies::set(cookies::SESSION, "", 0, state.config.secure_cookies)]))
}

/// `/lang/en?next=/rounds/1`: remembers the language for a year and goes back.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    let lang = parse_lang(&code).ok_or(AppError::NotFound)?;
    let cookie = cookies::set(cookies::LANG, lang.code(), 365 * 86_400, state.config.secure_cookies);
    Ok(redirect(&safe_next(query.next.as_deref()), &[cookie]))
}
