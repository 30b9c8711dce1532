//! A mergeable histogram of `u32` fixed-point values for the account's percentiles.
//!
//! Log-linear, as HdrHistogram: values below 1024 have a bucket each; above, each power of
//! two is cut into 1024 buckets, so a bucket is less than 1/1024 of its values wide and any
//! value read back from it (its top, capped at the exact maximum) is at most 0.098 % above
//! the exact one: the bound the report states (0.1 %). Rows of 1024 counts are allocated
//! only for the powers of two that occur. Written here rather than taken from
//! `hdrhistogram` because recording is the account's hot loop: a shift and an add here,
//! against about 20 instructions there (measured with callgrind on the command).

/// The grid `values` lie on, continuing from `grid`: the greatest common divisor of
/// `grid` and every value (0 for no value, or only zeros). The API sends values at a fixed
/// resolution (whole milliseconds, a tenth of a percent), so the grid is that step in
/// stored units, and at most one point of it falls in a bucket narrower than the step:
/// the value itself.
#[inline]
pub(crate) fn grid(values: &[u32], mut grid: u32) -> u32 {
    for &value in values {
        if grid == 1 {
            break;
        }
        if grid == 0 || value % grid != 0 {
            grid = gcd(grid, value);
        }
    }
    grid
}

/// Greatest common divisor (Euclid).
pub(crate) fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Sub-buckets per power of two (and the values below it, one each).
const SUB_BUCKETS: usize = 1024;
const SUB_BITS: u32 = 10;
/// Row 0 holds 0..1024; row r ≥ 1 holds [1024 << (r - 1), 2048 << (r - 1)).
#[cfg(test)]
const ROWS: usize = 1 + (32 - SUB_BITS as usize);

/// A value's bucket, `row · 1024 + index`: below 2^15, so that a caller recording the same
/// values into several histograms locates each once and keeps the keys in 2 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key(u16);

impl Key {
    /// The bucket of `value`: for `value` in `[2^e, 2^(e+1))` with `e ≥ 10`, row `e - 9`
    /// is cut by the shift `e - 10`, and `(e - 10)·1024 + (value >> (e - 10))` is exactly
    /// `row·1024 + index` (the shifted value is 1024 + index). Below 1024 the shift is 0.
    /// Branch-free: this runs for every value the account records.
    #[inline]
    pub(crate) fn of(value: u32) -> Key {
        let exponent = 31 - (value | 1).leading_zeros();
        let shift = exponent.saturating_sub(SUB_BITS);
        // shift ≤ 22 and value >> shift < 2048: at most 23 551.
        Key(((shift << SUB_BITS) + (value >> shift)) as u16)
    }

    /// The row (power of two) and the index in it.
    #[inline]
    fn split(self) -> (usize, usize) {
        (
            usize::from(self.0 >> SUB_BITS),
            usize::from(self.0) % SUB_BUCKETS,
        )
    }

    fn join(row: usize, index: usize) -> Key {
        Key((row * SUB_BUCKETS + index) as u16)
    }

    /// The smallest value of the bucket.
    pub(crate) fn bottom(self) -> u64 {
        let (row, index) = self.split();
        if row == 0 {
            return index as u64;
        }
        ((SUB_BUCKETS + index) as u64) << (row as u32 - 1)
    }

    /// The largest value of the bucket.
    pub(crate) fn top(self) -> u64 {
        let (row, index) = self.split();
        if row == 0 {
            return index as u64;
        }
        let shift = row as u32 - 1;
        (((SUB_BUCKETS + index) as u64) << shift) + (1u64 << shift) - 1
    }
}

/// Counts of values, by bucket key, in rows of 1024 allocated only for the powers of two
/// that occur (values cluster: latency in 10 µs fills a few). The account records every
/// value of every sample in a hundred of these, so they are kept small: a row counts in
/// 16 bits until a count would pass 65 535, then in 32 (saturating at 2^32 - 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Histogram {
    rows: [Row; ROW_SLOTS],
    count: u64,
}

