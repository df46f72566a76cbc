//! Generating the decision (Word) for the Son La 2024 publication. Goal (issue
//! 14): the decision and the report in under 1 s; the report (PDF) is not built
//! yet, so this measures the decision alone.
//!
//! Run: `cargo bench -p chiso-io --bench documents`. See docs/benchmarks.md.

// A benchmark panics on anything unexpected; that is what these lints forbid elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chiso_core::Lang;
use chiso_io::documents::decision_docx;
use chiso_io::{Files, Package};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
    let package = Package::from_files(Files::dir(dir)).expect("Son La 2024");
    let results = package.score().expect("scores");
    c.bench_function("documents/decision-docx-sonla-2024", |b| {
        b.iter(|| decision_docx(black_box(&package.assessment), black_box(&results), Lang::Vi).expect("docx"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
