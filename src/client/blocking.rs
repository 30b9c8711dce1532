//! The blocking driver: `ureq` carries the requests the sans-IO core asks for.

use core::fmt;
use std::time::{Duration, Instant};

use super::{
    DEFAULT_API_BASE, DEFAULT_OAUTH_BASE, Day, Endpoint, HttpResponse, Kind, ListedMeeting,
    Listing, MAX_LIST_PAGE_SIZE, Pages, QosType, Query, RetryPolicy, Step, encode, month_windows,
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
pub struct Client {
    agent: ureq::Agent,
    api_base: String,
    oauth_base: String,
    auth: Auth,
    access: Option<AccessToken>,
    policy: RetryPolicy,
    sleep: fn(Duration),
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
            access: None,
            policy: RetryPolicy::default(),
            sleep: std::thread::sleep,
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

    /// How the client waits before a retry (default: `std::thread::sleep`); a test can
    /// record the waits instead.
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
    pub fn fetch(&mut self, endpoint: &Endpoint, query: &Query) -> Result<Vec<Vec<u8>>, Error> {
        let mut pages = Pages::new(
            &self.api_base,
            endpoint,
            *query,
            self.renewable(),
            self.policy,
        );
        let mut bodies = Vec::new();
        while let Some(url) = pages.next_url() {
            let (status, retry_after, body) = self.get(&url)?;
            let response = HttpResponse {
                status,
                retry_after: retry_after.as_deref(),
                body: &body,
            };
            let step = pages.on_response(&response)?;
            if self.follow(step) {
                bodies.push(body);
            }
        }
        Ok(bodies)
    }

    /// Lists the meetings or webinars of `kind` and `qos_type` from `from` to `to` (UTC
    /// dates, split into calendar months), each instance once; `today` is the UTC date the
    /// six months of retention count back from.
    ///
    /// # Errors
    /// A range the API cannot answer ([`month_windows`]); as [`fetch`](Self::fetch).
    pub fn list(
        &mut self,
        kind: Kind,
        qos_type: QosType,
        range: Option<(Day, Day)>,
        today: Day,
    ) -> Result<Vec<ListedMeeting>, Error> {
        let mut listing = match range {
            Some((from, to)) => Listing::new(
                &self.api_base,
                kind,
                qos_type,
                month_windows(from, to, today)?,
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
            let (status, retry_after, body) = self.get(&url)?;
            let response = HttpResponse {
                status,
                retry_after: retry_after.as_deref(),
                body: &body,
            };
            let (step, fresh) = listing.on_response(&response)?;
            self.follow(step);
            listed.extend(fresh);
        }
        Ok(listed)
    }

    fn renewable(&self) -> bool {
        matches!(self.auth, Auth::ServerToServer { .. })
    }

    /// `GET url` with the access token: status, `Retry-After` and body.
    fn get(&mut self, url: &str) -> Result<(u16, Option<String>, Vec<u8>), Error> {
        let token = self.access_token()?;
        let request = self
            .agent
            .get(url)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", "application/json");
        exchange(url, request.call())
    }

    /// Does what a step asks (waits, or forgets the token); whether it was a page.
    fn follow(&mut self, step: Step) -> bool {
        match step {
            Step::Page { .. } => true,
            Step::Retry { after } => {
                (self.sleep)(after);
                false
            }
            Step::Reauthenticate => {
                self.access = None;
                false
            }
        }
    }

    /// The current access token, asking the OAuth server for one when needed.
    fn access_token(&mut self) -> Result<String, Error> {
        if let Some(access) = &self.access {
            if access.renew_at.is_none_or(|at| Instant::now() < at) {
                return Ok(access.token.clone());
            }
        }
        let access = match &self.auth {
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
                let (status, _, body) = exchange(&url, request.send_empty())?;
                parse_token(status, &body)?
            }
        };
        let token = access.token.clone();
        self.access = Some(access);
        Ok(token)
    }
}

/// Reads an answer: status, `Retry-After`, body. A failure to get one is a transport error
/// (its text names the host, never a credential).
fn exchange(
    url: &str,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<(u16, Option<String>, Vec<u8>), Error> {
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
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES)
        .read_to_vec()
        .map_err(transport)?;
    Ok((status, retry_after, body))
}

/// The OAuth server's answer: `{"access_token", "expires_in", ...}`.
fn parse_token(status: u16, body: &[u8]) -> Result<AccessToken, Error> {
    #[derive(serde::Deserialize)]
    struct Answer {
        access_token: Option<String>,
        expires_in: Option<u64>,
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
            // Renew a minute early, so that a request never carries an expiring token.
            let lifetime = Duration::from_secs(expires_in.unwrap_or(3600).saturating_sub(60));
            Ok(AccessToken {
                token,
                renew_at: Some(Instant::now() + lifetime),
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
