//! splitmix64 (Steele, Lea, Flood): tiny, fast, and good enough for made-up data.
//! No `rand` crate, so that the bytes never change with a dependency's version.

#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    /// A generator for one stream (`stream` tells apart the files of one seed).
    pub(super) fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03));
        rng.next_u64();
        rng
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when n is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in [0, 1).
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Weighted choice by cumulative integer weights: the index whose slice of the
/// total a uniform draw falls in.
#[derive(Debug, Clone)]
pub(super) struct Weighted {
    cumulative: Vec<u64>,
}

impl Weighted {
    pub(super) fn new(weights: impl IntoIterator<Item = u64>) -> Weighted {
        let mut total = 0u64;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    pub(super) fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// An index, None when every weight is 0.
    pub(super) fn pick(&self, rng: &mut Rng) -> Option<usize> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let draw = rng.below(total);
        Some(self.cumulative.partition_point(|&c| c <= draw))
    }

    /// Splits `count` items over the weights, deterministically and exactly: the
    /// i-th gets ⌊count × W_i / W⌋ − ⌊count × W_{i−1} / W⌋ (cumulative W).
    pub(super) fn split(&self, count: u64) -> Vec<u64> {
        let total = u128::from(self.total().max(1));
        let mut before = 0u64;
        self.cumulative
            .iter()
            .map(|&c| {
                let upto = (u128::from(count) * u128::from(c) / total) as u64;
                let n = upto - before;
                before = upto;
                n
            })
            .collect()
    }
}
