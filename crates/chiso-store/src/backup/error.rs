//! Why a backup or a restore failed, with one message per language. Whatever the
//! error, the database that was there before is untouched and no half-written file
//! is left behind.

use crate::error::StoreError;
use chiso_core::Lang;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What was being done to a file when the system refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStep {
    Read,
    Write,
    CreateDir,
    /// Putting a file in place (rename).
    Rename,
}

/// Why a backup or a restore failed.
#[derive(Debug)]
pub enum BackupError {
    /// `chiso backup` copies SQLite; PostgreSQL is backed up with `pg_dump`.
    NotSqlite,
    /// There is no database to back up at this path.
    NoDatabase { path: PathBuf },
    /// SQLite needs the path as text.
    PathNotUtf8 { path: PathBuf },
    /// The file is neither a chiso backup nor a SQLite database.
    NotABackup { path: PathBuf },
    /// A `pg_dump` archive: it is restored with `pg_restore` into PostgreSQL.
    PostgresDump { path: PathBuf },
    /// A backup written by a newer chiso, in a format this one does not read.
    UnsupportedFormat { path: PathBuf, format: u32 },
    /// The manifest line cannot be read.
    BadManifest { path: PathBuf, detail: String },
    /// The content is shorter (truncated) or longer than the manifest says.
    WrongSize { path: PathBuf, expected: u64, found: u64 },
    /// The content's SHA-256 is not the manifest's: the file was damaged.
    Checksum { path: PathBuf, expected: String, found: String },
    /// SQLite's integrity check failed, or the content is not a database.
    Damaged { path: PathBuf, detail: String },
    /// A SQLite database that chiso never migrated.
    NotChiso { path: PathBuf },
    /// The backup's schema is newer than this binary's: restore it with a newer chiso.
    NewerSchema { path: PathBuf, backup: i64, binary: i64 },
    /// Another process (a running `chiso serve`) has the database open.
    TargetInUse { path: PathBuf },
    /// The database holds data; `--force` replaces it (keeping the old file).
    TargetNotEmpty { path: PathBuf },
    /// A file could not be read, written or put in place.
    File { step: FileStep, path: PathBuf, cause: io::Error },
    /// The database refused a statement.
    Store(StoreError),
}

