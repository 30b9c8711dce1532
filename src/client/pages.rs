//! The pagination of one endpoint, sans-IO: which URL comes next, and what each answer
//! means (a page, a retry after a wait, a new token).

use core::time::Duration;
use std::collections::HashSet;

use super::endpoints::{Endpoint, Query};
use super::{answer, encode};
use crate::error::{ApiError, Error, ErrorKind};

/// How answers of HTTP 429 and 5xx are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts of one request, the first included.
    pub max_attempts: u32,
    /// The first wait without `Retry-After`; each further wait doubles.
    pub base_delay: Duration,
    /// The longest wait, also for a `Retry-After` that asks for more.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, waits of 1, 2, 4, 8 s (at most 60 s): the "Heavy" rate limit of the
    /// Dashboard API allows 1 to 40 requests a second depending on the plan.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }
}

/// An answer, as far as the core needs it.
#[derive(Clone, Copy, Debug)]
pub struct HttpResponse<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<&'a str>,
    /// The `X-RateLimit-Type` header, if any (`Daily-limit` on a 429 stops the run).
    pub rate_limit_type: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

/// What to do after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The body is page `index` (from 0): keep it, unchanged. `last` when no page follows.
    Page {
        /// Its index.
        index: u32,
        /// Whether it was the last.
        last: bool,
    },
    /// Wait, then make the same request again.
    Retry {
        /// How long.
        after: Duration,
    },
    /// The access token was refused (HTTP 401, code 124): get a new one, then make the same
    /// request again. Asked for at most once in a row.
    Reauthenticate,
}

/// What the pages of a chain are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expect {
    /// QoS pages: a list page (`participants`) or a participant (`user_qos`).
    QosPages,
    /// Pages of a meeting or webinar listing (`meetings` or `webinars`).
    Listing,
    /// One instance's description (`uuid`, `id`, ...).
    Instance,
}

/// Pages in one chain at most, when its first page does not say how many there are: no
/// meeting comes near (10 participants a page, so 100,000 participant entries), and a
/// chain that goes on past it is an API that never ends. With `page_count` on the first
/// page, twice that and 4 more.
pub const MAX_CHAIN_PAGES: u64 = 10_000;

/// The pagination of one endpoint: a state machine fed with answers, for any HTTP stack.
/// A chain is bounded: a `next_page_token` sent a second time, anywhere in the chain, or a
/// chain longer than [`MAX_CHAIN_PAGES`] (or twice the first page's `page_count`), is an
/// [`ErrorKind::Pagination`] error; an answer that is not a page of the chain (Zoom's error
/// body sent with a 200, say) is that error, or asked for again.
///
/// ```
/// use zoom_qos::client::{DEFAULT_API_BASE, Endpoint, HttpResponse, Kind, Pages, QosType, Query, RetryPolicy, Step};
///
/// let endpoint = Endpoint::ParticipantsQos { kind: Kind::Meeting, id: "85746065432".into() };
/// let query = Query::new(QosType::Past, 10)?;
/// let mut pages = Pages::new(DEFAULT_API_BASE, &endpoint, query, false, RetryPolicy::default());
/// let answers: [&[u8]; 2] = [
///     br#"{"participants": [], "next_page_token": "t1"}"#,
///     br#"{"participants": [], "next_page_token": ""}"#,
/// ];
/// let mut kept = Vec::new();
/// while let Some(url) = pages.next_url() {
///     let body = answers[kept.len()]; // your GET of `url`
///     let answer = HttpResponse { status: 200, retry_after: None, rate_limit_type: None, body };
///     match pages.on_response(&answer)? {
///         Step::Page { .. } => kept.push(body),
///         Step::Retry { after } => std::thread::sleep(after),
///         Step::Reauthenticate => unreachable!("this example's token is never refused"),
///     }
/// }
/// assert_eq!(kept.len(), 2);
/// # Ok::<(), zoom_qos::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Pages {
    base: String,
    /// The query without the page token: `type`, `page_size` and the like, encoded.
    query: String,
    paged: bool,
    next_token: Option<String>,
    index: u32,
    finished: bool,
    attempts: u32,
    reauthenticated: bool,
    can_reauthenticate: bool,
    policy: RetryPolicy,
    expects: Expect,
    /// Every `next_page_token` of the chain so far: one sent again would loop.
    seen_tokens: HashSet<String>,
    max_pages: u64,
}

