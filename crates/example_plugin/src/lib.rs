//! An example streamlib native plugin, written with the `streamlib_plugin` SDK.
//!
//! - [`NativeInvert`] — inverts the colours of RGBA or BGRA video.
//! - [`NativeGain`] — multiplies stereo audio by a gain, like streamlib's built-in `Gain`.
//! - [`NativeTone`] — a source (plugin ABI 2): a stereo sine tone paced to real time.
//!
//! `cargo build --release -p streamlib_example_plugin` builds
//! `crates/target/release/libstreamlib_example_plugin.so` (`.dylib` on macOS). See `README.md`.
//!
//! # Examples
//!
//! ```
//! use streamlib_example_plugin::streamlib_plugin_entry;
//!
//! // SAFETY: the entry returns a pointer to a static descriptor.
//! let plugin = unsafe { &*streamlib_plugin_entry() };
//! assert_eq!(plugin.abi_version, streamlib_plugin::abi::PLUGIN_ABI_VERSION);
//! assert_eq!(plugin.processor_count, 3);
//! ```

mod gain;
mod invert;
mod tone;

pub use gain::NativeGain;
pub use invert::NativeInvert;
pub use tone::NativeTone;

streamlib_plugin::export_plugin!(
    name = "streamlib_example_plugin",
    version = env!("CARGO_PKG_VERSION"),
    processors = [NativeInvert, NativeGain, NativeTone],
);
