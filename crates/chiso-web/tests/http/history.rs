//! HTTP: a unit's history across published rounds with a scale change and a merge
//! — the unit page's table and chart (restated years marked, in each language) and
//! `GET /api/v1/units/{code}/history`.

use crate::support::spawn;
use chiso_io::Files;
use chiso_store::{Actor, Store};
use reqwest::StatusCode;
use std::collections::BTreeMap;

/// A round of one group with units `values` (code, points of indicator 1 and 2,
/// each out of half the scale).
fn round(year: i32, scale: f64, values: &[(&str, f64, f64)], lineage: Option<&str>) -> Files {
    let half = scale / 2.0;
    let assessment = format!(
        "year = {year}\nname = {{ vi = \"Đợt {year}\", en = \"Round {year}\" }}\noverall = \"mean_of_units\"\nrank_precision = 2\n\n\
         [[group]]\ncode = \"g\"\nname = {{ vi = \"Khối\", en = \"Group\" }}\nframework = \"f.toml\"\n"
    );
    let framework = format!(
        "id = \"f{year}\"\nname = {{ vi = \"Bộ chỉ số\", en = \"Index\" }}\nmethod = \"points\"\nscale = {scale}\n\n\
         [[band]]\ncode = \"fair\"\nmin = 0\nlabel = {{ vi = \"Khá\", en = \"Fair\" }}\n\n\
         [[indicator]]\ncode = \"1\"\nname = {{ vi = \"Một\", en = \"One\" }}\nmax = {half}\nrule = {{ kind = \"manual\" }}\n\n\
         [[indicator]]\ncode = \"2\"\nname = {{ vi = \"Hai\", en = \"Two\" }}\nmax = {half}\nrule = {{ kind = \"manual\" }}\n"
    );
    let mut units = String::from("code,name,group,parent,name_en\n");
    let mut rows = String::from("unit,indicator,value\n");
    for (code, one, two) in values {
        units.push_str(&format!("{code},Sở {code},g,,Department {code}\n"));
        rows.push_str(&format!("{code},1,{one}\n{code},2,{two}\n"));
    }
    let mut files = BTreeMap::from([
        ("assessment.toml".to_owned(), assessment.into_bytes()),
        ("f.toml".to_owned(), framework.into_bytes()),
        ("units.csv".to_owned(), units.into_bytes()),
        ("values.csv".to_owned(), rows.into_bytes()),
    ]);
    if let Some(lineage) = lineage {
        files.insert("lineage.csv".to_owned(), lineage.as_bytes().to_vec());
    }
    Files::Memory(files)
}

