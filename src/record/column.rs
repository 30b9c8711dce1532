//! Fixed-point integer columns with a "missing" sentinel: the storage of the table.
//!
//! A column starts narrow, in whole units of its metric (whole milliseconds, whole kbps,
//! whole fps or percent), which is how Zoom sends them. The first value that needs more (a
//! decimal, or a larger number) widens the column once to the metric's exact fixed-point
//! unit; values read the same before and after. Reads always return the exact unit.

use crate::schema::Metric;

/// The cells of a column. The largest value of each width is the "missing" sentinel.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Cells {
    U8(Vec<u8>),
    U16(Vec<u16>),
    /// Little-endian 24-bit values: latency and jitter in 10 µs fit in three bytes.
    U24(Vec<[u8; 3]>),
    U32(Vec<u32>),
}

/// A column: cells, and how many exact units one stored unit is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Column {
    cells: Cells,
    /// Exact value = stored value × `scale` (1 once widened).
    scale: Scale,
    /// The cells a widened column uses.
    wide: Width,
}

/// How many exact units one stored unit is. An enum of constants, so that the division
/// on every write is by a constant (a multiply and a shift, not a divide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    One,
    Hundred,
    Thousand,
}

impl Scale {
    fn factor(self) -> u32 {
        match self {
            Scale::One => 1,
            Scale::Hundred => 100,
            Scale::Thousand => 1000,
        }
    }

    /// `value / factor` when it divides exactly, else `None`.
    #[inline]
    fn divide(self, value: u32) -> Option<u32> {
        match self {
            Scale::One => Some(value),
            Scale::Hundred => (value % 100 == 0).then_some(value / 100),
            Scale::Thousand => (value % 1000 == 0).then_some(value / 1000),
        }
    }
}

/// A cell width, to make empty cells of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Width {
    U16,
    U24,
    U32,
}

impl Width {
    fn cells(self, capacity: usize) -> Cells {
        match self {
            Width::U16 => Cells::U16(Vec::with_capacity(capacity)),
            Width::U24 => Cells::U24(Vec::with_capacity(capacity)),
            Width::U32 => Cells::U32(Vec::with_capacity(capacity)),
        }
    }
}

const MISSING_U8: u8 = u8::MAX;
const MISSING_U16: u16 = u16::MAX;
const MISSING_U24: u32 = 0xFF_FFFF;
const MISSING_U32: u32 = u32::MAX;

impl Cells {
    fn len(&self) -> usize {
        match self {
            Cells::U8(v) => v.len(),
            Cells::U16(v) => v.len(),
            Cells::U24(v) => v.len(),
            Cells::U32(v) => v.len(),
        }
    }

    /// The largest value it stores (its sentinel is the next one).
    fn max(&self) -> u32 {
        match self {
            Cells::U8(_) => u32::from(MISSING_U8) - 1,
            Cells::U16(_) => u32::from(MISSING_U16) - 1,
            Cells::U24(_) => MISSING_U24 - 1,
            Cells::U32(_) => MISSING_U32 - 1,
        }
    }

    fn get(&self, row: usize) -> Option<u32> {
        match self {
            Cells::U8(v) => v
                .get(row)
                .copied()
                .filter(|&x| x != MISSING_U8)
                .map(u32::from),
            Cells::U16(v) => v
                .get(row)
                .copied()
                .filter(|&x| x != MISSING_U16)
                .map(u32::from),
            Cells::U24(v) => v.get(row).map(|&x| u24(x)).filter(|&x| x != MISSING_U24),
            Cells::U32(v) => v.get(row).copied().filter(|&x| x != MISSING_U32),
        }
    }

    fn resize(&mut self, rows: usize) {
        match self {
            Cells::U8(v) => v.resize(rows, MISSING_U8),
            Cells::U16(v) => v.resize(rows, MISSING_U16),
            Cells::U24(v) => v.resize(rows, to_u24(MISSING_U24)),
            Cells::U32(v) => v.resize(rows, MISSING_U32),
        }
    }

    /// Appends a stored value, `None` for missing. `Some` values are at most `max()`.
    fn push(&mut self, value: Option<u32>) {
        match self {
            Cells::U8(v) => v.push(
                value
                    .and_then(|x| u8::try_from(x).ok())
                    .unwrap_or(MISSING_U8),
            ),
            Cells::U16(v) => v.push(
                value
                    .and_then(|x| u16::try_from(x).ok())
                    .unwrap_or(MISSING_U16),
            ),
            Cells::U24(v) => v.push(to_u24(value.unwrap_or(MISSING_U24))),
            Cells::U32(v) => v.push(value.unwrap_or(MISSING_U32)),
        }
    }

    /// Overwrites `row` (if it exists) with a stored value of at most `max()`.
    fn set(&mut self, row: usize, value: u32) {
        match self {
            Cells::U8(v) => {
                if let (Some(cell), Ok(value)) = (v.get_mut(row), u8::try_from(value)) {
                    *cell = value;
                }
            }
            Cells::U16(v) => {
                if let (Some(cell), Ok(value)) = (v.get_mut(row), u16::try_from(value)) {
                    *cell = value;
                }
            }
            Cells::U24(v) => {
                if let Some(cell) = v.get_mut(row) {
                    *cell = to_u24(value);
                }
            }
            Cells::U32(v) => {
                if let Some(cell) = v.get_mut(row) {
                    *cell = value;
                }
            }
        }
    }

