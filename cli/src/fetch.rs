//! `zoom-qos fetch`: pages from the Zoom API, written in the layout `analyze` reads.

use std::fs;
use std::path::{Path, PathBuf};

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use zoom_qos::ErrorKind;
use zoom_qos::client::{
    Auth, Client, Day, Endpoint, Kind, ListedMeeting, MAX_PAGE_SIZE, QosType, Query,
};

/// Where the credentials come from: `ZOOM_ACCESS_TOKEN`, or Server-to-Server OAuth from
/// `ZOOM_ACCOUNT_ID`, `ZOOM_CLIENT_ID` and `ZOOM_CLIENT_SECRET`.
pub fn auth_from_env(var: impl Fn(&str) -> Option<String>) -> Result<Auth, String> {
    let var = |name: &str| var(name).filter(|value| !value.is_empty());
    if let Some(token) = var("ZOOM_ACCESS_TOKEN") {
        return Ok(Auth::Token(token));
    }
    const S2S: [&str; 3] = ["ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"];
    match S2S.map(var) {
        [Some(account_id), Some(client_id), Some(client_secret)] => Ok(Auth::ServerToServer {
            account_id,
            client_id,
            client_secret,
        }),
        values if values.iter().all(Option::is_none) => Err(
            "no credentials: set ZOOM_ACCESS_TOKEN, or ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and \
             ZOOM_CLIENT_SECRET (Server-to-Server OAuth)"
                .to_owned(),
        ),
        values => {
            let missing: Vec<&str> = S2S
                .iter()
                .zip(&values)
                .filter(|(_, value)| value.is_none())
                .map(|(name, _)| *name)
                .collect();
            Err(format!(
                "{} not set: Server-to-Server OAuth needs ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and \
                 ZOOM_CLIENT_SECRET (or set ZOOM_ACCESS_TOKEN)",
                missing.join(" and ")
            ))
        }
    }
}

/// Waits before a retry, saying so on stderr when it is a terminal (the API's rate limit
/// or a server error asked for it).
pub fn sleep_showing_retries(wait: std::time::Duration) {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprintln!(
            "zoom-qos: the API asked to slow down or failed; retrying in {:.1} s",
            wait.as_secs_f64()
        );
    }
    std::thread::sleep(wait);
}

/// What to fetch.
#[derive(Clone, Debug)]
pub struct Request {
    /// The meeting or webinar ID or UUID.
    pub meeting: String,
    /// A webinar rather than a meeting.
    pub webinar: bool,
    /// `past`, `pastOne` or `live`.
    pub qos_type: QosType,
    /// 1 to 10.
    pub page_size: u8,
    /// One participant's QoS instead of the list.
    pub participant: Option<String>,
    /// The `qos_summary` endpoint instead of the per-minute samples.
    pub summary: bool,
}

/// Fetches every page, then writes them to `out/<folder>/page-NNN.json`, unchanged, the
/// folder replaced whole ([`write_folder`]); `qos_summary` pages go to a folder of their
/// own (`<folder>-summary`), never beside per-minute pages. Returns the folder written.
pub fn fetch(client: &Client, request: &Request, out: &Path) -> Result<PathBuf, String> {
    let kind = if request.webinar {
        Kind::Webinar
    } else {
        Kind::Meeting
    };
    let id = request.meeting.clone();
    let endpoint = match (&request.participant, request.summary) {
        (Some(participant), _) => Endpoint::ParticipantQos {
            kind,
            id,
            participant: participant.clone(),
        },
        (None, true) => Endpoint::ParticipantsQosSummary { kind, id },
        (None, false) => Endpoint::ParticipantsQos { kind, id },
    };
    let query = Query::new(request.qos_type, request.page_size).map_err(|e| e.to_string())?;
    // The whole chain first: page tokens expire after 15 minutes.
    let pages = client.fetch(&endpoint, &query).map_err(|e| e.to_string())?;
    let mut name = folder_name(&request.meeting);
    if request.summary {
        name.push_str("-summary");
    }
    write_folder(out, &name, &pages, None).map_err(|(path, e)| format!("{}: {e}", path.display()))
}

