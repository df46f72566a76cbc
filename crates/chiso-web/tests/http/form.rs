//! The self-assessment form never loses work: a refused value stays in its field,
//! marked, listed in a summary linking to it, while the others are saved; fields
//! save one by one; a stale version is answered with the current value; the live
//! points score the valid values; the progress count; submitting asks first.

use crate::support::{Browser, PASSWORD, TestApp, location, spawn};
use crate::workflow::{add_evidence, bundled, form_fields, post_owned, setup, submit_confirmed};
use chiso_store::RoundId;
use reqwest::StatusCode;

/// The error summary at the top of a form page (`data-testid="error-summary"`).
pub fn error_summary(page: &str) -> String {
    page.find("class=\"error-summary\"")
        .map_or_else(String::new, |i| page[i..].split("</div>").next().unwrap_or_default().to_owned())
}

/// The stored value of `indicator` of STTTT in round 2, with its version.
async fn stored(app: &TestApp, indicator: &str) -> Option<(String, i64)> {
    app.store
        .round_values(RoundId(2))
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.unit == "STTTT" && v.indicator == indicator)
        .map(|v| (v.value, v.version))
}

fn field(code: &str, value: &str, version: i64) -> Vec<(String, String)> {
    vec![(format!("v:{code}"), value.into()), (format!("ver:{code}"), version.to_string())]
}

async fn post_json(
    browser: &Browser,
    path: &str,
    fields: &[(String, String)],
) -> (StatusCode, serde_json::Value) {
    let mut form: Vec<(String, String)> = vec![("csrf".into(), browser.csrf.clone())];
    form.extend(fields.iter().cloned());
    let response = browser.client.post(browser.url(path)).form(&form).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_bad_value_stays_in_its_field_marked_and_listed_while_the_others_are_saved() {
    let app = spawn().await;
    setup(&app).await;
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let fields: Vec<(String, String)> =
        [field("1.2", "4", 0), field("3.1", "abc", 0), field("3.3", "300", 0)].concat();
    let response = post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("name=\"v:3.1\" id=\"f-3.1\" value=\"abc\""), "abc is kept in its field");
    let input = page.split("id=\"f-3.1\"").nth(1).unwrap().split('>').next().unwrap();
    assert!(
        input.contains("aria-invalid=\"true\"") && input.contains("aria-describedby=\"m-3.1\""),
        "{input}"
    );
    let note = page.split("id=\"m-3.1\"").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(note.contains("abc") && !note.contains("BadValue") && !note.contains("Problem"), "{note}");
    let summary = error_summary(&page);
    assert!(summary.contains("role=\"alert\"") && summary.contains("tabindex=\"-1\""), "{summary}");
    assert!(summary.contains("<a href=\"#f-3.1\">3.1: "), "the summary links to the field: {summary}");
    assert!(!summary.contains("#f-1.2"), "only the refused value is listed: {summary}");
    assert_eq!(stored(&app, "1.2").await, Some(("4".into(), 1)), "the valid values are saved");
    assert_eq!(stored(&app, "3.3").await, Some(("300".into(), 1)));
    assert_eq!(stored(&app, "3.1").await, None, "the refused one is not");
    // The page in English says it in English only.
    let english = app.signed_in("bc.sttt", PASSWORD).await;
    english.get("/lang/en").await;
    let response = post_owned(&english, "/work/rounds/2/units/STTTT/save", &field("3.1", "abc", 0)).await;
    let page = response.text().await.unwrap();
    let note = page.split("id=\"m-3.1\"").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(note.contains("abc") && !note.contains("không"), "{note}");
}

