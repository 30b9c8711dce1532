//! `zoom-qos fetch`: pages from the Zoom API, written in the layout `analyze` reads.

use std::fs;
use std::path::{Path, PathBuf};

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
pub fn fetch(client: &mut Client, request: &Request, out: &Path) -> Result<PathBuf, String> {
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
}

/// Lists the account's instances, then fetches each one's QoS chain by UUID into its own
/// folder ([`instance_folder_name`]), with its list entry as `meeting.json`. An instance
/// whose folder is complete (its `meeting.json` names the same UUID) is skipped without a
/// request, unless `refetch`.
///
/// # Errors
/// The listing failed (nothing was fetched); a failed instance is in
/// [`AccountFetch::failed`] instead.
pub fn fetch_account(
    client: &mut Client,
    request: &AccountRequest,
    today: Day,
    out: &Path,
) -> Result<AccountFetch, String> {
    let kind = if request.webinar {
        Kind::Webinar
    } else {
        Kind::Meeting
    };
    let listed = client
        .list(kind, request.qos_type, request.range, today)
        .map_err(|e| e.to_string())?;
    let mut done = AccountFetch {
        listed: listed.len(),
        ..AccountFetch::default()
    };
    let query = Query::new(request.qos_type, MAX_PAGE_SIZE).map_err(|e| e.to_string())?;
    for meeting in listed {
        let name = instance_folder_name(&meeting);
        if !request.refetch && is_complete(&out.join(&name), &meeting.uuid) {
            done.skipped += 1;
            continue;
        }
        let endpoint = Endpoint::ParticipantsQos {
            kind,
            id: meeting.uuid.clone(),
        };
        let written = client
            .fetch(&endpoint, &query)
            .map_err(|e| e.to_string())
            .and_then(|pages| {
                let description = serde_json::to_vec_pretty(&meeting).map_err(|e| e.to_string())?;
                write_folder(out, &name, &pages, Some(&description))
                    .map_err(|(path, e)| format!("{}: {e}", path.display()))
            });
        match written {
            Ok(_) => done.fetched += 1,
            Err(message) => done.failed.push((meeting, message)),
        }
    }
    Ok(done)
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
