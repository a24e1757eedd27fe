/**
 * Native capture (X11 screens and V4L2 cameras on Linux, AVFoundation cameras and microphones on
 * macOS): a native thread writes frames into a frame pool and announces them on a ring; JS polls
 * (`waiting` is the cheap check a poller makes before waking `process()`). Nothing calls into JS
 * per frame.
 *
 * @module
 */

import { FrameMessageBatch } from "../../core/frames/message.ts";
import type { PixelFormat } from "../../core/frames/video_frame.ts";
import { InvalidArgumentError, statusError } from "../native/errors.ts";
import { FRAME_HEADER_BYTES } from "../transport/frame_format.ts";
import type { FramePool } from "../transport/frame_pool.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { createNativeRing, type NativeRingConsumer } from "../transport/native_ring.ts";
import { pixelFormatCode, pixelFormatOfCode } from "./pixel_format_code.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * What a capture reads.
 */
export type CaptureKind = "camera" | "microphone" | "screen";
/**
 * The kinds, in ABI code order.
 */
export const CAPTURE_KINDS: readonly CaptureKind[] = ["camera", "microphone", "screen"];
/**
 * `format` of a captured message holding interleaved `f32` audio.
 */
export const AUDIO_F32_FORMAT = 16;

/**
 * Options of {@linkcode NativeCapture.open}.
 *
 * @example Size the pool for the frames asked for
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, type NativeCaptureOptions, videoSlotBytes } from "@streamlib/streamlib/ffi";
 * import { FRAME_HEADER_BYTES } from "../transport/frame_format.ts";
 *
 * using pool = FramePool.create({ slotBytes: videoSlotBytes("I420", 1280, 720), slotCount: 8 });
 * const options: NativeCaptureOptions = {
 *   kind: "camera",
 *   device: "/dev/video0",
 *   width: 1280,
 *   height: 720,
 *   fps: 30,
 *   pixelFormat: "I420",
 *   pool,
 *   ringCapacity: 4,
 * };
 * // NativeCapture.open(options) starts it (with a camera); each frame must fit a slot after the
 * // header, or open() throws BufferTooSmallError:
 * assert.ok(options.pool.slotBytes - FRAME_HEADER_BYTES >= 1280 * 720 * 3 / 2);
 * ```
 */
export interface NativeCaptureOptions {
  /** What to capture. */
  kind: CaptureKind;
  /**
   * Which device: a V4L2 path or index (`"/dev/video0"`, `"0"`), an AVFoundation unique ID, or an
   * X11 display (`":99"`). Empty or absent: the default camera/microphone, or `$DISPLAY`.
   */
  device?: string;
  /** Frame width (video); 0 or absent for the device's (screens: the whole screen). */
  width?: number;
  /** Frame height (video); 0 or absent for the device's. */
  height?: number;
  /** Frames per second (video); 0 or absent for the device's (screens: 30). */
  fps?: number;
  /** Pixel format written to the pool (default I420; screens also take RGBA and BGRA). */
  pixelFormat?: PixelFormat;
  /** Left edge of the screen region. */
  x?: number;
  /** Top edge of the screen region. */
  y?: number;
  /** Audio samples per second (default 48000). */
  sampleRate?: number;
  /** Audio channels (default 2). */
  channels?: number;
  /** The pool the frames are written into; its slots must hold a frame after the offset. */
  pool: FramePool;
  /** Where each frame starts in its slot (default 64, after the frame header). */
  payloadOffset?: number;
  /** Frames the ring holds; older ones roll off to the capture, which frees them (default 4). */
  ringCapacity?: number;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

/**
 * The counters of a capture.
 *
 * @example Summarize a capture's health
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NativeCaptureStats } from "./native_capture.ts";
 *
 * function health(stats: NativeCaptureStats): string {
 *   if (!stats.running) return `stopped (status ${stats.failureStatus})`;
 *   const percent = (100 * stats.dropped) / Math.max(1, stats.captured + stats.dropped);
 *   return `${stats.width}x${stats.height}, ${percent.toFixed(1)}% dropped`;
 * }
 *
 * const stats = { captured: 297, dropped: 3, width: 1280, height: 720, running: true, failureStatus: 0 };
 * assert.equal(health(stats), "1280x720, 1.0% dropped");
 * ```
 */
export interface NativeCaptureStats {
  /** Frames published. */
  captured: number;
  /** Frames dropped: pool exhausted, or rolled off the ring unread. */
  dropped: number;
  /** Frame width (video). */
  width: number;
  /** Frame height (video). */
  height: number;
  /** Whether the capture is still running. */
  running: boolean;
  /** The native status of the failure that stopped it, 0 if none. */
  failureStatus: number;
}

/**
 * One polled frame, reused by every poll (copy what you keep). Its slot reference is yours:
 * release it with `pool.release(slot)` when done.
 */
export interface CapturedFrame {
  /** The frame-pool slot holding it. */
  slot: number;
  /** Where the payload starts in the slot. */
  offset: number;
  /** Payload bytes. */
  byteLength: number;
  /** Pixel format, or `"f32"` for audio. */
  format: PixelFormat | "f32";
  /** Capture time on the native monotonic clock ({@linkcode nativeNowNs}), in ns. */
  nativeTimestampNs: number;
  /** Position in the capture's stream, from 0. */
  sequence: number;
}

const stop: NativeFree = (lib, handle) => void lib.symbols.sl_capture_stop(handle);

/**
 * Nanoseconds on the native monotonic clock, the clock of {@linkcode CapturedFrame}
 * timestamps. Subtract it from your media clock once to map one onto the other.
 *
 * @param library The library to use.
 * @returns The time in ns.
 *
 * @example Map native capture times to the media clock
 * ```ts
 * import assert from "node:assert/strict";
 * import { monotonicClock } from "@streamlib/streamlib";
 * import { nativeNowNs } from "./native_capture.ts";
 *
 * const offset = monotonicClock.nowNs() - nativeNowNs();
 * assert.ok(offset > 0);
 * ```
 */
export function nativeNowNs(library: NativeLibrary = loadNativeLibrary()): number {
  return library.symbols.sl_monotonic_now_ns();
}

function nonNegativeInteger(operation: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new InvalidArgumentError(operation, name, value, "a non-negative integer");
  }
  return value;
}

