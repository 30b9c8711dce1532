//! The `qos_summary` entries a table holds beside its samples.

use core::ops::Range;

use crate::schema::{SampleField, SummaryKey, SummaryType};

/// A `qos_summary` entry: its name, and its values in `Table::summary_values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SummaryRow {
    pub(crate) user_name: (u32, u32),
    pub(crate) values: Range<u32>,
    /// Its CPU pressure levels, as codes of `Table::words`, in
    /// [`SampleField::CPU_PRESSURE`] order.
    pub(crate) pressure: [Option<u16>; 3],
}

/// One value of a summary entry, stored as its descriptor says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SummaryValue {
    /// The entry's `type`.
    pub kind: SummaryType,
    /// The key in its `details`.
    pub key: SummaryKey,
    /// The value in the key's stored unit ([`SummaryKey::meaning`]).
    pub stored: u32,
}

/// A `qos_summary` entry of a table.
#[derive(Clone, Copy, Debug)]
pub struct SummaryEntry<'t> {
    /// The table's text, which the entry's name is a range of.
    text: &'t str,
    /// The table's words, ranges of `text`.
    words: &'t [(u32, u32)],
    /// The table's summary values, which the entry's values are a range of.
    values: &'t [SummaryValue],
    row: &'t SummaryRow,
}

impl<'t> SummaryEntry<'t> {
    /// The entry `row` of a table whose text and summary values these are.
    pub(crate) fn new(
        text: &'t str,
        words: &'t [(u32, u32)],
        values: &'t [SummaryValue],
        row: &'t SummaryRow,
    ) -> Self {
        SummaryEntry {
            text,
            words,
            values,
            row,
        }
    }

    /// A CPU pressure level (`system_min_cpu_pressure_level`, ...), as sent (trimmed).
    pub fn cpu_pressure(&self, field: SampleField) -> Option<&'t str> {
        let at = SampleField::CPU_PRESSURE.iter().position(|&f| f == field)?;
        let &(start, end) = self.words.get(usize::from(self.row.pressure[at]?))?;
        self.text.get(start as usize..end as usize)
    }

    /// Its `user_name` (`""` when absent).
    pub fn user_name(&self) -> &'t str {
        let (start, end) = self.row.user_name;
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Its valid values, in input order.
    pub fn values(&self) -> &'t [SummaryValue] {
        let range = self.row.values.start as usize..self.row.values.end as usize;
        self.values.get(range).unwrap_or(&[])
    }
}
