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
async fn the_map_draws_an_approximate_area_per_district_and_says_who_is_not_on_it() {
    let app = spawn().await;
    let browser = app.browser();
    let (status, page) = browser.text("/map").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("12 đơn vị có trên bản đồ"));
    assert!(page.contains("Khối cơ quan cấp tỉnh: 20"));
    assert!(page.contains("data-testid=\"map-legend\""));
    assert!(
        page.contains("href=\"/api/v1/rounds/1/units?lang=vi\" data-testid=\"map-json\""),
        "the map's data as JSON"
    );
    assert!(page.contains(
        "Ranh giới gần đúng, dựng từ vị trí trung tâm hành chính; không phải địa giới chính thức."
    ));
    let chart = map_chart(&page);
    let features = chart["areas"]["features"].as_array().unwrap();
    assert_eq!(features.len(), 12, "one area per district");
    let mut named: Vec<&str> = features.iter().map(|f| f["properties"]["name"].as_str().unwrap()).collect();
    let mut units: Vec<&str> =
        chart["units"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
    named.sort_unstable();
    units.sort_unstable();
    assert_eq!(named, units, "each area named by its unit's code");
    assert!(named.contains(&"116"));
    assert!(
        features
            .iter()
            .all(|f| ["Polygon", "MultiPolygon"].contains(&f["geometry"]["type"].as_str().unwrap()))
    );
    assert!(chart.get("xAxis").is_none() && page.contains("Thành phố Sơn La"));
    // In English, the note is English only.
    browser.get("/lang/en").await;
    let (_, page) = browser.text("/map").await;
    assert!(
        page.contains("Approximate areas built from the administrative centres; not official boundaries.")
    );
    assert!(!page.contains("Ranh giới gần đúng"));
}

