//! The spool: the journal (durable), the live meetings read from it, and the meeting
//! folders written when they close.
//!
//! ```text
//! SPOOL/.zoom-qos.lock                one serve per spool
//! SPOOL/journal/SEQ.wal               every acknowledged event (see `journal`)
//! SPOOL/meetings/<id>-<uuid base32>/  a closed meeting, as fetch lays one out:
//!     meeting.json                    what the events said of it (uuid, id, topic, ...)
//!     page-SEQ-NNNN.json              its participants and samples, 100 entries a page
//! ```
//!
//! One thread, the writer, owns the journal: it takes the events the HTTP side hands it,
//! drops bodies it has seen ([`Seen`]), appends the rest in one write and one sync, adds
//! them to the live meetings, and only then answers. A meeting closes on its `*.ended`
//! event (before that event is answered) or after `close_after` without events: its
//! events are read back from the journal into its folder, through the atomic writer, and
//! journal segments no open meeting needs are removed. Started again after a crash, the
//! spool reads the journal back: every acknowledged event is live again or in a folder,
//! once.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use zoom_qos::report::escape_controls;

use super::event::{self, Event, MeetingEvent};
use super::journal::{Damage, Journal};
use super::live::{self, LiveMeeting, Seen};
use crate::atomic::{StagedFolder, WriteError};
use crate::names::base32;

/// Participant entries per page file of a closed meeting.
const ENTRIES_PER_PAGE: usize = 100;
/// Events committed in one write and sync at most.
const MOST_PER_BATCH: usize = 4096;

/// An event handed to the writer, and where its answer goes.
pub struct Incoming {
    /// The raw body, as signed.
    pub body: Vec<u8>,
    /// The body, read.
    pub event: MeetingEvent,
    /// The answer.
    pub reply: tokio::sync::oneshot::Sender<Stored>,
}

/// What became of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    /// In the journal, synced.
    New,
    /// Its body was stored before: nothing changed.
    Duplicate,
    /// The journal could not take it (why): answer so that Zoom delivers it again.
    Failed(String),
}

/// Counts the writer keeps, read by `/metrics`.
#[derive(Debug, Default)]
pub struct Counters {
    /// Events stored.
    pub stored: AtomicU64,
    /// Events whose body was already stored.
    pub duplicates: AtomicU64,
    /// Events the journal could not take.
    pub failed: AtomicU64,
    /// Journal syncs (group commits).
    pub syncs: AtomicU64,
    /// Meetings closed into folders.
    pub closed: AtomicU64,
    /// Folder writes that failed (retried at the next tick).
    pub close_failures: AtomicU64,
    /// Events read back from the journal at start.
    pub recovered: AtomicU64,
    /// Damaged journal records found at start.
    pub damaged: AtomicU64,
}

/// How the spool is run.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The live window.
    pub window_s: i64,
    /// Silence after which a meeting closes.
    pub close_after_ms: i64,
}

/// The live meetings, shared by the writer and `/metrics`.
pub type Meetings = Arc<Mutex<HashMap<String, LiveMeeting>>>;

/// Locks the live meetings (a panic elsewhere does not leave them unusable).
pub fn lock(meetings: &Meetings) -> MutexGuard<'_, HashMap<String, LiveMeeting>> {
    meetings
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The writer's side of the spool.
pub struct Spool {
    root: PathBuf,
    journal: Journal,
    seen: Seen,
    meetings: Meetings,
    /// Meetings whose folder could not be written: kept, with their journal segments,
    /// and tried again.
    unwritten: Vec<(String, LiveMeeting)>,
    settings: Settings,
    counters: Arc<Counters>,
}

impl Spool {
    /// Opens the spool in `root` (the caller holds its lock) and reads its journal back.
    ///
    /// # Errors
    /// The journal cannot be opened or read (damage inside it is returned, not an error).
    pub fn open(
        root: &Path,
        settings: Settings,
        counters: Arc<Counters>,
    ) -> std::io::Result<(Spool, Vec<Damage>)> {
        let mut seen = Seen::new(Seen::BODIES_MS);
        let mut meetings = HashMap::new();
        let mut unreadable = Vec::new();
        let (journal, mut damage) = Journal::open(&root.join("journal"), |record| {
            match event::parse_record(&record.body) {
                Ok(Event::Meeting(event)) => {
                    if seen.first_time(live::digest(&record.body), record.received_ms) {
                        add(
                            &mut meetings,
                            event,
                            record.sequence,
                            record.position,
                            record.received_ms,
                        );
                        counters.recovered.fetch_add(1, Ordering::Relaxed);
                    }
                }
                // Only meeting events are journaled: anything else is damage.
                Ok(_) | Err(_) => unreadable.push(record.position),
            }
        })?;
        for position in unreadable {
            damage.push(Damage {
                file: root
                    .join("journal")
                    .join(format!("{:020}.wal", position.segment)),
                offset: position.offset,
                why: "a record that is not a meeting event".to_owned(),
            });
        }
        counters
            .damaged
            .store(damage.len() as u64, Ordering::Relaxed);
        let spool = Spool {
            root: root.to_owned(),
            journal,
            seen,
            meetings: Arc::new(Mutex::new(meetings)),
            unwritten: Vec::new(),
            settings,
            counters,
        };
        Ok((spool, damage))
    }