/// A folder name for a meeting ID or UUID given to `fetch --meeting`: a meeting number as
/// it is; anything else `u` and its [`base32`] (UUIDs hold `/`, `+`, `=` and differ by
/// letter case).
pub fn folder_name(meeting: &str) -> String {
    if !meeting.is_empty() && meeting.bytes().all(|b| b.is_ascii_digit()) {
        meeting.to_owned()
    } else {
        format!("u{}", base32(meeting.as_bytes()))
    }
}

/// A listed instance's folder name: its meeting number, `-`, and its UUID in
/// [`base32`]. Distinct UUIDs give distinct names, also where `A` and `a` are one letter
/// (macOS, Windows), and every character is one that every file system takes.
pub fn instance_folder_name(meeting: &ListedMeeting) -> String {
    format!("{}-{}", meeting.id, base32(meeting.uuid.as_bytes()))
}

/// RFC 4648 base 32 in lower case, without padding: reversible, so collision-free, and
/// with no two characters that differ only by case.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Writes a meeting's folder `out/name` whole: its pages (`page-NNN.json`) and its
/// description (`meeting.json`, last) into a hidden sibling, each file synced, then
/// renamed into place. A folder already there is replaced whole: no page of an earlier,
/// longer chain survives. A run killed before the rename leaves only the hidden sibling,
/// which `analyze` skips and the next run replaces.
///
/// # Errors
/// The path that could not be written, and why.
pub fn write_folder(
    out: &Path,
    name: &str,
    pages: &[Vec<u8>],
    description: Option<&[u8]>,
) -> Result<PathBuf, (PathBuf, std::io::Error)> {
    let at = |path: &Path| {
        let path = path.to_owned();
        move |e| (path, e)
    };
    fs::create_dir_all(out).map_err(at(out))?;
    let pid = std::process::id();
    let partial = out.join(format!(".{name}.partial-{pid}"));
    let _ = fs::remove_dir_all(&partial);
    fs::create_dir(&partial).map_err(at(&partial))?;
    let files = pages
        .iter()
        .enumerate()
        .map(|(index, page)| (format!("page-{index:03}.json"), page.as_slice()))
        .chain(description.map(|d| ("meeting.json".to_owned(), d)));
    for (file, bytes) in files {
        let path = partial.join(file);
        let written = fs::File::create(&path).and_then(|mut f| {
            std::io::Write::write_all(&mut f, bytes)?;
            f.sync_all()
        });
        if let Err(error) = written {
            let _ = fs::remove_dir_all(&partial);
            return Err((path, error));
        }
    }
    let folder = out.join(name);
    // A folder cannot be renamed over a non-empty one: the old one steps aside first.
    let old = out.join(format!(".{name}.old-{pid}"));
    let had_old = match fs::rename(&folder, &old) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err((folder, e)),
    };
    fs::rename(&partial, &folder).map_err(at(&folder))?;
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(folder)
}

/// What `fetch --from ... --to ...` (or `--type live` without dates) fetches.
#[derive(Clone, Debug)]
pub struct AccountRequest {
    /// Webinars rather than meetings.
    pub webinar: bool,
    /// `past`, `pastOne` or `live`.
    pub qos_type: QosType,
    /// The UTC dates, both included; `None` for the live instances.
    pub range: Option<(Day, Day)>,
    /// Fetch instances whose folder is already complete again.
    pub refetch: bool,
    /// Instances in flight at once (at least 1).
    pub jobs: usize,
}

/// How an account fetch went.
#[derive(Debug, Default)]
pub struct AccountFetch {
    /// Instances listed (each once).
    pub listed: usize,
    /// Folders written.
    pub fetched: usize,
    /// Instances already complete, not requested again.
    pub skipped: usize,
    /// Instances that failed, with why (the others went on).
    pub failed: Vec<(ListedMeeting, String)>,
    /// Zoom's daily limit stopped the run: why, in words. Instances not complete are left
    /// for the next run.
    pub daily_limit: Option<String>,
    /// Instances neither complete nor failed (the daily limit came first).
    pub left: usize,
}

/// Counters behind `fetch`'s progress line.
#[derive(Debug, Default)]
pub struct FetchProgress {
    /// Instances to fetch (listed, less those already complete).
    pub total: AtomicUsize,
    /// Instances done (written or failed).
    pub done: AtomicUsize,
}

