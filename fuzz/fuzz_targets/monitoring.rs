//! A monitoring package with kpis.toml or observations.csv replaced by the input; a
//! package that loads is judged as `chiso kpi` does, for the province and a unit.
//! Also observations.csv alone against the bundled catalogue (the web upload).
#![no_main]

use chiso_fuzz::{monitoring_files, replaced, split};
use chiso_io::{Files, MonitoringPackage};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn bundled() -> &'static MonitoringPackage {
    static PACKAGE: OnceLock<MonitoringPackage> = OnceLock::new();
    PACKAGE.get_or_init(|| match MonitoringPackage::from_files(Files::Memory(monitoring_files().clone())) {
        Ok(package) => package,
        Err(e) => panic!("the bundled monitoring package does not load: {e:?}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = split(data) else { return };
    match selector % 3 {
        0 | 1 => {
            let name = if selector % 3 == 0 { "kpis.toml" } else { "observations.csv" };
            if let Ok(package) = MonitoringPackage::from_files(replaced(monitoring_files(), name, bytes)) {
                let monitoring = &package.monitoring;
                for scope in ["province", "116"] {
                    let year = monitoring.latest_year(scope).unwrap_or(2025);
                    let _ = monitoring.statuses(scope, year);
                    let _ = monitoring.statuses(scope, year.saturating_sub(1));
                }
            }
        }
        _ => {
            let files = replaced(&Default::default(), "observations.csv", bytes);
            let _ = chiso_io::monitoring::read_observations_with(&files, &bundled().monitoring.catalogue);
        }
    }
});
