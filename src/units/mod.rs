//! Stage 2: unit strings (`"23 kbps"`, `"126 ms"`, `"0.3%"`, `"1280*720"`, `"12 fps"`,
//! RFC 3339 times) to fixed-point integers. Sees no JSON; allocates nothing; never panics.
//!
//! # Grammar
//!
//! ```text
//! value      = ws* ( number ws* unit? | resolution ) ws*      ; all blanks = missing
//! number     = DIGIT+ ( "." DIGIT+ )?                          ; no sign, exponent or comma
//! unit       = bitrate: "bps" | "kbps" | "mbps"  (none = kbps) ; units are case-insensitive
//!              latency, jitter: "ms"                           (none = ms)
//!              loss, cpu: "%"                                  (none = %)
//!              frame rate: "fps"                               (none = fps)
//! resolution = DIGIT+ ws* ( "*" | "x" | "X" ) ws* DIGIT+       ; "0*0" is valid: no picture
//! ws         = " " | "\t" | "\r" | "\n"
//! ```
//!
//! Each parser returns `Ok(None)` for a blank value (Zoom's "no data"), `Ok(Some(n))` for a
//! value, and [`UnitError`] for anything else. Values are stored in fixed point, so every
//! value with up to two decimals in its own unit is kept exactly; further digits are rounded
//! half-up. A value too large for its storage is [`UnitError::OutOfRange`], never wrapped.
//!
//! | parser | stored unit | range |
//! |---|---|---|
//! | [`bitrate_bps`] | bit/s | 0 ..= 4 294 967 294 |
//! | [`millis_10us`] | 10 µs (0.01 ms) | 0 ..= 16 777 214 (167 772.14 ms) |
//! | [`loss_bp`] | basis point (0.01 %) | 0 ..= 10 000 (100 %) |
//! | [`cpu_bp`] | basis point (0.01 %) | 0 ..= 65 534 (655.34 %) |
//! | [`frame_rate_cfps`] | 0.01 frame/s | 0 ..= 65 534 |
//! | [`resolution_px`] | pixels, width and height | 0 ..= 65 534 each |
//! | [`score_centi`] | 0.01 (no unit) | 0 ..= 65 534 |
//! | [`timestamp_s`] | seconds since 1970-01-01T00:00:00Z | years 0000 ..= 9999 |

use core::fmt;

use nom::{
    IResult, Parser,
    bytes::complete::tag_no_case,
    character::complete::{char, digit1, multispace0, one_of},
    combinator::opt,
    sequence::preceded,
};

mod time;

/// Largest stored bit rate; `u32::MAX` is left free for the table's "missing" sentinel.
pub const BITRATE_MAX_BPS: u32 = u32::MAX - 1;
/// Largest stored latency or jitter, in 10 µs: the table keeps these in 24 bits.
pub const MILLIS_MAX_10US: u32 = (1 << 24) - 2;
/// Largest loss: 100 %.
pub const LOSS_MAX_BP: u16 = 10_000;
/// Largest CPU usage, frame rate or resolution side; `u16::MAX` is the missing sentinel.
pub const U16_VALUE_MAX: u16 = u16::MAX - 1;

/// Why a unit string was rejected. Small and `Copy`; the caller adds the location and the
/// raw text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnitError {
    /// No number where one was expected (`"N/A"`, `"-5 ms"`, `"ms"`).
    ExpectedNumber,
    /// The number is followed by something that is not one of the field's units.
    /// Holds the accepted units, for the message.
    ExpectedUnit(&'static str),
    /// A well-formed value too large for the field. Holds the largest accepted value.
    OutOfRange(&'static str),
    /// Not `W*H` (or `WxH`).
    ExpectedResolution,
    /// Not an RFC 3339 date-time, or a date that does not exist.
    ExpectedTimestamp,
    /// Not a string where a word is expected (a CPU pressure level, a quality word).
    ExpectedText,
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitError::ExpectedNumber => f.write_str("expected a number"),
            UnitError::ExpectedUnit(units) => {
                write!(f, "expected a number followed by {units} or nothing")
            }
            UnitError::OutOfRange(max) => write!(f, "value out of range (at most {max})"),
            UnitError::ExpectedResolution => f.write_str("expected W*H"),
            UnitError::ExpectedText => f.write_str("expected a word"),
            UnitError::ExpectedTimestamp => {
                f.write_str("expected an RFC 3339 date-time like 2021-06-24T20:00:00Z")
            }
        }
    }
}

