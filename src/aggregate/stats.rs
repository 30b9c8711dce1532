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
        let n = values.len();
        let to_f64 = |v: u32| f64::from(v) / scale;
        let mut percentiles = [None; Stats::PERCENTILES.len()];
        if let Some(ranks) = percentile_ranks(n) {
            let mut found = [0; Stats::PERCENTILES.len()];
            select_u32(values, extent.min, extent.max, &ranks, &mut found);
            percentiles = found.map(|v| Some(to_f64(v)));
        }
        let [p50, p90, p95, p99] = percentiles;
        let present = extent.count > 0;
        Stats {
            count: n as u64,
            missing: samples.saturating_sub(n as u64),
            min: present.then(|| to_f64(extent.min)),
            mean: present.then(|| extent.sum as f64 / extent.count as f64 / scale),
            p50,
            p90,
            p95,
            p99,
            max: present.then(|| to_f64(extent.max)),
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
    fn selected<T: Copy>(
        values: &mut [T],
        samples: u64,
        cmp: impl Fn(&T, &T) -> Ordering,
        to_f64: impl Fn(T) -> f64,
    ) -> Stats {
        let n = values.len();
        let mut percentiles = [None; Stats::PERCENTILES.len()];
        if let (Some(ranks), Some(&first)) = (percentile_ranks(n), values.first()) {
            let mut found = [first; Stats::PERCENTILES.len()];
            select_ranks(values, ranks, cmp, &mut found);
            percentiles = found.map(|v| Some(to_f64(v)));
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

/// The 0-based indices of [`Stats::PERCENTILES`] among `n` sorted values, ascending;
/// `None` for no value.
fn percentile_ranks(n: usize) -> Option<[usize; Stats::PERCENTILES.len()]> {
    let mut ranks = [0; Stats::PERCENTILES.len()];
    for (rank, percent) in ranks.iter_mut().zip(Stats::PERCENTILES) {
        *rank = nearest_rank_index(n, percent)?;
    }
    Some(ranks)
}

/// The values at the 0-based positions `ranks` (ascending, each below `values.len()`)
/// of `values` ordered by `cmp`, into `found`. Reorders `values`. Selects instead of
/// sorting: `O(n)` per rank, not `O(n log n)`.
fn select_ranks<T: Copy>(
    values: &mut [T],
    ranks: impl IntoIterator<Item = usize>,
    cmp: impl Fn(&T, &T) -> Ordering,
    found: &mut [T],
) {
    // After each selection the values from `from` on are exactly those of rank `from`
    // and above: each selection searches only those.
    let mut from = 0;
    for (rank, out) in ranks.into_iter().zip(found.iter_mut()) {
        *out = *values[from..].select_nth_unstable_by(rank - from, &cmp).1;
        from = rank;
    }
}

/// Below this many values, [`select_u32`] selects among them directly: counting into
/// buckets pays only on more.
const RADIX_FROM: usize = 256;

/// The values at the 0-based positions `ranks` (ascending, each below `values.len()`)
/// of `values` in ascending order, into `found`; `min` and `max` are the values' least
/// and greatest. Reorders `values`.
///
/// A radix select: one pass counts the values into 256 buckets of equal width over
/// `min..=max`, which says the bucket of each rank and its rank within it; a second pass
/// copies out the values of those buckets only, and each rank is selected among its
/// bucket's values. For the four percentiles of STATS, a quarter fewer instructions than
/// selecting each among all the values (callgrind, `analyze` of generated meetings).
pub(crate) fn select_u32(
    values: &mut [u32],
    min: u32,
    max: u32,
    ranks: &[usize],
    found: &mut [u32],
) {
    // Fewer than 255 ranks, so that a bucket's list is named by a byte.
    if values.len() < RADIX_FROM || max <= min || ranks.len() >= usize::from(u8::MAX) {
        return select_ranks(values, ranks.iter().copied(), u32::cmp, found);
    }
    // Bucket widths are a power of two; 256 of them cover `max - min`.
    let shift = (u32::BITS - (max - min).leading_zeros()).saturating_sub(8);
    // At most 255 (`max - min >> shift` is below 256); the cast keeps it in the table.
    let bucket = |v: u32| usize::from((v.wrapping_sub(min) >> shift) as u8);
    let mut counts = [0u32; 256];
    for &v in values.iter() {
        counts[bucket(v)] += 1;
    }
    // Each rank's bucket and rank within it; buckets ascend with the ranks.
    let mut wanted: Vec<(usize, usize)> = Vec::with_capacity(ranks.len());
    let (mut b, mut below) = (0, 0);
    for &rank in ranks {
        while below + counts[b] as usize <= rank {
            below += counts[b] as usize;
            b += 1;
        }
        wanted.push((b, rank - below));
    }
    // The wanted buckets' values, each bucket's in a list of its own.
    let mut slot_of = [u8::MAX; 256];
    let mut lists: Vec<Vec<u32>> = Vec::with_capacity(ranks.len());
    for &(b, _) in &wanted {
        if slot_of[b] == u8::MAX {
            slot_of[b] = lists.len() as u8;
            lists.push(Vec::with_capacity(counts[b] as usize));
        }
    }
    for &v in values.iter() {
        if let Some(list) = lists.get_mut(usize::from(slot_of[bucket(v)])) {
            list.push(v);
        }
    }
    // Within a bucket, ranks ascend too.
    let mut at = 0;
    for same_bucket in wanted.chunk_by(|a, b| a.0 == b.0) {
        let list = &mut lists[usize::from(slot_of[same_bucket[0].0])];
        let in_bucket = same_bucket.iter().map(|&(_, rank)| rank);
        let end = at + same_bucket.len();
        select_ranks(list, in_bucket, u32::cmp, &mut found[at..end]);
        at = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Values spread evenly, clustered on a grid with a far outlier, or mostly one value.
    fn values() -> impl Strategy<Value = Vec<u32>> {
        prop_oneof![
            prop::collection::vec(any::<u32>(), 0..2000),
            prop::collection::vec((0u32..300).prop_map(|v| v * 100), 0..2000).prop_map(|mut v| {
                v.push(u32::MAX - 1);
                v
            }),
            prop::collection::vec(prop_oneof![9 => Just(0u32), 1 => 0u32..10_000], 0..2000),
        ]
    }

    proptest! {
        /// Oracle: the values sorted, read at each rank.
        #[test]
        fn select_reads_the_sorted_values_at_their_ranks(
            mut values in values(),
            percents in prop::collection::vec(0u32..=100, 1..6),
        ) {
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let mut percents = percents;
            percents.sort_unstable();
            let Some(ranks) = percents
                .iter()
                .map(|&p| nearest_rank_index(values.len(), p))
                .collect::<Option<Vec<usize>>>()
            else {
                return Ok(());
            };
            let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
            let mut found = vec![0; ranks.len()];
            select_u32(&mut values, min, max, &ranks, &mut found);
            let want: Vec<u32> = ranks.iter().map(|&r| sorted[r]).collect();
            prop_assert_eq!(found, want);
        }
    }
}
