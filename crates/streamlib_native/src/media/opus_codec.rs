//! Opus audio encoding and decoding with libopus (built from source by `opusic-sys` and linked
//! statically), for the audio track of MP4 recordings and its playback.
//!
//! Samples are interleaved `f32`, as in `AudioFrame`. The encoder takes one Opus frame per call
//! (2.5, 5, 10, 20, 40 or 60 ms of audio); buffering arbitrary blocks into frames is the caller's
//! job. Sample rates 8, 12, 16, 24 and 48 kHz, one or two channels.

use opus::{Application, Bitrate, Channels};

use crate::error_text::ErrorText;
use crate::status::{Error, ErrorKind};

/// The sample rates libopus takes.
pub const SAMPLE_RATES: [u32; 5] = [8_000, 12_000, 16_000, 24_000, 48_000];

/// Largest Opus packet (RFC 6716: 120 ms of 48 kHz stereo, plus headroom).
pub const MAX_PACKET_BYTES: usize = 4_000;

fn check_format(sample_rate: u32, channels: u32) -> Result<Channels, Error> {
    if !SAMPLE_RATES.contains(&sample_rate) {
        return Err(ErrorKind::UnknownCode {
            what: "Opus sample rate",
            value: sample_rate,
            valid: "8000, 12000, 16000, 24000, 48000",
        }
        .into());
    }
    match channels {
        1 => Ok(Channels::Mono),
        2 => Ok(Channels::Stereo),
        _ => Err(ErrorKind::UnknownCode {
            what: "Opus channel count",
            value: channels,
            valid: "1 (mono), 2 (stereo)",
        }
        .into()),
    }
}

fn opus_error(what: &'static str, error: &opus::Error) -> Error {
    ErrorKind::Codec {
        what,
        detail: ErrorText::format(format_args!("{error}")),
    }
    .into()
}

/// How the encoder tunes itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpusApplication {
    /// Music and general audio (`OPUS_APPLICATION_AUDIO`).
    Audio,
    /// Speech (`OPUS_APPLICATION_VOIP`).
    Voip,
    /// Lowest delay (`OPUS_APPLICATION_RESTRICTED_LOWDELAY`).
    LowDelay,
}

impl OpusApplication {
    /// The application with ABI code `code` (0 audio, 1 voip, 2 low delay).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownCode`] for any other code.
    pub fn from_code(code: u32) -> Result<Self, Error> {
        match code {
            0 => Ok(Self::Audio),
            1 => Ok(Self::Voip),
            2 => Ok(Self::LowDelay),
            _ => Err(ErrorKind::UnknownCode {
                what: "Opus application",
                value: code,
                valid: "0 (audio), 1 (voip), 2 (low delay)",
            }
            .into()),
        }
    }
}

/// A libopus encoder.
pub struct OpusEncoder {
    encoder: opus::Encoder,
    sample_rate: u32,
    channels: u32,
    lookahead: u32,
}

impl OpusEncoder {
    /// Creates an encoder of `channels` at `sample_rate`, aiming at `bitrate_bps` (0: libopus
    /// chooses).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownCode`] for a rate or channel count libopus does not take;
    /// [`ErrorKind::OutOfRange`] for a bit rate outside 6 to 510 kbit/s; [`ErrorKind::Codec`]
    /// if libopus refuses.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::media::opus_codec::{OpusApplication, OpusDecoder, OpusEncoder};
    ///
    /// let mut encoder = OpusEncoder::new(48_000, 2, 96_000, OpusApplication::Audio)?;
    /// let mut packet = [0u8; 4000];
    /// let n = encoder.encode(&[0.0; 960 * 2], &mut packet)?;
    /// let mut decoder = OpusDecoder::new(48_000, 2)?;
    /// let mut pcm = [1.0f32; 960 * 2];
    /// assert_eq!(decoder.decode(&packet[..n], &mut pcm)?, 960);
    /// # Ok::<(), streamlib_native::status::Error>(())
    /// ```
    pub fn new(
        sample_rate: u32,
        channels: u32,
        bitrate_bps: u32,
        application: OpusApplication,
    ) -> Result<Self, Error> {
        let layout = check_format(sample_rate, channels)?;
        if bitrate_bps != 0 && !(6_000..=510_000).contains(&bitrate_bps) {
            return Err(ErrorKind::OutOfRange {
                what: "Opus bitrate (bits/s)",
                value: u64::from(bitrate_bps),
                min: 6_000,
                max: 510_000,
            }
            .into());
        }
        let mode = match application {
            OpusApplication::Audio => Application::Audio,
            OpusApplication::Voip => Application::Voip,
            OpusApplication::LowDelay => Application::LowDelay,
        };
        let mut encoder = opus::Encoder::new(sample_rate, layout, mode)
            .map_err(|e| opus_error("opus encoder setup", &e))?;
        if bitrate_bps != 0 {
            encoder
                .set_bitrate(Bitrate::Bits(bitrate_bps as i32))
                .map_err(|e| opus_error("opus encoder setup", &e))?;
        }
        let lookahead = encoder
            .get_lookahead()
            .map_err(|e| opus_error("opus encoder setup", &e))?;
        Ok(Self {
            encoder,
            sample_rate,
            channels,
            lookahead: lookahead.max(0) as u32,
        })
    }

    /// Samples per channel libopus delays its output by (the Ogg/MP4 "pre-skip"), at the
    /// encoder's rate.
    pub fn lookahead(&self) -> u32 {
        self.lookahead
    }

    /// Encodes one frame of interleaved samples into `out`; returns the packet's length.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongLength`] unless `pcm` holds exactly 2.5, 5, 10, 20, 40 or 60 ms;
    /// [`ErrorKind::Codec`] if libopus fails (for example `out` too small).
    pub fn encode(&mut self, pcm: &[f32], out: &mut [u8]) -> Result<usize, Error> {
        let frames = pcm.len() / self.channels as usize;
        // Durations in tenths of a millisecond.
        let valid = [25, 50, 100, 200, 400, 600]
            .iter()
            .any(|&tenths| frames * 10_000 == tenths * self.sample_rate as usize);
        if !valid || pcm.len() % self.channels as usize != 0 {
            return Err(ErrorKind::WrongLength {
                what: "Opus frame (f32 samples times 4 bytes; 2.5/5/10/20/40/60 ms expected)",
                actual: pcm.len() as u64 * 4,
                expected: u64::from(self.sample_rate / 50 * self.channels) * 4,
            }
            .into());
        }
        self.encoder
            .encode_float(pcm, out)
            .map_err(|e| opus_error("opus encode", &e))
    }
}

/// A libopus decoder.
pub struct OpusDecoder {
    decoder: opus::Decoder,
}

impl OpusDecoder {
    /// Creates a decoder producing `channels` at `sample_rate`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownCode`] for a rate or channel count libopus does not take;
    /// [`ErrorKind::Codec`] if libopus refuses.
    pub fn new(sample_rate: u32, channels: u32) -> Result<Self, Error> {
        let layout = check_format(sample_rate, channels)?;
        let decoder = opus::Decoder::new(sample_rate, layout)
            .map_err(|e| opus_error("opus decoder setup", &e))?;
        Ok(Self { decoder })
    }

    /// Decodes one packet into interleaved `pcm`; returns samples per channel. An empty packet
    /// stands for a lost one (libopus conceals it).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Codec`] for a corrupt packet or a `pcm` too small for it.
    pub fn decode(&mut self, packet: &[u8], pcm: &mut [f32]) -> Result<usize, Error> {
        self.decoder
            .decode_float(packet, pcm, false)
            .map_err(|e| opus_error("opus decode", &e))
    }
}
