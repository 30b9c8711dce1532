//! What each metric is, written once: its unit parser, its stored unit, how many stored
//! units make one report unit, how its column starts and widens, and its report name.
//! Every stage reads these descriptors (the row writer, the columns, the statistics, the
//! renderings, the benchmarks), so a new metric or unit changes this file and the grammar.
//!
//! Sits between [`crate::units`] (which knows spellings, not metrics) and
//! [`crate::record`] (which stores what this says).

use crate::schema::{CpuMetric, Metric, RssiMetric, SummaryKey};
use crate::units::{self, UnitResult};

/// A metric's facts. Get one with [`Metric::descriptor`], [`CpuMetric::descriptor`] or
/// [`RssiMetric::descriptor`]. How its column is stored and parsed stays inside the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Descriptor {
    /// The name in report v1, with its unit (`latency_ms`).
    pub report_name: &'static str,
    /// What it is, in words, as renderers print it (`average loss`).
    pub label: &'static str,
    /// The report unit, as renderers print it (`ms`, `%`).
    pub unit: &'static str,
    /// The unit of the stored fixed-point integer (`10 µs`).
    pub stored_unit: &'static str,
    /// Stored units in one report unit: the divisor from stored to reported values.
    pub per_report_unit: u32,
    /// The stored value that means zero: 0, but for a quantity that can be negative (Wi-Fi
    /// signal in dBm), stored shifted into the unsigned cells.
    pub zero_stored: u32,
    /// Which unit parser reads its strings.
    pub(crate) parser: Parser,
    /// How its column is stored.
    pub(crate) storage: Storage,
}

/// The unit parsers of [`crate::units`], as data, so that a descriptor can name one and the
/// call stays a direct (inlinable) call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Parser {
    /// [`units::bitrate_bps`].
    Bitrate,
    /// [`units::millis_10us`].
    Millis,
    /// [`units::loss_bp`].
    Loss,
    /// [`units::cpu_bp`].
    Cpu,
    /// [`units::frame_rate_cfps`].
    FrameRate,
    /// [`units::resolution_px`], packed into one integer ([`Resolution::packed`]).
    Resolution,
    /// Wi-Fi signal: a JSON number of dBm, which the row writer reads from the parse as a
    /// number. As text, only a blank is accepted (missing); anything else is invalid.
    Dbm,
}

impl Parser {
    /// Parses a string into the stored integer; `Ok(None)` for a blank value.
    ///
    /// # Errors
    /// The unit parser's, for a value that is neither blank nor a valid spelling.
    // Always inlined: the row writer calls it per value, and the match then folds into
    // the writer's own dispatch (measured with callgrind: +3 % instructions per page when not).
    #[inline(always)]
    pub(crate) fn parse(self, text: &[u8]) -> UnitResult<u32> {
        match self {
            Parser::Bitrate => units::bitrate_bps(text),
            Parser::Millis => units::millis_10us(text),
            Parser::Loss => units::loss_bp(text).map(|v| v.map(u32::from)),
            Parser::Cpu => units::cpu_bp(text).map(|v| v.map(u32::from)),
            Parser::FrameRate => units::frame_rate_cfps(text).map(|v| v.map(u32::from)),
            Parser::Resolution => {
                units::resolution_px(text).map(|v| v.map(|sides| Resolution::from(sides).packed()))
            }
            Parser::Dbm if units::is_blank(text) => Ok(None),
            Parser::Dbm => Err(DBM_RANGE),
        }
    }
}

/// How a column of stored values is kept: it may start narrow, in whole units of what Zoom
/// sends (whole ms, kbps, fps, percent), and widens once to the exact unit when a value
/// needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Storage {
    /// The narrow start: its cells, and how many stored units one narrow unit is. `None`:
    /// the column starts wide.
    pub(crate) narrow: Option<(Cells, Scale)>,
    /// The cells once widened, in stored units; they hold every value the parser returns.
    pub(crate) wide: Cells,
}

