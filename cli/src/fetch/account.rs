//! An account's instances: listed, then fetched `jobs` at a time into their own folders,
//! with the progress line's counters.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use zoom_qos::client::{
    Client, Day, Endpoint, Kind, ListedMeeting, MAX_PAGE_SIZE, QosType, Query, RefusedEntry,
};

use super::{instance_folder_name, remove_leftovers, write_chain};
use crate::atomic::WriteError;
use crate::error::{CliError, is_daily_limit};

/// What `fetch --from ... --to ...` (or `--type live` without dates) fetches.
#[derive(Clone, Debug)]
pub struct AccountRequest {
    /// Meetings, webinars or Video SDK sessions.
    pub kind: Kind,
    /// `past`, `pastOne` or `live`.
    pub qos_type: QosType,
    /// The UTC date windows to list (see [`zoom_qos::client::month_windows`]); `None`
    /// for the live instances.
    pub windows: Option<Vec<(Day, Day)>>,
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
    pub failed: Vec<(ListedMeeting, InstanceError)>,
    /// List entries that named no instance (no UUID, an id that is not a number), with why.
    pub refused: Vec<RefusedEntry>,
    /// Zoom's daily limit stopped the run (the error that said so). Instances not complete
    /// are left for the next run.
    pub daily_limit: Option<zoom_qos::Error>,
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

/// Why an instance was not written.
#[derive(Debug)]
pub enum InstanceError {
    /// The API refused or could not be reached (Zoom's daily limit among them).
    Api(zoom_qos::Error),
    /// Its list entry could not be written as `meeting.json`.
    Describe(serde_json::Error),
    /// Its folder could not be written.
    Write(WriteError),
    /// Its folder holds files or folders this command did not write: it is left alone.
    Foreign {
        /// The folder.
        folder: PathBuf,
        /// What is there that is not ours.
        entries: Vec<String>,
    },
}

impl From<zoom_qos::Error> for InstanceError {
    fn from(error: zoom_qos::Error) -> Self {
        InstanceError::Api(error)
    }
}

impl From<WriteError> for InstanceError {
    fn from(error: WriteError) -> Self {
        InstanceError::Write(error)
    }
}

impl fmt::Display for InstanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceError::Api(error) => error.fmt(f),
            InstanceError::Describe(error) => write!(f, "meeting.json: {error}"),
            InstanceError::Write(WriteError { path, error }) => {
                write!(f, "cannot write {}: {error}", path.display())
            }
            InstanceError::Foreign { folder, entries } => {
                write!(f, "{}: {}", folder.display(), foreign_why(entries))
            }
        }
    }
}

/// Why a folder holding `entries` that are not ours is left alone.
pub fn foreign_why(entries: &[String]) -> String {
    format!(
        "holds what zoom-qos did not write ({}): left as it is; move that away to fetch this \
         meeting again",
        entries.join(", ")
    )
}

/// Lists the account's instances, then fetches each one's QoS chain by UUID into its own
/// folder ([`instance_folder_name`]), with its list entry as `meeting.json`, `jobs` at a
/// time; the client's gate keeps every request within the rate. An instance whose folder
/// is complete (its `meeting.json` names the same UUID) is skipped without a request,
/// unless `refetch` (or `type=live`: a live meeting goes on). Zoom's daily limit stops
/// every request at once, and `stop` (Ctrl-C) stops starting instances: what is complete
/// stays written, and the instances not started are [`AccountFetch::left`].
///
/// # Errors
/// The listing failed (nothing was fetched): [`CliError::Api`]; a failed instance is in
/// [`AccountFetch::failed`] instead.
pub fn fetch_account(
    client: &Client,
    request: &AccountRequest,
    out: &Path,
    progress: &FetchProgress,
    stop: &AtomicBool,
) -> Result<AccountFetch, CliError> {
    let kind = request.kind;
    let (listed, refused) = match client.list(kind, request.qos_type, request.windows.clone()) {
        Ok(listed) => listed,
        Err(error) if is_daily_limit(&error) => {
            return Ok(AccountFetch {
                daily_limit: Some(error),
                ..AccountFetch::default()
            });
        }
        Err(error) => return Err(CliError::Api(error)),
    };
    remove_leftovers(out);
    let mut done = AccountFetch {
        listed: listed.len() + refused.len(),
        refused,
        ..AccountFetch::default()
    };
    let (todo, complete): (Vec<ListedMeeting>, Vec<ListedMeeting>) =
        listed.into_iter().partition(|m| {
            request.refetch || !is_complete(kind, &out.join(instance_folder_name(kind, m)), &m.uuid)
        });
    done.skipped = complete.len();
    progress.total.store(todo.len(), Ordering::Relaxed);
    let query = Query::new(request.qos_type, MAX_PAGE_SIZE).map_err(CliError::Api)?;
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<(usize, Result<(), InstanceError>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..request.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    // Ctrl-C: no new instance; those in flight finish.
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(meeting) = todo.get(index) else {
                        break;
                    };
                    let outcome = fetch_instance(client, kind, &query, meeting, out);
                    let stop = matches!(&outcome, Err(error) if stops_the_run(error));
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
            Err(InstanceError::Api(error)) if is_daily_limit(&error) => {
                done.daily_limit.get_or_insert(error);
            }
            Err(error) => {
                done.failed.push((todo[index].clone(), error));
                finished[index] = true;
            }
        }
    }
    done.left = finished.iter().filter(|f| !**f).count();
    Ok(done)
}

/// Whether an instance met Zoom's daily limit: the run stops, and the instance is left
/// for the next (any other failure is listed, and the others go on).
fn stops_the_run(error: &InstanceError) -> bool {
    matches!(error, InstanceError::Api(e) if is_daily_limit(e))
}

/// One instance: its chain, written into its folder as it comes.
fn fetch_instance(
    client: &Client,
    kind: Kind,
    query: &Query,
    meeting: &ListedMeeting,
    out: &Path,
) -> Result<(), InstanceError> {
    let endpoint = Endpoint::ParticipantsQos {
        kind,
        id: meeting.uuid.clone(),
    };
    let target = out.join(instance_folder_name(kind, meeting));
    write_chain(client, &endpoint, query, meeting, &target).map(|_| ())
}

/// Whether `folder` holds a complete instance of `kind`: folders are renamed into place
/// whole, so one whose `meeting.json` names `uuid` has every page.
pub fn is_complete(kind: Kind, folder: &Path, uuid: &str) -> bool {
    fs::read(folder.join("meeting.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|entry| ListedMeeting::of_kind(kind, entry).ok())
        .is_some_and(|described| described.uuid == uuid)
}
