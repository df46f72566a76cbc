//! Browser end-to-end tests: each starts `chiso serve` on a fresh data dir and plays a
//! scenario in headless Chromium (Playwright): `e2e/run.mjs`, from the public overview
//! to uploading and publishing a new round as admin; `e2e/round.mjs`, a whole round
//! run in the app by an admin, two reporters and an appraiser; `e2e/history.mjs`,
//! the 2025 province (75 communes, lineage) on `chiso serve --demo`; `e2e/service.mjs`,
//! the public-service quality index (`/service`) on `chiso serve --demo`.
//!
//! Needs `node` (20 or newer), `/usr/bin/chromium` and `e2e/node_modules/playwright-core`
//! (`apt-get install chromium nodejs npm && npm ci --prefix e2e`). Without them the test
//! says so loudly and passes, unless `CHISO_REQUIRE_E2E=1` (CI), where it fails.
//! Screenshots of every page go to `e2e/screenshots/`.
//!
//! The server listens on port 0 and the test reads the address it prints, so no
//! port is guessed. The two scenarios take turns (one browser at a time), so
//! neither runs against its timeouts on a machine shared with the other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread::sleep;
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const ADMIN_PASSWORD: &str = "e2e-admin-Password-2025";
const SERVER_START_TIMEOUT: Duration = Duration::from_secs(30);
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(300);

/// Files of the bundled package, relative to `data/sonla/2024`.
const PACKAGE_FILES: [&str; 5] =
    ["assessment.toml", "frameworks/provincial.toml", "frameworks/district.toml", "units.csv", "values.csv"];

fn repo_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    dir.canonicalize().unwrap_or(dir)
}

fn e2e_dir() -> PathBuf {
    repo_dir().join("e2e")
}

/// A child process that is killed (and reaped) when this goes out of scope, test failure included.
struct KillOnDrop {
    name: &'static str,
    child: Child,
}

impl KillOnDrop {
    /// Waits for the process to exit; `None` (after killing it) when it takes longer than `timeout`.
    fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll child process") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            if let Err(error) = self.child.kill() {
                eprintln!("e2e: could not kill {} (pid {}): {error}", self.name, self.child.id());
            }
            let _ = self.child.wait();
        }
    }
}

/// `node` on PATH (or `$CHISO_NODE`), if it runs and is version 20 or newer.
fn find_node() -> Result<PathBuf, String> {
    let candidates: Vec<PathBuf> = match std::env::var_os("CHISO_NODE") {
        Some(node) => vec![PathBuf::from(node)],
        None => std::env::var_os("PATH")
            .map(|path| std::env::split_paths(&path).map(|dir| dir.join("node")).collect())
            .unwrap_or_default(),
    };
    let node = candidates
        .into_iter()
        .find(|path| path.is_file())
        .ok_or("`node` is not on PATH (or $CHISO_NODE is not a file)")?;
    let output = Command::new(&node)
        .arg("--version")
        .output()
        .map_err(|error| format!("`{} --version` failed: {error}", node.display()))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let major: u32 =
        version.trim_start_matches('v').split('.').next().and_then(|major| major.parse().ok()).unwrap_or(0);
    if major < 20 {
        return Err(format!(
            "{} is node {version:?}; playwright-core needs node 20 or newer",
            node.display()
        ));
    }
    Ok(node)
}

/// What is missing to run the browser test; empty when everything is there.
fn missing_prerequisites() -> (Option<PathBuf>, Vec<String>) {
    let mut missing = Vec::new();
    let node = find_node().map_err(|problem| missing.push(problem)).ok();
    if !Path::new(CHROMIUM).is_file() {
        missing.push(format!("{CHROMIUM} does not exist"));
    }
    let playwright = e2e_dir().join("node_modules/playwright-core/package.json");
    if !playwright.is_file() {
        missing.push(format!("{} does not exist", playwright.display()));
    }
    (node, missing)
}

/// Held by a scenario while it runs: the scenarios run one after the other.
static ONE_SCENARIO_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The address `chiso serve` printed ("… http://127.0.0.1:PORT/ …"), once it has.
fn printed_address(log: &Path) -> Option<SocketAddr> {
    let text = fs::read_to_string(log).ok()?;
    let start = text.find("http://127.0.0.1:")? + "http://".len();
    text[start..].split('/').next()?.parse().ok()
}

