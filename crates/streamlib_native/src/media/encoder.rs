//! The one H.264 encoder contract every backend implements, its settings, and backend choice.
//!
//! An encoder takes tightly packed frames of a fixed size (I420 and NV12, or RGBA/BGRA converted
//! natively to I420) and gives back one access unit per frame in Annex B form (start codes). A
//! keyframe access unit starts with the stream's SPS and PPS, which [`VideoEncoder::parameter_sets`]
//! also returns for muxers. Backends:
//!
//! - [`Backend::OpenH264`]: Cisco's OpenH264 built from source ([`crate::media::encoder_openh264`]), on
//!   every OS.
//! - [`Backend::VideoToolbox`]: Apple's hardware encoder, macOS only (in
//!   `encoder_videotoolbox_apple.rs`, reached through [`crate::media::platform`]).
//! - [`Backend::Auto`]: hardware first, OpenH264 when the platform has none or it refuses.

use crate::media::encoder_openh264::OpenH264Encoder;
use crate::media::pixel_format::PixelFormat;
use crate::media::platform;
use crate::status::{Error, ErrorKind};

/// Which implementation encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Hardware first ([`Backend::VideoToolbox`] on macOS), else [`Backend::OpenH264`].
    Auto,
    /// OpenH264, software, every OS.
    OpenH264,
    /// VideoToolbox, macOS only.
    VideoToolbox,
}

impl Backend {
    /// The backend with ABI code `code` (0 auto, 1 openh264, 2 videotoolbox).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownCode`] for any other code.
    pub fn from_code(code: u32) -> Result<Self, Error> {
        match code {
            0 => Ok(Self::Auto),
            1 => Ok(Self::OpenH264),
            2 => Ok(Self::VideoToolbox),
            _ => Err(ErrorKind::UnknownCode {
                what: "encoder backend",
                value: code,
                valid: "0 (auto), 1 (openh264), 2 (videotoolbox)",
            }
            .into()),
        }
    }

    /// The ABI code.
    pub const fn code(self) -> u32 {
        match self {
            Self::Auto => 0,
            Self::OpenH264 => 1,
            Self::VideoToolbox => 2,
        }
    }
}

/// The H.264 profile asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Constrained Baseline (profile_idc 66): no B-frames, CAVLC; decodes everywhere.
    Baseline,
    /// Main (77).
    Main,
    /// High (100).
    High,
}

impl Profile {
    /// The profile with ABI code `code` (0 baseline, 1 main, 2 high).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownCode`] for any other code.
    pub fn from_code(code: u32) -> Result<Self, Error> {
        match code {
            0 => Ok(Self::Baseline),
            1 => Ok(Self::Main),
            2 => Ok(Self::High),
            _ => Err(ErrorKind::UnknownCode {
                what: "H.264 profile",
                value: code,
                valid: "0 (baseline), 1 (main), 2 (high)",
            }
            .into()),
        }
    }
}

/// The H.264 levels an encoder may be asked for, as `level_idc` (3.1 is 31; 9 is level 1b).
pub const LEVELS: [u32; 17] = [
    9, 10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52,
];

/// Encoder settings, as `sl_h264_encoder_create` receives them: an array of `u32`s in the order
/// of the fields below (see `docs/native_abi.md`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EncoderSettings {
    /// Which implementation.
    pub backend: Backend,
    /// Frame width in pixels (even).
    pub width: u32,
    /// Frame height in pixels (even).
    pub height: u32,
    /// Target bit rate in bits per second.
    pub bitrate_bps: u32,
    /// Frames per second (from thousandths in the ABI).
    pub fps: f64,
    /// A keyframe every this many frames; 0 for only the first (and forced ones).
    pub keyframe_interval: u32,
    /// Profile.
    pub profile: Profile,
    /// `level_idc` (31 is level 3.1), or 0 to let the encoder choose.
    pub level_idc: u32,
    /// Real-time use: no frame reordering, no look-ahead, one frame in, one access unit out.
    pub low_latency: bool,
    /// Encoding threads for backends that have them (OpenH264: one slice per thread, 1 ..= 4);
    /// 0 for one per core, 1 for a single thread and a single slice.
    pub threads: u32,
}

impl EncoderSettings {
    /// Number of `u32`s in the ABI form.
    pub const ABI_FIELDS: usize = 10;

