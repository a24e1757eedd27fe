/**
 * The typed error of a sink's encoded audio input: frames of a codec its stream cannot carry.
 *
 * @module
 */

import type { ErrorDetails } from "../../core/errors/codes.ts";

/**
 * Encoded audio of a codec a sink cannot carry: Opus into `RtmpSink` (FLV takes AAC), or frames
 * of another codec than the `audioCodec` an `Mp4Writer` or `SrtSink` declared its audio stream
 * with. The node fails with code `encoded_audio_codec`, naming the codecs it takes.
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { EncodedAudioCodecError } from "@streamlib/streamlib/processors";
 *
 * const error = new EncodedAudioCodecError("send audio over RTMP", "opus", ["aac"], "connect an AacEncoder");
 * assert.equal(error.code, "encoded_audio_codec");
 * assert.equal(error.message, "Cannot send audio over RTMP: codec opus, expected aac: connect an AacEncoder");
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
   * @param operation What failed, after "Cannot" (`send audio over RTMP`).
   * @param codec The frame's codec.
   * @param available The codecs the sink carries.
   * @param hint How to get there.
   */
  constructor(operation: string, codec: string, available: readonly string[], hint: string) {
    super(`Cannot ${operation}: codec ${codec}, expected ${available.join(" or ")}: ${hint}`);
    this.name = "EncodedAudioCodecError";
    this.codec = codec;
    this.available = available;
  }

  /** Structured details: the codec and the ones the sink carries. */
  get details(): ErrorDetails {
    return { codec: this.codec, available: [...this.available] };
  }
}
