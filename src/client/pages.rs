//! The pagination of one endpoint, sans-IO: which URL comes next, and what each answer
//! means (a page, a retry after a wait, a new token).

use core::time::Duration;

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

/// The pagination of one endpoint: a state machine fed with answers, for any HTTP stack.
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
        )
    }

    /// Pages of the URL `base` with the query `query` (encoded, without the page token).
    pub(super) fn with_query(
        base: String,
        query: String,
        paged: bool,
        can_reauthenticate: bool,
        policy: RetryPolicy,
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
        #[derive(serde::Deserialize)]
        struct Token {
            #[serde(default)]
            next_page_token: Option<String>,
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
        let index = self.index;
        self.index += 1;
        self.attempts = 0;
        self.reauthenticated = false;
        let next = token
            .next_page_token
            .filter(|t| !t.is_empty() && self.paged);
        if next.is_some() && next == self.next_token {
            self.finished = true;
            return Err(ErrorKind::Pagination {
                message: format!(
                    "the API sent the same next_page_token twice after page {index} of {}",
                    self.base
                ),
            }
            .into());
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
        ErrorKind::Api(ApiError {
            status: response.status,
            code,
            message,
            page: self.index,
            path: self.base.clone(),
            meaning: answer::meaning(response.status, code),
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
