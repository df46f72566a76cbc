//! The public-service index benchmark: `chiso service-index` against DuckDB on a
//! generated Son La service folder of 10 million dossiers (every optional column),
//! 100,000 petitions, 5,000 procedures and 89 units over 12 months (about 1.2 GB).
//!
//! 1. Generates the folder with `chiso_io::service::generate` (seeded, the same bytes
//!    every time) into `CHISO_BENCH_DIR` (default: `$TMPDIR/chiso-service-bench`),
//!    unless it is already there, and reads it once so that both contestants find it
//!    in the page cache.
//! 2. Runs `chiso_io::service::read_folder` (the whole index, by month) and writes
//!    its JSON document, in a child process (this same binary,
//!    `CHISO_SERVICE_BENCH_CHILD=FOLDER`), which reports its own time and its peak
//!    resident memory (`VmHWM`).
//! 3. Runs DuckDB (the PyPI package, via `python3 -c`) on the same four files: per
//!    unit and month and for the province, the numerators and denominators of every
//!    indicator that comes from dossiers and petitions (joining procedures.csv for the
//!    procedures' properties), including the per-procedure facts of 3.2, 4.B, 4.C and
//!    5.7, written to CSV with `COPY`.
//! 4. Checks that DuckDB's counts are chiso's (to 1e-9), and prints both timings
//!    (median of `CHISO_BENCH_RUNS`, default 3).
//!
//! Run: `cargo bench -p chiso-io --bench service`. Needs `pip install duckdb` for the
//! DuckDB half (skipped, with a message, without it). Smaller runs:
//! `CHISO_BENCH_DOSSIERS`, `CHISO_BENCH_PETITIONS`, `CHISO_BENCH_PROCEDURES`,
//! `CHISO_BENCH_UNITS`, `CHISO_BENCH_MONTHS`. See docs/benchmarks.md.

