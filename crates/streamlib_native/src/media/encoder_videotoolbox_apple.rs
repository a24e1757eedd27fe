//! [`VideoEncoder`] over Apple's VideoToolbox (`VTCompressionSession`), macOS only: the hardware
//! H.264 encoder where the Mac has one.
//!
//! Written against `objc2-video-toolbox` 0.3 and friends; it has never been compiled or run in
//! this project's CI, which is Linux only (see `docs/platforms.md`).
//!
//! Frames are copied (I420, NV12) or converted (RGBA, BGRA, via I420) into NV12 pixel buffers from
//! the session's own pool, encoded with frame reordering off, and made synchronous by
//! `VTCompressionSessionCompleteFrames` right after each `EncodeFrame`: the output callback has
//! run when `encode` returns. VideoToolbox hands out AVCC (length-prefixed) NAL units and keeps
//! SPS/PPS in the sample's format description; both are turned into this crate's Annex B access
//! units, with SPS and PPS in front of every keyframe.

use std::ffi::c_void;
use std::ptr::{self, NonNull};
use std::sync::Mutex;

use objc2_core_foundation::{CFBoolean, CFDictionary, CFNumber, CFRetained, CFString, CFType};
use objc2_core_media::{
    CMFormatDescription, CMSampleBuffer, CMTime,
    CMVideoFormatDescriptionGetH264ParameterSetAtIndex, kCMTimeInvalid, kCMVideoCodecType_H264,
};
use objc2_core_video::{
    CVPixelBuffer, CVPixelBufferGetBaseAddressOfPlane, CVPixelBufferGetBytesPerRowOfPlane,
    CVPixelBufferLockBaseAddress, CVPixelBufferLockFlags, CVPixelBufferPool,
    CVPixelBufferUnlockBaseAddress, kCVPixelBufferHeightKey, kCVPixelBufferPixelFormatTypeKey,
    kCVPixelBufferWidthKey, kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange,
};
use objc2_video_toolbox::{
    VTCompressionSession, VTEncodeInfoFlags, VTSessionSetProperty,
    kVTCompressionPropertyKey_AllowFrameReordering, kVTCompressionPropertyKey_AverageBitRate,
    kVTCompressionPropertyKey_ExpectedFrameRate, kVTCompressionPropertyKey_MaxKeyFrameInterval,
    kVTCompressionPropertyKey_ProfileLevel, kVTCompressionPropertyKey_RealTime,
    kVTEncodeFrameOptionKey_ForceKeyFrame, kVTProfileLevel_H264_Baseline_1_3,
    kVTProfileLevel_H264_Baseline_3_0, kVTProfileLevel_H264_Baseline_3_1,
    kVTProfileLevel_H264_Baseline_3_2, kVTProfileLevel_H264_Baseline_4_0,
    kVTProfileLevel_H264_Baseline_4_1, kVTProfileLevel_H264_Baseline_4_2,
    kVTProfileLevel_H264_Baseline_5_0, kVTProfileLevel_H264_Baseline_5_1,
    kVTProfileLevel_H264_Baseline_5_2, kVTProfileLevel_H264_Baseline_AutoLevel,
    kVTProfileLevel_H264_High_3_0, kVTProfileLevel_H264_High_3_1, kVTProfileLevel_H264_High_3_2,
    kVTProfileLevel_H264_High_4_0, kVTProfileLevel_H264_High_4_1, kVTProfileLevel_H264_High_4_2,
    kVTProfileLevel_H264_High_5_0, kVTProfileLevel_H264_High_5_1, kVTProfileLevel_H264_High_5_2,
    kVTProfileLevel_H264_High_AutoLevel, kVTProfileLevel_H264_Main_3_0,
    kVTProfileLevel_H264_Main_3_1, kVTProfileLevel_H264_Main_3_2, kVTProfileLevel_H264_Main_4_0,
    kVTProfileLevel_H264_Main_4_1, kVTProfileLevel_H264_Main_4_2, kVTProfileLevel_H264_Main_5_0,
    kVTProfileLevel_H264_Main_5_1, kVTProfileLevel_H264_Main_5_2,
    kVTProfileLevel_H264_Main_AutoLevel,
    kVTVideoEncoderSpecification_EnableHardwareAcceleratedVideoEncoder,
    kVTVideoEncoderSpecification_RequireHardwareAcceleratedVideoEncoder,
};

