//! The round run in the app, through HTTP: an admin creates and opens a round, two
//! reporters fill their units (the form and a spreadsheet), with evidence; an
//! appraiser changes a value, returns a unit that is resubmitted, finalises; the
//! admin approves and publishes; the public scorecard shows the three scores.

use crate::support::{ADMIN_PASSWORD, Browser, PASSWORD, TestApp, location, sonla_files, spawn};
use chiso_io::{Files, Package};
use chiso_store::{AuditFilter, Role, RoundId};
use reqwest::StatusCode;
use std::collections::BTreeMap;

/// (indicator, value) of `unit` in the bundled values.csv.
pub fn bundled(unit: &str) -> Vec<(String, String)> {
    let files = sonla_files(|_, text| text);
    let text = String::from_utf8(files["values.csv"].clone()).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.splitn(4, ',');
            let (u, indicator, value) = (fields.next()?, fields.next()?, fields.next()?);
            (u == unit && !value.is_empty())
                .then(|| (indicator.to_owned(), value.trim_matches('"').to_owned()))
        })
        .collect()
}

fn package() -> Package {
    Package::from_files(Files::Memory(sonla_files(|_, text| text))).unwrap()
}

fn needing_evidence(unit: &str) -> Vec<String> {
    let package = package();
    let a = &package.assessment;
    let u = a.units.iter().position(|x| x.code == unit).unwrap();
    a.framework_of(u).indicators.iter().filter(|i| i.evidence).map(|i| i.code.clone()).collect()
}

/// The text of the form's error element (`data-testid="form-error"`); empty without one.
fn form_error(page: &str) -> String {
    let marker = "data-testid=\"form-error\">";
    page.find(marker).map_or_else(String::new, |i| {
        page[i + marker.len()..].split("</p>").next().unwrap_or_default().to_owned()
    })
}

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

