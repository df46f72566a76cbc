//! Users: the list, adding one, changing one's role, unit or password.

use super::{NoticeQuery, notice_text};
use crate::auth::{self, SignedIn};
use crate::error::AppError;
use crate::extract::{AdminUser, CsrfForm};
use crate::pages::{Chrome, PageCtx, see_other};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_store::{NewUser, Role, StoreError, UserId};
use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    unit_code: String,
    disabled: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    c: Chrome,
    notice: Option<String>,
    error: Option<String>,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
}

fn roles(lang: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        ("admin", lang.pick("Quản trị viên", "Administrator")),
        ("appraiser", lang.pick("Thẩm định viên", "Appraiser")),
        ("reporter", lang.pick("Báo cáo viên (một đơn vị)", "Reporter (one unit)")),
        ("viewer", lang.pick("Người xem", "Viewer")),
    ]
}

async fn users_page(
    ctx: &PageCtx,
    who: &SignedIn,
    notice: Option<String>,
    error: Option<String>,
) -> Result<UsersPage, AppError> {
    let users = ctx
        .state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id.0,
            username: u.username,
            display_name: u.display_name,
            role: u.role.code(),
            unit_code: u.unit_code.unwrap_or_default(),
            disabled: u.disabled,
        })
        .collect();
    Ok(UsersPage { c: ctx.chrome(Some(who)), notice, error, users, roles: roles(ctx.lang) })
}

pub async fn users(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    Query(query): Query<NoticeQuery>,
) -> Result<UsersPage, AppError> {
    users_page(&ctx, &who, notice_text(query.notice.as_deref(), ctx.lang), None).await
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    disabled: Option<String>,
}

pub const MIN_PASSWORD_CHARS: usize = 8;

/// Why a user form cannot be saved, in the user's language.
fn user_problem(form: &UserForm, lang: Lang, new: bool) -> Option<String> {
    let role = form.role.parse::<Role>().ok();
    if new && form.username.trim().is_empty() {
        return Some(lang.pick("Cần tên đăng nhập.", "A username is required.").into());
    }
    if role.is_none() {
        return Some(lang.pick("Vai trò không hợp lệ.", "Unknown role.").into());
    }
    if role == Some(Role::Reporter) && form.unit_code.trim().is_empty() {
        return Some(lang.pick("Báo cáo viên cần mã đơn vị.", "A reporter needs a unit code.").into());
    }
    if new && form.password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(
            lang.pick("Mật khẩu cần ít nhất 8 ký tự.", "The password needs 8 characters or more.").into(),
        );
    }
    None
}

pub async fn add_user(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<Response, AppError> {
    if let Some(problem) = user_problem(&form, ctx.lang, true) {
        let page = users_page(&ctx, &who, None, Some(problem)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let password_hash = auth::hash_password_async(&ctx.state, form.password.clone()).await?;
    let new = NewUser {
        username: form.username.trim().to_owned(),
        display_name: form.display_name.trim().to_owned(),
        password_hash,
        role: form.role.parse().map_err(AppError::BadRequest)?,
        unit_code: Some(form.unit_code.trim().to_owned()).filter(|u| !u.is_empty()),
    };
    match ctx.state.store.create_user(&new, who.actor()).await {
        Ok(_) => Ok(see_other("/admin/users?notice=user-added")),
        Err(error @ (StoreError::Conflict(_) | StoreError::InvalidInput(_))) => {
            let status = match error {
                StoreError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let page = users_page(&ctx, &who, None, error.message(ctx.lang)).await?;
            Ok((status, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn update_user(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<Response, AppError> {
    if let Some(problem) = user_problem(&form, ctx.lang, false) {
        let page = users_page(&ctx, &who, None, Some(problem)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let id = UserId(id);
    let role: Role = form.role.parse().map_err(AppError::BadRequest)?;
    let disabled = form.disabled.is_some();
    if id == who.user.id && (role != Role::Admin || disabled) {
        let message = ctx.lang.pick(
            "Không thể tự bỏ quyền quản trị hoặc tự khoá tài khoản của mình.",
            "You cannot remove your own admin role or disable yourself.",
        );
        let page = users_page(&ctx, &who, None, Some(message.into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let unit = Some(form.unit_code.trim().to_owned()).filter(|u| !u.is_empty());
    ctx.state.store.update_user(id, form.display_name.trim(), role, unit.as_deref(), who.actor()).await?;
    ctx.state.store.set_user_disabled(id, disabled, who.actor()).await?;
    Ok(see_other("/admin/users?notice=user-saved"))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn set_password(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    if form.password.chars().count() < MIN_PASSWORD_CHARS {
        let message =
            ctx.lang.pick("Mật khẩu cần ít nhất 8 ký tự.", "The password needs 8 characters or more.");
        let page = users_page(&ctx, &who, None, Some(message.into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = auth::hash_password_async(&ctx.state, form.password).await?;
    ctx.state.store.set_password_hash(UserId(id), &hash, Some(&who.session.id_hash), who.actor()).await?;
    Ok(see_other("/admin/users?notice=password-set"))
}
