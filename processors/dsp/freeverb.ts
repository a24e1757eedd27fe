/**
 * Jezar at Dreampoint's Freeverb (public domain, 2000), ported to TypeScript.
 *
 * @module
 */

import { AllpassFilter } from "./allpass_filter.ts";
import { CombFilter } from "./comb_filter.ts";

/** Freeverb's comb delays in samples at 44.1 kHz, left channel. */
export const FREEVERB_COMB_TUNINGS: readonly number[] = [
  1116,
  1188,
  1277,
  1356,
  1422,
  1491,
  1557,
  1617,
];
/** Freeverb's allpass delays in samples at 44.1 kHz, left channel. */
export const FREEVERB_ALLPASS_TUNINGS: readonly number[] = [556, 441, 341, 225];
/** Extra delay of every right-channel filter, in samples at 44.1 kHz. */
export const FREEVERB_STEREO_SPREAD = 23;

const TUNING_RATE = 44_100;
const FIXED_GAIN = 0.015;
const SCALE_DAMP = 0.4;
const SCALE_ROOM = 0.28;
const OFFSET_ROOM = 0.7;
/** Frames filtered per pass of {@linkcode Freeverb.process}'s filter loops. */
const CHUNK_FRAMES = 1024;

/** Options for {@linkcode Freeverb}; every parameter is in `[0, 1]`. */
export interface FreeverbOptions {
  /** Samples per second per channel; the delay tunings are scaled from 44.1 kHz to it. */
  sampleRate: number;
  /** Room size (decay time). Defaults to 0.5. */
  roomSize?: number;
  /** High-frequency damping of the tail. Defaults to 0.5. */
  damping?: number;
  /** Linear gain of the reverberated signal. Defaults to 1 (Freeverb's default wet level). */
  wet?: number;
  /** Linear gain of the unprocessed signal. Defaults to 0 (Freeverb's default: all wet). */
  dry?: number;
  /** Stereo width of the tail: 0 is mono, 1 is fully decorrelated. Defaults to 1. */
  width?: number;
  /** Whether the tail sustains forever and new input is ignored. Defaults to `false`. */
  frozen?: boolean;
}

type Parameter = "roomSize" | "damping" | "wet" | "dry" | "width";

/**
 * A stereo Freeverb: per channel, eight lowpass-feedback comb filters in parallel followed by four
 * allpass filters in series; the right channel's delays are 23 samples (at 44.1 kHz) longer, which
 * decorrelates the two tails. Input is the sum of both channels.
 *
 * Parameters can change between blocks. Filters are allocated in the constructor;
 * {@linkcode Freeverb.process} does not allocate. It runs the filters over up to 1024 frames at a
 * time, each left comb with its right twin ({@linkcode CombFilter.processAddPair}) and each
 * allpass alone ({@linkcode AllpassFilter.processBlock}), rather than every filter per sample:
 * the same arithmetic in the same order (the output is identical), three to six times faster.
 *
 * @example Add a room to a stereo block in place
 * ```ts
 * import assert from "node:assert/strict";
 * import { Freeverb } from "./freeverb.ts";
 *
 * const reverb = new Freeverb({ sampleRate: 48_000, roomSize: 0.8, wet: 0.3, dry: 0.7 });
 * const block = new Float32Array(2 * 480);
 * block[0] = block[1] = 1; // an impulse on both channels
 * reverb.process(block);
 * assert.equal(block[0].toFixed(2), "0.70"); // dry only: the tail arrives after the shortest comb
 * ```
 */
