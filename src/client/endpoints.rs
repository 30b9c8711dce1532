//! What to request: the QoS endpoints, their paths (encoded as Zoom requires) and queries.

use super::encode;
use super::pages::Expect;
use crate::error::Error;

/// The API's base URL.
pub const DEFAULT_API_BASE: &str = "https://api.zoom.us/v2";
/// The OAuth server's base URL.
pub const DEFAULT_OAUTH_BASE: &str = "https://zoom.us";
/// The API's largest `page_size`.
pub const MAX_PAGE_SIZE: u8 = 10;

/// Meetings, webinars or Video SDK sessions: the endpoints are the same under each, below
/// its own base path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `/metrics/meetings/...`
    Meeting,
    /// `/metrics/webinars/...`
    Webinar,
    /// `/videosdk/sessions/...`: a Video SDK session, whose pages list `users` (the Video
    /// SDK account's own app and token; scopes `videosdk:read:admin`, or the granular
    /// `videosdk:read:list_session_users_qos:admin` and `videosdk:read:list_sessions:admin`).
    Session,
}

impl Kind {
    /// The path that lists this kind's instances, and below which each one is.
    pub(crate) fn base_path(self) -> &'static str {
        match self {
            Kind::Meeting => "/metrics/meetings",
            Kind::Webinar => "/metrics/webinars",
            Kind::Session => "/videosdk/sessions",
        }
    }

    /// What its QoS pages list: `participants`, or a session's `users`.
    fn entries(self) -> &'static str {
        match self {
            Kind::Session => "users",
            Kind::Meeting | Kind::Webinar => "participants",
        }
    }
}

/// A QoS endpoint of the Dashboard API.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Endpoint {
    /// `GET /metrics/{kind}/{id}/participants/qos`: pages of participants.
    ParticipantsQos {
        /// Meeting or webinar.
        kind: Kind,
        /// Its ID or UUID (encoded by the client: pass it as Zoom shows it).
        id: String,
    },
    /// `GET /metrics/{kind}/{id}/participants/{participant}/qos`: one participant, one page.
    ParticipantQos {
        /// Meeting or webinar.
        kind: Kind,
        /// Its ID or UUID.
        id: String,
        /// The participant's ID.
        participant: String,
    },
    /// `GET /metrics/{kind}/{id}/participants/qos_summary`: pages of per-participant
    /// summaries (needs the QSS add-on).
    ParticipantsQosSummary {
        /// Meeting or webinar.
        kind: Kind,
        /// Its ID or UUID.
        id: String,
    },
    /// `GET /metrics/{kind}/{id}`: the instance's description (`uuid`, `id`, `topic`,
    /// `start_time`, ... as in a listing); for a meeting ID, its latest instance. One
    /// page; see [`Client::instance`](super::Client::instance).
    Instance {
        /// Meeting or webinar.
        kind: Kind,
        /// Its ID or UUID.
        id: String,
    },
}

impl Endpoint {
    /// The path below the API base, every segment encoded; UUIDs that begin with `/` or
    /// contain `//` are encoded twice, as Zoom requires.
    pub fn path(&self) -> String {
        let (kind, id) = match self {
            Endpoint::ParticipantsQos { kind, id }
            | Endpoint::ParticipantQos { kind, id, .. }
            | Endpoint::ParticipantsQosSummary { kind, id }
            | Endpoint::Instance { kind, id } => (kind, id),
        };
        let id = encode::meeting_id(id);
        let (base, entries) = (kind.base_path(), kind.entries());
        match self {
            Endpoint::ParticipantsQos { .. } => format!("{base}/{id}/{entries}/qos"),
            Endpoint::ParticipantQos { participant, .. } => format!(
                "{base}/{id}/{entries}/{}/qos",
                encode::component(participant)
            ),
            Endpoint::ParticipantsQosSummary { .. } => {
                format!("{base}/{id}/{entries}/qos_summary")
            }
            Endpoint::Instance { .. } => format!("{base}/{id}"),
        }
    }

    pub(super) fn is_paged(&self) -> bool {
        !matches!(
            self,
            Endpoint::ParticipantQos { .. } | Endpoint::Instance { .. }
        )
    }

    /// What its answers must be.
    pub(super) fn expects(&self) -> Expect {
        match self {
            Endpoint::Instance { .. } => Expect::Instance,
            _ => Expect::QosPages,
        }
    }
}

/// The `type` query parameter. No default: the API's own (`live`) is rarely what a
/// report wants, so a caller names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QosType {
    /// `past`: all past meetings.
    Past,
    /// `pastOne`: one past meeting instance.
    PastOne,
    /// `live`: meetings in progress (the API's default).
    Live,
}

impl QosType {
    /// The query value.
    pub fn as_str(self) -> &'static str {
        match self {
            QosType::Past => "past",
            QosType::PastOne => "pastOne",
            QosType::Live => "live",
        }
    }
}

/// The query of a request: `type` and a validated `page_size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    pub(super) qos_type: QosType,
    pub(super) page_size: u8,
}

impl Query {
    /// A query; `page_size` must be 1 to 10 (the API's limit; older docs said 30 or 300).
    ///
    /// # Errors
    /// A [`Config`](crate::ErrorKind::Config) error for a page size out of range.
    pub fn new(qos_type: QosType, page_size: u8) -> Result<Self, Error> {
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(Error::config(format!(
                "page_size must be 1 to {MAX_PAGE_SIZE}, found {page_size}"
            )));
        }
        Ok(Query {
            qos_type,
            page_size,
        })
    }
}
