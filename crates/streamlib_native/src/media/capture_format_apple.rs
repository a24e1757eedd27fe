//! Choosing an AVFoundation camera format and frame duration for a requested size and rate, and
//! describing what a camera offers (for device listing and for the errors that name it).
//!
//! Everything is checked here, before the device is touched: `-[AVCaptureDevice setActiveFormat:]`
//! and `setActiveVideoMin/MaxFrameDuration:` throw an Objective-C exception (which would abort the
//! process) for a format the device does not list or a duration outside the active format's
//! `videoSupportedFrameRateRanges`, so only values taken from those lists are ever set.
//!
//! Type-checked and linted for the Apple targets on Linux (`deno task check:apple`); never run in
//! this project's CI (see `docs/platforms.md`).

use objc2::rc::Retained;
use objc2_av_foundation::{AVCaptureDevice, AVCaptureDeviceFormat, AVFrameRateRange};
use objc2_core_media::{CMTime, CMVideoFormatDescriptionGetDimensions};

use crate::error_text::ErrorText;
use crate::media::capture::{CaptureSettings, DeviceMode};
use crate::status::{Error, ErrorKind};

/// How far (frames per second) a requested rate may lie outside a range and still be taken as
/// its end (ranges are often reported as 30.000030 or 29.970030).
const RATE_TOLERANCE: f64 = 0.01;

/// The camera format and frame duration to set under the device's configuration lock.
pub struct VideoChoice {
    /// The format to make active, one of the device's `formats`; `None` keeps the active one.
    pub format: Option<Retained<AVCaptureDeviceFormat>>,
    /// The min and max frame duration to set (equal: a fixed rate), from one of the format's
    /// frame rate ranges; `None` keeps the format's default.
    pub frame_duration: Option<CMTime>,
    /// Frame width of the chosen format.
    pub width: u32,
    /// Frame height of the chosen format.
    pub height: u32,
}

/// The frame size of a camera format.
pub fn dimensions(format: &AVCaptureDeviceFormat) -> (u32, u32) {
    // SAFETY: `formatDescription` is a read-only property of a live format, and a camera
    // format's description is a video format description, which GetDimensions takes.
    let dims = unsafe { CMVideoFormatDescriptionGetDimensions(&format.formatDescription()) };
    (
        u32::try_from(dims.width).unwrap_or(0),
        u32::try_from(dims.height).unwrap_or(0),
    )
}

/// The format's pixel format as its four-character code (`"420v"`, `"yuvs"`, `"BGRA"`).
pub fn fourcc(format: &AVCaptureDeviceFormat) -> String {
    // SAFETY: read-only properties of a live format and its format description.
    let code = unsafe { format.formatDescription().media_sub_type() };
    String::from_utf8_lossy(&code.to_be_bytes()).into_owned()
}

fn rate_ranges(format: &AVCaptureDeviceFormat) -> Vec<Retained<AVFrameRateRange>> {
    // SAFETY: a read-only property of a live format.
    unsafe { format.videoSupportedFrameRateRanges() }
        .iter()
        .collect()
}

/// `(min, max)` frames per second of a range.
fn rates(range: &AVFrameRateRange) -> (f64, f64) {
    // SAFETY: read-only properties of a live range.
    unsafe { (range.minFrameRate(), range.maxFrameRate()) }
}

/// The highest rate any range of `format` reaches.
fn max_rate(format: &AVCaptureDeviceFormat) -> f64 {
    rate_ranges(format)
        .iter()
        .map(|range| rates(range).1)
        .fold(0.0, f64::max)
}

/// The modes of a camera: one per format, at its highest rate.
pub fn modes(device: &AVCaptureDevice) -> Vec<DeviceMode> {
    // SAFETY: a read-only property of a live device.
    let formats = unsafe { device.formats() };
    formats
        .iter()
        .map(|format| {
            let (width, height) = dimensions(&format);
            DeviceMode {
                width,
                height,
                rate: max_rate(&format),
                format: fourcc(&format),
            }
        })
        .collect()
}

