//! Degradation thresholds, and their fixed-point form used per sample.

use serde::Deserialize;

use crate::descriptor::Resolution;
use crate::error::Error;
use crate::record::Table;
use crate::report::Flag;
use crate::schema::{CpuMetric, Metric, Stream};

/// When a sample counts as degraded. A flag needs a present value: missing data never
/// raises one. Defaults and their sources:
///
/// | field | default | flag when | source |
/// |---|---|---|---|
/// | `latency_ms` | 150 | latency > it | ITU-T G.114: one-way delay under 150 ms is acceptable |
/// | `jitter_ms` | 40 | jitter > it | VoIP practice: ≤ 30 ms good (Cisco), > 40 ms severe (8x8) |
/// | `avg_loss_pct` | 2.0 | average loss > it | VoIP practice: ≤ 1 % good (Cisco), 1 % major / 5 % critical (Polycom) |
/// | `frame_rate_fps` | 10 | frame rate < it, on a video stream with a picture | below 10 fps motion looks choppy |
/// | `system_cpu_pct` | 90 | `system_max_cpu_usage` > it | a saturated machine drops media |
///
/// Latency, jitter and loss are read on `audio_input`, `audio_output`, `video_input`
/// and `video_output`; `screen_share` adds `as_input` and `as_output` (off by default:
/// screen share's jitter is large by nature). Read from TOML or JSON with serde; unknown
/// keys are an error.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Latency above this many ms raises `latency`.
    pub latency_ms: f64,
    /// Jitter above this many ms raises `jitter`.
    pub jitter_ms: f64,
    /// Average loss above this percentage raises `loss`.
    pub avg_loss_pct: f64,
    /// A frame rate below this raises `frame_rate`.
    pub frame_rate_fps: f64,
    /// `system_max_cpu_usage` above this percentage raises `cpu`.
    pub system_cpu_pct: f64,
    /// Whether the screen-share streams raise flags too.
    pub screen_share: bool,
    /// Degraded samples at most this many seconds apart belong to one episode.
    pub episode_gap_s: u32,
    /// Runs of fewer degraded samples are not reported as episodes.
    pub episode_min_samples: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            latency_ms: 150.0,
            jitter_ms: 40.0,
            avg_loss_pct: 2.0,
            frame_rate_fps: 10.0,
            system_cpu_pct: 90.0,
            screen_share: false,
            episode_gap_s: 120,
            episode_min_samples: 2,
        }
    }
}

impl Thresholds {
    /// Checks that every threshold is a finite, non-negative number.
    ///
    /// # Errors
    /// A [`Config`](crate::ErrorKind::Config) error naming the first bad field.
    pub fn validate(&self) -> Result<(), Error> {
        match self
            .numbers()
            .iter()
            .find(|f| !f.value.is_finite() || f.value < 0.0)
        {
            Some(field) => Err(Error::config(format!(
                "threshold {} must be a finite number ≥ 0, found {}",
                field.name, field.value
            ))),
            None => Ok(()),
        }
    }

