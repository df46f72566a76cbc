//! Verification per indicator (issue 12, item 3), through HTTP: the framework gives
//! indicator 1.2 to Sở Nội vụ (`verifier = "SNV"`); SNV's appraiser sees only 1.2 in
//! the appraisal queue and appraises only it; the council sees and appraises the
//! others and finalises; a reporter explains missing evidence instead of giving it,
//! can then submit, and the appraiser reads the explanation.

use crate::support::{ADMIN_PASSWORD, PASSWORD, TestApp, location, sonla_files, spawn};
use crate::workflow::{bundled, form_fields, post_owned, submit_confirmed};
use chiso_io::{Files, Package};
use chiso_store::{Role, RoundId};
use reqwest::StatusCode;

const EXPLANATION: &str = "Năm 2024 Ban Chỉ đạo họp trực tuyến, không lập biên bản riêng";

/// The bundled files with indicator 1.2 of both frameworks verified by SNV.
fn files_with_verifier() -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = sonla_files(|path, text| {
        if path.starts_with("frameworks/") {
            text.replace("code = \"1.2\"\n", "code = \"1.2\"\nverifier = \"SNV\"\n")
        } else {
            text
        }
    });
    files.remove("values.csv");
    files
}

/// The text of the element with `data-testid="{id}"` up to its closing `tag`; empty without one.
fn element(page: &str, id: &str, tag: &str) -> String {
    let marker = format!("data-testid=\"{id}\"");
    page.find(&marker).map_or_else(String::new, |i| {
        page[i + marker.len()..].split(&format!("</{tag}>")).next().unwrap_or_default().to_owned()
    })
}

/// Round 2 with the verifier, open, STTTT the only unit taking part; users: the
/// reporter of STTTT, SNV's appraiser, the council's appraiser.
async fn setup(app: &TestApp) -> crate::support::Browser {
    app.add_user("bc.sttt", Role::Reporter, Some("STTTT")).await;
    app.add_user("td.snv", Role::Appraiser, Some("SNV")).await;
    app.add_user("hoidong", Role::Appraiser, None).await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let response = admin.post_files("/work/rounds", &files_with_verifier()).await;
    assert_eq!(location(&response), "/work/rounds/2?message=created");
    for unit in app.store.unit_progress(RoundId(2)).await.unwrap() {
        if unit.unit != "STTTT" {
            app.store
                .set_unit_assigned(RoundId(2), &unit.unit, false, chiso_store::Actor::System)
                .await
                .unwrap();
        }
    }
    let response = admin.post_form("/work/rounds/2/stage", &[("to", "open")]).await;
    assert_eq!(location(&response), "/work/rounds/2?message=stage");
    admin
}

fn needing_evidence(unit: &str) -> Vec<String> {
    let package = Package::from_files(Files::Memory(sonla_files(|_, text| text))).unwrap();
    let a = &package.assessment;
    let u = a.units.iter().position(|x| x.code == unit).unwrap();
    a.framework_of(u).indicators.iter().filter(|i| i.evidence).map(|i| i.code.clone()).collect()
}