use crate::error_text::ErrorText;
use crate::media::color_convert::{RgbOrder, rgb_to_i420};
use crate::media::encoder::{
    AccessUnit, Backend, EncoderSettings, Profile, VideoEncoder, VideoInput,
};
use crate::media::h264_bitstream::{START_CODE, append_avcc_as_annex_b, is_idr};
use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

/// Microsecond timescale of the presentation times given to VideoToolbox.
const TIMESCALE: i32 = 1_000_000;

/// What the output callback hands back to `encode`.
#[derive(Default)]
struct CallbackState {
    /// Annex B access unit of the last encoded frame, SPS/PPS first on keyframes.
    data: Vec<u8>,
    /// The parameter sets of the last keyframe, Annex B.
    parameter_sets: Vec<u8>,
    /// Whether `data` holds a frame not yet taken.
    ready: bool,
    /// A failure the callback saw (OSStatus, or a malformed sample).
    failure: Option<i32>,
}

/// The VideoToolbox backend.
pub struct VideoToolboxEncoder {
    session: CFRetained<VTCompressionSession>,
    state: Box<Mutex<CallbackState>>,
    width: u32,
    height: u32,
    fps: f64,
    i420: Vec<u8>,
    parameter_sets: Vec<u8>,
}

// SAFETY: a VTCompressionSession may be used from any thread (one at a time, which the handle
// table's exclusive access guarantees); the callback state is behind a Mutex.
unsafe impl Send for VideoToolboxEncoder {}

fn vt_error(operation: &str, status: i32) -> Error {
    ErrorKind::Codec {
        what: "VideoToolbox",
        detail: ErrorText::format(format_args!("{operation} failed with OSStatus {status}")),
    }
    .into()
}

/// Copies the AVCC payload of `sample` (and, for keyframes, the parameter sets of its format
/// description) into `state` as Annex B.
///
/// # Safety
///
/// `sample` must be a valid sample buffer for the duration of the call.
unsafe fn take_sample(sample: &CMSampleBuffer, state: &mut CallbackState) -> Result<(), i32> {
    // SAFETY: `sample` is valid (caller contract).
    let Some(block) = (unsafe { sample.data_buffer() }) else {
        return Err(-1);
    };
    // SAFETY: `block` is a valid block buffer retained above.
    let length = unsafe { block.data_length() };
    let mut avcc = vec![0u8; length];
    if length > 0 {
        let destination = NonNull::new(avcc.as_mut_ptr().cast::<c_void>()).ok_or(-1)?;
        // SAFETY: `avcc` has room for `length` bytes, the block's whole data.
        let status = unsafe { block.copy_data_bytes(0, length, destination) };
        if status != 0 {
            return Err(status);
        }
    }
    let mut unit = Vec::with_capacity(length + 64);
    if !append_avcc_as_annex_b(&avcc, &mut unit) {
        return Err(-2);
    }
    state.data.clear();
    if is_idr(&unit) {
        // SAFETY: `sample` is valid (caller contract).
        if let Some(format) = unsafe { sample.format_description() } {
            // SAFETY: `format` is a valid H.264 video format description retained above.
            let sets = unsafe { parameter_sets(&format) }?;
            state.parameter_sets.clone_from(&sets);
            state.data.extend_from_slice(&sets);
        }
    }
    state.data.extend_from_slice(&unit);
    state.ready = true;
    Ok(())
}

/// The SPS and PPS of an H.264 format description, Annex B.
///
/// # Safety
///
/// `format` must be a valid H.264 video format description.
unsafe fn parameter_sets(format: &CMFormatDescription) -> Result<Vec<u8>, i32> {
    let mut out = Vec::new();
    let mut count = 0usize;
    let mut index = 0usize;
    loop {
        let mut pointer: *const u8 = ptr::null();
        let mut size = 0usize;
        let mut header_length = 0;
        // SAFETY: every out-pointer refers to a live local of the right type.
        let status = unsafe {
            CMVideoFormatDescriptionGetH264ParameterSetAtIndex(
                format,
                index,
                &raw mut pointer,
                &raw mut size,
                &raw mut count,
                &raw mut header_length,
            )
        };
        if status != 0 {
            return Err(status);
        }
        if !pointer.is_null() {
            // SAFETY: VideoToolbox returns `size` readable bytes at `pointer`, owned by `format`.
            let set = unsafe { std::slice::from_raw_parts(pointer, size) };
            out.extend_from_slice(&START_CODE);
            out.extend_from_slice(set);
        }
        index += 1;
        if index >= count {
            return Ok(out);
        }
    }
}

