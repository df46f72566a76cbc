//! The Son La packages built into the binary: the embedded default that `chiso
//! serve` imports on its first start, so it works from any folder.

use chiso_io::Files;
use std::collections::BTreeMap;

macro_rules! package {
    ($dir:literal: $($file:literal),+ $(,)?) => {
        Files::Memory(BTreeMap::from([
            $(($file.to_owned(), include_bytes!(concat!("../../../data/sonla/", $dir, "/", $file)).to_vec())),+
        ]))
    };
}

/// data/sonla/2024: the 2024 assessment round.
pub fn sonla_2024() -> Files {
    package!("2024": "assessment.toml", "frameworks/provincial.toml", "frameworks/district.toml", "units.csv", "values.csv")
}

/// data/sonla/2025: the 2025 round (merged departments, 75 communes and wards,
/// the lineage from 2024), without values: a round to prepare, not a result.
pub fn sonla_2025() -> Files {
    package!("2025": "assessment.toml", "frameworks/department.toml", "frameworks/commune.toml", "units.csv", "values.csv", "lineage.csv")
}

/// data/sonla/monitoring: the KPI catalogue and observations.
pub fn sonla_monitoring() -> Files {
    package!("monitoring": "kpis.toml", "observations.csv")
}

/// The decision under which the bundled 2024 results are published. The
/// province's own decision number is not in our sources, so the text says what
/// the data is rather than inventing a number.
pub const SONLA_2024_DECISION: &str =
    "Kết quả Sơn La 2024 đi kèm chiso (data/sonla/2024) · Son La 2024 results bundled with chiso";

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_io::{MonitoringPackage, Package};

    #[test]
    fn the_bundled_packages_are_valid() {
        let package = Package::from_files(sonla_2024()).unwrap();
        assert_eq!(package.assessment.units.len(), 32);
        let next = Package::from_files(sonla_2025()).unwrap();
        next.check_references().unwrap();
        next.check_lineage_against(&package).unwrap();
        assert_eq!(next.assessment.units.len(), 90);
        let monitoring = MonitoringPackage::from_files(sonla_monitoring()).unwrap();
        assert_eq!(monitoring.monitoring.catalogue.kpis.len(), 34);
    }
}
