//! Fixed-point unsigned integer columns with a "missing" sentinel: the storage of the table.
//!
//! A column follows its [`Storage`] policy (from the metric's descriptor): it may start
//! narrow, in whole units of its metric, as Zoom sends them; the first value that needs
//! more (a decimal, or a larger number) widens it once to the exact stored unit. Values read
//! the same before and after. Reads always return the exact stored unit.

use crate::descriptor::{Cells, Scale, Storage};

/// The cells of a column. The largest value of each width is the "missing" sentinel.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Vector {
    U8(Vec<u8>),
    U16(Vec<u16>),
    /// Little-endian 24-bit values: latency and jitter in 10 µs fit in three bytes.
    U24(Vec<[u8; 3]>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

/// A column: cells, and how many exact units one stored unit is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Column {
    cells: Vector,
    /// Exact value = stored value × `scale` (1 once widened).
    scale: Scale,
    /// The cells a widened column uses.
    wide: Cells,
}

const MISSING_U8: u8 = u8::MAX;
const MISSING_U16: u16 = u16::MAX;
const MISSING_U24: u32 = 0xFF_FFFF;
const MISSING_U32: u32 = u32::MAX;
const MISSING_U64: u64 = u64::MAX;

impl Vector {
    fn new(cells: Cells, capacity: usize) -> Vector {
        match cells {
            Cells::U8 => Vector::U8(Vec::with_capacity(capacity)),
            Cells::U16 => Vector::U16(Vec::with_capacity(capacity)),
            Cells::U24 => Vector::U24(Vec::with_capacity(capacity)),
            Cells::U32 => Vector::U32(Vec::with_capacity(capacity)),
            Cells::U64 => Vector::U64(Vec::with_capacity(capacity)),
        }
    }

