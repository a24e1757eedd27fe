/**
 * Frames whose payload is reference-counted memory: {@linkcode OwnedVideoFrame},
 * {@linkcode OwnedAudioFrame} and {@linkcode OwnedEncodedVideoFrame}, all made by `ctx.frames`.
 *
 * Each holder owns one reference: the processor run that made or read the frame (released by the
 * runtime when `process()` returns), each connection that queues it, and each `keep()`. When the
 * last one is released the frame is dead: its payload goes back to its memory source and reading
 * it throws {@linkcode FrameReleasedError}, like a closed WebCodecs `VideoFrame`. A dead frame
 * object never comes back to life; recycled memory gets a new frame object.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { AudioFrame } from "./audio_frame.ts";
import type { EncodedVideoFrame, VideoCodec } from "./encoded_video_frame.ts";
import type { OwnedEncodedAudioFrame } from "./owned_encoded_audio_frame.ts";
import type { FrameMemory, FramePayload } from "./memory.ts";
import type { PixelFormat, VideoFrame } from "./video_frame.ts";

/**
 * Thrown when a dead frame's payload is read: every reference to it was released.
 *
 * @example Reading a frame after its run returned
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext, FrameReleasedError } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("pattern");
 * const frame = ctx.frames.video({ width: 2, height: 2, format: "RGBA" })!;
 * ctx.frames.flush(); // what the runtime does when process() returns
 * assert.throws(() => frame.data, (e) => e instanceof FrameReleasedError && e.code === "frame_released");
 * ```
 */
export class FrameReleasedError extends Error {
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      frameKind: this.frameKind,
      origin: this.origin,
      node: this.node,
      port: this.port,
      use: this.use,
    };
  }
  /** Stable machine code. */
  readonly code: ErrorCode = "frame_released";
  /** The kind of the frame that was used. */
  readonly frameKind: string;
  /** The node that made the frame. */
  readonly origin: string;
  /**
   * The node that held the frame last: the one writing it (`use: "write"`), else the last node
   * that read, wrote or kept it (`""` when unknown).
   */
  readonly node: string;
  /** Where that node held it (`node.port`: the input it read it from, the output it wrote to). */
  readonly port: string;
  /** What was done with the dead frame: its payload read, or the frame written to an output. */
  readonly use: "read" | "write";

  /**
   * An error for a use of a released frame.
   *
   * @param frameKind The kind of the frame that was used.
   * @param origin The node that made the frame.
   * @param holder The node and port that held it last (or wrote it), and the use.
   */
  constructor(
    frameKind: string,
    origin: string,
    holder: { node?: string; port?: string; use?: "read" | "write" } = {},
  ) {
    const node = holder.node ?? "";
    const port = holder.port ?? "";
    const use = holder.use ?? "read";
    const held = node && (node !== origin || port)
      ? `, last held by '${node}'${port ? ` at '${port}'` : ""}`
      : "";
    super(
      use === "write"
        ? `Cannot write a released ${frameKind} frame (made by '${origin}') to '${port}': node '${node}' wrote a frame whose every reference was released (a frame from an earlier process() run); write frames made or read in this run, or keep it with ctx.frames.keep(frame) and release it after the write`
        : `Cannot read a released ${frameKind} frame (made by '${origin}'${held}): it was released when the process() that read it returned; keep it with ctx.frames.keep(frame) to use it later`,
    );
    this.name = "FrameReleasedError";
    this.frameKind = frameKind;
    this.origin = origin;
    this.node = node;
    this.port = port;
    this.use = use;
  }
}

/**
 * Where a frame is held, for leak and stale-use reports: a port of a node (the runtime's output
 * and input bindings are holders).
 */
export interface FrameHolder {
  /** The node (`""` when unknown: the frame's maker is named instead). */
  readonly node: string;
  /** `node.port`, or `""` for the node itself. */
  readonly label: string;
}

