//! `zoom-qos thresholds`: the default degradation thresholds, commented, as TOML.

use zoom_qos::Thresholds;

use crate::error::{CliError, Done};
use crate::output;

/// Runs `thresholds`.
///
/// # Errors
/// Standard output cannot be written.
pub fn run() -> Result<Done, CliError> {
    output::print(Thresholds::default().to_toml().as_bytes()).map_err(|error| CliError::Io {
        what: "the thresholds".to_owned(),
        error,
    })?;
    Ok(Done::Clean)
}
