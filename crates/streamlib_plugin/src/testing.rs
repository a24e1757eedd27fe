//! Helpers for plugin tests: 64-byte aligned buffers like the host's frame-pool slots, views over
//! them, and a small stand-in for the host that calls a plugin through its descriptor.
//!
//! # Examples
//!
//! Run a processor through the plugin's exported descriptor, as the host would:
//!
//! ```
//! use streamlib_plugin::testing::{AlignedBuffer, Instance, audio_input, output_slot, plugin_processors};
//! use streamlib_plugin::{Config, Frames, NativeProcessor, PortSpec, ProcessorSpec};
//!
//! struct Half;
//! impl NativeProcessor for Half {
//!     fn descriptor() -> ProcessorSpec {
//!         const { ProcessorSpec {
//!             name: "Half",
//!             description: "Halves mono audio.",
//!             tags: &["audio"],
//!             inputs: &[PortSpec::input("in", "AudioFrame<1>", "Audio.", true)],
//!             outputs: &[PortSpec::output("out", "AudioFrame<1>", "Quieter audio.")],
//!             config_schema: r#"{"type": "object", "properties": {}}"#,
//!         } }
//!     }
//!     fn create(_: &Config) -> Result<Self, String> {
//!         Ok(Half)
//!     }
//!     fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
//!         let Some(input) = frames.input(0) else { return Ok(()) };
//!         let audio = input.audio()?;
//!         if let Some(mut out) = frames.output(0) {
//!             out.emit_audio(audio.layout(), audio.timing(), |dst| {
//!                 for (d, s) in dst.iter_mut().zip(audio.samples) {
//!                     *d = s * 0.5;
//!                 }
//!             })?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! streamlib_plugin::export_plugin!(name = "half_plugin", version = "1.0.0", processors = [Half]);
//!
//! // SAFETY: the descriptor comes from this crate's export_plugin!.
//! let entries = unsafe { plugin_processors(streamlib_plugin_entry()) }.unwrap();
//! // SAFETY: the entry comes from export_plugin!.
//! let mut half = unsafe { Instance::create(&entries[0], "{}") }.unwrap();
//! let mut input = AlignedBuffer::from_f32(&[1.0, -4.0]);
//! let mut output = AlignedBuffer::zeroed(64);
//! let inputs = [audio_input(&mut input, 1, 48_000.0, 2)];
//! let mut outputs = [output_slot(&mut output)];
//! // SAFETY: the views describe live, disjoint buffers.
//! unsafe { half.process(&inputs, &mut outputs) }.unwrap();
//! assert_eq!(output.f32s(2), [0.5, -2.0]);
//! ```

use std::ffi::{CStr, c_void};

use crate::abi::{
    ErrorBuffer, FrameView, PLUGIN_ABI_VERSION, PluginDescriptor, ProcessCall, ProcessorEntry,
};
use crate::format::{PixelFormat, audio_tag, video_tag};

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Block([u8; 64]);

/// A zeroed, 64-byte aligned byte buffer: a stand-in for a frame-pool slot.
pub struct AlignedBuffer {
    blocks: Vec<Block>,
    len: usize,
}

impl AlignedBuffer {
    /// `len` zero bytes.
    pub fn zeroed(len: usize) -> Self {
        Self {
            blocks: vec![Block([0; 64]); len.div_ceil(64)],
            len,
        }
    }

    /// A copy of `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let mut buffer = Self::zeroed(bytes.len());
        buffer.bytes_mut().copy_from_slice(bytes);
        buffer
    }

    /// `samples` as little-endian `f32` bytes.
    pub fn from_f32(samples: &[f32]) -> Self {
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        Self::from_bytes(&bytes)
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Its bytes.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `Block` is 64 plain bytes without padding, and the blocks hold at least `len`.
        unsafe { std::slice::from_raw_parts(self.blocks.as_ptr().cast(), self.len) }
    }

    /// Its bytes, writable.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `bytes`, through a unique borrow.
        unsafe { std::slice::from_raw_parts_mut(self.blocks.as_mut_ptr().cast(), self.len) }
    }

    /// The first `count` little-endian `f32`s.
    ///
    /// # Panics
    ///
    /// If the buffer is shorter than `4 * count` bytes.
    pub fn f32s(&self, count: usize) -> Vec<f32> {
        self.bytes()[..count * 4]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    /// A pointer to its first byte, for a [`FrameView`].
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.blocks.as_mut_ptr().cast()
    }
}

