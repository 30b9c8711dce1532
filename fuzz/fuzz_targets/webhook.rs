//! `serve`'s reading of outside bytes: a signature check on arbitrary headers and body
//! never panics, and any body read as a meeting event becomes pages that the library's
//! decoder reads as pages (what `/metrics` and a closed meeting's folder are made of).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoom_qos::{Decoder, Table};
use zoom_qos_cli::serve::event::{self, Event};
use zoom_qos_cli::serve::live::{self, LiveMeeting};
use zoom_qos_cli::serve::verify::{self, Secret};

fuzz_target!(|data: &[u8]| {
    let secret = Secret::new("fuzz").expect("a token");
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(0);
    let (head, body) = data.split_at(split);
    let _ = verify::check(&secret, Some(head), Some(head), body, 1_700_000_000);
    if let Ok(Event::Meeting(event)) = event::parse(body) {
        let mut meeting = LiveMeeting::default();
        live::apply(&mut meeting, event, 0);
        for mut page in meeting.pages(i64::MIN, 3) {
            let mut table = Table::new();
            if let Err(error) = Decoder::default().decode(&mut page, &mut table) {
                panic!("{error}: {}", String::from_utf8_lossy(&page));
            }
        }
    }
});
