//! AAC-LC audio decoding with Symphonia's pure-Rust decoder (`symphonia-codec-aac`, MPL-2.0), for
//! the audio track of MP4 files (docs/decisions/0035-aac-decoding-with-symphonia.md).
//!
//! The decoder is made from the track's AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1, the
//! `esds` box's DecoderSpecificInfo), which this module reads itself first so a corrupt or
//! unsupported one is refused with a precise error before Symphonia sees it. Each call decodes
//! one raw access unit (an MP4 sample) into 1024 interleaved `f32` samples per channel. Mono
//! and stereo AAC-LC at 7.35 to 96 kHz; HE-AAC (SBR/PS), other profiles, 960-sample frames and
//! layouts of more than two channels are refused as unsupported.

use std::panic::{self, AssertUnwindSafe};

use symphonia_codec_aac::AacDecoder as SymphoniaAac;
use symphonia_core::codecs::audio::well_known::CODEC_ID_AAC;
use symphonia_core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia_core::packet::PacketRef;
use symphonia_core::units::{Duration, Timestamp};

use crate::error_text::ErrorText;
use crate::status::{Error, ErrorKind};

/// Samples per channel in one AAC-LC access unit.
pub const FRAME_SAMPLES: usize = 1024;

/// The rates of the sampling-frequency index (ISO/IEC 14496-3 table 1.18); 13 and 14 are reserved.
const SAMPLE_RATES: [u32; 13] = [
    96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000,
    7_350,
];

/// What an AudioSpecificConfig declares, once checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AacConfig {
    /// Samples per second.
    pub sample_rate: u32,
    /// Channels: 1 or 2.
    pub channels: u32,
}

fn corrupt(detail: std::fmt::Arguments<'_>) -> Error {
    ErrorKind::Codec {
        what: "AAC AudioSpecificConfig",
        detail: ErrorText::format(detail),
    }
    .into()
}

fn unsupported(detail: std::fmt::Arguments<'_>) -> Error {
    ErrorKind::Unsupported {
        what: "AAC stream",
        detail: ErrorText::format(detail),
    }
    .into()
}

/// Reads bits most significant first; past the end is an error, never a panic.
struct Bits<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn read(&mut self, count: usize) -> Result<u32, Error> {
        let mut value = 0u32;
        for _ in 0..count {
            let Some(&byte) = self.bytes.get(self.at / 8) else {
                return Err(corrupt(format_args!(
                    "it ends after {} bytes, in the middle of a field",
                    self.bytes.len()
                )));
            };
            value = (value << 1) | u32::from((byte >> (7 - self.at % 8)) & 1);
            self.at += 1;
        }
        Ok(value)
    }
}

/// Reads and checks an AudioSpecificConfig.
///
/// # Errors
///
/// [`ErrorKind::Codec`] for a corrupt config: too short, object type 0, a reserved sampling
/// frequency index, a rate outside 7350 to 96000 Hz. [`ErrorKind::Unsupported`] for what the
/// decoder does not take: an object type other than AAC-LC (2), 960-sample frames, a channel
/// configuration other than 1 (mono) or 2 (stereo).
///
/// # Examples
///
/// ```
/// use streamlib_native::media::aac_codec::{AacConfig, parse_audio_specific_config};
///
/// // AAC-LC, 44.1 kHz (index 4), stereo: ffmpeg's `-c:a aac` on a stereo 44.1 kHz input.
/// let config = parse_audio_specific_config(&[0x12, 0x10])?;
/// assert_eq!(config, AacConfig { sample_rate: 44_100, channels: 2 });
/// assert!(parse_audio_specific_config(&[0x12]).is_err());
/// # Ok::<(), streamlib_native::status::Error>(())
/// ```
pub fn parse_audio_specific_config(bytes: &[u8]) -> Result<AacConfig, Error> {
    if bytes.len() < 2 {
        return Err(corrupt(format_args!(
            "it has {} bytes, expected at least 2",
            bytes.len()
        )));
    }
    let mut bits = Bits { bytes, at: 0 };
    let mut object_type = bits.read(5)?;
    if object_type == 31 {
        object_type = 32 + bits.read(6)?;
    }
    let index = bits.read(4)?;
    let sample_rate = match index {
        15 => bits.read(24)?,
        13 | 14 => {
            return Err(corrupt(format_args!(
                "its sampling frequency index {index} is reserved, expected 0 to 12 or 15"
            )));
        }
        _ => SAMPLE_RATES[index as usize],
    };
    let channel_config = bits.read(4)?;
    match object_type {
        0 => return Err(corrupt(format_args!("its audio object type is 0 (null)"))),
        2 => {}
        5 | 29 => {
            return Err(unsupported(format_args!(
                "audio object type {object_type} (HE-AAC{}), expected 2 (AAC-LC)",
                if object_type == 29 { " v2" } else { "" }
            )));
        }
        _ => {
            return Err(unsupported(format_args!(
                "audio object type {object_type}, expected 2 (AAC-LC)"
            )));
        }
    }
    if !(7_350..=96_000).contains(&sample_rate) {
        return Err(corrupt(format_args!(
            "its sample rate is {sample_rate} Hz, expected 7350 to 96000"
        )));
    }
    let channels = match channel_config {
        1 | 2 => channel_config,
        0 => {
            return Err(unsupported(format_args!(
                "channel configuration 0 (a PCE layout), expected 1 (mono) or 2 (stereo)"
            )));
        }
        _ => {
            return Err(unsupported(format_args!(
                "channel configuration {channel_config}, expected 1 (mono) or 2 (stereo)"
            )));
        }
    };
    if bits.read(1)? == 1 {
        return Err(unsupported(format_args!(
            "960-sample frames (frameLengthFlag), expected 1024"
        )));
    }
    Ok(AacConfig {
        sample_rate,
        channels,
    })
}

