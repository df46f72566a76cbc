//! Where a package's files come from: a folder on disk, or files held in memory
//! (an upload, a database row). One reader serves both, so the CLI, the web app and
//! the store refuse a bad package with the same `FILE:LINE` errors.

use crate::error::{ErrorKind, PackageError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub enum Files {
    /// A package folder.
    Dir(PathBuf),
    /// Files by their path inside the package (`frameworks/a.toml`), `/`-separated.
    Memory(BTreeMap<String, Vec<u8>>),
}

impl Files {
    pub fn dir(path: impl Into<PathBuf>) -> Files {
        Files::Dir(path.into())
    }

    /// Reads every file under `dir` into memory (paths relative to it, `/`-separated),
    /// skipping hidden entries. Used to keep the exact inputs of an import.
    pub fn snapshot_dir(dir: &Path) -> std::io::Result<Files> {
        fn walk(base: &Path, at: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> std::io::Result<()> {
            for entry in std::fs::read_dir(at)? {
                let entry = entry?;
                if entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let path = entry.path();
                if path.is_dir() {
                    walk(base, &path, out)?;
                } else if let Ok(relative) = path.strip_prefix(base) {
                    let key =
                        relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
                    out.insert(key.join("/"), std::fs::read(&path)?);
                }
            }
            Ok(())
        }
        let mut files = BTreeMap::new();
        walk(dir, dir, &mut files)?;
        Ok(Files::Memory(files))
    }

    /// Whether the package holds a folder (for a folder) or any file at all.
    pub fn exists(&self) -> bool {
        match self {
            Files::Dir(dir) => dir.is_dir(),
            Files::Memory(_) => true,
        }
    }

    pub fn has(&self, file: &str) -> bool {
        match self {
            Files::Dir(dir) => dir.join(file).is_file(),
            Files::Memory(files) => files.contains_key(normalise(file).as_str()),
        }
    }

    /// The bytes of a file of the package, exactly as given.
    pub fn read_bytes(&self, file: &str) -> Result<Vec<u8>, PackageError> {
        match self {
            Files::Dir(dir) => std::fs::read(dir.join(file)).map_err(|e| {
                let kind = if e.kind() == std::io::ErrorKind::NotFound {
                    ErrorKind::FileMissing
                } else {
                    ErrorKind::Unreadable { reason: e.to_string() }
                };
                PackageError::new(file, None, None, kind)
            }),
            Files::Memory(files) => files
                .get(normalise(file).as_str())
                .cloned()
                .ok_or_else(|| PackageError::new(file, None, None, ErrorKind::FileMissing)),
        }
    }

    /// Reads a file of the package as UTF-8 text (a leading BOM is dropped).
    pub fn read_text(&self, file: &str) -> Result<String, PackageError> {
        let bytes = self.read_bytes(file)?;
        let text =
            String::from_utf8(bytes).map_err(|_| PackageError::new(file, None, None, ErrorKind::NotUtf8))?;
        Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
    }

    /// How to name the package in messages: its folder, or "(uploaded package)".
    pub fn describe(&self) -> String {
        match self {
            Files::Dir(dir) => dir.display().to_string(),
            Files::Memory(_) => "(package)".to_string(),
        }
    }
}

/// `./frameworks\a.toml` → `frameworks/a.toml`: how memory files are keyed.
pub fn normalise(file: &str) -> String {
    file.replace('\\', "/").trim_start_matches("./").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_files_read_like_a_folder() {
        let files =
            Files::Memory(BTreeMap::from([("frameworks/a.toml".to_string(), b"\xef\xbb\xbfx = 1".to_vec())]));
        assert_eq!(files.read_text("./frameworks/a.toml").ok().as_deref(), Some("x = 1"));
        assert!(files.has("frameworks/a.toml"));
        assert_eq!(files.read_text("units.csv").map_err(|e| e.kind), Err(ErrorKind::FileMissing));
    }
}
