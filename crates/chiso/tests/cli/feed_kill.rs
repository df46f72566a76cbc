//! `chiso serve` pulls a scheduled service feed; killed with SIGKILL in the middle
//! of a pull, it leaves the previous data intact, and once restarted it pulls
//! again after the dead pull's lease has run out and removes what the dead pull
//! left in the temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::serve_and_users::{free_port, serve};
use chiso_io::service::generate::{GenerateOptions, generate_in_memory};
use chiso_store::{Actor, NewServiceSource, ServiceSourceId, SourceFormat, SourceKind, Store};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The files a tiny HTTP server answers with; in `stall` mode, dossiers.csv is
/// sent half and then never finished.
#[derive(Clone, Default)]
struct Files {
    bodies: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    stall: Arc<AtomicBool>,
    stalled: Arc<AtomicBool>,
}

impl Files {
    fn serve(&self, seed: u64) {
        let options = GenerateOptions {
            seed,
            months: 2,
            procedures: 40,
            dossiers: 2_000,
            petitions: 100,
            ..Default::default()
        };
        let folder = generate_in_memory(&options).unwrap();
        let mut bodies = self.bodies.lock().unwrap();
        bodies.insert("/units.csv".into(), folder.units.into_bytes());
        bodies.insert("/procedures.csv".into(), folder.procedures.into_bytes());
        bodies.insert("/dossiers.csv".into(), folder.dossiers.into_bytes());
        bodies.insert("/petitions.csv".into(), folder.petitions.into_bytes());
    }

    fn start(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let files = self.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let files = files.clone();
                std::thread::spawn(move || {
                    let mut request = Vec::new();
                    let mut byte = [0u8; 1];
                    while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                        request.push(byte[0]);
                    }
                    let request = String::from_utf8_lossy(&request);
                    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let body = files.bodies.lock().unwrap().get(&path).cloned();
                    let Some(body) = body else {
                        let _ = stream.write_all(
                            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                        return;
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    if path == "/dossiers.csv" && files.stall.load(Ordering::SeqCst) {
                        let _ = stream.write_all(&body[..body.len() / 2]);
                        let _ = stream.flush();
                        files.stalled.store(true, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_secs(120));
                        return;
                    }
                    let _ = stream.write_all(&body);
                });
            }
        });
        base
    }
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_server_killed_during_a_pull_keeps_the_previous_data_and_pulls_again_after_restart() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = Files::default();
    files.serve(1);
    let base = files.start();
    let env = [
        ("CHISO_ADMIN_PASSWORD", "admin-password"),
        ("CHISO_FEED_TICK_MS", "50"),
        ("CHISO_FEED_LEASE_SECS", "3"),
    ];

    // First start (creates the database), then register the source beside it.
    let port = free_port();
    let mut server = serve(dir.path(), port, &env);
    let url = format!("sqlite:{}", dir.path().join("chiso.db").display());
    let store = runtime.block_on(Store::connect(&url)).unwrap();
    let new = NewServiceSource {
        name: "một cửa".into(),
        kind: SourceKind::Url,
        location: base.clone(),
        format: SourceFormat::Csv,
        token: None,
        mapping: String::new(),
        interval_minutes: 60,
        enabled: true,
    };
    let id: ServiceSourceId = runtime.block_on(store.add_service_source(&new, Actor::System)).unwrap();
    wait_for("the first pull", Duration::from_secs(60), || {
        runtime.block_on(store.latest_service_snapshot()).unwrap().is_some()
    });
    let first = runtime.block_on(store.latest_service_snapshot()).unwrap().unwrap();

    // New content, delivered half: kill -9 while the pull waits for the rest.
    files.serve(2);
    files.stall.store(true, Ordering::SeqCst);
    runtime.block_on(store.pull_service_source_now(id, Actor::System)).unwrap();
    wait_for("the pull to start", Duration::from_secs(60), || files.stalled.load(Ordering::SeqCst));
    let pid = server.child.id();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let killed_at = Instant::now();
    // What it was filling stays behind, in the system's temporary folder.
    let staging: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("chiso-pull-{pid}-")))
        .collect();
    assert_eq!(staging.len(), 1, "the killed pull's staging folder");

    let latest = runtime.block_on(store.latest_service_snapshot()).unwrap().unwrap();
    assert_eq!(latest.id, first.id, "the previous data is what is published");
    assert_eq!(latest.document, first.document);
    let pulls = runtime.block_on(store.service_pulls(id, 10)).unwrap();
    assert_eq!(pulls.len(), 1, "the killed pull stored nothing, not even half a run");
    let source = runtime.block_on(store.service_source(id)).unwrap();
    assert!(source.lease_until.is_some(), "the dead pull's lease is still there");

    // Restarted, the server pulls again once the lease has run out.
    files.stall.store(false, Ordering::SeqCst);
    // Restarted after the lease (3 s), the server also removes that folder.
    std::thread::sleep(Duration::from_millis(3_500).saturating_sub(killed_at.elapsed()));
    let port = free_port();
    let _server = serve(dir.path(), port, &env);
    wait_for("the pull after the restart", Duration::from_secs(60), || {
        runtime.block_on(store.latest_service_snapshot()).unwrap().is_some_and(|s| s.id != first.id)
    });
    let pulls = runtime.block_on(store.service_pulls(id, 10)).unwrap();
    assert_eq!(pulls.len(), 2);
    assert_eq!(pulls[0].outcome, "stored");
    assert!(!staging[0].exists(), "the killed pull's staging folder is still there");
    runtime.block_on(store.close());
}
