//! The uncertainty specification (`chiso analyze uncertainty --spec`); a spec that
//! parses is run on the bundled package with a few samples.
#![no_main]

use chiso_fuzz::bundled_package;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mut spec) = chiso_io::uncertainty::parse(text, "uncertainty.toml") else { return };
    // The number of samples is the user's choice of run time, not the reader's.
    spec.samples = spec.samples.min(8);
    let package = bundled_package();
    let _ = chiso_core::analysis::uncertainty(&package.assessment, &package.values, &spec, &|_| {});
});
