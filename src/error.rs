//! The crate's one public error, and where in the input a value was found.
//! Dependencies' error types (simd-json, nom) stay inside: they are turned into these.

use core::fmt;

use crate::schema::{CpuMetric, Metric, RssiMetric, Stream};
use crate::units::UnitError;

/// The error of every fallible call of this crate. Boxed, so `Result<T, Error>` stays one
/// pointer wide; inspect it through [`Error::kind`].
pub struct Error(Box<ErrorKind>);

/// What went wrong. More kinds may be added in minor releases.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not JSON (or is truncated). `offset` is the byte where the parser stopped.
    Json {
        /// Byte offset into the input.
        offset: usize,
        /// What the JSON parser found wrong.
        reason: String,
    },
    /// Well-formed JSON that is not a QoS page (a bare number, `participants` that is not a
    /// list, ...).
    Shape {
        /// Where: `""` for the top level, else a key path like `participants[3].user_qos`.
        path: String,
        /// What was expected there.
        expected: &'static str,
        /// The JSON type found instead.
        found: &'static str,
    },
    /// A metric value that is neither blank nor a documented spelling, in strict mode.
    InvalidValue(InvalidValue),
    /// A configuration value that cannot be used (thresholds, page size, ...).
    Config {
        /// What is wrong, for a person.
        message: String,
    },
    /// An error answer of the Zoom API (feature `client`).
    #[cfg(feature = "client")]
    Api(crate::client::ApiError),
    /// No answer from the API or the OAuth server, or a refused token request
    /// (feature `client`). Never holds a credential.
    #[cfg(feature = "client")]
    Transport {
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// The byte offset into the input, for malformed JSON.
    pub fn offset(&self) -> Option<usize> {
        match &*self.0 {
            ErrorKind::Json { offset, .. } => Some(*offset),
            _ => None,
        }
    }

    /// Where the offending value is, for an invalid value in strict mode.
    pub fn location(&self) -> Option<&Location> {
        match &*self.0 {
            ErrorKind::InvalidValue(invalid) => Some(&invalid.location),
            _ => None,
        }
    }

    #[cold]
    pub(crate) fn json(offset: usize, reason: String) -> Self {
        ErrorKind::Json { offset, reason }.into()
    }

    #[cold]
    pub(crate) fn shape(path: String, expected: &'static str, found: &'static str) -> Self {
        ErrorKind::Shape {
            path,
            expected,
            found,
        }
        .into()
    }

    #[cold]
    pub(crate) fn config(message: impl Into<String>) -> Self {
        ErrorKind::Config {
            message: message.into(),
        }
        .into()
    }
}

impl From<ErrorKind> for Error {
    #[cold]
    fn from(kind: ErrorKind) -> Self {
        Error(Box::new(kind))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Json { offset, reason } => {
                write!(f, "malformed JSON at byte {offset}: {reason}")
            }
            ErrorKind::Shape {
                path,
                expected,
                found,
            } if path.is_empty() => write!(f, "expected {expected}, found {found}"),
            ErrorKind::Shape {
                path,
                expected,
                found,
            } => write!(f, "{path}: expected {expected}, found {found}"),
            ErrorKind::InvalidValue(invalid) => invalid.fmt(f),
            ErrorKind::Config { message } => f.write_str(message),
            #[cfg(feature = "client")]
            ErrorKind::Api(api) => api.fmt(f),
            #[cfg(feature = "client")]
            ErrorKind::Transport { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::InvalidValue(invalid) => Some(&invalid.error),
            _ => None,
        }
    }
}

/// Where a value sits in the input: page of the meeting, participant of the page, sample
/// of the participant (all counted from 0), and field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// Index of the page among the pages of the meeting, in the order they were added.
    pub page: u32,
    /// Index of the participant in the page's `participants` list.
    pub participant: u32,
    /// Index of the sample in the participant's `user_qos` list.
    pub sample: u32,
    /// The field.
    pub field: Field,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "page {}, participant {}, sample {}, {}",
            self.page, self.participant, self.sample, self.field
        )
    }
}

/// A field of a sample that holds a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// A stream's metric, like `video_input.resolution`.
    Metric(Stream, Metric),
    /// A `cpu_usage` field.
    Cpu(CpuMetric),
    /// A `wifi_rssi` field.
    Rssi(RssiMetric),
    /// The sample's `date_time`.
    DateTime,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Metric(stream, metric) => write!(f, "{stream}.{metric}"),
            Field::Cpu(cpu) => write!(f, "cpu_usage.{cpu}"),
            Field::Rssi(rssi) => write!(f, "wifi_rssi.{rssi}"),
            Field::DateTime => f.write_str("date_time"),
        }
    }
}

/// A value that is neither blank nor a documented spelling, with its location and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidValue {
    /// Where it is.
    pub location: Location,
    /// The value as found (a string's text, or the JSON type for a non-string), cut to
    /// [`InvalidValue::RAW_MAX_BYTES`].
    pub raw: String,
    /// Why it was rejected.
    pub error: UnitError,
}

impl InvalidValue {
    /// How much of an invalid value's text is kept.
    pub const RAW_MAX_BYTES: usize = 64;

    pub(crate) fn new(location: Location, raw: &str, error: UnitError) -> Self {
        let mut end = raw.len().min(Self::RAW_MAX_BYTES);
        while !raw.is_char_boundary(end) {
            end -= 1;
        }
        let mut kept = String::with_capacity(end + 3);
        kept.push_str(&raw[..end]);
        if end < raw.len() {
            kept.push('…');
        }
        InvalidValue {
            location,
            raw: kept,
            error,
        }
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}, found {:?}", self.location, self.error, self.raw)
    }
}
