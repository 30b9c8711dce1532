//! `zoom-qos fetch`: one meeting's pages, or every instance of a date range, from the
//! Zoom API into a folder, with a progress line and a closing tally.

use std::time::Duration;

use zoom_qos::client::{Client, Day, Kind, QosType, RetryPolicy, month_windows};
use zoom_qos::report::escape_controls;

use crate::args::FetchArgs;
use crate::error::{CliError, Done};
use crate::fetch::{self, AccountRequest, FetchProgress, Request};
use crate::lock::FolderLock;
use crate::progress;

/// Runs `fetch`.
///
/// # Errors
/// Usage errors, no credentials, the API's refusal of `--meeting` or of the listing (Zoom's
/// daily limit among them), or a folder that could not be written.
pub fn run(args: FetchArgs) -> Result<Done, CliError> {
    check_bases(&[
        ("--api-base", &args.api_base),
        ("--oauth-base", &args.oauth_base),
    ])?;
    if let Some(meeting) = &args.meeting
        && (meeting.is_empty() || meeting == "." || meeting == ".." || meeting.len() > 100)
    {
        return Err(CliError::Usage(format!(
            "--meeting {meeting:?} is no meeting ID or UUID (Zoom's UUIDs have 24 characters)"
        )));
    }
    if let Some(session) = &args.session
        && (session.is_empty() || session == "." || session == ".." || session.len() > 100)
    {
        return Err(CliError::Usage(format!(
            "--session {session:?} is no session ID (Zoom's have 24 characters)"
        )));
    }
    let kind = if args.session.is_some() || args.sessions {
        Kind::Session
    } else if args.webinar {
        Kind::Webinar
    } else {
        Kind::Meeting
    };
    let auth = fetch::auth_from_env(|name| std::env::var(name).ok())?;
    // One run per folder, taken before any request or change.
    let _owner = FolderLock::take(&args.out)?;
    let qos_type = match args.qos_type.as_str() {
        "live" => QosType::Live,
        "pastOne" => QosType::PastOne,
        _ => QosType::Past,
    };
    let client = Client::new(auth)
        .api_base(args.api_base.clone())
        .oauth_base(args.oauth_base.clone())
        .retry_policy(retry_policy(std::env::var(TEST_RETRY_MS).ok()));
    let Some(meeting) = args.meeting.clone().or(args.session.clone()) else {
        return account(client.rate(Some(args.rate)), kind, qos_type, &args);
    };
    let client = client.sleeper(fetch::sleep_showing_retries);
    let request = Request {
        meeting,
        kind,
        qos_type,
        page_size: args.page_size,
        participant: args.participant,
        summary: args.summary,
    };
    let folder = fetch::fetch(&client, &request, &args.out)?;
    eprintln!("wrote {}", folder.display());
    Ok(Done::Clean)
}

/// For tests only: every retry waits at most this many milliseconds (instead of Zoom's
/// `Retry-After` and a backoff from 1 s), so that a test of the API's faults does not wait
/// for seconds. A real run wants the real waits: Zoom's limits are the account's.
pub const TEST_RETRY_MS: &str = "ZOOM_QOS_TEST_RETRY_MS";

/// The retry policy: the client's default, or [`TEST_RETRY_MS`]'s when it is set.
pub(crate) fn retry_policy(test_ms: Option<String>) -> RetryPolicy {
    match test_ms.and_then(|ms| ms.parse::<u64>().ok()) {
        Some(ms) => RetryPolicy {
            base_delay: Duration::from_millis(ms),
            max_delay: Duration::from_millis(ms),
            ..RetryPolicy::default()
        },
        None => RetryPolicy::default(),
    }
}

/// Base URLs: credentials in one are refused (they would be echoed in messages; the
/// command's come from the environment), and plain HTTP to anything but this machine is
/// said out loud (the token would travel unencrypted).
pub(crate) fn check_bases(bases: &[(&str, &str)]) -> Result<(), CliError> {
    for (flag, base) in bases {
        let rest = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .ok_or_else(|| CliError::Usage(format!("{flag} must start with https://")))?;
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.contains('@') {
            return Err(CliError::Usage(format!(
                "{flag} holds credentials (user@ or user:password@): give them as ZOOM_* \
                 variables instead"
            )));
        }
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host);
        let local = ["127.0.0.1", "localhost", "[::1]"].contains(&host);
        if base.starts_with("http://") && !local {
            eprintln!("zoom-qos: {flag} is plain HTTP: the access token travels unencrypted");
        }
    }
    Ok(())
}

/// `fetch --from ... --to ...`, or `--type live` without dates: the account's instances.
fn account(
    client: Client,
    kind: Kind,
    qos_type: QosType,
    args: &FetchArgs,
) -> Result<Done, CliError> {
    let range = match (&args.from, &args.to) {
        (Some(from), Some(to)) => {
            let day = |text: &str| Day::parse(text).map_err(|e| CliError::Usage(e.to_string()));
            Some((day(from)?, day(to)?))
        }
        _ if qos_type == QosType::Live => None,
        _ => {
            return Err(CliError::Usage(
                "give --meeting or --session, or --from and --to (only --type live lists \
                 without dates)"
                    .to_owned(),
            ));
        }
    };
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let today = Day::of_unix_s(now_s);
    // The range is split into windows once, here, so that a range the API cannot answer is
    // a usage error before any request.
    let windows = range
        .map(|(from, to)| month_windows(from, to, today))
        .transpose()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let request = AccountRequest {
        kind,
        qos_type,
        windows,
        refetch: args.refetch,
        jobs: usize::from(args.jobs),
    };
    let progress = FetchProgress::default();
    let line =
        |elapsed, columns| fetch::progress_line(&progress, client.counters(), elapsed, columns);
    let stop = crate::interrupt::flag();
    let done = progress::with_line(line, || {
        fetch::fetch_account(&client, &request, &args.out, &progress, stop)
    })?;
    for (meeting, error) in &done.failed {
        eprintln!(
            "{}",
            escape_controls(&format!(
                "zoom-qos: meeting {} ({}): {error}",
                meeting.uuid, meeting.topic
            ))
        );
    }
    for refused in &done.refused {
        eprintln!(
            "{}",
            escape_controls(&format!(
                "zoom-qos: a list entry refused ({}): {}",
                refused.why, refused.entry
            ))
        );
    }
    let counters = client.counters();
    eprintln!(
        "zoom-qos: {} instances listed: {} fetched, {} already complete, {} failed{}, in {} \
         ({} requests, {} rate-limited)",
        done.listed,
        done.fetched,
        done.skipped,
        done.failed.len() + done.refused.len(),
        if done.left > 0 {
            format!(", {} left", done.left)
        } else {
            String::new()
        },
        args.out.display(),
        counters.requests,
        counters.rate_limited,
    );
    if stop.load(std::sync::atomic::Ordering::SeqCst) {
        eprintln!(
            "zoom-qos: interrupted: {} of {} meetings complete; run the same command again \
             to resume",
            done.fetched + done.skipped,
            done.listed
        );
        return Ok(Done::Interrupted);
    }
    if let Some(why) = &done.daily_limit {
        eprintln!(
            "zoom-qos: {why}. What is complete is written; run the same command again \
             after the daily reset to fetch the rest."
        );
        return Ok(Done::DailyLimit);
    }
    Ok(if done.failed.is_empty() && done.refused.is_empty() {
        Done::Clean
    } else {
        Done::WriteFailed
    })
}
