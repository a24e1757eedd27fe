//! Camera and microphone capture on macOS with AVFoundation: device listing, choosing a device
//! (by unique ID, or the default) and a format, the permission check (denied access is
//! `SL_ERR_PERMISSION_DENIED`), and an `AVCaptureSession` whose sample-buffer delegate writes each
//! frame into a frame-pool slot and pushes its message on the ring. Nothing calls into JS.
//!
//! Threads and queues, as Apple documents them:
//! - The session is configured, started and stopped on a serial dispatch queue of its own
//!   (`startRunning`/`stopRunning` block and must stay off the main thread), and the caller waits
//!   for that queue.
//! - The camera's format and frame duration are set between `lockForConfiguration` and
//!   `unlockForConfiguration`, inside the session's begin/commitConfiguration, and the lock is
//!   held across `startRunning` (on macOS the session would otherwise choose its own format).
//! - The delegate runs on another serial queue. A sample buffer is valid for the callback only
//!   (AVFoundation recycles its pool): each one is copied into a pool slot inside the callback and
//!   never retained. A pixel buffer's base address is locked read-only around the copy.
//! - A runtime error of the session (`AVCaptureSessionRuntimeErrorNotification`) or the device
//!   going away (`AVCaptureDeviceWasDisconnectedNotification`) fails the capture with
//!   `SL_ERR_DEVICE`, which `sl_capture_stats` reports.
//!
//! Type-checked and linted for aarch64/x86_64-apple-darwin on Linux (`deno task check:apple`);
//! never run in this project's CI, which has no Mac (see `docs/platforms.md`).
//!
//! Video is delivered by AVFoundation as NV12 (`420v`) or BGRA and copied or converted into the
//! requested I420, NV12, BGRA or RGBA; audio as interleaved 32-bit float PCM at the requested rate
//! and channel count (AVFoundation converts). Timestamps are the sample buffers' presentation times
//! on the host clock, moved onto this library's monotonic clock.

use std::ptr::NonNull;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dispatch2::{DispatchQueue, DispatchQueueAttr, DispatchRetained};
use objc2::rc::Retained;
use objc2::runtime::{AnyObject, Bool, NSObject, NSObjectProtocol, ProtocolObject};
use objc2::{AnyThread, DefinedClass, define_class, msg_send};
use objc2_av_foundation::{
    AVAuthorizationStatus, AVCaptureAudioDataOutput, AVCaptureAudioDataOutputSampleBufferDelegate,
    AVCaptureConnection, AVCaptureDevice, AVCaptureDeviceInput,
    AVCaptureDeviceWasDisconnectedNotification, AVCaptureOutput, AVCaptureSession,
    AVCaptureSessionErrorKey, AVCaptureSessionRuntimeErrorNotification, AVCaptureVideoDataOutput,
    AVCaptureVideoDataOutputSampleBufferDelegate, AVMediaType, AVMediaTypeAudio, AVMediaTypeVideo,
};
use objc2_avf_audio::{
    AVFormatIDKey, AVLinearPCMBitDepthKey, AVLinearPCMIsBigEndianKey, AVLinearPCMIsFloatKey,
    AVLinearPCMIsNonInterleaved, AVNumberOfChannelsKey, AVSampleRateKey,
};
use objc2_core_audio_types::kAudioFormatLinearPCM;
use objc2_core_foundation::CFString;
use objc2_core_media::{
    CMAudioFormatDescriptionGetStreamBasicDescription, CMClock, CMSampleBuffer,
};
use objc2_core_video::{
    CVPixelBufferGetBaseAddress, CVPixelBufferGetBaseAddressOfPlane, CVPixelBufferGetBytesPerRow,
    CVPixelBufferGetBytesPerRowOfPlane, CVPixelBufferGetHeight, CVPixelBufferGetHeightOfPlane,
    CVPixelBufferGetPixelFormatType, CVPixelBufferGetPlaneCount, CVPixelBufferGetWidth,
    CVPixelBufferIsPlanar, CVPixelBufferLockBaseAddress, CVPixelBufferLockFlags,
    CVPixelBufferUnlockBaseAddress, kCVPixelBufferPixelFormatTypeKey, kCVPixelFormatType_32BGRA,
    kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange,
};
use objc2_foundation::{
    NSDictionary, NSError, NSNotification, NSNotificationCenter, NSNumber, NSString,
};

