/**
 * Audio out: an output device played through `cpal` in native code (ALSA on Linux, CoreAudio
 * on macOS), fed from JS through a lock-free ring.
 *
 * @module
 */

import { InvalidArgumentError, statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/** The device sample formats, by the code `sl_speaker_stats` reports (the preference order). */
export const SPEAKER_FORMATS = ["f32", "i32", "i16", "f64", "u16", "u8", "i8"] as const;

/** A device sample format of {@linkcode SPEAKER_FORMATS}. */
export type SpeakerFormat = typeof SPEAKER_FORMATS[number];

/** Options of {@linkcode NativeSpeaker.open}. */
export interface NativeSpeakerOptions {
  /** A `cpal` device ID (`alsa:hw:0,0`, `coreaudio:<uid>`); empty or absent: the default output. */
  device?: string;
  /** Samples per second per channel of what is written, 1000 to 768000. */
  sampleRate: number;
  /** Channels wanted from the device, 1 to 32 (it may open with another count: read `channels`). */
  channels: number;
  /** Frames of the ring between JS and the device, 64 to 480000. */
  bufferFrames: number;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

/** What a speaker has done: counters read from native code. */
export interface NativeSpeakerStats {
  /** Frames accepted by `write()`, at the written rate. */
  readonly writtenFrames: number;
  /** Frames the device played from the ring, at the device's rate. */
  readonly playedFrames: number;
  /** Times the device ran dry after playback started (each run of short callbacks counts once). */
  readonly underruns: number;
  /** Frames of silence played in those underruns. */
  readonly underrunFrames: number;
  /** Over- or underruns the device itself reported (ALSA xruns). */
  readonly xruns: number;
  /** Frames written and not played yet, at the device's rate. */
  readonly queuedFrames: number;
  /** Whether the device is playing. */
  readonly running: boolean;
  /** The native status of the device's failure, 0 while it has none. */
  readonly failureStatus: number;
}

const free: NativeFree = (lib, handle) => void lib.symbols.sl_speaker_close(handle);
const STATS_FIELDS = 12;

/**
 * An open output device. `write()` queues interleaved `f32` samples at the device's channel
 * count and the configured rate, taking what the ring has room for and never blocking; the
 * device's own thread plays them once half the ring is full (or the writer stops adding), and
 * plays silence when the ring runs dry (an underrun, counted; it then waits for half the ring
 * again). The device is opened at the configured rate and channel count when it offers them, else
 * at its own rate (the samples are resampled natively on the way in) and the channel count it
 * offers ({@linkcode NativeSpeaker.channels}: convert to it before writing). Opening waits up to
 * 5 s for the device.
 *
 * @example Play to the default output, or learn why there is none
 * ```ts ignore
 * // Needs an audio output (a sound card, or ALSA pointed at a file; see docs/processors.md).
 * import assert from "node:assert/strict";
 * import { NativeSpeaker } from "@streamlib/streamlib/ffi";
 *
 * using speaker = NativeSpeaker.open({ sampleRate: 48_000, channels: 2, bufferFrames: 9_600 });
 * const block = new Float32Array(480 * speaker.channels).fill(0.25);
 * assert.equal(speaker.write(block), 480);
 * assert.equal(speaker.stats().writtenFrames, 480);
 * ```
 */
export class NativeSpeaker extends NativeHandle {
  /** Samples per second per channel of what is written. */
  readonly sampleRate: number;
  /** The device's rate (equal to `sampleRate` unless the device did not offer it). */
  readonly deviceRate: number;
  /** The device's channel count: what `write()` takes. */
  readonly channels: number;
  /** The device's sample format. */
  readonly format: SpeakerFormat;
  /** Output frames the native resampler delays the signal by (0 without resampling). */
  readonly resamplerLatencyFrames: number;
  readonly #stats = new Float64Array(STATS_FIELDS);
  #staging = new Float32Array(1);
  #pointer: Deno.PointerValue = Deno.UnsafePointer.of(this.#staging);

  private constructor(lib: NativeLibrary, handle: number, sampleRate: number) {
    super(lib, handle, free);
    this.sampleRate = sampleRate;
    const s = this.#read();
    this.deviceRate = s[5];
    this.channels = s[6];
    this.format = SPEAKER_FORMATS[s[7]] ?? "f32";
    this.resamplerLatencyFrames = s[11];
  }

  /**
   * Opens an output device.
   *
   * @param options Device, rate, channels and ring size.
   * @returns The open speaker, playing silence until written to.
   * @throws {InvalidArgumentError} For a rate, channel count or ring size out of range.
   * @throws {DeviceNotFoundError} When there is no such device, or no default output.
   * @throws {PermissionDeniedError} When the OS refuses the device.
   * @throws {UnsupportedError} When the device offers no PCM format a speaker plays.
   * @throws {DeviceError} When it fails to open (busy, broken) or does not open within 5 s.
   */
  static open(options: NativeSpeakerOptions): NativeSpeaker {
    const { sampleRate, channels, bufferFrames } = options;
    const check = (name: string, value: number, min: number, max: number) => {
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new InvalidArgumentError(
          "open a speaker",
          name,
          value,
          `an integer from ${min} to ${max}`,
        );
      }
    };
    check("sampleRate", sampleRate, 1_000, 768_000);
    check("channels", channels, 1, 32);
    check("bufferFrames", bufferFrames, 64, 480_000);
    const lib = options.library ?? loadNativeLibrary();
    const device = new TextEncoder().encode(options.device ?? "");
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_speaker_open(
      device,
      device.length,
      sampleRate,
      channels,
      bufferFrames,
      out,
    );
    if (r < 0) throw statusError(lib, r, "open the audio output");
    return new NativeSpeaker(lib, out[0], sampleRate);
  }

  /**
   * Queues whole frames of `samples` (interleaved, {@linkcode NativeSpeaker.channels} channels,
   * at `sampleRate`); never blocks.
   *
   * @param samples The samples; a whole number of frames.
   * @returns The frames taken from the start of `samples`: all of them, or what the ring had room
   *   for.
   * @throws {InvalidArgumentError} When `samples` is not a whole number of frames.
   * @throws {DeviceError} Once the device has failed (unplugged, its server gone), and on every
   *   write after.
   * @throws {InvalidHandleError} Once closed.
   */
  write(samples: Float32Array): number {
    const frames = samples.length / this.channels;
    if (!Number.isInteger(frames)) {
      throw new InvalidArgumentError(
        "write to the audio output",
        "samples",
        `${samples.length} samples`,
        `a multiple of ${this.channels} (whole frames of ${this.channels} channels)`,
      );
    }
    if (frames === 0) return 0;
    if (this.#staging.length < samples.length) {
      this.#staging = new Float32Array(samples.length);
      this.#pointer = Deno.UnsafePointer.of(this.#staging);
    }
    this.#staging.set(samples);
    const r = this.symbols.sl_speaker_write(this.nativeHandle, this.#pointer, frames);
    if (r < 0) this.fail(r, "write to the audio output");
    return r;
  }

  /**
   * Reads the counters.
   *
   * @returns Frames written and played, underruns, queue depth, state.
   * @throws {InvalidHandleError} Once closed.
   */
  stats(): NativeSpeakerStats {
    const s = this.#read();
    return {
      writtenFrames: s[0],
      playedFrames: s[1],
      underruns: s[2],
      underrunFrames: s[3],
      xruns: s[4],
      queuedFrames: s[8],
      running: s[9] === 1,
      failureStatus: s[10],
    };
  }

  #read(): Float64Array {
    const r = this.symbols.sl_speaker_stats(this.nativeHandle, this.#stats, STATS_FIELDS);
    if (r < 0) this.fail(r, "read the audio output's counters");
    return this.#stats;
  }

  /** Names the speaker in the error a closed one throws. */
  protected override closedDetail(): string {
    return "this speaker is closed";
  }
}