    fn capacity(&self) -> usize {
        match self {
            Vector::U8(v) => v.capacity(),
            Vector::U16(v) => v.capacity(),
            Vector::U24(v) => v.capacity(),
            Vector::U32(v) => v.capacity(),
            Vector::U64(v) => v.capacity(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Vector::U8(v) => v.len(),
            Vector::U16(v) => v.len(),
            Vector::U24(v) => v.len(),
            Vector::U32(v) => v.len(),
            Vector::U64(v) => v.len(),
        }
    }

    fn get(&self, row: usize) -> Option<u64> {
        match self {
            Vector::U8(v) => v
                .get(row)
                .copied()
                .filter(|&x| x != MISSING_U8)
                .map(u64::from),
            Vector::U16(v) => v
                .get(row)
                .copied()
                .filter(|&x| x != MISSING_U16)
                .map(u64::from),
            Vector::U24(v) => v
                .get(row)
                .map(|&x| u24(x))
                .filter(|&x| x != MISSING_U24)
                .map(u64::from),
            Vector::U32(v) => v
                .get(row)
                .copied()
                .filter(|&x| x != MISSING_U32)
                .map(u64::from),
            Vector::U64(v) => v.get(row).copied().filter(|&x| x != MISSING_U64),
        }
    }

    fn resize(&mut self, rows: usize) {
        match self {
            Vector::U8(v) => v.resize(rows, MISSING_U8),
            Vector::U16(v) => v.resize(rows, MISSING_U16),
            Vector::U24(v) => v.resize(rows, to_u24(MISSING_U24)),
            Vector::U32(v) => v.resize(rows, MISSING_U32),
            Vector::U64(v) => v.resize(rows, MISSING_U64),
        }
    }

    /// Appends a stored value, `None` for missing. `Some` values fit the cells (below
    /// their sentinel).
    fn push(&mut self, value: Option<u64>) {
        match self {
            Vector::U8(v) => v.push(
                value
                    .and_then(|x| u8::try_from(x).ok())
                    .unwrap_or(MISSING_U8),
            ),
            Vector::U16(v) => v.push(
                value
                    .and_then(|x| u16::try_from(x).ok())
                    .unwrap_or(MISSING_U16),
            ),
            Vector::U24(v) => v.push(to_u24(
                value
                    .and_then(|x| u32::try_from(x).ok())
                    .unwrap_or(MISSING_U24),
            )),
            Vector::U32(v) => v.push(
                value
                    .and_then(|x| u32::try_from(x).ok())
                    .unwrap_or(MISSING_U32),
            ),
            Vector::U64(v) => v.push(value.unwrap_or(MISSING_U64)),
        }
    }

    /// Overwrites `row` (if it exists) with a stored value if the cells hold it (below
    /// their sentinel): whether they do. One dispatch on the width for the check and the
    /// store.
    #[inline(always)]
    fn try_set(&mut self, row: usize, value: u64) -> bool {
        #[inline(always)]
        fn put<T>(cells: &mut [T], row: usize, cell: Option<T>) -> bool {
            let Some(cell) = cell else {
                return false;
            };
            if let Some(slot) = cells.get_mut(row) {
                *slot = cell;
            }
            true
        }
        match self {
            Vector::U8(v) => put(
                v,
                row,
                u8::try_from(value).ok().filter(|&x| x != MISSING_U8),
            ),
            Vector::U16(v) => put(
                v,
                row,
                u16::try_from(value).ok().filter(|&x| x != MISSING_U16),
            ),
            Vector::U24(v) => put(
                v,
                row,
                (value < u64::from(MISSING_U24)).then(|| to_u24(value as u32)),
            ),
            Vector::U32(v) => put(
                v,
                row,
                u32::try_from(value).ok().filter(|&x| x != MISSING_U32),
            ),
            Vector::U64(v) => put(v, row, (value != MISSING_U64).then_some(value)),
        }
    }

    fn width(&self) -> usize {
        match self {
            Vector::U8(_) => 1,
            Vector::U16(_) => 2,
            Vector::U24(_) => 3,
            Vector::U32(_) => 4,
            Vector::U64(_) => 8,
        }
    }
}

/// `value / factor` when it divides exactly, else `None`.
#[inline]
fn divide(scale: Scale, value: u64) -> Option<u64> {
    match scale {
        Scale::One => Some(value),
        Scale::Hundred => value.is_multiple_of(100).then_some(value / 100),
        Scale::Thousand => value.is_multiple_of(1000).then_some(value / 1000),
    }
}

impl Column {
    /// An empty column stored as `storage` says.
    pub(crate) fn new(storage: &Storage) -> Column {
        let (cells, scale) = storage.narrow.unwrap_or((storage.wide, Scale::One));
        Column {
            cells: Vector::new(cells, 0),
            scale,
            wide: storage.wide,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Grows or shrinks the column to `rows`, filling with "missing".
    pub(crate) fn resize(&mut self, rows: usize) {
        self.cells.resize(rows);
    }

    /// Overwrites `row` with an exact value (within the metric's range: the unit parsers'
    /// maxima fit the wide cells), widening the column first if it must. A row past the
    /// end is ignored.
    #[inline(always)]
    pub(crate) fn set(&mut self, row: usize, value: u64) {
        if let Some(stored) = divide(self.scale, value)
            && self.cells.try_set(row, stored)
        {
            return;
        }
        self.widen();
        // The wide cells hold every value a parser gives.
        self.cells.try_set(row, value);
    }

    /// Re-stores every row in the exact unit (one allocation, as large as the narrow
    /// cells' capacity: a reused table keeps what it grew to). A cleared column keeps its
    /// width, so a reused table does not allocate again.
    #[cold]
    fn widen(&mut self) {
        let capacity = self.cells.capacity().max(self.cells.len()).max(64);
        let mut wide = Vector::new(self.wide, capacity);
        for row in 0..self.cells.len() {
            wide.push(self.cells.get(row).map(|v| v * self.scale.factor()));
        }
        self.cells = wide;
        self.scale = Scale::One;
    }

    /// The exact value of a row, `None` where missing or out of bounds.
    pub(crate) fn get(&self, row: usize) -> Option<u64> {
        self.cells.get(row).map(|v| v * self.scale.factor())
    }

    /// Calls `f` with the offset in `range` and the exact value of each present row of
    /// `range` (clamped to the column), in row order. One dispatch on the cell width for
    /// all of them.
    pub(crate) fn for_each_present_at(
        &self,
        range: core::ops::Range<usize>,
        mut f: impl FnMut(usize, u64),
    ) {
        let end = range.end.min(self.len());
        let range = range.start.min(end)..end;
        let scale = self.scale.factor();
        fn each<T: Copy>(
            cells: &[T],
            present: impl Fn(T) -> Option<u64>,
            f: &mut impl FnMut(usize, u64),
        ) {
            for (at, &cell) in cells.iter().enumerate() {
                if let Some(value) = present(cell) {
                    f(at, value);
                }
            }
        }
        match &self.cells {
            Vector::U8(v) => each(
                &v[range],
                |x| (x != MISSING_U8).then(|| u64::from(x) * scale),
                &mut f,
            ),
            Vector::U16(v) => each(
                &v[range],
                |x| (x != MISSING_U16).then(|| u64::from(x) * scale),
                &mut f,
            ),
            Vector::U24(v) => each(
                &v[range],
                |x| {
                    let x = u24(x);
                    (x != MISSING_U24).then(|| u64::from(x) * scale)
                },
                &mut f,
            ),
            Vector::U32(v) => each(
                &v[range],
                |x| (x != MISSING_U32).then(|| u64::from(x) * scale),
                &mut f,
            ),
            Vector::U64(v) => each(&v[range], |x| (x != MISSING_U64).then(|| x * scale), &mut f),
        }
    }

    /// Calls `f` with the exact value (or `None` where missing) of each of `rows`, in
    /// the order given; rows past the column are missing. One dispatch on the cell width
    /// for all of them.
    pub(crate) fn gather(&self, rows: &[u32], mut f: impl FnMut(Option<u64>)) {
        let scale = self.scale.factor();
        fn each<T: Copy>(
            cells: &[T],
            rows: &[u32],
            present: impl Fn(T) -> Option<u64>,
            f: &mut impl FnMut(Option<u64>),
        ) {
            for &row in rows {
                f(cells.get(row as usize).copied().and_then(&present));
            }
        }
        let exact = |x: u64| Some(x * scale);
        match &self.cells {
            Vector::U8(v) => each(
                v,
                rows,
                |x| (x != MISSING_U8).then(|| u64::from(x) * scale),
                &mut f,
            ),
            Vector::U16(v) => each(
                v,
                rows,
                |x| (x != MISSING_U16).then(|| u64::from(x) * scale),
                &mut f,
            ),
            Vector::U24(v) => each(
                v,
                rows,
                |x| {
                    Some(u24(x))
                        .filter(|&x| x != MISSING_U24)
                        .and_then(|x| exact(u64::from(x)))
                },
                &mut f,
            ),
            Vector::U32(v) => each(
                v,
                rows,
                |x| (x != MISSING_U32).then(|| u64::from(x) * scale),
                &mut f,
            ),
            Vector::U64(v) => each(v, rows, |x| (x != MISSING_U64).then(|| x * scale), &mut f),
        }
    }

    /// Bytes a row takes.
    pub(crate) fn width(&self) -> usize {
        self.cells.width()
    }
}

fn u24([a, b, c]: [u8; 3]) -> u32 {
    u32::from_le_bytes([a, b, c, 0])
}

fn to_u24(value: u32) -> [u8; 3] {
    let [a, b, c, _] = value.to_le_bytes();
    [a, b, c]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{CpuMetric, Metric};
    use crate::units;

    /// Appends a missing row, as the table's writer does; returns its index.
    fn add_row(column: &mut Column) -> usize {
        let row = column.len();
        column.resize(row + 1);
        row
    }

    fn column(metric: Metric) -> Column {
        Column::new(&metric.descriptor().storage)
    }

    #[test]
    fn sentinels_read_as_missing_and_values_round_trip() {
        for metric in Metric::ALL {
            let mut column = column(metric);
            add_row(&mut column);
            let row = add_row(&mut column);
            column.set(row, 12_300);
            assert_eq!(column.get(0), None, "{metric}");
            assert_eq!(column.get(1), Some(12_300), "{metric}");
            assert_eq!(column.get(2), None, "{metric}");
            let mut seen = Vec::new();
            column.for_each_present_at(0..2, |at, v| seen.push((at, v)));
            assert_eq!(seen, [(1, 12_300)]);
            seen.clear();
            column.for_each_present_at(1..9, |at, v| seen.push((at, v)));
            assert_eq!(seen, [(0, 12_300)], "offsets from the range's start");
        }
    }

    #[test]
    fn whole_units_stay_narrow_and_a_decimal_widens_without_changing_values() {
        let mut latency = column(Metric::Latency);
        for ms in [126, 0, 615] {
            let row = add_row(&mut latency);
            latency.set(row, ms * 100);
        }
        let row = add_row(&mut latency);
        assert_eq!(latency.width(), 2, "whole milliseconds");
        latency.set(row, 1_255); // 12.55 ms
        assert_eq!(latency.width(), 3);
        let values: Vec<_> = (0..4).map(|row| latency.get(row)).collect();
        assert_eq!(values, [Some(12_600), Some(0), Some(61_500), Some(1_255)]);
        let row = add_row(&mut latency);
        latency.set(row, u64::from(units::MILLIS_MAX_10US));
        assert_eq!(latency.get(4), Some(u64::from(units::MILLIS_MAX_10US)));
    }

    #[test]
    fn large_whole_values_widen_too() {
        let mut bitrate = column(Metric::Bitrate);
        let row = add_row(&mut bitrate);
        bitrate.set(row, 1_055_000); // 1055 kbps: narrow
        assert_eq!(bitrate.width(), 2);
        add_row(&mut bitrate);
        let row = add_row(&mut bitrate);
        bitrate.set(row, 70_000_000); // 70 Mbps: over 65534 kbps
        assert_eq!(bitrate.width(), 4);
        assert_eq!(
            (bitrate.get(0), bitrate.get(1), bitrate.get(2)),
            (Some(1_055_000), None, Some(70_000_000))
        );
        let mut cpu = Column::new(&CpuMetric::ZoomMax.descriptor().storage);
        let row = add_row(&mut cpu);
        cpu.set(row, 25_400);
        assert_eq!(cpu.width(), 1, "254 % fits a byte");
        let row = add_row(&mut cpu);
        cpu.set(row, 25_500);
        assert_eq!(
            (cpu.width(), cpu.get(0), cpu.get(1)),
            (2, Some(25_400), Some(25_500))
        );
    }
}