/// A slot for every row a [`Key`] can name (`u16 >> 10`), so that the hot loop indexes
/// without a bounds check; rows past `ROWS - 1` stay empty.
const ROW_SLOTS: usize = 1 << (16 - SUB_BITS);

/// The counters of one power of two.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Row {
    #[default]
    Empty,
    Narrow(Box<[u16; SUB_BUCKETS]>),
    Wide(Box<[u32; SUB_BUCKETS]>),
}

impl Row {
    fn get(&self, index: usize) -> u32 {
        match self {
            Row::Empty => 0,
            Row::Narrow(counts) => u32::from(counts[index]),
            Row::Wide(counts) => counts[index],
        }
    }

    fn sum(&self) -> u64 {
        match self {
            Row::Empty => 0,
            Row::Narrow(counts) => counts.iter().map(|&n| u64::from(n)).sum(),
            Row::Wide(counts) => counts.iter().map(|&n| u64::from(n)).sum(),
        }
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            rows: std::array::from_fn(|_| Row::Empty),
            count: 0,
        }
    }
}

impl Histogram {
    /// Counts each value of a slice.
    pub(crate) fn record_all(&mut self, values: &[u32]) {
        self.record_runs(values.iter().map(|&v| Key::of(v)));
    }

    /// Counts values already located with [`Key::of`].
    pub(crate) fn record_keys(&mut self, keys: &[Key]) {
        self.record_runs(keys.iter().copied());
    }

    /// Counts keys, a run of equal ones at a time: values repeat (a loss of 0 %, 30 fps,
    /// 720 px), and adding 1 to the same counter again and again waits for each store in
    /// turn (measured: a third of the account's time before).
    #[inline]
    fn record_runs(&mut self, keys: impl Iterator<Item = Key>) {
        let mut run: Option<(Key, u32)> = None;
        for key in keys {
            self.count += 1;
            run = match run {
                Some((open, n)) if open == key => Some((open, n.saturating_add(1))),
                Some((open, n)) => {
                    self.add(open, n);
                    Some((key, 1))
                }
                None => Some((key, 1)),
            };
        }
        if let Some((key, n)) = run {
            self.add(key, n);
        }
    }

    /// Adds `n` to a key's counter.
    #[inline]
    fn add(&mut self, key: Key, n: u32) {
        let (row, index) = key.split();
        let slot = &mut self.rows[row];
        if let Row::Narrow(counts) = slot
            && let Ok(sum) = u16::try_from(u32::from(counts[index]) + n.min(1 << 16))
        {
            counts[index] = sum;
            return;
        }
        Self::add_slow(slot, index, n);
    }

    /// [`add`](Self::add) to an empty row, a full narrow counter or a wide row.
    #[cold]
    fn add_slow(slot: &mut Row, index: usize, n: u32) {
        let total = slot.get(index).saturating_add(n);
        match slot {
            Row::Wide(counts) => counts[index] = total,
            Row::Empty if total <= u32::from(u16::MAX) => {
                let mut counts = Box::new([0; SUB_BUCKETS]);
                counts[index] = total as u16;
                *slot = Row::Narrow(counts);
            }
            Row::Empty | Row::Narrow(_) => {
                let mut counts = Box::new([0; SUB_BUCKETS]);
                for (i, count) in counts.iter_mut().enumerate() {
                    *count = slot.get(i);
                }
                counts[index] = total;
                *slot = Row::Wide(counts);
            }
        }
    }

    /// Adds another histogram's counts.
    pub(crate) fn merge(&mut self, other: &Histogram) {
        for (row, theirs) in other.rows.iter().enumerate() {
            if *theirs == Row::Empty {
                continue;
            }
            for index in 0..SUB_BUCKETS {
                let n = theirs.get(index);
                if n > 0 {
                    self.add(Key::join(row, index), n);
                }
            }
        }
        self.count += other.count;
    }