/// The compression session's output callback.
///
/// # Safety
///
/// `refcon` is the `Mutex<CallbackState>` the session was created with, alive for the session.
unsafe extern "C-unwind" fn on_output(
    refcon: *mut c_void,
    _frame_refcon: *mut c_void,
    status: i32,
    flags: VTEncodeInfoFlags,
    sample: *mut CMSampleBuffer,
) {
    // SAFETY: `refcon` points at the encoder's boxed Mutex<CallbackState> (caller contract).
    let state = unsafe { &*refcon.cast::<Mutex<CallbackState>>() };
    let mut state = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if status != 0 {
        state.failure = Some(status);
        return;
    }
    if flags.contains(VTEncodeInfoFlags::FrameDropped) || sample.is_null() {
        return;
    }
    // SAFETY: a non-null sample is valid for the duration of the callback.
    let sample = unsafe { &*sample };
    // SAFETY: as above.
    if let Err(code) = unsafe { take_sample(sample, &mut state) } {
        state.failure = Some(code);
    }
}

fn number_i32(value: i32) -> CFRetained<CFNumber> {
    CFNumber::new_i32(value)
}

/// The levels VideoToolbox names for each profile, as the ABI's `level_idc`, for messages.
const VT_LEVELS: &str = "baseline: 1.3, 3 to 3.2, 4 to 4.2, 5 to 5.2; main and high: 3 to 3.2, \
     4 to 4.2, 5 to 5.2 (or auto)";

/// VideoToolbox's `ProfileLevel` value for `profile` at `level_idc` (0: the profile's
/// `AutoLevel`, VideoToolbox choosing from the size and rate).
///
/// # Errors
///
/// [`ErrorKind::Unsupported`] for a level VideoToolbox has no constant for (1b, 1 to 1.2, 2 to
/// 2.2, and 1.3 outside baseline); the `auto` backend then falls back to OpenH264, which takes
/// every level.
fn profile_level(profile: Profile, level_idc: u32) -> Result<&'static CFString, Error> {
    use Profile::{Baseline, High, Main};
    // SAFETY: immutable CFString constants of VideoToolbox, read only.
    let constant = unsafe {
        match (profile, level_idc) {
            (Baseline, 0) => kVTProfileLevel_H264_Baseline_AutoLevel,
            (Baseline, 13) => kVTProfileLevel_H264_Baseline_1_3,
            (Baseline, 30) => kVTProfileLevel_H264_Baseline_3_0,
            (Baseline, 31) => kVTProfileLevel_H264_Baseline_3_1,
            (Baseline, 32) => kVTProfileLevel_H264_Baseline_3_2,
            (Baseline, 40) => kVTProfileLevel_H264_Baseline_4_0,
            (Baseline, 41) => kVTProfileLevel_H264_Baseline_4_1,
            (Baseline, 42) => kVTProfileLevel_H264_Baseline_4_2,
            (Baseline, 50) => kVTProfileLevel_H264_Baseline_5_0,
            (Baseline, 51) => kVTProfileLevel_H264_Baseline_5_1,
            (Baseline, 52) => kVTProfileLevel_H264_Baseline_5_2,
            (Main, 0) => kVTProfileLevel_H264_Main_AutoLevel,
            (Main, 30) => kVTProfileLevel_H264_Main_3_0,
            (Main, 31) => kVTProfileLevel_H264_Main_3_1,
            (Main, 32) => kVTProfileLevel_H264_Main_3_2,
            (Main, 40) => kVTProfileLevel_H264_Main_4_0,
            (Main, 41) => kVTProfileLevel_H264_Main_4_1,
            (Main, 42) => kVTProfileLevel_H264_Main_4_2,
            (Main, 50) => kVTProfileLevel_H264_Main_5_0,
            (Main, 51) => kVTProfileLevel_H264_Main_5_1,
            (Main, 52) => kVTProfileLevel_H264_Main_5_2,
            (High, 0) => kVTProfileLevel_H264_High_AutoLevel,
            (High, 30) => kVTProfileLevel_H264_High_3_0,
            (High, 31) => kVTProfileLevel_H264_High_3_1,
            (High, 32) => kVTProfileLevel_H264_High_3_2,
            (High, 40) => kVTProfileLevel_H264_High_4_0,
            (High, 41) => kVTProfileLevel_H264_High_4_1,
            (High, 42) => kVTProfileLevel_H264_High_4_2,
            (High, 50) => kVTProfileLevel_H264_High_5_0,
            (High, 51) => kVTProfileLevel_H264_High_5_1,
            (High, 52) => kVTProfileLevel_H264_High_5_2,
            _ => {
                let profile = match profile {
                    Baseline => "baseline",
                    Main => "main",
                    High => "high",
                };
                return Err(ErrorKind::Unsupported {
                    what: "H.264 level on VideoToolbox",
                    detail: ErrorText::format(format_args!(
                        "level_idc {level_idc} with the {profile} profile has no VideoToolbox \
                         constant; VideoToolbox takes {VT_LEVELS} (the openh264 backend takes \
                         every level)"
                    )),
                }
                .into());
            }
        }
    };
    Ok(constant)
}

