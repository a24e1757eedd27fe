//! An exact polyphase resampler for rational ratios, on interleaved `f32` as it comes
//! (`docs/decisions/0032-resampling-with-rubato.md`, "Exact ratios").
//!
//! When `output / input = L / M` in lowest terms has few enough phases `L`, every output sample
//! falls on one of `L` fixed positions between input samples, so the filter is a table of `L`
//! rows of `taps` coefficients and each output frame is one dot product per channel, with no
//! interpolation between table entries. The input stays interleaved: a block is copied once
//! behind the filter's history, and each output frame reads `taps` consecutive frames with the
//! channels in the innermost loop, so one pass over contiguous memory feeds every channel (no
//! deinterleaving, no per-sample calls): the table repeats each coefficient once per channel, so
//! a row and its input frames are read in step, 8 lanes at a time. [`super::simd`] has the
//! kernels (AVX2 with FMA on x86-64, chosen at run time); where it has none, the caller uses
//! rubato.
//!
//! Positions are kept in integers (units of `1 / L` input frames), so nothing drifts: after `n`
//! input frames exactly `floor(n * L / M)` output frames have come out, whatever the block sizes.

use super::{MAX_STEP_FRAMES, simd};

/// The filter: `phases` rows of `taps` coefficients, each repeated once per channel, and the
/// step between output frames.
pub(super) struct Filter {
    /// Row `r` holds the coefficients (each `channels` times in a row), oldest input first, for
    /// an output frame at position `r / phases` (modulo one input frame): `(phases - r) /
    /// phases` input frames before the newest input frame it reads when `r > 0`, on it when
    /// `r == 0`.
    #[cfg_attr(
        not(target_arch = "x86_64"),
        expect(
            dead_code,
            reason = "only the x86-64 kernels read it; rubato converts elsewhere"
        )
    )]
    pub(super) table: Vec<f32>,
    /// Coefficients per row, a multiple of 8.
    pub(super) taps: usize,
    /// `L`: the output rate over the rates' greatest common divisor.
    pub(super) phases: usize,
    /// `M`: the input rate over the rates' greatest common divisor.
    pub(super) step: usize,
}

/// The window a filter is shaped by, evaluated on `[0, 1)` (periodic, as rubato's are).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Window {
    /// Blackman-Harris (4 terms), squared.
    BlackmanHarris2,
    /// Kaiser with this `beta`.
    Kaiser(f64),
}

impl Window {
    fn at(self, z: f64) -> f64 {
        let c = |k: f64| (2.0 * std::f64::consts::PI * k * z).cos();
        match self {
            Self::BlackmanHarris2 => {
                (0.35875 - 0.48829 * c(1.0) + 0.14128 * c(2.0) - 0.01168 * c(3.0)).powi(2)
            }
            Self::Kaiser(beta) => {
                let r = 2.0 * z - 1.0;
                bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta)
            }
        }
    }
}

