//! A webhook body, read: which meeting, which participant, and its samples as the REST
//! API's `user_qos` items, so that the one decoder of the library reads live data as it
//! reads pages.
//!
//! A per-minute event carries `qos: [{date_time, type, details}]`, one entry per stream
//! `type` (`audio_input`, ..., `as_output_rwg`, `cpu_usage`); the entries of one
//! `date_time` become one sample `{date_time, <type>: details, ...}`. Zoom's `quality`,
//! `quality_score` and RSSI numbers, which the webhook puts in a stream's `details`,
//! become the sample's own `quality`, `quality_score` and `wifi_rssi` (from the first
//! stream that has them, audio first), as the REST API spells them.

use serde::Deserialize;
use serde_json::{Map, Value};

/// The webhook events `serve` reads; any other event is answered 200 and ignored.
pub const QOS_EVENTS: [&str; 3] = [
    "meeting.participant_qos",
    "webinar.participant_qos",
    "session.user_qos",
];
/// Events carrying a participant's device, network and addresses, no metrics.
pub const DATA_EVENTS: [&str; 2] = ["meeting.participant_data", "webinar.participant_data"];
/// Events that close a meeting's folder.
pub const END_EVENTS: [&str; 3] = ["meeting.ended", "webinar.ended", "session.ended"];
/// Zoom's check of the endpoint.
pub const URL_VALIDATION: &str = "endpoint.url_validation";
/// The journal's name for a page `serve --poll` fetched (never taken from a webhook:
/// [`parse`] ignores it, [`parse_record`] reads it).
pub const POLLED: &str = "zoom_qos.polled_qos";

/// A body as `serve` uses it.
#[derive(Debug, PartialEq)]
pub enum Event {
    /// `endpoint.url_validation`, with its `plainToken`.
    UrlValidation(String),
    /// Samples, participant details or an end: a meeting's.
    Meeting(MeetingEvent),
    /// An event `serve` does not read (named): answered 200 so that Zoom does not
    /// redeliver it, and not kept.
    Ignored(String),
}

/// What an event says of one meeting.
#[derive(Debug, PartialEq)]
pub struct MeetingEvent {
    /// The instance's UUID (a Video SDK session's `session_id`): the meeting's identity.
    pub uuid: String,
    /// What the event tells of the instance (`id`, `topic`, `start_time`, `end_time`, ...):
    /// kept for its `meeting.json`.
    pub description: Map<String, Value>,
    /// Its news.
    pub news: News,
    /// The event's `event_ts` (ms since the epoch), 0 when absent.
    pub event_ms: i64,
}

/// A meeting event's news.
#[derive(Debug, PartialEq)]
pub enum News {
    /// One participant's samples.
    Samples {
        /// The participant entry's key ([`entry_key`]).
        entry: String,
        /// The participant's fields but `qos`, as a page's entry carries them.
        fields: Map<String, Value>,
        /// `user_qos` items: (time in seconds since the epoch when readable, the item).
        samples: Vec<(Option<i64>, String)>,
    },
    /// A page of the REST API, polled: its participant entries.
    Page(Vec<PageEntry>),
    /// A participant's details (device, network, addresses): fields of its entry.
    Participant {
        /// The entry's key.
        entry: String,
        /// The fields.
        fields: Map<String, Value>,
    },
    /// The meeting ended.
    Ended,
}

/// A participant entry of a polled page: its key, its fields but `user_qos`, its samples
/// (time in seconds when readable, the `user_qos` item).
pub type PageEntry = (String, Map<String, Value>, Vec<(Option<i64>, String)>);

/// Why a body is not an event (answered 400: it cannot be retried into sense).
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed(pub String);

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    event: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    event_ts: Option<Value>,
    #[serde(default)]
    payload: Option<Payload>,
}

#[derive(Deserialize)]
struct Payload {
    #[serde(default, rename = "plainToken")]
    plain_token: Option<String>,
    #[serde(default)]
    object: Option<Map<String, Value>>,
    /// A polled page (journal records only).
    #[serde(default)]
    page: Option<Value>,
}

/// The keys of a stream's `details` that are the sample's own in the REST API.
#[derive(Deserialize, Default)]
struct SampleKeys {
    #[serde(default)]
    quality: Option<Value>,
    #[serde(default)]
    quality_score: Option<Value>,
    #[serde(default)]
    min_rssi: Option<Value>,
    #[serde(default)]
    avg_rssi: Option<Value>,
    #[serde(default)]
    max_rssi: Option<Value>,
    #[serde(default)]
    rssi_unit: Option<Value>,
}

/// Reads a webhook body.
///
/// # Errors
/// Not JSON, not an object with an `event` name, or a meeting event without the parts
/// it needs (a UUID; a participant with `qos` for a QoS event).
pub fn parse(body: &[u8]) -> Result<Event, Malformed> {
    read(body, false)
}

/// Reads a journal record: a webhook body, or a page `serve --poll` fetched.
///
/// # Errors
/// As [`parse`]'s.
pub fn parse_record(body: &[u8]) -> Result<Event, Malformed> {
    read(body, true)
}

