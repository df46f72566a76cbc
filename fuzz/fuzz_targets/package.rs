//! An assessment package with one file replaced by the input: assessment.toml, a
//! framework, units.csv or values.csv (long or wide). A package that loads is scored
//! and checked as `chiso check` does.
#![no_main]

use chiso_fuzz::{assessment_files, replaced, split};
use libfuzzer_sys::fuzz_target;

const FILES: [&str; 5] =
    ["assessment.toml", "frameworks/provincial.toml", "frameworks/district.toml", "units.csv", "values.csv"];

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = split(data) else { return };
    let name = FILES[usize::from(selector) % FILES.len()];
    let files = replaced(assessment_files(), name, bytes);
    if let Ok(package) = chiso_io::Package::from_files(files) {
        let _ = package.score();
    }
});
