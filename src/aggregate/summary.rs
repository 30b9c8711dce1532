//! `qos_summary` entries: each participant's min, avg and max per type and metric, and
//! STATS over the participants' averages.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::descriptor::Which;
use crate::record::Table;
use crate::report::{MetricStats, MinAvgMax, Stats, SummaryParticipant, SummaryReport};
use crate::schema::SampleField;

/// The summary of a table's `qos_summary` entries; `None` when it has none.
pub(crate) fn summary(table: &Table) -> Option<SummaryReport> {
    if table.summary().len() == 0 {
        return None;
    }
    let mut participants = Vec::with_capacity(table.summary().len());
    let mut cpu_pressure: BTreeMap<String, u64> = BTreeMap::new();
    // Per type and metric: the stored averages, and their scale.
    let mut averages: BTreeMap<(&'static str, &'static str), (Vec<u32>, u32)> = BTreeMap::new();
    for entry in table.summary() {
        let mut streams: BTreeMap<String, BTreeMap<Cow<'static, str>, MinAvgMax>> = BTreeMap::new();
        for value in entry.values() {
            let (name, descriptor, which) = value.key.meaning();
            let Some(reported) = descriptor.to_report_unit(value.stored) else {
                continue;
            };
            let slot = streams
                .entry(value.kind.api_name().to_owned())
                .or_default()
                .entry(Cow::Borrowed(name))
                .or_default();
            match which {
                Which::Min => slot.min = Some(reported),
                Which::Avg => slot.avg = Some(reported),
                Which::Max => slot.max = Some(reported),
            }
            if which == Which::Avg
                && let Some(key) = descriptor.stat_key(value.stored)
            {
                let (values, _) = averages
                    .entry((value.kind.api_name(), name))
                    .or_insert_with(|| (Vec::new(), descriptor.per_report_unit));
                values.push(key);
            }
        }
        let cpu_pressure_level: BTreeMap<String, String> = SampleField::CPU_PRESSURE
            .iter()
            .filter_map(|&field| {
                Some((
                    field.api_name().to_owned(),
                    entry.cpu_pressure(field)?.to_owned(),
                ))
            })
            .collect();
        let [min, avg, max] = SampleField::CPU_PRESSURE;
        let level = entry
            .cpu_pressure(max)
            .or_else(|| entry.cpu_pressure(avg))
            .or_else(|| entry.cpu_pressure(min));
        if let Some(level) = level {
            *cpu_pressure.entry(level.to_owned()).or_insert(0) += 1;
        }
        participants.push(SummaryParticipant {
            user_name: entry.user_name().to_owned(),
            streams,
            cpu_pressure_level,
        });
    }
    let entries = participants.len() as u64;
    let mut pooled: BTreeMap<String, BTreeMap<Cow<'static, str>, MinAvgMax>> = BTreeMap::new();
    for participant in &participants {
        for (kind, metrics) in &participant.streams {
            let kind = pooled.entry(kind.clone()).or_default();
            for (name, values) in metrics {
                let slot = kind.entry(name.clone()).or_default();
                slot.min = least(slot.min, values.min, f64::min);
                slot.max = least(slot.max, values.max, f64::max);
            }
        }
    }
    let mut streams: BTreeMap<String, MetricStats> = BTreeMap::new();
    for ((kind, name), (mut values, per_report_unit)) in averages {
        let stats = Stats::from_fixed(&mut values, f64::from(per_report_unit), entries);
        if let Some(slot) = pooled.get_mut(kind).and_then(|k| k.get_mut(name)) {
            slot.avg = stats.mean;
        }
        streams
            .entry(kind.to_owned())
            .or_default()
            .push(name, stats);
    }
    Some(SummaryReport {
        participants,
        streams,
        pooled,
        cpu_pressure,
    })
}

/// `pick` of two optional values, or the one present.
fn least(a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (one, other) => one.or(other),
    }
}
