//! The OS-specific half of [`crate::media`], chosen once here by file suffix: `platform_linux.rs`
//! (X11 screens, V4L2 cameras), `platform_apple.rs` (VideoToolbox, AVFoundation cameras and
//! microphones) or `platform_other.rs` (none of these). Each defines the same functions, listed
//! below; shared code calls them and never tests the OS itself.
//!
//! - `OS: &str` — the OS name used in "not supported on this OS" messages.
//! - `hardware_h264_encoder(&EncoderSettings) -> Result<Box<dyn VideoEncoder>, Error>`
//! - `open_screen(display: &str, &CaptureSettings, CaptureSink) -> Result<Capture, Error>`
//! - `open_camera(device: &str, &CaptureSettings, CaptureSink) -> Result<Capture, Error>`
//! - `open_microphone(device: &str, &CaptureSettings, CaptureSink) -> Result<Capture, Error>`
//! - `list_devices(DeviceKind, display: &str) -> Result<Vec<DeviceInfo>, Error>`

#[cfg(target_os = "linux")]
#[path = "platform_linux.rs"]
mod os;

#[cfg(target_os = "macos")]
#[path = "platform_apple.rs"]
mod os;

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
#[path = "platform_other.rs"]
mod os;

pub use os::{OS, hardware_h264_encoder, list_devices, open_camera, open_microphone, open_screen};