/// A cell width. The largest value of each is the "missing" sentinel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cells {
    /// One byte.
    U8,
    /// Two bytes.
    U16,
    /// Three bytes (latency and jitter in 10 µs fit).
    U24,
    /// Four bytes.
    U32,
    /// Eight bytes (time).
    U64,
}

/// How many stored units one narrow unit is. Constants, so that the division on every write
/// is by a constant (a multiply and a shift, not a divide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Narrow units are stored units.
    One,
    /// Narrow units are hundreds of stored units (whole ms of 10 µs, whole % of 0.01 %).
    Hundred,
    /// Thousands (whole kbps of bit/s).
    Thousand,
}

impl Scale {
    /// The factor.
    pub(crate) const fn factor(self) -> u64 {
        match self {
            Scale::One => 1,
            Scale::Hundred => 100,
            Scale::Thousand => 1000,
        }
    }
}

/// A video resolution, as the table stores it: both sides packed into one `u32`
/// (`width << 16 | height`). `0*0` is Zoom's "no picture", a valid value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Resolution {
    /// Width in pixels.
    pub width_px: u16,
    /// Height in pixels.
    pub height_px: u16,
}

impl Resolution {
    /// The packed form stored in a column.
    pub const fn packed(self) -> u32 {
        ((self.width_px as u32) << 16) | self.height_px as u32
    }

    /// Unpacks a stored value.
    pub const fn from_packed(packed: u32) -> Resolution {
        Resolution {
            width_px: (packed >> 16) as u16,
            height_px: (packed & 0xFFFF) as u16,
        }
    }

    /// Whether there is a picture (`0*0` is none).
    pub const fn has_picture(self) -> bool {
        self.width_px != 0 || self.height_px != 0
    }
}

impl From<(u16, u16)> for Resolution {
    fn from((width_px, height_px): (u16, u16)) -> Self {
        Resolution {
            width_px,
            height_px,
        }
    }
}

impl From<Resolution> for (u16, u16) {
    fn from(r: Resolution) -> Self {
        (r.width_px, r.height_px)
    }
}

impl Descriptor {
    /// The fixed-point quantity statistics are over, from a stored value: the value
    /// itself, or for a resolution its height, `None` for `0*0` (no picture is missing).
    #[inline]
    pub fn stat_key(&self, stored: u32) -> Option<u32> {
        match self.parser {
            Parser::Resolution => {
                let resolution = Resolution::from_packed(stored);
                resolution
                    .has_picture()
                    .then_some(u32::from(resolution.height_px))
            }
            _ => Some(stored),
        }
    }

    /// [`stat_key`](Self::stat_key) of each stored value, in place (in a pass of its own,
    /// so that the loop gathering the values has no branch on the parser).
    pub fn to_stat_keys(&self, values: &mut Vec<u32>) {
        if self.parser == Parser::Resolution {
            values.retain_mut(|stored| match self.stat_key(*stored) {
                Some(key) => {
                    *stored = key;
                    true
                }
                None => false,
            });
        }
    }

    /// The stored value of a spelling of this metric (`"126 ms"` → 12,600 for latency);
    /// `Ok(None)` for a blank.
    ///
    /// # Errors
    /// The unit parser's, for a value that is neither blank nor a valid spelling.
    #[inline(always)]
    pub fn parse_stored(&self, text: &[u8]) -> UnitResult<u32> {
        self.parser.parse(text)
    }

    /// A stored value in the report unit; `None` for a `0*0` resolution.
    pub fn to_report_unit(&self, stored: u32) -> Option<f64> {
        self.stat_key(stored).map(|key| {
            (f64::from(key) - f64::from(self.zero_stored)) / f64::from(self.per_report_unit)
        })
    }