fn checked_len(buffer: &AlignedBuffer, needed: u64) -> u32 {
    assert!(
        needed <= buffer.len() as u64,
        "the buffer has {} bytes, the frame needs {needed}",
        buffer.len()
    );
    u32::try_from(needed).expect("frame fits a u32")
}

/// An input view of a video frame in `buffer`, `length` = [`PixelFormat::byte_length`].
///
/// # Panics
///
/// If `buffer` is too short.
pub fn video_input(
    buffer: &mut AlignedBuffer,
    format: PixelFormat,
    width: u32,
    height: u32,
    stride: u32,
) -> FrameView {
    let length = checked_len(buffer, format.byte_length(width, height, stride));
    FrameView {
        tag: video_tag(format),
        width,
        height,
        stride,
        data: buffer.as_mut_ptr(),
        length,
        capacity: length,
        ..FrameView::EMPTY
    }
}

/// An input view of interleaved `f32` audio in `buffer`.
///
/// # Panics
///
/// If `buffer` is too short.
pub fn audio_input(
    buffer: &mut AlignedBuffer,
    channels: u32,
    sample_rate: f64,
    frame_count: u32,
) -> FrameView {
    let length = checked_len(buffer, u64::from(channels) * u64::from(frame_count) * 4);
    FrameView {
        tag: audio_tag(channels),
        frame_count,
        sample_rate,
        data: buffer.as_mut_ptr(),
        length,
        capacity: length,
        ..FrameView::EMPTY
    }
}

/// An empty output view over the whole of `buffer`, as the host passes an acquired slot.
///
/// # Panics
///
/// If `buffer` is longer than `u32::MAX`.
pub fn output_slot(buffer: &mut AlignedBuffer) -> FrameView {
    let capacity = u32::try_from(buffer.len()).expect("buffer fits a u32");
    FrameView {
        data: buffer.as_mut_ptr(),
        capacity,
        ..FrameView::EMPTY
    }
}

/// An [`ErrorBuffer`] with its own storage.
pub struct ErrorText {
    bytes: Vec<u8>,
    buffer: ErrorBuffer,
}

impl ErrorText {
    /// A buffer of `capacity` bytes.
    pub fn new(capacity: u32) -> Self {
        let mut bytes = vec![0; capacity as usize];
        let buffer = ErrorBuffer {
            bytes: bytes.as_mut_ptr(),
            capacity,
            length: 0,
        };
        Self { bytes, buffer }
    }

    /// The buffer to pass to a plugin function. Its storage is on the heap, so the pointer stays
    /// valid while `self` is alive, even if `self` moves.
    pub fn as_mut_ptr(&mut self) -> *mut ErrorBuffer {
        self.buffer.length = 0;
        &mut self.buffer
    }

    /// What the plugin wrote (lossy if it was not UTF-8 or `length` exceeds the capacity).
    pub fn message(&self) -> String {
        let length = (self.buffer.length as usize).min(self.bytes.len());
        String::from_utf8_lossy(&self.bytes[..length]).into_owned()
    }
}

/// The processors of a plugin descriptor, after checking the ABI version.
///
/// # Safety
///
/// `descriptor` is null or points to a [`PluginDescriptor`] whose pointers are valid for `'a`.
///
/// # Errors
///
/// A null descriptor, another ABI version, or a null processor array with a non-zero count.
pub unsafe fn plugin_processors<'a>(
    descriptor: *const PluginDescriptor,
) -> Result<&'a [ProcessorEntry], String> {
    // SAFETY: null or valid for 'a (the caller's promise).
    let descriptor = unsafe { descriptor.as_ref() }.ok_or("the entry returned null")?;
    if descriptor.abi_version != PLUGIN_ABI_VERSION {
        return Err(format!("ABI version {}", descriptor.abi_version));
    }
    if descriptor.processor_count == 0 {
        return Ok(&[]);
    }
    if descriptor.processors.is_null() {
        return Err("null processors".into());
    }
    // SAFETY: non-null; the caller promises `processor_count` entries valid for 'a.
    Ok(unsafe {
        std::slice::from_raw_parts(descriptor.processors, descriptor.processor_count as usize)
    })
}

