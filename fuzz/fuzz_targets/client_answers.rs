//! The client's reading of answers, on arbitrary ones: any status, headers and body (Zoom's
//! pages, error bodies, token loops, listing pages with odd entries). No panic; pages are
//! numbered in order; a retry waits no longer than the policy allows; and a chain ends,
//! whatever the answers, within the page cap.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use zoom_qos::client::{
    Day, Endpoint, HttpResponse, Kind, Listing, MAX_CHAIN_PAGES, Pages, QosType, Query,
    RetryPolicy, Step,
};

#[derive(Arbitrary, Debug)]
struct Answer {
    status: u16,
    retry_after: Option<String>,
    rate_limit_type: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn response(&self) -> HttpResponse<'_> {
        HttpResponse {
            status: self.status,
            retry_after: self.retry_after.as_deref(),
            rate_limit_type: self.rate_limit_type.as_deref(),
            body: &self.body,
        }
    }
}

fuzz_target!(|answers: Vec<Answer>| {
    let policy = RetryPolicy::default();
    let endpoint = Endpoint::ParticipantsQos {
        kind: Kind::Meeting,
        id: "85746065432".into(),
    };
    let Ok(query) = Query::new(QosType::Past, 10) else {
        return;
    };
    let mut pages = Pages::new("http://x/v2", &endpoint, query, true, policy);
    let mut next_index = 0;
    for answer in &answers {
        let Some(url) = pages.next_url() else {
            break;
        };
        assert!(url.starts_with("http://x/v2/metrics/meetings/85746065432/"));
        match pages.on_response(&answer.response()) {
            Ok(Step::Page { index, .. }) => {
                assert_eq!(index, next_index, "pages in order");
                next_index += 1;
                assert!(u64::from(next_index) <= MAX_CHAIN_PAGES);
            }
            Ok(Step::Retry { after }) => assert!(after <= policy.max_delay),
            Ok(Step::Reauthenticate) | Err(_) => {}
        }
    }

    let day = Day::from_days(20_000);
    let Ok(mut listing) = Listing::new("http://x/v2", Kind::Webinar, QosType::Past, vec![(day, day)], 300, true, policy) else {
        return;
    };
    for answer in &answers {
        if listing.next_url().is_none() {
            break;
        }
        if let Ok((Step::Retry { after }, _)) = listing.on_response(&answer.response()) {
            assert!(after <= policy.max_delay);
        }
    }
});
