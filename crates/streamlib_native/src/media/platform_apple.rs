//! macOS: VideoToolbox H.264 encoding and AVFoundation cameras and microphones; no screen capture
//! in this build. See [`crate::media::platform`] for the function list.
//!
//! Written against the objc2 framework crates. Type-checked and linted for aarch64-apple-darwin
//! and x86_64-apple-darwin on Linux by `deno task check:apple` (in CI); never linked or run in
//! this project's CI, which has no Mac (see `docs/platforms.md`).

#[path = "capture_apple.rs"]
mod capture_apple;
#[path = "capture_format_apple.rs"]
mod capture_format_apple;
#[path = "encoder_videotoolbox_apple.rs"]
mod encoder_videotoolbox;

use crate::error_text::ErrorText;
use crate::media::capture::{Capture, CaptureSettings, CaptureSink, DeviceInfo, DeviceKind};
use crate::media::encoder::{Backend, EncoderSettings, VideoEncoder};
use crate::status::{Error, ErrorKind};

/// The OS, as error messages name it.
pub const OS: &str = "macos";

/// A VideoToolbox encoder; for the `auto` backend it must be a hardware one.
///
/// # Errors
///
/// [`ErrorKind::Unsupported`] when VideoToolbox refuses the session.
pub fn hardware_h264_encoder(settings: &EncoderSettings) -> Result<Box<dyn VideoEncoder>, Error> {
    let require_hardware = settings.backend == Backend::Auto;
    Ok(Box::new(encoder_videotoolbox::VideoToolboxEncoder::new(
        settings,
        require_hardware,
    )?))
}

/// Screens are captured with X11 on Linux only.
///
/// # Errors
///
/// Always [`ErrorKind::Unsupported`].
pub fn open_screen(_: &str, _: &CaptureSettings, _: CaptureSink) -> Result<Capture, Error> {
    Err(ErrorKind::Unsupported {
        what: "screen capture on macos",
        detail: ErrorText::new("screens are captured from X11 on Linux only"),
    }
    .into())
}

/// Starts an AVFoundation camera capture.
///
/// # Errors
///
/// See `capture_apple::open_camera`.
pub fn open_camera(
    device: &str,
    settings: &CaptureSettings,
    sink: CaptureSink,
) -> Result<Capture, Error> {
    capture_apple::open_camera(device, settings, sink)
}

/// Starts an AVFoundation microphone capture.
///
/// # Errors
///
/// See `capture_apple::open_microphone`.
pub fn open_microphone(
    device: &str,
    settings: &CaptureSettings,
    sink: CaptureSink,
) -> Result<Capture, Error> {
    capture_apple::open_microphone(device, settings, sink)
}

/// The cameras or microphones AVFoundation sees; no screens.
///
/// # Errors
///
/// [`ErrorKind::Unsupported`] for screens.
pub fn list_devices(kind: DeviceKind, _display: &str) -> Result<Vec<DeviceInfo>, Error> {
    match kind {
        DeviceKind::Camera => Ok(capture_apple::list(true)),
        DeviceKind::Microphone => Ok(capture_apple::list(false)),
        DeviceKind::Screen => Err(ErrorKind::Unsupported {
            what: "screen listing on macos",
            detail: ErrorText::new("screens are captured from X11 on Linux only"),
        }
        .into()),
    }
}
