//! Scheduled feeds of the public-service index against a local test server that
//! serves good files, broken files, slow answers and errors: every pull is
//! recorded, only good ones store data, and the last good data stays.

use super::support::{self, ADMIN_PASSWORD};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chiso_io::service::generate::{GenerateOptions, generate_in_memory};
use chiso_store::{NewServiceSource, ServiceSourceId, SourceFormat, SourceKind, Store};
use chiso_web::feeds::{FeedSettings, PullError, PullReport, pull};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the test server answers for a file.
#[derive(Clone)]
enum Answer {
    Body(Vec<u8>),
    Status(u16),
    /// The body after a delay.
    Slow(Duration, Vec<u8>),
    /// Half the body, then nothing more for a long time.
    Stall(Vec<u8>),
}

#[derive(Clone, Default)]
struct Server {
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    token: Arc<Mutex<Option<String>>>,
    requests: Arc<Mutex<u32>>,
}

impl Server {
    fn set(&self, file: &str, answer: Answer) {
        self.answers.lock().unwrap().insert(file.to_owned(), answer);
    }

    fn serve(&self, files: &[(&str, Vec<u8>)]) {
        for (name, bytes) in files {
            self.set(name, Answer::Body(bytes.clone()));
        }
    }

    async fn start(&self) -> String {
        async fn file(
            State(server): State<Server>,
            Path(name): Path<String>,
            headers: HeaderMap,
        ) -> Response {
            *server.requests.lock().unwrap() += 1;
            let expected = server.token.lock().unwrap().clone();
            if let Some(token) = expected {
                let given = headers.get("authorization").and_then(|v| v.to_str().ok());
                if given != Some(format!("Bearer {token}").as_str()) {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
            }
            let answer = server.answers.lock().unwrap().get(&name).cloned();
            match answer {
                None => StatusCode::NOT_FOUND.into_response(),
                Some(Answer::Body(bytes)) => bytes.into_response(),
                Some(Answer::Status(code)) => StatusCode::from_u16(code).unwrap().into_response(),
                Some(Answer::Slow(delay, bytes)) => {
                    tokio::time::sleep(delay).await;
                    bytes.into_response()
                }
                Some(Answer::Stall(bytes)) => {
                    let half = bytes[..bytes.len() / 2].to_vec();
                    let stream = async_stream(half);
                    Body::from_stream(stream).into_response()
                }
            }
        }
        let app = Router::new().route("/export/{name}", axum::routing::get(file)).with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        base
    }
}

/// A body that sends `first`, then waits a minute.
fn async_stream(first: Vec<u8>) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    struct Stalling {
        first: Option<Vec<u8>>,
        sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
    }
    impl futures_core::Stream for Stalling {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if let Some(first) = self.first.take() {
                return std::task::Poll::Ready(Some(Ok(first)));
            }
            self.sleep.as_mut().poll(cx).map(|()| None)
        }
    }
    use std::future::Future;
    Stalling { first: Some(first), sleep: Box::pin(tokio::time::sleep(Duration::from_secs(60))) }
}

/// A small generated service folder (three months, a few thousand dossiers).
fn folder(seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let options = GenerateOptions {
        seed,
        months: 3,
        procedures: 60,
        dossiers: 3_000,
        petitions: 200,
        ..Default::default()
    };
    let generated = generate_in_memory(&options).unwrap();
    vec![
        ("units.csv", generated.units.into_bytes()),
        ("procedures.csv", generated.procedures.into_bytes()),
        ("dossiers.csv", generated.dossiers.into_bytes()),
        ("petitions.csv", generated.petitions.into_bytes()),
    ]
}

/// `dossiers` with one more row, a copy of the last with a month 13 received.
fn with_bad_received(dossiers: &[u8]) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(dossiers);
    let header = reader.headers().unwrap().clone();
    let last = reader.records().last().unwrap().unwrap();
    let at = header.iter().position(|c| c == "received").unwrap();
    let row: Vec<String> = last
        .iter()
        .enumerate()
        .map(|(i, v)| if i == at { "2025-13-04T08:00:00".to_owned() } else { v.replace("HS", "HS-BAD") })
        .collect();
    let mut out = dossiers.to_vec();
    let mut writer = csv::Writer::from_writer(&mut out);
    writer.write_record(&row).unwrap();
    writer.flush().unwrap();
    drop(writer);
    out
}

fn settings() -> FeedSettings {
    FeedSettings {
        tick: Duration::from_millis(20),
        request_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(1),
        backoff: Duration::from_secs(60),
        ..FeedSettings::default()
    }
}

async fn add(
    store: &Store,
    name: &str,
    kind: SourceKind,
    location: &str,
    format: SourceFormat,
) -> ServiceSourceId {
    let new = NewServiceSource {
        name: name.into(),
        kind,
        location: location.into(),
        format,
        token: None,
        mapping: String::new(),
        interval_minutes: 60,
        enabled: true,
    };
    store.add_service_source(&new, chiso_store::Actor::System).await.unwrap()
}

