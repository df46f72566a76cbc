//! Preliminary results and the explanation window (issue 12, item 4), through
//! HTTP: the admin publishes preliminary results with a deadline (the public pages
//! mark them); STTTT's reporter contests indicator 1.2 with a file; approval is
//! refused while the contest is open; the council accepts it with a new value;
//! approval and the final publication carry that value, and the mark is gone.

use crate::support::{Browser, PASSWORD, TestApp, location, spawn};
use crate::workflow::{add_evidence, bundled, form_fields, post_owned, setup, submit_confirmed};
use chiso_core::Lang;
use chiso_core::workflow::Refusal;
use chiso_store::{Role, RoundId};
use reqwest::StatusCode;

/// The self-assessed, appraised and final totals of a public scorecard.
fn three_scores(page: &str) -> Vec<String> {
    let Some(start) = page.find("data-testid=\"three-scores\"") else { return Vec::new() };
    let section = page[start..].split("</section>").next().unwrap_or_default();
    section
        .split("<span class=\"value\">")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap_or_default().to_owned())
        .collect()
}

/// The element of `page` that starts with the attribute `marker`, up to `end`.
fn element<'a>(page: &'a str, marker: &str, end: &str) -> &'a str {
    let start = page.find(marker).unwrap_or_else(|| panic!("{marker} is on the page"));
    page[start..].split(end).next().unwrap_or_default()
}

const MARK_VI: &str = "Kết quả sơ bộ — chưa phải kết quả chính thức";
const MARK_EN: &str = "Preliminary results — not final";

