//! The feed benchmark: `chiso feed dossiers` against DuckDB on a 10-million-row
//! dossier feed (about 1 GB).
//!
//! 1. Generates the feed deterministically (seeded) into `CHISO_BENCH_DIR` (default:
//!    `$TMPDIR/chiso-feed-bench`), unless it is already there, and reads it once so
//!    that both contestants find it in the page cache.
//! 2. Runs `chiso_io::feed::run_feed_to_file` (monthly, all cores) in a child
//!    process (this same binary, `CHISO_FEED_BENCH_CHILD=FILE`), which reports its
//!    own time and its peak resident memory (`VmHWM`).
//! 3. Runs the same aggregation in DuckDB (the PyPI package, via `python3 -c`):
//!    counts and rates per unit and month plus the province total, `GROUP BY
//!    GROUPING SETS ((unit, month), (month))`, written to CSV with `COPY`.
//! 4. Checks that both give the same numbers, and prints both timings (median of
//!    `CHISO_BENCH_RUNS`, default 3).
//!
//! Run: `cargo bench -p chiso-io --bench feed`. Needs `pip install duckdb` for the
//! DuckDB half (skipped, with a message, without it). `CHISO_BENCH_ROWS=N` changes
//! the size (the goal is for 10,000,000). See docs/benchmarks.md.

// A benchmark panics on anything unexpected; that is what these lints forbid elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chiso_io::feed::{FeedKind, FeedOptions, NoProgress, run_feed_to_file};
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[path = "race/mod.rs"]
mod race;
use race::{Measured, cpu_model, key_values, median, peak_kb, read_through};

const DEFAULT_ROWS: u64 = 10_000_000;

