//! `chiso backup` and `chiso restore`: a backup of a running `chiso serve` taken
//! while accounts are being added holds every account added before it; restore
//! refuses a truncated file, a database in use, and one holding data without
//! `--force` (keeping the old one when forced); PostgreSQL goes through pg_dump.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: (&str, &str) = ("CHISO_USER_PASSWORD", "long-enough-password");

fn arg(path: &Path) -> String {
    path.display().to_string()
}

/// `chiso user add NAME --role viewer` in `data`; whether it succeeded.
fn add_user(data: &Path, name: &str) -> bool {
    chiso_with_env(&["user", "add", name, "--role", "viewer", "--data-dir", &arg(data)], &[PASSWORD]).success
}

fn user_list(args: &[&str]) -> String {
    let mut all = vec!["user", "list"];
    all.extend_from_slice(args);
    let run = chiso(&all);
    assert!(run.success, "{}", run.stderr);
    run.stdout
}

fn listed(list: &str, user: &str) -> bool {
    list.lines().any(|line| line.split_whitespace().nth(1) == Some(user))
}

/// Files of `dir` whose names contain `part`.
fn files_named(dir: &Path, part: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(part))
        .collect()
}

// ---------------------------------------------------------------------------
// A running server (as in serve_and_users.rs)
// ---------------------------------------------------------------------------

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data_dir: &Path) -> (Server, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data_dir)
        .env_remove("CHISO_LANG")
        .env("CHISO_ADMIN_PASSWORD", "admin-password")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        let listening = line.contains(&format!("http://127.0.0.1:{port}/"));
        seen.push(line);
        if listening {
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return (Server(child), port);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chiso serve did not start:\n{}", seen.join("\n"));
}

fn healthz(port: u16) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.lines().next().unwrap_or_default().to_owned()
}

