//! The blocking driver: `ureq` carries the requests the sans-IO core asks for.

use core::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::gate::{Counters, Gate};
use super::{
    DEFAULT_API_BASE, DEFAULT_OAUTH_BASE, Day, Endpoint, HttpResponse, Kind, ListedMeeting,
    Listing, MAX_LIST_PAGE_SIZE, Pages, QosType, Query, RefusedEntry, RetryPolicy, Step, encode,
};
use crate::error::{Error, ErrorKind};

/// How to authenticate.
#[derive(Clone)]
pub enum Auth {
    /// A bearer access token, used as is (it cannot be renewed).
    Token(String),
    /// Server-to-Server OAuth: the `account_credentials` grant, renewed when it expires or
    /// when the API refuses it (401, code 124).
    ServerToServer {
        /// The account ID.
        account_id: String,
        /// The app's client ID.
        client_id: String,
        /// The app's client secret.
        client_secret: String,
    },
}

impl fmt::Debug for Auth {
    /// Never prints a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Token(_) => f.write_str("Token(<redacted>)"),
            Auth::ServerToServer { account_id, .. } => f
                .debug_struct("ServerToServer")
                .field("account_id", account_id)
                .finish_non_exhaustive(),
        }
    }
}

/// An access token and when to stop using it.
#[derive(Clone)]
pub struct AccessToken {
    token: String,
    renew_at: Option<Instant>,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Fetches whole page chains, blocking. Every page of a chain is fetched before `fetch`
/// returns, so a `next_page_token` (valid 15 minutes) never waits on analysis.
///
/// ```
/// use zoom_qos::client::{Auth, Client, Endpoint, Kind, QosType, Query};
///
/// let client = Client::new(Auth::ServerToServer {
///     account_id: "acct".into(),
///     client_id: "id".into(),
///     client_secret: "secret".into(),
/// })
/// .rate(Some(8.0)); // requests a second, over every thread sharing the client
/// let endpoint = Endpoint::ParticipantsQos { kind: Kind::Meeting, id: "85746065432".into() };
/// let query = Query::new(QosType::Past, 10)?;
/// // `client.fetch(&endpoint, &query)` returns every page's bytes, unchanged, or the
/// // error (Zoom's code and its meaning, the daily limit, a broken transfer).
/// # let _ = (client, endpoint, query);
/// # Ok::<(), zoom_qos::Error>(())
/// ```
pub struct Client {
    agent: ureq::Agent,
    api_base: String,
    oauth_base: String,
    auth: Auth,
    /// The token every request carries; renewed under the lock, so that one renewal
    /// serves every thread.
    access: Mutex<Option<AccessToken>>,
    policy: RetryPolicy,
    sleep: fn(Duration),
    gate: Gate,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_base", &self.api_base)
            .field("oauth_base", &self.oauth_base)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// The largest page body accepted: a page holds at most 10 participants.
const MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;

impl Client {
    /// A client for the default base URLs, retry policy and a 60 s timeout per request.
    pub fn new(auth: Auth) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        Client {
            agent,
            api_base: DEFAULT_API_BASE.to_owned(),
            oauth_base: DEFAULT_OAUTH_BASE.to_owned(),
            auth,
            access: Mutex::new(None),
            policy: RetryPolicy::default(),
            sleep: std::thread::sleep,
            gate: Gate::new(None),
        }
    }

    /// The API base URL (default [`DEFAULT_API_BASE`]), e.g. a proxy or a test server.
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        self.api_base = url.into();
        self
    }

    /// The OAuth base URL (default [`DEFAULT_OAUTH_BASE`]).
    pub fn oauth_base(mut self, url: impl Into<String>) -> Self {
        self.oauth_base = url.into();
        self
    }

    /// How 429 and 5xx answers are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// At most `per_second` requests a second from this client, whatever the number of
    /// threads sharing it (`None`: no limit). A 429 pauses every thread for its wait.
    pub fn rate(mut self, per_second: Option<f64>) -> Self {
        self.gate = Gate::new(per_second);
        self
    }

