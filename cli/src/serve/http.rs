//! The HTTP side: `POST /webhook`, `GET /metrics`, `GET /healthz`, on hyper.
//!
//! A webhook is read under a hard size limit, its signature checked over the raw bytes,
//! refused if its exact signature was seen before (a replay), read, and handed to the
//! spool's writer; the answer waits for the writer's (after the sync).

use std::convert::Infallible;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming as Body};
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use zoom_qos::Analysis;

use super::event::{self, Event};
use super::live::{self, Seen};
use super::spool::{self, Counters, Incoming, Meetings, Stored};
use super::verify::{self, MAX_SKEW_S, Refusal, Secret};

/// What every request needs.
pub struct Shared {
    /// The app's secret token (`None` with `--poll` alone: webhooks are refused).
    pub secret: Option<Secret>,
    /// The writer's queue.
    pub writer: SyncSender<Incoming>,
    /// The live meetings.
    pub meetings: Meetings,
    /// The writer's counts.
    pub counters: Arc<Counters>,
    /// Answers by outcome.
    pub outcomes: [AtomicU64; OUTCOMES.len()],
    /// Signatures seen in the last [`REPLAY_MS`].
    pub replays: Mutex<Seen>,
    /// Bodies being read at once, at most [`BODIES_AT_ONCE`]: memory for unverified bodies
    /// stays under that many times `max_body`.
    pub reading: tokio::sync::Semaphore,
    /// The largest body taken.
    pub max_body: usize,
    /// The analysis of the window.
    pub analysis: Analysis,
    /// The window, in seconds.
    pub window_s: i64,
    /// Live meetings with series of their own.
    pub top: usize,
    /// The clock: ms since the epoch.
    pub clock: fn() -> i64,
}

/// How long a signature is remembered: twice the skew a timestamp may have, after which
/// a replay is stale anyway.
pub const REPLAY_MS: i64 = 2 * MAX_SKEW_S * 1000;

/// Webhook bodies read at once, at most.
pub const BODIES_AT_ONCE: usize = 256;
/// The time a client has to send a whole body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The outcomes of [`OUTCOMES`] that are refusals (401, 400, 408, 413).
pub const REFUSED: [&str; 7] = [
    "unsigned",
    "bad_timestamp",
    "stale",
    "forged",
    "replayed",
    "malformed",
    "too_large",
];

/// The outcomes of a `POST /webhook`, as `zoom_qos_serve_requests_total` labels them.
pub const OUTCOMES: [&str; 12] = [
    "stored",
    "duplicate",
    "ignored",
    "url_validation",
    "unsigned",
    "bad_timestamp",
    "stale",
    "forged",
    "replayed",
    "malformed",
    "too_large",
    "unavailable",
];

/// Answers one request.
pub async fn handle(
    request: Request<Body>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let answer = match (request.method(), request.uri().path()) {
        (&Method::POST, "/webhook") => webhook(request, &shared).await,
        (&Method::GET, "/metrics") => metrics(Arc::clone(&shared)).await,
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok\n"),
        (_, "/webhook" | "/metrics" | "/healthz") => {
            text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n")
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: POST /webhook, GET /metrics, GET /healthz\n",
        ),
    };
    Ok(answer)
}

async fn webhook(request: Request<Body>, shared: &Shared) -> Response<Full<Bytes>> {
    let count = |outcome: &str| {
        if let Some(i) = OUTCOMES.iter().position(|o| *o == outcome) {
            shared.outcomes[i].fetch_add(1, Ordering::Relaxed);
        }
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.max_body as u64) {
        count("too_large");
        return too_large();
    }
    let header = |name: &str| request.headers().get(name).map(|v| v.as_bytes().to_vec());
    let timestamp = header("x-zm-request-timestamp");
    let signature = header("x-zm-signature");
    let Ok(_permit) = shared.reading.acquire().await else {
        count("unavailable");
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down: deliver again later\n",
        );
    };
    let reading = Limited::new(request.into_body(), shared.max_body).collect();
    let Ok(read) = tokio::time::timeout(BODY_TIMEOUT, reading).await else {
        count("malformed");
        return closing(text(
            StatusCode::REQUEST_TIMEOUT,
            "the body did not come in time\n",
        ));
    };
    let body = match read {
        Ok(body) => body.to_bytes(),
        Err(error) => {
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                count("too_large");
                return too_large();
            }
            count("malformed");
            return text(StatusCode::BAD_REQUEST, "the body could not be read\n");
        }
    };
    let now_ms = (shared.clock)();
    let now_s = now_ms.div_euclid(1000);
    let Some(secret) = &shared.secret else {
        count("unsigned");
        let why = "serve has no webhook secret token (it only polls): webhooks are not taken\n";
        return text(StatusCode::UNAUTHORIZED, why);
    };
    if let Err(refusal) = verify::check(
        secret,
        timestamp.as_deref(),
        signature.as_deref(),
        &body,
        now_s,
    ) {
        count(match refusal {
            Refusal::Unsigned => "unsigned",
            Refusal::BadTimestamp => "bad_timestamp",
            Refusal::Stale => "stale",
            Refusal::Forged => "forged",
        });
        return text(StatusCode::UNAUTHORIZED, &format!("{}\n", refusal.reason()));
    }
    let seen = live::digest(signature.as_deref().unwrap_or_default());
    let fresh = shared
        .replays
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .first_time(seen, now_ms);
    if !fresh {
        count("replayed");
        return text(
            StatusCode::UNAUTHORIZED,
            "this signed request was received before: a replay\n",
        );
    }
    let event = match event::parse(&body) {
        Ok(Event::Meeting(event)) => event,
        Ok(Event::UrlValidation(plain)) => {
            count("url_validation");
            let answer = serde_json::json!({
                "plainToken": plain,
                "encryptedToken": verify::encrypted_token(secret, &plain),
            });
            return json(StatusCode::OK, answer.to_string());
        }
        Ok(Event::Ignored(_)) => {
            count("ignored");
            return text(StatusCode::OK, "ignored: serve does not read this event\n");
        }
        Err(malformed) => {
            count("malformed");
            return text(StatusCode::BAD_REQUEST, &format!("{}\n", malformed.0));
        }
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    let incoming = Incoming {
        body: body.to_vec(),
        event,
        reply,
    };
    match shared.writer.try_send(incoming) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            count("unavailable");
            return text(
                StatusCode::SERVICE_UNAVAILABLE,
                "the spool is behind: deliver again later\n",
            );
        }
        Err(TrySendError::Disconnected(_)) => {
            count("unavailable");
            return text(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting down: deliver again later\n",
            );
        }
    }
    match answer.await {
        Ok(Stored::New) => {
            count("stored");
            text(StatusCode::OK, "stored\n")
        }
        Ok(Stored::Duplicate) => {
            count("duplicate");
            text(StatusCode::OK, "already stored\n")
        }
        Ok(Stored::Failed(why)) => {
            count("unavailable");
            text(StatusCode::SERVICE_UNAVAILABLE, &format!("{why}\n"))
        }
        Err(_) => {
            count("unavailable");
            text(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting down: deliver again later\n",
            )
        }
    }
}

