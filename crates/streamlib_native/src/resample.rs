//! Sample-rate conversion of interleaved `f32` audio, streamed block by block: any rate from
//! [`MIN_RATE`] to [`MAX_RATE`] to any other, 1 to [`MAX_CHANNELS`] channels, three [`Quality`]
//! presets (`docs/decisions/0032-resampling-with-rubato.md`). A ratio whose reduced form has few
//! enough phases (44.1 to 48 kHz, 48 to 16 kHz) runs on an exact polyphase filter of our own
//! over the interleaved samples (`polyphase`); any other ratio on `rubato`'s asynchronous sinc
//! resampler, which interpolates between the entries of its filter table.
//!
//! [`StreamResampler`] converts every block it is given at once (no input is held back for a
//! chunk to fill), and counts without drift: after `n` input frames it has produced
//! `floor(n * out / in)` output frames, to within one (rubato keeps its position in `f64`),
//! whatever the block sizes. The signal comes out
//! [`StreamResampler::latency_frames`] output frames late (the filter's group delay), preceded
//! by that much silence. Samples that are not finite (NaN, infinities) are replaced by 0 before
//! they reach the filter, and counted, so one bad sample cannot poison the filter's history.
//!
//! [`ffi`] holds the `sl_resampler_*` C ABI.

pub mod ffi;
mod polyphase;
#[cfg(target_arch = "x86_64")]
#[path = "resample/simd_x86_64.rs"]
mod simd;
#[cfg(not(target_arch = "x86_64"))]
#[path = "resample/simd_other.rs"]
mod simd;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, FixedAsync, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

use crate::error_text::ErrorText;
use crate::status::{Error, ErrorKind};
use polyphase::{Filter, Polyphase, Window};

/// Lowest sample rate taken, in Hz.
pub const MIN_RATE: u32 = 1_000;
/// Highest sample rate taken, in Hz.
pub const MAX_RATE: u32 = 768_000;
/// Most interleaved channels.
pub const MAX_CHANNELS: u32 = 8;
/// Most input frames converted in one step; longer blocks are cut into steps of this size.
pub const MAX_STEP_FRAMES: usize = 4_096;
/// Zero input frames fed at the start, so that the output count is `floor(n * ratio)` to within
/// one frame (the sinc resampler otherwise stays two input frames behind).
const PRIMING_FRAMES: usize = 2;

/// How much filtering each output sample gets: longer filters, a steeper cutoff, more CPU.
///
/// The tap counts are at the input rate when upsampling; when downsampling the filter is
/// stretched by `input / output` (as GStreamer's and speex's resamplers do), up to
/// [`MAX_SINC_LEN`] taps, so its transition band stays as narrow relative to the output's Nyquist
/// frequency and the cost per input frame stays the same. On the exact path (a ratio with few
/// phases, on a CPU with a kernel) there is no interpolation between table entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quality {
    /// 64 taps: on the exact path a Kaiser window (beta 11, cutoff 0.885); otherwise rubato's
    /// Blackman² window with linear interpolation of the filter table.
    Fast,
    /// 128 taps, Blackman-Harris² window (otherwise cubic interpolation).
    Balanced,
    /// 256 taps, Blackman-Harris² window (otherwise cubic interpolation, a finer filter table).
    Best,
}

/// `fast`'s Kaiser window on the exact path.
const FAST_KAISER_BETA: f64 = 11.0;
/// `fast`'s cutoff on the exact path, relative to the lower Nyquist frequency.
const FAST_KAISER_CUTOFF: f64 = 0.885;

/// Most taps of a stretched (downsampling) filter.
pub const MAX_SINC_LEN: usize = 2_048;

