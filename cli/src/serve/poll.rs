//! `serve --poll`: for accounts without the QoS Subscription, the live meetings' QoS
//! fetched from the Dashboard API within a daily request budget.
//!
//! [`Planner`] decides, sans-IO, what to ask next and when, from a clock it is given:
//!
//! - **The budget**: at most `budget` requests a UTC day, never more; spent evenly, so that
//!   by any time of the day no more than that share of the budget (plus 15 minutes' worth)
//!   has gone, and the evening's meetings get their share.
//! - **The listing** of live meetings (`/metrics/meetings?type=live`, 300 a page) every
//!   [`LIST_EVERY_S`].
//! - **Each meeting's QoS** (`/metrics/meetings/{uuid}/participants/qos?type=live`, 10
//!   participants a page) no more often than every `min_interval_s` (Zoom's staff advise 5
//!   minutes), and more often the larger and the more degraded it is: meeting *i* is due
//!   every `T_i = max(min_interval, B / w_i)` seconds, `w_i = (1 + 4 d_i)(1 + ln(1 + p_i))`
//!   for its degraded share `d_i` and participants `p_i`, with `B` chosen so that every
//!   meeting polled at its interval spends what the rest of the day's budget allows once
//!   the listing has its share.
//!
//! [`Poller`] drives it with the same [`Client`] as `fetch` (one rate gate, one token
//! renewal, the daily-limit stop) and hands each page to the spool's writer, which keeps
//! each sample once however often it is fetched again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;

use serde_json::{Map, Value};
use zoom_qos::client::{Client, Endpoint, Kind, ListedMeeting, QosType, Query};
use zoom_qos::{Analysis, DecodeConfig, Decoder, Table};

use super::event::{self, Event};
use super::spool::{Incoming, Stored};

/// How often the live meetings are listed.
pub const LIST_EVERY_S: i64 = 300;
/// How far ahead of the even pace the budget may be spent: 15 minutes' worth.
const AHEAD_S: i64 = 900;
const DAY_S: i64 = 86_400;

/// Zoom's documented daily limit of the Dashboard API's Heavy calls, per plan (shared
/// with the account's other resource-intensive calls): Pro 30,000, Business and up 60,000.
/// `serve --poll` takes half by default, the rest kept for `fetch` and other apps.
pub fn default_budget(plan: &str) -> Option<u64> {
    match plan {
        "pro" => Some(15_000),
        "business" | "enterprise" => Some(30_000),
        _ => None,
    }
}

/// What to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// List the live meetings.
    List,
    /// Fetch this meeting's QoS (its UUID).
    Poll(String),
    /// Nothing before this time (seconds since the epoch).
    Wait(i64),
}

/// A live meeting as the planner knows it.
#[derive(Clone, Debug, Default)]
pub struct Polled {
    /// Its listing entry.
    pub listed: ListedMeeting,
    /// Participant entries seen in its last poll (else the listing's count).
    pub participants: u64,
    /// The share of its samples that were degraded, at its last poll.
    pub degraded: f64,
    /// When it was last polled.
    pub last_polled_s: Option<i64>,
    /// Times polled.
    pub polls: u64,
}

impl Polled {
    /// Requests one poll is expected to take: a page per 10 participants.
    fn cost(&self) -> u64 {
        self.participants.div_ceil(10).max(1)
    }

    fn weight(&self) -> f64 {
        (1.0 + 4.0 * self.degraded.clamp(0.0, 1.0)) * (1.0 + (1.0 + self.participants as f64).ln())
    }
}

/// The schedule: see the module's documentation.
#[derive(Debug)]
pub struct Planner {
    budget: u64,
    min_interval_s: i64,
    day: i64,
    spent: u64,
    last_list_s: Option<i64>,
    live: BTreeMap<String, Polled>,
    /// The daily limit was met: nothing until this time.
    stopped_until: Option<i64>,
}

impl Planner {
    /// A planner spending at most `budget` requests a UTC day, polling a meeting at most
    /// every `min_interval_s`.
    pub fn new(budget: u64, min_interval_s: i64) -> Planner {
        Planner {
            budget,
            min_interval_s: min_interval_s.max(1),
            day: i64::MIN,
            spent: 0,
            last_list_s: None,
            live: BTreeMap::new(),
            stopped_until: None,
        }
    }

    /// The live meetings known.
    pub fn live(&self) -> impl Iterator<Item = &Polled> {
        self.live.values()
    }

    /// Requests spent today.
    pub fn spent(&self) -> u64 {
        self.spent
    }