    /// Decodes and checks the ABI form
    /// `[backend, width, height, bitrate_bps, fps_millis, keyframe_interval, profile, level_idc,
    /// low_latency, threads]`; `threads` (ABI 6) may be left out, for 1.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongLength`] for another number of fields, [`ErrorKind::UnknownCode`] for a
    /// bad backend, profile or level, [`ErrorKind::OutOfRange`] for a bit rate, frame rate or
    /// flag out of range, [`ErrorKind::UnsupportedSize`] for an odd or zero size.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::media::encoder::{Backend, EncoderSettings};
    ///
    /// let settings = EncoderSettings::from_abi(&[1, 640, 480, 1_000_000, 30_000, 60, 0, 0, 1])?;
    /// assert_eq!((settings.backend, settings.fps, settings.threads), (Backend::OpenH264, 30.0, 1));
    /// let threaded = EncoderSettings::from_abi(&[1, 640, 480, 1_000_000, 30_000, 60, 0, 0, 1, 2])?;
    /// assert_eq!(threaded.threads, 2);
    /// assert!(EncoderSettings::from_abi(&[1, 641, 480, 1_000_000, 30_000, 60, 0, 0, 1]).is_err());
    /// # Ok::<(), streamlib_native::status::Error>(())
    /// ```
    pub fn from_abi(values: &[u32]) -> Result<Self, Error> {
        let full: [u32; Self::ABI_FIELDS] = match *values {
            [a, b, c, d, e, f, g, h, i] => [a, b, c, d, e, f, g, h, i, 1],
            [a, b, c, d, e, f, g, h, i, j] => [a, b, c, d, e, f, g, h, i, j],
            _ => {
                return Err(ErrorKind::WrongLength {
                    what: "encoder settings (u32 fields, times 4 bytes)",
                    actual: values.len() as u64 * 4,
                    expected: Self::ABI_FIELDS as u64 * 4,
                }
                .into());
            }
        };
        let [
            backend,
            width,
            height,
            bitrate,
            fps_millis,
            interval,
            profile,
            level,
            low,
            threads,
        ] = full;
        let range = |what, value: u32, min: u32, max: u32| -> Result<u32, Error> {
            if (min..=max).contains(&value) {
                Ok(value)
            } else {
                Err(ErrorKind::OutOfRange {
                    what,
                    value: u64::from(value),
                    min: u64::from(min),
                    max: u64::from(max),
                }
                .into())
            }
        };
        if width == 0 || height == 0 || width % 2 != 0 || height % 2 != 0 {
            return Err(ErrorKind::UnsupportedSize {
                what: "an H.264 encoder",
                width,
                height,
                valid: "an even, non-zero width and height (4:2:0 chroma)",
            }
            .into());
        }
        if level != 0 && !LEVELS.contains(&level) {
            return Err(ErrorKind::UnknownCode {
                what: "H.264 level_idc",
                value: level,
                valid: "0 (auto), 9 (1b), 10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, \
                        51, 52",
            }
            .into());
        }
        Ok(Self {
            backend: Backend::from_code(backend)?,
            width,
            height,
            bitrate_bps: range("encoder bitrate (bits/s)", bitrate, 1_000, 800_000_000)?,
            fps: f64::from(range(
                "encoder frame rate (frames per 1000 s)",
                fps_millis,
                1,
                480_000,
            )?) / 1000.0,
            keyframe_interval: interval,
            profile: Profile::from_code(profile)?,
            level_idc: level,
            low_latency: range("encoder low_latency flag", low, 0, 1)? == 1,
            threads: range("encoder threads (0 for one per core)", threads, 0, 4)?,
        })
    }
}

/// One frame to encode: tightly packed pixels of the encoder's size.
#[derive(Clone, Copy, Debug)]
pub struct VideoInput<'a> {
    /// Layout of `data`.
    pub format: PixelFormat,
    /// Exactly one frame.
    pub data: &'a [u8],
    /// Presentation time in ns, carried to the access unit.
    pub timestamp_ns: f64,
}

/// One encoded frame, reused from call to call so a steady stream allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct AccessUnit {
    /// Annex B NAL units (start code `00 00 00 01` before each).
    pub data: Vec<u8>,
    /// Whether it is an IDR picture (decodable on its own; starts with SPS and PPS).
    pub keyframe: bool,
    /// Presentation time in ns of the frame it encodes.
    pub timestamp_ns: f64,
}

/// What every H.264 encoder backend does.
pub trait VideoEncoder: Send {
    /// The backend actually encoding (never [`Backend::Auto`]).
    fn backend(&self) -> Backend;

    /// Encodes `frame`; `force_keyframe` makes it an IDR picture. Returns `true` with the access
    /// unit in `out`, or `false` when the encoder produced nothing for this frame.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongLength`] when `frame.data` is not one frame of the encoder's size;
    /// [`ErrorKind::Codec`] when the codec fails.
    fn encode(
        &mut self,
        frame: VideoInput<'_>,
        force_keyframe: bool,
        out: &mut AccessUnit,
    ) -> Result<bool, Error>;

    /// The SPS and PPS NAL units (Annex B) of the stream, empty before the first keyframe.
    fn parameter_sets(&self) -> &[u8];
}

/// Creates the encoder `settings.backend` names.
///
/// # Errors
///
/// [`ErrorKind::Unsupported`] when an explicitly requested backend does not exist on this OS;
/// otherwise the backend's own errors (for example [`ErrorKind::UnsupportedSize`]).
pub fn create_encoder(settings: &EncoderSettings) -> Result<Box<dyn VideoEncoder>, Error> {
    match settings.backend {
        Backend::OpenH264 => Ok(Box::new(OpenH264Encoder::new(settings)?)),
        Backend::VideoToolbox => platform::hardware_h264_encoder(settings),
        Backend::Auto => match platform::hardware_h264_encoder(settings) {
            Ok(encoder) => Ok(encoder),
            Err(_) => Ok(Box::new(OpenH264Encoder::new(settings)?)),
        },
    }
}
