//! Listing an account's meetings or webinars by date, sans-IO: `GET /metrics/meetings`
//! (or `/metrics/webinars`) with `type`, `from`, `to`, `page_size` and
//! `next_page_token`. Zoom answers at most one month per query and keeps six months, so a
//! range is checked, then split into calendar months; an instance listed in two of them
//! is kept once.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::endpoints::{Kind, QosType};
use super::pages::{Expect, Pages, RetryPolicy};
use crate::error::{Error, ErrorKind};
use crate::units::{civil_from_days, days_from_civil, days_in_month};

/// The list endpoints' largest `page_size`.
pub const MAX_LIST_PAGE_SIZE: u16 = 300;

/// A calendar date (UTC), as the list endpoints take it: `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    /// Days since 1970-01-01.
    days: i64,
}

impl Day {
    /// The day `days` days after 1970-01-01.
    pub const fn from_days(days: i64) -> Day {
        Day { days }
    }

    /// The day of a Unix time in seconds.
    pub const fn of_unix_s(seconds: i64) -> Day {
        Day {
            days: seconds.div_euclid(86_400),
        }
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i64 {
        self.days
    }

    /// Parses `YYYY-MM-DD`.
    ///
    /// # Errors
    /// A [`Config`](crate::ErrorKind::Config) error naming what is wrong.
    pub fn parse(text: &str) -> Result<Day, Error> {
        let bad = || Error::config(format!("{text:?} is not a date like 2026-11-01"));
        let bytes = text.as_bytes();
        let digits = |range: core::ops::Range<usize>| -> Option<u32> {
            let part = bytes.get(range)?;
            part.iter().all(u8::is_ascii_digit).then_some(())?;
            part.iter()
                .try_fold(0u32, |n, d| Some(n * 10 + u32::from(d - b'0')))
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(bad());
        }
        let (year, month, day) = (
            digits(0..4).ok_or_else(bad)?,
            digits(5..7).ok_or_else(bad)?,
            digits(8..10).ok_or_else(bad)?,
        );
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(bad());
        }
        Ok(Day {
            days: days_from_civil(i64::from(year), month, day),
        })
    }

    /// `(year, month, day)`.
    pub fn civil(self) -> (i64, u32, u32) {
        civil_from_days(self.days)
    }

    /// The last day of this day's month.
    fn month_end(self) -> Day {
        let (year, month, _) = self.civil();
        let last = u32::try_from(year).map_or(31, |y| days_in_month(y, month));
        Day {
            days: days_from_civil(year, month, last),
        }
    }

    /// The same day `months` months earlier, or the month's last day when it is shorter
    /// (2026-08-31 minus six months is 2026-02-28).
    pub fn months_before(self, months: u32) -> Day {
        let (year, month, day) = self.civil();
        let index = year * 12 + i64::from(month) - 1 - i64::from(months);
        let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
        let last = u32::try_from(year).map_or(28, |y| days_in_month(y, month));
        Day {
            days: days_from_civil(year, month, day.min(last)),
        }
    }
}

impl core::fmt::Display for Day {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (year, month, day) = self.civil();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

/// How far back the Dashboard API keeps data.
pub const RETENTION_MONTHS: u32 = 6;

/// The windows of one query each that cover `from..=to`: one per calendar month, in order.
///
/// # Errors
/// A [`Config`](crate::ErrorKind::Config) error when `from` is after `to`, `to` is after
/// `today`, or `from` is more than [`RETENTION_MONTHS`] before `today` (Zoom answers
/// nothing older).
pub fn month_windows(from: Day, to: Day, today: Day) -> Result<Vec<(Day, Day)>, Error> {
    if from > to {
        return Err(Error::config(format!("--from {from} is after --to {to}")));
    }
    if to > today {
        return Err(Error::config(format!(
            "--to {to} is after today ({today}, UTC): there is nothing to list yet"
        )));
    }
    let earliest = today.months_before(RETENTION_MONTHS);
    if from < earliest {
        return Err(Error::config(format!(
            "--from {from} is more than {RETENTION_MONTHS} months before today ({today}, UTC): \
             Zoom keeps Dashboard data for {RETENTION_MONTHS} months, so the earliest day is \
             {earliest}"
        )));
    }
    let mut windows = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start.month_end().min(to);
        windows.push((start, end));
        start = Day::from_days(end.days + 1);
    }
    Ok(windows)
}

