//! The public page of the public-service quality index (`/service`): its empty
//! state, the province and the rankings of the latest month or another, a unit's
//! page, the CSV downloads, the API's document, the demo notice, one language per
//! page, and names holding markup kept as text.

use crate::support::{TestApp, spawn, spawn_with};
use chiso_core::Lang;
use chiso_store::{
    Actor, NewServiceSnapshot, NewServiceSource, PullOutcome, ServicePullRecord, SourceFormat, SourceKind,
};
use reqwest::StatusCode;

#[path = "../../src/views/service/fixture.rs"]
mod fixture;

/// Stores `document` as the snapshot of a new source named `name`, as a pull does.
async fn store_snapshot(app: &TestApp, name: &str, document: String, demo: bool) {
    let source = NewServiceSource {
        name: name.into(),
        kind: if demo { SourceKind::Demo } else { SourceKind::Folder },
        location: if demo { String::new() } else { "/srv/mot-cua/xuat".into() },
        format: SourceFormat::Csv,
        token: None,
        mapping: String::new(),
        interval_minutes: 60,
        enabled: true,
    };
    let id = app.store.add_service_source(&source, Actor::System).await.unwrap();
    let snapshot = NewServiceSnapshot {
        content_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        rows: 1234,
        skipped: 2,
        row_counts: vec![("units".into(), 4), ("procedures".into(), 4), ("dossiers".into(), 1226)],
        period_kind: "month".into(),
        document,
        observations: Vec::new(),
        demo,
    };
    let record = ServicePullRecord {
        source: id,
        started_at: 1_743_465_600_000,
        outcome: PullOutcome::Stored(snapshot),
        next_run_at: 4_000_000_000_000,
    };
    app.store.record_service_pull(record, Actor::System).await.unwrap();
}

/// An app with the 2025 units in preparation (their English names) and the fixture's snapshot.
async fn app_with_snapshot(demo: bool) -> TestApp {
    let app = spawn_with(chiso_web::Bundled::WithRoundInPreparation).await;
    store_snapshot(&app, "Hệ thống một cửa điện tử", fixture::json(Lang::Vi), demo).await;
    app
}

