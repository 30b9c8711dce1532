//! The per-sample fields beside the streams, counted a participant at a time from the
//! samples' facts: Wi-Fi signal, CPU pressure and Zoom's own quality word and score.

use core::ops::Range;
use std::collections::BTreeMap;

use super::breakdowns::SampleGroups;
use super::facts::ExtraFacts;
use super::thresholds::SampleFlags;
use super::wifi;
use crate::record::Table;
use crate::report::{Dimension, MetricStats, Stats};

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
    // The last word counted is the likeliest: a minute repeats the one before.
    if let Some((last, total)) = counts.last_mut()
        && *last == word
    {
        *total += n;
        return;
    }
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

    /// Reads the facts of one participant's `rows`; `flags` are those rows' flags.
    pub(crate) fn add_rows(
        &mut self,
        facts: &ExtraFacts,
        rows: Range<usize>,
        flags: &[SampleFlags],
    ) {
        let degraded = |at: usize| flags.get(at).is_some_and(|f| f.any());
        if let Some(readings) = facts.wifi.get(rows.clone()) {
            for readings in readings {
                for (values, dbm) in self.wifi.iter_mut().zip(readings.weakest_avg_strongest()) {
                    values.extend(dbm);
                }
            }
            if self.grouped {
                for (at, readings) in readings.iter().enumerate() {
                    if let Some(dbm) = readings.signal() {
                        let band = (Dimension::WifiSignal, wifi::signal_band_index(dbm));
                        self.groups.tally(band, degraded(at), rows.start + at);
                    }
                }
            }
        }
        if let Some(levels) = facts.pressure.get(rows.clone()) {
            for (at, &level) in levels.iter().enumerate() {
                let Some(level) = level else { continue };
                count(&mut self.pressure, level, 1);
                if self.grouped {
                    let group = (Dimension::CpuPressure, level);
                    self.groups.tally(group, degraded(at), rows.start + at);
                }
            }
        }
        if let Some(words) = facts.quality.get(rows.clone()) {
            for &word in words.iter().flatten() {
                count(&mut self.quality, word, 1);
            }
        }
        if let Some(scores) = facts.score.get(rows) {
            self.scores.extend(scores.iter().flatten());
        }
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
