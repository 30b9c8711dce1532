//! The names of the Zoom QoS schema (streams, metrics, CPU and Wi-Fi fields, participant
//! fields), shared by every stage. Names only: no parsing, no storage.

/// Defines a field-name enum with its API spellings, `ALL`, `COUNT`, `api_name` and
/// `from_api_name`, so that each name of the schema is written exactly once.
macro_rules! api_names {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident = $api:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(#[doc = concat!("`", $api, "`")] $variant,)*
        }

        impl $name {
            /// Every variant, in the order of the API documentation.
            pub const ALL: [$name; [$($name::$variant,)*].len()] = [$($name::$variant,)*];
            /// The number of variants.
            pub const COUNT: usize = Self::ALL.len();

            /// The key the Zoom API uses for this field.
            pub const fn api_name(self) -> &'static str {
                match self {
                    $($name::$variant => $api,)*
                }
            }

            /// The field with this API key, if it is one we know.
            // Inlined: the decoder asks it for every key of every sample.
            #[inline]
            pub fn from_api_name(key: &str) -> Option<Self> {
                match key {
                    $($api => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// Position in [`Self::ALL`]: a dense index for arrays keyed by this enum.
            pub const fn index(self) -> usize {
                self as usize
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.api_name())
            }
        }

        impl core::str::FromStr for $name {
            type Err = UnknownName;

            /// The field of an API key (`"audio_input".parse::<Stream>()`).
            fn from_str(key: &str) -> Result<Self, UnknownName> {
                $name::from_api_name(key).ok_or(UnknownName(stringify!($name)))
            }
        }
    };
}

/// A name that is not one of the schema's (or the report's): what `parse` refused, by
/// the kind of name it expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownName(pub(crate) &'static str);

impl UnknownName {
    /// The kind of name expected (`Stream`, `Grade`, ...).
    pub fn expected(&self) -> &'static str {
        self.0
    }
}

impl core::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "not a known {} name", self.0)
    }
}

impl std::error::Error for UnknownName {}

api_names! {
    /// A media stream of a `user_qos` sample. `*_input` is what the participant sends,
    /// `*_output` what it receives; `as` is screen share; `*_device_*` are the Cloud Room
    /// Connector (`crc`) and web gateway (`rwg`) legs.
    pub enum Stream {
        AudioInput = "audio_input",
        AudioOutput = "audio_output",
        VideoInput = "video_input",
        VideoOutput = "video_output",
        AsInput = "as_input",
        AsOutput = "as_output",
        AudioDeviceFromCrc = "audio_device_from_crc",
        AudioDeviceToCrc = "audio_device_to_crc",
        VideoDeviceFromCrc = "video_device_from_crc",
        VideoDeviceToCrc = "video_device_to_crc",
        AsDeviceFromCrc = "as_device_from_crc",
        AsDeviceToCrc = "as_device_to_crc",
        AudioDeviceFromRwg = "audio_device_from_rwg",
        AudioDeviceToRwg = "audio_device_to_rwg",
        VideoDeviceFromRwg = "video_device_from_rwg",
        VideoDeviceToRwg = "video_device_to_rwg",
        AsDeviceFromRwg = "as_device_from_rwg",
        AsDeviceToRwg = "as_device_to_rwg",
    }
}

impl Stream {
    /// The six streams every sample carries (the others are device legs).
    pub const MAIN: [Stream; 6] = [
        Stream::AudioInput,
        Stream::AudioOutput,
        Stream::VideoInput,
        Stream::VideoOutput,
        Stream::AsInput,
        Stream::AsOutput,
    ];

    /// The audio and video streams, sent and received: the streams degradation flags look
    /// at by default (screen share's jitter is large by nature) and the table's rows.
    pub const AUDIO_VIDEO: [Stream; 4] = [
        Stream::AudioInput,
        Stream::AudioOutput,
        Stream::VideoInput,
        Stream::VideoOutput,
    ];

    /// The audio streams, sent and received: the streams MOS is estimated for and the
    /// breakdowns read.
    pub const AUDIO: [Stream; 2] = [Stream::AudioInput, Stream::AudioOutput];