/// The modified Bessel function of the first kind, order 0 (its power series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half = x / 2.0;
    for k in 1..64 {
        term *= (half / k as f64).powi(2);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

impl Filter {
    /// A windowed-sinc table of `phases` rows of `taps` coefficients (a multiple of 8, each
    /// repeated `channels` times so a row reads in step with interleaved input) with
    /// cutoff `cutoff` (relative to the input's Nyquist frequency), each output frame `step /
    /// phases` input frames after the one before. The prototype is rubato's: the window spans
    /// `taps` input frames centred on the output position delayed by `taps / 2 - 1` input
    /// frames, and the table is scaled so its rows sum to 1 on average.
    pub(super) fn new(
        taps: usize,
        phases: usize,
        step: usize,
        channels: usize,
        cutoff: f64,
        window: Window,
    ) -> Self {
        debug_assert!(taps % 8 == 0 && taps > 0 && phases > 0 && step > 0);
        let half = taps as f64 / 2.0;
        let mut sum = 0.0;
        let mut row = vec![0f64; taps];
        let mut rows = Vec::with_capacity(taps * phases);
        for p in 0..phases {
            // How far the output position is before the newest input frame of its row.
            let before = ((phases - p) % phases) as f64 / phases as f64;
            for (k, v) in row.iter_mut().enumerate() {
                // Distance from the delayed output position back to input frame `k`.
                let u = half - k as f64 - before;
                let z = (u + half) / taps as f64;
                let x = u * cutoff;
                let sinc = if x == 0.0 {
                    1.0
                } else {
                    (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
                };
                *v = window.at(z) * sinc;
                sum += *v;
            }
            rows.extend_from_slice(&row);
        }
        let scale = phases as f64 / sum;
        let table = rows
            .iter()
            .flat_map(|v| std::iter::repeat_n((v * scale) as f32, channels))
            .collect();
        Self {
            table,
            taps,
            phases,
            step,
        }
    }
}

/// A streaming converter over a [`Filter`].
pub(super) struct Polyphase {
    filter: Filter,
    channels: usize,
    /// Interleaved input: `taps` frames of history, then the step being converted.
    buffer: Vec<f32>,
    /// Frames in `buffer`.
    fill: usize,
    /// The next output frame's position, in `1 / phases` input frames from `buffer`'s first.
    position: usize,
    kernel: simd::Kernel,
}

impl Polyphase {
    /// A converter of `channels` interleaved channels (1 to 8) over `filter`, with `kernel`
    /// (what [`simd::kernel`] gave for `channels` on this CPU).
    pub(super) fn new(filter: Filter, channels: usize, kernel: simd::Kernel) -> Self {
        let taps = filter.taps;
        let mut converter = Self {
            buffer: vec![0f32; (taps + MAX_STEP_FRAMES) * channels],
            fill: 0,
            position: 0,
            channels,
            kernel,
            filter,
        };
        converter.reset();
        converter
    }

    /// Output frames the signal is delayed by: output `j` sits at input frame `(j + 1) * M / L -
    /// 1` (so it is made as soon as that frame is in, and `n` input frames make `floor(n * L /
    /// M)` output frames), and the filter delays by `taps / 2 - 1` input frames.
    pub(super) fn latency_frames(&self) -> f64 {
        let f = &self.filter;
        (f.taps as f64 / 2.0 * f.phases as f64 / f.step as f64 - 1.0).max(0.0)
    }

    /// Forgets the history: silence before the next block.
    pub(super) fn reset(&mut self) {
        let taps = self.filter.taps;
        self.buffer.fill(0.0);
        self.fill = taps;
        // Output j sits at input frame (j + 1) * M / L - 1; the buffer starts `taps` frames
        // before input frame 0.
        self.position = (taps - 1) * self.filter.phases + self.filter.step;
    }

    /// Converts `input` (interleaved, at most [`MAX_STEP_FRAMES`] frames) into `output` and
    /// returns the frames written. `output` must have room for `floor((input frames + 1) * L /
    /// M) + 1` frames.
    pub(super) fn step(&mut self, input: &[f32], output: &mut [f32]) -> usize {
        let channels = self.channels;
        let frames = input.len() / channels;
        debug_assert!(frames <= MAX_STEP_FRAMES);
        let taps = self.filter.taps;
        let at = self.fill * channels;
        self.buffer[at..at + input.len()].copy_from_slice(input);
        self.fill += frames;
        let available = (self.fill - 1) * self.filter.phases;
        let end = output.len() / channels * channels;
        // SAFETY: `kernel` was chosen by `simd::kernel` for this CPU and `channels`.
        let (written, position) = unsafe {
            (self.kernel)(
                &self.filter,
                &self.buffer[..self.fill * channels],
                self.position,
                available,
                &mut output[..end],
            )
        };
        // Keep the newest `taps` frames as the next step's history.
        let shift = self.fill - taps;
        self.buffer
            .copy_within(shift * channels..self.fill * channels, 0);
        self.fill = taps;
        self.position = position - shift * self.filter.phases;
        written
    }
}
