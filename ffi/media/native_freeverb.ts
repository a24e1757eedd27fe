/**
 * Jezar's Freeverb in native code: the twin of `processors/dsp/freeverb.ts`, with the same output
 * bit for bit, several times faster.
 *
 * @module
 */

import { InvalidArgumentError, statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/** Lowest sample rate {@linkcode NativeFreeverb} takes, in Hz. */
export const FREEVERB_MIN_RATE = 1_000;
/** Highest sample rate {@linkcode NativeFreeverb} takes, in Hz. */
export const FREEVERB_MAX_RATE = 768_000;

/** The parameters of a {@linkcode NativeFreeverb}, each in `[0, 1]`. */
export interface NativeFreeverbSettings {
  /** Room size (decay time): comb feedback `0.7 + 0.28 * roomSize`. Defaults to 0.5. */
  roomSize?: number;
  /** High-frequency damping of the tail. Defaults to 0.5. */
  damping?: number;
  /** Linear gain of the reverberated signal. Defaults to 1. */
  wet?: number;
  /** Linear gain of the unprocessed signal. Defaults to 0. */
  dry?: number;
  /** Stereo width of the tail: 0 is mono, 1 fully decorrelated. Defaults to 1. */
  width?: number;
  /** Whether the tail sustains forever and new input is ignored. Defaults to `false`. */
  frozen?: boolean;
}

/**
 * Options of {@linkcode NativeFreeverb.create}.
 *
 * @example A 48 kHz room, 30% wet
 * ```ts
 * import assert from "node:assert/strict";
 * import { NativeFreeverb, type NativeFreeverbOptions } from "@streamlib/streamlib/ffi";
 *
 * const options: NativeFreeverbOptions = { sampleRate: 48_000, wet: 0.3, dry: 0.7 };
 * using reverb = NativeFreeverb.create(options);
 * assert.equal(reverb.wet, 0.3);
 * ```
 */
export interface NativeFreeverbOptions extends NativeFreeverbSettings {
  /** Samples per second per channel, an integer from 1000 to 768000. */
  sampleRate: number;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

type Parameter = "roomSize" | "damping" | "wet" | "dry" | "width";

const free: NativeFree = (lib, handle) => void lib.symbols.sl_reverb_free(handle);

/**
 * A stereo Freeverb in native code (`crates/streamlib_native/src/reverb.rs`): per channel, eight
 * lowpass-feedback comb filters in parallel and four allpass filters in series, the right
 * channel's delays 23 samples (at 44.1 kHz) longer. Its output is that of the TypeScript
 * `Freeverb` (`processors/dsp/freeverb.ts`) bit for bit: the same `f64` arithmetic in the same
 * order.
 *
 * Parameters can change between blocks; the tail keeps ringing. A block is copied into a buffer of
 * the reverb's own, reverberated there by a call that passes only numbers (the buffer's pointer is
 * made once), and copied back.
 *
 * @example Add a room to a stereo block in place
 * ```ts
 * import assert from "node:assert/strict";
 * import { NativeFreeverb } from "@streamlib/streamlib/ffi";
 *
 * using reverb = NativeFreeverb.create({ sampleRate: 48_000, roomSize: 0.8, wet: 0.3, dry: 0.7 });
 * const block = new Float32Array(2 * 480);
 * block[0] = block[1] = 1; // an impulse on both channels
 * reverb.process(block);
 * assert.equal(block[0].toFixed(2), "0.70"); // dry only: the tail arrives after the shortest comb
 * ```
 */
export class NativeFreeverb extends NativeHandle {
  /** Samples per second per channel. */
  readonly sampleRate: number;
  readonly #params: Record<Parameter, number> = {
    roomSize: 0.5,
    damping: 0.5,
    wet: 1,
    dry: 0,
    width: 1,
  };
  #frozen = false;
  #staging = new Float32Array(1);
  #pointer: Deno.PointerValue = Deno.UnsafePointer.of(this.#staging);

  private constructor(lib: NativeLibrary, handle: number, sampleRate: number) {
    super(lib, handle, free);
    this.sampleRate = sampleRate;
  }

  /**
   * Creates a reverb with silent delay lines.
   *
   * @param options The sample rate and initial parameters.
   * @returns The reverb.
   * @throws {InvalidArgumentError} When the sample rate is not an integer from 1000 to 768000 or
   *   a parameter is outside `[0, 1]`.
   */
  static create(options: NativeFreeverbOptions): NativeFreeverb {
    const { sampleRate } = options;
    if (
      !Number.isInteger(sampleRate) || sampleRate < FREEVERB_MIN_RATE ||
      sampleRate > FREEVERB_MAX_RATE
    ) {
      throw new InvalidArgumentError(
        "create a reverb",
        "sampleRate",
        sampleRate,
        `an integer from ${FREEVERB_MIN_RATE} to ${FREEVERB_MAX_RATE}`,
      );
    }
    const params: Partial<Record<Parameter, number>> = {};
    for (const name of ["roomSize", "damping", "wet", "dry", "width"] as const) {
      const value = options[name];
      if (value !== undefined) params[name] = checked(name, value);
    }
    const lib = options.library ?? loadNativeLibrary();
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_reverb_create(sampleRate, out);
    if (r < 0) throw statusError(lib, r, "create a reverb");
    const reverb = new NativeFreeverb(lib, out[0], sampleRate);
    Object.assign(reverb.#params, params);
    reverb.#frozen = options.frozen ?? false;
    reverb.#configure();
    return reverb;
  }

  /** Room size, `[0, 1]`: feedback `0.7 + 0.28 * roomSize` in every comb. */
  get roomSize(): number {
    return this.#params.roomSize;
  }
  set roomSize(value: number) {
    this.#set("roomSize", value);
  }

  /** Damping, `[0, 1]`: lowpass coefficient `0.4 * damping` in every comb's feedback. */
  get damping(): number {
    return this.#params.damping;
  }
  set damping(value: number) {
    this.#set("damping", value);
  }

  /** Linear gain of the reverberated signal, `[0, 1]`. */
  get wet(): number {
    return this.#params.wet;
  }
  set wet(value: number) {
    this.#set("wet", value);
  }

  /** Linear gain of the unprocessed signal, `[0, 1]`. */
  get dry(): number {
    return this.#params.dry;
  }
  set dry(value: number) {
    this.#set("dry", value);
  }

  /** Stereo width of the wet signal, `[0, 1]`: 0 sends the same tail to both channels. */
  get width(): number {
    return this.#params.width;
  }
  set width(value: number) {
    this.#set("width", value);
  }

  /** Whether the tail is frozen: combs recirculate without loss or damping, input is muted. */
  get frozen(): boolean {
    return this.#frozen;
  }
  set frozen(value: boolean) {
    this.#frozen = value;
    this.#configure();
  }

  /**
   * Reverberates interleaved stereo samples in place.
   *
   * @param samples Interleaved stereo samples (`L R L R ...`).
   * @param frames Stereo frames to process. Defaults to `floor(samples.length / 2)`.
   * @throws {InvalidArgumentError} When `frames` does not fit in `samples`.
   * @throws {InvalidHandleError} Once closed.
   */
  process(samples: Float32Array, frames: number = samples.length >> 1): void {
    if (!Number.isInteger(frames) || frames < 0 || 2 * frames > samples.length) {
      throw new InvalidArgumentError(
        "reverberate a block",
        "frames",
        frames,
        `an integer from 0 to ${
          samples.length >> 1
        } (the stereo frames of ${samples.length} samples)`,
      );
    }
    const count = 2 * frames;
    if (this.#staging.length < count) {
      this.#staging = new Float32Array(count);
      this.#pointer = Deno.UnsafePointer.of(this.#staging);
    }
    const staging = this.#staging;
    staging.set(count === samples.length ? samples : samples.subarray(0, count));
    const r = this.symbols.sl_reverb_process(this.nativeHandle, this.#pointer, frames);
    if (r < 0) this.fail(r, "reverberate a block");
    samples.set(count === staging.length ? staging : staging.subarray(0, count));
  }

  /**
   * Silences the tail: clears every delay line.
   *
   * @throws {InvalidHandleError} Once closed.
   */
  reset(): void {
    const r = this.symbols.sl_reverb_reset(this.nativeHandle);
    if (r < 0) this.fail(r, "reset a reverb");
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this reverb is closed";
  }

  #set(name: Parameter, value: number): void {
    this.#params[name] = checked(name, value);
    this.#configure();
  }

  #configure(): void {
    const { roomSize, damping, wet, dry, width } = this.#params;
    const r = this.symbols.sl_reverb_configure(
      this.nativeHandle,
      roomSize,
      damping,
      wet,
      dry,
      width,
      this.#frozen ? 1 : 0,
    );
    if (r < 0) this.fail(r, "configure a reverb");
  }
}

function checked(name: Parameter, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidArgumentError("set a reverb parameter", name, value, "a number in [0, 1]");
  }
  return value;
}
