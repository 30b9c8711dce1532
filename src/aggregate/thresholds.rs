//! Degradation thresholds, and their fixed-point form used per sample.

use core::fmt;
use core::ops::Range;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::wifi::Readings;
use crate::descriptor::Resolution;
use crate::error::Error;
use crate::record::Table;
use crate::report::Flag;
use crate::schema::{CpuMetric, Metric, RssiMetric, Stream};

/// How a flag's value crosses its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// The flag is raised by a value above the threshold.
    Above,
    /// The flag is raised by a value below the threshold.
    Below,
}

/// Where a flag's value is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reads {
    /// A metric of each flagged stream: [`Stream::AUDIO_VIDEO`], and screen share too
    /// with [`Thresholds::screen_share`]. A picture metric is read on picture streams
    /// only, and only while the stream has a picture (`0*0` is none).
    Stream(Metric),
    /// A field of the sample's `cpu_usage`.
    Cpu(CpuMetric),
    /// The sample's Wi-Fi signal in dBm: its `avg_rssi`, else the weaker of `min_rssi`
    /// and `max_rssi` (Zoom's own examples do not keep min ≤ max).
    WifiSignal,
}

/// One degradation flag, as data: which value it reads, how that value crosses the
/// threshold, the threshold's key, default and unit, its label and where the default comes
/// from. [`Thresholds`] (its docs, its TOML, its fixed-point cuts and the flags it
/// raises), the timeline and the renderers all read these rows: a new flag is a
/// [`Flag`] and a row.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct FlagRule {
    /// The flag raised.
    pub flag: Flag,
    /// The value it reads.
    pub reads: Reads,
    /// How that value crosses the threshold.
    pub comparison: Comparison,
    /// The threshold's key in a thresholds file, with its unit (`latency_ms`).
    pub key: &'static str,
    /// The default threshold, in `unit`.
    pub default: f64,
    /// The threshold's unit, as printed (`ms`).
    pub unit: &'static str,
    /// What the flag is, in words (`latency`).
    pub label: &'static str,
    /// What the threshold does, in a sentence (for the thresholds file).
    pub explains: &'static str,
    /// Where the default comes from.
    pub source: &'static str,
}

impl FlagRule {
    /// The rule of a flag.
    pub const fn of(flag: Flag) -> &'static FlagRule {
        &FLAG_RULES[flag.index()]
    }
}

/// Every flag's rule, indexed by [`Flag::index`].
pub const FLAG_RULES: [FlagRule; Flag::COUNT] = [
    FlagRule {
        flag: Flag::Latency,
        reads: Reads::Stream(Metric::Latency),
        comparison: Comparison::Above,
        key: "latency_ms",
        default: 150.0,
        unit: "ms",
        label: "latency",
        explains: "latency above this many ms raises the latency flag",
        source: "ITU-T G.114, one-way delay under 150 ms is acceptable",
    },
    FlagRule {
        flag: Flag::Jitter,
        reads: Reads::Stream(Metric::Jitter),
        comparison: Comparison::Above,
        key: "jitter_ms",
        default: 40.0,
        unit: "ms",
        label: "jitter",
        explains: "jitter above this many ms raises the jitter flag",
        source: "VoIP practice, 30 ms or less is good (Cisco), over 40 ms severe (8x8)",
    },
    FlagRule {
        flag: Flag::Loss,
        reads: Reads::Stream(Metric::AvgLoss),
        comparison: Comparison::Above,
        key: "avg_loss_pct",
        default: 2.0,
        unit: "%",
        label: "average loss",
        explains: "average packet loss above this percentage raises the loss flag",
        source: "VoIP practice, 1 % or less is good (Cisco); Polycom: 1 % major, 5 % critical",
    },
    FlagRule {
        flag: Flag::FrameRate,
        reads: Reads::Stream(Metric::FrameRate),
        comparison: Comparison::Below,
        key: "frame_rate_fps",
        default: 10.0,
        unit: "fps",
        label: "frame rate",
        explains: "a frame rate below this, on a video stream with a picture, raises the frame_rate flag",
        source: "below 10 fps motion looks choppy",
    },
    FlagRule {
        flag: Flag::Cpu,
        reads: Reads::Cpu(CpuMetric::SystemMax),
        comparison: Comparison::Above,
        key: "system_cpu_pct",
        default: 90.0,
        unit: "%",
        label: "system CPU",
        explains: "system_max_cpu_usage above this percentage raises the cpu flag",
        source: "a saturated machine drops media",
    },
    FlagRule {
        flag: Flag::WeakWifi,
        reads: Reads::WifiSignal,
        comparison: Comparison::Below,
        key: "wifi_signal_dbm",
        default: -67.0,
        unit: "dBm",
        label: "weak Wi-Fi",
        explains: "a Wi-Fi signal below this many dBm raises the weak_wifi flag (counted; \
                   part of degraded only when weak_wifi_degrades is true)",
        source: "voice-over-Wi-Fi design guides (Cisco, Aruba): -67 dBm or stronger for voice",
    },
];