    /// These thresholds as a TOML file that [`Deserialize`] reads back: each key with
    /// what it flags and the source of its default, as comments.
    pub fn to_toml(&self) -> String {
        let mut toml = String::from(
            "# Degradation thresholds of zoom-qos. A sample is degraded when one of its\n\
             # values crosses one; missing values never do. Latency, jitter and loss are read on\n\
             # audio_input, audio_output, video_input and video_output.\n",
        );
        for field in self.numbers() {
            toml.push_str(&format!(
                "\n# {}\n# Default {}: {}\n{} = {:?}\n",
                field.rule, field.default, field.source, field.name, field.value
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
        toml
    }

    /// The numeric thresholds, with what each flags and where its default comes from.
    fn numbers(&self) -> [Number; 5] {
        let default = Thresholds::default();
        [
            Number {
                name: "latency_ms",
                value: self.latency_ms,
                default: default.latency_ms,
                rule: "latency above this many ms raises the latency flag",
                source: "ITU-T G.114, one-way delay under 150 ms is acceptable",
            },
            Number {
                name: "jitter_ms",
                value: self.jitter_ms,
                default: default.jitter_ms,
                rule: "jitter above this many ms raises the jitter flag",
                source: "VoIP practice, 30 ms or less is good (Cisco), over 40 ms severe (8x8)",
            },
            Number {
                name: "avg_loss_pct",
                value: self.avg_loss_pct,
                default: default.avg_loss_pct,
                rule: "average packet loss above this percentage raises the loss flag",
                source: "VoIP practice, 1 % or less is good (Cisco); Polycom: 1 % major, 5 % critical",
            },
            Number {
                name: "frame_rate_fps",
                value: self.frame_rate_fps,
                default: default.frame_rate_fps,
                rule: "a frame rate below this, on a video stream with a picture, raises the frame_rate flag",
                source: "below 10 fps motion looks choppy",
            },
            Number {
                name: "system_cpu_pct",
                value: self.system_cpu_pct,
                default: default.system_cpu_pct,
                rule: "system_max_cpu_usage above this percentage raises the cpu flag",
                source: "a saturated machine drops media",
            },
        ]
    }

    pub(crate) fn fixed(&self) -> Fixed {
        let unit = |metric: Metric| metric.descriptor().per_report_unit;
        Fixed {
            latency_max: above(self.latency_ms, unit(Metric::Latency)),
            jitter_max: above(self.jitter_ms, unit(Metric::Jitter)),
            loss_max: above(self.avg_loss_pct, unit(Metric::AvgLoss)),
            frame_rate_min: below(self.frame_rate_fps, unit(Metric::FrameRate)),
            cpu_max: above(
                self.system_cpu_pct,
                CpuMetric::SystemMax.descriptor().per_report_unit,
            ),
            streams: if self.screen_share {
                &Stream::MAIN
            } else {
                &Stream::AUDIO_VIDEO
            },
        }
    }
}

/// A numeric threshold, described.
struct Number {
    name: &'static str,
    value: f64,
    default: f64,
    rule: &'static str,
    source: &'static str,
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

/// Which flags one sample raises: one bit per [`Flag`], by its index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SampleFlags(u8);

impl SampleFlags {
    fn set(&mut self, flag: Flag, on: bool) {
        self.0 |= u8::from(on) << flag.index();
    }

    /// Whether `flag` is raised.
    pub(crate) fn has(self, flag: Flag) -> bool {
        self.0 & (1 << flag.index()) != 0
    }

    /// Whether any flag is raised: the sample is degraded.
    pub(crate) fn any(self) -> bool {
        self.0 != 0
    }
}

/// Thresholds in the table's stored units (see each metric's descriptor).
pub(crate) struct Fixed {
    latency_max: u64,
    jitter_max: u64,
    loss_max: u64,
    frame_rate_min: u64,
    cpu_max: u64,
    streams: &'static [Stream],
}

impl Fixed {
    pub(crate) fn flags(&self, table: &Table, row: usize) -> SampleFlags {
        let over = |value: Option<u32>, max: u64| value.is_some_and(|v| u64::from(v) > max);
        let mut flags = SampleFlags::default();
        for &stream in self.streams {
            let Some(columns) = table.stream(stream) else {
                continue;
            };
            let latency = over(columns.stored(Metric::Latency, row), self.latency_max);
            flags.set(Flag::Latency, latency);
            flags.set(
                Flag::Jitter,
                over(columns.stored(Metric::Jitter, row), self.jitter_max),
            );
            flags.set(
                Flag::Loss,
                over(columns.stored(Metric::AvgLoss, row), self.loss_max),
            );
            if stream.has_picture() {
                let has_picture = columns.resolution(row).is_some_and(Resolution::has_picture);
                let slow = columns
                    .stored(Metric::FrameRate, row)
                    .is_some_and(|fps| u64::from(fps) < self.frame_rate_min);
                flags.set(Flag::FrameRate, has_picture && slow);
            }
        }
        let cpu = table.cpu_bp(CpuMetric::SystemMax, row).map(u32::from);
        flags.set(Flag::Cpu, over(cpu, self.cpu_max));
        flags
    }
}
