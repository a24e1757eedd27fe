//! Operating systems other than Linux and macOS: OpenH264 and Opus work, capture and hardware
//! encoding do not. See [`crate::media::platform`] for the function list.

use crate::error_text::ErrorText;
use crate::media::capture::{Capture, CaptureSettings, CaptureSink, DeviceInfo, DeviceKind};
use crate::media::encoder::{EncoderSettings, VideoEncoder};
use crate::status::{Error, ErrorKind};

/// The OS, as error messages name it.
pub const OS: &str = std::env::consts::OS;

fn unsupported(what: &'static str) -> Error {
    ErrorKind::Unsupported {
        what,
        detail: ErrorText::format(format_args!(
            "not available on {OS}; capture needs Linux (X11, V4L2) or macOS (AVFoundation)"
        )),
    }
    .into()
}

/// No hardware encoder here.
///
/// # Errors
///
/// Always [`ErrorKind::Unsupported`].
pub fn hardware_h264_encoder(_: &EncoderSettings) -> Result<Box<dyn VideoEncoder>, Error> {
    Err(ErrorKind::Unsupported {
        what: "encoder backend 'videotoolbox'",
        detail: ErrorText::new("VideoToolbox exists only on macOS; use 'openh264' or 'auto'"),
    }
    .into())
}

/// No screen capture here.
///
/// # Errors
///
/// Always [`ErrorKind::Unsupported`].
pub fn open_screen(_: &str, _: &CaptureSettings, _: CaptureSink) -> Result<Capture, Error> {
    Err(unsupported("screen capture"))
}

/// No camera capture here.
///
/// # Errors
///
/// Always [`ErrorKind::Unsupported`].
pub fn open_camera(_: &str, _: &CaptureSettings, _: CaptureSink) -> Result<Capture, Error> {
    Err(unsupported("camera capture"))
}

/// No microphone capture here.
///
/// # Errors
///
/// Always [`ErrorKind::Unsupported`].
pub fn open_microphone(_: &str, _: &CaptureSettings, _: CaptureSink) -> Result<Capture, Error> {
    Err(unsupported("microphone capture"))
}

/// No devices here.
///
/// # Errors
///
/// Always [`ErrorKind::Unsupported`].
pub fn list_devices(_: DeviceKind, _: &str) -> Result<Vec<DeviceInfo>, Error> {
    Err(unsupported("device listing"))
}