/**
 * A running native capture. Poll it from `process()`; each frame's slot is then yours to release.
 *
 * @example Capture an Xvfb screen (needs an X server on $DISPLAY)
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeviceNotFoundError, FramePool, NativeCapture, videoSlotBytes } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: videoSlotBytes("BGRA", 640, 480), slotCount: 8 });
 * const open = () => NativeCapture.open({ kind: "screen", pixelFormat: "BGRA", pool });
 * if (Deno.env.get("DISPLAY")) {
 *   using capture = open(); // e.g. `Xvfb :99 -screen 0 640x480x24` and DISPLAY=:99
 *   await new Promise((r) => setTimeout(r, 100));
 *   const frame = capture.pollLatest();
 *   if (frame) pool.release(frame.slot);
 *   assert.equal(capture.kind, "screen");
 *   assert.ok(capture.width > 0 && capture.height > 0);
 * } else {
 *   assert.throws(open, DeviceNotFoundError); // no X server to capture
 * }
 * ```
 */
export class NativeCapture extends NativeHandle {
  /** What it captures. */
  readonly kind: CaptureKind;
  /** The pool its frames are in. */
  readonly pool: FramePool;
  /** Frame width (video), as the device delivers it. */
  readonly width: number;
  /** Frame height (video). */
  readonly height: number;
  /** Pixel format of video frames. */
  readonly pixelFormat: PixelFormat | undefined;
  /** Audio samples per second. */
  readonly sampleRate: number;
  /** Audio channels. */
  readonly channels: number;
  readonly #consumer: NativeRingConsumer;
  readonly #offset: number;
  readonly #batch: FrameMessageBatch;
  readonly #stats = new Float64Array(9);
  readonly #frame: CapturedFrame;

