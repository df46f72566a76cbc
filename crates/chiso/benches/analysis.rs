//! Analysis benchmark: `chiso analyze` on the ASEM composite package and on the
//! national points package.
//!
//! - `command/uncertainty-json-asem`: the real binary,
//!   `chiso analyze uncertainty ASEM --spec ASEM/uncertainty.toml --format json >
//!   /dev/null`, as a process: the ASEM package of `asem/generate.rs` (51 units, 49
//!   indicators, 8 pillars, 2 sub-indices) with minmax/zscore and
//!   arithmetic/geometric alternatives and ±25% weights at depths 1 and 2, 10,000
//!   replications (goal: under 1.5 s, i.e. under 0.15 ms a replication, ≥ 1000×
//!   faster than COINr's ~146 ms a replication);
//! - `command/uncertainty-json-national`: the same on the national points package of
//!   `national/generate.rs` (3,321 communes × 100 leaves) with ±25% at depths 1 and
//!   2 and 1,000 replications (goal: under 10 s);
//! - `engine/uncertainty-asem`, `engine/uncertainty-national`:
//!   `chiso_core::analysis::uncertainty` alone, on the loaded package (information);
//! - `engine/sensitivity-asem`: `chiso_core::analysis::sensitivity` on ASEM with
//!   N = 1,000 base samples (6,000 model runs) and 100 bootstrap resamples
//!   (information).
//!
//! Before measuring, each command is run once and its JSON checked (every unit, the
//! samples of the spec), and the steps of the command are timed once in-process.
//! At the end a Markdown table gives each benchmark's median and range, whether its
//! goal is met, and the time per replication.
//!
//! Run: `cargo bench -p chiso --bench analysis`. With `CHISO_BENCH_KEEP=DIR` the
//! packages and their specifications are written to `DIR/asem` and
//! `DIR/national-points` and kept (for hyperfine). See docs/benchmarks.md.

// A benchmark panics on anything unexpected; that is what these lints forbid elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/shared.rs"]
mod shared;
use shared::{Root, criterion_dir, ms, per_iteration, root};

#[allow(dead_code)]
#[path = "asem/generate.rs"]
mod asem;
#[allow(dead_code)]
#[path = "national/generate.rs"]
mod national;

use chiso_core::Lang;
use chiso_core::analysis::{UncertaintySpec, sensitivity, uncertainty};
use chiso_io::Package;
use criterion::{Criterion, SamplingMode};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The `chiso` binary of this workspace, built with the bench (release) profile.
const CHISO: &str = env!("CARGO_BIN_EXE_chiso");

/// COINr's time per uncertainty replication on the ASEM example (the figure).
const COINR_PER_REPLICATION_MS: f64 = 146.0;

/// The national benchmark's uncertainty specification.
const NATIONAL_SPEC: &str =
    "# Uncertainty specification of the analysis benchmark on the national points package:
# 1,000 samples; the points of the 10 main indicators (depth 1) and of the 100 leaves
# (depth 2) vary by up to ±25%.
samples = 1000
seed = 42

[[weights]]
depth = 1
noise = 0.25

[[weights]]
depth = 2
noise = 0.25
";

/// Base samples of the sensitivity benchmark.
const SENSITIVITY_SAMPLES: usize = 1000;
const BOOTSTRAP: usize = 100;

struct Prepared {
    name: &'static str,
    dir: PathBuf,
    spec_file: PathBuf,
    package: Package,
    spec: UncertaintySpec,
}

fn command(p: &Prepared) -> Command {
    let mut command = Command::new(CHISO);
    command
        .args(["analyze", "uncertainty"])
        .arg(&p.dir)
        .arg("--spec")
        .arg(&p.spec_file)
        .args(["--format", "json"]);
    command
}

