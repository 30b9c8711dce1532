//! The official sample response of the seed document: its numbers, by both decode routes,
//! and its report v1, checked field by field against values worked out by hand.

use zoom_qos::aggregate::mos_estimate;
use zoom_qos::report::Grade;
use zoom_qos::view::{self, Value};
use zoom_qos::{
    Analysis, CpuMetric, DecodeConfig, Decoder, Metric, ParticipantField, Stream, Table,
};

fn seed_bytes() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/seed-sample.json"
    ))
    .expect("the seed sample is committed")
}

fn seed_table() -> Table {
    let mut table = Table::new();
    Decoder::default()
        .decode(&mut seed_bytes(), &mut table)
        .expect("the seed sample decodes");
    table
}

#[test]
fn views_borrow_the_seed_strings() {
    let mut bytes = seed_bytes();
    let page = view::Page::from_slice(&mut bytes).expect("parses");
    // The official sample sends placeholders where integers belong: they are not numbers.
    assert_eq!(page.page_count, None);
    assert_eq!(page.total_records, None);
    assert_eq!(page.next_page_token, Some("string"));
    let participant = &page.participants[0];
    assert_eq!(participant.field(ParticipantField::UserName), Some("User"));
    assert_eq!(
        participant.field(ParticipantField::PcName),
        Some("User's Phone")
    );
    assert_eq!(participant.field(ParticipantField::MacAddr), Some(""));
    let sample = &participant.user_qos[0];
    assert_eq!(sample.date_time, Value::Str("2021-06-24T20:00:00Z"));
    let video = sample
        .stream(Stream::VideoInput)
        .expect("video_input is an object");
    assert_eq!(video.get(Metric::Resolution), Value::Str("1280*720"));
    assert_eq!(video.get(Metric::FrameRate), Value::Str("12 fps"));
    let share = sample
        .stream(Stream::AsInput)
        .expect("as_input is an object");
    assert_eq!(share.get(Metric::FrameRate), Value::Str(""));
    assert!(sample.stream(Stream::AudioDeviceFromCrc).is_none());
    let cpu = sample.cpu_usage.expect("cpu_usage");
    assert_eq!(cpu[CpuMetric::SystemMax.index()], Value::Str("40%"));
}

#[test]
fn table_holds_exactly_the_numbers_shown() {
    let table = seed_table();
    assert_eq!(table.samples(), 1);
    assert_eq!(table.participant_count(), 1);
    assert_eq!(table.time_s(0), Some(1_624_564_800));
    let audio_in = table.stream(Stream::AudioInput).expect("audio_input");
    assert_eq!(audio_in.stored(Metric::Bitrate, 0), Some(23_000)); // 23 kbps in bit/s
    assert_eq!(audio_in.stored(Metric::Latency, 0), Some(12_600)); // 126 ms in 10 µs
    assert_eq!(audio_in.stored(Metric::Jitter, 0), Some(600));
    assert_eq!(audio_in.stored(Metric::AvgLoss, 0), Some(30)); // 0.3 % in basis points
    assert_eq!(audio_in.stored(Metric::MaxLoss, 0), Some(190));
    assert_eq!(
        audio_in.stored(Metric::Resolution, 0),
        None,
        "audio has no picture"
    );
    let video_in = table.stream(Stream::VideoInput).expect("video_input");
    assert_eq!(video_in.resolution_px(0), Some((1280, 720)));
    assert_eq!(video_in.stored(Metric::FrameRate, 0), Some(1_200));
    assert_eq!(video_in.value(Metric::Bitrate, 0), Some(1055.0));
    assert_eq!(video_in.value(Metric::MaxLoss, 0), Some(4.9));
    let video_out = table.stream(Stream::VideoOutput).expect("video_output");
    assert_eq!(video_out.resolution_px(0), Some((640, 360)));
    assert_eq!(video_out.value(Metric::FrameRate, 0), Some(22.0));
    let share = table.stream(Stream::AsOutput).expect("as_output");
    assert_eq!(share.resolution_px(0), Some((0, 0)), "0*0 is a valid parse");
    assert_eq!(
        share.value(Metric::Resolution, 0),
        None,
        "0*0 means no picture"
    );
    assert_eq!(
        share.stored(Metric::FrameRate, 0),
        None,
        "blank is missing, not zero"
    );
    assert_eq!(table.cpu_bp(CpuMetric::ZoomMin, 0), Some(800));
    assert_eq!(table.cpu_bp(CpuMetric::SystemMax, 0), Some(4_000));
    let participant = table.participants().next().expect("one participant");
    assert_eq!(participant.user_id(), "1670000000");
    assert_eq!(
        participant.field(ParticipantField::Location),
        "San Jose (US)"
    );
    assert_eq!(
        participant.field(ParticipantField::Email),
        "",
        "absent text reads empty"
    );
    assert_eq!(table.diagnostics().invalid_values(), 0);
    // Whole units stay narrow: per audio stream kbps 2 + ms 2 + 2 + loss 2 + 2 = 10; per
    // video or share stream 10 + fps 1 + resolution 4 = 15; cpu 4 × 1; time 8.
    assert_eq!(table.bytes_per_sample(), 2 * 10 + 4 * 15 + 4 + 8);
}

#[test]
fn both_routes_build_the_same_table() {
    let mut bytes = seed_bytes();
    let page = view::Page::from_slice(&mut bytes).expect("parses");
    let mut from_views = Table::new();
    from_views
        .push_view(&page, &DecodeConfig::default())
        .expect("lenient");
    let from_tape = seed_table();
    let a = Analysis::new().meeting("m", &from_views);
    let b = Analysis::new().meeting("m", &from_tape);
    assert_eq!(a, b);
}

