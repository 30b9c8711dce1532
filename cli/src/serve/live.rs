//! The live tables: per live meeting, its participant entries and their samples of the
//! window, and the report `/metrics` serves over them.
//!
//! Samples are kept as the REST API's `user_qos` items (a few hundred bytes each), and a
//! scrape decodes the window's items with the library's one decoder and analyzes them
//! with its one analysis: the numbers served are the numbers `analyze` gives for the same
//! samples, exactly. The account's are computed the same way over every live meeting's
//! window at once (exact, where a report's account rollup uses histograms).

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::{Map, Value};
use zoom_qos::aggregate::AccountRollup;
use zoom_qos::report::MeetingError;
use zoom_qos::{Analysis, DecodeConfig, Decoder, Report, Table};

use super::event::{MeetingEvent, News};
use super::journal::Position;

/// A meeting being received.
#[derive(Debug, Default)]
pub struct LiveMeeting {
    /// What the events said of the instance (`id`, `topic`, ...), merged.
    pub description: Map<String, Value>,
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
    /// Where each of its events is in the journal, in order: its folder is written from
    /// them when it closes.
    pub records: Vec<Position>,
    /// Its first event's sequence number since it opened: the name of the pages its close
    /// writes, so that a close replayed after a crash writes the same files.
    pub first_sequence: u64,
    /// When its last event arrived (ms since the epoch).
    pub last_received_ms: i64,
    /// Whether a `*.ended` event came.
    pub ended: bool,
}

/// A participant entry: its fields, and its samples of the window.
#[derive(Debug, Default)]
struct Entry {
    fields: Map<String, Value>,
    /// (the sample's time in seconds, or the time it arrived when it has none; the
    /// `user_qos` item)
    samples: VecDeque<(i64, Box<str>)>,
    /// The XXH3-64 of every sample item it was given, the window's and older.
    seen: HashSet<u64>,
}

/// Applies an event's news to a meeting: participant fields merged (a later value wins),
/// samples added, each once: a sample already there (the same `user_qos` item of the same
/// entry, as a page polled again or an event delivered twice carries) is not added again.
pub fn apply(meeting: &mut LiveMeeting, event: MeetingEvent, received_ms: i64) {
    for (key, value) in event.description {
        meeting.description.insert(key, value);
    }
    meeting.last_received_ms = meeting.last_received_ms.max(received_ms);
    match event.news {
        News::Ended => meeting.ended = true,
        News::Participant { entry, fields } => meeting.add(entry, fields, Vec::new(), received_ms),
        News::Samples {
            entry,
            fields,
            samples,
        } => meeting.add(entry, fields, samples, received_ms),
        News::Page(entries) => {
            for (entry, fields, samples) in entries {
                meeting.add(entry, fields, samples, received_ms);
            }
        }
    }
}

impl LiveMeeting {
    fn add(
        &mut self,
        entry: String,
        fields: Map<String, Value>,
        samples: Vec<(Option<i64>, String)>,
        received_ms: i64,
    ) {
        let index = *self.index.entry(entry).or_insert_with(|| {
            self.entries.push(Entry::default());
            self.entries.len() - 1
        });
        let entry = &mut self.entries[index];
        for (key, value) in fields {
            entry.fields.insert(key, value);
        }
        let received_s = received_ms.div_euclid(1000);
        for (time, item) in samples {
            if entry
                .seen
                .insert(twox_hash::XxHash3_64::oneshot(item.as_bytes()))
            {
                entry
                    .samples
                    .push_back((time.unwrap_or(received_s), item.into_boxed_str()));
            }
        }
    }
}

impl LiveMeeting {
    /// Drops the samples older than `since_s`.
    pub fn forget_before(&mut self, since_s: i64) {
        for entry in &mut self.entries {
            entry.samples.retain(|(time, _)| *time >= since_s);
        }
    }

    /// Participant entries.
    pub fn participants(&self) -> usize {
        self.entries.len()
    }

    /// Samples held.
    pub fn samples(&self) -> usize {
        self.entries.iter().map(|e| e.samples.len()).sum()
    }

    /// The meeting's samples since `since_s` as pages of at most `per_page` entries, in
    /// the REST API's layout (entries without a sample there are left out).
    pub fn pages(&self, since_s: i64, per_page: usize) -> Vec<Vec<u8>> {
        let mut pages = Vec::new();
        let mut page = Vec::new();
        let mut count = 0;
        for entry in &self.entries {
            let mut items = entry
                .samples
                .iter()
                .filter(|(t, _)| *t >= since_s)
                .peekable();
            if items.peek().is_none() {
                continue;
            }
            if count == 0 {
                page.extend_from_slice(b"{\"participants\":[");
            } else {
                page.push(b',');
            }
            write_entry(&mut page, &entry.fields, items.map(|(_, item)| &**item));
            count += 1;
            if count == per_page {
                page.extend_from_slice(b"]}");
                pages.push(std::mem::take(&mut page));
                count = 0;
            }
        }
        if count > 0 {
            page.extend_from_slice(b"]}");
            pages.push(page);
        }
        pages
    }

