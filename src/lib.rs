#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// docs.rs builds with every feature and `--cfg docsrs`: items behind a feature say so.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The pipeline, one stage per module, each importing only those before it:
// schema (names) -> units (strings to integers) -> descriptor (what each metric is) ->
// record (JSON to the table) -> report (the v1 types) -> aggregate (table to report) ->
// export (table and report to Arrow, feature `arrow`); view is a second way in.
// See "The pipeline" in the crate documentation.
pub mod aggregate;
pub mod descriptor;
#[cfg(feature = "arrow")]
#[cfg_attr(docsrs, doc(cfg(feature = "arrow")))]
pub mod export;
pub mod record;
pub mod report;
pub mod schema;
pub mod units;
pub mod view;

// Beside the pipeline: errors, synthetic data, and the optional API client.
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
pub mod error;
#[cfg(feature = "synth")]
#[cfg_attr(docsrs, doc(cfg(feature = "synth")))]
pub mod synth;

pub use aggregate::{Analysis, Thresholds};
pub use descriptor::{Descriptor, Resolution};
pub use error::{Error, ErrorKind, Field, InvalidValue, Location};
pub use record::{DecodeConfig, Decoder, PageInfo, Table};
pub use report::{MeetingReport, Report, Stats};
pub use schema::{CpuMetric, Metric, ParticipantField, RssiMetric, SampleField, Stream};
