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
/// Issue 11: a reporter sees only their own unit until publication.
const STAFF: [Outcome; 5] = [SignIn, Allowed, Forbidden, Allowed, Allowed];
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
        get("/service", PUBLIC),
        get("/service/province", PUBLIC),
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
        get("/api/v1/service", PUBLIC),
        get("/api/openapi.json", PUBLIC),
        get("/api/docs/", PUBLIC),
        get("/admin", STAFF),
        get("/admin/rounds/1", STAFF),
        get("/admin/users", ADMIN_ONLY),
        get("/admin/audit", ADMIN_ONLY),
        get("/admin/tokens", ADMIN_ONLY),
        get("/admin/service", ADMIN_ONLY),
        get("/admin/service/999", ADMIN_ONLY),
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
        post("/admin/service", Body::Form(vec![("name", String::new())]), ADMIN_ONLY),
        post("/admin/service/999", Body::Form(vec![("name", String::new())]), ADMIN_ONLY),
        post("/admin/service/999/pull", Body::Form(Vec::new()), ADMIN_ONLY),
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

/// How a replayed form carries its forgery.
#[derive(Debug, Clone, Copy)]
enum Forgery {
    /// Another token than the session's.
    WrongToken,
    /// The session's token, but an `Origin` of another site.
    ForeignOrigin,
}

/// Sends `route` as `browser` would, forged as `forgery` says.
async fn forged(browser: &Browser, route: &Route, forgery: Forgery) -> reqwest::Response {
    let token = match forgery {
        Forgery::WrongToken => "0".repeat(64),
        Forgery::ForeignOrigin => browser.csrf.clone(),
    };
    let request = browser.client.post(browser.url(&route.path));
    let request = match forgery {
        Forgery::WrongToken => request,
        Forgery::ForeignOrigin => request.header("origin", "https://evil.example"),
    };
    let request = match &route.body {
        Body::None => request.form(&[("csrf", token.as_str())]),
        Body::Form(fields) => {
            let mut form: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
            form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            request.form(&form)
        }
        Body::Files => request.multipart(
            reqwest::multipart::Form::new()
                .text("csrf", token.clone())
                .part("files", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("values.csv")),
        ),
    };
    request.send().await.unwrap()
}

/// POST routes outside the role tables, and why they need no session CSRF check
/// here: each is tested on its own below.
const POSTS_OUTSIDE_THE_TABLES: [(&str, &str); 3] = [
    ("/login", "before a session: the token of the form's cookie, tested below"),
    ("/logout", "tested below: a forged sign-out keeps the session"),
    ("/api/v1/observations", "a bearer token, never a cookie: a session alone is refused (tested below)"),
];

/// POST routes of the tables that change nothing, so need no CSRF token.
/// POST routes that store nothing and so need no CSRF check (none now: the live
/// points of the form check it too, so another site cannot make the server work).
const READ_ONLY_POSTS: [&str; 0] = [];

/// Every POST route the router source registers (`.route("…", … post(…))` and
/// `#[utoipa::path(post, path = "…")]`), as written there, e.g. `/admin/users/{id}`.
fn post_routes_in_the_source() -> Vec<String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.clone()];
    let mut texts = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            texts.push(std::fs::read_to_string(&path).unwrap());
        }
    }
    let mut found = Vec::new();
    for text in &texts {
        for (i, _) in text.match_indices(".route(\"") {
            let rest = &text[i + ".route(\"".len()..];
            let path = rest.split('"').next().unwrap();
            let end = [".route(", ".merge(", ".fallback(", ".layer(", ".with_state("]
                .iter()
                .filter_map(|m| rest.find(m))
                .min()
                .unwrap_or(rest.len());
            if rest[..end].contains("post(") {
                found.push(path.to_owned());
            }
        }
        for (i, _) in text.match_indices("utoipa::path(post, path = \"") {
            let rest = &text[i + "utoipa::path(post, path = \"".len()..];
            found.push(rest.split('"').next().unwrap().to_owned());
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Whether a concrete path (`/admin/users/3`) is an instance of a route pattern
/// (`/admin/users/{id}`).
fn matches_pattern(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap();
    let (pattern, path): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    pattern.len() == path.len()
        && pattern.iter().zip(&path).all(|(p, s)| p == s || (p.starts_with('{') && p.ends_with('}')))
}

/// The POST routes of both role tables.
fn table_posts(viewer_id: i64, evidence: i64) -> Vec<Route> {
    routes(viewer_id).into_iter().chain(work_routes(evidence)).filter(|r| r.method == "POST").collect()
}

#[test]
fn the_role_tables_hold_every_post_route_of_the_router() {
    let source = post_routes_in_the_source();
    assert!(source.len() >= 20, "the router source was not read: {source:?}");
    let tables = table_posts(1, 1);
    let missing: Vec<&String> = source
        .iter()
        .filter(|pattern| {
            !tables.iter().any(|r| matches_pattern(pattern, &r.path))
                && !POSTS_OUTSIDE_THE_TABLES.iter().any(|(p, _)| p == pattern)
        })
        .collect();
    assert!(missing.is_empty(), "POST routes missing from the role tables (and the CSRF test): {missing:?}");
    for pattern in READ_ONLY_POSTS {
        assert!(source.iter().any(|p| p == pattern), "{pattern} is no longer a route");
    }
}

/// What a forged form could change: the audit log (every change is audited), the
/// rounds, the workflow round's values and evidence, users, tokens, publications.
async fn snapshot(app: &TestApp) -> String {
    let round = chiso_store::RoundId(2);
    let audit = app.store.audit(&AuditFilter::default()).await.unwrap();
    let users: Vec<(String, String, chiso_store::Role, bool)> = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.username, u.display_name, u.role, u.disabled))
        .collect();
    let tokens = app.store.api_tokens().await.unwrap().len();
    format!(
        "audit {:?}\nrounds {:?}\nvalues {:?}\nevidence {:?} {:?}\nusers {users:?}\ntokens {tokens}\npublications {:?}",
        audit.iter().map(|e| e.id).collect::<Vec<_>>(),
        app.store.rounds().await.unwrap(),
        app.store.round_values(round).await.unwrap(),
        app.store.evidence(round, "STTTT").await.unwrap(),
        app.store.evidence(round, "116").await.unwrap(),
        app.store.publications(chiso_store::RoundId(1)).await.unwrap(),
    )
}

