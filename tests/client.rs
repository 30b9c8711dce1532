//! The client against a fake Zoom API on 127.0.0.1 (`tests/fake_zoom`): a real HTTP server,
//! not a mocked function.

mod fake_zoom;

use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fake_zoom::{FakeZoom, Response};
use zoom_qos::ErrorKind;
use zoom_qos::client::{Auth, Client, Endpoint, Kind, QosType, Query, RetryPolicy};
use zoom_qos::synth::{self, MeetingShape};

thread_local! {
    static WAITS: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
}

/// Records the waits instead of sleeping: the fetch runs on the test's own thread.
/// `type=live`, 10 participants a page.
fn live() -> Query {
    Query::new(QosType::Live, 10).expect("a valid page size")
}

fn record_wait(wait: Duration) {
    WAITS.with(|w| w.borrow_mut().push(wait));
}

fn waits() -> Vec<Duration> {
    WAITS.with(|w| w.borrow_mut().drain(..).collect())
}

fn meeting(id: &str) -> Endpoint {
    Endpoint::ParticipantsQos {
        kind: Kind::Meeting,
        id: id.into(),
    }
}

fn client(server: &FakeZoom) -> Client {
    Client::new(Auth::Token("secret-token".into()))
        .api_base(format!("{}/v2", server.base))
        .oauth_base(&server.base)
        .sleeper(record_wait)
}

/// A Server-to-Server client of `server` for `account_id` (client `client`, secret `shh`).
fn s2s_client(server: &FakeZoom, account_id: &str) -> Client {
    let auth = Auth::ServerToServer {
        account_id: account_id.into(),
        client_id: "client".into(),
        client_secret: "shh".into(),
    };
    Client::new(auth)
        .api_base(format!("{}/v2", server.base))
        .oauth_base(&server.base)
        .sleeper(record_wait)
}