/// When a sample counts as degraded: a threshold per flag (its [`FlagRule`]), and which
/// streams raise flags. A flag needs a present value: missing data never raises one.
/// Defaults and their sources:
///
/// | key | default | flag when | source |
/// |---|---|---|---|
/// | `latency_ms` | 150 | latency > it | ITU-T G.114: one-way delay under 150 ms is acceptable |
/// | `jitter_ms` | 40 | jitter > it | VoIP practice: ≤ 30 ms good (Cisco), > 40 ms severe (8x8) |
/// | `avg_loss_pct` | 2.0 | average loss > it | VoIP practice: ≤ 1 % good (Cisco), 1 % major / 5 % critical (Polycom) |
/// | `frame_rate_fps` | 10 | frame rate < it, on a video stream with a picture | below 10 fps motion looks choppy |
/// | `system_cpu_pct` | 90 | `system_max_cpu_usage` > it | a saturated machine drops media |
/// | `wifi_signal_dbm` | -67 | Wi-Fi signal < it | voice-over-Wi-Fi design guides (Cisco, Aruba): -67 dBm or stronger |
///
/// The Wi-Fi signal of a sample is its `avg_rssi`, else the weaker of `min_rssi` and
/// `max_rssi`. `weak_wifi` is counted in `by_flag` but not in `degraded` unless
/// `weak_wifi_degrades` is set: a weak signal is a cause to look at, not a harm in itself
/// (a call on a weak but clean link is fine), and counting it would change every existing
/// meeting's degraded share.
///
/// (The table is checked against [`FLAG_RULES`] by a test.) Latency, jitter and loss are
/// read on `audio_input`, `audio_output`, `video_input` and `video_output`;
/// `screen_share` adds `as_input` and `as_output` (off by default: screen share's jitter
/// is large by nature). Read from TOML or JSON with serde, by the keys above; unknown keys
/// are an error.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Thresholds {
    /// By [`Flag::index`], in each rule's unit.
    limits: [f64; Flag::COUNT],
    /// Whether the screen-share streams raise flags too.
    pub screen_share: bool,
    /// Degraded samples at most this many seconds apart belong to one episode.
    pub episode_gap_s: u32,
    /// Runs of fewer degraded samples are not reported as episodes.
    pub episode_min_samples: u32,
    /// Whether `weak_wifi` makes a sample degraded (default false: it is counted only).
    pub weak_wifi_degrades: bool,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            limits: FLAG_RULES.map(|rule| rule.default),
            screen_share: false,
            episode_gap_s: 120,
            episode_min_samples: 2,
            weak_wifi_degrades: false,
        }
    }
}

