//! Output slots: [`OutputFrame`] writes a frame in place into a slot the host acquired.

use crate::abi::FrameView;
use crate::format::{AudioLayout, Timing, VideoLayout, audio_tag, video_tag};
use crate::frames::{FrameError, Port};

/// An output slot of one `process` call. Emitting writes the payload in place and sets the
/// view's metadata and `length`; a slot left alone emits nothing.
#[derive(Debug)]
pub struct OutputFrame<'b> {
    view: &'b mut FrameView,
    port: Port,
}

impl<'b> OutputFrame<'b> {
    /// # Safety
    ///
    /// `view.data` is non-null and points to `view.capacity` writable bytes (at most
    /// `isize::MAX`) that nothing else accesses for `'b`.
    pub(crate) unsafe fn new(view: &'b mut FrameView, port: Port) -> Self {
        Self { view, port }
    }

    /// Bytes available in the slot.
    pub fn capacity(&self) -> u32 {
        self.view.capacity
    }

    /// The port this slot belongs to.
    pub fn port(&self) -> Port {
        self.port
    }

    /// Whether a frame has been emitted (`length` > 0).
    pub fn is_emitted(&self) -> bool {
        self.view.length > 0
    }

    /// Takes back an emitted frame: the slot emits nothing.
    pub fn discard(&mut self) {
        self.view.length = 0;
    }

    /// The first `needed` bytes of the slot, after discarding any earlier frame, so a `fill`
    /// that panics leaves nothing emitted.
    fn room(&mut self, needed: u64) -> Result<&mut [u8], FrameError> {
        let capacity = self.view.capacity;
        if needed > u64::from(capacity) {
            return Err(FrameError::OutputTooSmall {
                port: self.port,
                needed,
                capacity,
            });
        }
        self.view.length = 0;
        // SAFETY: `new`'s contract: `data` points to `capacity` writable, unshared bytes, and
        // `needed <= capacity`, which fits isize.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.view.data, needed as usize) })
    }

    fn set_meta(&mut self, tag: u32, timing: Timing, length: u64) {
        let view = &mut *self.view;
        view.tag = tag;
        view.flags = 0;
        view.width = 0;
        view.height = 0;
        view.stride = 0;
        view.frame_count = 0;
        view.sample_rate = 0.0;
        view.timestamp_ns = timing.timestamp_ns;
        view.frame_number = timing.frame_number;
        // `room` checked `length <= capacity`, a u32.
        view.length = length as u32;
    }

    /// Emits a video frame: `fill` writes its [`PixelFormat::byte_length`] bytes (planes tightly
    /// packed, `stride` bytes per row of the first plane), then the slot's metadata are set. The
    /// bytes start as whatever the slot held before.
    ///
    /// # Errors
    ///
    /// [`FrameError::BadLayout`] for an invalid layout, [`FrameError::OutputTooSmall`] if the
    /// frame does not fit; `fill` is not called then.
    ///
    /// [`PixelFormat::byte_length`]: crate::format::PixelFormat::byte_length
    pub fn emit_video<R>(
        &mut self,
        layout: VideoLayout,
        timing: Timing,
        fill: impl FnOnce(&mut [u8]) -> R,
    ) -> Result<R, FrameError> {
        let needed = layout.check().map_err(|detail| FrameError::BadLayout {
            port: self.port,
            detail,
        })?;
        let result = fill(self.room(needed)?);
        self.set_meta(video_tag(layout.format), timing, needed);
        self.view.width = layout.width;
        self.view.height = layout.height;
        self.view.stride = layout.stride;
        Ok(result)
    }

