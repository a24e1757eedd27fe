//! H.264 decoding with OpenH264, so recorded files and encoder round trips can be checked and
//! played back.
//!
//! Access units go in one at a time (Annex B, each with its presentation time); a picture comes
//! out as soon as OpenH264 has one, in display order, carrying the time of the access unit it came
//! from. Pictures are copied once into an internal tightly packed I420 buffer, which the caller
//! reads (`sl_h264_decoder_read` copies it into a JS buffer or a pool slot).

use std::ptr;

use openh264::OpenH264API;
use openh264::decoder::{Decoder, DecoderConfig, Flush};
use openh264_sys2::{
    DECODER_OPTION_END_OF_STREAM, DECODER_OPTION_NUM_OF_FRAMES_REMAINING_IN_BUFFER, DECODING_STATE,
    SBufferInfo, dsErrorFree,
};

use crate::error_text::ErrorText;
use crate::media::color_convert::copy_plane;
use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

/// Size and time of a decoded picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PictureInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Presentation time in ns of the access unit the picture came from.
    pub timestamp_ns: f64,
}

impl PictureInfo {
    /// `[width, height, timestamp_ns, byte_length]`, as `sl_h264_decoder_decode` reports it.
    pub fn to_array(&self) -> [f64; 4] {
        [
            f64::from(self.width),
            f64::from(self.height),
            self.timestamp_ns,
            PixelFormat::I420.frame_bytes(self.width, self.height) as f64,
        ]
    }
}

/// An OpenH264 decoder plus the last picture it produced.
pub struct OpenH264Decoder {
    decoder: Decoder,
    picture: Vec<u8>,
    info: Option<PictureInfo>,
}

fn decode_error(state: DECODING_STATE) -> Error {
    let meaning = match state {
        s if s & 16 != 0 => "no SPS/PPS seen yet (the stream must start with a keyframe)",
        s if s & 4 != 0 => "corrupt bitstream",
        s if s & 2 != 0 => "a reference picture is missing",
        _ => "the decoder refused the access unit",
    };
    ErrorKind::Codec {
        what: "openh264 decode",
        detail: ErrorText::format(format_args!("{meaning} (state {state:#x})")),
    }
    .into()
}

impl OpenH264Decoder {
    /// Creates a decoder.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Codec`] if OpenH264 fails to initialize.
    pub fn new() -> Result<Self, Error> {
        let config = DecoderConfig::new().flush_after_decode(Flush::NoFlush);
        let decoder =
            Decoder::with_api_config(OpenH264API::from_source(), config).map_err(|e| {
                Error::from(ErrorKind::Codec {
                    what: "openh264 decoder setup",
                    detail: ErrorText::format(format_args!("{e}")),
                })
            })?;
        Ok(Self {
            decoder,
            picture: Vec::new(),
            info: None,
        })
    }

    /// Decodes one access unit stamped `timestamp_ns`. Returns the picture's size and time when
    /// one came out (read it with [`OpenH264Decoder::picture`]), `None` when the decoder needs more.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Codec`] for a stream OpenH264 cannot decode (no parameter sets yet, corrupt
    /// data).
    pub fn decode(
        &mut self,
        access_unit: &[u8],
        timestamp_ns: f64,
    ) -> Result<Option<PictureInfo>, Error> {
        let length = i32::try_from(access_unit.len()).map_err(|_| ErrorKind::OutOfRange {
            what: "access unit length",
            value: access_unit.len() as u64,
            min: 0,
            max: i32::MAX as u64,
        })?;
        let mut planes = [ptr::null_mut::<u8>(); 3];
        let mut info = SBufferInfo {
            uiInBsTimeStamp: timestamp_ns.max(0.0) as u64,
            ..SBufferInfo::default()
        };
        // SAFETY: `access_unit` is readable for `length` bytes, `planes` has room for the three
        // plane pointers and `info` is a valid SBufferInfo; the decoder is initialized.
        let state = unsafe {
            self.decoder.raw_api().decode_frame_no_delay(
                access_unit.as_ptr(),
                length,
                planes.as_mut_ptr(),
                &raw mut info,
            )
        };
        if state != dsErrorFree {
            return Err(decode_error(state));
        }
        Ok(self.take_picture(&planes, &info))
    }

