//! [`NativeInvert`]: inverts RGBA or BGRA video.

use streamlib_plugin::{Config, Frames, NativeProcessor, PixelFormat, PortSpec, ProcessorSpec};

/// Inverts the red, green and blue of RGBA or BGRA video (`255 - v`); alpha is kept unless the
/// config's `invert_alpha` is true. Other pixel formats are an error.
///
/// # Examples
///
/// ```
/// use streamlib_example_plugin::NativeInvert;
/// use streamlib_plugin::{Config, NativeProcessor};
///
/// assert_eq!(streamlib_plugin::spec::validate_descriptor::<NativeInvert>(), Ok(()));
/// assert!(NativeInvert::create(&Config::from_json(r#"{"invert_alpha": true}"#).unwrap()).is_ok());
/// ```
pub struct NativeInvert {
    /// XOR mask of one pixel, little-endian: the colour bytes, and alpha if inverted.
    mask: u32,
}

/// JSON Schema of [`NativeInvert`]'s config.
const CONFIG_SCHEMA: &str = r#"{
    "type": "object",
    "properties": {
        "invert_alpha": {
            "description": "Invert the alpha channel too.",
            "type": "boolean",
            "default": false
        }
    },
    "additionalProperties": false
}"#;

impl NativeProcessor for NativeInvert {
    fn descriptor() -> ProcessorSpec {
        const {
            ProcessorSpec {
                name: "NativeInvert",
                description: "Inverts the colours of RGBA or BGRA video (255 - value); alpha is kept unless invert_alpha is set. Runs in a native plugin.",
                tags: &["video", "filter", "native"],
                inputs: &[PortSpec::input(
                    "in",
                    "VideoFrame",
                    "RGBA or BGRA video to invert.",
                    true,
                )],
                outputs: &[PortSpec::output(
                    "out",
                    "VideoFrame",
                    "The inverted video, same format and size.",
                )],
                config_schema: CONFIG_SCHEMA,
            }
        }
    }

    fn create(config: &Config) -> Result<Self, String> {
        let alpha = if config.bool_or("invert_alpha", false)? {
            0xff
        } else {
            0
        };
        Ok(Self {
            mask: u32::from_le_bytes([0xff, 0xff, 0xff, alpha]),
        })
    }

    fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
        let Some(input) = frames.input(0) else {
            return Ok(());
        };
        let video = input.video()?;
        if !matches!(video.format, PixelFormat::Rgba | PixelFormat::Bgra) {
            return Err(format!(
                "NativeInvert cannot invert {} video: it supports RGBA and BGRA",
                video.format
            ));
        }
        let Some(mut out) = frames.output(0) else {
            return Ok(());
        };
        let mask = self.mask;
        // Both layouts are 4 bytes a pixel with alpha last, so one mask serves both.
        let row_bytes = video.width as usize * 4;
        let stride = video.stride as usize;
        out.emit_video(video.layout(), video.timing(), |dst| {
            for (dst_row, src_row) in dst.chunks_mut(stride).zip(video.data.chunks(stride)) {
                let (dst_pixels, dst_pad) = dst_row.split_at_mut(row_bytes);
                let (src_pixels, src_pad) = src_row.split_at(row_bytes);
                invert_pixels(src_pixels, dst_pixels, mask);
                dst_pad.copy_from_slice(src_pad);
            }
        })?;
        Ok(())
    }
}

/// `dst = src ^ mask`, a 4-byte pixel at a time.
fn invert_pixels(src: &[u8], dst: &mut [u8], mask: u32) {
    for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
        let pixel = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) ^ mask;
        d.copy_from_slice(&pixel.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xor_with_ff_is_255_minus() {
        let src = [0, 1, 254, 200, 255, 128, 7, 0];
        let mut dst = [0; 8];
        invert_pixels(&src, &mut dst, u32::from_le_bytes([0xff, 0xff, 0xff, 0]));
        assert_eq!(dst, [255, 254, 1, 200, 0, 127, 248, 0]);
    }
}
