//! Results written out: the spec's JSON, an aligned table, CSV, the summary
//! paragraph a province publishes, and the `check` summary.

pub mod analysis;
pub mod csv;
pub mod group_csv;
pub mod json;
pub mod kpi;
pub mod report;
pub mod summary;
pub mod table;

/// Removes binary floating-point noise (91.47999999999999 → 91.48) without
/// rounding anything a person could have meant: values are kept to 1e-9.
pub fn clean(value: f64) -> f64 {
    if value.abs() >= 1e6 {
        return value;
    }
    let cleaned = (value * 1e9).round() / 1e9;
    if cleaned == 0.0 { 0.0 } else { cleaned }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clean_removes_float_noise_only() {
        assert_eq!(super::clean(91.47999999999999), 91.48);
        assert_eq!(super::clean(0.1 + 0.2), 0.3);
        assert_eq!(super::clean(1.0 / 3.0), 0.333333333);
        assert_eq!(super::clean(-0.0), 0.0);
    }
}
