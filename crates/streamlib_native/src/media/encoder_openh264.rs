//! [`VideoEncoder`] over OpenH264 (Cisco's BSD-licensed encoder, built from source by the
//! `openh264` crate): the software backend on every OS.
//!
//! I420 frames are handed to OpenH264 in place (no copy); NV12, RGBA and BGRA are converted to
//! I420 first, natively, into a buffer allocated once. Rate control is bit-rate mode with frame
//! skipping off, so every frame yields an access unit. `low_latency` selects OpenH264's real-time
//! camera mode with low complexity and one thread; otherwise the non-real-time mode.

use openh264::OpenH264API;
use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, Level,
    Profile as Oh264Profile, RateControlMode, UsageType, VuiConfig,
};
use openh264::formats::YUVSlices;
use openh264_sys2::{ENCODER_OPTION_TRACE_LEVEL, WELS_LOG_QUIET};

use crate::error_text::ErrorText;
use crate::media::color_convert::{RgbOrder, nv12_to_i420, rgb_to_i420};
use crate::media::encoder::{
    AccessUnit, Backend, EncoderSettings, Profile, VideoEncoder, VideoInput,
};
use crate::media::h264_bitstream::extract_parameter_sets;
use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

/// Largest frame side OpenH264 encodes (level 5.2: 3840x2160, either orientation).
pub const MAX_LONG_SIDE: u32 = 3840;
/// Largest shorter side.
pub const MAX_SHORT_SIDE: u32 = 2160;
/// Smallest side (one macroblock).
pub const MIN_SIDE: u32 = 16;

/// The OpenH264 backend.
pub struct OpenH264Encoder {
    encoder: Encoder,
    width: u32,
    height: u32,
    i420: Vec<u8>,
    parameter_sets: Vec<u8>,
    frames: u64,
}

fn codec_error(what: &'static str, error: &openh264::Error) -> Error {
    ErrorKind::Codec {
        what,
        detail: ErrorText::format(format_args!("{error}")),
    }
    .into()
}

fn level(level_idc: u32) -> Option<Level> {
    Some(match level_idc {
        9 => Level::Level_1_B,
        10 => Level::Level_1_0,
        11 => Level::Level_1_1,
        12 => Level::Level_1_2,
        13 => Level::Level_1_3,
        20 => Level::Level_2_0,
        21 => Level::Level_2_1,
        22 => Level::Level_2_2,
        30 => Level::Level_3_0,
        31 => Level::Level_3_1,
        32 => Level::Level_3_2,
        40 => Level::Level_4_0,
        41 => Level::Level_4_1,
        42 => Level::Level_4_2,
        50 => Level::Level_5_0,
        51 => Level::Level_5_1,
        52 => Level::Level_5_2,
        _ => return None,
    })
}