impl core::error::Error for UnitError {}

/// The result of a unit parser: `None` is a blank (missing) value.
pub type UnitResult<T> = Result<Option<T>, UnitError>;

// Constants, so that each unit is packed at compile time (a `const fn` call in an
// expression runs at run time).
const BITRATE_UNITS: &[Unit] = &[
    Unit::new("kbps", 3),
    Unit::new("mbps", 6),
    Unit::new("bps", 0),
];
/// A bare bit rate is in kbps.
const BITRATE_DEFAULT_POW10: u32 = 3;
const MS: &[Unit] = &[Unit::new("ms", 2)];
const PERCENT: &[Unit] = &[Unit::new("%", 2)];
const FPS: &[Unit] = &[Unit::new("fps", 2)];

/// A bit rate, in bit/s. Units `bps`, `kbps`, `mbps`; a bare number is kbps.
#[inline(always)]
pub fn bitrate_bps(input: &[u8]) -> UnitResult<u32> {
    let v = measure(
        input,
        BITRATE_UNITS,
        BITRATE_DEFAULT_POW10,
        "kbps, mbps or bps",
    )?;
    narrow(v, u64::from(BITRATE_MAX_BPS), "4294967.294 kbps")
}

/// A latency or jitter, in units of 10 µs (hundredths of a millisecond). Unit `ms`.
#[inline(always)]
pub fn millis_10us(input: &[u8]) -> UnitResult<u32> {
    let v = measure(input, MS, 2, "ms")?;
    narrow(v, u64::from(MILLIS_MAX_10US), "167772.14 ms")
}

/// A packet loss, in basis points (hundredths of a percent). Unit `%`.
#[inline(always)]
pub fn loss_bp(input: &[u8]) -> UnitResult<u16> {
    let v = measure(input, PERCENT, 2, "%")?;
    narrow(v, u64::from(LOSS_MAX_BP), "100%")
}

/// A CPU usage, in basis points (hundredths of a percent). Unit `%`.
#[inline(always)]
pub fn cpu_bp(input: &[u8]) -> UnitResult<u16> {
    let v = measure(input, PERCENT, 2, "%")?;
    narrow(v, u64::from(U16_VALUE_MAX), "655.34%")
}

/// A frame rate, in hundredths of a frame per second. Unit `fps`.
#[inline(always)]
pub fn frame_rate_cfps(input: &[u8]) -> UnitResult<u16> {
    let v = measure(input, FPS, 2, "fps")?;
    narrow(v, u64::from(U16_VALUE_MAX), "655.34 fps")
}

/// A score without a unit (Zoom's `quality_score`, `"3.65"`), in hundredths.
#[inline]
pub fn score_centi(input: &[u8]) -> UnitResult<u16> {
    let v = measure(input, &[], 2, "").map_err(|error| match error {
        UnitError::ExpectedUnit(_) => UnitError::ExpectedNumber,
        other => other,
    })?;
    narrow(v, u64::from(U16_VALUE_MAX), "655.34")
}

/// A resolution `W*H` (or `WxH`), in pixels: `(width, height)`. `"0*0"` is `Some((0, 0))`.
pub fn resolution_px(input: &[u8]) -> UnitResult<(u16, u16)> {
    if input.is_empty() {
        return Ok(None);
    }
    if let Some(sides) = common_resolution(input) {
        return Ok(Some(sides));
    }
    if is_blank(input) {
        return Ok(None);
    }
    let parsed: IResult<&[u8], (&[u8], &[u8])> = (
        preceded(multispace0, digit1),
        preceded((multispace0, one_of("*xX"), multispace0), digit1),
    )
        .parse(input);
    let (rest, (w, h)) = parsed.map_err(|_| UnitError::ExpectedResolution)?;
    if !is_blank(rest) {
        return Err(UnitError::ExpectedResolution);
    }
    let side = |digits: &[u8]| {
        to_fixed(digits, b"", 0)
            .filter(|&v| v <= u64::from(U16_VALUE_MAX))
            .and_then(|v| u16::try_from(v).ok())
            .ok_or(UnitError::OutOfRange("65534*65534"))
    };
    Ok(Some((side(w)?, side(h)?)))
}

