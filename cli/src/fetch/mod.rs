//! Fetching from the Zoom API: one meeting's pages, or an account's instances, written
//! by the [atomic writer](crate::atomic) in the layout `analyze` reads.

mod account;

use std::path::{Path, PathBuf};

pub use self::account::{
    AccountFetch, AccountRequest, FetchProgress, InstanceError, fetch_account, is_complete,
    progress_line,
};
use crate::atomic::{StagedFolder, temporary_owner};
use crate::error::CliError;
use zoom_qos::client::{Auth, Client, Endpoint, Kind, ListedMeeting, QosType, Query};

/// Where the credentials come from: `ZOOM_ACCESS_TOKEN`, or Server-to-Server OAuth from
/// `ZOOM_ACCOUNT_ID`, `ZOOM_CLIENT_ID` and `ZOOM_CLIENT_SECRET`.
///
/// # Errors
/// [`CliError::Credentials`]: none set, or Server-to-Server OAuth's only in part.
pub fn auth_from_env(var: impl Fn(&str) -> Option<String>) -> Result<Auth, CliError> {
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
        values if values.iter().all(Option::is_none) => Err(CliError::Credentials(
            "no credentials: set ZOOM_ACCESS_TOKEN, or ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and \
             ZOOM_CLIENT_SECRET (Server-to-Server OAuth)"
                .to_owned(),
        )),
        values => {
            let missing: Vec<&str> = S2S
                .iter()
                .zip(&values)
                .filter(|(_, value)| value.is_none())
                .map(|(name, _)| *name)
                .collect();
            Err(CliError::Credentials(format!(
                "{} not set: Server-to-Server OAuth needs ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and \
                 ZOOM_CLIENT_SECRET (or set ZOOM_ACCESS_TOKEN)",
                missing.join(" and ")
            )))
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
    /// The meeting or webinar ID or UUID, or the session ID.
    pub meeting: String,
    /// Meeting, webinar or Video SDK session.
    pub kind: Kind,
    /// `past`, `pastOne` or `live`.
    pub qos_type: QosType,
    /// 1 to 10.
    pub page_size: u8,
    /// One participant's QoS instead of the list.
    pub participant: Option<String>,
    /// The `qos_summary` endpoint instead of the per-minute samples.
    pub summary: bool,
}

/// Fetches the instance that `request.meeting` names (a meeting number names its latest
/// instance) into its own folder, named by its UUID as the account mode names it
/// ([`instance_folder_name`]), with Zoom's description of it as `meeting.json`: a recurring
/// meeting's instances never overwrite each other. `qos_summary` pages go to
/// `<folder>-summary`, one participant's to `<folder>-participant-<base32 id>`, never
/// beside the per-minute pages. Returns the folder written.
///
/// # Errors
/// [`CliError::Api`] (Zoom's daily limit among them), or the folder cannot be written.
pub fn fetch(client: &Client, request: &Request, out: &Path) -> Result<PathBuf, CliError> {
    let kind = request.kind;
    remove_leftovers(out);
    // Which instance, first: its UUID names the folder and is what the QoS is asked by.
    let instance = client
        .instance(kind, request.qos_type, &request.meeting)
        .map_err(CliError::Api)?;
    let id = instance.uuid.clone();
    let mut name = instance_folder_name(kind, &instance);
    let endpoint = match (&request.participant, request.summary) {
        (Some(participant), _) => {
            name.push_str(&format!("-participant-{}", base32(participant.as_bytes())));
            Endpoint::ParticipantQos {
                kind,
                id,
                participant: participant.clone(),
            }
        }
        (None, true) => {
            name.push_str("-summary");
            Endpoint::ParticipantsQosSummary { kind, id }
        }
        (None, false) => Endpoint::ParticipantsQos { kind, id },
    };
    let query = Query::new(request.qos_type, request.page_size).map_err(CliError::Api)?;
    write_chain(client, &endpoint, &query, &instance, &out.join(name)).map_err(
        |error| match error {
            InstanceError::Api(error) => CliError::Api(error),
            InstanceError::Write(error) => error.into(),
            InstanceError::Foreign { folder, entries } => CliError::NotEmpty {
                path: folder,
                why: account::foreign_why(&entries),
            },
            InstanceError::Describe(error) => CliError::Io {
                what: "meeting.json".to_owned(),
                error: error.into(),
            },
        },
    )
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

/// A listed instance's folder name: its meeting number (a Video SDK session, which has
/// none: `session`), `-`, and its UUID in [`base32`]. Distinct UUIDs give distinct names,
/// also where `A` and `a` are one letter (macOS, Windows), and every character is one that
/// every file system takes.
pub fn instance_folder_name(kind: Kind, meeting: &ListedMeeting) -> String {
    let uuid = base32(meeting.uuid.as_bytes());
    match kind {
        Kind::Session => format!("session-{uuid}"),
        _ => format!("{}-{uuid}", meeting.id),
    }
}

pub use crate::names::base32;

/// Fetches `endpoint`'s chain into the folder `target` through the [atomic
/// writer](crate::atomic): each page is written (`page-NNN.json`, unchanged, synced) as it
/// comes, so memory does not grow with the chain; then the instance's description
/// (`meeting.json`, last); then the folder is renamed into place. A folder already there
/// is replaced whole (no page of an earlier, longer chain survives), but only when it holds
/// nothing this command did not write ([`foreign_entries`]). A failed chain leaves no
/// trace, and a run killed before the rename leaves only the hidden temporary folder,
/// which `analyze` skips and the next run removes.
///
/// # Errors
/// The API's error, or the path that could not be written, and why.
pub fn write_chain(
    client: &Client,
    endpoint: &Endpoint,
    query: &Query,
    instance: &ListedMeeting,
    target: &Path,
) -> Result<PathBuf, InstanceError> {
    let foreign = foreign_entries(target);
    if !foreign.is_empty() {
        return Err(InstanceError::Foreign {
            folder: target.to_owned(),
            entries: foreign,
        });
    }
    let description =
        serde_json::to_vec_pretty(&instance.entry).map_err(InstanceError::Describe)?;
    let folder = StagedFolder::new(target)?;
    let mut index = 0usize;
    client.fetch_each(endpoint, query, |page| {
        folder.file(&format!("page-{index:03}.json"), &page)?;
        index += 1;
        Ok::<(), InstanceError>(())
    })?;
    folder.file("meeting.json", &description)?;
    Ok(folder.commit()?)
}

/// Removes what an earlier run killed mid-way left: the [atomic
/// writer](crate::atomic)'s temporary folders (named so that no user folder matches) whose
/// process is gone (the folder's lock keeps a second fetch out; this keeps out also any
/// other writer of ours that is still running).
fn remove_leftovers(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let owner = entry.file_name().to_str().and_then(temporary_owner);
        if owner.is_some_and(owner_is_gone) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether process `pid` has ended (where `/proc` tells; elsewhere it is taken as
/// ended, the folder's lock being the guard).
fn owner_is_gone(pid: u32) -> bool {
    pid == std::process::id() || !Path::new("/proc").join(pid.to_string()).exists()
}

/// What `folder` holds that this command does not write there (anything but
/// `page-NNN.json` and `meeting.json`): a folder holding any is never replaced.
pub fn foreign_entries(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let ours = |name: &str| {
        name == "meeting.json"
            || name
                .strip_prefix("page-")
                .and_then(|rest| rest.strip_suffix(".json"))
                .is_some_and(|n| n.len() >= 3 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut foreign: Vec<String> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let file = entry.file_type().is_ok_and(|t| t.is_file());
            (!(file && ours(&name))).then_some(name)
        })
        .collect();
    foreign.sort();
    foreign
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

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
        assert!(instance_folder_name(Kind::Meeting, &listed).starts_with("85746065432-"));
        assert!(instance_folder_name(Kind::Session, &listed).starts_with("session-"));
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
        let missing = auth_from_env(env(&[("ZOOM_CLIENT_ID", "c")]))
            .expect_err("incomplete")
            .to_string();
        assert!(
            missing.starts_with("ZOOM_ACCOUNT_ID and ZOOM_CLIENT_SECRET not set"),
            "{missing}"
        );
        let none = auth_from_env(env(&[]))
            .expect_err("nothing set")
            .to_string();
        assert!(none.contains("ZOOM_ACCESS_TOKEN"), "{none}");
    }
}
