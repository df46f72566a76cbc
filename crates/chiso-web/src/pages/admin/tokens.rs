//! API tokens: created (shown once), listed, revoked.

use crate::auth::{OBSERVATIONS_WRITE, SignedIn, random_token, sha256_hex};
use crate::error::AppError;
use crate::extract::{AdminUser, CsrfForm};
use crate::i18n::format_datetime;
use crate::pages::{Chrome, PageCtx, see_other};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chiso_store::NewApiToken;
use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct TokenRow {
    id: i64,
    name: String,
    scopes: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/tokens.html")]
pub struct TokensPage {
    c: Chrome,
    new_token: Option<String>,
    error: Option<String>,
    tokens: Vec<TokenRow>,
}

async fn tokens_page(
    ctx: &PageCtx,
    who: &SignedIn,
    new_token: Option<String>,
    error: Option<String>,
) -> Result<TokensPage, AppError> {
    let tokens = ctx
        .state
        .store
        .api_tokens()
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.0,
            name: t.name,
            scopes: t.scopes.join(" "),
            created: format_datetime(t.created_at, ctx.lang),
            last_used: t.last_used_at.map(|ms| format_datetime(ms, ctx.lang)).unwrap_or_else(|| "—".into()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    Ok(TokensPage { c: ctx.chrome(Some(who)), new_token, error, tokens })
}

pub async fn tokens(ctx: PageCtx, AdminUser(who): AdminUser) -> Result<TokensPage, AppError> {
    tokens_page(&ctx, &who, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: Option<String>,
}

pub async fn create_token(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, AppError> {
    if form.name.trim().is_empty() {
        let message = ctx.lang.pick("Cần tên hệ thống dùng khoá.", "Name the system that uses the token.");
        let page = tokens_page(&ctx, &who, None, Some(message.into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let token = random_token();
    let scopes = form.scope.into_iter().filter(|s| s == OBSERVATIONS_WRITE).collect();
    let new = NewApiToken { name: form.name.trim().to_owned(), token_hash: sha256_hex(&token), scopes };
    ctx.state.store.create_api_token(&new, who.actor()).await?;
    // Shown once, in this response only; the page is not cached.
    let page = tokens_page(&ctx, &who, Some(token), None).await?;
    let mut response = page.into_response();
    response
        .headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The revocation form: nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct RevokeForm {}

pub async fn revoke_token(
    State(state): State<AppState>,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<RevokeForm>,
) -> Result<Response, AppError> {
    state.store.revoke_api_token(chiso_store::ApiTokenId(id), who.actor()).await?;
    Ok(see_other("/admin/tokens"))
}
