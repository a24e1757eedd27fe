//! Camera and microphone capture on macOS with AVFoundation: device listing, choosing a device
//! (by unique ID, or the default) and a format, the permission check (denied access is
//! `SL_ERR_PERMISSION_DENIED`), and an `AVCaptureSession` whose sample-buffer delegate writes each
//! frame into a frame-pool slot and pushes its message on the ring. The delegate runs on a serial
//! dispatch queue of its own; nothing calls into JS.
//!
//! Written against `objc2-av-foundation` 0.3 and friends; it has never been compiled or run in
//! this project's CI, which is Linux only (see `docs/platforms.md`).
//!
//! Video is delivered by AVFoundation as NV12 (`420v`) or BGRA and copied or converted into the
//! requested I420, NV12, BGRA or RGBA; audio as interleaved 32-bit float PCM at the requested rate
//! and channel count (AVFoundation converts). Timestamps are the sample buffers' presentation times
//! on the host clock, moved onto this library's monotonic clock.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dispatch2::{DispatchQueue, DispatchQueueAttr, DispatchRetained};
use objc2::rc::Retained;
use objc2::runtime::{AnyObject, Bool, NSObject, NSObjectProtocol, ProtocolObject};
use objc2::{AnyThread, DefinedClass, define_class, msg_send};
use objc2_av_foundation::{
    AVAuthorizationStatus, AVCaptureAudioDataOutput, AVCaptureAudioDataOutputSampleBufferDelegate,
    AVCaptureConnection, AVCaptureDevice, AVCaptureDeviceInput, AVCaptureOutput, AVCaptureSession,
    AVCaptureVideoDataOutput, AVCaptureVideoDataOutputSampleBufferDelegate, AVMediaType,
    AVMediaTypeAudio, AVMediaTypeVideo,
};
use objc2_avf_audio::{
    AVFormatIDKey, AVLinearPCMBitDepthKey, AVLinearPCMIsBigEndianKey, AVLinearPCMIsFloatKey,
    AVLinearPCMIsNonInterleaved, AVNumberOfChannelsKey, AVSampleRateKey,
};
use objc2_core_audio_types::kAudioFormatLinearPCM;
use objc2_core_foundation::CFString;
use objc2_core_media::{
    CMAudioFormatDescriptionGetStreamBasicDescription, CMClock, CMSampleBuffer, CMTime,
    CMVideoFormatDescriptionGetDimensions,
};
use objc2_core_video::{
    CVPixelBufferGetBaseAddressOfPlane, CVPixelBufferGetBytesPerRowOfPlane, CVPixelBufferGetHeight,
    CVPixelBufferGetWidth, CVPixelBufferLockBaseAddress, CVPixelBufferLockFlags,
    CVPixelBufferUnlockBaseAddress, kCVPixelBufferPixelFormatTypeKey, kCVPixelFormatType_32BGRA,
    kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange,
};
use objc2_foundation::{NSDictionary, NSNumber, NSString};

use crate::error_text::ErrorText;
use crate::media::capture::{
    AUDIO_F32_FORMAT, Capture, CaptureBackend, CaptureSettings, CaptureSink, DeviceInfo,
    DeviceMode, monotonic_now_ns,
};
use crate::media::color_convert::{bgrx_to, copy_plane};
use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

/// How long to wait for the user to answer the camera or microphone permission prompt.
const PERMISSION_TIMEOUT: Duration = Duration::from_secs(60);

/// What the delegates share with the capture handle.
struct DelegateIvars {
    sink: Mutex<CaptureSink>,
    format: PixelFormat,
}

define_class!(
    // SAFETY: NSObject has no subclassing requirements, and the class does not implement Drop.
    #[unsafe(super(NSObject))]
    #[name = "StreamlibVideoCaptureDelegate"]
    #[ivars = DelegateIvars]
    struct VideoDelegate;

    // SAFETY: NSObjectProtocol has no safety requirements.
    unsafe impl NSObjectProtocol for VideoDelegate {}

    // SAFETY: the method's signature matches the protocol's.
    unsafe impl AVCaptureVideoDataOutputSampleBufferDelegate for VideoDelegate {
        #[unsafe(method(captureOutput:didOutputSampleBuffer:fromConnection:))]
        fn did_output_video(
            &self,
            _output: &AVCaptureOutput,
            sample: &CMSampleBuffer,
            _connection: &AVCaptureConnection,
        ) {
            let ivars = self.ivars();
            let mut sink = ivars.sink.lock().unwrap_or_else(PoisonError::into_inner);
            // SAFETY: AVFoundation passes a valid sample buffer for the call.
            if let Err(error) = unsafe { publish_video(sample, ivars.format, &mut sink) } {
                sink.shared().fail(error);
            }
        }
    }
);

