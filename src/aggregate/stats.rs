//! Exact summary statistics: nearest-rank percentiles selected from all the values, no
//! sketches. Builds the report's [`Stats`].

use core::cmp::Ordering;

use crate::report::Stats;

/// The 0-based index of the `percent`th percentile of `n` sorted values by nearest rank:
/// rank `ceil(percent·n/100)`, at least 1. `None` for `n == 0`.
// Public for the crate's table test of the rank (`tests/analytics.rs`); the oracles use
// ranks of their own. Not an API for embedders.
#[doc(hidden)]
pub fn nearest_rank_index(n: usize, percent: u32) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let rank = (n as u128 * u128::from(percent)).div_ceil(100).max(1);
    Some(usize::try_from(rank).map_or(n, |r| r.min(n)) - 1)
}

/// The exact count, sum, minimum and maximum of fixed-point values: what STATS need
/// besides the percentiles, and what an account rollup adds up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Extent {
    pub(crate) count: u64,
    pub(crate) sum: u128,
    pub(crate) min: u32,
    pub(crate) max: u32,
}

impl Extent {
    /// Nothing counted (`min` above `max`).
    pub(crate) const EMPTY: Extent = Extent {
        count: 0,
        sum: 0,
        min: u32::MAX,
        max: 0,
    };

    /// Of a slice, in passes the compiler vectorises.
    pub(crate) fn of(values: &[u32]) -> Extent {
        // Each chunk's sum fits in a u64 (fewer than 2^32 values below 2^32), which adds
        // in vector registers; a u128 running sum would not.
        let sum = values
            .chunks(u32::MAX as usize)
            .map(|chunk| u128::from(chunk.iter().map(|&v| u64::from(v)).sum::<u64>()))
            .sum();
        Extent {
            count: values.len() as u64,
            sum,
            min: values.iter().copied().fold(u32::MAX, u32::min),
            max: values.iter().copied().fold(0, u32::max),
        }
    }

    /// Both together.
    pub(crate) fn merge(&mut self, other: &Extent) {
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }
}

impl Stats {
    /// Stats of fixed-point values in any order, reported divided by `scale`. Reorders
    /// `values`. The mean is an exact integer sum divided once.
    pub(crate) fn from_fixed(values: &mut [u32], scale: f64, samples: u64) -> Stats {
        Self::from_fixed_extent(values, Extent::of(values), scale, samples)
    }

    /// [`from_fixed`](Self::from_fixed), given the values' extent.
    pub(crate) fn from_fixed_extent(
        values: &mut [u32],
        extent: Extent,
        scale: f64,
        samples: u64,
    ) -> Stats {
        let present = extent.count > 0;
        let to_f64 = |v: u32| f64::from(v) / scale;
        Stats {
            min: present.then(|| to_f64(extent.min)),
            mean: present.then(|| extent.sum as f64 / extent.count as f64 / scale),
            max: present.then(|| to_f64(extent.max)),
            ..Self::selected(values, samples, u32::cmp, to_f64)
        }
    }

    /// Stats of signed fixed-point values in any order (dBm, hundredths of a score),
    /// reported divided by `scale`. Reorders `values`. The mean is an exact integer sum
    /// divided once.
    pub(crate) fn from_signed<T: Copy + Ord + Into<i32>>(
        values: &mut [T],
        scale: f64,
        samples: u64,
    ) -> Stats {
        let present = !values.is_empty();
        let sum: i64 = values.iter().map(|&v| i64::from(v.into())).sum();
        let to_f64 = |v: T| f64::from(v.into()) / scale;
        Stats {
            min: values.iter().copied().min().map(to_f64),
            mean: present.then(|| sum as f64 / values.len() as f64 / scale),
            max: values.iter().copied().max().map(to_f64),
            ..Self::selected(values, samples, T::cmp, to_f64)
        }
    }

    /// Stats of `f64` values in any order (ranked by `total_cmp`). Reorders `values`.
    pub(crate) fn from_f64(values: &mut [f64], samples: u64) -> Stats {
        let present = !values.is_empty();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let min = values.iter().copied().min_by(f64::total_cmp);
        let max = values.iter().copied().max_by(f64::total_cmp);
        Stats {
            min,
            mean: present.then_some(mean),
            max,
            ..Self::selected(values, samples, f64::total_cmp, |v| v)
        }
    }

    /// The count, missing and percentiles (minimum, mean and maximum left `None`).
    /// Selects instead of sorting: `O(n)` per rank, not `O(n log n)`.
    fn selected<T: Copy>(
        values: &mut [T],
        samples: u64,
        cmp: impl Fn(&T, &T) -> Ordering,
        to_f64: impl Fn(T) -> f64,
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
            min: None,
            mean: None,
            p50,
            p90,
            p95,
            p99,
            max: None,
        }
    }
}
