#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The pipeline, one stage per module: raw -> units -> record -> aggregate -> report, with
// schema naming the fields for all of them (see the table above).
pub mod aggregate;
pub mod raw;
pub mod record;
pub mod report;
pub mod schema;
pub mod units;

// Beside the pipeline: errors, synthetic data, and the optional API client.
#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod synth;

pub use aggregate::{Analysis, Stats, Thresholds};
pub use error::{Error, ErrorKind, Field, InvalidValue, Location};
pub use record::{DecodeConfig, Decoder, PageInfo, Table};
pub use report::{MeetingReport, Report};
pub use schema::{CpuMetric, Metric, ParticipantField, RssiMetric, Stream};
