//! Table tests of the unit grammar: every accepted spelling, and junk.

use super::*;

#[test]
fn bitrate_spellings() {
    let cases: &[(&str, u32)] = &[
        ("23 kbps", 23_000),
        ("1055 kbps", 1_055_000),
        ("27.15 kbps", 27_150),
        ("27.15kbps", 27_150),
        ("27.15 KBPS", 27_150),
        ("  23 kbps  ", 23_000),
        ("23", 23_000),
        ("0.0", 0),
        ("1.2 Mbps", 1_200_000),
        ("1.25mbps", 1_250_000),
        ("900 bps", 900),
        ("900 BPS", 900),
        ("0.0004 kbps", 0),
        ("0.0005 kbps", 1),
        ("\t7\nkbps\r\n", 7_000),
    ];
    for &(text, want) in cases {
        assert_eq!(bitrate_bps(text.as_bytes()), Ok(Some(want)), "{text:?}");
    }
}

#[test]
fn millis_spellings() {
    let cases: &[(&str, u32)] = &[
        ("126 ms", 12_600),
        ("0 ms", 0),
        ("0ms", 0),
        ("615 ms", 61_500),
        ("12.5 ms", 1_250),
        ("12.55 MS", 1_255),
        ("12.555 ms", 1_256),
        ("12.554 ms", 1_255),
        ("6", 600),
        ("00126 ms", 12_600),
        ("167772.14 ms", MILLIS_MAX_10US),
    ];
    for &(text, want) in cases {
        assert_eq!(millis_10us(text.as_bytes()), Ok(Some(want)), "{text:?}");
    }
}

#[test]
fn percent_and_frame_rate_spellings() {
    assert_eq!(loss_bp(b"0.3%"), Ok(Some(30)));
    assert_eq!(loss_bp(b"0.03%"), Ok(Some(3)));
    assert_eq!(loss_bp(b"4.9 %"), Ok(Some(490)));
    assert_eq!(loss_bp(b"0.0"), Ok(Some(0)));
    assert_eq!(loss_bp(b"100%"), Ok(Some(10_000)));
    assert_eq!(cpu_bp(b"72%"), Ok(Some(7_200)));
    assert_eq!(cpu_bp(b"3"), Ok(Some(300)));
    assert_eq!(cpu_bp(b"250%"), Ok(Some(25_000)));
    assert_eq!(frame_rate_cfps(b"12 fps"), Ok(Some(1_200)));
    assert_eq!(frame_rate_cfps(b"0 fps"), Ok(Some(0)));
    assert_eq!(frame_rate_cfps(b"29.97FPS"), Ok(Some(2_997)));
    assert_eq!(frame_rate_cfps(b"30"), Ok(Some(3_000)));
}

#[test]
fn resolution_spellings() {
    let cases: &[(&str, (u16, u16))] = &[
        ("1280*720", (1280, 720)),
        ("640*360", (640, 360)),
        ("0*0", (0, 0)),
        ("1920x1080", (1920, 1080)),
        ("1920X1080", (1920, 1080)),
        (" 1920 * 1080 ", (1920, 1080)),
        ("65534*1", (65534, 1)),
    ];
    for &(text, want) in cases {
        assert_eq!(resolution_px(text.as_bytes()), Ok(Some(want)), "{text:?}");
    }
}

#[test]
fn blanks_are_missing_not_zero() {
    for blank in ["", " ", "\t", " \r\n "] {
        let b = blank.as_bytes();
        assert_eq!(bitrate_bps(b), Ok(None));
        assert_eq!(millis_10us(b), Ok(None));
        assert_eq!(loss_bp(b), Ok(None));
        assert_eq!(cpu_bp(b), Ok(None));
        assert_eq!(frame_rate_cfps(b), Ok(None));
        assert_eq!(resolution_px(b), Ok(None));
        assert_eq!(timestamp_s(b), Ok(None));
    }
}

#[test]
fn junk_is_an_error_that_says_what_was_expected() {
    let junk_numbers = [
        "N/A",
        "-",
        "abc ms",
        "-5 ms",
        "+5 ms",
        "ms",
        ".5 ms",
        "é",
        "１２ ms",
        "NaN",
    ];
    for text in junk_numbers {
        assert_eq!(
            millis_10us(text.as_bytes()),
            Err(UnitError::ExpectedNumber),
            "{text:?}"
        );
    }
    let junk_units = [
        "12 parsecs",
        "1e3 ms",
        "12..5 ms",
        "12. ms",
        "12 ms ms",
        "12 m s",
        "5 ms é",
    ];
    for text in junk_units {
        assert_eq!(
            millis_10us(text.as_bytes()),
            Err(UnitError::ExpectedUnit("ms")),
            "{text:?}"
        );
    }
    assert_eq!(
        bitrate_bps(b"23 kbit"),
        Err(UnitError::ExpectedUnit("kbps, mbps or bps"))
    );
    assert_eq!(loss_bp(b"0.3 ms"), Err(UnitError::ExpectedUnit("%")));
    assert_eq!(
        loss_bp("1,5%".as_bytes()),
        Err(UnitError::ExpectedUnit("%"))
    );
    assert_eq!(
        frame_rate_cfps(b"12 ms"),
        Err(UnitError::ExpectedUnit("fps"))
    );
    for text in [
        "720p",
        "1280*",
        "*720",
        "1280*720*3",
        "1280 by 720",
        "12.5*7",
        "-1*5",
    ] {
        assert_eq!(
            resolution_px(text.as_bytes()),
            Err(UnitError::ExpectedResolution),
            "{text:?}"
        );
    }
    assert_eq!(
        UnitError::ExpectedUnit("ms").to_string(),
        "expected a number followed by ms or nothing"
    );
}