impl Pages {
    /// Pages of `endpoint` under `api_base` (like [`DEFAULT_API_BASE`](super::DEFAULT_API_BASE)).
    /// `can_reauthenticate` says whether the caller can get a new access token.
    pub fn new(
        api_base: &str,
        endpoint: &Endpoint,
        query: Query,
        can_reauthenticate: bool,
        policy: RetryPolicy,
    ) -> Self {
        let paged = endpoint.is_paged();
        let mut fixed = format!("type={}", query.qos_type.as_str());
        if paged {
            fixed.push_str(&format!("&page_size={}", query.page_size));
        }
        Pages::with_query(
            format!("{}{}", api_base.trim_end_matches('/'), endpoint.path()),
            fixed,
            paged,
            can_reauthenticate,
            policy,
            endpoint.expects(),
        )
    }

    /// Pages of the URL `base` with the query `query` (encoded, without the page token).
    pub(super) fn with_query(
        base: String,
        query: String,
        paged: bool,
        can_reauthenticate: bool,
        policy: RetryPolicy,
        expects: Expect,
    ) -> Self {
        Pages {
            base,
            query,
            paged,
            next_token: None,
            index: 0,
            finished: false,
            attempts: 0,
            reauthenticated: false,
            can_reauthenticate,
            policy,
            expects,
            seen_tokens: HashSet::new(),
            max_pages: MAX_CHAIN_PAGES,
        }
    }

    /// The URL to `GET` next, or `None` when every page has come.
    pub fn next_url(&self) -> Option<String> {
        if self.finished {
            return None;
        }
        let mut url = format!("{}?{}", self.base, self.query);
        if let Some(token) = self.next_token.as_ref().filter(|_| self.paged) {
            url.push_str("&next_page_token=");
            url.push_str(&encode::component(token));
        }
        Some(url)
    }

    /// Pages received so far.
    pub fn received(&self) -> u32 {
        self.index
    }

    /// Reads the answer to the request of [`next_url`](Self::next_url).
    ///
    /// # Errors
    /// An [`ErrorKind::Api`] error with Zoom's code and message for
    /// an error answer, after the retries for 429 and 5xx; malformed JSON in a page.
    pub fn on_response(&mut self, response: &HttpResponse<'_>) -> Result<Step, Error> {
        match response.status {
            200..=299 => self.on_page(response.body),
            429 if answer::is_daily_limit(response.rate_limit_type, response.body) => {
                self.finished = true;
                Err(ErrorKind::DailyLimit {
                    reset: response.retry_after.map(|r| r.trim().to_owned()),
                    path: self.base.clone(),
                }
                .into())
            }
            429 | 500..=599 => {
                self.attempts += 1;
                if self.attempts >= self.policy.max_attempts {
                    return Err(self.api_error(response));
                }
                Ok(Step::Retry {
                    after: self.delay(response.retry_after),
                })
            }
            401 if self.can_reauthenticate
                && !self.reauthenticated
                && answer::error_code(response.body) == Some(124) =>
            {
                self.reauthenticated = true;
                Ok(Step::Reauthenticate)
            }
            _ => Err(self.api_error(response)),
        }
    }

    /// Reads a request that got no whole answer (a reset connection, a body cut short): it
    /// is retried like a 5xx, with backoff, until the attempts run out.
    ///
    /// # Errors
    /// `error` itself, once the attempts are spent.
    pub fn on_transport_error(&mut self, error: Error) -> Result<Step, Error> {
        self.attempts += 1;
        if self.attempts >= self.policy.max_attempts {
            self.finished = true;
            return Err(error);
        }
        Ok(Step::Retry {
            after: self.delay(None),
        })
    }

