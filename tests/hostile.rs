//! Hostile inputs: a clear error or a correct result, never a panic, memory in proportion
//! to the input. The large inputs are generated here, not committed.

use zoom_qos::{DecodeConfig, Decoder, ErrorKind, Metric, Stream, Table};

fn decode(input: Vec<u8>) -> (Table, Result<zoom_qos::PageInfo, zoom_qos::Error>) {
    decode_with(DecodeConfig::default(), input)
}

fn decode_with(
    config: DecodeConfig,
    input: Vec<u8>,
) -> (Table, Result<zoom_qos::PageInfo, zoom_qos::Error>) {
    let mut table = Table::new();
    let mut input = input;
    let result = Decoder::new(config).decode(&mut input, &mut table);
    table.check_invariants().expect("invariants hold");
    (table, result)
}

#[test]
fn nesting_100_000_deep_is_a_json_error() {
    let depth = 100_000;
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        let mut json = String::from("{\"participants\":[{\"x\":");
        json.push_str(&open.repeat(depth));
        json.push_str("null");
        json.push_str(&close.repeat(depth));
        json.push_str("}]}");
        let (table, result) = decode(json.into_bytes());
        let error = result.expect_err("too deep");
        assert!(matches!(error.kind(), ErrorKind::Json { .. }), "{error}");
        assert_eq!(table.samples(), 0);
    }
}

#[test]
fn a_200_mb_string_is_kept_whole() {
    let size = 200 * 1024 * 1024;
    let mut json = String::with_capacity(size + 128);
    json.push_str("{\"participants\":[{\"user_name\":\"");
    json.extend(std::iter::repeat_n('a', size));
    json.push_str("\",\"user_qos\":[{\"audio_input\":{\"latency\":\"5 ms\"}}]}]}");
    let (table, result) = decode(json.into_bytes());
    result.expect("a long name is still a name");
    let participant = table.participants().next().expect("one");
    assert_eq!(participant.user_name().len(), size);
    assert_eq!(
        table
            .stream(Stream::AudioInput)
            .and_then(|s| s.stored(Metric::Latency, 0)),
        Some(500)
    );
}

#[test]
fn ten_million_empty_samples() {
    let count = 10_000_000;
    let mut json = String::with_capacity(count * 3 + 64);
    json.push_str("{\"participants\":[{\"user_qos\":[");
    for i in 0..count {
        json.push_str(if i == 0 { "{}" } else { ",{}" });
    }
    json.push_str("]}]}");
    // 30 MB this dense needs about 1.1 GB to parse: over the default limit, refused
    // before anything is allocated for it, and decoded whole once the limit is raised.
    let (_, refused) = decode(json.clone().into_bytes());
    let error = refused.expect_err("over the default parse-memory limit");
    assert!(
        matches!(error.kind(), ErrorKind::ParseMemory { needed_bytes, .. } if *needed_bytes > 1 << 30),
        "{error}"
    );
    let raised = DecodeConfig::new().max_parse_bytes(2 << 30);
    let (table, result) = decode_with(raised, json.into_bytes());
    assert_eq!(result.expect("valid").samples, count as u64);
    assert_eq!(table.samples(), count);
    assert!(
        table.stream(Stream::AudioInput).is_none(),
        "no stream appears"
    );
    assert_eq!(table.time_s(count - 1), None);
}

#[test]
fn numbers_with_10_000_digits() {
    let digits = "7".repeat(10_000);
    // As a JSON number where an integer belongs: an error or a non-integer, never a panic.
    let json = format!("{{\"total_records\":{digits},\"participants\":[]}}");
    let (_, result) = decode(json.into_bytes());
    match result {
        Ok(info) => assert_eq!(info.total_records, None),
        Err(error) => assert!(matches!(error.kind(), ErrorKind::Json { .. }), "{error}"),
    }
    // As a metric string: out of range, counted, the sample kept.
    let json = format!(
        "{{\"participants\":[{{\"user_qos\":[{{\"audio_input\":{{\"latency\":\"{digits} ms\",\"jitter\":\"1 ms\"}}}}]}}]}}"
    );
    let (table, result) = decode(json.into_bytes());
    result.expect("lenient");
    assert_eq!(table.diagnostics().invalid_values(), 1);
    let invalid = &table.diagnostics().first_invalid()[0];
    assert!(
        invalid.text.len() <= zoom_qos::InvalidValue::TEXT_MAX_BYTES + '…'.len_utf8(),
        "kept text is bounded"
    );
    assert_eq!(
        table
            .stream(Stream::AudioInput)
            .and_then(|s| s.stored(Metric::Jitter, 0)),
        Some(100)
    );
}

#[test]
fn invalid_utf8_and_non_pages_are_errors() {
    for input in [
        b"\xff\xfe\xfd".to_vec(),
        b"{\"participants\":[{\"user_name\":\"\xc3\x28\"}]}".to_vec(),
        b"".to_vec(),
        b"   ".to_vec(),
        b"42".to_vec(),
        b"null".to_vec(),
        b"\"page\"".to_vec(),
        b"{\"participants\":{}}".to_vec(),
    ] {
        let (table, result) = decode(input.clone());
        let error = result.expect_err(&String::from_utf8_lossy(&input));
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Json { .. } | ErrorKind::Shape { .. }
            ),
            "{error}"
        );
        assert!(!error.to_string().is_empty());
        assert_eq!(table.samples(), 0);
    }
}
