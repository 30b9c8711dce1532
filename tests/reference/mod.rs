//! Naive reference implementations, the oracles of the property tests. Written for
//! obviousness, not speed: split strings and `str::parse`, sort everything, loop over samples.
//! They work from the test's own meeting model, never from the crate's table.
#![allow(dead_code)]

use zoom_qos::{Metric, Stream};

/// The naive unit parser: trim, strip a known unit suffix (case-insensitive), check the
/// number's characters, `str::parse::<f64>`, scale. Returns the stored fixed-point value.
/// `Some(None)` is blank; `None` is rejected.
pub fn naive_unit(text: &str, units: &[(&str, f64)], default_scale: f64) -> Option<Option<u64>> {
    let trimmed = text.trim_matches([' ', '\t', '\r', '\n']);
    if trimmed.is_empty() {
        return Some(None);
    }
    let lower = trimmed.to_ascii_lowercase();
    let (number, scale) = units
        .iter()
        .find_map(|(unit, scale)| lower.strip_suffix(unit).map(|n| (n, *scale)))
        .unwrap_or((lower.as_str(), default_scale));
    let number = number.trim_end_matches([' ', '\t', '\r', '\n']);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (number.contains('.') && frac.is_empty())
    {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    Some(Some((value * scale).round() as u64))
}

/// `value / 10^pow10` written with at most `decimals` decimals beyond the needed ones:
/// the inverse of the unit parsers, for round trips.
pub fn fixed_text(value: u64, pow10: u32, decimals: u32) -> String {
    let unit = 10u64.pow(pow10);
    let (int, frac) = (value / unit, value % unit);
    let mut frac_text = format!("{frac:0width$}", width = pow10 as usize);
    while frac_text.len() > decimals as usize && frac_text.ends_with('0') {
        frac_text.pop();
    }
    if frac_text.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac_text}")
    }
}

/// STATS by the book: sort a copy, nearest rank with `ceil(p/100 · n)` in exact integers.
#[derive(Debug, PartialEq)]
pub struct NaiveStats {
    pub count: u64,
    pub missing: u64,
    pub min: Option<f64>,
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
}

pub fn naive_stats(values: &[f64], samples: u64) -> NaiveStats {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let n = sorted.len();
    let rank = |p: usize| {
        if n == 0 {
            return None;
        }
        let mut r = (p * n) / 100;
        if !(p * n).is_multiple_of(100) {
            r += 1;
        }
        Some(sorted[r.max(1) - 1])
    };
    NaiveStats {
        count: n as u64,
        missing: samples - n as u64,
        min: sorted.first().copied(),
        mean: (n > 0).then(|| sorted.iter().sum::<f64>() / n as f64),
        p50: rank(50),
        p90: rank(90),
        p95: rank(95),
        p99: rank(99),
        max: sorted.last().copied(),
    }
}

/// A stream of a model sample: report-unit values, `None` where missing.
#[derive(Clone, Debug, Default)]
pub struct ModelStream {
    /// Indexed by `Metric::index()`, in report units (resolution: `(w, h)` in `res`).
    pub values: [Option<f64>; 7],
    pub res: Option<(u16, u16)>,
}

