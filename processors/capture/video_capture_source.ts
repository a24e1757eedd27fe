/**
 * The part `ScreenCapture` and `Camera` share: a native capture writing into a frame pool of
 * its own, watched by a {@linkcode CaptureWatcher} that wakes the node when frames wait, polled
 * from `process()`, its newest frame turned into a `VideoFrame` that views the slot without a
 * copy.
 *
 * @module
 */

import type { MediaClock } from "../../core/media_clock.ts";
import type { PixelFormat, VideoFrame } from "../../core/video_frame.ts";
import { DeviceError } from "../../ffi/errors.ts";
import { FRAME_HEADER_BYTES } from "../../ffi/frame_format.ts";
import { FramePool } from "../../ffi/frame_pool.ts";
import {
  type CaptureKind,
  NativeCapture,
  type NativeCaptureOptions,
  nativeNowNs,
} from "../../ffi/native_capture.ts";
import { CaptureWatcher } from "./capture_watcher.ts";

type Frame = { -readonly [K in keyof VideoFrame]: VideoFrame[K] };

/** Frames that stay valid: keep downstream connection capacities below this minus one. */
export const CAPTURE_HOLD = 8;

/** What to open, without the pool (made here). */
export type VideoCaptureOptions = Omit<NativeCaptureOptions, "pool" | "payloadOffset">;

/**
 * A native video capture plus the window of frames handed downstream: each frame keeps its slot
 * until {@linkcode CAPTURE_HOLD} newer frames have been handed out, then the slot is released.
 */
export class VideoCaptureSource {
  readonly #capture: NativeCapture;
  readonly #pool: FramePool;
  readonly #clockOffsetNs: number;
  readonly #window: number[] = [];
  readonly #frames = new Map<number, Frame>();
  #count = 0;
  #watcher: CaptureWatcher | undefined;

  private constructor(capture: NativeCapture, pool: FramePool, clock: MediaClock) {
    this.#capture = capture;
    this.#pool = pool;
    this.#clockOffsetNs = clock.nowNs() - nativeNowNs();
  }

  /**
   * Makes a pool with room for `maxFrameBytes` per slot and starts the capture.
   *
   * @param kind Screen or camera.
   * @param options Device, size, rate, format.
   * @param maxFrameBytes The largest frame the device can deliver.
   * @param clock The media clock frames are stamped on.
   * @returns The running source.
   */
  static open(
    kind: CaptureKind,
    options: Omit<VideoCaptureOptions, "kind">,
    maxFrameBytes: number,
    clock: MediaClock,
  ): VideoCaptureSource {
    const pool = FramePool.create({
      slotBytes: FRAME_HEADER_BYTES + maxFrameBytes,
      // The hold window, the ring, one being written and one in flight.
      slotCount: CAPTURE_HOLD + 6,
    });
    try {
      const capture = NativeCapture.open({ ...options, kind, pool, ringCapacity: 4 });
      return new VideoCaptureSource(capture, pool, clock);
    } catch (error) {
      pool.close();
      throw error;
    }
  }

  /** The frames' width. */
  get width(): number {
    return this.#capture.width;
  }

  /** The frames' height. */
  get height(): number {
    return this.#capture.height;
  }

  /** The frames' pixel format. */
  get pixelFormat(): PixelFormat {
    return this.#capture.pixelFormat ?? "I420";
  }

  /** Frames the device delivered, and frames dropped (pool exhausted or rolled off unread). */
  get counts(): { captured: number; dropped: number } {
    const { captured, dropped } = this.#capture.stats();
    return { captured, dropped };
  }

  /**
   * Calls `wake` whenever frames are waiting (checked every `intervalMs`), until `close()`: how
   * a `pull` node's `process()` gets run. Replaces an earlier watch.
   *
   * @param wake The node's `ctx.wake`.
   * @param intervalMs Milliseconds between checks.
   */
  watch(wake: () => void, intervalMs: number): void {
    this.#watcher?.close();
    this.#watcher = new CaptureWatcher(this.#capture, wake, intervalMs);
  }

  /**
   * The newest captured frame (older ones waiting are released), or `undefined` when none came
   * since the last call.
   *
   * @returns A frame viewing its slot; valid for {@linkcode CAPTURE_HOLD} more calls.
   * @throws {DeviceError} (or the failure's own type) when the capture stopped by itself.
   */
  next(): VideoFrame | undefined {
    const captured = this.#capture.pollLatest();
    if (!captured) {
      const { running, failureStatus } = this.#capture.stats();
      if (!running && failureStatus !== 0) {
        throw new DeviceError("capture video", this.#capture.failure() ?? "the capture stopped");
      }
      return undefined;
    }
    const index = captured.slot & 0xffff;
    let frame = this.#frames.get(index);
    const format = captured.format as PixelFormat;
    if (frame === undefined || frame.data.length !== captured.byteLength) {
      frame = {
        kind: "video",
        width: this.width,
        height: this.height,
        format,
        stride: format === "RGBA" || format === "BGRA" ? this.width * 4 : this.width,
        timestampNs: 0,
        frameNumber: 0,
        data: this.#pool.bytes(captured.slot).subarray(
          captured.offset,
          captured.offset + captured.byteLength,
        ),
        slot: captured.slot,
      };
      this.#frames.set(index, frame);
    }
    frame.slot = captured.slot;
    frame.timestampNs = Math.round(captured.nativeTimestampNs + this.#clockOffsetNs);
    frame.frameNumber = this.#count++;
    this.#window.push(captured.slot);
    if (this.#window.length > CAPTURE_HOLD) this.#pool.release(this.#window.shift()!);
    return frame;
  }

  /** Stops the capture, releases every held slot and closes the pool. Idempotent. */
  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#capture.closed) return;
    this.#capture.close();
    for (const slot of this.#window.splice(0)) this.#pool.release(slot);
    this.#pool.close();
  }
}