/// A NUL-terminated string of a descriptor, as `&str`.
///
/// # Safety
///
/// `text` is null or a NUL-terminated string valid for `'a`.
///
/// # Panics
///
/// If `text` is null or not UTF-8.
pub unsafe fn c_text<'a>(text: *const std::ffi::c_char) -> &'a str {
    assert!(!text.is_null(), "null string");
    // SAFETY: non-null and NUL-terminated (the caller's promise).
    unsafe { CStr::from_ptr(text) }.to_str().expect("UTF-8")
}

/// A processor's descriptor JSON, parsed.
///
/// # Safety
///
/// `entry.descriptor_json` is a NUL-terminated string.
///
/// # Panics
///
/// If it is not UTF-8 JSON.
pub unsafe fn descriptor_value(entry: &ProcessorEntry) -> serde_json::Value {
    // SAFETY: forwarded from the caller.
    let text = unsafe { c_text(entry.descriptor_json) };
    serde_json::from_str(text).expect("descriptor JSON")
}

/// A processor instance created through a [`ProcessorEntry`], destroyed on drop.
pub struct Instance<'e> {
    entry: &'e ProcessorEntry,
    instance: *mut c_void,
    error: ErrorText,
    dropped: u32,
    next_call_in_ns: u64,
}

impl<'e> Instance<'e> {
    /// Calls `entry.create` with `config_json`.
    ///
    /// # Safety
    ///
    /// `entry`'s functions honor the plugin ABI (they do if it comes from `export_plugin!`).
    ///
    /// # Errors
    ///
    /// The message `create` wrote when it returned null.
    pub unsafe fn create(entry: &'e ProcessorEntry, config_json: &str) -> Result<Self, String> {
        let mut error = ErrorText::new(1024);
        let len = u32::try_from(config_json.len()).map_err(|_| "config too long")?;
        // SAFETY: the config bytes and the error buffer are valid for the call; the caller
        // promises the function honors the ABI.
        let instance = unsafe { (entry.create)(config_json.as_ptr(), len, error.as_mut_ptr()) };
        if instance.is_null() {
            Err(error.message())
        } else {
            Ok(Self {
                entry,
                instance,
                error,
                dropped: 0,
                next_call_in_ns: 0,
            })
        }
    }

    /// Calls `entry.process` once.
    ///
    /// # Safety
    ///
    /// The views satisfy [`Frames::new`](crate::Frames::new)'s contract for the call.
    ///
    /// # Errors
    ///
    /// The status and the message of a failed call.
    pub unsafe fn process(
        &mut self,
        inputs: &[FrameView],
        outputs: &mut [FrameView],
    ) -> Result<(), (i32, String)> {
        let mut call = ProcessCall {
            inputs: inputs.as_ptr(),
            input_count: u32::try_from(inputs.len()).expect("input count fits a u32"),
            outputs: outputs.as_mut_ptr(),
            output_count: u32::try_from(outputs.len()).expect("output count fits a u32"),
            dropped: 0,
            next_call_in_ns: 0,
        };
        // SAFETY: the instance came from this entry's create and is not destroyed; the call
        // describes the caller's views, which satisfy the contract.
        let status =
            unsafe { (self.entry.process)(self.instance, &mut call, self.error.as_mut_ptr()) };
        self.dropped = call.dropped;
        self.next_call_in_ns = call.next_call_in_ns;
        if status == crate::abi::STATUS_OK {
            Ok(())
        } else {
            Err((status, self.error.message()))
        }
    }
}

impl Instance<'_> {
    /// What the last [`process`](Instance::process) call set in [`ProcessCall::dropped`]: the
    /// frames the plugin said it dropped.
    pub fn last_dropped(&self) -> u32 {
        self.dropped
    }

    /// What the last [`process`](Instance::process) call set in
    /// [`ProcessCall::next_call_in_ns`]: a source's delay before its next call.
    pub fn last_next_call_in_ns(&self) -> u64 {
        self.next_call_in_ns
    }
}

impl Drop for Instance<'_> {
    fn drop(&mut self) {
        // SAFETY: the instance came from this entry's create and is destroyed once, here.
        unsafe { (self.entry.destroy)(self.instance) };
    }
}