impl OpenH264Encoder {
    /// Creates the encoder for `settings` (whose backend field is ignored).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedSize`] outside 16x16 ..= 3840x2160 (either orientation);
    /// [`ErrorKind::Codec`] if OpenH264 refuses the configuration.
    pub fn new(settings: &EncoderSettings) -> Result<Self, Error> {
        let (long, short) = (
            settings.width.max(settings.height),
            settings.width.min(settings.height),
        );
        if short < MIN_SIDE || long > MAX_LONG_SIDE || short > MAX_SHORT_SIDE {
            return Err(ErrorKind::UnsupportedSize {
                what: "the openh264 encoder",
                width: settings.width,
                height: settings.height,
                valid: "even sizes from 16x16 to 3840x2160 (or 2160x3840)",
            }
            .into());
        }
        let profile = match settings.profile {
            Profile::Baseline => Oh264Profile::Baseline,
            Profile::Main => Oh264Profile::Main,
            Profile::High => Oh264Profile::High,
        };
        let mut config = EncoderConfig::new()
            .bitrate(BitRate::from_bps(settings.bitrate_bps))
            .max_frame_rate(FrameRate::from_hz(settings.fps as f32))
            .rate_control_mode(RateControlMode::Bitrate)
            .skip_frames(false)
            .intra_frame_period(IntraFramePeriod::from_num_frames(
                settings.keyframe_interval,
            ))
            .profile(profile)
            // Our YUV is BT.601 limited range (color_convert.rs); say so in the SPS.
            .vui(VuiConfig::bt601());
        config = if settings.low_latency {
            config
                .usage_type(UsageType::CameraVideoRealTime)
                .complexity(Complexity::Low)
                .num_threads(1)
        } else {
            config.usage_type(UsageType::CameraVideoNonRealTime)
        };
        if let Some(level) = level(settings.level_idc) {
            config = config.level(level);
        }
        let mut encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| codec_error("openh264 encoder setup", &e))?;
        // Quiet OpenH264's own stderr logging before its first (lazy) initialization, which
        // otherwise warns that bit-rate control cannot skip frames: that is deliberate here,
        // since a recording keeps every frame.
        let mut quiet = WELS_LOG_QUIET;
        // SAFETY: the trace level option takes a pointer to one int, which lives across the call;
        // setting it touches no other encoder state.
        unsafe {
            encoder
                .raw_api()
                .set_option(ENCODER_OPTION_TRACE_LEVEL, (&raw mut quiet).cast());
        }
        Ok(Self {
            encoder,
            width: settings.width,
            height: settings.height,
            i420: Vec::new(),
            parameter_sets: Vec::new(),
            frames: 0,
        })
    }
}

impl VideoEncoder for OpenH264Encoder {
    fn backend(&self) -> Backend {
        Backend::OpenH264
    }

    fn encode(
        &mut self,
        frame: VideoInput<'_>,
        force_keyframe: bool,
        out: &mut AccessUnit,
    ) -> Result<bool, Error> {
        let (width, height) = (self.width, self.height);
        frame.format.check_frame(frame.data, width, height)?;
        let (w, h) = (width as usize, height as usize);
        let i420: &[u8] = match frame.format {
            PixelFormat::I420 => frame.data,
            other => {
                self.i420
                    .resize(PixelFormat::I420.frame_bytes(width, height), 0);
                match other {
                    PixelFormat::Nv12 => nv12_to_i420(frame.data, w, h, &mut self.i420),
                    PixelFormat::Rgba => {
                        rgb_to_i420(frame.data, w * 4, RgbOrder::Rgba, w, h, &mut self.i420);
                    }
                    PixelFormat::Bgra => {
                        rgb_to_i420(frame.data, w * 4, RgbOrder::Bgra, w, h, &mut self.i420);
                    }
                    PixelFormat::I420 => unreachable!("handled above"),
                }
                &self.i420
            }
        };
        let (luma, chroma) = (w * h, (w / 2) * (h / 2));
        let yuv = YUVSlices::new(
            (
                &i420[..luma],
                &i420[luma..luma + chroma],
                &i420[luma + chroma..luma + 2 * chroma],
            ),
            (w, h),
            (w, w / 2, w / 2),
        );
        // OpenH264 is initialized by the first encode, whose frame is an IDR picture anyway.
        if force_keyframe && self.frames > 0 {
            self.encoder.force_intra_frame();
        }
        self.frames += 1;
        let millis = (frame.timestamp_ns / 1e6).max(0.0) as u64;
        let stream = self
            .encoder
            .encode_at(&yuv, openh264::Timestamp::from_millis(millis))
            .map_err(|e| codec_error("openh264 encode", &e))?;
        let frame_type = stream.frame_type();
        if matches!(frame_type, FrameType::Skip | FrameType::Invalid) {
            return Ok(false);
        }
        out.data.clear();
        stream.write_vec(&mut out.data);
        out.keyframe = frame_type == FrameType::IDR;
        out.timestamp_ns = frame.timestamp_ns;
        if out.keyframe {
            extract_parameter_sets(&out.data, &mut self.parameter_sets);
        }
        Ok(!out.data.is_empty())
    }

    fn parameter_sets(&self) -> &[u8] {
        &self.parameter_sets
    }
}
