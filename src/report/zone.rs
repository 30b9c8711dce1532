//! A time zone as the report needs one: a name to show, and the UTC offset at an
//! instant. The crate knows no time-zone database: the caller brings the offsets (the
//! command takes them from `jiff`).

use core::fmt;

use crate::units::{Rfc3339, timestamp_s};

/// A time zone: its name (`UTC`, or an IANA name such as `Europe/Berlin`) and its UTC
/// offset at any instant, in seconds. Every offset in use is a multiple of 15 minutes,
/// which the account's hour view relies on.
///
/// ```
/// use zoom_qos::report::Zone;
///
/// let berlin_summer = |_epoch_s: i64| 7200;
/// let zone = Zone::new("Europe/Berlin", &berlin_summer);
/// assert_eq!(zone.rfc3339(1_624_564_800), "2021-06-24T22:00:00+02:00");
/// assert_eq!(Zone::UTC.rfc3339(1_624_564_800), "2021-06-24T20:00:00Z");
/// ```
#[derive(Clone, Copy)]
pub struct Zone<'a> {
    name: &'a str,
    offset_s: Option<&'a (dyn Fn(i64) -> i32 + Sync)>,
}

impl fmt::Debug for Zone<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Zone").field(&self.name).finish()
    }
}

impl<'a> Zone<'a> {
    /// Coordinated Universal Time.
    pub const UTC: Zone<'static> = Zone {
        name: "UTC",
        offset_s: None,
    };

    /// The zone `name`, whose UTC offset at an instant (epoch seconds) `offset_s` gives
    /// in seconds.
    pub fn new(name: &'a str, offset_s: &'a (dyn Fn(i64) -> i32 + Sync)) -> Self {
        Zone {
            name,
            offset_s: Some(offset_s),
        }
    }

    /// Its name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The UTC offset at `epoch_s`, in seconds.
    pub fn offset_s(&self, epoch_s: i64) -> i64 {
        self.offset_s.map_or(0, |offset| i64::from(offset(epoch_s)))
    }

    /// `epoch_s` shifted to the zone's wall clock (still counted from 1970-01-01 00:00).
    pub(crate) fn local_s(&self, epoch_s: i64) -> i64 {
        epoch_s + self.offset_s(epoch_s)
    }

    /// `epoch_s` as RFC 3339 in this zone: `2021-06-24T22:00:00+02:00` (`Z` in UTC).
    pub fn rfc3339(&self, epoch_s: i64) -> String {
        let offset = self.offset_s(epoch_s);
        let local = Rfc3339(epoch_s + offset).to_string();
        if self.offset_s.is_none() {
            return local;
        }
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = offset.abs() / 60;
        format!(
            "{}{sign}{:02}:{:02}",
            local.trim_end_matches('Z'),
            minutes / 60,
            minutes % 60
        )
    }

    /// A report's time (RFC 3339, UTC) in this zone; a text that is not one, as it is.
    pub(crate) fn shift(&self, rfc3339: &str) -> String {
        match timestamp_s(rfc3339.as_bytes()) {
            Ok(Some(epoch_s)) => self.rfc3339(epoch_s),
            _ => rfc3339.to_owned(),
        }
    }
}
