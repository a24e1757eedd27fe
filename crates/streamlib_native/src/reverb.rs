//! Jezar at Dreampoint's Freeverb (public domain, 2000) over interleaved stereo `f32`, the native
//! twin of `processors/dsp/freeverb.ts`: per channel, eight lowpass-feedback comb filters in
//! parallel and four allpass filters in series; the right channel's delays are 23 samples (at
//! 44.1 kHz) longer. The built-in `Reverb` processor runs this one.
//!
//! [`Freeverb::process`] gives the TypeScript implementation's output bit for bit: every sample
//! goes through the same `f64` operations in the same order (Rust does not fuse a multiply and an
//! add unless asked), and only independent work is reordered: all sixteen combs run together frame
//! by frame, so their lowpass recurrences overlap in the processor, over stretches where no delay
//! line wraps (no index check per sample); on x86_64 comb `k` of the left and of the right side
//! are the two lanes of one SSE2 vector (`reverb/combs_x86_64.rs`; `reverb/combs_other.rs`
//! elsewhere). On the bench's blocks (4,800 stereo frames at 48 kHz) it takes less than half the
//! TypeScript's CPU time; what bounds it is the arithmetic of sixteen combs per frame in `f64`,
//! which the output's bit-for-bit equality keeps from being reordered further.
//!
//! [`ffi`] holds the `sl_reverb_*` C ABI.
//!
//! # Examples
//!
//! ```
//! use streamlib_native::reverb::{Freeverb, Settings};
//!
//! let mut reverb = Freeverb::new(48_000).unwrap();
//! reverb.configure(&Settings { wet: 0.3, dry: 0.7, ..Settings::DEFAULT });
//! let mut block = vec![0.0f32; 2 * 480];
//! block[0] = 1.0;
//! block[1] = 1.0; // an impulse on both channels
//! reverb.process(&mut block);
//! assert_eq!(format!("{:.2}", block[0]), "0.70"); // dry only: the tail comes later
//! ```

#[cfg(target_arch = "x86_64")]
#[path = "reverb/combs_x86_64.rs"]
mod combs;
#[cfg(not(target_arch = "x86_64"))]
#[path = "reverb/combs_other.rs"]
mod combs;
pub mod ffi;

use crate::status::{Error, ErrorKind};

/// Freeverb's comb delays in samples at 44.1 kHz, left channel.
pub const COMB_TUNINGS: [u32; COMBS] = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
/// Freeverb's allpass delays in samples at 44.1 kHz, left channel.
pub const ALLPASS_TUNINGS: [u32; ALLPASSES] = [556, 441, 341, 225];
/// Extra delay of every right-channel filter, in samples at 44.1 kHz.
pub const STEREO_SPREAD: u32 = 23;
/// Lowest sample rate taken, in Hz.
pub const MIN_RATE: u32 = 1_000;
/// Highest sample rate taken, in Hz.
pub const MAX_RATE: u32 = 768_000;

/// Comb filters per channel.
const COMBS: usize = 8;
/// Allpass filters per channel.
const ALLPASSES: usize = 4;
const TUNING_RATE: f64 = 44_100.0;
const FIXED_GAIN: f64 = 0.015;
const SCALE_DAMP: f64 = 0.4;
const SCALE_ROOM: f64 = 0.28;
const OFFSET_ROOM: f64 = 0.7;
const ALLPASS_FEEDBACK: f64 = 0.5;
/// Magnitudes below this are flushed to zero so decaying tails never reach subnormal numbers.
const FLUSH: f64 = 1e-30;
/// Frames per chunk (the scratch buffers' size).
const MAX_CHUNK: usize = 1024;

/// The parameters of a [`Freeverb`], each in `[0, 1]` (others are clamped; NaN is 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Room size: comb feedback `0.7 + 0.28 * room_size`.
    pub room_size: f64,
    /// Lowpass coefficient `0.4 * damping` in every comb's feedback.
    pub damping: f64,
    /// Linear gain of the reverberated signal.
    pub wet: f64,
    /// Linear gain of the unprocessed signal.
    pub dry: f64,
    /// Stereo width of the tail: 0 is the same tail on both sides.
    pub width: f64,
    /// Whether the tail sustains forever and new input is ignored.
    pub frozen: bool,
}