#[tokio::test]
async fn a_department_verifies_its_indicators_and_the_council_the_others() {
    let app = spawn().await;
    let admin = setup(&app).await;
    let round = RoundId(2);

    // The reporter fills the form and gives evidence for everything but 1.2.
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let fields = form_fields(&bundled("STTTT")).await;
    let saved = post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &fields).await;
    assert_eq!(location(&saved), "/work/rounds/2/units/STTTT?message=saved");
    for (i, indicator) in needing_evidence("STTTT").iter().filter(|c| *c != "1.2").enumerate() {
        let form = reqwest::multipart::Form::new()
            .text("csrf", reporter.csrf.clone())
            .text("indicator", indicator.clone())
            .text("number", format!("{}/QĐ-UBND", i + 1))
            .text("date", "2024-03-01")
            .text("summary", "Quyết định");
        let response = reporter
            .client
            .post(reporter.url("/work/rounds/2/units/STTTT/evidence"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "evidence for {indicator}");
    }

    // 1.2 has no evidence: the form offers an explanation there only, counts it missing
    // and names the verifying department; submitting is refused for it.
    let (status, page) = reporter.text("/work/rounds/2/units/STTTT").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-testid=\"explain-1.2\""), "the explanation is offered for 1.2");
    assert!(page.contains("Giải trình lý do không có minh chứng"));
    assert!(!page.contains("data-testid=\"explain-1.1\""), "1.1 has evidence");
    assert!(
        element(&page, "progress", "p").contains(", 1 thiếu minh chứng"),
        "{}",
        element(&page, "progress", "p")
    );
    assert!(element(&page, "verifier-1.2", "p").contains("Sở Nội vụ"));
    assert!(!page.contains("data-testid=\"verifier-1.3\""), "the council verifies 1.3");
    let refused = reporter.post_form("/work/rounds/2/units/STTTT/save", &[("submit", "1")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let summary = crate::form::error_summary(&refused.text().await.unwrap());
    assert!(summary.contains("1.2: cần minh chứng"), "{summary}");

    // Another unit's reporter may not explain for STTTT; STTTT's reporter explains.
    app.add_user("bc.snv", Role::Reporter, Some("SNV")).await;
    let other = app.signed_in("bc.snv", PASSWORD).await;
    let response = other
        .post_form(
            "/work/rounds/2/units/STTTT/explain",
            &[("indicator", "1.2"), ("text", "không phải của tôi")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = reporter
        .post_form("/work/rounds/2/units/STTTT/explain", &[("indicator", "1.2"), ("text", EXPLANATION)])
        .await;
    assert_eq!(location(&response), "/work/rounds/2/units/STTTT?message=explained#i-1.2");
    assert_eq!(
        app.store.evidence_explanations(round, "STTTT").await.unwrap(),
        vec![("1.2".to_owned(), EXPLANATION.to_owned())]
    );
    let (_, page) = reporter.text("/work/rounds/2/units/STTTT?message=explained").await;
    assert!(element(&page, "explanation-1.2", "p").contains(EXPLANATION));
    assert!(
        element(&page, "progress", "p").contains(", 0 thiếu minh chứng"),
        "{}",
        element(&page, "progress", "p")
    );
    let submitted = post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &submit_confirmed()).await;
    assert_eq!(location(&submitted), "/work/rounds/2/units/STTTT?message=submitted");
    let response = admin.post_form("/work/rounds/2/stage", &[("to", "appraisal")]).await;
    assert_eq!(location(&response), "/work/rounds/2?message=stage");

    // SNV's appraiser: the board links the queue; the queue holds 1.2 only, with the
    // explanation; the form has appraisal inputs on 1.2 only and no return/finalise.
    let snv = app.signed_in("td.snv", PASSWORD).await;
    let (_, board) = snv.text("/work/rounds/2").await;
    assert!(board.contains("href=\"/work/rounds/2/queue\" data-testid=\"queue-link\""));
    let (status, queue) = snv.text("/work/rounds/2/queue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("data-testid=\"queue-row-STTTT-1.2\""), "{queue}");
    for other in ["1.1", "1.3", "2.1"] {
        assert!(!queue.contains(&format!("data-testid=\"queue-row-STTTT-{other}\"")), "{other} is not SNV's");
    }
    assert!(element(&queue, "queue-explanation-STTTT-1.2", "p").contains(EXPLANATION));
    assert!(queue.contains("href=\"/work/rounds/2/units/STTTT#i-1.2\""), "the row links to the form");
    assert!(element(&queue, "queue-scope", "p").contains("Sở Nội vụ"));
    let (_, form) = snv.text("/work/rounds/2/units/STTTT").await;
    assert!(form.contains("data-testid=\"appraise-1.2\""));
    assert!(!form.contains("data-testid=\"appraise-1.3\""), "no inputs on the council's rows");
    assert!(form.contains("data-testid=\"not-yours-1.3\""));
    assert!(!form.contains("data-testid=\"finalise\"") && !form.contains("data-testid=\"return\""));
    assert!(
        element(&form, "explanation-1.2", "p").contains(EXPLANATION),
        "the appraiser reads the explanation"
    );
    assert!(!form.contains("data-testid=\"explain-1.2\""), "but may not write one");

    // SNV is refused 1.3 (403, the refusal on the form in the page's language) and
    // finalising; it appraises 1.2.
    let appraise = |indicator: &'static str, value: &'static str| {
        [("indicator", indicator), ("value", value), ("reason", "Theo biên bản kiểm tra"), ("version", "0")]
    };
    let response = snv.post_form("/work/rounds/2/units/STTTT/appraise", &appraise("1.3", "1/4")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let page = response.text().await.unwrap();
    let error = element(&page, "form-error", "p");
    assert!(error.contains("1.3") && error.contains("do hội đồng thẩm định"), "{error}");
    let response = snv.post_form("/work/rounds/2/units/STTTT/step", &[("action", "finalise")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(element(&response.text().await.unwrap(), "form-error", "p").contains("kết thúc thẩm định"));
    assert!(app.store.appraisals(round).await.unwrap().is_empty(), "nothing was appraised");
    let response = snv.post_form("/work/rounds/2/units/STTTT/appraise", &appraise("1.2", "2")).await;
    assert_eq!(location(&response), "/work/rounds/2/units/STTTT?message=appraised#i-1.2");
    let appraisals = app.store.appraisals(round).await.unwrap();
    assert_eq!(
        appraisals.iter().map(|a| (a.indicator.as_str(), a.value.as_str())).collect::<Vec<_>>(),
        [("1.2", "2")]
    );

    // The council: every indicator but 1.2 in its queue; appraises 1.3 and finalises.
    let council = app.signed_in("hoidong", PASSWORD).await;
    let (_, queue) = council.text("/work/rounds/2/queue").await;
    assert!(!queue.contains("data-testid=\"queue-row-STTTT-1.2\""));
    assert!(
        queue.contains("data-testid=\"queue-row-STTTT-1.1\"")
            && queue.contains("data-testid=\"queue-row-STTTT-1.3\"")
    );
    // The council may still appraise any indicator (its queue is what no department verifies).
    let (_, form) = council.text("/work/rounds/2/units/STTTT").await;
    assert!(form.contains("data-testid=\"appraise-1.2\"") && form.contains("data-testid=\"finalise\""));
    // Another department's appraiser is refused SNV's indicator.
    app.add_user("td.stp", Role::Appraiser, Some("STP")).await;
    let stp = app.signed_in("td.stp", PASSWORD).await;
    let response = stp.post_form("/work/rounds/2/units/STTTT/appraise", &appraise("1.2", "1")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let error = element(&response.text().await.unwrap(), "form-error", "p");
    assert!(error.contains("SNV") && error.contains("không phải đơn vị của bạn"), "{error}");
    let (_, queue) = stp.text("/work/rounds/2/queue").await;
    assert!(queue.contains("data-testid=\"queue-empty\""), "STP verifies nothing in this framework");
    let response = council.post_form("/work/rounds/2/units/STTTT/appraise", &appraise("1.3", "2/4")).await;
    assert_eq!(location(&response), "/work/rounds/2/units/STTTT?message=appraised#i-1.3");

    // An admin's queue holds everything, 1.2 with the SNV value; in English, English only.
    let mut english = app.signed_in("admin", ADMIN_PASSWORD).await;
    english.get("/lang/en").await;
    english.refresh_csrf().await;
    let (_, queue) = english.text("/work/rounds/2/queue").await;
    assert!(
        queue.contains("data-testid=\"queue-row-STTTT-1.2\"")
            && queue.contains("data-testid=\"queue-row-STTTT-1.3\"")
    );
    assert!(
        element(&queue, "queue-row-STTTT-1.2", "tr").contains("<strong>2</strong>"),
        "the appraised value"
    );
    assert!(queue.contains("Appraisal queue") && queue.contains("Why there is no evidence"));
    for vietnamese in ["Hàng chờ", "Giải trình", "Tự đánh giá", "Minh chứng", "thiếu"] {
        assert!(!queue.contains(vietnamese), "{vietnamese} on the English queue");
    }
    let response = council.post_form("/work/rounds/2/units/STTTT/step", &[("action", "finalise")]).await;
    assert_eq!(location(&response), "/work/rounds/2?message=finalised");
    let (_, queue) = council.text("/work/rounds/2/queue").await;
    assert!(queue.contains("data-testid=\"queue-empty\""), "an appraised unit leaves the queue");

    // Reporters and viewers have no queue.
    assert_eq!(reporter.get("/work/rounds/2/queue").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_queue_and_the_explanation_form_fit_a_phone_and_the_users_page_explains_the_unit() {
    let app = spawn().await;
    let admin = setup(&app).await;
    let (_, users) = admin.text("/admin/users").await;
    assert!(element(&users, "unit-code-hint", "small").contains("Thẩm định viên: sở, ngành họ thuộc về"));
    let css = app.browser().text("/static/app.css").await.1;
    assert!(css.contains(".queue-table td[data-label]::before"), "queue rows are cards at phone widths");
}