/// A threshold must be a finite number ≥ 0 (any finite number for a signal in dBm).
fn check(rule: &FlagRule, value: f64) -> Result<(), Error> {
    if value.is_finite() && (value >= 0.0 || rule.reads == Reads::WifiSignal) {
        Ok(())
    } else if rule.reads == Reads::WifiSignal {
        Err(Error::config(format!(
            "threshold {} must be a finite number, found {value}",
            rule.key
        )))
    } else {
        Err(Error::config(format!(
            "threshold {} must be a finite number ≥ 0, found {value}",
            rule.key
        )))
    }
}

/// The keys of a thresholds file, for serde's "expected one of".
const KEYS: [&str; Flag::COUNT + 4] = {
    let mut keys = [""; Flag::COUNT + 4];
    let mut i = 0;
    while i < Flag::COUNT {
        keys[i] = FLAG_RULES[i].key;
        i += 1;
    }
    keys[Flag::COUNT] = "screen_share";
    keys[Flag::COUNT + 1] = "episode_gap_s";
    keys[Flag::COUNT + 2] = "episode_min_samples";
    keys[Flag::COUNT + 3] = "weak_wifi_degrades";
    keys
};

impl<'de> Deserialize<'de> for Thresholds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct File;
        impl<'de> Visitor<'de> for File {
            type Value = Thresholds;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of degradation thresholds")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Thresholds, A::Error> {
                let mut thresholds = Thresholds::default();
                let mut seen = [false; KEYS.len()];
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    let Some(at) = KEYS.iter().position(|k| *k == key) else {
                        return Err(de::Error::unknown_field(&key, &KEYS));
                    };
                    if core::mem::replace(&mut seen[at], true) {
                        return Err(de::Error::duplicate_field(KEYS[at]));
                    }
                    match at {
                        _ if at < Flag::COUNT => thresholds.limits[at] = map.next_value()?,
                        _ if at == Flag::COUNT => thresholds.screen_share = map.next_value()?,
                        _ if at == Flag::COUNT + 1 => {
                            thresholds.episode_gap_s = map.next_value()?
                        }
                        _ if at == Flag::COUNT + 2 => {
                            thresholds.episode_min_samples = map.next_value()?
                        }
                        _ => thresholds.weak_wifi_degrades = map.next_value()?,
                    }
                }
                // A file's thresholds are checked as they are read: no NaN gets in.
                thresholds.validate().map_err(de::Error::custom)?;
                Ok(thresholds)
            }
        }
        deserializer.deserialize_struct("Thresholds", &KEYS, File)
    }
}

impl Thresholds {
    /// The threshold of a flag, in its rule's unit.
    pub fn limit(&self, flag: Flag) -> f64 {
        self.limits[flag.index()]
    }

    /// Sets the threshold of a flag, in its rule's unit.
    ///
    /// # Errors
    /// A [`Config`](crate::ErrorKind::Config) error for a value that is not a finite
    /// number ≥ 0 (a NaN would flag every sample): the threshold is left as it was.
    pub fn set_limit(&mut self, flag: Flag, value: f64) -> Result<(), Error> {
        check(FlagRule::of(flag), value)?;
        self.limits[flag.index()] = value;
        Ok(())
    }

    /// These thresholds with one flag's threshold changed:
    /// `Thresholds::default().with_limit(Flag::Latency, 100.0)?`.
    ///
    /// # Errors
    /// As [`set_limit`](Self::set_limit).
    pub fn with_limit(mut self, flag: Flag, value: f64) -> Result<Self, Error> {
        self.set_limit(flag, value)?;
        Ok(self)
    }

    /// These thresholds with screen share raising flags too, or not.
    pub fn with_screen_share(mut self, screen_share: bool) -> Self {
        self.screen_share = screen_share;
        self
    }

    /// These thresholds with another episode gap, in seconds.
    pub fn with_episode_gap_s(mut self, episode_gap_s: u32) -> Self {
        self.episode_gap_s = episode_gap_s;
        self
    }