/// True when `GET /healthz` answers 200.
fn healthy(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `chiso serve` on port 0 with an empty data dir; returns it and the address it
/// printed once `/healthz` answers there.
fn start_server(data_dir: &Path, log: &Path, args: &[&str]) -> (KillOnDrop, SocketAddr) {
    let log_file = File::create(log).expect("create the server log");
    let child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("serve")
        .args(args)
        .arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--data-dir")
        .arg(data_dir)
        .env("CHISO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("clone the log file handle"))
        .stderr(log_file)
        .spawn()
        .expect("start chiso serve");
    let mut server = KillOnDrop { name: "chiso serve", child };
    let deadline = Instant::now() + SERVER_START_TIMEOUT;
    loop {
        if let Some(status) = server.child.try_wait().expect("poll chiso serve") {
            panic!("chiso serve exited early ({status}); its output:\n{}", tail(log, 40));
        }
        let addr = printed_address(log);
        if let Some(addr) = addr.filter(|addr| healthy(*addr)) {
            return (server, addr);
        }
        if Instant::now() >= deadline {
            panic!(
                "chiso serve did not print its address and answer /healthz there ({addr:?}) within \
                 {SERVER_START_TIMEOUT:?}; its output:\n{}",
                tail(log, 40)
            );
        }
        sleep(Duration::from_millis(200));
    }
}

/// Son La City's name in the uploaded 2025 package: markup that would run script
/// if any page or chart tooltip inserted it as HTML (e2e/run.mjs looks for it).
const HOSTILE_FROM: &str = "116,Thành phố Sơn La,district,,Son La City";
const HOSTILE_TO: &str = "116,Thành phố Sơn La <img src=x onerror=window.__xss=1>,district,,\
                          Son La City <img src=x onerror=window.__xss=1>";

/// A zip of the bundled 2024 package under `sonla-2025/`, turned into a 2025 round.
fn write_upload_zip(path: &Path) {
    let package = repo_dir().join("data/sonla/2024");
    let mut writer = zip::ZipWriter::new(File::create(path).expect("create the upload zip"));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for name in PACKAGE_FILES {
        let source = package.join(name);
        let mut bytes =
            fs::read(&source).unwrap_or_else(|error| panic!("read {}: {error}", source.display()));
        if name == "assessment.toml" {
            bytes = as_2025(&String::from_utf8(bytes).expect("assessment.toml is UTF-8")).into_bytes();
        }
        if name == "units.csv" {
            // Issue 11: a unit name holding markup must show as text on every page and chart.
            let units = String::from_utf8(bytes).expect("units.csv is UTF-8");
            assert!(units.contains(HOSTILE_FROM), "units.csv no longer holds {HOSTILE_FROM:?}");
            bytes = units.replace(HOSTILE_FROM, HOSTILE_TO).into_bytes();
        }
        writer.start_file(format!("sonla-2025/{name}"), options).expect("zip entry");
        writer.write_all(&bytes).expect("zip entry data");
    }
    writer.finish().expect("finish the upload zip");
}

/// `year = 2024` becomes `year = 2025`, and the name's "2024" too; the rest is kept.
fn as_2025(assessment: &str) -> String {
    let mut year_changed = false;
    let mut name_changed = false;
    let lines: Vec<String> = assessment
        .lines()
        .map(|line| {
            if line.trim() == "year = 2024" {
                year_changed = true;
                line.replace("2024", "2025")
            } else if line.starts_with("name = ") && line.contains("2024") {
                name_changed = true;
                line.replace("2024", "2025")
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert!(year_changed && name_changed, "assessment.toml no longer has `year = 2024` and a name with 2024");
    lines.join("\n") + "\n"
}

/// Node and the browser, or `None` after saying loudly why the test cannot run
/// (a failure instead with `CHISO_REQUIRE_E2E=1`).
fn prerequisites() -> Option<PathBuf> {
    let (node, missing) = missing_prerequisites();
    if missing.is_empty() {
        return node;
    }
    let reasons = missing.join("; ");
    let install = "Install with `apt-get install chromium` and `npm ci --prefix e2e` (node 20 or newer), \
                   then run `cargo test -p chiso --test e2e`.";
    if std::env::var("CHISO_REQUIRE_E2E").as_deref() == Ok("1") {
        panic!("the browser end-to-end test cannot run and CHISO_REQUIRE_E2E=1: {reasons}.\n{install}");
    }
    // Straight to the process's stderr, past the test harness's output capture: a skip must be seen.
    let bar = "!".repeat(78);
    let _ = writeln!(
        std::io::stderr(),
        "\n{bar}\nSKIPPED browser end-to-end test: {reasons}.\n  {install}\n{bar}\n"
    );
    None
}

/// Removes the screenshots of an earlier run from `dir` (created if missing).
fn fresh_screenshots(dir: &Path) {
    fs::create_dir_all(dir).expect("screenshots dir");
    for entry in fs::read_dir(dir).expect("list screenshots").flatten() {
        if entry.path().extension().is_some_and(|ext| ext == "png") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Starts `chiso serve {server_args}` on a fresh data dir and runs `e2e/{script}`
/// against it with `env`; fails with the scenario's output and the server log's tail.
fn run_scenario(
    node: &Path,
    script: &str,
    temp: &Path,
    server_args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) {
    let started = Instant::now();
    let data_dir = temp.join("data");
    fs::create_dir(&data_dir).expect("data dir");
    let server_log = temp.join("server.log");
    let screenshots = e2e_dir().join("screenshots");
    let (server, addr) = start_server(&data_dir, &server_log, server_args);
    eprintln!(
        "e2e {script}: chiso serve ready on http://{addr}/ after {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let node_out = temp.join("node.out");
    let node_err = temp.join("node.err");
    let mut command = Command::new(node);
    command
        .arg(script)
        .current_dir(e2e_dir())
        .env("CHISO_URL", format!("http://{addr}"))
        .env("CHISO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("CHISO_SCREENSHOTS", &screenshots)
        .env("CHISO_CHROMIUM", CHROMIUM)
        .stdin(Stdio::null())
        .stdout(File::create(&node_out).expect("node stdout file"))
        .stderr(File::create(&node_err).expect("node stderr file"));
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command.spawn().expect("start node");
    let mut scenario = KillOnDrop { name: "node e2e scenario", child };
    let status = scenario.wait_timeout(SCENARIO_TIMEOUT);
    drop(server);

    let stdout = fs::read_to_string(&node_out).unwrap_or_default();
    let stderr = fs::read_to_string(&node_err).unwrap_or_default();
    println!("{stdout}");
    if !stderr.is_empty() {
        eprintln!("{stderr}");
    }
    eprintln!(
        "e2e {script}: {} in {:.1} s; screenshots in {}",
        match status {
            Some(status) if status.success() => "passed".to_owned(),
            Some(status) => format!("failed ({status})"),
            None => format!("timed out after {SCENARIO_TIMEOUT:?}"),
        },
        started.elapsed().as_secs_f64(),
        screenshots.display()
    );
    let Some(status) = status else {
        panic!(
            "e2e/{script} did not finish within {SCENARIO_TIMEOUT:?}; server log:\n{}",
            tail(&server_log, 40)
        );
    };
    assert!(
        status.success(),
        "e2e/{script} failed ({status}); see its output above. Last lines of the server log:\n{}",
        tail(&server_log, 40)
    );
}

/// The public pages, the language switch, the admin's upload and publication of a round.
#[test]
fn browser_end_to_end() {
    let Some(node) = prerequisites() else { return };
    let _turn = ONE_SCENARIO_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let temp = tempfile::tempdir().expect("temp dir");
    let zip_path = temp.path().join("sonla-2025.zip");
    write_upload_zip(&zip_path);
    fresh_screenshots(&e2e_dir().join("screenshots"));
    run_scenario(&node, "run.mjs", temp.path(), &[], &[("CHISO_UPLOAD_ZIP", zip_path.as_os_str())]);
}

/// A whole round run in the app by four people (`e2e/round.mjs`).
#[test]
fn browser_round_end_to_end() {
    let Some(node) = prerequisites() else { return };
    let _turn = ONE_SCENARIO_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let temp = tempfile::tempdir().expect("temp dir");
    fresh_screenshots(&e2e_dir().join("screenshots/round"));
    run_scenario(&node, "round.mjs", temp.path(), &[], &[]);
}

/// Son La as it is now on `chiso serve --demo`: the 75 communes' ranking searched
/// and filtered by former district, a commune's restated history chart, the map of
/// the 75 communes, on a desktop and a phone (`e2e/history.mjs`).
#[test]
fn browser_history_end_to_end() {
    let Some(node) = prerequisites() else { return };
    let _turn = ONE_SCENARIO_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let temp = tempfile::tempdir().expect("temp dir");
    fresh_screenshots(&e2e_dir().join("screenshots/history"));
    run_scenario(&node, "history.mjs", temp.path(), &["--demo"], &[]);
}

/// The public-service quality index on `chiso serve --demo` (its generated snapshot):
/// the province, the rankings, an earlier month, a commune's page and the English
/// page, on a desktop and a phone (`e2e/service.mjs`).
#[test]
fn browser_service_end_to_end() {
    let Some(node) = prerequisites() else { return };
    let _turn = ONE_SCENARIO_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let temp = tempfile::tempdir().expect("temp dir");
    fresh_screenshots(&e2e_dir().join("screenshots/service"));
    run_scenario(&node, "service.mjs", temp.path(), &["--demo"], &[]);
}
