//! Exact summary statistics: nearest-rank percentiles selected from all the values, no
//! sketches. Builds the report's [`Stats`].

use core::cmp::Ordering;

use crate::report::Stats;

/// The 0-based index of the `percent`th percentile of `n` sorted values by nearest rank:
/// rank `ceil(percent·n/100)`, at least 1. `None` for `n == 0`.
pub fn nearest_rank_index(n: usize, percent: u32) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let rank = (n as u128 * u128::from(percent)).div_ceil(100).max(1);
    Some(usize::try_from(rank).map_or(n, |r| r.min(n)) - 1)
}

impl Stats {
    /// Stats of fixed-point values in any order, reported divided by `scale`. Reorders
    /// `values`. The mean is an exact integer sum divided once.
    pub fn from_fixed(values: &mut [u32], scale: f64, samples: u64) -> Stats {
        let sum: u128 = values.iter().map(|&v| u128::from(v)).sum();
        let mean = sum as f64 / values.len() as f64 / scale;
        Self::build(values, samples, u32::cmp, |v| f64::from(v) / scale, mean)
    }

    /// Stats of `f64` values in any order (ranked by `total_cmp`). Reorders `values`.
    pub fn from_f64(values: &mut [f64], samples: u64) -> Stats {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        Self::build(values, samples, f64::total_cmp, |v| v, mean)
    }

    /// Selects the percentiles instead of sorting: `O(n)` per rank, not `O(n log n)`.
    fn build<T: Copy>(
        values: &mut [T],
        samples: u64,
        cmp: impl Fn(&T, &T) -> Ordering,
        to_f64: impl Fn(T) -> f64,
        mean: f64,
    ) -> Stats {
        let n = values.len();
        let mut percentiles = [None; Stats::PERCENTILES.len()];
        // Ranks ascend, and after each selection the values from `from` on are exactly
        // those of rank `from` and above: each selection searches only those.
        let mut from = 0;
        for (slot, percent) in percentiles.iter_mut().zip(Stats::PERCENTILES) {
            if let Some(index) = nearest_rank_index(n, percent) {
                let (_, value, _) = values[from..].select_nth_unstable_by(index - from, &cmp);
                *slot = Some(to_f64(*value));
                from = index;
            }
        }
        let [p50, p90, p95, p99] = percentiles;
        Stats {
            count: n as u64,
            missing: samples.saturating_sub(n as u64),
            min: values.iter().copied().min_by(&cmp).map(&to_f64),
            mean: (n > 0).then_some(mean),
            p50,
            p90,
            p95,
            p99,
            max: values.iter().copied().max_by(&cmp).map(&to_f64),
        }
    }
}
