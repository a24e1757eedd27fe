/**
 * The frame allocator contract: where a processor gets an output video frame to fill, and the
 * rules for how long that frame stays its own.
 *
 * @module
 */

import {
  PIXEL_FORMATS,
  type PixelFormat,
  type VideoFrame,
  videoFrameByteLength,
} from "./video_frame.ts";
import { READER_KEEPS } from "./rotating_pool.ts";

/**
 * A {@linkcode VideoFrame} its producer may stamp: `timestampNs` and `frameNumber` are writable,
 * the pixels are written through `data`; geometry and `slot` are fixed by the allocator.
 *
 * @example Stamp a frame before writing it
 * ```ts
 * import { PlainFrameAllocator, type WritableVideoFrame } from "./frame_allocator.ts";
 *
 * using allocator = new PlainFrameAllocator();
 * const frame: WritableVideoFrame = allocator.allocateVideo("RGBA", 2, 2);
 * frame.data.fill(0xff);
 * frame.timestampNs = 33_333_333;
 * frame.frameNumber = 1;
 * console.log(frame.stride, frame.data.byteLength, frame.frameNumber); // 8 16 1
 * ```
 */
export type WritableVideoFrame = Omit<VideoFrame, "timestampNs" | "frameNumber"> & {
  /** Presentation time in nanoseconds on the monotonic media clock. */
  timestampNs: number;
  /** Position of this frame in its stream, from 0. */
  frameNumber: number;
};

/**
 * Hands out output video frames to fill. Core declares it and implements it in plain memory
 * ({@linkcode PlainFrameAllocator}); `ffi/` implements it over the native frame pool, whose frames
 * cross isolates without a copy.
 *
 * Lifetime rules (the same for every implementation):
 *
 * - A frame belongs to the allocator's **window** of the last `hold` frames it handed out. The
 *   call to `allocateVideo()` that hands out the `hold`-th frame after it ends its lifetime: its
 *   buffer may then be reused (plain memory) or its slot reference dropped (pool). Within the
 *   window, the producer fills it, stamps it and writes it to any number of outputs.
 * - Native connections do not depend on the window: writing a pool frame to one takes its own
 *   slot reference (one per connection, so fan-out to two connections retains twice), released
 *   by that connection's reader. Written to zero connections, the frame's slot goes back to the
 *   pool when it leaves the window; written to one or two, when the window and every reader are
 *   done with it, in whatever order.
 * - Same-isolate connections pass the object by reference and take no reference, like frames from
 *   a `RotatingPool`: `hold` must exceed the frames that can wait downstream (the capacity of
 *   those connections plus one being read).
 * - `close()` ends the lifetime of every frame still in the window.
 *
 * `allocateVideo()` is a hot-path call: it never blocks and returns `undefined`, rather than
 * throwing, when no memory is free (a pool whose slots are all in use); the producer then skips
 * the frame.
 *
 * @example Use the runtime's allocator, or plain memory when run by hand
 * ```ts
 * import { monotonicClock, type SetupContext } from "@streamlib/streamlib";
 * import { type FrameAllocator, PlainFrameAllocator } from "./frame_allocator.ts";
 *
 * function allocatorFor(ctx: SetupContext): FrameAllocator {
 *   return ctx.frameAllocator?.(3) ?? new PlainFrameAllocator({ hold: 3 });
 * }
 * using allocator = allocatorFor({ node: "pattern", clock: monotonicClock });
 * const frame = allocator.allocateVideo("NV12", 4, 2);
 * if (frame) frame.frameNumber = 0; // undefined would mean: no memory free, skip this frame
 * console.log(allocator.hold, frame?.data.byteLength); // 3 12
 * ```
 */
export interface FrameAllocator extends Disposable {
  /** How many frames stay valid: a frame's lifetime ends `hold` allocations later. */
  readonly hold: number;
  /**
   * Grows `hold`, if needed, so that a frame stays valid while a connection of `capacity` frames
   * may still queue it and its reader use it (`capacity` plus `READER_KEEPS` plus one). Never
   * shrinks. Call it with the output's `capacity` before allocating.
   */
  fit(capacity: number): void;
  /**
   * A frame of tightly packed rows (`stride` is `width * 4` for RGBA/BGRA, `width` for the Y plane
   * of I420/NV12), its pixels unspecified, `timestampNs` and `frameNumber` 0.
   *
   * @returns The frame, or `undefined` when no memory is free.
   */
  allocateVideo(format: PixelFormat, width: number, height: number): WritableVideoFrame | undefined;
  /** Ends the lifetime of every frame in the window; idempotent. */
  close(): void;
}