/** Where live frames are counted, for the leak report (one per isolate). */
export interface FrameLedger {
  /** A frame was made. */
  born(frame: OwnedFrame<FramePayload>): void;
  /** A frame died. */
  died(frame: OwnedFrame<FramePayload>): void;
}

/** The brand every owned frame carries on its prototype (see {@linkcode isOwnedFrame}). */
const OWNED: unique symbol = Symbol("streamlib.OwnedFrame");

/**
 * Whether `value` is an owned frame: the same answer as `value instanceof OwnedFrame`, from one
 * property load. The runtime asks it on every write, queue and read: `instanceof` against a class
 * imported from another module is a generic prototype walk in optimised code, about 4-6% of a
 * 4-hop chain's CPU time at three per hop.
 *
 * @param value Any frame or value written to a port.
 * @returns Whether it is an {@linkcode OwnedFrame}.
 *
 * @example Owned and plain frames
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { isOwnedFrame } from "./owned_frame.ts";
 *
 * const ctx = createProcessContext("tone");
 * const block = ctx.frames.audio({ channels: 1, sampleRate: 8000, frameCount: 4 })!;
 * assert.equal(isOwnedFrame(block), true);
 * assert.equal(isOwnedFrame({ kind: "data", value: 1 }), false);
 * assert.equal(isOwnedFrame(7), false);
 * ```
 */
export function isOwnedFrame(value: unknown): value is OwnedFrame<FramePayload> {
  return typeof value === "object" && value !== null &&
    (value as { [OWNED]?: true })[OWNED] === true;
}

/**
 * The reference-counted part every owned frame shares: `retain()`, `release()`, `refCount`,
 * `released`, `unique`. Processors rarely call these themselves: the runtime releases what a run
 * read or made, and `ctx.frames.keep()` / `ctx.frames.writable()` cover keeping and writing.
 *
 * @example A reference per holder
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { OwnedFrame } from "./owned_frame.ts";
 *
 * const ctx = createProcessContext("tone");
 * const block = ctx.frames.audio({ channels: 1, sampleRate: 8000, frameCount: 4 })!;
 * assert.ok(block instanceof OwnedFrame);
 * block.retain(); // a second holder, say a queue
 * ctx.frames.flush(); // the run's reference goes
 * assert.equal(block.refCount, 1);
 * block.release(); // the last one: the frame is dead, its memory recycled
 * assert.equal(block.released, true);
 * ```
 */
export abstract class OwnedFrame<M extends FramePayload = FrameMemory> {
  static {
    // The brand isOwnedFrame() reads, inherited by every subclass (as instanceof would see them).
    (this.prototype as unknown as { [OWNED]: true })[OWNED] = true;
  }

  /** The node that made the frame (`ctx.frames` of that node). */
  readonly origin: string;
  /**
   * Where the frame is held, for leak and stale-use reports: `undefined` while its maker holds
   * it, then the output it was written to or the input that read it (or the node that keeps it),
   * in turn. One store of a port the runtime already has per write and per read: two strings
   * stored per hop cost about 10 ns a frame each.
   *
   * @internal
   */
  holder: FrameHolder | undefined = undefined;
  /**
   * Where the isolate's ledger keeps this frame (an index it manages, -1 when none): lets it add
   * and drop frames without hashing them (a `Set` of frames cost ~19% of a 4-hop chain's rate).
   * The ledger's bookkeeping, left out of the published docs.
   *
   * @internal
   */
  ledgerSlot = -1;
  #memory: M | undefined;
  #refs = 1;
  #ledger: FrameLedger | undefined;

  /**
   * Creates the frame over its memory, with one reference (the maker's).
   *
   * @param memory The payload's memory; this frame owns it and frees it when it dies.
   * @param origin The node that made the frame.
   * @param ledger Where live frames are counted.
   */
  constructor(memory: M, origin: string, ledger?: FrameLedger) {
    this.#memory = memory;
    this.origin = origin;
    this.#ledger = ledger;
    ledger?.born(this);
  }

