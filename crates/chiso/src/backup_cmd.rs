//! `chiso backup` and `chiso restore`. SQLite goes through `chiso_store::backup`
//! (a consistent snapshot while the server runs, one file with a manifest, checked
//! on restore). PostgreSQL goes through its own tools, `pg_dump --format=custom`
//! and `pg_restore`, which must be on PATH; the password is passed in
//! `PGPASSWORD`, never on their command line.

use crate::cli::DatabaseArgs;
use crate::serve_cmd::redacted;
use anyhow::{Context, anyhow, bail};
use chiso_core::Lang;
use chiso_store::backup::{
    self, BackupError, BackupKind, BackupProgress, BackupStep, NoBackupProgress, RestoreOptions,
};
use chiso_store::{Backend, Store};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// `chiso backup --out FILE`.
pub fn backup(out: &Path, database: &DatabaseArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let url = database.url();
    match backend(&url, lang)? {
        Backend::Sqlite => {
            let path = sqlite_file(&url, lang)?;
            let runtime = runtime()?;
            let progress = progress(lang);
            let manifest = runtime
                .block_on(backup::backup_sqlite_file(&path, out, progress.for_store()))
                .map_err(|e| rendered(&e, lang))?;
            progress.finish();
            let size = megabytes(manifest.size, lang);
            eprintln!(
                "{}",
                match lang {
                    Lang::Vi => format!(
                        "Đã sao lưu {} vào {} ({size} MB, lược đồ {}, SHA-256 {}).",
                        path.display(),
                        out.display(),
                        manifest.schema_version,
                        manifest.sha256
                    ),
                    Lang::En => format!(
                        "Backed up {} to {} ({size} MB, schema {}, SHA-256 {}).",
                        path.display(),
                        out.display(),
                        manifest.schema_version,
                        manifest.sha256
                    ),
                }
            );
        }
        Backend::Postgres => pg_dump(&url, out, lang)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `chiso restore FILE [--force]`.
pub fn restore(file: &Path, force: bool, database: &DatabaseArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let url = database.url();
    match backend(&url, lang)? {
        Backend::Sqlite => {
            let path = sqlite_file(&url, lang)?;
            let runtime = runtime()?;
            let progress = progress(lang);
            let report = runtime
                .block_on(backup::restore_sqlite(file, &path, RestoreOptions { force }, progress.for_store()))
                .map_err(|e| rendered(&e, lang))?;
            progress.finish();
            let taken = report.manifest.as_ref().map(|m| m.created_at.clone());
            let (from, to) = (report.schema_version, report.migrated_to);
            eprintln!(
                "{}",
                match (lang, taken) {
                    (Lang::Vi, Some(at)) => format!(
                        "Đã khôi phục {} (sao lưu lúc {at}) vào {}; lược đồ {from} → {to}.",
                        file.display(),
                        path.display()
                    ),
                    (Lang::En, Some(at)) => format!(
                        "Restored {} (taken at {at}) into {}; schema {from} → {to}.",
                        file.display(),
                        path.display()
                    ),
                    (Lang::Vi, None) => format!(
                        "Đã khôi phục tệp SQLite {} vào {} (không có phần mô tả: chỉ kiểm tra tính toàn vẹn); lược đồ {from} → {to}.",
                        file.display(),
                        path.display()
                    ),
                    (Lang::En, None) => format!(
                        "Restored the SQLite file {} into {} (no manifest: integrity checked only); schema {from} → {to}.",
                        file.display(),
                        path.display()
                    ),
                }
            );
            if let Some(previous) = report.previous {
                eprintln!(
                    "{} {}",
                    lang.pick("Cơ sở dữ liệu cũ được giữ tại", "The previous database is kept as"),
                    previous.display()
                );
            }
        }
        Backend::Postgres => pg_restore(file, &url, lang)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn rendered(e: &BackupError, lang: Lang) -> anyhow::Error {
    anyhow!(e.render(lang))
}

fn backend(url: &str, lang: Lang) -> anyhow::Result<Backend> {
    Backend::from_url(url).map_err(|_| {
        anyhow!(
            "{} {}",
            lang.pick(
                "địa chỉ cơ sở dữ liệu không được hỗ trợ (dùng sqlite:ĐƯỜNG_DẪN hoặc postgres://…):",
                "unsupported database URL (use sqlite:PATH or postgres://…):"
            ),
            redacted(url)
        )
    })
}

fn sqlite_file(url: &str, lang: Lang) -> anyhow::Result<PathBuf> {
    backup::sqlite_path(url).ok_or_else(|| {
        anyhow!(lang.pick(
            "cơ sở dữ liệu trong bộ nhớ không sao lưu hay khôi phục được",
            "an in-memory database cannot be backed up or restored"
        ))
    })
}

fn megabytes(bytes: u64, lang: Lang) -> String {
    lang.number(bytes as f64 / 1_048_576.0, 1)
}

// ---------------------------------------------------------------------------
// Progress on a terminal
// ---------------------------------------------------------------------------

/// A bar (or a spinner, for steps without a byte count) on standard error.
struct Bar {
    bar: ProgressBar,
    lang: Lang,
}

impl BackupProgress for Bar {
    fn step(&self, step: BackupStep, total_bytes: Option<u64>) {
        let name = match step {
            BackupStep::Snapshot => self.lang.pick("chụp cơ sở dữ liệu", "taking the snapshot"),
            BackupStep::Check => self.lang.pick("kiểm tra tính toàn vẹn", "checking integrity"),
            BackupStep::Hash => self.lang.pick("tính SHA-256", "hashing"),
            BackupStep::Write => self.lang.pick("ghi tệp sao lưu", "writing the backup"),
            BackupStep::Copy => self.lang.pick("sao chép và kiểm tra", "copying and checking"),
            BackupStep::Migrate => self.lang.pick("nâng cấp lược đồ", "migrating"),
        };
        let template = match total_bytes {
            Some(_) => "{msg:24} {bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} ({eta})",
            None => "{msg:24} {spinner} {elapsed}",
        };
        let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
        self.bar.set_style(style);
        self.bar.set_length(total_bytes.unwrap_or(0));
        self.bar.set_position(0);
        self.bar.set_message(name.to_owned());
    }

    fn advance(&self, bytes_done: u64) {
        self.bar.set_position(bytes_done);
    }
}

/// The progress display: a bar when standard error is a terminal, nothing otherwise.
struct Progress(Option<Arc<Bar>>);

impl Progress {
    /// The handle the store reports to.
    fn for_store(&self) -> Arc<dyn BackupProgress> {
        match &self.0 {
            Some(bar) => bar.clone(),
            None => Arc::new(NoBackupProgress),
        }
    }

    /// Clears the bar before the summary line.
    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.bar.finish_and_clear();
        }
    }
}

fn progress(lang: Lang) -> Progress {
    if !std::io::stderr().is_terminal() {
        return Progress(None);
    }
    let bar = ProgressBar::new(0);
    bar.enable_steady_tick(Duration::from_millis(120));
    Progress(Some(Arc::new(Bar { bar, lang })))
}

// ---------------------------------------------------------------------------
// PostgreSQL: pg_dump and pg_restore
// ---------------------------------------------------------------------------

/// `pg_dump --format=custom` to a temporary file beside `out`, renamed into place.
fn pg_dump(url: &str, out: &Path, lang: Lang) -> anyhow::Result<()> {
    let program = tool("pg_dump", lang)?;
    let (url_without_password, password) = split_password(url);
    let partial = partial_name(out);
    let mut command = Command::new(program);
    command.arg("--format=custom").arg("--file").arg(&partial).arg("--dbname").arg(&url_without_password);
    let status = run_tool(command, password.as_deref(), "pg_dump")?;
    if !status.success() {
        let _ = std::fs::remove_file(&partial);
        bail!(
            "{} ({status})",
            lang.pick("pg_dump thất bại; thông báo của nó ở trên", "pg_dump failed; its message is above")
        );
    }
    std::fs::rename(&partial, out)
        .with_context(|| format!("{} {}", lang.pick("không ghi được", "cannot write"), out.display()))?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    let size = megabytes(size, lang);
    eprintln!(
        "{}",
        match lang {
            Lang::Vi => format!(
                "Đã sao lưu {} vào {} bằng pg_dump (định dạng custom, {size} MB).",
                redacted(url),
                out.display()
            ),
            Lang::En => format!(
                "Backed up {} to {} with pg_dump (custom format, {size} MB).",
                redacted(url),
                out.display()
            ),
        }
    );
    Ok(())
}

/// `pg_restore` of a `pg_dump --format=custom` archive into an empty database,
/// in one transaction, then the migrations of this binary.
fn pg_restore(file: &Path, url: &str, lang: Lang) -> anyhow::Result<()> {
    match backup::inspect_backup(file).map_err(|e| rendered(&e, lang))? {
        BackupKind::PostgresDump => {}
        BackupKind::Chiso(_) | BackupKind::PlainSqlite => bail!(
            "{}",
            match lang {
                Lang::Vi => format!(
                    "{} là bản sao lưu SQLite; hãy khôi phục với --data-dir hoặc --database-url sqlite:…",
                    file.display()
                ),
                Lang::En => format!(
                    "{} is a SQLite backup; restore it with --data-dir or --database-url sqlite:…",
                    file.display()
                ),
            }
        ),
    }
    let program = tool("pg_restore", lang)?;
    let (url_without_password, password) = split_password(url);
    check_dump_schema(&program, file, password.as_deref(), lang)?;
    let runtime = runtime()?;
    let tables = runtime.block_on(async {
        let store =
            Store::connect(url).await.with_context(|| format!("opening the database {}", redacted(url)))?;
        let tables = store.table_count().await;
        store.close().await;
        anyhow::Ok(tables?)
    })?;
    if tables > 0 {
        bail!(
            "{}",
            match lang {
                Lang::Vi => format!(
                    "cơ sở dữ liệu {} đã có {tables} bảng; hãy khôi phục vào một cơ sở dữ liệu mới, trống (createdb …, xem docs/operations.md)",
                    redacted(url)
                ),
                Lang::En => format!(
                    "the database {} already has {tables} table(s); restore into a new, empty database (createdb …, see docs/operations.md)",
                    redacted(url)
                ),
            }
        );
    }
    let mut command = Command::new(program);
    command
        .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname"])
        .arg(&url_without_password)
        .arg(file);
    let status = run_tool(command, password.as_deref(), "pg_restore")?;
    if !status.success() {
        bail!(
            "{} ({status})",
            lang.pick(
                "pg_restore thất bại, không khôi phục gì; thông báo của nó ở trên",
                "pg_restore failed and restored nothing; its message is above"
            )
        );
    }
    runtime.block_on(async {
        let store = Store::connect(url).await?;
        store.migrate().await.context("migrating the database")?;
        store.close().await;
        anyhow::Ok(())
    })?;
    eprintln!(
        "{}",
        match lang {
            Lang::Vi => format!("Đã khôi phục {} vào {} bằng pg_restore.", file.display(), redacted(url)),
            Lang::En => format!("Restored {} into {} with pg_restore.", file.display(), redacted(url)),
        }
    );
    Ok(())
}

/// Refuses a dump whose migrations this binary does not know (a newer chiso
/// wrote it), reading `_sqlx_migrations` out of the archive without restoring.
fn check_dump_schema(program: &Path, file: &Path, password: Option<&str>, lang: Lang) -> anyhow::Result<()> {
    let mut command = Command::new(program);
    command.args(["--data-only", "--table=_sqlx_migrations", "--file=-"]).arg(file);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.stderr(Stdio::inherit()).output().context("running pg_restore")?;
    if !output.status.success() {
        bail!(
            "{} {}",
            file.display(),
            lang.pick(
                "không đọc được bằng pg_restore (tệp hỏng?)",
                "cannot be read by pg_restore (damaged?)"
            )
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let versions = copied_versions(&text);
    let known: Vec<i64> = Backend::Postgres.migrator().iter().map(|m| m.version).collect();
    if versions.is_empty() {
        return Err(rendered(&BackupError::NotChiso { path: file.to_owned() }, lang));
    }
    if versions.iter().any(|v| !known.contains(v)) {
        let newest = versions.iter().copied().max().unwrap_or(0);
        let binary = backup::latest_schema_version(Backend::Postgres);
        return Err(rendered(
            &BackupError::NewerSchema { path: file.to_owned(), backup: newest, binary },
            lang,
        ));
    }
    Ok(())
}

/// The first column of the rows of a `COPY … FROM stdin;` block in pg_restore's SQL.
fn copied_versions(sql: &str) -> Vec<i64> {
    let mut versions = Vec::new();
    let mut in_copy = false;
    for line in sql.lines() {
        if line.starts_with("COPY ") {
            in_copy = true;
        } else if line == "\\." {
            in_copy = false;
        } else if in_copy && let Some(version) = line.split('\t').next().and_then(|v| v.parse().ok()) {
            versions.push(version);
        }
    }
    versions
}

fn run_tool(
    mut command: Command,
    password: Option<&str>,
    name: &str,
) -> anyhow::Result<std::process::ExitStatus> {
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    command.stdin(Stdio::null()).status().with_context(|| format!("running {name}"))
}

/// The program on PATH, or a clear error pointing to the documentation.
fn tool(name: &str, lang: Lang) -> anyhow::Result<PathBuf> {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .ok_or_else(|| {
            anyhow!(match lang {
                Lang::Vi => format!(
                    "không tìm thấy {name} trong PATH: hãy cài công cụ PostgreSQL (gói postgresql-client), hoặc chạy các lệnh trong docs/operations.md, mục Sao lưu"
                ),
                Lang::En => format!(
                    "{name} is not on PATH: install the PostgreSQL client tools (package postgresql-client), or run the commands in docs/operations.md, Backups"
                ),
            })
        })
}

/// `.NAME.partial-PID` beside `out`.
pub(crate) fn partial_name(out: &Path) -> PathBuf {
    let name = out.file_name().map_or_else(|| "chiso".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// The URL without its password, and the password (percent-decoded), so that the
/// password goes to `PGPASSWORD` and not to a command line anyone can read.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return (url.to_owned(), None) };
    let authority_end = url[scheme_end..].find(['/', '?']).map_or(url.len(), |i| scheme_end + i);
    let Some(at) = url[scheme_end..authority_end].rfind('@').map(|i| scheme_end + i) else {
        return (url.to_owned(), None);
    };
    match url[scheme_end..at].split_once(':') {
        Some((user, password)) => {
            (format!("{}{user}{}", &url[..scheme_end], &url[at..]), Some(percent_decode(password)))
        }
        None => (url.to_owned(), None),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_pgpassword() {
        assert_eq!(
            split_password("postgres://chiso:p%40ss@db:5432/chiso?sslmode=require"),
            ("postgres://chiso@db:5432/chiso?sslmode=require".to_owned(), Some("p@ss".to_owned()))
        );
        assert_eq!(
            split_password("postgres://chiso@db/chiso"),
            ("postgres://chiso@db/chiso".to_owned(), None)
        );
        assert_eq!(split_password("postgres://db/chiso"), ("postgres://db/chiso".to_owned(), None));
    }

    #[test]
    fn migration_versions_are_read_from_the_copy_block() {
        let sql = "SET x = 1;\nCOPY public._sqlx_migrations (version, description) FROM stdin;\n1\trounds\n5\tworkflow\n\\.\n";
        assert_eq!(copied_versions(sql), vec![1, 5]);
    }
}