fn read(body: &[u8], polled_too: bool) -> Result<Event, Malformed> {
    let envelope: Envelope<'_> =
        serde_json::from_slice(body).map_err(|e| Malformed(format!("not a webhook event: {e}")))?;
    let name = envelope
        .event
        .ok_or_else(|| Malformed("no \"event\" name".to_owned()))?;
    let payload = envelope.payload;
    if name == URL_VALIDATION {
        return payload
            .and_then(|p| p.plain_token)
            .map(Event::UrlValidation)
            .ok_or_else(|| Malformed("a URL validation without payload.plainToken".to_owned()));
    }
    let qos = QOS_EVENTS.contains(&name.as_ref());
    let data = DATA_EVENTS.contains(&name.as_ref());
    let ended = END_EVENTS.contains(&name.as_ref());
    let polled = polled_too && name == POLLED;
    if !(qos || data || ended || polled) {
        return Ok(Event::Ignored(name.into_owned()));
    }
    let (object, page) = match payload {
        Some(payload) => (payload.object, payload.page),
        None => (None, None),
    };
    let mut object = object.ok_or_else(|| Malformed(format!("{name} without payload.object")))?;
    let uuid = ["uuid", "session_id"]
        .iter()
        .find_map(|key| object.get(*key).and_then(Value::as_str))
        .filter(|uuid| !uuid.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Malformed(format!("{name} without payload.object.uuid")))?;
    let person = object
        .remove("participant")
        .or_else(|| object.remove("user"));
    let news = if ended {
        News::Ended
    } else if polled {
        News::Page(page_entries(page)?)
    } else {
        let Some(Value::Object(mut fields)) = person else {
            return Err(Malformed(format!("{name} without a participant object")));
        };
        let entry = entry_key(&fields);
        if qos {
            let samples = match fields.remove("qos") {
                Some(qos) => samples(qos)?,
                None => return Err(Malformed(format!("{name} without participant.qos"))),
            };
            News::Samples {
                entry,
                fields,
                samples,
            }
        } else {
            News::Participant { entry, fields }
        }
    };
    let event_ms = match envelope.event_ts {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    };
    Ok(Event::Meeting(MeetingEvent {
        uuid,
        description: object,
        news,
        event_ms,
    }))
}

/// A polled page's participant entries (a Video SDK page's `users`).
fn page_entries(page: Option<Value>) -> Result<Vec<PageEntry>, Malformed> {
    let Some(Value::Object(mut page)) = page else {
        return Err(Malformed("a polled record without its page".to_owned()));
    };
    let people = match page.remove("participants").or_else(|| page.remove("users")) {
        Some(Value::Array(people)) => people,
        _ => return Err(Malformed("a polled page without participants".to_owned())),
    };
    let mut entries = Vec::with_capacity(people.len());
    for person in people {
        let Value::Object(mut fields) = person else {
            continue;
        };
        let items = match fields.remove("user_qos") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        let samples = items
            .into_iter()
            .map(|item| {
                let time = item
                    .get("date_time")
                    .and_then(Value::as_str)
                    .and_then(|t| zoom_qos::units::timestamp_s(t.as_bytes()).ok().flatten());
                (time, item.to_string())
            })
            .collect();
        entries.push((entry_key(&fields), fields, samples));
    }
    Ok(entries)
}

/// A participant entry's key: its `participant_uuid` (one per join), else its
/// `user_id` (a Video SDK user's `id`), else its `participant_user_id`, else its name.
pub fn entry_key(fields: &Map<String, Value>) -> String {
    [
        "participant_uuid",
        "user_id",
        "id",
        "participant_user_id",
        "user_key",
        "user_name",
        "name",
    ]
    .iter()
    .find_map(|key| match fields.get(*key) {
        Some(Value::String(s)) if !s.is_empty() => Some(format!("{key}:{s}")),
        Some(Value::Number(n)) => Some(format!("{key}:{n}")),
        _ => None,
    })
    .unwrap_or_default()
}

