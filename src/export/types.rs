//! What both batches share: their Arrow types, their schemas made once, the MOS streams.

use std::sync::{Arc, OnceLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::schema::Stream;

/// The streams with a MOS column.
pub(super) const MOS_STREAMS: [Stream; 2] = Stream::AUDIO;

/// Strings that repeat (names, devices): dictionary-encoded.
pub(super) fn dictionary() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// Sample and meeting times: milliseconds, UTC.
pub(super) fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// A schema made once, from its fields.
pub(super) fn schema(made: &OnceLock<SchemaRef>, fields: impl FnOnce() -> Vec<Field>) -> SchemaRef {
    made.get_or_init(|| Arc::new(Schema::new(fields()))).clone()
}
