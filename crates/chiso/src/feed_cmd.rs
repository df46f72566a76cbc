//! `chiso feed`: runs a feed aggregator with a progress bar on a terminal.

use crate::cli::{FeedKindArg, PeriodArg};
use chiso_core::Lang;
use chiso_io::feed::{FeedKind, FeedOptions, Granularity, NoProgress, Progress, run_feed, run_feed_to_file};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// A byte-sized bar with rows per second, drawn on standard error.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn advance(&self, bytes: u64, rows: u64) {
        self.0.set_position(bytes);
        let seconds = self.0.elapsed().as_secs_f64().max(1e-3);
        self.0.set_message(format!("{rows} rows, {:.0} rows/s", rows as f64 / seconds));
    }
}

fn bar(input: &Path) -> Option<Bar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let length = std::fs::metadata(input).map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(length);
    let style =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(Bar(bar))
}

pub fn run(
    kind: FeedKindArg,
    input: &Path,
    period: PeriodArg,
    out: Option<&Path>,
    skip_bad: bool,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let kind = match kind {
        FeedKindArg::Dossiers => FeedKind::Dossiers,
        FeedKindArg::Documents => FeedKind::Documents,
    };
    let granularity = match period {
        PeriodArg::Month => Granularity::Month,
        PeriodArg::Quarter => Granularity::Quarter,
        PeriodArg::Year => Granularity::Year,
    };
    let options = FeedOptions { granularity, skip_bad, threads: 0 };
    let bar = bar(input);
    let progress: &dyn Progress = match &bar {
        Some(bar) => bar,
        None => &NoProgress,
    };
    let result = match out {
        Some(path) => run_feed_to_file(kind, input, path, &options, progress),
        None => {
            let stdout = std::io::stdout();
            let mut locked = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let result = run_feed(kind, input, &mut locked, &options, progress);
            let flushed = locked.flush();
            match (result, flushed) {
                (Ok(_), Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    return Ok(ExitCode::SUCCESS);
                }
                (Ok(_), Err(e)) => return Err(e.into()),
                (result, _) => result,
            }
        }
    };
    if let Some(bar) = &bar {
        bar.0.finish_and_clear();
    }
    let summary = match result {
        Ok(summary) => summary,
        Err(e) if e.is_broken_pipe() => return Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("{}", e.render(lang));
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut err = std::io::stderr().lock();
    if summary.skipped > 0 {
        let _ = writeln!(
            err,
            "{}",
            match lang {
                Lang::Vi => format!(
                    "Đã bỏ qua {} dòng lỗi trong {} dòng; các lỗi đầu tiên:",
                    summary.skipped, summary.rows
                ),
                Lang::En => format!("Skipped {} bad rows of {}; the first:", summary.skipped, summary.rows),
            }
        );
        for bad in &summary.first_bad {
            let _ = writeln!(err, "  {}", bad.render(input, lang));
        }
    }
    if let Some(path) = out {
        let _ = writeln!(
            err,
            "{}",
            match lang {
                Lang::Vi => format!(
                    "{} dòng → {} số liệu, đã ghi {}",
                    summary.rows,
                    summary.observations,
                    path.display()
                ),
                Lang::En => format!(
                    "{} rows → {} observations, written to {}",
                    summary.rows,
                    summary.observations,
                    path.display()
                ),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
