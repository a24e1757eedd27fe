//! The pixel formats that cross the ABI, with their codes and frame sizes.
//!
//! The order matches `PIXEL_FORMATS` in `core/frames/video_frame.ts`: `RGBA` 0, `BGRA` 1, `I420` 2,
//! `NV12` 3. Rows are tightly packed; 4:2:0 formats need an even width and height.

use crate::status::{Error, ErrorKind};

/// A video frame layout.
///
/// # Examples
///
/// ```
/// use streamlib_native::media::pixel_format::PixelFormat;
///
/// assert_eq!(PixelFormat::from_code(2), Ok(PixelFormat::I420));
/// assert_eq!(PixelFormat::I420.frame_bytes(4, 4), 24);
/// assert_eq!(PixelFormat::Bgra.frame_bytes(4, 4), 64);
/// assert!(PixelFormat::from_code(9).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// One plane, 4 bytes a pixel: R, G, B, A.
    Rgba,
    /// One plane, 4 bytes a pixel: B, G, R, A (X11 and macOS native order).
    Bgra,
    /// Three planes: Y, then U and V at half width and half height.
    I420,
    /// Two planes: Y, then interleaved U/V at half width and half height.
    Nv12,
}

/// The valid codes, for error messages.
pub const PIXEL_FORMAT_CODES: &str = "0 (RGBA), 1 (BGRA), 2 (I420), 3 (NV12)";

impl PixelFormat {
    /// The format with ABI code `code`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownCode`] for any other code.
    pub fn from_code(code: u32) -> Result<Self, Error> {
        match code {
            0 => Ok(Self::Rgba),
            1 => Ok(Self::Bgra),
            2 => Ok(Self::I420),
            3 => Ok(Self::Nv12),
            _ => Err(ErrorKind::UnknownCode {
                what: "pixel format",
                value: code,
                valid: PIXEL_FORMAT_CODES,
            }
            .into()),
        }
    }

    /// The ABI code.
    pub const fn code(self) -> u32 {
        match self {
            Self::Rgba => 0,
            Self::Bgra => 1,
            Self::I420 => 2,
            Self::Nv12 => 3,
        }
    }

    /// The name used in `core/frames/video_frame.ts`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rgba => "RGBA",
            Self::Bgra => "BGRA",
            Self::I420 => "I420",
            Self::Nv12 => "NV12",
        }
    }

    /// Whether chroma is subsampled 2x2 (so width and height must be even).
    pub const fn is_yuv420(self) -> bool {
        matches!(self, Self::I420 | Self::Nv12)
    }

    /// Bytes of one tightly packed frame (`width * height * 4`, or `* 3 / 2` for 4:2:0).
    pub const fn frame_bytes(self, width: u32, height: u32) -> usize {
        let pixels = width as usize * height as usize;
        match self {
            Self::Rgba | Self::Bgra => pixels * 4,
            Self::I420 | Self::Nv12 => {
                pixels + 2 * (width as usize).div_ceil(2) * (height as usize).div_ceil(2)
            }
        }
    }

    /// `Err` naming `what` and the expected length if `data` is not exactly one frame.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongLength`].
    pub fn check_frame(self, data: &[u8], width: u32, height: u32) -> Result<(), Error> {
        let expected = self.frame_bytes(width, height);
        if data.len() == expected {
            Ok(())
        } else {
            Err(ErrorKind::WrongLength {
                what: self.frame_what(),
                actual: data.len() as u64,
                expected: expected as u64,
            }
            .into())
        }
    }

    const fn frame_what(self) -> &'static str {
        match self {
            Self::Rgba => "RGBA frame length",
            Self::Bgra => "BGRA frame length",
            Self::I420 => "I420 frame length",
            Self::Nv12 => "NV12 frame length",
        }
    }
}