/// Most filter-table entries (taps times phases times channels) of an exact polyphase table, 8
/// MB of `f32`.
const MAX_EXACT_TABLE: usize = 1 << 21;

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl Quality {
    /// The quality with ABI code `code` (0 fast, 1 balanced, 2 best).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownCode`] for any other code.
    pub fn from_code(code: u32) -> Result<Self, Error> {
        match code {
            0 => Ok(Self::Fast),
            1 => Ok(Self::Balanced),
            2 => Ok(Self::Best),
            _ => Err(ErrorKind::UnknownCode {
                what: "resampler quality",
                value: code,
                valid: "0 (fast), 1 (balanced), 2 (best)",
            }
            .into()),
        }
    }

    /// The filter length (a multiple of 8, stretched by `input / output` when downsampling),
    /// window and rubato's automatic cutoff (relative to the lower Nyquist frequency).
    fn filter(self, input_rate: u32, output_rate: u32) -> (usize, WindowFunction, f64) {
        let ratio = f64::from(output_rate) / f64::from(input_rate);
        let (len, window) = match self {
            Self::Fast => (64, WindowFunction::Blackman2),
            Self::Balanced => (128, WindowFunction::BlackmanHarris2),
            Self::Best => (256, WindowFunction::BlackmanHarris2),
        };
        let stretch = (1.0 / ratio).max(1.0);
        let len = ((len as f64 * stretch / 8.0).ceil() as usize * 8).min(MAX_SINC_LEN);
        let cutoff = f64::from(rubato::calculate_cutoff::<f32>(len, window));
        (len, window, cutoff)
    }

    /// The exact polyphase filter for this conversion, when the reduced ratio `output / input =
    /// L / M` has few enough phases (`taps * L * channels` up to [`MAX_EXACT_TABLE`]): each output sample
    /// then falls on one of `L` fixed positions and is one dot product, with no interpolation
    /// between table entries (GStreamer's "full" table mode). `None` otherwise (44100 to 44101
    /// Hz has 44101 phases).
    fn exact_filter(self, input_rate: u32, output_rate: u32, channels: usize) -> Option<Filter> {
        let (taps, _, cutoff) = self.filter(input_rate, output_rate);
        let g = gcd(input_rate, output_rate);
        let (phases, step) = ((output_rate / g) as usize, (input_rate / g) as usize);
        if taps * phases * channels > MAX_EXACT_TABLE {
            return None;
        }
        let (window, cutoff) = match self {
            // Kaiser, beta 11, cutoff 0.885: within 0.021 dB to 0.8 of the Nyquist frequency,
            // 108 dB down from it on, 114 dB from 1.1 (computed from the table). Rubato's
            // Blackman² at its cutoff (0.852) is 0.9 dB down at 0.8; the cost is the same.
            Self::Fast => (Window::Kaiser(FAST_KAISER_BETA), FAST_KAISER_CUTOFF),
            _ => (Window::BlackmanHarris2, cutoff),
        };
        let cutoff = cutoff * (phases as f64 / step as f64).min(1.0);
        Some(Filter::new(taps, phases, step, channels, cutoff, window))
    }

    /// Rubato's settings for a conversion from `input_rate` to `output_rate` whose ratio has
    /// too many phases for an exact table: the preset's interpolation between table entries.
    fn parameters(self, input_rate: u32, output_rate: u32) -> SincInterpolationParameters {
        let (len, window, _) = self.filter(input_rate, output_rate);
        let (oversampling, interpolation) = match self {
            Self::Fast => (128, SincInterpolationType::Linear),
            Self::Balanced => (128, SincInterpolationType::Cubic),
            Self::Best => (256, SincInterpolationType::Cubic),
        };
        SincInterpolationParameters::new(len, window)
            .oversampling_factor(oversampling)
            .interpolation(interpolation)
    }
}

fn check_rate(what: &'static str, rate: u32) -> Result<(), Error> {
    if (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(ErrorKind::OutOfRange {
            what,
            value: u64::from(rate),
            min: u64::from(MIN_RATE),
            max: u64::from(MAX_RATE),
        }
        .into())
    }
}

/// What converts: our exact polyphase filter, or rubato's interpolating sinc resampler.
enum Engine {
    Exact(Box<Polyphase>),
    Rubato(Box<Async<f32>>),
}

/// A streaming resampler from one fixed rate to another.
pub struct StreamResampler {
    engine: Engine,
    channels: usize,
    input_rate: u32,
    output_rate: u32,
    ratio: f64,
    non_finite: u64,
    input_frames: u64,
    output_frames: u64,
}