export class Freeverb {
  /** Samples per second per channel. */
  readonly sampleRate: number;
  readonly #combL: CombFilter[];
  readonly #combR: CombFilter[];
  readonly #allpassL: AllpassFilter[];
  readonly #allpassR: AllpassFilter[];
  readonly #params: Record<Parameter, number> = {
    roomSize: 0.5,
    damping: 0.5,
    wet: 1,
    dry: 0,
    width: 1,
  };
  readonly #mono = new Float64Array(CHUNK_FRAMES);
  readonly #sumL = new Float64Array(CHUNK_FRAMES);
  readonly #sumR = new Float64Array(CHUNK_FRAMES);
  #frozen = false;
  #gain = FIXED_GAIN;
  #wet1 = 0;
  #wet2 = 0;
  #dry = 0;

  /**
   * Creates a {@linkcode Freeverb}.
   *
   * @param options The sample rate and initial parameters.
   * @throws {RangeError} When the sample rate is not positive or a parameter is outside `[0, 1]`.
   */
  constructor(options: FreeverbOptions) {
    const { sampleRate } = options;
    if (!Number.isFinite(sampleRate) || sampleRate <= 0) {
      throw new RangeError(
        `Cannot create a Freeverb: sampleRate must be a positive finite number, got ${sampleRate}`,
      );
    }
    this.sampleRate = sampleRate;
    const scale = (samples: number) =>
      Math.max(1, Math.round((samples * sampleRate) / TUNING_RATE));
    this.#combL = FREEVERB_COMB_TUNINGS.map((t) => new CombFilter(scale(t)));
    this.#combR = FREEVERB_COMB_TUNINGS.map((t) =>
      new CombFilter(scale(t + FREEVERB_STEREO_SPREAD))
    );
    this.#allpassL = FREEVERB_ALLPASS_TUNINGS.map((t) => new AllpassFilter(scale(t)));
    this.#allpassR = FREEVERB_ALLPASS_TUNINGS.map((t) =>
      new AllpassFilter(scale(t + FREEVERB_STEREO_SPREAD))
    );
    for (const name of ["roomSize", "damping", "wet", "dry", "width"] as const) {
      const value = options[name];
      if (value !== undefined) this.#set(name, value);
    }
    this.#frozen = options.frozen ?? false;
    this.#update();
  }

  /** Room size, `[0, 1]`: feedback `0.7 + 0.28 * roomSize` in every comb. */
  get roomSize(): number {
    return this.#params.roomSize;
  }
  set roomSize(value: number) {
    this.#set("roomSize", value);
    this.#update();
  }

  /** Damping, `[0, 1]`: lowpass coefficient `0.4 * damping` in every comb's feedback. */
  get damping(): number {
    return this.#params.damping;
  }
  set damping(value: number) {
    this.#set("damping", value);
    this.#update();
  }

  /**
   * Linear gain of the reverberated signal, `[0, 1]`. Jezar's user interface scaled its wet knob
   * by 3, so his default knob position (1/3) is a gain of 1 here.
   */
  get wet(): number {
    return this.#params.wet;
  }
  set wet(value: number) {
    this.#set("wet", value);
    this.#update();
  }

  /** Linear gain of the unprocessed signal, `[0, 1]`: `wet = 0, dry = 1` passes input through. */
  get dry(): number {
    return this.#params.dry;
  }
  set dry(value: number) {
    this.#set("dry", value);
    this.#update();
  }

  /** Stereo width of the wet signal, `[0, 1]`: 0 sends the same tail to both channels. */
  get width(): number {
    return this.#params.width;
  }
  set width(value: number) {
    this.#set("width", value);
    this.#update();
  }

  /** Whether the tail is frozen: combs recirculate without loss or damping, input is muted. */
  get frozen(): boolean {
    return this.#frozen;
  }
  set frozen(value: boolean) {
    this.#frozen = value;
    this.#update();
  }

  /**
   * Reverberates interleaved stereo samples.
   *
   * @param input Interleaved stereo samples (`L R L R ...`).
   * @param output Where to write; may be `input` itself. Defaults to `input` (in place).
   * @param frames Stereo frames to process. Defaults to `floor(input.length / 2)`.
   * @throws {RangeError} When `frames` does not fit in `input` or `output`.
   */
  process(
    input: Float32Array,
    output: Float32Array = input,
    frames: number = input.length >> 1,
  ): void {
    if (
      !Number.isInteger(frames) || frames < 0 || 2 * frames > input.length ||
      2 * frames > output.length
    ) {
      throw new RangeError(
        `Cannot run Freeverb on ${frames} stereo frames: input has ${input.length} and output ${output.length} samples`,
      );
    }
    const gain = this.#gain;
    const wet1 = this.#wet1;
    const wet2 = this.#wet2;
    const dry = this.#dry;
    const mono = this.#mono;
    const sumL = this.#sumL;
    const sumR = this.#sumR;
    const combL = this.#combL;
    const combR = this.#combR;
    // A chunk at a time, filter by filter: each filter runs one tight loop over the chunk (the
    // same sums in the same order as sample by sample, so the output is identical).
    for (let start = 0; start < frames; start += CHUNK_FRAMES) {
      const n = Math.min(CHUNK_FRAMES, frames - start);
      const base = 2 * start;
      for (let i = 0; i < n; i++) {
        mono[i] = (input[base + 2 * i] + input[base + 2 * i + 1]) * gain;
      }
      sumL.fill(0, 0, n);
      sumR.fill(0, 0, n);
      for (let c = 0; c < combL.length; c++) {
        CombFilter.processAddPair(combL[c], combR[c], mono, sumL, sumR, n);
      }
      for (const allpass of this.#allpassL) allpass.processBlock(sumL, n);
      for (const allpass of this.#allpassR) allpass.processBlock(sumR, n);
      for (let i = 0; i < n; i++) {
        const j = base + 2 * i;
        const outL = sumL[i];
        const outR = sumR[i];
        output[j] = outL * wet1 + outR * wet2 + input[j] * dry;
        output[j + 1] = outR * wet1 + outL * wet2 + input[j + 1] * dry;
      }
    }
  }

  /** Silences the tail: clears every delay line. */
  reset(): void {
    for (const filter of [...this.#combL, ...this.#combR]) filter.reset();
    for (const filter of [...this.#allpassL, ...this.#allpassR]) filter.reset();
  }

  #set(name: Parameter, value: number): void {
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new RangeError(`Cannot set Freeverb ${name}: expected a value in [0, 1], got ${value}`);
    }
    this.#params[name] = value;
  }

  #update(): void {
    const { roomSize, damping, wet, dry, width } = this.#params;
    this.#wet1 = wet * (width / 2 + 0.5);
    this.#wet2 = wet * ((1 - width) / 2);
    this.#dry = dry;
    const feedback = this.#frozen ? 1 : roomSize * SCALE_ROOM + OFFSET_ROOM;
    const damp = this.#frozen ? 0 : damping * SCALE_DAMP;
    this.#gain = this.#frozen ? 0 : FIXED_GAIN;
    for (const comb of [...this.#combL, ...this.#combR]) {
      comb.feedback = feedback;
      comb.damping = damp;
    }
  }
}
