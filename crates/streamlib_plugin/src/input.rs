//! Input frames: [`InputFrame`] and its typed views [`VideoIn`] and [`AudioIn`].

use crate::abi::{FrameView, kind};
use crate::format::{AudioLayout, PixelFormat, Timing, VideoLayout, tag_format, tag_kind};
use crate::frames::{FrameError, Port};

/// A frame that arrived on an input, read in place from the host's slot.
#[derive(Clone, Copy, Debug)]
pub struct InputFrame<'a> {
    view: &'a FrameView,
    bytes: &'a [u8],
    port: Port,
}

/// A video input frame: metadata and the payload, checked to hold the whole frame.
#[derive(Clone, Copy, Debug)]
pub struct VideoIn<'a> {
    /// The pixel format.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per row of the first plane.
    pub stride: u32,
    /// The planes, exactly [`PixelFormat::byte_length`] bytes.
    pub data: &'a [u8],
    /// Monotonic media-clock time in nanoseconds.
    pub timestamp_ns: f64,
    /// The source's frame counter.
    pub frame_number: f64,
}

impl VideoIn<'_> {
    /// The frame's format, size and stride.
    pub fn layout(&self) -> VideoLayout {
        VideoLayout {
            format: self.format,
            width: self.width,
            height: self.height,
            stride: self.stride,
        }
    }

    /// The frame's time stamp and number.
    pub fn timing(&self) -> Timing {
        Timing {
            timestamp_ns: self.timestamp_ns,
            frame_number: self.frame_number,
        }
    }
}

/// An audio input frame: metadata and the interleaved samples.
#[derive(Clone, Copy, Debug)]
pub struct AudioIn<'a> {
    /// Interleaved channels.
    pub channels: u32,
    /// Samples per second.
    pub sample_rate: f64,
    /// Samples per channel.
    pub frame_count: u32,
    /// `channels * frame_count` interleaved samples.
    pub samples: &'a [f32],
    /// Monotonic media-clock time in nanoseconds.
    pub timestamp_ns: f64,
    /// The source's frame counter.
    pub frame_number: f64,
}

impl AudioIn<'_> {
    /// The frame's channels, sample rate and length.
    pub fn layout(&self) -> AudioLayout {
        AudioLayout {
            channels: self.channels,
            sample_rate: self.sample_rate,
            frame_count: self.frame_count,
        }
    }

    /// The frame's time stamp and number.
    pub fn timing(&self) -> Timing {
        Timing {
            timestamp_ns: self.timestamp_ns,
            frame_number: self.frame_number,
        }
    }
}

impl<'a> InputFrame<'a> {
    pub(crate) fn new(view: &'a FrameView, bytes: &'a [u8], port: Port) -> Self {
        Self { view, bytes, port }
    }

