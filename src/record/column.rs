//! Fixed-width integer columns with a "missing" sentinel: the storage of the table.

use crate::schema::Metric;

/// One column of fixed-point values. The largest value of each width is the "missing"
/// sentinel, which the unit parsers never produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    U16(Vec<u16>),
    /// Little-endian 24-bit values: latency and jitter in 10 µs fit in three bytes.
    U24(Vec<[u8; 3]>),
    U32(Vec<u32>),
}

pub(crate) const MISSING_U16: u16 = u16::MAX;
pub(crate) const MISSING_U24: [u8; 3] = [0xFF; 3];
pub(crate) const MISSING_U32: u32 = u32::MAX;

impl Column {
    /// The column that stores a stream metric.
    pub(crate) fn for_metric(metric: Metric) -> Column {
        match metric {
            Metric::Bitrate | Metric::Resolution => Column::U32(Vec::new()),
            Metric::Latency | Metric::Jitter => Column::U24(Vec::new()),
            Metric::AvgLoss | Metric::MaxLoss | Metric::FrameRate => Column::U16(Vec::new()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Column::U16(v) => v.len(),
            Column::U24(v) => v.len(),
            Column::U32(v) => v.len(),
        }
    }

    /// Grows or shrinks the column to `rows`, filling with "missing".
    pub(crate) fn resize(&mut self, rows: usize) {
        match self {
            Column::U16(v) => v.resize(rows, MISSING_U16),
            Column::U24(v) => v.resize(rows, MISSING_U24),
            Column::U32(v) => v.resize(rows, MISSING_U32),
        }
    }

    pub(crate) fn push_missing(&mut self) {
        match self {
            Column::U16(v) => v.push(MISSING_U16),
            Column::U24(v) => v.push(MISSING_U24),
            Column::U32(v) => v.push(MISSING_U32),
        }
    }

    /// Overwrites the last row. `value` is within the column's range (the unit parsers'
    /// maxima are below each sentinel); the conversions cannot fail for such values.
    pub(crate) fn set_last(&mut self, value: u32) {
        match self {
            Column::U16(v) => {
                if let (Some(last), Ok(value)) = (v.last_mut(), u16::try_from(value)) {
                    *last = value;
                }
            }
            Column::U24(v) => {
                if let Some(last) = v.last_mut() {
                    let [a, b, c, _] = value.to_le_bytes();
                    *last = [a, b, c];
                }
            }
            Column::U32(v) => {
                if let Some(last) = v.last_mut() {
                    *last = value;
                }
            }
        }
    }

    /// The value of a row, `None` where missing or out of bounds.
    pub(crate) fn get(&self, row: usize) -> Option<u32> {
        match self {
            Column::U16(v) => v
                .get(row)
                .copied()
                .filter(|&x| x != MISSING_U16)
                .map(u32::from),
            Column::U24(v) => v.get(row).copied().filter(|&x| x != MISSING_U24).map(u24),
            Column::U32(v) => v.get(row).copied().filter(|&x| x != MISSING_U32),
        }
    }

    /// Calls `f` with each present value of rows `range`, in row order.
    pub(crate) fn for_each_present(&self, range: core::ops::Range<usize>, mut f: impl FnMut(u32)) {
        match self {
            Column::U16(v) => v[range]
                .iter()
                .filter(|&&x| x != MISSING_U16)
                .for_each(|&x| f(u32::from(x))),
            Column::U24(v) => v[range]
                .iter()
                .filter(|&&x| x != MISSING_U24)
                .for_each(|&x| f(u24(x))),
            Column::U32(v) => v[range]
                .iter()
                .filter(|&&x| x != MISSING_U32)
                .for_each(|&x| f(x)),
        }
    }

    /// Bytes a row takes.
    pub(crate) fn width(&self) -> usize {
        match self {
            Column::U16(_) => 2,
            Column::U24(_) => 3,
            Column::U32(_) => 4,
        }
    }
}

fn u24([a, b, c]: [u8; 3]) -> u32 {
    u32::from_le_bytes([a, b, c, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinels_read_as_missing_and_values_round_trip() {
        for metric in Metric::ALL {
            let mut column = Column::for_metric(*metric);
            column.push_missing();
            column.push_missing();
            column.set_last(12_345);
            assert_eq!(column.get(0), None, "{metric}");
            assert_eq!(column.get(1), Some(12_345), "{metric}");
            assert_eq!(column.get(2), None, "{metric}");
            let mut seen = Vec::new();
            column.for_each_present(0..2, |v| seen.push(v));
            assert_eq!(seen, [12_345]);
        }
    }

    #[test]
    fn u24_keeps_the_largest_latency() {
        let mut column = Column::for_metric(Metric::Latency);
        column.push_missing();
        column.set_last(crate::units::MILLIS_MAX_10US);
        assert_eq!(column.get(0), Some(crate::units::MILLIS_MAX_10US));
    }
}
