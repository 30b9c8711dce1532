#!/usr/bin/env python3
"""The exported dataset read by real engines: DuckDB, Apache Spark and pyarrow.

    python tests/interop.py ZOOM_QOS_BINARY SCRATCH_FOLDER

Generates a corpus, exports it (in two runs: most meetings, then the rest, so that the
dataset is an incremental one) and analyzes it with the binary, then checks, in DuckDB
SQL, in Spark SQL (local[2]) and in pyarrow, against the JSON report:

- the samples' row count equals the report's samples, meeting by meeting (by
  meeting_key, the meetings file naming each meeting's key);
- for each meeting and each of audio_input_latency_ms, audio_output_jitter_ms and
  video_input_avg_loss_pct, the nearest-rank p95 equals the report's: DuckDB by
  row_number, Spark by percentile_disc(0.95);
- a query filtered on one `date` reads only that partition's files (DuckDB's EXPLAIN
  ANALYZE counts them; Spark's plan has the partition filter, and reads that
  partition's rows);
- at most one file per partition per export run;
- pyarrow.dataset reads the same rows, with the README's schema (names and types);
- meetings.parquet has one row per meeting, with the report's samples and p95, in DuckDB
  and in Spark;
- `analyze --format csv --out DIR` writes one table per file, each loaded whole by
  DuckDB's read_csv_auto and by Python's csv module, with the rows the report implies.

Needs the duckdb, pyarrow and pyspark packages, and Java 17 for Spark (.ci/run installs
them). Prints what it checked; exits non-zero on the first disagreement.
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

# (stream, metric) as the report names them; the column is stream_metric.
METRICS = [("audio_input", "latency_ms"), ("audio_output", "jitter_ms"), ("video_input", "avg_loss_pct")]

# The report's nearest rank, ceil(0.95 n), in SQL (the README's query).
P95_SQL = """
SELECT meeting_key, x FROM (
  SELECT meeting_key, {column} AS x,
         row_number() OVER (PARTITION BY meeting_key ORDER BY {column}) AS r,
         count(*) OVER (PARTITION BY meeting_key) AS n
  FROM samples WHERE {column} IS NOT NULL) ranked
