//! `zoom-qos fetch`: pages from the Zoom API, written in the layout `analyze` reads.

use std::fs;
use std::path::{Path, PathBuf};

use zoom_qos::client::{Auth, Client, Endpoint, Kind, QosType, Query};

/// Where the credentials come from: `ZOOM_ACCESS_TOKEN`, or Server-to-Server OAuth from
/// `ZOOM_ACCOUNT_ID`, `ZOOM_CLIENT_ID` and `ZOOM_CLIENT_SECRET`.
pub fn auth_from_env(var: impl Fn(&str) -> Option<String>) -> Result<Auth, String> {
    if let Some(token) = var("ZOOM_ACCESS_TOKEN").filter(|t| !t.is_empty()) {
        return Ok(Auth::Token(token));
    }
    match (
        var("ZOOM_ACCOUNT_ID"),
        var("ZOOM_CLIENT_ID"),
        var("ZOOM_CLIENT_SECRET"),
    ) {
        (Some(account_id), Some(client_id), Some(client_secret)) => Ok(Auth::ServerToServer {
            account_id,
            client_id,
            client_secret,
        }),
        _ => Err(
            "set ZOOM_ACCESS_TOKEN, or ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET"
                .to_owned(),
        ),
    }
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
        assert!(auth_from_env(env(&[("ZOOM_CLIENT_ID", "c")])).is_err());
    }
}
