//! `zoom-qos fetch`: pages from the Zoom API, written in the layout `analyze` reads.

use std::fs;
use std::path::{Path, PathBuf};

use zoom_qos::client::{Auth, Client, Endpoint, Kind, QosType, Query};

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

/// Fetches every page, then writes them to `out/<meeting>/page-NNN.json`, unchanged.
/// Returns the folder written.
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
    let folder = out.join(folder_name(&request.meeting));
    fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for (index, page) in pages.iter().enumerate() {
        let path = folder.join(format!("page-{index:03}.json"));
        fs::write(&path, page).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(folder)
}

/// A folder name for a meeting ID or UUID (which may hold `/`, `+`, `=`).
pub fn folder_name(meeting: &str) -> String {
    let name: String = meeting
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.trim_matches('.').is_empty() {
        "meeting".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_safe() {
        assert_eq!(folder_name("85746065432"), "85746065432");
        assert_eq!(folder_name("/ab//c+d=="), "_ab__c_d__");
        assert_eq!(folder_name(".."), "meeting");
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
