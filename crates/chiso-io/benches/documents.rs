//! Generating the documents of a publication for Son La 2024: the decision
//! (Word), the report as PDF and as Word, each alone and the three together.
//! Goal (issue 14): the decision and the report in under 1 s together.
//!
//! Run: `cargo bench -p chiso-io --bench documents`. See docs/benchmarks.md.

// A benchmark panics on anything unexpected; that is what these lints forbid elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chiso_core::Lang;
use chiso_io::documents::decision_docx;
use chiso_io::report::{ReportMeta, report_docx, report_pdf};
use chiso_io::{Files, Package};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
    let package = Package::from_files(Files::dir(dir)).expect("Son La 2024");
    let results = package.score().expect("scores");
    let a = &package.assessment;
    let meta = ReportMeta {
        decision: Some("Quyết định số 123/QĐ-UBND".into()),
        decided_on: Some("2025-03-20".into()),
    };
    // The first PDF of a process also loads the embedded fonts and typst's library.
    let cold = std::time::Instant::now();
    report_pdf(a, &results, None, &meta, Lang::Vi).expect("pdf");
    eprintln!("documents/report-pdf-sonla-2024, first of the process: {:.1?}", cold.elapsed());
    c.bench_function("documents/decision-docx-sonla-2024", |b| {
        b.iter(|| {
            decision_docx(black_box(a), black_box(&results), &ReportMeta::default(), Lang::Vi).expect("docx")
        })
    });
    c.bench_function("documents/report-pdf-sonla-2024", |b| {
        b.iter(|| report_pdf(black_box(a), black_box(&results), None, &meta, Lang::Vi).expect("pdf"))
    });
    c.bench_function("documents/report-docx-sonla-2024", |b| {
        b.iter(|| report_docx(black_box(a), black_box(&results), None, &meta, Lang::Vi).expect("docx"))
    });
    c.bench_function("documents/all-three-sonla-2024", |b| {
        b.iter(|| {
            decision_docx(black_box(a), black_box(&results), &ReportMeta::default(), Lang::Vi).expect("docx");
            report_pdf(black_box(a), black_box(&results), None, &meta, Lang::Vi).expect("pdf");
            report_docx(black_box(a), black_box(&results), None, &meta, Lang::Vi).expect("docx")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