WHERE r = CAST(CEIL(0.95 * n) AS BIGINT)
"""

# The same in Spark: percentile_disc is the nearest rank.
SPARK_P95_SQL = """
SELECT meeting_key, percentile_disc(0.95) WITHIN GROUP (ORDER BY {column}) AS x
FROM samples WHERE {column} IS NOT NULL GROUP BY meeting_key
"""


def fail(message):
    sys.exit(f"interop: {message}")


def readme_schema(heading):
    """The (column, type) rows of a README schema table, placeholders expanded."""
    readme = open(os.path.join(os.path.dirname(__file__), "..", "cli", "README.md"), encoding="utf-8").read()

    def listed(label):
        line = next(l for l in readme.splitlines() if l.startswith(label))
        return [s.strip(" `.") for s in line[len(label):].split(",") if s.strip(" `.")]

    lists = {
        "<stream>": listed("`<stream>` is one of:"),
        "<picture stream>": listed("`<picture stream>` is one of:"),
        "<audio/video stream>": listed("`<audio/video stream>` is one of:"),
    }
    section = readme.split(heading, 1)[1]
    rows = []
    lines = iter(section.splitlines())
    for line in lines:
        if line.startswith("|"):
            break
    next(lines)  # the |---| line
    for line in lines:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.split("|")]
        name, kind = cells[1].strip("`"), cells[2]
        for placeholder, values in lists.items():
            if placeholder in name:
                rows.extend((name.replace(placeholder, v), kind) for v in values)
                break
        else:
            rows.append((name, kind))
    return rows


def main(binary, scratch):
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    corpus, out = os.path.join(scratch, "corpus"), os.path.join(scratch, "dataset")
    subprocess.run([binary, "generate", corpus, "--meetings", "24", "--seed", "5"], check=True)
    # Two runs: the first 20 meetings, then all 24 (the 20 unchanged are skipped).
    later = os.path.join(scratch, "later")
    os.makedirs(later)
    for name in sorted(n for n in os.listdir(corpus) if n.startswith("meeting-"))[20:]:
        shutil.move(os.path.join(corpus, name), os.path.join(later, name))
    subprocess.run([binary, "export", corpus, "--out", out], check=True)
    for name in os.listdir(later):
        shutil.move(os.path.join(later, name), os.path.join(corpus, name))
    second = subprocess.run([binary, "export", corpus, "--out", out], check=True, capture_output=True, text=True)
    if "exported 4 meetings (20 unchanged, skipped)" not in second.stderr:
        fail(f"the second export did not skip the 20 unchanged meetings: {second.stderr}")
    report = json.loads(
        subprocess.run([binary, "analyze", corpus, "--format", "json"], check=True, capture_output=True).stdout
    )
    meetings = {m["meeting"]: m for m in report["meetings"]}

    con = duckdb.connect()
    glob = os.path.join(out, "samples", "*", "*.parquet")
    con.execute(f"CREATE VIEW samples AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
    key_of = dict(con.execute(f"SELECT meeting, meeting_key FROM read_parquet('{os.path.join(out, 'meetings.parquet')}')").fetchall())
    if sorted(key_of) != sorted(meetings):
        fail(f"meetings.parquet names {sorted(key_of)}, the report {sorted(meetings)}")

    # Rows: one per sample.
    counts = dict(con.execute("SELECT meeting_key, count(*) FROM samples GROUP BY meeting_key").fetchall())
    expected = {key_of[name]: m["samples"] for name, m in meetings.items() if m["samples"] > 0}
    if counts != expected:
        fail(f"rows per meeting {counts} != the report's samples {expected}")
    total = sum(expected.values())
    print(f"DuckDB rows: {total} = the report's samples, over {len(meetings)} meetings")

    # p95 per meeting and metric.
    agreed = 0
    for stream, metric in METRICS:
        column = f"{stream}_{metric}"
        found = dict(con.execute(P95_SQL.format(column=column)).fetchall())
        for name, meeting in meetings.items():
            want = meeting["streams"].get(stream, {}).get(metric, {}).get("p95")
            if found.get(key_of[name]) != want:
                fail(f"{name} {column}: p95 {found.get(key_of[name])!r} in DuckDB, {want!r} in the report")
            agreed += 1
    columns = ", ".join(f"{s}_{m}" for s, m in METRICS)
    print(f"DuckDB p95: {agreed} of {agreed} meeting x metric values agree ({columns})")

    # Files: at most one per partition per run (two runs here).
    samples_dir = os.path.join(out, "samples")
    partitions = sorted(os.listdir(samples_dir))
    most = max(len(os.listdir(os.path.join(samples_dir, d))) for d in partitions)
    if most > 2:
        fail(f"a partition holds {most} files after two runs")
    files_all = sum(len(os.listdir(os.path.join(samples_dir, d))) for d in partitions)
    print(f"files: {files_all} in {len(partitions)} partitions after two runs (at most {most} a partition)")

    # Partition pruning: one date, its files only.
    dates = [d for d in partitions if d != "date=unknown"]
    if len(dates) < 2:
        fail(f"the corpus spans {dates}: too few dates to see pruning")
    date = dates[len(dates) // 2]
    files_there = len(os.listdir(os.path.join(samples_dir, date)))
    plan = "\n".join(
        row[1] for row in con.execute(
            f"EXPLAIN ANALYZE SELECT count(*) FROM samples WHERE date = '{date.split('=')[1]}'"
        ).fetchall()
    )
    read = re.search(r"Total Files Read:\s*(\d+)", plan)
    if read is None:
        fail(f"EXPLAIN ANALYZE does not say how many files it read:\n{plan}")
    if int(read.group(1)) != files_there:
        fail(f"a query on {date} read {read.group(1)} files; the partition has {files_there}")
    rows_there = con.execute(f"SELECT count(*) FROM samples WHERE date = '{date.split('=')[1]}'").fetchall()[0][0]
    print(f"DuckDB pruning: a query on {date} read {files_there} of {files_all} files")

    # pyarrow.dataset: the same rows and the README's schema.
    dataset = ds.dataset(samples_dir, format="parquet", partitioning="hive")
    if dataset.count_rows() != total:
        fail(f"pyarrow.dataset counts {dataset.count_rows()} rows, the report {total}")
    documented = readme_schema("### Samples") + [("date", "string")]
    actual = [(field.name, str(field.type)) for field in dataset.schema]
    if sorted(actual) != sorted(documented):
        missing = sorted(set(documented) - set(actual))
        extra = sorted(set(actual) - set(documented))
        fail(f"pyarrow's schema differs from the README's: README only {missing}, pyarrow only {extra}")
    print(f"pyarrow.dataset: {total} rows, {len(actual)} columns as the README documents them")

    # meetings.parquet.
    table = ds.dataset(os.path.join(out, "meetings.parquet"), format="parquet").to_table()
    if sorted(table.column("meeting").to_pylist()) != sorted(meetings):
        fail("meetings.parquet does not list the report's meetings")
    documented = readme_schema("### Meetings")
    if sorted((f.name, str(f.type)) for f in table.schema) != sorted(documented):
        fail("meetings.parquet's schema differs from the README's")
    for row in table.to_pylist():
        meeting = meetings[row["meeting"]]
        p95 = meeting["streams"].get("audio_input", {}).get("latency_ms", {}).get("p95")
        if row["samples"] != meeting["samples"] or row["audio_input_latency_ms_p95"] != p95:
            fail(f"meetings.parquet's row of {row['meeting']} differs from the report")
    print(f"meetings.parquet: {table.num_rows} rows = the report's meetings, samples and p95")

    check_spark(out, meetings, key_of, expected, date, rows_there)
    check_csv(binary, scratch, corpus, report)


def check_spark(out, meetings, key_of, expected, date, rows_there):
    """The same numbers in Apache Spark, local[2], reading the dataset with nothing added."""
    from pyspark.sql import SparkSession

    # Spark binds to this machine's own address (and says so) unless told.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("zoom-qos interop")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        samples = spark.read.parquet(os.path.join(out, "samples"))
        samples.createOrReplaceTempView("samples")
        counts = {r[0]: r[1] for r in spark.sql("SELECT meeting_key, count(*) FROM samples GROUP BY meeting_key").collect()}
        if counts != expected:
            fail(f"Spark: rows per meeting {counts} != the report's samples {expected}")
        print(f"Spark rows: {sum(counts.values())} = the report's samples, over {len(meetings)} meetings")

        agreed = 0
        for stream, metric in METRICS:
            column = f"{stream}_{metric}"
            found = {r[0]: r[1] for r in spark.sql(SPARK_P95_SQL.format(column=column)).collect()}
            for name, meeting in meetings.items():
                want = meeting["streams"].get(stream, {}).get(metric, {}).get("p95")
                if found.get(key_of[name]) != want:
                    fail(f"Spark: {name} {column}: p95 {found.get(key_of[name])!r}, {want!r} in the report")
                agreed += 1
        print(f"Spark p95 (percentile_disc): {agreed} of {agreed} meeting x metric values agree")

        day = date.split("=")[1]
        query = spark.sql(f"SELECT count(*) FROM samples WHERE date = '{day}'")
        plan = query._jdf.queryExecution().executedPlan().toString()
        if "PartitionFilters: [" not in plan or day not in plan.split("PartitionFilters: [", 1)[1].split("]", 1)[0]:
            fail(f"Spark's plan does not prune on date:\n{plan}")
        got = query.collect()[0][0]
        if got != rows_there:
            fail(f"Spark counts {got} rows on {date}, DuckDB {rows_there}")
        print(f"Spark pruning: the scan's partition filter is on {date}, {got} rows as in DuckDB")

        table = spark.read.parquet(os.path.join(out, "meetings.parquet"))
        rows = {r["meeting_key"]: r for r in table.collect()}
        if len(rows) != len(meetings):
            fail(f"Spark reads {len(rows)} meetings, the report {len(meetings)}")
        for name, meeting in meetings.items():
            row = rows[key_of[name]]
            p95 = meeting["streams"].get("audio_input", {}).get("latency_ms", {}).get("p95")
            if row["samples"] != meeting["samples"] or row["audio_input_latency_ms_p95"] != p95:
                fail(f"Spark: meetings.parquet's row of {name} differs from the report")
        print(f"Spark meetings.parquet: {len(rows)} rows = the report's meetings, samples and p95")
    finally:
        spark.stop()


def csv_rows_expected(report):
    """Rows each CSV file must hold, from the JSON report of the same corpus."""
    stats = 0
    for m in report["meetings"]:
        stats += sum(len(metrics) for metrics in m["streams"].values()) + len(m["cpu"]) + len(m["mos"])
        stats += len(m.get("wifi", {})) + ("quality_score" in m)
        # The counts: pages, participants, samples, invalid_values, degraded_samples, complete.
        stats += 6 + len(m["degraded"]["by_flag"]) + len(m["grades"])
        stats += len(m.get("cpu_pressure", {})) + len(m.get("quality", {}))
    stats += len(report["errors"])
    scopes = [m["breakdowns"] for m in report["meetings"]]
    account = report.get("account")
    if account:
        scopes.append(account["breakdowns"])
    return {
        "stats.csv": stats,
        "episodes.csv": sum(len(m["episodes"]) for m in report["meetings"]),
        "breakdowns.csv": sum(len(values) for b in scopes for values in b.values()),
        "account.csv": len(account["days"]) + len(account["hours"]) if account else 0,
    }


def check_csv(binary, scratch, corpus, report):
    out = os.path.join(scratch, "csv")
    subprocess.run([binary, "analyze", corpus, "--format", "csv", "--out", out], check=True)
    expected = csv_rows_expected(report)
    if sorted(os.listdir(out)) != sorted(expected):
        fail(f"--format csv --out wrote {sorted(os.listdir(out))}, not {sorted(expected)}")
    for name, rows in expected.items():
        path = os.path.join(out, name)
        if rows == 0:
            fail(f"{name}: the corpus gives it no rows to check")
        loaded = duckdb.connect().execute(f"SELECT count(*) FROM read_csv_auto('{path}')").fetchall()[0][0]
        with open(path, newline="", encoding="utf-8") as f:
            read = list(csv.reader(f))
        widths = {len(row) for row in read}
        if loaded != rows or len(read) - 1 != rows or len(widths) != 1:
            fail(f"{name}: DuckDB loaded {loaded} rows, Python's csv {len(read) - 1} of widths {widths}; the report implies {rows}")
        print(f"{name}: {rows} rows, loaded whole by DuckDB read_csv_auto and Python's csv")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