    /// How many values were counted.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The top of the bucket holding the value of 1-based `rank` in ascending order.
    pub(crate) fn at_rank(&self, rank: u64) -> Option<Key> {
        // Whole rows are skipped by their sums (which the compiler vectorises); only the
        // row holding the rank is walked count by count.
        let mut seen = 0;
        for (row, counts) in self.rows.iter().enumerate() {
            let sum = counts.sum();
            if sum == 0 {
                continue;
            }
            if seen + sum < rank {
                seen += sum;
                continue;
            }
            for index in 0..SUB_BUCKETS {
                let n = counts.get(index);
                seen += u64::from(n);
                if n > 0 && seen >= rank {
                    return Some(Key::join(row, index));
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
            let top = Key::of(value).top();
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
        assert_eq!(usize::from(Key::of(u32::MAX).0) / SUB_BUCKETS, ROWS - 1);
    }

    #[test]
    fn buckets_know_their_bounds_and_values_their_grid() {
        for value in [0, 1, 1023, 1024, 2047, 2048, 49_000, 70_000, u32::MAX] {
            let key = Key::of(value);
            assert!(
                (key.bottom()..=key.top()).contains(&u64::from(value)),
                "{value}"
            );
        }
        assert_eq!(grid(&[], 0), 0);
        assert_eq!(grid(&[0, 0], 0), 0);
        assert_eq!(grid(&[49_000, 2_400, 0, 100], 0), 100);
        assert_eq!(grid(&[30], 100), 10);
        assert_eq!(grid(&[7, 100], 0), 1);
        assert_eq!(gcd(0, 5), 5);
    }

    #[test]
    fn ranks_read_back_and_merging_adds() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        a.record_all(&[5, 1, 3000, 3000, 70_000]);
        b.record_all(&[2]);
        a.merge(&b);
        assert_eq!(a.count(), 6);
        assert_eq!(a.at_rank(1).map(Key::top), Some(1));
        assert_eq!(a.at_rank(2).map(Key::top), Some(2));
        assert_eq!(a.at_rank(3).map(Key::top), Some(5));
        let at_4 = a.at_rank(4).map(Key::top).expect("a value");
        assert!((3000..=3002).contains(&at_4), "{at_4}");
        let at_6 = a.at_rank(6).map(Key::top).expect("a value");
        assert!((70_000..=70_068).contains(&at_6), "{at_6}");
        assert_eq!(a.at_rank(7).map(Key::top), None);
    }

    #[test]
    fn counts_widen_past_16_bits_and_merge_either_width() {
        // Runs (one add) and single values (one add each) both cross 65 535.
        let mut a = Histogram::default();
        a.record_all(&vec![5; 70_000]);
        for _ in 0..70_000 {
            a.record_all(&[3000, 6]);
        }
        assert_eq!(a.count(), 210_000);
        assert_eq!(a.at_rank(70_000).map(Key::top), Some(5));
        assert_eq!(a.at_rank(70_001).map(Key::top), Some(6));
        assert_eq!(a.at_rank(140_000).map(Key::top), Some(6));
        let top_3000 = Key::of(3000).top();
        assert_eq!(a.at_rank(140_001).map(Key::top), Some(top_3000));
        // Narrow into wide and wide into narrow.
        let mut b = Histogram::default();
        b.record_all(&[5, 6, 3000]);
        let mut wide_into_narrow = b.clone();
        wide_into_narrow.merge(&a);
        a.merge(&b);
        assert_eq!(a, wide_into_narrow);
        assert_eq!(a.count(), 210_003);
        assert_eq!(a.at_rank(70_001).map(Key::top), Some(5));
        assert_eq!(a.at_rank(70_002).map(Key::top), Some(6));
        assert_eq!(a.at_rank(210_003).map(Key::top), Some(top_3000));
    }
}