/// A meeting or webinar instance as the list endpoints give it. Fields this crate does not
/// know are kept in `other`, and written back with the rest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListedMeeting {
    /// The instance's UUID: what its QoS is fetched by.
    pub uuid: String,
    /// The meeting number (the same for every instance of a recurring meeting).
    #[serde(default)]
    pub id: u64,
    /// Its topic.
    #[serde(default)]
    pub topic: String,
    /// The host's name.
    #[serde(default)]
    pub host: String,
    /// The host's email.
    #[serde(default)]
    pub email: String,
    /// The host's user type (`Pro`, `Licensed`, ...).
    #[serde(default)]
    pub user_type: String,
    /// When it started, RFC 3339.
    #[serde(default)]
    pub start_time: String,
    /// When it ended, RFC 3339 (empty while live).
    #[serde(default)]
    pub end_time: String,
    /// How long it lasted, as Zoom spells it: `"48:02"` or `"1:02:30"`.
    #[serde(default)]
    pub duration: String,
    /// How many participants joined.
    #[serde(default)]
    pub participants: u64,
    /// Whether anyone dialled in by phone.
    #[serde(default)]
    pub has_pstn: bool,
    /// Whether it was on VoIP.
    #[serde(default)]
    pub has_voip: bool,
    /// Whether it used third-party audio.
    #[serde(default)]
    pub has_3rd_party_audio: bool,
    /// Whether video was used.
    #[serde(default)]
    pub has_video: bool,
    /// Whether the screen was shared.
    #[serde(default)]
    pub has_screen_share: bool,
    /// Whether it was recorded.
    #[serde(default)]
    pub has_recording: bool,
    /// Whether a SIP phone joined.
    #[serde(default)]
    pub has_sip: bool,
    /// Whether it was archived.
    #[serde(default)]
    pub has_archiving: bool,
    /// The host's department.
    #[serde(default)]
    pub dept: String,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
    /// The whole entry as the API sent it (keys in order of name): what `fetch` writes
    /// as `meeting.json`, with no field added.
    #[serde(skip)]
    pub entry: serde_json::Value,
}

/// A list entry that names no instance this crate can fetch.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RefusedEntry {
    /// The entry as sent.
    pub entry: serde_json::Value,
    /// Why, in words.
    pub why: String,
}

/// The longest UUID taken: Zoom's are 24 characters; a longer one could not name a folder.
const UUID_MAX_BYTES: usize = 100;

