/**
 * {@linkcode OwnedEncodedAudioFrame}: an encoded audio frame with an owner, like every frame of
 * `ctx.frames`.
 *
 * @module
 */

import type { AudioCodec, EncodedAudioFrame } from "./encoded_audio_frame.ts";
import type { FrameMemory } from "./memory.ts";
import { type FrameLedger, OwnedFrame } from "./owned_frame.ts";

/** The stream fields of an encoded audio frame, fixed when it is made. */
export interface EncodedAudioStream {
  /** The codec. */
  readonly codec: AudioCodec;
  /** Samples per second per channel of the decoded audio. */
  readonly sampleRate: number;
  /** Channels of the decoded audio. */
  readonly channels: number;
  /** Samples per channel it decodes to. */
  readonly frameCount: number;
  /** The stream's decoder configuration (AudioSpecificConfig for AAC). */
  readonly extradata: Uint8Array;
}

/**
 * An encoded audio frame in reference-counted memory (from `ctx.frames.encodedAudio()`, or made
 * by a connection from a Worker). The runtime releases what a run read or made; once the last
 * reference goes, `data` throws `FrameReleasedError` and the frame counts in `rt.frameLeaks()`
 * only while it is alive.
 *
 * @example Store one AAC frame, then use it after its run
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext, FrameReleasedError } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("aac");
 * const frame = ctx.frames.encodedAudio({
 *   codec: "aac", byteLength: 3, sampleRate: 48_000, channels: 2, frameCount: 1024,
 *   extradata: new Uint8Array([0x11, 0x90]),
 * })!;
 * frame.data.set([0x21, 0x10, 0x05]);
 * frame.timestampNs = 1e9;
 * assert.deepEqual([frame.kind, frame.codec, [...frame.extradata]], ["encoded-audio", "aac", [0x11, 0x90]]);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * assert.throws(() => frame.data, (e) => e instanceof FrameReleasedError && e.code === "frame_released");
 * ```
 */
export class OwnedEncodedAudioFrame extends OwnedFrame implements EncodedAudioFrame {
  readonly kind = "encoded-audio" as const;
  readonly codec: AudioCodec;
  readonly sampleRate: number;
  readonly channels: number;
  readonly frameCount: number;
  readonly extradata: Uint8Array;
  /** Presentation time of its first sample in nanoseconds; set by the maker. */
  timestampNs = 0;
  /** Position in the stream; set by the maker. */
  frameNumber = 0;

  /**
   * Creates the frame over its memory.
   *
   * @param memory The frame's bytes.
   * @param stream Codec, rate, channels, duration and extradata.
   * @param origin The node that made it.
   * @param ledger Where live frames are counted.
   */
  constructor(
    memory: FrameMemory,
    stream: EncodedAudioStream,
    origin: string,
    ledger?: FrameLedger,
  ) {
    super(memory, origin, ledger);
    this.codec = stream.codec;
    this.sampleRate = stream.sampleRate;
    this.channels = stream.channels;
    this.frameCount = stream.frameCount;
    this.extradata = stream.extradata;
  }

  /** The frame's bytes (throws {@linkcode FrameReleasedError} once the frame is dead). */
  get data(): Uint8Array<ArrayBuffer> {
    return this.memory.bytes;
  }
}
