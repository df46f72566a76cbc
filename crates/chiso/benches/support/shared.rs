//! What the benchmarks share: where the generated packages go, where Criterion
//! writes its samples, and reading them back for the Markdown summary.

use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where the packages go: `CHISO_BENCH_KEEP` (kept), or a temporary folder
/// (removed when the benchmark ends).
pub enum Root {
    Kept(PathBuf),
    Temporary(tempfile::TempDir),
}

impl Root {
    pub fn path(&self) -> &Path {
        match self {
            Root::Kept(p) => p,
            Root::Temporary(t) => t.path(),
        }
    }
}

/// The folder for this run's packages; a temporary one is named `prefix…`.
pub fn root(prefix: &str) -> Root {
    match std::env::var_os("CHISO_BENCH_KEEP").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
            Root::Kept(std::fs::canonicalize(&dir).unwrap_or(dir))
        }
        None => {
            Root::Temporary(tempfile::Builder::new().prefix(prefix).tempdir().expect("a temporary folder"))
        }
    }
}

/// Criterion's output folder, found as Criterion finds it: `CRITERION_HOME`,
/// `CARGO_TARGET_DIR/criterion`, the target folder of the running cargo, or
/// `target/criterion`.
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    // Under cargo, this executable is TARGET/release/deps/NAME-HASH.
    let exe = std::env::current_exe().ok();
    let target = exe.as_deref().and_then(Path::parent).and_then(Path::parent).and_then(Path::parent);
    match target {
        Some(target) if std::env::var_os("CARGO").is_some() => target.join("criterion"),
        _ => PathBuf::from("target/criterion"),
    }
}

pub fn ms(ns: f64) -> String {
    format!("{:.2} ms", ns / 1e6)
}

/// The per-iteration times (ns) of Criterion's samples for `id`, sorted, if
/// measured by this run (started at `started`).
pub fn per_iteration(dir: &Path, id: &str, started: Instant) -> Option<Vec<f64>> {
    let path = dir.join(id).join("new").join("sample.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if !modified.elapsed().is_ok_and(|age| age <= started.elapsed()) {
        return None;
    }
    let sample: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).ok()?).ok()?;
    let numbers = |key: &str| -> Vec<f64> {
        sample[key]
            .as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
            .unwrap_or_default()
    };
    let mut times: Vec<f64> = numbers("times").iter().zip(numbers("iters")).map(|(t, n)| t / n).collect();
    times.sort_by(f64::total_cmp);
    (!times.is_empty()).then_some(times)
}