/// The `qos` list as `user_qos` items, one per `date_time`, in the order first seen. Each
/// item is written as serde_json writes a value (keys in order, no spaces): the same
/// sample always has the same bytes, also when read back from a page, so that it is
/// kept once.
fn samples(qos: Value) -> Result<Vec<(Option<i64>, String)>, Malformed> {
    let Value::Array(entries) = qos else {
        return Err(Malformed("participant.qos is not a list".to_owned()));
    };
    // (date_time, the item being built, the sample's own keys)
    let mut by_time: Vec<(String, Map<String, Value>, SampleKeys)> = Vec::new();
    for entry in entries {
        let Value::Object(mut entry) = entry else {
            continue;
        };
        let (Some(Value::String(kind)), Some(details)) =
            (entry.remove("type"), entry.remove("details"))
        else {
            continue;
        };
        let time = match entry.remove("date_time") {
            Some(Value::String(time)) => time,
            _ => String::new(),
        };
        let index = match by_time.iter().position(|(t, ..)| *t == time) {
            Some(index) => index,
            None => {
                by_time.push((time, Map::new(), SampleKeys::default()));
                by_time.len() - 1
            }
        };
        let (_, item, own) = &mut by_time[index];
        let keys = SampleKeys::deserialize(&details).unwrap_or_default();
        take_first(&mut own.quality, keys.quality);
        take_first(&mut own.quality_score, keys.quality_score);
        if own.min_rssi.is_none() && own.avg_rssi.is_none() && own.max_rssi.is_none() {
            own.min_rssi = keys.min_rssi;
            own.avg_rssi = keys.avg_rssi;
            own.max_rssi = keys.max_rssi;
            own.rssi_unit = keys.rssi_unit;
        }
        item.insert(kind, details);
    }
    Ok(by_time
        .into_iter()
        .map(|(time, mut item, own)| {
            let seconds = zoom_qos::units::timestamp_s(time.as_bytes()).ok().flatten();
            for (key, value) in [
                ("quality", own.quality),
                ("quality_score", own.quality_score),
            ] {
                if let Some(value) = value {
                    item.insert(key.to_owned(), value);
                }
            }
            let rssi: Map<String, Value> = [
                ("min_rssi", own.min_rssi),
                ("avg_rssi", own.avg_rssi),
                ("max_rssi", own.max_rssi),
                ("rssi_unit", own.rssi_unit),
            ]
            .into_iter()
            .filter_map(|(key, value)| value.map(|v| (key.to_owned(), v)))
            .collect();
            if !rssi.is_empty() {
                item.insert("wifi_rssi".to_owned(), Value::Object(rssi));
            }
            item.insert("date_time".to_owned(), Value::String(time));
            (seconds, Value::Object(item).to_string())
        })
        .collect())
}

/// Keeps the first value seen: audio comes first in Zoom's order.
fn take_first(slot: &mut Option<Value>, value: Option<Value>) {
    if slot.is_none() {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qos_event_becomes_user_qos_items() {
        let body = br#"{"event":"meeting.participant_qos","event_ts":1700000000123,
          "payload":{"account_id":"A","object":{"uuid":"u/1==","id":85,"topic":"Standup",
          "participant":{"user_id":"16778240","user_name":"Zo\u00eb","qos":[
            {"date_time":"2023-11-14T22:13:00Z","type":"audio_input","details":{"bitrate":"63 kbps","latency":"134 ms","quality":"good","quality_score":"3.65","avg_rssi":-61,"rssi_unit":"dBm"}},
            {"date_time":"2023-11-14T22:13:00Z","type":"video_input","details":{"bitrate":"","resolution":"640*360","quality":"poor"}}]}}}}"#;
        let Ok(Event::Meeting(event)) = parse(body) else {
            panic!("a meeting event");
        };
        assert_eq!(event.uuid, "u/1==");
        assert_eq!(event.event_ms, 1_700_000_000_123);
        assert_eq!(
            event.description.get("topic"),
            Some(&Value::from("Standup"))
        );
        let News::Samples {
            entry,
            fields,
            samples,
        } = event.news
        else {
            panic!("samples");
        };
        assert_eq!(entry, "user_id:16778240");
        assert_eq!(fields.get("user_name"), Some(&Value::from("Zoë")));
        assert!(!fields.contains_key("qos"));
        assert_eq!(samples.len(), 1);
        assert_eq!(samples[0].0, Some(1_699_999_980));
        // Reference: the REST API's sample layout, written out by hand.
        let item: Value = serde_json::from_str(&samples[0].1).expect("JSON");
        let expected: Value = serde_json::from_str(
            r#"{"date_time":"2023-11-14T22:13:00Z",
                "audio_input":{"bitrate":"63 kbps","latency":"134 ms","quality":"good","quality_score":"3.65","avg_rssi":-61,"rssi_unit":"dBm"},
                "video_input":{"bitrate":"","resolution":"640*360","quality":"poor"},
                "quality":"good","quality_score":"3.65",
                "wifi_rssi":{"avg_rssi":-61,"rssi_unit":"dBm"}}"#,
        )
        .expect("JSON");
        assert_eq!(item, expected);
    }

    #[test]
    fn other_bodies() {
        assert_eq!(
            parse(br#"{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680}"#),
            Ok(Event::UrlValidation("qgg8vlvZRS6UYooatFL8Aw".to_owned()))
        );
        assert_eq!(
            parse(br#"{"event":"meeting.started","payload":{}}"#),
            Ok(Event::Ignored("meeting.started".to_owned()))
        );
        let ended = parse(br#"{"event":"session.ended","payload":{"object":{"session_id":"s1","session_name":"n"}}}"#);
        assert!(matches!(
            ended,
            Ok(Event::Meeting(MeetingEvent {
                news: News::Ended,
                ..
            }))
        ));
        for bad in [
            &b"[1]"[..],
            b"{}",
            b"{\"event\":\"meeting.participant_qos\",\"payload\":{\"object\":{}}}",
            b"\xff",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
