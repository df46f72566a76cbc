//! After a run: percentiles and the summary table of request times, and `verify`,
//! which counts lost and duplicated writes in the database against the ledger.

use super::*;

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize - 1;
    f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0
}

pub(crate) fn table_header() -> String {
    format!(
        "{:<46} {:>8} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8}\n",
        "request", "count", "req/s", "errors", "p50", "p95", "p99", "max"
    )
}

/// One line of the summary tables: count, rate over `seconds`, errors and the
/// percentiles of `times` (microseconds; sorted here), in ms.
pub(crate) fn table_row(name: &str, times: &mut [u32], count: u64, errors: u64, seconds: f64) -> String {
    times.sort_unstable();
    format!(
        "{:<46} {:>8} {:>7.1} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>8.1}\n",
        name,
        count,
        count as f64 / seconds,
        errors,
        percentile(times, 50.0),
        percentile(times, 95.0),
        percentile(times, 99.0),
        times.last().map_or(0.0, |t| f64::from(*t) / 1000.0),
    )
}

/// The table `bench/load.sh` prints: per request name and per kind.
pub(crate) fn summarise(wall: Duration, goose_seconds: usize, ledger: &Ledger) -> String {
    let timings = lock(&TIMINGS);
    let mut out = String::new();
    let seconds = wall.as_secs_f64().max(1e-9);
    out.push_str(&format!(
        "\n== load: {} users: readers {}, reporters {}, appraisers {}, API writers {}; \
         {:.0} s in all (goose: {} s, ramp included)\n",
        READERS.load(Ordering::SeqCst)
            + REPORTERS.load(Ordering::SeqCst)
            + APPRAISERS.load(Ordering::SeqCst)
            + WRITERS.load(Ordering::SeqCst),
        READERS.load(Ordering::SeqCst),
        REPORTERS.load(Ordering::SeqCst),
        APPRAISERS.load(Ordering::SeqCst),
        WRITERS.load(Ordering::SeqCst),
        seconds,
        goose_seconds,
    ));
    out.push_str("(times: request sent → whole body read, in ms; the ramp is included)\n\n");
    let header = table_header();
    let line = |name: &str, times: &mut Vec<u32>, count: u64, errors: u64| {
        table_row(name, times, count, errors, seconds)
    };
    out.push_str(&header);
    let mut kinds: BTreeMap<&str, (Vec<u32>, u64, u64)> = BTreeMap::new();
    let mut all: (Vec<u32>, u64, u64) = Default::default();
    for (name, t) in timings.iter() {
        let mut times = t.times.clone();
        out.push_str(&line(name, &mut times, t.ok + t.failed, t.failed));
        let kind = match name.split(':').next().unwrap_or("") {
            "work" if name.contains("POST save") => "SAVES (work: POST save)",
            "page" | "work" => "PAGES (page: and work: GETs)",
            "api" if name.contains("POST") => "API WRITES",
            "api" => "API READS",
            _ => "SIGN-IN",
        };
        let entry = kinds.entry(kind).or_default();
        entry.0.extend_from_slice(&t.times);
        entry.1 += t.ok + t.failed;
        entry.2 += t.failed;
        all.0.extend_from_slice(&t.times);
        all.1 += t.ok + t.failed;
        all.2 += t.failed;
    }
    out.push('\n');
    out.push_str(&header);
    for (kind, (times, count, errors)) in kinds.iter_mut() {
        out.push_str(&line(kind, times, *count, *errors));
    }
    out.push_str(&line("ALL", &mut all.0, all.1, all.2));
    let failures: Vec<String> = timings
        .iter()
        .filter(|(_, t)| t.failed > 0)
        .map(|(name, t)| format!("{name}: {:?}", t.failures))
        .collect();
    if !failures.is_empty() {
        out.push_str(&format!("\nfailures by status (0 = no answer): {}\n", failures.join("; ")));
    }
    out.push_str(&format!(
        "\nacknowledged: {} saves ({} values), {} observation posts ({} observations); \
         without a clear answer: {} values, {} observations; form reads showing another value than \
         the last save: {}\n",
        ledger.save_requests_ok,
        ledger.saves.values().map(|(n, _)| n).sum::<u64>(),
        ledger.observation_requests_ok,
        ledger.observations.len(),
        ledger.uncertain_saves.len(),
        ledger.uncertain_observations.len(),
        ledger.form_mismatches.len(),
    ));
    out
}

// ---- verify -------------------------------------------------------------------------