    /// What to do at `now_s`.
    pub fn next(&mut self, now_s: i64) -> Action {
        self.new_day(now_s);
        let tomorrow = (self.day + 1) * DAY_S;
        if let Some(until) = self.stopped_until {
            if now_s < until {
                return Action::Wait(until);
            }
            self.stopped_until = None;
        }
        let allowed = self.allowance(now_s);
        let affordable = |cost: u64| self.spent + cost <= allowed;
        let list_due = self.last_list_s.map_or(now_s, |at| at + LIST_EVERY_S);
        let list_cost = (self.live.len() as u64).div_ceil(300).max(1);
        if list_due <= now_s && affordable(list_cost) {
            return Action::List;
        }
        // Each meeting's interval, from what the rest of the day allows.
        let left_s = (tomorrow - now_s).max(1) as f64;
        let listing = list_cost as f64 / LIST_EVERY_S as f64;
        let rate = self.budget.saturating_sub(self.spent) as f64 / left_s - listing;
        let demand: f64 = self
            .live
            .values()
            .map(|m| m.cost() as f64 * m.weight())
            .sum();
        let base = if rate > 0.0 {
            demand / rate
        } else {
            f64::INFINITY
        };
        let mut best: Option<(f64, &Polled)> = None;
        let mut next_due = list_due;
        for meeting in self.live.values() {
            let interval = (base / meeting.weight()).max(self.min_interval_s as f64);
            let due = match meeting.last_polled_s {
                None => now_s,
                Some(at) => at.saturating_add(interval.ceil().min(1e15) as i64),
            };
            if due > now_s {
                next_due = next_due.min(due);
                continue;
            }
            let overdue = match meeting.last_polled_s {
                None => f64::INFINITY,
                Some(at) => (now_s - at) as f64 / interval,
            };
            if best
                .is_none_or(|(b, m)| overdue > b || (overdue == b && meeting.weight() > m.weight()))
            {
                best = Some((overdue, meeting));
            }
        }
        if let Some((_, meeting)) = best {
            if affordable(meeting.cost()) {
                return Action::Poll(meeting.listed.uuid.clone());
            }
            // Due but not affordable yet: when the even pace allows it.
            return Action::Wait(
                self.affordable_at(meeting.cost())
                    .min(tomorrow)
                    .max(now_s + 1),
            );
        }
        if list_due <= now_s {
            return Action::Wait(self.affordable_at(list_cost).min(tomorrow).max(now_s + 1));
        }
        Action::Wait(next_due.min(tomorrow).max(now_s + 1))
    }

    /// The live meetings listed at `now_s`, for `cost` requests: new ones added, ended ones
    /// dropped.
    pub fn on_listed(&mut self, now_s: i64, listed: Vec<ListedMeeting>, cost: u64) {
        self.charge(now_s, cost);
        self.last_list_s = Some(now_s);
        let mut live = BTreeMap::new();
        for entry in listed {
            let mut polled = self.live.remove(&entry.uuid).unwrap_or_else(|| Polled {
                participants: entry.participants,
                ..Polled::default()
            });
            polled.listed = entry;
            live.insert(polled.listed.uuid.clone(), polled);
        }
        self.live = live;
    }

    /// A meeting polled at `now_s` for `cost` requests: what it showed, or `None` when the
    /// poll failed (it waits its interval all the same).
    pub fn on_polled(&mut self, now_s: i64, uuid: &str, cost: u64, seen: Option<(u64, f64)>) {
        self.charge(now_s, cost);
        if let Some(meeting) = self.live.get_mut(uuid) {
            meeting.last_polled_s = Some(now_s);
            meeting.polls += 1;
            if let Some((participants, degraded)) = seen {
                meeting.participants = participants.max(1);
                meeting.degraded = degraded;
            }
        }
    }

    /// Zoom said the daily limit is met: nothing more until the next UTC day.
    pub fn on_daily_limit(&mut self, now_s: i64) {
        self.new_day(now_s);
        self.stopped_until = Some((self.day + 1) * DAY_S);
    }

    /// Requests that may still go today before the even pace is passed: what the budget
    /// allows by `now_s` (plus 15 minutes' worth), never past the budget.
    pub fn remaining(&mut self, now_s: i64) -> u64 {
        self.new_day(now_s);
        self.allowance(now_s).saturating_sub(self.spent)
    }

    fn charge(&mut self, now_s: i64, cost: u64) {
        self.new_day(now_s);
        self.spent = self.spent.saturating_add(cost);
    }

    fn new_day(&mut self, now_s: i64) {
        let day = now_s.div_euclid(DAY_S);
        if day != self.day {
            self.day = day;
            self.spent = 0;
        }
    }

    fn allowance(&self, now_s: i64) -> u64 {
        let into_day = now_s - self.day * DAY_S + AHEAD_S;
        let share = (self.budget as u128 * into_day.clamp(0, DAY_S) as u128 / DAY_S as u128) as u64;
        share.min(self.budget)
    }

