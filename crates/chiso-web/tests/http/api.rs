//! The JSON API: reads, token-authenticated observations with every bad field
//! named, and the OpenAPI document that lists every route.

use crate::admin::futures_join;
use crate::support::{ADMIN_PASSWORD, TestApp, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn results_units_and_rounds_read_as_published() {
    let app = spawn().await;
    let client = app.browser();
    let results: Value = client.get("/api/v1/rounds/1/results").await.json().await.unwrap();
    let stored = app.store.publication(chiso_store::PublicationId(1)).await.unwrap().unwrap();
    assert_eq!(results, serde_json::from_str::<Value>(&stored.results_json_vi).unwrap());
    assert_eq!(results["overall"]["units"], 32);
    let english: Value = client.get("/api/v1/rounds/1/results?lang=en").await.json().await.unwrap();
    assert_eq!(english["units"][0]["name"], "Department of Information and Communications");
    let units: Value = client.get("/api/v1/rounds/1/units").await.json().await.unwrap();
    assert_eq!(units.as_array().unwrap().len(), 32);
    let unit: Value = client.get("/api/v1/rounds/1/units/STTTT").await.json().await.unwrap();
    assert_eq!(unit["rank"], 1);
    assert!((unit["total"].as_f64().unwrap() - 91.48).abs() < 0.005);
    let round: Value = client.get("/api/v1/rounds/1").await.json().await.unwrap();
    assert_eq!(round["groups"].as_array().unwrap().len(), 2);
    assert_eq!(round["publications"][0]["id"], 1);
    let bad = client.get("/api/v1/rounds/1/results?lang=fr").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad.json::<Value>().await.unwrap()["errors"][0]["field"], "lang");
    assert_eq!(client.get("/api/v1/rounds/9/results").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(client.get("/api/v1/rounds/1/units/NOPE").await.status(), StatusCode::NOT_FOUND);
    let kpis: Value = client.get("/api/v1/kpis?year=2025").await.json().await.unwrap();
    assert_eq!(kpis["kpis"].as_array().unwrap().len(), 38);
    assert_eq!(kpis["scope"], "province");
}

/// An API token made by an admin through the tokens page.
async fn token(app: &TestApp, scope: bool) -> String {
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let mut form = vec![("name", "Hệ thống quản lý văn bản")];
    if scope {
        form.push(("scope", "observations:write"));
    }
    let page = admin.post_form("/admin/tokens", &form).await.text().await.unwrap();
    let marker = "data-testid=\"new-token\">";
    let start = page.find(marker).unwrap() + marker.len();
    page[start..].split('<').next().unwrap().to_owned()
}

async fn post(app: &TestApp, token: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(app.url("/api/v1/observations")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn observation_count(app: &TestApp) -> usize {
    let all: Value = reqwest::get(app.url("/api/v1/observations")).await.unwrap().json().await.unwrap();
    all["observations"].as_array().unwrap().len()
}

#[tokio::test]
async fn tokens_post_observations_and_bad_payloads_name_every_field() {
    let app = spawn().await;
    let token = token(&app, true).await;
    let kpi = app.store.monitoring().await.unwrap().catalogue.kpis[0].code.clone();
    let before = observation_count(&app).await;
    let good = json!({ "observations": [
        { "kpi": kpi, "scope": "province", "period": "2026-Q1", "value": 7.1, "note": "from the API" },
        { "kpi": kpi, "scope": "116", "period": "2026-Q1", "value": 6.0 }
    ]});
    let response = post(&app, Some(&token), &good).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.json::<Value>().await.unwrap()["added"], 2);
    assert_eq!(observation_count(&app).await, before + 2);
    // Bad fields: every one named, nothing stored.
    let bad = json!({ "observations": [
        { "kpi": kpi, "scope": "province", "period": "2026-Q2", "value": 1 },
        { "kpi": kpi, "scope": "province", "period": "2026-Q9", "value": "high" },
        { "kpi": 5, "period": "2026" , "value": 1, "colour": "red" }
    ]});
    let response = post(&app, Some(&token), &bad).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    let fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        [
            "observations[1].period",
            "observations[1].value",
            "observations[2].colour",
            "observations[2].kpi",
            "observations[2].scope"
        ]
    );
    // What only the store knows: an unknown KPI, a period already stored.
    let refused = json!({ "observations": [
        { "kpi": "no_such_kpi", "scope": "province", "period": "2026", "value": 1 },
        { "kpi": kpi, "scope": "province", "period": "2026-Q1", "value": 7.2 }
    ]});
    let body: Value = post(&app, Some(&token), &refused).await.json().await.unwrap();
    let fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["observations[0].kpi", "observations[1].period"]);
    assert_eq!(observation_count(&app).await, before + 2, "nothing of the refused batches");
    let by_token = chiso_store::AuditFilter { actor: Some("token:1".into()), ..Default::default() };
    let audit = app.store.audit(&by_token).await.unwrap();
    assert_eq!(audit.len(), 1, "the good batch is audited as the token's");
}

