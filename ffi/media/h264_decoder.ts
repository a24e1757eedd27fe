/**
 * H.264 decoding with OpenH264 in native code.
 *
 * @module
 */

import { statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * Options of {@linkcode H264Decoder.create}.
 */
export interface H264DecoderOptions {
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

const free: NativeFree = (lib, handle) => void lib.symbols.sl_h264_decoder_free(handle);

/**
 * A native H.264 decoder (OpenH264). Feed it access units in decode order (Annex B, the first one
 * a keyframe with SPS and PPS); when {@linkcode H264Decoder.decode} returns `true`, a picture is
 * ready: read its size and time from the getters and its I420 pixels with
 * {@linkcode H264Decoder.read}.
 *
 * @example Round-trip one frame through the encoder and the decoder
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Decoder, H264Encoder } from "@streamlib/streamlib/ffi";
 *
 * using encoder = H264Encoder.create({ width: 64, height: 48, backend: "openh264" });
 * using decoder = H264Decoder.create();
 * const data = new Uint8Array(64 * 48 * 3 / 2).fill(100);
 * const unit = new Uint8Array(encoder.maxAccessUnitBytes);
 * const n = encoder.encode({ format: "I420", data, timestampNs: 5 }, unit);
 * assert.ok(decoder.decode(unit.subarray(0, n), 5));
 * assert.equal(decoder.width, 64);
 * assert.equal(decoder.timestampNs, 5);
 * const picture = new Uint8Array(decoder.byteLength);
 * decoder.read(picture);
 * ```
 */
export class H264Decoder extends NativeHandle {
  readonly #info = new Float64Array(4);

  private constructor(lib: NativeLibrary, handle: number) {
    super(lib, handle, free);
  }

  /**
   * Creates a decoder.
   *
   * @param options The library to use.
   * @returns The decoder.
   * @throws {CodecError} If OpenH264 fails to start.
   */
  static create(options: H264DecoderOptions = {}): H264Decoder {
    const lib = options.library ?? loadNativeLibrary();
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_h264_decoder_create(out);
    if (r < 0) throw statusError(lib, r, "create an H.264 decoder");
    return new H264Decoder(lib, out[0]);
  }

  /** Width of the ready picture. */
  get width(): number {
    return this.#info[0];
  }

  /** Height of the ready picture. */
  get height(): number {
    return this.#info[1];
  }

  /** Presentation time in ns of the access unit the ready picture came from. */
  get timestampNs(): number {
    return this.#info[2];
  }

  /** Bytes of the ready picture in tightly packed I420. */
  get byteLength(): number {
    return this.#info[3];
  }

  /**
   * Decodes one access unit.
   *
   * @param data An Annex B access unit.
   * @param timestampNs Its presentation time, handed back with the picture it yields.
   * @returns Whether a picture is ready.
   * @throws {CodecError} For data OpenH264 cannot decode (corrupt, or no parameter sets yet).
   */
  decode(data: Uint8Array, timestampNs: number): boolean {
    const r = this.symbols.sl_h264_decoder_decode(
      this.nativeHandle,
      data,
      data.length,
      timestampNs,
      this.#info,
    );
    return r >= 0 ? r === 1 : this.fail(r, "decode H.264");
  }

  /**
   * Ends the stream; call until it returns `false` to get pictures the decoder still held.
   *
   * @returns Whether a picture is ready.
   */
  flush(): boolean {
    const r = this.symbols.sl_h264_decoder_flush(this.nativeHandle, this.#info);
    return r >= 0 ? r === 1 : this.fail(r, "flush the H.264 decoder");
  }

  /**
   * Copies the ready picture, tightly packed I420, into `out` (a frame-pool view is written by
   * native code in place).
   *
   * @param out At least {@linkcode H264Decoder.byteLength} bytes.
   * @returns Bytes written.
   * @throws {BufferTooSmallError} When `out` is too small (the picture stays readable).
   */
  read(out: Uint8Array): number {
    const r = this.symbols.sl_h264_decoder_read(this.nativeHandle, out, out.length);
    return r >= 0 ? r : this.fail(r, "read a decoded picture");
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this decoder is closed";
  }
}
