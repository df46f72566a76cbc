//! `chiso report` (the summary paragraph, or the province's whole report as
//! Markdown, Word or PDF) and the steering committee's monitoring report of
//! `chiso kpi --format md|docx|pdf`. Word and PDF go only to a file (`--out`),
//! written beside its destination and renamed into place, so a reader never sees
//! half a document and a refused command leaves nothing behind.

use crate::cli::{KpiFormat, ReportFormat};
use chiso_core::analysis;
use chiso_core::kpi::Monitoring;
use chiso_core::{Assessment, AssessmentResults, Lang};
use chiso_io::Package;
use chiso_io::render::{kpi, report as summary};
use chiso_io::report::{self, DocumentError, ReportMeta};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Where the uncertainty specification of a package is looked for: when present,
/// the report has a robustness section.
const SPEC_FILE: &str = "uncertainty.toml";

/// What `chiso report` was asked for, as parsed.
#[derive(Debug)]
pub struct ReportRequest<'a> {
    pub package: &'a Path,
    pub format: ReportFormat,
    pub out: Option<&'a Path>,
    pub decision: Option<String>,
    pub decided_on: Option<String>,
}

pub fn report(request: ReportRequest, lang: Lang) -> anyhow::Result<ExitCode> {
    let binary = matches!(request.format, ReportFormat::Docx | ReportFormat::Pdf);
    if binary && request.out.is_none() {
        refuse_without_out(lang);
        return Ok(ExitCode::FAILURE);
    }
    if let Some(date) = &request.decided_on
        && !is_date(date)
    {
        eprintln!(
            "{}",
            match lang {
                Lang::Vi => format!(
                    "lỗi: --decided-on \"{date}\" không phải một ngày dạng YYYY-MM-DD (ví dụ 2025-03-20)"
                ),
                Lang::En => format!(
                    "error: --decided-on \"{date}\" is not a date written YYYY-MM-DD (e.g. 2025-03-20)"
                ),
            }
        );
        return Ok(ExitCode::FAILURE);
    }
    let Some((package, results)) = crate::load_and_score(request.package, None, lang) else {
        return Ok(ExitCode::FAILURE);
    };
    let a = &package.assessment;
    // Only the documents have a robustness section; the paragraph stays as fast as it was.
    let uncertainty = match request.format {
        ReportFormat::Text => None,
        _ => match robustness(request.package, &package, lang) {
            Ok(uncertainty) => uncertainty,
            Err(()) => return Ok(ExitCode::FAILURE),
        },
    };
    let meta = ReportMeta { decision: request.decision, decided_on: request.decided_on };
    let bytes = match document(request.format, a, &results, uncertainty.as_ref(), &meta, lang) {
        Ok(bytes) => bytes,
        Err(e) => return Ok(refuse_document(&e, lang)),
    };
    deliver(&bytes, request.out, lang)
}

fn document(
    format: ReportFormat,
    a: &Assessment,
    results: &AssessmentResults,
    uncertainty: Option<&analysis::UncertaintyResult>,
    meta: &ReportMeta,
    lang: Lang,
) -> Result<Vec<u8>, DocumentError> {
    match format {
        ReportFormat::Text => Ok(format!("{}\n", summary::render(a, results, lang)).into_bytes()),
        ReportFormat::Md => Ok(report::report_markdown(a, results, uncertainty, meta, lang).into_bytes()),
        ReportFormat::Docx => report::report_docx(a, results, uncertainty, meta, lang),
        ReportFormat::Pdf => report::report_pdf(a, results, uncertainty, meta, lang),
    }
}

/// The uncertainty analysis of the package's `uncertainty.toml`, `Ok(None)` when it
/// has none; `Err` (reasons on standard error) when the specification is refused.
fn robustness(dir: &Path, package: &Package, lang: Lang) -> Result<Option<analysis::UncertaintyResult>, ()> {
    let file = dir.join(SPEC_FILE);
    if !file.is_file() {
        return Ok(None);
    }
    let spec = chiso_io::uncertainty::load(&file).map_err(|errors| eprint!("{}", errors.report(lang)))?;
    analysis::uncertainty(&package.assessment, &package.values, &spec, &|_| {})
        .map(Some)
        .map_err(|e| eprintln!("{}: {}", file.display(), e.message(&package.assessment, lang)))
}

/// `chiso kpi`: the statuses as a table or JSON, or the monitoring report as
/// Markdown, Word or PDF; to standard output or to `out`.
pub fn kpi(
    monitoring: &Monitoring,
    scope: &str,
    year: i32,
    format: KpiFormat,
    out: Option<&Path>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let made = match format {
        KpiFormat::Table => {
            let statuses = monitoring.statuses(scope, year);
            Ok(kpi::render(monitoring, scope, year, &statuses, lang).into_bytes())
        }
        KpiFormat::Json => {
            let statuses = monitoring.statuses(scope, year);
            let mut json =
                serde_json::to_vec_pretty(&kpi::to_json(monitoring, scope, year, &statuses, lang))?;
            json.push(b'\n');
            Ok(json)
        }
        KpiFormat::Md => Ok(report::monitoring_markdown(monitoring, scope, year, lang).into_bytes()),
        KpiFormat::Docx => report::monitoring_docx(monitoring, scope, year, lang),
        KpiFormat::Pdf => report::monitoring_pdf(monitoring, scope, year, lang),
    };
    match made {
        Ok(bytes) => deliver(&bytes, out, lang),
        Err(e) => Ok(refuse_document(&e, lang)),
    }
}

/// Whether `--format` needs `--out` (Word and PDF are not for a terminal).
pub fn needs_out(format: KpiFormat) -> bool {
    matches!(format, KpiFormat::Docx | KpiFormat::Pdf)
}

pub fn refuse_without_out(lang: Lang) {
    eprintln!(
        "{}",
        lang.pick(
            "lỗi: định dạng docx và pdf cần --out TỆP (tệp cần ghi); không có gì được ghi.",
            "error: the docx and pdf formats need --out FILE (the file to write); nothing was written.",
        )
    );
}

fn refuse_document(error: &DocumentError, lang: Lang) -> ExitCode {
    eprintln!("{}: {}", lang.pick("lỗi", "error"), error.message(lang));
    eprintln!("  {}: {error}", lang.pick("chi tiết kỹ thuật", "technical detail"));
    ExitCode::FAILURE
}

/// `bytes` to the file `out` (atomically), or to standard output.
fn deliver(bytes: &[u8], out: Option<&Path>, lang: Lang) -> anyhow::Result<ExitCode> {
    match out {
        Some(path) => {
            // Silent on success, like every command that succeeds.
            write_atomically(path, bytes).map_err(|e| {
                anyhow::anyhow!("{} {}: {e}", lang.pick("không ghi được", "cannot write"), path.display())
            })?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a temporary file beside `path`, flushes it to disk and renames it over
/// `path`; on failure the temporary file is removed and `path` is untouched.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = crate::backup_cmd::partial_name(path);
    let written = (|| {
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&partial, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// `YYYY-MM-DD` with a month 1–12 and a day that month has.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts[..] else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    match (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) {
        (Ok(y), Ok(m @ 1..=12), Ok(d)) => d >= 1 && d <= chiso_core::kpi::days_in_month(y, m),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_day_by_day() {
        assert!(is_date("2025-03-20"));
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2025-02-29"));
        assert!(!is_date("2025-3-20"));
        assert!(!is_date("20/03/2025"));
    }
}
