//! [`VideoEncoder`] over OpenH264 (Cisco's BSD-licensed encoder, built from source by
//! `openh264-sys2`): the software backend on every OS.
//!
//! The encoder is driven through OpenH264's own C API, so that every parameter is ours (the
//! `openh264` crate's wrapper has no fixed slice count, which threading needs): I420 frames are
//! handed to OpenH264 in place (OpenH264 copies them once into its own picture, as it does for
//! GStreamer's openh264enc); NV12, RGBA and BGRA are converted to I420 first, natively, into a
//! buffer allocated once. Rate control is bit-rate mode with frame skipping off, so every frame
//! yields an access unit. `low_latency` selects OpenH264's real-time camera mode with low
//! complexity; otherwise the non-real-time mode at medium complexity. `threads` above 1 cuts
//! each picture into that many slices, which OpenH264 encodes in parallel (it threads by slice
//! only), still one access unit per frame with no added delay.
//!
//! On x86 the checkout's `.cargo/config.toml` builds OpenH264 with its AVX2 routines
//! (`HAVE_AVX2`), `-fstack-protector-strong` and `-O2`, as upstream's and Debian's builds do, in
//! place of `openh264-sys2`'s SSE-only, `-fstack-protector-all`, `-O3` build: 6-7% less time per
//! frame, the same bytes (docs/performance.md, Encode).

use std::ffi::c_void;
use std::ptr;

use openh264_sys2::source::APILoader;
use openh264_sys2::{
    CAMERA_VIDEO_NON_REAL_TIME, CAMERA_VIDEO_REAL_TIME, CONSTANT_ID, DEBLOCKING_IDC_0,
    ENCODER_OPTION_TRACE_LEVEL, ISVCEncoder, ISVCEncoderVtbl, LOW_COMPLEXITY, MEDIUM_COMPLEXITY,
    PRO_BASELINE, PRO_HIGH, PRO_MAIN, RC_BITRATE_MODE, SEncParamExt, SFrameBSInfo,
    SM_FIXEDSLCNUM_SLICE, SM_SINGLE_SLICE, SSourcePicture, WELS_LOG_QUIET, cmResultSuccess,
    videoFormatI420, videoFrameTypeIDR, videoFrameTypeInvalid, videoFrameTypeSkip,
};

use crate::error_text::ErrorText;
use crate::media::color_convert::{RgbOrder, nv12_to_i420, rgb_to_i420};
use crate::media::encoder::{
    AccessUnit, Backend, EncoderSettings, Profile, VideoEncoder, VideoInput,
};
use crate::media::h264_bitstream::extract_parameter_sets;
use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

/// Largest frame side OpenH264 encodes (level 5.2: 3840x2160, either orientation).
pub const MAX_LONG_SIDE: u32 = 3840;
/// Largest shorter side.
pub const MAX_SHORT_SIDE: u32 = 2160;
/// Smallest side (one macroblock).
pub const MIN_SIDE: u32 = 16;
/// Most threads (and slices) OpenH264 uses (`MAX_THREADS_NUM`).
pub const MAX_THREADS: u32 = 4;

/// One OpenH264 encoder instance, destroyed on drop, and where it describes each encoded frame
/// (6 KiB: kept, not rebuilt per frame).
struct RawEncoder(*mut ISVCEncoder, Box<SFrameBSInfo>);

// SAFETY: the instance and its frame description (whose pointers point into the instance's own
// buffers) are owned by this value alone, and OpenH264 keeps no thread affinity; they are used
// from one thread at a time (`&mut self` for every call that encodes).
unsafe impl Send for RawEncoder {}

impl RawEncoder {
    fn create() -> Result<Self, Error> {
        let mut encoder: *mut ISVCEncoder = ptr::null_mut();
        // SAFETY: WelsCreateSVCEncoder writes one pointer to the live local.
        let status = unsafe { APILoader::WelsCreateSVCEncoder(&raw mut encoder) };
        if status != 0 || encoder.is_null() {
            return Err(codec_error("openh264 encoder creation", status));
        }
        Ok(Self(encoder, Box::default()))
    }

    fn vtable(&self) -> &ISVCEncoderVtbl {
        // SAFETY: a created instance points at its vtable, which lives as long as the instance.
        unsafe { &**self.0 }
    }
}

impl Drop for RawEncoder {
    fn drop(&mut self) {
        // SAFETY: the instance is live and dropped once; Uninitialize is harmless on an
        // instance that was never initialized.
        unsafe {
            if let Some(uninitialize) = self.vtable().Uninitialize {
                uninitialize(self.0);
            }
            APILoader::WelsDestroySVCEncoder(self.0);
        }
    }
}

/// The OpenH264 backend.
pub struct OpenH264Encoder {
    encoder: RawEncoder,
    width: u32,
    height: u32,
    i420: Vec<u8>,
    parameter_sets: Vec<u8>,
    frames: u64,
}

fn codec_error(what: &'static str, status: i32) -> Error {
    ErrorKind::Codec {
        what,
        detail: ErrorText::format(format_args!("OpenH264 returned {status}")),
    }
    .into()
}