impl Settings {
    /// Freeverb's defaults: room 0.5, damping 0.5, all wet, full width, not frozen.
    pub const DEFAULT: Settings = Settings {
        room_size: 0.5,
        damping: 0.5,
        wet: 1.0,
        dry: 0.0,
        width: 1.0,
        frozen: false,
    };
}

/// One delay line and the position of its oldest value.
struct Line {
    buffer: Box<[f64]>,
    index: usize,
}

impl Line {
    fn new(tuning: u32, sample_rate: u32) -> Line {
        // `Math.max(1, Math.round(samples * rate / 44100))`, as the TypeScript does (positive
        // values: Rust's round half away from zero is JavaScript's round half up).
        let delay = ((f64::from(tuning) * f64::from(sample_rate)) / TUNING_RATE).round();
        Line {
            buffer: vec![0.0; (delay as usize).max(1)].into_boxed_slice(),
            index: 0,
        }
    }

    fn reset(&mut self) {
        self.buffer.fill(0.0);
        self.index = 0;
    }
}

/// A stereo Freeverb: see the [module](self) documentation.
pub struct Freeverb {
    sample_rate: u32,
    combs_l: [Line; COMBS],
    combs_r: [Line; COMBS],
    /// The combs' lowpass states.
    stores_l: [f64; COMBS],
    stores_r: [f64; COMBS],
    allpass_l: [Line; ALLPASSES],
    allpass_r: [Line; ALLPASSES],
    settings: Settings,
    gain: f64,
    feedback: f64,
    damping: f64,
    wet1: f64,
    wet2: f64,
    dry: f64,
    /// Frames per chunk.
    chunk: usize,
    mono: Box<[f64]>,
    sum_l: Box<[f64]>,
    sum_r: Box<[f64]>,
}

impl Freeverb {
    /// A reverb for `sample_rate` Hz with [`Settings::DEFAULT`] and silent delay lines.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] when `sample_rate` is outside [`MIN_RATE`]..=[`MAX_RATE`].
    pub fn new(sample_rate: u32) -> Result<Freeverb, Error> {
        if !(MIN_RATE..=MAX_RATE).contains(&sample_rate) {
            return Err(ErrorKind::OutOfRange {
                what: "reverb sample rate (Hz)",
                value: u64::from(sample_rate),
                min: u64::from(MIN_RATE),
                max: u64::from(MAX_RATE),
            }
            .into());
        }
        let chunk = MAX_CHUNK;
        let mut reverb = Freeverb {
            sample_rate,
            combs_l: COMB_TUNINGS.map(|t| Line::new(t, sample_rate)),
            combs_r: COMB_TUNINGS.map(|t| Line::new(t + STEREO_SPREAD, sample_rate)),
            stores_l: [0.0; COMBS],
            stores_r: [0.0; COMBS],
            allpass_l: ALLPASS_TUNINGS.map(|t| Line::new(t, sample_rate)),
            allpass_r: ALLPASS_TUNINGS.map(|t| Line::new(t + STEREO_SPREAD, sample_rate)),
            settings: Settings::DEFAULT,
            gain: FIXED_GAIN,
            feedback: 0.0,
            damping: 0.0,
            wet1: 0.0,
            wet2: 0.0,
            dry: 0.0,
            chunk,
            mono: vec![0.0; chunk].into_boxed_slice(),
            sum_l: vec![0.0; chunk].into_boxed_slice(),
            sum_r: vec![0.0; chunk].into_boxed_slice(),
        };
        reverb.configure(&Settings::DEFAULT);
        Ok(reverb)
    }

    /// Samples per second per channel.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The parameters in force (clamped).
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Sets the parameters; the tail keeps ringing. Each is clamped to `[0, 1]` (NaN is 0).
    pub fn configure(&mut self, settings: &Settings) {
        let unit = |v: f64| if v >= 0.0 { v.min(1.0) } else { 0.0 };
        let s = Settings {
            room_size: unit(settings.room_size),
            damping: unit(settings.damping),
            wet: unit(settings.wet),
            dry: unit(settings.dry),
            width: unit(settings.width),
            frozen: settings.frozen,
        };
        self.settings = s;
        // The TypeScript's `#update()`, operation for operation.
        self.wet1 = s.wet * (s.width / 2.0 + 0.5);
        self.wet2 = s.wet * ((1.0 - s.width) / 2.0);
        self.dry = s.dry;
        self.feedback = if s.frozen {
            1.0
        } else {
            s.room_size * SCALE_ROOM + OFFSET_ROOM
        };
        self.damping = if s.frozen {
            0.0
        } else {
            s.damping * SCALE_DAMP
        };
        self.gain = if s.frozen { 0.0 } else { FIXED_GAIN };
    }