    /// Emits an audio frame: `fill` writes its `channels * frame_count` interleaved samples,
    /// then the slot's metadata are set.
    ///
    /// # Errors
    ///
    /// [`FrameError::BadLayout`] for an invalid layout, [`FrameError::OutputTooSmall`] if the
    /// samples do not fit, [`FrameError::Misaligned`] if the slot is not 4-byte aligned; `fill` is
    /// not called then.
    pub fn emit_audio<R>(
        &mut self,
        layout: AudioLayout,
        timing: Timing,
        fill: impl FnOnce(&mut [f32]) -> R,
    ) -> Result<R, FrameError> {
        let count = layout.check().map_err(|detail| FrameError::BadLayout {
            port: self.port,
            detail,
        })?;
        let needed = count * 4;
        let port = self.port;
        let bytes = self.room(needed)?;
        // SAFETY: every bit pattern is a valid f32 and any f32 written is valid bytes.
        let (head, samples, tail) = unsafe { bytes.align_to_mut::<f32>() };
        if !head.is_empty() || !tail.is_empty() {
            return Err(FrameError::Misaligned { port });
        }
        let result = fill(samples);
        self.set_meta(audio_tag(layout.channels), timing, needed);
        self.view.frame_count = layout.frame_count;
        self.view.sample_rate = layout.sample_rate;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use crate::abi::FrameView;
    use crate::format::{AudioLayout, PixelFormat, Timing, VideoLayout, video_tag};
    use crate::frames::{FrameError, Frames};
    use crate::testing::{AlignedBuffer, output_slot};
    use crate::{PortSpec, ProcessorSpec};

    const SPEC: ProcessorSpec = ProcessorSpec {
        name: "Writer",
        description: "Writes.",
        tags: &[],
        inputs: &[],
        outputs: &[PortSpec::output("out", "VideoFrame", "out")],
        config_schema: r#"{"type": "object"}"#,
    };

    fn with_output<T>(capacity: u32, run: impl FnOnce(&mut Frames<'_>) -> T) -> (T, FrameView) {
        let mut buffer = AlignedBuffer::zeroed(256);
        let mut outputs = [output_slot(&mut buffer)];
        outputs[0].capacity = capacity;
        let result = {
            // SAFETY: the view describes `buffer`, which outlives `frames`.
            let mut frames = unsafe { Frames::new(&[], &mut outputs, &SPEC) }.unwrap();
            run(&mut frames)
        };
        (result, outputs[0])
    }

    #[test]
    fn emits_video_metadata() {
        let timing = Timing {
            timestamp_ns: 5.0,
            frame_number: 9.0,
        };
        let layout = VideoLayout::packed(PixelFormat::Bgra, 4, 2);
        let (result, view) = with_output(256, |frames| {
            frames
                .output(0)
                .unwrap()
                .emit_video(layout, timing, |bytes| bytes.fill(7))
        });
        assert_eq!(result, Ok(()));
        assert_eq!(view.tag, video_tag(PixelFormat::Bgra));
        assert_eq!(
            (view.width, view.height, view.stride, view.length),
            (4, 2, 16, 32)
        );
        assert_eq!((view.timestamp_ns, view.frame_number), (5.0, 9.0));
    }

    #[test]
    fn undersized_outputs_are_errors() {
        let layout = VideoLayout::packed(PixelFormat::Rgba, 4, 4);
        let (result, view) = with_output(63, |frames| {
            let mut out = frames.output(0).unwrap();
            out.emit_video(layout, Timing::default(), |_| {
                unreachable!("fill must not run")
            })
        });
        let error = result.unwrap_err();
        assert!(matches!(
            error,
            FrameError::OutputTooSmall {
                needed: 64,
                capacity: 63,
                ..
            }
        ));
        assert_eq!(
            error.to_string(),
            "output 'out' has room for 63 bytes, but the frame needs 64"
        );
        assert_eq!(view.length, 0);
        let audio = AudioLayout {
            channels: 2,
            sample_rate: 48_000.0,
            frame_count: 8,
        };
        let (result, _) = with_output(63, |frames| {
            frames
                .output(0)
                .unwrap()
                .emit_audio(audio, Timing::default(), |_| ())
        });
        assert!(matches!(
            result,
            Err(FrameError::OutputTooSmall { needed: 64, .. })
        ));
    }

    #[test]
    fn emits_audio_and_discards() {
        let audio = AudioLayout {
            channels: 1,
            sample_rate: 8_000.0,
            frame_count: 3,
        };
        let (emitted, view) = with_output(256, |frames| {
            let mut out = frames.output(0).unwrap();
            out.emit_audio(audio, Timing::default(), |s| {
                s.copy_from_slice(&[1.0, 2.0, 3.0])
            })
            .unwrap();
            out.is_emitted()
        });
        assert!(emitted);
        assert_eq!(
            (view.length, view.frame_count, view.sample_rate),
            (12, 3, 8_000.0)
        );
        let (_, view) = with_output(256, |frames| {
            let mut out = frames.output(0).unwrap();
            out.emit_audio(audio, Timing::default(), |_| ()).unwrap();
            out.discard();
        });
        assert_eq!(view.length, 0);
    }
}