/// Pulls `id` as the scheduler does once it has claimed it (claiming itself is
/// the store's, tested there and by the scheduler test below).
async fn pull_now(store: &Store, id: ServiceSourceId, settings: &FeedSettings) -> PullReport {
    let source = store.service_source(id).await.unwrap();
    pull(store, &source, settings).await.unwrap()
}

fn failed(report: PullReport) -> PullError {
    match report {
        PullReport::Failed(error) => error,
        other => panic!("expected a failed pull, got {other:?}"),
    }
}

#[tokio::test]
async fn a_url_source_stores_good_pulls_and_keeps_the_last_good_data() {
    let app = support::spawn().await;
    let store = &app.store;
    let server = Server::default();
    let base = server.start().await;
    let good = folder(1);
    server.serve(&good);
    *server.token.lock().unwrap() = Some("s3cret".into());
    let id =
        add(store, "DVC", SourceKind::Url, &format!("{base}/export/{{file}}.csv"), SourceFormat::Csv).await;
    let mut source = store.service_source(id).await.unwrap();
    source.token = Some("s3cret".into());
    store
        .update_service_source(
            id,
            &NewServiceSource {
                name: source.name.clone(),
                kind: source.kind,
                location: source.location.clone(),
                format: source.format,
                token: Some("s3cret".into()),
                mapping: String::new(),
                interval_minutes: 60,
                enabled: true,
            },
            false,
            chiso_store::Actor::System,
        )
        .await
        .unwrap();
    let settings = settings();

    // A good pull: the index and its provenance are stored.
    let PullReport::Stored { hash, rows } = pull_now(store, id, &settings).await else {
        panic!("not stored")
    };
    let first = store.latest_service_snapshot().await.unwrap().unwrap();
    assert_eq!(first.content_hash, hash);
    assert_eq!(first.source_name, "DVC");
    assert!(!first.demo);
    let dossiers = first.row_counts.iter().find(|(name, _)| name == "dossiers").unwrap().1;
    assert_eq!(dossiers, 3_000);
    assert_eq!(rows as i64, first.rows);
    let document: chiso_io::service::document::ServiceIndexDocument =
        serde_json::from_str(&first.document).unwrap();
    assert_eq!(document.periods.len(), 3);
    // Its KPIs reach monitoring: the province's total for each month.
    let monitoring = store.monitoring().await.unwrap();
    let svc_index = monitoring.catalogue.kpis.iter().position(|k| k.code == "svc_index").unwrap();
    let series = monitoring.series(svc_index, "province");
    assert_eq!(series.len(), 3);
    let first_month = series.iter().find(|o| o.period.to_string() == document.periods[0].period).unwrap();
    assert_eq!(first_month.value, document.periods[0].province.total);

    // The same content again: recorded as unchanged, nothing new stored.
    assert!(matches!(pull_now(store, id, &settings).await, PullReport::Unchanged { .. }));
    assert_eq!(store.latest_service_snapshot().await.unwrap().unwrap().id, first.id);

    // A broken dossier row: refused whole, named by URL, line and field.
    let broken = with_bad_received(&good[2].1);
    server.set("dossiers.csv", Answer::Body(broken));
    let before = store.clock().now_ms();
    let error = failed(pull_now(store, id, &settings).await);
    let message = error.message(chiso_core::Lang::En);
    assert!(message.starts_with(&format!("{base}/export/dossiers.csv:3002")), "{message}");
    let vi = error.message(chiso_core::Lang::Vi);
    assert!(vi.contains("dossiers.csv:3002") && vi != message, "{vi}");
    let source = store.service_source(id).await.unwrap();
    assert_eq!(source.failures, 1);
    assert!(source.next_run_at >= before + 60_000 && source.next_run_at < before + 70_000);
    assert_eq!(store.latest_service_snapshot().await.unwrap().unwrap().id, first.id);

    // A server error: the backoff doubles.
    server.set("dossiers.csv", Answer::Status(503));
    let before = store.clock().now_ms();
    let message = failed(pull_now(store, id, &settings).await).message(chiso_core::Lang::En);
    assert!(message.contains("HTTP 503"), "{message}");
    let source = store.service_source(id).await.unwrap();
    assert_eq!(source.failures, 2);
    assert!(source.next_run_at >= before + 120_000 && source.next_run_at < before + 130_000);

    // A slow answer, and one that stops halfway: timed out.
    server.set("dossiers.csv", Answer::Slow(Duration::from_secs(5), good[2].1.clone()));
    let message = failed(pull_now(store, id, &settings).await).message(chiso_core::Lang::En);
    assert!(message.contains("timed out"), "{message}");
    server.set("dossiers.csv", Answer::Stall(good[2].1.clone()));
    let message = failed(pull_now(store, id, &settings).await).message(chiso_core::Lang::Vi);
    assert!(
        message == format!("{base}/export/dossiers.csv: quá thời gian chờ trả lời")
            || message == format!("{base}/export/dossiers.csv: kết nối bị ngắt giữa chừng"),
        "{message}"
    );

    // A file that is not there; a token the server refuses.
    server.set("dossiers.csv", Answer::Status(404));
    let message = failed(pull_now(store, id, &settings).await).message(chiso_core::Lang::En);
    assert!(message.contains("no such file"), "{message}");
    server.serve(&good);
    *server.token.lock().unwrap() = Some("other".into());
    let message = failed(pull_now(store, id, &settings).await).message(chiso_core::Lang::En);
    assert!(message.contains("HTTP 401"), "{message}");
    assert_eq!(store.latest_service_snapshot().await.unwrap().unwrap().id, first.id);

    // The admin's status page shows the error, in the admin's language.
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let (status, html) = admin.text(&format!("/admin/service/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("máy chủ trả lời lỗi HTTP 401"), "{html}");
    assert!(html.contains("data-state=\"failing\""));
    assert_eq!(html.matches("data-outcome=\"failed\"").count(), 6);

    // Good again: the same content as the last good pull is unchanged, and the
    // failures are forgotten.
    *server.token.lock().unwrap() = Some("s3cret".into());
    assert!(matches!(pull_now(store, id, &settings).await, PullReport::Unchanged { .. }));
    assert_eq!(store.service_source(id).await.unwrap().failures, 0);

    // Without petitions (404 for that optional file): new content, stored.
    server.set("petitions.csv", Answer::Status(404));
    assert!(matches!(pull_now(store, id, &settings).await, PullReport::Stored { .. }));
    let latest = store.latest_service_snapshot().await.unwrap().unwrap();
    assert_ne!(latest.id, first.id);
    assert!(latest.row_counts.iter().all(|(name, _)| name != "petitions"));
    assert_eq!(store.service_pulls(id, 100).await.unwrap().len(), 10);
}

#[tokio::test]
async fn json_records_with_a_column_mapping_give_the_same_index_as_csv() {
    let app = support::spawn().await;
    let store = &app.store;
    let server = Server::default();
    let base = server.start().await;
    let files = folder(2);
    server.serve(&files);
    // The same files as JSON records, with the dossier id and unit columns named
    // as another system names them.
    for (name, bytes) in &files {
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header = reader.headers().unwrap().clone();
        let records: Vec<serde_json::Value> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                let map: serde_json::Map<String, serde_json::Value> = header
                    .iter()
                    .zip(r.iter())
                    .map(|(k, v)| {
                        let key = match (*name, k) {
                            ("dossiers.csv", "id") => "MaHoSo",
                            (_, "unit") => "MaDonVi",
                            _ => k,
                        };
                        (key.to_owned(), serde_json::Value::String(v.to_owned()))
                    })
                    .collect();
                serde_json::Value::Object(map)
            })
            .collect();
        let json_name = name.replace(".csv", ".json");
        server.set(&json_name, Answer::Body(serde_json::to_vec(&records).unwrap()));
    }
    let csv_source = add(store, "csv", SourceKind::Url, &format!("{base}/export"), SourceFormat::Csv).await;
    let json_source =
        add(store, "json", SourceKind::Url, &format!("{base}/export/"), SourceFormat::Json).await;
    let settings = settings();
    assert!(matches!(pull_now(store, csv_source, &settings).await, PullReport::Stored { .. }));
    let from_csv = store.latest_service_snapshot().await.unwrap().unwrap();

    // Without the mapping, the unknown columns are refused by name.
    let message = failed(pull_now(store, json_source, &settings).await).message(chiso_core::Lang::En);
    assert!(
        message.starts_with(&format!("{base}/export/procedures.json:1:")) && message.contains("MaDonVi"),
        "{message}"
    );

    let mut source = store.service_source(json_source).await.unwrap();
    source.mapping = "MaDonVi = unit\ndossiers: MaHoSo = id".into();
    let new = NewServiceSource {
        name: source.name,
        kind: source.kind,
        location: source.location,
        format: source.format,
        token: None,
        mapping: source.mapping,
        interval_minutes: 60,
        enabled: true,
    };
    store.update_service_source(json_source, &new, true, chiso_store::Actor::System).await.unwrap();
    assert!(matches!(pull_now(store, json_source, &settings).await, PullReport::Stored { .. }));
    let from_json = store.latest_service_snapshot().await.unwrap().unwrap();
    assert_ne!(from_json.id, from_csv.id);
    assert_eq!(from_json.document, from_csv.document);
}