    /// These thresholds with another least episode length, in samples.
    pub fn with_episode_min_samples(mut self, episode_min_samples: u32) -> Self {
        self.episode_min_samples = episode_min_samples;
        self
    }

    /// The threshold of the flag that reads `metric` on the streams, if one does.
    pub fn limit_of_metric(&self, metric: Metric) -> Option<f64> {
        FLAG_RULES
            .iter()
            .find(|rule| rule.reads == Reads::Stream(metric))
            .map(|rule| self.limit(rule.flag))
    }

    /// Checks that every threshold is a finite, non-negative number.
    ///
    /// # Errors
    /// A [`Config`](crate::ErrorKind::Config) error naming the first bad field.
    pub fn validate(&self) -> Result<(), Error> {
        FLAG_RULES
            .iter()
            .try_for_each(|rule| check(rule, self.limit(rule.flag)))
    }

    /// These thresholds as a TOML file that [`Deserialize`] reads back: each key with
    /// what it flags and the source of its default, as comments.
    pub fn to_toml(&self) -> String {
        let mut toml = String::from(
            "# Degradation thresholds of zoom-qos. A sample is degraded when one of its\n\
             # values crosses one; missing values never do. Latency, jitter and loss are read on\n\
             # audio_input, audio_output, video_input and video_output.\n",
        );
        for rule in &FLAG_RULES {
            toml.push_str(&format!(
                "\n# {}\n# Default {}: {}\n{} = {:?}\n",
                rule.explains,
                rule.default,
                rule.source,
                rule.key,
                self.limit(rule.flag)
            ));
        }
        toml.push_str(&format!(
            "\n# Whether screen share (as_input, as_output) raises latency, jitter and loss\n\
             # flags too. Default false: screen share's jitter is large by nature.\n\
             screen_share = {}\n",
            self.screen_share
        ));
        toml.push_str(&format!(
            "\n# Episodes: degraded samples at most this many seconds apart are one run\n\
             # (samples come about a minute apart; default 120 lets one sample go missing).\n\
             episode_gap_s = {}\n\
             \n# Runs with fewer degraded samples are not reported as episodes (default 2).\n\
             episode_min_samples = {}\n",
            self.episode_gap_s, self.episode_min_samples
        ));
        toml.push_str(&format!(
            "\n# Whether weak_wifi makes a sample degraded. Default false: a weak signal is a\n\
             # cause to look at (it is counted and broken down), not a harm in itself.\n\
             weak_wifi_degrades = {}\n",
            self.weak_wifi_degrades
        ));
        toml
    }

    /// These thresholds with weak Wi-Fi part of `degraded`, or not.
    pub fn with_weak_wifi_degrades(mut self, degrades: bool) -> Self {
        self.weak_wifi_degrades = degrades;
        self
    }

    pub(crate) fn fixed(&self) -> Fixed {
        let cut = |rule: &FlagRule| {
            let (per_report_unit, zero) = match rule.reads {
                Reads::Stream(metric) => (metric.descriptor().per_report_unit, 0),
                Reads::Cpu(cpu) => (cpu.descriptor().per_report_unit, 0),
                Reads::WifiSignal => {
                    let descriptor = RssiMetric::Avg.descriptor();
                    (descriptor.per_report_unit, descriptor.zero_stored)
                }
            };
            let limit = self.limit(rule.flag) + f64::from(zero);
            match rule.comparison {
                Comparison::Above => above(limit, per_report_unit),
                Comparison::Below => below(limit, per_report_unit),
            }
        };
        let mut degrading = SampleFlags::ALL;
        if !self.weak_wifi_degrades {
            degrading &= !(1 << Flag::WeakWifi.index());
        }
        Fixed {
            cuts: FLAG_RULES.map(|rule| cut(&rule)),
            degrading,
            streams: if self.screen_share {
                &Stream::MAIN
            } else {
                &Stream::AUDIO_VIDEO
            },
        }
    }
}

