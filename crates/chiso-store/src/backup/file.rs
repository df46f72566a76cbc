//! The backup file: a magic line, a manifest line (JSON), then the SQLite snapshot
//! byte for byte. Reading it checks the magic, the format, the size and the
//! SHA-256 before anything else looks at the content.
//!
//! ```text
//! CHISO-BACKUP 1\n
//! {"format":1,"chiso_version":"0.1.0",…,"size":N,"sha256":"…"}\n
//! <N bytes: a SQLite database>
//! ```

use super::error::{BackupError, FileStep};
use super::{BackupManifest, BackupProgress, BackupStep};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// The first word of a chiso backup.
const MAGIC: &str = "CHISO-BACKUP";
/// The format this chiso writes (and the newest it reads).
pub const BACKUP_FORMAT: u32 = 1;
/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// The first bytes of a `pg_dump --format=custom` archive.
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";
/// A manifest line longer than this is not a manifest.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;
const CHUNK: usize = 1 << 16;

/// What a file offered to `chiso restore` is.
#[derive(Debug, Clone, PartialEq)]
pub enum BackupKind {
    /// A chiso backup with its manifest.
    Chiso(BackupManifest),
    /// A bare SQLite database (e.g. a copy made with `sqlite3 … .backup`): there is
    /// no checksum to check, only SQLite's integrity check.
    PlainSqlite,
    /// A `pg_dump --format=custom` archive.
    PostgresDump,
}

/// An opened backup, positioned at the start of its content.
pub(crate) struct OpenedBackup {
    pub kind: BackupKind,
    pub content: BufReader<File>,
    /// The bytes left in the file after the header.
    pub content_len: u64,
}

/// Opens `path` and reads its header.
pub(crate) fn open_backup(path: &Path) -> Result<OpenedBackup, BackupError> {
    let file = File::open(path).map_err(BackupError::file(FileStep::Read, path))?;
    let file_len = file.metadata().map_err(BackupError::file(FileStep::Read, path))?.len();
    let mut reader = BufReader::with_capacity(CHUNK, file);
    let head = reader.fill_buf().map_err(BackupError::file(FileStep::Read, path))?.to_vec();
    if head.starts_with(SQLITE_MAGIC) {
        return Ok(OpenedBackup { kind: BackupKind::PlainSqlite, content: reader, content_len: file_len });
    }
    if head.starts_with(PG_DUMP_MAGIC) {
        return Ok(OpenedBackup { kind: BackupKind::PostgresDump, content: reader, content_len: file_len });
    }
    if !head.starts_with(MAGIC.as_bytes()) {
        return Err(BackupError::NotABackup { path: path.to_owned() });
    }
    let magic_line = read_line(&mut reader, 64, path)?;
    let format = magic_line
        .strip_prefix(MAGIC)
        .and_then(|rest| rest.strip_prefix(' '))
        .and_then(|n| n.parse::<u32>().ok())
        .ok_or_else(|| BackupError::NotABackup { path: path.to_owned() })?;
    if format != BACKUP_FORMAT {
        return Err(BackupError::UnsupportedFormat { path: path.to_owned(), format });
    }
    let manifest_line = read_line(&mut reader, MAX_MANIFEST_BYTES, path)?;
    let manifest: BackupManifest = serde_json::from_str(&manifest_line)
        .map_err(|e| BackupError::BadManifest { path: path.to_owned(), detail: e.to_string() })?;
    if manifest.format != format {
        return Err(BackupError::BadManifest {
            path: path.to_owned(),
            detail: format!("format {} in a format {format} file", manifest.format),
        });
    }
    let header_len = (magic_line.len() + manifest_line.len() + 2) as u64;
    Ok(OpenedBackup {
        kind: BackupKind::Chiso(manifest),
        content: reader,
        content_len: file_len.saturating_sub(header_len),
    })
}

/// One `\n`-terminated UTF-8 line of at most `limit` bytes, without its `\n`.
fn read_line(reader: &mut BufReader<File>, limit: u64, path: &Path) -> Result<String, BackupError> {
    let mut line = Vec::new();
    reader
        .by_ref()
        .take(limit)
        .read_until(b'\n', &mut line)
        .map_err(BackupError::file(FileStep::Read, path))?;
    if line.pop() != Some(b'\n') {
        return Err(BackupError::BadManifest {
            path: path.to_owned(),
            detail: "the header line has no end".to_owned(),
        });
    }
    String::from_utf8(line)
        .map_err(|_| BackupError::BadManifest { path: path.to_owned(), detail: "not UTF-8".to_owned() })
}

