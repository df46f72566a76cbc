//! National-scale benchmark: all 3,321 communes of `communes-2025.csv` in one group.
//!
//! Two generated packages (a group has exactly one framework): `points` (100 leaves,
//! every rule kind, long-form values.csv) and `composite` (100 leaves, 10 pillars,
//! minmax + weighted arithmetic mean, wide-form values.csv). Measures
//!
//! - `score/points`, `score/composite`: `chiso_core::score_assessment` alone
//!   (goal: under 5 ms);
//! - `load/points`, `load/composite`: `Package::load` (read, parse, validate; the
//!   drop of the loaded package is inside the timing), for information;
//! - `render/json-points`, `render/json-composite`: the JSON document of
//!   `--format json` written to memory, for information;
//! - `command/score-json-points`, `command/score-json-composite`: the real binary,
//!   `chiso score PKG --format json > /dev/null`, as a process (goal: under 300 ms;
//!   under 60 ms for the composite package since issue 11).
//!
//! Before measuring, both packages are loaded, scored and run through the binary
//! once (a refused package panics with its first errors), and the steps of the
//! command are timed once in-process (a rough breakdown). At the end a Markdown
//! table gives each benchmark's median and range and whether its goal is met.
//!
//! Run: `cargo bench -p chiso --bench national`. With `CHISO_BENCH_KEEP=DIR` the
//! packages are written to `DIR/points` and `DIR/composite` and kept (for
//! hyperfine, perf, …); `-- --list` then only generates, checks and lists.
//! `CHISO_BENCH_COMMUNES=N` keeps only the first N communes (scaling experiments;
//! the goals are for all of them). See docs/benchmarks.md.

// A benchmark panics on anything unexpected; that is what these lints forbid elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/shared.rs"]
mod shared;
use shared::{Root, criterion_dir, ms, per_iteration, root};

#[path = "national/generate.rs"]
mod generate;

use chiso_core::{Lang, score_assessment};
use chiso_io::Package;
use criterion::{Criterion, SamplingMode};
use generate::Generated;
use std::hint::black_box;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The `chiso` binary of this workspace, built with the bench (release) profile.
const CHISO: &str = env!("CARGO_BIN_EXE_chiso");

struct Prepared {
    name: &'static str,
    generated: Generated,
    package: Package,
}

/// Loads, scores and runs the binary on a generated package once; panics with the
/// first errors if it is refused, so that nothing invalid gets timed.
fn check(name: &'static str, generated: Generated) -> Prepared {
    let dir = &generated.dir;
    let package = Package::load(dir).unwrap_or_else(|errors| {
        let first: Vec<String> = errors.0.iter().take(10).map(|e| e.render(Lang::En)).collect();
        panic!("generated {name} package refused ({} errors); first:\n{}", errors.0.len(), first.join("\n"))
    });
    let results = package.score().unwrap_or_else(|errors| {
        let first: Vec<String> = errors.0.iter().take(10).map(|e| e.render(Lang::En)).collect();
        panic!(
            "generated {name} package cannot be scored ({} errors); first:\n{}",
            errors.0.len(),
            first.join("\n")
        )
    });
    assert_eq!(results.unit_count, generated.units, "{name}: every commune is scored");

    let output = Command::new(CHISO)
        .arg("score")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("running {CHISO}: {e}"));
    assert!(
        output.status.success(),
        "{name}: `chiso score {} --format json` failed: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("chiso score --format json prints JSON");
    let units = json["units"].as_array().map_or(0, Vec::len);
    assert_eq!(units, generated.units, "{name}: the JSON lists every commune");
    let bands = &json["groups"][0]["bands"];
    eprintln!("national bench: {name} package at {}", generated.describe());
    eprintln!(
        "national bench: {name}: JSON output {}; overall mean {}, bands {bands}",
        generate::bytes(output.stdout.len() as u64),
        json["overall"]["mean"],
    );
    Prepared { name, generated, package }
}

/// Times, once and in this process, the steps `chiso score PKG --format json` takes
/// (see crates/chiso/src/main.rs), including the drops at the end: a rough
/// breakdown of the `command/*` figures, which add process start and exit.
fn phases(p: &Prepared) {
    let mut times: Vec<(&str, Duration)> = Vec::new();
    let mut step = |name, started: Instant| times.push((name, started.elapsed()));
    let t = Instant::now();
    let package = Package::load(&p.generated.dir).map_err(|e| e.0.len()).expect("checked");
    step("load", t);
    let t = Instant::now();
    let results = package.score().map_err(|e| e.0.len()).expect("checked");
    step("score", t);
    let t = Instant::now();
    // As the command does: streamed through a buffer to standard output (here /dev/null).
    let null = std::fs::File::create("/dev/null").expect("opening /dev/null");
    let mut out = std::io::BufWriter::new(null);
    chiso_io::render::json::write(&mut out, &package.assessment, &results, &package.kpi_sources, Lang::Vi)
        .expect("JSON to /dev/null");
    out.flush().expect("writing to /dev/null");
    step("render and write JSON", t);
    let t = Instant::now();
    drop(results);
    step("drop results", t);
    let t = Instant::now();
    drop(package);
    step("drop package", t);
    let total: Duration = times.iter().map(|(_, d)| *d).sum();
    let steps: Vec<String> =
        times.iter().map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1e3)).collect();
    eprintln!(
        "national bench: {}: steps of the command, once, in-process: {} (sum {:.1} ms)",
        p.name,
        steps.join(", "),
        total.as_secs_f64() * 1e3
    );
}