/// Compares the ledger with the database's rows, dumped by the script as
/// tab-separated text: values (unit, indicator, value, version) of the round and
/// observations (kpi, scope, period, value) of the load's scopes.
pub(crate) fn verify(args: &[String]) -> Result<()> {
    let mut args = args.to_vec();
    let ledger: Ledger = serde_json::from_str(&std::fs::read_to_string(need(&mut args, "--ledger")?)?)?;
    let values_text = std::fs::read_to_string(need(&mut args, "--values")?)?;
    let observations_text = std::fs::read_to_string(need(&mut args, "--observations")?)?;
    let audited: Option<u64> = take(&mut args, "--audited").map(|a| a.trim().parse()).transpose()?;
    // --strict: a value applied more often than acknowledged, or stored twice, fails
    // the run too (bench/form.sh); otherwise it is a note.
    let strict = args.iter().any(|a| a == "--strict");
    // --before FILE: the round's values (same columns) before the load; their versions
    // are where each indicator's count of writes starts (a round opened with values).
    let mut before: HashMap<String, u64> = HashMap::new();
    if let Some(file) = take(&mut args, "--before") {
        for line in std::fs::read_to_string(file)?.lines().filter(|l| !l.is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 4 {
                bail!("values dump before: {line:?}");
            }
            before.insert(format!("{}|{}", f[0], f[1]), f[3].trim().parse()?);
        }
    }

    let mut stored: HashMap<String, (String, u64)> = HashMap::new();
    let mut duplicate_rows = Vec::new();
    for line in values_text.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 {
            bail!("values dump: {line:?}");
        }
        let key = format!("{}|{}", f[0], f[1]);
        if stored.insert(key.clone(), (f[2].to_owned(), f[3].trim().parse()?)).is_some() {
            duplicate_rows.push(key);
        }
    }
    let mut lost_values = Vec::new();
    let mut lost_saves = 0u64;
    let mut extra = Vec::new();
    for (key, (count, last)) in &ledger.saves {
        let uncertain = ledger.uncertain_saves.contains(key);
        match stored.get(key) {
            None => {
                lost_saves += count;
                lost_values.push(format!("{key}: missing (acknowledged {count} saves)"));
            }
            Some((value, version)) => {
                let version = &version.saturating_sub(before.get(key).copied().unwrap_or(0));
                if *version < *count {
                    lost_saves += count - version;
                    lost_values.push(format!("{key}: version {version} < {count} acknowledged saves"));
                } else if *version > *count && !uncertain {
                    extra.push(format!("{key}: version {version} > {count} acknowledged saves"));
                } else if value != last && !uncertain {
                    lost_values.push(format!("{key}: value {value:?}, last acknowledged {last:?}"));
                    lost_saves += 1;
                }
            }
        }
    }
    if !before.is_empty() {
        // Rows the load changed that no acknowledged save explains.
        for (key, (_, version)) in &stored {
            let unexplained = !ledger.saves.contains_key(key)
                && !ledger.uncertain_saves.contains(key)
                && before.get(key) != Some(version);
            if unexplained {
                extra.push(format!("{key}: version {version} changed without an acknowledged save"));
            }
        }
    }
    let mut observations: HashMap<String, f64> = HashMap::new();
    for line in observations_text.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 {
            bail!("observations dump: {line:?}");
        }
        observations.insert(format!("{}|{}|{}", f[0], f[1], f[2]), f[3].trim().parse()?);
    }
    let mut lost_observations = Vec::new();
    for (key, value) in &ledger.observations {
        match observations.get(key) {
            None => lost_observations.push(format!("{key}: missing")),
            Some(v) if (v - value).abs() > 1e-9 => {
                lost_observations.push(format!("{key}: value {v}, acknowledged {value}"))
            }
            Some(_) => {}
        }
    }
    let unexpected_observations = observations
        .keys()
        .filter(|k| !ledger.observations.contains_key(*k) && !ledger.uncertain_observations.contains(*k))
        .count();

    let saves_acked: u64 = ledger.saves.values().map(|(n, _)| n).sum();
    println!(
        "writes: {} save requests acknowledged ({} value changes on {} indicators): the database holds \
         {} of the round's values; lost value changes: {lost_saves}",
        ledger.save_requests_ok,
        saves_acked,
        ledger.saves.len(),
        stored.len(),
    );
    if !(ledger.observations.is_empty() && observations.is_empty()) {
        println!(
            "writes: {} observations acknowledged ({} posts); in the database: {} rows of the load's scopes; \
             lost: {}; stored without an acknowledgement: {unexpected_observations}",
            ledger.observations.len(),
            ledger.observation_requests_ok,
            observations.len(),
            lost_observations.len(),
        );
    }
    if let Some(audited) = audited {
        let uncertain = ledger.uncertain_saves.len() as u64;
        let fits = audited >= ledger.save_requests_ok && audited <= ledger.save_requests_ok + uncertain;
        println!(
            "writes: the audit log has {audited} value saves of the round for {} acknowledged save requests: {}",
            ledger.save_requests_ok,
            if fits { "consistent" } else { "NOT consistent" }
        );
        if !fits {
            lost_values.push(format!("audit log: {audited} saves, {} acknowledged", ledger.save_requests_ok));
            lost_saves += ledger.save_requests_ok.saturating_sub(audited);
            let over = audited.saturating_sub(ledger.save_requests_ok + uncertain);
            if over > 0 {
                extra.push(format!("audit log: {over} value saves more than acknowledged (or unanswered)"));
            }
        }
    }
    for key in &duplicate_rows {
        extra.push(format!("{key}: stored in more than one row"));
    }
    for problem in lost_values.iter().chain(&lost_observations).take(20) {
        println!("  LOST {problem}");
    }
    for problem in extra.iter().take(10) {
        println!("  note: {problem}");
    }
    let lost = lost_saves + lost_observations.len() as u64;
    println!("LOST WRITES: {lost}");
    println!(
        "DUPLICATED VALUES: {} (rows stored twice: {}; indicators written more often than acknowledged, \
         or audit rows above the acknowledged saves: {})",
        extra.len(),
        duplicate_rows.len(),
        extra.len() - duplicate_rows.len()
    );
    if lost > 0 {
        std::process::exit(3);
    }
    if strict && !extra.is_empty() {
        std::process::exit(4);
    }
    Ok(())
}