    /// The stored value of a whole number of report units, if the cells hold it below the
    /// missing sentinel (`-32767 ..= 32767` dBm for the Wi-Fi signal).
    pub fn stored_of_whole(&self, value: i64) -> Option<u32> {
        let stored = value
            .checked_mul(i64::from(self.per_report_unit))?
            .checked_add(i64::from(self.zero_stored))?;
        let most = match self.storage.wide {
            Cells::U8 => u64::from(u8::MAX) - 1,
            Cells::U16 => u64::from(u16::MAX) - 1,
            Cells::U24 => (1 << 24) - 2,
            Cells::U32 | Cells::U64 => u64::from(u32::MAX) - 1,
        };
        u64::try_from(stored)
            .ok()
            .filter(|&stored| stored <= most)
            .and_then(|stored| u32::try_from(stored).ok())
    }
}

const fn narrow(cells: Cells, scale: Scale, wide: Cells) -> Storage {
    Storage {
        narrow: Some((cells, scale)),
        wide,
    }
}

const fn exact(wide: Cells) -> Storage {
    Storage { narrow: None, wide }
}

/// Indexed by [`Metric::index`].
const METRICS: [Descriptor; Metric::COUNT] = [
    Descriptor {
        report_name: "bitrate_kbps",
        label: "bitrate",
        unit: "kbps",
        stored_unit: "bit/s",
        per_report_unit: 1000,
        zero_stored: 0,
        parser: Parser::Bitrate,
        // Whole kbps in 16 bits, else bit/s in 32.
        storage: narrow(Cells::U16, Scale::Thousand, Cells::U32),
    },
    Descriptor {
        report_name: "latency_ms",
        label: "latency",
        unit: "ms",
        stored_unit: "10 µs",
        per_report_unit: 100,
        zero_stored: 0,
        parser: Parser::Millis,
        // Whole ms in 16 bits, else 10 µs in 24.
        storage: narrow(Cells::U16, Scale::Hundred, Cells::U24),
    },
    Descriptor {
        report_name: "jitter_ms",
        label: "jitter",
        unit: "ms",
        stored_unit: "10 µs",
        per_report_unit: 100,
        zero_stored: 0,
        parser: Parser::Millis,
        storage: narrow(Cells::U16, Scale::Hundred, Cells::U24),
    },
    Descriptor {
        report_name: "avg_loss_pct",
        label: "average loss",
        unit: "%",
        stored_unit: "basis point (0.01 %)",
        per_report_unit: 100,
        zero_stored: 0,
        parser: Parser::Loss,
        // Loss has decimals ("0.3%") from the start.
        storage: exact(Cells::U16),
    },
    Descriptor {
        report_name: "max_loss_pct",
        label: "maximum loss",
        unit: "%",
        stored_unit: "basis point (0.01 %)",
        per_report_unit: 100,
        zero_stored: 0,
        parser: Parser::Loss,
        storage: exact(Cells::U16),
    },
    Descriptor {
        report_name: "frame_rate_fps",
        label: "frame rate",
        unit: "fps",
        stored_unit: "0.01 frame/s",
        per_report_unit: 100,
        zero_stored: 0,
        parser: Parser::FrameRate,
        // Whole fps in 8 bits, else 0.01 fps in 16.
        storage: narrow(Cells::U8, Scale::Hundred, Cells::U16),
    },
    Descriptor {
        report_name: "resolution_height_px",
        label: "resolution height",
        unit: "px",
        stored_unit: "pixels, packed width << 16 | height",
        per_report_unit: 1,
        zero_stored: 0,
        parser: Parser::Resolution,
        storage: exact(Cells::U32),
    },
];

/// Whole percent in 8 bits, else basis points in 16.
const CPU_STORAGE: Storage = narrow(Cells::U8, Scale::Hundred, Cells::U16);

const fn cpu(report_name: &'static str, label: &'static str) -> Descriptor {
    Descriptor {
        report_name,
        label,
        unit: "%",
        stored_unit: "basis point (0.01 %)",
        per_report_unit: 100,
        zero_stored: 0,
        parser: Parser::Cpu,
        storage: CPU_STORAGE,
    }
}

/// Why a Wi-Fi signal value is refused.
pub(crate) const DBM_RANGE: units::UnitError =
    units::UnitError::OutOfRange("a JSON number from -32767 to 32767 dBm");

