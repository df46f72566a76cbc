//! What the fuzz targets share: the bundled Son La packages held in memory, and
//! inputs that replace one of their files.
//!
//! A fuzz input starts with a selector byte that picks which file of a valid
//! package the rest replaces, so every reader is fuzzed with the others valid (a
//! broken framework must not hide a crash in the values reader).

use chiso_io::Files;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `data/` of the repository.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sonla")
}

fn snapshot(dir: &str) -> BTreeMap<String, Vec<u8>> {
    match Files::snapshot_dir(&data_dir().join(dir)) {
        Ok(Files::Memory(files)) => files,
        other => panic!("cannot read the bundled {dir}: {other:?}"),
    }
}

/// The files of `data/sonla/2024` (assessment package and uncertainty spec).
pub fn assessment_files() -> &'static BTreeMap<String, Vec<u8>> {
    static FILES: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| snapshot("2024"))
}

/// The files of `data/sonla/monitoring`.
pub fn monitoring_files() -> &'static BTreeMap<String, Vec<u8>> {
    static FILES: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| snapshot("monitoring"))
}

/// The bundled assessment package, loaded once.
pub fn bundled_package() -> &'static chiso_io::Package {
    static PACKAGE: OnceLock<chiso_io::Package> = OnceLock::new();
    PACKAGE.get_or_init(|| match chiso_io::Package::from_files(Files::Memory(assessment_files().clone())) {
        Ok(package) => package,
        Err(e) => panic!("the bundled package does not load: {e:?}"),
    })
}

/// `files` with `name` replaced by `bytes`.
pub fn replaced(files: &BTreeMap<String, Vec<u8>>, name: &str, bytes: &[u8]) -> Files {
    let mut files = files.clone();
    files.insert(name.to_string(), bytes.to_vec());
    Files::Memory(files)
}

/// Splits a fuzz input into (selector, rest).
pub fn split(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(first, rest)| (*first, rest))
}
