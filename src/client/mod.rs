//! Fetching pages from the Zoom API (feature `client`). The core here is sans-IO: it says
//! which URL to request and reads the answers, so any HTTP stack (async or not) can drive
//! it. [`Client`] is a blocking driver on `ureq`.
//!
//! ```no_run
//! use zoom_qos::client::{Auth, Client, Endpoint, Kind, Query, QosType};
//!
//! let mut client = Client::new(Auth::Token(std::env::var("ZOOM_ACCESS_TOKEN").unwrap()));
//! let endpoint = Endpoint::ParticipantsQos { kind: Kind::Meeting, id: "85746065432".into() };
//! let pages = client.fetch(&endpoint, &Query::new(QosType::Past, 10)?)?;
//! let mut table = zoom_qos::Table::new();
//! let mut decoder = zoom_qos::Decoder::default();
//! for mut page in pages {
//!     decoder.decode(&mut page, &mut table)?;
//! }
//! # Ok::<(), zoom_qos::Error>(())
//! ```
mod answer;
mod blocking;
mod encode;
mod endpoints;
mod gate;
mod listing;
mod pages;

pub use crate::error::ApiError;
pub use blocking::{AccessToken, Auth, Client};
pub use endpoints::{
    DEFAULT_API_BASE, DEFAULT_OAUTH_BASE, Endpoint, Kind, MAX_PAGE_SIZE, QosType, Query,
};
pub use gate::Counters;
pub use listing::{
    Day, ListedMeeting, Listing, MAX_LIST_PAGE_SIZE, RETENTION_MONTHS, RefusedEntry, month_windows,
};
pub use pages::{HttpResponse, MAX_CHAIN_PAGES, Pages, RetryPolicy, Step};