/// A threshold in stored units, and whether that is a whole number up to float noise.
fn to_stored(threshold: f64, per_report_unit: u32) -> (f64, bool) {
    let x = threshold * f64::from(per_report_unit);
    let whole = x.round();
    (x, (x - whole).abs() <= 1e-9 * whole.abs().max(1.0))
}

/// The largest stored value that is not above `threshold` (in report units):
/// `value > threshold` ⇔ `stored > above(threshold)`.
fn above(threshold: f64, per_report_unit: u32) -> u64 {
    let (x, whole) = to_stored(threshold, per_report_unit);
    let cut = if whole { x.round() } else { x.floor() };
    // Saturating float-to-int cast: a huge threshold never flags.
    cut.max(0.0) as u64
}

/// The smallest stored value that is not below `threshold` (in report units):
/// `value < threshold` ⇔ `stored < below(threshold)`.
fn below(threshold: f64, per_report_unit: u32) -> u64 {
    let (x, whole) = to_stored(threshold, per_report_unit);
    let cut = if whole { x.round() } else { x.ceil() };
    cut.max(0.0) as u64
}

/// Which flags one sample raises (one bit per [`Flag`], by its index), and which of them
/// make it degraded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SampleFlags {
    raised: u8,
    degrading: u8,
}

impl SampleFlags {
    /// Every flag's bit.
    const ALL: u8 = ((1u16 << Flag::COUNT) - 1) as u8;

    #[cfg(test)]
    fn set(&mut self, flag: Flag, on: bool) {
        self.raised |= u8::from(on) << flag.index();
    }

    /// Whether `flag` is raised.
    pub(crate) fn has(self, flag: Flag) -> bool {
        self.raised & (1 << flag.index()) != 0
    }

    /// Whether a flag that degrades is raised: the sample is degraded.
    pub(crate) fn any(self) -> bool {
        self.raised & self.degrading != 0
    }
}

/// Thresholds in the table's stored units (see each metric's descriptor).
pub(crate) struct Fixed {
    /// Per [`FLAG_RULES`] row: a value crosses it when it is above (or below) this.
    cuts: [u64; Flag::COUNT],
    /// The flags that make a sample degraded.
    degrading: u8,
    streams: &'static [Stream],
}

impl Fixed {
    /// The flags of each of `rows`, a column at a time: one pass over the rows per rule
    /// and stream, each reading one column (a row at a time, every rule read each sample's
    /// columns again). The tests check it against [`flags`](Self::flags), which reads
    /// one row at a time as the rules say.
    /// `wifi` holds the Wi-Fi readings of `rows` ([`Readings::of_rows`]; empty without
    /// Wi-Fi).
    pub(crate) fn flags_of_rows(
        &self,
        table: &Table,
        rows: Range<usize>,
        wifi: &[Readings],
    ) -> Vec<SampleFlags> {
        let mut raised = vec![0u8; rows.len()];
        let cut_of = |rule: &FlagRule| {
            let cut = self.cuts[rule.flag.index()];
            let comparison = rule.comparison;
            move |value: u32| match comparison {
                Comparison::Above => u64::from(value) > cut,
                Comparison::Below => u64::from(value) < cut,
            }
        };
        for &stream in self.streams {
            let Some(columns) = table.stream(stream) else {
                continue;
            };
            // Which rows show a picture: read once, for the picture rules.
            let mut picture: Option<Vec<bool>> = None;
            for rule in &FLAG_RULES {
                let Reads::Stream(metric) = rule.reads else {
                    continue;
                };
                let (crosses, bit) = (cut_of(rule), 1u8 << rule.flag.index());
                if !metric.is_picture() {
                    columns.for_each_present_at(metric, rows.clone(), |at, value| {
                        raised[at] |= if crosses(value) { bit } else { 0 };
                    });
                } else if stream.has_picture() {
                    let picture = picture.get_or_insert_with(|| {
                        let mut shows = vec![false; rows.len()];
                        columns.for_each_present_at(Metric::Resolution, rows.clone(), |at, v| {
                            shows[at] = Resolution::from_packed(v).has_picture();
                        });
                        shows
                    });
                    columns.for_each_present_at(metric, rows.clone(), |at, value| {
                        raised[at] |= if crosses(value) && picture[at] {
                            bit
                        } else {
                            0
                        };
                    });
                }
            }
        }
        for rule in &FLAG_RULES {
            let (crosses, bit) = (cut_of(rule), 1u8 << rule.flag.index());
            match rule.reads {
                Reads::Cpu(cpu) => {
                    if let Some(columns) = table.cpu() {
                        columns.for_each_present_at(cpu, rows.clone(), |at, value| {
                            // As `Table::cpu_bp`: a value past 16 bits is none.
                            let crossed = u16::try_from(value).is_ok() && crosses(value);
                            raised[at] |= if crossed { bit } else { 0 };
                        });
                    }
                }
                Reads::WifiSignal => {
                    for (raised, readings) in raised.iter_mut().zip(wifi) {
                        if readings.signal_stored().is_some_and(crosses) {
                            *raised |= bit;
                        }
                    }
                }
                Reads::Stream(_) => {}
            }
        }
        raised
            .into_iter()
            .map(|raised| SampleFlags {
                raised,
                degrading: self.degrading,
            })
            .collect()
    }

