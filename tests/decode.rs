//! Decoding pages: leniency, strict mode, errors with locations, escapes, both routes.

use zoom_qos::units::UnitError;
use zoom_qos::view;
use zoom_qos::{
    Analysis, CpuMetric, DecodeConfig, Decoder, ErrorKind, Field, Metric, ParticipantField,
    RssiMetric, Stream, Table,
};

fn decode(
    json: &str,
    config: DecodeConfig,
) -> (Table, Result<zoom_qos::PageInfo, zoom_qos::Error>) {
    let mut table = Table::new();
    let mut bytes = json.as_bytes().to_vec();
    let result = Decoder::new(config).decode(&mut bytes, &mut table);
    (table, result)
}

fn lenient(json: &str) -> Table {
    let (table, result) = decode(json, DecodeConfig::default());
    result.expect("decodes");
    table
}

const TWO_SAMPLES: &str = r#"{"participants": [
  {"user_name": "A", "user_qos": [
    {"date_time": "2021-06-24T20:00:00Z",
     "audio_input": {"latency": "N/A", "jitter": "6 ms", "bitrate": "27.15kbps"}},
    {"date_time": "2021-06-24T20:01:00Z",
     "video_input": {"resolution": "720p", "frame_rate": "12 fps"},
     "audio_input": {"latency": "126 ms"}}
  ]}]}"#;

#[test]
fn invalid_values_become_missing_and_are_counted_with_their_location() {
    let table = lenient(TWO_SAMPLES);
    assert_eq!(table.samples(), 2);
    let audio = table.stream(Stream::AudioInput).expect("audio_input");
    assert_eq!(audio.stored(Metric::Latency, 0), None);
    assert_eq!(
        audio.stored(Metric::Jitter, 0),
        Some(600),
        "neighbours survive"
    );
    assert_eq!(audio.stored(Metric::Bitrate, 0), Some(27_150));
    assert_eq!(audio.stored(Metric::Latency, 1), Some(12_600));
    let video = table
        .stream(Stream::VideoInput)
        .expect("video_input appears in sample 1");
    assert_eq!(
        video.stored(Metric::FrameRate, 0),
        None,
        "rows before a stream appears are missing"
    );
    assert_eq!(video.stored(Metric::FrameRate, 1), Some(1_200));
    assert_eq!(video.stored(Metric::Resolution, 1), None);

    let diagnostics = table.diagnostics();
    assert_eq!(diagnostics.invalid_values(), 2);
    let first = &diagnostics.first_invalid()[0];
    assert_eq!(first.text, "N/A");
    assert_eq!(first.error, UnitError::ExpectedNumber);
    assert_eq!(
        (
            first.location.page,
            first.location.participant,
            first.location.sample
        ),
        (0, 0, 0)
    );
    assert_eq!(
        first.location.field,
        Field::Metric(Stream::AudioInput, Metric::Latency)
    );
    assert_eq!(
        first.to_string(),
        r#"page 0, participant 0, sample 0, audio_input.latency: expected a number, found "N/A""#
    );
    let second = &diagnostics.first_invalid()[1];
    assert_eq!(
        second.to_string(),
        r#"page 0, participant 0, sample 1, video_input.resolution: expected W*H, found "720p""#
    );
}