    /// The live meetings, for `/metrics`.
    pub fn meetings(&self) -> Meetings {
        Arc::clone(&self.meetings)
    }

    /// The writer: commits what arrives on `incoming` until every sender is gone, and
    /// closes meetings as they end or fall silent. `clock` gives ms since the epoch.
    pub fn run(mut self, incoming: &Receiver<Incoming>, clock: impl Fn() -> i64) {
        let tick = Duration::from_secs(1);
        let mut next_tick = clock();
        loop {
            let first = match incoming.recv_timeout(tick) {
                Ok(first) => Some(first),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut batch: Vec<Incoming> = first.into_iter().collect();
            while batch.len() < MOST_PER_BATCH {
                match incoming.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            let now = clock();
            if !batch.is_empty() {
                self.commit(batch, now);
            }
            if now >= next_tick {
                self.tick(now);
                next_tick = now + 1000;
            }
        }
    }

    /// Stores a batch: duplicates dropped, the rest in one write and one sync, added to
    /// the live meetings; ended meetings closed; then every event is answered.
    pub fn commit(&mut self, batch: Vec<Incoming>, now_ms: i64) {
        let mut fresh = Vec::with_capacity(batch.len());
        let mut repeated = Vec::new();
        for incoming in batch {
            let digest = live::digest(&incoming.body);
            if self.seen.first_time(digest, now_ms) {
                fresh.push((digest, incoming));
            } else {
                repeated.push(incoming);
            }
        }
        let appended = self
            .journal
            .append(fresh.iter().map(|(_, i)| (&i.body[..], now_ms)));
        let placed = match appended {
            Ok(placed) => placed,
            Err(error) => {
                let why = format!("the spool's journal cannot be written: {error}");
                for (digest, incoming) in fresh {
                    // Not stored: a redelivery must not be taken for a duplicate.
                    self.seen.forget(digest);
                    let _ = incoming.reply.send(Stored::Failed(why.clone()));
                }
                for incoming in repeated {
                    let _ = incoming.reply.send(Stored::Failed(why.clone()));
                }
                self.counters.failed.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        self.counters.syncs.fetch_add(1, Ordering::Relaxed);
        let mut replies = Vec::with_capacity(fresh.len());
        let mut ended = Vec::new();
        {
            let mut meetings = lock(&self.meetings);
            for ((_, incoming), (sequence, position)) in fresh.into_iter().zip(placed) {
                let uuid = incoming.event.uuid.clone();
                let meeting = add(&mut meetings, incoming.event, sequence, position, now_ms);
                if meeting.ended {
                    ended.push(uuid);
                }
                replies.push(incoming.reply);
            }
        }
        self.counters
            .stored
            .fetch_add(replies.len() as u64, Ordering::Relaxed);
        if !ended.is_empty() {
            self.close(ended);
        }
        for reply in replies {
            let _ = reply.send(Stored::New);
        }
        self.counters
            .duplicates
            .fetch_add(repeated.len() as u64, Ordering::Relaxed);
        for incoming in repeated {
            let _ = incoming.reply.send(Stored::Duplicate);
        }
    }

    /// Closes the meetings that ended or fell silent, drops samples older than the
    /// window, and removes journal segments no open meeting needs.
    pub fn tick(&mut self, now_ms: i64) {
        let since_s = now_ms.div_euclid(1000) - self.settings.window_s;
        let closing: Vec<String> = {
            let mut meetings = lock(&self.meetings);
            for meeting in meetings.values_mut() {
                meeting.forget_before(since_s);
            }
            meetings
                .iter()
                .filter(|(_, m)| {
                    m.ended || m.last_received_ms < now_ms - self.settings.close_after_ms
                })
                .map(|(uuid, _)| uuid.clone())
                .collect()
        };
        if !closing.is_empty() || !self.unwritten.is_empty() {
            self.close(closing);
        }
    }

    /// Writes the folders of `uuids` (and of meetings whose folder failed before), then
    /// removes the journal segments no open meeting needs.
    fn close(&mut self, uuids: Vec<String>) {
        let mut closing = std::mem::take(&mut self.unwritten);
        {
            let mut meetings = lock(&self.meetings);
            closing.extend(
                uuids
                    .into_iter()
                    .filter_map(|u| meetings.remove(&u).map(|m| (u, m))),
            );
        }
        for (uuid, meeting) in closing {
            match self.write_folder(&uuid, &meeting) {
                Ok(_) => {
                    self.counters.closed.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => {
                    eprintln!(
                        "{}",
                        escape_controls(&format!(
                            "zoom-qos serve: meeting {uuid}: its folder cannot be written, kept in the journal and tried again: {error}"
                        ))
                    );
                    self.counters.close_failures.fetch_add(1, Ordering::Relaxed);
                    self.unwritten.push((uuid, meeting));
                }
            }
        }
        let needed: HashSet<u64> = {
            let meetings = lock(&self.meetings);
            meetings
                .values()
                .chain(self.unwritten.iter().map(|(_, m)| m))
                .flat_map(|m| m.records.iter().map(|p| p.segment))
                .collect()
        };
        if let Err(error) = self.journal.retire(|segment| needed.contains(&segment)) {
            eprintln!(
                "{}",
                escape_controls(&format!(
                    "zoom-qos serve: journal segments cannot be removed (kept): {error}"
                ))
            );
        }
    }

    /// Reads a meeting's events back from the journal and writes its folder, whole, as
    /// one atomic folder. When an earlier close wrote it (a late event opened the meeting
    /// again), what its pages hold comes first and the folder is replaced: each
    /// participant entry stays one entry, each sample is there once.
    fn write_folder(&self, uuid: &str, meeting: &LiveMeeting) -> Result<PathBuf, String> {
        let mut events = Vec::with_capacity(meeting.records.len());
        let mut description = serde_json::Map::new();
        for &position in &meeting.records {
            let record = self.journal.read(position).map_err(|e| e.to_string())?;
            if let Ok(Event::Meeting(event)) = event::parse_record(&record.body) {
                description.extend(event.description.clone());
                events.push((event, record.received_ms));
            }
        }
        description.insert("uuid".to_owned(), Value::from(uuid));
        let folder = self
            .root
            .join("meetings")
            .join(folder_name(uuid, &description));
        let mut whole = LiveMeeting::default();
        if folder.exists() {
            let unreadable = |e: std::io::Error| format!("{}: {e}", folder.display());
            let mut pages: Vec<PathBuf> = Vec::new();
            for entry in std::fs::read_dir(&folder).map_err(unreadable)? {
                let path = entry.map_err(unreadable)?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name.starts_with("page-") && name.ends_with(".json") {
                    pages.push(path);
                }
            }
            pages.sort();
            for path in pages {
                let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                if let Ok(Event::Meeting(event)) =
                    event::parse_record(&old_page_record(uuid, &bytes))
                {
                    live::apply(&mut whole, event, 0);
                }
            }
            // What the earlier close knew, with this one's news over it.
            if let Some(Value::Object(mut known)) = std::fs::read(folder.join("meeting.json"))
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            {
                known.extend(description);
                description = known;
            }
        }
        for (event, received_ms) in events {
            live::apply(&mut whole, event, received_ms);
        }
        let failed = |e: WriteError| format!("{}: {}", e.path.display(), e.error);
        let staged = StagedFolder::new(&folder).map_err(failed)?;
        for (n, page) in whole.pages(i64::MIN, ENTRIES_PER_PAGE).iter().enumerate() {
            let name = format!("page-{:020}-{n:04}.json", meeting.first_sequence);
            staged.file(&name, page).map_err(failed)?;
        }
        let json = serde_json::to_vec_pretty(&description).map_err(|e| e.to_string())?;
        staged.file("meeting.json", &json).map_err(failed)?;
        staged.commit().map_err(failed)
    }
}

/// A page file of a meeting's folder read as a polled record, so that its samples are
/// known as the journal's are.
fn old_page_record(uuid: &str, page: &[u8]) -> Vec<u8> {
    let page: Value = serde_json::from_slice(page).unwrap_or(Value::Null);
    let record = serde_json::json!({
        "event": event::POLLED,
        "payload": {"object": {"uuid": uuid}, "page": page},
    });
    serde_json::to_vec(&record).unwrap_or_default()
}

/// Adds an event to its meeting (opened if new) and returns the meeting.
fn add(
    meetings: &mut HashMap<String, LiveMeeting>,
    event: MeetingEvent,
    sequence: u64,
    position: super::journal::Position,
    received_ms: i64,
) -> &mut LiveMeeting {
    let meeting = meetings.entry(event.uuid.clone()).or_insert_with(|| {
        let mut opened = LiveMeeting::default();
        opened.first_sequence = sequence;
        opened
    });
    meeting.records.push(position);
    live::apply(meeting, event, received_ms);
    meeting
}

/// A closed meeting's folder: `<meeting number>-<uuid in base32>` as `fetch` names an
/// instance, `session-<uuid in base32>` for a Video SDK session, `<uuid in base32>` when
/// the events gave no number.
fn folder_name(uuid: &str, description: &serde_json::Map<String, Value>) -> String {
    let uuid32 = base32(uuid.as_bytes());
    if description.contains_key("session_id") || description.contains_key("session_name") {
        return format!("session-{uuid32}");
    }
    match description.get("id") {
        Some(Value::Number(id)) => format!("{id}-{uuid32}"),
        Some(Value::String(id)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{id}-{uuid32}")
        }
        _ => uuid32,
    }
}