fn main() {
    if let Ok(input) = std::env::var("CHISO_FEED_BENCH_CHILD") {
        child(Path::new(&input), Path::new(&std::env::var("CHISO_FEED_BENCH_OUT").unwrap()));
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        println!("feed benchmark: run it with `cargo bench -p chiso-io --bench feed`");
        return;
    }
    let rows: u64 =
        std::env::var("CHISO_BENCH_ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(DEFAULT_ROWS);
    let runs: usize = std::env::var("CHISO_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let dir = std::env::var_os("CHISO_BENCH_DIR")
        .map_or_else(|| std::env::temp_dir().join("chiso-feed-bench"), PathBuf::from);
    fs::create_dir_all(&dir).unwrap();
    println!(
        "== machine: {}, {} cores",
        cpu_model(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let input = dir.join(format!("dossiers-{rows}.csv"));
    if input.exists() {
        println!("== feed: {} (already there)", input.display());
    } else {
        let start = Instant::now();
        generate(&input, rows);
        println!("== feed: generated {} in {:.1} s", input.display(), start.elapsed().as_secs_f64());
    }
    let size = fs::metadata(&input).unwrap().len();
    println!("   {rows} rows, {:.2} GB ({size} bytes)", size as f64 / 1e9);
    let start = Instant::now();
    read_through(&input);
    println!("   read once to warm the page cache: {:.2} s", start.elapsed().as_secs_f64());

    println!("== chiso feed dossiers ({runs} runs, monthly, all cores)");
    let chiso_out = dir.join("chiso-observations.csv");
    let mut chiso = Vec::new();
    for run in 1..=runs {
        let measured = run_child(&input, &chiso_out);
        println!(
            "   run {run}: {:.3} s in process ({:.3} s as a process), peak memory {:.1} MB, {}",
            measured.seconds,
            measured.process_seconds,
            measured.peak_kb as f64 / 1024.0,
            measured.summary
        );
        chiso.push(measured);
    }
    let chiso_time = median(chiso.iter().map(|m| m.seconds).collect());
    let chiso_process = median(chiso.iter().map(|m| m.process_seconds).collect());
    let chiso_peak = chiso.iter().map(|m| m.peak_kb).max().unwrap_or(0) as f64 / 1024.0;

    println!("== DuckDB, the same aggregation ({runs} runs)");
    let duck_out = dir.join("duckdb-observations.csv");
    let mut duck = Vec::new();
    for run in 1..=runs {
        match run_duckdb(&input, &duck_out) {
            Ok(measured) => {
                println!(
                    "   run {run}: {:.3} s in process ({:.3} s as a process), peak memory {:.1} MB, DuckDB {}",
                    measured.seconds,
                    measured.process_seconds,
                    measured.peak_kb as f64 / 1024.0,
                    measured.summary
                );
                duck.push(measured);
            }
            Err(why) => {
                println!("   {why}");
                break;
            }
        }
    }

    println!("== summary");
    println!(
        "   chiso : {chiso_time:.3} s (median; {chiso_process:.3} s as a process), peak memory {chiso_peak:.1} MB"
    );
    if duck.is_empty() {
        println!("   DuckDB: not measured");
        return;
    }
    let duck_time = median(duck.iter().map(|m| m.seconds).collect());
    let duck_process = median(duck.iter().map(|m| m.process_seconds).collect());
    let duck_peak = duck.iter().map(|m| m.peak_kb).max().unwrap_or(0) as f64 / 1024.0;
    println!(
        "   DuckDB: {duck_time:.3} s (median; {duck_process:.3} s as a process), peak memory {duck_peak:.1} MB"
    );
    println!("   chiso is {:.2}× as fast as DuckDB (in process)", duck_time / chiso_time);
    let compared = compare(&chiso_out, &duck_out);
    println!("   results agree: {compared} values compared");
    let goal = chiso_time <= duck_time && chiso_peak < 200.0;
    let stretch = chiso_time * 2.0 <= duck_time;
    println!(
        "   goal (at least as fast as DuckDB, under 200 MB): {}; stretch (twice as fast): {}",
        if goal { "met" } else { "NOT met" },
        if stretch { "met" } else { "not met" }
    );
}

/// In the child: the feed itself, then `key=value` lines for the parent.
fn child(input: &Path, out: &Path) {
    let start = Instant::now();
    let summary = run_feed_to_file(FeedKind::Dossiers, input, out, &FeedOptions::default(), &NoProgress)
        .unwrap_or_else(|e| panic!("{e}"));
    let seconds = start.elapsed().as_secs_f64();
    println!("seconds={seconds}");
    println!("peak_kb={}", peak_kb());
    println!("summary={} rows, {} observations", summary.rows, summary.observations);
}

fn run_child(input: &Path, out: &Path) -> Measured {
    let start = Instant::now();
    let output = Command::new(std::env::current_exe().unwrap())
        .env("CHISO_FEED_BENCH_CHILD", input)
        .env("CHISO_FEED_BENCH_OUT", out)
        .output()
        .unwrap();
    let process_seconds = start.elapsed().as_secs_f64();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let values = key_values(&String::from_utf8_lossy(&output.stdout));
    Measured {
        seconds: values["seconds"].parse().unwrap(),
        process_seconds,
        peak_kb: values["peak_kb"].parse().unwrap(),
        summary: values["summary"].clone(),
    }
}

/// The DuckDB side: the same numbers, per unit and month and for the province.
const DUCKDB_SCRIPT: &str = r#"
import resource, sys, time
try:
    import duckdb
except ImportError:
    print("DuckDB is not installed for python3: install it with `pip install duckdb`", file=sys.stderr)
    sys.exit(3)
path, out = sys.argv[1], sys.argv[2]
start = time.perf_counter()
con = duckdb.connect()
con.execute(f"""
COPY (
  WITH dossiers AS (
    SELECT unit, date_trunc('month', received) AS month, channel, due, finished, digitized
    FROM read_csv('{path}', header = true, columns = {{
      'id': 'VARCHAR', 'unit': 'VARCHAR', 'procedure': 'VARCHAR', 'channel': 'VARCHAR',
      'received': 'TIMESTAMP', 'due': 'TIMESTAMP', 'finished': 'TIMESTAMP', 'digitized': 'BOOLEAN'}})
  )
  SELECT coalesce(unit, 'province') AS scope, strftime(month, '%Y-%m') AS period,
    count(*) AS dossiers_received,
    100.0 * count(*) FILTER (WHERE channel = 'online') / count(*) AS dossiers_online_rate,
    100.0 * count(*) FILTER (WHERE finished <= due) / nullif(count(finished), 0) AS dossiers_on_time_rate,
    100.0 * count(*) FILTER (WHERE digitized) / count(*) AS dossiers_digitized_rate
  FROM dossiers
  GROUP BY GROUPING SETS ((unit, month), (month))
) TO '{out}' (HEADER, DELIMITER ',')
""")
seconds = time.perf_counter() - start
print(f"seconds={seconds}")
print(f"peak_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
print(f"summary={duckdb.__version__}")
"#;

fn run_duckdb(input: &Path, out: &Path) -> Result<Measured, String> {
    let start = Instant::now();
    let output =
        Command::new("python3").arg("-c").arg(DUCKDB_SCRIPT).arg(input).arg(out).output().map_err(|e| {
            format!(
                "DuckDB skipped: python3 cannot be started ({e}); install python3 and `pip install duckdb`"
            )
        })?;
    let process_seconds = start.elapsed().as_secs_f64();
    if output.status.code() == Some(3) {
        return Err(format!("DuckDB skipped: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    if !output.status.success() {
        return Err(format!("DuckDB failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let values = key_values(&String::from_utf8_lossy(&output.stdout));
    Ok(Measured {
        seconds: values["seconds"].parse().unwrap(),
        process_seconds,
        peak_kb: values["peak_kb"].parse().unwrap(),
        summary: values["summary"].clone(),
    })
}

/// Checks chiso's observations against DuckDB's table, value by value (a rate
/// DuckDB leaves NULL must be missing from chiso's output); returns the number of
/// values compared. Rates may differ in the last bits.
fn compare(chiso: &Path, duck: &Path) -> usize {
    let mut ours: HashMap<(String, String, String), f64> = HashMap::new();
    for line in fs::read_to_string(chiso).unwrap().lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        ours.insert((f[0].into(), f[1].into(), f[2].into()), f[3].parse().unwrap());
    }
    let text = fs::read_to_string(duck).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut compared = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        for (kpi, value) in header.iter().zip(&f).skip(2) {
            let key = (kpi.to_string(), f[0].to_string(), f[1].to_string());
            match (ours.get(&key), value.parse::<f64>()) {
                (Some(a), Ok(b)) => {
                    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{key:?}: chiso {a}, DuckDB {b}");
                    compared += 1;
                }
                (None, Err(_)) => {}
                (a, b) => panic!("{key:?}: chiso {a:?}, DuckDB {b:?}"),
            }
        }
    }
    assert_eq!(compared, ours.len(), "every value of chiso is in DuckDB's table");
    compared
}

/// The dossier feed of the spec's example, `rows` rows, seeded: 200 units (50
/// departments, 150 communes), received 2023–2025, a quarter still pending, a
/// tenth finished exactly at the due time.
fn generate(path: &Path, rows: u64) {
    let partial = path.with_extension("partial");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&partial).unwrap());
    let units: Vec<String> =
        (1..=50).map(|i| format!("S{i:02}")).chain((1..=150).map(|i| format!("X{i:03}"))).collect();
    let procedures = ["1.004227", "1.001612", "2.000305", "1.010776", "3.000170"];
    let mut rng = Rng(2024);
    writeln!(out, "id,unit,procedure,channel,received,due,finished,digitized").unwrap();
    for n in 1..=rows {
        let unit = &units[rng.below(units.len() as u64) as usize];
        let procedure = procedures[rng.below(procedures.len() as u64) as usize];
        let channel = if rng.below(100) < 62 { "online" } else { "offline" };
        let (year, month, day) = (2023 + rng.below(3), 1 + rng.below(12), 1 + rng.below(28));
        let (hour, minute, second) = (7 + rng.below(10), rng.below(60), rng.below(60));
        let received = format!("{year}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
        let (due_month, due_day) =
            if day + 7 > 28 { (month % 12 + 1, day + 7 - 28) } else { (month, day + 7) };
        let due_year = if due_month < month { year + 1 } else { year };
        let due = format!("{due_year}-{due_month:02}-{due_day:02}T17:00:00");
        let finished = match rng.below(20) {
            0..=4 => String::new(),
            5 | 6 => due.clone(),
            k => {
                let d = 1 + (due_day + k - 7) % 28;
                format!("{due_year}-{due_month:02}-{d:02}T{:02}:{:02}:00", 8 + rng.below(9), rng.below(60))
            }
        };
        let digitized = if rng.below(100) < 71 { "true" } else { "false" };
        writeln!(
            out,
            "HS-{year}-{n:08},{unit},{procedure},{channel},{received},{due},{finished},{digitized}"
        )
        .unwrap();
    }
    out.into_inner().unwrap().sync_all().unwrap();
    fs::rename(&partial, path).unwrap();
}

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}