fn bench_score(c: &mut Criterion, packages: &[Prepared]) {
    let mut group = c.benchmark_group("score");
    group.warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(5)).sample_size(100);
    for p in packages {
        let (assessment, values) = (&p.package.assessment, &p.package.values);
        group.bench_function(p.name, |b| {
            b.iter(|| score_assessment(black_box(assessment), black_box(values)))
        });
    }
    group.finish();
}

fn bench_load(c: &mut Criterion, packages: &[Prepared]) {
    let mut group = c.benchmark_group("load");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat);
    for p in packages {
        let dir = p.generated.dir.as_path();
        group.bench_function(p.name, |b| b.iter(|| Package::load(black_box(dir)).map_err(|e| e.0.len())));
    }
    group.finish();
}

fn bench_render(c: &mut Criterion, packages: &[Prepared]) {
    let mut group = c.benchmark_group("render");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(20)
        .sampling_mode(SamplingMode::Flat);
    for p in packages {
        let results = p.package.score().map_err(|e| e.0.len()).expect("scored in check()");
        let assessment = &p.package.assessment;
        let mut out: Vec<u8> = Vec::new();
        group.bench_function(format!("json-{}", p.name), |b| {
            b.iter(|| {
                out.clear();
                chiso_io::render::json::write(
                    &mut out,
                    black_box(assessment),
                    black_box(&results),
                    &p.package.kpi_sources,
                    Lang::Vi,
                )
                .expect("JSON to memory");
                out.len()
            })
        });
    }
    group.finish();
}

fn bench_command(c: &mut Criterion, packages: &[Prepared]) {
    let mut group = c.benchmark_group("command");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(14))
        .sample_size(15)
        .sampling_mode(SamplingMode::Flat);
    for p in packages {
        let dir = p.generated.dir.as_path();
        group.bench_function(format!("score-json-{}", p.name), |b| {
            b.iter(|| {
                let status = Command::new(CHISO)
                    .arg("score")
                    .arg(dir)
                    .args(["--format", "json"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("running chiso");
                assert!(status.success(), "chiso score failed");
            })
        });
    }
    group.finish();
}

fn main() {
    let started = Instant::now();
    let root = root("chiso-national-");
    let mut communes = generate::read_communes();
    let all = communes.len();
    // For scaling experiments only: the goals are for all communes.
    if let Some(n) = std::env::var("CHISO_BENCH_COMMUNES").ok().and_then(|v| v.parse::<usize>().ok()) {
        communes.truncate(n);
        eprintln!("national bench: CHISO_BENCH_COMMUNES={n}: only the first {} communes", communes.len());
    }
    let generating = Instant::now();
    let points = generate::points_package(&root.path().join("points"), &communes);
    let composite = generate::composite_package(&root.path().join("composite"), &communes);
    eprintln!(
        "national bench: generated 2 packages of {} communes in {:.1?}",
        communes.len(),
        generating.elapsed()
    );
    let packages = [check("points", points), check("composite", composite)];
    packages.iter().for_each(phases);
    if let Root::Kept(dir) = &root {
        // On stdout, so scripts can pick it up.
        println!("CHISO_BENCH_KEEP: packages kept in {0}/points and {0}/composite", dir.display());
    }

    let mut c = Criterion::default().configure_from_args();
    bench_score(&mut c, &packages);
    bench_load(&mut c, &packages);
    bench_render(&mut c, &packages);
    bench_command(&mut c, &packages);
    c.final_summary();
    summary(started, communes.len() == all);
    drop(root);
}

/// The goals of the issues, per benchmark id: the national benchmark's first issue,
/// and issue 11 (the composite package's whole command under 60 ms).
const GOALS: &[(&str, Duration)] = &[
    ("score/points", Duration::from_millis(5)),
    ("score/composite", Duration::from_millis(5)),
    ("command/score-json-points", Duration::from_millis(300)),
    ("command/score-json-composite", Duration::from_millis(60)),
];

const IDS: &[&str] = &[
    "score/points",
    "score/composite",
    "load/points",
    "load/composite",
    "render/json-points",
    "render/json-composite",
    "command/score-json-points",
    "command/score-json-composite",
];

/// Prints, for every benchmark measured by this run, the median and the range of
/// the per-iteration time of Criterion's samples, and whether its goal is met, as
/// a Markdown table (docs/benchmarks.md is written from it).
fn summary(started: Instant, all_communes: bool) {
    let dir = criterion_dir();
    let mut rows = Vec::new();
    for id in IDS {
        let Some(per_iteration) = per_iteration(&dir, id, started) else { continue };
        let n = per_iteration.len();
        let median = if n % 2 == 1 {
            per_iteration[n / 2]
        } else {
            (per_iteration[n / 2 - 1] + per_iteration[n / 2]) / 2.0
        };
        let goal = GOALS.iter().find(|(g, _)| g == id).map(|(_, d)| d.as_secs_f64() * 1e9);
        let verdict = match goal {
            Some(_) if !all_communes => "(goal is for all communes)".to_string(),
            Some(goal) if median < goal => format!("< {}: met", ms(goal)),
            Some(goal) => format!("< {}: NOT met ({:.1}×)", ms(goal), median / goal),
            None => "(information)".to_string(),
        };
        rows.push(format!(
            "| `{id}` | {} | {} – {} | {n} | {verdict} |",
            ms(median),
            ms(per_iteration[0]),
            ms(per_iteration[n - 1]),
        ));
    }
    if rows.is_empty() {
        return;
    }
    println!("\nnational bench summary (per iteration, from {}):\n", dir.display());
    println!("| benchmark | median | range (min – max) | samples | goal |");
    println!("|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}