#[tokio::test]
async fn every_post_with_a_wrong_token_or_from_another_site_is_refused_and_changes_nothing() {
    let app = spawn().await;
    let (admin, round) = crate::workflow::setup(&app).await;
    let viewer = app.add_user("viewer", Role::Viewer, None).await;
    let file = chiso_store::NewEvidence::File {
        name: "bien-ban.pdf".into(),
        content_type: "application/pdf".into(),
        content: b"%PDF-1.4".to_vec(),
    };
    let round = chiso_store::RoundId(round);
    let evidence =
        app.store.add_evidence(round, "116", "1.1", file, chiso_store::Actor::System).await.unwrap();
    let before = snapshot(&app).await;
    let mut failures = Vec::new();
    let mut replayed = 0;
    for route in table_posts(viewer.0, evidence) {
        if READ_ONLY_POSTS.iter().any(|pattern| matches_pattern(pattern, &route.path)) {
            continue;
        }
        for forgery in [Forgery::WrongToken, Forgery::ForeignOrigin] {
            let status = forged(&admin, &route, forgery).await.status();
            replayed += 1;
            if status != StatusCode::FORBIDDEN {
                failures.push(format!("{forgery:?} POST {}: {status}", route.path));
            }
        }
    }
    assert!(failures.is_empty(), "forged forms not refused:\n{}", failures.join("\n"));
    assert!(replayed >= 2 * 17, "only {replayed} forged posts");
    assert_eq!(snapshot(&app).await, before, "a refused form changed something");

    // A read-only post changes nothing, whatever its origin.
    for pattern in READ_ONLY_POSTS {
        for route in table_posts(viewer.0, evidence).iter().filter(|r| matches_pattern(pattern, &r.path)) {
            forged(&admin, route, Forgery::ForeignOrigin).await;
        }
    }
    assert_eq!(snapshot(&app).await, before, "a read-only post changed something");

    // A forged sign-out keeps the session.
    for forgery in [Forgery::WrongToken, Forgery::ForeignOrigin] {
        let logout = post("/logout", Body::None, SIGNED_IN);
        assert_eq!(forged(&admin, &logout, forgery).await.status(), StatusCode::FORBIDDEN, "{forgery:?}");
        assert_eq!(admin.get("/admin/users").await.status(), StatusCode::OK, "still signed in");
    }

    // The API's only POST takes a bearer token: a signed-in browser's cookie is not one.
    let response = admin
        .client
        .post(admin.url("/api/v1/observations"))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({ "observations": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(snapshot(&app).await, before);

    // Signing in needs the token of the form's cookie, from this site.
    let mut fresh = app.browser();
    let (_, page) = fresh.text("/login").await;
    let token = crate::support::csrf_of(&page);
    for (csrf, origin) in [("forged", None), (token.as_str(), Some("https://evil.example"))] {
        let mut request = fresh.client.post(fresh.url("/login"));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request
            .form(&[("csrf", csrf), ("username", "admin"), ("password", ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{csrf} from {origin:?}");
    }
    assert!(location(&fresh.get("/admin").await).starts_with("/login"), "not signed in");
    let response = fresh.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(location(&response), "/admin", "the real form still signs in");
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
        post("/work/rounds/2/units/STTTT/field", empty(), OWN_OR_ADMIN),
        post("/work/rounds/2/units/116/field", empty(), [SignIn, Forbidden, Forbidden, Forbidden, Allowed]),
        post("/work/rounds/2/units/STTTT/preview", empty(), SIGNED_IN),
        post("/work/rounds/2/units/116/preview", empty(), NOT_THE_REPORTER),
        post("/work/rounds/2/units/116/appraise", Body::Form(vec![("indicator", "1.2".into())]), APPRAISERS),
        post("/work/rounds/2/units/116/step", Body::Form(vec![("action", "nothing".into())]), APPRAISERS),
        // The appraisal queue is a work list: viewers read the board, not the queue.
        get("/work/rounds/2/queue", APPRAISERS),
        post("/work/rounds/2/units/STTTT/explain", empty(), OWN_OR_ADMIN),
        post("/work/rounds/2/units/116/explain", empty(), [SignIn, Forbidden, Forbidden, Forbidden, Allowed]),
        // Preliminary results and contests (issue 12, item 4); who may download a
        // real contest file is tested in contests.rs (there is none in this round).
        get("/work/rounds/2/contest-files/999", SIGNED_IN),
        post("/work/rounds/2/preliminary", Body::Form(vec![("decision", String::new())]), ADMIN_ONLY),
        post("/work/rounds/2/contests/999/answer", Body::Form(vec![("answer", "reject".into())]), APPRAISERS),
        post("/work/rounds/2/units/STTTT/contest", Body::Files, OWN_OR_ADMIN),
        post(
            "/work/rounds/2/units/116/contest",
            Body::Files,
            [SignIn, Forbidden, Forbidden, Forbidden, Allowed],
        ),
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
