/**
 * Opus audio encoding with libopus in native code.
 *
 * @module
 */

import { InvalidArgumentError, statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * The sample rates libopus takes.
 */
export const OPUS_SAMPLE_RATES: readonly number[] = [8_000, 12_000, 16_000, 24_000, 48_000];
/**
 * How libopus tunes itself, in ABI code order.
 */
export const OPUS_APPLICATIONS = ["audio", "voip", "lowdelay"] as const;
/**
 * How libopus tunes itself.
 *
 * @example Tune an encoder for speech
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpusEncoder } from "@streamlib/streamlib/ffi";
 * import { type OpusApplication } from "./opus_encoder.ts";
 *
 * // "voip" for speech, "audio" for music, "lowdelay" for the least latency.
 * const application: OpusApplication = "voip";
 * using encoder = OpusEncoder.create({ sampleRate: 16_000, channels: 1, application });
 * assert.ok(encoder.encode(new Float32Array(320), new Uint8Array(4000)) > 0);
 * ```
 */
export type OpusApplication = typeof OPUS_APPLICATIONS[number];
/**
 * The largest Opus packet this library produces room for.
 *
 * @example Size the packet buffer
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpusEncoder } from "@streamlib/streamlib/ffi";
 * import { OPUS_MAX_PACKET_BYTES } from "./opus_encoder.ts";
 *
 * using encoder = OpusEncoder.create({ sampleRate: 48_000, channels: 2, bitrate: 510_000 });
 * const packet = new Uint8Array(OPUS_MAX_PACKET_BYTES); // room for any packet
 * const n = encoder.encode(new Float32Array(2880 * 2), packet); // 60 ms at the top bit rate
 * assert.ok(n > 0 && n <= OPUS_MAX_PACKET_BYTES);
 * ```
 */
export const OPUS_MAX_PACKET_BYTES = 4_000;

/**
 * Options of {@linkcode OpusEncoder.create}.
 */
export interface OpusEncoderOptions {
  /** Samples per second: 8000, 12000, 16000, 24000 or 48000. */
  sampleRate: number;
  /** 1 or 2. */
  channels: number;
  /** Bits per second, 6000..510000; 0 lets libopus choose (default 0). */
  bitrate?: number;
  /** Tuning (default `"audio"`). */
  application?: OpusApplication;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

const free: NativeFree = (lib, handle) => void lib.symbols.sl_opus_encoder_free(handle);

/**
 * A libopus encoder: one frame of interleaved `f32` samples (2.5, 5, 10, 20, 40 or 60 ms) in, one
 * packet out.
 *
 * @example Encode 20 ms of silence
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpusEncoder } from "@streamlib/streamlib/ffi";
 *
 * using encoder = OpusEncoder.create({ sampleRate: 48_000, channels: 2 });
 * const packet = new Uint8Array(4000);
 * assert.ok(encoder.encode(new Float32Array(960 * 2), packet) > 0);
 * assert.ok(encoder.preSkip > 0);
 * ```
 */
export class OpusEncoder extends NativeHandle {
  /** Samples per second. */
  readonly sampleRate: number;
  /** Channels. */
  readonly channels: number;
  /** Samples per channel the decoder must drop at the start (the encoder's lookahead). */
  readonly preSkip: number;

  private constructor(
    lib: NativeLibrary,
    handle: number,
    options: OpusEncoderOptions,
    pre: number,
  ) {
    super(lib, handle, free);
    this.sampleRate = options.sampleRate;
    this.channels = options.channels;
    this.preSkip = pre;
  }

  /**
   * Creates an encoder.
   *
   * @param options Rate, channels, bit rate and tuning.
   * @returns The encoder.
   * @throws {InvalidArgumentError} For a rate, channel count, bit rate or tuning libopus does not
   *   take.
   */
  static create(options: OpusEncoderOptions): OpusEncoder {
    const operation = "create an Opus encoder";
    const { sampleRate, channels, bitrate = 0, application = "audio" } = options;
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
    if (!Number.isInteger(bitrate) || (bitrate !== 0 && (bitrate < 6_000 || bitrate > 510_000))) {
      throw new InvalidArgumentError(operation, "bitrate", bitrate, "0, or 6000..510000");
    }
    const applicationCode = OPUS_APPLICATIONS.indexOf(application);
    if (applicationCode < 0) {
      throw new InvalidArgumentError(
        operation,
        "application",
        application,
        OPUS_APPLICATIONS.join(", "),
      );
    }
    const lib = options.library ?? loadNativeLibrary();
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_opus_encoder_create(
      sampleRate,
      channels,
      bitrate,
      applicationCode,
      out,
    );
    if (r < 0) throw statusError(lib, r, operation);
    return new OpusEncoder(lib, out[0], options, r);
  }

  /**
   * Encodes one frame.
   *
   * @param pcm Interleaved samples: exactly 2.5, 5, 10, 20, 40 or 60 ms (960 per channel is
   *   20 ms at 48 kHz).
   * @param out Where the packet goes ({@linkcode OPUS_MAX_PACKET_BYTES} is enough).
   * @returns The packet's length in bytes.
   * @throws {NativeError} For a frame of another length.
   */
  encode(pcm: Float32Array, out: Uint8Array): number {
    const r = this.symbols.sl_opus_encoder_encode(
      this.nativeHandle,
      pcm,
      pcm.length,
      out,
      out.length,
    );
    return r >= 0 ? r : this.fail(r, "encode Opus");
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this encoder is closed";
  }
}
