//! Demo values for Son La 2025: every leaf of every unit gets a value its rule
//! accepts, the round scores with plausible totals, and the same seed gives the
//! same values.

use chiso_core::demo;
use chiso_io::package::{WrittenValue, write_values};
use chiso_io::{Files, Package};
use std::path::Path;

fn sonla_2025() -> Package {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2025");
    Package::from_files(Files::dir(dir)).unwrap_or_else(|e| panic!("{:?}", e.0))
}

#[test]
fn demo_values_fill_son_la_2025_and_score_plausibly() {
    let package = sonla_2025();
    let values = demo::values(&package.assessment, 2025);
    let leaves: usize = package
        .assessment
        .units
        .iter()
        .enumerate()
        .map(|(u, _)| package.assessment.framework_of(u).leaves.len())
        .sum();
    let kpi_leaves = leaves - values.len();
    assert!(kpi_leaves < leaves / 10, "only leaves taken from KPIs are left empty ({kpi_leaves})");
    assert_eq!(values, demo::values(&package.assessment, 2025), "deterministic");
    assert_ne!(values, demo::values(&package.assessment, 2026), "another seed, other values");

    let rows: Vec<WrittenValue> = values
        .into_iter()
        .map(|v| WrittenValue { unit: v.unit, indicator: v.indicator, value: v.value, note: None })
        .collect();
    let Files::Dir(dir) = &package.files else { panic!("a folder") };
    let mut files = match Files::snapshot_dir(dir).unwrap_or_else(|e| panic!("{e}")) {
        Files::Memory(files) => files,
        Files::Dir(_) => unreachable!(),
    };
    files.insert("values.csv".into(), write_values(&rows).unwrap_or_else(|e| panic!("{e}")));
    let filled = Package::from_files(Files::Memory(files)).unwrap_or_else(|e| panic!("{:?}", e.0));
    let results = filled.score().unwrap_or_else(|e| panic!("{:?}", e.0));
    assert_eq!(results.units.len(), 90);
    let totals: Vec<f64> = results.units.iter().map(|r| r.total).collect();
    let mean = totals.iter().sum::<f64>() / totals.len() as f64;
    assert!((55.0..90.0).contains(&mean), "a plausible mean: {mean}");
    assert!(totals.iter().all(|t| (15.0..=100.0).contains(t)), "{totals:?}");
    let bands: std::collections::BTreeSet<usize> = results.units.iter().map(|r| r.band).collect();
    assert!(bands.len() >= 3, "units in several bands: {bands:?}");
}
