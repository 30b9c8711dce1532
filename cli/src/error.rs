//! The command's errors, and the one place where each becomes an exit status.

use std::fmt;
use std::path::PathBuf;

/// How a run that did its job ended: the exit status `0`, or `2` when some input was bad
/// (the good input was still reported, the bad listed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// Everything was read: exit 0.
    Clean,
    /// Some files or meetings failed and are listed: exit 2.
    WithBadInput,
    /// Some output could not be written, or some meetings not fetched (the rest was):
    /// exit 1.
    WriteFailed,
    /// Zoom's daily rate limit stopped the run; what is complete is written: exit 75.
    DailyLimit,
}

/// Why the command stopped.
#[derive(Debug)]
pub enum CliError {
    /// The arguments cannot be used (exit 64, BSD `EX_USAGE`).
    Usage(String),
    /// A credential variable is missing (exit 64).
    Credentials(String),
    /// Nothing to analyse under the paths given (exit 2).
    NoInput(Vec<PathBuf>),
    /// A folder to write into is not empty (exit 64), with why `--force` does not apply
    /// or that it would.
    NotEmpty {
        /// The folder.
        path: PathBuf,
        /// What is there.
        why: String,
    },
    /// A size the command refuses before allocating (exit 64).
    TooLarge(String),
    /// The Zoom API refused, or could not be reached (exit 1).
    Fetch(String),
    /// Writing output failed (exit 1).
    Write {
        /// What was being written.
        what: String,
        /// Why it failed.
        error: std::io::Error,
    },
}

/// Exit statuses, in one place.
pub mod status {
    /// Everything read and reported.
    pub const OK: u8 = 0;
    /// The API refused, or output could not be written.
    pub const FAILURE: u8 = 1;
    /// Some input was bad (listed), or `--strict` stopped, or nothing was found.
    pub const BAD_INPUT: u8 = 2;
    /// The command line cannot be used (BSD `EX_USAGE`).
    pub const USAGE: u8 = 64;
    /// Zoom's daily rate limit: run again after its reset (BSD `EX_TEMPFAIL`).
    pub const DAILY_LIMIT: u8 = 75;
}

impl Done {
    /// The exit status.
    pub fn status(self) -> u8 {
        match self {
            Done::Clean => status::OK,
            Done::WithBadInput => status::BAD_INPUT,
            Done::WriteFailed => status::FAILURE,
            Done::DailyLimit => status::DAILY_LIMIT,
        }
    }
}

impl CliError {
    /// The exit status.
    pub fn status(&self) -> u8 {
        match self {
            CliError::Usage(_)
            | CliError::Credentials(_)
            | CliError::NotEmpty { .. }
            | CliError::TooLarge(_) => status::USAGE,
            CliError::NoInput(_) => status::BAD_INPUT,
            CliError::Fetch(_) | CliError::Write { .. } => status::FAILURE,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(message) | CliError::Credentials(message) => f.write_str(message),
            CliError::NoInput(paths) => {
                let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "no QoS pages found under {} (pages are .json or .ndjson files)",
                    paths.join(", ")
                )
            }
            CliError::NotEmpty { path, why } => write!(f, "{}: {why}", path.display()),
            CliError::TooLarge(message) => f.write_str(message),
            CliError::Fetch(message) => write!(f, "fetch: {message}"),
            CliError::Write { what, error } => write!(f, "cannot write {what}: {error}"),
        }
    }
}

impl std::error::Error for CliError {}
