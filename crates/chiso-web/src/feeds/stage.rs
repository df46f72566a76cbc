//! Stage a pull: bring every file of a source into a private folder (downloading
//! it, or copying it from the drop folder), hash what was delivered, and turn it
//! into a service folder. Nothing is read from the source after this, so what is
//! computed is exactly what was hashed, even if the other system writes new files
//! meanwhile.

use super::FeedSettings;
use super::convert;
use super::error::{NetworkCause, PullError};
use super::mapping::ColumnMapping;
use crate::auth::hex;
use chiso_io::service::generate::{GenerateOptions, generate};
use chiso_store::{ServiceSource, SourceFormat, SourceKind};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The files of a service folder, in the order they are hashed; petitions may be
/// absent.
const FILES: [(&str, bool); 4] =
    [("units", true), ("procedures", true), ("dossiers", true), ("petitions", false)];

/// A private folder, removed when dropped (a process killed mid-pull leaves it
/// in the system's temporary folder, nothing more).
#[derive(Debug)]
pub struct StagingDir(PathBuf);

impl StagingDir {
    fn new() -> io::Result<StagingDir> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let name =
            format!("chiso-pull-{}-{nanos}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir(&path)?;
        Ok(StagingDir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// Removes staging folders in `dir` left older than `age` by a server that was
/// killed mid-pull (a live pull's folder is younger than its lease). Returns how
/// many were removed.
pub fn remove_stale(dir: &Path, age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with("chiso-pull-")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| now.duration_since(modified).is_ok_and(|d| d >= age));
        if stale && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A staged pull: a service folder and what identifies its content.
#[derive(Debug)]
pub struct Staged {
    pub dir: StagingDir,
    /// SHA-256 (hex) of the format, the mapping, and every delivered file's name
    /// and bytes: the same delivery gives the same hash.
    pub hash: String,
    /// Data rows delivered (line breaks after headers, or JSON records).
    pub rows: u64,
    /// Each staged file's path with where it came from, for messages.
    pub origins: Vec<(PathBuf, String)>,
}

impl Staged {
    /// `text` with staged paths replaced by their origins.
    pub fn locate(&self, text: &str) -> String {
        self.origins.iter().fold(text.to_owned(), |text, (staged, origin)| {
            text.replace(&staged.display().to_string(), origin)
        })
    }
}

/// Where file `name` (`dossiers`) of `source` is: the URL (with `{file}` replaced,
/// or `/name.ext` appended) or the path in the drop folder.
pub fn origin(source: &ServiceSource, name: &str) -> String {
    let file = format!("{name}.{}", extension(source.format));
    match source.kind {
        SourceKind::Url if source.location.contains("{file}") => source.location.replace("{file}", name),
        _ => format!("{}/{file}", source.location.trim_end_matches('/')),
    }
}

fn extension(format: SourceFormat) -> &'static str {
    match format {
        SourceFormat::Csv => "csv",
        SourceFormat::Json => "json",
    }
}

/// Brings the files of `source` in and converts them (see the module).
pub async fn stage(source: &ServiceSource, settings: &FeedSettings) -> Result<Staged, PullError> {
    let generated;
    let source = if source.kind == SourceKind::Demo {
        generated = generate_demo(source).await?;
        &generated.1
    } else {
        source
    };
    let mapping = ColumnMapping::parse(&source.mapping).map_err(PullError::Mapping)?;
    let dir = StagingDir::new().map_err(|e| PullError::Internal(e.to_string()))?;
    let mut hasher = Sha256::new();
    hasher.update(format!("chiso service pull 1\n{}\n{}\n", extension(source.format), source.mapping));
    let mut budget = Budget { limit: settings.max_bytes, spent: 0 };
    let mut delivered = Vec::new();
    let client = match source.kind {
        SourceKind::Url => Some(
            reqwest::Client::builder()
                .connect_timeout(settings.connect_timeout)
                .read_timeout(settings.read_timeout)
                .timeout(settings.request_timeout)
                .build()
                .map_err(|e| PullError::Internal(e.to_string()))?,
        ),
        _ => None,
    };
    for (name, required) in FILES {
        let origin = origin(source, name);
        let raw = dir.path().join(format!("raw-{name}"));
        let got = match &client {
            Some(client) => download(client, source, &origin, &raw, &mut budget).await?,
            None => {
                let (from, to, mut spent) = (origin.clone(), raw.clone(), budget);
                let (got, after) = tokio::task::spawn_blocking(move || (copy(&from, &to, &mut spent), spent))
                    .await
                    .map_err(|e| PullError::Internal(e.to_string()))?;
                budget = after;
                got?
            }
        };
        match got {
            Some(bytes) => {
                hasher.update(format!("{name} {}\n", bytes.size));
                hasher.update(bytes.digest);
                delivered.push((name, origin, raw));
            }
            None if required => return Err(PullError::Missing { origin }),
            None => {}
        }
    }
    let hash = hex(&hasher.finalize());
    let format = source.format;
    let staged_dir = dir.path().to_path_buf();
    // Converting reads whole files: off the async threads.
    let (rows, origins) = tokio::task::spawn_blocking(move || -> Result<_, PullError> {
        let mut rows = 0;
        let mut origins = Vec::new();
        for (name, origin, raw) in delivered {
            let out = staged_dir.join(format!("{name}.csv"));
            rows += match format {
                SourceFormat::Csv => convert::csv_file(&raw, &out, name, &origin, &mapping)?,
                SourceFormat::Json => convert::json_file(&raw, &out, name, &origin, &mapping)?,
            };
            let _ = std::fs::remove_file(&raw);
            origins.push((out, origin));
        }
        Ok((rows, origins))
    })
    .await
    .map_err(|e| PullError::Internal(e.to_string()))??;
    Ok(Staged { dir, hash, rows, origins })
}

/// The illustrative folder of the demo source (`chiso_io::service::generate`,
/// its defaults: the same bytes every time), as a folder source to copy from.
async fn generate_demo(demo: &ServiceSource) -> Result<(StagingDir, ServiceSource), PullError> {
    let dir = StagingDir::new().map_err(|e| PullError::Internal(e.to_string()))?;
    let folder = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || generate(&folder, &GenerateOptions::default()))
        .await
        .map_err(|e| PullError::Internal(e.to_string()))?
        .map_err(|e| PullError::Internal(e.to_string()))?;
    let source = ServiceSource {
        kind: SourceKind::Folder,
        format: SourceFormat::Csv,
        location: dir.path().display().to_string(),
        mapping: String::new(),
        token: None,
        ..demo.clone()
    };
    Ok((dir, source))
}

/// A delivered file's size and digest.
struct Delivered {
    size: u64,
    digest: [u8; 32],
}

/// Where a delivered file is written as it arrives: hashed, counted against the
/// pull's budget, and written to the staging folder in one pass.
struct Receiving<'a> {
    file: io::BufWriter<File>,
    hasher: Sha256,
    size: u64,
    budget: &'a mut Budget,
    origin: &'a str,
}