impl StreamResampler {
    /// A resampler of `channels` interleaved channels from `input_rate` to `output_rate` Hz.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] for a rate outside [`MIN_RATE`]..=[`MAX_RATE`] or a channel
    /// count outside 1..=[`MAX_CHANNELS`]; [`ErrorKind::Unsupported`] if rubato refuses the
    /// settings.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::resample::{Quality, StreamResampler};
    ///
    /// let mut resampler = StreamResampler::new(48_000, 16_000, 2, Quality::Balanced)?;
    /// let input = vec![0.25f32; 480 * 2];
    /// let mut output = vec![0f32; resampler.output_bound(480) * 2];
    /// let mut written = 0;
    /// for _ in 0..10 {
    ///     let mut block = input.clone();
    ///     written += resampler.process(&mut block, &mut output)?;
    /// }
    /// // 4800 frames at 48 kHz are 1600 at 16 kHz, to within one frame.
    /// assert!(written.abs_diff(1_600) <= 1);
    /// # Ok::<(), streamlib_native::status::Error>(())
    /// ```
    pub fn new(
        input_rate: u32,
        output_rate: u32,
        channels: u32,
        quality: Quality,
    ) -> Result<Self, Error> {
        check_rate("resampler input rate (Hz)", input_rate)?;
        check_rate("resampler output rate (Hz)", output_rate)?;
        if !(1..=MAX_CHANNELS).contains(&channels) {
            return Err(ErrorKind::OutOfRange {
                what: "resampler channel count",
                value: u64::from(channels),
                min: 1,
                max: u64::from(MAX_CHANNELS),
            }
            .into());
        }
        let ratio = f64::from(output_rate) / f64::from(input_rate);
        // The exact path needs a kernel for this CPU (`simd`); the table is built only then.
        let exact = simd::kernel(channels as usize).and_then(|kernel| {
            quality
                .exact_filter(input_rate, output_rate, channels as usize)
                .map(|filter| Polyphase::new(filter, channels as usize, kernel))
        });
        if let Some(exact) = exact {
            return Ok(Self {
                engine: Engine::Exact(Box::new(exact)),
                channels: channels as usize,
                input_rate,
                output_rate,
                ratio,
                non_finite: 0,
                input_frames: 0,
                output_frames: 0,
            });
        }
        let inner = Async::<f32>::new_sinc(
            ratio,
            1.0,
            &quality.parameters(input_rate, output_rate),
            MAX_STEP_FRAMES,
            channels as usize,
            FixedAsync::Input,
        )
        .map_err(|e| {
            Error::from(ErrorKind::Unsupported {
                what: "resampler settings",
                detail: ErrorText::format(format_args!("{e}")),
            })
        })?;
        let mut resampler = Self {
            engine: Engine::Rubato(Box::new(inner)),
            channels: channels as usize,
            input_rate,
            output_rate,
            ratio,
            non_finite: 0,
            input_frames: 0,
            output_frames: 0,
        };
        resampler.prime()?;
        Ok(resampler)
    }

    fn prime(&mut self) -> Result<(), Error> {
        let mut zeros = [0f32; PRIMING_FRAMES * MAX_CHANNELS as usize];
        let mut sink = [0f32; MAX_CHANNELS as usize];
        let written = self.step(&mut zeros[..PRIMING_FRAMES * self.channels], &mut sink)?;
        debug_assert_eq!(written, 0);
        Ok(())
    }

    /// The input rate in Hz.
    pub fn input_rate(&self) -> u32 {
        self.input_rate
    }

    /// The output rate in Hz.
    pub fn output_rate(&self) -> u32 {
        self.output_rate
    }

    /// Interleaved channels.
    pub fn channels(&self) -> u32 {
        self.channels as u32
    }

    /// Output frames the signal is delayed by: the filter's group delay plus the priming.
    pub fn latency_frames(&self) -> u64 {
        match &self.engine {
            Engine::Exact(p) => p.latency_frames().round() as u64,
            Engine::Rubato(r) => {
                r.output_delay() as u64 + (PRIMING_FRAMES as f64 * self.ratio).round() as u64
            }
        }
    }

    /// Input samples that were NaN or infinite and went in as 0.
    pub fn non_finite_samples(&self) -> u64 {
        self.non_finite
    }

    /// Input frames taken since creation or [`reset`](Self::reset).
    pub fn input_frames(&self) -> u64 {
        self.input_frames
    }

    /// Output frames produced since creation or [`reset`](Self::reset).
    pub fn output_frames(&self) -> u64 {
        self.output_frames
    }

    /// Room, in frames, an output buffer needs for a block of `input_frames` frames.
    pub fn output_bound(&self, input_frames: usize) -> usize {
        ((input_frames as f64 + 1.0) * self.ratio).ceil() as usize + 2
    }

    /// Forgets all history: the next block starts a new stream.
    pub fn reset(&mut self) {
        self.input_frames = 0;
        self.output_frames = 0;
        self.non_finite = 0;
        match &mut self.engine {
            Engine::Exact(p) => p.reset(),
            Engine::Rubato(r) => {
                r.reset();
                // Priming two frames cannot fail: the sizes are those `new` already used.
                let _ = self.prime();
            }
        }
    }