/// The fast path for `DIGIT{1,5} "*" DIGIT{1,5}` with both sides in range; `None` sends
/// anything else to the grammar.
#[inline]
fn common_resolution(input: &[u8]) -> Option<(u16, u16)> {
    let (w, w_len) = digit_run(input, 0, 5).filter(|&(_, len)| len > 0)?;
    if input.get(w_len) != Some(&b'*') {
        return None;
    }
    let (h, h_len) = digit_run(input, w_len + 1, 5).filter(|&(_, len)| len > 0)?;
    if w_len + 1 + h_len != input.len() {
        return None;
    }
    let side = |value: u64| u16::try_from(value).ok().filter(|&v| v <= U16_VALUE_MAX);
    Some((side(w)?, side(h)?))
}

/// Whether the input is empty or white space only: Zoom's "no data".
pub fn is_blank(input: &[u8]) -> bool {
    input
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Parses `ws* number ws* unit? ws*`, returning the number scaled by `10^pow10` of the
/// matched unit (or `default_pow10` without one).
#[inline]
fn measure(
    input: &[u8],
    units: &[Unit],
    default_pow10: u32,
    unit_names: &'static str,
) -> Result<Option<u64>, UnitError> {
    // `""` is Zoom's usual "no data": answer it before any parsing.
    if input.is_empty() {
        return Ok(None);
    }
    if let Some(value) = common_spelling(input, units, default_pow10) {
        return Ok(Some(value));
    }
    measure_by_grammar(input, units, default_pow10, unit_names)
}

/// The fast path for the spellings Zoom sends (`"126 ms"`, `"0.3%"`, `"27.15kbps"`):
/// `DIGIT{1,12} ("." DIGIT{1,pow10})? " "? unit?`, nothing around. Returns `None` for
/// anything else, which the grammar then decides: this is an accelerator, never the
/// definition (a test checks that it only ever answers as the grammar does).
#[inline(always)]
fn common_spelling(input: &[u8], units: &[Unit], default_pow10: u32) -> Option<u64> {
    const POW10: [u64; 7] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
    let (int, mut at) = digit_run(input, 0, 12).filter(|&(_, len)| len > 0)?;
    let (mut frac, mut frac_len) = (0u64, 0usize);
    if input.get(at) == Some(&b'.') {
        (frac, frac_len) = digit_run(input, at + 1, 6).filter(|&(_, len)| len > 0)?;
        at += 1 + frac_len;
    }
    if input.get(at) == Some(&b' ') {
        at += 1;
    }
    let rest = &input[at.min(input.len())..];
    let pow10 = if rest.is_empty() {
        default_pow10
    } else {
        let word = packed(rest)?;
        units
            .iter()
            .find(|unit| unit.matches(rest.len(), word))?
            .pow10
    } as usize;
    // More decimals than kept means rounding: leave that to the grammar's path.
    let frac_scale = POW10.get(pow10.checked_sub(frac_len)?)?;
    // At most 12 + 6 digits: below u64::MAX, no overflow.
    Some(int * POW10.get(pow10)? + frac * frac_scale)
}

/// The ASCII digits of `input` from `at`: their value and count; `None` when there are
/// more than `max` (a fast path leaves long numbers to the grammar).
#[inline(always)]
fn digit_run(input: &[u8], at: usize, max: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    let mut len = 0;
    while let Some(d) = input
        .get(at + len)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|&d| d <= 9)
    {
        if len == max {
            return None;
        }
        value = value * 10 + u64::from(d);
        len += 1;
    }
    Some((value, len))
}

/// The value of up to 18 ASCII digits.
#[inline]
fn digits_value(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 10 + u64::from(d.wrapping_sub(b'0')))
}

/// The grammar itself, with nom: the definition of what a value is.
fn measure_by_grammar(
    input: &[u8],
    units: &[Unit],
    default_pow10: u32,
    unit_names: &'static str,
) -> Result<Option<u64>, UnitError> {
    if is_blank(input) {
        return Ok(None);
    }
    let (rest, (int, frac)) = number(input).map_err(|_| UnitError::ExpectedNumber)?;
    let (rest, pow10) = unit(rest, units, default_pow10);
    if !is_blank(rest) {
        return Err(UnitError::ExpectedUnit(unit_names));
    }
    // An overflow here is a number longer than any field can hold: saturate, so that the
    // caller's range check rejects it.
    Ok(Some(to_fixed(int, frac, pow10).unwrap_or(u64::MAX)))
}

/// `ws* DIGIT+ ("." DIGIT+)?`, as (integer digits, fraction digits).
fn number(input: &[u8]) -> IResult<&[u8], (&[u8], &[u8])> {
    (
        preceded(multispace0, digit1),
        opt(preceded(char('.'), digit1)),
    )
        .map(|(int, frac): (&[u8], Option<&[u8]>)| (int, frac.unwrap_or_default()))
        .parse(input)
}