/// Serves the generated pages of a meeting by their `next_page_token` (`tok..pN`).
fn serve_pages(pages: Vec<String>) -> impl Fn(&fake_zoom::Request) -> Response + Send + Sync {
    move |request| {
        let index = request
            .query("next_page_token")
            .and_then(|t| t.rsplit('p').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        match pages.get(index) {
            Some(page) => Response::json(200, page.clone()),
            None => Response::json(
                400,
                r#"{"code":300,"message":"The next page token is invalid or expired."}"#,
            ),
        }
    }
}

#[test]
fn a_multi_page_chain_comes_back_byte_for_byte() {
    let pages = synth::meeting_pages(
        3,
        MeetingShape {
            participants: 25,
            minutes: 4,
        },
    );
    assert_eq!(pages.len(), 3);
    let server = FakeZoom::start(serve_pages(pages.clone()));
    let query = Query::new(QosType::Past, 10).expect("valid");
    let fetched = client(&server)
        .fetch(&meeting("85746065432"), &query)
        .expect("fetched");
    let expected: Vec<Vec<u8>> = pages.iter().map(|p| p.clone().into_bytes()).collect();
    assert_eq!(fetched, expected, "pages come back unchanged, in order");

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for (i, request) in requests.iter().enumerate() {
        assert_eq!(request.method, "GET");
        assert_eq!(
            request.path(),
            "/v2/metrics/meetings/85746065432/participants/qos"
        );
        assert_eq!(request.query("type"), Some("past"));
        assert_eq!(request.query("page_size"), Some("10"));
        assert_eq!(request.header("authorization"), Some("Bearer secret-token"));
        let token = request.query("next_page_token");
        assert_eq!(token.is_some(), i > 0, "the first request has no token");
    }
    assert!(waits().is_empty());
}

#[test]
fn rate_limits_are_retried_honouring_retry_after() {
    let calls = AtomicUsize::new(0);
    let page = synth::meeting_pages(
        4,
        MeetingShape {
            participants: 2,
            minutes: 2,
        },
    )
    .remove(0);
    let server = FakeZoom::start(move |_| match calls.fetch_add(1, Ordering::SeqCst) {
        0 => Response::json(
            429,
            r#"{"code":429,"message":"You have reached the maximum per-second rate limit."}"#,
        )
        .with_header("Retry-After", "3"),
        1 => Response::json(503, "upstream busy"),
        _ => Response::json(200, page.clone()),
    });
    let fetched = client(&server)
        .fetch(&meeting("1"), &live())
        .expect("third time lucky");
    assert_eq!(fetched.len(), 1);
    assert_eq!(server.requests().len(), 3);
    // Retry-After is honoured (a 429 pauses the client's gate: the wait is counted from
    // the answer, so a little under 3 s is left when the next request asks); without it
    // the n-th failure waits base · 2^(n-1): 2 s here.
    let waits = waits();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert!(
        waits[0] <= Duration::from_secs(3) && waits[0] > Duration::from_millis(2900),
        "{waits:?}"
    );
    assert_eq!(waits[1], Duration::from_secs(2));
}

#[test]
fn server_errors_exhaust_the_retries_into_a_typed_error() {
    let server = FakeZoom::start(|_| Response::json(503, r#"{"message":"down"}"#));
    let policy = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(25),
    };
    let error = client(&server)
        .retry_policy(policy)
        .fetch(&meeting("1"), &live())
        .expect_err("never up");
    assert_eq!(server.requests().len(), 4);
    assert_eq!(
        waits(),
        [10, 20, 25].map(Duration::from_millis),
        "doubling, capped"
    );
    match error.kind() {
        ErrorKind::Api(api) => assert_eq!(
            (api.status, api.page, api.message.as_str()),
            (503, 0, "down")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refused_token_is_renewed_once_through_oauth() {
    static TOKENS: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let issued = AtomicUsize::new(0);
    let page = synth::meeting_pages(
        5,
        MeetingShape {
            participants: 3,
            minutes: 2,
        },
    )
    .remove(0);
    let server = FakeZoom::start(move |request| {
        if request.path() == "/oauth/token" {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            TOKENS.lock().expect("lock").push(format!("t{n}"));
            return Response::json(
                200,
                format!(
                    r#"{{"access_token":"t{n}","token_type":"bearer","expires_in":3600,"scope":"dashboard_meetings:read:admin"}}"#
                ),
            );
        }
        if request.header("authorization") == Some("Bearer t1") {
            return Response::json(401, r#"{"code":124,"message":"Invalid access token."}"#);
        }
        Response::json(200, page.clone())
    });
    let client = s2s_client(&server, "acc/1");
    let fetched = client.fetch(&meeting("1"), &live()).expect("renewed");
    assert_eq!(fetched.len(), 1);
    let requests = server.requests();
    let oauth: Vec<_> = requests
        .iter()
        .filter(|r| r.path() == "/oauth/token")
        .collect();
    assert_eq!(oauth.len(), 2, "one token, refused, then one more");
    assert_eq!(oauth[0].method, "POST");
    assert_eq!(oauth[0].query("grant_type"), Some("account_credentials"));
    assert_eq!(oauth[0].query("account_id"), Some("acc%2F1"));
    // base64("client:shh")
    assert_eq!(
        oauth[0].header("authorization"),
        Some("Basic Y2xpZW50OnNoaA==")
    );
    assert_eq!(TOKENS.lock().expect("lock").as_slice(), ["t1", "t2"]);
    assert!(
        !format!("{client:?}").contains("shh"),
        "Debug never shows the secret"
    );
}

#[test]
fn a_token_that_stays_refused_is_an_error_without_secrets() {
    let server = FakeZoom::start(|request| {
        if request.path() == "/oauth/token" {
            return Response::json(200, r#"{"access_token":"bad","expires_in":3600}"#);
        }
        Response::json(401, r#"{"code":124,"message":"Invalid access token."}"#)
    });
    let auth = Auth::ServerToServer {
        account_id: "a".into(),
        client_id: "c".into(),
        client_secret: "topsecret".into(),
    };
    let client = Client::new(auth)
        .api_base(format!("{}/v2", server.base))
        .oauth_base(&server.base);
    let error = client
        .fetch(&meeting("1"), &live())
        .expect_err("refused twice");
    let text = error.to_string();
    assert!(
        text.contains("code 124") && text.contains("invalid or expired access token"),
        "{text}"
    );
    assert!(
        !text.contains("topsecret") && !text.contains("bad"),
        "{text}"
    );

    let refusing = FakeZoom::start(|_| {
        Response::json(
            401,
            r#"{"reason":"Invalid client_id or client_secret","error":"invalid_client"}"#,
        )
    });
    let auth = Auth::ServerToServer {
        account_id: "a".into(),
        client_id: "c".into(),
        client_secret: "topsecret".into(),
    };
    let error = Client::new(auth)
        .oauth_base(&refusing.base)
        .fetch(&meeting("1"), &live())
        .expect_err("no token");
    assert!(matches!(error.kind(), ErrorKind::Transport { .. }));
    assert!(error.to_string().contains("Invalid client_id"), "{error}");
    assert!(!error.to_string().contains("topsecret"));
}

#[test]
fn zoom_error_codes_are_typed() {
    let pages = synth::meeting_pages(
        6,
        MeetingShape {
            participants: 15,
            minutes: 1,
        },
    );
    // Page 1's token is refused: code 300 after one good page.
    let server = FakeZoom::start(move |request| match request.query("next_page_token") {
        None => Response::json(200, pages[0].clone()),
        Some(_) => Response::json(
            400,
            r#"{"code":300,"message":"The next page token is either invalid or expired."}"#,
        ),
    });
    let error = client(&server)
        .fetch(&meeting("1"), &live())
        .expect_err("expired");
    match error.kind() {
        ErrorKind::Api(api) => {
            assert_eq!((api.status, api.code, api.page), (400, Some(300), 1));
            assert!(api.meaning.contains("15 minutes"));
        }
        other => panic!("{other:?}"),
    }

    let server = FakeZoom::start(|_| {
        Response::json(
            404,
            r#"{"code":3001,"message":"Meeting does not exist: 1."}"#,
        )
    });
    let error = client(&server)
        .fetch(&meeting("1"), &live())
        .expect_err("missing");
    assert!(
        error
            .to_string()
            .contains("code 3001 (meeting not found, or not ended yet): Meeting does not exist"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 1, "a 404 is not retried");
}

#[test]
fn odd_uuids_are_double_encoded_and_page_size_is_sent() {
    let server =
        FakeZoom::start(|_| Response::json(200, r#"{"next_page_token":"","participants":[]}"#));
    let query = Query::new(QosType::PastOne, 3).expect("valid");
    let fetched = client(&server)
        .fetch(&meeting("/ab//c+d=="), &query)
        .expect("fetched");
    assert_eq!(fetched.len(), 1);
    let request = &server.requests()[0];
    assert_eq!(
        request.path(),
        "/v2/metrics/meetings/%252Fab%252F%252Fc%252Bd%253D%253D/participants/qos"
    );
    assert_eq!(
        (request.query("type"), request.query("page_size")),
        (Some("pastOne"), Some("3"))
    );
    assert!(Query::new(QosType::Past, 11).is_err());
    assert!(Query::new(QosType::Past, 0).is_err());

    let single = Endpoint::ParticipantQos {
        kind: Kind::Webinar,
        id: "9".into(),
        participant: "p 1".into(),
    };
    let server = FakeZoom::start(|_| {
        Response::json(
            200,
            r#"{"user_id":"1","user_qos":[],"next_page_token":"ignored"}"#,
        )
    });
    let fetched = client(&server).fetch(&single, &live()).expect("one page");
    assert_eq!(
        fetched.len(),
        1,
        "the single-participant endpoint is one page"
    );
    assert_eq!(
        server.requests()[0].target,
        "/v2/metrics/webinars/9/participants/p%201/qos?type=live"
    );
}

#[test]
fn an_instance_is_described_by_its_own_endpoint_and_must_name_a_uuid() {
    let server = FakeZoom::start(|request| match request.path() {
        "/v2/metrics/meetings/85746065432" => Response::json(
            200,
            r#"{"uuid":"Wk9/q+1==","id":85746065432,"topic":"Weekly","start_time":"2026-11-30T10:00:00Z"}"#,
        ),
        // A QoS page is not a description; asked again, then given up.
        _ => Response::json(200, r#"{"participants":[]}"#),
    });
    let listed = client(&server)
        .instance(Kind::Meeting, QosType::Past, "85746065432")
        .expect("described");
    assert_eq!(
        (listed.uuid.as_str(), listed.id),
        ("Wk9/q+1==", 85746065432)
    );
    assert_eq!(
        server.requests()[0].target,
        "/v2/metrics/meetings/85746065432?type=past"
    );
    let error = client(&server)
        .instance(Kind::Webinar, QosType::Past, "1")
        .expect_err("a QoS page is no description");
    assert!(
        matches!(error.kind(), ErrorKind::Pagination { .. }),
        "{error}"
    );
    let _ = waits();

    // A description whose uuid is not a string names no instance.
    let server = FakeZoom::start(|_| Response::json(200, r#"{"uuid":12345,"id":1}"#));
    let error = client(&server)
        .instance(Kind::Meeting, QosType::Past, "1")
        .expect_err("no usable uuid");
    assert!(error.to_string().contains("names no instance"), "{error}");
}

#[test]
fn code_300_is_explained_by_its_message() {
    let server = FakeZoom::start(|_| {
        Response::json(400, r#"{"code":300,"message":"from and to are required."}"#)
    });
    let error = client(&server)
        .fetch(&meeting("1"), &live())
        .expect_err("refused");
    let text = error.to_string();
    assert!(!text.contains("next_page_token"), "{text}");
    assert!(text.contains("from and to are required"), "{text}");
}

#[test]
fn a_page_that_is_not_json_is_an_error_not_an_empty_result() {
    let server = FakeZoom::start(|_| Response::json(200, "<html>proxy error</html>"));
    let error = client(&server)
        .fetch(&meeting("1"), &live())
        .expect_err("not a page");
    assert!(matches!(error.kind(), ErrorKind::Json { .. }), "{error}");
    // Asked again as a failed transfer is, then given up: 5 attempts, waits 1, 2, 4, 8 s.
    assert_eq!(server.requests().len(), 5);
    assert_eq!(waits().len(), 4);
}

#[test]
fn a_short_lived_token_is_not_renewed_before_every_request() {
    // A token of 60 s used to be renewed "a minute early": before every request, an
    // OAuth POST per GET. It is used for half its life now, so the chain (well within 30 s)
    // carries the one token. (When a token is renewed: `token_lifetime`'s unit test.)
    let issued = AtomicUsize::new(0);
    let pages = synth::meeting_pages(
        9,
        MeetingShape {
            participants: 25,
            minutes: 2,
        },
    );
    let served = serve_pages(pages);
    let server = FakeZoom::start(move |request| {
        if request.path() == "/oauth/token" {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            return Response::json(200, format!(r#"{{"access_token":"t{n}","expires_in":60}}"#));
        }
        served(request)
    });
    let fetched = s2s_client(&server, "a")
        .fetch(&meeting("1"), &live())
        .expect("three pages");
    assert_eq!(fetched.len(), 3);
    let carried: Vec<Option<String>> = server
        .requests()
        .iter()
        .filter(|r| r.path() != "/oauth/token")
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(carried, ["Bearer t1"; 3].map(|t| Some(t.to_owned())));
}