    /// Whether the stream carries pictures (video or screen share), and so has
    /// `resolution` and `frame_rate` besides the five network metrics.
    pub const fn has_picture(self) -> bool {
        !matches!(
            self,
            Stream::AudioInput
                | Stream::AudioOutput
                | Stream::AudioDeviceFromCrc
                | Stream::AudioDeviceToCrc
                | Stream::AudioDeviceFromRwg
                | Stream::AudioDeviceToRwg
        )
    }

    /// The metrics this stream has: the five network metrics, plus the two picture
    /// metrics for video and screen-share streams.
    pub const fn metrics(self) -> &'static [Metric] {
        if self.has_picture() {
            &Metric::ALL
        } else {
            Metric::NETWORK
        }
    }
}

api_names! {
    /// A metric of a stream, by its API key.
    pub enum Metric {
        Bitrate = "bitrate",
        Latency = "latency",
        Jitter = "jitter",
        AvgLoss = "avg_loss",
        MaxLoss = "max_loss",
        FrameRate = "frame_rate",
        Resolution = "resolution",
    }
}

impl Metric {
    /// Latency, jitter and average loss: the network quality a call is judged by (the
    /// E-model's inputs), which flags, breakdowns, episodes and the timeline read.
    pub const QUALITY: [Metric; 3] = [Metric::Latency, Metric::Jitter, Metric::AvgLoss];

    /// Whether the metric describes the picture (video and screen-share streams only).
    pub const fn is_picture(self) -> bool {
        matches!(self, Metric::FrameRate | Metric::Resolution)
    }

    /// The metrics every stream has.
    pub const NETWORK: &'static [Metric] = &[
        Metric::Bitrate,
        Metric::Latency,
        Metric::Jitter,
        Metric::AvgLoss,
        Metric::MaxLoss,
    ];
}

api_names! {
    /// A field of a sample's `cpu_usage` block (percentages).
    pub enum CpuMetric {
        ZoomMin = "zoom_min_cpu_usage",
        ZoomAvg = "zoom_avg_cpu_usage",
        ZoomMax = "zoom_max_cpu_usage",
        SystemMax = "system_max_cpu_usage",
    }
}

api_names! {
    /// A field of a sample's `wifi_rssi` block (JSON numbers, dBm).
    pub enum RssiMetric {
        Max = "max_rssi",
        Avg = "avg_rssi",
        Min = "min_rssi",
    }
}

api_names! {
    /// A text field of a participant, kept once per participant in the table.
    pub enum ParticipantField {
        Id = "id",
        UserId = "user_id",
        UserName = "user_name",
        Email = "email",
        Device = "device",
        Client = "client",
        Version = "version",
        IpAddress = "ip_address",
        Location = "location",
        JoinTime = "join_time",
        LeaveTime = "leave_time",
        PcName = "pc_name",
        Domain = "domain",
        MacAddr = "mac_addr",
        HarddiskId = "harddisk_id",
        Health = "health",
        NetworkType = "network_type",
        ConnectionType = "connection_type",
        VideoConnectionType = "video_connection_type",
        AsConnectionType = "as_connection_type",
        DataCenter = "data_center",
        FullDataCenter = "full_data_center",
        Os = "os",
        OsVersion = "os_version",
        BrowserName = "browser_name",
        BrowserVersion = "browser_version",
        ParticipantUuid = "participant_uuid",
        DeviceName = "device_name",
        UserKey = "user_key",
    }
}

impl ParticipantField {
    /// The field a participant's (or a Video SDK user's) key fills, and whether the key is
    /// an alias that gives way to the field's own key: a Video SDK user's `name` is its
    /// `user_name`.
    pub fn of_key(key: &str) -> Option<(ParticipantField, bool)> {
        match key {
            "name" => Some((ParticipantField::UserName, true)),
            _ => ParticipantField::from_api_name(key).map(|field| (field, false)),
        }
    }
}

api_names! {
    /// A per-sample field beside the streams, CPU and Wi-Fi: the CPU pressure levels of a
    /// sample's `cpu_pressure_level` (words such as `"normal"`), and Zoom's own quality
    /// word (`"good"`) and score (`"3.65"`) of newer answers.
    pub enum SampleField {
        CpuPressureMin = "system_min_cpu_pressure_level",
        CpuPressureAvg = "system_avg_cpu_pressure_level",
        CpuPressureMax = "system_max_cpu_pressure_level",
        Quality = "quality",
        QualityScore = "quality_score",
    }
}