/// Both units filled, submitted and appraised (1.2 of STTTT lowered to 1).
async fn appraised_round(app: &TestApp) -> (Browser, Browser) {
    let (admin, round) = setup(app).await;
    for (user, unit) in [("bc.sttt", "STTTT"), ("bc.tp", "116")] {
        let reporter = app.signed_in(user, PASSWORD).await;
        let path = format!("/work/rounds/{round}/units/{unit}/save");
        let response = post_owned(&reporter, &path, &form_fields(&bundled(unit)).await).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{unit}: {}", response.text().await.unwrap());
        add_evidence(&reporter, round, unit).await;
        let response = post_owned(&reporter, &path, &submit_confirmed()).await;
        assert_eq!(location(&response), format!("/work/rounds/{round}/units/{unit}?message=submitted"));
    }
    admin.post_form("/work/rounds/2/stage", &[("to", "appraisal")]).await;
    let appraiser = app.signed_in("thamdinh", PASSWORD).await;
    let response = appraiser
        .post_form(
            "/work/rounds/2/units/STTTT/appraise",
            &[("indicator", "1.2"), ("value", "1"), ("reason", "Chỉ có 1 biên bản"), ("version", "0")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = appraiser.post_form("/work/rounds/2/units/STTTT/step", &[("action", "finalise")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // One unit still to finalise: no preliminary results yet.
    let (_, board) = admin.text("/work/rounds/2").await;
    assert!(!board.contains("data-testid=\"publish-preliminary\""), "116 is not appraised yet");
    let response = appraiser.post_form("/work/rounds/2/units/116/step", &[("action", "finalise")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    (admin, appraiser)
}

#[tokio::test]
async fn a_contest_of_preliminary_results_is_answered_and_reaches_the_final_results() {
    let app = spawn().await;
    let (admin, appraiser) = appraised_round(&app).await;
    app.add_user("snv", Role::Appraiser, Some("SNV")).await;
    let department = app.signed_in("snv", PASSWORD).await;
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let other = app.signed_in("bc.tp", PASSWORD).await;
    let viewer = app.signed_in("xem", PASSWORD).await;

    // The admin publishes preliminary results, with a deadline for contests.
    let (_, board) = admin.text("/work/rounds/2").await;
    let form = element(&board, "data-testid=\"publish-preliminary\"", "</form>");
    assert!(form.contains("Công bố kết quả sơ bộ") && form.contains("name=\"deadline\""), "{form}");
    let (_, english) = admin.text("/work/rounds/2?lang=en").await;
    assert!(english.contains("Publish preliminary results") && !english.contains("Công bố kết quả sơ bộ"));
    let response = admin
        .post_form(
            "/work/rounds/2/preliminary",
            &[("decision", "Thông báo số 7/TB-SKHCN"), ("deadline", "2099-12-31")],
        )
        .await;
    assert_eq!(location(&response), "/work/rounds/2?message=preliminary");
    let (_, board) = admin.text("/work/rounds/2").await;
    let stage = format!("data-testid=\"stage\">{}<", chiso_store::Stage::Preliminary.label(Lang::Vi));
    assert!(board.contains(&stage), "the stage is shown");
    let window = element(&board, "data-testid=\"contest-window\"", "</p>");
    assert!(window.contains("23:59 31/12/2099"), "the deadline is the end of its day: {window}");
    let workflow = app.store.workflow(RoundId(2)).await.unwrap().unwrap();
    assert_eq!(workflow.stage, chiso_store::Stage::Preliminary);

    // Every public page of the round marks the results as preliminary, in its language.
    for path in ["/rounds/2", "/rounds/2/units/STTTT", "/rounds/2/map", "/rounds/2/changes", "/"] {
        let (status, page) = app.browser().text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let mark = element(&page, "data-testid=\"preliminary\"", "</p>");
        assert!(mark.contains(MARK_VI) && mark.contains("31/12/2099"), "{path}: {mark}");
        let (_, page) = app.browser().text(&format!("{path}?lang=en")).await;
        let mark = element(&page, "data-testid=\"preliminary\"", "</p>");
        assert!(mark.contains(MARK_EN) && mark.contains("2099-12-31"), "{path}: {mark}");
        assert!(!page.contains(MARK_VI) && !mark.contains("đơn vị"), "{path}: no Vietnamese in {mark}");
    }
    let (_, page) = app.browser().text("/rounds/2").await;
    assert!(!page.contains("data-testid=\"correction\""), "preliminary results are no correction");
    // The API says so too.
    let (_, round) = app.browser().text("/api/v1/rounds/2").await;
    let round: serde_json::Value = serde_json::from_str(&round).unwrap();
    assert_eq!(round["publications"][0]["preliminary"], true, "{round}");
    let (_, page) = app.browser().text("/rounds/2/units/STTTT").await;
    assert_eq!(three_scores(&page), ["91,48", "89,48", "89,48"], "the preliminary results");

    // The reporter sees the contest form; another unit's reporter cannot contest STTTT.
    let (_, form_page) = reporter.text("/work/rounds/2/units/STTTT").await;
    let form = element(&form_page, "data-testid=\"contest-form\"", "</form>");
    assert!(form.contains("value=\"1.2\"") && form.contains("name=\"file\""), "{form}");
    let (_, english) = reporter.text("/work/rounds/2/units/STTTT?lang=en").await;
    let form = element(&english, "data-testid=\"contest-form\"", "</form>");
    assert!(form.contains("Contest an indicator") && !form.contains("Lý do"), "{form}");
    let (_, page) = viewer.text("/work/rounds/2/units/STTTT").await;
    assert!(!page.contains("data-testid=\"contest-form\""), "a viewer does not contest");
    let contest = |browser: &Browser, unit: &str, file: (&str, &[u8]), reason: &str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", browser.csrf.clone())
            .text("indicator", "1.2")
            .text("reason", reason.to_owned())
            .part("file", reqwest::multipart::Part::bytes(file.1.to_vec()).file_name(file.0.to_owned()));
        browser
            .client
            .post(browser.url(&format!("/work/rounds/2/units/{unit}/contest")))
            .multipart(form)
            .send()
    };
    let response = contest(&other, "STTTT", ("a.pdf", b"%PDF"), "x").await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = contest(&reporter, "STTTT", ("setup.exe", b"MZ"), "Đã họp 2 lần").await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("setup.exe: Chỉ nhận tệp PDF"), "the file is named");
    let response = contest(&reporter, "STTTT", ("a.pdf", b"%PDF"), "  ").await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT, "a contest needs a reason");
    assert!(app.store.contests(RoundId(2), None).await.unwrap().is_empty(), "nothing stored");
    let minutes = b"%PDF-1.4 bien ban lan 2";
    let response =
        contest(&reporter, "STTTT", ("bien-ban-2.pdf", minutes), "Đã họp 2 lần, có biên bản").await.unwrap();
    assert_eq!(location(&response), "/work/rounds/2/units/STTTT?message=contested#contests");
    let response = contest(&reporter, "STTTT", ("a.pdf", b"%PDF"), "lần nữa").await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "one open contest per indicator");
    assert!(response.text().await.unwrap().contains("1.2: chỉ số này đã có đề nghị xem xét lại"));
    let contests = app.store.contests(RoundId(2), None).await.unwrap();
    assert_eq!(contests.len(), 1);
    let (id, file) = (contests[0].id, contests[0].files[0].id);

    // The unit's form lists it, with its file, for the reporter.
    let (_, page) = reporter.text("/work/rounds/2/units/STTTT").await;
    let row = element(&page, "data-testid=\"contest-STTTT-1.2\"", "</tr>");
    assert!(row.contains("data-status=\"open\"") && row.contains("Chờ trả lời"), "{row}");
    assert!(row.contains("Đã họp 2 lần, có biên bản") && row.contains("bien-ban-2.pdf"), "{row}");
    assert!(!row.contains("data-testid=\"answer-"), "a reporter does not answer");
    let history = element(&page, "data-testid=\"history\"", "</ul>");
    assert!(
        history.contains("data-event=\"contest\"") && history.contains("đề nghị xem xét lại"),
        "{history}"
    );
    let (_, english) = reporter.text("/work/rounds/2/units/STTTT?lang=en").await;
    let history = element(&english, "data-testid=\"history\"", "</ul>");
    assert!(history.contains("contested") && !history.contains("đề nghị"), "{history}");

    // Its file downloads as an attachment for the unit and staff, not for another unit.
    let path = format!("/work/rounds/2/contest-files/{file}");
    let download = reporter.get(&path).await;
    assert_eq!(download.status(), StatusCode::OK);
    let disposition = download.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert_eq!(disposition, "attachment; filename=\"bien-ban-2.pdf\"");
    assert_eq!(download.bytes().await.unwrap().as_ref(), minutes);
    assert_eq!(viewer.get(&path).await.status(), StatusCode::OK);
    assert_eq!(other.get(&path).await.status(), StatusCode::FORBIDDEN);
    assert!(location(&app.browser().get(&path).await).starts_with("/login"));

    // Approval waits for the answer, with the reason in the page's language.
    let response = admin.post_form("/work/rounds/2/stage", &[("to", "approved")]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = response.text().await.unwrap();
    assert!(page.contains(&Refusal::ContestsOpen { count: 1 }.message(Lang::Vi)), "the reason is given");
    let response = admin.post_form("/work/rounds/2/stage?lang=en", &[("to", "approved")]).await;
    assert!(response.text().await.unwrap().contains(&Refusal::ContestsOpen { count: 1 }.message(Lang::En)));

    // The board lists the contest; the council answers it, a viewer and a
    // department that does not verify 1.2 do not.
    let (_, board) = viewer.text("/work/rounds/2").await;
    let row = element(&board, "data-testid=\"contest-STTTT-1.2\"", "</tr>");
    assert!(row.contains("Đã họp 2 lần") && !row.contains("data-testid=\"answer-"), "{row}");
    let (_, board) = department.text("/work/rounds/2").await;
    assert!(!board.contains(&format!("data-testid=\"answer-{id}\"")), "SNV does not verify 1.2");
    let answer = format!("/work/rounds/2/contests/{id}/answer");
    let accept = [("answer", "accept"), ("value", "2"), ("reason", "Biên bản thứ hai hợp lệ")];
    assert_eq!(department.post_form(&answer, &accept).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(reporter.post_form(&answer, &accept).await.status(), StatusCode::FORBIDDEN);
    let (_, board) = appraiser.text("/work/rounds/2").await;
    assert!(board.contains(&format!("data-testid=\"answer-{id}\"")), "the council answers");
    let response =
        appraiser.post_form(&answer, &[("answer", "accept"), ("value", ""), ("reason", "x")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "accepting needs the new value");
    let response = appraiser.post_form(&answer, &accept).await;
    assert_eq!(location(&response), "/work/rounds/2?message=answered#contests");
    let response = appraiser.post_form(&answer, &[("answer", "reject"), ("reason", "x")]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "answered once");
    assert!(response.text().await.unwrap().contains("Đề nghị này đã được trả lời."));

    // The unit sees the answer and its new appraised value.
    let (_, page) = reporter.text("/work/rounds/2/units/STTTT").await;
    let row = element(&page, "data-testid=\"contest-STTTT-1.2\"", "</tr>");
    assert!(row.contains("data-status=\"accepted\"") && row.contains("Chấp nhận"), "{row}");
    assert!(
        row.contains("<strong data-testid=\"answer-value\">2</strong> — Biên bản thứ hai hợp lệ"),
        "{row}"
    );
    let history = element(&page, "data-testid=\"history\"", "</ul>");
    assert!(history.contains("data-event=\"contest_accepted\"") && history.contains("chấp nhận đề nghị"));

    // Approval and the final publication: 1.2 = 2 meetings earns 1 point more than
    // the council's 1 (89.48 + 1 = 90.48); the preliminary mark is gone.
    let response = admin.post_form("/work/rounds/2/stage", &[("to", "approved")]).await;
    assert_eq!(location(&response), "/work/rounds/2?message=stage");
    let response =
        admin.post_form("/work/rounds/2/publish", &[("decision", "Quyết định số 99/QĐ-UBND")]).await;
    assert_eq!(location(&response), "/rounds/2");
    let (_, page) = app.browser().text("/rounds/2/units/STTTT").await;
    assert_eq!(three_scores(&page), ["91,48", "90,48", "90,48"], "the accepted value is final");
    for path in ["/rounds/2", "/rounds/2/units/STTTT", "/rounds/2/map", "/rounds/2/changes"] {
        let (_, page) = app.browser().text(path).await;
        assert!(!page.contains("data-testid=\"preliminary\"") && !page.contains(MARK_VI), "{path}");
    }
    let (_, page) = app.browser().text("/rounds/2").await;
    assert!(!page.contains("data-testid=\"correction\""), "the final results replace preliminary ones");
    let (_, round) = app.browser().text("/api/v1/rounds/2").await;
    let round: serde_json::Value = serde_json::from_str(&round).unwrap();
    let flags: Vec<&serde_json::Value> =
        round["publications"].as_array().unwrap().iter().map(|p| &p["preliminary"]).collect();
    assert_eq!(flags, [false, true], "the final publication first, then the preliminary one: {round}");
    let (_, page) = app.browser().text("/rounds/2/changes").await;
    assert!(
        page.contains("thay thế kết quả sơ bộ") && !page.contains("đính chính và thay thế"),
        "changes page: {page}"
    );
    let actions: Vec<String> = app
        .store
        .audit(&chiso_store::AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in ["unit.contest", "unit.contest.answer"] {
        assert!(actions.iter().any(|a| a == action), "{action} is audited");
    }
}
