//! The per-sample fields beside the streams, read once per sample in the participant pass:
//! Wi-Fi signal, CPU pressure and Zoom's own quality word and score.

use std::collections::BTreeMap;

use super::breakdowns::{SampleGroups, tally};
use super::wifi;
use crate::record::Table;
use crate::report::{Dimension, MetricStats, Stats};
use crate::schema::SampleField;

/// Names of the Wi-Fi STATS, in the order of [`Extras::wifi`].
const WIFI_NAMES: [&str; 3] = ["min_rssi_dbm", "avg_rssi_dbm", "max_rssi_dbm"];

/// One participant's (or, merged, one meeting's) per-sample fields.
#[derive(Debug, Default)]
pub(crate) struct Extras<'t> {
    /// Each sample's weakest reading, `avg_rssi` and strongest reading, in dBm.
    wifi: [Vec<f64>; 3],
    /// Samples per CPU pressure level (its max, else avg, else min level).
    pressure: Vec<(&'t str, u64)>,
    /// Samples per quality word.
    quality: Vec<(&'t str, u64)>,
    /// Quality scores.
    scores: Vec<f64>,
    /// Samples by Wi-Fi band and CPU pressure, for the breakdowns.
    pub(crate) groups: SampleGroups<'t>,
}

/// Adds `n` to `word`'s count.
fn count<'t>(counts: &mut Vec<(&'t str, u64)>, word: &'t str, n: u64) {
    match counts.iter_mut().find(|(w, _)| *w == word) {
        Some((_, total)) => *total += n,
        None => counts.push((word, n)),
    }
}

impl<'t> Extras<'t> {
    /// Whether the table has any of these fields: if not, no sample is read for them.
    pub(crate) fn in_table(table: &Table) -> bool {
        table.has_rssi() || table.has_sample_fields()
    }

    /// Reads one sample.
    pub(crate) fn add(&mut self, table: &'t Table, row: usize, degraded: bool) {
        let (weakest, strongest) = wifi::extremes_dbm(table, row);
        let avg = table.rssi_dbm(crate::RssiMetric::Avg, row);
        for (values, dbm) in self.wifi.iter_mut().zip([weakest, avg, strongest]) {
            values.extend(dbm.map(f64::from));
        }
        if let Some(dbm) = wifi::signal_dbm(table, row) {
            let band = (Dimension::WifiSignal, wifi::signal_band(dbm).name);
            tally(&mut self.groups, table, row, band, degraded);
        }
        let [min, avg, max] = SampleField::CPU_PRESSURE;
        let level = table
            .sample_word(max, row)
            .or_else(|| table.sample_word(avg, row))
            .or_else(|| table.sample_word(min, row));
        if let Some(level) = level {
            count(&mut self.pressure, level, 1);
            tally(
                &mut self.groups,
                table,
                row,
                (Dimension::CpuPressure, level),
                degraded,
            );
        }
        if let Some(word) = table.sample_word(SampleField::Quality, row) {
            count(&mut self.quality, word, 1);
        }
        self.scores.extend(table.quality_score(row));
    }

    /// Wi-Fi STATS over `samples` samples (reorders the values); empty without Wi-Fi.
    pub(crate) fn wifi_stats(&mut self, samples: u64) -> MetricStats {
        if self.wifi.iter().all(Vec::is_empty) {
            return MetricStats::default();
        }
        let named = WIFI_NAMES
            .into_iter()
            .zip(self.wifi.iter_mut())
            .map(|(name, values)| (name, Stats::from_f64(values, samples)))
            .collect();
        MetricStats::from_named(named)
    }

    /// Samples per CPU pressure level.
    pub(crate) fn pressure(&self) -> BTreeMap<String, u64> {
        owned(&self.pressure)
    }

    /// Samples per quality word.
    pub(crate) fn quality(&self) -> BTreeMap<String, u64> {
        owned(&self.quality)
    }

    /// STATS of the quality scores over `samples` samples; `None` without any.
    pub(crate) fn score_stats(&mut self, samples: u64) -> Option<Stats> {
        (!self.scores.is_empty()).then(|| Stats::from_f64(&mut self.scores, samples))
    }

    /// Adds another participant's values (its groups are kept apart, for the breakdowns).
    pub(crate) fn merge(&mut self, other: &Extras<'t>) {
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

fn owned(counts: &[(&str, u64)]) -> BTreeMap<String, u64> {
    counts.iter().map(|&(w, n)| (w.to_owned(), n)).collect()
}
