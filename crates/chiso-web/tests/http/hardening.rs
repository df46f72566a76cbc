//! Issue 11: what an attacker and a busy province found. Each test failed before
//! its fix.

use crate::support::{ADMIN_PASSWORD, PASSWORD, TestApp, location, spawn};
use chiso_store::{Actor, AuditFilter, RoundId, Store, ValueChange};
use chiso_web::{AppState, WebConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{Read, Write};

use std::time::{Duration, Instant};

/// The app with its own settings (as `spawn` does otherwise).
async fn spawn_with(config: WebConfig) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("chiso.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    chiso_web::first_start(&store, Some(ADMIN_PASSWORD.into()), chiso_web::Bundled::Published).await.unwrap();
    let state = AppState::new(store.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(chiso_web::serve(listener, state, std::future::pending()));
    TestApp::from_parts(base, store, dir)
}

/// A sign-in attempt from a client address (`X-Forwarded-For`, honoured with
/// `trust_proxy`), on a fresh client; the status it got.
pub async fn sign_in_from(app: &TestApp, address: &str, username: &str, password: &str) -> StatusCode {
    let browser = app.browser();
    let (_, page) = browser.text("/login").await;
    let token = crate::support::csrf_of(&page);
    let response = browser
        .client
        .post(browser.url("/login"))
        .header("x-forwarded-for", address)
        .form(&[("csrf", token.as_str()), ("username", username), ("password", password), ("next", "")])
        .send()
        .await
        .unwrap();
    response.status()
}

async fn audit_count(store: &Store) -> usize {
    store.audit(&AuditFilter { limit: Some(100_000), ..Default::default() }).await.unwrap().len()
}

#[tokio::test]
async fn issue_11_parallel_wrong_passwords_get_five_checks_and_the_owner_still_gets_in() {
    let app = spawn_with(WebConfig { trust_proxy: true, password_queue: 200, ..WebConfig::default() }).await;
    app.add_user("lan", chiso_store::Role::Viewer, None).await;
    let attempts = (0..60).map(|_| {
        let app = &app;
        async move { sign_in_from(app, "10.0.0.66", "lan", "wrong").await }
    });
    let statuses = futures_join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, throttled), (5, 55), "{statuses:?}");
    // The attacker's address stays refused, even with the right password ...
    assert_eq!(sign_in_from(&app, "10.0.0.66", "lan", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    // ... and the owner, elsewhere, is not locked out.
    assert_eq!(sign_in_from(&app, "10.0.0.7", "lan", PASSWORD).await, StatusCode::SEE_OTHER);
}

/// Runs futures at once on this task (no extra dependency).
pub async fn futures_join_all<F: std::future::Future<Output = StatusCode>>(
    futures: impl Iterator<Item = F>,
) -> Vec<StatusCode> {
    let set: Vec<_> = futures.map(Box::pin).collect();
    let mut results = vec![None; set.len()];
    let mut pending: Vec<(usize, std::pin::Pin<Box<F>>)> = set.into_iter().enumerate().collect();
    std::future::poll_fn(|cx| {
        pending.retain_mut(|(i, future)| match future.as_mut().poll(cx) {
            std::task::Poll::Ready(status) => {
                results[*i] = Some(status);
                false
            }
            std::task::Poll::Pending => true,
        });
        if pending.is_empty() { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    results.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn issue_11_password_checks_wait_in_a_bounded_queue() {
    let app = spawn_with(WebConfig {
        trust_proxy: true,
        password_workers: 1,
        password_queue: 2,
        max_login_failures: 1_000,
        ..WebConfig::default()
    })
    .await;
    // 40 sign-ins at once, each from its own address: at most 3 are admitted at a
    // time (1 hashing, 2 waiting); the rest are told to come back.
    let attempts = (0..40).map(|i| {
        let app = &app;
        async move { sign_in_from(app, &format!("10.1.0.{i}"), "admin", "wrong").await }
    });
    let statuses = futures_join_all(attempts).await;
    let busy = statuses.iter().filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE).count();
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert!(busy > 0 && checked >= 3 && busy + checked == 40, "{statuses:?}");
    // Afterwards the queue is free again.
    assert_eq!(sign_in_from(&app, "10.2.0.1", "admin", ADMIN_PASSWORD).await, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn issue_11_long_usernames_are_refused_before_anything_is_stored() {
    let app = spawn().await;
    let before = audit_count(&app.store).await;
    let long = "x".repeat(5 * 1024 * 1024);
    let status = sign_in_from(&app, "", &long, "wrong").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let status = sign_in_from(&app, "", &"y".repeat(65), "wrong").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(audit_count(&app.store).await, before, "nothing was written");
    // A long note on a form is refused with the field named, in the page's language.
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let response = admin.post_form("/admin/rounds/1/publish", &[("decision", &"d".repeat(5_000))]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("decision"));
    // The API's observation fields too.
    let token = api_token(&app, &admin).await;
    let payload = json!({ "observations": [{ "kpi": "k".repeat(101), "scope": "province", "period": "2025", "value": 1 }] });
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/observations"))
        .bearer_auth(&token)
        .json(&payload)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "observations[0].kpi");
}

async fn api_token(app: &TestApp, admin: &crate::support::Browser) -> String {
    let response =
        admin.post_form("/admin/tokens", &[("name", "feed"), ("scope", "observations:write")]).await;
    let page = response.text().await.unwrap();
    let marker = "data-testid=\"new-token\">";
    let start =
        page.find(marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("a new token in {page}"));
    let _ = app;
    page[start..].split('<').next().unwrap().trim().to_owned()
}

#[tokio::test]
async fn issue_11_redirects_stay_on_the_site() {
    let app = spawn().await;
    let browser = app.browser();
    for next in [
        "/%09/evil.example/x",
        "/%0A/evil.example",
        "/%5C/evil.example",
        "//evil.example",
        "https://evil.example",
    ] {
        let response = browser.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(location(&response), "/", "{next}");
    }
    // The sign-in form's `next` too.
    let mut browser = app.browser();
    let (_, page) = browser.text("/login").await;
    let token = crate::support::csrf_of(&page);
    let response = browser
        .client
        .post(browser.url("/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("next", "/\t/evil.example/x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/");
    browser.csrf.clear();
}

#[tokio::test]
async fn issue_11_a_password_change_signs_the_user_out_everywhere_else() {
    let app = spawn().await;
    let id = app.add_user("lan", chiso_store::Role::Viewer, None).await;
    let lan = app.signed_in("lan", PASSWORD).await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let response = admin
        .post_form(&format!("/admin/users/{}/password", id.0), &[("password", "mật-khẩu-mới-2026")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Lan's old session is gone; the admin's own is not.
    let response = lan.get("/work").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
    assert_eq!(admin.get("/admin/users").await.status(), StatusCode::OK);
    // A disabled user's live session ends at once as well.
    let lan = app.signed_in("lan", "mật-khẩu-mới-2026").await;
    app.store.set_user_disabled(id, true, Actor::System).await.unwrap();
    assert!(location(&lan.get("/work").await).starts_with("/login"));
}

/// The sheets of an XLSX file (their XML), which stay the same whenever it is
/// written from the same results (the file's own creation time aside).
fn sheets_of(xlsx: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut sheets = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        if name.starts_with("xl/worksheets/") || name == "xl/sharedStrings.xml" {
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            sheets.push((name, text));
        }
    }
    sheets.sort();
    sheets
}

#[tokio::test]
async fn issue_11_the_public_annex_shows_only_what_was_published() {
    let app = spawn().await;
    let client = app.browser();
    let annex = || async { client.get("/rounds/1/annex.xlsx").await.bytes().await.unwrap().to_vec() };
    let published = sheets_of(&annex().await);
    // A correction is made but not yet published: the annex does not move.
    let value = app
        .store
        .round_values(RoundId(1))
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.unit == "STP" && v.value.parse::<f64>().is_ok_and(|x| x > 0.0))
        .unwrap();
    let change = ValueChange {
        unit: "STP".into(),
        indicator: value.indicator.clone(),
        value: "0".into(),
        note: None,
        expected_version: None,
    };
    app.store.set_round_values(RoundId(1), &[change], Actor::System).await.unwrap();
    assert_eq!(sheets_of(&annex().await), published);
    // Published, the correction shows.
    app.store.publish_round(RoundId(1), "Quyết định số 2/QĐ-UBND", Actor::System).await.unwrap();
    assert_ne!(sheets_of(&annex().await), published);
}

#[tokio::test]
async fn issue_11_pages_carry_a_strict_policy_and_private_pages_are_not_stored() {
    let app = spawn_with(WebConfig { secure_cookies: false, ..WebConfig::default() }).await;
    let browser = app.browser();
    let response = browser.get("/rounds/1/map").await;
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"), "{csp}");
    assert!(!csp.split(';').any(|d| d.contains("script-src") && d.contains("unsafe-inline")), "{csp}");
    assert!(response.headers().get("strict-transport-security").is_none());
    let page = response.text().await.unwrap();
    assert!(!page.contains("<script>") && !page.contains(" onload=") && !page.contains(" onclick="));
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    for path in ["/admin", "/work", "/rounds/1"] {
        let response = admin.get(path).await;
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    // Public pages for anonymous readers may be cached.
    assert_ne!(
        browser.get("/rounds/1").await.headers().get("cache-control").map(|v| v.to_str().unwrap()),
        Some("no-store")
    );

    let https = spawn_with(WebConfig { secure_cookies: true, ..WebConfig::default() }).await;
    let response = https.browser().get("/").await;
    assert!(response.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
}

#[tokio::test]
async fn issue_11_a_client_that_trickles_its_headers_is_disconnected() {
    let app =
        spawn_with(WebConfig { header_read_timeout: Duration::from_millis(500), ..WebConfig::default() })
            .await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buffer = Vec::new();
    // The server closes the connection (possibly after a 408) instead of waiting.
    let read = tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut buffer);
    let _ = tokio::time::timeout(Duration::from_secs(10), read).await;
    assert!(started.elapsed() < Duration::from_secs(5), "held for {:?}", started.elapsed());
}

#[tokio::test]
async fn issue_11_evidence_needs_an_indicator_that_exists() {
    let app = spawn().await;
    let (admin, round) = crate::workflow::setup(&app).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", admin.csrf.clone())
        .text("indicator", "99.99")
        .text("number", "1/QĐ")
        .text("date", "2024-01-01")
        .text("summary", "x");
    let response = admin
        .client
        .post(admin.url(&format!("/work/rounds/{round}/units/STTTT/evidence")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    assert!(app.store.evidence(RoundId(round), "STTTT").await.unwrap().is_empty());
}

/// A workbook whose one sheet claims cells from A1 to XFD1048576 (a few KB).
fn huge_workbook(sheet: &str) -> Vec<u8> {
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
        ("xl/workbook.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned()),
        ("xl/worksheets/sheet1.xml", r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#.to_owned()),
    ];
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    for (name, text) in files {
        writer.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap();
    buffer.into_inner()
}

#[tokio::test]
async fn issue_11_a_huge_spreadsheet_is_refused_and_the_server_stays_up() {
    let app = spawn().await;
    let (admin, round) = crate::workflow::setup(&app).await;
    let upload = |who: &crate::support::Browser, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", who.csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name("tu-danh-gia.xlsx"));
        who.client.post(who.url(&format!("/work/rounds/{round}/xlsx"))).multipart(form).send()
    };
    for sheet in ["provincial", "district"] {
        let response = upload(&admin, huge_workbook(sheet)).await.unwrap();
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    // A reporter whose unit is not in the round is refused before the file is read.
    app.add_user("bc.khac", chiso_store::Role::Reporter, Some("STC")).await;
    let other = app.signed_in("bc.khac", PASSWORD).await;
    let response = upload(&other, huge_workbook("provincial")).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Still serving.
    assert_eq!(app.browser().get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn issue_11_observations_come_a_page_at_a_time_and_the_dashboard_follows_new_data() {
    let app = spawn().await;
    let client = reqwest::Client::new();
    let all: Value =
        client.get(app.url("/api/v1/observations?limit=10000")).send().await.unwrap().json().await.unwrap();
    let total = all["total"].as_i64().unwrap();
    assert_eq!(all["observations"].as_array().unwrap().len() as i64, total);
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/observations?limit=7".to_owned());
    while let Some(path) = next {
        let page: Value = client.get(app.url(&path)).send().await.unwrap().json().await.unwrap();
        seen.extend(page["observations"].as_array().unwrap().iter().cloned());
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(Value::Array(seen), all["observations"], "the pages together are the whole list, in order");
    for bad in ["limit=0", "limit=10001", "offset=-1"] {
        let response = client.get(app.url(&format!("/api/v1/observations?{bad}"))).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    // The cached dashboard and KPI answers change as soon as the data does.
    let (_, before) = app.browser().text("/monitoring").await;
    let kpis_before: Value =
        client.get(app.url("/api/v1/kpis?year=2031")).send().await.unwrap().json().await.unwrap();
    assert!(!kpis_before["kpis"].as_array().unwrap().iter().any(|k| k["value"]["value"] == 123_456_789.0));
    let observation = chiso_store::NewObservation {
        kpi: "vneid_accounts".into(),
        scope: "province".into(),
        period: "2031".into(),
        value: 123_456_789.0,
        note: None,
    };
    app.store.add_observations(&[observation], Actor::System).await.unwrap();
    // At most `monitoring_staleness` (1 s) later, pages and the API show it.
    let written = Instant::now();
    let (after, kpis_after) = loop {
        let (_, after) = app.browser().text("/monitoring").await;
        let kpis: Value =
            client.get(app.url("/api/v1/kpis?year=2031")).send().await.unwrap().json().await.unwrap();
        let shown = kpis["kpis"].as_array().unwrap().iter().any(|k| k["value"]["value"] == 123_456_789.0);
        if (after != before && shown) || written.elapsed() > Duration::from_secs(5) {
            break (after, kpis);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(written.elapsed() < Duration::from_secs(3), "the new data took {:?} to show", written.elapsed());
    assert!(after.contains("2031"));
    assert!(kpis_after["kpis"].as_array().unwrap().iter().any(|k| k["value"]["value"] == 123_456_789.0));
}
