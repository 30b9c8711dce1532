#!/usr/bin/env python3
"""The exported dataset's size against its input, and against DuckDB's rewrite of it.

    target/interop-venv/bin/python benches/dataset_size.py ZOOM_QOS_BINARY CORPUS SCRATCH

Exports CORPUS into SCRATCH/dataset (a new folder), then prints: the input's bytes (its
.json page files and meeting.json files), the dataset's (every sample file and the
meetings file), their ratio, the number of sample files and partitions; then the same
rows rewritten by DuckDB into one zstd Parquet file (its defaults: row groups of 122,880
rows, dictionary encoding), the peer the brief names, and into one folder per date as
ours is. Needs the duckdb package (the
interop virtual environment has it).
"""
import os
import shutil
import subprocess
import sys

import duckdb


def files_under(root, keep):
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if keep(name) and os.path.isfile(path):
                yield path


def main(binary, corpus, scratch):
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    out = os.path.join(scratch, "dataset")
    subprocess.run([binary, "export", corpus, "--out", out], check=True, stderr=subprocess.DEVNULL)
    input_bytes = sum(os.path.getsize(p) for p in files_under(corpus, lambda n: n.endswith(".json")))
    samples = os.path.join(out, "samples")
    sample_files = list(files_under(samples, lambda n: n.endswith(".parquet")))
    dataset_bytes = sum(os.path.getsize(p) for p in sample_files) + os.path.getsize(os.path.join(out, "meetings.parquet"))
    partitions = len(os.listdir(samples))
    print(f"input {input_bytes:,} bytes; dataset {dataset_bytes:,} bytes = 1/{input_bytes / dataset_bytes:.1f} "
          f"({len(sample_files)} sample files in {partitions} partitions)")
    duck = os.path.join(scratch, "duckdb.parquet")
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_parquet('{samples}/*/*.parquet')) TO '{duck}' (FORMAT parquet, COMPRESSION zstd)"
    )
    duck_bytes = os.path.getsize(duck)
    print(f"DuckDB's rewrite of the same rows into one zstd file: {duck_bytes:,} bytes = 1/{input_bytes / duck_bytes:.1f}; "
          f"ours / DuckDB's: {dataset_bytes / duck_bytes:.2f}")
    # The same partitioning as ours: one folder per date.
    parted = os.path.join(scratch, "duckdb-by-date")
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_parquet('{samples}/*/*.parquet', hive_partitioning = true)) TO '{parted}' "
        "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date))"
    )
    parted_bytes = sum(os.path.getsize(p) for p in files_under(parted, lambda n: n.endswith(".parquet")))
    print(f"DuckDB's rewrite partitioned by date as ours: {parted_bytes:,} bytes = 1/{input_bytes / parted_bytes:.1f}; "
          f"ours (samples only, {dataset_bytes - os.path.getsize(os.path.join(out, 'meetings.parquet')):,} bytes) / DuckDB's: "
          f"{(dataset_bytes - os.path.getsize(os.path.join(out, 'meetings.parquet'))) / parted_bytes:.2f}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