    /// The raw view (tag, flags and every metadata field).
    pub fn view(&self) -> &'a FrameView {
        self.view
    }

    /// The whole payload, `length` bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The port the frame arrived on.
    pub fn port(&self) -> Port {
        self.port
    }

    /// The frame's kind ([`kind`](crate::abi::kind)).
    pub fn kind(&self) -> u32 {
        tag_kind(self.view.tag)
    }

    /// The frame's time stamp and number.
    pub fn timing(&self) -> Timing {
        Timing {
            timestamp_ns: self.view.timestamp_ns,
            frame_number: self.view.frame_number,
        }
    }

    fn expect_kind(&self, wanted: u32, expected: &'static str) -> Result<(), FrameError> {
        if self.kind() == wanted {
            Ok(())
        } else {
            Err(FrameError::WrongKind {
                port: self.port,
                expected,
                tag: self.view.tag,
            })
        }
    }

    /// The first `needed` bytes of the payload.
    fn payload(&self, needed: u64) -> Result<&'a [u8], FrameError> {
        let too_short = || FrameError::PayloadTooShort {
            port: self.port,
            needed,
            length: self.view.length,
        };
        let needed = usize::try_from(needed).map_err(|_| too_short())?;
        self.bytes.get(..needed).ok_or_else(too_short)
    }

    /// The frame as video.
    ///
    /// # Errors
    ///
    /// [`FrameError::WrongKind`] if it is not video, [`FrameError::BadLayout`] for an unknown
    /// pixel format or an impossible size, [`FrameError::PayloadTooShort`] if the payload does not
    /// hold the frame.
    pub fn video(&self) -> Result<VideoIn<'a>, FrameError> {
        self.expect_kind(kind::VIDEO, "video")?;
        let code = tag_format(self.view.tag);
        let format = PixelFormat::from_code(code).ok_or_else(|| FrameError::BadLayout {
            port: self.port,
            detail: format!(
                "pixel format code {code} is not one of RGBA (0), BGRA (1), I420 (2), NV12 (3)"
            ),
        })?;
        let layout = VideoLayout {
            format,
            width: self.view.width,
            height: self.view.height,
            stride: self.view.stride,
        };
        let needed = layout.check().map_err(|detail| FrameError::BadLayout {
            port: self.port,
            detail,
        })?;
        Ok(VideoIn {
            format,
            width: layout.width,
            height: layout.height,
            stride: layout.stride,
            data: self.payload(needed)?,
            timestamp_ns: self.view.timestamp_ns,
            frame_number: self.view.frame_number,
        })
    }

    /// The frame as audio.
    ///
    /// # Errors
    ///
    /// [`FrameError::WrongKind`] if it is not audio, [`FrameError::BadLayout`] for zero channels
    /// or a bad sample rate, [`FrameError::PayloadTooShort`] if the payload does not hold the
    /// samples, [`FrameError::Misaligned`] if it is not 4-byte aligned.
    pub fn audio(&self) -> Result<AudioIn<'a>, FrameError> {
        self.expect_kind(kind::AUDIO, "audio")?;
        let layout = AudioLayout {
            channels: tag_format(self.view.tag),
            sample_rate: self.view.sample_rate,
            frame_count: self.view.frame_count,
        };
        let count = layout.check().map_err(|detail| FrameError::BadLayout {
            port: self.port,
            detail,
        })?;
        let bytes = self.payload(count * 4)?;
        // SAFETY: every bit pattern is a valid f32, so reinterpreting aligned bytes is sound.
        let (head, samples, tail) = unsafe { bytes.align_to::<f32>() };
        if !head.is_empty() || !tail.is_empty() {
            return Err(FrameError::Misaligned { port: self.port });
        }
        Ok(AudioIn {
            channels: layout.channels,
            sample_rate: layout.sample_rate,
            frame_count: layout.frame_count,
            samples,
            timestamp_ns: self.view.timestamp_ns,
            frame_number: self.view.frame_number,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::format::{PixelFormat, audio_tag, video_tag};
    use crate::frames::{FrameError, Frames};
    use crate::testing::{AlignedBuffer, audio_input, video_input};
    use crate::{PortSpec, ProcessorSpec};

    const SPEC: ProcessorSpec = ProcessorSpec {
        name: "Reader",
        description: "Reads.",
        tags: &[],
        inputs: &[PortSpec::input("in", "VideoFrame", "in", true)],
        outputs: &[],
        config_schema: r#"{"type": "object"}"#,
    };

    #[test]
    fn video_is_checked_against_its_payload() {
        let mut buffer = AlignedBuffer::zeroed(32);
        let mut view = video_input(&mut buffer, PixelFormat::Rgba, 2, 2, 8);
        let mut outputs = [];
        {
            // SAFETY: the view describes `buffer`.
            let frames =
                unsafe { Frames::new(std::slice::from_ref(&view), &mut outputs, &SPEC) }.unwrap();
            let video = frames.input(0).unwrap().video().unwrap();
            assert_eq!((video.width, video.height, video.data.len()), (2, 2, 16));
            let wrong = frames.input(0).unwrap().audio().unwrap_err();
            assert_eq!(
                wrong.to_string(),
                "input 'in' carries video (tag 0x1000000), expected audio"
            );
        }
        view.length = 15;
        // SAFETY: as above, with a shorter length.
        let frames =
            unsafe { Frames::new(std::slice::from_ref(&view), &mut outputs, &SPEC) }.unwrap();
        let short = frames.input(0).unwrap().video().unwrap_err();
        assert_eq!(
            short,
            FrameError::PayloadTooShort {
                port: short_port(&short),
                needed: 16,
                length: 15
            }
        );
        view.tag = video_tag(PixelFormat::Rgba) + 7;
        // SAFETY: as above.
        let frames =
            unsafe { Frames::new(std::slice::from_ref(&view), &mut outputs, &SPEC) }.unwrap();
        let unknown = frames.input(0).unwrap().video().unwrap_err().to_string();
        assert!(unknown.contains("pixel format code 7"), "{unknown}");
    }

    fn short_port(error: &FrameError) -> crate::frames::Port {
        match error {
            FrameError::PayloadTooShort { port, .. } => *port,
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn audio_is_read_as_f32_in_place() {
        let mut buffer = AlignedBuffer::from_f32(&[1.0, 2.0, 3.0, 4.0]);
        let view = audio_input(&mut buffer, 2, 44_100.0, 2);
        // SAFETY: the view describes `buffer`.
        let frames = unsafe { Frames::new(std::slice::from_ref(&view), &mut [], &SPEC) }.unwrap();
        let audio = frames.input(0).unwrap().audio().unwrap();
        assert_eq!(audio.samples, [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(
            (audio.channels, audio.frame_count, audio.sample_rate),
            (2, 2, 44_100.0)
        );
    }

    #[test]
    fn misaligned_audio_is_an_error_not_ub() {
        let mut buffer = AlignedBuffer::zeroed(64);
        let mut view = audio_input(&mut buffer, 1, 48_000.0, 2);
        view.data = view.data.wrapping_add(1);
        view.length = 8;
        // SAFETY: the view still lies inside `buffer`.
        let frames = unsafe { Frames::new(std::slice::from_ref(&view), &mut [], &SPEC) }.unwrap();
        let error = frames.input(0).unwrap().audio().unwrap_err();
        assert!(matches!(error, FrameError::Misaligned { .. }), "{error}");
        let mut silent = view;
        silent.tag = audio_tag(0);
        // SAFETY: as above.
        let frames = unsafe { Frames::new(std::slice::from_ref(&silent), &mut [], &SPEC) }.unwrap();
        assert!(
            frames
                .input(0)
                .unwrap()
                .audio()
                .unwrap_err()
                .to_string()
                .contains("0 channels")
        );
    }
}