define_class!(
    // SAFETY: NSObject has no subclassing requirements, and the class does not implement Drop.
    #[unsafe(super(NSObject))]
    #[name = "StreamlibAudioCaptureDelegate"]
    #[ivars = DelegateIvars]
    struct AudioDelegate;

    // SAFETY: NSObjectProtocol has no safety requirements.
    unsafe impl NSObjectProtocol for AudioDelegate {}

    // SAFETY: the method's signature matches the protocol's.
    unsafe impl AVCaptureAudioDataOutputSampleBufferDelegate for AudioDelegate {
        #[unsafe(method(captureOutput:didOutputSampleBuffer:fromConnection:))]
        fn did_output_audio(
            &self,
            _output: &AVCaptureOutput,
            sample: &CMSampleBuffer,
            _connection: &AVCaptureConnection,
        ) {
            let mut sink = self
                .ivars()
                .sink
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            // SAFETY: AVFoundation passes a valid sample buffer for the call.
            if let Err(error) = unsafe { publish_audio(sample, &mut sink) } {
                sink.shared().fail(error);
            }
        }
    }
);

fn new_delegate_ivars(sink: CaptureSink, format: PixelFormat) -> DelegateIvars {
    DelegateIvars {
        sink: Mutex::new(sink),
        format,
    }
}

impl VideoDelegate {
    fn new(ivars: DelegateIvars) -> Retained<Self> {
        let this = Self::alloc().set_ivars(ivars);
        // SAFETY: NSObject's init has this signature.
        unsafe { msg_send![super(this), init] }
    }
}

impl AudioDelegate {
    fn new(ivars: DelegateIvars) -> Retained<Self> {
        let this = Self::alloc().set_ivars(ivars);
        // SAFETY: NSObject's init has this signature.
        unsafe { msg_send![super(this), init] }
    }
}

fn device_error(what: &'static str, detail: impl std::fmt::Display) -> Error {
    ErrorKind::Device {
        what,
        detail: ErrorText::format(format_args!("{detail}")),
    }
    .into()
}

/// The presentation time of `sample` on this library's monotonic clock.
///
/// # Safety
///
/// `sample` must be a valid sample buffer.
unsafe fn timestamp_ns(sample: &CMSampleBuffer) -> f64 {
    // SAFETY: the sample is valid (caller contract); the host clock always exists.
    let (pts, now) = unsafe {
        (
            sample.presentation_time_stamp().seconds(),
            CMClock::host_time_clock().time().seconds(),
        )
    };
    let age = if pts.is_finite() && now >= pts {
        now - pts
    } else {
        0.0
    };
    monotonic_now_ns() - age * 1e9
}

