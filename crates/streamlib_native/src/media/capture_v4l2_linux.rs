//! Camera capture from Video4Linux2 devices (`/dev/video*`) with the pure-Rust `linuxvideo`
//! crate: memory-mapped streaming I/O, each frame converted natively to I420 straight into a
//! frame-pool slot.
//!
//! Camera formats taken, in order of preference: `YU12` (I420, copied), `NV12` (de-interleaved),
//! `YUYV` (4:2:2, chroma averaged over row pairs). Cameras that only offer compressed formats
//! (MJPEG) are refused with `SL_ERR_UNSUPPORTED`. The driver may adjust the requested size; the
//! size it chose is the capture's size (`sl_capture_stats`).
//!
//! Not run on the CI machines (they have no camera); see `docs/platforms.md`.

use std::io;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use linuxvideo::format::{FrameSizes, PixFormat, PixelFormat as V4l2Format};
use linuxvideo::stream::ReadStream;
use linuxvideo::{BufType, CapabilityFlags, Device, Fract};

use crate::error_text::ErrorText;
use crate::media::capture::{
    CaptureSettings, CaptureSink, DeviceInfo, DeviceMode, FrameSource, monotonic_now_ns,
};
use crate::media::color_convert::{copy_plane, nv12_to_i420, yuyv_to_i420};
use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

const YU12: V4l2Format = V4l2Format::from_fourcc(*b"YU12");
const NV12: V4l2Format = V4l2Format::from_fourcc(*b"NV12");
const YUYV: V4l2Format = V4l2Format::YUYV;

/// Camera formats this capture converts, best first.
const TAKEN: [V4l2Format; 3] = [YU12, NV12, YUYV];

/// Default size asked for when the settings leave it at 0.
const DEFAULT_SIZE: (u32, u32) = (640, 480);

fn fourcc_name(format: V4l2Format) -> String {
    String::from_utf8_lossy(&format.as_fourcc()).into_owned()
}

/// Maps an OS error while opening `path` to the typed error a caller can act on.
fn open_error(path: &str, error: &io::Error) -> Error {
    let detail = ErrorText::format(format_args!("{path}: {error}"));
    match error.kind() {
        io::ErrorKind::NotFound => ErrorKind::DeviceNotFound {
            what: "camera",
            detail,
        }
        .into(),
        io::ErrorKind::PermissionDenied => ErrorKind::PermissionDenied {
            what: "camera",
            detail,
        }
        .into(),
        _ => ErrorKind::Device {
            what: "V4L2 camera open",
            detail,
        }
        .into(),
    }
}

fn device_error(operation: &str, error: impl std::fmt::Display) -> Error {
    ErrorKind::Device {
        what: "V4L2 camera capture",
        detail: ErrorText::format(format_args!("{operation}: {error}")),
    }
    .into()
}

fn is_camera(device: &Device) -> bool {
    device.capabilities().is_ok_and(|c| {
        c.device_capabilities()
            .contains(CapabilityFlags::VIDEO_CAPTURE)
    })
}

/// `""` is the first camera, `"2"` is `/dev/video2`, anything else a path.
fn resolve(device: &str) -> Result<PathBuf, Error> {
    if device.is_empty() {
        let cameras = list_cameras()?;
        return cameras
            .first()
            .map(|c| PathBuf::from(&c.id))
            .ok_or_else(|| {
                ErrorKind::DeviceNotFound {
                    what: "camera",
                    detail: ErrorText::new("no V4L2 video capture device in /dev"),
                }
                .into()
            });
    }
    if device.chars().all(|c| c.is_ascii_digit()) {
        return Ok(PathBuf::from(format!("/dev/video{device}")));
    }
    Ok(PathBuf::from(device))
}

/// An open, streaming V4L2 camera.
pub struct V4l2Camera {
    stream: ReadStream,
    source: V4l2Format,
    width: u32,
    height: u32,
    stride: u32,
}

impl V4l2Camera {
    /// Opens `device` and starts streaming at (about) the requested size and rate.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::DeviceNotFound`] for a missing device, [`ErrorKind::PermissionDenied`] for
    /// one the user may not open, [`ErrorKind::Unsupported`] for a device that is not a camera
    /// or offers none of the formats this capture converts, [`ErrorKind::UnknownCode`] for an
    /// output format other than I420, [`ErrorKind::Device`] when the driver fails.
    pub fn open(device: &str, settings: &CaptureSettings) -> Result<Self, Error> {
        if settings.format != PixelFormat::I420 {
            return Err(ErrorKind::UnknownCode {
                what: "V4L2 camera output pixel format",
                value: settings.format.code(),
                valid: "2 (I420)",
            }
            .into());
        }
        let path = resolve(device)?;
        let label = path.display().to_string();
        let opened = Device::open(&path).map_err(|e| open_error(&label, &e))?;
        if !is_camera(&opened) {
            return Err(ErrorKind::Unsupported {
                what: "V4L2 device",
                detail: ErrorText::format(format_args!("{label} cannot capture video")),
            }
            .into());
        }
        let offered: Vec<V4l2Format> = opened
            .formats(BufType::VIDEO_CAPTURE)
            .filter_map(Result::ok)
            .map(|d| d.pixel_format())
            .collect();
        let Some(source) = TAKEN.into_iter().find(|f| offered.contains(f)) else {
            let names: Vec<String> = offered.iter().map(|&f| fourcc_name(f)).collect();
            return Err(ErrorKind::Unsupported {
                what: "camera format",
                detail: ErrorText::format(format_args!(
                    "{label} offers {}, this capture takes YU12, NV12 or YUYV",
                    names.join(", ")
                )),
            }
            .into());
        };
        let (width, height) = if settings.width == 0 || settings.height == 0 {
            DEFAULT_SIZE
        } else {
            (settings.width, settings.height)
        };
        let capture = opened
            .video_capture(PixFormat::new(width, height, source))
            .map_err(|e| device_error("set format", e))?;
        let negotiated = capture.format();
        let (width, height) = (negotiated.width(), negotiated.height());
        if negotiated.pixel_format() != source || width % 2 != 0 || height % 2 != 0 {
            return Err(ErrorKind::Unsupported {
                what: "camera mode",
                detail: ErrorText::format(format_args!(
                    "the driver chose {} {width}x{height}",
                    fourcc_name(negotiated.pixel_format())
                )),
            }
            .into());
        }
        let stride = negotiated.bytes_per_line();
        if settings.fps > 0.0 {
            // Best effort: many drivers only take their listed intervals, and say which they chose.
            let _ = capture.set_frame_interval(Fract::new(1000, (settings.fps * 1000.0) as u32));
        }
        let stream = capture
            .into_stream()
            .map_err(|e| device_error("start streaming", e))?;
        Ok(Self {
            stream,
            source,
            width,
            height,
            stride,
        })
    }

