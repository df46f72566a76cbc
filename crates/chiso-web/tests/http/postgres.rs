//! The same app on PostgreSQL: a fresh database, the first start, the public
//! pages, an upload published by an admin, and an observation posted with a token.
//! Runs when CHISO_TEST_DATABASE_URL is set (`.ci/run` sets it); says so otherwise,
//! or fails when CHISO_REQUIRE_POSTGRES=1 (`.ci/run` sets it where PostgreSQL runs).

use crate::support::{ADMIN_PASSWORD, location, sonla_2025, spawn_on, zip};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

const VARIABLE: &str = "CHISO_TEST_DATABASE_URL";
const REQUIRED: &str = "CHISO_REQUIRE_POSTGRES";

/// The server's URL, or `None` after saying so past the test harness's capture;
/// a failure instead when `CHISO_REQUIRE_POSTGRES=1`.
fn postgres_url() -> Option<String> {
    let url = std::env::var(VARIABLE).ok().filter(|url| !url.is_empty());
    if url.is_none() {
        assert!(
            std::env::var(REQUIRED).as_deref() != Ok("1"),
            "{REQUIRED}=1 but {VARIABLE} is not set: set it, e.g. {VARIABLE}=postgres://postgres@127.0.0.1:5432/postgres"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED the web app on PostgreSQL: set {VARIABLE}=postgres://postgres@127.0.0.1:5432/postgres"
        );
    }
    url
}

/// `postgres://u@h:5432/postgres` with another database name.
fn with_database(url: &str, database: &str) -> String {
    let authority = url.find("://").map_or(0, |i| i + 3);
    let base = match url[authority..].find('/') {
        Some(slash) => &url[..authority + slash],
        None => url,
    };
    format!("{base}/{database}")
}

#[tokio::test]
async fn the_web_app_works_the_same_on_postgresql() {
    let Some(admin_url) = postgres_url() else { return };
    let name = format!("chiso_web_test_{}", std::process::id());
    let admin = sqlx::AnyPool::connect(&{
        sqlx::any::install_default_drivers();
        admin_url.clone()
    })
    .await
    .unwrap_or_else(|e| panic!("cannot reach the PostgreSQL server {VARIABLE} names: {e}"));
    let drop_sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    sqlx::query(sqlx::AssertSqlSafe(drop_sql.clone())).execute(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
    let app = spawn_on(&with_database(&admin_url, &name), tempfile::tempdir().unwrap()).await;

    let (status, page) = app.browser().text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("74,80"));
    let admin_browser = app.signed_in("admin", ADMIN_PASSWORD).await;
    let upload = BTreeMap::from([("sonla-2025.zip".to_owned(), zip("sonla-2025", &sonla_2025()))]);
    let response = admin_browser.post_files("/admin/rounds", &upload).await;
    assert_eq!(location(&response), "/admin/rounds/2?notice=imported");
    let response = admin_browser.post_form("/admin/rounds/2/publish", &[("decision", "QĐ 1/2025")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(app.browser().text("/").await.1.contains("So với 2024"));
    let page =
        admin_browser.post_form("/admin/tokens", &[("name", "VB"), ("scope", "observations:write")]).await;
    let page = page.text().await.unwrap();
    let marker = "data-testid=\"new-token\">";
    let token = page[page.find(marker).unwrap() + marker.len()..].split('<').next().unwrap().to_owned();
    let kpi = app.store.monitoring().await.unwrap().catalogue.kpis[0].code.clone();
    let body =
        json!({ "observations": [{ "kpi": kpi, "scope": "province", "period": "2026-Q1", "value": 1.5 }] });
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/observations"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let again = reqwest::Client::new()
        .post(app.url("/api/v1/observations"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let health: Value = reqwest::get(app.url("/healthz")).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    // The observation reached the cached dashboard's API (the version moved).
    let kpis: Value = reqwest::get(app.url("/api/v1/kpis?year=2026")).await.unwrap().json().await.unwrap();
    assert!(kpis["kpis"].as_array().unwrap().iter().any(|k| k["latest"]["period"] == "2026-Q1"), "{kpis}");

    // Issue 11 on PostgreSQL: a 5 MB username was a 500 (btree row too large); now a
    // 400 before anything is stored. Parallel wrong passwords get exactly 5 checks.
    let status = crate::hardening::sign_in_from(&app, "", &"x".repeat(5 * 1024 * 1024), "wrong").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let attempts = (0..30).map(|_| crate::hardening::sign_in_from(&app, "", "admin", "wrong"));
    let statuses = crate::hardening::futures_join_all(attempts).await;
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count(), 5, "{statuses:?}");

    app.store.close().await;
    sqlx::query(sqlx::AssertSqlSafe(drop_sql)).execute(&admin).await.unwrap();
}