    /// How the requests went so far: counted over every thread.
    pub fn counters(&self) -> Counters {
        self.gate.counters()
    }

    /// How the client waits before a retry or its turn (default: `std::thread::sleep`);
    /// a test can record the waits instead.
    pub fn sleeper(mut self, sleep: fn(Duration)) -> Self {
        self.sleep = sleep;
        self
    }

    /// Every page of `endpoint`, in order, as the raw bytes the API sent: ready for
    /// [`Decoder::decode`](crate::Decoder::decode), or to be written to disk unchanged.
    ///
    /// # Errors
    /// [`ErrorKind::Api`](crate::ErrorKind::Api) for an error answer (after retries and one
    /// token renewal), [`ErrorKind::Transport`](crate::ErrorKind::Transport) when no answer
    /// came. Never an empty success for a failed chain.
    pub fn fetch(&self, endpoint: &Endpoint, query: &Query) -> Result<Vec<Vec<u8>>, Error> {
        let mut bodies = Vec::new();
        self.fetch_each(endpoint, query, |body| {
            bodies.push(body);
            Ok::<(), Error>(())
        })?;
        Ok(bodies)
    }

    /// Every page of `endpoint`, in order, each handed to `page` as it comes (to be
    /// written to disk, say), so that memory does not grow with the chain. An error of
    /// `page` stops the chain and is returned.
    ///
    /// # Errors
    /// As [`fetch`](Self::fetch), or `page`'s. Pages handed over before an error are not
    /// a whole chain: keep them apart until this returns `Ok`.
    pub fn fetch_each<E: From<Error>>(
        &self,
        endpoint: &Endpoint,
        query: &Query,
        mut page: impl FnMut(Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut pages = Pages::new(
            &self.api_base,
            endpoint,
            *query,
            self.renewable(),
            self.policy,
        );
        while let Some(url) = pages.next_url() {
            let (step, body) = self.exchange_step(&url, |answer| match answer {
                Ok(response) => pages.on_response(response),
                Err(error) => pages.on_transport_error(error),
            })?;
            if let Step::Page { .. } = step {
                page(body)?;
            }
        }
        Ok(())
    }

    /// The instance that `id` names, as [`Endpoint::Instance`] describes it: for a
    /// meeting number, its latest instance, with the UUID that names that instance alone
    /// (fetch its QoS by that UUID, and an instance that ends meanwhile cannot be mixed
    /// in).
    ///
    /// # Errors
    /// As [`fetch`](Self::fetch); a description without a usable `uuid` and `id` is an
    /// [`ErrorKind::Pagination`](crate::ErrorKind::Pagination) error.
    pub fn instance(
        &self,
        kind: Kind,
        qos_type: QosType,
        id: &str,
    ) -> Result<ListedMeeting, Error> {
        let endpoint = Endpoint::Instance {
            kind,
            id: id.to_owned(),
        };
        let query = Query::new(qos_type, 1)?;
        let mut description = None;
        self.fetch_each(&endpoint, &query, |body| {
            description = Some(body);
            Ok::<(), Error>(())
        })?;
        let body = description.unwrap_or_default();
        let entry: serde_json::Value =
            serde_json::from_slice(&body).map_err(|error| Error::from_serde_json(&body, &error))?;
        ListedMeeting::of_kind(kind, entry).map_err(|refused| {
            ErrorKind::Pagination {
                message: format!(
                    "the API's description of {id:?} names no instance: {}",
                    refused.why
                ),
            }
            .into()
        })
    }

    /// Lists the meetings or webinars of `kind` and `qos_type` in `windows` (UTC date
    /// ranges, both ends included, as [`month_windows`](super::month_windows) splits a range), each instance
    /// once, or the live ones for `windows: None`.
    ///
    /// Entries that name no instance are returned apart, each with why: the others are
    /// listed all the same.
    ///
    /// # Errors
    /// As [`fetch`](Self::fetch).
    pub fn list(
        &self,
        kind: Kind,
        qos_type: QosType,
        windows: Option<Vec<(Day, Day)>>,
    ) -> Result<(Vec<ListedMeeting>, Vec<RefusedEntry>), Error> {
        let mut listing = match windows {
            Some(windows) => Listing::new(
                &self.api_base,
                kind,
                qos_type,
                windows,
                MAX_LIST_PAGE_SIZE,
                self.renewable(),
                self.policy,
            )?,
            None => Listing::live(
                &self.api_base,
                kind,
                MAX_LIST_PAGE_SIZE,
                self.renewable(),
                self.policy,
            )?,
        };
        let mut listed = Vec::new();
        while let Some(url) = listing.next_url() {
            let mut fresh = Vec::new();
            self.exchange_step(&url, |answer| match answer {
                Ok(response) => {
                    let (step, new) = listing.on_response(response)?;
                    fresh = new;
                    Ok(step)
                }
                Err(error) => listing.on_transport_error(error),
            })?;
            listed.extend(fresh);
        }
        Ok((listed, listing.refused))
    }

    fn renewable(&self) -> bool {
        matches!(self.auth, Auth::ServerToServer { .. })
    }

    /// One request through the gate, its answer (or its failure to come whole) read by
    /// `read`, and the step done: a wait (every thread's, for a 429), or a token renewal.
    /// Returns the step and the body.
    fn exchange_step(
        &self,
        url: &str,
        read: impl FnOnce(Result<&HttpResponse<'_>, Error>) -> Result<Step, Error>,
    ) -> Result<(Step, Vec<u8>), Error> {
        self.gate.admit(self.sleep)?;
        let token = self.access_token()?;
        let answer = self.get(url, &token.token);
        let (step, status, body) = match answer {
            Ok(answer) => {
                let response = HttpResponse {
                    status: answer.status,
                    retry_after: answer.retry_after.as_deref(),
                    rate_limit_type: answer.rate_limit_type.as_deref(),
                    body: &answer.body,
                };
                let step = read(Ok(&response));
                if let Err(error) = &step
                    && let ErrorKind::DailyLimit { reset, path } = error.kind()
                {
                    self.gate.stop(reset.clone(), path.clone());
                }
                (step?, answer.status, answer.body)
            }
            Err(error) => (read(Err(error))?, 0, Vec::new()),
        };
        match step {
            Step::Page { .. } => self.gate.count_page(),
            // Zoom's rate limit is the account's: every thread waits.
            Step::Retry { after } if status == 429 => {
                self.gate.pause(after);
            }
            Step::Retry { after } => (self.sleep)(after),
            Step::Reauthenticate => self.forget(&token),
        }
        Ok((step, body))
    }

    /// `GET url` with the access token.
    fn get(&self, url: &str, token: &str) -> Result<Answer, Error> {
        let request = self
            .agent
            .get(url)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", "application/json");
        exchange(url, request.call())
    }

    /// Drops `used` after the API refused it, unless another thread has renewed it since.
    fn forget(&self, used: &AccessToken) {
        if let Ok(mut access) = self.access.lock()
            && access.as_ref().is_some_and(|a| a.token == used.token)
        {
            *access = None;
        }
    }

    /// The current token, renewed first when it is about to expire. The lock is held
    /// while renewing: the other threads wait for the one renewal.
    fn access_token(&self) -> Result<AccessToken, Error> {
        let mut access = self.access.lock().map_err(|_| {
            Error::from(ErrorKind::Transport {
                message: "a thread failed while renewing the access token".to_owned(),
            })
        })?;
        if let Some(current) = access.as_ref()
            && current.renew_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(current.clone());
        }
        let renewed = match &self.auth {
            Auth::Token(token) => AccessToken {
                token: token.clone(),
                renew_at: None,
            },
            Auth::ServerToServer {
                account_id,
                client_id,
                client_secret,
            } => {
                let url = format!(
                    "{}/oauth/token?grant_type=account_credentials&account_id={}",
                    self.oauth_base.trim_end_matches('/'),
                    encode::component(account_id)
                );
                let basic = encode::base64(format!("{client_id}:{client_secret}").as_bytes());
                let request = self
                    .agent
                    .post(&url)
                    .header("Authorization", &format!("Basic {basic}"));
                let answer = exchange(&url, request.send_empty())?;
                parse_token(answer.status, &answer.body)?
            }
        };
        *access = Some(renewed.clone());
        Ok(renewed)
    }
}

/// Reads an answer: status, `Retry-After`, body. A failure to get one is a transport error
/// (its text names the host, never a credential).
/// An answer as read off the wire.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    rate_limit_type: Option<String>,
    body: Vec<u8>,
}