#[derive(Clone, Debug, Default)]
pub struct ModelSample {
    pub streams: Vec<(Stream, ModelStream)>,
    pub system_cpu_pct: Option<f64>,
    /// `wifi_rssi`'s `min_rssi`, `avg_rssi` and `max_rssi`, in dBm, as sent.
    pub wifi_dbm: [Option<i16>; 3],
    pub invalid: u64,
    /// Seconds since the epoch; `None` for a blank `date_time`.
    pub time_s: Option<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct ModelParticipant {
    pub name: String,
    pub samples: Vec<ModelSample>,
    /// `network_type`, `data_center`, `device`, `version`: `None` when absent.
    pub dimensions: [Option<String>; 4],
}

/// The breakdown dimensions, in report order, as `ModelParticipant::dimensions` holds them.
pub const DIMENSIONS: [&str; 4] = ["network_type", "data_center", "device", "version"];

pub fn metric_value(stream: &ModelStream, metric: Metric) -> Option<f64> {
    match metric {
        Metric::Resolution => stream
            .res
            .filter(|&r| r != (0, 0))
            .map(|(_, h)| f64::from(h)),
        _ => stream.values[metric.index()],
    }
}

fn stream_of(sample: &ModelSample, stream: Stream) -> Option<&ModelStream> {
    sample
        .streams
        .iter()
        .find(|(s, _)| *s == stream)
        .map(|(_, m)| m)
}

/// The MOS of a sample. Not re-derived here: `mos_estimate` has its own independent oracle
/// (the published R-to-MOS table in `tests/analytics.rs`); this reference checks what is fed
/// to it and how the values are summarised.
/// Report v1 shows MOS to 3 decimals.
pub fn naive_mos(latency: f64, jitter: f64, loss: f64) -> f64 {
    round_mos(zoom_qos::aggregate::mos_estimate(latency, jitter, loss))
}

/// A MOS as report v1 shows it: 3 decimals.
pub fn round_mos(mos: f64) -> f64 {
    (mos * 1000.0).round() / 1000.0
}

/// What the naive report says of a model meeting, with the default thresholds.
#[derive(Debug)]
pub struct NaiveReport {
    pub samples: u64,
    pub invalid: u64,
    pub streams: Vec<(Stream, Metric, NaiveStats)>,
    pub degraded: u64,
    pub by_flag: [u64; 6],
    pub mos_in: NaiveStats,
    pub mos_out: NaiveStats,
    pub grades: Vec<&'static str>,
}

pub fn naive_report(participants: &[ModelParticipant]) -> NaiveReport {
    let all: Vec<&ModelSample> = participants.iter().flat_map(|p| &p.samples).collect();
    let samples = all.len() as u64;
    let mut streams = Vec::new();
    for stream in Stream::ALL {
        if !all.iter().any(|s| stream_of(s, stream).is_some()) {
            continue;
        }
        for metric in stream.metrics() {
            let values: Vec<f64> = all
                .iter()
                .filter_map(|s| stream_of(s, stream).and_then(|m| metric_value(m, *metric)))
                .collect();
            streams.push((stream, *metric, naive_stats(&values, samples)));
        }
    }
    let mut degraded = 0;
    let mut by_flag = [0u64; 6];
    for sample in &all {
        let flags = naive_flags(sample);
        for (count, flag) in by_flag.iter_mut().zip(flags) {
            *count += u64::from(flag);
        }
        degraded += u64::from(naive_degraded(flags));
    }
    let mos_of = |sample: &ModelSample, stream| {
        let m = stream_of(sample, stream)?;
        Some(naive_mos(
            m.values[Metric::Latency.index()]?,
            m.values[Metric::Jitter.index()]?,
            m.values[Metric::AvgLoss.index()]?,
        ))
    };
    let mos_in: Vec<f64> = all
        .iter()
        .filter_map(|s| mos_of(s, Stream::AudioInput))
        .collect();
    let mos_out: Vec<f64> = all
        .iter()
        .filter_map(|s| mos_of(s, Stream::AudioOutput))
        .collect();
    let grades = participants
        .iter()
        .map(|p| {
            let median = |stream| {
                let values: Vec<f64> = p.samples.iter().filter_map(|s| mos_of(s, stream)).collect();
                naive_stats(&values, values.len() as u64).p50
            };
            let medians: Vec<f64> = [median(Stream::AudioInput), median(Stream::AudioOutput)]
                .into_iter()
                .flatten()
                .collect();
            match medians.iter().copied().reduce(f64::min) {
                None => "unclassified",
                Some(m) if m >= 4.0 => "good",
                Some(m) if m >= 3.0 => "fair",
                Some(m) if m >= 2.0 => "poor",
                Some(_) => "bad",
            }
        })
        .collect();
    NaiveReport {
        samples,
        invalid: all.iter().map(|s| s.invalid).sum(),
        streams,
        degraded,
        by_flag,
        mos_in: naive_stats(&mos_in, samples),
        mos_out: naive_stats(&mos_out, samples),
        grades,
    }
}

/// Whether flags make a sample degraded by default: any but weak Wi-Fi.
pub fn naive_degraded(flags: [bool; 6]) -> bool {
    flags[..5].iter().any(|&f| f)
}

/// The flags of a sample with the default thresholds, in report order (latency, jitter,
/// loss, frame_rate, cpu, weak_wifi), read straight off the model.
pub fn naive_flags(sample: &ModelSample) -> [bool; 6] {
    let mut flags = [false; 6];
    for stream in [
        Stream::AudioInput,
        Stream::AudioOutput,
        Stream::VideoInput,
        Stream::VideoOutput,
    ] {
        let Some(m) = stream_of(sample, stream) else {
            continue;
        };
        flags[0] |= m.values[Metric::Latency.index()].is_some_and(|v| v > 150.0);
        flags[1] |= m.values[Metric::Jitter.index()].is_some_and(|v| v > 40.0);
        flags[2] |= m.values[Metric::AvgLoss.index()].is_some_and(|v| v > 2.0);
        if stream.has_picture() {
            let picture = metric_value(m, Metric::Resolution).is_some();
            flags[3] |= picture && m.values[Metric::FrameRate.index()].is_some_and(|v| v < 10.0);
        }
    }
    flags[4] = sample.system_cpu_pct.is_some_and(|v| v > 90.0);
    let [min, avg, max] = sample.wifi_dbm;
    let weaker = [min, max].into_iter().flatten().min();
    flags[5] = avg.or(weaker).is_some_and(|dbm| dbm < -67);
    flags
}

/// An episode as the naive finder sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct NaiveEpisode {
    pub participant: u64,
    pub start_s: i64,
    pub end_s: i64,
    pub samples: u64,
    pub by_flag: [u64; 6],
    /// Latency, jitter and average loss: the largest over the run and the audio and video
    /// streams.
    pub worst: [Option<f64>; 3],
}