/// Copies a video sample into a pool slot in `format`.
///
/// # Safety
///
/// `sample` must be a valid video sample buffer.
unsafe fn publish_video(
    sample: &CMSampleBuffer,
    format: PixelFormat,
    sink: &mut CaptureSink,
) -> Result<(), Error> {
    // SAFETY: the sample is valid (caller contract).
    let Some(image) = (unsafe { sample.image_buffer() }) else {
        return Ok(());
    };
    // SAFETY: as above.
    let timestamp = unsafe { timestamp_ns(sample) };
    let (width, height) = (
        CVPixelBufferGetWidth(&image),
        CVPixelBufferGetHeight(&image),
    );
    if width % 2 != 0 || height % 2 != 0 {
        return Err(device_error(
            "AVFoundation camera",
            format_args!("odd frame size {width}x{height}"),
        ));
    }
    // SAFETY: `image` is a live pixel buffer; it is unlocked below with the same flags.
    let status = unsafe { CVPixelBufferLockBaseAddress(&image, CVPixelBufferLockFlags::ReadOnly) };
    if status != 0 {
        return Err(device_error(
            "AVFoundation camera",
            format_args!("lock failed: {status}"),
        ));
    }
    let (plane0, stride0) = (
        CVPixelBufferGetBaseAddressOfPlane(&image, 0)
            .cast::<u8>()
            .cast_const(),
        CVPixelBufferGetBytesPerRowOfPlane(&image, 0),
    );
    let (plane1, stride1) = (
        CVPixelBufferGetBaseAddressOfPlane(&image, 1)
            .cast::<u8>()
            .cast_const(),
        CVPixelBufferGetBytesPerRowOfPlane(&image, 1),
    );
    let bytes = format.frame_bytes(width as u32, height as u32);
    let result = if plane0.is_null() {
        Ok(false)
    } else {
        sink.publish(format.code(), bytes, timestamp, |dst| {
            // SAFETY: the buffer is locked; plane 0 has `height` rows of `stride0` bytes.
            let luma = unsafe { std::slice::from_raw_parts(plane0, stride0 * height) };
            match format {
                // Delivered as BGRA (one plane): copy with an opaque alpha, or swap to RGBA.
                PixelFormat::Bgra | PixelFormat::Rgba => {
                    bgrx_to(luma, stride0, width, height, format, dst)?;
                }
                PixelFormat::I420 | PixelFormat::Nv12 if !plane1.is_null() => {
                    // SAFETY: plane 1 of a locked NV12 buffer has height/2 rows of `stride1`.
                    let chroma =
                        unsafe { std::slice::from_raw_parts(plane1, stride1 * (height / 2)) };
                    let (y, rest) = dst.split_at_mut(width * height);
                    copy_plane(luma, stride0, width, height, y);
                    if format == PixelFormat::Nv12 {
                        copy_plane(chroma, stride1, width, height / 2, rest);
                    } else {
                        let (cw, ch) = (width / 2, height / 2);
                        let (u, v) = rest.split_at_mut(cw * ch);
                        for row in 0..ch {
                            let line = &chroma[row * stride1..row * stride1 + width];
                            for (cx, pair) in line.chunks_exact(2).enumerate() {
                                u[row * cw + cx] = pair[0];
                                v[row * cw + cx] = pair[1];
                            }
                        }
                    }
                }
                _ => {}
            }
            Ok(())
        })
    };
    // SAFETY: locked above with these flags.
    unsafe { CVPixelBufferUnlockBaseAddress(&image, CVPixelBufferLockFlags::ReadOnly) };
    result.map(drop)
}

/// Copies an audio sample (interleaved f32, as the output's settings ask for) into a pool slot.
///
/// # Safety
///
/// `sample` must be a valid audio sample buffer.
unsafe fn publish_audio(sample: &CMSampleBuffer, sink: &mut CaptureSink) -> Result<(), Error> {
    // SAFETY: the sample is valid (caller contract).
    let (Some(block), Some(format)) = (unsafe { sample.data_buffer() }, unsafe {
        sample.format_description()
    }) else {
        return Ok(());
    };
    // SAFETY: `format` is the audio format description of a valid sample.
    let description = unsafe { CMAudioFormatDescriptionGetStreamBasicDescription(&format) };
    if description.is_null() {
        return Ok(());
    }
    // SAFETY: non-null, owned by `format`, which lives across this read.
    let description = unsafe { *description };
    if description.mBitsPerChannel != 32 || description.mFormatID != kAudioFormatLinearPCM {
        return Err(device_error(
            "AVFoundation microphone",
            format_args!(
                "delivered {} bits per sample, expected 32-bit float",
                description.mBitsPerChannel
            ),
        ));
    }
    // SAFETY: as above.
    let timestamp = unsafe { timestamp_ns(sample) };
    // SAFETY: `block` is a valid block buffer.
    let length = unsafe { block.data_length() };
    sink.publish(AUDIO_F32_FORMAT, length, timestamp, |dst| {
        let Some(destination) = std::ptr::NonNull::new(dst.as_mut_ptr().cast()) else {
            return Ok(());
        };
        // SAFETY: `dst` has room for the block's `length` bytes.
        let status = unsafe { block.copy_data_bytes(0, length, destination) };
        if status == 0 {
            Ok(())
        } else {
            Err(device_error(
                "AVFoundation microphone",
                format_args!("copy failed: {status}"),
            ))
        }
    })
    .map(drop)
}