impl VideoToolboxEncoder {
    /// Creates a session for `settings`. With `require_hardware` (the `auto` backend), a Mac
    /// without a hardware H.264 encoder makes this fail so OpenH264 is used instead.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`] when VideoToolbox refuses the session (no encoder for this
    /// size, or no hardware when it is required) or has no constant for the requested level;
    /// [`ErrorKind::Codec`] for a property it refuses.
    pub fn new(settings: &EncoderSettings, require_hardware: bool) -> Result<Self, Error> {
        // Refuse a level VideoToolbox cannot name before making a session.
        profile_level(settings.profile, settings.level_idc)?;
        let (width, height) = (settings.width, settings.height);
        let spec_key: &CFString = if require_hardware {
            // SAFETY: an immutable CFString constant of VideoToolbox.
            unsafe { kVTVideoEncoderSpecification_RequireHardwareAcceleratedVideoEncoder }
        } else {
            // SAFETY: as above.
            unsafe { kVTVideoEncoderSpecification_EnableHardwareAcceleratedVideoEncoder }
        };
        let yes: &CFType = CFBoolean::new(true);
        let specification = CFDictionary::<CFString, CFType>::from_slices(&[spec_key], &[yes]);
        let format = number_i32(kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange as i32);
        let (w, h) = (number_i32(width as i32), number_i32(height as i32));
        // SAFETY: immutable CFString constants of CoreVideo.
        let attribute_keys: [&CFString; 3] = unsafe {
            [
                kCVPixelBufferPixelFormatTypeKey,
                kCVPixelBufferWidthKey,
                kCVPixelBufferHeightKey,
            ]
        };
        let attribute_values: [&CFType; 3] = [&format, &w, &h];
        let attributes =
            CFDictionary::<CFString, CFType>::from_slices(&attribute_keys, &attribute_values);
        let state: Box<Mutex<CallbackState>> = Box::default();
        let refcon = ptr::from_ref::<Mutex<CallbackState>>(&state)
            .cast_mut()
            .cast::<c_void>();
        let mut session: *mut VTCompressionSession = ptr::null_mut();
        // SAFETY: the dictionaries are valid CF dictionaries of CFString keys, the callback
        // matches VTCompressionOutputCallback, `refcon` outlives the session (both are owned by
        // the returned encoder, and the session is invalidated first on drop), and `session` is
        // a live out-pointer.
        let status = unsafe {
            VTCompressionSession::create(
                None,
                width as i32,
                height as i32,
                kCMVideoCodecType_H264,
                Some(specification.as_opaque()),
                Some(attributes.as_opaque()),
                None,
                Some(on_output),
                refcon,
                NonNull::from(&mut session),
            )
        };
        let Some(session) = NonNull::new(session).filter(|_| status == 0) else {
            return Err(ErrorKind::Unsupported {
                what: "VideoToolbox H.264 session",
                detail: ErrorText::format(format_args!(
                    "{width}x{height}{}: OSStatus {status}",
                    if require_hardware { " in hardware" } else { "" }
                )),
            }
            .into());
        };
        // SAFETY: VTCompressionSessionCreate returned a +1 reference we now own.
        let session = unsafe { CFRetained::from_raw(session) };
        let encoder = Self {
            session,
            state,
            width,
            height,
            fps: settings.fps,
            i420: Vec::new(),
            parameter_sets: Vec::new(),
        };
        encoder.configure(settings)?;
        Ok(encoder)
    }

    fn set(&self, key: &CFString, value: &CFType, what: &str) -> Result<(), Error> {
        let session: &CFType = &self.session;
        // SAFETY: `session` is a live compression session and `value` has the type the key
        // documents (numbers and booleans as VideoToolbox specifies).
        let status = unsafe { VTSessionSetProperty(session, key, Some(value)) };
        if status == 0 {
            Ok(())
        } else {
            Err(vt_error(what, status))
        }
    }