/// Copies `from` to `to` in chunks, reporting progress; returns the bytes copied
/// and their SHA-256 (lower-case hex).
pub(crate) fn copy_hashing(
    from: &mut impl Read,
    from_path: &Path,
    to: Option<&mut File>,
    to_path: &Path,
    progress: &dyn BackupProgress,
) -> Result<(u64, String), BackupError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut total = 0u64;
    let mut to = to;
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(BackupError::file(FileStep::Read, from_path)(e)),
        };
        hasher.update(&buffer[..n]);
        if let Some(out) = to.as_deref_mut() {
            out.write_all(&buffer[..n]).map_err(BackupError::file(FileStep::Write, to_path))?;
        }
        total += n as u64;
        progress.advance(total);
    }
    Ok((total, format!("{:x}", hasher.finalize())))
}

/// The SHA-256 and size of a file.
pub(crate) fn hash_file(path: &Path, progress: &dyn BackupProgress) -> Result<(u64, String), BackupError> {
    let mut file = File::open(path).map_err(BackupError::file(FileStep::Read, path))?;
    let len = file.metadata().map_err(BackupError::file(FileStep::Read, path))?.len();
    progress.step(BackupStep::Hash, Some(len));
    copy_hashing(&mut file, path, None, path, progress)
}

/// Writes the backup file `to` (a temporary name): header, then the snapshot.
pub(crate) fn write_backup(
    snapshot: &Path,
    manifest: &BackupManifest,
    to: &Path,
    progress: &dyn BackupProgress,
) -> Result<(), BackupError> {
    let mut out = File::create_new(to).map_err(BackupError::file(FileStep::Write, to))?;
    let manifest_line = serde_json::to_string(manifest)
        .map_err(|e| BackupError::BadManifest { path: to.to_owned(), detail: e.to_string() })?;
    let header = format!("{MAGIC} {BACKUP_FORMAT}\n{manifest_line}\n");
    out.write_all(header.as_bytes()).map_err(BackupError::file(FileStep::Write, to))?;
    let mut from = File::open(snapshot).map_err(BackupError::file(FileStep::Read, snapshot))?;
    progress.step(BackupStep::Write, Some(manifest.size));
    let (size, sha256) = copy_hashing(&mut from, snapshot, Some(&mut out), to, progress)?;
    if size != manifest.size || sha256 != manifest.sha256 {
        // The snapshot changed under us: nothing else writes it, so this is a disk fault.
        return Err(BackupError::Checksum {
            path: snapshot.to_owned(),
            expected: manifest.sha256.clone(),
            found: sha256,
        });
    }
    out.sync_all().map_err(BackupError::file(FileStep::Write, to))?;
    Ok(())
}

/// Renames `from` to `to` and makes the rename durable (the folder is synced).
pub(crate) fn put_in_place(from: &Path, to: &Path) -> Result<(), BackupError> {
    std::fs::rename(from, to).map_err(BackupError::file(FileStep::Rename, to))?;
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = File::open(dir)
    {
        // Best effort: not every platform can sync a folder.
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A file that is removed when dropped, unless it was kept (a temporary file left
/// by a failed backup or restore is never left behind).
#[derive(Debug)]
pub(crate) struct TempFile(Option<PathBuf>);

impl TempFile {
    /// A fresh name beside `next_to`: `.NAME.WHAT-PID-NANOS`.
    pub fn beside(next_to: &Path, what: &str) -> TempFile {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = next_to.file_name().map_or_else(|| "chiso".into(), |n| n.to_string_lossy().into_owned());
        let dir = next_to.parent().unwrap_or(Path::new(""));
        TempFile(Some(dir.join(format!(".{name}.{what}-{}-{nanos}", std::process::id()))))
    }

    pub fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// The file stays: it was renamed into place.
    pub fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(&path);
            for suffix in ["-journal", "-wal", "-shm"] {
                let mut side = path.clone().into_os_string();
                side.push(suffix);
                let _ = std::fs::remove_file(side);
            }
        }
    }
}

/// `2026-12-14T09:30:05Z` and `20261214T093005Z` for Unix milliseconds (UTC).
pub(crate) fn utc_times(ms: i64) -> (String, String) {
    let seconds = ms.div_euclid(1000);
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
    (
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z"),
        format!("{y:04}{m:02}{d:02}T{hh:02}{mm:02}{ss:02}Z"),
    )
}

/// The proleptic Gregorian date of a count of days since 1970-01-01 (H. Hinnant).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_read_like_iso_8601() {
        assert_eq!(utc_times(0), ("1970-01-01T00:00:00Z".to_owned(), "19700101T000000Z".to_owned()));
        assert_eq!(utc_times(1_798_761_599_000).0, "2026-12-31T23:59:59Z");
        assert_eq!(utc_times(951_782_400_000).0, "2000-02-29T00:00:00Z");
    }
}
