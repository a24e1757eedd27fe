//! Frame formats: pixel formats, frame tags and the layouts of video and audio payloads.
//!
//! A frame's `tag` holds its kind in the top 8 bits ([`kind`](crate::abi::kind)) and a format in
//! the low 24: the pixel format of video, the channel count of audio. Payloads follow the rest of
//! streamlib: video planes are tightly packed one after another, `stride` bytes per row of the
//! first plane; audio is interleaved little-endian `f32`.

use std::fmt;

use crate::abi::kind;

/// Mask of the low 24 bits of a tag (the format).
const FORMAT_MASK: u32 = (1 << 24) - 1;

/// Largest channel count a tag can hold.
pub const MAX_CHANNELS: u32 = FORMAT_MASK;

/// The kind of a tag (`tag >> 24`, one of [`kind`](crate::abi::kind)).
///
/// # Examples
///
/// ```
/// use streamlib_plugin::abi::kind;
/// use streamlib_plugin::format::{audio_tag, tag_kind};
///
/// assert_eq!(tag_kind(audio_tag(2)), kind::AUDIO);
/// ```
pub const fn tag_kind(tag: u32) -> u32 {
    tag >> 24
}

/// The format of a tag (its low 24 bits): pixel format code or channel count.
pub const fn tag_format(tag: u32) -> u32 {
    tag & FORMAT_MASK
}

/// The tag of a video frame in `format`: `(1 << 24) | code`.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::format::{video_tag, PixelFormat};
///
/// assert_eq!(video_tag(PixelFormat::Bgra), (1 << 24) | 1);
/// ```
pub const fn video_tag(format: PixelFormat) -> u32 {
    (kind::VIDEO << 24) | format as u32
}

/// The tag of an audio frame of `channels` channels: `(2 << 24) | channels`. `channels` is masked
/// to 24 bits; [`AudioLayout::check`] refuses larger counts.
pub const fn audio_tag(channels: u32) -> u32 {
    (kind::AUDIO << 24) | (channels & FORMAT_MASK)
}

/// A kind number as a word, for messages.
pub fn kind_name(kind_number: u32) -> &'static str {
    match kind_number {
        0 => "no frame",
        kind::VIDEO => "video",
        kind::AUDIO => "audio",
        kind::ENCODED_VIDEO => "encoded video",
        kind::DATA => "data",
        _ => "an unknown kind",
    }
}

/// A raw video pixel format, numbered as streamlib's `PIXEL_FORMATS`.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::format::PixelFormat;
///
/// assert_eq!(PixelFormat::from_code(3), Some(PixelFormat::Nv12));
/// assert_eq!(PixelFormat::from_code(9), None);
/// assert_eq!(PixelFormat::Rgba.to_string(), "RGBA");
/// // A 4x2 I420 frame: 8 luma bytes and two 2x1 chroma planes.
/// assert_eq!(PixelFormat::I420.byte_length(4, 2, 4), 12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum PixelFormat {
    /// One plane, 4 bytes a pixel: R, G, B, A.
    Rgba = 0,
    /// One plane, 4 bytes a pixel: B, G, R, A.
    Bgra = 1,
    /// 8-bit 4:2:0 planar: Y, then U and V at half width and half height.
    I420 = 2,
    /// 8-bit 4:2:0 semi-planar: Y, then interleaved U, V pairs at half height.
    Nv12 = 3,
}

impl PixelFormat {
    /// Every format, in code order.
    pub const ALL: [PixelFormat; 4] = [Self::Rgba, Self::Bgra, Self::I420, Self::Nv12];

    /// The format with this code, if there is one.
    pub const fn from_code(code: u32) -> Option<Self> {
        match code {
            0 => Some(Self::Rgba),
            1 => Some(Self::Bgra),
            2 => Some(Self::I420),
            3 => Some(Self::Nv12),
            _ => None,
        }
    }

