//! The `zoom-qos` command's parts. `src/main.rs` parses the command line ([`args`]) and
//! hands it to one of [`commands`], which runs the job with the parts below:
//!
//! - [`discover`]: the meetings found in the paths given; [`pages`]: the pages in a file;
//! - [`runner`]: meetings decoded in parallel, each handed to the command's own step;
//! - [`dataset`]: `export`'s Parquet and Arrow files; [`fetch`]: pages from the Zoom API;
//!   [`generate`]: synthetic corpora; [`serve`]: Zoom's webhooks into a spool and live
//!   metrics;
//! - [`output`]: the report and the stderr lines; [`atomic`]: the one writer every file
//!   and folder goes through; [`progress`]: the progress line; [`error`]: the errors and
//!   the one function that turns them into exit statuses.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod args;
pub mod atomic;
pub mod commands;
pub mod dataset;
pub mod discover;
pub mod error;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod generate;
pub mod interrupt;
pub mod lock;
pub mod names;
pub mod output;
pub mod pages;
pub mod progress;
pub mod runner;
#[cfg(test)]
mod scratch;
#[cfg(feature = "serve")]
pub mod serve;
pub mod zone;