#[test]
fn strict_mode_fails_on_the_first_invalid_value_and_leaves_the_table_unchanged() {
    let mut table = lenient(TWO_SAMPLES);
    let before = table.clone();
    let mut bytes = TWO_SAMPLES.as_bytes().to_vec();
    let error = Decoder::new(DecodeConfig::new().strict(true))
        .decode(&mut bytes, &mut table)
        .expect_err("strict");
    let location = error.location().expect("located");
    assert_eq!(location.page, 1, "the second page of this table");
    assert_eq!(
        location.field,
        Field::Metric(Stream::AudioInput, Metric::Latency)
    );
    assert!(error.to_string().contains(r#"found "N/A""#), "{error}");
    assert_eq!(table, before, "a failed page is rolled back whole");
}

#[test]
fn keep_invalid_bounds_what_is_kept_but_not_what_is_counted() {
    let (table, _) = decode(TWO_SAMPLES, DecodeConfig::new().keep_invalid(1));
    assert_eq!(table.diagnostics().invalid_values(), 2);
    assert_eq!(table.diagnostics().first_invalid().len(), 1);
}

#[test]
fn malformed_json_is_an_error_with_a_byte_offset() {
    let truncated = &TWO_SAMPLES[..120];
    let (table, result) = decode(truncated, DecodeConfig::default());
    let error = result.expect_err("truncated");
    assert!(matches!(error.kind(), ErrorKind::Json { .. }));
    assert!(
        error.offset().is_some_and(|o| o <= truncated.len()),
        "{error}"
    );
    assert!(
        error.to_string().starts_with("malformed JSON at byte "),
        "{error}"
    );
    assert_eq!(table.samples(), 0);
    let (_, result) = decode("{\"participants\": [1,, 2]}", DecodeConfig::default());
    assert!(result.expect_err("bad").offset().is_some());
}

#[test]
fn documents_of_the_wrong_shape_are_shape_errors() {
    for (json, path, found) in [
        ("42", "", "a number"),
        ("[]", "", "a list"),
        ("\"page\"", "", "a string"),
        (r#"{"participants": 3}"#, "participants", "a number"),
        (
            r#"{"participants": [{"user_qos": "x"}]}"#,
            "participants[0].user_qos",
            "a string",
        ),
        (
            r#"{"users": [{}, {"user_qos": 5}]}"#,
            "users[1].user_qos",
            "a number",
        ),
        // The single-participant answer has no `participants` around the entry.
        (
            r#"{"user_name": "Ana", "user_qos": true}"#,
            "user_qos",
            "a boolean",
        ),
    ] {
        let (_, result) = decode(json, DecodeConfig::default());
        match result.expect_err(json).kind() {
            ErrorKind::Shape {
                path: p, found: f, ..
            } => assert_eq!((p.as_str(), *f), (path, found)),
            other => panic!("{json}: {other:?}"),
        }
    }
}

#[test]
fn nulls_unknown_keys_and_odd_types_do_not_fail_the_page() {
    let json = r#"{"page_count": "integer [int64]", "page_size": null, "total_records": "12",
      "future": {"deep": [1, {"x": null}]}, "participants": [
        null, "junk", 7,
        {"user_name": null, "user_id": 5, "id": ["x"], "issue_list": ["audio", 3],
         "recording": true, "user_qos": [
           null, "", 5,
           {"date_time": null, "audio_input": null, "audio_output": "",
            "video_input": {"bitrate": null, "latency": 12, "jitter": true, "new_metric": "1 ms"},
            "cpu_usage": {"system_max_cpu_usage": null, "zoom_avg_cpu_usage": "5%"},
            "wifi_rssi": {"max_rssi": -40, "avg_rssi": -52.6, "min_rssi": "x", "rssi_unit": "dBm"}}
        ]}]}"#;
    let (table, result) = decode(json, DecodeConfig::default());
    let info = result.expect("lenient page");
    assert_eq!(
        info.total_records,
        Some(12),
        "integers may arrive as strings"
    );
    assert_eq!(
        table.participant_count(),
        1,
        "non-object participants are skipped"
    );
    assert_eq!(table.samples(), 4, "every user_qos item is a sample");
    let p = table.participants().next().expect("one");
    assert_eq!(p.user_name(), "");
    assert_eq!(p.user_id(), "", "a number is not a text");
    assert!(
        table.stream(Stream::AudioInput).is_none(),
        "null is not an object"
    );
    assert!(
        table.stream(Stream::AudioOutput).is_none(),
        "blank stream is absent"
    );
    let video = table.stream(Stream::VideoInput).expect("object");
    assert_eq!(video.stored(Metric::Latency, 3), None);
    assert_eq!(table.cpu_bp(CpuMetric::ZoomAvg, 3), Some(500));
    assert_eq!(table.rssi_dbm(RssiMetric::Max, 3), Some(-40));
    assert_eq!(table.rssi_dbm(RssiMetric::Avg, 3), Some(-53));
    // latency 12 (a number), jitter true, min_rssi "x": three invalid values.
    assert_eq!(table.diagnostics().invalid_values(), 3);

    let mut bytes = json.as_bytes().to_vec();
    let page = view::Page::from_slice(&mut bytes).expect("views are as lenient");
    assert_eq!(
        page.total_records,
        Some(12),
        "views read integers from strings"
    );
    assert_eq!(page.page_count, None);
    assert_eq!(page.participants.len(), 1);
    assert_eq!(page.participants[0].issue_list, ["audio"]);
    assert_eq!(page.participants[0].user_qos.len(), 4);
}

#[test]
fn escaped_strings_are_unescaped_in_place() {
    let json = r#"{"participants": [{"user_name": "Chidi \"CJ\" \u00c7elik \ud83c\udfa7 \\ /",
      "user_qos": [{"audio_input": {"latency": "\u0031\u0032 ms"}}]}]}"#;
    let table = lenient(json);
    let p = table.participants().next().expect("one");
    assert_eq!(p.user_name(), "Chidi \"CJ\" Çelik 🎧 \\ /");
    let audio = table.stream(Stream::AudioInput).expect("audio");
    assert_eq!(audio.stored(Metric::Latency, 0), Some(1_200));
}