#[tokio::test]
async fn a_field_saves_alone_and_answers_in_json() {
    let app = spawn().await;
    setup(&app).await;
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let (status, saved) =
        post_json(&reporter, "/work/rounds/2/units/STTTT/field", &field("1.2", "4", 0)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(saved["fields"]["1.2"]["status"], "saved", "{saved}");
    assert_eq!(saved["fields"]["1.2"]["version"], 1, "{saved}");
    assert_eq!(saved["fields"]["1.2"]["message"], "Đã lưu");
    assert_eq!(stored(&app, "1.2").await, Some(("4".into(), 1)));
    let (_, refused) =
        post_json(&reporter, "/work/rounds/2/units/STTTT/field", &field("3.1", "abc", 0)).await;
    assert_eq!(refused["fields"]["3.1"]["status"], "invalid", "{refused}");
    assert!(refused["fields"]["3.1"]["message"].as_str().unwrap().contains("abc"), "{refused}");
    assert_eq!(stored(&app, "3.1").await, None);
    // A ratio's two inputs and "not applicable" are one field each.
    let ratio = vec![
        ("a:1.3".to_owned(), "3".to_owned()),
        ("b:1.3".to_owned(), "4".to_owned()),
        ("ver:1.3".to_owned(), "0".to_owned()),
    ];
    let (_, saved) = post_json(&reporter, "/work/rounds/2/units/STTTT/field", &ratio).await;
    assert_eq!(saved["fields"]["1.3"]["status"], "saved", "{saved}");
    assert_eq!(stored(&app, "1.3").await, Some(("3/4".into(), 1)));
    // Without the CSRF token nothing is saved.
    let response = reporter
        .client
        .post(reporter.url("/work/rounds/2/units/STTTT/field"))
        .form(&field("1.4", "200", 0))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(stored(&app, "1.4").await, None);
}

#[tokio::test]
async fn a_save_from_an_older_version_is_told_the_current_value() {
    let app = spawn().await;
    let (admin, _) = setup(&app).await;
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let (_, first) = post_json(&admin, "/work/rounds/2/units/STTTT/field", &field("1.2", "3", 0)).await;
    assert_eq!(first["fields"]["1.2"]["status"], "saved");
    // The reporter's tab still shows version 0.
    let (_, stale) = post_json(&reporter, "/work/rounds/2/units/STTTT/field", &field("1.2", "4", 0)).await;
    let answer = &stale["fields"]["1.2"];
    assert_eq!(answer["status"], "stale", "{stale}");
    assert_eq!(answer["value"], "3");
    assert_eq!(answer["version"], 1);
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("trước bạn") && message.contains('3') && message.contains('4'), "{message}");
    assert_eq!(stored(&app, "1.2").await, Some(("3".into(), 1)), "nothing was overwritten");
    // The form without script: the page shows the current value, and says so inline.
    let response = post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &field("1.2", "4", 0)).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = response.text().await.unwrap();
    assert!(page.contains("name=\"v:1.2\" id=\"f-1.2\" value=\"3\""), "the current value is in the field");
    assert!(page.contains("name=\"ver:1.2\" value=\"1\""), "with its version, to save again knowingly");
    let note = page.split("id=\"m-1.2\"").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(note.contains("Có người đã lưu chỉ số này trước bạn"), "{note}");
}

#[tokio::test]
async fn the_live_points_score_the_valid_values_while_one_is_invalid() {
    let app = spawn().await;
    setup(&app).await;
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let fields: Vec<(String, String)> = [field("1.2", "4", 0), field("3.1", "abc", 0)].concat();
    let (status, preview) = post_json(&reporter, "/work/rounds/2/units/STTTT/preview", &fields).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["points"]["1.2"], 2.0, "{preview}");
    assert!(preview["problems"]["3.1"].as_str().unwrap().contains("abc"), "{preview}");
    assert!(preview["problems"].get("1.2").is_none(), "{preview}");
}

#[tokio::test]
async fn the_progress_counts_answers_and_missing_evidence() {
    let app = spawn().await;
    setup(&app).await;
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let (_, page) = reporter.text("/work/rounds/2/units/STTTT").await;
    let progress = |page: &str| {
        page.split("data-testid=\"progress\"")
            .nth(1)
            .unwrap()
            .split('>')
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    let first = progress(&page);
    assert!(
        first.starts_with("0/") && first.contains("đã trả lời") && first.contains("thiếu minh chứng"),
        "{first}"
    );
    let total: usize = first[2..].split(' ').next().unwrap().parse().unwrap();
    let (_, saved) = post_json(&reporter, "/work/rounds/2/units/STTTT/field", &field("1.2", "4", 0)).await;
    assert_eq!(saved["progress"]["answered"], 1, "{saved}");
    assert_eq!(saved["progress"]["total"], total, "{saved}");
    assert!(
        saved["progress"]["text"].as_str().unwrap().starts_with(&format!("1/{total} đã trả lời")),
        "{saved}"
    );
    let missing = saved["progress"]["missing_evidence"].as_u64().unwrap();
    assert!(missing > 0);
    add_evidence(&reporter, 2, "STTTT").await;
    let (_, page) = reporter.text("/work/rounds/2/units/STTTT").await;
    assert_eq!(progress(&page), format!("1/{total} đã trả lời, 0 thiếu minh chứng"));
}

#[tokio::test]
async fn submitting_asks_for_confirmation_and_explains_the_lock() {
    let app = spawn().await;
    setup(&app).await;
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let saved =
        post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &form_fields(&bundled("STTTT")).await).await;
    assert_eq!(location(&saved), "/work/rounds/2/units/STTTT?message=saved");
    add_evidence(&reporter, 2, "STTTT").await;
    let response =
        post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &[("submit".into(), "1".into())]).await;
    assert_eq!(response.status(), StatusCode::OK, "the first click only asks");
    let page = response.text().await.unwrap();
    assert!(page.contains("data-testid=\"confirm-submit\""), "a confirmation step");
    assert!(page.contains("biểu mẫu bị khoá"), "which explains the lock");
    assert!(page.contains("name=\"confirm\" value=\"1\""));
    let state = app.store.unit_progress(RoundId(2)).await.unwrap();
    assert_eq!(
        state.iter().find(|p| p.unit == "STTTT").unwrap().state,
        chiso_store::UnitState::Draft,
        "not submitted yet"
    );
    let response = post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &submit_confirmed()).await;
    assert_eq!(location(&response), "/work/rounds/2/units/STTTT?message=submitted");
}