/// The thread (and slice) count for `settings.threads`: 0 is one per core, at most
/// [`MAX_THREADS`].
pub fn thread_count(requested: u32) -> u32 {
    let threads = if requested == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
    } else {
        requested
    };
    threads.clamp(1, MAX_THREADS)
}

/// OpenH264's parameters for `settings`, from its defaults.
fn parameters(encoder: &RawEncoder, settings: &EncoderSettings) -> Result<SEncParamExt, Error> {
    let mut p = SEncParamExt::default();
    let get_defaults = encoder.vtable().GetDefaultParams.expect("OpenH264 vtable");
    // SAFETY: the instance is live; `p` is a live, writable SEncParamExt.
    let status = unsafe { get_defaults(encoder.0, &raw mut p) };
    if status != cmResultSuccess {
        return Err(codec_error("openh264 default parameters", status));
    }
    let (width, height) = (settings.width as i32, settings.height as i32);
    let bitrate = i32::try_from(settings.bitrate_bps).unwrap_or(i32::MAX);
    let threads = thread_count(settings.threads);
    p.iUsageType = if settings.low_latency {
        CAMERA_VIDEO_REAL_TIME
    } else {
        CAMERA_VIDEO_NON_REAL_TIME
    };
    p.iComplexityMode = if settings.low_latency {
        LOW_COMPLEXITY
    } else {
        MEDIUM_COMPLEXITY
    };
    p.iPicWidth = width;
    p.iPicHeight = height;
    p.iTargetBitrate = bitrate;
    p.iRCMode = RC_BITRATE_MODE;
    p.fMaxFrameRate = settings.fps as f32;
    // A recording keeps every frame.
    p.bEnableFrameSkip = false;
    p.uiIntraPeriod = settings.keyframe_interval;
    p.iMultipleThreadIdc = threads as u16;
    p.eSpsPpsIdStrategy = CONSTANT_ID;
    p.bEnableDenoise = false;
    p.bEnableSceneChangeDetect = true;
    p.bEnableBackgroundDetection = true;
    p.bEnableAdaptiveQuant = true;
    p.bEnableLongTermReference = false;
    p.iLtrMarkPeriod = 30;
    p.iLoopFilterDisableIdc = DEBLOCKING_IDC_0;
    p.iMinQp = 0;
    p.iMaxQp = 51;
    p.iSpatialLayerNum = 1;
    p.iTemporalLayerNum = 1;
    let layer = &mut p.sSpatialLayers[0];
    layer.iVideoWidth = width;
    layer.iVideoHeight = height;
    layer.fFrameRate = settings.fps as f32;
    layer.iSpatialBitrate = bitrate;
    layer.iMaxSpatialBitrate = bitrate;
    layer.uiProfileIdc = match settings.profile {
        Profile::Baseline => PRO_BASELINE,
        Profile::Main => PRO_MAIN,
        Profile::High => PRO_HIGH,
    };
    // 0 (LEVEL_UNKNOWN) lets OpenH264 choose; the settings only hold valid level_idc values.
    layer.uiLevelIdc = settings.level_idc as _;
    // Our YUV is BT.601 limited range (color_convert.rs); say so in the SPS (SMPTE 170M: 6).
    layer.bVideoSignalTypePresent = true;
    layer.bColorDescriptionPresent = true;
    layer.bFullRange = false;
    layer.uiColorPrimaries = 6;
    layer.uiTransferCharacteristics = 6;
    layer.uiColorMatrix = 6;
    if threads > 1 {
        layer.sSliceArgument.uiSliceMode = SM_FIXEDSLCNUM_SLICE;
        layer.sSliceArgument.uiSliceNum = threads;
    } else {
        layer.sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
        layer.sSliceArgument.uiSliceNum = 1;
    }
    Ok(p)
}

impl OpenH264Encoder {
    /// Creates the encoder for `settings` (whose backend field is ignored).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedSize`] outside 16x16 ..= 3840x2160 (either orientation);
    /// [`ErrorKind::Codec`] if OpenH264 refuses the configuration.
    pub fn new(settings: &EncoderSettings) -> Result<Self, Error> {
        let (long, short) = (
            settings.width.max(settings.height),
            settings.width.min(settings.height),
        );
        if short < MIN_SIDE || long > MAX_LONG_SIDE || short > MAX_SHORT_SIDE {
            return Err(ErrorKind::UnsupportedSize {
                what: "the openh264 encoder",
                width: settings.width,
                height: settings.height,
                valid: "even sizes from 16x16 to 3840x2160 (or 2160x3840)",
            }
            .into());
        }
        let encoder = RawEncoder::create()?;
        let params = parameters(&encoder, settings)?;
        let vtable = encoder.vtable();
        let (set_option, initialize) = (
            vtable.SetOption.expect("OpenH264 vtable"),
            vtable.InitializeExt.expect("OpenH264 vtable"),
        );
        // Quiet OpenH264's own stderr logging before it initializes, which otherwise warns that
        // bit-rate control cannot skip frames: that is deliberate here (a recording keeps every
        // frame).
        let mut quiet = WELS_LOG_QUIET;
        // SAFETY: the instance is live; the trace level option reads one int, live across the
        // call, and `params` is a complete SEncParamExt from GetDefaultParams.
        let status = unsafe {
            set_option(
                encoder.0,
                ENCODER_OPTION_TRACE_LEVEL,
                (&raw mut quiet).cast::<c_void>(),
            );
            initialize(encoder.0, &raw const params)
        };
        if status != cmResultSuccess {
            return Err(codec_error("openh264 encoder setup", status));
        }
        Ok(Self {
            encoder,
            width: settings.width,
            height: settings.height,
            i420: Vec::new(),
            parameter_sets: Vec::new(),
            frames: 0,
        })
    }
}

