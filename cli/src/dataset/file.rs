//! A dataset file: the format, how batches are stored in it (compression, encodings,
//! statistics, row groups), written into a version not yet committed, and read back.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::arrow::{ArrowSchemaConverter, ArrowWriter};
use parquet::basic::{Compression, ZstdLevel};
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterPropertiesBuilder};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{SchemaDescPtr, SchemaDescriptor};

use zoom_qos::export::Samples;

use super::encode::ChunkEncoder;
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

/// Parquet's zstd level: 1. The pages are mostly dictionary indices, which level 3
/// (zstd's default) compressed only 0.2 % smaller on the generated corpus, for 4 % more
/// of the export's time (measured: see the benches' README).
const ZSTD_LEVEL: i32 = 1;

/// A meetings file of fewer rows is written without zstd (see [`write_file`]).
const MEETINGS_ZSTD_ROWS: usize = 256;

/// Rows per row group: DuckDB writes 122,880 and Spark splits a file by row group, so a
/// group of this order is one unit of parallel work; it also bounds what the writer holds
/// in memory per open partition (a row group's encoded pages).
pub(super) const ROW_GROUP_ROWS: usize = 1 << 17;

/// A sample file is closed at this size, and the partition's next rows go to a new one:
/// the upper end of the 64–128 MiB that Spark, Trino and object stores read best (a
/// file is a unit of listing and of footers; smaller ones multiply both).
pub(super) const FILE_TARGET_BYTES: u64 = 128 << 20;

/// A file being written in a version that is not committed yet. Parquet takes row
/// groups encoded elsewhere ([`RowGroup`], on the threads that made the rows) and only
/// appends them; Arrow IPC takes batches. [`finish`](Self::finish) writes the footer.
pub(super) enum PartFile {
    Parquet(SerializedFileWriter<Counting>),
    Arrow(arrow_ipc::writer::FileWriter<Counting>),
}

/// A buffered file that counts the bytes written to it.
pub(super) struct Counting {
    out: BufWriter<File>,
    bytes: u64,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl PartFile {
    /// Creates `path` (a new file of an uncommitted version) for batches of `schema`.
    pub(super) fn create(
        path: &Path,
        schema: &SchemaRef,
        format: FileFormat,
    ) -> Result<PartFile, DataError> {
        let out = Counting {
            out: BufWriter::with_capacity(1 << 16, File::create(path)?),
            bytes: 0,
        };
        Ok(match format {
            // No Arrow schema in the footer: engines would read dictionary strings as
            // dictionaries (pandas' categoricals); the Parquet types (strings, millisecond
            // timestamps) are what the README documents.
            FileFormat::Parquet => PartFile::Parquet(SerializedFileWriter::new(
                out,
                parquet_schema(schema)?.root_schema_ptr(),
                Arc::new(parquet_properties()?),
            )?),
            FileFormat::Arrow => {
                let options = arrow_ipc::writer::IpcWriteOptions::default()
                    .try_with_compression(Some(arrow_ipc::CompressionType::ZSTD))?;
                PartFile::Arrow(arrow_ipc::writer::FileWriter::try_new_with_options(
                    out, schema, options,
                )?)
            }
        })
    }

    /// Adds an encoded row group (Parquet).
    pub(super) fn append(
        &mut self,
        group: Vec<(Bytes, ColumnCloseResult)>,
    ) -> Result<(), DataError> {
        match self {
            PartFile::Parquet(writer) => {
                let mut row_group = writer.next_row_group()?;
                for (chunk, close) in group {
                    row_group.append_column(&chunk, close)?;
                }
                row_group.close()?;
                Ok(())
            }
            PartFile::Arrow(_) => Err(DataError::Unusable("an Arrow IPC file takes batches")),
        }
    }

    /// Adds a batch (Arrow IPC).
    pub(super) fn write(&mut self, batch: &RecordBatch) -> Result<(), DataError> {
        match self {
            PartFile::Arrow(writer) => Ok(writer.write(batch)?),
            PartFile::Parquet(_) => Err(DataError::Unusable("a Parquet file takes row groups")),
        }
    }

    /// Bytes written so far.
    pub(super) fn bytes(&self) -> u64 {
        match self {
            PartFile::Parquet(writer) => writer.inner().bytes,
            PartFile::Arrow(writer) => writer.get_ref().bytes,
        }
    }

    /// Writes the footer; returns the file's size. Not synced: the version is synced
    /// whole before its commit.
    pub(super) fn finish(self) -> Result<u64, DataError> {
        let mut out = match self {
            PartFile::Parquet(writer) => writer.into_inner()?,
            PartFile::Arrow(mut writer) => {
                writer.finish()?;
                writer.into_inner()?
            }
        };
        out.flush()?;
        Ok(out.bytes)
    }
}

/// Makes Parquet row groups: one per partition being filled, encoded on the thread that
/// made its rows (so the groups of two dates are encoded and compressed at once; the
/// file only appends a finished group), by [`ChunkEncoder`]s.
pub(super) struct Encoder {
    schema: SchemaRef,
    /// `schema` as Parquet's, converted once.
    parquet: SchemaDescPtr,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Encoder")
    }
}

