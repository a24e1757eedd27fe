/**
 * The contract behind every frame payload: reference-counted memory handed out by a memory source.
 *
 * `core/` declares it and implements it over JavaScript memory ({@linkcode HeapMemorySource});
 * `ffi/` implements it over the native frame pool, whose slots cross isolates and reach native code
 * without a copy. Processors never see either: they allocate through `ctx.frames`.
 *
 * @module
 */
import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";

/**
 * What every frame payload is, in JavaScript memory, a native pool slot or a GPU texture: a size,
 * whether one holder has it, and how it goes back to its source. {@linkcode FrameMemory} (bytes)
 * and the GPU's texture memory (`core/gpu/texture_pool.ts`) extend it.
 */
export interface FramePayload {
  /** The payload's length in bytes. */
  readonly byteLength: number;
  /** The native frame-pool slot handle, when the memory is a pool slot. */
  readonly slot?: number;
  /** Whether this isolate's holder is the only one: then it may be written in place. */
  isUnique(): boolean;
  /** Gives the memory back to its source. Called once, when the owning frame dies. */
  free(): void;
}

/**
 * One payload's memory. The frame that owns it takes one reference per holder (the processor
 * that made or read it, each connection that queues it); the last release hands the memory back
 * to its source.
 */
export interface FrameMemory extends FramePayload {
  /** The payload's bytes (a cached zero-copy view, exactly `byteLength` long). */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** The payload as 32-bit floats (audio); `byteLength / 4` long. */
  readonly floats: Float32Array<ArrayBuffer>;
  /** The payload's length in bytes. */
  readonly byteLength: number;
  /** The native frame-pool slot handle, when the memory is a pool slot. */
  readonly slot?: number;
  /**
   * Whether this isolate's holder is the only one (no other isolate or native code holds the
   * memory): then it may be written in place.
   */
  isUnique(): boolean;
  /** Gives the memory back to its source. Called once, when the owning frame dies. */
  free(): void;
}

/** Counters of one memory source. */
export interface FrameMemoryStats {
  /** Payloads handed out and not yet freed. */
  inUse: number;
  /** Bytes of the payloads in use. */
  bytesInUse: number;
  /** The most bytes the source hands out at once. */
  budgetBytes: number;
  /**
   * Bytes in use in every isolate of the runtime, when the budget is shared with other isolates
   * (`frameMemoryBytes` is one budget for all of them).
   */
  sharedBytesInUse?: number;
  /** Allocations refused because the budget was reached (back-pressure, never a reuse). */
  exhausted: number;
  /** Allocations served. */
  allocated: number;
  /** Bytes freed and kept for reuse, when the source keeps any (JavaScript memory does). */
  idleBytes?: number;
}

/**
 * Where a runtime's isolate gets payload memory. `allocate` is the hot path: it returns
 * `undefined` when the budget is reached and never throws or blocks.
 */
export interface FrameMemorySource {
  /** Whether payloads from here cross isolates and reach native code without a copy. */
  readonly shared: boolean;
  /** The largest payload one allocation can hold, when there is such a limit. */
  readonly maxFrameBytes?: number;
  /**
   * Hands out `byteLength` bytes, or `undefined` when the budget is reached.
   *
   * @param byteLength The payload size in bytes, an integer of 0 or more.
   */
  allocate(byteLength: number): FrameMemory | undefined;
  /**
   * Like `allocate`, for a node whose frames may as well live elsewhere or wait (a source:
   * nothing it holds waits for it): only while a reserve of the memory stays free for the nodes
   * downstream, which must allocate to finish the frames queued to them (native pool slots for
   * the copies that cross; a quarter of JavaScript memory's budget for transforms). Sources
   * without it use `allocate`.
   *
   * @param byteLength The payload size in bytes, an integer of 0 or more.
   */
  allocateSpare?(byteLength: number): FrameMemory | undefined;
  /** Calls `callback` once, the next time memory is freed (a waiting source runs again). */
  onFree(callback: () => void): void;
  /** The source's counters. */
  stats(): FrameMemoryStats;
}

/**
 * A value as an error message shows it: never throws, never long, and never runs the value's own
 * code (`show()` of manifest issues goes through JSON, which calls `toJSON` and getters and turns
 * `NaN` into `null`).
 */
function describe(value: unknown): string {
  switch (typeof value) {
    case "string":
      return `'${value.length > 64 ? `${value.slice(0, 64)}...` : value}'`;
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return String(value);
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    default:
      return value === null ? "null" : Array.isArray(value) ? "an array" : "an object";
  }
}