#[test]
fn out_of_range_is_rejected_not_wrapped() {
    assert!(matches!(loss_bp(b"100.01%"), Err(UnitError::OutOfRange(_))));
    assert!(matches!(
        millis_10us(b"167772.15 ms"),
        Err(UnitError::OutOfRange(_))
    ));
    assert!(matches!(
        bitrate_bps(b"4294967.295 kbps"),
        Err(UnitError::OutOfRange(_))
    ));
    assert_eq!(bitrate_bps(b"4294967.294 kbps"), Ok(Some(BITRATE_MAX_BPS)));
    assert!(matches!(
        resolution_px(b"65535*1"),
        Err(UnitError::OutOfRange(_))
    ));
    assert!(matches!(
        frame_rate_cfps(b"655.35 fps"),
        Err(UnitError::OutOfRange(_))
    ));
    let huge = format!("{} ms", "9".repeat(10_000));
    assert!(matches!(
        millis_10us(huge.as_bytes()),
        Err(UnitError::OutOfRange(_))
    ));
    let long_zeros = format!("{}1 ms", "0".repeat(10_000));
    assert_eq!(millis_10us(long_zeros.as_bytes()), Ok(Some(100)));
    let long_fraction = format!("1.{} ms", "9".repeat(10_000));
    assert_eq!(millis_10us(long_fraction.as_bytes()), Ok(Some(200)));
}

#[test]
fn timestamps() {
    let cases: &[(&str, i64)] = &[
        ("1970-01-01T00:00:00Z", 0),
        ("2021-06-24T20:00:00Z", 1_624_564_800),
        ("2021-06-24T20:00:00.999Z", 1_624_564_800),
        ("2021-06-24T22:00:00+02:00", 1_624_564_800),
        ("2021-06-24T15:30:00-04:30", 1_624_564_800),
        ("2021-06-24t20:00:00z", 1_624_564_800),
        ("2021-06-24 20:00:00Z", 1_624_564_800),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("1969-12-31T23:59:59Z", -1),
        ("2016-12-31T23:59:60Z", 1_483_228_800),
    ];
    for &(text, want) in cases {
        assert_eq!(timestamp_s(text.as_bytes()), Ok(Some(want)), "{text:?}");
    }
    for junk in [
        "2021-06-24",
        "2021-06-24T20:00:00",
        "2021-13-01T00:00:00Z",
        "2021-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2021-06-24T24:00:00Z",
        "2021-06-24T20:00:00+24:00",
        "2021-06-24T20:00:00.Z",
        "yesterday",
        "2021-06-24T20:00:00Z junk",
    ] {
        assert_eq!(
            timestamp_s(junk.as_bytes()),
            Err(UnitError::ExpectedTimestamp),
            "{junk:?}"
        );
    }
}

mod fast_path {
    use super::super::time::common_timestamp;
    use super::super::{
        BITRATE_DEFAULT_POW10, BITRATE_UNITS, FPS, MS, PERCENT, Unit, common_resolution,
        common_spelling, measure_by_grammar, resolution_px, timestamp_s,
    };
    use proptest::prelude::*;

