/**
 * Blocks of audio samples.
 *
 * @module
 */

import { InvalidFrameShapeError } from "./memory.ts";

/**
 * One block of interleaved 32-bit float audio whose channel count is part of its type, so an
 * `AudioFrame<2>` output cannot be connected to an `AudioFrame<1>` input.
 *
 * `samples` holds `frameCount * channels` values, interleaved (`L R L R ...` for stereo).
 *
 * @typeParam C The number of channels (a numeric literal type such as `2`).
 *
 * @example Make a stereo block
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, createAudioFrame } from "@streamlib/streamlib";
 *
 * const block: AudioFrame<2> = createAudioFrame(2, 48_000, 480);
 * assert.equal(block.samples.length, 960);
 * ```
 */
export interface AudioFrame<C extends number = number> {
  /** Discriminant of the frame union. */
  readonly kind: "audio";
  /** Number of interleaved channels. */
  readonly channels: C;
  /** Samples per second per channel. */
  readonly sampleRate: number;
  /** Samples per channel in this block. */
  readonly frameCount: number;
  /** Interleaved samples, `frameCount * channels` long. */
  readonly samples: Float32Array;
  /** Time of the first sample in nanoseconds on the monotonic media clock. */
  readonly timestampNs: number;
  /** Position of this block in its stream, from 0. */
  readonly frameNumber: number;
  /** The frame-pool slot handle `samples` views, when it is a pool payload. */
  readonly slot?: number;
}

/**
 * Allocates a silent audio block. Call it in `setup`, not per block.
 *
 * @param channels Number of channels.
 * @param sampleRate Samples per second per channel.
 * @param frameCount Samples per channel.
 * @returns A zeroed frame with timestamp and frame number 0.
 * @throws {InvalidFrameShapeError} When a count is not a positive integer, or the rate not a finite
 *   number above 0 (code `invalid_frame_shape`).
 *
 * @example Allocate a mono block
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioFrame } from "@streamlib/streamlib";
 *
 * const mono = createAudioFrame(1, 16_000, 160);
 * assert.equal(mono.channels, 1);
 * assert.equal(mono.samples.length, 160);
 * ```
 */
export function createAudioFrame<C extends number>(
  channels: C,
  sampleRate: number,
  frameCount: number,
): AudioFrame<C> {
  for (const [name, value] of [["channels", channels], ["frameCount", frameCount]] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new InvalidFrameShapeError("audio", name, value, "a positive integer");
    }
  }
  if (!(sampleRate > 0 && sampleRate < Infinity)) {
    throw new InvalidFrameShapeError("audio", "sampleRate", sampleRate, "a finite number above 0");
  }
  return {
    kind: "audio",
    channels,
    sampleRate,
    frameCount,
    samples: new Float32Array(channels * frameCount),
    timestampNs: 0,
    frameNumber: 0,
  };
}