impl Encoder {
    /// The encoder of batches of `schema`, stored as [`PartFile`] stores them.
    pub(super) fn new(schema: &SchemaRef) -> Result<Encoder, DataError> {
        Ok(Encoder {
            schema: schema.clone(),
            parquet: Arc::new(parquet_schema(schema)?),
        })
    }

    /// An empty row group.
    pub(super) fn row_group(&self) -> Result<RowGroup, DataError> {
        let columns = self
            .schema
            .fields()
            .iter()
            .enumerate()
            .map(|(at, field)| {
                ChunkEncoder::new(self.parquet.column(at), field.data_type(), ZSTD_LEVEL)
            })
            .collect::<Result<_, _>>()?;
        Ok(RowGroup { columns, rows: 0 })
    }

    /// Encodes a meeting's samples `rows` into `group`, value by value (no Arrow arrays
    /// between: measured, see the benches' README).
    pub(super) fn write_samples(
        &self,
        group: &mut RowGroup,
        samples: &Samples<'_>,
        rows: &[u32],
    ) -> Result<(), DataError> {
        samples.columns_into(rows, &mut group.columns)?;
        group
            .columns
            .iter_mut()
            .try_for_each(ChunkEncoder::end_batch)?;
        group.rows += rows.len();
        Ok(())
    }

    /// Encodes a batch into `group` (rows copied from an earlier file).
    pub(super) fn write(&self, group: &mut RowGroup, batch: &RecordBatch) -> Result<(), DataError> {
        if batch.num_columns() != group.columns.len() {
            return Err(DataError::Unusable(
                "a batch with other columns than its schema",
            ));
        }
        for (encoder, column) in group.columns.iter_mut().zip(batch.columns()) {
            encoder.write(column.as_ref())?;
        }
        group.rows += batch.num_rows();
        Ok(())
    }
}

/// A Parquet row group being filled: its columns encoded and compressed a page at a time.
pub(super) struct RowGroup {
    columns: Vec<ChunkEncoder>,
    rows: usize,
}

impl RowGroup {
    /// Rows so far.
    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    /// Finishes the columns, for [`PartFile::append`].
    pub(super) fn close(self) -> Result<Vec<(Bytes, ColumnCloseResult)>, DataError> {
        self.columns.into_iter().map(ChunkEncoder::close).collect()
    }
}

/// The Parquet schema of an Arrow one.
fn parquet_schema(schema: &SchemaRef) -> Result<SchemaDescriptor, ParquetError> {
    ArrowSchemaConverter::new().convert(schema)
}

