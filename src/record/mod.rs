//! Stage 3: pages to a compact columnar meeting table. Knows the page layout and stores
//! each metric as its [descriptor](crate::descriptor) says; leaves statistics to
//! [`crate::aggregate`], which reads the table through queries, never its storage.
//!
//! Two routes fill a [`Table`]: [`Decoder::decode`] walks simd-json's tape directly (the
//! fast route, no allocation per sample), and [`Table::push_view`] copies the borrowed
//! serde views of [`crate::view`]. Both write through one row writer, so they agree value
//! for value (a test checks it).

mod column;
mod config;
mod decode;
mod from_view;
mod summary;
mod table;
mod writer;

pub use config::{DEFAULT_MAX_PARSE_BYTES, DecodeConfig, Diagnostics};
pub use decode::{Decoder, PageInfo, locate_json_error};
pub use summary::{SummaryEntry, SummaryValue};
pub use table::{
    Chain, ColumnKey, Columns, CpuColumns, ParticipantRef, RssiColumns, StreamColumns, Table,
};
