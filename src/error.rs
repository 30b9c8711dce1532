//! The crate's one public error, and where in the input a value was found.
//! Dependencies' error types (simd-json, nom) stay inside: they are turned into these.

use core::fmt;

use crate::schema::{CpuMetric, Metric, RssiMetric, SampleField, Stream, SummaryKey, SummaryType};
use crate::units::UnitError;

/// The error of every fallible call of this crate. Boxed, so `Result<T, Error>` stays one
/// pointer wide; inspect it through [`Error::kind`].
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorKind>);

/// What went wrong. More kinds may be added in minor releases.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// A JSON document that is an error answer of the Zoom API (`{"code": 124, "message":
    /// "Invalid access token."}`), not a page: saved by a tool that did not check the status.
    ErrorAnswer {
        /// Zoom's error code.
        code: Option<i64>,
        /// Zoom's message.
        message: String,
    },
    /// A metric value that is neither blank nor a documented spelling, in strict mode.
    InvalidValue(InvalidValue),
    /// A configuration value that cannot be used (thresholds, page size, ...).
    Config {
        /// What is wrong, for a person.
        message: String,
    },
    /// The input is larger than a structure of this crate can hold.
    TooLarge {
        /// What would overflow.
        what: &'static str,
        /// Its limit, for a person.
        limit: &'static str,
    },
    /// A page that would need more of the parser's working memory than
    /// [`DecodeConfig::max_parse_bytes`](crate::DecodeConfig::max_parse_bytes) allows:
    /// refused before the parse allocates it.
    ParseMemory {
        /// The estimated need, in bytes.
        needed_bytes: u64,
        /// The limit, in bytes.
        limit_bytes: u64,
    },
    /// An error answer of the Zoom API (feature `client`).
    #[cfg(feature = "client")]
    Api(ApiError),
    /// The API's answers do not make a valid chain of pages (a repeated
    /// `next_page_token`, ...) (feature `client`).
    #[cfg(feature = "client")]
    Pagination {
        /// What went wrong, with the page and URL.
        message: String,
    },
    /// No answer from the API or the OAuth server, or a refused token request
    /// (feature `client`). Never holds a credential.
    #[cfg(feature = "client")]
    Transport {
        /// What went wrong.
        message: String,
    },
    /// HTTP 429 with Zoom's daily limit reached (`X-RateLimit-Type: Daily-limit`, or a
    /// message saying "daily rate limit"): no request is worth making before the reset
    /// (feature `client`).
    #[cfg(feature = "client")]
    DailyLimit {
        /// When the limit resets, as Zoom's `Retry-After` gave it (seconds or a date-time).
        reset: Option<String>,
        /// The URL without its query that was refused.
        path: String,
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

    /// The JSON error of `bytes` that serde_json's validating parse found: the byte
    /// offset (the end of the input when it ended too early) and the reason in words.
    #[cold]
    pub(crate) fn from_serde_json(bytes: &[u8], error: &serde_json::Error) -> Self {
        let offset = if error.is_eof() {
            bytes.len()
        } else {
            line_column_offset(bytes, error.line(), error.column())
        };
        // serde_json's text ends with " at line L column C": the offset replaces it.
        let text = error.to_string();
        let reason = match text.rfind(" at line ") {
            Some(at) => text[..at].to_owned(),
            None => text,
        };
        let reason = match reason.as_str() {
            "trailing characters" => "trailing characters after the document".to_owned(),
            r if r.starts_with("EOF while parsing") => {
                format!(
                    "unexpected end of input ({})",
                    r.replacen("EOF while", "while", 1)
                )
            }
            _ => reason,
        };
        Error::json(offset, reason)
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
            ErrorKind::ErrorAnswer { code, message } => {
                f.write_str("not a QoS page but an error answer of the Zoom API")?;
                if let Some(code) = code {
                    write!(f, ", code {code}")?;
                }
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            ErrorKind::InvalidValue(invalid) => invalid.fmt(f),
            ErrorKind::Config { message } => f.write_str(message),
            ErrorKind::TooLarge { what, limit } => write!(f, "{what} holds at most {limit}"),
            ErrorKind::ParseMemory {
                needed_bytes,
                limit_bytes,
            } => write!(
                f,
                "parsing this page would need about {} MiB of memory, more than the limit of \
                 {} MiB (a page dense in JSON structure: Zoom's pages need a few times their \
                 size)",
                needed_bytes.div_ceil(1 << 20),
                limit_bytes >> 20
            ),
            #[cfg(feature = "client")]
            ErrorKind::Api(api) => api.fmt(f),
            #[cfg(feature = "client")]
            ErrorKind::Pagination { message } => f.write_str(message),
            #[cfg(feature = "client")]
            ErrorKind::Transport { message } => f.write_str(message),
            #[cfg(feature = "client")]
            ErrorKind::DailyLimit { reset, path } => {
                write!(f, "Zoom's daily rate limit is reached ({path})")?;
                match reset {
                    Some(reset) => write!(f, "; it resets at {reset}"),
                    None => Ok(()),
                }
            }
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

/// The byte offset of serde_json's 1-based line and column (a column counts bytes).
fn line_column_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .nth(line - 2)
            .map_or(bytes.len(), |(i, _)| i + 1)
    };
    (line_start + column.saturating_sub(1)).min(bytes.len())
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
#[non_exhaustive]
pub enum Field {
    /// A stream's metric, like `video_input.resolution`.
    Metric(Stream, Metric),
    /// A `cpu_usage` field.
    Cpu(CpuMetric),
    /// A `wifi_rssi` field.
    Rssi(RssiMetric),
    /// The sample's `date_time`.
    DateTime,
    /// A CPU pressure level, or Zoom's quality word or score.
    Sample(SampleField),
    /// A value of a `qos_summary` entry (its `type`, its key in `details`); the location's
    /// `sample` is the entry's index in `qos`.
    Summary(SummaryType, SummaryKey),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Metric(stream, metric) => write!(f, "{stream}.{metric}"),
            Field::Cpu(cpu) => write!(f, "cpu_usage.{cpu}"),
            Field::Rssi(rssi) => write!(f, "wifi_rssi.{rssi}"),
            Field::DateTime => f.write_str("date_time"),
            Field::Sample(field) if field.is_word() && *field != SampleField::Quality => {
                write!(f, "cpu_pressure_level.{field}")
            }
            Field::Sample(field) => write!(f, "{field}"),
            Field::Summary(kind, key) => write!(f, "qos.{kind}.{key}"),
        }
    }
}

