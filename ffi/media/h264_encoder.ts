/**
 * H.264 encoding in native code behind one contract: OpenH264 on every OS, VideoToolbox (the
 * hardware encoder) on macOS, `auto` trying hardware first.
 *
 * @module
 */

import type { PixelFormat } from "../../core/frames/video_frame.ts";
import { InvalidArgumentError, statusError } from "../native/errors.ts";
import type { FramePool } from "../transport/frame_pool.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { UnsupportedPlatformError, UnsupportedVideoSizeError } from "./media_errors.ts";
import { pixelFormatCode } from "./pixel_format_code.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * Which implementation encodes.
 *
 * @example Choose the software encoder
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Encoder } from "@streamlib/streamlib/ffi";
 * import { type H264Backend } from "./h264_encoder.ts";
 *
 * // "auto" tries the hardware encoder first; "openh264" is software and runs on every OS.
 * const backend: H264Backend = "openh264";
 * using encoder = H264Encoder.create({ width: 64, height: 48, backend });
 * assert.equal(encoder.backend, "openh264");
 * ```
 */
export type H264Backend = "auto" | "openh264" | "videotoolbox";
/**
 * H.264 profiles an encoder can be asked for.
 *
 * @example Read the profile back from the SPS
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Encoder } from "@streamlib/streamlib/ffi";
 * import { type H264Profile } from "./h264_encoder.ts";
 *
 * const profile: H264Profile = "high";
 * using encoder = H264Encoder.create({ width: 64, height: 48, backend: "openh264", profile });
 * const frame = { format: "I420" as const, data: new Uint8Array(64 * 48 * 3 / 2), timestampNs: 0 };
 * encoder.encode(frame, new Uint8Array(encoder.maxAccessUnitBytes));
 * // 00 00 00 01, the NAL header, then profile_idc: 66 baseline, 77 main, 100 high.
 * assert.equal(encoder.parameterSets()[5], 100);
 * ```
 */
export type H264Profile = "baseline" | "main" | "high";
/**
 * H.264 levels, or `"auto"` to let the encoder choose.
 *
 * @example Read the level back from the SPS
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Encoder } from "@streamlib/streamlib/ffi";
 * import { type H264Level } from "./h264_encoder.ts";
 *
 * const level: H264Level = "3.1";
 * using encoder = H264Encoder.create({ width: 64, height: 48, backend: "openh264", level });
 * const frame = { format: "I420" as const, data: new Uint8Array(64 * 48 * 3 / 2), timestampNs: 0 };
 * encoder.encode(frame, new Uint8Array(encoder.maxAccessUnitBytes));
 * // 00 00 00 01, the NAL header, profile_idc, constraint flags, then level_idc (level x 10).
 * assert.equal(encoder.parameterSets()[7], 31);
 * ```
 */
export type H264Level =
  | "auto"
  | "1b"
  | "1"
  | "1.1"
  | "1.2"
  | "1.3"
  | "2"
  | "2.1"
  | "2.2"
  | "3"
  | "3.1"
  | "3.2"
  | "4"
  | "4.1"
  | "4.2"
  | "5"
  | "5.1"
  | "5.2";

/**
 * The backends, in ABI code order.
 */
export const H264_BACKENDS: readonly H264Backend[] = ["auto", "openh264", "videotoolbox"];
/**
 * The profiles, in ABI code order.
 */
export const H264_PROFILES: readonly H264Profile[] = ["baseline", "main", "high"];

/**
 * The lowest bit rate, in bits per second, an H.264 encoder takes (the native library's limit too).
 * The `H264Encoder` processor's `bitrate` config has the same bounds.
 */
export const H264_BITRATE_MIN = 1_000;
/**
 * The highest bit rate, in bits per second, an H.264 encoder takes (the native library's limit
 * too). The `H264Encoder` processor's `bitrate` config has the same bounds.
 *
 * @example Refuse a bit rate above the limit
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264_BITRATE_MAX } from "./h264_encoder.ts";
 *
 * assert.ok(1e9 > H264_BITRATE_MAX);
 * ```
 */