    fn configure(&self, settings: &EncoderSettings) -> Result<(), Error> {
        let yes: &CFType = CFBoolean::new(true);
        let no: &CFType = CFBoolean::new(false);
        // SAFETY: the keys and profile values below are immutable CFString constants of
        // VideoToolbox, read only.
        unsafe {
            self.set(
                kVTCompressionPropertyKey_RealTime,
                if settings.low_latency { yes } else { no },
                "set RealTime",
            )?;
            // One frame in, one access unit out: no B-frames, so decode order is display order.
            self.set(
                kVTCompressionPropertyKey_AllowFrameReordering,
                no,
                "set AllowFrameReordering",
            )?;
            let bitrate = number_i32(settings.bitrate_bps.min(i32::MAX as u32) as i32);
            self.set(
                kVTCompressionPropertyKey_AverageBitRate,
                &bitrate,
                "set AverageBitRate",
            )?;
            let fps = CFNumber::new_f64(settings.fps);
            self.set(
                kVTCompressionPropertyKey_ExpectedFrameRate,
                &fps,
                "set ExpectedFrameRate",
            )?;
            if settings.keyframe_interval > 0 {
                let interval = number_i32(settings.keyframe_interval.min(i32::MAX as u32) as i32);
                self.set(
                    kVTCompressionPropertyKey_MaxKeyFrameInterval,
                    &interval,
                    "set MaxKeyFrameInterval",
                )?;
            }
            // The profile at the requested level (AutoLevel for level_idc 0).
            let profile = profile_level(settings.profile, settings.level_idc)?;
            self.set(
                kVTCompressionPropertyKey_ProfileLevel,
                profile,
                "set ProfileLevel",
            )?;
        }
        // SAFETY: the session is live and configured.
        let status = unsafe { self.session.prepare_to_encode_frames() };
        if status != 0 {
            return Err(vt_error("PrepareToEncodeFrames", status));
        }
        Ok(())
    }

    /// A pixel buffer from the session's pool, filled with `frame` as NV12.
    fn fill_pixel_buffer(
        &mut self,
        frame: &VideoInput<'_>,
    ) -> Result<CFRetained<CVPixelBuffer>, Error> {
        // SAFETY: the session is live.
        let pool: CFRetained<CVPixelBufferPool> = unsafe { self.session.pixel_buffer_pool() }
            .ok_or_else(|| vt_error("GetPixelBufferPool", -1))?;
        let mut buffer: *mut CVPixelBuffer = ptr::null_mut();
        // SAFETY: `pool` is a live pool and `buffer` a live out-pointer.
        let status = unsafe {
            CVPixelBufferPool::create_pixel_buffer(None, &pool, NonNull::from(&mut buffer))
        };
        let buffer = NonNull::new(buffer)
            .filter(|_| status == 0)
            .ok_or_else(|| vt_error("CVPixelBufferPoolCreatePixelBuffer", status))?;
        // SAFETY: CVPixelBufferPoolCreatePixelBuffer returned a +1 reference we now own.
        let buffer = unsafe { CFRetained::from_raw(buffer) };
        let (w, h) = (self.width as usize, self.height as usize);
        let i420: &[u8] = match frame.format {
            PixelFormat::I420 | PixelFormat::Nv12 => frame.data,
            PixelFormat::Rgba | PixelFormat::Bgra => {
                let order = if frame.format == PixelFormat::Rgba {
                    RgbOrder::Rgba
                } else {
                    RgbOrder::Bgra
                };
                self.i420
                    .resize(PixelFormat::I420.frame_bytes(self.width, self.height), 0);
                rgb_to_i420(frame.data, w * 4, order, w, h, &mut self.i420);
                &self.i420
            }
        };
        // SAFETY: `buffer` is a live pixel buffer; it is unlocked below with the same flags.
        let status = unsafe { CVPixelBufferLockBaseAddress(&buffer, CVPixelBufferLockFlags(0)) };
        if status != 0 {
            return Err(vt_error("CVPixelBufferLockBaseAddress", status));
        }
        let (luma, luma_stride) = (
            CVPixelBufferGetBaseAddressOfPlane(&buffer, 0).cast::<u8>(),
            CVPixelBufferGetBytesPerRowOfPlane(&buffer, 0),
        );
        let (chroma, chroma_stride) = (
            CVPixelBufferGetBaseAddressOfPlane(&buffer, 1).cast::<u8>(),
            CVPixelBufferGetBytesPerRowOfPlane(&buffer, 1),
        );
        if !luma.is_null() && !chroma.is_null() {
            for row in 0..h {
                // SAFETY: plane 0 of a locked NV12 buffer of height h has h rows of
                // `luma_stride` >= w bytes.
                let dst = unsafe { std::slice::from_raw_parts_mut(luma.add(row * luma_stride), w) };
                dst.copy_from_slice(&i420[row * w..(row + 1) * w]);
            }
            let (cw, ch) = (w / 2, h / 2);
            for row in 0..ch {
                // SAFETY: plane 1 has h/2 rows of `chroma_stride` >= w bytes (interleaved U/V).
                let dst =
                    unsafe { std::slice::from_raw_parts_mut(chroma.add(row * chroma_stride), w) };
                if frame.format == PixelFormat::Nv12 {
                    dst.copy_from_slice(&i420[w * h + row * w..w * h + (row + 1) * w]);
                } else {
                    let u = &i420[w * h + row * cw..w * h + (row + 1) * cw];
                    let v = &i420[w * h + cw * ch + row * cw..w * h + cw * ch + (row + 1) * cw];
                    for (i, pair) in dst.chunks_exact_mut(2).enumerate() {
                        pair[0] = u[i];
                        pair[1] = v[i];
                    }
                }
            }
        }
        // SAFETY: locked above with these flags.
        unsafe { CVPixelBufferUnlockBaseAddress(&buffer, CVPixelBufferLockFlags(0)) };
        Ok(buffer)
    }
}

