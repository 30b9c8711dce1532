//! Why and when: a meeting's samples broken down by participant dimensions, and its runs of
//! degraded samples.

use std::collections::BTreeMap;

use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::FlagCounts;
use crate::schema::ParticipantField;

/// A participant field a report breaks the samples down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dimension {
    /// `network_type` (`Wired`, `Wifi`, ...).
    NetworkType,
    /// `data_center`.
    DataCenter,
    /// `device` (`Mac`, `Windows`, `iOS`, ...).
    Device,
    /// The client `version`.
    Version,
    /// Each sample's Wi-Fi signal band ([`SIGNAL_BANDS`](crate::aggregate::SIGNAL_BANDS));
    /// samples without a signal are not in it.
    WifiSignal,
    /// Each sample's `system_max_cpu_pressure_level` (else its avg, else its min level);
    /// samples without one are not in it.
    CpuPressure,
}

impl Dimension {
    /// Every dimension, in report order.
    pub const ALL: [Dimension; 6] = [
        Dimension::NetworkType,
        Dimension::DataCenter,
        Dimension::Device,
        Dimension::Version,
        Dimension::WifiSignal,
        Dimension::CpuPressure,
    ];

    /// The number of dimensions.
    pub const COUNT: usize = Self::ALL.len();

    /// The participant field it reads; `None` for a dimension of each sample's own value
    /// (Wi-Fi band, CPU pressure), where a participant's samples can fall in several values.
    pub const fn field(self) -> Option<ParticipantField> {
        match self {
            Dimension::NetworkType => Some(ParticipantField::NetworkType),
            Dimension::DataCenter => Some(ParticipantField::DataCenter),
            Dimension::Device => Some(ParticipantField::Device),
            Dimension::Version => Some(ParticipantField::Version),
            Dimension::WifiSignal | Dimension::CpuPressure => None,
        }
    }

    /// Its name in reports (the API's key, for a participant field).
    pub const fn name(self) -> &'static str {
        match self {
            Dimension::WifiSignal => "wifi_signal",
            Dimension::CpuPressure => "cpu_pressure",
            _ => match self.field() {
                Some(field) => field.api_name(),
                None => "",
            },
        }
    }

    /// What a blank or absent value is reported as.
    pub const UNKNOWN: &'static str = "unknown";
}

/// The samples of the participants that share one value of a dimension.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Breakdown {
    /// Participant entries with this value (for a dimension of each sample's value: with
    /// a sample of this value).
    pub participants: u64,
    /// Their samples.
    pub samples: u64,
    /// Their degraded samples.
    pub degraded: u64,
    /// Nearest-rank p95 of latency over their `audio_input` and `audio_output` values.
    pub latency_ms_p95: Option<f64>,
    /// Likewise of jitter.
    pub jitter_ms_p95: Option<f64>,
    /// Likewise of average loss.
    pub avg_loss_pct_p95: Option<f64>,
}

/// Per dimension, per value (sorted), its [`Breakdown`]; serialised as
/// `{"network_type": {"Wifi": {...}, ...}, "data_center": ..., "device": ..., "version": ...,
/// "wifi_signal": ..., "cpu_pressure": ...}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breakdowns([BTreeMap<String, Breakdown>; Dimension::COUNT]);

impl Breakdowns {
    /// The values of one dimension.
    pub fn get(&self, dimension: Dimension) -> &BTreeMap<String, Breakdown> {
        &self.0[dimension as usize]
    }

    /// The values of one dimension, to fill.
    pub fn get_mut(&mut self, dimension: Dimension) -> &mut BTreeMap<String, Breakdown> {
        &mut self.0[dimension as usize]
    }
}

impl<'de> Deserialize<'de> for Breakdowns {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries: Vec<(String, BTreeMap<String, Breakdown>)> =
            super::keyed::entries(deserializer)?;
        let mut breakdowns = Breakdowns::default();
        for (name, values) in entries {
            let dimension = Dimension::ALL
                .into_iter()
                .find(|d| d.name() == name)
                .ok_or_else(|| de::Error::custom(format!("unknown dimension `{name}`")))?;
            *breakdowns.get_mut(dimension) = values;
        }
        Ok(breakdowns)
    }
}

impl Serialize for Breakdowns {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Dimension::ALL.len()))?;
        for dimension in Dimension::ALL {
            map.serialize_entry(dimension.name(), self.get(dimension))?;
        }
        map.end()
    }
}

/// A run of degraded samples of one participant entry: consecutive in time order, each at
/// most [`Thresholds::episode_gap_s`](crate::Thresholds::episode_gap_s) after the last.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Episode {
    /// The entry's index in the meeting (input order across pages), from 0.
    pub participant: u64,
    /// Its `user_name`.
    pub user_name: String,
    /// The first sample's time, RFC 3339 UTC.
    pub start: String,
    /// The last sample's time, RFC 3339 UTC.
    pub end: String,
    /// Samples in the run.
    pub samples: u64,
    /// Samples per flag.
    pub by_flag: FlagCounts,
    /// The worst values over its samples and the audio and video streams, sent and
    /// received.
    pub worst: Worst,
}

/// The largest latency, jitter and average loss over some samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Worst {
    /// Milliseconds.
    pub latency_ms: Option<f64>,
    /// Milliseconds.
    pub jitter_ms: Option<f64>,
    /// Percent.
    pub avg_loss_pct: Option<f64>,
}
