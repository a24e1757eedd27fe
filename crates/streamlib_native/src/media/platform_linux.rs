//! Linux: X11 screen capture and V4L2 cameras; no hardware H.264 encoder and no microphone
//! capture in this build. See [`crate::media::platform`] for the function list.

#[path = "capture_v4l2_linux.rs"]
mod capture_v4l2;
#[path = "capture_x11_linux.rs"]
mod capture_x11;

use crate::error_text::ErrorText;
use crate::media::capture::{
    Capture, CaptureSettings, CaptureSink, DeviceInfo, DeviceKind, ThreadCapture,
};
use crate::media::encoder::{EncoderSettings, VideoEncoder};
use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

/// The OS, as error messages name it.
pub const OS: &str = "linux";

/// VideoToolbox exists only on macOS.
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

/// Starts capturing a region of an X11 screen on a thread of its own.
///
/// # Errors
///
/// See `X11Screen::open`; [`ErrorKind::BufferTooSmall`] when a frame does not fit a pool slot.
pub fn open_screen(
    display: &str,
    settings: &CaptureSettings,
    sink: CaptureSink,
) -> Result<Capture, Error> {
    let screen = capture_x11::X11Screen::open(display, settings)?;
    let (width, height) = screen.size();
    sink.check_fits(screen.format().frame_bytes(width, height))?;
    let shared = std::sync::Arc::clone(sink.shared());
    shared.set_video(width, height, screen.format());
    let thread = ThreadCapture::spawn("streamlib-x11-capture", screen, sink)?;
    Ok(Capture::new(Box::new(thread), shared))
}

/// Starts capturing a V4L2 camera on a thread of its own.
///
/// # Errors
///
/// See `V4l2Camera::open`; [`ErrorKind::BufferTooSmall`] when a frame does not fit a pool slot.
pub fn open_camera(
    device: &str,
    settings: &CaptureSettings,
    sink: CaptureSink,
) -> Result<Capture, Error> {
    let camera = capture_v4l2::V4l2Camera::open(device, settings)?;
    let (width, height) = camera.size();
    sink.check_fits(PixelFormat::I420.frame_bytes(width, height))?;
    let shared = std::sync::Arc::clone(sink.shared());
    shared.set_video(width, height, PixelFormat::I420);
    let thread = ThreadCapture::spawn("streamlib-v4l2-capture", camera, sink)?;
    Ok(Capture::new(Box::new(thread), shared))
}

/// Microphones are captured on macOS only.
///
/// # Errors
///
/// Always [`ErrorKind::Unsupported`].
pub fn open_microphone(_: &str, _: &CaptureSettings, _: CaptureSink) -> Result<Capture, Error> {
    Err(ErrorKind::Unsupported {
        what: "microphone capture on linux",
        detail: ErrorText::new("microphones are captured with AVFoundation on macOS only"),
    }
    .into())
}

/// The cameras (V4L2) or the screens of X11 `display` (empty: `$DISPLAY`); no microphones.
///
/// # Errors
///
/// [`ErrorKind::Unsupported`] for microphones, [`ErrorKind::DeviceNotFound`] for screens when
/// no X display can be reached.
pub fn list_devices(kind: DeviceKind, display: &str) -> Result<Vec<DeviceInfo>, Error> {
    match kind {
        DeviceKind::Camera => capture_v4l2::list_cameras(),
        DeviceKind::Screen => capture_x11::list_screens(display),
        DeviceKind::Microphone => Err(ErrorKind::Unsupported {
            what: "microphone listing on linux",
            detail: ErrorText::new("microphones are captured with AVFoundation on macOS only"),
        }
        .into()),
    }
}
