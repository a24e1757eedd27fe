/**
 * Typed errors of audio resampling: a sample rate or channel count the resampler does not take.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../../core/errors/codes.ts";

/** Lowest sample rate the resampler takes, in Hz (input and output). */
export const RESAMPLER_MIN_RATE = 1_000;
/** Highest sample rate the resampler takes, in Hz (input and output). */
export const RESAMPLER_MAX_RATE = 768_000;
/** Most interleaved channels the resampler takes. */
export const RESAMPLER_MAX_CHANNELS = 8;

/**
 * A sample rate outside {@linkcode RESAMPLER_MIN_RATE} to {@linkcode RESAMPLER_MAX_RATE} Hz (or
 * not an integer), as a block's rate or an output rate.
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResamplerRateError } from "@streamlib/streamlib/ffi";
 *
 * const error = new ResamplerRateError("input", 500);
 * assert.equal(error.code, "resampler_rate_out_of_range");
 * assert.ok(error instanceof RangeError);
 * assert.equal(error.message, "Cannot resample: the input rate 500 Hz is outside 1000 to 768000 Hz");
 * assert.deepEqual(error.details, { which: "input", rate: "500", min: 1000, max: 768000 });
 * ```
 */
export class ResamplerRateError extends RangeError {
  /** Stable machine code. */
  readonly code: ErrorCode = "resampler_rate_out_of_range";
  /** Which rate was wrong. */
  readonly which: "input" | "output";
  /** The rate, as text (`NaN` survives JSON this way). */
  readonly rate: string;

  /** The offending rate and the valid range. */
  get details(): ErrorDetails {
    return { which: this.which, rate: this.rate, min: RESAMPLER_MIN_RATE, max: RESAMPLER_MAX_RATE };
  }

  /**
   * Names the rate.
   *
   * @param which Which rate was wrong.
   * @param rate Its value.
   */
  constructor(which: "input" | "output", rate: unknown) {
    super(
      `Cannot resample: the ${which} rate ${
        String(rate)
      } Hz is outside ${RESAMPLER_MIN_RATE} to ${RESAMPLER_MAX_RATE} Hz`,
    );
    this.name = "ResamplerRateError";
    this.which = which;
    this.rate = String(rate);
  }
}

/**
 * Audio of more than {@linkcode RESAMPLER_MAX_CHANNELS} channels (or fewer than 1).
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResamplerChannelsError } from "@streamlib/streamlib/ffi";
 *
 * const error = new ResamplerChannelsError(12);
 * assert.equal(error.code, "resampler_too_many_channels");
 * assert.match(error.message, /12 channels.*1 to 8/);
 * ```
 */
export class ResamplerChannelsError extends RangeError {
  /** Stable machine code. */
  readonly code: ErrorCode = "resampler_too_many_channels";
  /** The channel count that arrived. */
  readonly channels: number;

  /** The offending count and the valid range. */
  get details(): ErrorDetails {
    return { channels: this.channels, min: 1, max: RESAMPLER_MAX_CHANNELS };
  }

  /**
   * Names the count.
   *
   * @param channels The channel count that arrived.
   */
  constructor(channels: number) {
    super(
      `Cannot resample audio of ${channels} channels: the resampler takes 1 to ${RESAMPLER_MAX_CHANNELS}; convert it first with a ChannelConverter`,
    );
    this.name = "ResamplerChannelsError";
    this.channels = channels;
  }
}