fn stop(mut server: Server) {
    let pid = server.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "chiso serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------
// SQLite
// ---------------------------------------------------------------------------

#[test]
fn a_backup_of_a_running_server_restores_every_user_added_before_it() {
    let dir = Package::empty();
    let data = dir.path().join("data");
    let (server, port) = serve(&data);

    // A writer adds accounts one after another; each is recorded once chiso said so.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acknowledged, done, data) = (acknowledged.clone(), done.clone(), data.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !done.load(Ordering::SeqCst) {
                let name = format!("canbo{n}");
                assert!(add_user(&data, &name), "adding {name}");
                acknowledged.lock().unwrap().push(name);
                n += 1;
            }
        })
    };
    let wait_for = |count: usize| {
        let deadline = Instant::now() + Duration::from_secs(120);
        while acknowledged.lock().unwrap().len() < count {
            assert!(Instant::now() < deadline, "the writer stalled");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for(3);
    let before = acknowledged.lock().unwrap().clone();
    let out = dir.path().join("chiso.backup");
    let backup = chiso(&["backup", "--data-dir", &arg(&data), "--out", &arg(&out), "--lang", "en"]);
    assert!(backup.success, "{}", backup.stderr);
    assert!(backup.stdout.is_empty());
    assert_contains_all(&backup.stderr, &["Backed up", "SHA-256", &arg(&out)]);
    assert!(healthz(port).contains("200"), "the server kept serving");
    let after = acknowledged.lock().unwrap().len();
    wait_for(after + 2);
    done.store(true, Ordering::SeqCst);
    writer.join().unwrap();

    // The server holds its database: a restore over it is refused, in both languages.
    let busy = chiso(&["restore", &arg(&out), "--data-dir", &arg(&data), "--force", "--lang", "en"]);
    assert!(!busy.success);
    assert!(busy.stderr.contains("is open in another process"), "{}", busy.stderr);
    let busy = chiso(&["restore", &arg(&out), "--data-dir", &arg(&data), "--force"]);
    assert!(busy.stderr.contains("đang được một tiến trình khác mở"), "{}", busy.stderr);
    assert!(files_named(&data, "before-restore").is_empty());
    stop(server);

    let fresh = dir.path().join("fresh");
    let restore = chiso(&["restore", &arg(&out), "--data-dir", &arg(&fresh), "--lang", "en"]);
    assert!(restore.success, "{}", restore.stderr);
    assert_contains_all(&restore.stderr, &["Restored", "taken at"]);
    let list = user_list(&["--data-dir", &arg(&fresh)]);
    assert!(listed(&list, "admin"), "{list}");
    for user in &before {
        assert!(listed(&list, user), "{user} was added before the backup but is missing:\n{list}");
    }
    let (restored, port) = serve(&fresh);
    assert!(healthz(port).contains("200"), "the restored database serves");
    stop(restored);
}

#[test]
fn a_truncated_backup_is_refused_and_the_database_is_untouched() {
    let dir = Package::empty();
    let data = dir.path().join("data");
    assert!(add_user(&data, "alice"));
    let out = dir.path().join("chiso.backup");
    chiso(&["backup", "--data-dir", &arg(&data), "--out", &arg(&out)]);
    let bytes = std::fs::read(&out).unwrap();
    let truncated = dir.path().join("truncated.backup");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let database = std::fs::read(data.join("chiso.db")).unwrap();

    let vi = chiso(&["restore", &arg(&truncated), "--data-dir", &arg(&data), "--force"]);
    assert!(!vi.success);
    assert!(vi.stderr.starts_with("lỗi: ") && vi.stderr.contains("bị cắt cụt"), "{}", vi.stderr);
    let en = chiso(&["restore", &arg(&truncated), "--data-dir", &arg(&data), "--force", "--lang", "en"]);
    assert!(
        en.stderr.contains("the backup is truncated") && en.stderr.contains("nothing was restored"),
        "{}",
        en.stderr
    );

    let mut damaged = bytes.clone();
    let at = damaged.len() - 100;
    damaged[at] ^= 1;
    std::fs::write(&truncated, &damaged).unwrap();
    let en = chiso(&["restore", &arg(&truncated), "--data-dir", &arg(&data), "--force", "--lang", "en"]);
    assert!(en.stderr.contains("the backup is damaged"), "{}", en.stderr);

    assert!(std::fs::read(data.join("chiso.db")).unwrap() == database, "the database is untouched");
    assert!(files_named(&data, "before-restore").is_empty() && files_named(&data, ".chiso.db.").is_empty());
    assert!(listed(&user_list(&["--data-dir", &arg(&data)]), "alice"));
}

#[test]
fn restoring_over_a_database_with_data_needs_force_and_keeps_the_old_one() {
    let dir = Package::empty();
    let (source, target) = (dir.path().join("source"), dir.path().join("target"));
    assert!(add_user(&source, "alice"));
    assert!(add_user(&target, "bob"));
    let out = dir.path().join("chiso.backup");
    assert!(chiso(&["backup", "--data-dir", &arg(&source), "--out", &arg(&out)]).success);

    let refused = chiso(&["restore", &arg(&out), "--data-dir", &arg(&target), "--lang", "en"]);
    assert!(!refused.success);
    assert!(refused.stderr.contains("already holds data; add --force"), "{}", refused.stderr);
    let refused = chiso(&["restore", &arg(&out), "--data-dir", &arg(&target)]);
    assert!(refused.stderr.contains("đã có dữ liệu; thêm --force"), "{}", refused.stderr);
    assert!(listed(&user_list(&["--data-dir", &arg(&target)]), "bob"));

    let forced = chiso(&["restore", &arg(&out), "--data-dir", &arg(&target), "--force", "--lang", "en"]);
    assert!(forced.success, "{}", forced.stderr);
    assert!(forced.stderr.contains("The previous database is kept as"), "{}", forced.stderr);
    let list = user_list(&["--data-dir", &arg(&target)]);
    assert!(listed(&list, "alice") && !listed(&list, "bob"), "{list}");
    let kept = files_named(&target, "chiso.db.before-restore-");
    assert_eq!(kept.len(), 1, "{kept:?}");
    let old = user_list(&["--database-url", &format!("sqlite:{}", kept[0].display())]);
    assert!(listed(&old, "bob"), "nothing was lost:\n{old}");
}

#[test]
fn backup_and_restore_explain_themselves_in_both_languages() {
    // Each help in one language (`help_is_in_one_language` checks the whole tree).
    let help = chiso(&["backup", "--help"]);
    assert_contains_all(&help.stdout, &["Sao lưu", "--out", "--data-dir", "--database-url", "pg_dump"]);
    assert!(!help.stdout.contains("Back up"), "{}", help.stdout);
    let help = chiso(&["backup", "--help", "--lang", "en"]);
    assert_contains_all(&help.stdout, &["Back up", "--out", "pg_dump"]);
    let help = chiso(&["restore", "--help"]);
    assert_contains_all(&help.stdout, &["Khôi phục", "--force", "before-restore"]);
    let help = chiso(&["restore", "--help", "--lang", "en"]);
    assert_contains_all(&help.stdout, &["Restore", "--force", "before-restore"]);

    let dir = Package::empty();
    let nothing = arg(&dir.path().join("nothing"));
    let out = arg(&dir.path().join("x.backup"));
    let vi = chiso(&["backup", "--data-dir", &nothing, "--out", &out]);
    assert!(!vi.success && vi.stderr.contains("không có cơ sở dữ liệu tại"), "{}", vi.stderr);
    let en =
        chiso_with_env(&["backup", "--out", &out], &[("CHISO_DATA_DIR", &nothing), ("CHISO_LANG", "en")]);
    assert!(!en.success && en.stderr.contains("there is no database at"), "{}", en.stderr);
    assert!(!dir.path().join("nothing").exists(), "a backup creates no database");

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "ghi chú\n").unwrap();
    let vi = chiso(&["restore", &arg(&notes), "--data-dir", &arg(dir.path())]);
    assert!(vi.stderr.contains("không phải tệp sao lưu của chiso"), "{}", vi.stderr);
    let en = chiso(&["restore", &arg(&notes), "--data-dir", &arg(dir.path()), "--lang", "en"]);
    assert!(en.stderr.contains("is not a chiso backup"), "{}", en.stderr);

    // Without pg_dump on PATH, PostgreSQL says what to do, and never prints the password.
    let url = "postgres://chiso:secret@127.0.0.1:1/chiso";
    let en =
        chiso_with_env(&["backup", "--database-url", url, "--out", &out, "--lang", "en"], &[("PATH", "")]);
    assert!(!en.success && en.stderr.contains("pg_dump is not on PATH"), "{}", en.stderr);
    assert!(!en.stderr.contains("secret"));
    let vi = chiso_with_env(&["backup", "--database-url", url, "--out", &out], &[("PATH", "")]);
    assert!(vi.stderr.contains("không tìm thấy pg_dump trong PATH"), "{}", vi.stderr);
}

