//! Exact summary statistics over sorted values: nearest-rank percentiles, no sketches.

use serde::Serialize;

/// Summary of one metric over a meeting (report v1 `STATS`). Every field but `count` and
/// `missing` is `None` (JSON `null`) when no value is present.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Present values.
    pub count: u64,
    /// Samples without a value: absent, blank, `null`, invalid (and `0*0` for a resolution).
    pub missing: u64,
    /// Smallest value.
    pub min: Option<f64>,
    /// Arithmetic mean.
    pub mean: Option<f64>,
    /// Median by nearest rank.
    pub p50: Option<f64>,
    /// 90th percentile by nearest rank.
    pub p90: Option<f64>,
    /// 95th percentile by nearest rank.
    pub p95: Option<f64>,
    /// 99th percentile by nearest rank.
    pub p99: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

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
    /// Stats of fixed-point values sorted ascending, reported divided by `scale`. The mean
    /// is an exact integer sum divided once.
    pub fn from_sorted_fixed(sorted: &[u32], scale: f64, samples: u64) -> Stats {
        let sum: u128 = sorted.iter().map(|&v| u128::from(v)).sum();
        let mean = sum as f64 / sorted.len() as f64 / scale;
        Self::build(
            sorted.len(),
            samples,
            |i| f64::from(sorted[i]) / scale,
            mean,
        )
    }

    /// Stats of `f64` values sorted ascending (by `total_cmp`).
    pub fn from_sorted_f64(sorted: &[f64], samples: u64) -> Stats {
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        Self::build(sorted.len(), samples, |i| sorted[i], mean)
    }

    fn build(n: usize, samples: u64, at: impl Fn(usize) -> f64, mean: f64) -> Stats {
        let pick = |percent| nearest_rank_index(n, percent).map(&at);
        Stats {
            count: n as u64,
            missing: samples.saturating_sub(n as u64),
            min: (n > 0).then(|| at(0)),
            mean: (n > 0).then_some(mean),
            p50: pick(50),
            p90: pick(90),
            p95: pick(95),
            p99: pick(99),
            max: n.checked_sub(1).map(&at),
        }
    }
}