const fn rssi(report_name: &'static str, label: &'static str) -> Descriptor {
    Descriptor {
        report_name,
        label,
        unit: "dBm",
        stored_unit: "dBm plus 32,767",
        per_report_unit: 1,
        // -32767 ..= 32767 dBm: stored 0 ..= 65534, below the u16 sentinel.
        zero_stored: 32_767,
        parser: Parser::Dbm,
        storage: exact(Cells::U16),
    }
}

/// Indexed by [`RssiMetric::index`].
const RSSI: [Descriptor; RssiMetric::COUNT] = [
    rssi("max_rssi_dbm", "strongest Wi-Fi signal"),
    rssi("avg_rssi_dbm", "average Wi-Fi signal"),
    rssi("min_rssi_dbm", "weakest Wi-Fi signal"),
];

/// Indexed by [`CpuMetric::index`].
const CPU: [Descriptor; CpuMetric::COUNT] = [
    cpu("zoom_min_cpu_pct", "Zoom's minimum CPU"),
    cpu("zoom_avg_cpu_pct", "Zoom's average CPU"),
    cpu("zoom_max_cpu_pct", "Zoom's maximum CPU"),
    cpu("system_max_cpu_pct", "system maximum CPU"),
];

impl Metric {
    /// This metric's facts.
    pub const fn descriptor(self) -> &'static Descriptor {
        &METRICS[self.index()]
    }

    /// The metric's name in report v1, with its unit (`resolution` reports its height).
    pub const fn report_name(self) -> &'static str {
        self.descriptor().report_name
    }
}

impl RssiMetric {
    /// This field's facts.
    pub const fn descriptor(self) -> &'static Descriptor {
        &RSSI[self.index()]
    }

    /// The field's name in report v1, with its unit.
    pub const fn report_name(self) -> &'static str {
        self.descriptor().report_name
    }
}

impl CpuMetric {
    /// This field's facts.
    pub const fn descriptor(self) -> &'static Descriptor {
        &CPU[self.index()]
    }

    /// The field's name in report v1, with its unit.
    pub const fn report_name(self) -> &'static str {
        self.descriptor().report_name
    }
}

/// Which of a summary's three values a key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The minimum.
    Min,
    /// The average.
    Avg,
    /// The maximum (or the only value, for a resolution).
    Max,
}

impl SummaryKey {
    /// What the key is: the name it is reported under, the descriptor that parses and
    /// scales it, and which of min, avg and max it is. A resolution is reported by its
    /// height, as `avg`; the CPU fields as `zoom_cpu_pct` (min, avg, max) and
    /// `system_cpu_pct` (max).
    pub const fn meaning(self) -> (&'static str, &'static Descriptor, Which) {
        use SummaryKey as K;
        use Which::{Avg, Max, Min};
        let (name, descriptor) = match self {
            K::MinBitrate | K::AvgBitrate | K::MaxBitrate => {
                ("bitrate_kbps", Metric::Bitrate.descriptor())
            }
            K::MinLatency | K::AvgLatency | K::MaxLatency => {
                ("latency_ms", Metric::Latency.descriptor())
            }
            K::MinJitter | K::AvgJitter | K::MaxJitter => {
                ("jitter_ms", Metric::Jitter.descriptor())
            }
            K::MinLoss | K::AvgLoss | K::MaxLoss => ("loss_pct", Metric::AvgLoss.descriptor()),
            K::MinFrameRate | K::AvgFrameRate | K::MaxFrameRate => {
                ("frame_rate_fps", Metric::FrameRate.descriptor())
            }
            K::Resolution => ("resolution_height_px", Metric::Resolution.descriptor()),
            K::ZoomMinCpu | K::ZoomAvgCpu | K::ZoomMaxCpu => {
                ("zoom_cpu_pct", CpuMetric::ZoomAvg.descriptor())
            }
            K::SystemMaxCpu => ("system_cpu_pct", CpuMetric::SystemMax.descriptor()),
        };
        let which = match self {
            K::MinBitrate
            | K::MinLatency
            | K::MinJitter
            | K::MinLoss
            | K::MinFrameRate
            | K::ZoomMinCpu => Min,
            K::AvgBitrate
            | K::AvgLatency
            | K::AvgJitter
            | K::AvgLoss
            | K::AvgFrameRate
            | K::ZoomAvgCpu
            | K::Resolution => Avg,
            K::MaxBitrate
            | K::MaxLatency
            | K::MaxJitter
            | K::MaxLoss
            | K::MaxFrameRate
            | K::ZoomMaxCpu
            | K::SystemMaxCpu => Max,
        };
        (name, descriptor, which)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_carry_their_unit_and_are_unique() {
        let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.report_name()).collect();
        names.extend(CpuMetric::ALL.iter().map(|m| m.report_name()));
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(Metric::Latency.report_name(), "latency_ms");
        assert_eq!(CpuMetric::SystemMax.report_name(), "system_max_cpu_pct");
    }