/// The frame duration for `fps` within `range`: the range's own end durations when `fps` is at
/// an end (they are exact, where `1/fps` rounded may fall just outside), else `1000 / (fps *
/// 1000)` seconds.
fn duration_in(range: &AVFrameRateRange, fps: f64) -> Option<CMTime> {
    let (min, max) = rates(range);
    if fps < min - RATE_TOLERANCE || fps > max + RATE_TOLERANCE {
        return None;
    }
    // SAFETY: read-only properties of a live range; CMTimeMake has no preconditions.
    unsafe {
        Some(if (fps - max).abs() <= RATE_TOLERANCE {
            range.minFrameDuration()
        } else if (fps - min).abs() <= RATE_TOLERANCE {
            range.maxFrameDuration()
        } else {
            CMTime::new(1000, (fps * 1000.0).round() as i32)
        })
    }
}

/// Picks the format of `device` for `settings`: exactly `width` x `height` (0 x 0: the active
/// format), taking `settings.fps` (0: the format's default rate), and preferring the one whose
/// own pixel format is `delivered` (no conversion in the capture pipeline).
///
/// # Errors
///
/// [`ErrorKind::Unsupported`] naming what was asked and what the camera offers: a size none of
/// its formats has (`camera size`), or a rate none of that size's formats takes
/// (`camera frame rate`).
pub fn choose(
    device: &AVCaptureDevice,
    name: &str,
    settings: &CaptureSettings,
    delivered: u32,
) -> Result<VideoChoice, Error> {
    let sized = settings.width > 0 && settings.height > 0;
    let mut candidates: Vec<Retained<AVCaptureDeviceFormat>> = if sized {
        // SAFETY: a read-only property of a live device.
        unsafe { device.formats() }
            .iter()
            .filter(|format| dimensions(format) == (settings.width, settings.height))
            .collect()
    } else {
        // SAFETY: as above.
        vec![unsafe { device.activeFormat() }]
    };
    if candidates.is_empty() {
        let mut sizes: Vec<(u32, u32)> = modes(device)
            .iter()
            .map(|mode| (mode.width, mode.height))
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        let sizes: Vec<String> = sizes.iter().map(|(w, h)| format!("{w}x{h}")).collect();
        return Err(ErrorKind::Unsupported {
            what: "camera size",
            detail: ErrorText::format(format_args!(
                "{}x{} not offered by {name}; sizes: {}",
                settings.width,
                settings.height,
                sizes.join(", ")
            )),
        }
        .into());
    }
    let delivered = delivered.to_be_bytes();
    let delivered = String::from_utf8_lossy(&delivered);
    // Formats in the pixel format the output delivers first (stable: the device's order after).
    candidates.sort_by_key(|format| fourcc(format) != delivered);
    let (width, height) = dimensions(&candidates[0]);
    if settings.fps <= 0.0 {
        let format = sized.then(|| candidates.swap_remove(0));
        return Ok(VideoChoice {
            format,
            frame_duration: None,
            width,
            height,
        });
    }
    for format in &candidates {
        if let Some(duration) = rate_ranges(format)
            .iter()
            .find_map(|range| duration_in(range, settings.fps))
        {
            return Ok(VideoChoice {
                format: Some(format.clone()),
                frame_duration: Some(duration),
                width,
                height,
            });
        }
    }
    let ranges: Vec<String> = candidates
        .iter()
        .flat_map(|format| rate_ranges(format))
        .map(|range| match rates(&range) {
            (min, max) if (max - min).abs() <= RATE_TOLERANCE => format!("{max:.2}"),
            (min, max) => format!("{min:.2}-{max:.2}"),
        })
        .collect();
    Err(ErrorKind::Unsupported {
        what: "camera frame rate",
        detail: ErrorText::format(format_args!(
            "{} fps at {width}x{height} on {name}; rates: {}",
            settings.fps,
            ranges.join(", ")
        )),
    }
    .into())
}