/// Loads the package and the spec, runs the command once and checks its JSON;
/// panics with the errors if anything is refused, so that nothing invalid is timed.
fn check(name: &'static str, dir: PathBuf, spec_file: PathBuf, units: usize) -> Prepared {
    let package = Package::load(&dir).unwrap_or_else(|errors| {
        let first: Vec<String> = errors.0.iter().take(10).map(|e| e.render(Lang::En)).collect();
        panic!("{name}: package refused ({} errors); first:\n{}", errors.0.len(), first.join("\n"))
    });
    let spec = chiso_io::uncertainty::load(&spec_file)
        .unwrap_or_else(|errors| panic!("{name}: {}", errors.report(Lang::En)));
    let p = Prepared { name, dir, spec_file, package, spec };
    let started = Instant::now();
    let output = command(&p).output().unwrap_or_else(|e| panic!("running {CHISO}: {e}"));
    let once = started.elapsed();
    assert!(
        output.status.success(),
        "{name}: `chiso analyze uncertainty` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("the command prints JSON");
    assert_eq!(json["samples"].as_u64(), Some(p.spec.samples as u64), "{name}: samples");
    let listed: usize = json["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| g["units"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(listed, units, "{name}: the JSON lists every unit");
    eprintln!(
        "analysis bench: {name}: {} units, {} samples; the command once: {:.0} ms, JSON {} bytes",
        units,
        p.spec.samples,
        once.as_secs_f64() * 1e3,
        output.stdout.len()
    );
    p
}

/// Times, once and in this process, the steps the command takes (see
/// crates/chiso/src/analyze_cmd.rs).
fn phases(p: &Prepared) {
    let mut times: Vec<(&str, Duration)> = Vec::new();
    let mut step = |name, started: Instant| times.push((name, started.elapsed()));
    let t = Instant::now();
    let package = Package::load(&p.dir).map_err(|e| e.0.len()).expect("checked");
    step("load", t);
    let t = Instant::now();
    let _ = package.score().map_err(|e| e.0.len()).expect("checked");
    step("score", t);
    let t = Instant::now();
    let spec = chiso_io::uncertainty::load(&p.spec_file).map_err(|e| e.0.len()).expect("checked");
    step("read spec", t);
    let t = Instant::now();
    let result = uncertainty(&package.assessment, &package.values, &spec, &|_| {}).expect("checked");
    step("uncertainty", t);
    let t = Instant::now();
    let document = chiso_io::render::analysis::uncertainty::to_json(&package.assessment, &result, Lang::Vi);
    let out = serde_json::to_vec_pretty(&document).expect("JSON to memory");
    step("render JSON", t);
    let t = Instant::now();
    drop((out, document, result, package));
    step("drops", t);
    let total: Duration = times.iter().map(|(_, d)| *d).sum();
    let steps: Vec<String> =
        times.iter().map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1e3)).collect();
    eprintln!(
        "analysis bench: {}: steps of the command, once, in-process: {} (sum {:.1} ms)",
        p.name,
        steps.join(", "),
        total.as_secs_f64() * 1e3
    );
}

fn bench_engine(c: &mut Criterion, packages: &[Prepared]) {
    let mut group = c.benchmark_group("engine");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat);
    for p in packages {
        let (assessment, values, spec) = (&p.package.assessment, &p.package.values, &p.spec);
        group.bench_function(format!("uncertainty-{}", p.name), |b| {
            b.iter(|| {
                uncertainty(black_box(assessment), black_box(values), black_box(spec), &|_| {}).expect("runs")
            })
        });
    }
    if let Some(p) = packages.iter().find(|p| p.name == "asem") {
        let spec = UncertaintySpec { samples: SENSITIVITY_SAMPLES, ..p.spec.clone() };
        let (assessment, values) = (&p.package.assessment, &p.package.values);
        group.bench_function("sensitivity-asem", |b| {
            b.iter(|| {
                sensitivity(black_box(assessment), black_box(values), black_box(&spec), BOOTSTRAP, &|_| {})
                    .expect("runs")
            })
        });
    }
    group.finish();
}

fn bench_command(c: &mut Criterion, packages: &[Prepared]) {
    let mut group = c.benchmark_group("command");
    group.warm_up_time(Duration::from_secs(1)).sample_size(10).sampling_mode(SamplingMode::Flat);
    for p in packages {
        // About ten runs, whatever one costs.
        let once = {
            let t = Instant::now();
            let _ = command(p).stdout(Stdio::null()).stderr(Stdio::null()).status();
            t.elapsed()
        };
        group.measurement_time((once * 11).max(Duration::from_secs(5)));
        group.bench_function(format!("uncertainty-json-{}", p.name), |b| {
            b.iter(|| {
                let status = command(p)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("running chiso");
                assert!(status.success(), "chiso analyze uncertainty failed");
            })
        });
    }
    group.finish();
}

