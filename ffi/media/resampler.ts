/**
 * Sample-rate conversion of interleaved `f32` audio in native code: an exact polyphase filter for
 * ratios with few phases (44.1 to 48 kHz, 48 to 16 kHz), `rubato`'s sinc resampler for the rest.
 *
 * @module
 */

import { InvalidArgumentError, statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";
import {
  RESAMPLER_MAX_CHANNELS,
  RESAMPLER_MAX_RATE,
  RESAMPLER_MIN_RATE,
  ResamplerChannelsError,
  ResamplerRateError,
} from "./resampler_errors.ts";

/** The quality presets, cheapest first (64-, 128- and 256-tap sinc filters). */
export const RESAMPLER_QUALITIES = ["fast", "balanced", "best"] as const;

/** A quality preset of {@linkcode Resampler}. */
export type ResamplerQuality = typeof RESAMPLER_QUALITIES[number];

/**
 * Options of {@linkcode Resampler.create}.
 *
 * @example 44.1 kHz stereo to 48 kHz at the best quality
 * ```ts
 * import assert from "node:assert/strict";
 * import { Resampler, type ResamplerOptions } from "@streamlib/streamlib/ffi";
 *
 * const options: ResamplerOptions = { inputRate: 44_100, outputRate: 48_000, channels: 2, quality: "best" };
 * using resampler = Resampler.create(options);
 * assert.equal(resampler.process(new Float32Array(441 * 2)).length, 480 * 2);
 * ```
 */
export interface ResamplerOptions {
  /** Input samples per second per channel, 1000 to 768000. */
  inputRate: number;
  /** Output samples per second per channel, 1000 to 768000. */
  outputRate: number;
  /** Interleaved channels, 1 to 8. */
  channels: number;
  /** Filter quality; `balanced` when not given. */
  quality?: ResamplerQuality;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

/** What a resampler has done: counters read from native code. */
export interface ResamplerStats {
  /** Input frames taken since creation or `reset()`. */
  readonly inputFrames: number;
  /** Output frames produced since creation or `reset()`. */
  readonly outputFrames: number;
  /** Input samples that were NaN or infinite and went in as silence. */
  readonly nonFiniteSamples: number;
}

const free: NativeFree = (lib, handle) => void lib.symbols.sl_resampler_free(handle);

/** A buffer native code reads or writes, with its pointer made once (not per call). */
interface Staging {
  samples: Float32Array;
  pointer: Deno.PointerValue;
}

function staging(samples: number): Staging {
  const array = new Float32Array(Math.max(samples, 1));
  return { samples: array, pointer: Deno.UnsafePointer.of(array) };
}

/**
 * A streaming resampler from one fixed rate to another in native code (an exact polyphase filter
 * over the interleaved samples where the ratio has few phases, `rubato`'s sinc resampler
 * otherwise): blocks of any size in, each converted at once (nothing is held back to fill a
 * chunk).
 *
 * Counts do not drift: after `n` input frames it has produced `floor(n * outputRate / inputRate)`
 * output frames, to within one, whatever the block sizes and however long the stream. The signal comes out
 * {@linkcode Resampler.latencyFrames} output frames late (the filter's delay), after that much
 * silence. NaN and infinite samples go in as silence and are counted. Each block is copied into
 * a buffer of the resampler's own and converted into another, both handed to native code as
 * pointers made once, so a call passes only numbers.
 *
 * @example Convert 48 kHz to 16 kHz in blocks of any size
 * ```ts
 * import assert from "node:assert/strict";
 * import { Resampler } from "@streamlib/streamlib/ffi";
 *
 * using resampler = Resampler.create({ inputRate: 48_000, outputRate: 16_000, channels: 1 });
 * let frames = 0;
 * for (const size of [480, 1, 999, 20]) frames += resampler.process(new Float32Array(size)).length;
 * assert.equal(frames, 500); // 1500 frames at 48 kHz are 500 at 16 kHz
 * assert.equal(resampler.stats().outputFrames, 500);
 * assert.ok(resampler.latencyFrames > 0);
 * ```
 */
export class Resampler extends NativeHandle {
  /** Input samples per second per channel. */
  readonly inputRate: number;
  /** Output samples per second per channel. */
  readonly outputRate: number;
  /** Interleaved channels. */
  readonly channels: number;
  /** The filter quality. */
  readonly quality: ResamplerQuality;
  /** Output frames the signal is delayed by (the filter's group delay). */
  readonly latencyFrames: number;
  #input: Staging = staging(0);
  #output: Staging = staging(0);
  readonly #info = new Float64Array(5);

  private constructor(
    lib: NativeLibrary,
    handle: number,
    options: Required<Omit<ResamplerOptions, "library">>,
    latencyFrames: number,
  ) {
    super(lib, handle, free);
    this.inputRate = options.inputRate;
    this.outputRate = options.outputRate;
    this.channels = options.channels;
    this.quality = options.quality;
    this.latencyFrames = latencyFrames;
  }

  /**
   * Creates a resampler.
   *
   * @param options Rates, channels and quality.
   * @returns The resampler.
   * @throws {ResamplerRateError} For a rate that is not an integer from 1000 to 768000 Hz (code
   *   `resampler_rate_out_of_range`).
   * @throws {ResamplerChannelsError} For a channel count outside 1 to 8 (code
   *   `resampler_too_many_channels`).
   * @throws {InvalidArgumentError} For an unknown quality.
   */
  static create(options: ResamplerOptions): Resampler {
    const { inputRate, outputRate, channels } = options;
    const quality = options.quality ?? "balanced";
    checkRate("input", inputRate);
    checkRate("output", outputRate);
    if (!Number.isInteger(channels) || channels < 1 || channels > RESAMPLER_MAX_CHANNELS) {
      throw new ResamplerChannelsError(channels);
    }
    const code = RESAMPLER_QUALITIES.indexOf(quality);
    if (code < 0) {
      throw new InvalidArgumentError(
        "create a resampler",
        "quality",
        quality,
        `one of ${RESAMPLER_QUALITIES.join(", ")}`,
      );
    }
    const lib = options.library ?? loadNativeLibrary();
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_resampler_create(inputRate, outputRate, channels, code, out);
    if (r < 0) throw statusError(lib, r, "create a resampler");
    return new Resampler(lib, out[0], { inputRate, outputRate, channels, quality }, r);
  }

  /**
   * Output frames a block of `frames` input frames can make at most.
   *
   * @param frames Input frames.
   * @returns The bound.
   */
  outputBound(frames: number): number {
    return Math.ceil((frames + 1) * this.outputRate / this.inputRate) + 2;
  }

  /**
   * Converts one block.
   *
   * @param samples Interleaved input, a whole number of frames (`channels` samples each).
   * @returns The output, interleaved: a view of the resampler's own buffer, valid until the next
   *   call (copy it out).
   * @throws {InvalidArgumentError} When `samples` is not a whole number of frames.
   * @throws {InvalidHandleError} Once closed.
   */
  process(samples: Float32Array): Float32Array {
    const channels = this.channels;
    const frames = samples.length / channels;
    if (!Number.isInteger(frames)) {
      throw new InvalidArgumentError(
        "resample a block",
        "samples",
        `${samples.length} samples`,
        `a multiple of ${channels} (whole frames of ${channels} channels)`,
      );
    }
    if (this.#input.samples.length < samples.length) {
      this.#input = staging(samples.length);
    }
    const capacity = this.outputBound(frames);
    if (this.#output.samples.length < capacity * channels) {
      this.#output = staging(capacity * channels);
    }
    this.#input.samples.set(samples);
    const r = this.symbols.sl_resampler_process(
      this.nativeHandle,
      this.#input.pointer,
      frames,
      this.#output.pointer,
      this.#output.samples.length / channels,
    );
    if (r < 0) this.fail(r, "resample a block");
    return this.#output.samples.subarray(0, r * channels);
  }

  /**
   * Forgets the stream so far: the next block starts a new one (after a gap or a seek).
   *
   * @throws {InvalidHandleError} Once closed.
   */
  reset(): void {
    const r = this.symbols.sl_resampler_reset(this.nativeHandle);
    if (r < 0) this.fail(r, "reset a resampler");
  }

  /**
   * Reads the counters.
   *
   * @returns Frames in and out, and the non-finite samples replaced.
   * @throws {InvalidHandleError} Once closed.
   */
  stats(): ResamplerStats {
    const info = this.#info;
    const r = this.symbols.sl_resampler_info(this.nativeHandle, 0, info, info.length);
    if (r < 0) this.fail(r, "read a resampler's counters");
    return { nonFiniteSamples: info[1], inputFrames: info[2], outputFrames: info[3] };
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this resampler is closed";
  }
}

function checkRate(which: "input" | "output", rate: number): void {
  if (!Number.isInteger(rate) || rate < RESAMPLER_MIN_RATE || rate > RESAMPLER_MAX_RATE) {
    throw new ResamplerRateError(which, rate);
  }
}
