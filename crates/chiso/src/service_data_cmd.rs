//! `chiso service-data FOLDER`: writes a generated, illustrative Son La service
//! folder (units.csv, procedures.csv, dossiers.csv, petitions.csv) for trying
//! `chiso service-index`, tests and benchmarks; never published fact. Refuses a
//! folder that already holds one of the four files unless `--force`.

use chiso_core::Lang;
use chiso_io::service::generate::{FILES, GenerateOptions, generate};
use std::path::Path;
use std::process::ExitCode;

/// The command's settings, as given (None: the generator's default).
#[derive(Debug)]
pub struct Request<'a> {
    pub folder: &'a Path,
    pub seed: Option<u64>,
    pub from: Option<&'a str>,
    pub months: Option<u32>,
    pub procedures: Option<usize>,
    pub dossiers: Option<u64>,
    pub petitions: Option<u64>,
    pub units: Option<usize>,
    pub force: bool,
}

/// `YYYY-MM` as (year, month).
fn parse_month(text: &str) -> Option<(i32, u8)> {
    let (year, month) = text.trim().split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    Some((year.parse().ok()?, month.parse().ok()?))
}

pub fn run(request: &Request<'_>, lang: Lang) -> anyhow::Result<ExitCode> {
    let defaults = GenerateOptions::default();
    let from = match request.from.map(|text| (text, parse_month(text))) {
        None => defaults.from,
        Some((_, Some(from))) => from,
        Some((text, None)) => {
            eprintln!(
                "{}",
                match lang {
                    Lang::Vi =>
                        format!("--from: \"{text}\" không phải một tháng dạng YYYY-MM (ví dụ 2025-07)"),
                    Lang::En => format!("--from: \"{text}\" is not a month written YYYY-MM (e.g. 2025-07)"),
                }
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let options = GenerateOptions {
        seed: request.seed.unwrap_or(defaults.seed),
        from,
        months: request.months.unwrap_or(defaults.months),
        procedures: request.procedures.unwrap_or(defaults.procedures),
        dossiers: request.dossiers.unwrap_or(defaults.dossiers),
        petitions: request.petitions.unwrap_or(defaults.petitions),
        units: request.units.or(defaults.units),
    };
    if let Some(problem) = options.problem() {
        eprintln!("{}", problem.message(lang));
        return Ok(ExitCode::FAILURE);
    }
    let folder = request.folder;
    if folder.exists() && !folder.is_dir() {
        eprintln!(
            "{}",
            match lang {
                Lang::Vi => format!("{} đã có và không phải một thư mục", folder.display()),
                Lang::En => format!("{} exists and is not a folder", folder.display()),
            }
        );
        return Ok(ExitCode::FAILURE);
    }
    let present: Vec<&str> = FILES.iter().copied().filter(|name| folder.join(name).exists()).collect();
    if !present.is_empty() && !request.force {
        eprintln!(
            "{}",
            match lang {
                Lang::Vi => format!(
                    "{} đã có {}: không ghi đè (dùng --force để thay thế)",
                    folder.display(),
                    present.join(", ")
                ),
                Lang::En => format!(
                    "{} already holds {}: not overwritten (--force replaces them)",
                    folder.display(),
                    present.join(", ")
                ),
            }
        );
        return Ok(ExitCode::FAILURE);
    }
    let summary = match generate(folder, &options) {
        Ok(summary) => summary,
        Err(e) => {
            eprintln!(
                "{}",
                match lang {
                    Lang::Vi => format!("không ghi được {}: {e}", folder.display()),
                    Lang::En => format!("cannot write {}: {e}", folder.display()),
                }
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let (u, p, d, q, pending) =
        (summary.units, summary.procedures, summary.dossiers, summary.petitions, summary.pending);
    // The command's result: on standard output, like every successful run's.
    println!(
        "{}",
        match lang {
            Lang::Vi => format!(
                "Đã tạo dữ liệu minh hoạ (sinh ngẫu nhiên, không phải số liệu công bố) trong {}: \
                 units.csv {u} dòng, procedures.csv {p} dòng, dossiers.csv {d} dòng ({pending} đang xử lý), \
                 petitions.csv {q} dòng.",
                folder.display()
            ),
            Lang::En => format!(
                "Wrote illustrative data (generated, not published figures) to {}: \
                 units.csv {u} rows, procedures.csv {p} rows, dossiers.csv {d} rows ({pending} pending), \
                 petitions.csv {q} rows.",
                folder.display()
            ),
        }
    );
    Ok(ExitCode::SUCCESS)
}