/// 2021 out of 1000, 2022 and 2023 out of 100; in 2023 QA and QB merged into QAB.
pub async fn three_rounds(store: &Store) -> i64 {
    let publish = |files: Files| async move {
        let id = store.import_round(files, Actor::System).await.unwrap();
        store.publish_round(id, "Quyết định số 1/QĐ-UBND", Actor::System).await.unwrap();
        id.0
    };
    publish(round(2021, 1000.0, &[("QA", 400.0, 259.1), ("QB", 250.0, 250.0)], None)).await;
    publish(round(2022, 100.0, &[("QA", 40.0, 34.8), ("QB", 30.0, 30.0)], None)).await;
    let lineage = "from_year,from_code,to_code,kind,weight\n2022,QA,QAB,merge,\n2022,QB,QAB,merge,\n";
    publish(round(2023, 100.0, &[("QAB", 40.0, 40.0)], Some(lineage))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_units_page_and_the_api_show_its_history_restated_through_lineage() {
    let app = spawn().await;
    let id = three_rounds(&app.store).await;
    let (status, page) = app.browser().text(&format!("/rounds/{id}/units/QAB")).await;
    assert_eq!(status, StatusCode::OK);
    let start = page.find("data-testid=\"history\"").expect("a history section");
    let history = &page[start..start + page[start..].find("</section>").unwrap()];
    // 2021: (65.91 + 50) / 2 = 57.955 % of 1000 = 579.55; 2022: (74.8 + 60) / 2 = 67.4.
    assert!(history.contains("579,55 / 1000") && history.contains("57,96 %"), "{history}");
    assert!(history.contains("67,40 / 100") && history.contains("80,00 / 100"), "{history}");
    assert_eq!(history.matches("data-restated=\"true\"").count(), 2, "2021 and 2022 are restated");
    assert!(history.contains("Tính lại từ: Sở QA, Sở QB"), "{history}");
    assert!(history.contains("data-chart=") && history.contains("&#34;kind&#34;:&#34;history&#34;"));
    let (_, english) = app.browser().text(&format!("/rounds/{id}/units/QAB?lang=en")).await;
    let start = english.find("data-testid=\"history\"").unwrap();
    let history = &english[start..start + english[start..].find("</section>").unwrap()];
    assert!(
        history.contains("Restated from: Department QA, Department QB") && history.contains("579.55 / 1000")
    );
    for vietnamese in ["Tính lại", "Qua các năm", "thang điểm", "Sở QA"] {
        assert!(!history.contains(vietnamese), "{vietnamese} on the English page: {history}");
    }

    // The change on last year goes through the lineage: 80 − 67.4, marked restated.
    let (_, overview) = app.browser().text(&format!("/rounds/{id}")).await;
    assert!(overview.contains("+12,60*") && overview.contains("So với 2022"), "the change column");
    assert!(
        overview.contains("data-testid=\"restated-note\"")
            && overview.contains("tính lại từ các đơn vị tiền thân")
    );
    let (_, overview) = app.browser().text(&format!("/rounds/{id}?lang=en")).await;
    assert!(overview.contains("+12.60*") && overview.contains("restated from the unit&#39;s predecessors"));
    let (_, card) = app.browser().text(&format!("/rounds/{id}/units/QAB")).await;
    assert!(card.contains("+12,60*"), "the unit's card says the same");
    // Across the change of scale: 2022 (67.40/100) against 2021 (57.955 % of 1000), same units.
    let (_, overview) = app.browser().text(&format!("/rounds/{}", id - 1)).await;
    assert!(overview.contains("+8,89<") || overview.contains("+8,89 "), "QA: 74.8 − 65.91");
    assert!(!overview.contains("data-testid=\"restated-note\""), "the same units: nothing restated");

    let (status, body) = app.browser().text("/api/v1/units/QAB/history?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let points = json["points"].as_array().unwrap();
    let summary: Vec<(i64, bool, f64)> = points
        .iter()
        .map(|p| {
            (p["year"].as_i64().unwrap(), p["restated"].as_bool().unwrap(), p["percent"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(summary, [(2021, true, 57.955), (2022, true, 67.4), (2023, false, 80.0)]);
    assert_eq!(points[0]["scale"], 1000.0);
    assert_eq!(points[0]["from"][1]["name"], "Department QB");
    let (status, _) = app.browser().text("/api/v1/units/NOPE/history").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, openapi) = app.browser().text("/api/openapi.json").await;
    assert!(openapi.contains("/api/v1/units/{code}/history"), "in the OpenAPI document");
}

/// What `chiso serve` bundles: 2024 published, 2025 in preparation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_start_publishes_2024_and_prepares_2025_with_the_merged_departments_and_75_communes() {
    let app = crate::support::spawn_with(chiso_web::Bundled::WithRoundInPreparation).await;
    let (status, overview) = app.browser().text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(overview.contains("74,80"), "the public overview still opens on 2024");
    let (_, rounds) = app.browser().text("/api/v1/rounds").await;
    let rounds: serde_json::Value = serde_json::from_str(&rounds).unwrap();
    assert_eq!(rounds.as_array().unwrap().len(), 1, "2025 is not published: {rounds}");

    let admin = app.signed_in("admin", crate::support::ADMIN_PASSWORD).await;
    let (_, work) = admin.text("/work").await;
    assert!(work.contains("2025"), "/work lists the 2025 round");
    let round = app.store.rounds().await.unwrap().into_iter().find(|r| r.year == 2025).unwrap();
    let workflow = app.store.workflow(round.id).await.unwrap().unwrap();
    assert_eq!(workflow.stage, chiso_store::Stage::Draft, "in preparation");
    let progress = app.store.unit_progress(round.id).await.unwrap();
    assert_eq!(progress.len(), 90);
    assert_eq!(progress.iter().filter(|u| u.group == "commune").count(), 75);
    let codes: Vec<&str> = progress.iter().map(|u| u.unit.as_str()).collect();
    for merged in ["STC", "SNV", "SXD", "SKHCN", "SDTTG", "SNNMT", "03985"] {
        assert!(codes.contains(&merged), "{merged} is a unit of 2025");
    }
    for gone in ["SKHDT", "STTTT", "SGTVT", "116"] {
        assert!(!codes.contains(&gone), "{gone} no longer exists");
    }
    let (status, board) = admin.text(&format!("/work/rounds/{}", round.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("03985"), "the board lists the communes");
    // The board of 75 communes: search and filter by former district (named as 2024 published them).
    let bar = &board[board.find("data-filter-for=\"board-commune\"").expect("a filter bar on the board")..];
    let bar = &bar[..bar.find("</div>").unwrap()];
    assert_eq!(bar.matches("<option value=\"1").count(), 12, "{bar}");
    assert!(bar.contains("Huyện Mộc Châu") || bar.contains("Thị xã Mộc Châu"), "{bar}");
    assert!(board.contains("data-former=\"123 128\""), "03985 on the board");
    let (_, english) = admin.text(&format!("/work/rounds/{}?lang=en", round.id)).await;
    assert!(english.contains("Any former unit (2024)") && english.contains("Find a unit"));
}

/// `chiso serve --demo`: 2025 filled with demo values and published as such; each
/// commune's change is against its 2024 district restated through the lineage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_start_publishes_2025_with_changes_restated_from_2024() {
    let app = crate::support::spawn_with(chiso_web::Bundled::Demo).await;
    let (status, overview) = app.browser().text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        overview.contains("2025") && overview.contains("So với 2024"),
        "the latest round is the demo 2025"
    );
    assert!(overview.contains("Dữ liệu minh hoạ"), "the publication says it is demo data");
    assert!(overview.contains("data-testid=\"restated-note\""), "communes compare with restated 2024 values");
    // 75 communes: a search box and a filter by former district (the 12 of 2024).
    let bar = &overview[overview.find("data-filter-for=\"ranking-commune\"").expect("a filter bar")..];
    let bar = &bar[..bar.find("</div>").unwrap()];
    assert_eq!(bar.matches("<option value=\"1").count(), 12, "the 12 former districts: {bar}");
    assert!(bar.contains("Thành phố Sơn La") && bar.contains("data-filter-search"));
    assert!(overview.contains("data-former=\"123 128\""), "03985 came from two districts");
    let departments = &overview[overview.find("data-filter-for=\"ranking-department\"").expect("15 rows")..];
    assert!(
        !departments[..departments.find("</div>").unwrap()].contains("<select"),
        "no district filter for departments"
    );
    // 03985 (two old districts, weights 1 and 1): its 2024 value is the mean of
    // Mộc Châu (123) and Vân Hồ (128); Chiềng An's is its district's.
    let history = app.store.unit_history("03985").await.unwrap();
    assert_eq!(
        history.iter().map(|p| (p.year, p.restated)).collect::<Vec<_>>(),
        [(2024, true), (2025, false)]
    );
    let from: Vec<&str> = history[0].from.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(from, ["123", "128"]);
    let moc_chau = app.store.unit_history("123").await.unwrap()[0].percent.unwrap();
    let van_ho = app.store.unit_history("128").await.unwrap()[0].percent.unwrap();
    assert!((history[0].percent.unwrap() - (moc_chau + van_ho) / 2.0).abs() < 1e-9);
    let (status, page) =
        app.browser().text(&format!("/rounds/{}/units/03985?lang=en", history[1].round.0)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("data-testid=\"history\"") && page.contains("Restated from: "),
        "the commune's history"
    );
}

/// Son La's 2023 mean (659.1 out of 1000) is held beside 2024's 74.8 out of 100,
/// each on its scale and as percent of it, in each language.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_2023_mean_out_of_1000_is_shown_beside_2024_out_of_100() {
    let app = spawn().await;
    let (_, overview) = app.browser().text("/").await;
    let start = overview.find("data-testid=\"earlier\"").expect("the earlier means");
    let table = &overview[start..start + overview[start..].find("</table>").unwrap()];
    assert!(table.contains("659,1 / 1000") && table.contains("65,91 %"), "{table}");
    assert!(table.contains("74,80 / 100") && table.contains("74,80 %"), "{table}");
    assert!(table.contains("Quyết định số 2923/QĐ-UBND ngày 31/12/2023"), "{table}");
    let (_, english) = app.browser().text("/?lang=en").await;
    let start = english.find("data-testid=\"earlier\"").unwrap();
    let table = &english[start..start + english[start..].find("</table>").unwrap()];
    assert!(
        table.contains("659.1 / 1000") && table.contains("65.91 %") && table.contains("Decision No. 2923"),
        "{table}"
    );
    assert!(!table.contains("Quyết định") && !table.contains("Đợt này"), "{table}");
}
