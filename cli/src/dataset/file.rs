//! A dataset file: the format, how a batch is stored in it (compression, encodings,
//! statistics), staged through the [atomic writer](crate::atomic), and read back.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::atomic::Staged;
use crate::error::DataError;

/// The files an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    /// Apache Parquet, zstd-compressed: for DuckDB, DataFusion, Spark, pandas, Polars.
    Parquet,
    /// Arrow IPC files (zstd-compressed buffers), with the exact Arrow schema: for Arrow
    /// readers (pyarrow, Polars, arrow-rs).
    Arrow,
}

impl FileFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Parquet => "parquet",
            FileFormat::Arrow => "arrow",
        }
    }
}

/// Parquet's zstd level: 1, zstd's fastest regular level (higher levels were not
/// measured here; the export's cost is the writer's set-up per chunk, not the level).
const ZSTD_LEVEL: i32 = 1;

/// Column chunks with fewer values than this are not compressed (see
/// [`parquet_properties`]). Measured on the generated 102 MB corpus, 1 thread: from 128
/// to 2,048 the export took 2.5 to 2.0 times `analyze`, and the dataset grew from 1/11.3
/// to 1/8.6 of the input.
const ZSTD_LEAST_VALUES: usize = 2048;

/// Column chunks with fewer values than this are not dictionary-encoded: a dictionary of
/// a few values costs more to build than it saves (same corpus, one run of 10 pairs: the
/// export took 0.589 s instead of 0.685 s; the dataset grew by 0.1 %).
const DICTIONARY_LEAST_VALUES: usize = 64;

/// Row groups of at most this many bytes: large enough that a scan reads long runs, small
/// enough that an engine can split a big file among its threads.
const ROW_GROUP_BYTES: usize = 128 << 20;

/// Writes `batch` to a file staged for `path` by the [atomic writer](crate::atomic) (not
/// synced yet: the dataset's placing thread commits it).
pub(super) fn stage_file(
    path: &Path,
    batch: &RecordBatch,
    format: FileFormat,
) -> Result<Staged, DataError> {
    Staged::write(path, |out: &mut BufWriter<File>| -> Result<(), DataError> {
        match format {
            FileFormat::Parquet => {
                let options = ArrowWriterOptions::new()
                    .with_properties(parquet_properties(batch)?)
                    // The Arrow schema, stored in every file, would be larger than most
                    // files' data; engines read the Parquet types (strings, millisecond
                    // timestamps).
                    .with_skip_arrow_metadata(true);
                let mut writer = ArrowWriter::try_new_with_options(out, batch.schema(), options)?;
                writer.write(batch)?;
                writer.close()?;
            }
            FileFormat::Arrow => {
                let options = arrow_ipc::writer::IpcWriteOptions::default()
                    .try_with_compression(Some(arrow_ipc::CompressionType::ZSTD))?;
                let mut writer = arrow_ipc::writer::FileWriter::try_new_with_options(
                    out,
                    &batch.schema(),
                    options,
                )?;
                writer.write(batch)?;
                writer.finish()?;
            }
        }
        Ok(())
    })
}

/// How a batch is stored in Parquet: zstd, row groups of at most [`ROW_GROUP_BYTES`],
/// statistics per column chunk (min, max, nulls: what engines prune files and row groups
/// by), dictionary encoding. Column chunks with little for zstd to win are stored plain,
/// because setting up zstd for a chunk (a compression and a decompression context, about
/// 20 µs) costs more than writing it: columns of nulls (without dictionary or statistics
/// too), booleans, dictionary strings (runs of keys, one participant after another), and
/// chunks of fewer than [`ZSTD_LEAST_VALUES`] values, which dictionary encoding already
/// shrinks to a byte or two a value.
fn parquet_properties(batch: &RecordBatch) -> Result<WriterProperties, ParquetError> {
    let zstd = ZstdLevel::try_new(ZSTD_LEVEL)?;
    let mut properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(zstd))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES));
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        let path = || ColumnPath::from(field.name().as_str());
        let values = column.len() - column.null_count();
        if values == 0 {
            properties = properties
                .set_column_dictionary_enabled(path(), false)
                .set_column_statistics_enabled(path(), EnabledStatistics::None);
        }
        if values < DICTIONARY_LEAST_VALUES
            && !matches!(field.data_type(), DataType::Dictionary(..))
        {
            properties = properties.set_column_dictionary_enabled(path(), false);
        }
        let plain = values < ZSTD_LEAST_VALUES
            || matches!(
                field.data_type(),
                DataType::Boolean | DataType::Dictionary(..)
            );
        if plain || field.name() == "participant" {
            properties = properties.set_column_compression(path(), Compression::UNCOMPRESSED);
        }
    }
    Ok(properties.build())
}

/// Reads every batch of a file this module wrote.
///
/// The file is untrusted input (anything may have been written there): a reader that
/// panics on it, as the Parquet and Arrow readers do on some corrupt files, is an error
/// like any other, and its panic message stays off the terminal.
pub(super) fn read_file(path: &Path, format: FileFormat) -> Result<Vec<RecordBatch>, DataError> {
    let file = File::open(path)?;
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let read = std::panic::catch_unwind(|| read_batches(file, format));
    std::panic::set_hook(quiet);
    read.unwrap_or_else(|_| {
        Err(DataError::Unusable(
            "it is corrupt (its reader gave up on it): export into a new folder, or remove \
             the file",
        ))
    })
}

fn read_batches(file: File, format: FileFormat) -> Result<Vec<RecordBatch>, DataError> {
    Ok(match format {
        FileFormat::Parquet => ParquetRecordBatchReaderBuilder::try_new(file)?
            .build()?
            .collect::<Result<Vec<_>, _>>()?,
        FileFormat::Arrow => {
            arrow_ipc::reader::FileReader::try_new(file, None)?.collect::<Result<Vec<_>, _>>()?
        }
    })
}
