//! A mergeable histogram of `u32` fixed-point values for the account's percentiles.
//!
//! Log-linear, as HdrHistogram: values below 1024 have a bucket each; above, each power of
//! two is cut into 1024 buckets, so a bucket is less than 1/1024 of its values wide and any
//! value read back from it (its top, capped at the exact maximum) is at most 0.098 % above
//! the exact one: the bound the report states (0.1 %). Rows of 1024 counts are allocated
//! only for the powers of two that occur. Written here rather than taken from
//! `hdrhistogram` because recording is the account's hot loop: a shift and an add here,
//! against about 20 instructions there (measured with callgrind on the command).

/// Sub-buckets per power of two (and the values below it, one each).
const SUB_BUCKETS: usize = 1024;
const SUB_BITS: u32 = 10;
/// Row 0 holds 0..1024; row r ≥ 1 holds [1024 << (r - 1), 2048 << (r - 1)).
const ROWS: usize = 1 + (32 - SUB_BITS as usize);

/// Counts of values, by bucket. Rows are allocated up to the highest one used (values
/// cluster: latency in 10 µs fills a few), counts are 32-bit (a meeting adds at most
/// 2^32 - 2 samples; [`merge`](Self::merge) saturates): the account records every value
/// of every sample here, and a small histogram stays in cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Histogram {
    rows: Vec<Box<[u32; SUB_BUCKETS]>>,
    count: u64,
}

/// The row and index of a value's bucket.
#[inline]
fn locate(value: u32) -> (usize, usize) {
    if value < SUB_BUCKETS as u32 {
        return (0, value as usize);
    }
    let exponent = 31 - value.leading_zeros(); // 10..=31
    let shift = exponent - SUB_BITS;
    (
        (shift + 1) as usize,
        ((value >> shift) as usize) & (SUB_BUCKETS - 1),
    )
}

/// The largest value of a bucket.
fn top(row: usize, index: usize) -> u64 {
    if row == 0 {
        return index as u64;
    }
    let shift = row as u32 - 1;
    (((SUB_BUCKETS + index) as u64) << shift) + (1u64 << shift) - 1
}

impl Histogram {
    /// Counts each value of a slice.
    pub(crate) fn record_all(&mut self, values: &[u32]) {
        for &value in values {
            let (row, index) = locate(value);
            if row >= self.rows.len() {
                self.grow(row);
            }
            if let Some(counts) = self.rows.get_mut(row) {
                counts[index] = counts[index].saturating_add(1);
            }
        }
        self.count += values.len() as u64;
    }

    #[cold]
    fn grow(&mut self, row: usize) {
        self.rows
            .resize_with(row.min(ROWS - 1) + 1, || Box::new([0; SUB_BUCKETS]));
    }

    /// Adds another histogram's counts.
    pub(crate) fn merge(&mut self, other: &Histogram) {
        if self.rows.len() < other.rows.len() {
            self.grow(other.rows.len() - 1);
        }
        for (mine, theirs) in self.rows.iter_mut().zip(&other.rows) {
            for (a, b) in mine.iter_mut().zip(theirs.iter()) {
                *a = a.saturating_add(*b);
            }
        }
        self.count += other.count;
    }

    /// How many values were counted.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The top of the bucket holding the value of 1-based `rank` in ascending order.
    pub(crate) fn at_rank(&self, rank: u64) -> Option<u64> {
        let mut seen = 0;
        for (row, counts) in self.rows.iter().enumerate() {
            for (index, &n) in counts.iter().enumerate() {
                let n = u64::from(n);
                seen += n;
                if n > 0 && seen >= rank {
                    return Some(top(row, index));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_and_are_narrow() {
        let mut previous_top = None;
        for value in (0..5000u32).chain([u32::MAX - 1, u32::MAX, 1 << 20, (1 << 20) + 1]) {
            let (row, index) = locate(value);
            let top = top(row, index);
            assert!(u64::from(value) <= top, "{value} within its bucket");
            let width = top - u64::from(value);
            assert!(width * 1024 <= u64::from(value).max(1), "{value}: {width}");
            if value < 5000 {
                if let Some(previous) = previous_top {
                    assert!(top >= previous, "buckets ascend");
                }
                previous_top = Some(top);
            }
        }
        assert_eq!(locate(u32::MAX).0, ROWS - 1);
    }

    #[test]
    fn ranks_read_back_and_merging_adds() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        a.record_all(&[5, 1, 3000, 3000, 70_000]);
        b.record_all(&[2]);
        a.merge(&b);
        assert_eq!(a.count(), 6);
        assert_eq!(a.at_rank(1), Some(1));
        assert_eq!(a.at_rank(2), Some(2));
        assert_eq!(a.at_rank(3), Some(5));
        let at_4 = a.at_rank(4).expect("a value");
        assert!((3000..=3002).contains(&at_4), "{at_4}");
        let at_6 = a.at_rank(6).expect("a value");
        assert!((70_000..=70_068).contains(&at_6), "{at_6}");
        assert_eq!(a.at_rank(7), None);
    }
}