    /// Width and height the driver chose.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Waits up to 100 ms for a filled buffer. Returns `false` on timeout.
    fn wait_readable(&self) -> Result<bool, Error> {
        let mut poll = libc::pollfd {
            fd: self.stream.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: `poll` is one valid pollfd and the count says so.
        let ready = unsafe { libc::poll(&raw mut poll, 1, 100) };
        if ready < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                return Ok(false);
            }
            return Err(device_error("poll", error));
        }
        Ok(ready > 0)
    }
}

impl FrameSource for V4l2Camera {
    fn capture_one(&mut self, sink: &mut CaptureSink, stop: &AtomicBool) -> Result<(), Error> {
        if stop.load(Ordering::Relaxed) || !self.wait_readable()? {
            return Ok(());
        }
        let timestamp_ns = monotonic_now_ns();
        let (w, h, stride) = (
            self.width as usize,
            self.height as usize,
            self.stride as usize,
        );
        let source = self.source;
        let bytes = PixelFormat::I420.frame_bytes(self.width, self.height);
        let mut result = Ok(false);
        self.stream
            .dequeue(|buffer| {
                if buffer.is_error() {
                    return Ok(());
                }
                let data: &[u8] = &buffer;
                result = sink.publish(PixelFormat::I420.code(), bytes, timestamp_ns, |dst| {
                    let needed = match source {
                        YUYV => stride * h,
                        _ => stride * h + 2 * (stride / 2) * (h / 2),
                    };
                    if data.len() < needed {
                        return Err(device_error(
                            "dequeue",
                            format_args!("{} bytes, expected {needed}", data.len()),
                        ));
                    }
                    match source {
                        YUYV => yuyv_to_i420(data, stride, w, h, dst),
                        NV12 if stride == w => nv12_to_i420(data, w, h, dst),
                        _ => {
                            // YU12, or NV12 with padded rows: copy plane by plane.
                            let (luma, rest) = dst.split_at_mut(w * h);
                            copy_plane(data, stride, w, h, luma);
                            let chroma = &data[stride * h..];
                            if source == NV12 {
                                let mut packed = vec![0u8; w * (h / 2)];
                                copy_plane(chroma, stride, w, h / 2, &mut packed);
                                let (u, v) = rest.split_at_mut((w / 2) * (h / 2));
                                for ((pair, u), v) in
                                    packed.chunks_exact(2).zip(u.iter_mut()).zip(v.iter_mut())
                                {
                                    *u = pair[0];
                                    *v = pair[1];
                                }
                            } else {
                                let half = stride / 2;
                                let (u, v) = rest.split_at_mut((w / 2) * (h / 2));
                                copy_plane(chroma, half, w / 2, h / 2, u);
                                copy_plane(&chroma[half * (h / 2)..], half, w / 2, h / 2, v);
                            }
                        }
                    }
                    Ok(())
                });
                Ok(())
            })
            .map_err(|e| device_error("dequeue", e))?;
        result.map(drop)
    }
}

/// The V4L2 devices that capture video, with their sizes in the formats this capture takes.
///
/// # Errors
///
/// [`ErrorKind::Device`] when `/dev` cannot be read.
pub fn list_cameras() -> Result<Vec<DeviceInfo>, Error> {
    let devices = linuxvideo::list().map_err(|e| device_error("list /dev", e))?;
    let mut cameras = Vec::new();
    for device in devices.flatten() {
        if !is_camera(&device) {
            continue;
        }
        let Ok(path) = device.path() else { continue };
        let name = device
            .capabilities()
            .map(|c| c.card().to_owned())
            .unwrap_or_default();
        let mut modes = Vec::new();
        for format in device
            .formats(BufType::VIDEO_CAPTURE)
            .filter_map(Result::ok)
            .map(|d| d.pixel_format())
        {
            let sizes: Vec<(u32, u32)> = match device.frame_sizes(format) {
                Ok(FrameSizes::Discrete(sizes)) => {
                    sizes.iter().map(|s| (s.width(), s.height())).collect()
                }
                Ok(other) => vec![(other.max_width(), other.max_height())],
                Err(_) => Vec::new(),
            };
            for (width, height) in sizes {
                modes.push(DeviceMode {
                    width,
                    height,
                    rate: 0.0,
                    format: fourcc_name(format),
                });
            }
        }
        cameras.push(DeviceInfo {
            id: path.display().to_string(),
            name,
            modes,
        });
    }
    cameras.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(cameras)
}
