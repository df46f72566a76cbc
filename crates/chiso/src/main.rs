//! The `chiso` binary: thin glue from the command line to `chiso-io` and
//! `chiso-core`. Results go to standard output only when the whole command
//! succeeded; errors go to standard error and the exit code is non-zero.

mod analyze_cmd;
mod backup_cmd;
mod cli;
mod feed_cmd;
mod help_lang;
mod parse_errors;
mod report_cmd;
mod serve_cmd;
mod service_cmd;
mod service_data_cmd;
mod user_cmd;

use anyhow::Context;
use chiso_core::Lang;
use chiso_io::render::{csv, json, summary, table};
use chiso_io::{MonitoringPackage, Package, PackageErrors};
use clap::{CommandFactory, FromArgMatches};
use cli::{Cli, Command, Format};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

/// How many errors of a refused package are listed before "and N more".
const ERROR_LIMIT: usize = 50;

fn main() -> ExitCode {
    // Help and the command line's own errors in the language asked for.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let requested = help_lang::requested(&args);
    let command = help_lang::localise(Cli::command(), requested);
    let cli = match command.try_get_matches_from(args).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => parse_errors::exit(e, requested),
    };
    let lang = Lang::from(cli.lang);
    match run(cli.command, lang) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e:#}", lang.pick("lỗi", "error"));
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(command: Command, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out: Vec<u8> = Vec::new();
    match command {
        Command::Score { package, format, monitoring } => {
            let Some((package, results)) = load_and_score(&package, monitoring.as_deref(), lang) else {
                return Ok(ExitCode::FAILURE);
            };
            let a = &package.assessment;
            match format {
                Format::Table => out.extend(table::render(a, &results, lang).into_bytes()),
                Format::Json => {
                    // Scored: only writing can fail now, so the document (megabytes for a
                    // national package) goes straight to standard output, not via memory.
                    // 64 KiB at a time: a national document is 10.7 MiB, so 170 writes
                    // instead of the 1,400 of the default 8 KiB buffer.
                    let mut stdout = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                    json::write(&mut stdout, a, &results, &package.kpi_sources, lang)
                        .map_err(std::io::Error::from) // so that a broken pipe is recognised
                        .context("writing JSON")?;
                    stdout.flush()?;
                    // The process ends right after: freeing ~20 MiB of values and scores
                    // piece by piece (~1.5 ms for a national package) is work the
                    // kernel does at once when it unmaps the process's memory.
                    std::mem::forget((package, results));
                    return Ok(ExitCode::SUCCESS);
                }
                Format::Csv => csv::write(&mut out, a, &results, lang).context("writing CSV")?,
            }
        }
        Command::Check { package: dir, previous } => {
            // Scoring is cheap and finds what only scoring can (a geometric mean of a
            // value ≤ 0, a group with no unit), so a package `check` calls valid scores.
            let Some((package, _)) = load_and_score(&dir, None, lang) else {
                return Ok(ExitCode::FAILURE);
            };
            if let Some(previous) = previous {
                let Some(earlier) = load(&previous, lang) else { return Ok(ExitCode::FAILURE) };
                if let Err(errors) = package.check_lineage_against(&earlier) {
                    print_errors(&dir, &errors, lang);
                    return Ok(ExitCode::FAILURE);
                }
            }
            out.extend(summary::render(&package, lang).into_bytes());
        }
        Command::Kpi { package, year, scope, format, out } => {
            if report_cmd::needs_out(format) && out.is_none() {
                report_cmd::refuse_without_out(lang);
                return Ok(ExitCode::FAILURE);
            }
            let Some(package) = MonitoringPackage::load(&package)
                .map_err(|errors| print_errors(&package, &errors, lang))
                .ok()
            else {
                return Ok(ExitCode::FAILURE);
            };
            let monitoring = &package.monitoring;
            let Some(year) = year.or_else(|| monitoring.latest_year(&scope)) else {
                eprintln!(
                    "{}",
                    match lang {
                        Lang::Vi =>
                            format!("không có số liệu nào cho phạm vi \"{scope}\"; hãy chỉ rõ --year"),
                        Lang::En => format!("there is no observation for scope \"{scope}\"; give --year"),
                    }
                );
                return Ok(ExitCode::FAILURE);
            };
            return report_cmd::kpi(monitoring, &scope, year, format, out.as_deref(), lang);
        }
        Command::Migrate { database } => return migrate(&database, lang),
        Command::Serve(args) => return serve_cmd::run(args, lang),
        Command::Backup { out, database } => return backup_cmd::backup(&out, &database, lang),
        Command::Restore { file, force, database } => {
            return backup_cmd::restore(&file, force, &database, lang);
        }
        Command::User { action, database } => return user_cmd::run(action, &database, lang),
        Command::Feed { kind, file, period, out, skip_bad } => {
            return feed_cmd::run(kind, &file, period, out.as_deref(), skip_bad, lang);
        }
        Command::ServiceIndex { folder, period, from, to, unit, format, observations, skip_bad } => {
            let request = service_cmd::Request {
                folder: &folder,
                period,
                from: from.as_deref(),
                to: to.as_deref(),
                unit: unit.as_deref(),
                format,
                observations,
                skip_bad,
            };
            return service_cmd::run(&request, lang);
        }
        Command::ServiceData {
            folder,
            seed,
            from,
            months,
            procedures,
            dossiers,
            petitions,
            units,
            force,
        } => {
            let request = service_data_cmd::Request {
                folder: &folder,
                seed,
                from: from.as_deref(),
                months,
                procedures,
                dossiers,
                petitions,
                units,
                force,
            };
            return service_data_cmd::run(&request, lang);
        }
        Command::Analyze { analysis } => match analyze_cmd::run(analysis, lang)? {
            Some(result) => out = result,
            None => return Ok(ExitCode::FAILURE),
        },
        Command::Report { package, format, out, decision, decided_on } => {
            let request = report_cmd::ReportRequest {
                package: &package,
                format,
                out: out.as_deref(),
                decision,
                decided_on,
            };
            return report_cmd::report(request, lang);
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `chiso migrate`: creates or upgrades the database and says which one.
fn migrate(database: &cli::DatabaseArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        serve_cmd::open_store(database).await?.close().await;
        anyhow::Ok(())
    })?;
    eprintln!(
        "{} {}",
        lang.pick("Cơ sở dữ liệu đã sẵn sàng:", "The database is ready:"),
        serve_cmd::redacted(&database.url())
    );
    Ok(ExitCode::SUCCESS)
}

fn load(dir: &Path, lang: Lang) -> Option<Package> {
    Package::load(dir).map_err(|errors| print_errors(dir, &errors, lang)).ok()
}

fn load_and_score(
    dir: &Path,
    monitoring: Option<&Path>,
    lang: Lang,
) -> Option<(Package, chiso_core::AssessmentResults)> {
    let mut package = load(dir, lang)?;
    if let Some(monitoring_dir) = monitoring {
        let monitoring = MonitoringPackage::load(monitoring_dir)
            .map_err(|errors| print_errors(monitoring_dir, &errors, lang))
            .ok()?;
        package
            .fill_from_monitoring(&monitoring.monitoring)
            .map_err(|errors| print_errors(dir, &errors, lang))
            .ok()?;
    }
    // One thread: this process scores once and exits, and a second thread's start-up
    // and memory arena cost more CPU than it saves (docs/benchmarks.md, issue 11).
    let Ok(results) = chiso_core::score_assessment_on(&package.assessment, &package.values, 1) else {
        // Scored again only to place the errors at their lines in values.csv.
        let errors = package.score().err()?;
        print_errors(dir, &errors, lang);
        return None;
    };
    Some((package, results))
}

/// Lists a refused package's errors on standard error, each as `PATH:LINE: …`.
fn print_errors(dir: &Path, errors: &PackageErrors, lang: Lang) {
    let mut err = std::io::stderr().lock();
    let count = errors.0.len();
    let _ = writeln!(
        err,
        "{}",
        match lang {
            Lang::Vi => format!("Gói đánh giá {} bị từ chối: {count} lỗi, chưa chấm điểm gì.", dir.display()),
            Lang::En =>
                format!("The package {} was refused: {count} error(s); nothing was scored.", dir.display()),
        }
    );
    for e in errors.0.iter().take(ERROR_LIMIT) {
        let mut located = e.clone();
        if !Path::new(&e.file).is_absolute() && dir.join(&e.file) != Path::new(&e.file) && dir.is_dir() {
            located.file = dir.join(&e.file).display().to_string();
        }
        let _ = writeln!(err, "{}", located.render(lang));
    }
    if count > ERROR_LIMIT {
        let more = count - ERROR_LIMIT;
        let _ =
            writeln!(err, "{}", lang.pick(&format!("… và {more} lỗi khác"), &format!("… and {more} more")));
    }
}
