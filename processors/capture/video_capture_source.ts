/**
 * The part `ScreenCapture` and `Camera` share: a native capture writing into a frame pool of
 * its own, watched by a {@linkcode CaptureWatcher} that wakes the node when frames wait, polled
 * from `process()`, its newest frame written out as an owned frame whose payload is the capture's
 * slot (no copy): the slot goes back to the capture when the last reader releases the frame.
 *
 * @module
 */

import type { FrameMemory } from "../../core/frames/memory.ts";
import type { MediaClock } from "../../core/time/media_clock.ts";
import type { OutputPort } from "../../core/ports/output_port.ts";
import { OwnedVideoFrame } from "../../core/frames/owned_frame.ts";
import type { PixelFormat, VideoFrame } from "../../core/frames/video_frame.ts";
import { DeviceError } from "../../ffi/native/errors.ts";
import { FRAME_HEADER_BYTES } from "../../ffi/transport/frame_format.ts";
import { FramePool } from "../../ffi/transport/frame_pool.ts";
import {
  type CapturedFrame,
  type CaptureKind,
  NativeCapture,
  type NativeCaptureOptions,
  nativeNowNs,
} from "../../ffi/media/native_capture.ts";
import { CaptureWatcher } from "./capture_watcher.ts";

/**
 * Slots of a capture's pool: the capture ring, one being written, one being polled, and frames
 * that readers downstream still hold. When every slot is held the capture thread drops new
 * frames (counted in `counts.dropped`): back-pressure, never a slot reused under a reader.
 */
const CAPTURE_SLOTS = 16;

/** What to open, without the pool (made here). */
export type VideoCaptureOptions = Omit<NativeCaptureOptions, "pool" | "payloadOffset">;

/** A captured slot's payload as frame memory: freeing it gives the slot back to the capture. */
class CaptureSlotMemory implements FrameMemory {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly floats: Float32Array<ArrayBuffer>;
  readonly byteLength: number;
  /** Where the payload starts in the slot. */
  readonly offset: number;
  slot: number;
  readonly #owner: CaptureSlots;

  constructor(owner: CaptureSlots, captured: CapturedFrame) {
    this.#owner = owner;
    this.slot = captured.slot;
    this.byteLength = captured.byteLength;
    this.offset = captured.offset;
    const pool = owner.pool;
    this.bytes = pool.bytes(captured.slot).subarray(
      captured.offset,
      captured.offset + captured.byteLength,
    );
    this.floats = pool.floats(captured.slot).subarray(
      captured.offset >>> 2,
      (captured.offset + captured.byteLength) >>> 2,
    );
  }

  isUnique(): boolean {
    return this.#owner.pool.refCount(this.slot) === 1;
  }

  free(): void {
    this.#owner.release(this.slot);
  }
}

/**
 * The capture pool's slots held by frames: the pool closes when the capture is closed and the
 * last frame still alive downstream is released, never under a reader.
 */
class CaptureSlots {
  readonly pool: FramePool;
  readonly #memory: (CaptureSlotMemory | undefined)[];
  #held = 0;
  #closing = false;

  constructor(pool: FramePool) {
    this.pool = pool;
    this.#memory = new Array(pool.slotCount).fill(undefined);
  }

  /** Memory for a slot the capture handed over (its views are reused while the slot's shape is). */
  adopt(captured: CapturedFrame): CaptureSlotMemory {
    const index = captured.slot & 0xffff;
    let memory = this.#memory[index];
    if (
      memory === undefined || memory.byteLength !== captured.byteLength ||
      memory.offset !== captured.offset
    ) {
      memory = this.#memory[index] = new CaptureSlotMemory(this, captured);
    }
    memory.slot = captured.slot;
    this.#held++;
    return memory;
  }

  release(slot: number): void {
    this.#held--;
    this.pool.release(slot);
    if (this.#closing && this.#held === 0) this.pool.close();
  }

  /** Closes the pool now, or when the last frame holding a slot is released. */
  close(): void {
    this.#closing = true;
    if (this.#held === 0) this.pool.close();
  }
}

/**
 * A native video capture whose frames go downstream by reference: each is an owned frame over
 * the capture's slot, alive while any reader holds it.
 */
export class VideoCaptureSource {
  readonly #capture: NativeCapture;
  readonly #slots: CaptureSlots;
  readonly #clockOffsetNs: number;
  readonly #node: string;
  #count = 0;
  #watcher: CaptureWatcher | undefined;

  private constructor(capture: NativeCapture, pool: FramePool, clock: MediaClock, node: string) {
    this.#capture = capture;
    this.#slots = new CaptureSlots(pool);
    this.#clockOffsetNs = clock.nowNs() - nativeNowNs();
    this.#node = node;
  }

  /**
   * Makes a pool with room for `maxFrameBytes` per slot and starts the capture.
   *
   * @param kind Screen or camera.
   * @param options Device, size, rate, format.
   * @param maxFrameBytes The largest frame the device can deliver.
   * @param ctx The node's name (the frames' origin) and the media clock frames are stamped on.
   * @returns The running source.
   */
  static open(
    kind: CaptureKind,
    options: Omit<VideoCaptureOptions, "kind">,
    maxFrameBytes: number,
    ctx: { node: string; clock: MediaClock },
  ): VideoCaptureSource {
    const pool = FramePool.create({
      slotBytes: FRAME_HEADER_BYTES + maxFrameBytes,
      slotCount: CAPTURE_SLOTS,
    });
    try {
      const capture = NativeCapture.open({ ...options, kind, pool, ringCapacity: 4 });
      return new VideoCaptureSource(capture, pool, ctx.clock, ctx.node);
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
   * Writes the newest captured frame to `out` (older ones waiting are released): an owned frame
   * over the capture's slot, so each connection takes a reference and the slot goes back to the
   * capture when the last reader is done.
   *
   * @param out The node's video output.
   * @returns Whether a frame came since the last call.
   * @throws {DeviceError} (or the failure's own type) when the capture stopped by itself.
   */
  writeNewest(out: OutputPort<VideoFrame>): boolean {
    const captured = this.#capture.pollLatest();
    if (!captured) {
      const { running, failureStatus } = this.#capture.stats();
      if (!running && failureStatus !== 0) {
        throw new DeviceError("capture video", this.#capture.failure() ?? "the capture stopped");
      }
      return false;
    }
    const format = captured.format as PixelFormat;
    const frame = new OwnedVideoFrame(this.#slots.adopt(captured), {
      width: this.width,
      height: this.height,
      format,
      stride: format === "RGBA" || format === "BGRA" ? this.width * 4 : this.width,
    }, this.#node);
    frame.timestampNs = Math.round(captured.nativeTimestampNs + this.#clockOffsetNs);
    frame.frameNumber = this.#count++;
    try {
      out.write(frame); // each connection takes its own reference
    } finally {
      frame.release(); // the capture's: the slot stays with the readers
    }
    return true;
  }

  /**
   * Stops the capture; the pool closes once the last frame still held downstream is released.
   * Idempotent.
   */
  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#capture.closed) return;
    this.#capture.close();
    this.#slots.close();
  }
}
