//! `chiso serve` (first start, graceful stop) and `chiso user add|passwd|list`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A plain HTTP/1.1 GET: (status line, body).
fn http_get(port: u16, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.lines().next().unwrap_or_default().to_owned(), body.to_owned())
}

pub(crate) struct Server {
    pub(crate) child: Child,
    stderr: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `chiso serve` and reads its stderr until it says where it listens.
pub(crate) fn serve(data_dir: &std::path::Path, port: u16, env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chiso"));
    command
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data_dir)
        .env_remove("CHISO_LANG")
        .env_remove("CHISO_ADMIN_PASSWORD")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stderr = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        let listening = line.contains(&format!("http://127.0.0.1:{port}/"));
        stderr.push(line);
        if listening {
            // Keep draining stderr so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return Server { child, stderr };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chiso serve did not start:\n{}", stderr.join("\n"));
}

fn stop(mut server: Server) -> std::process::ExitStatus {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "chiso serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_imports_son_la_on_its_first_start_and_stops_gracefully() {
    let dir = Package::empty();
    let port = free_port();
    let server = serve(dir.path(), port, &[]);
    let banner = server.stderr.join("\n");
    assert!(banner.contains("admin / "), "a generated admin password is shown once:\n{banner}");
    assert!(dir.path().join("chiso.db").is_file());
    let (status, body) = http_get(port, "/healthz");
    assert!(status.contains("200"), "{status}");
    assert_eq!(body, r#"{"status":"ok"}"#);
    let (status, _) = http_get(port, "/");
    assert!(status.contains("200"), "{status}");
    assert!(stop(server).success(), "SIGTERM is a clean stop");
    // The second start finds its data and shows no password.
    let server = serve(dir.path(), port, &[]);
    assert!(!server.stderr.join("\n").contains("admin / "));
    let (_, body) = http_get(port, "/api/v1/rounds");
    assert_eq!(body.matches("\"id\"").count(), 2, "one round and its publication: {body}");
    assert!(stop(server).success());
}

#[test]
fn serve_takes_the_admin_password_from_the_environment() {
    let dir = Package::empty();
    let port = free_port();
    let server = serve(dir.path(), port, &[("CHISO_ADMIN_PASSWORD", "given-password"), ("CHISO_LANG", "en")]);
    let banner = server.stderr.join("\n");
    assert!(banner.contains("CHISO_ADMIN_PASSWORD") && !banner.contains("given-password"), "{banner}");
    assert!(stop(server).success());
    let data = dir.path().display().to_string();
    let list = chiso(&["user", "list", "--data-dir", &data, "--lang", "en"]);
    assert!(list.success, "{}", list.stderr);
    assert!(list.stdout.contains("admin") && list.stdout.contains("Quản trị viên"), "{}", list.stdout);
}

#[test]
fn users_are_added_listed_and_given_new_passwords_from_the_command_line() {
    let dir = Package::empty();
    let data = dir.path().display().to_string();
    let add = chiso_with_env(
        &[
            "user",
            "add",
            "lan",
            "--role",
            "reporter",
            "--unit",
            "STTTT",
            "--name",
            "Nguyễn Thị Lan",
            "--data-dir",
            &data,
        ],
        &[("CHISO_USER_PASSWORD", "a-good-password")],
    );
    assert!(add.success, "{}", add.stderr);
    assert!(add.stderr.contains("Đã thêm người dùng lan (reporter)"), "{}", add.stderr);
    let list = chiso(&["user", "list", "--data-dir", &data]);
    assert!(
        list.stdout.contains("lan")
            && list.stdout.contains("STTTT")
            && list.stdout.contains("Nguyễn Thị Lan")
    );
    // The password can come on standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["user", "passwd", "lan", "--data-dir", &data, "--lang", "en"])
        .env_remove("CHISO_USER_PASSWORD")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"another-password\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("New password set for lan"));
}

#[test]
fn bad_user_commands_say_what_is_wrong() {
    let dir = Package::empty();
    let data = dir.path().display().to_string();
    let password = [("CHISO_USER_PASSWORD", "a-good-password")];
    let no_unit = chiso_with_env(
        &["user", "add", "x", "--role", "reporter", "--data-dir", &data, "--lang", "en"],
        &password,
    );
    assert!(!no_unit.success && no_unit.stderr.contains("a reporter needs --unit"), "{}", no_unit.stderr);
    let bad_role = chiso_with_env(&["user", "add", "x", "--role", "boss", "--data-dir", &data], &password);
    assert!(!bad_role.success && bad_role.stderr.contains("unknown role"), "{}", bad_role.stderr);
    let short = chiso_with_env(
        &["user", "add", "x", "--role", "viewer", "--data-dir", &data, "--lang", "en"],
        &[("CHISO_USER_PASSWORD", "short")],
    );
    assert!(!short.success && short.stderr.contains("8 characters"), "{}", short.stderr);
    let twice = chiso_with_env(&["user", "add", "y", "--role", "viewer", "--data-dir", &data], &password);
    assert!(twice.success, "{}", twice.stderr);
    let again = chiso_with_env(&["user", "add", "y", "--role", "viewer", "--data-dir", &data], &password);
    assert!(!again.success && again.stderr.contains("conflict"), "{}", again.stderr);
    let nobody =
        chiso_with_env(&["user", "passwd", "nobody", "--data-dir", &data, "--lang", "en"], &password);
    assert!(!nobody.success && nobody.stderr.contains("there is no user \"nobody\""), "{}", nobody.stderr);
}

#[test]
fn serve_writes_json_logs_when_asked() {
    let dir = Package::empty();
    let port = free_port();
    let server =
        serve(dir.path(), port, &[("CHISO_LOG_FORMAT", "json"), ("CHISO_ADMIN_PASSWORD", "given-password")]);
    let logs: Vec<serde_json::Value> = server
        .stderr
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ready = logs.iter().find(|l| l["message"] == "database ready").expect("a JSON log line");
    assert_eq!(ready["level"], "INFO");
    assert!(ready["database"].as_str().unwrap().starts_with("sqlite:"));
    assert!(stop(server).success());
}