#[test]
fn invalid_utf8_is_a_json_error() {
    let mut bytes = b"{\"participants\": [{\"user_name\": \"\xff\xfe\"}]}".to_vec();
    let mut table = Table::new();
    let error = Decoder::default()
        .decode(&mut bytes, &mut table)
        .expect_err("not UTF-8");
    assert!(matches!(error.kind(), ErrorKind::Json { .. }), "{error}");
}

#[test]
fn single_participant_endpoint_is_a_page_of_one() {
    let json = r#"{"user_id": "9", "user_name": "Solo", "device": "Mac",
      "user_qos": [{"audio_input": {"latency": "50 ms"}}, {"audio_input": {"latency": "60 ms"}}]}"#;
    let table = lenient(json);
    assert_eq!(table.participant_count(), 1);
    assert_eq!(table.samples(), 2);
    let p = table.participants().next().expect("one");
    assert_eq!(
        (p.user_name(), p.field(ParticipantField::Device)),
        ("Solo", "Mac")
    );
    let mut bytes = json.as_bytes().to_vec();
    let participant = view::Participant::from_slice(&mut bytes).expect("participant view");
    assert_eq!(participant.user_qos.len(), 2);
}

#[test]
fn pages_of_one_meeting_append_and_the_table_is_reusable() {
    let page = |name: &str, latency: &str| {
        format!(
            r#"{{"next_page_token": "t", "participants": [{{"user_name": "{name}", "user_qos": [{{"audio_input": {{"latency": "{latency}"}}}}]}}]}}"#
        )
    };
    let mut decoder = Decoder::default();
    let mut table = Table::new();
    let info = decoder
        .decode(&mut page("a", "10 ms").into_bytes(), &mut table)
        .expect("page 0");
    assert!(info.has_next_page);
    decoder
        .decode(&mut page("b", "20 ms").into_bytes(), &mut table)
        .expect("page 1");
    assert_eq!(
        (table.pages(), table.samples(), table.participant_count()),
        (2, 2, 2)
    );
    let second = table.participants().nth(1).expect("b");
    assert_eq!(
        (second.user_name(), second.rows(), second.source()),
        ("b", 1..2, (1, 0))
    );
    let audio = table.stream(Stream::AudioInput).expect("audio");
    assert_eq!(audio.stored(Metric::Latency, 1), Some(2_000));
    table.clear();
    assert_eq!(
        (table.pages(), table.samples(), table.participant_count()),
        (0, 0, 0)
    );
    assert!(table.stream(Stream::AudioInput).is_none());
    decoder
        .decode(&mut page("c", "30 ms").into_bytes(), &mut table)
        .expect("again");
    assert_eq!(
        table
            .stream(Stream::AudioInput)
            .and_then(|s| s.stored(Metric::Latency, 0)),
        Some(3_000)
    );
}

