//! The ASEM composite package of the benchmarks (`benches/asem/generate.rs`), built
//! from COINr's example data in `data/asem`: it loads, scores 51 countries
//! into 51 distinct ranks, its uncertainty specification reads back, and the
//! specification's zscore parameters keep geometric aggregation possible.
//!
//! The data are part of the repository (`data/asem`, with their source and licence
//! in its README); without them these tests fail with a message saying so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../benches/asem/generate.rs"]
mod generate;

use chiso_core::analysis::{UncertaintySpec, WeightNoise};
use chiso_core::{Aggregate, Lang, Method, Normalise, score_assessment};
use chiso_io::Package;
use std::path::Path;

/// Writes the package into a new temporary folder; panics with the generator's
/// message (which names the missing file) if the data are missing.
fn package_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("chiso-asem-").tempdir().unwrap();
    generate::write_package(dir.path()).unwrap_or_else(|e| panic!("generating the ASEM package: {e}"));
    dir
}

fn load(dir: &Path) -> Package {
    Package::load(dir).unwrap_or_else(|errors| {
        let all: Vec<String> = errors.0.iter().map(|e| e.render(Lang::En)).collect();
        panic!("the ASEM package is refused:\n{}", all.join("\n"))
    })
}

#[test]
fn the_asem_package_ranks_51_countries_without_ties() {
    let dir = package_dir();
    let package = load(dir.path());
    let assessment = &package.assessment;
    assert_eq!(assessment.groups.len(), 1);
    assert_eq!(assessment.groups[0].code, generate::GROUP);
    assert_eq!(package.framework_files, vec![generate::FRAMEWORK_FILE.to_string()]);
    let framework = &assessment.groups[0].framework;
    assert_eq!(
        framework.method,
        Method::Composite {
            normalise: Normalise::MinMax { low: 1.0, high: 100.0 },
            aggregate: Aggregate::Arithmetic
        }
    );
    assert_eq!(framework.indicators.len(), 1 + 2 + 8 + 49);
    assert_eq!(framework.leaves.len(), 49);
    let depth_count = |d: usize| framework.indicators.iter().filter(|i| i.depth == d).count();
    assert_eq!((depth_count(1), depth_count(2), depth_count(3), depth_count(4)), (1, 2, 8, 49));
    let lower_is_better =
        framework.leaves.iter().filter(|&&l| framework.indicators[l].direction < 0.0).count();
    assert_eq!(lower_is_better, 14, "the Direction column of structure.csv");
    assert_eq!(assessment.units.len(), 51);
    let vnm = assessment.units.iter().find(|u| u.code == "VNM").unwrap();
    assert_eq!((vnm.name.vi.as_str(), vnm.name.en.as_str()), ("Việt Nam", "Viet Nam"));

    let results = score_assessment(&package.assessment, &package.values)
        .unwrap_or_else(|e| panic!("the ASEM package cannot be scored: {e:?}"));
    assert_eq!(results.unit_count, 51);
    let mut ranks: Vec<usize> = results.units.iter().map(|u| u.rank).collect();
    ranks.sort_unstable();
    assert_eq!(ranks, (1..=51).collect::<Vec<_>>(), "51 distinct ranks, no ties");
    assert!(results.units.iter().all(|u| u.missing.is_empty() && u.not_applicable.is_empty()));
    // Bands by thirds, and the ends of the ranking (checked independently from the CSV files).
    assert_eq!(results.groups[0].band_counts, vec![17, 17, 17]);
    let code = |u: &chiso_core::UnitResult| assessment.units[u.unit].code.as_str();
    let first = results.units.iter().find(|u| u.rank == 1).unwrap();
    let last = results.units.iter().find(|u| u.rank == 51).unwrap();
    assert_eq!((code(first), first.rounded), ("CHE", 68.70));
    assert_eq!((code(last), last.rounded), ("RUS", 36.30));
}

#[test]
fn the_benchmark_uncertainty_spec_reads_back() {
    let dir = package_dir();
    let expected = UncertaintySpec {
        samples: 10_000,
        seed: 42,
        normalise: vec![
            Normalise::MinMax { low: 1.0, high: 100.0 },
            Normalise::ZScore { mean: 10.0, sd: 2.0 },
        ],
        aggregate: vec![Aggregate::Arithmetic, Aggregate::Geometric],
        weights: vec![WeightNoise { depth: 1, noise: 0.25 }, WeightNoise { depth: 2, noise: 0.25 }],
    };
    let path = dir.path().join(generate::SPEC_FILE);
    let spec = chiso_io::uncertainty::load(&path).unwrap_or_else(|e| panic!("{}", e.report(Lang::En)));
    assert_eq!(spec, expected);
    let text = generate::uncertainty_toml();
    assert_eq!(chiso_io::uncertainty::parse(&text, "uncertainty.toml").ok(), Some(expected));
}

/// Every combination of the specification's methods scores the package: in
/// particular zscore (mean 10, sd 2) keeps every normalised value above 0, so the
/// geometric mean is defined everywhere.
#[test]
fn every_alternative_of_the_spec_scores_the_package() {
    let dir = package_dir();
    let framework_path = dir.path().join(generate::FRAMEWORK_FILE);
    let original = std::fs::read_to_string(&framework_path).unwrap();
    let nominal = "normalise = { kind = \"minmax\", low = 1, high = 100 }\naggregate = \"arithmetic\"\n";
    assert!(original.contains(nominal));
    for normalise in
        ["{ kind = \"minmax\", low = 1, high = 100 }", "{ kind = \"zscore\", mean = 10, sd = 2 }"]
    {
        for aggregate in ["arithmetic", "geometric"] {
            let method = format!("normalise = {normalise}\naggregate = \"{aggregate}\"\n");
            std::fs::write(&framework_path, original.replace(nominal, &method)).unwrap();
            let package = load(dir.path());
            let results = package.score().unwrap_or_else(|errors| {
                let all: Vec<String> = errors.0.iter().map(|e| e.render(Lang::En)).collect();
                panic!("{method}: cannot score:\n{}", all.join("\n"))
            });
            assert_eq!(results.unit_count, 51, "{method}");
            let framework = &package.assessment.groups[0].framework;
            let lowest_leaf = results
                .units
                .iter()
                .flat_map(|u| framework.leaves.iter().map(|&l| u.scores[l].unwrap()))
                .fold(f64::INFINITY, f64::min);
            assert!(lowest_leaf > 1.0 - 1e-9, "{method}: lowest normalised value {lowest_leaf}");
            if normalise.contains("zscore") {
                assert!(
                    (lowest_leaf - 2.3019).abs() < 1e-3,
                    "{method}: lowest normalised value {lowest_leaf}"
                );
            }
        }
    }
}

#[test]
fn missing_data_is_reported_with_the_file_and_where_the_data_belong() {
    let out = tempfile::tempdir().unwrap();
    let err = generate::write_package_from(&out.path().join("no-such-folder"), out.path()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("structure.csv") && message.contains("data/asem/"), "{message}");
    assert!(Path::new(generate::DATA_DIR).join("treated.csv").is_file(), "the repository holds the data");
}