export const H264_BITRATE_MAX = 800_000_000;

/**
 * The most encoding threads an H.264 encoder takes (OpenH264's limit).
 *
 * @example Offer the thread counts
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264_THREADS_MAX } from "./h264_encoder.ts";
 *
 * assert.deepEqual(Array.from({ length: H264_THREADS_MAX + 1 }, (_, n) => n), [ 0, 1, 2, 3, 4 ]);
 * ```
 */
export const H264_THREADS_MAX = 4;

/**
 * Options of {@linkcode H264Encoder.create}.
 */
export interface H264EncoderOptions {
  /** Frame width in pixels, even. */
  width: number;
  /** Frame height in pixels, even. */
  height: number;
  /**
   * Target bit rate in bits per second, {@linkcode H264_BITRATE_MIN}..{@linkcode H264_BITRATE_MAX}
   * (default 2,000,000).
   */
  bitrate?: number;
  /** Frames per second (default 30). */
  fps?: number;
  /** A keyframe every this many frames; 0 for only the first (default 60). */
  keyframeInterval?: number;
  /** Profile (default `"baseline"`, which every decoder plays). */
  profile?: H264Profile;
  /** Level (default `"auto"`). */
  level?: H264Level;
  /** Real-time mode: no look-ahead, one access unit per frame right away (default `true`). */
  lowLatency?: boolean;
  /**
   * Encoding threads, 0..{@linkcode H264_THREADS_MAX} (default 1). OpenH264 threads by slice: 2
   * or more cut each picture into that many slices, encoded in parallel (a slightly larger output
   * at the same bit rate, no added delay); 0 is one per core. VideoToolbox ignores it.
   */
  threads?: number;
  /** Implementation (default `"auto"`: hardware first). */
  backend?: H264Backend;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

/**
 * A frame to encode: tightly packed pixels of the encoder's size.
 */
export interface EncoderInput {
  /** Pixel layout of `data`. */
  readonly format: PixelFormat;
  /** The pixels (a frame-pool view is passed to native code without a copy). */
  readonly data: Uint8Array;
  /** Presentation time in ns, carried to the access unit. */
  readonly timestampNs: number;
}

const LEVEL_IDC: Record<H264Level, number> = {
  auto: 0,
  "1b": 9,
  "1": 10,
  "1.1": 11,
  "1.2": 12,
  "1.3": 13,
  "2": 20,
  "2.1": 21,
  "2.2": 22,
  "3": 30,
  "3.1": 31,
  "3.2": 32,
  "4": 40,
  "4.1": 41,
  "4.2": 42,
  "5": 50,
  "5.1": 51,
  "5.2": 52,
};

const free: NativeFree = (lib, handle) => void lib.symbols.sl_h264_encoder_free(handle);

const poolHandles = new WeakMap<FramePool, number>();

/** Sizes OpenH264 takes; `auto` may fall back to it, so it is held to them too. */
const OPENH264_SIZES = "even sizes from 16x16 to 3840x2160 (or 2160x3840)";

function checkOptions(options: H264EncoderOptions): Uint32Array {
  const operation = "create an H.264 encoder";
  const {
    width,
    height,
    bitrate = 2_000_000,
    fps = 30,
    keyframeInterval = 60,
    profile = "baseline",
    level = "auto",
    lowLatency = true,
    backend = "auto",
    threads = 1,
  } = options;
  const backendCode = H264_BACKENDS.indexOf(backend);
  if (backendCode < 0) {
    throw new InvalidArgumentError(operation, "backend", backend, H264_BACKENDS.join(", "));
  }
  if (backend === "videotoolbox" && Deno.build.os !== "darwin") {
    throw new UnsupportedPlatformError("the videotoolbox H.264 encoder", Deno.build.os, [
      "darwin",
    ]);
  }
  const even = Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 &&
    width % 2 === 0 && height % 2 === 0;
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  if (!even || (backend !== "videotoolbox" && (short < 16 || long > 3840 || short > 2160))) {
    throw new UnsupportedVideoSizeError(
      operation,
      width,
      height,
      backend === "videotoolbox" ? "an even width and height" : OPENH264_SIZES,
    );
  }
  if (!Number.isInteger(bitrate) || bitrate < H264_BITRATE_MIN || bitrate > H264_BITRATE_MAX) {
    throw new InvalidArgumentError(
      operation,
      "bitrate",
      bitrate,
      `an integer ${H264_BITRATE_MIN}..${H264_BITRATE_MAX}`,
    );
  }
  if (!(fps > 0 && fps <= 480)) {
    throw new InvalidArgumentError(operation, "fps", fps, "a number above 0, at most 480");
  }
  if (!Number.isInteger(keyframeInterval) || keyframeInterval < 0) {
    throw new InvalidArgumentError(
      operation,
      "keyframeInterval",
      keyframeInterval,
      "a non-negative integer",
    );
  }
  const profileCode = H264_PROFILES.indexOf(profile);
  if (profileCode < 0) {
    throw new InvalidArgumentError(operation, "profile", profile, H264_PROFILES.join(", "));
  }
  const levelIdc = LEVEL_IDC[level];
  if (levelIdc === undefined) {
    throw new InvalidArgumentError(operation, "level", level, Object.keys(LEVEL_IDC).join(", "));
  }
  if (!Number.isInteger(threads) || threads < 0 || threads > H264_THREADS_MAX) {
    throw new InvalidArgumentError(
      operation,
      "threads",
      threads,
      `an integer 0..${H264_THREADS_MAX} (0: one per core)`,
    );
  }
  return new Uint32Array([
    backendCode,
    width,
    height,
    bitrate,
    Math.round(fps * 1000),
    keyframeInterval,
    profileCode,
    levelIdc,
    lowLatency ? 1 : 0,
    threads,
  ]);
}

/**
 * A native H.264 encoder. Frames go in as pixels (or a frame-pool slot), access units come out
 * in Annex B form into a buffer you provide; keyframes start with SPS and PPS, which
 * {@linkcode H264Encoder.parameterSets} also returns.
 *
 * @example Encode one grey frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Encoder } from "@streamlib/streamlib/ffi";
 *
 * using encoder = H264Encoder.create({ width: 64, height: 48, backend: "openh264" });
 * const frame = { format: "I420" as const, data: new Uint8Array(64 * 48 * 3 / 2).fill(128), timestampNs: 0 };
 * const out = new Uint8Array(encoder.maxAccessUnitBytes);
 * const n = encoder.encode(frame, out);
 * assert.ok(n > 0);
 * assert.ok(encoder.keyframe);
 * assert.equal(encoder.backend, "openh264");
 * ```
 */
export class H264Encoder extends NativeHandle {
  /** The backend encoding (`auto` resolved). */
  readonly backend: "openh264" | "videotoolbox";
  /** Frame width. */
  readonly width: number;
  /** Frame height. */
  readonly height: number;
  /** A buffer size that holds any access unit in practice (twice a raw I420 frame + 64 KiB). */
  readonly maxAccessUnitBytes: number;
  readonly #info = new Float64Array(3);