/// An AAC-LC decoder: one raw access unit in, interleaved `f32` samples out.
pub struct AacDecoder {
    decoder: SymphoniaAac,
    config: AacConfig,
    /// What the decoder was made from, to make it afresh after a unit it refused.
    params: AudioCodecParameters,
}

impl AacDecoder {
    /// Creates a decoder for the stream `audio_specific_config` describes.
    ///
    /// # Errors
    ///
    /// As [`parse_audio_specific_config`]; [`ErrorKind::Codec`] if Symphonia refuses the config.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::media::aac_codec::AacDecoder;
    ///
    /// // AAC-LC, 48 kHz (index 3), mono.
    /// let decoder = AacDecoder::new(&[0x11, 0x88])?;
    /// assert_eq!((decoder.config().sample_rate, decoder.config().channels), (48_000, 1));
    /// # Ok::<(), streamlib_native::status::Error>(())
    /// ```
    pub fn new(audio_specific_config: &[u8]) -> Result<Self, Error> {
        let config = parse_audio_specific_config(audio_specific_config)?;
        let mut params = AudioCodecParameters::new();
        params
            .for_codec(CODEC_ID_AAC)
            .with_sample_rate(config.sample_rate)
            .with_extra_data(audio_specific_config.into());
        let decoder =
            SymphoniaAac::try_new(&params, &AudioDecoderOptions::default()).map_err(|e| {
                Error::from(ErrorKind::Codec {
                    what: "AAC decoder setup",
                    detail: ErrorText::format(format_args!("{e}")),
                })
            })?;
        Ok(Self {
            decoder,
            config,
            params,
        })
    }

    /// The stream's rate and channels.
    pub fn config(&self) -> AacConfig {
        self.config
    }