/// The naive episode finder: per participant, the samples with a time, sorted by time
/// (stable, so equal times keep input order); then one scan that extends a run while the
/// next sample is degraded and at most `gap_s` later; runs of at least `min_samples` count.
/// Sorted by samples (most first), start, participant.
pub fn naive_episodes(
    participants: &[ModelParticipant],
    gap_s: i64,
    min_samples: usize,
) -> Vec<NaiveEpisode> {
    let mut episodes = Vec::new();
    for (index, participant) in participants.iter().enumerate() {
        let mut timed: Vec<(i64, &ModelSample)> = participant
            .samples
            .iter()
            .filter_map(|s| s.time_s.map(|t| (t, s)))
            .collect();
        timed.sort_by_key(|&(t, _)| t);
        let mut run: Vec<(i64, &ModelSample)> = Vec::new();
        let mut close = |run: &mut Vec<(i64, &ModelSample)>| {
            if run.len() >= min_samples {
                let mut by_flag = [0u64; 6];
                let mut worst = [None::<f64>; 3];
                for (_, sample) in run.iter() {
                    for (count, flag) in by_flag.iter_mut().zip(naive_flags(sample)) {
                        *count += u64::from(flag);
                    }
                    for stream in [
                        Stream::AudioInput,
                        Stream::AudioOutput,
                        Stream::VideoInput,
                        Stream::VideoOutput,
                    ] {
                        if let Some(m) = stream_of(sample, stream) {
                            for (slot, metric) in worst.iter_mut().zip([
                                Metric::Latency,
                                Metric::Jitter,
                                Metric::AvgLoss,
                            ]) {
                                if let Some(v) = m.values[metric.index()] {
                                    *slot = Some(slot.map_or(v, |w: f64| w.max(v)));
                                }
                            }
                        }
                    }
                }
                episodes.push(NaiveEpisode {
                    participant: index as u64,
                    start_s: run[0].0,
                    end_s: run[run.len() - 1].0,
                    samples: run.len() as u64,
                    by_flag,
                    worst,
                });
            }
            run.clear();
        };
        for &(time, sample) in &timed {
            let degraded = naive_degraded(naive_flags(sample));
            let continues = run.last().is_some_and(|&(last, _)| time - last <= gap_s);
            if degraded && continues {
                run.push((time, sample));
            } else {
                close(&mut run);
                if degraded {
                    run.push((time, sample));
                }
            }
        }
        close(&mut run);
    }
    episodes.sort_by(|a, b| {
        b.samples
            .cmp(&a.samples)
            .then(a.start_s.cmp(&b.start_s))
            .then(a.participant.cmp(&b.participant))
    });
    episodes
}