    /// Converts `input` (interleaved, a whole number of frames) into `output` and returns the
    /// frames written. Non-finite samples of `input` are overwritten with 0 first.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongLength`] when `input` is not a whole number of frames;
    /// [`ErrorKind::BufferTooSmall`] when `output` has room for fewer than
    /// [`output_bound`](Self::output_bound) frames (nothing is converted then).
    pub fn process(&mut self, input: &mut [f32], output: &mut [f32]) -> Result<usize, Error> {
        let channels = self.channels;
        if input.len() % channels != 0 {
            return Err(ErrorKind::WrongLength {
                what: "resampler input (samples)",
                actual: input.len() as u64,
                expected: (input.len() / channels * channels) as u64,
            }
            .into());
        }
        let frames = input.len() / channels;
        if frames == 0 {
            return Ok(0);
        }
        let bound = self.output_bound(frames);
        if output.len() / channels < bound {
            return Err(ErrorKind::BufferTooSmall {
                what: "resampler output (frames)",
                needed: bound as u64,
                capacity: (output.len() / channels) as u64,
            }
            .into());
        }
        for sample in input.iter_mut() {
            if !sample.is_finite() {
                *sample = 0.0;
                self.non_finite += 1;
            }
        }
        let mut written = 0;
        for step in input.chunks_mut(MAX_STEP_FRAMES * channels) {
            written += self.step(step, &mut output[written * channels..])?;
        }
        self.input_frames += frames as u64;
        self.output_frames += written as u64;
        Ok(written)
    }

