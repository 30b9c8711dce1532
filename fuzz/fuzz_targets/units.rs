//! Every unit parser on arbitrary bytes: no panic; a parsed value formats back and parses
//! to itself; and the naive reference parser (`tests/reference`) agrees where both accept.
#![no_main]

#[path = "../../tests/reference/mod.rs"]
#[allow(dead_code, clippy::all)]
mod reference;

use libfuzzer_sys::fuzz_target;
use reference::{fixed_text, naive_unit};
use zoom_qos::units;

fuzz_target!(|data: &[u8]| {
    let millis = units::millis_10us(data);
    if let Ok(Some(v)) = millis {
        let again = format!("{} ms", fixed_text(u64::from(v), 2, 2));
        assert_eq!(units::millis_10us(again.as_bytes()), Ok(Some(v)));
    }
    let bitrate = units::bitrate_bps(data);
    if let Ok(Some(v)) = bitrate {
        let again = format!("{}kbps", fixed_text(u64::from(v), 3, 3));
        assert_eq!(units::bitrate_bps(again.as_bytes()), Ok(Some(v)));
    }
    if let Ok(Some(v)) = units::loss_bp(data) {
        assert_eq!(units::loss_bp(format!("{}%", fixed_text(u64::from(v), 2, 2)).as_bytes()), Ok(Some(v)));
    }
    if let Ok(Some(v)) = units::cpu_bp(data) {
        assert_eq!(units::cpu_bp(fixed_text(u64::from(v), 2, 2).as_bytes()), Ok(Some(v)));
    }
    if let Ok(Some(v)) = units::frame_rate_cfps(data) {
        assert_eq!(units::frame_rate_cfps(format!("{} FPS", fixed_text(u64::from(v), 2, 2)).as_bytes()), Ok(Some(v)));
    }
    if let Ok(Some((w, h))) = units::resolution_px(data) {
        assert_eq!(units::resolution_px(format!("{w}x{h}").as_bytes()), Ok(Some((w, h))));
    }
    let _ = units::timestamp_s(data);

    // Agreement with the naive parser, on inputs it can judge exactly: short numbers with
    // no more decimals than stored (beyond that, f64 rounding differs by design).
    if let Ok(text) = std::str::from_utf8(data) {
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        let decimals = text.split_once('.').map_or(0, |(_, f)| f.bytes().take_while(u8::is_ascii_digit).count());
        if digits <= 12 && decimals <= 2 {
            if let Some(Some(naive)) = naive_unit(text, &[("ms", 100.0)], 100.0) {
                if naive <= u64::from(units::MILLIS_MAX_10US) {
                    assert_eq!(millis, Ok(Some(naive as u32)), "{text:?}");
                }
            }
            if let Ok(Some(v)) = millis {
                assert_eq!(naive_unit(text, &[("ms", 100.0)], 100.0), Some(Some(u64::from(v))), "{text:?}");
            }
        }
    }
});
