//! A dataset file: the format, how batches are stored in it (compression, encodings,
//! statistics, row groups), written into a version not yet committed, and read back.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

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

/// Parquet's zstd level: 3, zstd's own default. Measured on the generated 102 MB corpus
/// (see the README): level 1 gave a 5 % larger dataset for no measurable time saved; the
/// column chunks are large now, so zstd's set-up per chunk no longer counts.
const ZSTD_LEVEL: i32 = 3;

/// Rows per row group: DuckDB writes 122,880 and Spark splits a file by row group, so a
/// group of this order is one unit of parallel work; it also bounds what the writer holds
/// in memory per open partition (a row group's encoded pages).
const ROW_GROUP_ROWS: usize = 1 << 17;

/// A sample file is closed at this size, and the partition's next rows go to a new one:
/// the upper end of the 64–128 MiB that Spark, Trino and object stores read best (a
/// file is a unit of listing and of footers; smaller ones multiply both).
pub(super) const FILE_TARGET_BYTES: u64 = 128 << 20;

/// A file being written in a version that is not committed yet: batches go in as they
/// come (encoded and compressed at once; a row group's pages stay in memory until it is
/// full), and [`finish`](Self::finish) writes the footer.
pub(super) struct PartWriter {
    inner: Inner,
}

enum Inner {
    Parquet(ArrowWriter<Counting>),
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

impl PartWriter {
    /// Creates `path` (a new file of an uncommitted version) for batches of `schema`.
    pub(super) fn create(
        path: &Path,
        schema: &SchemaRef,
        format: FileFormat,
    ) -> Result<PartWriter, DataError> {
        let out = Counting {
            out: BufWriter::with_capacity(1 << 16, File::create(path)?),
            bytes: 0,
        };
        let inner = match format {
            FileFormat::Parquet => {
                let options = ArrowWriterOptions::new()
                    .with_properties(parquet_properties()?)
                    // The Arrow schema would make engines read dictionary strings as
                    // dictionaries (pandas' categoricals); the Parquet types (strings,
                    // millisecond timestamps) are what the README documents.
                    .with_skip_arrow_metadata(true);
                Inner::Parquet(ArrowWriter::try_new_with_options(
                    out,
                    schema.clone(),
                    options,
                )?)
            }
            FileFormat::Arrow => {
                let options = arrow_ipc::writer::IpcWriteOptions::default()
                    .try_with_compression(Some(arrow_ipc::CompressionType::ZSTD))?;
                Inner::Arrow(arrow_ipc::writer::FileWriter::try_new_with_options(
                    out, schema, options,
                )?)
            }
        };
        Ok(PartWriter { inner })
    }

    /// Adds a batch.
    pub(super) fn write(&mut self, batch: &RecordBatch) -> Result<(), DataError> {
        match &mut self.inner {
            Inner::Parquet(writer) => writer.write(batch)?,
            Inner::Arrow(writer) => writer.write(batch)?,
        }
        Ok(())
    }

    /// Bytes so far: written, and (Parquet) held for the row group being filled.
    pub(super) fn bytes(&self) -> u64 {
        match &self.inner {
            Inner::Parquet(writer) => writer.inner().bytes + writer.in_progress_size() as u64,
            Inner::Arrow(writer) => writer.get_ref().bytes,
        }
    }

    /// Writes what is held and the footer; returns the file's size. Not synced: the
    /// version is synced whole before its commit.
    pub(super) fn finish(self) -> Result<u64, DataError> {
        let mut out = match self.inner {
            Inner::Parquet(writer) => writer.into_inner()?,
            Inner::Arrow(mut writer) => {
                writer.finish()?;
                writer.into_inner()?
            }
        };
        out.flush()?;
        Ok(out.bytes)
    }
}

/// Writes a whole file of one batch: [`PartWriter`] in one call.
pub(super) fn write_file(
    path: &Path,
    batch: &RecordBatch,
    format: FileFormat,
) -> Result<u64, DataError> {
    let mut writer = PartWriter::create(path, &batch.schema(), format)?;
    writer.write(batch)?;
    writer.finish()
}

/// How samples are stored in Parquet: zstd on every column chunk, row groups of
/// [`ROW_GROUP_ROWS`], statistics (min, max, nulls) per column chunk, which is what
/// engines prune row groups by, and dictionary encoding (Parquet's default) for every
/// column, which strings and repeated values (a loss of 0 %, 30 fps) shrink most.
fn parquet_properties() -> Result<WriterProperties, ParquetError> {
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL)?))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build())
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
