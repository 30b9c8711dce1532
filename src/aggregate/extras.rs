//! The per-sample fields beside the streams, read once per sample in the participant pass:
//! Wi-Fi signal, CPU pressure and Zoom's own quality word and score.

use std::collections::BTreeMap;

use super::breakdowns::SampleGroups;
use super::wifi;
use crate::record::Table;
use crate::report::{Dimension, MetricStats, Stats};
use crate::schema::SampleField;

/// Names of the Wi-Fi STATS, in the order of [`Extras::wifi`].
const WIFI_NAMES: [&str; 3] = ["min_rssi_dbm", "avg_rssi_dbm", "max_rssi_dbm"];

/// One participant's (or, merged, one meeting's) per-sample fields.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    /// Each sample's weakest reading, `avg_rssi` and strongest reading, in dBm.
    wifi: [Vec<i16>; 3],
    /// Samples per CPU pressure level (its max, else avg, else min level), by word code.
    pressure: Vec<(u16, u64)>,
    /// Samples per quality word, by word code.
    quality: Vec<(u16, u64)>,
    /// Quality scores, in hundredths.
    scores: Vec<i32>,
    /// Samples by Wi-Fi band and CPU pressure, for the breakdowns (when `grouped`).
    pub(crate) groups: SampleGroups,
    grouped: bool,
}

/// Adds `n` to `word`'s count.
fn count(counts: &mut Vec<(u16, u64)>, word: u16, n: u64) {
    match counts.iter_mut().find(|(w, _)| *w == word) {
        Some((_, total)) => *total += n,
        None => counts.push((word, n)),
    }
}

impl Extras {
    /// No sample yet; with `grouped`, the samples are grouped for the breakdowns too.
    pub(crate) fn new(grouped: bool) -> Extras {
        Extras {
            grouped,
            ..Extras::default()
        }
    }

    /// Whether the table has any of these fields: if not, no sample is read for them.
    pub(crate) fn in_table(table: &Table) -> bool {
        table.has_rssi() || table.has_sample_fields()
    }

    /// Reads one sample.
    pub(crate) fn add(&mut self, table: &Table, row: usize, degraded: bool) {
        if table.has_rssi() {
            let readings = wifi::Readings::of(table, row);
            for (values, dbm) in self.wifi.iter_mut().zip(readings.weakest_avg_strongest()) {
                values.extend(dbm);
            }
            if self.grouped
                && let Some(dbm) = readings.signal()
            {
                let band = (Dimension::WifiSignal, wifi::signal_band_index(dbm));
                self.groups.tally(band, degraded, row);
            }
        }
        if !table.has_sample_fields() {
            return;
        }
        let [min, avg, max] = SampleField::CPU_PRESSURE;
        let level = table
            .word_code_at(max, row)
            .or_else(|| table.word_code_at(avg, row))
            .or_else(|| table.word_code_at(min, row));
        if let Some(level) = level {
            count(&mut self.pressure, level, 1);
            if self.grouped {
                self.groups
                    .tally((Dimension::CpuPressure, level), degraded, row);
            }
        }
        if let Some(word) = table.word_code_at(SampleField::Quality, row) {
            count(&mut self.quality, word, 1);
        }
        self.scores.extend(table.quality_score_centi(row));
    }

    /// Wi-Fi STATS over `samples` samples (reorders the values); empty without Wi-Fi.
    pub(crate) fn wifi_stats(&mut self, samples: u64) -> MetricStats {
        if self.wifi.iter().all(Vec::is_empty) {
            return MetricStats::default();
        }
        let named = WIFI_NAMES
            .into_iter()
            .zip(self.wifi.iter_mut())
            .map(|(name, values)| (name, Stats::from_signed(values, 1.0, samples)))
            .collect();
        MetricStats::from_named(named)
    }

    /// Samples per CPU pressure level.
    pub(crate) fn pressure(&self, table: &Table) -> BTreeMap<String, u64> {
        named(table, &self.pressure)
    }

    /// Samples per quality word.
    pub(crate) fn quality(&self, table: &Table) -> BTreeMap<String, u64> {
        named(table, &self.quality)
    }

    /// STATS of the quality scores over `samples` samples; `None` without any.
    pub(crate) fn score_stats(&mut self, samples: u64) -> Option<Stats> {
        (!self.scores.is_empty()).then(|| Stats::from_signed(&mut self.scores, 100.0, samples))
    }

    /// Adds another participant's values (its groups are kept apart, for the breakdowns).
    pub(crate) fn merge(&mut self, other: &Extras) {
        for (mine, theirs) in self.wifi.iter_mut().zip(&other.wifi) {
            mine.extend_from_slice(theirs);
        }
        for &(word, n) in &other.pressure {
            count(&mut self.pressure, word, n);
        }
        for &(word, n) in &other.quality {
            count(&mut self.quality, word, n);
        }
        self.scores.extend_from_slice(&other.scores);
    }
}

/// Counts by word code, by word.
fn named(table: &Table, counts: &[(u16, u64)]) -> BTreeMap<String, u64> {
    counts
        .iter()
        .filter_map(|&(code, n)| Some((table.word(usize::from(code))?.to_owned(), n)))
        .collect()
}
