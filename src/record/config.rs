//! How pages are decoded (leniency, how many invalid values are kept) and what was found
//! wrong while decoding.

use crate::error::InvalidValue;

/// How pages are decoded: leniency and how many invalid values are kept for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeConfig {
    pub(super) strict: bool,
    pub(super) keep_invalid: usize,
    pub(super) max_parse_bytes: u64,
}

/// The parser's working memory for one page at most, by default: 1 GiB. A page of Zoom's
/// (10 participants at most, a sample a minute) needs a few times its size, a few MiB;
/// a page dense in JSON structure (`[[[[...`) needs about 30 times its size.
pub const DEFAULT_MAX_PARSE_BYTES: u64 = 1 << 30;

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            strict: false,
            keep_invalid: 16,
            max_parse_bytes: DEFAULT_MAX_PARSE_BYTES,
        }
    }
}

impl DecodeConfig {
    /// The default: lenient, keeping the first 16 invalid values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Strict mode: the first invalid value fails the page with its location. Off by
    /// default, because one odd value in a minute of data should not hide the meeting: in
    /// lenient mode it becomes missing and is counted.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// How many invalid values the table keeps with their text and location (all are
    /// counted). Default 16: enough to show someone what is wrong, bounded for hostile input.
    pub fn keep_invalid(mut self, count: usize) -> Self {
        self.keep_invalid = count;
        self
    }

    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// The parser's working memory for one page at most (default
    /// [`DEFAULT_MAX_PARSE_BYTES`]): a page that would need more fails with
    /// [`ErrorKind::ParseMemory`](crate::ErrorKind::ParseMemory) before anything is
    /// allocated for it, so that one hostile page cannot take the process down. The need
    /// is estimated from the page's size and, for a large page, from its count of
    /// structural characters (one extra pass over that page only).
    pub fn max_parse_bytes(mut self, bytes: u64) -> Self {
        self.max_parse_bytes = bytes;
        self
    }

    /// The limit [`max_parse_bytes`](Self::max_parse_bytes) set.
    pub fn parse_bytes_limit(&self) -> u64 {
        self.max_parse_bytes
    }
}

/// Invalid values, and shapes read leniently, seen while decoding into a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub(super) invalid_values: u64,
    pub(super) kept: Vec<InvalidValue>,
    pub(super) user_qos_objects: u64,
}

impl Diagnostics {
    /// How many metric, CPU, Wi-Fi or time values were neither blank nor a valid spelling.
    pub fn invalid_values(&self) -> u64 {
        self.invalid_values
    }

    /// Participant entries whose `user_qos` was one object instead of a list (a shape of
    /// Zoom's older published examples), each read as one sample. Strict mode refuses them.
    pub fn user_qos_objects(&self) -> u64 {
        self.user_qos_objects
    }

    /// The first invalid values, with their location and text (see
    /// [`DecodeConfig::keep_invalid`]).
    pub fn first_invalid(&self) -> &[InvalidValue] {
        &self.kept
    }
}