impl VideoEncoder for OpenH264Encoder {
    fn backend(&self) -> Backend {
        Backend::OpenH264
    }

    fn encode(
        &mut self,
        frame: VideoInput<'_>,
        force_keyframe: bool,
        out: &mut AccessUnit,
    ) -> Result<bool, Error> {
        let (width, height) = (self.width, self.height);
        frame.format.check_frame(frame.data, width, height)?;
        let (w, h) = (width as usize, height as usize);
        let i420: &[u8] = match frame.format {
            PixelFormat::I420 => frame.data,
            other => {
                self.i420
                    .resize(PixelFormat::I420.frame_bytes(width, height), 0);
                match other {
                    PixelFormat::Nv12 => nv12_to_i420(frame.data, w, h, &mut self.i420),
                    PixelFormat::Rgba => {
                        rgb_to_i420(frame.data, w * 4, RgbOrder::Rgba, w, h, &mut self.i420);
                    }
                    PixelFormat::Bgra => {
                        rgb_to_i420(frame.data, w * 4, RgbOrder::Bgra, w, h, &mut self.i420);
                    }
                    PixelFormat::I420 => unreachable!("handled above"),
                }
                &self.i420
            }
        };
        let (luma, chroma) = (w * h, (w / 2) * (h / 2));
        let base = i420.as_ptr().cast_mut();
        let picture = SSourcePicture {
            iColorFormat: videoFormatI420,
            iStride: [width as i32, (width / 2) as i32, (width / 2) as i32, 0],
            // OpenH264 only reads the planes (it copies them into its own picture).
            pData: [
                base,
                base.wrapping_add(luma),
                base.wrapping_add(luma + chroma),
                ptr::null_mut(),
            ],
            iPicWidth: width as i32,
            iPicHeight: height as i32,
            uiTimeStamp: (frame.timestamp_ns / 1e6).max(0.0) as i64,
            bPsnrY: false,
            bPsnrU: false,
            bPsnrV: false,
        };
        let vtable = self.encoder.vtable();
        let encode = vtable.EncodeFrame.expect("OpenH264 vtable");
        // The first frame is an IDR picture anyway.
        if force_keyframe && self.frames > 0 {
            let force = vtable.ForceIntraFrame.expect("OpenH264 vtable");
            // SAFETY: the instance is live and initialized.
            unsafe { force(self.encoder.0, true) };
        }
        self.frames += 1;
        // SAFETY: the instance is live and initialized; `picture` points at one whole I420 frame
        // of the configured size (checked above), alive across the call; `info` is writable.
        let status =
            unsafe { encode(self.encoder.0, &raw const picture, &raw mut *self.encoder.1) };
        if status != cmResultSuccess {
            return Err(codec_error("openh264 encode", status));
        }
        let info = &*self.encoder.1;
        if info.eFrameType == videoFrameTypeSkip || info.eFrameType == videoFrameTypeInvalid {
            return Ok(false);
        }
        out.data.clear();
        let layers = usize::try_from(info.iLayerNum).unwrap_or(0);
        for layer in &info.sLayerInfo[..layers.min(info.sLayerInfo.len())] {
            let nals = usize::try_from(layer.iNalCount).unwrap_or(0);
            if nals == 0 || layer.pBsBuf.is_null() || layer.pNalLengthInByte.is_null() {
                continue;
            }
            // SAFETY: OpenH264 filled `iNalCount` lengths, and the layer's NAL units lie one
            // after the other in `pBsBuf`, valid until the next encode call.
            let bytes = unsafe {
                let lengths = std::slice::from_raw_parts(layer.pNalLengthInByte, nals);
                let total: usize = lengths
                    .iter()
                    .map(|&n| usize::try_from(n).unwrap_or(0))
                    .sum();
                std::slice::from_raw_parts(layer.pBsBuf, total)
            };
            out.data.extend_from_slice(bytes);
        }
        out.keyframe = info.eFrameType == videoFrameTypeIDR;
        out.timestamp_ns = frame.timestamp_ns;
        if out.keyframe {
            extract_parameter_sets(&out.data, &mut self.parameter_sets);
        }
        Ok(!out.data.is_empty())
    }

    fn parameter_sets(&self) -> &[u8] {
        &self.parameter_sets
    }
}
