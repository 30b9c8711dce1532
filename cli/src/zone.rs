//! `--tz`: the time zone every time of a report is shown in, from the IANA database
//! through `jiff`, and a meeting's label (its topic and local start) in it.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::error::CliError;

/// A time zone by its IANA name (`UTC` by default).
#[derive(Clone, Debug)]
pub struct Tz {
    name: String,
    zone: TimeZone,
}

impl Tz {
    /// The zone named `name` (`UTC`, `Europe/Berlin`, `America/New_York`, ...).
    ///
    /// # Errors
    /// A name the time-zone database does not know: a usage error.
    pub fn named(name: &str) -> Result<Tz, CliError> {
        // The default needs no database: finding any zone in it first lists the whole
        // system database (some 600 files and folders, about 1 % of an ordinary
        // `analyze`, measured with callgrind).
        if name == "UTC" {
            return Ok(Tz {
                name: name.to_owned(),
                zone: TimeZone::UTC,
            });
        }
        let zone = TimeZone::get(name).map_err(|error| {
            CliError::Usage(format!(
                "--tz {name:?} is no time zone this system knows ({error}); give an IANA \
                 name such as Europe/Berlin, or UTC"
            ))
        })?;
        Ok(Tz {
            name: name.to_owned(),
            zone,
        })
    }

    /// Its name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its UTC offset at `epoch_s`, in seconds (0 for an instant out of range).
    pub fn offset_s(&self, epoch_s: i64) -> i32 {
        Timestamp::from_second(epoch_s).map_or(0, |at| self.zone.to_offset(at).seconds())
    }

    /// A meeting's label: its topic, and its start in this zone (`Weekly sync, Tue
    /// 2021-06-22 10:00 CEST`); `None` without a topic.
    pub fn label(&self, topic: Option<&str>, start_time: Option<&str>) -> Option<String> {
        let topic = topic.map(str::trim).filter(|t| !t.is_empty())?;
        let start = start_time
            .and_then(|s| s.parse::<Timestamp>().ok())
            .map(|at| {
                at.to_zoned(self.zone.clone())
                    .strftime("%a %Y-%m-%d %H:%M %Z")
                    .to_string()
            });
        Some(match start {
            Some(start) => format!("{topic}, {start}"),
            None => topic.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_offsets_follow_the_zone() {
        let berlin = Tz::named("Europe/Berlin").expect("in the database");
        // Summer time, then winter time.
        assert_eq!(berlin.offset_s(1_624_564_800), 7200);
        assert_eq!(berlin.offset_s(1_609_459_200), 3600);
        assert_eq!(
            berlin
                .label(Some("Weekly sync"), Some("2021-06-22T08:00:00Z"))
                .as_deref(),
            Some("Weekly sync, Tue 2021-06-22 10:00 CEST")
        );
        assert_eq!(berlin.label(Some("  "), Some("2021-06-22T08:00:00Z")), None);
        assert_eq!(
            berlin.label(Some("T"), Some("garbage")).as_deref(),
            Some("T")
        );
        assert!(Tz::named("Mars/Olympus").is_err());
        assert_eq!(Tz::named("UTC").expect("utc").offset_s(0), 0);
    }

    /// Reference: the database's own `UTC`, which the default does without.
    #[test]
    fn utc_without_the_database_is_the_databases_utc() {
        let database = Tz {
            name: "UTC".to_owned(),
            zone: TimeZone::get("UTC").expect("in the database"),
        };
        let utc = Tz::named("UTC").expect("utc");
        for (epoch_s, start) in [
            (0, "1970-01-01T00:00:00Z"),
            (1_624_564_800, "2021-06-24T20:00:00Z"),
            (4_102_444_800, "2100-01-01T00:00:00Z"),
        ] {
            assert_eq!(utc.offset_s(epoch_s), database.offset_s(epoch_s));
            let label = utc.label(Some("Sync"), Some(start));
            assert_eq!(label, database.label(Some("Sync"), Some(start)));
            assert!(label.is_some_and(|l| l.ends_with(" UTC")), "{start}");
        }
    }
}