/**
 * Checks the arguments of {@linkcode FrameAllocator.allocateVideo} (a setup mistake, so it throws).
 *
 * @param format The pixel layout.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @throws {RangeError} When the format is unknown or a dimension is not a positive integer.
 *
 * @example Reject a zero width
 * ```ts
 * import { checkVideoGeometry } from "./frame_allocator.ts";
 *
 * try {
 *   checkVideoGeometry("RGBA", 0, 2);
 * } catch (error) {
 *   console.log((error as Error).message);
 * }
 * ```
 */
export function checkVideoGeometry(format: PixelFormat, width: number, height: number): void {
  if (!PIXEL_FORMATS.includes(format)) {
    throw new RangeError(
      `Cannot allocate a video frame: unknown pixel format '${format}', expected one of ${PIXEL_FORMATS}`,
    );
  }
  for (const [name, value] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot allocate a video frame: ${name} must be a positive integer, got ${value}`,
      );
    }
  }
}

/**
 * The packed stride of the first plane.
 *
 * @param format The pixel layout.
 * @param width Width in pixels.
 * @returns Bytes per row of the first plane.
 *
 * @example Strides of two formats
 * ```ts
 * import { packedStride } from "./frame_allocator.ts";
 *
 * console.log(packedStride("RGBA", 1920), packedStride("NV12", 1920)); // 7680 1920
 * ```
 */
export function packedStride(format: PixelFormat, width: number): number {
  return format === "RGBA" || format === "BGRA" ? width * 4 : width;
}

/**
 * A {@linkcode FrameAllocator} over ordinary memory: `hold` frame objects in turn, each keeping its
 * buffer while the requested format and size stay the same, so a steady stream allocates nothing.
 * Its frames have no `slot`; writing one to a native connection copies it once.
 *
 * @example Fill and reuse frames
 * ```ts
 * import { PlainFrameAllocator } from "./frame_allocator.ts";
 *
 * using allocator = new PlainFrameAllocator({ hold: 2 });
 * const a = allocator.allocateVideo("RGBA", 4, 2)!;
 * a.data.fill(255);
 * a.frameNumber = 0;
 * allocator.allocateVideo("RGBA", 4, 2);
 * console.log(allocator.allocateVideo("RGBA", 4, 2) === a); // true: a's lifetime has ended
 * ```
 */
export class PlainFrameAllocator implements FrameAllocator {
  readonly #frames: (WritableVideoFrame | undefined)[];
  #hold: number;
  #next = 0;

  /**
   * Makes an allocator with an empty window.
   *
   * @param options `hold`: frames that stay valid, at least 1 (default 2).
   * @throws {RangeError} When `hold` is not a positive integer.
   */
  constructor(options: { hold?: number } = {}) {
    const hold = options.hold ?? 2;
    if (!Number.isInteger(hold) || hold < 1) {
      throw new RangeError(
        `Cannot create a frame allocator: hold must be a positive integer, got ${hold}`,
      );
    }
    this.#hold = hold;
    this.#frames = new Array(hold).fill(undefined);
  }

  /** How many frames stay valid. */
  get hold(): number {
    return this.#hold;
  }

  /**
   * Grows `hold` to at least `capacity + READER_KEEPS + 1`.
   *
   * @param capacity The output's `capacity`.
   */
  fit(capacity: number): void {
    const needed = capacity + READER_KEEPS + 1;
    while (this.#hold < needed) this.#frames[this.#hold++] = undefined;
  }

  /**
   * The next frame of the window; allocates only when the format or size changes.
   *
   * @param format The pixel layout.
   * @param width Width in pixels.
   * @param height Height in pixels.
   * @returns The frame (never `undefined`: ordinary memory does not run out here).
   * @throws {RangeError} When the format is unknown or a dimension is not a positive integer.
   */
  allocateVideo(format: PixelFormat, width: number, height: number): WritableVideoFrame {
    const i = this.#next;
    this.#next = i + 1 >= this.#hold ? 0 : i + 1;
    const old = this.#frames[i];
    if (old && old.format === format && old.width === width && old.height === height) {
      old.timestampNs = 0;
      old.frameNumber = 0;
      return old;
    }
    checkVideoGeometry(format, width, height);
    const frame: WritableVideoFrame = {
      kind: "video",
      format,
      width,
      height,
      stride: packedStride(format, width),
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array(videoFrameByteLength(format, width, height)),
    };
    this.#frames[i] = frame;
    return frame;
  }

  /** Forgets every frame in the window. */
  close(): void {
    this.#frames.fill(undefined);
  }

  /** Same as {@linkcode PlainFrameAllocator.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
