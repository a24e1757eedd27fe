/**
 * Audio algorithms for the built-in processors: a phase-continuous sine oscillator, Freeverb,
 * mixing, gain, channel up/down-mixing, and an FFT with a dominant-frequency helper for tests.
 * Per-block functions write into caller buffers and do not allocate.
 *
 * @example Generate a tone, add reverb and measure its pitch
 * ```ts
 * import assert from "node:assert/strict";
 * import { dominantFrequency, Freeverb, SineOscillator } from "./mod.ts";
 *
 * const osc = new SineOscillator({ sampleRate: 48_000, frequency: 440, channels: 2 });
 * const reverb = new Freeverb({ sampleRate: 48_000, wet: 0.2, dry: 0.8 });
 * const block = new Float32Array(2 * 4800);
 * osc.fill(block);
 * reverb.process(block);
 * assert.equal(Math.round(dominantFrequency(block, 48_000, { channels: 2 })), 440);
 * ```
 *
 * @module
 */

export { AllpassFilter } from "./allpass_filter.ts";
export { convertChannels } from "./channel_convert.ts";
export { CombFilter } from "./comb_filter.ts";
export {
  dominantFrequency,
  type DominantFrequencyOptions,
  MAX_DOMINANT_FREQUENCY_FFT_SIZE,
  RealFft,
} from "./fft.ts";
export {
  Freeverb,
  FREEVERB_ALLPASS_TUNINGS,
  FREEVERB_COMB_TUNINGS,
  FREEVERB_STEREO_SPREAD,
  type FreeverbOptions,
} from "./freeverb.ts";
export { applyGain, applyGainRamp, decibelsToGain, gainToDecibels } from "./gain.ts";
export { mix } from "./mix.ts";
export { SineOscillator, type SineOscillatorOptions } from "./sine_oscillator.ts";