  private constructor(lib: NativeLibrary, handle: number, backend: number, w: number, h: number) {
    super(lib, handle, free);
    this.backend = backend === 2 ? "videotoolbox" : "openh264";
    this.width = w;
    this.height = h;
    this.maxAccessUnitBytes = w * h * 3 + 65_536;
  }

  /**
   * Creates an encoder.
   *
   * @param options Size, rate control, profile, latency and backend.
   * @returns The encoder.
   * @throws {UnsupportedVideoSizeError} For an odd size, or one OpenH264 cannot encode.
   * @throws {UnsupportedPlatformError} For `videotoolbox` off macOS.
   * @throws {InvalidArgumentError} For a bit rate, rate, interval, profile or level out of range.
   * @throws {UnsupportedError} When VideoToolbox refuses the session.
   */
  static create(options: H264EncoderOptions): H264Encoder {
    const settings = checkOptions(options);
    const lib = options.library ?? loadNativeLibrary();
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_h264_encoder_create(settings, settings.length, out);
    if (r < 0) throw statusError(lib, r, "create an H.264 encoder");
    return new H264Encoder(lib, out[0], r, options.width, options.height);
  }

  /** Whether the last access unit is a keyframe (an IDR picture, SPS and PPS in front). */
  get keyframe(): boolean {
    return this.#info[1] === 1;
  }