    /// Silences the tail: clears every delay line and lowpass state.
    pub fn reset(&mut self) {
        self.combs_l.iter_mut().for_each(Line::reset);
        self.combs_r.iter_mut().for_each(Line::reset);
        self.allpass_l.iter_mut().for_each(Line::reset);
        self.allpass_r.iter_mut().for_each(Line::reset);
        self.stores_l = [0.0; COMBS];
        self.stores_r = [0.0; COMBS];
    }

    /// Reverberates interleaved stereo samples in place (`L R L R ...`; an odd last sample is
    /// left alone). Does not allocate.
    pub fn process(&mut self, samples: &mut [f32]) {
        for block in samples.chunks_exact_mut(2 * self.chunk) {
            self.process_chunk(block);
        }
        let rest = samples.len() / 2 % self.chunk;
        if rest > 0 {
            let start = samples.len() / 2 / self.chunk * self.chunk;
            self.process_chunk(&mut samples[2 * start..2 * (start + rest)]);
        }
    }

    /// One chunk of at most `self.chunk` frames (`samples.len() / 2`).
    fn process_chunk(&mut self, samples: &mut [f32]) {
        let n = samples.len() / 2;
        let gain = self.gain;
        let mono = &mut self.mono[..n];
        for (m, frame) in mono.iter_mut().zip(samples.chunks_exact(2)) {
            *m = (f64::from(frame[0]) + f64::from(frame[1])) * gain;
        }
        let sum_l = &mut self.sum_l[..n];
        let sum_r = &mut self.sum_r[..n];
        let (undamped, damping, feedback) = (1.0 - self.damping, self.damping, self.feedback);
        let coefficients = Coefficients {
            undamped,
            damping,
            feedback,
        };
        combs::comb_banks(
            (&mut self.combs_l, &mut self.combs_r),
            (&mut self.stores_l, &mut self.stores_r),
            mono,
            (&mut *sum_l, &mut *sum_r),
            coefficients,
        );
        for line in &mut self.allpass_l {
            allpass(line, sum_l);
        }
        for line in &mut self.allpass_r {
            allpass(line, sum_r);
        }
        let (wet1, wet2, dry) = (self.wet1, self.wet2, self.dry);
        for ((frame, &out_l), &out_r) in samples
            .chunks_exact_mut(2)
            .zip(sum_l.iter())
            .zip(sum_r.iter())
        {
            let in_l = f64::from(frame[0]);
            let in_r = f64::from(frame[1]);
            frame[0] = (out_l * wet1 + out_r * wet2 + in_l * dry) as f32;
            frame[1] = (out_r * wet1 + out_l * wet2 + in_r * dry) as f32;
        }
    }
}

/// The comb filters' coefficients, the same for all sixteen.
#[derive(Clone, Copy)]
struct Coefficients {
    undamped: f64,
    damping: f64,
    feedback: f64,
}

/// The delay lines of both sides' combs.
type Banks<'a> = (&'a mut [Line; COMBS], &'a mut [Line; COMBS]);
/// The lowpass states of both sides' combs.
type Stores<'a> = (&'a mut [f64; COMBS], &'a mut [f64; COMBS]);

/// The `stretch` values of `line` from its position on (which must not wrap).
fn window(line: &mut Line, stretch: usize) -> &mut [f64] {
    let index = line.index;
    &mut line.buffer[index..index + stretch]
}

