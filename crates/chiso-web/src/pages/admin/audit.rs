//! The audit log, filtered by actor, action, entity and dates.

use super::{actor_name, actor_names};
use crate::error::AppError;
use crate::extract::AdminUser;
use crate::i18n::{format_datetime, parse_date_ms};
use crate::pages::{Chrome, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use chiso_store::{AuditFilter, DEFAULT_AUDIT_LIMIT};
use serde::Deserialize;

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
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    Query(query): Query<AuditQuery>,
) -> Result<AuditPage, AppError> {
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let date = |s: &str| if s.trim().is_empty() { Ok(None) } else { parse_date_ms(s).map(Some).ok_or(()) };
    let (since, until) = (date(&query.since), date(&query.until));
    let error = (since.is_err() || until.is_err())
        .then(|| ctx.lang.pick("Ngày phải có dạng 2024-12-31.", "Dates are written 2024-12-31.").to_owned());
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
    let names = actor_names(&ctx).await?;
    let rows = ctx
        .state
        .store
        .audit(&filter)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            at: format_datetime(e.at, ctx.lang),
            actor: format!("{} ({})", actor_name(&names, e.actor.clone()), e.actor),
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: shorten(e.before),
            after: shorten(e.after),
        })
        .collect();
    Ok(AuditPage { c: ctx.chrome(Some(&who)), filter: query, error, rows, limit: DEFAULT_AUDIT_LIMIT })
}
