/**
 * Opus audio decoding with libopus in native code.
 *
 * @module
 */

import { InvalidArgumentError, statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import { OPUS_SAMPLE_RATES } from "./opus_encoder.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * Options of {@linkcode OpusDecoder.create}.
 *
 * @example Decode 48 kHz stereo as 16 kHz mono
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpusDecoder, type OpusDecoderOptions, OpusEncoder } from "@streamlib/streamlib/ffi";
 *
 * using encoder = OpusEncoder.create({ sampleRate: 48_000, channels: 2 });
 * const packet = new Uint8Array(4000);
 * const n = encoder.encode(new Float32Array(960 * 2), packet); // 20 ms
 * // libopus decodes any packet at any of its rates and channel counts.
 * const options: OpusDecoderOptions = { sampleRate: 16_000, channels: 1 };
 * using decoder = OpusDecoder.create(options);
 * assert.equal(decoder.decode(packet.subarray(0, n), new Float32Array(960)), 320);
 * ```
 */
export interface OpusDecoderOptions {
  /** Output samples per second: 8000, 12000, 16000, 24000 or 48000. */
  sampleRate: number;
  /** Output channels, 1 or 2. */
  channels: number;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

const free: NativeFree = (lib, handle) => void lib.symbols.sl_opus_decoder_free(handle);

/**
 * A libopus decoder: one packet in, interleaved `f32` samples out.
 *
 * @example Decode a packet of silence
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpusDecoder, OpusEncoder } from "@streamlib/streamlib/ffi";
 *
 * using encoder = OpusEncoder.create({ sampleRate: 48_000, channels: 1 });
 * using decoder = OpusDecoder.create({ sampleRate: 48_000, channels: 1 });
 * const packet = new Uint8Array(4000);
 * const n = encoder.encode(new Float32Array(960), packet);
 * assert.equal(decoder.decode(packet.subarray(0, n), new Float32Array(5760)), 960);
 * ```
 */
export class OpusDecoder extends NativeHandle {
  /** Output samples per second. */
  readonly sampleRate: number;
  /** Output channels. */
  readonly channels: number;

  private constructor(lib: NativeLibrary, handle: number, sampleRate: number, channels: number) {
    super(lib, handle, free);
    this.sampleRate = sampleRate;
    this.channels = channels;
  }

  /**
   * Creates a decoder.
   *
   * @param options Output rate and channels.
   * @returns The decoder.
   * @throws {InvalidArgumentError} For a rate or channel count libopus does not take.
   */
  static create(options: OpusDecoderOptions): OpusDecoder {
    const operation = "create an Opus decoder";
    const { sampleRate, channels } = options;
    if (!OPUS_SAMPLE_RATES.includes(sampleRate)) {
      throw new InvalidArgumentError(
        operation,
        "sampleRate",
        sampleRate,
        `one of ${OPUS_SAMPLE_RATES.join(", ")}`,
      );
    }
    if (channels !== 1 && channels !== 2) {
      throw new InvalidArgumentError(operation, "channels", channels, "1 or 2");
    }
    const lib = options.library ?? loadNativeLibrary();
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_opus_decoder_create(sampleRate, channels, out);
    if (r < 0) throw statusError(lib, r, operation);
    return new OpusDecoder(lib, out[0], sampleRate, channels);
  }

  /**
   * Decodes one packet (an empty one stands for a lost packet, which libopus conceals).
   *
   * @param packet The Opus packet.
   * @param pcm Where the interleaved samples go: room for 120 ms (5760 per channel at 48 kHz).
   * @returns Samples per channel decoded.
   * @throws {CodecError} For a corrupt packet, or `pcm` too small for it.
   */
  decode(packet: Uint8Array, pcm: Float32Array): number {
    const r = this.symbols.sl_opus_decoder_decode(
      this.nativeHandle,
      packet,
      packet.length,
      pcm,
      pcm.length,
    );
    return r >= 0 ? r : this.fail(r, "decode Opus");
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this decoder is closed";
  }
}