async fn metrics(shared: Arc<Shared>) -> Response<Full<Bytes>> {
    let built = tokio::task::spawn_blocking(move || render_metrics(&shared)).await;
    match built {
        Ok(Ok(body)) => {
            let mut response = Response::new(Full::new(Bytes::from(body)));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }
        _ => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the metrics could not be made\n",
        ),
    }
}

/// The scrape: the window's report (live meetings and account), then serve's own counts.
pub fn render_metrics(shared: &Shared) -> std::io::Result<Vec<u8>> {
    let since_s = (shared.clock)().div_euclid(1000) - shared.window_s;
    let (snapshot, participants, samples) = {
        let meetings = spool::lock(&shared.meetings);
        let participants: usize = meetings.values().map(|m| m.participants()).sum();
        let samples: usize = meetings.values().map(|m| m.samples()).sum();
        let snapshot: Vec<(String, Vec<Vec<u8>>, Option<String>)> = meetings
            .iter()
            .map(|(uuid, m)| (uuid.clone(), m.pages(since_s, 100), m.label()))
            .filter(|(_, pages, _)| !pages.is_empty())
            .collect();
        (snapshot, participants, samples)
    };
    let live_meetings = snapshot.len();
    let report = live::window_report(snapshot, &shared.analysis, shared.top);
    let mut out = Vec::with_capacity(1 << 16);
    report.write_prometheus(&mut out)?;
    let family = |out: &mut Vec<u8>, name: &str, kind: &str, help: &str| {
        writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}")
    };
    family(
        &mut out,
        "zoom_qos_serve_requests_total",
        "counter",
        "Webhook requests by outcome.",
    )?;
    for (outcome, n) in OUTCOMES.iter().zip(&shared.outcomes) {
        writeln!(
            out,
            "zoom_qos_serve_requests_total{{outcome=\"{outcome}\"}} {}",
            n.load(Ordering::Relaxed)
        )?;
    }
    let c = &shared.counters;
    let counters = [
        (
            "zoom_qos_serve_journal_syncs_total",
            "Journal syncs (one per group of events committed).",
            &c.syncs,
        ),
        (
            "zoom_qos_serve_meetings_closed_total",
            "Meetings closed into their folders.",
            &c.closed,
        ),
        (
            "zoom_qos_serve_folder_failures_total",
            "Meeting folders that could not be written (kept, tried again).",
            &c.close_failures,
        ),
    ];
    for (name, help, n) in counters {
        family(&mut out, name, "counter", help)?;
        writeln!(out, "{name} {}", n.load(Ordering::Relaxed))?;
    }
    let gauges = [
        (
            "zoom_qos_serve_recovered_events",
            "Events read back from the journal at start.",
            c.recovered.load(Ordering::Relaxed),
        ),
        (
            "zoom_qos_serve_damaged_records",
            "Damaged journal records found at start (named in the log).",
            c.damaged.load(Ordering::Relaxed),
        ),
        (
            "zoom_qos_serve_live_meetings",
            "Meetings with samples in the window.",
            live_meetings as u64,
        ),
        (
            "zoom_qos_serve_live_participants",
            "Participant entries of the open meetings.",
            participants as u64,
        ),
        (
            "zoom_qos_serve_live_samples",
            "Samples held for the window.",
            samples as u64,
        ),
        (
            "zoom_qos_serve_window_seconds",
            "The window the live percentiles cover.",
            shared.window_s as u64,
        ),
    ];
    for (name, help, n) in gauges {
        family(&mut out, name, "gauge", help)?;
        writeln!(out, "{name} {n}")?;
    }
    Ok(out)
}

/// 413: the body is left unread, so the connection closes.
fn too_large() -> Response<Full<Bytes>> {
    closing(text(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the body is over the size limit\n",
    ))
}

/// `answer`, saying that the connection closes after it: a body left unread (or cut
/// short) leaves nothing on the connection that could be told from the next request.
fn closing(mut answer: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    answer
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    answer
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
