#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod error;
pub mod raw;
pub mod record;
pub mod schema;
pub mod synth;
pub mod units;

pub use error::{Error, ErrorKind, Field, InvalidValue, Location};
pub use record::{DecodeConfig, Decoder, PageInfo, Table};
pub use schema::{CpuMetric, Metric, ParticipantField, RssiMetric, Stream};
pub mod aggregate;
#[cfg(feature = "client")]
pub mod client;
pub mod report;

pub use aggregate::{Analysis, Stats, Thresholds};
pub use report::{MeetingReport, Report};
