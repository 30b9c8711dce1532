//! The account's report: who, across meetings.

use std::borrow::Cow;

use super::{Breakdowns, GradeCounts, StreamStats};

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
    /// The 10 meetings with the largest share of degraded samples (then by name).
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

/// A meeting in the account's list of worst.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct WorstMeeting {
    /// Its name.
    pub meeting: String,
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
