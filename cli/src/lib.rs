//! The `zoom-qos` command's parts: finding meetings in paths, splitting files into pages,
//! running the analysis, exporting datasets, generating corpora. The binary (`src/main.rs`) parses arguments.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analyze;
pub mod error;
pub mod export;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod generate;
pub mod input;
pub mod progress;