/// The map's chart data (the `data-chart` attribute of `div.chart.map`, unescaped).
fn map_chart(page: &str) -> serde_json::Value {
    let start = page.find("class=\"chart map\" data-chart=\"").expect("a map chart") + 30;
    let attribute = &page[start..start + page[start..].find('"').unwrap()];
    let json = attribute
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&lt;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

#[tokio::test]
async fn the_dashboard_shows_every_kpi_and_those_at_risk_first() {
    let app = spawn().await;
    let (status, page) = app.browser().text("/monitoring").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("data-testid=\"kpi-card\"").count(), 38);
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

/// Polls the rank-interval analysis of round `id` until it is no longer running.
async fn uncertainty_when_ready(browser: &crate::support::Browser, id: i64) -> serde_json::Value {
    for _ in 0..600 {
        let doc: serde_json::Value =
            browser.get(&format!("/api/v1/rounds/{id}/uncertainty")).await.json().await.unwrap();
        if doc["state"] != "running" {
            return doc;
        }
        assert!(doc["done"].as_u64() <= doc["total"].as_u64(), "{doc}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the uncertainty analysis did not finish within 30 s");
}

#[tokio::test]
async fn rank_intervals_run_in_the_background_and_then_show_on_the_overview() {
    let app = spawn().await;
    let browser = app.browser();
    // The first view starts the analysis and says it is running.
    let (_, page) = browser.text("/").await;
    assert!(page.contains("data-state=\"running\"") && page.contains("<progress"), "progress is shown");
    assert!(!page.contains("data-testid=\"interval-STTTT\""));
    let doc = uncertainty_when_ready(&browser, 1).await;
    assert_eq!(doc["state"], "ready", "{doc}");
    assert_eq!((doc["samples"].as_u64(), doc["seed"].as_u64()), (Some(1000), Some(42)));
    let groups = doc["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    let units: Vec<&serde_json::Value> = groups.iter().flat_map(|g| g["units"].as_array().unwrap()).collect();
    assert_eq!(units.len(), 32);
    for u in &units {
        let (q05, median, q95) =
            (u["q05"].as_f64().unwrap(), u["median"].as_f64().unwrap(), u["q95"].as_f64().unwrap());
        assert!(q05 <= median && median <= q95, "{u}");
        let kept = u["band_kept"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&kept), "{u}");
    }
    let sttt = units.iter().find(|u| u["code"] == "STTTT").unwrap();
    assert_eq!(sttt["nominal"], 1, "the published rank");
    // Ready: the overview shows each unit's interval, and the share that keeps the
    // band only for the units that can lose it, named in the note.
    let at_risk: Vec<&str> = units
        .iter()
        .filter(|u| u["band_kept"].as_f64().unwrap() < 1.0)
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    let (_, page) = browser.text("/").await;
    assert!(page.contains("data-state=\"ready\"") && !page.contains("<progress"));
    assert_eq!(page.matches("data-testid=\"interval-").count(), 32);
    assert_eq!(
        page.matches("<span class=\"kept\">").count(),
        at_risk.len(),
        "band kept shown where it says something"
    );
    let note = &page[page.find("data-testid=\"robustness\"").unwrap()..];
    let note = &note[..note.find("</p>").unwrap()];
    if at_risk.is_empty() {
        assert!(note.contains("Mọi đơn vị giữ nguyên xếp loại"), "{note}");
    } else {
        assert!(note.contains(&format!("{} đơn vị có thể mất xếp loại", at_risk.len())), "{note}");
        for name in &at_risk {
            assert!(note.contains(name), "{name} in {note}");
        }
    }
    browser.get("/lang/en?next=/").await;
    let (_, page) = browser.text("/").await;
    assert!(page.contains("Rank robustness"));
    assert!(page.contains("can lose their band") || page.contains("Every unit keeps its band"));
}

#[tokio::test]
async fn a_scorecard_says_what_reaches_the_next_band() {
    let app = spawn().await;
    let browser = app.browser();
    // SKHDT is 4th of the agencies with 82.05, in "Khá"; "Tốt" starts at 85.
    let (status, page) = browser.text("/rounds/1/units/SKHDT").await;
    assert_eq!(status, StatusCode::OK);
    let section = &page[page.find("data-testid=\"next-band\"").expect("a gap section")..];
    assert!(section.contains("Tốt") && section.contains("+2,95"), "{}", &section[..600]);
    let listed = section[..section.find("</section>").unwrap()].matches("<li>").count();
    assert!(listed >= 1, "the indicators that would get there");
    // The first unit of a group is already in the top band.
    let (_, page) = browser.text("/rounds/1/units/STTTT").await;
    assert!(page.contains("Đã ở xếp loại cao nhất"));
}

/// Every group's ranking downloads as CSV with named columns in the page's
/// language, from the publication; the overview links it and the annex.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_groups_ranking_downloads_as_csv_with_named_columns() {
    let app = crate::support::spawn().await;
    let (_, overview) = app.browser().text("/").await;
    assert!(
        overview.contains("href=\"/rounds/1/tables/provincial.csv?lang=vi\""),
        "the overview links the CSV"
    );
    assert!(overview.contains("href=\"/rounds/1/annex.xlsx?lang=vi\""), "and the annex");
    let response = app.browser().get("/rounds/1/tables/district.csv").await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("2024-district-vi.csv"));
    let text = response.text().await.unwrap();
    assert!(text.starts_with("Hạng,Mã,Đơn vị,1 Nhận thức số,"), "{text}");
    assert!(text.contains("1,116,Thành phố Sơn La,") && text.contains(",89.77,"), "{text}");
    let (_, english) = app.browser().text("/rounds/1/tables/district.csv?lang=en").await;
    assert!(english.starts_with("Rank,Code,Unit,1 Digital awareness") && english.contains("Son La City"));
    for missing in
        ["/rounds/1/tables/nope.csv", "/rounds/1/tables/district.txt", "/rounds/9/tables/district.csv"]
    {
        assert_eq!(app.browser().get(missing).await.status(), reqwest::StatusCode::NOT_FOUND, "{missing}");
    }
}