#[test]
fn device_streams_and_picture_metrics_of_audio() {
    let json = r#"{"participants": [{"user_qos": [{
      "audio_device_from_crc": {"latency": "5 ms", "resolution": "1*1", "frame_rate": "3 fps"},
      "video_device_to_rwg": {"resolution": "1920x1080", "frame_rate": "30 fps"}}]}]}"#;
    let table = lenient(json);
    let crc = table.stream(Stream::AudioDeviceFromCrc).expect("crc leg");
    assert_eq!(crc.stored(Metric::Latency, 0), Some(500));
    assert_eq!(
        crc.stored(Metric::FrameRate, 0),
        None,
        "audio streams have no picture metrics"
    );
    let rwg = table.stream(Stream::VideoDeviceToRwg).expect("rwg leg");
    assert_eq!(rwg.resolution_px(0), Some((1920, 1080)));
    assert_eq!(table.diagnostics().invalid_values(), 0);
}

#[test]
fn both_routes_agree_on_a_generated_meeting() {
    let shape = zoom_qos::synth::MeetingShape {
        participants: 23,
        minutes: 17,
    };
    let pages = zoom_qos::synth::meeting_pages(7, shape);
    assert_eq!(pages.len(), 3);
    let mut from_tape = Table::new();
    let mut from_views = Table::new();
    let mut decoder = Decoder::default();
    for page in &pages {
        decoder
            .decode(&mut page.clone().into_bytes(), &mut from_tape)
            .expect("tape");
        let mut bytes = page.clone().into_bytes();
        let page_view = view::Page::from_slice(&mut bytes).expect("views");
        from_views
            .push_view(&page_view, &DecodeConfig::default())
            .expect("views");
    }
    assert_eq!(from_tape.samples(), 23 * 17);
    for (a, b) in from_tape.participants().zip(from_views.participants()) {
        for field in ParticipantField::ALL {
            assert_eq!(a.field(field), b.field(field));
        }
        assert_eq!(a.rows(), b.rows());
    }
    for row in 0..from_tape.samples() {
        assert_eq!(from_tape.time_s(row), from_views.time_s(row));
        for stream in Stream::ALL {
            for metric in stream.metrics() {
                let a = from_tape
                    .stream(stream)
                    .and_then(|s| s.stored(*metric, row));
                let b = from_views
                    .stream(stream)
                    .and_then(|s| s.stored(*metric, row));
                assert_eq!(a, b, "row {row} {stream}.{metric}");
            }
        }
        for cpu in CpuMetric::ALL {
            assert_eq!(from_tape.cpu_bp(cpu, row), from_views.cpu_bp(cpu, row));
        }
        for rssi in RssiMetric::ALL {
            assert_eq!(
                from_tape.rssi_dbm(rssi, row),
                from_views.rssi_dbm(rssi, row)
            );
        }
    }
    let analysis = Analysis::new();
    assert_eq!(
        analysis.meeting("m", &from_tape),
        analysis.meeting("m", &from_views)
    );
}

#[test]
fn the_view_parser_reuses_its_buffers_across_pages() {
    let mut parser = view::Parser::new();
    for page in zoom_qos::synth::meeting_pages(
        1,
        zoom_qos::synth::MeetingShape {
            participants: 12,
            minutes: 3,
        },
    ) {
        let mut bytes = page.into_bytes();
        let view = parser.page(&mut bytes).expect("parses");
        assert!(view.participants.iter().all(|p| p.user_qos.len() == 3));
    }
    let mut single = br#"{"user_name": "Solo", "user_qos": [{}]}"#.to_vec();
    let view = parser.participant(&mut single).expect("parses");
    assert_eq!(view.field(ParticipantField::UserName), Some("Solo"));
    let mut bad = b"{".to_vec();
    assert!(parser.page(&mut bad).is_err());
}