    /// The label `analyze` shows for the meeting: its topic and start, when known.
    pub fn label(&self) -> Option<String> {
        let text = |key: &str| self.description.get(key).and_then(Value::as_str);
        let topic = text("topic").or_else(|| text("session_name"))?;
        Some(match text("start_time") {
            Some(start) => format!("{topic} ({start})"),
            None => topic.to_owned(),
        })
    }
}

/// One participant entry: its fields and `user_qos`.
fn write_entry<'i>(
    out: &mut Vec<u8>,
    fields: &Map<String, Value>,
    items: impl Iterator<Item = &'i str>,
) {
    out.push(b'{');
    for (key, value) in fields {
        if key == "user_qos" {
            continue;
        }
        // Serialising a map's key and value cannot fail.
        let _ = serde_json::to_writer(&mut *out, key);
        out.push(b':');
        let _ = serde_json::to_writer(&mut *out, value);
        out.push(b',');
    }
    out.extend_from_slice(b"\"user_qos\":[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item.as_bytes());
    }
    out.extend_from_slice(b"]}");
}

/// Digests seen recently, each remembered for `keep_ms` after it came: bodies (so that
/// a redelivered event is stored and counted once) and signatures (so that a replayed
/// request is refused).
#[derive(Debug)]
pub struct Seen {
    keep_ms: i64,
    /// Each digest and when it was remembered.
    digests: HashMap<u128, i64>,
    order: VecDeque<(i64, u128)>,
}

impl Seen {
    /// How long a body is remembered: Zoom redelivers within minutes, and late deliveries
    /// of hours are reported; an hour of digests is 32 bytes an event.
    pub const BODIES_MS: i64 = 3_600_000;

    /// Nothing seen yet; what comes is remembered for `keep_ms`.
    pub fn new(keep_ms: i64) -> Seen {
        Seen {
            keep_ms,
            digests: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Whether `digest` is new at `now_ms`; remembers it if so.
    pub fn first_time(&mut self, digest: u128, now_ms: i64) -> bool {
        while let Some(&(at, old)) = self.order.front() {
            if at >= now_ms - self.keep_ms {
                break;
            }
            self.order.pop_front();
            // Unless it was forgotten and remembered again since.
            if self.digests.get(&old) == Some(&at) {
                self.digests.remove(&old);
            }
        }
        if self.digests.contains_key(&digest) {
            return false;
        }
        self.digests.insert(digest, now_ms);
        self.order.push_back((now_ms, digest));
        true
    }

    /// Forgets `digest`: its event was not stored after all.
    pub fn forget(&mut self, digest: u128) {
        self.digests.remove(&digest);
    }
}

/// The digest bodies are told apart by.
pub fn digest(body: &[u8]) -> u128 {
    twox_hash::XxHash3_128::oneshot(body)
}

/// What a scrape reports: the live meetings' window, each as `analyze` would report it,
/// the worst `top` of them, and the account over all of them.
pub fn window_report(
    meetings: impl IntoIterator<Item = (String, Vec<Vec<u8>>, Option<String>)>,
    analysis: &Analysis,
    top: usize,
) -> Report {
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    let mut rollup = AccountRollup::new();
    let mut everything = Table::new();
    let mut decoder = Decoder::new(DecodeConfig::new());
    let mut table = Table::new();
    for (uuid, pages, label) in meetings {
        table.clear();
        let mut failed = None;
        for mut page in pages {
            let mut copy = page.clone();
            if let Err(error) = decoder.decode(&mut page, &mut table) {
                failed = Some(error.to_string());
                break;
            }
            // The account's table reads the same pages; an error there was seen above.
            let _ = decoder.decode(&mut copy, &mut everything);
        }
        if let Some(message) = failed {
            errors.push(MeetingError::new(uuid, None, None, message));
            continue;
        }
        let mut report = analysis.meeting_into(&uuid, &table, &mut rollup);
        report.uuid = Some(uuid);
        report.label = label;
        reports.push(report);
    }
    let exact = analysis.meeting("account", &everything);
    let mut account = rollup.finish();
    account.streams = exact.streams;
    account.breakdowns = exact.breakdowns;
    reports.sort_by(|a, b| a.meeting.cmp(&b.meeting));
    let mut report = Report::new(reports, errors);
    report.keep_worst_meetings(top);
    report.account = Some(account);
    report
}