use super::capture_format_apple::{self, VideoChoice};
use crate::error_text::ErrorText;
use crate::media::capture::{
    AUDIO_F32_FORMAT, Capture, CaptureBackend, CaptureSettings, CaptureShared, CaptureSink,
    DeviceInfo, DeviceMode, monotonic_now_ns,
};
use crate::media::color_convert::{bgrx_to, copy_plane};
use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

/// How long to wait for the user to answer the camera or microphone permission prompt.
const PERMISSION_TIMEOUT: Duration = Duration::from_secs(60);

/// What the delegates share with the capture handle.
struct DelegateIvars {
    sink: Mutex<CaptureSink>,
    /// The pixel format written to the pool.
    format: PixelFormat,
    /// The CoreVideo pixel format the output was asked to deliver.
    delivered: u32,
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
            // SAFETY: AVFoundation passes a sample buffer valid for the call; it is copied, not
            // kept.
            let result = unsafe { publish_video(sample, ivars.format, ivars.delivered, &mut sink) };
            if let Err(error) = result {
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
            // SAFETY: AVFoundation passes a sample buffer valid for the call; it is copied, not
            // kept.
            if let Err(error) = unsafe { publish_audio(sample, &mut sink) } {
                sink.shared().fail(error);
            }
        }
    }
);

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

/// AVFoundation objects carried onto the session queue and back by `DispatchQueue::exec_sync`.
struct OnSessionQueue<T>(T);

// SAFETY: `exec_sync` runs the closure on the session queue while the calling thread waits for
// it, so the objects inside are used by one thread at a time, which is all AVCaptureSession,
// AVCaptureDevice and AVCaptureOutput ask (they are not tied to a thread).
unsafe impl<T> Send for OnSessionQueue<T> {}

impl<T> OnSessionQueue<T> {
    fn into_inner(self) -> T {
        self.0
    }
}

fn device_error(what: &'static str, detail: impl std::fmt::Display) -> Error {
    ErrorKind::Device {
        what,
        detail: ErrorText::format(format_args!("{detail}")),
    }
    .into()
}

fn fourcc(code: u32) -> String {
    String::from_utf8_lossy(&code.to_be_bytes()).into_owned()
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

/// A plane of a locked pixel buffer: `rows` rows `stride` bytes apart.
struct Plane<'a> {
    bytes: &'a [u8],
    stride: usize,
}

/// Plane `index` of a locked pixel buffer (`None` for the single plane of a non-planar one), or
/// `None` when it has no base address.
///
/// # Safety
///
/// `image` must be locked for reading for as long as the returned plane is used.
unsafe fn plane<'a>(
    image: &'a objc2_core_video::CVPixelBuffer,
    index: Option<usize>,
) -> Option<Plane<'a>> {
    let (base, stride, rows) = match index {
        Some(i) => (
            CVPixelBufferGetBaseAddressOfPlane(image, i),
            CVPixelBufferGetBytesPerRowOfPlane(image, i),
            CVPixelBufferGetHeightOfPlane(image, i),
        ),
        None => (
            CVPixelBufferGetBaseAddress(image),
            CVPixelBufferGetBytesPerRow(image),
            CVPixelBufferGetHeight(image),
        ),
    };
    if base.is_null() {
        return None;
    }
    // SAFETY: a locked pixel buffer's plane holds `rows` rows of `stride` bytes at its base
    // address (CoreVideo allocates whole rows), valid while locked (caller contract).
    let bytes =
        unsafe { std::slice::from_raw_parts(base.cast::<u8>().cast_const(), stride * rows) };
    Some(Plane { bytes, stride })
}