fn exchange(
    url: &str,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Answer, Error> {
    // The URL without its query: the query may hold a page token, never a credential, but
    // the path is what a person needs.
    let path = url.split('?').next().unwrap_or(url);
    let transport = |e: ureq::Error| {
        Error::from(ErrorKind::Transport {
            message: format!("{path}: {e}"),
        })
    };
    let mut response = result.map_err(transport)?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (retry_after, rate_limit_type) = (header("retry-after"), header("x-ratelimit-type"));
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES)
        .read_to_vec()
        .map_err(transport)?;
    Ok(Answer {
        status,
        retry_after,
        rate_limit_type,
        body,
    })
}

/// How long to use a token that expires in `expires_s` seconds: renewed a minute early,
/// so that a request never carries an expiring token; a short-lived one at half its life;
/// never sooner than 5 s (a token endpoint answering 0 or -1 is not asked again before
/// every request) nor later than a day (a huge value cannot overflow the clock).
fn token_lifetime(expires_s: f64) -> Duration {
    let expires_s = if expires_s.is_finite() {
        expires_s
    } else {
        0.0
    };
    let use_s = if expires_s >= 120.0 {
        expires_s - 60.0
    } else {
        expires_s / 2.0
    };
    Duration::from_secs_f64(use_s.clamp(5.0, 86_400.0))
}

