//! What the benchmarks that race DuckDB share: a measured run, reading a file
//! into the page cache, the peak memory of this process, the machine, medians.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

/// One timed run.
pub struct Measured {
    pub seconds: f64,
    pub process_seconds: f64,
    pub peak_kb: u64,
    pub summary: String,
}

pub fn key_values(text: &str) -> HashMap<String, String> {
    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

pub fn read_through(path: &Path) {
    let mut file = File::open(path).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    while file.read(&mut buf).unwrap() > 0 {}
}

/// Peak resident memory of this process, in KiB (`VmHWM`; 0 where unknown).
pub fn peak_kb() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

pub fn cpu_model() -> String {
    let info = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map_or_else(|| "unknown CPU".to_string(), |m| m.trim_start_matches([' ', '\t', ':']).to_string())
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