/// `ws* unit?`: the first unit of `units` that matches (case-insensitive), else the default.
fn unit<'a>(input: &'a [u8], units: &[Unit], default_pow10: u32) -> (&'a [u8], u32) {
    let input = skip_blanks(input);
    for unit in units {
        let matched: IResult<&[u8], &[u8]> = tag_no_case(unit.name.as_bytes()).parse(input);
        if let Ok((rest, _)) = matched {
            return (rest, unit.pow10);
        }
    }
    (input, default_pow10)
}

/// A unit's spelling and its power of ten, with its bytes packed for the fast path.
#[derive(Clone, Copy, Debug)]
struct Unit {
    /// Lower case, 1 to 4 bytes.
    name: &'static str,
    pow10: u32,
    /// `name`'s bytes, little-endian.
    word: u32,
    /// `0x20` in the byte of each letter of `name`: or-ing it into the input's bytes
    /// lower-cases exactly the ASCII letters that can match (`b | 0x20 == l` only for
    /// `b` = `l` or its capital), while other bytes must match as they are.
    case_bits: u32,
}

impl Unit {
    const fn new(name: &'static str, pow10: u32) -> Unit {
        let bytes = name.as_bytes();
        assert!(
            !bytes.is_empty() && bytes.len() <= 4,
            "a unit has 1 to 4 bytes"
        );
        let (mut word, mut case_bits, mut i) = (0, 0, 0);
        while i < bytes.len() {
            assert!(!bytes[i].is_ascii_uppercase(), "unit names are lower case");
            word |= (bytes[i] as u32) << (8 * i);
            if bytes[i].is_ascii_lowercase() {
                case_bits |= 0x20 << (8 * i);
            }
            i += 1;
        }
        Unit {
            name,
            pow10,
            word,
            case_bits,
        }
    }

    /// Whether a text of `len` bytes, [`packed`] into `word`, is this unit, ignoring
    /// ASCII case: one compare.
    #[inline(always)]
    fn matches(&self, len: usize, word: u32) -> bool {
        len == self.name.len() && (word | self.case_bits) == self.word
    }
}

/// The bytes of a text of 1 to 4 bytes, little-endian in a `u32` (as [`Unit::word`]);
/// `None` for any other length.
#[inline(always)]
fn packed(text: &[u8]) -> Option<u32> {
    Some(match *text {
        [a] => u32::from(a),
        [a, b] => u32::from_le_bytes([a, b, 0, 0]),
        [a, b, c] => u32::from_le_bytes([a, b, c, 0]),
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
        _ => return None,
    })
}

fn skip_blanks(input: &[u8]) -> &[u8] {
    let blanks: IResult<&[u8], &[u8]> = multispace0(input);
    blanks.map_or(input, |(rest, _)| rest)
}

/// `int.frac × 10^pow10`, rounded half-up on the first dropped digit; `None` on overflow.
/// Both slices hold ASCII digits only (the grammar guarantees it).
fn to_fixed(int: &[u8], frac: &[u8], pow10: u32) -> Option<u64> {
    let digit = |d: u8| u64::from(d.wrapping_sub(b'0'));
    let mut value: u64 = 0;
    for &d in int {
        value = value.checked_mul(10)?.checked_add(digit(d))?;
    }
    let kept = pow10 as usize;
    for k in 0..kept {
        let d = frac.get(k).map_or(0, |&d| digit(d));
        value = value.checked_mul(10)?.checked_add(d)?;
    }
    if frac.get(kept).is_some_and(|&d| d >= b'5') {
        value = value.checked_add(1)?;
    }
    Some(value)
}

#[inline]
fn narrow<T: TryFrom<u64>>(value: Option<u64>, max: u64, max_text: &'static str) -> UnitResult<T> {
    match value {
        None => Ok(None),
        Some(v) if v <= max => T::try_from(v)
            .map(Some)
            .map_err(|_| UnitError::OutOfRange(max_text)),
        Some(_) => Err(UnitError::OutOfRange(max_text)),
    }
}

#[cfg(feature = "client")]
pub(crate) use time::days_in_month;
pub use time::{Rfc3339, timestamp_s};
pub(crate) use time::{civil_from_days, days_from_civil};

#[cfg(test)]
mod tests;