/// `fetch`'s progress line: instances done, pages, requests a second, 429s, and the time
/// left at the pace so far.
pub fn progress_line(
    progress: &FetchProgress,
    counters: zoom_qos::client::Counters,
    elapsed_s: f64,
    columns: usize,
) -> String {
    let (done, total) = (
        progress.done.load(Ordering::Relaxed),
        progress.total.load(Ordering::Relaxed),
    );
    let eta = if done == 0 {
        "time left unknown".to_owned()
    } else {
        let left_s = elapsed_s / done as f64 * total.saturating_sub(done) as f64;
        format!("{} left", crate::progress::duration(left_s))
    };
    crate::progress::fit(
        [
            format!("{done}/{total} meetings"),
            format!("{} pages", counters.pages),
            format!(
                "{:.1} requests/s",
                counters.requests as f64 / elapsed_s.max(1e-9)
            ),
            format!("{} rate-limited", counters.rate_limited),
            eta,
        ],
        columns,
    )
}

/// Lists the account's instances, then fetches each one's QoS chain by UUID into its own
/// folder ([`instance_folder_name`]), with its list entry as `meeting.json`, `jobs` at a
/// time; the client's gate keeps every request within the rate. An instance whose folder
/// is complete (its `meeting.json` names the same UUID) is skipped without a request,
/// unless `refetch` (or `type=live`: a live meeting goes on). Zoom's daily limit stops every request at once: what is complete
/// stays written.
///
/// # Errors
/// The listing failed (nothing was fetched); a failed instance is in
/// [`AccountFetch::failed`] instead.
pub fn fetch_account(
    client: &Client,
    request: &AccountRequest,
    today: Day,
    out: &Path,
    progress: &FetchProgress,
) -> Result<AccountFetch, String> {
    let kind = if request.webinar {
        Kind::Webinar
    } else {
        Kind::Meeting
    };
    let listed = match client.list(kind, request.qos_type, request.range, today) {
        Ok(listed) => listed,
        Err(error) if matches!(error.kind(), ErrorKind::DailyLimit { .. }) => {
            return Ok(AccountFetch {
                daily_limit: Some(error.to_string()),
                ..AccountFetch::default()
            });
        }
        Err(error) => return Err(error.to_string()),
    };
    remove_leftovers(out);
    let mut done = AccountFetch {
        listed: listed.len(),
        ..AccountFetch::default()
    };
    let (todo, complete): (Vec<ListedMeeting>, Vec<ListedMeeting>) =
        listed.into_iter().partition(|m| {
            request.refetch || !is_complete(&out.join(instance_folder_name(m)), &m.uuid)
        });
    done.skipped = complete.len();
    progress.total.store(todo.len(), Ordering::Relaxed);
    let query = Query::new(request.qos_type, MAX_PAGE_SIZE).map_err(|e| e.to_string())?;
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<(usize, Result<(), Failure>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..request.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(meeting) = todo.get(index) else {
                        break;
                    };
                    let outcome = fetch_instance(client, kind, &query, meeting, out);
                    let stop = matches!(outcome, Err(Failure::DailyLimit(_)));
                    progress.done.fetch_add(1, Ordering::Relaxed);
                    if let Ok(mut outcomes) = outcomes.lock() {
                        outcomes.push((index, outcome));
                    }
                    if stop {
                        break;
                    }
                }
            });
        }
    });
    let mut finished = vec![false; todo.len()];
    for (index, outcome) in outcomes.into_inner().unwrap_or_default() {
        match outcome {
            Ok(()) => {
                done.fetched += 1;
                finished[index] = true;
            }
            Err(Failure::DailyLimit(why)) => {
                done.daily_limit.get_or_insert(why);
            }
            Err(Failure::Failed(why)) => {
                done.failed.push((todo[index].clone(), why));
                finished[index] = true;
            }
        }
    }
    done.left = finished.iter().filter(|f| !**f).count();
    Ok(done)
}

/// Why an instance is not written.
enum Failure {
    /// Zoom's daily limit: the run stops; the instance is left for the next.
    DailyLimit(String),
    /// Anything else: the instance is listed as failed; the others go on.
    Failed(String),
}