/// Jezar's allpass over `samples` in place: each returns `y - x` and stores `x + y * 0.5`.
fn allpass(line: &mut Line, samples: &mut [f64]) {
    let length = line.buffer.len();
    let mut index = line.index;
    for x in samples.iter_mut() {
        let input = *x;
        let delayed = line.buffer[index];
        let next = input + delayed * ALLPASS_FEEDBACK;
        line.buffer[index] = if next.abs() < FLUSH { 0.0 } else { next };
        index += 1;
        if index == length {
            index = 0;
        }
        *x = delayed - input;
    }
    line.index = index;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Freeverb sample by sample, as Jezar wrote it (and as `freeverb.ts`'s filters do).
    struct Reference {
        combs: Vec<(Vec<f64>, usize, f64)>,
        allpasses: Vec<(Vec<f64>, usize)>,
    }

    impl Reference {
        fn new(rate: u32) -> Reference {
            let delay = |t: u32| Line::new(t, rate).buffer.len();
            let combs = (0..2 * COMBS)
                .map(|lane| {
                    let t = COMB_TUNINGS[lane % COMBS] + if lane < COMBS { 0 } else { 23 };
                    (vec![0.0; delay(t)], 0, 0.0)
                })
                .collect();
            let allpasses = (0..2 * ALLPASSES)
                .map(|i| {
                    let t = ALLPASS_TUNINGS[i % ALLPASSES] + if i < ALLPASSES { 0 } else { 23 };
                    (vec![0.0; delay(t)], 0)
                })
                .collect();
            Reference { combs, allpasses }
        }

        fn process(&mut self, r: &Freeverb, samples: &mut [f32]) {
            for frame in samples.chunks_exact_mut(2) {
                let x = (f64::from(frame[0]) + f64::from(frame[1])) * r.gain;
                let mut sums = [0.0f64; 2];
                for (lane, (buf, index, store)) in self.combs.iter_mut().enumerate() {
                    let y = buf[*index];
                    let s = y * (1.0 - r.damping) + *store * r.damping;
                    *store = if s.abs() < FLUSH { 0.0 } else { s };
                    let next = x + *store * r.feedback;
                    buf[*index] = if next.abs() < FLUSH { 0.0 } else { next };
                    *index = (*index + 1) % buf.len();
                    sums[lane / COMBS] += y;
                }
                for (i, (buf, index)) in self.allpasses.iter_mut().enumerate() {
                    let side = i / ALLPASSES;
                    let input = sums[side];
                    let delayed = buf[*index];
                    let next = input + delayed * 0.5;
                    buf[*index] = if next.abs() < FLUSH { 0.0 } else { next };
                    *index = (*index + 1) % buf.len();
                    sums[side] = delayed - input;
                }
                let (l, rr) = (f64::from(frame[0]), f64::from(frame[1]));
                frame[0] = (sums[0] * r.wet1 + sums[1] * r.wet2 + l * r.dry) as f32;
                frame[1] = (sums[1] * r.wet1 + sums[0] * r.wet2 + rr * r.dry) as f32;
            }
        }
    }

    fn noise(frames: usize, seed: u32) -> Vec<f32> {
        let mut state = seed;
        (0..2 * frames)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn process_matches_the_sample_by_sample_freeverb_bit_for_bit() {
        for rate in [48_000, 44_100, 8_000, 1_000] {
            let mut reverb = Freeverb::new(rate).unwrap();
            let settings = Settings {
                room_size: 0.8,
                damping: 0.3,
                wet: 0.4,
                dry: 0.6,
                width: 0.7,
                frozen: false,
            };
            reverb.configure(&settings);
            let mut reference = Reference::new(rate);
            // Blocks of odd sizes, across chunk and line boundaries, then a frozen stretch.
            for (i, frames) in [4800, 1, 255, 257, 1000, 3].into_iter().enumerate() {
                if i == 4 {
                    reverb.configure(&Settings {
                        frozen: true,
                        ..settings
                    });
                }
                let input = noise(frames, i as u32 + rate);
                let mut got = input.clone();
                let mut want = input;
                reverb.process(&mut got);
                reference.process(&reverb, &mut want);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "rate {rate}, block {i}");
            }
        }
    }

    #[test]
    fn new_refuses_rates_out_of_range_and_configure_clamps() {
        assert!(Freeverb::new(999).is_err());
        assert!(Freeverb::new(768_001).is_err());
        let mut reverb = Freeverb::new(48_000).unwrap();
        reverb.configure(&Settings {
            wet: 2.0,
            dry: f64::NAN,
            ..Settings::DEFAULT
        });
        assert_eq!((reverb.settings().wet, reverb.settings().dry), (1.0, 0.0));
    }

    #[test]
    fn reset_silences_the_tail() {
        let mut reverb = Freeverb::new(48_000).unwrap();
        let mut block = noise(4800, 1);
        reverb.process(&mut block);
        reverb.reset();
        let mut silence = vec![0.0f32; 2 * 4800];
        reverb.process(&mut silence);
        assert!(silence.iter().all(|&x| x == 0.0));
    }
}