impl VideoEncoder for VideoToolboxEncoder {
    fn backend(&self) -> Backend {
        Backend::VideoToolbox
    }

    fn encode(
        &mut self,
        frame: VideoInput<'_>,
        force_keyframe: bool,
        out: &mut AccessUnit,
    ) -> Result<bool, Error> {
        frame
            .format
            .check_frame(frame.data, self.width, self.height)?;
        let buffer = self.fill_pixel_buffer(&frame)?;
        let micros = (frame.timestamp_ns / 1_000.0).round() as i64;
        // SAFETY: CMTimeMake has no preconditions.
        let pts = unsafe { CMTime::new(micros, TIMESCALE) };
        // SAFETY: as above.
        let duration = unsafe { CMTime::new((1e6 / self.fps).round() as i64, TIMESCALE) };
        let force_key = force_keyframe.then(|| {
            let yes: &CFType = CFBoolean::new(true);
            // SAFETY: an immutable CFString constant of VideoToolbox.
            let key: &CFString = unsafe { kVTEncodeFrameOptionKey_ForceKeyFrame };
            CFDictionary::<CFString, CFType>::from_slices(&[key], &[yes])
        });
        let mut flags = VTEncodeInfoFlags(0);
        // SAFETY: the session is live, `buffer` is a filled, unlocked pixel buffer of the
        // session's size and format, the properties dictionary (if any) holds a CFBoolean, and
        // `flags` is a live out-pointer.
        let status = unsafe {
            self.session.encode_frame(
                &buffer,
                pts,
                duration,
                force_key.as_deref().map(|d| d.as_opaque()),
                ptr::null_mut(),
                &raw mut flags,
            )
        };
        if status != 0 {
            return Err(vt_error("EncodeFrame", status));
        }
        // SAFETY: the session is live; kCMTimeInvalid completes every pending frame.
        let status = unsafe { self.session.complete_frames(kCMTimeInvalid) };
        if status != 0 {
            return Err(vt_error("CompleteFrames", status));
        }
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(code) = state.failure.take() {
            return Err(vt_error("encoding (output callback)", code));
        }
        if !state.ready {
            return Ok(false);
        }
        state.ready = false;
        std::mem::swap(&mut out.data, &mut state.data);
        out.keyframe = is_idr(&out.data);
        out.timestamp_ns = frame.timestamp_ns;
        if out.keyframe {
            self.parameter_sets.clone_from(&state.parameter_sets);
        }
        Ok(true)
    }

    fn parameter_sets(&self) -> &[u8] {
        &self.parameter_sets
    }
}

impl Drop for VideoToolboxEncoder {
    fn drop(&mut self) {
        // SAFETY: the session is live; invalidating it stops callbacks before `state` is freed.
        unsafe { self.session.invalidate() };
    }
}