    /// One conversion of at most [`MAX_STEP_FRAMES`] frames.
    fn step(&mut self, input: &mut [f32], output: &mut [f32]) -> Result<usize, Error> {
        let channels = self.channels;
        let frames = input.len() / channels;
        if frames == 0 {
            return Ok(0);
        }
        let inner = match &mut self.engine {
            Engine::Exact(p) => return Ok(p.step(input, output)),
            Engine::Rubato(r) => r,
        };
        let failed = |e: &dyn std::fmt::Display| {
            Error::from(ErrorKind::Codec {
                what: "resampler",
                detail: ErrorText::format(format_args!("{e}")),
            })
        };
        rubato::Resizable::set_chunk_size(&mut **inner, frames).map_err(|e| failed(&e))?;
        let out_frames = output.len() / channels;
        let input = InterleavedSlice::new(&*input, channels, frames).map_err(|e| failed(&e))?;
        let mut output =
            InterleavedSlice::new_mut(output, channels, out_frames).map_err(|e| failed(&e))?;
        let (_, written) = inner
            .process_into_buffer(&input, &mut output, None)
            .map_err(|e| failed(&e))?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(frames: usize, channels: usize, rate: f64, freq: f64) -> Vec<f32> {
        let mut out = Vec::with_capacity(frames * channels);
        for i in 0..frames {
            let v = (2.0 * std::f64::consts::PI * freq * i as f64 / rate).sin() as f32 * 0.5;
            out.extend(std::iter::repeat_n(v, channels));
        }
        out
    }

    fn run(r: &mut StreamResampler, input: &[f32], blocks: &[usize]) -> Vec<f32> {
        let ch = r.channels;
        let mut out = Vec::new();
        let mut at = 0;
        let mut i = 0;
        while at < input.len() / ch {
            let n = blocks[i % blocks.len()].min(input.len() / ch - at);
            i += 1;
            let mut block = input[at * ch..(at + n) * ch].to_vec();
            let mut buf = vec![0f32; r.output_bound(n) * ch];
            let w = r.process(&mut block, &mut buf).unwrap();
            out.extend_from_slice(&buf[..w * ch]);
            at += n;
        }
        out
    }

    #[test]
    fn counts_are_exact_whatever_the_block_sizes() {
        for (from, to) in [
            (44_100, 48_000),
            (48_000, 16_000),
            (8_000, 384_000),
            (384_000, 8_000),
            (44_100, 44_101),
        ] {
            for quality in [Quality::Fast, Quality::Balanced, Quality::Best] {
                let mut r = StreamResampler::new(from, to, 2, quality).unwrap();
                let input = sine(from as usize / 4, 2, f64::from(from), 440.0);
                let out = run(&mut r, &input, &[1, 7, 480, 1024, 5000, 3]);
                let n = (input.len() / 2) as u64;
                // floor(n * to / from), to within the one frame rubato's f64 position allows.
                let expected = n * u64::from(to) / u64::from(from);
                let got = (out.len() / 2) as u64;
                assert!(
                    got.abs_diff(expected) <= 1,
                    "{from}->{to} {quality:?}: {got}"
                );
                assert_eq!(r.output_frames(), got);
            }
        }
    }

    #[test]
    fn block_sizes_do_not_change_the_samples() {
        for (from, to) in [(44_100, 48_000), (48_000, 8_000), (8_000, 48_000)] {
            let input = sine(from as usize / 5, 1, f64::from(from), 1000.0);
            let mut a = StreamResampler::new(from, to, 1, Quality::Best).unwrap();
            let mut b = StreamResampler::new(from, to, 1, Quality::Best).unwrap();
            let whole = run(&mut a, &input, &[4096]);
            let bits = run(&mut b, &input, &[1, 2, 3, 100, 17, 999]);
            assert!(whole.len().abs_diff(bits.len()) <= 1);
            let worst = whole
                .iter()
                .zip(&bits)
                .map(|(x, y)| (x - y).abs())
                .fold(0f32, f32::max);
            assert!(worst < 1e-4, "{from}->{to}: worst difference {worst}");
        }
    }

    #[test]
    fn a_sine_survives_with_its_level_after_the_latency() {
        let mut r = StreamResampler::new(48_000, 44_100, 1, Quality::Balanced).unwrap();
        let out = run(&mut r, &sine(48_000, 1, 48_000.0, 1_000.0), &[480]);
        let latency = r.latency_frames() as usize;
        let tail = &out[latency + 1_000..];
        let rms =
            (tail.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / tail.len() as f64).sqrt();
        assert!((rms - 0.5 / 2f64.sqrt()).abs() < 0.01, "rms {rms}");
    }

    #[test]
    fn every_channel_count_converts_each_channel_as_mono() {
        for (from, to) in [(44_100, 48_000), (48_000, 16_000), (8_000, 44_100)] {
            for quality in [Quality::Fast, Quality::Best] {
                let frames = from as usize / 10;
                let signals: Vec<Vec<f32>> = (0..8)
                    .map(|c| sine(frames, 1, f64::from(from), 300.0 + 700.0 * c as f64))
                    .collect();
                let mono: Vec<Vec<f32>> = signals
                    .iter()
                    .map(|s| {
                        let mut r = StreamResampler::new(from, to, 1, quality).unwrap();
                        run(&mut r, s, &[441, 1, 999])
                    })
                    .collect();
                for channels in 1..=8usize {
                    let mut r = StreamResampler::new(from, to, channels as u32, quality).unwrap();
                    let mut input = Vec::with_capacity(frames * channels);
                    for i in 0..frames {
                        input.extend(signals[..channels].iter().map(|s| s[i]));
                    }
                    let out = run(&mut r, &input, &[441, 1, 999]);
                    assert_eq!(out.len() / channels, mono[0].len(), "{channels} channels");
                    for (i, frame) in out.chunks_exact(channels).enumerate() {
                        for (c, v) in frame.iter().enumerate() {
                            let d = (v - mono[c][i]).abs();
                            assert!(d < 1e-5, "{from}->{to} {quality:?} x{channels}: {d}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn non_finite_samples_go_in_as_silence_and_are_counted() {
        let mut r = StreamResampler::new(48_000, 16_000, 2, Quality::Fast).unwrap();
        let mut block = vec![f32::NAN; 960];
        block[1] = f32::INFINITY;
        block[2] = f32::NEG_INFINITY;
        let mut out = vec![1f32; r.output_bound(480) * 2];
        let w = r.process(&mut block, &mut out).unwrap();
        assert_eq!(w, 160);
        assert!(out[..w * 2].iter().all(|v| *v == 0.0));
        assert_eq!(r.non_finite_samples(), 960);
        r.reset();
        assert_eq!(
            (r.non_finite_samples(), r.input_frames(), r.output_frames()),
            (0, 0, 0)
        );
    }

    #[test]
    fn bad_settings_and_buffers_are_refused() {
        assert!(StreamResampler::new(999, 48_000, 1, Quality::Fast).is_err());
        assert!(StreamResampler::new(48_000, 768_001, 1, Quality::Fast).is_err());
        assert!(StreamResampler::new(48_000, 48_000, 0, Quality::Fast).is_err());
        assert!(StreamResampler::new(48_000, 48_000, 9, Quality::Fast).is_err());
        assert!(Quality::from_code(3).is_err());
        let mut r = StreamResampler::new(48_000, 96_000, 2, Quality::Fast).unwrap();
        assert!(r.process(&mut [0.0; 3], &mut [0.0; 64]).is_err());
        assert!(r.process(&mut [0.0; 200], &mut [0.0; 4]).is_err());
        assert_eq!(r.process(&mut [], &mut []).unwrap(), 0);
        assert_eq!(r.input_frames(), 0);
    }
}
