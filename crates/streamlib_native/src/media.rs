//! Media: H.264 encoding (one [`encoder::VideoEncoder`] contract, OpenH264 everywhere and
//! VideoToolbox on macOS) and decoding, Opus, AAC-LC decoding, native pixel conversion, and capture (X11 screens
//! and V4L2 cameras on Linux, AVFoundation cameras and microphones on macOS) into the frame pool
//! and a ring, and audio out to a device through `cpal` ([`speaker`]).
//!
//! Everything OS-specific sits behind [`platform`], which picks its implementation by file
//! suffix (`*_linux.rs`, `*_apple.rs`, `*_other.rs`) with the crate's one `#[cfg]` on the OS.

pub mod aac_codec;
pub mod capture;
pub mod color_convert;
pub mod decoder_openh264;
pub mod encoder;
pub mod encoder_openh264;
pub mod h264_bitstream;
pub mod handles;
pub mod opus_codec;
pub mod pixel_format;
pub mod platform;
pub mod speaker;