/// The OAuth server's answer: `{"access_token", "expires_in", ...}`.
fn parse_token(status: u16, body: &[u8]) -> Result<AccessToken, Error> {
    #[derive(serde::Deserialize)]
    struct Answer {
        access_token: Option<String>,
        // Any number: a negative or huge one is a bad answer, not a reason to fail
        // (or to overflow the clock).
        expires_in: Option<serde_json::Number>,
        reason: Option<String>,
        error: Option<String>,
    }
    let answer = serde_json::from_slice::<Answer>(body).ok();
    match answer {
        Some(Answer {
            access_token: Some(token),
            expires_in,
            ..
        }) if (200..300).contains(&status) => {
            let expires_s = expires_in.and_then(|n| n.as_f64()).unwrap_or(3600.0);
            let now = Instant::now();
            Ok(AccessToken {
                token,
                renew_at: Some(now.checked_add(token_lifetime(expires_s)).unwrap_or(now)),
            })
        }
        other => {
            let reason = other
                .and_then(|a| a.reason.or(a.error))
                .unwrap_or_else(|| "no access_token in the answer".to_owned());
            Err(ErrorKind::Transport {
                message: format!("OAuth token request refused (HTTP {status}): {reason}"),
            }
            .into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_used_for_a_sane_part_of_its_life() {
        let s = |expires_s: f64| token_lifetime(expires_s).as_secs_f64();
        assert_eq!(s(3600.0), 3540.0, "a minute early");
        assert_eq!(s(120.0), 60.0);
        assert_eq!(s(60.0), 30.0, "half of a short life");
        assert_eq!(s(0.0), 5.0, "never renewed before every request");
        assert_eq!(s(-1.0), 5.0);
        assert_eq!(s(f64::NAN), 5.0);
        assert_eq!(
            s(1.8e19),
            86_400.0,
            "a huge value cannot overflow the clock"
        );
        let token = parse_token(
            200,
            br#"{"access_token":"t","expires_in":18446744073709551615}"#,
        )
        .expect("a token");
        assert!(token.renew_at.is_some());
        let negative = parse_token(200, br#"{"access_token":"t","expires_in":-5}"#);
        assert!(
            negative.is_ok(),
            "a negative lifetime is not \"no access_token\""
        );
    }
}
