//! `zoom-qos export`: the dataset's layout, its values against the report and against
//! the page text, meetings known by identity, replacing a meeting, incremental runs, a
//! run killed at any point, bad input, Arrow IPC, and the schema the README documents.

mod common;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, TimestampMillisecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use common::{data, json, scratch, stderr, zoom_qos};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// Every batch of a Parquet file, concatenated.
fn read_parquet(path: &Path) -> RecordBatch {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("a reader");
    let batches: Vec<RecordBatch> = reader.map(|b| b.expect("a batch")).collect();
    let schema = batches.first().expect("a batch").schema();
    arrow_select::concat::concat_batches(&schema, &batches).expect("one schema")
}

/// The sample files under `root` (read through its `samples` link), as
/// `date=.../name` strings, sorted.
fn sample_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for partition in fs::read_dir(root.join("samples")).expect("samples") {
        let partition = partition.expect("entry").path();
        for file in fs::read_dir(&partition).expect("a partition") {
            let name = file.expect("entry").file_name();
            files.push(format!(
                "{}/{}",
                partition.file_name().expect("named").to_string_lossy(),
                name.to_string_lossy()
            ));
        }
    }
    files.sort();
    files
}

/// The partitions under `root`, each with how many files it holds.
fn partitions(root: &Path) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for file in sample_files(root) {
        let partition = file.split('/').next().expect("a partition").to_owned();
        *counts.entry(partition).or_default() += 1;
    }
    counts.into_iter().collect()
}

/// Every row of a partition's files.
fn read_partition(root: &Path, partition: &str) -> RecordBatch {
    let batches: Vec<RecordBatch> = sample_files(root)
        .iter()
        .filter(|f| f.starts_with(&format!("{partition}/")))
        .map(|f| read_parquet(&root.join("samples").join(f)))
        .collect();
    let schema = batches.first().expect("a file").schema();
    arrow_select::concat::concat_batches(&schema, &batches).expect("one schema")
}

/// Rows per `meeting_key` in every sample file, and the meetings file's samples per key:
/// what a reader of the dataset sees.
fn seen(root: &Path) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let mut rows = BTreeMap::new();
    for file in sample_files(root) {
        let batch = read_parquet(&root.join("samples").join(file));
        for key in column_str(&batch, "meeting_key") {
            *rows.entry(key.expect("a key")).or_default() += 1;
        }
    }
    let meetings = read_parquet(&root.join("meetings.parquet"));
    let keys = column_str(&meetings, "meeting_key");
    let samples = meetings
        .column_by_name("samples")
        .expect("samples")
        .as_primitive::<arrow_array::types::Int64Type>();
    let listed = keys
        .into_iter()
        .zip(samples.iter())
        .map(|(k, n)| (k.expect("a key"), n.expect("a count")))
        .filter(|&(_, n)| n > 0)
        .collect();
    (rows, listed)
}

fn column_f64(batch: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let column = batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("{name}"));
    column.as_primitive::<Float64Type>().iter().collect()
}

fn column_i32(batch: &RecordBatch, name: &str) -> Vec<Option<i32>> {
    let column = batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("{name}"));
    column.as_primitive::<Int32Type>().iter().collect()
}

fn column_str(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let column = batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("{name}"));
    column_str_of(column.as_ref())
}

fn column_str_of(column: &dyn Array) -> Vec<Option<String>> {
    match column.data_type() {
        DataType::Utf8 => column
            .as_string::<i32>()
            .iter()
            .map(|s| s.map(str::to_owned))
            .collect(),
        DataType::Dictionary(..) => {
            let dictionary = column.as_dictionary::<Int32Type>();
            let values = dictionary.values().as_string::<i32>();
            dictionary
                .keys()
                .iter()
                .map(|k| k.map(|k| values.value(k as usize).to_owned()))
                .collect()
        }
        other => panic!("not text: {other}"),
    }
}

/// A meeting crossing midnight (UTC), worked out by hand: two participants, five samples.
/// Ana: 23:58 and 23:59 on 2024-03-01, 00:00 on 2024-03-02, and a sample without a time.
/// Bo: one sample at 00:01 with a bitrate Zoom spells without a space, and no video.
const MIDNIGHT: &str = r#"{"page_count":1,"page_size":10,"total_records":2,"next_page_token":"",
"participants":[
 {"user_id":"u1","user_name":"Ana","network_type":"Wifi","data_center":"SG","device":"Mac","version":"6.0.2",
  "user_qos":[
   {"date_time":"2024-03-01T23:58:00Z","audio_input":{"bitrate":"27.15kbps","latency":"126 ms","jitter":"3 ms","avg_loss":"0.3%","max_loss":"1.2%"},
    "video_input":{"bitrate":"900 kbps","latency":"80 ms","jitter":"4 ms","avg_loss":"0%","max_loss":"0%","resolution":"1280*720","frame_rate":"24 fps"},
    "wifi_rssi":{"max_rssi":-40,"avg_rssi":-52,"min_rssi":-60,"rssi_unit":"dBm"}},
   {"date_time":"2024-03-01T23:59:00Z","audio_input":{"bitrate":"","latency":"200 ms","jitter":"50 ms","avg_loss":"3%","max_loss":"4%"},
    "video_input":{"bitrate":"","latency":"","jitter":"","avg_loss":"","max_loss":"","resolution":"0*0","frame_rate":""}},
   {"date_time":"2024-03-02T00:00:00Z","audio_input":{"bitrate":"30 kbps","latency":"50 ms","jitter":"2 ms","avg_loss":"0.0%","max_loss":"0.0%"},
    "cpu_usage":{"zoom_avg_cpu_usage":"12.5%","system_max_cpu_usage":"95%"}},
   {"date_time":"","audio_input":{"bitrate":"31 kbps","latency":"51 ms","jitter":"2 ms","avg_loss":"0.0%","max_loss":"0.0%"}}
  ]},
 {"user_id":"u2","user_name":"Bo","device":"",
  "user_qos":[
   {"date_time":"2024-03-02T00:01:00Z","audio_input":{"bitrate":"64kbps","latency":"9 ms","jitter":"1 ms","avg_loss":"0.1%","max_loss":"0.2%"}}
  ]}
]}"#;