    /// Signals the end of the stream and returns a picture the decoder still held, if any (call
    /// until `None`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Codec`] if OpenH264 reports a failure.
    pub fn flush(&mut self) -> Result<Option<PictureInfo>, Error> {
        let mut remaining: i32 = 0;
        let mut end: i32 = 1;
        // SAFETY: both options take a pointer to one int, which lives across the calls.
        let (set, get) = unsafe {
            let api = self.decoder.raw_api();
            (
                api.set_option(DECODER_OPTION_END_OF_STREAM, (&raw mut end).cast()),
                api.get_option(
                    DECODER_OPTION_NUM_OF_FRAMES_REMAINING_IN_BUFFER,
                    (&raw mut remaining).cast(),
                ),
            )
        };
        if set != 0 || get != 0 || remaining <= 0 {
            return Ok(None);
        }
        let mut planes = [ptr::null_mut::<u8>(); 3];
        let mut info = SBufferInfo::default();
        // SAFETY: `planes` has room for three pointers and `info` is a valid SBufferInfo.
        let state = unsafe {
            self.decoder
                .raw_api()
                .flush_frame(planes.as_mut_ptr(), &raw mut info)
        };
        if state != dsErrorFree {
            return Err(decode_error(state));
        }
        Ok(self.take_picture(&planes, &info))
    }

    /// Copies the picture OpenH264 reported (if any) into the internal I420 buffer.
    fn take_picture(&mut self, planes: &[*mut u8; 3], info: &SBufferInfo) -> Option<PictureInfo> {
        if info.iBufferStatus != 1 || planes.iter().any(|p| p.is_null()) {
            return None;
        }
        // SAFETY: with iBufferStatus 1 the decoder fills the sSystemBuffer member of the union.
        let system = unsafe { info.UsrData.sSystemBuffer };
        let (width, height) = (
            system.iWidth.max(0) as usize,
            system.iHeight.max(0) as usize,
        );
        let (luma_stride, chroma_stride) = (
            system.iStride[0].max(0) as usize,
            system.iStride[1].max(0) as usize,
        );
        if width == 0 || height == 0 || luma_stride < width || chroma_stride < width / 2 {
            return None;
        }
        let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
        self.picture.resize(width * height + 2 * cw * ch, 0);
        let (y, rest) = self.picture.split_at_mut(width * height);
        let (u, v) = rest.split_at_mut(cw * ch);
        // SAFETY: OpenH264 returns planes of `height` rows of `luma_stride` bytes (luma) and
        // `ceil(height / 2)` rows of `chroma_stride` bytes (chroma), valid until the next call.
        let (src_y, src_u, src_v) = unsafe {
            (
                std::slice::from_raw_parts(planes[0], luma_stride * height),
                std::slice::from_raw_parts(planes[1], chroma_stride * ch),
                std::slice::from_raw_parts(planes[2], chroma_stride * ch),
            )
        };
        copy_plane(src_y, luma_stride, width, height, y);
        copy_plane(src_u, chroma_stride, cw, ch, u);
        copy_plane(src_v, chroma_stride, cw, ch, v);
        let picture = PictureInfo {
            width: width as u32,
            height: height as u32,
            timestamp_ns: info.uiOutYuvTimeStamp as f64,
        };
        self.info = Some(picture);
        Some(picture)
    }

    /// The last picture, tightly packed I420 (empty before the first).
    pub fn picture(&self) -> &[u8] {
        if self.info.is_some() {
            &self.picture
        } else {
            &[]
        }
    }

    /// Size and time of the last picture.
    pub fn picture_info(&self) -> Option<PictureInfo> {
        self.info
    }
}