#[tokio::test]
async fn no_token_a_wrong_scope_or_a_revoked_token_is_refused() {
    let app = spawn().await;
    let kpi = app.store.monitoring().await.unwrap().catalogue.kpis[0].code.clone();
    let body = json!({ "observations": [{ "kpi": kpi, "scope": "province", "period": "2026", "value": 1 }] });
    let response = post(&app, None, &body).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(post(&app, Some("made-up"), &body).await.status(), StatusCode::UNAUTHORIZED);
    let read_only = token(&app, false).await;
    assert_eq!(post(&app, Some(&read_only), &body).await.status(), StatusCode::FORBIDDEN);
    let writer = token(&app, true).await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let response = admin.post_form("/admin/tokens/2/revoke", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(post(&app, Some(&writer), &body).await.status(), StatusCode::UNAUTHORIZED);
    // A signed-in browser session is not an API token.
    let response = admin.client.post(admin.url("/api/v1/observations")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn concurrent_posts_of_the_same_observation_store_it_once() {
    let app = spawn().await;
    let token = token(&app, true).await;
    let kpi = app.store.monitoring().await.unwrap().catalogue.kpis[0].code.clone();
    let before = observation_count(&app).await;
    let body = json!({ "observations": [{ "kpi": kpi, "scope": "province", "period": "2027", "value": 9 }] });
    let posts = (0..6).map(|_| post(&app, Some(&token), &body));
    let statuses: Vec<StatusCode> = futures_join(posts).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::BAD_REQUEST).count(), 5, "{statuses:?}");
    assert_eq!(observation_count(&app).await, before + 1);
    // Different periods at once: all stored.
    let posts = (1..=6).map(|month| {
        let body = json!({ "observations": [{ "kpi": kpi, "scope": "province", "period": format!("2028-{month:02}"), "value": month }] });
        let (app, token) = (&app, &token);
        async move { post(app, Some(token), &body).await }
    });
    let statuses: Vec<StatusCode> = futures_join(posts).await.iter().map(|r| r.status()).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED), "{statuses:?}");
    assert_eq!(observation_count(&app).await, before + 7);
}

/// Every operation of the document, with its path parameters filled in.
fn documented(openapi: &Value) -> Vec<(String, String)> {
    let mut operations = Vec::new();
    for (path, item) in openapi["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "1").replace("{code}", "STTTT");
            operations.push((method.to_uppercase(), concrete));
        }
    }
    operations
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_and_answers() {
    let app = spawn().await;
    let served: Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(served, serde_json::to_value(chiso_web::openapi()).unwrap());
    let mut operations = documented(&served);
    operations.sort();
    let expected = [
        ("GET", "/api/v1/kpis"),
        ("GET", "/api/v1/observations"),
        ("GET", "/api/v1/rounds"),
        ("GET", "/api/v1/rounds/1"),
        ("GET", "/api/v1/rounds/1/results"),
        ("GET", "/api/v1/rounds/1/uncertainty"),
        ("GET", "/api/v1/rounds/1/units"),
        ("GET", "/api/v1/rounds/1/units/STTTT"),
        ("GET", "/api/v1/service"),
        ("GET", "/api/v1/units/STTTT/history"),
        ("GET", "/healthz"),
        ("POST", "/api/v1/observations"),
    ];
    let operations_ref: Vec<(&str, &str)> =
        operations.iter().map(|(m, p)| (m.as_str(), p.as_str())).collect();
    assert_eq!(operations_ref, expected);
    // Each documented operation is served (not 404/405).
    for (method, path) in &operations {
        let request = reqwest::Client::new().request(method.parse().unwrap(), app.url(path));
        let status = request.send().await.unwrap().status();
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {status}"
        );
    }
    // No route can bypass the document: the API module registers routes only
    // through utoipa's `routes!`, which takes them from the handlers' #[utoipa::path].
    let api = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let source: String = std::fs::read_dir(&api)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    assert!(source.contains("routes!("), "the API module was not read");
    assert!(!source.contains(".route("), "the API adds a route without documenting it");
    assert_eq!(source.matches("#[utoipa::path(").count(), expected.len());
    // An API path that is not documented does not exist.
    assert_eq!(reqwest::get(app.url("/api/v1/units")).await.unwrap().status(), StatusCode::NOT_FOUND);
    let page = reqwest::get(app.url("/api/docs/")).await.unwrap().text().await.unwrap();
    assert!(page.to_lowercase().contains("swagger"));
}