  /** The frame's kind. */
  abstract readonly kind: string;

  /**
   * The node that holds the frame: its maker, then each node that writes, reads or keeps it in
   * turn (for leak and stale-use reports, in every isolate).
   */
  get heldBy(): string {
    return this.holder?.node || this.origin;
  }

  /** Where {@linkcode OwnedFrame.heldBy} holds it (`node.port`; `""` before it is written). */
  get heldAt(): string {
    return this.holder?.label ?? "";
  }

  /** References held now; 0 once dead. */
  get refCount(): number {
    return this.#refs;
  }

  /** Whether every reference was released. */
  get released(): boolean {
    return this.#memory === undefined;
  }

  /**
   * Whether the caller holds the only reference (and no other isolate or native code holds the
   * memory): the payload may then be written in place.
   */
  get unique(): boolean {
    return this.#refs === 1 && this.#memory !== undefined && this.#memory.isUnique();
  }

  /** The payload memory (throws {@linkcode FrameReleasedError} once dead). */
  get memory(): M {
    const memory = this.#memory;
    if (memory === undefined) {
      throw new FrameReleasedError(this.kind, this.origin, {
        node: this.heldBy,
        port: this.heldAt,
      });
    }
    return memory;
  }

  /** The native frame-pool slot of the payload, when it is one. */
  get slot(): number | undefined {
    return this.#memory?.slot;
  }