/// A breakdown as the naive reference computes it.
#[derive(Clone, Debug, PartialEq)]
pub struct NaiveBreakdown {
    pub participants: u64,
    pub samples: u64,
    pub degraded: u64,
    /// Latency, jitter and average loss: nearest-rank p95 over the audio streams.
    pub p95: [Option<f64>; 3],
}

/// The naive breakdown: for each dimension, the participants grouped by value (blank or
/// absent: `unknown`), counted, and their audio values pooled and sorted for the p95.
pub fn naive_breakdowns(
    participants: &[ModelParticipant],
) -> Vec<(&'static str, String, NaiveBreakdown)> {
    let mut out = Vec::new();
    for (d, dimension) in DIMENSIONS.iter().enumerate() {
        let mut values: Vec<String> = participants.iter().map(|p| value_of(p, d)).collect();
        values.sort();
        values.dedup();
        for value in values {
            let members: Vec<&ModelParticipant> = participants
                .iter()
                .filter(|p| value_of(p, d) == value)
                .collect();
            let samples: Vec<&ModelSample> = members.iter().flat_map(|p| &p.samples).collect();
            let breakdown = naive_breakdown(members.len() as u64, &samples);
            out.push((*dimension, value, breakdown));
        }
    }
    // Wi-Fi: each sample by its own band; a participant counts in each band it has a
    // sample in.
    for band in ["excellent", "fair", "good", "weak"] {
        let in_band = |s: &&ModelSample| naive_band(s) == Some(band);
        let samples: Vec<&ModelSample> = participants
            .iter()
            .flat_map(|p| &p.samples)
            .filter(in_band)
            .collect();
        if samples.is_empty() {
            continue;
        }
        let members = participants
            .iter()
            .filter(|p| p.samples.iter().any(|s| in_band(&s)))
            .count();
        out.push((
            "wifi_signal",
            band.to_owned(),
            naive_breakdown(members as u64, &samples),
        ));
    }
    out
}

/// A sample's Wi-Fi band: its signal (the average, else the weaker of the others) cut at
/// -50, -60 and -67 dBm.
fn naive_band(sample: &ModelSample) -> Option<&'static str> {
    let [min, avg, max] = sample.wifi_dbm;
    let signal = avg.or([min, max].into_iter().flatten().min())?;
    Some(if signal >= -50 {
        "excellent"
    } else if signal >= -60 {
        "good"
    } else if signal >= -67 {
        "fair"
    } else {
        "weak"
    })
}

/// The counts and audio p95s of some samples of `participants` participants.
fn naive_breakdown(participants: u64, samples: &[&ModelSample]) -> NaiveBreakdown {
    let p95 = [Metric::Latency, Metric::Jitter, Metric::AvgLoss].map(|metric| {
        let mut pooled: Vec<f64> = samples
            .iter()
            .flat_map(|s| [Stream::AudioInput, Stream::AudioOutput].map(|st| stream_of(s, st)))
            .flatten()
            .filter_map(|m| m.values[metric.index()])
            .collect();
        pooled.sort_by(f64::total_cmp);
        naive_stats(&pooled, pooled.len() as u64).p95
    });
    NaiveBreakdown {
        participants,
        samples: samples.len() as u64,
        degraded: samples
            .iter()
            .filter(|s| naive_degraded(naive_flags(s)))
            .count() as u64,
        p95,
    }
}

fn value_of(participant: &ModelParticipant, dimension: usize) -> String {
    match participant.dimensions[dimension].as_deref().map(str::trim) {
        None | Some("") => "unknown".to_owned(),
        Some(value) => value.to_owned(),
    }
}
