//! `serve --poll`'s scheduler over a simulated day: the real poller, API client and spool
//! against the fake Zoom API on 127.0.0.1, with a clock this test moves (it jumps to each
//! time the poller waits for: no sleeping).
#![cfg(all(feature = "serve", feature = "fetch"))]

mod common;
#[path = "../../tests/fake_zoom/mod.rs"]
mod fake_zoom;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use common::scratch;
use fake_zoom::{FakeZoom, Response};
use serde_json::{Value, json};
use zoom_qos::Analysis;
use zoom_qos::client::{Auth, Client};
use zoom_qos_cli::serve::poll::{Clock, Planner, Poller};
use zoom_qos_cli::serve::spool::{Counters, Settings, Spool};

/// 2026-12-01T00:00:00Z.
const DAY_START: i64 = 1_764_547_200;
const BUDGET: u64 = 1_500;

/// The test's clock: it moves only when the poller waits.
struct Simulated(Arc<AtomicI64>);

impl Clock for Simulated {
    fn now_s(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
    fn wait_until(&self, until_s: i64, _stop: &AtomicBool) {
        self.0.fetch_max(until_s, Ordering::SeqCst);
    }
}

/// A live meeting of the fake: UUID, participants, whether its audio is degraded, and
/// the simulated time it ends (no longer listed).
struct Live {
    uuid: &'static str,
    participants: usize,
    degraded: bool,
    ends_s: i64,
}

const MEETINGS: [Live; 5] = [
    Live {
        uuid: "smallgoodAAAAAAAAAAAAAAA",
        participants: 5,
        degraded: false,
        ends_s: i64::MAX,
    },
    Live {
        uuid: "midgoodAAAAAAAAAAAAAAAAA",
        participants: 40,
        degraded: false,
        ends_s: i64::MAX,
    },
    Live {
        uuid: "midbadAAAAAAAAAAAAAAAAAA",
        participants: 40,
        degraded: true,
        ends_s: i64::MAX,
    },
    Live {
        uuid: "largegoodAAAAAAAAAAAAAAA",
        participants: 80,
        degraded: false,
        ends_s: i64::MAX,
    },
    Live {
        uuid: "morningAAAAAAAAAAAAAAAAA",
        participants: 12,
        degraded: false,
        ends_s: DAY_START + 12 * 3600,
    },
];

/// Samples per participant the fake's QoS pages carry (the same at every poll).
const SAMPLES: usize = 3;

fn qos_page(meeting: &Live, page: usize) -> Value {
    let pages = meeting.participants.div_ceil(10);
    let people: Vec<Value> = (page * 10..(page * 10 + 10).min(meeting.participants))
        .map(|p| {
            let latency = if meeting.degraded { 420 } else { 40 + p % 20 };
            let samples: Vec<Value> = (0..SAMPLES)
                .map(|m| {
                    json!({"date_time": format!("2026-12-01T08:0{m}:00Z"),
                           "audio_input": {"latency": format!("{latency} ms"), "jitter": "3 ms", "avg_loss": "0.1%"}})
                })
                .collect();
            json!({"id": format!("p{p}"), "user_id": format!("{p}"), "user_name": format!("P{p}"), "user_qos": samples})
        })
        .collect();
    json!({
        "page_count": pages, "page_size": 10, "total_records": meeting.participants,
        "next_page_token": if page + 1 < pages { format!("t{}", page + 1) } else { String::new() },
        "participants": people,
    })
}

#[test]
fn a_simulated_day_keeps_the_budget_spreads_it_and_favours_bad_and_large_meetings() {
    let clock = Arc::new(AtomicI64::new(DAY_START));
    // Every request the fake saw: (simulated time, path, whether it is a chain's first).
    let seen: Arc<Mutex<Vec<(i64, String, bool)>>> = Arc::default();
    let server = {
        let clock = Arc::clone(&clock);
        let seen = Arc::clone(&seen);
        FakeZoom::start(move |request| {
            let now = clock.load(Ordering::SeqCst);
            let first = request.query("next_page_token").is_none_or(str::is_empty);
            seen.lock()
                .expect("not poisoned")
                .push((now, request.path().to_owned(), first));
            if request.path() == "/v2/metrics/meetings" {
                assert_eq!(request.query("type"), Some("live"));
                let live: Vec<Value> = MEETINGS
                    .iter()
                    .filter(|m| now < m.ends_s)
                    .map(|m| json!({"uuid": m.uuid, "id": 900, "topic": m.uuid, "participants": m.participants, "start_time": "2026-12-01T00:00:00Z"}))
                    .collect();
                let body = json!({"page_count": 1, "page_size": 300, "total_records": live.len(), "next_page_token": "", "meetings": live});
                return Response::json(200, body.to_string());
            }
            for meeting in &MEETINGS {
                if request.path()
                    == format!("/v2/metrics/meetings/{}/participants/qos", meeting.uuid)
                {
                    assert_eq!(request.query("type"), Some("live"));
                    let page = request
                        .query("next_page_token")
                        .filter(|t| !t.is_empty())
                        .map_or(0, |t| t[1..].parse().expect("a token"));
                    return Response::json(200, qos_page(meeting, page).to_string());
                }
            }
            Response::json(
                404,
                r#"{"code": 3001, "message": "Meeting does not exist"}"#,
            )
        })
    };
    let dir = scratch("poll-day");
    let spool_dir = dir.join("spool");
    let settings = Settings {
        window_s: 300,
        close_after_ms: i64::MAX / 2,
    };
    let (spool, damage) =
        Spool::open(&spool_dir, settings, Arc::new(Counters::default())).expect("a spool");
    assert!(damage.is_empty());
    let (writer, queue) = std::sync::mpsc::sync_channel(64);
    let writing = std::thread::spawn(move || {
        spool.run(&queue, || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64)
        })
    });
    let client = Client::new(Auth::Token("t".to_owned())).api_base(format!("{}/v2", server.base));
    let mut poller = Poller {
        planner: Planner::new(BUDGET, 300),
        client: &client,
        writer: writer.clone(),
        analysis: Analysis::new(),
    };
    let stop = AtomicBool::new(false);
    poller.run(&Simulated(Arc::clone(&clock)), &stop, DAY_START + 86_400);

    let requests = seen.lock().expect("not poisoned").clone();
    // Never past the budget; and most of it used, not left idle.
    assert!(
        requests.len() as u64 <= BUDGET,
        "{} requests",
        requests.len()
    );
    assert!(
        requests.len() as u64 >= BUDGET * 9 / 10,
        "only {} requests",
        requests.len()
    );
    // Spread over the day: by any time, no more than the even pace plus 15 minutes'.
    for (i, (at, ..)) in requests.iter().enumerate() {
        let pace = BUDGET as f64 * ((at - DAY_START + 900) as f64 / 86_400.0);
        assert!(
            (i + 1) as f64 <= pace + 1.0,
            "request {} at {}s: ahead of the pace {pace}",
            i + 1,
            at - DAY_START
        );
    }
    // Polls per meeting (a poll is its chain's first page), and never two within 5 minutes.
    let mut polls: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (at, path, first) in &requests {
        for meeting in &MEETINGS {
            if path.contains(meeting.uuid) && *first {
                polls.entry(meeting.uuid).or_default().push(*at);
            }
        }
    }
    for (uuid, times) in &polls {
        for pair in times.windows(2) {
            assert!(
                pair[1] - pair[0] >= 300,
                "{uuid} polled {} s apart",
                pair[1] - pair[0]
            );
        }
    }
    let count = |uuid: &str| polls.get(uuid).map_or(0, Vec::len);
    let [small, mid, bad, large, morning] = MEETINGS.map(|m| count(m.uuid));
    println!(
        "a simulated day: {} requests of {BUDGET}; polls: 5 good {small}, 40 good {mid}, 40 degraded {bad}, 80 good {large}, 12 until noon {morning}",
        requests.len()
    );
    assert!(bad > mid, "degraded polled more often: {bad} vs {mid}");
    assert!(
        large > small,
        "larger polled more often: {large} vs {small}"
    );
    assert!(small > 0 && morning > 0);
    assert!(
        polls["morningAAAAAAAAAAAAAAAAA"]
            .iter()
            .all(|t| *t < DAY_START + 12 * 3600)
    );

    // The meetings still live end; every sample is in the spool once, however often its
    // page was fetched again.
    for meeting in &MEETINGS[..4] {
        let body = json!({"event": "meeting.ended", "payload": {"object": {"uuid": meeting.uuid, "id": 900}}});
        let body = serde_json::to_vec(&body).expect("JSON");
        let event = match zoom_qos_cli::serve::event::parse_record(&body) {
            Ok(zoom_qos_cli::serve::event::Event::Meeting(event)) => event,
            other => panic!("{other:?}"),
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        writer
            .send(zoom_qos_cli::serve::spool::Incoming { body, event, reply })
            .expect("the writer runs");
        answer.blocking_recv().expect("answered");
    }
    drop(poller);
    drop(writer);
    writing.join().expect("the writer ends");
    let output = common::zoom_qos(&[
        "analyze",
        "--format",
        "json",
        spool_dir.join("meetings").to_str().expect("UTF-8"),
    ]);
    let report = common::json(&output);
    let reports = report["meetings"].as_array().expect("meetings");
    assert_eq!(reports.len(), MEETINGS.len());
    for meeting in &MEETINGS {
        let found = reports
            .iter()
            .find(|r| r["uuid"] == meeting.uuid)
            .expect("its folder");
        assert_eq!(
            found["samples"],
            meeting.participants * SAMPLES,
            "{}",
            meeting.uuid
        );
        assert_eq!(found["participants"], meeting.participants);
    }
}