impl<'a> Receiving<'a> {
    fn create(to: &Path, budget: &'a mut Budget, origin: &'a str) -> Result<Receiving<'a>, PullError> {
        let file = io::BufWriter::new(File::create(to).map_err(|e| PullError::Internal(e.to_string()))?);
        Ok(Receiving { file, hasher: Sha256::new(), size: 0, budget, origin })
    }

    fn add(&mut self, bytes: &[u8]) -> Result<(), PullError> {
        self.size += bytes.len() as u64;
        self.budget.take(bytes.len() as u64, self.origin)?;
        self.hasher.update(bytes);
        self.file.write_all(bytes).map_err(|e| PullError::Internal(e.to_string()))
    }

    fn finish(mut self) -> Result<Delivered, PullError> {
        self.file.flush().map_err(|e| PullError::Internal(e.to_string()))?;
        Ok(Delivered { size: self.size, digest: self.hasher.finalize().into() })
    }
}

/// What all files of a pull may add up to, and what they took so far.
#[derive(Debug, Clone, Copy)]
struct Budget {
    limit: u64,
    spent: u64,
}

impl Budget {
    fn take(&mut self, bytes: u64, origin: &str) -> Result<(), PullError> {
        self.spent += bytes;
        if self.spent > self.limit {
            return Err(PullError::TooLarge { origin: origin.to_owned(), limit: self.limit });
        }
        Ok(())
    }
}

async fn download(
    client: &reqwest::Client,
    source: &ServiceSource,
    url: &str,
    to: &Path,
    budget: &mut Budget,
) -> Result<Option<Delivered>, PullError> {
    let network = |e: reqwest::Error| {
        let cause = NetworkCause::of(&e);
        tracing::debug!(url, error = %e.without_url(), "download failed");
        PullError::Network { origin: url.to_owned(), cause }
    };
    let mut request = client.get(url);
    if let Some(token) = source.token.as_deref().filter(|t| !t.is_empty()) {
        request = request.bearer_auth(token);
    }
    let mut response = request.send().await.map_err(network)?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(PullError::Status { origin: url.to_owned(), status: status.as_u16() });
    }
    if response.content_length().is_some_and(|length| budget.spent + length > budget.limit) {
        return Err(PullError::TooLarge { origin: url.to_owned(), limit: budget.limit });
    }
    let mut receiving = Receiving::create(to, budget, url)?;
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        receiving.add(&chunk)?;
    }
    receiving.finish().map(Some)
}

fn copy(path: &str, to: &Path, budget: &mut Budget) -> Result<Option<Delivered>, PullError> {
    let read_error = |e: io::Error| PullError::Read { origin: path.to_owned(), kind: e.kind() };
    let mut input = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_error(e)),
    };
    let mut receiving = Receiving::create(to, budget, path)?;
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        match input.read(&mut buffer).map_err(read_error)? {
            0 => break,
            n => receiving.add(&buffer[..n])?,
        }
    }
    receiving.finish().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_killed_pulls_are_removed_once_older_than_a_lease() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::create_dir(temp.path().join("chiso-pull-1-2-3")).unwrap();
        std::fs::write(temp.path().join("chiso-pull-1-2-3").join("raw-dossiers"), "id\n").unwrap();
        std::fs::create_dir(temp.path().join("other")).unwrap();
        assert_eq!(remove_stale(temp.path(), std::time::Duration::from_secs(3600)), 0);
        assert_eq!(remove_stale(temp.path(), std::time::Duration::ZERO), 1);
        assert!(!temp.path().join("chiso-pull-1-2-3").exists());
        assert!(temp.path().join("other").exists());
    }
}