/// One instance: its chain, then its folder.
fn fetch_instance(
    client: &Client,
    kind: Kind,
    query: &Query,
    meeting: &ListedMeeting,
    out: &Path,
) -> Result<(), Failure> {
    let endpoint = Endpoint::ParticipantsQos {
        kind,
        id: meeting.uuid.clone(),
    };
    let pages = client
        .fetch(&endpoint, query)
        .map_err(|error| match error.kind() {
            ErrorKind::DailyLimit { .. } => Failure::DailyLimit(error.to_string()),
            _ => Failure::Failed(error.to_string()),
        })?;
    let description = serde_json::to_vec_pretty(&meeting.entry)
        .map_err(|e| Failure::Failed(format!("meeting.json: {e}")))?;
    write_folder(
        out,
        &instance_folder_name(meeting),
        &pages,
        Some(&description),
    )
    .map(|_| ())
    .map_err(|(path, e)| Failure::Failed(format!("cannot write {}: {e}", path.display())))
}

/// Removes what an earlier run killed mid-way left: its hidden `.NAME.partial-PID` and
/// `.NAME.old-PID` folders ([`write_folder`]). One fetch at a time per folder.
fn remove_leftovers(out: &Path) {
    let Ok(entries) = fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with('.')
            && [".partial-", ".old-"].iter().any(|mark| {
                name.rsplit_once(mark).is_some_and(|(_, pid)| {
                    !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
                })
            });
        if ours {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether `folder` holds a complete instance: folders are renamed into place whole, so
/// one whose `meeting.json` names `uuid` has every page.
pub fn is_complete(folder: &Path, uuid: &str) -> bool {
    fs::read(folder.join("meeting.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|d| d.get("uuid").and_then(|u| u.as_str()) == Some(uuid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_distinct_for_uuids_that_differ_by_case_or_punctuation() {
        assert_eq!(folder_name("85746065432"), "85746065432");
        // RFC 4648's test vectors, in lower case and without padding.
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
        assert_eq!(base32(b"fo"), "mzxq");
        assert_eq!(base32(b""), "");
        let uuids = ["ab+c/d==", "ab/c+d==", "AB+c/d==", "ab_c_d==", "..", "/x"];
        let names: std::collections::HashSet<String> = uuids
            .iter()
            .map(|u| folder_name(u).to_lowercase())
            .collect();
        assert_eq!(names.len(), uuids.len(), "{names:?}");
        assert!(names.iter().all(|n| {
            n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }));
        let listed = ListedMeeting {
            uuid: "4444AAAiAAAAAiAiAiiAii==".into(),
            id: 85746065432,
            ..ListedMeeting::default()
        };
        assert!(instance_folder_name(&listed).starts_with("85746065432-"));
    }

    #[test]
    fn the_progress_line_tells_meetings_pages_rate_and_time_left() {
        let progress = FetchProgress::default();
        progress.total.store(200, Ordering::Relaxed);
        progress.done.store(50, Ordering::Relaxed);
        let counters = zoom_qos::client::Counters {
            requests: 160,
            pages: 150,
            rate_limited: 2,
        };
        // 50 of 200 in 20 s: 150 left at 2.5 a second, 60 s.
        assert_eq!(
            progress_line(&progress, counters, 20.0, 120),
            "50/200 meetings, 150 pages, 8.0 requests/s, 2 rate-limited, 1 min 00 s left"
        );
        assert_eq!(
            progress_line(&progress, counters, 20.0, 40),
            "50/200 meetings, 150 pages"
        );
        progress.done.store(0, Ordering::Relaxed);
        assert!(progress_line(&progress, counters, 1.0, 120).ends_with("time left unknown"));
    }

    #[test]
    fn credentials_come_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(matches!(
            auth_from_env(env(&[("ZOOM_ACCESS_TOKEN", "t")])),
            Ok(Auth::Token(_))
        ));
        const S2S: [(&str, &str); 3] = [
            ("ZOOM_ACCOUNT_ID", "a"),
            ("ZOOM_CLIENT_ID", "c"),
            ("ZOOM_CLIENT_SECRET", "s"),
        ];
        assert!(matches!(
            auth_from_env(env(&S2S)),
            Ok(Auth::ServerToServer { .. })
        ));
        let missing = auth_from_env(env(&[("ZOOM_CLIENT_ID", "c")])).expect_err("incomplete");
        assert!(
            missing.starts_with("ZOOM_ACCOUNT_ID and ZOOM_CLIENT_SECRET not set"),
            "{missing}"
        );
        let none = auth_from_env(env(&[])).expect_err("nothing set");
        assert!(none.contains("ZOOM_ACCESS_TOKEN"), "{none}");
    }
}