/**
 * Thrown when a processor asks `ctx.frames` (or `createAudioFrame`) for a frame no frame can be: a
 * width, height, channel or sample count that is not a positive integer, a sample rate that is not
 * a finite number above 0, an unknown pixel format or codec, a byte length that is not an integer
 * of 0 or more, a shape that is not an object, or `like()` of a data frame. A programming error in
 * the processor: its node fails with this code (nothing is allocated).
 *
 * @example A zero-width frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { InvalidFrameShapeError } from "./memory.ts";
 *
 * const ctx = createProcessContext("pattern");
 * assert.throws(
 *   () => ctx.frames.video({ width: 0, height: 480, format: "RGBA" }),
 *   (e) => e instanceof InvalidFrameShapeError && e.code === "invalid_frame_shape" && e.field === "width",
 * );
 * ```
 */
export class InvalidFrameShapeError extends RangeError {
  /** Stable machine code. */
  readonly code: ErrorCode = "invalid_frame_shape";
  /** The kind of frame asked for (`frame` when the kind itself is what was wrong). */
  readonly frame: "video" | "audio" | "encoded-video" | "encoded-audio" | "frame";
  /** The offending field of the shape. */
  readonly field: string;
  /** Its value, as text (`NaN`, `Infinity` and `undefined` survive JSON this way). */
  readonly value: string;
  /** What the field takes. */
  readonly expected: string;
  /** The values the field takes, when they are a list (pixel formats). */
  readonly available?: readonly string[];

  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    const { frame, field, value, expected, available } = this;
    return available === undefined
      ? { frame, field, value, expected }
      : { frame, field, value, expected, available: [...available] };
  }

  /**
   * Names the field that no frame can have.
   *
   * @param frame The kind of frame asked for.
   * @param field The offending field.
   * @param value Its value.
   * @param expected What the field takes, in words.
   * @param available The values it takes, when they are a list.
   */
  constructor(
    frame: "video" | "audio" | "encoded-video" | "encoded-audio" | "frame",
    field: string,
    value: unknown,
    expected: string,
    available?: readonly string[],
  ) {
    const what = frame === "audio"
      ? "an audio frame"
      : frame === "video"
      ? "a video frame"
      : frame === "encoded-video"
      ? "an encoded frame"
      : frame === "encoded-audio"
      ? "an encoded audio frame"
      : "a frame";
    const shown = describe(value);
    super(`Cannot allocate ${what}: ${field} must be ${expected}, got ${shown}`);
    this.name = "InvalidFrameShapeError";
    this.frame = frame;
    this.field = field;
    this.value = shown;
    this.expected = expected;
    this.available = available;
  }
}

/**
 * Thrown when a frame could never fit: larger than the runtime's `maxFrameBytes`, or than one slot
 * of the native frame pool.
 *
 * @example An 8K RGBA frame under the default limit
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { FrameTooLargeError } from "./memory.ts";
 *
 * const ctx = createProcessContext("pattern");
 * assert.throws(
 *   () => ctx.frames.video({ width: 7680, height: 4320, format: "RGBA" }),
 *   (e) => e instanceof FrameTooLargeError && e.code === "frame_too_large" && e.requested === 7680 * 4320 * 4,
 * );
 * ```
 */
export class FrameTooLargeError extends RangeError {
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    const { requested, limit, node, processor } = this;
    return node === undefined
      ? { requested, limit }
      : { requested, limit, node, processor: processor ?? "" };
  }
  /** Stable machine code. */
  readonly code: ErrorCode = "frame_too_large";
  /** The bytes asked for. */
  readonly requested: number;
  /** The most one payload can hold. */
  readonly limit: number;
  /** The node refused at admission (its config asks for such frames), when known. */
  readonly node?: string;
  /** That node's processor. */
  readonly processor?: string;

  /**
   * Says how large the frame was and how large one may be.
   *
   * @param requested The bytes asked for.
   * @param limit The most one payload can hold.
   * @param refused The node whose config asks for such frames, when admission control refused
   *   it before it ran.
   */
  constructor(requested: number, limit: number, refused?: { node: string; processor: string }) {
    super(
      refused === undefined
        ? `Cannot allocate a frame of ${requested} bytes: the frame memory holds at most ${limit} bytes per frame (raise the runtime's maxFrameBytes, or make smaller frames)`
        : `Cannot admit '${refused.node}' (${refused.processor}): its frames of ${requested} bytes are over the ${limit} bytes one frame may hold (raise the runtime's maxFrameBytes, or configure smaller frames)`,
    );
    this.name = "FrameTooLargeError";
    this.requested = requested;
    this.limit = limit;
    this.node = refused?.node;
    this.processor = refused?.processor;
  }
}
