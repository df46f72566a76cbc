//! `chiso feed dossiers|documents` on the input as a file: the selector byte picks
//! the feed, the period and whether bad rows are skipped.
#![no_main]

use chiso_fuzz::split;
use chiso_io::feed::{FeedKind, FeedOptions, Granularity, NoProgress, run_feed};
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

/// One input file per fuzzing process, rewritten every run.
fn input_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| std::env::temp_dir().join(format!("chiso-fuzz-feed-{}.csv", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = split(data) else { return };
    let kind = if selector & 1 == 0 { FeedKind::Dossiers } else { FeedKind::Documents };
    let granularity = match (selector >> 1) % 3 {
        0 => Granularity::Month,
        1 => Granularity::Quarter,
        _ => Granularity::Year,
    };
    let options = FeedOptions { granularity, skip_bad: selector & 8 != 0, threads: 1 };
    let path = input_path();
    let Ok(mut file) = std::fs::File::create(path) else { return };
    if file.write_all(bytes).is_err() {
        return;
    }
    drop(file);
    let mut out = Vec::new();
    let _ = run_feed(kind, path, &mut out, &options, &NoProgress);
});