/// Copies a video sample into a pool slot in `format`.
///
/// # Safety
///
/// `sample` must be a valid video sample buffer.
unsafe fn publish_video(
    sample: &CMSampleBuffer,
    format: PixelFormat,
    delivered: u32,
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
    let actual = CVPixelBufferGetPixelFormatType(&image);
    let planar = CVPixelBufferIsPlanar(&image);
    let expected_layout = if delivered == kCVPixelFormatType_32BGRA {
        !planar
    } else {
        planar && CVPixelBufferGetPlaneCount(&image) == 2
    };
    if actual != delivered || !expected_layout {
        return Err(device_error(
            "AVFoundation camera",
            format_args!(
                "delivered pixel format {}, asked for {}",
                fourcc(actual),
                fourcc(delivered)
            ),
        ));
    }
    // SAFETY: `image` is a live pixel buffer; it is unlocked below with the same flags, on every
    // path (the copy below returns into `result`).
    let status = unsafe { CVPixelBufferLockBaseAddress(&image, CVPixelBufferLockFlags::ReadOnly) };
    if status != 0 {
        return Err(device_error(
            "AVFoundation camera",
            format_args!("CVPixelBufferLockBaseAddress failed: {status}"),
        ));
    }
    let bytes = format.frame_bytes(width as u32, height as u32);
    // SAFETY: the buffer stays locked until after `publish` returns.
    let planes = unsafe {
        if planar {
            plane(&image, Some(0)).zip(plane(&image, Some(1)))
        } else {
            plane(&image, None).map(|p| {
                (
                    p,
                    Plane {
                        bytes: &[],
                        stride: 0,
                    },
                )
            })
        }
    };
    let result = match planes {
        None => Ok(false),
        Some((first, second)) => sink.publish(format.code(), bytes, timestamp, |dst| {
            match format {
                // Delivered as BGRA (one plane): copy with an opaque alpha, or swap to RGBA.
                PixelFormat::Bgra | PixelFormat::Rgba => {
                    bgrx_to(first.bytes, first.stride, width, height, format, dst)
                }
                // Delivered as NV12 (`420v`): Y plane, then interleaved CbCr at half height.
                PixelFormat::Nv12 | PixelFormat::I420 => {
                    let (y, rest) = dst.split_at_mut(width * height);
                    copy_plane(first.bytes, first.stride, width, height, y);
                    if format == PixelFormat::Nv12 {
                        copy_plane(second.bytes, second.stride, width, height / 2, rest);
                    } else {
                        let (cw, ch) = (width / 2, height / 2);
                        let (u, v) = rest.split_at_mut(cw * ch);
                        for row in 0..ch {
                            let line = &second.bytes[row * second.stride..][..width];
                            for (cx, pair) in line.chunks_exact(2).enumerate() {
                                u[row * cw + cx] = pair[0];
                                v[row * cw + cx] = pair[1];
                            }
                        }
                    }
                    Ok(())
                }
            }
        }),
    };
    // SAFETY: locked above with these flags; no plane slice is used after this.
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
        let Some(destination) = NonNull::new(dst.as_mut_ptr().cast()) else {
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

fn device_kind(video: bool) -> &'static str {
    if video { "camera" } else { "microphone" }
}

/// Makes sure the user allowed access to cameras (`video`) or microphones (TCC), asking if
/// nobody has. The completion handler runs on a queue of AVFoundation's; this thread waits.
fn ensure_permission(video: bool) -> Result<(), Error> {
    let what = device_kind(video);
    let kind = media_type(video);
    // SAFETY: a documented class method taking a media type constant; callable on any thread.
    let status = unsafe { AVCaptureDevice::authorizationStatusForMediaType(kind) };
    let granted = match status {
        AVAuthorizationStatus::Authorized => true,
        AVAuthorizationStatus::NotDetermined => {
            let (send, receive) = mpsc::channel();
            let handler = block2::RcBlock::new(move |granted: Bool| {
                let _ = send.send(granted.as_bool());
            });
            // SAFETY: a documented class method; AVFoundation copies the block and calls it once,
            // on an arbitrary queue.
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
            "the permission prompt was declined or not answered within 60 s"
        }
        _ => "access was denied; allow it in System Settings > Privacy & Security",
    };
    Err(ErrorKind::PermissionDenied {
        what,
        detail: ErrorText::new(detail),
    }
    .into())
}

/// The cameras (`video`) or microphones AVFoundation sees.
fn devices(video: bool) -> Vec<Retained<AVCaptureDevice>> {
    // SAFETY: a documented class method taking a media type constant. Deprecated in favour of
    // AVCaptureDeviceDiscoverySession, which needs a device-type list per OS version.
    #[allow(deprecated)]
    let devices = unsafe { AVCaptureDevice::devicesWithMediaType(media_type(video)) };
    devices.iter().collect()
}

/// The device with unique ID `id`, or the default one when `id` is empty.
///
/// # Errors
///
/// [`ErrorKind::DeviceNotFound`] naming the ID asked for and the IDs there are.
fn find_device(id: &str, video: bool) -> Result<Retained<AVCaptureDevice>, Error> {
    let device = if id.is_empty() {
        // SAFETY: a documented class method taking a media type constant.
        unsafe { AVCaptureDevice::defaultDeviceWithMediaType(media_type(video)) }
    } else {
        // SAFETY: a documented class method taking a string.
        unsafe { AVCaptureDevice::deviceWithUniqueID(&NSString::from_str(id)) }
    };
    device.ok_or_else(|| {
        // SAFETY: a read-only property of live devices.
        let ids: Vec<String> = devices(video)
            .iter()
            .map(|d| unsafe { d.uniqueID() }.to_string())
            .collect();
        let asked = if id.is_empty() {
            "no default device".to_owned()
        } else {
            format!("no device with ID {id}")
        };
        ErrorKind::DeviceNotFound {
            what: device_kind(video),
            detail: ErrorText::format(format_args!(
                "{asked}; {}",
                if ids.is_empty() {
                    "none is connected".to_owned()
                } else {
                    format!("IDs: {}", ids.join(", "))
                }
            )),
        }
        .into()
    })
}

/// A running AVCaptureSession, its queues and its notification observers.
struct AppleCapture {
    session: Retained<AVCaptureSession>,
    session_queue: DispatchRetained<DispatchQueue>,
    delegate_queue: DispatchRetained<DispatchQueue>,
    observers: Vec<Retained<ProtocolObject<dyn NSObjectProtocol>>>,
    _delegate: Retained<NSObject>,
    running: bool,
}

// SAFETY: the session is only used on its serial queue (`exec_sync`), the delegate only by its
// own serial queue, NSNotificationCenter may be called from any thread, and the handle table lets
// one thread at a time reach this value.
unsafe impl Send for AppleCapture {}

impl CaptureBackend for AppleCapture {
    fn stop(&mut self) {
        if !self.running {
            return;
        }
        self.running = false;
        let center = NSNotificationCenter::defaultCenter();
        for observer in self.observers.drain(..) {
            let observer: &AnyObject = observer.as_ref();
            // SAFETY: removing an observer token this capture registered.
            unsafe { center.removeObserver(observer) };
        }
        let session = OnSessionQueue(&self.session);
        self.session_queue.exec_sync(move || {
            let session = session.into_inner();
            // SAFETY: a documented method of a live session, off the main thread; it returns
            // once capture has stopped.
            unsafe { session.stopRunning() };
        });
        // Wait for a delegate callback that may still be running.
        self.delegate_queue.exec_sync(|| {});
    }
}

/// Builds and starts the session on `queue`: `device` into `output`, with `choice` (format and
/// frame duration) set under the device's configuration lock, held across `startRunning`.
fn start_session(
    queue: &DispatchQueue,
    device: &AVCaptureDevice,
    output: &AVCaptureOutput,
    choice: Option<&VideoChoice>,
) -> Result<Retained<AVCaptureSession>, Error> {
    let what = if choice.is_some() {
        "AVFoundation camera session"
    } else {
        "AVFoundation microphone session"
    };
    let mut result = None;
    let job = OnSessionQueue((device, output, choice, &mut result));
    queue.exec_sync(move || {
        let (device, output, choice, result) = job.into_inner();
        *result = Some(configure_and_start(what, device, output, choice));
    });
    result.unwrap_or_else(|| Err(device_error(what, "the session queue did not run")))
}

fn configure_and_start(
    what: &'static str,
    device: &AVCaptureDevice,
    output: &AVCaptureOutput,
    choice: Option<&VideoChoice>,
) -> Result<Retained<AVCaptureSession>, Error> {
    // SAFETY: documented methods, called on the session queue; the session is configured inside
    // begin/commitConfiguration before it starts; the format and durations come from the
    // device's own lists (capture_format_apple), so the setters do not throw; the device lock is
    // taken before they are set and released on every path after `startRunning`.
    unsafe {
        let input = AVCaptureDeviceInput::deviceInputWithDevice_error(device)
            .map_err(|e| device_error(what, e.localizedDescription()))?;
        let session = AVCaptureSession::new();
        session.beginConfiguration();
        if !session.canAddInput(&input) || !session.canAddOutput(output) {
            session.commitConfiguration();
            return Err(device_error(what, "the device cannot feed this output"));
        }
        session.addInput(&input);
        session.addOutput(output);
        let locked = match choice {
            Some(choice) if choice.format.is_some() || choice.frame_duration.is_some() => {
                if let Err(e) = device.lockForConfiguration() {
                    session.commitConfiguration();
                    return Err(device_error(
                        "AVFoundation camera configuration",
                        e.localizedDescription(),
                    ));
                }
                if let Some(format) = &choice.format {
                    device.setActiveFormat(format);
                }
                if let Some(duration) = choice.frame_duration {
                    device.setActiveVideoMinFrameDuration(duration);
                    device.setActiveVideoMaxFrameDuration(duration);
                }
                true
            }
            _ => false,
        };
        session.commitConfiguration();
        session.startRunning();
        if locked {
            device.unlockForConfiguration();
        }
        if !session.isRunning() {
            return Err(device_error(what, "startRunning did not start the session"));
        }
        Ok(session)
    }
}

/// Fails `shared` when the session reports a runtime error or `device` is disconnected.
fn observe_failures(
    session: &AVCaptureSession,
    device: &AVCaptureDevice,
    shared: &Arc<CaptureShared>,
) -> Vec<Retained<ProtocolObject<dyn NSObjectProtocol>>> {
    let center = NSNotificationCenter::defaultCenter();
    let on_error = {
        let shared = Arc::clone(shared);
        block2::RcBlock::new(move |notification: NonNull<NSNotification>| {
            // SAFETY: NSNotificationCenter passes a live notification for the call.
            let notification = unsafe { notification.as_ref() };
            let detail = notification
                .userInfo()
                // SAFETY: a documented, immutable key constant.
                .and_then(|info| info.objectForKey(unsafe { AVCaptureSessionErrorKey }))
                .and_then(|error| error.downcast::<NSError>().ok())
                .map_or_else(
                    || "the session stopped with a runtime error".to_owned(),
                    |error| error.localizedDescription().to_string(),
                );
            shared.fail(device_error("AVFoundation capture session", detail));
        })
    };
    let on_unplug = {
        let shared = Arc::clone(shared);
        block2::RcBlock::new(move |_: NonNull<NSNotification>| {
            shared.fail(device_error(
                "AVFoundation capture",
                "the device was disconnected",
            ));
        })
    };
    let session: &AnyObject = session.as_ref();
    let device: &AnyObject = device.as_ref();
    // SAFETY: documented NSNotificationCenter method with immutable name constants; the blocks
    // are copied by the center and run on the posting thread, touching only `CaptureShared`
    // (atomics and a mutex); the tokens are removed in `AppleCapture::stop`.
    unsafe {
        vec![
            center.addObserverForName_object_queue_usingBlock(
                Some(AVCaptureSessionRuntimeErrorNotification),
                Some(session),
                None,
                &on_error,
            ),
            center.addObserverForName_object_queue_usingBlock(
                Some(AVCaptureDeviceWasDisconnectedNotification),
                Some(device),
                None,
                &on_unplug,
            ),
        ]
    }
}

/// The name shown in errors for `device`.
fn display_name(device: &AVCaptureDevice) -> String {
    // SAFETY: a read-only property of a live device.
    unsafe { device.localizedName() }.to_string()
}

/// Starts capturing camera `device` (an AVFoundation unique ID; empty: the default camera).
///
/// # Errors
///
/// [`ErrorKind::PermissionDenied`] when camera access is refused, [`ErrorKind::DeviceNotFound`]
/// for an unknown ID or no camera, [`ErrorKind::Unsupported`] for a size or frame rate the camera
/// does not offer (naming what it offers), [`ErrorKind::Device`] when the session cannot be set
/// up or started.
pub fn open_camera(
    device: &str,
    settings: &CaptureSettings,
    sink: CaptureSink,
) -> Result<Capture, Error> {
    ensure_permission(true)?;
    let camera = find_device(device, true)?;
    let delivered = if matches!(settings.format, PixelFormat::Bgra | PixelFormat::Rgba) {
        kCVPixelFormatType_32BGRA
    } else {
        kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange
    };
    let choice =
        capture_format_apple::choose(&camera, &display_name(&camera), settings, delivered)?;
    // SAFETY: CFString and NSString are toll-free bridged, so the CoreVideo key is an NSString.
    let key: &NSString =
        unsafe { &*std::ptr::from_ref::<CFString>(kCVPixelBufferPixelFormatTypeKey).cast() };
    let value = NSNumber::new_u32(delivered);
    let value: &AnyObject = &value;
    let video_settings = NSDictionary::<NSString, AnyObject>::from_slices(&[key], &[value]);
    let shared = Arc::clone(sink.shared());
    shared.set_video(choice.width, choice.height, settings.format);
    let delegate = VideoDelegate::new(DelegateIvars {
        sink: Mutex::new(sink),
        format: settings.format,
        delivered,
    });
    let delegate_queue = DispatchQueue::new("streamlib.camera.frames", DispatchQueueAttr::SERIAL);
    let session_queue = DispatchQueue::new("streamlib.camera.session", DispatchQueueAttr::SERIAL);
    // SAFETY: documented methods; the delegate and its queue outlive the session (owned by the
    // returned capture, which stops the session first).
    let output = unsafe {
        let output = AVCaptureVideoDataOutput::new();
        output.setVideoSettings(Some(&video_settings));
        output.setAlwaysDiscardsLateVideoFrames(true);
        output.setSampleBufferDelegate_queue(
            Some(ProtocolObject::from_ref(&*delegate)),
            Some(&delegate_queue),
        );
        output
    };
    let session = start_session(&session_queue, &camera, &output, Some(&choice))?;
    let observers = observe_failures(&session, &camera, &shared);
    Ok(Capture::new(
        Box::new(AppleCapture {
            session,
            session_queue,
            delegate_queue,
            observers,
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
    let delegate = AudioDelegate::new(DelegateIvars {
        sink: Mutex::new(sink),
        format: PixelFormat::I420,
        delivered: 0,
    });
    let delegate_queue =
        DispatchQueue::new("streamlib.microphone.samples", DispatchQueueAttr::SERIAL);
    let session_queue =
        DispatchQueue::new("streamlib.microphone.session", DispatchQueueAttr::SERIAL);
    // SAFETY: documented methods; the delegate and its queue outlive the session.
    let output = unsafe {
        let output = AVCaptureAudioDataOutput::new();
        output.setAudioSettings(Some(&audio_settings));
        output.setSampleBufferDelegate_queue(
            Some(ProtocolObject::from_ref(&*delegate)),
            Some(&delegate_queue),
        );
        output
    };
    let session = start_session(&session_queue, &microphone, &output, None)?;
    let observers = observe_failures(&session, &microphone, &shared);
    Ok(Capture::new(
        Box::new(AppleCapture {
            session,
            session_queue,
            delegate_queue,
            observers,
            _delegate: Retained::into_super(delegate),
            running: true,
        }),
        shared,
    ))
}

/// The cameras (`video`) or microphones AVFoundation sees, with their formats.
pub fn list(video: bool) -> Vec<DeviceInfo> {
    devices(video)
        .iter()
        .map(|device| DeviceInfo {
            // SAFETY: a read-only property of a live device.
            id: unsafe { device.uniqueID() }.to_string(),
            name: display_name(device),
            modes: if video {
                capture_format_apple::modes(device)
            } else {
                vec![DeviceMode {
                    width: 0,
                    height: 0,
                    rate: 48_000.0,
                    format: "f32".to_owned(),
                }]
            },
        })
        .collect()
}
