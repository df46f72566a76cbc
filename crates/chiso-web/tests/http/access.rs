//! Who may do what: the route × role matrix, CSRF refusals, sign-in throttling,
//! session cookies.

use crate::support::{ADMIN_PASSWORD, Browser, PASSWORD, TestApp, location, spawn};
use chiso_store::{AuditFilter, Role};
use reqwest::StatusCode;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anonymous,
    Viewer,
    Reporter,
    Appraiser,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// Served (any status that is not a refusal; e.g. 422 for an empty upload).
    Allowed,
    /// 303 to the sign-in page.
    SignIn,
    Forbidden,
}

use Outcome::{Allowed, Forbidden, SignIn};

enum Body {
    None,
    Form(Vec<(&'static str, String)>),
    Files,
}

struct Route {
    method: &'static str,
    path: String,
    body: Body,
    /// Outcome for anonymous, viewer, reporter, appraiser, admin.
    expect: [Outcome; 5],
}

const PUBLIC: [Outcome; 5] = [Allowed; 5];
const SIGNED_IN: [Outcome; 5] = [SignIn, Allowed, Allowed, Allowed, Allowed];
const ADMIN_ONLY: [Outcome; 5] = [SignIn, Forbidden, Forbidden, Forbidden, Allowed];

fn get(path: &str, expect: [Outcome; 5]) -> Route {
    Route { method: "GET", path: path.into(), body: Body::None, expect }
}

fn post(path: &str, body: Body, expect: [Outcome; 5]) -> Route {
    Route { method: "POST", path: path.into(), body, expect }
}

fn routes(viewer_id: i64) -> Vec<Route> {
    vec![
        get("/", PUBLIC),
        get("/rounds/1", PUBLIC),
        get("/rounds/1/units/STTTT", PUBLIC),
        get("/rounds/1/map", PUBLIC),
        get("/rounds/1/changes", PUBLIC),
        get("/map", PUBLIC),
        get("/monitoring", PUBLIC),
        get("/login", PUBLIC),
        get("/lang/en?next=/", PUBLIC),
        get("/healthz", PUBLIC),
        get("/static/app.css", PUBLIC),
        get("/api/v1/rounds", PUBLIC),
        get("/api/v1/rounds/1", PUBLIC),
        get("/api/v1/rounds/1/results", PUBLIC),
        get("/api/v1/rounds/1/units", PUBLIC),
        get("/api/v1/rounds/1/units/STTTT", PUBLIC),
        get("/api/v1/rounds/1/uncertainty", PUBLIC),
        get("/api/v1/kpis", PUBLIC),
        get("/api/v1/observations", PUBLIC),
        get("/api/openapi.json", PUBLIC),
        get("/api/docs/", PUBLIC),
        get("/admin", SIGNED_IN),
        get("/admin/rounds/1", SIGNED_IN),
        get("/admin/users", ADMIN_ONLY),
        get("/admin/audit", ADMIN_ONLY),
        get("/admin/tokens", ADMIN_ONLY),
        post("/admin/rounds", Body::Files, ADMIN_ONLY),
        post("/admin/monitoring", Body::Files, ADMIN_ONLY),
        post("/admin/rounds/1/publish", Body::Form(vec![("decision", String::new())]), ADMIN_ONLY),
        post(
            "/admin/users",
            Body::Form(vec![("username", String::new()), ("role", "viewer".into())]),
            ADMIN_ONLY,
        ),
        post(
            &format!("/admin/users/{viewer_id}"),
            Body::Form(vec![("display_name", "Tên viewer".into()), ("role", "viewer".into())]),
            ADMIN_ONLY,
        ),
        post(
            &format!("/admin/users/{viewer_id}/password"),
            Body::Form(vec![("password", "short".into())]),
            ADMIN_ONLY,
        ),
        post("/admin/tokens", Body::Form(vec![("name", String::new())]), ADMIN_ONLY),
        post("/admin/tokens/999/revoke", Body::Form(Vec::new()), ADMIN_ONLY),
    ]
}

async fn request(browser: &Browser, route: &Route) -> reqwest::Response {
    let url = browser.url(&route.path);
    match (&route.body, route.method) {
        (Body::None, _) => browser.client.get(url).send().await.unwrap(),
        (Body::Form(fields), _) => {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            browser.post_form(&route.path, &fields).await
        }
        (Body::Files, _) => browser.post_files(&route.path, &BTreeMap::new()).await,
    }
}

fn outcome(response: &reqwest::Response) -> Outcome {
    match response.status() {
        StatusCode::FORBIDDEN => Forbidden,
        StatusCode::SEE_OTHER if location(response).starts_with("/login") => SignIn,
        _ => Allowed,
    }
}

async fn browser_for(app: &TestApp, who: Who) -> Browser {
    match who {
        Who::Anonymous => app.browser(),
        Who::Admin => app.signed_in("admin", ADMIN_PASSWORD).await,
        Who::Viewer => app.signed_in("viewer", PASSWORD).await,
        Who::Reporter => app.signed_in("reporter", PASSWORD).await,
        Who::Appraiser => app.signed_in("appraiser", PASSWORD).await,
    }
}

#[tokio::test]
async fn every_route_allows_or_refuses_each_role_as_the_matrix_says() {
    let app = spawn().await;
    let viewer = app.add_user("viewer", Role::Viewer, None).await;
    app.add_user("reporter", Role::Reporter, Some("STTTT")).await;
    app.add_user("appraiser", Role::Appraiser, None).await;
    let mut failures = Vec::new();
    for (column, who) in
        [Who::Anonymous, Who::Viewer, Who::Reporter, Who::Appraiser, Who::Admin].into_iter().enumerate()
    {
        let browser = browser_for(&app, who).await;
        for route in routes(viewer.0) {
            let response = request(&browser, &route).await;
            let (got, status) = (outcome(&response), response.status());
            if got != route.expect[column] {
                failures.push(format!("{who:?} {} {}: {got:?} ({status})", route.method, route.path));
            }
            assert!(!status.is_server_error(), "{who:?} {} {}: {status}", route.method, route.path);
        }
    }
    assert!(failures.is_empty(), "unexpected outcomes:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused_and_change_nothing() {
    let app = spawn().await;
    let mut admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let before = app.store.publications(chiso_store::RoundId(1)).await.unwrap().len();
    let good = admin.csrf.clone();
    admin.csrf = "0".repeat(64);
    let response = admin.post_form("/admin/rounds/1/publish", &[("decision", "QĐ 1")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    admin.csrf = String::new();
    let response = admin.post_files("/admin/rounds", &crate::support::sonla_2025()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The right token, but posted from another site.
    admin.csrf = good;
    let response = admin
        .client
        .post(admin.url("/admin/rounds/1/publish"))
        .header("origin", "https://evil.example")
        .form(&[("csrf", admin.csrf.as_str()), ("decision", "QĐ 1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.store.publications(chiso_store::RoundId(1)).await.unwrap().len(), before);
    assert_eq!(app.store.rounds().await.unwrap().len(), 1);
    // Signing in needs the token of the form's cookie too.
    let fresh = app.browser();
    let response = fresh
        .client
        .post(fresh.url("/login"))
        .form(&[("csrf", "forged"), ("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_slowed_down() {
    let app = spawn().await;
    let mut browser = app.browser();
    for _ in 0..5 {
        let response = browser.login("admin", "wrong password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.text().await.unwrap().contains("không đúng"));
    }
    // Even the right password is refused for the rest of the window.
    let response = browser.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    // Other accounts are not affected.
    app.add_user("viewer", Role::Viewer, None).await;
    assert_eq!(app.browser().login("viewer", PASSWORD).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_are_http_only_cookies_that_sign_out_ends() {
    let app = spawn().await;
    let mut browser = app.browser();
    let response = browser.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(location(&response), "/admin");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("chiso_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"));
    browser.refresh_csrf().await;
    let response = browser.post_form("/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&browser.get("/admin").await).starts_with("/login"));
    // A disabled user cannot sign in.
    let id = app.add_user("gone", Role::Viewer, None).await;
    app.store.set_user_disabled(id, true, chiso_store::Actor::System).await.unwrap();
    assert_eq!(app.browser().login("gone", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    let audit =
        app.store.audit(&AuditFilter { action: Some("session.create".into()), ..Default::default() }).await;
    assert!(!audit.unwrap().is_empty(), "sign-ins are audited");
}

/// Outcomes of the round workflow's routes for a round open for self-assessment,
/// with the reporter's own unit STTTT and another unit 116.
fn work_routes(evidence_116: i64) -> Vec<Route> {
    const OWN_OR_ADMIN: [Outcome; 5] = [SignIn, Forbidden, Allowed, Forbidden, Allowed];
    const APPRAISERS: [Outcome; 5] = [SignIn, Forbidden, Forbidden, Allowed, Allowed];
    const NOT_THE_REPORTER: [Outcome; 5] = [SignIn, Allowed, Forbidden, Allowed, Allowed];
    let empty = || Body::Form(Vec::new());
    vec![
        get("/work", SIGNED_IN),
        get("/work/rounds/2", SIGNED_IN),
        get("/work/rounds/2/template/district", SIGNED_IN),
        get("/work/rounds/2/units/STTTT", SIGNED_IN),
        get("/work/rounds/2/units/116", NOT_THE_REPORTER),
        get(&format!("/work/rounds/2/evidence/{evidence_116}"), NOT_THE_REPORTER),
        get("/rounds/1/annex.xlsx", PUBLIC),
        post("/work/rounds", Body::Files, ADMIN_ONLY),
        post("/work/rounds/2/stage", Body::Form(vec![("to", "nowhere".into())]), ADMIN_ONLY),
        post("/work/rounds/2/deadlines", empty(), ADMIN_ONLY),
        post("/work/rounds/2/publish", Body::Form(vec![("decision", String::new())]), ADMIN_ONLY),
        post("/work/rounds/2/units/SNV/assign", Body::Form(vec![("assigned", "on".into())]), ADMIN_ONLY),
        post("/work/rounds/2/xlsx", Body::Files, [SignIn, Forbidden, Allowed, Forbidden, Allowed]),
        post("/work/rounds/2/units/STTTT/save", empty(), OWN_OR_ADMIN),
        post("/work/rounds/2/units/116/save", empty(), [SignIn, Forbidden, Forbidden, Forbidden, Allowed]),
        post("/work/rounds/2/units/STTTT/evidence", Body::Files, OWN_OR_ADMIN),
        post(
            "/work/rounds/2/units/116/evidence",
            Body::Files,
            [SignIn, Forbidden, Forbidden, Forbidden, Allowed],
        ),
        post("/work/rounds/2/units/STTTT/preview", empty(), SIGNED_IN),
        post("/work/rounds/2/units/116/preview", empty(), NOT_THE_REPORTER),
        post("/work/rounds/2/units/116/appraise", Body::Form(vec![("indicator", "1.2".into())]), APPRAISERS),
        post("/work/rounds/2/units/116/step", Body::Form(vec![("action", "nothing".into())]), APPRAISERS),
    ]
}

#[tokio::test]
async fn every_workflow_route_allows_or_refuses_each_role_and_nothing_changes_after_submission() {
    let app = spawn().await;
    let (_admin, round) = crate::workflow::setup(&app).await;
    let round = chiso_store::RoundId(round);
    app.add_user("viewer", Role::Viewer, None).await;
    app.add_user("reporter", Role::Reporter, Some("STTTT")).await;
    app.add_user("appraiser", Role::Appraiser, None).await;
    let file = chiso_store::NewEvidence::File {
        name: "bien-ban.pdf".into(),
        content_type: "application/pdf".into(),
        content: b"%PDF-1.4".to_vec(),
    };
    let evidence =
        app.store.add_evidence(round, "116", "1.1", file, chiso_store::Actor::System).await.unwrap();
    let before = app.store.round_values(round).await.unwrap();
    let mut failures = Vec::new();
    for (column, who) in
        [Who::Anonymous, Who::Viewer, Who::Reporter, Who::Appraiser, Who::Admin].into_iter().enumerate()
    {
        let browser = browser_for(&app, who).await;
        for route in work_routes(evidence) {
            let response = request(&browser, &route).await;
            let (got, status) = (outcome(&response), response.status());
            if got != route.expect[column] {
                failures.push(format!("{who:?} {} {}: {got:?} ({status})", route.method, route.path));
            }
            assert!(!status.is_server_error(), "{who:?} {} {}: {status}", route.method, route.path);
        }
    }
    assert!(failures.is_empty(), "unexpected outcomes:\n{}", failures.join("\n"));
    assert_eq!(
        app.store.round_values(round).await.unwrap(),
        before,
        "the refused and empty posts changed nothing"
    );

    // Once submitted, the reporter's own unit is locked: values, evidence, spreadsheet.
    let reporter = app.signed_in("reporter", PASSWORD).await;
    let values = crate::workflow::bundled("STTTT");
    let fields = crate::workflow::form_fields(&values).await;
    let saved = crate::workflow::post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &fields).await;
    assert_eq!(location(&saved), "/work/rounds/2/units/STTTT?message=saved");
    crate::workflow::add_evidence(&reporter, 2, "STTTT").await;
    app.store.submit_unit(round, "STTTT", chiso_store::Actor::System).await.unwrap();
    let submitted = app.store.round_values(round).await.unwrap();
    let evidence_count = app.store.evidence(round, "STTTT").await.unwrap().len();
    let change = [("v:1.2".to_owned(), "0".to_owned()), ("ver:1.2".to_owned(), "1".to_owned())];
    let response = crate::workflow::post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &change).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let resubmit = [("submit".to_owned(), "1".to_owned())];
    let response = crate::workflow::post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &resubmit).await;
    assert!(response.status().is_client_error(), "submitting twice: {}", response.status());
    let form = reqwest::multipart::Form::new()
        .text("csrf", reporter.csrf.clone())
        .text("indicator", "1.1")
        .text("number", "9/QĐ")
        .text("date", "2024-01-01")
        .text("summary", "late");
    let response = reporter
        .client
        .post(reporter.url("/work/rounds/2/units/STTTT/evidence"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "late evidence: {}", response.status());
    let package =
        chiso_io::Package::from_files(chiso_io::Files::Memory(crate::support::sonla_files(|_, t| t)))
            .unwrap();
    let group = package.assessment.groups.iter().position(|g| g.code == "provincial").unwrap();
    let bytes = chiso_io::xlsx::template(
        &package.assessment,
        group,
        &|unit, _| (unit == "STTTT").then(|| "0".to_owned()),
        chiso_core::Lang::Vi,
    )
    .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", reporter.csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name("x.xlsx"));
    let response =
        reporter.client.post(reporter.url("/work/rounds/2/xlsx")).multipart(form).send().await.unwrap();
    assert!(response.status().is_client_error(), "spreadsheet after submission: {}", response.status());
    assert_eq!(app.store.round_values(round).await.unwrap(), submitted, "nothing changed after submission");
    assert_eq!(app.store.evidence(round, "STTTT").await.unwrap().len(), evidence_count);
}