/// A value that is neither blank nor a documented spelling, with its location and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidValue {
    /// Where it is.
    pub location: Location,
    /// The value as found (a string's text, or the JSON type for a non-string), cut to
    /// [`InvalidValue::TEXT_MAX_BYTES`].
    pub text: String,
    /// Why it was rejected.
    pub error: UnitError,
}

impl InvalidValue {
    /// How much of an invalid value's text is kept.
    pub const TEXT_MAX_BYTES: usize = 64;

    pub(crate) fn new(location: Location, text: &str, error: UnitError) -> Self {
        let mut end = text.len().min(Self::TEXT_MAX_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut kept = String::with_capacity(end + 3);
        kept.push_str(&text[..end]);
        if end < text.len() {
            kept.push('…');
        }
        InvalidValue {
            location,
            text: kept,
            error,
        }
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}, found {:?}",
            self.location, self.error, self.text
        )
    }
}

/// An error answer of the Zoom API: HTTP status, Zoom's `code` and `message`, which page
/// (feature `client`).
#[cfg(feature = "client")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// Zoom's error code from the body, if it sent one.
    pub code: Option<i64>,
    /// Zoom's message (or the start of the body).
    pub message: String,
    /// The index of the page that failed (pages before it were received).
    pub page: u32,
    /// The URL without its query: base and endpoint path.
    pub path: String,
    /// What the code means, per the Dashboard API's documentation (the client knows
    /// Zoom's codes; this type only carries them).
    pub meaning: &'static str,
}

#[cfg(feature = "client")]
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zoom API answered HTTP {}", self.status)?;
        if let Some(code) = self.code {
            write!(f, ", code {code}")?;
        }
        write!(f, " ({})", self.meaning)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        write!(f, "; page {} of {}", self.page, self.path)
    }
}
