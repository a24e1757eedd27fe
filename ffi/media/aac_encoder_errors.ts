/**
 * The typed errors of the AAC encoder: the library is missing, or a format it cannot encode.
 *
 * @module
 */

import type { ErrorDetails } from "../../core/errors/codes.ts";

/**
 * The VisualOn AAC encoder library (`libvo-aacenc.so.0`) could not be loaded: it is not
 * installed, or `STREAMLIB_VO_AACENC` names a file that is not it. Everything else in streamlib
 * works without it; only AAC encoding needs it (decision 0049).
 *
 * @example What it says
 * ```ts
 * import assert from "node:assert/strict";
 * import { AacEncoderUnavailableError } from "./aac_encoder_errors.ts";
 *
 * const error = new AacEncoderUnavailableError("libvo-aacenc.so.0", "cannot open shared object file");
 * assert.equal(error.code, "aac_encoder_unavailable");
 * assert.match(error.message, /apt-get install libvo-aacenc0/);
 * ```
 */
export class AacEncoderUnavailableError extends Error {
  /** The stable code. */
  readonly code = "aac_encoder_unavailable" as const;
  /** The library file that was tried. */
  readonly library: string;
  /** What to install. */
  readonly install = "apt-get install libvo-aacenc0" as const;

  /**
   * Creates the error.
   *
   * @param library The library file that was tried.
   * @param reason What the loader said.
   */
  constructor(library: string, reason: string) {
    super(
      `Cannot encode AAC: the VisualOn AAC encoder '${library}' did not load (${reason}); install it (Debian/Ubuntu: apt-get install libvo-aacenc0) or set STREAMLIB_VO_AACENC to its path`,
    );
    this.name = "AacEncoderUnavailableError";
    this.library = library;
  }

  /** Structured details: the library tried and the install command. */
  get details(): ErrorDetails {
    return { library: this.library, install: this.install };
  }
}

/**
 * A sample rate, channel count or bit rate the AAC-LC encoder cannot encode, with what would be
 * valid. A node fails with code `aac_encoder_config`.
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { AacEncoderConfigError } from "./aac_encoder_errors.ts";
 *
 * const error = new AacEncoderConfigError("channels", 6, "1 or 2");
 * assert.equal(error.code, "aac_encoder_config");
 * assert.ok(error instanceof RangeError);
 * assert.equal(error.message, "Cannot encode AAC: channels 6, expected 1 or 2");
 * ```
 */
export class AacEncoderConfigError extends RangeError {
  /** The stable code. */
  readonly code = "aac_encoder_config" as const;
  /** What was wrong. */
  readonly argument: "sampleRate" | "channels" | "bitrate";
  /** The value given. */
  readonly value: number;
  /** What would be valid, in words. */
  readonly valid: string;

  /**
   * Creates the error.
   *
   * @param argument `sampleRate`, `channels` or `bitrate`.
   * @param value The value given.
   * @param valid What would be valid.
   */
  constructor(argument: "sampleRate" | "channels" | "bitrate", value: number, valid: string) {
    super(`Cannot encode AAC: ${argument} ${value}, expected ${valid}`);
    this.name = "AacEncoderConfigError";
    this.argument = argument;
    this.value = value;
    this.valid = valid;
  }

  /** Structured details: what was wrong, its value and what would be valid. */
  get details(): ErrorDetails {
    return { argument: this.argument, value: this.value, valid: this.valid };
  }
}