#[test]
fn report_of_the_seed_field_by_field() {
    let report = Analysis::new().meeting("seed", &seed_table());
    assert_eq!(report.meeting, "seed");
    assert_eq!(report.pages, 1);
    assert_eq!(report.participants, 1);
    assert_eq!(report.samples, 1);
    assert_eq!(report.invalid_values, 0);

    let expect = |stream, metric, value: Option<f64>| {
        let stats = report
            .streams
            .get(stream, metric)
            .expect("stream and metric reported");
        let (count, missing) = if value.is_some() { (1, 0) } else { (0, 1) };
        assert_eq!(
            (stats.count, stats.missing),
            (count, missing),
            "{stream} {metric}"
        );
        for got in [
            stats.min, stats.mean, stats.p50, stats.p90, stats.p95, stats.p99, stats.max,
        ] {
            assert_eq!(got, value, "{stream} {metric}");
        }
    };
    let shown: [(Stream, [f64; 5]); 6] = [
        (Stream::AudioInput, [23.0, 126.0, 6.0, 0.3, 1.9]),
        (Stream::AudioOutput, [63.0, 134.0, 6.0, 0.0, 0.0]),
        (Stream::VideoInput, [1055.0, 129.0, 11.0, 0.0, 4.9]),
        (Stream::VideoOutput, [673.0, 135.0, 11.0, 0.0, 0.0]),
        (Stream::AsInput, [70.0, 135.0, 8.0, 0.0, 0.0]),
        (Stream::AsOutput, [70.0, 135.0, 8.0, 0.0, 0.0]),
    ];
    for (stream, values) in shown {
        for (metric, value) in Metric::NETWORK.iter().zip(values) {
            expect(stream, *metric, Some(value));
        }
    }
    expect(Stream::VideoInput, Metric::FrameRate, Some(12.0));
    expect(Stream::VideoInput, Metric::Resolution, Some(720.0));
    expect(Stream::VideoOutput, Metric::FrameRate, Some(22.0));
    expect(Stream::VideoOutput, Metric::Resolution, Some(360.0));
    expect(Stream::AsInput, Metric::FrameRate, None);
    expect(Stream::AsInput, Metric::Resolution, None);
    assert!(
        report
            .streams
            .get(Stream::AudioInput, Metric::FrameRate)
            .is_none()
    );
    assert_eq!(report.streams.len(), 6, "no device streams in the seed");

    for (name, value) in [
        ("zoom_min_cpu_pct", 8.0),
        ("zoom_avg_cpu_pct", 12.0),
        ("zoom_max_cpu_pct", 18.0),
        ("system_max_cpu_pct", 40.0),
    ] {
        let stats = report.cpu.get(name).expect("cpu field");
        assert_eq!(
            (stats.count, stats.p50, stats.max),
            (1, Some(value), Some(value)),
            "{name}"
        );
    }

    // 126-135 ms latency, 6-11 ms jitter, 0-0.3 % loss, 12-22 fps, 40 % CPU: no flag.
    assert_eq!(report.degraded.samples, 0);
    assert_eq!(report.degraded.by_flag, Default::default());

    // Worked out: input R = 93.2 - 148/40 - 2.5 * 0.3 = 88.75, MOS 4.3071855; output
    // R = 93.2 - 156/40 = 89.3, MOS 4.3214751. The report shows 3 decimals.
    assert!((mos_estimate(126.0, 6.0, 0.3) - 4.307_185_5).abs() < 1e-6);
    assert!((mos_estimate(134.0, 6.0, 0.0) - 4.321_475_1).abs() < 1e-6);
    let (mos_in, mos_out) = (4.307, 4.321);
    assert_eq!(report.mos.audio_input.p50, Some(mos_in));
    assert_eq!(report.mos.audio_output.max, Some(mos_out));
    assert_eq!(report.grades.get(Grade::Good), 1);
    assert_eq!(report.grades.get(Grade::Unclassified), 0);

    let detail = &report.participant_details[0];
    assert_eq!(detail.user_id, "1670000000");
    assert_eq!(detail.user_name, "User");
    assert_eq!(detail.samples, 1);
    assert_eq!(detail.degraded_samples, 0);
    assert_eq!(detail.mos_audio_input_p50, Some(mos_in));
    assert_eq!(detail.mos_audio_output_p50, Some(mos_out));
    assert_eq!(detail.grade, Grade::Good);
}

#[test]
fn report_json_has_the_contract_names() {
    let report =
        zoom_qos::Report::new(vec![Analysis::new().meeting("seed", &seed_table())], vec![]);
    let mut out = Vec::new();
    report.write_json(&mut out).expect("in memory");
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    let meeting = &doc["meetings"][0];
    for key in [
        "meeting",
        "pages",
        "participants",
        "samples",
        "invalid_values",
        "streams",
        "cpu",
        "degraded",
        "mos",
        "grades",
        "participant_details",
    ] {
        assert!(meeting.get(key).is_some(), "missing {key}");
    }
    let stats = &meeting["streams"]["as_input"]["frame_rate_fps"];
    assert_eq!(stats["count"], 0);
    assert_eq!(stats["missing"], 1);
    assert!(stats["p50"].is_null());
    assert_eq!(
        meeting["streams"]["audio_input"]["avg_loss_pct"]["p99"],
        0.3
    );
    assert_eq!(meeting["degraded"]["by_flag"]["frame_rate"], 0);
    assert_eq!(meeting["grades"]["good"], 1);
    assert_eq!(meeting["participant_details"][0]["grade"], "good");
}
