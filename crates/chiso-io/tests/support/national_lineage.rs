//! The national table of 2025 as lineage.csv, for the lineage test and benchmark.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data").join(path)
}

/// The national table of 2025 (`data/vn-admin/lineage-2025.csv`: old commune →
/// new commune, `divided` where an old commune was split) as lineage.csv rows: a
/// new commune with several predecessors is a merge, a divided old commune splits,
/// one to one keeps or changes its code. Island districts without communes map by
/// their district code.
pub fn national_lineage_csv() -> (String, Vec<String>, Vec<String>) {
    let table = std::fs::read_to_string(data("vn-admin/lineage-2025.csv")).unwrap_or_else(|e| panic!("{e}"));
    let mut rows: Vec<(String, String, bool)> = Vec::new();
    for line in table.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let old = if f[4].is_empty() { f[2] } else { f[4] };
        rows.push((old.to_owned(), f[7].to_owned(), f[9] == "true"));
    }
    let mut into: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, new, _) in &rows {
        *into.entry(new.as_str()).or_default() += 1;
    }
    let mut csv = String::from("from_year,from_code,to_code,kind,weight\n");
    for (old, new, divided) in &rows {
        let kind = match (divided, into[new.as_str()] > 1) {
            (true, _) => "split",
            (false, true) => "merge",
            (false, false) if old == new => "same",
            (false, false) => "rename",
        };
        csv.push_str(&format!("2024,{old},{new},{kind},\n"));
    }
    let mut old: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    old.sort();
    old.dedup();
    let communes =
        std::fs::read_to_string(data("vn-admin/communes-2025.csv")).unwrap_or_else(|e| panic!("{e}"));
    let new: Vec<String> =
        communes.lines().skip(1).map(|l| l.split(',').nth(2).unwrap_or("").to_owned()).collect();
    (csv, old, new)
}
