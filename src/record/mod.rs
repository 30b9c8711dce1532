//! Stage 3: pages to a compact columnar meeting table. Knows the page layout and how each
//! metric is stored; leaves statistics to [`crate::aggregate`].
//!
//! Two routes fill a [`Table`]: [`Decoder::decode`] walks simd-json's tape directly (the
//! fast route, no allocation per sample), and [`Table::push_view`] copies the borrowed
//! serde views of [`crate::raw`]. Both write through one row writer, so they agree value
//! for value (a test checks it).

mod column;
mod decode;
mod table;
mod view;

pub(crate) use column::Column;
pub use decode::{Decoder, PageInfo};
pub use table::{DecodeConfig, Diagnostics, ParticipantRef, StreamColumns, Table, to_report_unit};
