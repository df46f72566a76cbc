//! Rounding and standard competition ranking (xếp hạng).

/// Rounds half away from zero to `decimals` decimals, as the spec asks for totals
/// before ranking and banding. Values that are a binary hair below a half (91.475
/// is stored as 91.47499999…) round as the decimal they were meant to be.
pub fn round_half_away(value: f64, decimals: u32) -> f64 {
    let factor = 10f64.powi(decimals as i32);
    rounded_key(value, decimals) as f64 / factor
}

/// The rounded value scaled to an integer (91.48 at 2 decimals is 9148), so that
/// ties are decided exactly.
pub fn rounded_key(value: f64, decimals: u32) -> i64 {
    let scaled = value * 10f64.powi(decimals as i32);
    // A nudge of 1e-7 of the last kept digit lifts a value that is a binary hair
    // below a half (sums of a few hundred terms err by far less) and is far below
    // any difference a person would write. It is absolute in scaled units, so it
    // vanishes for large values instead of growing with them.
    (scaled + scaled.signum() * 1e-7).round() as i64
}

/// Standard competition ranks ("1224") of the given keys, higher is better:
/// a unit's rank is one more than the number of units with a strictly higher key.
pub fn competition_ranks(keys: &[i64]) -> Vec<usize> {
    let mut sorted: Vec<i64> = keys.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    keys.iter().map(|k| sorted.partition_point(|s| s > k) + 1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_half_away(91.475, 2), 91.48);
        assert_eq!(round_half_away(-1.005, 2), -1.01);
        assert_eq!(round_half_away(2.5, 0), 3.0);
        assert_eq!(round_half_away(89.944999, 2), 89.94);
        assert_eq!(rounded_key(0.125, 2), 13);
        assert_eq!(round_half_away(680000.0, 6), 680000.0);
        assert_eq!(round_half_away(123456789.125, 2), 123456789.13);
    }

    #[test]
    fn ranks_are_standard_competition_ranks() {
        assert_eq!(competition_ranks(&[90, 80, 80, 70]), vec![1, 2, 2, 4]);
        assert_eq!(competition_ranks(&[70, 80, 90, 80]), vec![4, 2, 1, 2]);
        assert_eq!(competition_ranks(&[]), Vec::<usize>::new());
        assert_eq!(competition_ranks(&[5, 5, 5]), vec![1, 1, 1]);
    }
}