/// The text a reader sees: tags, the language switch and `<code>` left out.
fn visible_text(page: &str) -> String {
    let page = match (page.find("<span class=\"lang\""), page.find("</nav>")) {
        (Some(start), Some(end)) if start < end => format!("{}{}", &page[..start], &page[end..]),
        _ => page.to_owned(),
    };
    let mut text = String::new();
    let mut in_tag = false;
    for c in page.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_snapshot_the_page_says_how_the_index_will_appear() {
    let app = spawn().await;
    let (status, page) = app.browser().text("/service").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-testid=\"service-empty\""), "{page}");
    assert!(page.contains("Chỉ số sẽ hiện ở đây khi quản trị viên kết nối một nguồn dữ liệu"), "{page}");
    assert!(!page.contains("data-testid=\"service-provenance\"") && !page.contains("service-demo"));
    assert!(page.contains("href=\"/service\""), "the navigation links the page");
    let (_, en) = app.browser().text("/service?lang=en").await;
    assert!(en.contains("The index appears here once an administrator connects a data source"), "{en}");
    // no period, no unit, no table, and an API document without periods
    for path in
        ["/service?period=2025-03", "/service/units/STP", "/service/province", "/service/tables/communes.csv"]
    {
        assert_eq!(app.browser().get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let response = app.browser().get("/api/v1/service").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), r#"{"periods":[]}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_the_latest_month_and_another_on_request() {
    let app = app_with_snapshot(false).await;
    let document = fixture::document(Lang::Vi);
    let march = &document.periods[1];
    let (status, page) = app.browser().text("/service").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>Chỉ số phục vụ người dân, doanh nghiệp</h1>"), "{page}");
    let total = format!("data-testid=\"service-total\">{}<", Lang::Vi.number(march.province.total, 2));
    assert!(page.contains(&total), "the province's March total {total}: {page}");
    assert!(page.contains("Toàn tỉnh · Tháng 3/2025") && page.contains("So với Tháng 2/2025"));
    assert!(page.contains("<option value=\"2025-03\" selected>Tháng 3/2025</option>"));
    assert!(page.contains("data-testid=\"service-group-6\""), "six groups");
    assert!(page.contains("data-chart=\"{&#34;kind&#34;:&#34;service_trend&#34;"), "the trend chart's data");
    assert!(
        page.contains("data-testid=\"service-ranking-department\"")
            && page.contains("service-ranking-commune")
    );
    assert!(page.contains("href=\"/service/units/STP?period=2025-03\">Sở Tư pháp</a>"), "{page}");
    assert!(page.contains("href=\"/service/tables/communes.csv?period=2025-03&#38;lang=vi\""));
    assert!(page.contains("href=\"/api/v1/service\""));
    // provenance: source, Vietnam time, rows, short hash; no demo notice
    assert!(page.contains("data-testid=\"service-source\">Hệ thống một cửa điện tử<"));
    assert!(page.contains("1.234 dòng đã đọc") && page.contains("(2 dòng lỗi bị bỏ qua)"), "{page}");
    assert!(page.contains(">9f86d081884c</code>"));
    assert!(page.contains("(giờ Việt Nam)"));
    assert!(!page.contains("data-testid=\"service-demo\""));
    // February
    let (status, february) = app.browser().text("/service?period=2025-02").await;
    assert_eq!(status, StatusCode::OK);
    let total =
        format!("data-testid=\"service-total\">{}<", Lang::Vi.number(document.periods[0].province.total, 2));
    assert!(february.contains(&total), "{february}");
    assert!(february.contains("<option value=\"2025-02\" selected>") && february.contains("service-latest"));
    assert!(february.contains("href=\"/service/units/STP?period=2025-02\""));
    // a month the snapshot does not have
    for bad in ["2024-12", "2025-13", "", "%3Cscript%3E"] {
        let (status, page) = app.browser().text(&format!("/service?period={bad}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        assert!(page.contains("Không tìm thấy"), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_units_page_lists_every_indicator_and_what_it_lacks() {
    let app = app_with_snapshot(false).await;
    let document = fixture::document(Lang::Vi);
    let stp = document.periods[1].levels.department.iter().find(|u| u.code == "STP").unwrap();
    let (status, page) = app.browser().text("/service/units/STP").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1 data-testid=\"service-unit-name\">Sở Tư pháp</h1>"));
    assert!(page.contains(&format!("data-testid=\"service-unit-total\">{}<", Lang::Vi.number(stp.total, 2))));
    assert!(
        page.contains(&format!("data-testid=\"service-unit-rank\">{} / 2<", stp.rank.unwrap())),
        "{page}"
    );
    assert_eq!(page.matches("<tr class=\"indicator").count(), 23, "every indicator");
    assert!(page.contains("<td class=\"num\" data-label=\"Tỷ lệ\">50,0 %</td>"), "2.1's rate: {page}");
    assert!(page.contains("<td class=\"num\" data-label=\"Tử số / mẫu số\">1 / 2</td>"));
    assert!(page.contains("10,00 / 20"), "2.1's points");
    assert!(
        page.contains("thiếu dữ liệu: tệp petitions.csv")
            && page.contains("thiếu dữ liệu: cột disliked của dossiers.csv")
    );
    assert!(page.contains("class=\"indicator loss-big\" data-code=\"2.1\""), "the largest loss stands out");
    assert!(page.contains("data-testid=\"service-losses\""));
    assert!(
        page.contains("thiếu dữ liệu</span>") && page.contains("không áp dụng</span>"),
        "statuses in words"
    );
    assert!(
        page.contains("data-testid=\"service-unit-chart\"")
            && page.contains("data-testid=\"service-series-table\"")
    );
    assert!(page.contains("href=\"/service/units/STP?period=2025-02\">Tháng 2/2025</a>"));
    // another month, the province, unknown units and months
    let (status, february) = app.browser().text("/service/units/STP?period=2025-02").await;
    assert_eq!(status, StatusCode::OK);
    assert!(february.contains("Tổng điểm · Tháng 2/2025"), "{february}");
    for path in ["/service/province", "/service/units/province"] {
        let (status, province) = app.browser().text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(province.contains("<h1 data-testid=\"service-unit-name\">Toàn tỉnh</h1>"), "{province}");
        assert!(!province.contains("service-unit-rank"), "the province has no rank");
    }
    for path in ["/service/units/NOPE", "/service/units/STP?period=2031-01", "/service/units/%3Cscript%3E"] {
        assert_eq!(app.browser().get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_pages_have_english_words_and_names_only() {
    let app = app_with_snapshot(false).await;
    for path in
        ["/service?lang=en", "/service/units/STP?lang=en", "/service/units/03664?lang=en&period=2025-02"]
    {
        let (status, page) = app.browser().text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(page.contains("<html lang=\"en\""));
        let text = visible_text(&page);
        for word in [
            "Sở Tư pháp",
            "Phường Chiềng An",
            "Toàn tỉnh",
            "Tháng",
            "Tổng điểm",
            "Xếp hạng",
            "thiếu",
            "điểm",
            "Nhóm",
            "Kỳ",
            "giờ Việt Nam",
            "dòng",
            "không",
        ] {
            assert!(!text.contains(word), "{path}: {word:?} on an English page");
        }
        // chart labels in English too
        assert!(!page.contains("Toàn tỉnh") && !page.contains("&#34;3/2025&#34;"), "{path}");
    }
    let (_, page) = app.browser().text("/service?lang=en").await;
    assert!(page.contains("<h1>Public-service quality index (Decision 766)</h1>"));
    assert!(page.contains(">Department of Justice</a>") && page.contains(">Chieng An Ward</a>"), "{page}");
    assert!(page.contains("Province · March 2025") && page.contains("&#34;Mar 2025&#34;"));
    assert!(page.contains("1,234 rows read") && page.contains("(Vietnam time)"));
    let (_, unit) = app.browser().text("/service/units/STP?lang=en").await;
    assert!(unit.contains("missing input: the file petitions.csv") && unit.contains(">missing input</span>"));
    assert!(unit.contains("data-label=\"Rate\">50.0 %</td>"), "{unit}");
    // and no English word on the Vietnamese pages
    for path in ["/service", "/service/units/STP", "/service/units/03664"] {
        let (_, page) = app.browser().text(path).await;
        let text = visible_text(&page);
        for word in [" the ", "Total", "Rank", "Province", "missing input", "points", "Period", "rows read"] {
            assert!(!text.contains(word), "{path}: {word:?} on a Vietnamese page");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rankings_download_as_csv_and_the_api_gives_the_document() {
    let app = app_with_snapshot(false).await;
    let response = app.browser().get("/service/tables/departments.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert_eq!(disposition, "attachment; filename=\"service-2025-03-departments-vi.csv\"");
    let text = response.text().await.unwrap();
    assert!(text.starts_with("Kỳ,Hạng,Mã,Đơn vị,Tổng điểm,Thay đổi,"), "{text}");
    assert_eq!(text.lines().count(), 3, "a header and two departments: {text}");
    assert!(text.contains(",STP,Sở Tư pháp,"));
    let response = app.browser().get("/service/tables/communes.csv?period=2025-02&lang=en").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("service-2025-02-communes-en.csv")
    );
    let text = response.text().await.unwrap();
    assert!(text.starts_with("Period,Rank,Code,Unit,Total,Change,"), "{text}");
    assert!(
        text.contains(",03664,Chieng An Ward,") && text.lines().skip(1).all(|l| l.starts_with("2025-02,"))
    );
    for path in [
        "/service/tables/province.csv",
        "/service/tables/communes.txt",
        "/service/tables/communes.csv?period=1999-01",
    ] {
        assert_eq!(app.browser().get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // the API: the stored document as is
    let response = app.browser().get("/api/v1/service").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["x-chiso-demo"], "false");
    assert_eq!(response.text().await.unwrap(), fixture::json(Lang::Vi));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_is_marked_on_every_page_and_in_the_api() {
    let app = app_with_snapshot(true).await;
    for path in ["/service", "/service/units/STP", "/service/province"] {
        let (_, page) = app.browser().text(path).await;
        assert!(page.contains("data-testid=\"service-demo\""), "{path}");
        assert!(
            page.contains("Dữ liệu minh họa do chiso sinh tự động — không phải số liệu công bố"),
            "{path}"
        );
        let (_, en) = app.browser().text(&format!("{path}?lang=en")).await;
        assert!(en.contains("Illustrative data generated by chiso — not published figures"), "{path}");
    }
    let response = app.browser().get("/api/v1/service").await;
    assert_eq!(response.headers()["x-chiso-demo"], "true");
    // A real source's snapshot is shown ahead of demo data.
    store_snapshot(&app, "Nguồn thật", fixture::json(Lang::Vi), false).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, page) = app.browser().text("/service").await;
    assert!(!page.contains("data-testid=\"service-demo\"") && page.contains(">Nguồn thật<"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_holding_markup_stay_text() {
    let app = app_with_snapshot(false).await;
    let escaped = "Phường &#60;script&#62;alert(1)&#60;/script&#62;";
    for path in ["/service", "/service?lang=en", "/service/units/XB"] {
        let (status, page) = app.browser().text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!page.contains("<script>alert(1)"), "{path}: markup inserted as HTML");
        assert!(
            page.contains(escaped) || page.contains("Phường &lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: the name shown as text: {page}"
        );
    }
    // and a source named with markup too
    store_snapshot(&app, "<img src=x onerror=alert(2)>", fixture::json(Lang::Vi), false).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, page) = app.browser().text("/service").await;
    assert!(!page.contains("<img src=x"), "{page}");
}