impl ListedMeeting {
    /// Reads a list entry leniently: only what fetching needs is required (a `uuid` that
    /// is a usable string, an `id` that is a meeting number, as a number or digits); any
    /// other field of an unexpected type is left at its default (the entry itself is kept
    /// whole in [`entry`](Self::entry)).
    ///
    /// # Errors
    /// The entry, with why it names no instance.
    pub fn from_entry(entry: serde_json::Value) -> Result<ListedMeeting, RefusedEntry> {
        let refuse = |entry: serde_json::Value, why: &str| RefusedEntry {
            entry,
            why: why.to_owned(),
        };
        let Some(fields) = entry.as_object() else {
            return Err(refuse(entry, "not an object"));
        };
        let uuid = match fields.get("uuid").and_then(|u| u.as_str()) {
            Some(uuid) if uuid.is_empty() || uuid == "." || uuid == ".." => {
                return Err(refuse(entry, "its uuid is empty, \".\" or \"..\""));
            }
            Some(uuid) if uuid.len() > UUID_MAX_BYTES => {
                return Err(refuse(entry, "its uuid is longer than any Zoom sends"));
            }
            Some(uuid) => uuid.to_owned(),
            None => return Err(refuse(entry, "no uuid (a string)")),
        };
        let id = match fields.get("id") {
            None => 0,
            Some(id) => match id
                .as_u64()
                .or_else(|| id.as_str()?.parse().ok())
                // A whole number written as a float (`1e3`), within a double's integers.
                .or_else(|| {
                    let x = id.as_f64()?;
                    (x.fract() == 0.0 && (0.0..9.0e15).contains(&x)).then_some(x as u64)
                }) {
                Some(id) => id,
                None => return Err(refuse(entry, "its id is not a meeting number")),
            },
        };
        let text = |key: &str| {
            fields
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let flag = |key: &str| fields.get(key).and_then(|v| v.as_bool()).unwrap_or(false);
        const KNOWN: [&str; 19] = [
            "uuid",
            "id",
            "topic",
            "host",
            "email",
            "user_type",
            "start_time",
            "end_time",
            "duration",
            "participants",
            "has_pstn",
            "has_voip",
            "has_3rd_party_audio",
            "has_video",
            "has_screen_share",
            "has_recording",
            "has_sip",
            "has_archiving",
            "dept",
        ];
        let other = fields
            .iter()
            .filter(|(key, _)| !KNOWN.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        Ok(ListedMeeting {
            uuid,
            id,
            topic: text("topic"),
            host: text("host"),
            email: text("email"),
            user_type: text("user_type"),
            start_time: text("start_time"),
            end_time: text("end_time"),
            duration: text("duration"),
            participants: fields
                .get("participants")
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            has_pstn: flag("has_pstn"),
            has_voip: flag("has_voip"),
            has_3rd_party_audio: flag("has_3rd_party_audio"),
            has_video: flag("has_video"),
            has_screen_share: flag("has_screen_share"),
            has_recording: flag("has_recording"),
            has_sip: flag("has_sip"),
            has_archiving: flag("has_archiving"),
            dept: text("dept"),
            other,
            entry,
        })
    }

    /// Reads a Video SDK session's list entry (or description): its `id` (a UUID-like
    /// string) is what its QoS is fetched by, its `session_name` its topic, its
    /// `user_count` its participants. [`entry`](Self::entry) stays the entry as sent.
    ///
    /// # Errors
    /// The entry, with why it names no session.
    pub fn from_session_entry(entry: serde_json::Value) -> Result<ListedMeeting, RefusedEntry> {
        let Some(fields) = entry.as_object() else {
            return Err(RefusedEntry {
                entry,
                why: "not an object".to_owned(),
            });
        };
        let mut renamed = serde_json::Map::new();
        for (key, value) in fields {
            let key = match key.as_str() {
                "id" => "uuid",
                "session_name" => "topic",
                "user_count" => "participants",
                // A session has no meeting number: its `uuid` is its `id`.
                "uuid" => continue,
                other => other,
            };
            renamed.insert(key.to_owned(), value.clone());
        }
        match ListedMeeting::from_entry(serde_json::Value::Object(renamed)) {
            Ok(mut session) => {
                session.other.remove("uuid");
                session.entry = entry;
                Ok(session)
            }
            Err(refused) => Err(RefusedEntry {
                why: refused.why.replace("uuid", "id"),
                entry,
            }),
        }
    }

    /// Reads a list entry of `kind`: [`from_session_entry`](Self::from_session_entry) for
    /// a session, else [`from_entry`](Self::from_entry).
    ///
    /// # Errors
    /// As they do.
    pub fn of_kind(kind: Kind, entry: serde_json::Value) -> Result<ListedMeeting, RefusedEntry> {
        match kind {
            Kind::Session => ListedMeeting::from_session_entry(entry),
            Kind::Meeting | Kind::Webinar => ListedMeeting::from_entry(entry),
        }
    }

    /// The `duration` in seconds, `None` when it is not `M:SS` or `H:MM:SS`.
    pub fn duration_s(&self) -> Option<u64> {
        let parts: Vec<u64> = self
            .duration
            .split(':')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        match parts[..] {
            [minutes, seconds] if seconds < 60 => Some(minutes * 60 + seconds),
            [hours, minutes, seconds] if minutes < 60 && seconds < 60 => {
                Some(hours * 3600 + minutes * 60 + seconds)
            }
            _ => None,
        }
    }
}

/// The listing of one range: its windows one after the other, each paginated, every
/// instance kept once. Drive it like [`Pages`]: request [`next_url`](Self::next_url), feed
/// each answer to [`on_response`](Self::on_response), keep the instances it returns.
#[derive(Clone, Debug)]
pub struct Listing {
    api_base: String,
    kind: Kind,
    qos_type: QosType,
    page_size: u16,
    can_reauthenticate: bool,
    policy: RetryPolicy,
    /// The windows not started yet, the next one last.
    windows: Vec<(Day, Day)>,
    current: Option<Pages>,
    seen: HashSet<String>,
    /// Instances listed again in a later window (or page), not returned twice.
    pub repeated: u64,
    /// Entries that name no instance this crate can fetch (no UUID, an id that is not a
    /// meeting number), each with why: the others are listed all the same.
    pub refused: Vec<RefusedEntry>,
}

impl Listing {
    /// The listing of `kind` instances of `qos_type` in `windows` (from
    /// [`month_windows`]), `page_size` entries a page (1 to [`MAX_LIST_PAGE_SIZE`]).
    ///
    /// # Errors
    /// A [`Config`](crate::ErrorKind::Config) error for a page size out of range.
    pub fn new(
        api_base: &str,
        kind: Kind,
        qos_type: QosType,
        windows: Vec<(Day, Day)>,
        page_size: u16,
        can_reauthenticate: bool,
        policy: RetryPolicy,
    ) -> Result<Self, Error> {
        if !(1..=MAX_LIST_PAGE_SIZE).contains(&page_size) {
            return Err(Error::config(format!(
                "the list page_size must be 1 to {MAX_LIST_PAGE_SIZE}, found {page_size}"
            )));
        }
        let mut windows = windows;
        windows.reverse();
        let mut listing = Listing {
            api_base: api_base.trim_end_matches('/').to_owned(),
            kind,
            qos_type,
            page_size,
            can_reauthenticate,
            policy,
            windows,
            current: None,
            seen: HashSet::new(),
            repeated: 0,
            refused: Vec::new(),
        };
        listing.current = listing.next_window();
        Ok(listing)
    }

    /// The live instances (`type=live`, no dates): one window without `from` and `to`.
    pub fn live(
        api_base: &str,
        kind: Kind,
        page_size: u16,
        can_reauthenticate: bool,
        policy: RetryPolicy,
    ) -> Result<Self, Error> {
        let mut listing = Listing::new(
            api_base,
            kind,
            QosType::Live,
            Vec::new(),
            page_size,
            can_reauthenticate,
            policy,
        )?;
        listing.current = Some(Pages::with_query(
            listing.path(),
            format!("type=live&page_size={page_size}"),
            true,
            can_reauthenticate,
            policy,
            Expect::Listing,
        ));
        Ok(listing)
    }

    fn path(&self) -> String {
        format!("{}{}", self.api_base, self.kind.base_path())
    }

    fn next_window(&mut self) -> Option<Pages> {
        let (from, to) = self.windows.pop()?;
        Some(Pages::with_query(
            self.path(),
            format!(
                "type={}&from={from}&to={to}&page_size={}",
                self.qos_type.as_str(),
                self.page_size
            ),
            true,
            self.can_reauthenticate,
            self.policy,
            Expect::Listing,
        ))
    }

    /// The URL to `GET` next, or `None` when every window is listed.
    pub fn next_url(&mut self) -> Option<String> {
        loop {
            if let Some(url) = self.current.as_ref()?.next_url() {
                return Some(url);
            }
            self.current = self.next_window();
        }
    }

    /// Reads a request of [`next_url`](Self::next_url) that got no whole answer, as
    /// [`Pages::on_transport_error`].
    ///
    /// # Errors
    /// `error`, once the attempts are spent.
    pub fn on_transport_error(&mut self, error: Error) -> Result<super::Step, Error> {
        match self.current.as_mut() {
            Some(pages) => pages.on_transport_error(error),
            None => Err(error),
        }
    }

    /// Reads the answer to the request of [`next_url`](Self::next_url): what to do next
    /// (as [`Pages::on_response`] says), and the instances it lists that were not listed
    /// before (none for a retry or a renewal).
    ///
    /// # Errors
    /// As [`Pages::on_response`], and a list page that is not the list endpoints' JSON.
    pub fn on_response(
        &mut self,
        response: &super::HttpResponse<'_>,
    ) -> Result<(super::Step, Vec<ListedMeeting>), Error> {
        let Some(pages) = self.current.as_mut() else {
            return Err(ErrorKind::Pagination {
                message: "an answer after the listing ended".to_owned(),
            }
            .into());
        };
        let step = pages.on_response(response)?;
        if !matches!(step, super::Step::Page { .. }) {
            return Ok((step, Vec::new()));
        }
        #[derive(Deserialize)]
        struct ListPage {
            #[serde(default, alias = "webinars", alias = "sessions")]
            meetings: Vec<serde_json::Value>,
        }
        let invalid = |e: serde_json::Error| Error::from_serde_json(response.body, &e);
        let page: ListPage = serde_json::from_slice(response.body).map_err(invalid)?;
        let mut fresh = Vec::with_capacity(page.meetings.len());
        for entry in page.meetings {
            // An odd entry fails alone: the others of the page are listed.
            let meeting = match ListedMeeting::of_kind(self.kind, entry) {
                Ok(meeting) => meeting,
                Err(refused) => {
                    self.refused.push(refused);
                    continue;
                }
            };
            if self.seen.insert(meeting.uuid.clone()) {
                fresh.push(meeting);
            } else {
                self.repeated += 1;
            }
        }
        Ok((step, fresh))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{HttpResponse, Step};

    fn day(text: &str) -> Day {
        Day::parse(text).expect("a date")
    }

    #[test]
    fn an_odd_list_entry_fails_alone() {
        let mut listing = Listing::new(
            "http://x",
            Kind::Meeting,
            QosType::Past,
            vec![(day("2026-11-01"), day("2026-11-01"))],
            300,
            false,
            RetryPolicy::default(),
        )
        .expect("a listing");
        let body = br#"{"meetings": [
            {"uuid": "a==", "id": "85746065432", "topic": null, "participants": -3},
            {"uuid": "b==", "id": 1e3},
            {"uuid": "c==", "id": -1},
            {"uuid": 12345, "id": 1},
            {"uuid": "..", "id": 2},
            {"id": 3},
            "not an object",
            {"uuid": "d==", "id": 4, "topic": "Standup", "extra": [1]}
        ], "next_page_token": ""}"#;
        let answer = HttpResponse {
            status: 200,
            retry_after: None,
            rate_limit_type: None,
            body,
        };
        let (step, listed) = listing.on_response(&answer).expect("the page");
        assert!(matches!(step, Step::Page { .. }));
        let got: Vec<(&str, u64, &str)> = listed
            .iter()
            .map(|m| (m.uuid.as_str(), m.id, m.topic.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a==", 85746065432, ""),
                ("b==", 1000, ""),
                ("d==", 4, "Standup")
            ]
        );
        assert_eq!(
            listed[2].other.get("extra"),
            Some(&serde_json::json!([1])),
            "unknown fields kept"
        );
        let why: Vec<&str> = listing.refused.iter().map(|r| r.why.as_str()).collect();
        assert_eq!(
            why,
            [
                "its id is not a meeting number",
                "no uuid (a string)",
                "its uuid is empty, \".\" or \"..\"",
                "no uuid (a string)",
                "not an object"
            ]
        );
    }

    #[test]
    fn dates_parse_print_and_refuse_what_is_not_a_day() {
        assert_eq!(day("2026-11-01").to_string(), "2026-11-01");
        assert_eq!(day("1970-01-02").days(), 1);
        assert_eq!(day("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "2026-13-01",
            "2026-02-29",
            "2026-11-1",
            "26-11-01",
            "2026/11/01",
            "",
        ] {
            assert!(Day::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(day("2026-08-31").months_before(6), day("2026-02-28"));
        assert_eq!(day("2026-11-26").months_before(6), day("2026-05-26"));
        assert_eq!(day("2026-03-15").months_before(6), day("2025-09-15"));
    }

    #[test]
    fn ranges_split_into_calendar_months_within_six_months() {
        let today = day("2026-11-26");
        assert_eq!(
            month_windows(day("2026-09-20"), day("2026-11-25"), today).expect("windows"),
            [
                (day("2026-09-20"), day("2026-09-30")),
                (day("2026-10-01"), day("2026-10-31")),
                (day("2026-11-01"), day("2026-11-25")),
            ]
        );
        assert_eq!(
            month_windows(day("2026-11-01"), day("2026-11-01"), today).expect("one day"),
            [(day("2026-11-01"), day("2026-11-01"))]
        );
        let old = month_windows(day("2026-05-25"), day("2026-06-01"), today).expect_err("old");
        assert!(
            old.to_string().contains("earliest day is 2026-05-26"),
            "{old}"
        );
        assert!(month_windows(day("2026-05-26"), day("2026-06-01"), today).is_ok());
        assert!(month_windows(day("2026-11-02"), day("2026-11-01"), today).is_err());
        assert!(month_windows(day("2026-11-02"), day("2026-11-27"), today).is_err());
    }

    #[test]
    fn durations_read_as_seconds() {
        let with = |duration: &str| ListedMeeting {
            duration: duration.into(),
            ..ListedMeeting::default()
        };
        assert_eq!(with("48:02").duration_s(), Some(2882));
        assert_eq!(with("1:02:30").duration_s(), Some(3750));
        assert_eq!(with("1:62:30").duration_s(), None);
        assert_eq!(with("").duration_s(), None);
    }

    #[test]
    fn windows_are_listed_in_turn_and_an_instance_is_kept_once() {
        let windows = vec![
            (day("2026-10-30"), day("2026-10-31")),
            (day("2026-11-01"), day("2026-11-02")),
        ];
        let mut listing = Listing::new(
            "http://x/v2/",
            Kind::Meeting,
            QosType::Past,
            windows,
            300,
            false,
            RetryPolicy::default(),
        )
        .expect("a listing");
        fn answer(listing: &mut Listing, body: &str) -> (Step, Vec<ListedMeeting>) {
            let response = HttpResponse {
                status: 200,
                retry_after: None,
                rate_limit_type: None,
                body: body.as_bytes(),
            };
            listing.on_response(&response).expect("a list page")
        }
        assert_eq!(
            listing.next_url().as_deref(),
            Some(
                "http://x/v2/metrics/meetings?type=past&from=2026-10-30&to=2026-10-31&page_size=300"
            )
        );
        let (_, first) = answer(
            &mut listing,
            r#"{"next_page_token":"t1","meetings":[{"uuid":"a==","id":1,"topic":"A","duration":"48:02","x_new":7}]}"#,
        );
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].other.get("x_new"), Some(&serde_json::json!(7)));
        assert_eq!(
            listing.next_url().as_deref(),
            Some(
                "http://x/v2/metrics/meetings?type=past&from=2026-10-30&to=2026-10-31&page_size=300&next_page_token=t1"
            )
        );
        let (_, second) = answer(
            &mut listing,
            r#"{"next_page_token":"","meetings":[{"uuid":"b","id":2}]}"#,
        );
        assert_eq!(second[0].uuid, "b");
        assert_eq!(
            listing.next_url().as_deref(),
            Some(
                "http://x/v2/metrics/meetings?type=past&from=2026-11-01&to=2026-11-02&page_size=300"
            )
        );
        // "b" ran across midnight at the month's end: listed again, kept once.
        let (_, third) = answer(
            &mut listing,
            r#"{"meetings":[{"uuid":"b","id":2},{"uuid":"B","id":2}]}"#,
        );
        assert_eq!(
            third.iter().map(|m| m.uuid.as_str()).collect::<Vec<_>>(),
            ["B"]
        );
        assert_eq!(listing.repeated, 1);
        assert_eq!(listing.next_url(), None);
        // The entry as sent, the unknown field with it, and nothing added.
        assert_eq!(
            first[0].entry,
            serde_json::json!({"uuid":"a==","id":1,"topic":"A","duration":"48:02","x_new":7})
        );
    }
}
