//! RFC 3339 date-times to seconds since the epoch: a fast path for Zoom's own layout, and
//! the nom grammar that defines what a date-time is.

use nom::{
    IResult, Parser,
    bytes::complete::take,
    character::complete::{char, digit1, multispace0, one_of},
    combinator::{map_opt, opt},
    sequence::preceded,
};

use super::{UnitError, UnitResult, digits_value, is_blank};

/// An RFC 3339 date-time (`2021-06-24T20:00:00Z`, `2021-06-24T22:00:00.5+02:00`), in whole
/// seconds since the Unix epoch. Fractions of a second are dropped (floor); `t` or a space
/// may stand for `T`, `z` for `Z`; a leap second `:60` counts as the next second.
pub fn timestamp_s(input: &[u8]) -> UnitResult<i64> {
    if let Some(seconds) = common_timestamp(input) {
        return Ok(Some(seconds));
    }
    if is_blank(input) {
        return Ok(None);
    }
    let (rest, stamp) = rfc3339(input).map_err(|_| UnitError::ExpectedTimestamp)?;
    if !is_blank(rest) {
        return Err(UnitError::ExpectedTimestamp);
    }
    stamp
        .to_epoch()
        .map(Some)
        .ok_or(UnitError::ExpectedTimestamp)
}

/// The fast path for Zoom's own layout, `YYYY-MM-DDTHH:MM:SSZ`; `None` sends anything
/// else (offsets, fractions, invalid dates) to the grammar.
#[inline]
pub(super) fn common_timestamp(input: &[u8]) -> Option<i64> {
    let bytes: &[u8; 20] = input.try_into().ok()?;
    let punctuation = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ];
    if punctuation.iter().any(|&(i, c)| bytes[i] != c) {
        return None;
    }
    let number = |from: usize, to: usize| {
        let digits = &bytes[from..to];
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits_value(digits) as u32)
    };
    Stamp {
        year: number(0, 4)?,
        month: number(5, 7)?,
        day: number(8, 10)?,
        hour: number(11, 13)?,
        minute: number(14, 16)?,
        second: number(17, 19)?,
        offset_s: 0,
        offset_ok: true,
    }
    .to_epoch()
}

/// The fields of an RFC 3339 date-time, before range checks.
struct Stamp {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// East of UTC, in seconds.
    offset_s: i64,
    offset_ok: bool,
}

impl Stamp {
    fn to_epoch(&self) -> Option<i64> {
        let valid = (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour <= 23
            && self.minute <= 59
            && self.second <= 60
            && self.offset_ok;
        if !valid {
            return None;
        }
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        let clock =
            i64::from(self.hour) * 3600 + i64::from(self.minute) * 60 + i64::from(self.second);
        Some(days * 86_400 + clock - self.offset_s)
    }
}

fn rfc3339(input: &[u8]) -> IResult<&[u8], Stamp> {
    let (rest, (year, _, month, _, day, _, hour, _, minute, _, second)) = (
        preceded(multispace0, digits(4)),
        char('-'),
        digits(2),
        char('-'),
        digits(2),
        one_of("Tt "),
        digits(2),
        char(':'),
        digits(2),
        char(':'),
        digits(2),
    )
        .parse(input)?;
    let (rest, _) = opt(preceded(char('.'), digit1)).parse(rest)?;
    let (rest, zone) = one_of("Zz+-").parse(rest)?;
    let (rest, (offset_s, offset_ok)) = if zone == 'Z' || zone == 'z' {
        (rest, (0, true))
    } else {
        let (rest, (h, _, m)) = (digits(2), char(':'), digits(2)).parse(rest)?;
        let magnitude = i64::from(h) * 3600 + i64::from(m) * 60;
        let signed = if zone == '-' { -magnitude } else { magnitude };
        (rest, (signed, h <= 23 && m <= 59))
    };
    let stamp = Stamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
        offset_s,
        offset_ok,
    };
    Ok((rest, stamp))
}

/// Exactly `n` ASCII digits, as a number.
fn digits(n: usize) -> impl Fn(&[u8]) -> IResult<&[u8], u32> {
    move |input| {
        map_opt(take(n), |d: &[u8]| {
            d.iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        })
        .parse(input)
    }
}

pub(crate) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let march_month = i64::from((month + 9) % 12);
    let day_of_year = (153 * march_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Seconds since the epoch, displayed as RFC 3339 in UTC (`2021-06-24T20:00:00Z`): the
/// inverse of [`timestamp_s`] for whole seconds. Allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rfc3339(pub i64);

impl core::fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let days = self.0.div_euclid(86_400);
        let clock = self.0.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        // Digits written by hand for the years people have (a report prints two per
        // episode; `write!` with six padded integers cost about 1 500 instructions).
        if let Ok(year @ 0..=9999) = u32::try_from(year) {
            let clock = clock as u32; // 0..86_400
            let mut text = *b"0000-00-00T00:00:00Z";
            for (at, width, value) in [
                (0, 4, year),
                (5, 2, month),
                (8, 2, day),
                (11, 2, clock / 3600),
                (14, 2, clock % 3600 / 60),
                (17, 2, clock % 60),
            ] {
                let mut value = value;
                for digit in text[at..at + width].iter_mut().rev() {
                    *digit = b'0' + (value % 10) as u8;
                    value /= 10;
                }
            }
            // ASCII digits and separators only.
            return f.write_str(core::str::from_utf8(&text).map_err(|_| core::fmt::Error)?);
        }
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            clock / 3600,
            clock % 3600 / 60,
            clock % 60
        )
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// algorithm, the inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * march_month + 2) / 5 + 1) as u32;
    let month = if march_month < 10 {
        march_month + 3
    } else {
        march_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