// A benchmark panics on anything unexpected; that is what these lints forbid elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chiso_core::Lang;
use chiso_io::feed::NoProgress;
use chiso_io::service::document::ServiceIndexDocument;
use chiso_io::service::generate::{FILES, GenerateOptions, generate};
use chiso_io::service::{ServiceOptions, read_folder};
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[path = "race/mod.rs"]
mod race;
use race::{Measured, cpu_model, key_values, median, peak_kb, read_through};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    if let Ok(folder) = std::env::var("CHISO_SERVICE_BENCH_CHILD") {
        child(Path::new(&folder), Path::new(&std::env::var("CHISO_SERVICE_BENCH_OUT").unwrap()));
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        println!("service benchmark: run it with `cargo bench -p chiso-io --bench service`");
        return;
    }
    let options = GenerateOptions {
        seed: 766,
        from: (2025, 7),
        months: env("CHISO_BENCH_MONTHS", 12),
        procedures: env("CHISO_BENCH_PROCEDURES", 5_000),
        dossiers: env("CHISO_BENCH_DOSSIERS", 10_000_000),
        petitions: env("CHISO_BENCH_PETITIONS", 100_000),
        units: Some(env("CHISO_BENCH_UNITS", 89)),
    };
    let runs: usize = env("CHISO_BENCH_RUNS", 3usize).max(1);
    let dir = std::env::var_os("CHISO_BENCH_DIR")
        .map_or_else(|| std::env::temp_dir().join("chiso-service-bench"), PathBuf::from);
    println!(
        "== machine: {}, {} cores",
        cpu_model(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let folder = dir.join(format!(
        "service-{}d-{}p-{}proc-{}u-{}m-seed{}",
        options.dossiers,
        options.petitions,
        options.procedures,
        options.units.unwrap_or(90),
        options.months,
        options.seed
    ));
    if FILES.iter().all(|name| folder.join(name).exists()) {
        println!("== folder: {} (already there)", folder.display());
    } else {
        let start = Instant::now();
        let summary = generate(&folder, &options).unwrap();
        println!(
            "== folder: generated {} in {:.1} s ({} pending dossiers)",
            folder.display(),
            start.elapsed().as_secs_f64(),
            summary.pending
        );
    }
    let size: u64 = FILES.iter().map(|name| fs::metadata(folder.join(name)).unwrap().len()).sum();
    println!(
        "   {} dossiers, {} petitions, {} procedures, {} units, {} months: {:.2} GB ({size} bytes)",
        options.dossiers,
        options.petitions,
        options.procedures,
        options.units.unwrap_or(90),
        options.months,
        size as f64 / 1e9
    );
    let start = Instant::now();
    for name in FILES {
        read_through(&folder.join(name));
    }
    println!("   read once to warm the page cache: {:.2} s", start.elapsed().as_secs_f64());

    println!("== chiso service-index ({runs} runs, monthly, JSON document)");
    let chiso_out = dir.join("chiso-service-index.json");
    let mut chiso = Vec::new();
    for run in 1..=runs {
        let measured = run_child(&folder, &chiso_out);
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

    println!("== DuckDB, the same counts ({runs} runs)");
    let duck_out = dir.join("duckdb-service-counts.csv");
    let mut duck = Vec::new();
    for run in 1..=runs {
        match run_duckdb(&folder, &duck_out) {
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
    let (compared, scopes) = compare(&chiso_out, &duck_out);
    println!("   results agree: {compared} counts compared, over {scopes} scope-months");
    let goal = chiso_time <= duck_time && chiso_peak < 100.0;
    println!("   goal (no slower than DuckDB, under 100 MB): {}", if goal { "met" } else { "NOT met" });
}

/// In the child: the index and its JSON document, then `key=value` lines for the
/// parent.
fn child(folder: &Path, out: &Path) {
    let start = Instant::now();
    let run = read_folder(folder, &ServiceOptions::default(), &NoProgress)
        .unwrap_or_else(|e| panic!("{}", e.render(Lang::En)));
    let mut writer = BufWriter::with_capacity(1 << 16, File::create(out).unwrap());
    ServiceIndexDocument::new(&run.index, Lang::En, None).write(&mut writer).unwrap();
    writer.flush().unwrap();
    drop(writer);
    let seconds = start.elapsed().as_secs_f64();
    println!("seconds={seconds}");
    println!("peak_kb={}", peak_kb());
    println!("summary={} rows, {} periods", run.rows, run.index.periods.len());
}

fn run_child(folder: &Path, out: &Path) -> Measured {
    let start = Instant::now();
    let output = Command::new(std::env::current_exe().unwrap())
        .env("CHISO_SERVICE_BENCH_CHILD", folder)
        .env("CHISO_SERVICE_BENCH_OUT", out)
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

/// The DuckDB side: per unit and month and for the province, the numerator and
/// denominator of every indicator computed from dossiers and petitions
/// (`<code>_num`, `<code>_den`), as chiso's rules define them
/// (docs/formats/service-index.md).
const DUCKDB_SCRIPT: &str = r#"
import resource, sys, time
try:
    import duckdb
except ImportError:
    print("DuckDB is not installed for python3: install it with `pip install duckdb`", file=sys.stderr)
    sys.exit(3)
folder, out = sys.argv[1], sys.argv[2]
start = time.perf_counter()
con = duckdb.connect()
con.execute(f"""
COPY (
  WITH procedures AS (
    SELECT code, unit, online AS level, fee = 'yes' AS fee, paper_result = 'yes' AS paper_result,
           citizen = 'yes' AS citizen
    FROM read_csv('{folder}/procedures.csv', header = true, all_varchar = true)
  ),
  dossiers AS (
    SELECT d.unit, d.procedure, date_trunc('month', received) AS month, channel = 'online' AS online,
      received, due, finished, supplement_days, synced, fee_due, paid_online, e_result, attached, reused,
      data_store, population_data, disliked, p.level, p.paper_result,
      epoch(coalesce(finished, date_trunc('month', received) + INTERVAL 1 MONTH)) - supplement_days * 86400
        <= epoch(due) AS on_time
    FROM read_csv('{folder}/dossiers.csv', header = true, columns = {{
      'id': 'VARCHAR', 'unit': 'VARCHAR', 'procedure': 'VARCHAR', 'channel': 'VARCHAR',
      'received': 'TIMESTAMP', 'due': 'TIMESTAMP', 'finished': 'TIMESTAMP', 'digitized': 'BOOLEAN',
      'supplement_days': 'DOUBLE', 'synced': 'BOOLEAN', 'fee_due': 'BOOLEAN', 'paid_online': 'BOOLEAN',
      'e_result': 'BOOLEAN', 'attached': 'BOOLEAN', 'reused': 'BOOLEAN', 'data_store': 'BOOLEAN',
      'population_data': 'BOOLEAN', 'disliked': 'BOOLEAN'}}) d
    JOIN procedures p ON p.code = d.procedure AND p.unit = d.unit
  ),
  counts AS (
    SELECT coalesce(unit, 'province') AS scope, month,
      count(*) AS dossiers,
      count(*) FILTER (WHERE synced) AS synced,
      count(*) FILTER (WHERE on_time) AS on_time,
      count(finished) AS finished,
      sum(epoch(finished) - epoch(received)) / 86400 - sum(supplement_days) FILTER (WHERE finished IS NOT NULL)
        AS handling_days,
      count(*) FILTER (WHERE level = 'full') AS full_procedure,
      count(*) FILTER (WHERE level = 'full' AND online) AS full_procedure_online,
      count(*) FILTER (WHERE online) AS online,
      count(*) FILTER (WHERE fee_due) AS fee_due,
      count(*) FILTER (WHERE fee_due AND paid_online) AS fee_due_paid_online,
      count(*) FILTER (WHERE paper_result) AS paper_result,
      count(*) FILTER (WHERE paper_result AND e_result) AS paper_result_electronic,
      count(*) FILTER (WHERE attached AND (e_result OR NOT paper_result)) AS digitised,
      count(*) FILTER (WHERE reused) AS reused,
      count(*) FILTER (WHERE data_store) AS data_store,
      count(*) FILTER (WHERE population_data) AS population_data,
      count(*) FILTER (WHERE on_time AND NOT disliked) AS satisfied
    FROM dossiers
    GROUP BY GROUPING SETS ((unit, month), (month))
  ),
  procedure_months AS (
    SELECT unit, procedure, month, bool_or(online) AS online, bool_or(paid_online) AS paid_online,
      bool_and(synced) AS synced, bool_or(population_data) AS population_data
    FROM dossiers GROUP BY unit, procedure, month
  ),
  used AS (
    SELECT coalesce(m.unit, 'province') AS scope, m.month,
      count(*) FILTER (WHERE p.level <> 'none' AND m.online) AS online_used,
      count(*) FILTER (WHERE p.fee AND m.paid_online) AS fee_paid_online,
      count(*) FILTER (WHERE p.fee AND m.synced) AS fee_all_synced,
      count(*) FILTER (WHERE p.fee) AS fee_with_dossiers,
      count(*) FILTER (WHERE p.citizen AND m.population_data) AS citizen_population
    FROM procedure_months m JOIN procedures p ON p.code = m.procedure AND p.unit = m.unit
    GROUP BY GROUPING SETS ((m.unit, m.month), (m.month))
  ),
  listed AS (
    SELECT coalesce(unit, 'province') AS scope, count(*) FILTER (WHERE level <> 'none') AS offered_online,
      count(*) FILTER (WHERE fee) AS fee, count(*) FILTER (WHERE citizen) AS citizen
    FROM procedures GROUP BY GROUPING SETS ((unit), ())
  ),
  petitions AS (
    SELECT coalesce(unit, 'province') AS scope, month, count(*) AS petitions,
      count(*) FILTER (WHERE on_time) AS petitions_on_time,
      count(*) FILTER (WHERE on_time AND satisfied IS DISTINCT FROM false AND NOT reopened)
        AS petitions_satisfied
    FROM (
      SELECT unit, date_trunc('month', received) AS month, satisfied, reopened,
        coalesce(handled, date_trunc('month', received) + INTERVAL 1 MONTH) <= due AS on_time
      FROM read_csv('{folder}/petitions.csv', header = true, columns = {{
        'id': 'VARCHAR', 'unit': 'VARCHAR', 'received': 'TIMESTAMP', 'due': 'TIMESTAMP',
        'handled': 'TIMESTAMP', 'satisfied': 'BOOLEAN', 'reopened': 'BOOLEAN'}})
    )
    GROUP BY GROUPING SETS ((unit, month), (month))
  )
  SELECT c.scope, strftime(c.month, '%Y-%m') AS period,
    c.synced AS "1.4_num", c.dossiers AS "1.4_den",
    c.on_time AS "2.1_num", c.dossiers AS "2.1_den",
    c.handling_days AS "2.2_num", c.finished AS "2.2_den",
    c.full_procedure_online AS "3.0_num", c.full_procedure AS "3.0_den",
    u.online_used AS "3.2_num", l.offered_online AS "3.2_den",
    c.online AS "3.3_num", c.dossiers AS "3.3_den",
    c.fee_due_paid_online AS "4.A_num", c.fee_due AS "4.A_den",
    u.fee_paid_online AS "4.B_num", l.fee AS "4.B_den",
    u.fee_all_synced AS "4.C_num", u.fee_with_dossiers AS "4.C_den",
    c.paper_result_electronic AS "5.1_num", c.paper_result AS "5.1_den",
    c.digitised AS "5.2_num", c.dossiers AS "5.2_den",
    c.reused AS "5.4_num", c.dossiers AS "5.4_den",
    c.data_store AS "5.5_num", c.dossiers AS "5.5_den",
    c.population_data AS "5.6_num", c.dossiers AS "5.6_den",
    u.citizen_population AS "5.7_num", l.citizen AS "5.7_den",
    coalesce(t.petitions_on_time, 0) AS "6.1_num", coalesce(t.petitions, 0) AS "6.1_den",
    coalesce(t.petitions_satisfied, 0) AS "6.2_num", coalesce(t.petitions, 0) AS "6.2_den",
    c.satisfied AS "6.3_num", c.dossiers AS "6.3_den"
  FROM counts c
  JOIN used u ON u.scope = c.scope AND u.month = c.month
  JOIN listed l ON l.scope = c.scope
  LEFT JOIN petitions t ON t.scope = c.scope AND t.month = c.month
  ORDER BY period, scope
) TO '{out}' (HEADER, DELIMITER ',')
""")
seconds = time.perf_counter() - start
print(f"seconds={seconds}")
print(f"peak_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
print(f"summary={duckdb.__version__}")
"#;

fn run_duckdb(folder: &Path, out: &Path) -> Result<Measured, String> {
    let start = Instant::now();
    let output =
        Command::new("python3").arg("-c").arg(DUCKDB_SCRIPT).arg(folder).arg(out).output().map_err(|e| {
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

/// (scope, period, indicator code).
type Key = (String, String, String);
/// (numerator, denominator).
type Counts = (Option<f64>, Option<f64>);

/// Checks DuckDB's counts against the numerators and denominators of chiso's JSON
/// document, value by value (to 1e-9, relative past 1); every scope and period chiso
/// scored must be in DuckDB's table. Returns (counts compared, scope-periods).
fn compare(chiso: &Path, duck: &Path) -> (usize, usize) {
    let doc: ServiceIndexDocument = serde_json::from_reader(File::open(chiso).unwrap()).unwrap();
    let mut ours: HashMap<Key, Counts> = HashMap::new();
    let mut scopes = 0;
    for period in &doc.periods {
        let units =
            std::iter::once(&period.province).chain(&period.levels.department).chain(&period.levels.commune);
        for unit in units {
            scopes += 1;
            let code = if std::ptr::eq(unit, &period.province) { "province" } else { unit.code.as_str() };
            for indicator in unit.groups.iter().flat_map(|g| &g.indicators) {
                let key = (code.to_string(), period.period.clone(), indicator.code.clone());
                ours.insert(key, (indicator.numerator, indicator.denominator));
            }
        }
    }
    let text = fs::read_to_string(duck).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (mut compared, mut rows) = (0, 0);
    for line in lines {
        rows += 1;
        let f: Vec<&str> = line.split(',').collect();
        for (column, value) in header.iter().zip(&f).skip(2) {
            let (code, part) = column.rsplit_once('_').unwrap();
            let key = (f[0].to_string(), f[1].to_string(), code.to_string());
            let (numerator, denominator) =
                ours.get(&key).unwrap_or_else(|| panic!("{key:?}: in DuckDB's table, not scored by chiso"));
            let a = if part == "num" { numerator } else { denominator };
            let b: f64 = value.parse().unwrap_or_else(|_| panic!("{key:?} {part}: DuckDB wrote {value:?}"));
            let a = a.unwrap_or_else(|| panic!("{key:?} {part}: chiso has none, DuckDB {b}"));
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{key:?} {part}: chiso {a}, DuckDB {b}");
            compared += 1;
        }
    }
    assert_eq!(rows, scopes, "every scope and period chiso scored is in DuckDB's table");
    (compared, scopes)
}