    /// Decodes one access unit into interleaved `pcm`; returns samples per channel (1024).
    ///
    /// A unit that does not decode (truncated, garbled) is refused and the decoder is made afresh
    /// (Symphonia's `reset()` keeps the channel elements a bad unit declared, so it would refuse
    /// every later unit), so the next unit decodes on its own; Symphonia panicking on a hostile
    /// unit is caught here and refused the same way.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BufferTooSmall`] when `pcm` holds fewer than 1024 samples per channel;
    /// [`ErrorKind::Codec`] for an empty or corrupt unit.
    pub fn decode(&mut self, packet: &[u8], pcm: &mut [f32]) -> Result<usize, Error> {
        let channels = self.config.channels as usize;
        let needed = FRAME_SAMPLES * channels;
        if pcm.len() < needed {
            return Err(ErrorKind::BufferTooSmall {
                what: "decoded AAC frame (f32 samples times 4 bytes)",
                needed: needed as u64 * 4,
                capacity: pcm.len() as u64 * 4,
            }
            .into());
        }
        if packet.is_empty() {
            return Err(ErrorKind::Codec {
                what: "AAC decode",
                detail: ErrorText::new("the access unit is empty"),
            }
            .into());
        }
        let decoder = &mut self.decoder;
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            let unit = PacketRef::new(0, Timestamp::new(0), Duration::new(0), packet);
            decoder.decode_ref(&unit).map(|buffer| {
                let frames = buffer.frames();
                if buffer.num_planes() == channels && frames * channels <= pcm.len() {
                    buffer.copy_to_slice_interleaved::<f32, _>(&mut pcm[..frames * channels]);
                    Ok(frames)
                } else {
                    Err((buffer.num_planes(), frames))
                }
            })
        }));
        let detail = match outcome {
            Ok(Ok(Ok(frames))) => return Ok(frames),
            Ok(Ok(Err((planes, frames)))) => ErrorText::format(format_args!(
                "{frames} samples of {planes} channels, expected {FRAME_SAMPLES} of {channels}"
            )),
            Ok(Err(e)) => ErrorText::format(format_args!("{e}")),
            Err(_) => ErrorText::new("the decoder panicked on the unit (caught)"),
        };
        if let Ok(fresh) = SymphoniaAac::try_new(&self.params, &AudioDecoderOptions::default()) {
            self.decoder = fresh;
        }
        Err(ErrorKind::Codec {
            what: "AAC decode",
            detail,
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Status;

    #[test]
    fn parse_audio_specific_config_reads_lc_rates_and_channels() {
        // object type 2, index 3 (48 kHz), channels 2: 00010 0011 0010 0 00
        assert_eq!(
            parse_audio_specific_config(&[0x11, 0x90]).unwrap(),
            AacConfig {
                sample_rate: 48_000,
                channels: 2
            }
        );
        // index 4 (44.1 kHz), mono: 00010 0100 0001 000
        assert_eq!(
            parse_audio_specific_config(&[0x12, 0x08]).unwrap(),
            AacConfig {
                sample_rate: 44_100,
                channels: 1
            }
        );
        // An explicit rate (index 15): 00010 1111 <24 bits 48000> 0010 0...
        let rate = 48_000u32;
        let bits: u64 = (2u64 << 35) | (15u64 << 31) | (u64::from(rate) << 7) | (2u64 << 3);
        let bytes = &bits.to_be_bytes()[3..];
        assert_eq!(
            parse_audio_specific_config(bytes).unwrap().sample_rate,
            48_000
        );
    }

    #[test]
    fn parse_audio_specific_config_refuses_corrupt_and_unsupported_configs() {
        let status = |bytes: &[u8]| parse_audio_specific_config(bytes).unwrap_err().status();
        assert_eq!(status(&[]), Status::Codec);
        assert_eq!(status(&[0x12]), Status::Codec);
        // Reserved frequency index 13.
        assert_eq!(status(&[0x16, 0x90]), Status::Codec);
        // Object type 0.
        assert_eq!(status(&[0x01, 0x90]), Status::Codec);
        // Index 15 with a rate cut off.
        assert_eq!(status(&[0x17, 0x80]), Status::Codec);
        // HE-AAC (object type 5), AAC Main (1).
        assert_eq!(status(&[0x29, 0x90]), Status::Unsupported);
        assert_eq!(status(&[0x09, 0x90]), Status::Unsupported);
        // Channel configurations 0 (PCE), 6 (5.1) and 15 (reserved): never more than stereo.
        for channels in [0u8, 6, 15] {
            let bytes = [0x11, 0x80 | (channels << 3)];
            let error = parse_audio_specific_config(&bytes).unwrap_err();
            assert_eq!(error.status(), Status::Unsupported, "{channels}");
            assert!(
                error
                    .to_string()
                    .contains("expected 1 (mono) or 2 (stereo)")
            );
        }
        // 960-sample frames.
        assert_eq!(status(&[0x11, 0x94]), Status::Unsupported);
    }

    #[test]
    fn aac_decoder_refuses_empty_garbled_and_truncated_units_and_a_small_buffer() {
        let mut decoder = AacDecoder::new(&[0x11, 0x90]).unwrap();
        let mut pcm = vec![0f32; FRAME_SAMPLES * 2];
        let small = decoder.decode(&[0x21, 0x00], &mut pcm[..FRAME_SAMPLES]);
        assert_eq!(small.unwrap_err().status(), Status::BufferTooSmall);
        assert_eq!(
            decoder.decode(&[], &mut pcm).unwrap_err().status(),
            Status::Codec
        );
        // One silent mono element (SCE, global gain 0, no bands) then END decodes; cut after
        // its first 16 bits, it is refused, and the decoder takes the whole unit again after.
        let mut mono = AacDecoder::new(&[0x11, 0x88]).unwrap();
        assert_eq!(mono.decode(&[0, 0, 0, 7], &mut pcm), Ok(FRAME_SAMPLES));
        assert_eq!(
            mono.decode(&[0, 0], &mut pcm).unwrap_err().status(),
            Status::Codec
        );
        assert_eq!(mono.decode(&[0, 0, 0, 7], &mut pcm), Ok(FRAME_SAMPLES));
        // A channel pair in a mono stream is refused, and does not poison the units after it.
        let mut fresh = AacDecoder::new(&[0x11, 0x88]).unwrap();
        assert_eq!(
            fresh.decode(&[0x20, 0, 0], &mut pcm).unwrap_err().status(),
            Status::Codec
        );
        assert_eq!(fresh.decode(&[0, 0, 0, 7], &mut pcm), Ok(FRAME_SAMPLES));
        // A few thousand garbled units (a fixed xorshift sequence): each decodes or is refused
        // with a codec error; none panics out of decode().
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut refused = 0;
        for length in 1..3_000usize {
            let unit: Vec<u8> = (0..length % 700 + 1)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            match decoder.decode(&unit, &mut pcm) {
                Ok(frames) => assert_eq!(frames, FRAME_SAMPLES),
                Err(error) => {
                    assert_eq!(error.status(), Status::Codec);
                    refused += 1;
                }
            }
        }
        assert!(refused > 0);
    }
}