    #[test]
    fn report_units_divide_the_stored_ones() {
        let latency = Metric::Latency.descriptor();
        assert_eq!(latency.to_report_unit(12_655), Some(126.55));
        assert_eq!(
            Metric::Bitrate.descriptor().to_report_unit(27_150),
            Some(27.15)
        );
        let resolution = Metric::Resolution.descriptor();
        let hd = Resolution::from((1280, 720)).packed();
        assert_eq!(resolution.to_report_unit(hd), Some(720.0));
        assert_eq!(resolution.to_report_unit(0), None, "0*0 is no picture");
        assert_eq!(Resolution::from_packed(hd), Resolution::from((1280, 720)));
    }

    #[test]
    fn wifi_signal_is_stored_shifted_and_reported_in_dbm() {
        let rssi = RssiMetric::Avg.descriptor();
        assert_eq!(rssi.report_name, "avg_rssi_dbm");
        let stored = rssi.stored_of_whole(-53).expect("in range");
        assert_eq!(stored, 32_714);
        assert_eq!(rssi.to_report_unit(stored), Some(-53.0));
        assert_eq!(rssi.stored_of_whole(-32_767), Some(0));
        assert_eq!(
            rssi.stored_of_whole(32_767),
            Some(65_534),
            "below the u16 sentinel"
        );
        assert_eq!(rssi.stored_of_whole(32_768), None);
        assert_eq!(rssi.stored_of_whole(-32_768), None);
        assert_eq!(rssi.parser.parse(b" "), Ok(None), "a blank is missing");
        assert!(
            rssi.parser.parse(b"-53").is_err(),
            "the signal is a JSON number, not text"
        );
    }

    #[test]
    fn every_parsed_value_fits_the_wide_cells() {
        let max = |cells: Cells| match cells {
            Cells::U8 => u64::from(u8::MAX) - 1,
            Cells::U16 => u64::from(u16::MAX) - 1,
            Cells::U24 => (1 << 24) - 2,
            Cells::U32 => u64::from(u32::MAX) - 1,
            Cells::U64 => u64::MAX - 1,
        };
        let largest = [
            (Metric::Bitrate, "4294967.294 kbps"),
            (Metric::Latency, "167772.14 ms"),
            (Metric::AvgLoss, "100%"),
            (Metric::FrameRate, "655.34 fps"),
            (Metric::Resolution, "65534*65534"),
        ];
        for (metric, text) in largest {
            let d = metric.descriptor();
            let value = d
                .parser
                .parse(text.as_bytes())
                .expect("valid")
                .expect("a value");
            assert!(u64::from(value) <= max(d.storage.wide), "{metric}");
        }
        let cpu = CpuMetric::ZoomMax.descriptor();
        let value = cpu
            .parser
            .parse(b"655.34%")
            .expect("valid")
            .expect("a value");
        assert!(u64::from(value) <= max(cpu.storage.wide));
    }
}
