//! Administration pages: rounds (upload → draft → publish), monitoring uploads,
//! users, the audit log, API tokens. Every page needs a signed-in user; every
//! change needs an admin and the session's CSRF token.

mod audit;
mod monitoring;
mod rounds;
mod service;
mod tokens;
mod users;

pub use audit::audit;
pub use monitoring::upload_monitoring;
pub use rounds::{PublishForm, decision_of, publish, round, upload_round};
pub use service::{add_source, pull_now, source, sources, update_source};
pub use tokens::{create_token, revoke_token, tokens};
pub use users::{add_user, set_password, update_user, users};

use super::{Chrome, PageCtx};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::StaffUser;
use crate::i18n::format_datetime;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_store::{RoundStatus, StoreError};
use serde::Deserialize;
use std::collections::HashMap;

fn status_label(status: RoundStatus, lang: Lang) -> &'static str {
    match status {
        RoundStatus::Draft => lang.pick("Nháp", "Draft"),
        RoundStatus::Published => lang.pick("Đã công bố", "Published"),
    }
}

fn notice_text(code: Option<&str>, lang: Lang) -> Option<String> {
    let text = match code? {
        "imported" => {
            lang.pick("Gói hợp lệ: đã tạo đợt nháp.", "The package is valid: a draft round was created.")
        }
        "published" => lang.pick("Đã công bố kết quả.", "The results were published."),
        "user-added" => lang.pick("Đã thêm người dùng.", "The user was added."),
        "user-saved" => lang.pick("Đã lưu.", "Saved."),
        "password-set" => lang.pick("Đã đặt mật khẩu mới.", "The new password was set."),
        "monitoring" => lang.pick("Đã nhập số liệu theo dõi.", "The monitoring data was imported."),
        _ => return None,
    };
    Some(text.into())
}

/// Readable names of actors: `user:3` → `lan`, `token:2` → `token 2 (Hệ thống …)`.
pub async fn actor_names(ctx: &PageCtx) -> Result<HashMap<String, String>, AppError> {
    let mut names: HashMap<String, String> =
        ctx.state.store.users().await?.into_iter().map(|u| (format!("user:{}", u.id), u.username)).collect();
    for token in ctx.state.store.api_tokens().await? {
        names.insert(format!("token:{}", token.id), format!("token {} ({})", token.id, token.name));
    }
    names.insert("system".into(), ctx.lang.pick("hệ thống", "system").into());
    Ok(names)
}

fn actor_name(names: &HashMap<String, String>, actor: String) -> String {
    names.get(&actor).cloned().unwrap_or(actor)
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RoundRow {
    id: i64,
    year: i32,
    name: String,
    status: &'static str,
    status_label: &'static str,
    created: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/index.html")]
pub struct AdminPage {
    c: Chrome,
    user_name: String,
    role: &'static str,
    notice: Option<String>,
    errors: Vec<String>,
    rounds: Vec<RoundRow>,
}

async fn admin_page(
    ctx: &PageCtx,
    who: &SignedIn,
    notice: Option<String>,
    errors: Vec<String>,
) -> Result<AdminPage, AppError> {
    let rounds = ctx
        .state
        .store
        .rounds()
        .await?
        .into_iter()
        .map(|r| RoundRow {
            id: r.id.0,
            year: r.year,
            name: r.name.get(ctx.lang).to_owned(),
            status: r.status.code(),
            status_label: status_label(r.status, ctx.lang),
            created: format_datetime(r.created_at, ctx.lang),
        })
        .collect();
    Ok(AdminPage {
        c: ctx.chrome(Some(who)),
        user_name: who.user.display_name.clone(),
        role: who.user.role.code(),
        notice,
        errors,
        rounds,
    })
}

pub async fn index(
    ctx: PageCtx,
    StaffUser(who): StaffUser,
    Query(query): Query<NoticeQuery>,
) -> Result<AdminPage, AppError> {
    let notice = notice_text(query.notice.as_deref(), ctx.lang);
    admin_page(&ctx, &who, notice, Vec::new()).await
}

/// The admin page listing every error of a refused upload (422).
pub async fn refused(ctx: &PageCtx, who: &SignedIn, errors: Vec<String>) -> Result<Response, AppError> {
    let page = admin_page(ctx, who, None, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn store_errors(error: &StoreError, lang: Lang) -> Option<Vec<String>> {
    match error {
        StoreError::Invalid(errors) => Some(errors.0.iter().map(|e| e.render(lang)).collect()),
        StoreError::Refused(rows) => Some(
            rows.iter()
                .map(|r| {
                    let message = r.kind.message(lang);
                    format!("{} {}: {message}", lang.pick("Hàng", "Row"), r.row + 1)
                })
                .collect(),
        ),
        StoreError::Conflict(_) | StoreError::InvalidInput(_) => error.message(lang).map(|m| vec![m]),
        _ => None,
    }
}
