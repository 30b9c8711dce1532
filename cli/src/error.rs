//! The command's errors, typed down to their causes, and the one function that turns how
//! a run ended into an exit status ([`exit_status`]).

use std::fmt;
use std::io;
use std::path::PathBuf;

use arrow_schema::ArrowError;
use parquet::errors::ParquetError;

use crate::atomic::WriteError;

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
    /// Ctrl-C stopped the run; what is complete is written: exit 130.
    Interrupted,
}

/// Why the command stopped.
#[derive(Debug)]
pub enum CliError {
    /// The arguments cannot be used (exit 64, BSD `EX_USAGE`).
    Usage(String),
    /// A credential variable is missing (exit 64).
    Credentials(String),
    /// A thresholds file cannot be read or used (exit 64).
    Thresholds {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: ThresholdsError,
    },
    /// Nothing to analyse under the paths given (exit 2).
    NoInput(Vec<PathBuf>),
    /// A folder to write into holds what the command did not write (exit 64), with why
    /// (and whether `--force` would apply).
    NotEmpty {
        /// The folder.
        path: PathBuf,
        /// What is there.
        why: String,
    },
    /// A size the command refuses before allocating (exit 64).
    TooLarge(String),
    /// Another run holds the output folder's lock (exit 75: try again later).
    Busy {
        /// The folder.
        folder: PathBuf,
        /// The process holding it, as it wrote in the lock file.
        holder: Option<u32>,
    },
    /// The Zoom API refused, or could not be reached: exit 75 for Zoom's daily limit,
    /// else 1.
    Api(zoom_qos::Error),
    /// Reading or writing a file or folder failed (exit 1).
    Io {
        /// What was being read or written: a path, or "the report" for standard output.
        what: String,
        /// Why it failed.
        error: io::Error,
    },
    /// Something a command needs could not be started: an address to listen on, a thread
    /// (exit 1).
    Start {
        /// What, as "listen on 127.0.0.1:9464".
        what: String,
        /// Why.
        error: io::Error,
    },
    /// A file or folder could not be read or listed (exit 1).
    Read {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// A dataset file could not be made, or an earlier one read (exit 1).
    Dataset {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: DataError,
    },
}

/// Why a thresholds file was refused.
#[derive(Debug)]
pub enum ThresholdsError {
    /// It cannot be read.
    Io(io::Error),
    /// It is not valid TOML of the thresholds.
    Toml(toml::de::Error),
    /// It is not valid JSON of the thresholds.
    Json(serde_json::Error),
    /// It holds a value the thresholds refuse.
    Invalid(zoom_qos::Error),
}

impl fmt::Display for ThresholdsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThresholdsError::Io(error) => error.fmt(f),
            ThresholdsError::Toml(error) => error.fmt(f),
            ThresholdsError::Json(error) => error.fmt(f),
            ThresholdsError::Invalid(error) => error.fmt(f),
        }
    }
}

/// Why a dataset file could not be made or read.
#[derive(Debug)]
pub enum DataError {
    /// Reading or writing it failed.
    Io(io::Error),
    /// Arrow refused a batch, or could not read or write an Arrow IPC file.
    Arrow(ArrowError),
    /// The Parquet reader or writer failed.
    Parquet(ParquetError),
    /// An earlier export's file that this version cannot use (other columns, corrupt).
    Unusable(&'static str),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Io(error) => f.write_str(&io_reason(error)),
            DataError::Arrow(error) => error.fmt(f),
            DataError::Parquet(error) => error.fmt(f),
            DataError::Unusable(why) => f.write_str(why),
        }
    }
}

impl From<io::Error> for DataError {
    fn from(error: io::Error) -> Self {
        DataError::Io(error)
    }
}

impl From<ArrowError> for DataError {
    fn from(error: ArrowError) -> Self {
        DataError::Arrow(error)
    }
}

impl From<ParquetError> for DataError {
    fn from(error: ParquetError) -> Self {
        DataError::Parquet(error)
    }
}

impl From<WriteError> for DataError {
    fn from(error: WriteError) -> Self {
        DataError::Io(error.error)
    }
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
    /// Another run is writing the same folder: run again when it has finished
    /// (`EX_TEMPFAIL` too).
    pub const TRY_AGAIN: u8 = 75;
}

/// The exit status of a run: the one place where an outcome or an error's kind becomes a
/// number.
pub fn exit_status(ended: &Result<Done, CliError>) -> u8 {
    match ended {
        Ok(Done::Clean) => status::OK,
        Ok(Done::WithBadInput) => status::BAD_INPUT,
        Ok(Done::WriteFailed) => status::FAILURE,
        Ok(Done::DailyLimit) => status::DAILY_LIMIT,
        Ok(Done::Interrupted) => crate::interrupt::STATUS,
        Err(
            CliError::Usage(_)
            | CliError::Credentials(_)
            | CliError::Thresholds { .. }
            | CliError::NotEmpty { .. }
            | CliError::TooLarge(_),
        ) => status::USAGE,
        Err(CliError::NoInput(_)) => status::BAD_INPUT,
        Err(CliError::Busy { .. }) => status::TRY_AGAIN,
        Err(CliError::Api(error)) if is_daily_limit(error) => status::DAILY_LIMIT,
        Err(
            CliError::Api(_)
            | CliError::Io { .. }
            | CliError::Start { .. }
            | CliError::Read { .. }
            | CliError::Dataset { .. },
        ) => status::FAILURE,
    }
}

/// Whether Zoom's daily rate limit stopped a request.
pub fn is_daily_limit(error: &zoom_qos::Error) -> bool {
    #[cfg(feature = "fetch")]
    return matches!(error.kind(), zoom_qos::ErrorKind::DailyLimit { .. });
    #[cfg(not(feature = "fetch"))]
    return {
        let _ = error;
        false
    };
}

impl From<WriteError> for CliError {
    fn from(error: WriteError) -> Self {
        CliError::Io {
            what: error.path.display().to_string(),
            error: error.error,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(message) | CliError::Credentials(message) => f.write_str(message),
            CliError::Thresholds { path, cause } => write!(f, "{}: {cause}", path.display()),
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
            CliError::Busy { folder, holder } => {
                let who = holder.map_or_else(String::new, |pid| format!(" (process {pid})"));
                write!(
                    f,
                    "{}: another zoom-qos run{who} is writing this folder; one run per \
                     folder: nothing was changed, try again when it has finished",
                    folder.display()
                )
            }
            CliError::Api(error) => write!(f, "fetch: {error}"),
            CliError::Io { what, error } => write!(f, "cannot write {what}: {error}"),
            CliError::Start { what, error } => write!(f, "cannot {what}: {}", io_reason(error)),
            CliError::Read { path, error } => write!(f, "{}: {}", path.display(), io_reason(error)),
            // An earlier export's file this version cannot use: what it is, not a write.
            CliError::Dataset {
                path,
                cause: cause @ DataError::Unusable(_),
            } => write!(f, "{}: {cause}", path.display()),
            CliError::Dataset { path, cause } => {
                write!(f, "cannot write {}: {cause}", path.display())
            }
        }
    }
}

impl std::error::Error for CliError {}

/// An I/O error's reason without Rust's " (os error N)" suffix.
pub fn io_reason(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}
