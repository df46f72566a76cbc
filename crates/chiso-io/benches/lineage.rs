//! Restating a national round through lineage: the 3,321 communes of 2025 from the
//! results of the 10,602 communes of 2024 (`data/vn-admin/lineage-2025.csv` as
//! lineage.csv), each with a total and 8 main indicators. Goal (issue 13): under
//! 50 ms. Also timed: reading and checking the lineage file.
//!
//! Run: `cargo bench -p chiso-io --bench lineage`. See docs/benchmarks.md.

// A benchmark panics on anything unexpected; that is what these lints forbid elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/national_lineage.rs"]
mod national_lineage;

use chiso_core::lineage::{Figures, Restated, restate};
use chiso_io::package::lineage::{LINEAGE_FILE, parse};
use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::HashMap;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let (csv, old, new) = national_lineage::national_lineage_csv();
    let mut errors = Vec::new();
    let read = parse(LINEAGE_FILE, &csv, &mut errors).expect("the national lineage reads");
    // Deterministic figures for every old commune: a total and 8 main indicators.
    let earlier: HashMap<String, Restated> = old
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let total = 40.0 + (i * 37 % 600) as f64 / 10.0;
            let main = (1..=8).map(|m| (m.to_string(), total * (0.5 + m as f64 / 20.0))).collect();
            (code.clone(), Restated::own(code, Figures { total: Some(total), main }))
        })
        .collect();
    let units: Vec<&str> = new.iter().map(String::as_str).collect();
    let old_codes: Vec<&str> = old.iter().map(String::as_str).collect();
    let restated = restate(&read.lineage, 2024, &earlier, &units);
    assert_eq!(restated.len(), 3_321, "every commune of 2025 has a past");

    let mut group = c.benchmark_group("lineage");
    group.bench_function("restate-national-3321-from-10602", |b| {
        b.iter(|| restate(black_box(&read.lineage), 2024, black_box(&earlier), black_box(&units)))
    });
    group.bench_function("read-and-check-national", |b| {
        b.iter(|| {
            let mut errors = Vec::new();
            let read = parse(LINEAGE_FILE, black_box(&csv), &mut errors).expect("reads");
            let problems = read.lineage.check(2025, &units).len()
                + read.lineage.check_earlier(2024, &old_codes, &units).len();
            assert_eq!(problems, 0);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