/// The values a signed-in browser's template of `group` for round 2 holds.
async fn template_values(browser: &Browser, group: &str) -> Vec<chiso_io::xlsx::CellValue> {
    let response = browser.get(&format!("/work/rounds/2/template/{group}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    chiso_io::xlsx::read_values(&package().assessment, &bytes, chiso_core::Lang::Vi).unwrap()
}

pub async fn form_fields(values: &[(String, String)]) -> Vec<(String, String)> {
    values
        .iter()
        .flat_map(|(code, value)| [(format!("v:{code}"), value.clone()), (format!("ver:{code}"), "0".into())])
        .collect()
}

/// The fields of a confirmed submission (the confirmation step's button).
pub fn submit_confirmed() -> Vec<(String, String)> {
    vec![("submit".into(), "1".into()), ("confirm".into(), "1".into())]
}

pub async fn post_owned(browser: &Browser, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post_form(path, &borrowed).await
}

pub async fn add_evidence(browser: &Browser, round: i64, unit: &str) {
    for (i, indicator) in needing_evidence(unit).iter().enumerate() {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf", browser.csrf.clone())
            .text("indicator", indicator.clone());
        form = if i == 0 {
            form.part(
                "file",
                reqwest::multipart::Part::bytes(b"%PDF-1.4 bien ban".to_vec()).file_name("bien-ban.pdf"),
            )
        } else {
            form.text("number", format!("{i}/QĐ-UBND"))
                .text("date", "2024-03-01")
                .text("summary", "Quyết định")
        };
        let response = browser
            .client
            .post(browser.url(&format!("/work/rounds/{round}/units/{unit}/evidence")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    }
}

pub async fn setup(app: &TestApp) -> (Browser, i64) {
    app.add_user("bc.sttt", Role::Reporter, Some("STTTT")).await;
    app.add_user("bc.tp", Role::Reporter, Some("116")).await;
    app.add_user("thamdinh", Role::Appraiser, None).await;
    app.add_user("xem", Role::Viewer, None).await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let mut files = sonla_files(|_, text| text);
    files.remove("values.csv");
    let response = admin.post_files("/work/rounds", &files).await;
    assert_eq!(location(&response), "/work/rounds/2?message=created");
    for unit in app.store.unit_progress(RoundId(2)).await.unwrap() {
        if unit.unit != "STTTT" && unit.unit != "116" {
            app.store
                .set_unit_assigned(RoundId(2), &unit.unit, false, chiso_store::Actor::System)
                .await
                .unwrap();
        }
    }
    let response = admin.post_form("/work/rounds/2/stage", &[("to", "open")]).await;
    assert_eq!(location(&response), "/work/rounds/2?message=stage");
    (admin, 2)
}

#[tokio::test]
async fn a_whole_round_runs_in_the_app() {
    let app = spawn().await;
    let (admin, round) = setup(&app).await;

    // STTTT fills the form: live points, a refusal for missing evidence, then submitted.
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let (status, page) = reporter.text("/work/rounds/2/units/STTTT").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-preview="));
    let kpi = page.find("kpi:docs_out_signed_rate").map(|i| &page[i..]).unwrap_or_default();
    assert!(
        kpi.starts_with("kpi:docs_out_signed_rate — chưa có số liệu năm 2024"),
        "a kpi leaf says where it comes from: {}",
        &kpi[..kpi.len().min(300)]
    );
    let values = bundled("STTTT");
    let preview: serde_json::Value = reporter
        .client
        .post(reporter.url("/work/rounds/2/units/STTTT/preview"))
        .form(&[("csrf", reporter.csrf.as_str()), ("v:1.2", "4"), ("ver:1.2", "0")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(preview["points"]["1.2"], 2.0, "{preview}");
    let response =
        post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &form_fields(&values).await).await;
    assert_eq!(location(&response), "/work/rounds/2/units/STTTT?message=saved");
    // Submitting first asks for confirmation, which names what is missing instead.
    let refused =
        post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &[("submit".into(), "1".into())]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    let summary = crate::form::error_summary(&page);
    assert!(summary.contains("Chưa nộp được:"), "{summary}");
    assert!(!page.contains("data-testid=\"confirm-submit\""), "nothing to confirm while evidence is missing");
    for indicator in needing_evidence("STTTT") {
        assert!(
            summary.contains(&format!("<a href=\"#i-{indicator}\">{indicator}: cần minh chứng</a>")),
            "{indicator} is named with a link: {summary}"
        );
    }
    add_evidence(&reporter, round, "STTTT").await;
    let response = post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &submit_confirmed()).await;
    assert_eq!(location(&response), "/work/rounds/2/units/STTTT?message=submitted");
    let locked = post_owned(
        &reporter,
        "/work/rounds/2/units/STTTT/save",
        &[("v:1.2".into(), "1".into()), ("ver:1.2".into(), "1".into())],
    )
    .await;
    assert_eq!(locked.status(), StatusCode::CONFLICT, "a submitted form is locked");
    // Evidence files download for those who may see the unit.
    let evidence = app.store.evidence(RoundId(2), "STTTT").await.unwrap();
    let file = evidence.iter().find(|e| matches!(e.kind, chiso_store::EvidenceKind::File { .. })).unwrap();
    let download = reporter.get(&format!("/work/rounds/2/evidence/{}", file.id)).await;
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"%PDF-1.4 bien ban");

    // 116 fills a spreadsheet: the template, filled, uploaded as drafts.
    let other = app.signed_in("bc.tp", PASSWORD).await;
    // The provincial template holds STTTT's drafts for those who may see STTTT, and
    // none for another unit's reporter.
    assert!(
        !template_values(&admin, "provincial").await.is_empty(),
        "the admin's template holds STTTT's drafts"
    );
    assert_eq!(template_values(&other, "provincial").await, Vec::new(), "116 sees no STTTT draft");
    let template = other.get("/work/rounds/2/template/district").await;
    assert_eq!(template.status(), StatusCode::OK);
    assert!(!template.bytes().await.unwrap().is_empty());
    let package = package();
    let theirs: BTreeMap<String, String> = bundled("116").into_iter().collect();
    let group = package.assessment.groups.iter().position(|g| g.code == "district").unwrap();
    let filled = chiso_io::xlsx::template(
        &package.assessment,
        group,
        &|unit, indicator| if unit == "116" { theirs.get(indicator).cloned() } else { None },
        chiso_core::Lang::Vi,
    )
    .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", other.csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(filled).file_name("tu-danh-gia.xlsx"));
    let response = other.client.post(other.url("/work/rounds/2/xlsx")).multipart(form).send().await.unwrap();
    assert_eq!(location(&response), "/work/rounds/2/units/116?message=imported");
    // Every value of the spreadsheet is a draft, but those of leaves taken from a
    // monitoring KPI (their columns are read-only).
    let district = &package.assessment.groups[group].framework;
    let from_kpi: Vec<&str> = district
        .indicators
        .iter()
        .filter(|i| matches!(i.source, chiso_core::framework::Source::Kpi(_)))
        .map(|i| i.code.as_str())
        .collect();
    let mut expected: Vec<&str> =
        theirs.keys().map(String::as_str).filter(|code| !from_kpi.contains(code)).collect();
    expected.sort_unstable();
    let mut stored: Vec<String> = app
        .store
        .round_values(RoundId(2))
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.unit == "116")
        .map(|v| v.indicator)
        .collect();
    stored.sort_unstable();
    assert_eq!(stored, expected, "the spreadsheet's values are the drafts");
    let own: Vec<String> =
        template_values(&other, "district").await.into_iter().map(|v| v.indicator).collect();
    assert_eq!(own.len(), expected.len(), "116's template holds its own drafts");
    add_evidence(&other, round, "116").await;
    let response = post_owned(&other, "/work/rounds/2/units/116/save", &submit_confirmed()).await;
    assert_eq!(location(&response), "/work/rounds/2/units/116?message=submitted");

    // Appraisal.
    admin.post_form("/work/rounds/2/stage", &[("to", "appraisal")]).await;
    let appraiser = app.signed_in("thamdinh", PASSWORD).await;
    let (_, board) = appraiser.text("/work/rounds/2").await;
    assert!(board.contains("data-testid=\"queue\""));
    let no_reason = appraiser
        .post_form(
            "/work/rounds/2/units/STTTT/appraise",
            &[("indicator", "1.2"), ("value", "1"), ("version", "0")],
        )
        .await;
    assert_eq!(no_reason.status(), StatusCode::CONFLICT);
    let error = form_error(&no_reason.text().await.unwrap());
    assert!(error.contains("1.2") && error.contains("cần ghi lý do"), "the page's language: {error}");
    let response = appraiser
        .post_form(
            "/work/rounds/2/units/STTTT/appraise",
            &[("indicator", "1.2"), ("value", "1"), ("reason", "Chỉ có 1 biên bản"), ("version", "0")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = appraiser
        .post_form(
            "/work/rounds/2/units/116/step",
            &[("action", "return"), ("comment", "Bổ sung số liệu 1.2")],
        )
        .await;
    assert_eq!(location(&response), "/work/rounds/2?message=returned");
    let version = app
        .store
        .round_values(RoundId(2))
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.unit == "116" && v.indicator == "1.2")
        .unwrap()
        .version;
    let fields = [
        ("v:1.2".to_owned(), "3".to_owned()),
        ("ver:1.2".to_owned(), version.to_string()),
        ("submit".into(), "1".into()),
        ("confirm".into(), "1".into()),
    ];
    let response = post_owned(&other, "/work/rounds/2/units/116/save", &fields).await;
    assert_eq!(location(&response), "/work/rounds/2/units/116?message=submitted");
    let (_, page) = other.text("/work/rounds/2/units/116").await;
    assert!(page.contains("Bổ sung số liệu 1.2") && page.contains("resubmit"), "the history is kept");
    for unit in ["STTTT", "116"] {
        let response = appraiser
            .post_form(&format!("/work/rounds/2/units/{unit}/step"), &[("action", "finalise")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    // Approval and publication.
    let response = admin.post_form("/work/rounds/2/stage", &[("to", "approved")]).await;
    assert_eq!(location(&response), "/work/rounds/2?message=stage");
    let response = admin
        .post_form("/work/rounds/2/publish", &[("decision", "Quyết định số 2923/QĐ-UBND ngày 31/12/2023")])
        .await;
    assert_eq!(location(&response), "/rounds/2");
    let (status, page) = app.browser().text("/rounds/2/units/STTTT").await;
    assert_eq!(status, StatusCode::OK);
    // Self-assessed: the bundled values, 91.48 as published for 2024. Indicator 1.2
    // (steps [[4, 2], [2, 1]], max 2, under "1" whose children's maxima sum to its
    // max of 10, so nothing is capped): 4 meetings earn 2 points, the appraised 1
    // earns 0, so appraised = final = 91.48 − 2 = 89.48.
    assert_eq!(three_scores(&page), ["91,48", "89,48", "89,48"], "self-assessed, appraised, final");
    // 116 was not appraised: one total, of its resubmitted drafts, where 1.2 = 3
    // meetings earns 1 point (the bundled 4 earned 2).
    let (status, page) = app.browser().text("/rounds/2/units/116").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(three_scores(&page), ["83,85", "83,85", "83,85"], "116: nothing appraised");
    let annex = app.browser().get("/rounds/2/annex.xlsx").await;
    assert_eq!(annex.status(), StatusCode::OK);
    assert!(annex.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let (_, changes) = app.browser().text("/rounds/2/changes").await;
    assert!(changes.contains("là bản đầu tiên"), "a first publication has nothing to compare with");

    // A correction after publication: admins only, with a reason; publishing again
    // supersedes the publication and the public page shows what changed.
    let correction = [("indicator", "1.2"), ("value", "2"), ("reason", "Bổ sung biên bản"), ("version", "1")];
    let response = appraiser.post_form("/work/rounds/2/units/STTTT/appraise", &correction).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "appraisers do not correct a published round");
    let (_, page) = admin.text("/work/rounds/2/units/STTTT").await;
    assert!(page.contains("data-testid=\"correction\""));
    let response = admin.post_form("/work/rounds/2/units/STTTT/appraise", &correction).await;
    assert_eq!(location(&response), "/work/rounds/2/units/STTTT?message=corrected#i-1.2");
    let (_, page) = app.browser().text("/rounds/2").await;
    assert!(!page.contains("data-testid=\"correction\""), "public results change only when published");
    let response = admin
        .post_form("/work/rounds/2/publish", &[("decision", "Quyết định số 15/QĐ-UBND ngày 10/01/2024")])
        .await;
    assert_eq!(location(&response), "/rounds/2");
    let (_, page) = app.browser().text("/rounds/2").await;
    assert!(page.contains("data-testid=\"correction\"") && page.contains("/rounds/2/changes"));
    let (status, changes) = app.browser().text("/rounds/2/changes").await;
    assert_eq!(status, StatusCode::OK);
    assert!(changes.contains("Quyết định số 15/QĐ-UBND") && changes.contains("2923/QĐ-UBND"), "{changes}");
    let table = &changes[changes.find("data-testid=\"changes\"").unwrap()..];
    assert!(table.contains("/rounds/2/units/STTTT") && table.contains("1.2: "), "{table}");
    assert!(!table.contains("/rounds/2/units/116\""), "116 did not change");
    // The correction of 1.2 to 2 meetings earns 1 point: 89.48 + 1 = 90.48, as the
    // council's value and the final one; the self-assessment stays.
    let (_, page) = app.browser().text("/rounds/2/units/STTTT").await;
    assert_eq!(three_scores(&page), ["91,48", "90,48", "90,48"], "after the correction");

    let actions: Vec<String> =
        app.store.audit(&AuditFilter::default()).await.unwrap().into_iter().map(|e| e.action).collect();
    for action in [
        "unit.correct",
        "round.workflow.create",
        "round.stage",
        "round.values.set",
        "evidence.add",
        "unit.submit",
        "unit.appraise",
        "unit.return",
        "unit.finalise",
        "round.publish",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} is in the audit log");
    }
}

#[tokio::test]
async fn two_people_saving_one_indicator_never_lose_an_update() {
    let app = spawn().await;
    let (admin, _) = setup(&app).await;
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    let mine = [("v:1.2".to_owned(), "3".to_owned()), ("ver:1.2".to_owned(), "0".to_owned())];
    let theirs = [("v:1.2".to_owned(), "4".to_owned()), ("ver:1.2".to_owned(), "0".to_owned())];
    let (a, b) = tokio::join!(
        post_owned(&reporter, "/work/rounds/2/units/STTTT/save", &mine),
        post_owned(&admin, "/work/rounds/2/units/STTTT/save", &theirs)
    );
    let statuses = [a.status(), b.status()];
    assert!(
        statuses.contains(&StatusCode::SEE_OTHER) && statuses.contains(&StatusCode::CONFLICT),
        "{statuses:?}"
    );
    let loser = if a.status() == StatusCode::CONFLICT { a } else { b };
    let page = loser.text().await.unwrap();
    assert!(page.contains("Có người đã lưu chỉ số này trước bạn"), "the second is told");
    let stored = app.store.round_values(RoundId(2)).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(page.contains(&format!("value=\"{}\"", stored[0].value)), "and shown the current value");
}

#[tokio::test]
async fn reporters_reach_only_their_own_unit_and_roles_keep_to_their_part() {
    let app = spawn().await;
    let (_admin, _) = setup(&app).await;
    let reporter = app.signed_in("bc.sttt", PASSWORD).await;
    assert_eq!(reporter.get("/work/rounds/2/units/116").await.status(), StatusCode::FORBIDDEN);
    let write = [("v:1.2".to_owned(), "3".to_owned()), ("ver:1.2".to_owned(), "0".to_owned())];
    assert_eq!(
        post_owned(&reporter, "/work/rounds/2/units/116/save", &write).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reporter
            .client
            .post(reporter.url("/work/rounds/2/units/116/preview"))
            .form(&[("csrf", reporter.csrf.as_str()), ("v:1.2", "3")])
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(location(&reporter.get("/work/rounds/2").await), "/work/rounds/2/units/STTTT");
    assert_eq!(
        reporter.post_form("/work/rounds/2/stage", &[("to", "appraisal")]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reporter
            .post_form("/work/rounds/2/units/STTTT/appraise", &[("indicator", "1.2"), ("value", "1")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let viewer = app.signed_in("xem", PASSWORD).await;
    assert_eq!(viewer.get("/work/rounds/2").await.status(), StatusCode::OK);
    assert_eq!(viewer.get("/work/rounds/2/units/116").await.status(), StatusCode::OK);
    assert_eq!(
        post_owned(&viewer, "/work/rounds/2/units/116/save", &write).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer.post_form("/work/rounds/2/units/116/step", &[("action", "finalise")]).await.status(),
        StatusCode::FORBIDDEN
    );
    let appraiser = app.signed_in("thamdinh", PASSWORD).await;
    assert_eq!(
        appraiser.post_form("/work/rounds/2/stage", &[("to", "appraisal")]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_owned(&appraiser, "/work/rounds/2/units/116/save", &write).await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(location(&app.browser().get("/work").await).starts_with("/login"));
    // A spreadsheet with another unit's values is refused for a reporter, whole.
    let package = package();
    let group = package.assessment.groups.iter().position(|g| g.code == "district").unwrap();
    let bytes = chiso_io::xlsx::template(
        &package.assessment,
        group,
        &|unit, _| (unit == "116").then(|| "1".to_owned()),
        chiso_core::Lang::Vi,
    )
    .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", reporter.csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name("x.xlsx"));
    let response =
        reporter.client.post(reporter.url("/work/rounds/2/xlsx")).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.store.round_values(RoundId(2)).await.unwrap().is_empty(), "nothing stored");
    // A broken spreadsheet names sheet and cell.
    let form = reqwest::multipart::Form::new()
        .text("csrf", reporter.csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(b"not a workbook".to_vec()).file_name("x.xlsx"));
    let response =
        reporter.client.post(reporter.url("/work/rounds/2/xlsx")).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