/// The overview's heat map: each group's units × main indicators as percent of the
/// indicator's maximum, sortable (a ranking per main indicator).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_a_heat_map_of_the_main_indicators() {
    let app = crate::support::spawn().await;
    let (_, page) = app.browser().text("/").await;
    let start = page.find("data-testid=\"heat-provincial\"").expect("a heat map for the provincial agencies");
    let table = &page[start..start + page[start..].find("</table>").unwrap()];
    assert_eq!(table.matches("<th data-sort=\"number\"").count(), 7, "the 7 main indicators: {table}");
    assert_eq!(table.matches("<tr>").count(), 21, "a header and 20 agencies");
    assert!(table.contains("<abbr title=\"Nhận thức số\">1</abbr>"), "{table}");
    assert!(table.contains("class=\"num heat-"), "cells carry their level");
    let district = &page[page.find("data-testid=\"heat-district\"").expect("and the districts")..];
    assert!(district[..district.find("</table>").unwrap()].matches("<th data-sort=\"number\"").count() == 8);
    let (_, english) = app.browser().text("/?lang=en").await;
    assert!(
        english.contains("<abbr title=\"Digital awareness\">1</abbr>")
            && english.contains("Main indicators (% of their maximum)")
    );
}

/// The decision approving the published results downloads as Word from the
/// overview and the admin page, in the page's language.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_decision_downloads_as_word() {
    let app = crate::support::spawn().await;
    let (_, overview) = app.browser().text("/").await;
    assert!(overview.contains("href=\"/rounds/1/decision.docx?lang=vi\""), "the overview links it");
    let response = app.browser().get("/rounds/1/decision.docx?lang=en").await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().contains("wordprocessingml"));
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("decision-2024-en.docx"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "a .docx is a zip");
    let admin = app.signed_in("admin", crate::support::ADMIN_PASSWORD).await;
    let (_, page) = admin.text("/admin/rounds/1").await;
    assert!(page.contains("href=\"/rounds/1/decision.docx?lang=vi\""), "the admin page links it");
    assert_eq!(app.browser().get("/rounds/9/decision.docx").await.status(), reqwest::StatusCode::NOT_FOUND);
    // And the results as open data.
    assert!(overview.contains("href=\"/rounds/1/open-data.zip\""));
    let response = app.browser().get("/rounds/1/open-data.zip").await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(response.bytes().await.unwrap().starts_with(b"PK"));
}

#[tokio::test]
async fn the_report_and_the_monitoring_report_download_as_pdf_and_word() {
    let app = crate::support::spawn().await;
    let (_, overview) = app.browser().text("/").await;
    let admin = app.signed_in("admin", crate::support::ADMIN_PASSWORD).await;
    let (_, admin_page) = admin.text("/admin/rounds/1").await;
    for (extension, kind, magic) in
        [("pdf", "application/pdf", &b"%PDF"[..]), ("docx", "wordprocessingml", b"PK")]
    {
        let link = format!("href=\"/rounds/1/reports/report.{extension}?lang=vi\"");
        assert!(
            overview.contains(&link) && admin_page.contains(&link),
            "{link} on the overview and the admin page"
        );
        let response = app.browser().get(&format!("/rounds/1/reports/report.{extension}?lang=en")).await;
        assert_eq!(response.status(), reqwest::StatusCode::OK, "report.{extension}");
        assert!(response.headers()["content-type"].to_str().unwrap().contains(kind));
        let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.contains(&format!("report-2024-en.{extension}")), "{disposition}");
        assert!(response.bytes().await.unwrap().starts_with(magic), "report.{extension}");

        let (_, monitoring) = app.browser().text("/monitoring").await;
        assert!(monitoring.contains(&format!("href=\"/monitoring/report.{extension}?lang=vi\"")));
        let response = app.browser().get(&format!("/monitoring/report.{extension}")).await;
        assert_eq!(response.status(), reqwest::StatusCode::OK, "monitoring report.{extension}");
        let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.contains("theo-doi-chi-tieu-") && disposition.contains("-vi."), "{disposition}");
        assert!(response.bytes().await.unwrap().starts_with(magic), "monitoring report.{extension}");
    }
    for missing in [
        "/rounds/1/reports/report.txt",
        "/rounds/1/reports/other.pdf",
        "/rounds/9/reports/report.pdf",
        "/monitoring/report.exe",
    ] {
        assert_eq!(app.browser().get(missing).await.status(), reqwest::StatusCode::NOT_FOUND, "{missing}");
    }
}