fn media_type(video: bool) -> &'static AVMediaType {
    // SAFETY: AVFoundation's media type constants are immutable and always present on macOS.
    unsafe {
        if video {
            AVMediaTypeVideo
        } else {
            AVMediaTypeAudio
        }
    }
    .expect("AVFoundation defines its media types")
}

/// Makes sure the user allowed access to cameras (`video`) or microphones, asking if nobody has.
fn ensure_permission(video: bool) -> Result<(), Error> {
    let what = if video { "camera" } else { "microphone" };
    let kind = media_type(video);
    // SAFETY: a documented class method taking a media type constant.
    let status = unsafe { AVCaptureDevice::authorizationStatusForMediaType(kind) };
    let granted = match status {
        AVAuthorizationStatus::Authorized => true,
        AVAuthorizationStatus::NotDetermined => {
            let (send, receive) = mpsc::channel();
            let handler = block2::RcBlock::new(move |granted: Bool| {
                let _ = send.send(granted.as_bool());
            });
            // SAFETY: a documented class method; the block is copied by AVFoundation.
            unsafe { AVCaptureDevice::requestAccessForMediaType_completionHandler(kind, &handler) };
            receive.recv_timeout(PERMISSION_TIMEOUT).unwrap_or(false)
        }
        _ => false,
    };
    if granted {
        return Ok(());
    }
    let detail = match status {
        AVAuthorizationStatus::Restricted => "access is restricted on this Mac (device management)",
        AVAuthorizationStatus::NotDetermined => {
            "the permission prompt was declined or not answered"
        }
        _ => "access was denied; allow it in System Settings > Privacy & Security",
    };
    Err(ErrorKind::PermissionDenied {
        what,
        detail: ErrorText::new(detail),
    }
    .into())
}

/// The device with unique ID `id`, or the default one when `id` is empty.
fn find_device(id: &str, video: bool) -> Result<Retained<AVCaptureDevice>, Error> {
    let what = if video { "camera" } else { "microphone" };
    let device = if id.is_empty() {
        // SAFETY: a documented class method taking a media type constant.
        unsafe { AVCaptureDevice::defaultDeviceWithMediaType(media_type(video)) }
    } else {
        // SAFETY: a documented class method taking a string.
        unsafe { AVCaptureDevice::deviceWithUniqueID(&NSString::from_str(id)) }
    };
    device.ok_or_else(|| {
        ErrorKind::DeviceNotFound {
            what,
            detail: ErrorText::format(format_args!(
                "{}; list them with sl_capture_list_devices",
                if id.is_empty() {
                    "no default device".to_owned()
                } else {
                    format!("no device with ID {id}")
                }
            )),
        }
        .into()
    })
}

/// Picks the device format closest to `width` x `height` (0: keep the active one) and sets the
/// frame rate. Returns the chosen size.
fn configure_video_device(
    device: &AVCaptureDevice,
    settings: &CaptureSettings,
) -> Result<(), Error> {
    // SAFETY: documented methods of a live device; the configuration lock is released below.
    unsafe {
        device
            .lockForConfiguration()
            .map_err(|e| device_error("AVFoundation camera", e.localizedDescription()))?;
        if settings.width > 0 && settings.height > 0 {
            let mut best = None;
            let mut best_distance = u64::MAX;
            for format in device.formats().iter() {
                let dims = CMVideoFormatDescriptionGetDimensions(&format.formatDescription());
                let distance = u64::from((dims.width as u32).abs_diff(settings.width))
                    + u64::from((dims.height as u32).abs_diff(settings.height));
                if distance < best_distance {
                    best_distance = distance;
                    best = Some(format);
                }
            }
            if let Some(format) = best {
                device.setActiveFormat(&format);
            }
        }
        if settings.fps > 0.0 {
            let duration = CMTime::new((1_000_000.0 / settings.fps).round() as i64, 1_000_000);
            device.setActiveVideoMinFrameDuration(duration);
            device.setActiveVideoMaxFrameDuration(duration);
        }
        device.unlockForConfiguration();
    }
    Ok(())
}