    /// The flags of one row, read as the rules say: the reference of
    /// [`flags_of_rows`](Self::flags_of_rows).
    #[cfg(test)]
    pub(crate) fn flags(&self, table: &Table, row: usize) -> SampleFlags {
        let crosses = |rule: &FlagRule, value: Option<u32>| {
            let cut = self.cuts[rule.flag.index()];
            value.is_some_and(|v| match rule.comparison {
                Comparison::Above => u64::from(v) > cut,
                Comparison::Below => u64::from(v) < cut,
            })
        };
        let mut flags = SampleFlags {
            raised: 0,
            degrading: self.degrading,
        };
        for &stream in self.streams {
            let Some(columns) = table.stream(stream) else {
                continue;
            };
            let has_picture = || columns.resolution(row).is_some_and(Resolution::has_picture);
            for rule in &FLAG_RULES {
                let Reads::Stream(metric) = rule.reads else {
                    continue;
                };
                let raised = if metric.is_picture() {
                    stream.has_picture()
                        && crosses(rule, columns.stored(metric, row))
                        && has_picture()
                } else {
                    crosses(rule, columns.stored(metric, row))
                };
                flags.set(rule.flag, raised);
            }
        }
        for rule in &FLAG_RULES {
            match rule.reads {
                Reads::Cpu(cpu) => flags.set(
                    rule.flag,
                    crosses(rule, table.cpu_bp(cpu, row).map(u32::from)),
                ),
                Reads::WifiSignal => {
                    let signal = table
                        .has_rssi()
                        .then(|| Readings::of(table, row).signal_stored());
                    flags.set(rule.flag, crosses(rule, signal.flatten()));
                }
                Reads::Stream(_) => {}
            }
        }
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: [`Fixed::flags`], a row at a time. Generated meetings (Wi-Fi, CPU, video
    /// and a screen share that is mostly `0*0`), under the defaults and under limits low
    /// enough that most rules fire, over the whole table, each participant's rows and
    /// ranges that start anywhere or run past the end.
    #[test]
    fn flags_a_column_at_a_time_are_the_flags_of_each_row() {
        let mut strict = String::from("{\"screen_share\": true");
        for rule in &FLAG_RULES {
            let limit = match rule.comparison {
                Comparison::Above => rule.default / 4.0,
                Comparison::Below => rule.default * 4.0,
            };
            strict += &format!(", \"{}\": {limit}", rule.key);
        }
        strict += "}";
        let strict: Thresholds = serde_json::from_str(&strict).expect("valid");
        let mut raised = [0u64; Flag::COUNT];
        for thresholds in [Thresholds::default(), strict] {
            let fixed = thresholds.fixed();
            for seed in 1..=6 {
                // A stream without a picture that still sends a frame rate: not flagged.
                let mut page = crate::synth::page(seed, 5, 40)
                    .replace(
                        r#""resolution":"0*0","frame_rate":"""#,
                        r#""resolution":"0*0","frame_rate":"2 fps""#,
                    )
                    .into_bytes();
                let mut table = Table::new();
                crate::Decoder::default()
                    .decode(&mut page, &mut table)
                    .expect("decodes");
                let samples = table.samples();
                let mut ranges = vec![0..samples, 3..samples + 7, samples..samples + 2];
                ranges.extend(table.participants().map(|p| p.rows()));
                for rows in ranges {
                    let wifi = Readings::of_rows(&table, rows.clone());
                    let got = fixed.flags_of_rows(&table, rows.clone(), &wifi);
                    let want: Vec<SampleFlags> = rows.map(|row| fixed.flags(&table, row)).collect();
                    assert_eq!(got, want, "seed {seed}");
                    for flag in Flag::ALL {
                        raised[flag.index()] += got.iter().filter(|f| f.has(flag)).count() as u64;
                    }
                }
            }
        }
        assert!(
            raised.iter().all(|&n| n > 0),
            "every flag is raised somewhere: {raised:?}"
        );
    }

    /// The table in [`Thresholds`]' docs states every rule's key and default.
    #[test]
    fn the_documented_table_is_the_rules() {
        let source = include_str!("thresholds.rs");
        let rows: Vec<(&str, f64)> = source
            .lines()
            .filter_map(|line| line.trim().strip_prefix("/// | `"))
            .filter_map(|row| {
                let (key, rest) = row.split_once('`')?;
                let default = rest.trim_start_matches(" |").split('|').next()?.trim();
                Some((key, default.parse().ok()?))
            })
            .collect();
        let rules: Vec<(&str, f64)> = FLAG_RULES.iter().map(|r| (r.key, r.default)).collect();
        assert_eq!(rows, rules);
        for (index, rule) in FLAG_RULES.iter().enumerate() {
            assert_eq!(rule.flag.index(), index, "rows are indexed by flag");
        }
    }

    #[test]
    fn a_thresholds_file_is_read_by_the_rules_keys() {
        let read = |json: &str| serde_json::from_str::<Thresholds>(json);
        let t = read(r#"{"jitter_ms": 30, "screen_share": true}"#).expect("valid");
        assert_eq!(t.limit(Flag::Jitter), 30.0);
        assert_eq!(
            t.limit(Flag::Latency),
            150.0,
            "the others keep their defaults"
        );
        assert!(t.screen_share);
        let unknown = read(r#"{"latency": 30}"#).expect_err("unknown key");
        assert!(
            unknown.to_string().contains("unknown field `latency`"),
            "{unknown}"
        );
        assert!(unknown.to_string().contains("`latency_ms`"), "{unknown}");
        let twice = read(r#"{"jitter_ms": 30, "jitter_ms": 31}"#).expect_err("twice");
        let negative = read(r#"{"jitter_ms": -1}"#).expect_err("negative");
        assert!(
            negative
                .to_string()
                .contains("jitter_ms must be a finite number"),
            "{negative}"
        );
        let mut t = Thresholds::default();
        assert!(t.set_limit(Flag::Latency, f64::NAN).is_err());
        assert_eq!(
            t.limit(Flag::Latency),
            150.0,
            "a refused value changes nothing"
        );
        assert!(
            twice.to_string().contains("duplicate field `jitter_ms`"),
            "{twice}"
        );
        let toml = Thresholds::default().to_toml();
        let toml_keys: Vec<&str> = toml
            .lines()
            .filter_map(|line| line.split_once(" = ").map(|(key, _)| key))
            .collect();
        assert_eq!(
            toml_keys, KEYS,
            "the file the command prints has every key once"
        );
    }
}
