//! The account's report: who, across meetings.

use std::borrow::Cow;

use super::{Breakdowns, GradeCounts, StreamStats};

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Who, across meetings: the account's totals, its worst meetings, the people seen in
/// several meetings, and breakdowns and STATS over every sample of every meeting.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct AccountReport {
    /// Meetings reported.
    pub meetings: u64,
    /// Participant entries.
    pub participants: u64,
    /// Samples.
    pub samples: u64,
    /// Degraded samples.
    pub degraded: u64,
    /// Distinct people among the participant entries (by `user_id`, else `email`, else
    /// `user_name`; entries with none of them are not counted).
    #[serde(default)]
    pub people: u64,
    /// Participant entries per grade.
    #[serde(default)]
    pub grades: GradeCounts,
    /// The time zone of the times, days and hours below: `UTC`, or an IANA name.
    #[serde(default = "utc")]
    pub zone: String,
    /// The first sample's time (RFC 3339, in `zone`), when any sample has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_sample: Option<String>,
    /// The last sample's time (RFC 3339, in `zone`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sample: Option<String>,
    /// When: samples and degraded samples per day (`YYYY-MM-DD` in `zone`), in order.
    #[serde(default)]
    pub days: Vec<Period>,
    /// When: samples and degraded samples per hour of the day (`00` to `23` in `zone`),
    /// the hours with samples, in order.
    #[serde(default)]
    pub hours: Vec<Period>,
    /// Samples without a time (in no day or hour).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub untimed_samples: u64,
    /// A meeting is listed among the worst only with at least this many participant
    /// entries...
    #[serde(default)]
    pub worst_min_participants: u64,
    /// ...or at least this many samples: a 2-person call is no account's worst meeting.
    #[serde(default)]
    pub worst_min_samples: u64,
    /// The 10 meetings (of the size above) with the largest share of degraded samples
    /// (then by name).
    pub worst_meetings: Vec<WorstMeeting>,
    /// The 20 people seen in 2 meetings or more with the most degraded samples.
    pub repeat_participants: Vec<RepeatParticipant>,
    /// As a meeting's, over all meetings; the p95s from histograms (see
    /// `percentile_digits`).
    pub breakdowns: Breakdowns,
    /// STATS over every sample of every meeting: count, missing, min, mean and max exact;
    /// the percentiles from histograms (see `percentile_digits`).
    pub streams: StreamStats,
    /// Significant digits of the account's percentiles: each is at most 10^-digits (0.1 %)
    /// above the exact nearest-rank value.
    pub percentile_digits: u8,
}

fn utc() -> String {
    "UTC".to_owned()
}

/// Samples of one day or one hour of the day.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Period {
    /// `YYYY-MM-DD`, or the hour `00` to `23`.
    pub period: String,
    /// Samples in it.
    pub samples: u64,
    /// Degraded samples in it.
    pub degraded: u64,
}

impl Period {
    /// `degraded / samples` (0 without samples).
    pub fn degraded_share(&self) -> f64 {
        super::share(self.degraded, self.samples)
    }
}

/// A meeting in the account's list of worst.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct WorstMeeting {
    /// Its name (its key: see [`MeetingReport::meeting`](super::MeetingReport::meeting)).
    pub meeting: String,
    /// What people call it (topic and start), when the caller set one (see
    /// [`MeetingReport::label`](super::MeetingReport::label)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its participant entries.
    #[serde(default)]
    pub participants: u64,
    /// Its samples.
    pub samples: u64,
    /// Its degraded samples.
    pub degraded: u64,
    /// `degraded / samples` (0 for a meeting without samples).
    pub degraded_share: f64,
}

/// A person seen in several meetings.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct RepeatParticipant {
    /// Who: `user_id:...`, else `email:...`, else `user_name:...`.
    pub key: String,
    /// Which field the key is.
    pub key_field: Cow<'static, str>,
    /// Their `user_name` in the meeting that sorts first by name.
    pub user_name: String,
    /// Meetings with an entry of theirs.
    pub meetings: u64,
    /// Their samples.
    pub samples: u64,
    /// Their degraded samples.
    pub degraded: u64,
    /// Their entries per grade.
    pub grades: GradeCounts,
}
