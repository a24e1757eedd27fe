//! The SDK for streamlib native plugins: a processor is a struct, a [`NativeProcessor`] impl and
//! one [`export_plugin!`] line.
//!
//! - [`abi`] — the plugin C ABI: the descriptor the library exports, frame views, statuses.
//! - [`NativeProcessor`] — what a processor implements: its [`ProcessorSpec`], `create` from a
//!   [`Config`], and `process` over [`Frames`].
//! - [`Frames`] — safe, checked access to a call's frames: [`InputFrame::video`] /
//!   [`InputFrame::audio`] read payloads in place, [`OutputFrame::emit_video`] /
//!   [`OutputFrame::emit_audio`] write them in place into the host's slots.
//!   [`Frames::count_dropped`] reports frames dropped on purpose, and a source (a processor
//!   without inputs, plugin ABI 2) paces itself with [`Frames::next_call_in`].
//! - [`export_plugin!`] — generates `streamlib_plugin_entry` and `extern "C"` trampolines that
//!   catch panics ([`export`]).
//! - [`spec::validate_descriptor`] and [`testing`] — for the plugin's own tests.
//!
//! Nothing the host passes is trusted into undefined behaviour: null and misaligned pointers,
//! overlapping buffers, payloads shorter than their metadata and frames larger than their slot
//! are errors.
//!
//! # Examples
//!
//! A plugin with one processor that inverts mono audio:
//!
//! ```
//! use streamlib_plugin::{Config, Frames, NativeProcessor, PortSpec, ProcessorSpec};
//!
//! /// Multiplies mono audio by -1 (or by `scale`).
//! pub struct Flip {
//!     scale: f32,
//! }
//!
//! impl NativeProcessor for Flip {
//!     fn descriptor() -> ProcessorSpec {
//!         // `const` makes the port slices `'static`.
//!         const {
//!             ProcessorSpec {
//!                 name: "Flip",
//!                 description: "Inverts the polarity of mono audio.",
//!                 tags: &["audio", "filter"],
//!                 inputs: &[PortSpec::input("in", "AudioFrame<1>", "Audio to flip.", true)],
//!                 outputs: &[PortSpec::output("out", "AudioFrame<1>", "Flipped audio.")],
//!                 config_schema: r#"{
//!                     "type": "object",
//!                     "properties": {"scale": {"type": "number", "default": -1}},
//!                     "additionalProperties": false
//!                 }"#,
//!             }
//!         }
//!     }
//!
//!     fn create(config: &Config) -> Result<Self, String> {
//!         Ok(Flip { scale: config.f64_or("scale", -1.0)? as f32 })
//!     }
//!
//!     fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
//!         let Some(input) = frames.input(0) else { return Ok(()) };
//!         let audio = input.audio()?;
//!         let Some(mut out) = frames.output(0) else { return Ok(()) };
//!         out.emit_audio(audio.layout(), audio.timing(), |samples| {
//!             for (o, i) in samples.iter_mut().zip(audio.samples) {
//!                 *o = i * self.scale;
//!             }
//!         })?;
//!         Ok(())
//!     }
//! }
//!
//! streamlib_plugin::export_plugin!(name = "flip_plugin", version = "0.1.0", processors = [Flip]);
//!
//! assert_eq!(streamlib_plugin::spec::validate_descriptor::<Flip>(), Ok(()));
//! // SAFETY: the entry function returns a pointer to a static descriptor.
//! let descriptor = unsafe { &*streamlib_plugin_entry() };
//! assert_eq!(descriptor.abi_version, streamlib_plugin::abi::PLUGIN_ABI_VERSION);
//! assert_eq!(descriptor.processor_count, 1);
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

// Audio payloads are little-endian f32 read in place.
#[cfg(target_endian = "big")]
compile_error!(
    "streamlib_plugin reads little-endian f32 audio in place: big-endian targets are not supported"
);

pub mod abi;
pub mod config;
pub mod error_buffer;
pub mod export;
pub mod format;
pub mod frames;
pub mod input;
pub mod output;
pub mod spec;
pub mod testing;

pub use config::{Config, ConfigError};
pub use format::{AudioLayout, PixelFormat, Timing, VideoLayout};
pub use frames::{FrameError, Frames};
pub use input::{AudioIn, InputFrame, VideoIn};
pub use output::OutputFrame;
pub use spec::{PortSpec, ProcessorSpec};

/// A processor type of a native plugin.
///
/// The host creates an instance per node from its config, calls `process` on one thread at a
/// time (`Send`: not always the same thread), and drops it when the node stops. Errors and panics
/// from any method reach the host as messages; they never unwind into it.
pub trait NativeProcessor: Send + Sized + 'static {
    /// The processor's name, ports and config schema. Called when the plugin's descriptor is
    /// built and on each `process` call (for port names in messages), so keep it cheap: a
    /// struct of `'static` data. Write the body as `const { ProcessorSpec { .. } }`: in a
    /// `const` block, port slices built with [`PortSpec::input`] and [`PortSpec::output`] are
    /// `'static` (outside one, `&[PortSpec::input(..)]` is a temporary and does not compile).
    fn descriptor() -> ProcessorSpec;

    /// Creates an instance from its config (already validated against the schema by the host;
    /// fields with defaults may be absent).
    ///
    /// # Errors
    ///
    /// A message for the user: the node fails to start with it.
    fn create(config: &Config) -> Result<Self, String>;

    /// Processes one call: reads the frames that arrived on the inputs and emits frames on the
    /// outputs. Outputs not emitted send nothing.
    ///
    /// # Errors
    ///
    /// A message for the user; nothing is emitted for this call.
    fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String>;
}