impl BackupError {
    /// The message in the chosen language. `Display` is the English one.
    pub fn render(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        let pick = |v: String, e: String| if vi { v } else { e };
        match self {
            BackupError::NotSqlite => lang
                .pick(
                    "cơ sở dữ liệu PostgreSQL được sao lưu bằng pg_dump (xem docs/operations.md, mục Sao lưu)",
                    "a PostgreSQL database is backed up with pg_dump (see docs/operations.md, Backups)",
                )
                .to_owned(),
            BackupError::NoDatabase { path } => pick(
                format!("không có cơ sở dữ liệu tại {}", path.display()),
                format!("there is no database at {}", path.display()),
            ),
            BackupError::PathNotUtf8 { path } => pick(
                format!("đường dẫn {} có ký tự không hợp lệ", path.display()),
                format!("the path {} is not valid UTF-8", path.display()),
            ),
            BackupError::NotABackup { path } => pick(
                format!("{} không phải tệp sao lưu của chiso", path.display()),
                format!("{} is not a chiso backup", path.display()),
            ),
            BackupError::PostgresDump { path } => pick(
                format!(
                    "{} là bản sao lưu PostgreSQL (pg_dump): hãy khôi phục với --database-url postgres://… hoặc pg_restore",
                    path.display()
                ),
                format!(
                    "{} is a PostgreSQL dump (pg_dump): restore it with --database-url postgres://… or pg_restore",
                    path.display()
                ),
            ),
            BackupError::UnsupportedFormat { path, format } => pick(
                format!(
                    "{}: định dạng sao lưu {format} mới hơn phiên bản chiso này; hãy dùng chiso mới hơn",
                    path.display()
                ),
                format!("{}: backup format {format} is newer than this chiso; use a newer chiso", path.display()),
            ),
            BackupError::BadManifest { path, detail } => pick(
                format!("{}: không đọc được phần mô tả của bản sao lưu ({detail})", path.display()),
                format!("{}: the backup's manifest cannot be read ({detail})", path.display()),
            ),
            BackupError::WrongSize { path, expected, found } if found < expected => pick(
                format!(
                    "{}: tệp sao lưu bị cắt cụt ({found} trên {expected} byte dữ liệu); không khôi phục gì",
                    path.display()
                ),
                format!(
                    "{}: the backup is truncated ({found} of {expected} bytes of data); nothing was restored",
                    path.display()
                ),
            ),
            BackupError::WrongSize { path, expected, found } => pick(
                format!(
                    "{}: tệp sao lưu dài hơn mô tả ({found} thay vì {expected} byte); không khôi phục gì",
                    path.display()
                ),
                format!(
                    "{}: the backup is longer than its manifest says ({found} instead of {expected} bytes); nothing was restored",
                    path.display()
                ),
            ),
            BackupError::Checksum { path, expected, found } => pick(
                format!(
                    "{}: tệp sao lưu bị hỏng (SHA-256 {found}, mô tả ghi {expected}); không khôi phục gì",
                    path.display()
                ),
                format!(
                    "{}: the backup is damaged (SHA-256 {found}, the manifest says {expected}); nothing was restored",
                    path.display()
                ),
            ),
            BackupError::Damaged { path, detail } => pick(
                format!(
                    "{}: cơ sở dữ liệu trong bản sao lưu bị hỏng ({detail}); không khôi phục gì",
                    path.display()
                ),
                format!(
                    "{}: the database in the backup is damaged ({detail}); nothing was restored",
                    path.display()
                ),
            ),
            BackupError::NotChiso { path } => pick(
                format!("{}: đây không phải cơ sở dữ liệu của chiso", path.display()),
                format!("{}: this is not a chiso database", path.display()),
            ),
            BackupError::NewerSchema { path, backup, binary } => pick(
                format!(
                    "{}: bản sao lưu có lược đồ phiên bản {backup}, mới hơn phiên bản {binary} của chiso này; hãy khôi phục bằng chiso mới hơn",
                    path.display()
                ),
                format!(
                    "{}: the backup's schema version {backup} is newer than this chiso's {binary}; restore it with a newer chiso",
                    path.display()
                ),
            ),
            BackupError::TargetInUse { path } => pick(
                format!(
                    "{} đang được một tiến trình khác mở (chiso serve?); hãy dừng nó trước khi khôi phục",
                    path.display()
                ),
                format!(
                    "{} is open in another process (chiso serve?); stop it before restoring",
                    path.display()
                ),
            ),
            BackupError::TargetNotEmpty { path } => pick(
                format!(
                    "{} đã có dữ liệu; thêm --force để thay thế (cơ sở dữ liệu cũ được giữ lại bên cạnh)",
                    path.display()
                ),
                format!(
                    "{} already holds data; add --force to replace it (the old database is kept beside it)",
                    path.display()
                ),
            ),
            BackupError::File { step, path, cause } => {
                let (v, e) = match step {
                    FileStep::Read => ("không đọc được", "cannot read"),
                    FileStep::Write => ("không ghi được", "cannot write"),
                    FileStep::CreateDir => ("không tạo được thư mục", "cannot create the folder"),
                    FileStep::Rename => ("không đặt được tệp vào chỗ", "cannot put in place"),
                };
                format!("{} {}: {cause}", lang.pick(v, e), path.display())
            }
            BackupError::Store(e) => format!("{}: {e}", lang.pick("lỗi cơ sở dữ liệu", "database error")),
        }
    }

    pub(crate) fn file(step: FileStep, path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
        move |cause| BackupError::File { step, path: path.to_owned(), cause }
    }
}

impl fmt::Display for BackupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for BackupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BackupError::File { cause, .. } => Some(cause),
            BackupError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        BackupError::Store(e)
    }
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::from(e))
    }
}
