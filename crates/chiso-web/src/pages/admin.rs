//! Administration pages: rounds (upload → draft → publish), monitoring uploads,
//! users, the audit log, API tokens. Every page needs a signed-in user; every
//! change needs an admin and the session's CSRF token.

use super::{Chrome, check_form, chrome, see_other};
use crate::auth::{self, SignedIn, random_token, sha256_hex};
use crate::error::AppError;
use crate::form::Form;
use crate::i18n::{Locale, format_datetime, parse_date_ms};
use crate::state::AppState;
use crate::upload;
use crate::views::results::ResultsDoc;
use crate::views::round::RankRow;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_io::Files;
use chiso_io::monitoring::{OBSERVATIONS_FILE, read_observations_with};
use chiso_store::{
    AuditFilter, DEFAULT_AUDIT_LIMIT, NewApiToken, NewObservation, NewUser, Role, RoundId, RoundStatus,
    StoreError, UserId,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

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
pub async fn actor_names(state: &AppState, lang: Lang) -> Result<HashMap<String, String>, AppError> {
    let mut names: HashMap<String, String> =
        state.store.users().await?.into_iter().map(|u| (format!("user:{}", u.id), u.username)).collect();
    for token in state.store.api_tokens().await? {
        names.insert(format!("token:{}", token.id), format!("token {} ({})", token.id, token.name));
    }
    names.insert("system".into(), lang.pick("hệ thống", "system").into());
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
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    notice: Option<String>,
    errors: Vec<String>,
) -> Result<AdminPage, AppError> {
    let lang = locale.0;
    let rounds = state
        .store
        .rounds()
        .await?
        .into_iter()
        .map(|r| RoundRow {
            id: r.id.0,
            year: r.year,
            name: r.name.get(lang).to_owned(),
            status: r.status.code(),
            status_label: status_label(r.status, lang),
            created: format_datetime(r.created_at, lang),
        })
        .collect();
    Ok(AdminPage {
        c: chrome(locale, uri, Some(who)),
        user_name: who.user.display_name.clone(),
        role: who.user.role.code(),
        notice,
        errors,
        rounds,
    })
}

/// Who may see the administration's overview and a round's provisional results:
/// everyone but reporters, who see only their own unit until publication.
const STAFF: &[Role] = &[Role::Admin, Role::Appraiser, Role::Viewer];

pub async fn index(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    Query(query): Query<NoticeQuery>,
) -> Result<AdminPage, AppError> {
    who.require(STAFF)?;
    let notice = notice_text(query.notice.as_deref(), locale.0);
    admin_page(&state, &who, locale, &uri, notice, Vec::new()).await
}

/// Turns a refused upload into the admin page listing every error.
pub async fn refused_page(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    refused(state, who, locale, uri, errors).await
}

async fn refused(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let page = admin_page(state, who, locale, uri, None, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn store_errors(error: &StoreError, lang: Lang) -> Option<Vec<String>> {
    match error {
        StoreError::Invalid(errors) => Some(errors.0.iter().map(|e| e.render(lang)).collect()),
        StoreError::Refused(rows) => Some(
            rows.iter()
                .map(|r| {
                    let message = crate::api::row_problem_message(&r.kind, lang);
                    format!("{} {}: {message}", lang.pick("Hàng", "Row"), r.row + 1)
                })
                .collect(),
        ),
        StoreError::Conflict(message) | StoreError::InvalidInput(message) => Some(vec![message.clone()]),
        _ => None,
    }
}

pub async fn upload_round(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    let form = upload::read(multipart).await?;
    check_form(&who, &headers, form.field("csrf"))?;
    let limit = state.config.max_upload_bytes as u64 * 4;
    let files = match upload::package_files(form.files, "assessment.toml", limit) {
        Ok(files) => files,
        Err(problem) => return refused(&state, &who, locale, &uri, vec![problem.message(locale.0)]).await,
    };
    match state.store.import_round(Files::Memory(files), who.actor()).await {
        Ok(id) => {
            tracing::info!(round = %id, user = %who.user.id, "round imported");
            Ok(see_other(&format!("/admin/rounds/{id}?notice=imported")))
        }
        Err(error) => match store_errors(&error, locale.0) {
            Some(errors) => refused(&state, &who, locale, &uri, errors).await,
            None => Err(error.into()),
        },
    }
}

pub async fn upload_monitoring(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    let lang = locale.0;
    let form = upload::read(multipart).await?;
    check_form(&who, &headers, form.field("csrf"))?;
    let limit = state.config.max_upload_bytes as u64 * 4;
    let only_observations = !form.files.is_empty()
        && form.files.iter().all(|(name, _)| name.rsplit(['/', '\\']).next() == Some(OBSERVATIONS_FILE));
    let result = if only_observations {
        add_observations_file(&state, &who, form.files, lang).await
    } else {
        match upload::package_files(form.files, "kpis.toml", limit) {
            Ok(files) => state
                .store
                .import_monitoring(Files::Memory(files), who.actor())
                .await
                .map(|_| ())
                .map_err(|e| store_errors(&e, lang).ok_or(AppError::Store(e))),
            Err(problem) => Err(Ok(vec![problem.message(lang)])),
        }
    };
    match result {
        Ok(()) => Ok(see_other("/admin?notice=monitoring")),
        Err(Ok(errors)) => refused(&state, &who, locale, &uri, errors).await,
        Err(Err(error)) => Err(error),
    }
}

type UploadResult = Result<(), Result<Vec<String>, AppError>>;

/// observations.csv alone: read against the stored catalogue, added all or nothing.
async fn add_observations_file(
    state: &AppState,
    who: &SignedIn,
    files: Vec<(String, Vec<u8>)>,
    lang: Lang,
) -> UploadResult {
    let monitoring = state.store.monitoring().await.map_err(|e| Err(e.into()))?;
    let content = files.into_iter().next().map(|(_, c)| c).unwrap_or_default();
    let files = Files::Memory(BTreeMap::from([(OBSERVATIONS_FILE.to_owned(), content)]));
    let (observations, _) = read_observations_with(&files, &monitoring.catalogue)
        .map_err(|errors| Ok(errors.0.iter().map(|e| e.render(lang)).collect()))?;
    let rows: Vec<NewObservation> = observations
        .into_iter()
        .map(|o| NewObservation {
            kpi: monitoring.catalogue.kpis[o.kpi].code.clone(),
            scope: o.scope,
            period: o.period.to_string(),
            value: o.value,
            note: o.note,
        })
        .collect();
    state.store.add_observations(&rows, who.actor()).await.map(|_| ()).map_err(|e| match &e {
        StoreError::Refused(problems) => Ok(problems
            .iter()
            .map(|p| {
                format!(
                    "{OBSERVATIONS_FILE}:{}: {}",
                    p.row + 2,
                    crate::api::row_problem_message(&p.kind, lang)
                )
            })
            .collect()),
        _ => Err(e.into()),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/round.html")]
pub struct RoundPage {
    c: Chrome,
    id: i64,
    year: i32,
    name: String,
    status: &'static str,
    status_label: &'static str,
    created: String,
    created_by: String,
    notice: Option<String>,
    groups: Vec<PreviewGroup>,
    publications: Vec<(i64, String, String, String)>,
}

#[derive(Debug, Clone)]
pub struct PreviewGroup {
    code: String,
    name: String,
    unit_count: usize,
    mean_text: String,
    rows: Vec<RankRow>,
}

pub async fn round(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<RoundPage, AppError> {
    // A draft round's totals are not public: a reporter sees only their own unit
    // (on /work) until the round is published.
    who.require(STAFF)?;
    let lang = locale.0;
    let id = RoundId(id);
    let round = state.store.round(id).await?.ok_or(AppError::NotFound)?;
    let package = state.store.round_package(id).await?;
    let results = package.score().map_err(|e| AppError::Internal(e.to_string()))?;
    let mut json = Vec::new();
    chiso_io::render::json::write(&mut json, &package.assessment, &results, &package.kpi_sources, lang)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let doc: ResultsDoc = serde_json::from_slice(&json).map_err(|e| AppError::Internal(e.to_string()))?;
    let band_label = |group: &str, band: &str| {
        package
            .assessment
            .groups
            .iter()
            .find(|g| g.code == group)
            .and_then(|g| g.framework.bands.iter().find(|b| b.code == band))
            .map_or_else(|| band.to_owned(), |b| b.label.get(lang).to_owned())
    };
    let groups = doc
        .groups
        .iter()
        .map(|g| PreviewGroup {
            code: g.code.clone(),
            name: g.name.clone(),
            unit_count: g.units,
            mean_text: g.mean.map_or("—".into(), |m| lang.number(m, 2)),
            rows: doc
                .units
                .iter()
                .filter(|u| u.group == g.code)
                .map(|u| RankRow {
                    rank: u.rank,
                    code: u.code.clone(),
                    name: u.name.clone(),
                    total: u.total.unwrap_or(f64::NAN),
                    total_text: lang.number(u.total.unwrap_or(f64::NAN), 2),
                    band: u.band.clone(),
                    band_label: band_label(&g.code, &u.band),
                    change: None,
                    change_text: String::new(),
                    url: String::new(),
                    interval: None,
                })
                .collect(),
        })
        .collect();
    let names = actor_names(&state, lang).await?;
    let publications = state
        .store
        .publications(id)
        .await?
        .into_iter()
        .map(|p| {
            (p.id.0, format_datetime(p.published_at, lang), actor_name(&names, p.published_by), p.decision)
        })
        .collect();
    Ok(RoundPage {
        c: chrome(locale, &uri, Some(&who)),
        id: id.0,
        year: round.year,
        name: round.name.get(lang).to_owned(),
        status: round.status.code(),
        status_label: status_label(round.status, lang),
        created: format_datetime(round.created_at, lang),
        created_by: actor_name(&names, round.created_by),
        notice: notice_text(query.notice.as_deref(), lang),
        groups,
        publications,
    })
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub decision: String,
}

pub async fn publish(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<PublishForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    if form.decision.trim().is_empty() {
        return Err(AppError::BadRequest(
            "Cần ghi quyết định phê duyệt. · The approving decision is required.".into(),
        ));
    }
    let publication = state.store.publish_round(RoundId(id), &form.decision, who.actor()).await?;
    tracing::info!(round = id, publication = %publication, user = %who.user.id, "round published");
    Ok(see_other(&format!("/admin/rounds/{id}?notice=published")))
}

// ---- users -------------------------------------------------------------------

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
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    notice: Option<String>,
    error: Option<String>,
) -> Result<UsersPage, AppError> {
    let users = state
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
    Ok(UsersPage { c: chrome(locale, uri, Some(who)), notice, error, users, roles: roles(locale.0) })
}

pub async fn users(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    Query(query): Query<NoticeQuery>,
) -> Result<UsersPage, AppError> {
    who.require(&[Role::Admin])?;
    users_page(&state, &who, locale, &uri, notice_text(query.notice.as_deref(), locale.0), None).await
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
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
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<UserForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    let lang = locale.0;
    if let Some(problem) = user_problem(&form, lang, true) {
        let page = users_page(&state, &who, locale, &uri, None, Some(problem)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let password_hash = auth::hash_password_async(&state, form.password.clone()).await?;
    let new = NewUser {
        username: form.username.trim().to_owned(),
        display_name: form.display_name.trim().to_owned(),
        password_hash,
        role: form.role.parse().map_err(AppError::BadRequest)?,
        unit_code: Some(form.unit_code.trim().to_owned()).filter(|u| !u.is_empty()),
    };
    match state.store.create_user(&new, who.actor()).await {
        Ok(_) => Ok(see_other("/admin/users?notice=user-added")),
        Err(StoreError::Conflict(_)) => {
            let message = lang.pick("Tên đăng nhập đã có người dùng.", "That username is taken.");
            let page = users_page(&state, &who, locale, &uri, None, Some(message.into())).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(StoreError::InvalidInput(message)) => {
            let page = users_page(&state, &who, locale, &uri, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn update_user(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    let lang = locale.0;
    if let Some(problem) = user_problem(&form, lang, false) {
        let page = users_page(&state, &who, locale, &uri, None, Some(problem)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let id = UserId(id);
    let role: Role = form.role.parse().map_err(AppError::BadRequest)?;
    let disabled = form.disabled.is_some();
    if id == who.user.id && (role != Role::Admin || disabled) {
        let message = lang.pick(
            "Không thể tự bỏ quyền quản trị hoặc tự khoá tài khoản của mình.",
            "You cannot remove your own admin role or disable yourself.",
        );
        let page = users_page(&state, &who, locale, &uri, None, Some(message.into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let unit = Some(form.unit_code.trim().to_owned()).filter(|u| !u.is_empty());
    state.store.update_user(id, form.display_name.trim(), role, unit.as_deref(), who.actor()).await?;
    state.store.set_user_disabled(id, disabled, who.actor()).await?;
    Ok(see_other("/admin/users?notice=user-saved"))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

pub async fn set_password(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    if form.password.chars().count() < MIN_PASSWORD_CHARS {
        let message =
            locale.0.pick("Mật khẩu cần ít nhất 8 ký tự.", "The password needs 8 characters or more.");
        let page = users_page(&state, &who, locale, &uri, None, Some(message.into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = auth::hash_password_async(&state, form.password).await?;
    state.store.set_password_hash(UserId(id), &hash, Some(&who.session.id_hash), who.actor()).await?;
    Ok(see_other("/admin/users?notice=password-set"))
}

// ---- audit log -----------------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
}

#[derive(Debug, Clone)]
pub struct AuditRow {
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    before: String,
    after: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    c: Chrome,
    filter: AuditQuery,
    error: Option<String>,
    rows: Vec<AuditRow>,
    limit: i64,
}

fn shorten(value: Option<serde_json::Value>) -> String {
    let text = value.map(|v| v.to_string()).unwrap_or_default();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

pub async fn audit(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    Query(query): Query<AuditQuery>,
) -> Result<AuditPage, AppError> {
    who.require(&[Role::Admin])?;
    let lang = locale.0;
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let date = |s: &str| if s.trim().is_empty() { Ok(None) } else { parse_date_ms(s).map(Some).ok_or(()) };
    let (since, until) = (date(&query.since), date(&query.until));
    let error = (since.is_err() || until.is_err())
        .then(|| lang.pick("Ngày phải có dạng 2024-12-31.", "Dates are written 2024-12-31.").to_owned());
    let filter = AuditFilter {
        actor: text(&query.actor),
        action: text(&query.action),
        entity: text(&query.entity),
        entity_id: None,
        since: since.unwrap_or(None),
        // The whole "until" day is included.
        until: until.unwrap_or(None).map(|ms| ms + 86_400_000),
        limit: Some(DEFAULT_AUDIT_LIMIT),
    };
    let names = actor_names(&state, lang).await?;
    let rows = state
        .store
        .audit(&filter)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            at: format_datetime(e.at, lang),
            actor: format!("{} ({})", actor_name(&names, e.actor.clone()), e.actor),
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: shorten(e.before),
            after: shorten(e.after),
        })
        .collect();
    Ok(AuditPage {
        c: chrome(locale, &uri, Some(&who)),
        filter: query,
        error,
        rows,
        limit: DEFAULT_AUDIT_LIMIT,
    })
}

// ---- API tokens ------------------------------------------------------------------

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

pub const OBSERVATIONS_WRITE: &str = "observations:write";

async fn tokens_page(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    uri: &Uri,
    new_token: Option<String>,
    error: Option<String>,
) -> Result<TokensPage, AppError> {
    let lang = locale.0;
    let tokens = state
        .store
        .api_tokens()
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.0,
            name: t.name,
            scopes: t.scopes.join(" "),
            created: format_datetime(t.created_at, lang),
            last_used: t.last_used_at.map(|ms| format_datetime(ms, lang)).unwrap_or_else(|| "—".into()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    Ok(TokensPage { c: chrome(locale, uri, Some(who)), new_token, error, tokens })
}

pub async fn tokens(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
) -> Result<TokensPage, AppError> {
    who.require(&[Role::Admin])?;
    tokens_page(&state, &who, locale, &uri, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: Option<String>,
}

pub async fn create_token(
    State(state): State<AppState>,
    who: SignedIn,
    locale: Locale,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    if form.name.trim().is_empty() {
        let message = locale.0.pick("Cần tên hệ thống dùng khoá.", "Name the system that uses the token.");
        let page = tokens_page(&state, &who, locale, &uri, None, Some(message.into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let token = random_token();
    let scopes = form.scope.into_iter().filter(|s| s == OBSERVATIONS_WRITE).collect();
    let new = NewApiToken { name: form.name.trim().to_owned(), token_hash: sha256_hex(&token), scopes };
    state.store.create_api_token(&new, who.actor()).await?;
    // Shown once, in this response only; the page is not cached.
    let page = tokens_page(&state, &who, locale, &uri, Some(token), None).await?;
    let mut response = page.into_response();
    response
        .headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
}

pub async fn revoke_token(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    who.require(&[Role::Admin])?;
    check_form(&who, &headers, &form.csrf)?;
    state.store.revoke_api_token(chiso_store::ApiTokenId(id), who.actor()).await?;
    Ok(see_other("/admin/tokens"))
}
