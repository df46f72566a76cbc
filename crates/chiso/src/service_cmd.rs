//! `chiso service-index FOLDER`: the public-service quality index (Decision
//! 766/QĐ-TTg) of a service folder, as a table, JSON, CSV or KPI observations, with
//! a progress bar on a terminal. Output is printed only when the whole folder was
//! read; errors go to standard error.

use crate::cli::{Format, PeriodArg};
use chiso_core::Lang;
use chiso_core::service_index::{PeriodKind, PeriodRange};
use chiso_io::feed::{NoProgress, Progress};
use chiso_io::service::document::ServiceIndexDocument;
use chiso_io::service::{ServiceOptions, ServiceRun, output, read_folder, table};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// The command's settings, as given.
#[derive(Debug)]
pub struct Request<'a> {
    pub folder: &'a Path,
    pub period: PeriodArg,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub format: Format,
    pub observations: bool,
    pub skip_bad: bool,
}

/// A bar over the bytes of dossiers.csv, drawn on standard error.
struct Bar {
    bar: ProgressBar,
    lang: Lang,
}

impl Progress for Bar {
    fn advance(&self, bytes: u64, rows: u64) {
        self.bar.set_position(bytes);
        self.bar.set_message(format!("{rows} {}", self.lang.pick("hồ sơ", "dossiers")));
    }
}

fn bar(dossiers: &Path, lang: Lang) -> Option<Bar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let length = std::fs::metadata(dossiers).map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(length);
    let style =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(Bar { bar, lang })
}

pub fn run(request: &Request<'_>, lang: Lang) -> anyhow::Result<ExitCode> {
    let range = match PeriodRange::parse(request.from, request.to) {
        Ok(range) => range,
        Err(problem) => {
            eprintln!("{}", problem.message(lang));
            return Ok(ExitCode::FAILURE);
        }
    };
    let period = match request.period {
        PeriodArg::Month => PeriodKind::Month,
        PeriodArg::Quarter => PeriodKind::Quarter,
        PeriodArg::Year => PeriodKind::Year,
    };
    let options = ServiceOptions { period, range, skip_bad: request.skip_bad };
    let bar = bar(&request.folder.join("dossiers.csv"), lang);
    let progress: &dyn Progress = match &bar {
        Some(bar) => bar,
        None => &NoProgress,
    };
    let result = read_folder(request.folder, &options, progress);
    if let Some(bar) = &bar {
        bar.bar.finish_and_clear();
    }
    let run = match result {
        Ok(run) => run,
        Err(e) => {
            eprintln!("{}", e.render(lang));
            return Ok(ExitCode::FAILURE);
        }
    };
    let unit = match request.unit.map(|code| run.index.catalogue.unit_id(code.trim())).transpose() {
        Ok(unit) => unit,
        Err(problem) => {
            eprintln!("--unit: {}", problem.message(lang));
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut out: Vec<u8> = Vec::new();
    if request.observations {
        output::write_observations(&mut out, &run.index, unit)?;
    } else {
        match request.format {
            Format::Table => out.extend(table::render(&run.index, lang, unit).into_bytes()),
            Format::Json => ServiceIndexDocument::new(&run.index, lang, unit).write(&mut out)?,
            Format::Csv => output::write_csv(&mut out, &run.index, lang, unit)?,
        }
    }
    report_skipped(&run, lang);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// With `--skip-bad`: how many rows were skipped, and the first few, on stderr.
fn report_skipped(run: &ServiceRun, lang: Lang) {
    if run.skipped == 0 {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "{}",
        match lang {
            Lang::Vi =>
                format!("Đã bỏ qua {} dòng lỗi trong {} dòng; các lỗi đầu tiên:", run.skipped, run.rows),
            Lang::En => format!("Skipped {} bad rows of {}; the first:", run.skipped, run.rows),
        }
    );
    for bad in &run.first_bad {
        let _ = writeln!(err, "  {}", bad.render(lang));
    }
}