    /// When the even pace allows `cost` more requests.
    fn affordable_at(&self, cost: u64) -> i64 {
        let needed = self.spent + cost;
        if needed > self.budget || self.budget == 0 {
            return (self.day + 1) * DAY_S;
        }
        let into_day =
            (needed as u128 * DAY_S as u128).div_ceil(self.budget as u128) as i64 - AHEAD_S;
        self.day * DAY_S + into_day.max(0)
    }
}

/// Where the poller's time comes from: the wall clock, or a test's.
pub trait Clock {
    /// Seconds since the epoch.
    fn now_s(&self) -> i64;
    /// Returns at `until_s`, or earlier when `stop` is set.
    fn wait_until(&self, until_s: i64, stop: &AtomicBool);
}

/// The wall clock.
#[derive(Debug, Default)]
pub struct WallClock;

impl Clock for WallClock {
    fn now_s(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }

    fn wait_until(&self, until_s: i64, stop: &AtomicBool) {
        // In steps, so that Ctrl-C is seen within a fifth of a second.
        while !stop.load(Ordering::Relaxed) && self.now_s() < until_s {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

/// The poller: a planner, the API client, and the spool's writer.
pub struct Poller<'a> {
    /// The schedule.
    pub planner: Planner,
    /// The client (its gate and token shared with every request).
    pub client: &'a Client,
    /// The writer's queue.
    pub writer: SyncSender<Incoming>,
    /// The analysis that tells a meeting's degraded share.
    pub analysis: Analysis,
}

impl Poller<'_> {
    /// Runs until `stop` is set or the clock reaches `until_s`.
    pub fn run(&mut self, clock: &impl Clock, stop: &AtomicBool, until_s: i64) {
        while !stop.load(Ordering::Relaxed) {
            let now = clock.now_s();
            if now >= until_s {
                return;
            }
            match self.planner.next(now) {
                Action::Wait(at) => clock.wait_until(at.min(until_s), stop),
                Action::List => self.list(now),
                Action::Poll(uuid) => self.poll(now, &uuid),
            }
        }
    }

    fn list(&mut self, now_s: i64) {
        let before = self.client.counters().requests;
        let listed = self.client.list(Kind::Meeting, QosType::Live, None);
        let cost = self.client.counters().requests - before;
        match listed {
            Ok((live, _refused)) => {
                // A meeting no longer listed has ended: its folder is written now.
                let ended: Vec<ListedMeeting> = self
                    .planner
                    .live()
                    .filter(|m| !live.iter().any(|l| l.uuid == m.listed.uuid))
                    .map(|m| m.listed.clone())
                    .collect();
                self.planner.on_listed(now_s, live, cost);
                for meeting in ended {
                    let body = serde_json::json!({
                        "event": "meeting.ended",
                        "event_ts": now_s * 1000,
                        "payload": {"object": {"uuid": meeting.uuid, "id": meeting.id}},
                    });
                    if let Ok(body) = serde_json::to_vec(&body) {
                        self.send(body);
                    }
                }
            }
            Err(error) => {
                self.failed(
                    now_s,
                    "the live meetings cannot be listed",
                    &error,
                    cost,
                    None,
                );
            }
        }
    }

    fn poll(&mut self, now_s: i64, uuid: &str) {
        let Some(meeting) = self.planner.live.get(uuid).cloned() else {
            return;
        };
        let endpoint = Endpoint::ParticipantsQos {
            kind: Kind::Meeting,
            id: uuid.to_owned(),
        };
        let Ok(query) = Query::new(QosType::Live, 10) else {
            return;
        };
        let before = self.client.counters().requests;
        let remaining = self.planner.remaining(now_s);
        let mut pages = Vec::new();
        // Never past the budget: a chain longer than the pace allows is stopped after the
        // page that reaches it (and what it fetched is kept: each sample stands alone).
        let fetched = self.client.fetch_each(&endpoint, &query, |page| {
            pages.push(page);
            if self.client.counters().requests - before >= remaining {
                return Err(Stop::OverBudget);
            }
            Ok(())
        });
        let cost = self.client.counters().requests - before;
        match fetched {
            Ok(()) | Err(Stop::OverBudget) => {
                let seen = self.store(&meeting.listed, &pages, now_s);
                self.planner.on_polled(now_s, uuid, cost, seen);
            }
            Err(Stop::Api(error)) => {
                let what = format!("meeting {uuid}: its QoS cannot be fetched");
                self.failed(now_s, &what, &error, cost, Some(uuid));
            }
        }
    }

    /// Hands the pages to the writer, and tells the participants and degraded share seen.
    fn store(&self, listed: &ListedMeeting, pages: &[Vec<u8>], now_s: i64) -> Option<(u64, f64)> {
        let mut table = Table::new();
        let mut decoder = Decoder::new(DecodeConfig::new());
        for page in pages {
            let body = polled_record(listed, page, now_s * 1000)?;
            if !self.send(body) {
                return None;
            }
            let _ = decoder.decode(&mut page.clone(), &mut table);
        }
        let report = self.analysis.meeting(&listed.uuid, &table);
        let degraded = if report.samples == 0 {
            0.0
        } else {
            report.degraded.samples as f64 / report.samples as f64
        };
        Some((report.participants, degraded))
    }

    /// Hands a record to the writer and waits for its answer: whether it is stored.
    fn send(&self, body: Vec<u8>) -> bool {
        let Ok(Event::Meeting(event)) = event::parse_record(&body) else {
            return false;
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        if self.writer.send(Incoming { body, event, reply }).is_err() {
            return false;
        }
        matches!(answer.blocking_recv(), Ok(Stored::New | Stored::Duplicate))
    }

    fn failed(
        &mut self,
        now_s: i64,
        what: &str,
        error: &zoom_qos::Error,
        cost: u64,
        uuid: Option<&str>,
    ) {
        if crate::error::is_daily_limit(error) {
            self.planner.charge(now_s, cost);
            self.planner.on_daily_limit(now_s);
        } else if let Some(uuid) = uuid {
            self.planner.on_polled(now_s, uuid, cost, None);
        } else {
            self.planner.charge(now_s, cost);
            self.planner.last_list_s = Some(now_s);
        }
        eprintln!(
            "{}",
            zoom_qos::report::escape_controls(&format!("zoom-qos serve: poll: {what}: {error}"))
        );
    }
}

/// Why a poll's chain stopped early.
#[derive(Debug)]
enum Stop {
    /// To keep within the budget.
    OverBudget,
    /// The API's error.
    Api(zoom_qos::Error),
}

impl From<zoom_qos::Error> for Stop {
    fn from(error: zoom_qos::Error) -> Self {
        Stop::Api(error)
    }
}

/// A polled page as a journal record: `{"event": POLLED, "event_ts", "payload": {"object":
/// the listing entry, "page": the page as sent}}`.
pub fn polled_record(listed: &ListedMeeting, page: &[u8], now_ms: i64) -> Option<Vec<u8>> {
    let page: Value = serde_json::from_slice(page).ok()?;
    let mut object = match &listed.entry {
        Value::Object(entry) => entry.clone(),
        _ => Map::new(),
    };
    object.insert("uuid".to_owned(), Value::from(listed.uuid.clone()));
    if listed.id != 0 {
        object.insert("id".to_owned(), Value::from(listed.id));
    }
    let body = serde_json::json!({
        "event": event::POLLED,
        "event_ts": now_ms,
        "payload": {"object": object, "page": page},
    });
    serde_json::to_vec(&body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(uuid: &str, participants: u64) -> ListedMeeting {
        ListedMeeting {
            uuid: uuid.to_owned(),
            participants,
            ..ListedMeeting::default()
        }
    }

    #[test]
    fn the_daily_limit_stops_every_request_until_the_next_utc_day() {
        let day = 20_000 * DAY_S;
        let mut planner = Planner::new(10_000, 300);
        assert_eq!(planner.next(day + 3600), Action::List);
        planner.on_listed(day + 3600, vec![listed("a", 5)], 1);
        assert_eq!(planner.next(day + 3600), Action::Poll("a".to_owned()));
        planner.on_daily_limit(day + 3600);
        assert_eq!(planner.next(day + 7200), Action::Wait(day + DAY_S));
        assert_eq!(
            planner.next(day + DAY_S),
            Action::List,
            "a new day, a new budget"
        );
    }

    #[test]
    fn a_spent_budget_waits_for_the_next_day_and_a_poll_for_its_pace() {
        let day = 20_000 * DAY_S;
        // 96 requests a day: one every 15 minutes, one ahead.
        let mut planner = Planner::new(96, 300);
        assert_eq!(planner.next(day), Action::List);
        planner.on_listed(day, vec![listed("big", 95)], 1);
        // 10 requests for the poll: not before the pace allows 11.
        match planner.next(day) {
            Action::Wait(at) => assert_eq!(at, day + 11 * 900 - 900),
            other => panic!("{other:?}"),
        }
        planner.on_polled(day + 9000, "big", 95, None);
        assert_eq!(planner.remaining(day + 9000), 0);
        assert!(matches!(planner.next(day + 9000), Action::Wait(at) if at == day + DAY_S));
    }
}
