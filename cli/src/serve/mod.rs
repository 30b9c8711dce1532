//! `zoom-qos serve`'s parts: Zoom's webhooks verified ([`verify`]) and read ([`event`]),
//! kept in the spool ([`journal`], [`spool`]), held as live tables ([`live`]), and the
//! HTTP side ([`http`]); for accounts without webhooks, polling the API within a daily
//! budget (`poll`). The command itself is `commands::serve`.

pub mod event;
pub mod http;
pub mod journal;
pub mod live;
#[cfg(feature = "fetch")]
pub mod poll;
pub mod spool;
pub mod verify;