impl SampleField {
    /// The three CPU pressure levels, in `cpu_pressure_level`.
    pub const CPU_PRESSURE: [SampleField; 3] = [
        SampleField::CpuPressureMin,
        SampleField::CpuPressureAvg,
        SampleField::CpuPressureMax,
    ];

    /// Whether the field is a word (the pressure levels, `quality`), not a number.
    pub const fn is_word(self) -> bool {
        !matches!(self, SampleField::QualityScore)
    }
}

api_names! {
    /// A key of a `qos_summary` entry's `details`: the minimum, average or maximum of a
    /// metric over the meeting, a resolution, or a CPU field.
    pub enum SummaryKey {
        MinBitrate = "min_bitrate",
        AvgBitrate = "avg_bitrate",
        MaxBitrate = "max_bitrate",
        MinLatency = "min_latency",
        AvgLatency = "avg_latency",
        MaxLatency = "max_latency",
        MinJitter = "min_jitter",
        AvgJitter = "avg_jitter",
        MaxJitter = "max_jitter",
        MinLoss = "min_loss",
        AvgLoss = "avg_loss",
        MaxLoss = "max_loss",
        MinFrameRate = "min_frame_rate",
        AvgFrameRate = "avg_frame_rate",
        MaxFrameRate = "max_frame_rate",
        Resolution = "resolution",
        ZoomMinCpu = "zoom_min_cpu_usage",
        ZoomAvgCpu = "zoom_avg_cpu_usage",
        ZoomMaxCpu = "zoom_max_cpu_usage",
        SystemMaxCpu = "system_max_cpu_usage",
    }
}

/// The `type` of a `qos_summary` entry: a stream, or `cpu_usage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SummaryType {
    /// A stream's summary.
    Stream(Stream),
    /// `cpu_usage`.
    CpuUsage,
}

impl SummaryType {
    /// The type with this API name, if it is one we know.
    pub fn from_api_name(name: &str) -> Option<Self> {
        match name {
            "cpu_usage" => Some(SummaryType::CpuUsage),
            _ => Stream::from_api_name(name).map(SummaryType::Stream),
        }
    }

    /// Its API name.
    pub const fn api_name(self) -> &'static str {
        match self {
            SummaryType::Stream(stream) => stream.api_name(),
            SummaryType::CpuUsage => "cpu_usage",
        }
    }
}

impl core::fmt::Display for SummaryType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.api_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Stream::ALL {
            assert_eq!(Stream::from_api_name(s.api_name()), Some(s));
        }
        for m in Metric::ALL {
            assert_eq!(Metric::from_api_name(m.api_name()), Some(m));
        }
        for f in ParticipantField::ALL {
            assert_eq!(ParticipantField::from_api_name(f.api_name()), Some(f));
        }
        assert_eq!(Stream::COUNT, 18);
        assert_eq!(Stream::from_api_name("Audio_Input"), None);
    }

    #[test]
    fn names_parse_and_display() {
        assert_eq!("audio_input".parse::<Stream>(), Ok(Stream::AudioInput));
        assert_eq!(Stream::AudioInput.to_string(), "audio_input");
        let unknown = "Audio_Input".parse::<Stream>().expect_err("case matters");
        assert_eq!(unknown.expected(), "Stream");
        assert_eq!(unknown.to_string(), "not a known Stream name");
        assert_eq!(
            "good".parse::<crate::report::Grade>(),
            Ok(crate::report::Grade::Good)
        );
        assert_eq!(crate::report::Flag::FrameRate.to_string(), "frame_rate");
    }

    #[test]
    fn picture_streams_have_seven_metrics() {
        assert_eq!(Stream::VideoDeviceToRwg.metrics().len(), 7);
        assert_eq!(Stream::AudioDeviceToRwg.metrics().len(), 5);
        assert_eq!(Stream::ALL.iter().filter(|s| s.has_picture()).count(), 12);
    }
}
