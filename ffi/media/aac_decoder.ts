/**
 * AAC-LC audio decoding with Symphonia's pure-Rust decoder in native code.
 *
 * @module
 */

import { statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/** Samples per channel in one AAC-LC access unit. */
export const AAC_FRAME_SAMPLES = 1024;

/**
 * Options of {@linkcode AacDecoder.create}.
 *
 * @example Describe a 44.1 kHz stereo stream
 * ```ts
 * import assert from "node:assert/strict";
 * import { AacDecoder, type AacDecoderOptions } from "@streamlib/streamlib/ffi";
 *
 * // AAC-LC (object type 2), frequency index 4 (44.1 kHz), channel configuration 2.
 * const options: AacDecoderOptions = { config: new Uint8Array([0x12, 0x10]) };
 * using decoder = AacDecoder.create(options);
 * assert.equal(decoder.sampleRate, 44_100);
 * assert.equal(decoder.channels, 2);
 * ```
 */
export interface AacDecoderOptions {
  /**
   * The stream's AudioSpecificConfig (ISO/IEC 14496-3), as an MP4 track's `esds` box carries it
   * (WebCodecs' `description` of an `mp4a.40.2` track).
   */
  config: Uint8Array;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

const free: NativeFree = (lib, handle) => void lib.symbols.sl_aac_decoder_free(handle);

/**
 * An AAC-LC decoder (mono or stereo, 7.35 to 96 kHz): one raw access unit in, 1024 interleaved
 * `f32` samples per channel out, at the stream's own rate.
 *
 * @example Refuse a garbled access unit, then go on
 * ```ts
 * import assert from "node:assert/strict";
 * import { AacDecoder, CodecError } from "@streamlib/streamlib/ffi";
 *
 * using decoder = AacDecoder.create({ config: new Uint8Array([0x11, 0x88]) }); // 48 kHz mono
 * const pcm = new Float32Array(1024 * decoder.channels);
 * // A channel pair element in a mono stream: refused.
 * assert.throws(() => decoder.decode(new Uint8Array([0x20, 0x00, 0x00]), pcm), CodecError);
 * // An access unit holding one silent mono element (SCE, global gain 0, no sections) and END.
 * assert.equal(decoder.decode(new Uint8Array([0x00, 0x00, 0x00, 0x07]), pcm), 1024);
 * ```
 */
export class AacDecoder extends NativeHandle {
  /** Samples per second of the decoded audio (the stream's). */
  readonly sampleRate: number;
  /** Channels of the decoded audio: 1 or 2. */
  readonly channels: number;

  private constructor(lib: NativeLibrary, handle: number, sampleRate: number, channels: number) {
    super(lib, handle, free);
    this.sampleRate = sampleRate;
    this.channels = channels;
  }

  /**
   * Creates a decoder for the stream `options.config` describes.
   *
   * @param options The AudioSpecificConfig.
   * @returns The decoder.
   * @throws {CodecError} For a corrupt config: too short, a reserved frequency index, object type
   *   0, a rate outside 7350 to 96000 Hz.
   * @throws {UnsupportedError} For a stream the decoder does not take: HE-AAC or another profile
   *   than AAC-LC, more than two channels, 960-sample frames.
   */
  static create(options: AacDecoderOptions): AacDecoder {
    const lib = options.library ?? loadNativeLibrary();
    const out = new Uint32Array(3);
    const { config } = options;
    const r = lib.symbols.sl_aac_decoder_create(config, config.length, out);
    if (r < 0) throw statusError(lib, r, "create an AAC decoder");
    return new AacDecoder(lib, out[0], out[1], out[2]);
  }

  /**
   * Decodes one access unit (one MP4 sample). A unit that does not decode is refused and the
   * decoder starts afresh with the next one.
   *
   * @param packet The raw access unit (no ADTS header).
   * @param pcm Where the interleaved samples go: at least 1024 per channel.
   * @returns Samples per channel decoded (1024).
   * @throws {CodecError} For an empty, truncated or garbled unit.
   * @throws {BufferTooSmallError} When `pcm` holds fewer than 1024 samples per channel.
   */
  decode(packet: Uint8Array, pcm: Float32Array): number {
    const r = this.symbols.sl_aac_decoder_decode(
      this.nativeHandle,
      packet,
      packet.length,
      pcm,
      pcm.length,
    );
    return r >= 0 ? r : this.fail(r, "decode AAC");
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this decoder is closed";
  }
}