/// A running AVCaptureSession and its delegate's queue.
struct AppleCapture {
    session: Retained<AVCaptureSession>,
    queue: DispatchRetained<DispatchQueue>,
    _delegate: Retained<NSObject>,
    running: bool,
}

// SAFETY: AVCaptureSession's startRunning/stopRunning may be called from any thread (Apple
// recommends a background thread), the delegate is only touched by its serial queue, and the
// handle table lets one thread at a time reach this value.
unsafe impl Send for AppleCapture {}

impl CaptureBackend for AppleCapture {
    fn stop(&mut self) {
        if !self.running {
            return;
        }
        self.running = false;
        // SAFETY: a documented method of a live session; it blocks until capture has stopped.
        unsafe { self.session.stopRunning() };
        // Wait for a callback that may still be running on the delegate's queue.
        self.queue.exec_sync(|| {});
    }
}

fn start_session(
    device: &AVCaptureDevice,
    output: &AVCaptureOutput,
) -> Result<Retained<AVCaptureSession>, Error> {
    // SAFETY: documented methods; the session is configured before it starts.
    unsafe {
        let input = AVCaptureDeviceInput::deviceInputWithDevice_error(device)
            .map_err(|e| device_error("AVFoundation device input", e.localizedDescription()))?;
        let session = AVCaptureSession::new();
        session.beginConfiguration();
        if !session.canAddInput(&input) || !session.canAddOutput(output) {
            session.commitConfiguration();
            return Err(device_error(
                "AVFoundation session",
                "the device cannot feed this output",
            ));
        }
        session.addInput(&input);
        session.addOutput(output);
        session.commitConfiguration();
        session.startRunning();
        Ok(session)
    }
}

/// Starts capturing camera `device` (an AVFoundation unique ID; empty: the default camera).
///
/// # Errors
///
/// [`ErrorKind::PermissionDenied`] when camera access is refused, [`ErrorKind::DeviceNotFound`]
/// for an unknown ID, [`ErrorKind::Device`] when the session cannot be set up.
pub fn open_camera(
    device: &str,
    settings: &CaptureSettings,
    sink: CaptureSink,
) -> Result<Capture, Error> {
    ensure_permission(true)?;
    let camera = find_device(device, true)?;
    configure_video_device(&camera, settings)?;
    let delivered = if matches!(settings.format, PixelFormat::Bgra | PixelFormat::Rgba) {
        kCVPixelFormatType_32BGRA
    } else {
        kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange
    };
    // SAFETY: CFString and NSString are toll-free bridged, so the CoreVideo key is an NSString.
    let key: &NSString =
        unsafe { &*std::ptr::from_ref::<CFString>(kCVPixelBufferPixelFormatTypeKey).cast() };
    let value = NSNumber::new_u32(delivered);
    let value: &AnyObject = &value;
    let video_settings = NSDictionary::<NSString, AnyObject>::from_slices(&[key], &[value]);
    let shared = Arc::clone(sink.shared());
    let delegate = VideoDelegate::new(new_delegate_ivars(sink, settings.format));
    let queue = DispatchQueue::new("streamlib.camera", DispatchQueueAttr::SERIAL);
    // SAFETY: documented methods; the delegate and queue outlive the session (owned by the
    // returned capture, which stops the session first).
    let output = unsafe {
        let output = AVCaptureVideoDataOutput::new();
        output.setVideoSettings(Some(&video_settings));
        output.setAlwaysDiscardsLateVideoFrames(true);
        output.setSampleBufferDelegate_queue(
            Some(ProtocolObject::from_ref(&*delegate)),
            Some(&queue),
        );
        output
    };
    let session = start_session(&camera, &output)?;
    Ok(Capture::new(
        Box::new(AppleCapture {
            session,
            queue,
            _delegate: Retained::into_super(delegate),
            running: true,
        }),
        shared,
    ))
}