    /// The parsers' own unit tables, with the power of ten of a bare number.
    const UNIT_SETS: [(&[Unit], u32); 4] = [
        (BITRATE_UNITS, BITRATE_DEFAULT_POW10),
        (MS, 2),
        (PERCENT, 2),
        (FPS, 2),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Oracle: the nom grammar. The fast path answers as it does, or not at all.
        #[test]
        fn fast_path_only_answers_as_the_grammar(
            text in "[ ]?[0-9]{0,14}(\\.[0-9]{0,7})?[ ]{0,2}(ms|MS|kbps|Mbps|bps|%|x|)[ ]?",
            set in 0usize..4,
        ) {
            let (units, default_pow10) = UNIT_SETS[set];
            if let Some(fast) = common_spelling(text.as_bytes(), units, default_pow10) {
                prop_assert_eq!(measure_by_grammar(text.as_bytes(), units, default_pow10, ""), Ok(Some(fast)), "{:?}", text);
            }
        }

        /// Oracle: the nom grammar, for resolutions.
        #[test]
        fn resolution_fast_path_only_answers_as_the_grammar(text in "[0-9]{0,6}[*xX ]{0,2}[0-9]{0,6} ?") {
            if let Some(fast) = common_resolution(text.as_bytes()) {
                let slow = resolution_px(format!(" {text}").as_bytes());
                prop_assert_eq!(slow, Ok(Some(fast)), "{:?}", text);
            }
        }

        /// Oracle: the nom grammar, for timestamps (a leading blank forces its path).
        #[test]
        fn timestamp_fast_path_only_answers_as_the_grammar(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}[Zz+]") {
            if let Some(fast) = common_timestamp(text.as_bytes()) {
                prop_assert_eq!(timestamp_s(format!(" {text}").as_bytes()), Ok(Some(fast)), "{:?}", text);
            }
        }

        /// Oracle: the nom grammar's `tag_no_case`, for the packed unit compare: suffixes
        /// of unit letters in both cases, and bytes that become a unit byte when or-ed
        /// with 0x20 (0x05 is '%' so, 0x0B is '+').
        #[test]
        fn unit_compare_only_answers_as_the_grammar(
            digits in "[0-9]{1,4}",
            suffix in prop::collection::vec(prop::sample::select(b"kKbBpPsSmMfF%\x05\x0b\x4b\x6b\x50 -".to_vec()), 1..=5),
            set in 0usize..4,
        ) {
            let (units, default_pow10) = UNIT_SETS[set];
            let text = [digits.as_bytes(), &suffix].concat();
            let grammar = measure_by_grammar(&text, units, default_pow10, "");
            match common_spelling(&text, units, default_pow10) {
                Some(fast) => prop_assert_eq!(grammar, Ok(Some(fast)), "{:?}", text),
                // Without a space the fast path takes every unit the grammar takes.
                None if !text.contains(&b' ') => prop_assert!(grammar.is_err(), "{:?}", text),
                None => {}
            }
        }

        #[test]
        fn fast_path_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..24), set in 0usize..4) {
            let (units, default_pow10) = UNIT_SETS[set];
            if let Some(fast) = common_spelling(&bytes, units, default_pow10) {
                prop_assert_eq!(measure_by_grammar(&bytes, units, default_pow10, ""), Ok(Some(fast)));
            }
        }
    }

    #[test]
    fn fast_path_takes_the_common_spellings() {
        let ms = &[Unit::new("ms", 2)];
        assert_eq!(common_spelling(b"126 ms", ms, 2), Some(12_600));
        assert_eq!(common_spelling(b"0ms", ms, 2), Some(0));
        assert_eq!(common_spelling(b"12.5 MS", ms, 2), Some(1_250));
        assert_eq!(
            common_spelling(b"12.555 ms", ms, 2),
            None,
            "rounding is the grammar's"
        );
        assert_eq!(common_spelling(b" 12 ms", ms, 2), None);
        assert_eq!(common_spelling(b"", ms, 2), None);
        let percent = &[Unit::new("%", 2)];
        assert_eq!(common_spelling(b"7%", percent, 2), Some(700));
        // 0x05 | 0x20 is '%': only a unit's letters may be or-ed with 0x20.
        assert_eq!(common_spelling(b"0\x05", percent, 2), None);
        let bitrate = UNIT_SETS[0].0;
        assert_eq!(common_spelling(b"27.15KbPs", bitrate, 3), Some(27_150));
        assert_eq!(common_spelling(b"3 MBPS", bitrate, 3), Some(3_000_000));
    }
}

/// Oracle: `timestamp_s`, the parser (checked against hand-worked dates above). Formatting
/// then parsing gives the seconds back, over the whole range of years 0000 to 9999.
#[test]
fn rfc3339_formatting_is_the_parsers_inverse() {
    use super::Rfc3339;
    assert_eq!(Rfc3339(0).to_string(), "1970-01-01T00:00:00Z");
    assert_eq!(Rfc3339(1_624_564_800).to_string(), "2021-06-24T20:00:00Z");
    assert_eq!(Rfc3339(951_782_400).to_string(), "2000-02-29T00:00:00Z");
    assert_eq!(Rfc3339(-1).to_string(), "1969-12-31T23:59:59Z");
    // Outside 0000..=9999 the digits are not written by hand.
    assert_eq!(
        Rfc3339(253_402_300_800).to_string(),
        "10000-01-01T00:00:00Z"
    );
    let (first, last) = (-62_167_219_200i64, 253_402_300_799i64);
    let step = (last - first) / 100_003;
    let mut t = first;
    while t <= last {
        let text = Rfc3339(t).to_string();
        assert_eq!(timestamp_s(text.as_bytes()), Ok(Some(t)), "{text}");
        t += step;
    }
}
