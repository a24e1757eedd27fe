/**
 * A radix-2 FFT of real signals, and {@linkcode dominantFrequency} for checking a tone's pitch.
 *
 * @module
 */

/** The largest transform {@linkcode dominantFrequency} uses (2^20 points). */
export const MAX_DOMINANT_FREQUENCY_FFT_SIZE = 1 << 20;

/**
 * A forward FFT of a real signal whose length is a power of two.
 *
 * It packs the `N` real samples into `N / 2` complex values, runs an in-place iterative radix-2
 * complex FFT on them and splits the result into the `N / 2 + 1` non-redundant bins of the real
 * spectrum. Tables and scratch space are allocated once in the constructor;
 * {@linkcode RealFft.forward} does not allocate.
 *
 * @example Find the bin of a pure tone
 * ```ts
 * import assert from "node:assert/strict";
 * import { RealFft } from "./fft.ts";
 *
 * const fft = new RealFft(64);
 * const x = new Float64Array(64).map((_, n) => Math.cos((2 * Math.PI * 5 * n) / 64));
 * const re = new Float64Array(33);
 * const im = new Float64Array(33);
 * fft.forward(x, re, im);
 * assert.equal(Math.round(re[5]), 32); // N / 2 for a unit cosine on bin 5
 * ```
 */
export class RealFft {
  /** Number of real input samples, a power of two. */
  readonly size: number;
  readonly #half: number;
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;
  readonly #bitReverse: Uint32Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;

  /**
   * Creates a {@linkcode RealFft}.
   *
   * @param size Number of real input samples: a power of two, at least 2.
   * @throws {RangeError} When `size` is not a power of two of at least 2.
   */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0 || size > 2 ** 30) {
      throw new RangeError(
        `Cannot create a real FFT: size must be a power of two from 2 to 2^30, got ${size}`,
      );
    }
    this.size = size;
    const half = size / 2;
    this.#half = half;
    this.#cos = new Float64Array(half);
    this.#sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.#cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.#sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.#bitReverse = new Uint32Array(half);
    const bits = Math.log2(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#bitReverse[i] = r;
    }
    this.#re = new Float64Array(half);
    this.#im = new Float64Array(half);
  }

  /**
   * Computes bins `0..size/2` of the spectrum `X[k] = sum x[n] e^(-2 pi i k n / size)`.
   *
   * @param input `size` real samples (only the first `size` are read).
   * @param re Receives the real parts, at least `size / 2 + 1` long.
   * @param im Receives the imaginary parts, at least `size / 2 + 1` long.
   * @throws {RangeError} When a buffer is too short.
   */
  forward(
    input: Float32Array | Float64Array,
    re: Float64Array,
    im: Float64Array,
  ): void {
    const n = this.size;
    const half = this.#half;
    if (input.length < n || re.length < half + 1 || im.length < half + 1) {
      throw new RangeError(
        `Cannot run a ${n}-point real FFT: need ${n} input samples and ${
          half + 1
        } output bins, got ${input.length}, ${re.length} and ${im.length}`,
      );
    }
    const zr = this.#re;
    const zi = this.#im;
    const rev = this.#bitReverse;
    for (let k = 0; k < half; k++) {
      const j = rev[k];
      zr[j] = input[2 * k];
      zi[j] = input[2 * k + 1];
    }
    const cos = this.#cos;
    const sin = this.#sin;
    for (let length = 2; length <= half; length <<= 1) {
      const span = length >> 1;
      const tableStep = n / length;
      for (let start = 0; start < half; start += length) {
        for (let j = 0; j < span; j++) {
          const wr = cos[j * tableStep];
          const wi = -sin[j * tableStep];
          const a = start + j;
          const b = a + span;
          const tr = zr[b] * wr - zi[b] * wi;
          const ti = zr[b] * wi + zi[b] * wr;
          zr[b] = zr[a] - tr;
          zi[b] = zi[a] - ti;
          zr[a] += tr;
          zi[a] += ti;
        }
      }
    }
    // Split the half-size complex transform into the real spectrum.
    for (let k = 0; k <= half; k++) {
      const a = k % half;
      const b = (half - k) % half;
      const evenRe = (zr[a] + zr[b]) / 2;
      const evenIm = (zi[a] - zi[b]) / 2;
      const oddRe = (zi[a] + zi[b]) / 2;
      const oddIm = -(zr[a] - zr[b]) / 2;
      const wr = k < half ? cos[k] : -1;
      const wi = k < half ? -sin[k] : 0;
      re[k] = evenRe + wr * oddRe - wi * oddIm;
      im[k] = evenIm + wr * oddIm + wi * oddRe;
    }
  }
}