    /// The format's code (the low bits of its tag).
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The name streamlib uses: `"RGBA"`, `"BGRA"`, `"I420"` or `"NV12"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rgba => "RGBA",
            Self::Bgra => "BGRA",
            Self::I420 => "I420",
            Self::Nv12 => "NV12",
        }
    }

    /// Whether the format is 4:2:0 (its width and height must be even).
    pub const fn is_420(self) -> bool {
        matches!(self, Self::I420 | Self::Nv12)
    }

    /// Bytes of one row of visible pixels of the first plane: the smallest valid stride.
    pub const fn min_stride(self, width: u32) -> u64 {
        match self {
            Self::Rgba | Self::Bgra => width as u64 * 4,
            Self::I420 | Self::Nv12 => width as u64,
        }
    }

    /// Bytes of a frame: the first plane (`stride * height`), then for 4:2:0 formats two
    /// tightly packed chroma planes' worth (`2 * ceil(width / 2) * ceil(height / 2)`).
    pub const fn byte_length(self, width: u32, height: u32, stride: u32) -> u64 {
        let first = stride as u64 * height as u64;
        if self.is_420() {
            let chroma = (width as u64).div_ceil(2) * (height as u64).div_ceil(2);
            first + 2 * chroma
        } else {
            first
        }
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// When a frame belongs in its stream: copied from input to output by most processors.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timing {
    /// Monotonic media-clock time in nanoseconds.
    pub timestamp_ns: f64,
    /// The source's frame counter.
    pub frame_number: f64,
}

/// The shape of a video payload.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::format::{PixelFormat, VideoLayout};
///
/// let layout = VideoLayout::packed(PixelFormat::Rgba, 2, 2);
/// assert_eq!(layout.stride, 8);
/// assert_eq!(layout.check(), Ok(16));
/// let odd = VideoLayout::packed(PixelFormat::I420, 3, 2);
/// assert!(odd.check().unwrap_err().contains("even"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VideoLayout {
    /// The pixel format.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per row of the first plane.
    pub stride: u32,
}

impl VideoLayout {
    /// A layout with tightly packed rows (`stride` = [`PixelFormat::min_stride`], saturated).
    pub fn packed(format: PixelFormat, width: u32, height: u32) -> Self {
        let stride = u32::try_from(format.min_stride(width)).unwrap_or(u32::MAX);
        Self {
            format,
            width,
            height,
            stride,
        }
    }

    /// Checks the layout and returns its payload size in bytes.
    ///
    /// # Errors
    ///
    /// A sentence saying what is wrong: a zero size, a stride shorter than a row, an odd size of a
    /// 4:2:0 format.
    pub fn check(&self) -> Result<u64, String> {
        let Self {
            format,
            width,
            height,
            stride,
        } = *self;
        if width == 0 || height == 0 {
            return Err(format!("a {width}x{height} {format} frame has no pixels"));
        }
        if format.is_420() && (width % 2 != 0 || height % 2 != 0) {
            return Err(format!(
                "a {width}x{height} {format} frame: 4:2:0 sizes must be even"
            ));
        }
        let min = format.min_stride(width);
        if u64::from(stride) < min {
            return Err(format!(
                "a {width}x{height} {format} frame with stride {stride}: a row needs at least {min} bytes"
            ));
        }
        Ok(format.byte_length(width, height, stride))
    }
}

/// The shape of an audio payload.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::format::AudioLayout;
///
/// let layout = AudioLayout { channels: 2, sample_rate: 48_000.0, frame_count: 480 };
/// assert_eq!(layout.check(), Ok(960));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AudioLayout {
    /// Interleaved channels.
    pub channels: u32,
    /// Samples per second.
    pub sample_rate: f64,
    /// Samples per channel.
    pub frame_count: u32,
}

impl AudioLayout {
    /// Checks the layout and returns its number of `f32` samples (`channels * frame_count`).
    ///
    /// # Errors
    ///
    /// A sentence saying what is wrong: no channels, more than [`MAX_CHANNELS`], a sample rate
    /// that is not a positive finite number.
    pub fn check(&self) -> Result<u64, String> {
        let Self {
            channels,
            sample_rate,
            frame_count,
        } = *self;
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(format!("{channels} channels: expected 1 to {MAX_CHANNELS}"));
        }
        if !(sample_rate.is_finite() && sample_rate > 0.0) {
            return Err(format!(
                "sample rate {sample_rate}: expected a positive number"
            ));
        }
        Ok(u64::from(channels) * u64::from(frame_count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for format in PixelFormat::ALL {
            let tag = video_tag(format);
            assert_eq!(tag_kind(tag), kind::VIDEO);
            assert_eq!(PixelFormat::from_code(tag_format(tag)), Some(format));
        }
        assert_eq!(audio_tag(2), 0x0200_0002);
        assert_eq!(tag_format(audio_tag(6)), 6);
    }

    #[test]
    fn byte_lengths_match_streamlib() {
        // videoFrameByteLength("I420", 4, 4) is 24 in core/frames/video_frame.ts.
        assert_eq!(PixelFormat::I420.byte_length(4, 4, 4), 24);
        assert_eq!(PixelFormat::Nv12.byte_length(4, 4, 4), 24);
        assert_eq!(PixelFormat::Bgra.byte_length(3, 2, 16), 32);
        assert_eq!(
            PixelFormat::Rgba.byte_length(u32::MAX, u32::MAX, u32::MAX),
            u64::from(u32::MAX) * u64::from(u32::MAX)
        );
    }

    #[test]
    fn layouts_refuse_bad_shapes() {
        let short = VideoLayout {
            format: PixelFormat::Rgba,
            width: 4,
            height: 1,
            stride: 15,
        };
        assert!(short.check().unwrap_err().contains("at least 16 bytes"));
        let empty = VideoLayout::packed(PixelFormat::Bgra, 0, 4);
        assert!(empty.check().unwrap_err().contains("no pixels"));
        let silent = AudioLayout {
            channels: 0,
            sample_rate: 48_000.0,
            frame_count: 1,
        };
        assert!(silent.check().unwrap_err().contains("0 channels"));
        let nan = AudioLayout {
            channels: 1,
            sample_rate: f64::NAN,
            frame_count: 1,
        };
        assert!(nan.check().is_err());
    }
}
