//! `zoom-qos serve`: the spool opened (its lock taken, its journal read back), the writer
//! started, then HTTP until Ctrl-C; the writer finishes what it holds. Any other end
//! (SIGTERM, SIGKILL, a crash) loses nothing acknowledged: each answer waited for its
//! event's sync, and the next start reads the journal back.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use zoom_qos::Analysis;
use zoom_qos::report::escape_controls;

use crate::args::ServeArgs;
use crate::error::{CliError, Done};
use crate::lock::FolderLock;
use crate::serve::http::{self, OUTCOMES, REFUSED, REPLAY_MS, Shared};
use crate::serve::live::Seen;
use crate::serve::spool::{Counters, Settings, Spool};
use crate::serve::verify::Secret;

/// The environment variable holding the webhook secret token.
pub const SECRET_VARIABLE: &str = "ZOOM_WEBHOOK_SECRET_TOKEN";
/// Events waiting for the writer at most; past this, webhooks are answered 503.
const QUEUE: usize = 65_536;

/// Runs `serve` until it is stopped.
///
/// # Errors
/// No secret, a spool held by another serve or unreadable, an address that cannot be
/// bound.
pub fn run(args: ServeArgs) -> Result<Done, CliError> {
    #[cfg(feature = "fetch")]
    let polls = args.poll;
    #[cfg(not(feature = "fetch"))]
    let polls = false;
    let secret = match read_secret(args.secret_file.as_deref()) {
        Ok(secret) => Some(secret),
        // Polling alone needs no webhook secret: webhooks are then refused.
        Err(CliError::Credentials(_)) if polls && args.secret_file.is_none() => {
            eprintln!(
                "zoom-qos serve: no {SECRET_VARIABLE}: webhooks are refused, the live meetings are polled only"
            );
            None
        }
        Err(error) => return Err(error),
    };
    let analysis = match &args.thresholds {
        Some(path) => Analysis::new().thresholds(super::read_thresholds(path)?),
        None => Analysis::new(),
    };
    let _lock = FolderLock::take(&args.spool)?;
    let counters = Arc::new(Counters::default());
    let settings = Settings {
        window_s: args.window,
        close_after_ms: args.close_after.saturating_mul(1000),
    };
    let (spool, damage) =
        Spool::open(&args.spool, settings, Arc::clone(&counters)).map_err(|error| {
            CliError::Start {
                what: format!("open the journal {}", args.spool.join("journal").display()),
                error,
            }
        })?;
    for bad in &damage {
        eprintln!(
            "{}",
            escape_controls(&format!(
                "zoom-qos serve: {} at byte {}: {}; the records after it in that file are not read",
                bad.file.display(),
                bad.offset,
                bad.why
            ))
        );
    }
    let meetings = spool.meetings();
    let (writer, queue) = std::sync::mpsc::sync_channel(QUEUE);
    let writing = std::thread::Builder::new()
        .name("spool".to_owned())
        .spawn(move || spool.run(&queue, now_ms))
        .map_err(|error| CliError::Start {
            what: "start the spool's writer thread".to_owned(),
            error,
        })?;
    let shared = Arc::new(Shared {
        secret,
        writer,
        meetings,
        counters: Arc::clone(&counters),
        outcomes: std::array::from_fn(|_| Default::default()),
        replays: std::sync::Mutex::new(Seen::new(REPLAY_MS)),
        reading: tokio::sync::Semaphore::new(http::BODIES_AT_ONCE),
        max_body: args.max_body_kib.saturating_mul(1024),
        analysis,
        window_s: args.window,
        top: args.top,
        clock: now_ms,
    });
    debug_assert_eq!(shared.outcomes.len(), OUTCOMES.len());
    let stop = Arc::new(AtomicBool::new(false));
    #[cfg(feature = "fetch")]
    let polling = if args.poll {
        Some(start_polling(&args, &shared, Arc::clone(&stop))?)
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_io()
        .enable_time()
        .build()
        .map_err(|error| CliError::Start {
            what: "start the HTTP runtime".to_owned(),
            error,
        })?;
    {
        let stop = Arc::clone(&stop);
        // Ctrl-C: stop taking connections; what the writer holds is synced and answered.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(args.listen))
        .map_err(|error| CliError::Start {
            what: format!("listen on {} (--listen)", args.listen),
            error,
        })?;
    let bound = listener.local_addr().map_or(args.listen, |a| a);
    eprintln!(
        "{}",
        escape_controls(&format!(
            "zoom-qos serve: listening on http://{bound} (POST /webhook, GET /metrics, GET /healthz); spool {}; {} events read back from the journal",
            args.spool.display(),
            counters.recovered.load(Ordering::Relaxed)
        ))
    );
    runtime.block_on(accept(listener, Arc::clone(&shared), &stop));
    #[cfg(feature = "fetch")]
    if let Some(polling) = polling {
        let _ = polling.join();
    }
    // Dropping the last sender ends the writer once it has answered what it holds.
    drop(shared);
    runtime.shutdown_timeout(Duration::from_secs(5));
    let _ = writing.join();
    eprintln!("zoom-qos serve: stopped; open meetings stay in the journal for the next start");
    Ok(Done::Clean)
}

/// Starts the poller on a thread of its own: the API client (one gate, one token) from
/// the credentials `fetch` reads, the budget from `--daily-budget` or the plan.
#[cfg(feature = "fetch")]
fn start_polling(
    args: &ServeArgs,
    shared: &Shared,
    stop: Arc<AtomicBool>,
) -> Result<std::thread::JoinHandle<()>, CliError> {
    use crate::serve::poll::{Planner, Poller, WallClock, default_budget};
    use zoom_qos::client::Client;

    super::fetch::check_bases(&[
        ("--api-base", &args.api_base),
        ("--oauth-base", &args.oauth_base),
    ])?;
    let auth = crate::fetch::auth_from_env(|name| std::env::var(name).ok())?;
    let budget = args
        .daily_budget
        .or_else(|| default_budget(&args.plan))
        .ok_or_else(|| CliError::Usage(format!("--plan {}: pro or business", args.plan)))?;
    let client = Client::new(auth)
        .api_base(args.api_base.clone())
        .oauth_base(args.oauth_base.clone())
        .retry_policy(super::fetch::retry_policy(
            std::env::var(super::fetch::TEST_RETRY_MS).ok(),
        ))
        .rate(Some(args.rate));
    let writer = shared.writer.clone();
    let analysis = shared.analysis.clone();
    let min_interval_s = args.poll_every;
    eprintln!(
        "zoom-qos serve: polling the live meetings within {budget} requests a UTC day, each at most every {min_interval_s} s"
    );
    std::thread::Builder::new()
        .name("poll".to_owned())
        .spawn(move || {
            let mut poller = Poller {
                planner: Planner::new(budget, min_interval_s),
                client: &client,
                writer,
                analysis,
            };
            poller.run(&WallClock, &stop, i64::MAX);
        })
        .map_err(|error| CliError::Start {
            what: "start the poller's thread".to_owned(),
            error,
        })
}

/// Takes connections until `stop` is set.
async fn accept(listener: tokio::net::TcpListener, shared: Arc<Shared>, stop: &AtomicBool) {
    let mut said = (std::time::Instant::now(), String::new());
    while !stop.load(Ordering::SeqCst) {
        if said.0.elapsed() >= STATUS_EVERY {
            let line = status_line(&shared);
            if line != said.1 {
                eprintln!("{line}");
            }
            said = (std::time::Instant::now(), line);
        }
        let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        let Ok(Ok((stream, _))) = accepted else {
            continue;
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| http::handle(request, Arc::clone(&shared)));
            // A client that sends its headers slowly (or never) is dropped.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// How often the status line is written (when it changed).
const STATUS_EVERY: Duration = Duration::from_secs(60);

/// What `serve` has done so far, in one line for its log: the answers by kind, the live
/// meetings, the closed ones.
fn status_line(shared: &Shared) -> String {
    let count = |outcome: &str| {
        OUTCOMES
            .iter()
            .position(|o| *o == outcome)
            .map_or(0, |i| shared.outcomes[i].load(Ordering::Relaxed))
    };
    let refused: u64 = REFUSED.iter().map(|o| count(o)).sum();
    let (meetings, participants) = {
        let live = crate::serve::spool::lock(&shared.meetings);
        (
            live.len(),
            live.values().map(|m| m.participants()).sum::<usize>(),
        )
    };
    format!(
        "zoom-qos serve: {} events stored, {} duplicates, {refused} refused, {} not stored (503); {meetings} open meetings, {participants} participants; {} meetings closed into folders",
        count("stored"),
        count("duplicate"),
        count("unavailable"),
        shared.counters.closed.load(Ordering::Relaxed)
    )
}

/// The secret token: from `--secret-file`, else the environment variable.
fn read_secret(file: Option<&Path>) -> Result<Secret, CliError> {
    let token = match file {
        Some(path) => std::fs::read_to_string(path).map_err(|error| CliError::Read {
            path: path.to_owned(),
            error,
        })?,
        None => std::env::var(SECRET_VARIABLE).map_err(|_| {
            CliError::Credentials(format!(
                "no webhook secret token: set {SECRET_VARIABLE} or give --secret-file FILE (the token from the Zoom app's Feature page)"
            ))
        })?,
    };
    Secret::new(&token).map_err(CliError::Credentials)
}

/// The wall clock, in ms since the epoch.
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