    fn on_page(&mut self, body: &[u8]) -> Result<Step, Error> {
        /// What a page must be: its token, and what says it is a QoS page (a list page's
        /// `participants` list, a single participant's `user_qos`), a listing page, or
        /// an error answer sent with a 200.
        #[derive(serde::Deserialize)]
        struct Token {
            #[serde(default)]
            next_page_token: Option<String>,
            #[serde(default)]
            participants: Option<Vec<serde::de::IgnoredAny>>,
            #[serde(default)]
            user_qos: Option<serde::de::IgnoredAny>,
            #[serde(default)]
            meetings: Option<Vec<serde::de::IgnoredAny>>,
            #[serde(default)]
            webinars: Option<Vec<serde::de::IgnoredAny>>,
            /// A Video SDK session's page lists `users`, its listing `sessions`.
            #[serde(default)]
            users: Option<Vec<serde::de::IgnoredAny>>,
            #[serde(default)]
            sessions: Option<Vec<serde::de::IgnoredAny>>,
            #[serde(default)]
            uuid: Option<serde::de::IgnoredAny>,
            /// A session's description names it by `id` beside its `session_name`.
            #[serde(default)]
            session_name: Option<serde::de::IgnoredAny>,
            #[serde(default)]
            code: Option<serde::de::IgnoredAny>,
            #[serde(default)]
            page_count: Option<u64>,
        }
        let token = match serde_json::from_slice::<Token>(body) {
            Ok(token) => token,
            Err(e) => {
                let error = match Error::from_serde_json(body, &e).into_kind() {
                    ErrorKind::Json { offset, reason } => Error::json(
                        offset,
                        format!("page {} of {}: {reason}", self.index, self.base),
                    ),
                    other => other.into(),
                };
                // A 200 whose body is not whole JSON (cut short on the way, a proxy's
                // page) is asked for again, like a failed transfer.
                return self.on_transport_error(error);
            }
        };
        let is_page = match self.expects {
            Expect::QosPages => {
                token.participants.is_some() || token.users.is_some() || token.user_qos.is_some()
            }
            Expect::Listing => {
                token.meetings.is_some() || token.webinars.is_some() || token.sessions.is_some()
            }
            Expect::Instance => token.uuid.is_some() || token.session_name.is_some(),
        };
        if !is_page {
            // Zoom's error answer sent with a 200 is that error, never a page: a re-run
            // would otherwise take it for a meeting fetched whole.
            if token.code.is_some() {
                let status = match answer::error_code(body) {
                    Some(124) => 401,
                    _ => 400,
                };
                let answer = HttpResponse {
                    status,
                    retry_after: None,
                    rate_limit_type: None,
                    body,
                };
                return self.on_response(&answer);
            }
            let what = match self.expects {
                Expect::QosPages => {
                    "a QoS page (participants or users, or a participant's user_qos)"
                }
                Expect::Listing => "a list of meetings, webinars or sessions",
                Expect::Instance => "a meeting's description (uuid, id, ...)",
            };
            let error = ErrorKind::Pagination {
                message: format!("page {} of {} is not {what}", self.index, self.base),
            };
            return self.on_transport_error(error.into());
        }
        let index = self.index;
        self.index += 1;
        self.attempts = 0;
        self.reauthenticated = false;
        if let Some(pages) = token.page_count.filter(|_| index == 0) {
            // The first page says how many there are: allow twice that, and a few more.
            self.max_pages = self
                .max_pages
                .min(pages.saturating_mul(2).saturating_add(4));
        }
        let next = token
            .next_page_token
            .filter(|t| !t.is_empty() && self.paged);
        if let Some(next) = &next {
            if !self.seen_tokens.insert(next.clone()) {
                self.finished = true;
                return Err(ErrorKind::Pagination {
                    message: format!(
                        "the API sent a next_page_token it had sent before, after page \
                         {index} of {}: the chain would never end",
                        self.base
                    ),
                }
                .into());
            }
            if u64::from(self.index) >= self.max_pages {
                self.finished = true;
                return Err(ErrorKind::Pagination {
                    message: format!(
                        "{} pages of {} and the API still sends a next_page_token: more \
                         than a chain can hold ({} pages at most)",
                        self.index, self.base, self.max_pages
                    ),
                }
                .into());
            }
        }
        self.finished = next.is_none();
        self.next_token = next;
        Ok(Step::Page {
            index,
            last: self.finished,
        })
    }

    fn delay(&self, retry_after: Option<&str>) -> Duration {
        let asked = retry_after
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let backoff = self
            .policy
            .base_delay
            .saturating_mul(1 << (self.attempts.saturating_sub(1)).min(16));
        asked.unwrap_or(backoff).min(self.policy.max_delay)
    }