/// Starts capturing microphone `device` (an AVFoundation unique ID; empty: the default input) as
/// interleaved f32 at `settings.sample_rate` (0: 48 kHz) with `settings.channels` (0: 2).
///
/// # Errors
///
/// As [`open_camera`], for microphones.
pub fn open_microphone(
    device: &str,
    settings: &CaptureSettings,
    sink: CaptureSink,
) -> Result<Capture, Error> {
    ensure_permission(false)?;
    let microphone = find_device(device, false)?;
    let rate = if settings.sample_rate == 0 {
        48_000
    } else {
        settings.sample_rate
    };
    let channels = if settings.channels == 0 {
        2
    } else {
        settings.channels
    };
    let shared = Arc::clone(sink.shared());
    shared.set_audio(rate, channels);
    // SAFETY: AVFAudio's settings keys are immutable constants, present on macOS.
    let keys: [&NSString; 7] = unsafe {
        [
            AVFormatIDKey.expect("AVFAudio key"),
            AVSampleRateKey.expect("AVFAudio key"),
            AVNumberOfChannelsKey.expect("AVFAudio key"),
            AVLinearPCMBitDepthKey.expect("AVFAudio key"),
            AVLinearPCMIsFloatKey.expect("AVFAudio key"),
            AVLinearPCMIsNonInterleaved.expect("AVFAudio key"),
            AVLinearPCMIsBigEndianKey.expect("AVFAudio key"),
        ]
    };
    let values = [
        NSNumber::new_u32(kAudioFormatLinearPCM),
        NSNumber::new_f64(f64::from(rate)),
        NSNumber::new_u32(channels),
        NSNumber::new_u32(32),
        NSNumber::new_bool(true),
        NSNumber::new_bool(false),
        NSNumber::new_bool(false),
    ];
    let value_refs: Vec<&AnyObject> = values.iter().map(|v| -> &AnyObject { v }).collect();
    let audio_settings = NSDictionary::<NSString, AnyObject>::from_slices(&keys, &value_refs);
    let delegate = AudioDelegate::new(new_delegate_ivars(sink, PixelFormat::I420));
    let queue = DispatchQueue::new("streamlib.microphone", DispatchQueueAttr::SERIAL);
    // SAFETY: documented methods; the delegate and queue outlive the session.
    let output = unsafe {
        let output = AVCaptureAudioDataOutput::new();
        output.setAudioSettings(Some(&audio_settings));
        output.setSampleBufferDelegate_queue(
            Some(ProtocolObject::from_ref(&*delegate)),
            Some(&queue),
        );
        output
    };
    let session = start_session(&microphone, &output)?;
    Ok(Capture::new(
        Box::new(AppleCapture {
            session,
            queue,
            _delegate: Retained::into_super(delegate),
            running: true,
        }),
        shared,
    ))
}

/// The cameras (`video`) or microphones AVFoundation sees, with their formats.
pub fn list(video: bool) -> Vec<DeviceInfo> {
    // SAFETY: documented class and instance methods of AVCaptureDevice.
    unsafe {
        #[allow(deprecated)]
        // AVCaptureDeviceDiscoverySession needs a device-type list per OS version.
        let devices = AVCaptureDevice::devicesWithMediaType(media_type(video));
        devices
            .iter()
            .map(|device| {
                let modes = if video {
                    device
                        .formats()
                        .iter()
                        .map(|format| {
                            let description = format.formatDescription();
                            let dims = CMVideoFormatDescriptionGetDimensions(&description);
                            let rate = format
                                .videoSupportedFrameRateRanges()
                                .iter()
                                .map(|r| r.maxFrameRate())
                                .fold(0.0, f64::max);
                            let fourcc = description.media_sub_type().to_be_bytes();
                            DeviceMode {
                                width: dims.width as u32,
                                height: dims.height as u32,
                                rate,
                                format: String::from_utf8_lossy(&fourcc).into_owned(),
                            }
                        })
                        .collect()
                } else {
                    vec![DeviceMode {
                        width: 0,
                        height: 0,
                        rate: 48_000.0,
                        format: "f32".to_owned(),
                    }]
                };
                DeviceInfo {
                    id: device.uniqueID().to_string(),
                    name: device.localizedName().to_string(),
                    modes,
                }
            })
            .collect()
    }
}