  /**
   * Counts this frame in `ledger` from now on, when it is alive and counted nowhere yet (a frame
   * read from another isolate is made by its connection, outside any node).
   *
   * @param ledger Where live frames are counted.
   */
  track(ledger: FrameLedger): void {
    if (this.#ledger !== undefined || this.#memory === undefined) return;
    this.#ledger = ledger;
    ledger.born(this);
  }

  /** Adds a reference. A no-op on a dead frame (there is nothing left to hold). */
  retain(): void {
    if (this.#memory !== undefined) this.#refs++;
  }

  /**
   * Drops a reference; the last one frees the payload and kills the frame. Releasing a dead frame
   * does nothing (so a double release cannot free memory another frame now uses).
   */
  release(): void {
    const memory = this.#memory;
    if (memory === undefined) return;
    if (--this.#refs > 0) return;
    this.#memory = undefined;
    this.#ledger?.died(this);
    memory.free();
  }
}

/** Any frame with a reference-counted payload. */
export type AnyOwnedFrame =
  | OwnedVideoFrame
  | OwnedAudioFrame
  | OwnedEncodedVideoFrame
  | OwnedEncodedAudioFrame;

/**
 * A video frame in reference-counted memory (from `ctx.frames.video()`). `timestampNs` and
 * `frameNumber` are set by its maker before writing it.
 *
 * @example Make, fill and stamp a frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("pattern");
 * const frame = ctx.frames.video({ width: 4, height: 2, format: "I420" })!;
 * frame.data.fill(128);
 * frame.frameNumber = 7;
 * assert.deepEqual([frame.kind, frame.stride, frame.data.length, frame.frameNumber], ["video", 4, 12, 7]);
 * ```
 */
export class OwnedVideoFrame extends OwnedFrame implements VideoFrame {
  readonly kind = "video" as const;
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  readonly stride: number;
  /** Presentation time in nanoseconds; set by the maker. */
  timestampNs = 0;
  /** Position in the stream; set by the maker. */
  frameNumber = 0;

  /**
   * Creates the frame over its memory.
   *
   * @param memory The pixels' memory.
   * @param shape Width, height, pixel format and stride.
   * @param origin The node that made it.
   * @param ledger Where live frames are counted.
   */
  constructor(
    memory: FrameMemory,
    shape: { width: number; height: number; format: PixelFormat; stride: number },
    origin: string,
    ledger?: FrameLedger,
  ) {
    super(memory, origin, ledger);
    this.width = shape.width;
    this.height = shape.height;
    this.format = shape.format;
    this.stride = shape.stride;
  }

  /** The pixels (throws {@linkcode FrameReleasedError} once the frame is dead). */
  get data(): Uint8Array<ArrayBuffer> {
    return this.memory.bytes;
  }
}

/**
 * An audio block in reference-counted memory (from `ctx.frames.audio()`).
 *
 * @example An interleaved stereo block
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("tone");
 * const block = ctx.frames.audio({ channels: 2, sampleRate: 48000, frameCount: 480 })!;
 * assert.equal(block.samples.length, 960);
 * ```
 */
export class OwnedAudioFrame<C extends number = number> extends OwnedFrame
  implements AudioFrame<C> {
  readonly kind = "audio" as const;
  readonly channels: C;
  readonly sampleRate: number;
  readonly frameCount: number;
  /** Time of the first sample in nanoseconds; set by the maker. */
  timestampNs = 0;
  /** Position in the stream; set by the maker. */
  frameNumber = 0;

  /**
   * Creates the frame over its memory.
   *
   * @param memory The samples' memory (`frameCount * channels * 4` bytes).
   * @param shape Channels, sample rate and samples per channel.
   * @param origin The node that made it.
   * @param ledger Where live frames are counted.
   */
  constructor(
    memory: FrameMemory,
    shape: { channels: C; sampleRate: number; frameCount: number },
    origin: string,
    ledger?: FrameLedger,
  ) {
    super(memory, origin, ledger);
    this.channels = shape.channels;
    this.sampleRate = shape.sampleRate;
    this.frameCount = shape.frameCount;
  }

  /** Interleaved samples (throws {@linkcode FrameReleasedError} once the frame is dead). */
  get samples(): Float32Array<ArrayBuffer> {
    return this.memory.floats;
  }
}

/**
 * An encoded access unit in reference-counted memory (from `ctx.frames.encoded()`).
 *
 * @example Store an access unit
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("encoder");
 * const unit = ctx.frames.encoded({ codec: "h264", byteLength: 4 })!;
 * unit.data.set([0, 0, 0, 1]);
 * unit.keyframe = true;
 * assert.deepEqual([unit.codec, unit.keyframe, [...unit.data]], ["h264", true, [0, 0, 0, 1]]);
 * ```
 */
export class OwnedEncodedVideoFrame extends OwnedFrame implements EncodedVideoFrame {
  readonly kind = "encoded-video" as const;
  readonly codec: VideoCodec;
  /** Whether it decodes on its own; set by the maker. */
  keyframe = false;
  /** Presentation time in nanoseconds; set by the maker. */
  timestampNs = 0;
  /** Position in the stream; set by the maker. */
  frameNumber = 0;

  /**
   * Creates the frame over its memory.
   *
   * @param memory The access unit's bytes.
   * @param codec The codec.
   * @param origin The node that made it.
   * @param ledger Where live frames are counted.
   */
  constructor(memory: FrameMemory, codec: VideoCodec, origin: string, ledger?: FrameLedger) {
    super(memory, origin, ledger);
    this.codec = codec;
  }

  /** The access unit's bytes (throws {@linkcode FrameReleasedError} once the frame is dead). */
  get data(): Uint8Array<ArrayBuffer> {
    return this.memory.bytes;
  }
}

/**
 * Adds a reference to `frame` if it is reference counted (frames made as plain objects are left to
 * the garbage collector). Used by connections and the runtime.
 *
 * @param frame Any frame or value written to a port.
 */
export function retainFrame(frame: unknown): void {
  if (isOwnedFrame(frame)) frame.retain();
}

/**
 * Drops a reference to `frame` if it is reference counted.
 *
 * @param frame Any frame or value written to a port.
 */
export function releaseFrame(frame: unknown): void {
  if (isOwnedFrame(frame)) frame.release();
}