/// `zoom-qos generate OUT --meetings N --seed S`, which must succeed.
fn generate(out: &Path, meetings: u32, seed: u32) {
    let (meetings, seed) = (meetings.to_string(), seed.to_string());
    let made = zoom_qos(&[
        "generate",
        path_str(out),
        "--meetings",
        &meetings,
        "--seed",
        &seed,
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
}

fn export(args: &[&str]) -> std::process::Output {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    zoom_qos(&all)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn a_meeting_across_midnight_is_split_by_utc_date_with_the_pages_values() {
    let dir = scratch("export-midnight");
    let page = dir.join("late.json");
    fs::write(&page, MIDNIGHT).expect("fixture");
    let out = dir.join("dataset");
    let run = export(&[path_str(&page), "--out", path_str(&out)]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        partitions(&out),
        [
            ("date=2024-03-01".to_owned(), 1),
            ("date=2024-03-02".to_owned(), 1),
            ("date=unknown".to_owned(), 1)
        ]
    );
    assert_eq!(
        sample_files(&out)[0],
        "date=2024-03-01/part-000001-0.parquet",
        "the first version's first file of the date"
    );

    let first = read_partition(&out, "date=2024-03-01");
    assert_eq!(first.num_rows(), 2);
    assert_eq!(
        column_str(&first, "meeting"),
        vec![Some("late".to_owned()); 2]
    );
    // No meeting.json: the meeting is its source file.
    let source = fs::canonicalize(&page).expect("canonical");
    assert_eq!(
        column_str(&first, "meeting_key"),
        vec![Some(format!("source:{}", source.display())); 2]
    );
    assert_eq!(column_i32(&first, "participant"), [Some(0), Some(0)]);
    assert_eq!(
        column_str(&first, "network_type"),
        vec![Some("Wifi".to_owned()); 2]
    );
    let times: Vec<Option<i64>> = first
        .column_by_name("time")
        .expect("time")
        .as_primitive::<TimestampMillisecondType>()
        .iter()
        .collect();
    // 2024-03-01T23:58:00Z = 1709337480 s.
    assert_eq!(times, [Some(1_709_337_480_000), Some(1_709_337_540_000)]);
    // "27.15kbps" reads back as 27.15 (the double nearest it), "" as null, never 0.
    assert_eq!(
        column_f64(&first, "audio_input_bitrate_kbps"),
        [Some(27.15), None]
    );
    assert_eq!(
        column_f64(&first, "audio_input_latency_ms"),
        [Some(126.0), Some(200.0)]
    );
    assert_eq!(
        column_f64(&first, "audio_input_avg_loss_pct"),
        [Some(0.3), Some(3.0)]
    );
    // 0*0 is no picture: null height and width.
    assert_eq!(
        column_i32(&first, "video_input_resolution_height_px"),
        [Some(720), None]
    );
    assert_eq!(
        column_i32(&first, "video_input_resolution_width_px"),
        [Some(1280), None]
    );
    assert_eq!(
        column_f64(&first, "video_input_frame_rate_fps"),
        [Some(24.0), None]
    );
    let rssi = first.column_by_name("wifi_avg_rssi_dbm").expect("rssi");
    assert_eq!(
        rssi.as_primitive::<arrow_array::types::Int16Type>()
            .iter()
            .collect::<Vec<_>>(),
        [Some(-52), None]
    );
    // Never an object in this meeting: a column of nulls, not zeros.
    let screen = first
        .column_by_name("as_input_latency_ms")
        .expect("as_input");
    assert_eq!(screen.null_count(), 2);
    // The second minute: latency 200 > 150, jitter 50 > 40, loss 3 > 2.
    let flag = |name: &str| -> Vec<bool> {
        let column = first
            .column_by_name(name)
            .unwrap_or_else(|| panic!("{name}"));
        column
            .as_boolean()
            .iter()
            .map(|b| b.expect("never null"))
            .collect()
    };
    assert_eq!(flag("degraded"), [false, true]);
    assert_eq!(flag("degraded_latency"), [false, true]);
    assert_eq!(flag("degraded_jitter"), [false, true]);
    assert_eq!(flag("degraded_loss"), [false, true]);
    assert_eq!(flag("degraded_cpu"), [false, false]);
    // MOS of (126, 3, 0.3): EL = 142, R = 93.2 - 3.55 - 0.75 = 88.9,
    // MOS = 1 + 3.1115 + 0.000007 · 88.9 · 28.9 · 11.1 = 4.311 (3 decimals).
    assert_eq!(column_f64(&first, "audio_input_mos")[0], Some(4.311));
    assert_eq!(column_f64(&first, "audio_output_mos"), [None, None]);

    let second = read_partition(&out, "date=2024-03-02");
    assert_eq!(column_i32(&second, "participant"), [Some(0), Some(1)]);
    assert_eq!(
        column_str(&second, "user_name"),
        [Some("Ana".into()), Some("Bo".into())]
    );
    // Bo's device is "" and his network_type absent: null.
    assert_eq!(column_str(&second, "device"), [Some("Mac".into()), None]);
    assert_eq!(
        column_str(&second, "network_type"),
        [Some("Wifi".into()), None]
    );
    assert_eq!(
        column_f64(&second, "audio_input_bitrate_kbps"),
        [Some(30.0), Some(64.0)]
    );
    assert_eq!(column_f64(&second, "zoom_avg_cpu_pct"), [Some(12.5), None]);
    assert_eq!(
        column_f64(&second, "system_max_cpu_pct"),
        [Some(95.0), None]
    );

    let unknown = read_partition(&out, "date=unknown");
    assert_eq!(unknown.num_rows(), 1);
    assert_eq!(
        unknown.column_by_name("time").expect("time").null_count(),
        1
    );
    assert_eq!(
        column_f64(&unknown, "audio_input_bitrate_kbps"),
        [Some(31.0)]
    );

    let meetings = read_parquet(&out.join("meetings.parquet"));
    assert_eq!(column_str(&meetings, "meeting"), [Some("late".into())]);
    let files = meetings
        .column_by_name("files")
        .expect("files")
        .as_list::<i32>();
    let listed: Vec<Option<String>> = column_str_of(files.value(0).as_ref());
    assert_eq!(
        listed,
        [
            Some("date=2024-03-01/part-000001-0.parquet".into()),
            Some("date=2024-03-02/part-000001-0.parquet".into()),
            Some("date=unknown/part-000001-0.parquet".into())
        ]
    );
    let complete = meetings.column_by_name("complete").expect("complete");
    assert!(complete.as_boolean().value(0), "one page, no next page");
    let count = |name: &str| -> i64 {
        let column = meetings
            .column_by_name(name)
            .unwrap_or_else(|| panic!("{name}"));
        column
            .as_primitive::<arrow_array::types::Int64Type>()
            .value(0)
    };
    assert_eq!(count("samples"), 5);
    assert_eq!(count("participants"), 2);
    assert_eq!(
        count("degraded_samples"),
        2,
        "the 23:59 minute and the 95 % CPU"
    );
    let firsts: Vec<Option<i64>> = meetings
        .column_by_name("first_time")
        .expect("first_time")
        .as_primitive::<TimestampMillisecondType>()
        .iter()
        .collect();
    assert_eq!(firsts, [Some(1_709_337_480_000)]);
    // audio_input latency: 126, 200, 50, 51, 9: p95 is rank ceil(4.75) = 5, so 200.
    assert_eq!(
        column_f64(&meetings, "audio_input_latency_ms_p95"),
        [Some(200.0)]
    );
    assert_eq!(
        column_f64(&meetings, "audio_input_latency_ms_p50"),
        [Some(51.0)]
    );
}

/// Each meeting's p95 from the exported samples equals the report's, on a generated
/// corpus: the dataset holds exactly the values the report computes from.
#[test]
fn the_samples_give_the_reports_percentiles_on_a_generated_corpus() {
    let dir = scratch("export-generated");
    let corpus = dir.join("corpus");
    generate(&corpus, 6, 11);
    let out = dir.join("dataset");
    let run = export(&[path_str(&corpus), "--out", path_str(&out)]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let report = json(&zoom_qos(&[
        "analyze",
        path_str(&corpus),
        "--format",
        "json",
    ]));

    // Values per meeting and column, from every sample file.
    let columns = [
        ("audio_input", "latency_ms"),
        ("audio_output", "jitter_ms"),
        ("video_input", "avg_loss_pct"),
        ("video_output", "bitrate_kbps"),
    ];
    let mut values: BTreeMap<(String, usize), Vec<f64>> = BTreeMap::new();
    let mut rows: BTreeMap<String, usize> = BTreeMap::new();
    for file in sample_files(&out) {
        let batch = read_parquet(&out.join("samples").join(&file));
        let meetings = column_str(&batch, "meeting");
        for (index, (stream, metric)) in columns.iter().enumerate() {
            let column = column_f64(&batch, &format!("{stream}_{metric}"));
            for (meeting, value) in meetings.iter().zip(column) {
                let meeting = meeting.clone().expect("named");
                values.entry((meeting, index)).or_default().extend(value);
            }
        }
        for meeting in meetings {
            *rows.entry(meeting.expect("named")).or_default() += 1;
        }
    }
    let meetings = report["meetings"].as_array().expect("meetings");
    assert_eq!(meetings.len(), 6);
    let mut checked = 0;
    for meeting in meetings {
        let name = meeting["meeting"].as_str().expect("name").to_owned();
        assert_eq!(
            rows.get(&name).copied(),
            meeting["samples"].as_u64().map(|n| n as usize),
            "{name}: one row per sample"
        );
        for (index, (stream, metric)) in columns.iter().enumerate() {
            let stats = &meeting["streams"][stream][metric];
            let mut sorted = values.remove(&(name.clone(), index)).unwrap_or_default();
            sorted.sort_by(f64::total_cmp);
            assert_eq!(Some(sorted.len() as u64), stats["count"].as_u64(), "{name}");
            // Nearest rank: ceil(0.95 n), the reference the report documents.
            let p95 = (!sorted.is_empty()).then(|| sorted[(sorted.len() * 95).div_ceil(100) - 1]);
            assert_eq!(p95, stats["p95"].as_f64(), "{name} {stream} {metric}");
            checked += 1;
        }
    }
    assert_eq!(checked, 24);
}

/// The same meeting exported again replaces its rows, and only its rows: the other
/// meeting's rows are copied out of the files they shared, value for value.
#[test]
fn exporting_a_meeting_again_replaces_its_rows_and_only_its_rows() {
    let dir = scratch("export-again");
    let corpus = dir.join("corpus");
    fs::create_dir_all(&corpus).expect("corpus");
    fs::write(corpus.join("late.json"), MIDNIGHT).expect("late");
    fs::copy(data("standup-array.json"), corpus.join("standup.json")).expect("standup");
    let out = dir.join("dataset");
    let run = export(&[path_str(&corpus), "--out", path_str(&out)]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let standup_rows = |out: &Path| -> Vec<(Option<String>, Option<f64>)> {
        let mut rows = Vec::new();
        for file in sample_files(out) {
            let batch = read_parquet(&out.join("samples").join(file));
            let names = column_str(&batch, "meeting");
            let latency = column_f64(&batch, "audio_input_latency_ms");
            for ((name, user), latency) in names
                .iter()
                .zip(column_str(&batch, "user_name"))
                .zip(latency)
            {
                if name.as_deref() == Some("standup") {
                    rows.push((user, latency));
                }
            }
        }
        rows
    };
    let before = standup_rows(&out);
    assert_eq!(before.len(), 5);
    let (rows, _) = seen(&out);
    assert_eq!(rows.values().sum::<i64>(), 10);

    // `late` now has only its first day, and five samples.
    let one_day = MIDNIGHT
        .replace("2024-03-02T00:00:00Z", "2024-03-01T23:57:00Z")
        .replace("2024-03-02T00:01:00Z", "2024-03-01T23:56:00Z")
        .replace(r#""date_time":"""#, r#""date_time":"2024-03-01T23:55:00Z""#);
    fs::write(corpus.join("late.json"), one_day).expect("late again");
    let run = export(&[path_str(&corpus), "--out", path_str(&out)]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let message = stderr(&run);
    assert!(
        message.contains("exported 1 meeting (1 unchanged, skipped)"),
        "{message}"
    );
    // late's old rows are gone from every date, standup's are all there as they were.
    let late = fs::canonicalize(corpus.join("late.json")).expect("canonical");
    let (rows, listed) = seen(&out);
    assert_eq!(rows.get(&format!("source:{}", late.display())), Some(&5));
    assert_eq!(rows.values().sum::<i64>(), 10, "{rows:?}");
    assert_eq!(rows, listed, "the meetings file agrees with the samples");
    let mut after = standup_rows(&out);
    let mut before = before;
    let order = |a: &(Option<String>, Option<f64>), b: &(Option<String>, Option<f64>)| {
        (&a.0, a.1.map(f64::to_bits)).cmp(&(&b.0, b.1.map(f64::to_bits)))
    };
    after.sort_by(order);
    before.sort_by(order);
    assert_eq!(after, before);
    // No partition is left with a file of only late's old rows, and nothing else remains
    // of the first version.
    assert_eq!(
        partitions(&out),
        [
            ("date=2024-03-01".to_owned(), 1),
            ("date=unknown".to_owned(), 1)
        ]
    );
    assert_eq!(versions(&out), ["v000002"]);
    let leftovers: Vec<PathBuf> = walk(&out)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".zoom-qos-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Two different meetings with one display name, exported from two folders one after the
/// other, are both in the dataset.
#[test]
fn two_meetings_with_one_name_from_two_folders_are_both_kept() {
    let dir = scratch("export-same-name");
    for (week, text) in [
        ("w1", MIDNIGHT.to_owned()),
        ("w2", MIDNIGHT.replace("126 ms", "127 ms")),
    ] {
        fs::create_dir_all(dir.join(week).join("standup")).expect("folder");
        fs::write(dir.join(week).join("standup/page-000.json"), text).expect("page");
    }
    let out = dir.join("dataset");
    for week in ["w1", "w2"] {
        let run = export(&[path_str(&dir.join(week)), "--out", path_str(&out)]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let (rows, listed) = seen(&out);
    let key = |week: &str| {
        let folder = fs::canonicalize(dir.join(week).join("standup")).expect("canonical");
        format!("source:{}", folder.display())
    };
    assert_eq!(rows, BTreeMap::from([(key("w1"), 5), (key("w2"), 5)]));
    assert_eq!(rows, listed);
    let meetings = read_parquet(&out.join("meetings.parquet"));
    assert_eq!(
        column_str(&meetings, "meeting"),
        [Some("standup".into()), Some("standup".into())]
    );
}

/// A second export of the same folder plus new meetings writes only the new ones, and
/// every file of the first is kept as it was (the same file, not a copy).
#[test]
fn an_incremental_export_skips_unchanged_meetings_and_keeps_their_files() {
    let dir = scratch("export-incremental");
    let corpus = dir.join("corpus");
    generate(&corpus, 6, 4);
    let out = dir.join("dataset");
    let first = export(&[path_str(&corpus), "--out", path_str(&out)]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let inode =
        |path: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(path).expect("there"));
    let files_before: Vec<(String, u64)> = sample_files(&out)
        .into_iter()
        .map(|f| {
            let node = inode(&out.join("samples").join(&f));
            (f, node)
        })
        .collect();
    let (rows_before, _) = seen(&out);

    // Two more meetings, from another seed.
    let more = dir.join("more");
    generate(&more, 2, 9);
    for meeting in ["meeting-0000", "meeting-0001"] {
        let to = corpus.join(format!("new-{meeting}"));
        fs::rename(more.join(meeting), &to).expect("moved");
    }
    let second = export(&[path_str(&corpus), "--out", path_str(&out)]);
    let message = stderr(&second);
    assert_eq!(second.status.code(), Some(0), "{message}");
    assert!(
        message.contains("exported 2 meetings (6 unchanged, skipped)"),
        "{message}"
    );
    for (file, node) in &files_before {
        assert_eq!(
            inode(&out.join("samples").join(file)),
            *node,
            "{file} is kept as it was"
        );
    }
    let (rows, listed) = seen(&out);
    assert_eq!(rows.len(), 8);
    assert_eq!(rows, listed);
    for (key, n) in rows_before {
        assert_eq!(rows.get(&key), Some(&n), "{key}");
    }
    // At most one new file per partition.
    assert!(sample_files(&out).len() <= files_before.len() + partitions(&out).len());

    // Nothing new: nothing written, the dataset as it was.
    let third = export(&[path_str(&corpus), "--out", path_str(&out)]);
    assert!(
        stderr(&third).contains("nothing to export: 8 meetings unchanged"),
        "{}",
        stderr(&third)
    );
    // A page given a new modification time, its bytes the same: read and hashed now, its
    // digest is the one taken from the bytes decoded the first time, so it is unchanged.
    let page = corpus.join("meeting-0002/page-000.json");
    let bytes = fs::read(&page).expect("page");
    let file = File::options().write(true).open(&page).expect("page");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    file.set_modified(later).expect("touched");
    drop(file);
    let touched = export(&[path_str(&corpus), "--out", path_str(&out)]);
    let message = stderr(&touched);
    assert!(
        message.contains("nothing to export: 8 meetings unchanged"),
        "{message}"
    );
    // The same size, other bytes: written again.
    let mut other = bytes.clone();
    let at = other.iter().position(|&b| b == b'7').expect("a digit 7");
    other[at] = b'8';
    fs::write(&page, &other).expect("changed");
    let changed = export(&[path_str(&corpus), "--out", path_str(&out)]);
    let message = stderr(&changed);
    assert!(
        message.contains("exported 1 meeting (7 unchanged, skipped)"),
        "{message}"
    );
    // --full: every meeting written again, one file per partition.
    let full = export(&[path_str(&corpus), "--out", path_str(&out), "--full"]);
    assert_eq!(full.status.code(), Some(0), "{}", stderr(&full));
    assert!(
        partitions(&out).iter().all(|(_, files)| *files == 1),
        "{:?}",
        partitions(&out)
    );
    assert_eq!(seen(&out).0, rows);
}

/// The version folders of a dataset, and the one `current` names first.
fn versions(root: &Path) -> Vec<String> {
    let mut found: Vec<String> = fs::read_dir(root.join(".zoom-qos"))
        .expect("versions")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "current")
        .collect();
    found.sort();
    let current = fs::read_link(root.join(".zoom-qos/current")).expect("current");
    assert_eq!(
        Some(current.to_string_lossy().as_ref()),
        found.last().map(String::as_str)
    );
    found
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(root).expect("a folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_bad_file_is_named_and_the_other_meetings_are_still_written() {
    let dir = scratch("export-bad");
    let corpus = dir.join("corpus");
    fs::create_dir_all(&corpus).expect("corpus");
    fs::copy(data("standup-array.json"), corpus.join("standup.json")).expect("standup");
    fs::copy(data("bad/truncated.json"), corpus.join("truncated.json")).expect("bad");
    let out = dir.join("dataset");
    let run = export(&[path_str(&corpus), "--out", path_str(&out)]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(
        err.contains("truncated.json") && err.contains("byte"),
        "names the file and the offset: {err}"
    );
    assert!(err.contains("exported 1 meeting:"), "{err}");
    assert_eq!(
        partitions(&out),
        [
            ("date=2024-03-01".to_owned(), 1),
            ("date=unknown".to_owned(), 1)
        ]
    );
    let meetings = read_parquet(&out.join("meetings.parquet"));
    assert_eq!(column_str(&meetings, "meeting"), [Some("standup".into())]);
}

#[test]
fn a_folder_holding_other_files_is_refused_untouched() {
    let dir = scratch("export-foreign");
    fs::write(dir.join("notes.txt"), "mine").expect("a file");
    let run = export(&[
        path_str(&data("standup-array.json")),
        "--out",
        path_str(&dir),
    ]);
    assert_eq!(run.status.code(), Some(64));
    assert!(stderr(&run).contains("notes.txt"), "{}", stderr(&run));
    assert_eq!(walk(&dir), [dir.join("notes.txt")]);
}

#[test]
fn arrow_ipc_files_keep_the_dictionary_strings() {
    let dir = scratch("export-arrow");
    let out = dir.join("dataset");
    let run = export(&[
        path_str(&data("standup-array.json")),
        "--out",
        path_str(&out),
        "--format",
        "arrow",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let files = sample_files(&out);
    assert_eq!(
        files,
        [
            "date=2024-03-01/part-000001-0.arrow",
            "date=unknown/part-000001-0.arrow"
        ]
    );
    let mut rows = 0;
    for name in files {
        let file = File::open(out.join("samples").join(name)).expect("file");
        let reader = arrow_ipc::reader::FileReader::try_new(file, None).expect("an IPC file");
        assert_eq!(reader.schema(), zoom_qos::export::samples_schema());
        rows += reader
            .map(|b| b.expect("a batch").num_rows())
            .sum::<usize>();
    }
    assert_eq!(rows, 5);
    assert!(out.join("meetings.arrow").is_file());
}

/// The README's schema tables, expanded, are the schemas: a change to either is a change
/// to both.
#[test]
fn the_readme_documents_the_schemas() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    for (heading, schema) in [
        ("### Samples", zoom_qos::export::samples_schema()),
        ("### Meetings", zoom_qos::export::meetings_schema()),
    ] {
        let documented = readme_columns(&readme, heading);
        let actual: Vec<(String, String)> = schema
            .fields()
            .iter()
            .map(|f| (f.name().clone(), parquet_type(f.data_type())))
            .collect();
        let mut sorted_documented = documented.clone();
        let mut sorted_actual = actual.clone();
        sorted_documented.sort();
        sorted_actual.sort();
        assert_eq!(sorted_documented, sorted_actual, "{heading}");
    }
}

/// A type as engines read it from the Parquet file, in pyarrow's spelling (the README's).
fn parquet_type(data_type: &DataType) -> String {
    match data_type {
        DataType::Dictionary(_, values) if **values == DataType::Utf8 => "string".into(),
        DataType::Utf8 => "string".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::Float64 => "double".into(),
        DataType::Boolean => "bool".into(),
        DataType::List(item) if *item.data_type() == DataType::Utf8 => "list<item: string>".into(),
        DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, Some(zone)) => {
            format!("timestamp[ms, tz={zone}]")
        }
        other => panic!("undocumented type {other}"),
    }
}

/// The (column, type) rows of the table after `heading`, with `<stream>`, `<picture
/// stream>` and `<audio/video stream>` expanded from the lists the README gives.
fn readme_columns(readme: &str, heading: &str) -> Vec<(String, String)> {
    let list = |label: &str| -> Vec<String> {
        let line = readme
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("the README lists {label}"));
        line[label.len()..]
            .split(',')
            .map(|s| s.trim().trim_matches(|c| c == '`' || c == '.').to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let streams = list("`<stream>` is one of:");
    let pictures = list("`<picture stream>` is one of:");
    let audio_video = list("`<audio/video stream>` is one of:");
    let section = readme
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("{heading}"));
    let mut columns = Vec::new();
    for line in section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (name, data_type) = (cells[1].trim_matches('`'), cells[2].to_owned());
        let expand = |placeholder: &str, values: &[String]| -> Vec<String> {
            values
                .iter()
                .map(|v| name.replace(placeholder, v))
                .collect()
        };
        let names = if name.contains("<stream>") {
            expand("<stream>", &streams)
        } else if name.contains("<picture stream>") {
            expand("<picture stream>", &pictures)
        } else if name.contains("<audio/video stream>") {
            expand("<audio/video stream>", &audio_video)
        } else {
            vec![name.to_owned()]
        };
        columns.extend(names.into_iter().map(|n| (n, data_type.clone())));
    }
    columns
}

#[test]
fn the_readme_stream_lists_are_the_schemas() {
    use zoom_qos::Stream;
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let line = |label: &str| {
        readme
            .lines()
            .find(|l| l.starts_with(label))
            .map(|l| l[label.len()..].replace(['`', '.', ' '], ""))
            .unwrap_or_default()
    };
    let names = |streams: &mut dyn Iterator<Item = &Stream>| {
        streams.map(|s| s.api_name()).collect::<Vec<_>>().join(",")
    };
    assert_eq!(
        line("`<stream>` is one of:"),
        names(&mut Stream::ALL.iter())
    );
    assert_eq!(
        line("`<picture stream>` is one of:"),
        names(&mut Stream::ALL.iter().filter(|s| s.has_picture()))
    );
    assert_eq!(
        line("`<audio/video stream>` is one of:"),
        names(&mut Stream::AUDIO_VIDEO.iter())
    );
}

#[test]
fn a_fetched_meeting_keeps_its_uuid_topic_and_start_time() {
    let dir = scratch("export-described");
    let folder = dir.join("pulled/900001-mfra");
    fs::create_dir_all(&folder).expect("folder");
    fs::write(folder.join("page-000.json"), MIDNIGHT).expect("page");
    fs::write(
        folder.join("meeting.json"),
        r#"{"uuid":"aB+c==","id":900001,"topic":"Late sync","start_time":"2024-03-01T23:55:00Z"}"#,
    )
    .expect("description");
    let out = dir.join("dataset");
    let run = export(&[path_str(&dir.join("pulled")), "--out", path_str(&out)]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let meetings = read_parquet(&out.join("meetings.parquet"));
    assert_eq!(column_str(&meetings, "uuid"), [Some("aB+c==".into())]);
    assert_eq!(column_str(&meetings, "topic"), [Some("Late sync".into())]);
    let start: Vec<Option<i64>> = meetings
        .column_by_name("start_time")
        .expect("start_time")
        .as_primitive::<TimestampMillisecondType>()
        .iter()
        .collect();
    // 2024-03-01T23:55:00Z = 1709337300 s.
    assert_eq!(start, [Some(1_709_337_300_000)]);
}

/// One run per folder: while another process holds the folder's lock (here, this test,
/// through the same lock the command takes), `export` stops at once with status 75, names
/// the holder, and changes nothing; once the lock is gone, it runs.
#[test]
fn a_second_export_into_a_folder_in_use_is_refused_before_any_change() {
    let dir = scratch("locked");
    let out = dir.join("dataset");
    let owner = zoom_qos_cli::lock::FolderLock::take(&out).expect("the folder is free");
    let input = data("meetings/standup");
    let refused = export(&[path_str(&input), "--out", path_str(&out)]);
    let message = stderr(&refused);
    assert_eq!(refused.status.code(), Some(75), "{message}");
    assert!(
        message.contains(&format!("(process {})", std::process::id()))
            && message.contains("one run per folder"),
        "{message}"
    );
    let names: Vec<_> = fs::read_dir(&out)
        .expect("listed")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        names,
        [zoom_qos_cli::lock::LOCK_FILE],
        "nothing written but the lock"
    );
    drop(owner);
    let done = export(&[path_str(&input), "--out", path_str(&out)]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(out.join("meetings.parquet").exists());
}

/// An earlier export's meetings file is untrusted input: a corrupt one stops the export
/// with a clear error (exit 1) before any sample file is replaced.
#[test]
fn a_corrupt_meetings_file_stops_the_export_before_anything_is_replaced() {
    let dir = scratch("corrupt-meetings");
    let out = dir.join("dataset");
    let input = data("meetings/standup");
    let first = export(&[path_str(&input), "--out", path_str(&out)]);
    assert!(first.status.success(), "{}", stderr(&first));
    let sample = out.join("samples/date=2024-03-01/part-000001-0.parquet");
    // A replaced file is a new inode.
    let inode =
        |path: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(path).expect("there"));
    let before = inode(&sample);
    let meetings = out.join("meetings.parquet");
    let mut bytes = fs::read(&meetings).expect("meetings");
    // Keep the magic, break what follows: the footer's length and metadata.
    let cut = bytes.len() - 12;
    bytes[cut..cut + 4].copy_from_slice(&[0xFF; 4]);
    bytes.drain(8..bytes.len() / 2);
    fs::write(&meetings, &bytes).expect("corrupted");
    let again = export(&[path_str(&input), "--out", path_str(&out)]);
    let message = stderr(&again);
    assert_eq!(again.status.code(), Some(1), "{message}");
    assert!(message.contains("meetings.parquet"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    assert_eq!(inode(&sample), before, "no sample file replaced");
    assert_eq!(versions(&out), ["v000001"], "no version committed");
}

/// A run killed (SIGKILL) at any point leaves a dataset that readers see whole: the
/// previous one or the new one, never a mix, never neither; the next run finishes the job.
/// The kill comes at points the test sees on disk (the new version begun, its first file,
/// its meetings file, the commit), and once at once: whichever state the run had reached,
/// the check is the same.
#[test]
fn a_run_killed_at_any_point_leaves_the_old_dataset_or_the_new() {
    use std::process::{Command, Stdio};
    let dir = scratch("export-killed");
    let corpus = dir.join("corpus");
    generate(&corpus, 8, 2);
    // The old dataset: four meetings. The new: those four again (one changed) and four more.
    let old_corpus = dir.join("old");
    fs::create_dir_all(&old_corpus).expect("old");
    for n in 0..4 {
        let name = format!("meeting-000{n}");
        copy_folder(&corpus.join(&name), &old_corpus.join(&name));
    }
    let reference = |input: &Path, name: &str| {
        let out = dir.join(name);
        let run = export(&[path_str(input), "--out", path_str(&out)]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        // Keys are source paths: make them the keys of the real run's inputs.
        let (rows, _) = seen(&out);
        rows.into_iter()
            .map(|(k, n)| {
                (
                    k.replace(path_str(&fs::canonicalize(input).expect("c")), "<in>"),
                    n,
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    let page = corpus.join("meeting-0001/page-000.json");
    let changed = fs::read_to_string(&page).expect("page").replacen("\"user_qos\":[{", "\"user_qos\":[{\"date_time\":\"2021-06-24T10:00:00Z\",\"audio_input\":{\"latency\":\"99 ms\"}},{", 1);
    let old = reference(&old_corpus, "reference-old");
    fs::write(old_corpus.join("meeting-0001/page-000.json"), &changed).expect("changed");
    for n in 4..8 {
        let name = format!("meeting-000{n}");
        copy_folder(&corpus.join(&name), &old_corpus.join(&name));
    }
    let new = reference(&old_corpus, "reference-new");
    assert_ne!(old, new);
    let seen_here = |out: &Path| {
        let (rows, listed) = seen(out);
        assert_eq!(rows, listed, "the meetings file agrees with the samples");
        let prefix = path_str(&fs::canonicalize(&old_corpus).expect("c")).to_owned();
        rows.into_iter()
            .map(|(k, n)| (k.replace(&prefix, "<in>"), n))
            .collect::<BTreeMap<_, _>>()
    };
    let version = |out: &Path, v: &str| out.join(".zoom-qos").join(v);
    let points: [(&str, &Reached<'_>); 5] = [
        ("at once", &|_| true),
        ("the new version begun", &|out| {
            version(out, "v000002").exists()
        }),
        ("its first file", &|out| {
            fs::read_dir(version(out, "v000002").join("samples"))
                .map(|mut d| d.next().is_some())
                .unwrap_or(false)
        }),
        ("its meetings file", &|out| {
            version(out, "v000002").join("meetings.parquet").exists()
        }),
        ("the commit", &|out| {
            fs::read_link(out.join(".zoom-qos/current")).is_ok_and(|l| l == Path::new("v000002"))
        }),
    ];
    let mut states = BTreeMap::new();
    for (point, reached) in points {
        let out = dir.join(format!("killed-{}", point.replace(' ', "-")));
        // The old dataset, from the old meetings (meeting-0001 as it was).
        let original = fs::read(&page).expect("page");
        fs::write(old_corpus.join("meeting-0001/page-000.json"), &original).expect("old page");
        let keep: Vec<_> = (4..8).map(|n| format!("meeting-000{n}")).collect();
        for name in &keep {
            fs::rename(old_corpus.join(name), dir.join(name)).expect("set aside");
        }
        let run = export(&[path_str(&old_corpus), "--out", path_str(&out)]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        assert_eq!(seen_here(&out), old);
        for name in &keep {
            fs::rename(dir.join(name), old_corpus.join(name)).expect("put back");
        }
        fs::write(old_corpus.join("meeting-0001/page-000.json"), &changed).expect("changed");
        let mut child = Command::new(env!("CARGO_BIN_EXE_zoom-qos"))
            .args(["export", path_str(&old_corpus), "--out", path_str(&out)])
            .stderr(Stdio::null())
            .spawn()
            .expect("started");
        // Wait for the point without sleeping: poll until it is reached or the run ends.
        loop {
            if reached(&out) || child.try_wait().expect("status").is_some() {
                break;
            }
            std::thread::yield_now();
        }
        let _ = child.kill();
        let _ = child.wait();
        let state = seen_here(&out);
        assert!(
            state == old || state == new,
            "killed at {point}: a mix {state:?}"
        );
        states.insert(point, if state == old { "old" } else { "new" });
        // The next run finishes the job, and leaves one version.
        let again = export(&[path_str(&old_corpus), "--out", path_str(&out)]);
        assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
        assert_eq!(seen_here(&out), new, "after {point}");
        assert_eq!(versions(&out).len(), 1, "after {point}: one version left");
    }
    eprintln!("states seen after the kills: {states:?}");
}

/// Whether a run has reached a point, seen in the dataset folder.
type Reached<'a> = dyn Fn(&Path) -> bool + 'a;

fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("folder");
    for entry in fs::read_dir(from).expect("listed") {
        let entry = entry.expect("entry");
        fs::copy(entry.path(), to.join(entry.file_name())).expect("copied");
    }
}

/// A dataset of the earlier layout (a `samples` folder of one file per meeting, a plain
/// meetings file) is refused with what to do, and left as it was.
#[test]
fn a_dataset_of_the_earlier_layout_is_refused_untouched() {
    let dir = scratch("export-earlier-layout");
    let out = dir.join("dataset");
    let partition = out.join("samples/date=2024-03-01");
    fs::create_dir_all(&partition).expect("partition");
    fs::write(partition.join("standup.parquet"), b"PAR1").expect("a sample file");
    fs::write(out.join("meetings.parquet"), b"PAR1").expect("a meetings file");
    let mut before = walk(&out);
    before.sort();
    let run = export(&[
        path_str(&data("standup-array.json")),
        "--out",
        path_str(&out),
    ]);
    let message = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{message}");
    assert!(
        message.contains("an export by an earlier zoom-qos") && message.contains("new folder"),
        "{message}"
    );
    let mut after = walk(&out);
    after.retain(|p| !p.ends_with(zoom_qos_cli::lock::LOCK_FILE));
    after.sort();
    assert_eq!(after, before, "nothing written but the lock");
}

/// One meeting (one UUID) fetched into two folders is exported once, and the second
/// folder is named, with exit 2.
#[test]
fn one_uuid_in_two_folders_is_exported_once_and_the_other_named() {
    let dir = scratch("export-one-uuid-twice");
    let pulled = dir.join("pulled");
    for folder in ["a", "b"] {
        fs::create_dir_all(pulled.join(folder)).expect("folder");
        fs::write(pulled.join(folder).join("page-000.json"), MIDNIGHT).expect("page");
        fs::write(
            pulled.join(folder).join("meeting.json"),
            r#"{"uuid":"aB+c==","topic":"Late sync"}"#,
        )
        .expect("description");
    }
    let out = dir.join("dataset");
    let run = export(&[path_str(&pulled), "--out", path_str(&out)]);
    let message = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{message}");
    assert!(
        message.contains("meeting b:") && message.contains("the same meeting as a (aB+c==)"),
        "{message}"
    );
    let (rows, listed) = seen(&out);
    assert_eq!(rows, BTreeMap::from([("aB+c==".to_owned(), 5)]));
    assert_eq!(rows, listed);
}

/// A Parquet dataset is not added to in Arrow IPC: refused, with what to do.
#[test]
fn a_dataset_of_the_other_format_is_refused_with_what_to_do() {
    let dir = scratch("export-other-format");
    let out = dir.join("dataset");
    let input = data("standup-array.json");
    let first = export(&[path_str(&input), "--out", path_str(&out)]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let (rows, _) = seen(&out);
    let arrow = export(&[
        path_str(&input),
        "--out",
        path_str(&out),
        "--format",
        "arrow",
    ]);
    let message = stderr(&arrow);
    assert_eq!(arrow.status.code(), Some(1), "{message}");
    assert!(message.contains("other --format"), "{message}");
    assert!(!message.contains("cannot write"), "{message}");
    assert_eq!(seen(&out).0, rows);
    assert_eq!(versions(&out), ["v000001"]);
}