    fn width(&self) -> usize {
        match self {
            Cells::U8(_) => 1,
            Cells::U16(_) => 2,
            Cells::U24(_) => 3,
            Cells::U32(_) => 4,
        }
    }
}

impl Column {
    /// The column of a stream metric: narrow in whole units where Zoom sends whole units.
    pub(crate) fn for_metric(metric: Metric) -> Column {
        match metric {
            // Whole kbps in 16 bits, else bit/s in 32.
            Metric::Bitrate => Column::narrow(Cells::U16(Vec::new()), Scale::Thousand, Width::U32),
            // Whole ms in 16 bits, else 10 µs in 24.
            Metric::Latency | Metric::Jitter => {
                Column::narrow(Cells::U16(Vec::new()), Scale::Hundred, Width::U24)
            }
            // Whole fps in 8 bits, else 0.01 fps in 16.
            Metric::FrameRate => Column::narrow(Cells::U8(Vec::new()), Scale::Hundred, Width::U16),
            // Loss has decimals ("0.3%") from the start; resolutions are packed pairs.
            Metric::AvgLoss | Metric::MaxLoss => Column::exact(Width::U16),
            Metric::Resolution => Column::exact(Width::U32),
        }
    }

    /// A CPU column: whole percent in 8 bits, else basis points in 16.
    pub(crate) fn for_cpu() -> Column {
        Column::narrow(Cells::U8(Vec::new()), Scale::Hundred, Width::U16)
    }

    fn narrow(cells: Cells, scale: Scale, wide: Width) -> Column {
        Column { cells, scale, wide }
    }

    fn exact(width: Width) -> Column {
        Column {
            cells: width.cells(0),
            scale: Scale::One,
            wide: width,
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
    pub(crate) fn set(&mut self, row: usize, value: u32) {
        match self
            .scale
            .divide(value)
            .filter(|&stored| stored <= self.cells.max())
        {
            Some(stored) => self.cells.set(row, stored),
            None => {
                self.widen();
                self.cells.set(row, value);
            }
        }
    }

    /// Re-stores every row in the exact unit (one allocation). A cleared column keeps its
    /// width, so a reused table does not allocate again.
    #[cold]
    fn widen(&mut self) {
        let mut wide = self.wide.cells(self.cells.len().max(64));
        for row in 0..self.cells.len() {
            wide.push(self.cells.get(row).map(|v| v * self.scale.factor()));
        }
        self.cells = wide;
        self.scale = Scale::One;
    }

    /// The exact value of a row, `None` where missing or out of bounds.
    pub(crate) fn get(&self, row: usize) -> Option<u32> {
        self.cells.get(row).map(|v| v * self.scale.factor())
    }

    /// Calls `f` with each present exact value of rows `range`, in row order.
    pub(crate) fn for_each_present(&self, range: core::ops::Range<usize>, mut f: impl FnMut(u32)) {
        let scale = self.scale.factor();
        match &self.cells {
            Cells::U8(v) => v[range]
                .iter()
                .filter(|&&x| x != MISSING_U8)
                .for_each(|&x| f(u32::from(x) * scale)),
            Cells::U16(v) => v[range]
                .iter()
                .filter(|&&x| x != MISSING_U16)
                .for_each(|&x| f(u32::from(x) * scale)),
            Cells::U24(v) => v[range]
                .iter()
                .map(|&x| u24(x))
                .filter(|&x| x != MISSING_U24)
                .for_each(|x| f(x * scale)),
            Cells::U32(v) => v[range]
                .iter()
                .filter(|&&x| x != MISSING_U32)
                .for_each(|&x| f(x * scale)),
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
    use crate::units;

    /// Appends a missing row, as the table's writer does; returns its index.
    fn add_row(column: &mut Column) -> usize {
        let row = column.len();
        column.resize(row + 1);
        row
    }

    #[test]
    fn sentinels_read_as_missing_and_values_round_trip() {
        for metric in Metric::ALL {
            let mut column = Column::for_metric(*metric);
            add_row(&mut column);
            let row = add_row(&mut column);
            column.set(row, 12_300);
            assert_eq!(column.get(0), None, "{metric}");
            assert_eq!(column.get(1), Some(12_300), "{metric}");
            assert_eq!(column.get(2), None, "{metric}");
            let mut seen = Vec::new();
            column.for_each_present(0..2, |v| seen.push(v));
            assert_eq!(seen, [12_300]);
        }
    }

    #[test]
    fn whole_units_stay_narrow_and_a_decimal_widens_without_changing_values() {
        let mut latency = Column::for_metric(Metric::Latency);
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
        latency.set(row, units::MILLIS_MAX_10US);
        assert_eq!(latency.get(4), Some(units::MILLIS_MAX_10US));
    }

    #[test]
    fn large_whole_values_widen_too() {
        let mut bitrate = Column::for_metric(Metric::Bitrate);
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
        let mut cpu = Column::for_cpu();
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