/** Options for {@linkcode dominantFrequency}. */
export interface DominantFrequencyOptions {
  /** Interleaved channels in `samples`. Defaults to 1. */
  channels?: number;
  /** The channel to analyse, from 0. Defaults to 0. */
  channel?: number;
}

/**
 * Estimates the frequency of the strongest spectral peak of a signal, for checking test tones.
 *
 * The chosen channel has its mean removed, gets a Hann window and is zero-padded to a power of two
 * (at most {@linkcode MAX_DOMINANT_FREQUENCY_FFT_SIZE} samples are analysed). The peak bin above
 * DC is refined by parabolic interpolation of the log magnitudes of it and its neighbours, which is
 * accurate to a small fraction of a bin for a steady tone. Allocates; not for real-time use.
 *
 * @param samples Interleaved samples.
 * @param sampleRate Samples per second per channel.
 * @param options Channel layout and the channel to analyse.
 * @returns The frequency of the strongest peak in hertz.
 * @throws {RangeError} When there are fewer than 4 samples per channel, the layout is invalid, or
 * the signal is silent (no peak exists).
 *
 * @example Measure a 1 kHz tone
 * ```ts
 * import assert from "node:assert/strict";
 * import { dominantFrequency } from "./fft.ts";
 *
 * const rate = 48_000;
 * const tone = new Float32Array(4800).map((_, n) => Math.sin((2 * Math.PI * 1000 * n) / rate));
 * assert.equal(Math.round(dominantFrequency(tone, rate)), 1000);
 * ```
 */
export function dominantFrequency(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  options: DominantFrequencyOptions = {},
): number {
  const { channels = 1, channel = 0 } = options;
  if (!Number.isInteger(channels) || channels <= 0 || !Number.isInteger(channel)) {
    throw new RangeError(
      `Cannot find a dominant frequency: channels must be a positive integer, got ${channels}`,
    );
  }
  if (channel < 0 || channel >= channels) {
    throw new RangeError(
      `Cannot find a dominant frequency: channel ${channel} does not exist, expected 0 to ${
        channels - 1
      }`,
    );
  }
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new RangeError(
      `Cannot find a dominant frequency: sampleRate must be a positive number, got ${sampleRate}`,
    );
  }
  const length = Math.min(Math.floor(samples.length / channels), MAX_DOMINANT_FREQUENCY_FFT_SIZE);
  if (length < 4) {
    throw new RangeError(
      `Cannot find a dominant frequency: need at least 4 samples per channel, got ${length}`,
    );
  }
  let size = 4;
  while (size < length) size *= 2;
  let mean = 0;
  for (let n = 0; n < length; n++) mean += samples[n * channels + channel];
  mean /= length;
  const x = new Float64Array(size);
  for (let n = 0; n < length; n++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (length - 1));
    x[n] = (samples[n * channels + channel] - mean) * hann;
  }
  const bins = size / 2 + 1;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  new RealFft(size).forward(x, re, im);
  const power = new Float64Array(bins);
  let peak = 1;
  for (let k = 0; k < bins; k++) {
    power[k] = re[k] * re[k] + im[k] * im[k];
    if (k > 0 && power[k] > power[peak]) peak = k;
  }
  if (!(power[peak] > 0)) {
    throw new RangeError("Cannot find a dominant frequency: the signal is silent");
  }
  let offset = 0;
  if (peak > 1 && peak < bins - 1) {
    const tiny = power[peak] * 1e-30;
    // Half the log power is the log magnitude.
    const a = 0.5 * Math.log(power[peak - 1] + tiny);
    const b = 0.5 * Math.log(power[peak] + tiny);
    const c = 0.5 * Math.log(power[peak + 1] + tiny);
    const denominator = a - 2 * b + c;
    if (denominator < 0) offset = (0.5 * (a - c)) / denominator;
  }
  return ((peak + offset) * sampleRate) / size;
}
