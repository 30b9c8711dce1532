//! What the benchmark groups share: inputs from the crate's generator, and the peers'
//! borrowed structs. Dev-only: none of this reaches the library.
#![allow(dead_code)]

use std::borrow::Cow;

use serde::Deserialize;

/// One page of `participants` entries of `minutes` samples, from the crate's generator.
pub fn page(participants: usize, minutes: usize) -> Vec<u8> {
    zoom_qos::synth::page(42, participants, minutes).into_bytes()
}

/// The page sizes of the `parse` group: the API's largest page, for an hour and a day.
pub const PAGES: [(usize, usize); 2] = [(10, 60), (10, 480)];

/// A page as borrowed structs, every metric still a string: what the peers parse into.
/// `Cow` so that serde_json and sonic-rs can borrow where there is no escape.
#[derive(Deserialize)]
pub struct PeerPage<'a> {
    #[serde(borrow, default)]
    pub next_page_token: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub participants: Vec<PeerParticipant<'a>>,
}

#[derive(Deserialize)]
pub struct PeerParticipant<'a> {
    #[serde(borrow, default)]
    pub user_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_qos: Vec<PeerSample<'a>>,
}

#[derive(Deserialize)]
pub struct PeerSample<'a> {
    #[serde(borrow, default)]
    pub date_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub audio_input: Option<PeerStream<'a>>,
    #[serde(borrow, default)]
    pub audio_output: Option<PeerStream<'a>>,
    #[serde(borrow, default)]
    pub video_input: Option<PeerStream<'a>>,
    #[serde(borrow, default)]
    pub video_output: Option<PeerStream<'a>>,
    #[serde(borrow, default)]
    pub as_input: Option<PeerStream<'a>>,
    #[serde(borrow, default)]
    pub as_output: Option<PeerStream<'a>>,
    #[serde(borrow, default)]
    pub cpu_usage: Option<PeerCpu<'a>>,
    // What the pipeline keeps beside the streams, so that both sides do the same job.
    #[serde(default)]
    pub wifi_rssi: Option<PeerRssi>,
    #[serde(borrow, default)]
    pub cpu_pressure_level: Option<PeerPressure<'a>>,
    #[serde(borrow, default)]
    pub quality: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub quality_score: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct PeerRssi {
    #[serde(default)]
    pub max_rssi: Option<f64>,
    #[serde(default)]
    pub avg_rssi: Option<f64>,
    #[serde(default)]
    pub min_rssi: Option<f64>,
}

#[derive(Deserialize)]
pub struct PeerPressure<'a> {
    #[serde(borrow, default)]
    pub system_min_cpu_pressure_level: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub system_avg_cpu_pressure_level: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub system_max_cpu_pressure_level: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct PeerStream<'a> {
    #[serde(borrow, default)]
    pub bitrate: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub latency: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub jitter: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub avg_loss: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub max_loss: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub resolution: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub frame_rate: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct PeerCpu<'a> {
    #[serde(borrow, default)]
    pub zoom_min_cpu_usage: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub zoom_avg_cpu_usage: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub zoom_max_cpu_usage: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub system_max_cpu_usage: Option<Cow<'a, str>>,
}

impl PeerPage<'_> {
    pub fn samples(&self) -> usize {
        self.participants.iter().map(|p| p.user_qos.len()).sum()
    }
}

/// The naive route: owned `String`s, then `trim_end_matches(unit).parse::<f64>()`, as the
/// integrations we know do it (blank or junk is skipped, not counted).
#[derive(Deserialize)]
pub struct OwnedPage {
    #[serde(default)]
    pub participants: Vec<OwnedParticipant>,
}

#[derive(Deserialize)]
pub struct OwnedParticipant {
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub user_qos: Vec<OwnedSample>,
}

#[derive(Deserialize)]
pub struct OwnedSample {
    #[serde(default)]
    pub date_time: Option<String>,
    #[serde(default)]
    pub audio_input: Option<OwnedStream>,
    #[serde(default)]
    pub audio_output: Option<OwnedStream>,
    #[serde(default)]
    pub video_input: Option<OwnedStream>,
    #[serde(default)]
    pub video_output: Option<OwnedStream>,
    #[serde(default)]
    pub as_input: Option<OwnedStream>,
    #[serde(default)]
    pub as_output: Option<OwnedStream>,
    #[serde(default)]
    pub wifi_rssi: Option<PeerRssi>,
    #[serde(default)]
    pub cpu_pressure_level: Option<OwnedPressure>,
    #[serde(default)]
    pub quality: Option<String>,
    #[serde(default)]
    pub quality_score: Option<String>,
}

#[derive(Deserialize)]
pub struct OwnedPressure {
    #[serde(default)]
    pub system_min_cpu_pressure_level: Option<String>,
    #[serde(default)]
    pub system_avg_cpu_pressure_level: Option<String>,
    #[serde(default)]
    pub system_max_cpu_pressure_level: Option<String>,
}

#[derive(Deserialize)]
pub struct OwnedStream {
    #[serde(default)]
    pub bitrate: Option<String>,
    #[serde(default)]
    pub latency: Option<String>,
    #[serde(default)]
    pub jitter: Option<String>,
    #[serde(default)]
    pub avg_loss: Option<String>,
    #[serde(default)]
    pub max_loss: Option<String>,
    #[serde(default)]
    pub frame_rate: Option<String>,
}

/// The naive route's numbers: parse every stream's metrics with `str::parse::<f64>`.
/// Returns (samples, sum of parsed values) so the work cannot be optimised away.
pub fn naive_numbers(page: &OwnedPage) -> (usize, f64) {
    let mut samples = 0;
    let mut sum = 0.0;
    let parse = |text: &Option<String>, unit: &str| {
        text.as_deref()
            .and_then(|t| t.trim_end_matches(unit).trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    for participant in &page.participants {
        for sample in &participant.user_qos {
            samples += 1;
            for stream in [
                &sample.audio_input,
                &sample.audio_output,
                &sample.video_input,
                &sample.video_output,
                &sample.as_input,
                &sample.as_output,
            ]
            .into_iter()
            .flatten()
            {
                sum += parse(&stream.bitrate, "kbps")
                    + parse(&stream.latency, "ms")
                    + parse(&stream.jitter, "ms")
                    + parse(&stream.avg_loss, "%")
                    + parse(&stream.max_loss, "%")
                    + parse(&stream.frame_rate, "fps");
            }
            sum += parse(&sample.quality_score, "");
            sum += sample
                .wifi_rssi
                .as_ref()
                .and_then(|r| r.avg_rssi)
                .unwrap_or(0.0);
        }
    }
    (samples, sum)
}