// ---------------------------------------------------------------------------
// PostgreSQL (when CHISO_TEST_DATABASE_URL names a server, as in the store's suite)
// ---------------------------------------------------------------------------

/// A database created for the test with `psql`, dropped at the end.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(admin_url: &str, tag: &str) -> PgDatabase {
        let name = format!("chiso_cli_{tag}_{}", std::process::id());
        psql(admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        psql(admin_url, &format!("CREATE DATABASE {name}"));
        let base = admin_url.rsplit_once('/').map_or(admin_url, |(base, _)| base);
        PgDatabase { admin_url: admin_url.to_owned(), url: format!("{base}/{name}"), name }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        psql(&self.admin_url, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

fn psql(url: &str, sql: &str) {
    let status = Command::new("psql")
        .args([url, "-q", "-c", sql])
        .env("PGOPTIONS", "--client-min-messages=warning")
        .status()
        .expect("psql");
    assert!(status.success(), "psql: {sql}");
}

#[test]
fn postgres_is_backed_up_with_pg_dump_and_restored_into_an_empty_database() {
    let Ok(admin_url) = std::env::var("CHISO_TEST_DATABASE_URL") else {
        eprintln!("PostgreSQL backup test skipped: CHISO_TEST_DATABASE_URL is not set");
        return;
    };
    let (source, target) =
        (PgDatabase::create(&admin_url, "source"), PgDatabase::create(&admin_url, "target"));
    let add = chiso_with_env(
        &["user", "add", "alice", "--role", "viewer", "--database-url", &source.url],
        &[PASSWORD],
    );
    assert!(add.success, "{}", add.stderr);
    let dir = Package::empty();
    let out = arg(&dir.path().join("chiso.dump"));
    let backup = chiso(&["backup", "--database-url", &source.url, "--out", &out, "--lang", "en"]);
    assert!(backup.success, "{}", backup.stderr);
    assert!(backup.stderr.contains("with pg_dump"), "{}", backup.stderr);
    assert!(std::fs::read(&out).unwrap().starts_with(b"PGDMP"));

    let restore = chiso(&["restore", &out, "--database-url", &target.url, "--lang", "en"]);
    assert!(restore.success, "{}", restore.stderr);
    assert!(listed(&user_list(&["--database-url", &target.url]), "alice"));

    let again = chiso(&["restore", &out, "--database-url", &target.url, "--lang", "en"]);
    assert!(
        !again.success && again.stderr.contains("restore into a new, empty database"),
        "{}",
        again.stderr
    );

    // A SQLite backup is not restored into PostgreSQL, and a dump not into SQLite.
    let sqlite_dir = dir.path().join("sqlite");
    assert!(add_user(&sqlite_dir, "bob"));
    let sqlite_backup = arg(&dir.path().join("sqlite.backup"));
    assert!(chiso(&["backup", "--data-dir", &arg(&sqlite_dir), "--out", &sqlite_backup]).success);
    let wrong = chiso(&["restore", &sqlite_backup, "--database-url", &target.url, "--lang", "en"]);
    assert!(wrong.stderr.contains("is a SQLite backup"), "{}", wrong.stderr);
    let wrong = chiso(&["restore", &out, "--data-dir", &arg(&dir.path().join("other")), "--lang", "en"]);
    assert!(wrong.stderr.contains("is a PostgreSQL dump"), "{}", wrong.stderr);
}