    #[cold]
    fn api_error(&mut self, response: &HttpResponse<'_>) -> Error {
        self.finished = true;
        let (code, message) = answer::parse_error_body(response.body);
        let meaning = answer::meaning(response.status, code, &message);
        ErrorKind::Api(ApiError {
            status: response.status,
            code,
            message,
            page: self.index,
            path: self.base.clone(),
            meaning,
        })
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `live`, 10 participants a page.
    fn live_query() -> Query {
        Query::new(QosType::Live, crate::client::MAX_PAGE_SIZE).expect("a valid page size")
    }
    use crate::client::{Kind, QosType};

    fn endpoint(id: &str) -> Endpoint {
        Endpoint::ParticipantsQos {
            kind: Kind::Meeting,
            id: id.into(),
        }
    }

    #[test]
    fn paths_encode_segments_and_double_encode_odd_uuids() {
        assert_eq!(
            endpoint("85746065432").path(),
            "/metrics/meetings/85746065432/participants/qos"
        );
        assert_eq!(
            endpoint("4444AAAiAAAAAiAiAiiAii==").path(),
            "/metrics/meetings/4444AAAiAAAAAiAiAiiAii%3D%3D/participants/qos"
        );
        assert_eq!(
            endpoint("/ajXp112QmuoKj4854875==").path(),
            "/metrics/meetings/%252FajXp112QmuoKj4854875%253D%253D/participants/qos"
        );
        assert_eq!(
            endpoint("ab//cd").path(),
            "/metrics/meetings/ab%252F%252Fcd/participants/qos"
        );
        let one = Endpoint::ParticipantQos {
            kind: Kind::Webinar,
            id: "9".into(),
            participant: "a b/c".into(),
        };
        assert_eq!(one.path(), "/metrics/webinars/9/participants/a%20b%2Fc/qos");
        // A Video SDK session's users, below its own base.
        let session = |endpoint: fn(String) -> Endpoint| endpoint("S1/x==".into()).path();
        assert_eq!(
            [
                session(|id| Endpoint::ParticipantsQos {
                    kind: Kind::Session,
                    id
                }),
                session(|id| Endpoint::ParticipantsQosSummary {
                    kind: Kind::Session,
                    id
                }),
                session(|id| Endpoint::Instance {
                    kind: Kind::Session,
                    id
                }),
            ],
            [
                "/videosdk/sessions/S1%2Fx%3D%3D/users/qos",
                "/videosdk/sessions/S1%2Fx%3D%3D/users/qos_summary",
                "/videosdk/sessions/S1%2Fx%3D%3D",
            ]
        );
        let summary = Endpoint::ParticipantsQosSummary {
            kind: Kind::Meeting,
            id: "9".into(),
        };
        assert_eq!(
            summary.path(),
            "/metrics/meetings/9/participants/qos_summary"
        );
    }

    #[test]
    fn page_size_is_validated() {
        assert!(Query::new(QosType::Past, 0).is_err());
        assert!(Query::new(QosType::Past, 11).is_err());
        assert_eq!(
            Query::new(QosType::PastOne, 1).map(|q| q.page_size).ok(),
            Some(1)
        );
        assert_eq!(live_query().page_size, 10);
    }

    fn page(token: &str) -> String {
        format!(r#"{{"next_page_token":"{token}","participants":[]}}"#)
    }

    /// A 200 answer with this body.
    fn ok(body: &[u8]) -> HttpResponse<'_> {
        HttpResponse {
            status: 200,
            retry_after: None,
            rate_limit_type: None,
            body,
        }
    }

    /// Feeds 200 answers with these bodies, one after the other, until the chain ends or
    /// fails; the steps taken, and how it ended.
    fn feed(bodies: &[&str], can_reauthenticate: bool) -> (Vec<Step>, Result<(), Error>) {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let mut pages = Pages::new(
            "http://x",
            &endpoint("1"),
            live_query(),
            can_reauthenticate,
            policy,
        );
        let mut steps = Vec::new();
        for body in bodies.iter().cycle().take(100_000) {
            if pages.next_url().is_none() {
                return (steps, Ok(()));
            }
            match pages.on_response(&ok(body.as_bytes())) {
                Ok(step) => steps.push(step),
                Err(error) => return (steps, Err(error)),
            }
        }
        (steps, Ok(()))
    }

    #[test]
    fn a_zoom_error_sent_with_a_200_is_that_error_never_a_page() {
        let body = r#"{"code":124,"message":"Invalid access token."}"#;
        let (steps, ended) = feed(&[body], false);
        assert!(steps.is_empty(), "{steps:?}");
        let error = ended.expect_err("an error");
        assert!(
            matches!(error.kind(), ErrorKind::Api(api) if api.code == Some(124)),
            "{error}"
        );
        // With a token to renew, it is renewed, as for a 401.
        let (steps, _) = feed(&[body], true);
        assert_eq!(steps.first(), Some(&Step::Reauthenticate));
    }

    #[test]
    fn an_answer_that_is_no_page_is_asked_for_again_then_fails() {
        let (steps, ended) = feed(&[r#"{"total_records": 3}"#], false);
        assert!(
            steps.iter().all(|s| matches!(s, Step::Retry { .. })),
            "{steps:?}"
        );
        let error = ended.expect_err("never a page");
        assert!(error.to_string().contains("is not a QoS page"), "{error}");
    }

    #[test]
    fn a_token_sent_again_anywhere_in_the_chain_ends_it() {
        // A, B, A, B, ...: only a token repeated back to back used to be caught.
        let (steps, ended) = feed(&[&page("A"), &page("B")], false);
        assert_eq!(steps.len(), 2, "pages A and B, then A again");
        let error = ended.expect_err("a loop");
        assert!(error.to_string().contains("it had sent before"), "{error}");
    }

    #[test]
    fn a_chain_is_bounded_by_its_page_count_or_the_cap() {
        let counter = std::cell::Cell::new(0);
        let mut pages = Pages::new(
            "http://x",
            &endpoint("1"),
            live_query(),
            false,
            RetryPolicy::default(),
        );
        let mut received = 0;
        let ended = loop {
            let n = counter.get();
            counter.set(n + 1);
            let body = format!(r#"{{"page_count":2,"next_page_token":"t{n}","participants":[]}}"#);
            match pages.on_response(&ok(body.as_bytes())) {
                Ok(_) => received += 1,
                Err(error) => break error,
            }
        };
        // page_count 2: twice that and 4 more, 8 pages; the 8th still has a token.
        assert_eq!(received, 7);
        assert!(ended.to_string().contains("8 pages at most"), "{ended}");
        let endless = (0..MAX_CHAIN_PAGES + 10)
            .map(|n| page(&format!("t{n}")))
            .collect::<Vec<_>>();
        let bodies: Vec<&str> = endless.iter().map(String::as_str).collect();
        let (steps, ended) = feed(&bodies, false);
        assert_eq!(steps.len() as u64, MAX_CHAIN_PAGES - 1);
        assert!(ended.is_err());
    }

    #[test]
    fn a_chain_of_pages_then_done() {
        let mut pages = Pages::new(
            "http://x/v2/",
            &endpoint("1"),
            live_query(),
            false,
            RetryPolicy::default(),
        );
        assert_eq!(
            pages.next_url().as_deref(),
            Some("http://x/v2/metrics/meetings/1/participants/qos?type=live&page_size=10")
        );
        let first = page("a+b/c");
        let step = pages.on_response(&HttpResponse {
            status: 200,
            retry_after: None,
            rate_limit_type: None,
            body: first.as_bytes(),
        });
        assert_eq!(
            step.ok(),
            Some(Step::Page {
                index: 0,
                last: false
            })
        );
        assert_eq!(
            pages.next_url().as_deref(),
            Some(
                "http://x/v2/metrics/meetings/1/participants/qos?type=live&page_size=10&next_page_token=a%2Bb%2Fc"
            )
        );
        let last = page("");
        let step = pages.on_response(&HttpResponse {
            status: 200,
            retry_after: None,
            rate_limit_type: None,
            body: last.as_bytes(),
        });
        assert_eq!(
            step.ok(),
            Some(Step::Page {
                index: 1,
                last: true
            })
        );
        assert_eq!(pages.next_url(), None);
    }

    #[test]
    fn retries_back_off_and_honour_retry_after_then_give_up() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        };
        let mut pages = Pages::new("http://x", &endpoint("1"), live_query(), false, policy);
        let busy = |retry_after| HttpResponse {
            status: 429,
            retry_after,
            rate_limit_type: None,
            body: b"",
        };
        assert_eq!(
            pages.on_response(&busy(Some("2"))).ok(),
            Some(Step::Retry {
                after: Duration::from_secs(2)
            })
        );
        assert_eq!(
            pages.on_response(&busy(None)).ok(),
            Some(Step::Retry {
                after: Duration::from_millis(200)
            })
        );
        let error = pages.on_response(&busy(None)).expect_err("exhausted");
        assert!(error.to_string().contains("HTTP 429"), "{error}");
        assert_eq!(pages.next_url(), None);
    }

    #[test]
    fn token_errors_reauthenticate_once() {
        let refused = br#"{"code":124,"message":"Invalid access token."}"#;
        let response = HttpResponse {
            status: 401,
            retry_after: None,
            rate_limit_type: None,
            body: refused,
        };
        let mut pages = Pages::new(
            "http://x",
            &endpoint("1"),
            live_query(),
            true,
            RetryPolicy::default(),
        );
        assert_eq!(
            pages.on_response(&response).ok(),
            Some(Step::Reauthenticate)
        );
        let error = pages.on_response(&response).expect_err("twice in a row");
        match error.kind() {
            ErrorKind::Api(api) => {
                assert_eq!((api.status, api.code, api.page), (401, Some(124), 0))
            }
            other => panic!("{other:?}"),
        }
        let mut fixed = Pages::new(
            "http://x",
            &endpoint("1"),
            live_query(),
            false,
            RetryPolicy::default(),
        );
        assert!(
            fixed.on_response(&response).is_err(),
            "a fixed token cannot be renewed"
        );
    }
}
