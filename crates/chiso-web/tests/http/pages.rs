//! The public pages answer, in Vietnamese by default and English by a switch that
//! persists, with the published figures.

use crate::support::spawn;
use reqwest::StatusCode;

#[tokio::test]
async fn the_overview_shows_the_published_son_la_results() {
    let app = spawn().await;
    let browser = app.browser();
    let (status, page) = browser.text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<html lang=\"vi\">"));
    assert!(page.contains("74,80"), "the overall mean, Vietnamese style");
    assert!(page.contains("73,20") && page.contains("76,40"), "the group means");
    assert!(page.contains("Sở Thông tin và Truyền thông") && page.contains("91,48"));
    assert!(
        page.contains("data-testid=\"ranking-provincial\"")
            && page.contains("data-testid=\"ranking-district\"")
    );
    assert!(page.contains("/rounds/1/units/STTTT"));
    assert!(page.contains("data-chart="), "a band chart per group");
    // The summary paragraph of `chiso report`.
    assert!(page.contains("Tóm tắt"));
    let (_, same) = browser.text("/rounds/1").await;
    assert!(same.contains("74,80"));
}

#[tokio::test]
async fn english_is_a_switch_that_persists() {
    let app = spawn().await;
    let browser = app.browser();
    let response = browser.get("/lang/en?next=%2Fmonitoring").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(crate::support::location(&response), "/monitoring");
    let (_, page) = browser.text("/").await;
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("74.80") && page.contains("Department of Information and Communications"));
    let (_, page) = browser.text("/monitoring").await;
    assert!(page.contains("Digital transformation targets"));
    // Back to Vietnamese; an unknown language is not a page.
    browser.get("/lang/vi").await;
    assert!(browser.text("/").await.1.contains("<html lang=\"vi\">"));
    assert_eq!(browser.get("/lang/fr").await.status(), StatusCode::NOT_FOUND);
    // A switch never sends anyone to another site.
    let response = browser.get("/lang/en?next=%2F%2Fevil.example").await;
    assert_eq!(crate::support::location(&response), "/");
}

#[tokio::test]
async fn a_unit_scorecard_has_its_total_rank_charts_and_gaps() {
    let app = spawn().await;
    let (status, page) = app.browser().text("/rounds/1/units/STTTT").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("91,48") && page.contains("1 / 20"));
    assert!(page.contains("data-testid=\"gaps\"") && page.contains("data-testid=\"indicators\""));
    assert_eq!(page.matches("data-chart=").count(), 2, "bars and radar");
    let (status, _) = app.browser().text("/rounds/1/units/NOPE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.browser().text("/rounds/99").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_map_places_the_twelve_districts_and_says_who_is_not_on_it() {
    let app = spawn().await;
    let (status, page) = app.browser().text("/map").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("12 đơn vị có trên bản đồ"));
    assert!(page.contains("Khối cơ quan cấp tỉnh: 20"));
    assert!(page.contains("103.914387"), "Sơn La city's centre");
    assert!(page.contains("data-testid=\"map-legend\""));
}

#[tokio::test]
async fn the_dashboard_shows_every_kpi_and_those_at_risk_first() {
    let app = spawn().await;
    let (status, page) = app.browser().text("/monitoring").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("data-testid=\"kpi-card\"").count(), 29);
    let alerts = &page[page.find("data-testid=\"alerts\"").unwrap()..page.find("kpi-grid").unwrap()];
    assert!(alerts.contains("Chệch hướng"), "the digital economy is off track");
    assert!(alerts.contains("Có nguy cơ không đạt"), "4G coverage is at risk");
}

#[tokio::test]
async fn health_static_files_and_unknown_paths() {
    let app = spawn().await;
    let browser = app.browser();
    let response = browser.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), r#"{"status":"ok"}"#);
    let response = browser.get("/static/vendor/echarts.min.js").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(browser.get("/static/nope.js").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(browser.get("/no/such/page").await.status(), StatusCode::NOT_FOUND);
    let response = browser.get("/").await;
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
}
