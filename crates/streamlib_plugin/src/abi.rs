//! The plugin C ABI, version [`PLUGIN_ABI_VERSION`]: the types a plugin library and the streamlib
//! host exchange. `docs/plugins.md` documents the same contract for authors who do not use Rust.
//!
//! A plugin is a shared library that exports one function, [`ENTRY_SYMBOL`]
//! (`streamlib_plugin_entry`), returning a pointer to a static [`PluginDescriptor`]. The host
//! checks `abi_version` before it reads anything else, then reads the processors: a JSON
//! descriptor each and three functions, `create`, `process` and `destroy`.
//!
//! A processor without inputs is a source (ABI 2): the host calls its `process` on the node's
//! thread again and again, as soon as its outputs have room, or after the delay the plugin
//! sets in [`ProcessCall::next_call_in_ns`].
//!
//! Frames cross as [`FrameView`]s: a frame's metadata plus a pointer to its payload inside a
//! frame-pool slot. Input payloads are read in place; output payloads are written in place into
//! slots the host acquired. Nothing is copied on either side of a `process` call.
//!
//! Every function of a plugin must return normally: a Rust panic must not unwind into the host.
//! The SDK's [`export_plugin!`](crate::export_plugin) wraps each call in `catch_unwind` and turns
//! a panic into status [`STATUS_PANIC`] with its message.

use std::ffi::{c_char, c_void};

/// The ABI version this crate describes (2: sources, the drop counter and the next-call delay of
/// [`ProcessCall`]). The host refuses a plugin whose descriptor says a version outside
/// [`OLDEST_PLUGIN_ABI_VERSION`]`..=PLUGIN_ABI_VERSION`, naming both.
pub const PLUGIN_ABI_VERSION: u32 = 2;

/// The oldest plugin ABI version a host of this crate still loads. Version 1 is version 2 without
/// sources and without the [`ProcessCall`] fields after `output_count`; a version 1 plugin reads
/// the prefix of the version 2 call it is given and never writes the new fields.
pub const OLDEST_PLUGIN_ABI_VERSION: u32 = 1;

/// The name of the one function a plugin exports:
/// `extern "C" fn streamlib_plugin_entry() -> *const PluginDescriptor`.
pub const ENTRY_SYMBOL: &str = "streamlib_plugin_entry";

/// `process` succeeded.
pub const STATUS_OK: i32 = 0;
/// `create` or `process` failed; the message is in the [`ErrorBuffer`].
pub const STATUS_ERROR: i32 = -1;
/// The plugin code panicked; the message is in the [`ErrorBuffer`].
pub const STATUS_PANIC: i32 = -2;

/// Kind tags in the top 8 bits of a frame's `tag` (the same values as the frame messages of
/// `docs/native_abi.md`). The low 24 bits are the pixel format (video), the channel count
/// (audio) or the codec (encoded video).
pub mod kind {
    /// Raw video; the low bits are the pixel format: 0 RGBA, 1 BGRA, 2 I420, 3 NV12.
    pub const VIDEO: u32 = 1;
    /// Interleaved `f32` audio; the low bits are the channel count.
    pub const AUDIO: u32 = 2;
    /// Encoded video; the low bits are the codec: 0 h264, 1 h265, 2 vp8, 3 vp9, 4 av1.
    pub const ENCODED_VIDEO: u32 = 3;
    /// A UTF-8 JSON value.
    pub const DATA: u32 = 4;
}

/// `flags` bit: an encoded frame is a keyframe.
pub const FLAG_KEYFRAME: u32 = 1;

/// The static description of a plugin, returned by its entry function. All pointers must stay
/// valid for as long as the library is loaded.
#[repr(C)]
pub struct PluginDescriptor {
    /// Must be [`PLUGIN_ABI_VERSION`] of the SDK the plugin was built with. Read first, alone.
    pub abi_version: u32,
    /// Number of entries at `processors`.
    pub processor_count: u32,
    /// The plugin's name, NUL-terminated UTF-8 (for messages and the dashboard).
    pub name: *const c_char,
    /// The plugin's own version, NUL-terminated UTF-8.
    pub version: *const c_char,
    /// The processor types.
    pub processors: *const ProcessorEntry,
}

