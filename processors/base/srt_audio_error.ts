/**
 * The typed error of `SrtSink`'s audio input: a block its Opus stream cannot carry.
 *
 * @module
 */

import type { ErrorDetails } from "../../core/errors/codes.ts";

/**
 * Audio an SRT sink cannot carry in its Opus stream: another channel count than the stream
 * declares (`audioChannels`), a rate libopus does not encode (8, 12, 16, 24 and 48 kHz), or a
 * format other than the stream's first block. The node fails with code `srt_audio_format`.
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { SrtAudioFormatError } from "@streamlib/streamlib/processors";
 *
 * const error = new SrtAudioFormatError("sampleRate", 44_100, "8000, 12000, 16000, 24000 or 48000 Hz");
 * assert.equal(error.code, "srt_audio_format");
 * assert.ok(error instanceof RangeError);
 * assert.equal(
 *   error.message,
 *   "Cannot send audio over SRT: sampleRate 44100, expected 8000, 12000, 16000, 24000 or 48000 Hz",
 * );
 * assert.deepEqual(error.details, {
 *   argument: "sampleRate", value: 44_100, valid: "8000, 12000, 16000, 24000 or 48000 Hz",
 * });
 * ```
 */
export class SrtAudioFormatError extends RangeError {
  /** The stable code. */
  readonly code = "srt_audio_format" as const;
  /** What was wrong: `channels` or `sampleRate`. */
  readonly argument: "channels" | "sampleRate";
  /** The block's value. */
  readonly value: number;
  /** What would be valid, in words. */
  readonly valid: string;

  /**
   * Creates the error.
   *
   * @param argument `channels` or `sampleRate`.
   * @param value The block's value.
   * @param valid What would be valid, and how to get there.
   */
  constructor(argument: "channels" | "sampleRate", value: number, valid: string) {
    super(`Cannot send audio over SRT: ${argument} ${value}, expected ${valid}`);
    this.name = "SrtAudioFormatError";
    this.argument = argument;
    this.value = value;
    this.valid = valid;
  }

  /** Structured details: what was wrong, its value and what would be valid. */
  get details(): ErrorDetails {
    return { argument: this.argument, value: this.value, valid: this.valid };
  }
}
