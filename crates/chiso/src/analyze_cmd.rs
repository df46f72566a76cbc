//! `chiso analyze uncertainty|sensitivity|gap`: loads the package as `chiso score`
//! does (same refusals), and the uncertainty specification (refusals with their
//! `FILE:LINE`), runs the analysis of `chiso_core::analysis` and renders it with
//! `chiso_io::render::analysis`. A progress bar runs on standard error when it is
//! a terminal. The package is never changed.

use crate::cli::{Analysis, AnalysisFormat};
use chiso_core::analysis::{self, AnalysisError, UncertaintySpec};
use chiso_core::{Assessment, AssessmentResults, Lang};
use chiso_io::Package;
use chiso_io::render::analysis::{gap, sensitivity, uncertainty};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;

/// What goes to standard output, or `None` when the analysis was refused (the
/// reasons are already on standard error).
pub type Output = Option<Vec<u8>>;

pub fn run(analysis: Analysis, lang: Lang) -> anyhow::Result<Output> {
    match analysis {
        Analysis::Uncertainty { package, spec, format } => run_uncertainty(&package, &spec, format, lang),
        Analysis::Sensitivity { package, spec, bootstrap, format } => {
            run_sensitivity(&package, &spec, bootstrap, format, lang)
        }
        Analysis::Gap { package, unit, format } => run_gap(&package, &unit, format, lang),
    }
}

fn run_uncertainty(
    dir: &Path,
    spec_file: &Path,
    format: AnalysisFormat,
    lang: Lang,
) -> anyhow::Result<Output> {
    let Some((package, _, spec)) = load_with_spec(dir, spec_file, lang) else { return Ok(None) };
    let bar = progress_bar(spec.samples, lang.pick("Bất định", "Uncertainty"));
    let progress = |n: usize| advance(&bar, n);
    let result = analysis::uncertainty(&package.assessment, &package.values, &spec, &progress);
    finish(&bar);
    let result = match result {
        Ok(result) => result,
        Err(e) => return Ok(refuse_spec(spec_file, &e, &package.assessment, lang)),
    };
    let assessment = &package.assessment;
    match format {
        AnalysisFormat::Table => Ok(Some(uncertainty::render(assessment, &result, lang).into_bytes())),
        AnalysisFormat::Json => json(&uncertainty::to_json(assessment, &result, lang)),
    }
}

fn run_sensitivity(
    dir: &Path,
    spec_file: &Path,
    bootstrap: usize,
    format: AnalysisFormat,
    lang: Lang,
) -> anyhow::Result<Output> {
    let Some((package, _, spec)) = load_with_spec(dir, spec_file, lang) else { return Ok(None) };
    // Saltelli's design runs the model N × (d + 2) times for d inputs.
    let inputs = spec.weights.len()
        + usize::from(!spec.normalise.is_empty())
        + usize::from(!spec.aggregate.is_empty());
    let runs = spec.samples.saturating_mul(inputs + 2);
    let bar = progress_bar(runs, lang.pick("Độ nhạy", "Sensitivity"));
    let progress = |n: usize| advance(&bar, n);
    let result = analysis::sensitivity(&package.assessment, &package.values, &spec, bootstrap, &progress);
    finish(&bar);
    let result = match result {
        Ok(result) => result,
        Err(e) => return Ok(refuse_spec(spec_file, &e, &package.assessment, lang)),
    };
    let assessment = &package.assessment;
    match format {
        AnalysisFormat::Table => {
            Ok(Some(sensitivity::render(assessment, &result, bootstrap, lang).into_bytes()))
        }
        AnalysisFormat::Json => json(&sensitivity::to_json(assessment, &result)),
    }
}

fn run_gap(dir: &Path, code: &str, format: AnalysisFormat, lang: Lang) -> anyhow::Result<Output> {
    let Some((package, results)) = crate::load_and_score(dir, None, lang) else { return Ok(None) };
    let assessment = &package.assessment;
    let code = code.trim();
    let Some(unit) = assessment.units.iter().position(|u| u.code == code) else {
        let dir = dir.display();
        eprintln!(
            "{}",
            match lang {
                Lang::Vi => format!(
                    "lỗi: gói {dir} không có đơn vị nào mã \"{code}\" (xem mã các đơn vị bằng: chiso score {dir})"
                ),
                Lang::En => format!(
                    "error: the package {dir} has no unit with code \"{code}\" (list the units with: chiso score {dir})"
                ),
            }
        );
        return Ok(None);
    };
    let found = match analysis::gap(assessment, &package.values, &results, unit) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("{}: {}", lang.pick("lỗi", "error"), e.message(assessment, lang));
            return Ok(None);
        }
    };
    match format {
        AnalysisFormat::Table => Ok(Some(gap::render(assessment, &results, &found, lang).into_bytes())),
        AnalysisFormat::Json => json(&gap::to_json(assessment, &found, lang)),
    }
}

/// The package, scored, and the specification. Both are read even when one is
/// refused, so that every problem is reported at once.
fn load_with_spec(
    dir: &Path,
    spec_file: &Path,
    lang: Lang,
) -> Option<(Package, AssessmentResults, UncertaintySpec)> {
    let scored = crate::load_and_score(dir, None, lang);
    let spec =
        chiso_io::uncertainty::load(spec_file).map_err(|errors| eprint!("{}", errors.report(lang))).ok();
    let (package, results) = scored?;
    Some((package, results, spec?))
}

/// Reports a specification that does not fit the package (a depth it does not
/// have, alternatives for a points framework, …) as `SPEC: message`.
fn refuse_spec(spec_file: &Path, error: &AnalysisError, assessment: &Assessment, lang: Lang) -> Output {
    eprintln!("{}: {}", spec_file.display(), error.message(assessment, lang));
    None
}

fn json(document: &serde_json::Value) -> anyhow::Result<Output> {
    let mut out = serde_json::to_vec_pretty(document)?;
    out.push(b'\n');
    Ok(Some(out))
}

/// A bar of `total` steps on standard error, only when it is a terminal.
fn progress_bar(total: usize, label: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total as u64);
    let style = ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({elapsed}, {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(label.to_string());
    Some(bar)
}

/// Called by the engine from its worker threads: `ProgressBar` is `Sync`.
fn advance(bar: &Option<ProgressBar>, steps: usize) {
    if let Some(bar) = bar {
        bar.inc(steps as u64);
    }
}

fn finish(bar: &Option<ProgressBar>) {
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