fn main() {
    let started = Instant::now();
    let root = root("chiso-analysis-");
    let generating = Instant::now();
    let asem_dir = root.path().join("asem");
    asem::write_package(&asem_dir).unwrap_or_else(|e| panic!("generating the ASEM package: {e}"));
    let communes = national::read_communes();
    let national_dir = root.path().join("national-points");
    let generated = national::points_package(&national_dir, &communes);
    let national_spec = national_dir.join("uncertainty.toml");
    std::fs::write(&national_spec, NATIONAL_SPEC).expect("writing the national spec");
    eprintln!("analysis bench: generated the packages in {:.1?}", generating.elapsed());
    let packages = [
        check("asem", asem_dir.clone(), asem_dir.join(asem::SPEC_FILE), 51),
        check("national", national_dir, national_spec, generated.units),
    ];
    packages.iter().for_each(phases);
    if let Root::Kept(dir) = &root {
        println!("CHISO_BENCH_KEEP: packages kept in {0}/asem and {0}/national-points", dir.display());
    }

    let mut c = Criterion::default().configure_from_args();
    bench_engine(&mut c, &packages);
    bench_command(&mut c, &packages);
    c.final_summary();
    summary(started, &packages);
    drop(root);
}

/// The goals of the issue, per benchmark id.
const GOALS: &[(&str, Duration)] = &[
    ("command/uncertainty-json-asem", Duration::from_millis(1500)),
    ("command/uncertainty-json-national", Duration::from_secs(10)),
];

/// (benchmark id, the package whose spec sets its replications; "" for sensitivity).
const IDS: &[(&str, &str)] = &[
    ("engine/uncertainty-asem", "asem"),
    ("engine/uncertainty-national", "national"),
    ("engine/sensitivity-asem", ""),
    ("command/uncertainty-json-asem", "asem"),
    ("command/uncertainty-json-national", "national"),
];

/// Criterion's output folder, found as Criterion finds it (see national.rs).
/// Prints, for every benchmark measured by this run, the median and range of the
/// per-iteration time, the time per replication, and whether its goal is met, as a
/// Markdown table (docs/benchmarks.md is written from it).
fn summary(started: Instant, packages: &[Prepared]) {
    let dir = criterion_dir();
    let mut rows = Vec::new();
    for &(id, package) in IDS {
        let Some(times) = per_iteration(&dir, id, started) else { continue };
        let n = times.len();
        let median = if n % 2 == 1 { times[n / 2] } else { (times[n / 2 - 1] + times[n / 2]) / 2.0 };
        let replications = match packages.iter().find(|p| p.name == package) {
            Some(p) => p.spec.samples,
            // Sensitivity: model runs N × (d + 2), d = 4 inputs.
            None => SENSITIVITY_SAMPLES * 6,
        };
        let per = median / replications as f64;
        let per_text = if package == "asem" {
            format!(
                "{:.1} µs ({:.0}× faster than COINr's {COINR_PER_REPLICATION_MS} ms)",
                per / 1e3,
                COINR_PER_REPLICATION_MS * 1e6 / per
            )
        } else {
            format!("{:.1} µs", per / 1e3)
        };
        let goal = GOALS.iter().find(|(g, _)| *g == id).map(|(_, d)| d.as_secs_f64() * 1e9);
        let verdict = match goal {
            Some(goal) if median < goal => format!("< {}: met", ms(goal)),
            Some(goal) => format!("< {}: NOT met ({:.1}×)", ms(goal), median / goal),
            None => "(information)".to_string(),
        };
        rows.push(format!(
            "| `{id}` | {} | {} – {} | {n} | {replications} | {per_text} | {verdict} |",
            ms(median),
            ms(times[0]),
            ms(times[n - 1]),
        ));
    }
    if rows.is_empty() {
        return;
    }
    println!("\nanalysis bench summary (per iteration, from {}):\n", dir.display());
    println!(
        "| benchmark | median | range (min – max) | samples | replications (runs) | per replication | goal |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}