#[tokio::test]
async fn a_folder_source_and_the_size_limit() {
    let app = support::spawn().await;
    let store = &app.store;
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in folder(3) {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let location = dir.path().display().to_string();
    let id = add(store, "drop folder", SourceKind::Folder, &location, SourceFormat::Csv).await;
    let settings = settings();
    assert!(matches!(pull_now(store, id, &settings).await, PullReport::Stored { .. }));
    assert!(matches!(pull_now(store, id, &settings).await, PullReport::Unchanged { .. }));

    let small = FeedSettings { max_bytes: 10_000, ..settings.clone() };
    let message = failed(pull_now(store, id, &small).await).message(chiso_core::Lang::En);
    assert!(message.contains("exceeds the limit"), "{message}");

    std::fs::remove_file(dir.path().join("procedures.csv")).unwrap();
    let message = failed(pull_now(store, id, &settings).await).message(chiso_core::Lang::Vi);
    assert_eq!(message, format!("{location}/procedures.csv: không có tệp này"));
}

#[tokio::test]
async fn the_scheduler_pulls_due_sources_and_retries() {
    let app = support::spawn().await;
    let store = app.store.clone();
    let server = Server::default();
    let base = server.start().await;
    server.set("dossiers.csv", Answer::Status(500));
    let id =
        add(&store, "scheduled", SourceKind::Url, &format!("{base}/export/{{file}}.csv"), SourceFormat::Csv)
            .await;
    let settings = FeedSettings { backoff: Duration::from_millis(200), ..settings() };
    let scheduler = chiso_web::feeds::spawn(store.clone(), settings);
    // It fails, is retried after the backoff, and stores once the server is good.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while store.service_source(id).await.unwrap().failures < 2 {
        assert!(std::time::Instant::now() < deadline, "no retry");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.serve(&folder(4));
    while store.latest_service_snapshot().await.unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "no pull stored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    scheduler.abort();
    let source = store.service_source(id).await.unwrap();
    assert_eq!(source.failures, 0);
    // The next pull is on the schedule (an hour), not the backoff.
    assert!(source.next_run_at > store.clock().now_ms() + 50 * 60_000);
    let audit = store.audit(&chiso_store::AuditFilter::default()).await.unwrap();
    assert!(audit.iter().filter(|e| e.action == "service_pull").count() >= 3);
}

#[tokio::test]
async fn administrators_register_and_change_sources_through_the_form() {
    let app = support::spawn().await;
    let mut admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let (status, html) = admin.text("/admin/service").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"no-sources\""));

    // Wrong values: refused with every reason, what was typed kept.
    let response = admin
        .post_form(
            "/admin/service",
            &[
                ("name", "Hệ thống một cửa"),
                ("kind", "url"),
                ("location", "ftp://example"),
                ("format", "csv"),
                ("mapping", "MaHoSo = nope"),
                ("interval_minutes", "0"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("http:// or https://") || html.contains("http:// hoặc https://"), "{html}");
    assert!(html.contains("10080"));
    assert!(html.contains("«nope»"));
    assert!(html.contains("value=\"Hệ thống một cửa\"") && html.contains("MaHoSo = nope"));
    assert!(app.store.service_sources().await.unwrap().is_empty());

    admin.refresh_csrf().await;
    let response = admin
        .post_form(
            "/admin/service",
            &[
                ("name", "Hệ thống một cửa"),
                ("kind", "url"),
                ("location", "https://dvc.example.gov.vn/xuat/{file}.csv"),
                ("format", "csv"),
                ("token", "t0ken"),
                ("mapping", "MaHoSo = id"),
                ("interval_minutes", "60"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let sources = app.store.service_sources().await.unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].token.as_deref(), Some("t0ken"));
    let id = sources[0].id;
    let (_, html) = admin.text(&format!("/admin/service/{id}")).await;
    assert!(!html.contains("t0ken"), "the token is never shown back");

    // Saving without a token keeps it; "pull now" makes it due.
    admin.refresh_csrf().await;
    let response = admin
        .post_form(
            &format!("/admin/service/{id}"),
            &[
                ("name", "Hệ thống một cửa"),
                ("kind", "url"),
                ("location", "https://dvc.example.gov.vn/xuat/{file}.csv"),
                ("format", "json"),
                ("token", ""),
                ("mapping", ""),
                ("interval_minutes", "30"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let source = app.store.service_source(id).await.unwrap();
    assert_eq!(
        (source.token.as_deref(), source.interval_minutes, source.enabled),
        (Some("t0ken"), 30, false)
    );
    admin.refresh_csrf().await;
    assert_eq!(admin.post_form(&format!("/admin/service/{id}/pull"), &[]).await.status(), 303);

    // Not for anyone else.
    let (status, _) = app.browser().text("/admin/service").await;
    assert_ne!(status, 200);
    assert_eq!(admin.get("/admin/service/999").await.status(), 404);
}
