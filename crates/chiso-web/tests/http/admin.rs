//! Administration: uploading a package to a draft round and publishing it, broken
//! uploads, monitoring uploads, users, tokens, the audit log, concurrent writes.

use crate::support::{ADMIN_PASSWORD, PASSWORD, location, sonla_2025, sonla_files, spawn, zip};
use chiso_store::{AuditFilter, Role, RoundId, RoundStatus};
use reqwest::StatusCode;
use std::collections::BTreeMap;

#[tokio::test]
async fn an_uploaded_zip_becomes_a_draft_round_then_a_public_one() {
    let app = spawn().await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let upload = BTreeMap::from([("sonla-2025.zip".to_owned(), zip("sonla-2025", &sonla_2025()))]);
    let response = admin.post_files("/admin/rounds", &upload).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/rounds/2?notice=imported");
    assert_eq!(app.store.round(RoundId(2)).await.unwrap().unwrap().status, RoundStatus::Draft);
    // A draft is not public.
    assert_eq!(app.browser().get("/rounds/2").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.browser().get("/api/v1/rounds/2").await.status(), StatusCode::NOT_FOUND);
    let (status, page) = admin.text("/admin/rounds/2?notice=imported").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("91,48") && page.contains("data-testid=\"publish\""));
    // A day that does not exist is refused, in the reader's language, and nothing is published.
    let response = admin
        .post_form(
            "/admin/rounds/2/publish",
            &[("decision", "Quyết định số 99/QĐ-UBND"), ("decided_on", "2025-02-30")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let refused = response.text().await.unwrap();
    assert!(refused.contains("Ngày ký quyết định &#34;2025-02-30&#34;"), "{refused}");
    assert_eq!(app.store.round(RoundId(2)).await.unwrap().unwrap().status, RoundStatus::Draft);
    let response = admin
        .post_form(
            "/admin/rounds/2/publish",
            &[("decision", "Quyết định số 99/QĐ-UBND"), ("decided_on", "2025-03-20")],
        )
        .await;
    assert_eq!(location(&response), "/admin/rounds/2?notice=published");
    let (status, page) = app.browser().text("/").await;
    assert_eq!(status, StatusCode::OK);
    // The publication's date is the decision's, not the time chiso stored it.
    assert!(page.contains("Công bố ngày 20/03/2025 · Quyết định số 99/QĐ-UBND"), "the decision's date");
    let (_, english) = app.browser().text("/rounds/2?lang=en").await;
    assert!(english.contains("Published on 2025-03-20"), "in English");
    let (_, bundled) = app.browser().text("/rounds/1").await;
    assert!(
        bundled.contains("Nhập vào chiso lúc"),
        "without a decision date, the storing time says what it is"
    );
    assert!(page.contains("năm 2025"), "the newest year is the home page");
    assert!(page.contains("So với 2024"), "with the change against last year");
    assert!(page.contains("href=\"/rounds/1\""), "and a link to 2024");
    let rounds: serde_json::Value = app.browser().get("/api/v1/rounds").await.json().await.unwrap();
    assert_eq!(rounds.as_array().unwrap().len(), 2);
    let publish = AuditFilter { action: Some("round.publish".into()), ..Default::default() };
    let audit = app.store.audit(&publish).await.unwrap();
    assert_eq!(audit[0].actor, "user:1");
}

#[tokio::test]
async fn loose_files_are_placed_where_the_assessment_names_them() {
    let app = spawn().await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let loose: BTreeMap<String, Vec<u8>> = sonla_2025()
        .into_iter()
        .map(|(path, content)| (path.rsplit('/').next().unwrap().to_owned(), content))
        .collect();
    let response = admin.post_files("/admin/rounds", &loose).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    assert_eq!(app.store.rounds().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_broken_package_is_refused_whole_with_file_line_and_field() {
    let app = spawn().await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let broken = sonla_files(|path, text| {
        if path == "values.csv" {
            // Line 14 gets a unit that does not exist.
            text.lines()
                .enumerate()
                .map(|(i, line)| {
                    if i == 13 {
                        line.replacen(line.split(',').next().unwrap(), "STTT", 1)
                    } else {
                        line.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            text
        }
    });
    let audit_before = app.store.audit(&AuditFilter::default()).await.unwrap().len();
    let response = admin.post_files("/admin/rounds", &broken).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("data-testid=\"upload-errors\""));
    assert!(page.contains("values.csv:14:") && page.contains("STTT"), "{page}");
    assert_eq!(app.store.rounds().await.unwrap().len(), 1, "nothing stored");
    assert_eq!(app.store.audit(&AuditFilter::default()).await.unwrap().len(), audit_before);
    // Not a zip, no assessment.toml, no file at all: each said plainly.
    let not_zip = BTreeMap::from([("package.zip".to_owned(), b"PK but not really".to_vec())]);
    let page = admin.post_files("/admin/rounds", &not_zip).await.text().await.unwrap();
    assert!(page.contains("Không đọc được tệp .zip: tệp bị hỏng hoặc không phải tệp zip."), "{page}");
    assert!(
        !page.contains("EOCD") && !page.contains("archive"),
        "the zip library's English stays in the log"
    );
    let no_anchor = BTreeMap::from([("units.csv".to_owned(), b"code,name,group\n".to_vec())]);
    let page = admin.post_files("/admin/rounds", &no_anchor).await.text().await.unwrap();
    assert!(page.contains("Thiếu tệp assessment.toml"));
    let page = admin.post_files("/admin/rounds", &BTreeMap::new()).await.text().await.unwrap();
    assert!(page.contains("Chưa chọn tệp nào"));
    assert_eq!(app.store.rounds().await.unwrap().len(), 1);
}

#[tokio::test]
async fn monitoring_uploads_add_observations_or_name_every_bad_line() {
    let app = spawn().await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let before = app.store.monitoring().await.unwrap().observations.len();
    let kpi = app.store.monitoring().await.unwrap().catalogue.kpis[0].code.clone();
    let good = BTreeMap::from([(
        "observations.csv".to_owned(),
        format!("kpi,scope,period,value,note\n{kpi},province,2026-Q1,88.5,test\n").into_bytes(),
    )]);
    let response = admin.post_files("/admin/monitoring", &good).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    assert_eq!(app.store.monitoring().await.unwrap().observations.len(), before + 1);
    let bad = BTreeMap::from([(
        "observations.csv".to_owned(),
        format!("kpi,scope,period,value,note\n{kpi},province,2026-Q2,1,\nNO_SUCH_KPI,province,2026,1,\n{kpi},province,2026-13,x,\n")
            .into_bytes(),
    )]);
    let response = admin.post_files("/admin/monitoring", &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("observations.csv:3:") && page.contains("observations.csv:4:"), "{page}");
    assert_eq!(
        app.store.monitoring().await.unwrap().observations.len(),
        before + 1,
        "nothing of the bad file"
    );
    // The whole package, as a zip, replaces the catalogue and merges observations.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sonla/monitoring");
    let files: BTreeMap<String, Vec<u8>> = ["kpis.toml", "observations.csv"]
        .into_iter()
        .map(|f| (f.to_owned(), std::fs::read(format!("{root}/{f}")).unwrap()))
        .collect();
    let upload = BTreeMap::from([("monitoring.zip".to_owned(), zip("monitoring", &files))]);
    assert_eq!(admin.post_files("/admin/monitoring", &upload).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn admins_add_and_edit_users_who_can_then_sign_in() {
    let app = spawn().await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let response = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "lan"),
                ("display_name", "Nguyễn Thị Lan"),
                ("role", "reporter"),
                ("unit_code", "STTTT"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&response), "/admin/users?notice=user-added");
    let lan = app.store.user_by_username("lan").await.unwrap().unwrap();
    assert_eq!((lan.role, lan.unit_code.as_deref()), (Role::Reporter, Some("STTTT")));
    assert!(lan.password_hash.starts_with("$argon2id$"));
    assert_eq!(app.browser().login("lan", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    // A taken username, a reporter without a unit, a short password: refused, said why.
    let taken = admin
        .post_form(
            "/admin/users",
            &[("username", "lan"), ("display_name", "x"), ("role", "viewer"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    let said = taken.text().await.unwrap();
    assert!(said.contains("Tên đăng nhập &#34;lan&#34; đã có người dùng."), "in the page's language: {said}");
    assert!(!said.contains("is taken") && !said.contains("conflict"), "no English, no debug text: {said}");
    let no_unit = admin
        .post_form(
            "/admin/users",
            &[("username", "x"), ("display_name", "x"), ("role", "reporter"), ("password", PASSWORD)],
        )
        .await;
    assert!(no_unit.text().await.unwrap().contains("Báo cáo viên cần mã đơn vị"));
    // Edit: role, then disable; a new password works.
    let path = format!("/admin/users/{}", lan.id);
    admin.post_form(&path, &[("display_name", "Lan"), ("role", "appraiser"), ("unit_code", "")]).await;
    assert_eq!(app.store.user(lan.id).await.unwrap().unwrap().role, Role::Appraiser);
    admin.post_form(&format!("{path}/password"), &[("password", "another-password")]).await;
    assert_eq!(app.browser().login("lan", "another-password").await.status(), StatusCode::SEE_OTHER);
    admin.post_form(&path, &[("display_name", "Lan"), ("role", "appraiser"), ("disabled", "1")]).await;
    assert_eq!(app.browser().login("lan", "another-password").await.status(), StatusCode::UNAUTHORIZED);
    // An admin cannot lock themselves out.
    let response = admin.post_form("/admin/users/1", &[("display_name", "x"), ("role", "viewer")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, page) = admin.text("/admin/users").await;
    assert!(page.contains("lan") && page.contains("data-testid=\"users\""));
}

#[tokio::test]
async fn the_audit_log_page_filters_by_action_actor_and_date() {
    let app = spawn().await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let (status, page) = admin.text("/admin/audit?action=round.publish").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<code>round.publish</code>") && !page.contains("<code>round.import</code>"));
    let (_, page) = admin.text("/admin/audit?actor=system").await;
    assert!(page.contains("<code>round.import</code>") && page.contains("<code>user.create</code>"));
    let (_, page) = admin.text("/admin/audit?since=2999-01-01").await;
    assert!(!page.contains("<code>round.import</code>"));
    let (status, page) = admin.text("/admin/audit?since=yesterday").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2024-12-31"), "the expected date form is named");
}

#[tokio::test]
async fn concurrent_uploads_and_publications_all_land_once() {
    let app = spawn().await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let files = sonla_2025();
    let uploads = (0..4).map(|_| admin.post_files("/admin/rounds", &files));
    let statuses: Vec<StatusCode> = futures_join(uploads).await.iter().map(|r| r.status()).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::SEE_OTHER), "{statuses:?}");
    let rounds = app.store.rounds().await.unwrap();
    assert_eq!(rounds.len(), 5);
    // Two admins publish the same round at once: two publications, one superseding the other.
    let publishes = (0..2).map(|i| {
        let decision = format!("QĐ {i}");
        let admin = &admin;
        async move { admin.post_form("/admin/rounds/2/publish", &[("decision", decision.as_str())]).await }
    });
    let statuses: Vec<StatusCode> = futures_join(publishes).await.iter().map(|r| r.status()).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::SEE_OTHER), "{statuses:?}");
    let publications = app.store.publications(RoundId(2)).await.unwrap();
    assert_eq!(publications.len(), 2);
    assert_eq!(publications[0].supersedes, Some(publications[1].id));
}

/// Runs futures concurrently on this task and returns their outputs in order.
pub async fn futures_join<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = handles.iter().map(|_| None).collect();
    let mut pending = handles;
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (i, future) in pending.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(output) => outputs[i] = Some(output),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    outputs.into_iter().map(|o| o.unwrap()).collect()
}