/// Writes a whole file of one batch (the meetings file: a few columns of any Arrow
/// type, written by the `parquet` crate's own writer).
pub(super) fn write_file(
    path: &Path,
    batch: &RecordBatch,
    format: FileFormat,
) -> Result<u64, DataError> {
    let schema = batch.schema();
    match format {
        FileFormat::Parquet => {
            let mut out = Counting {
                out: BufWriter::new(File::create(path)?),
                bytes: 0,
            };
            // No dictionaries: a meeting's row is mostly its own (keys, digests,
            // statistics), and each dictionary column writer starts with a 4,096-slot
            // table (the `parquet` crate's interner), a tenth of an ordinary export's page
            // faults. A small file is not compressed: the crate makes two zstd contexts
            // per column, which cost more time than the bytes they save (measured: see
            // the benches' README).
            let compression = if batch.num_rows() < MEETINGS_ZSTD_ROWS {
                Compression::UNCOMPRESSED
            } else {
                Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL)?)
            };
            let properties = parquet_properties_builder()?
                .set_dictionary_enabled(false)
                .set_compression(compression)
                .build();
            let options = ArrowWriterOptions::new()
                .with_properties(properties)
                .with_skip_arrow_metadata(true);
            let mut writer = ArrowWriter::try_new_with_options(&mut out, schema, options)?;
            writer.write(batch)?;
            writer.close()?;
            out.flush()?;
            Ok(out.bytes)
        }
        FileFormat::Arrow => {
            let mut file = PartFile::create(path, &schema, format)?;
            file.write(batch)?;
            file.finish()
        }
    }
}

/// How Parquet files are stored: zstd, statistics (min, max, nulls) per column chunk,
/// which is what engines prune row groups by (no page index), and dictionary encoding
/// (Parquet's default) for every column, which strings and repeated values (a loss of
/// 0 %, 30 fps) shrink most. The sample files' chunks are encoded so by
/// [`ChunkEncoder`]; their row groups are cut by the caller, at [`ROW_GROUP_ROWS`]. The
/// meetings file changes two of these ([`write_file`]).
fn parquet_properties() -> Result<WriterProperties, ParquetError> {
    Ok(parquet_properties_builder()?.build())
}

/// [`parquet_properties`], to be changed before it is built.
fn parquet_properties_builder() -> Result<WriterPropertiesBuilder, ParquetError> {
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL)?))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        // Without a column index, the offset index only serves reads by row number, which
        // the engines here do not make: 3 % of an ordinary day's file (measured).
        .set_offset_index_disabled(true))
}

/// Reads every batch of a file this module wrote.
///
/// The file is untrusted input (anything may have been written there): a reader that
/// panics on it, as the Parquet and Arrow readers do on some corrupt files, is an error
/// like any other, and its panic message stays off the terminal.
///
/// With `schema`, the batches come in that schema (Parquet stores strings, not Arrow's
/// dictionaries: the hint reads them back as the writer's types); a file whose columns do
/// not fit it is an error.
pub(super) fn read_file(
    path: &Path,
    format: FileFormat,
    schema: Option<&SchemaRef>,
) -> Result<Vec<RecordBatch>, DataError> {
    let file = File::open(path)?;
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let read = std::panic::catch_unwind(|| read_batches(file, format, schema));
    std::panic::set_hook(quiet);
    read.unwrap_or_else(|_| {
        Err(DataError::Unusable(
            "it is corrupt (its reader gave up on it): export into a new folder, or remove \
             the file",
        ))
    })
}

fn read_batches(
    file: File,
    format: FileFormat,
    schema: Option<&SchemaRef>,
) -> Result<Vec<RecordBatch>, DataError> {
    Ok(match format {
        FileFormat::Parquet => {
            let mut options = ArrowReaderOptions::new();
            if let Some(schema) = schema {
                options = options.with_schema(schema.clone());
            }
            ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)?
                .build()?
                .collect::<Result<Vec<_>, _>>()?
        }
        FileFormat::Arrow => {
            arrow_ipc::reader::FileReader::try_new(file, None)?.collect::<Result<Vec<_>, _>>()?
        }
    })
}