  /** Presentation time in ns of the last access unit. */
  get timestampNs(): number {
    return this.#info[2];
  }

  /**
   * Encodes one frame into `out`.
   *
   * @param frame Tightly packed pixels of the encoder's size, in RGBA, BGRA, I420 or NV12.
   * @param out Where the access unit goes ({@linkcode H264Encoder.maxAccessUnitBytes} is enough).
   * @param forceKeyframe Make this frame an IDR picture.
   * @returns The access unit's length in bytes; 0 when the encoder produced none.
   * @throws {BufferTooSmallError} When `out` is too small: `needed` says the size, and
   *   {@linkcode H264Encoder.readPending} returns the access unit.
   * @throws {UnsupportedPixelFormatError} For an unknown pixel format.
   */
  encode(frame: EncoderInput, out: Uint8Array, forceKeyframe = false): number {
    const format = pixelFormatCode(frame.format, "encode H.264");
    const r = this.symbols.sl_h264_encoder_encode(
      this.nativeHandle,
      frame.data,
      frame.data.length,
      format,
      frame.timestampNs,
      forceKeyframe ? 1 : 0,
      out,
      out.length,
      this.#info,
    );
    return r >= 0 ? r : this.fail(r, "encode H.264");
  }

  /**
   * Encodes the frame stored in a frame-pool slot, read in place by native code.
   *
   * @param pool The pool holding the frame.
   * @param slot A live slot handle.
   * @param offset Where the frame starts in the slot (64 for frames made by this library).
   * @param format The frame's pixel layout.
   * @param timestampNs Presentation time in ns.
   * @param out Where the access unit goes.
   * @param forceKeyframe Make this frame an IDR picture.
   * @returns The access unit's length; 0 when none.
   */
  encodeSlot(
    pool: FramePool,
    slot: number,
    offset: number,
    format: PixelFormat,
    timestampNs: number,
    out: Uint8Array,
    forceKeyframe = false,
  ): number {
    let poolHandle = poolHandles.get(pool);
    if (poolHandle === undefined) {
      poolHandle = pool.share().handle;
      poolHandles.set(pool, poolHandle);
    }
    const r = this.symbols.sl_h264_encoder_encode_slot(
      this.nativeHandle,
      poolHandle,
      slot,
      offset,
      pixelFormatCode(format, "encode H.264 from a pool slot"),
      timestampNs,
      forceKeyframe ? 1 : 0,
      out,
      out.length,
      this.#info,
    );
    return r >= 0 ? r : this.fail(r, "encode H.264 from a pool slot");
  }

  /**
   * Copies the access unit an encode left pending (after {@linkcode BufferTooSmallError}).
   *
   * @param out A buffer of at least the `needed` bytes the error named.
   * @returns Its length; 0 when none is pending.
   */
  readPending(out: Uint8Array): number {
    const r = this.symbols.sl_h264_encoder_read_output(
      this.nativeHandle,
      out,
      out.length,
      this.#info,
    );
    return r >= 0 ? r : this.fail(r, "read a pending access unit");
  }

  /**
   * The stream's SPS and PPS NAL units (Annex B), for muxers.
   *
   * @returns A copy; empty before the first keyframe.
   */
  parameterSets(): Uint8Array {
    const buffer = new Uint8Array(256);
    let n = this.symbols.sl_h264_encoder_parameter_sets(this.nativeHandle, buffer, buffer.length);
    if (n < 0) this.fail(n, "read the parameter sets");
    if (n > buffer.length) {
      const bigger = new Uint8Array(n);
      n = this.symbols.sl_h264_encoder_parameter_sets(this.nativeHandle, bigger, bigger.length);
      return bigger.subarray(0, n);
    }
    return buffer.slice(0, n);
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this encoder is closed";
  }
}
