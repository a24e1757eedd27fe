/**
 * The typed error of a sink's encoded audio input: frames of a codec its container cannot carry.
 *
 * @module
 */

import type { ErrorDetails } from "../../core/errors/codes.ts";

/**
 * Encoded audio of a codec a sink cannot carry (Opus into `RtmpSink`, whose FLV stream takes
 * AAC). The node fails with code `encoded_audio_codec`, naming the codecs it takes.
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { EncodedAudioCodecError } from "@streamlib/streamlib/processors";
 *
 * const error = new EncodedAudioCodecError("RTMP", "opus", ["aac"]);
 * assert.equal(error.code, "encoded_audio_codec");
 * assert.equal(error.message, "Cannot send opus audio over RTMP: it carries aac (connect an AacEncoder)");
 * assert.deepEqual(error.details, { codec: "opus", available: ["aac"] });
 * ```
 */
export class EncodedAudioCodecError extends RangeError {
  /** The stable code. */
  readonly code = "encoded_audio_codec" as const;
  /** The frame's codec. */
  readonly codec: string;
  /** The codecs the sink carries. */
  readonly available: readonly string[];

  /**
   * Creates the error.
   *
   * @param carrier What the sink sends (`RTMP`).
   * @param codec The frame's codec.
   * @param available The codecs the sink carries.
   */
  constructor(carrier: string, codec: string, available: readonly string[]) {
    super(
      `Cannot send ${codec} audio over ${carrier}: it carries ${available.join(", ")}` +
        (available.includes("aac") ? " (connect an AacEncoder)" : ""),
    );
    this.name = "EncodedAudioCodecError";
    this.codec = codec;
    this.available = available;
  }

  /** Structured details: the codec and the ones the sink carries. */
  get details(): ErrorDetails {
    return { codec: this.codec, available: [...this.available] };
  }
}