  private constructor(
    lib: NativeLibrary,
    handle: number,
    options: NativeCaptureOptions,
    consumer: NativeRingConsumer,
    offset: number,
    capacity: number,
  ) {
    super(lib, handle, stop);
    this.#consumer = consumer;
    this.#offset = offset;
    this.#batch = new FrameMessageBatch(capacity);
    this.kind = options.kind;
    this.pool = options.pool;
    const s = this.#readStats();
    this.width = s[2];
    this.height = s[3];
    this.pixelFormat = s[4] < 4 && options.kind !== "microphone"
      ? pixelFormatOfCode(s[4])
      : undefined;
    this.sampleRate = s[7];
    this.channels = s[8];
    this.#frame = {
      slot: 0,
      offset,
      byteLength: 0,
      format: this.pixelFormat ?? "f32",
      nativeTimestampNs: 0,
      sequence: 0,
    };
  }

  /**
   * Opens a device and starts capturing on a native thread.
   *
   * @param options Device, size, rate, format and the pool to write into.
   * @returns The running capture.
   * @throws {DeviceNotFoundError} For a device (or X display) that does not exist.
   * @throws {PermissionDeniedError} When the OS or the user refuses access.
   * @throws {UnsupportedError} For a kind of capture this OS does not have, or a device whose
   *   formats cannot be converted.
   * @throws {UnsupportedPixelFormatError} For a pixel format the capture cannot write.
   * @throws {BufferTooSmallError} When a frame does not fit a pool slot after the offset.
   */
  static open(options: NativeCaptureOptions): NativeCapture {
    const operation = `open ${options.kind} capture`;
    const kind = CAPTURE_KINDS.indexOf(options.kind);
    if (kind < 0) {
      throw new InvalidArgumentError(operation, "kind", options.kind, CAPTURE_KINDS.join(", "));
    }
    const format = pixelFormatCode(
      options.pixelFormat ?? "I420",
      operation,
      options.kind === "screen" ? ["RGBA", "BGRA", "I420"] : ["RGBA", "BGRA", "I420", "NV12"],
    );
    const offset = nonNegativeInteger(
      operation,
      "payloadOffset",
      options.payloadOffset ?? FRAME_HEADER_BYTES,
    );
    const capacity = options.ringCapacity ?? 4;
    const settings = new Uint32Array([
      nonNegativeInteger(operation, "width", options.width ?? 0),
      nonNegativeInteger(operation, "height", options.height ?? 0),
      Math.round((options.fps ?? 0) * 1000),
      format,
      nonNegativeInteger(operation, "x", options.x ?? 0),
      nonNegativeInteger(operation, "y", options.y ?? 0),
      nonNegativeInteger(operation, "sampleRate", options.sampleRate ?? 0),
      nonNegativeInteger(operation, "channels", options.channels ?? 0),
      offset,
    ]);
    const lib = options.library ?? loadNativeLibrary();
    const device = new TextEncoder().encode(options.device ?? "");
    const [producer, consumer] = createNativeRing({ capacity, policy: "latest", library: lib });
    const poolHandle = options.pool.share().handle;
    const out = new Uint32Array(1);
    // The capture takes the producer over, whatever the outcome.
    const producerHandle = producer.transfer().handle;
    const r = lib.symbols.sl_capture_open(
      kind,
      device,
      device.length,
      settings,
      settings.length,
      poolHandle,
      producerHandle,
      out,
    );
    if (r < 0) {
      const error = statusError(lib, r, operation);
      consumer.close();
      throw error;
    }
    return new NativeCapture(lib, out[0], options, consumer, offset, capacity);
  }

  /**
   * Frames waiting to be polled: one native call (the ring's `sl_ring_slots`) that takes
   * nothing, so a poller can check it often and wake `process()` only when there is work.
   * 0 once closed.
   */
  get waiting(): number {
    return this.closed ? 0 : this.#consumer.slots();
  }

  /**
   * Takes the oldest captured frame (use it for audio, where every block counts).
   *
   * @returns The frame (its slot is now yours to release), or `undefined` when none is waiting.
   */
  poll(): CapturedFrame | undefined {
    if (!this.#consumer.pop(this.#batch)) return undefined;
    return this.#fill(0);
  }

  /**
   * Takes the newest captured frame and releases the older ones (use it for video).
   *
   * @returns The frame (its slot is now yours to release), or `undefined` when none is waiting.
   */
  pollLatest(): CapturedFrame | undefined {
    const n = this.#consumer.popBatch(this.#batch, this.#batch.capacity);
    if (n === 0) return undefined;
    for (let i = 0; i < n - 1; i++) this.pool.release(this.#batch.slot(i));
    return this.#fill(n - 1);
  }

  /**
   * The capture's counters.
   *
   * @returns A fresh snapshot.
   */
  stats(): NativeCaptureStats {
    const s = this.#readStats();
    return {
      captured: s[0],
      dropped: s[1],
      width: s[2],
      height: s[3],
      running: s[5] === 1,
      failureStatus: s[6],
    };
  }

  /**
   * Why the capture stopped by itself (the display closed, the camera was unplugged).
   *
   * @returns The native message, or `undefined` while it has not failed.
   */
  failure(): string | undefined {
    const buffer = new Uint8Array(512);
    const n = this.symbols.sl_capture_failure(this.nativeHandle, buffer, buffer.length);
    if (n < 0) this.fail(n, "read the capture failure");
    return n === 0 ? undefined : new TextDecoder().decode(buffer.subarray(0, Math.min(n, 512)));
  }

  /**
   * Stops the capture thread, then frees the frames still waiting and the ring (what `close()`
   * does, once).
   *
   * @param handle The capture's handle, detached by `close()`.
   */
  protected override free(handle: number): void {
    super.free(handle);
    let n;
    while ((n = this.#consumer.popBatch(this.#batch, this.#batch.capacity)) > 0) {
      for (let i = 0; i < n; i++) this.pool.release(this.#batch.slot(i));
    }
    this.#consumer.close();
  }

  #fill(i: number): CapturedFrame {
    const frame = this.#frame;
    const batch = this.#batch;
    frame.slot = batch.slot(i);
    frame.byteLength = batch.byteLength(i);
    const format = batch.format(i);
    frame.format = format === AUDIO_F32_FORMAT ? "f32" : pixelFormatOfCode(format);
    frame.nativeTimestampNs = batch.timestampNs(i);
    frame.sequence = batch.sequence(i);
    frame.offset = this.#offset;
    return frame;
  }

  #readStats(): Float64Array {
    const r = this.symbols.sl_capture_stats(this.nativeHandle, this.#stats);
    if (r < 0) this.fail(r, "read capture stats");
    return this.#stats;
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this capture is closed";
  }
}