/// One processor type of a plugin.
#[repr(C)]
pub struct ProcessorEntry {
    /// NUL-terminated UTF-8 JSON:
    /// `{"name", "description", "tags": [..], "inputs": [{"name", "type", "description",
    /// "required"}], "outputs": [{"name", "type", "description"}], "config": <JSON Schema of the
    /// config object>}`. Port types are streamlib's (`"VideoFrame"`, `"AudioFrame<2>"`, ...).
    pub descriptor_json: *const c_char,
    /// Creates an instance from its config (`config_len` bytes of UTF-8 JSON, already validated
    /// against the schema). Returns the instance, or null with a message in `error`.
    pub create: unsafe extern "C" fn(
        config_json: *const u8,
        config_len: u32,
        error: *mut ErrorBuffer,
    ) -> *mut c_void,
    /// Processes one call. Returns [`STATUS_OK`], or a negative status with a message in `error`.
    pub process: unsafe extern "C" fn(
        instance: *mut c_void,
        call: *mut ProcessCall,
        error: *mut ErrorBuffer,
    ) -> i32,
    /// Destroys an instance `create` returned. Called once, after the last `process` call has
    /// returned, possibly from another thread than the one `process` ran on (instances are
    /// `Send`).
    pub destroy: unsafe extern "C" fn(instance: *mut c_void),
}

/// Where a plugin writes an error message: `capacity` bytes at `bytes`; the plugin sets `length`
/// (UTF-8, truncated to `capacity`).
#[repr(C)]
pub struct ErrorBuffer {
    /// The host's buffer.
    pub bytes: *mut u8,
    /// Its size.
    pub capacity: u32,
    /// Bytes written.
    pub length: u32,
}

/// One frame: metadata and a payload pointer into a frame-pool slot.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct FrameView {
    /// Kind and format (see [`kind`]); 0 for "no frame".
    pub tag: u32,
    /// Bit flags ([`FLAG_KEYFRAME`]).
    pub flags: u32,
    /// Video: width in pixels.
    pub width: u32,
    /// Video: height in pixels.
    pub height: u32,
    /// Video: bytes per row of the first plane.
    pub stride: u32,
    /// Audio: samples per channel.
    pub frame_count: u32,
    /// Monotonic media-clock time in nanoseconds.
    pub timestamp_ns: f64,
    /// The source's frame counter.
    pub frame_number: f64,
    /// Audio: samples per second.
    pub sample_rate: f64,
    /// The payload. Inputs: read-only, `length` bytes. Outputs: writable, `capacity` bytes. Null
    /// when there is no frame (input) or no slot (output not connected, pool exhausted).
    pub data: *mut u8,
    /// Payload bytes (inputs: as received; outputs: set by the plugin, 0 emits nothing).
    pub length: u32,
    /// Outputs: bytes available at `data`. Inputs: equal to `length`.
    pub capacity: u32,
}

impl FrameView {
    /// A view with no frame.
    pub const EMPTY: FrameView = FrameView {
        tag: 0,
        flags: 0,
        width: 0,
        height: 0,
        stride: 0,
        frame_count: 0,
        timestamp_ns: 0.0,
        frame_number: 0.0,
        sample_rate: 0.0,
        data: std::ptr::null_mut(),
        length: 0,
        capacity: 0,
    };
}

/// The frames of one `process` call. `inputs[i]` is input port `i` (descriptor order), with
/// `data` null when no frame arrived on it for this call; `outputs[i]` is output port `i`.
///
/// The host sets `dropped` and `next_call_in_ns` to 0 before each call and reads them after it
/// returns [`STATUS_OK`] (ABI 2; a version 1 plugin leaves them 0).
#[repr(C)]
pub struct ProcessCall {
    /// Input frames, `input_count` of them.
    pub inputs: *const FrameView,
    /// Number of inputs.
    pub input_count: u32,
    /// Output frames, `output_count` of them; fill `length` and the metadata to emit.
    pub outputs: *mut FrameView,
    /// Number of outputs.
    pub output_count: u32,
    /// Set by the plugin (ABI 2): frames it dropped in this call on purpose (an input it did not
    /// use, a frame it had to skip). The host adds them to the node's `framesDropped`.
    pub dropped: u32,
    /// Set by the plugin (ABI 2): the least time, in nanoseconds, before the host calls a source
    /// (a processor without inputs) again; 0 calls it again as soon as its outputs have room.
    /// Ignored for processors with inputs, which are called when a frame arrives.
    pub next_call_in_ns: u64,
}