/// A page of `samples` samples: audio latency `i ms` in sample `i`; video from sample
/// `video_from` on (frame rate `i fps`), CPU from `cpu_from` on; sample `bad` has an invalid
/// latency.
fn long_page(samples: usize, video_from: usize, cpu_from: usize, bad: usize) -> String {
    let items: Vec<String> = (0..samples)
        .map(|i| {
            let latency = if i == bad {
                "N/A".to_owned()
            } else {
                format!("{i} ms")
            };
            let mut item = format!(r#"{{"audio_input": {{"latency": "{latency}"}}"#);
            if i >= video_from {
                item += &format!(r#", "video_input": {{"frame_rate": "{i} fps"}}"#);
            }
            if i >= cpu_from {
                item += r#", "cpu_usage": {"system_max_cpu_usage": "7%"}"#;
            }
            item + "}"
        })
        .collect();
    format!(
        r#"{{"participants": [{{"user_name": "p", "user_qos": [{}]}}]}}"#,
        items.join(",")
    )
}

#[test]
fn pages_longer_than_a_block_of_rows_are_cut_and_rolled_back_exactly() {
    let mut table = lenient(&long_page(70, usize::MAX, usize::MAX, usize::MAX));
    table.check_invariants().expect("after page 0");
    let before = table.clone();

    // Strict: fails at sample 140, after streams appeared mid-page and blocks were added.
    let mut strict = long_page(150, 100, 120, 140).into_bytes();
    Decoder::new(DecodeConfig::new().strict(true))
        .decode(&mut strict, &mut table)
        .expect_err("strict");
    assert_eq!(table, before, "rolled back whole");
    table.check_invariants().expect("after the rollback");

    let mut lenient_page = long_page(150, 100, 120, 140).into_bytes();
    Decoder::default()
        .decode(&mut lenient_page, &mut table)
        .expect("lenient");
    table.check_invariants().expect("after page 1");
    assert_eq!(table.samples(), 220);
    let audio = table.stream(Stream::AudioInput).expect("audio");
    let video = table.stream(Stream::VideoInput).expect("video");
    for i in 0..150 {
        let row = 70 + i;
        let latency = (i != 140).then_some(i as u32 * 100);
        assert_eq!(audio.stored(Metric::Latency, row), latency, "row {row}");
        let fps = (i >= 100).then_some(i as u32 * 100);
        assert_eq!(video.stored(Metric::FrameRate, row), fps, "row {row}");
        let cpu = (i >= 120).then_some(700);
        assert_eq!(table.cpu_bp(CpuMetric::SystemMax, row), cpu, "row {row}");
    }
    assert_eq!(
        video.stored(Metric::FrameRate, 0),
        None,
        "page 0 had no video"
    );
    assert_eq!(table.diagnostics().invalid_values(), 1);
}

/// Oracle: `decode` of each page on its own. Pages packed back to back in one buffer, each
/// decoded where it lies with the next page as its padding, give the same table, and each
/// page's decode leaves the bytes after it as they were.
#[test]
fn padded_pages_decode_in_place_as_copies_do() {
    let pages: Vec<String> = zoom_qos::synth::meeting_pages(
        11,
        zoom_qos::synth::MeetingShape {
            participants: 23,
            minutes: 7,
        },
    );
    let mut expected = Table::new();
    let mut decoder = Decoder::default();
    for page in &pages {
        decoder
            .decode(&mut page.clone().into_bytes(), &mut expected)
            .expect("decodes");
    }
    let mut packed: Vec<u8> = pages.concat().into_bytes();
    let len = packed.len();
    packed.resize(len + Decoder::PADDING, b'x');
    let mut table = Table::new();
    let mut start = 0;
    for page in &pages {
        let end = start + page.len();
        let after = packed[end..].to_vec();
        decoder
            .decode_padded(&mut packed[start..], page.len(), &mut table)
            .expect("decodes in place");
        assert_eq!(packed[end..], after[..], "the padding is left as it was");
        start = end;
    }
    assert_eq!(table, expected);

    let mut short = pages[0].clone().into_bytes();
    let len = short.len();
    short.resize(len + Decoder::PADDING - 1, b' ');
    let error = decoder
        .decode_padded(&mut short, len, &mut table)
        .expect_err("too little padding");
    assert!(error.to_string().contains("padding"), "{error}");
    assert_eq!(table, expected, "untouched");
}

mod json_errors_are_located_on_the_page_as_given {
    use proptest::prelude::*;
    use zoom_qos::{Decoder, ErrorKind, Table};

    /// A page whose strings hold escapes (`\"`, `\\`, `\u00e9`, `\/`), which simd-json
    /// unescapes in place while it parses.
    fn page() -> impl Strategy<Value = String> {
        let name = prop::collection::vec(
            prop::sample::select(vec!["a", "Ana", "\\\"", "\\\\", "\\u00e9", "\\/", " ", "é"]),
            0..6,
        )
        .prop_map(|parts| parts.concat());
        prop::collection::vec((name, 0u32..999), 1..5).prop_map(|people| {
            let participants: Vec<String> = people
                .iter()
                .map(|(name, ms)| {
                    format!(
                        r#"{{"user_name": "{name}", "user_qos": [{{"audio_input": {{"latency": "{ms} ms"}}}}]}}"#
                    )
                })
                .collect();
            format!(r#"{{"participants": [{}], "next_page_token": ""}}"#, participants.join(", "))
        })
    }

    /// A page broken at one place: a byte replaced, removed or inserted (invalid UTF-8 among
    /// them), or junk after the document.
    fn broken() -> impl Strategy<Value = Vec<u8>> {
        let junk = prop::sample::select(vec![
            b'}', b']', b',', b'"', b'\\', b'x', b':', 0xFF, 0xC3, b'{',
        ]);
        (page(), any::<prop::sample::Index>(), 0..4u8, junk).prop_map(|(page, at, how, byte)| {
            let mut bytes = page.into_bytes();
            let at = at.index(bytes.len());
            match how {
                0 => bytes[at] = byte,
                1 => {
                    bytes.remove(at);
                }
                2 => bytes.insert(at, byte),
                _ => bytes.extend_from_slice(b" x"),
            }
            bytes
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Oracle: serde_json on the same bytes, untouched (`locate_json_error`, which turns
        /// serde_json's line and column into a byte offset). The decoder is given the page
        /// alone, no copy, and must agree on the byte and the reason.
        #[test]
        fn the_offset_is_serde_jsons(bytes in broken()) {
            let want = serde_json::from_slice::<serde_json::Value>(&bytes).err();
            let mut given = bytes.clone();
            let got = Decoder::default().decode(&mut given, &mut Table::new());
            match (want, got) {
                (Some(_), Ok(_)) => prop_assert!(false, "serde_json refuses what was decoded"),
                (Some(_), Err(error)) => {
                    let located = zoom_qos::record::locate_json_error(&bytes).expect("an error");
                    prop_assert_eq!(error.kind(), located.kind(), "{:?}", String::from_utf8_lossy(&bytes));
                }
                (None, Err(error)) => prop_assert!(
                    !matches!(error.kind(), ErrorKind::Json { .. }),
                    "valid JSON called malformed: {error}"
                ),
                (None, Ok(_)) => {}
            }
        }
    }

    #[test]
    fn trailing_junk_and_invalid_utf8_are_named_at_their_byte() {
        let page = br#"{"participants": [{"user_name": "A\"B", "user_qos": []}]} junk"#;
        let at = page.len() - 4;
        let error = Decoder::default()
            .decode(&mut page.to_vec(), &mut Table::new())
            .expect_err("junk after the page");
        assert_eq!(error.offset(), Some(at), "{error}");
        assert!(error.to_string().contains("trailing characters"), "{error}");
        let mut page = br#"{"participants": [{"user_name": "A\"B?", "user_qos": []}]}"#.to_vec();
        let bad = page.iter().position(|&b| b == b'?').expect("the place");
        page[bad] = 0xFF;
        let at = page.iter().position(|&b| b == 0xFF).expect("the bad byte");
        let error = Decoder::default()
            .decode(&mut page, &mut Table::new())
            .expect_err("invalid UTF-8");
        assert_eq!(error.offset(), Some(at), "{error}");
    }
}
