/**
 * `ctx.frames`: the one place a processor gets frames, in every placement.
 *
 * @module
 */

import type { AudioFrame } from "./audio_frame.ts";
import {
  AUDIO_CODECS,
  type AudioCodec,
  type EncodedAudioFrame,
  MAX_AUDIO_EXTRADATA_BYTES,
} from "./encoded_audio_frame.ts";
import { type EncodedVideoFrame, VIDEO_CODECS, type VideoCodec } from "./encoded_video_frame.ts";
import { type FrameMemorySource, type FramePayload, InvalidFrameShapeError } from "./memory.ts";
import { GpuNotReadyError } from "../gpu/errors.ts";
import {
  type FrameHolder,
  type FrameLedger,
  isOwnedFrame,
  OwnedAudioFrame,
  OwnedEncodedVideoFrame,
  OwnedFrame,
  OwnedVideoFrame,
} from "./owned_frame.ts";
import { OwnedGpuVideoFrame } from "./owned_gpu_frame.ts";
import { OwnedEncodedAudioFrame } from "./owned_encoded_audio_frame.ts";
import type { NodeGpu } from "../gpu/gpu_context.ts";
import { GPU_PIXEL_FORMATS, type GpuVideoFrame } from "../gpu/gpu_video_frame.ts";
import type { GpuVideoShape } from "../gpu/texture_pool.ts";
import {
  PIXEL_FORMATS,
  type PixelFormat,
  type VideoFrame,
  videoFrameByteLength,
} from "./video_frame.ts";

/** The shape of a video frame to allocate. */
export interface VideoShape {
  /** Width in pixels, a positive integer. */
  width: number;
  /** Height in pixels, a positive integer. */
  height: number;
  /** Pixel format. */
  format: PixelFormat;
}

/** The shape of an audio block to allocate. */
export interface AudioShape<C extends number = number> {
  /** Interleaved channels, a positive integer. */
  channels: C;
  /** Samples per second per channel. */
  sampleRate: number;
  /** Samples per channel, a positive integer. */
  frameCount: number;
}

/** The shape of an encoded access unit to allocate. */
export interface EncodedShape {
  /** The codec. */
  codec: VideoCodec;
  /** The access unit's length in bytes. */
  byteLength: number;
}

/** The shape of an encoded audio frame to allocate. */
export interface EncodedAudioShape {
  /** The codec. */
  codec: AudioCodec;
  /** The frame's length in bytes. */
  byteLength: number;
  /** Samples per second per channel of the decoded audio. */
  sampleRate: number;
  /** Channels of the decoded audio, a positive integer. */
  channels: number;
  /** Samples per channel it decodes to, a positive integer (1024 for AAC-LC). */
  frameCount: number;
  /**
   * The stream's decoder configuration (the AudioSpecificConfig for AAC), at most 24 bytes;
   * empty when left out. Shared, not copied: pass the same array for every frame of a stream.
   */
  extradata?: Uint8Array;
}

/**
 * Where a frame read in a run came from: the input it goes back to when the run ends for want of
 * frame memory (see {@linkcode NodeFrames.flush}); the runtime's input ports are.
 */
export interface FrameReturn extends FrameHolder {
  /**
   * Takes `frame` back in front of the frames still queued, with the reference the run held.
   *
   * @param frame A frame read from here in the run that just ended.
   */
  giveBack(frame: unknown): void;
}

/** A node's ports, as {@linkcode NodeFrames.bind} takes them (a `PortTable`). */
export interface BindablePorts {
  /** The inputs (`node` is set to the node that reads them). */
  readonly inputBindings: readonly { owner: unknown; node: string }[];
  /** The outputs. */
  readonly outputBindings: readonly { owner: unknown }[];
}

/**
 * A reference a processor keeps past the `process()` that read or made a frame. Release it when
 * done (or let `using` do it).
 */
export interface KeptFrame<F> extends Disposable {
  /** The frame, alive until `release()`. */
  readonly frame: F;
  /** Drops the reference; idempotent. */
  release(): void;
}

/**
 * Frame allocation and lifetime for one processor (`ctx.frames`). Every frame it hands out is
 * reference counted and owned by the current run: the runtime releases the run's references when
 * `process()` returns, and each connection the frame is written to holds its own. Allocation
 * returns `undefined` when the frame memory's budget is reached: return from `process()` and the
 * runtime runs the node again when memory is freed. Nothing is lost: the frames the run read since
 * its last write (and did not `drop`, `keep` or make writable in place) go back to the front of
 * their inputs, and the next run reads them again.
 */
export interface Frames {
  /** Whether frames from here cross isolates and reach native code without a copy. */
  readonly shared: boolean;
  /** A new video frame of `shape` (contents undefined), or `undefined` when memory is exhausted. */
  video(shape: VideoShape): OwnedVideoFrame | undefined;
  /** A new audio block of `shape` (contents undefined), or `undefined` when memory is exhausted. */
  audio<C extends number>(shape: AudioShape<C>): OwnedAudioFrame<C> | undefined;
  /** A new encoded access unit, or `undefined` when memory is exhausted. */
  encoded(shape: EncodedShape): OwnedEncodedVideoFrame | undefined;
  /** A new encoded audio frame, or `undefined` when memory is exhausted. */
  encodedAudio(shape: EncodedAudioShape): OwnedEncodedAudioFrame | undefined;
  /**
   * A new GPU video frame of `shape` (a texture of the runtime's pool on `ctx.gpu.device`,
   * contents undefined), or `undefined` when the pool's budget is reached (back-pressure, as for
   * `video()`). Throws `GpuNotReadyError` in a node without a device (no `GpuVideoFrame` port,
   * no `await ctx.gpu.ready()`).
   */
  gpuVideo(shape: GpuVideoShape): OwnedGpuVideoFrame | undefined;
  /** A new GPU frame of the same shape as `frame` (contents undefined). */
  like(frame: GpuVideoFrame): OwnedGpuVideoFrame | undefined;
  /** A new frame of the same kind and shape as `frame` (contents undefined). */
  like(frame: VideoFrame): OwnedVideoFrame | undefined;
  /** A new audio block of the same shape as `frame` (contents undefined). */
  like<C extends number>(frame: AudioFrame<C>): OwnedAudioFrame<C> | undefined;
  /** A new access unit of the same size as `frame` (contents undefined). */
  like(frame: EncodedVideoFrame): OwnedEncodedVideoFrame | undefined;
  /** A new encoded audio frame of the same stream and size as `frame` (contents undefined). */
  like(frame: EncodedAudioFrame): OwnedEncodedAudioFrame | undefined;
  /**
   * `frame` itself when this run holds its only reference (write it in place), otherwise a copy
   * (GStreamer's `make_writable`). Timestamps and frame numbers are copied.
   */
  writable(frame: VideoFrame): OwnedVideoFrame | undefined;
  /** `frame` itself when only this run holds it, otherwise a copy (audio). */
  writable<C extends number>(frame: AudioFrame<C>): OwnedAudioFrame<C> | undefined;
  /** `frame` itself when only this run holds it, otherwise a copy (encoded video). */
  writable(frame: EncodedVideoFrame): OwnedEncodedVideoFrame | undefined;
  /** `frame` itself when only this run holds it, otherwise a copy (encoded audio). */
  writable(frame: EncodedAudioFrame): OwnedEncodedAudioFrame | undefined;
  /**
   * `frame` itself when only this run holds it, otherwise a copy made on the GPU
   * (`copyTextureToTexture`, submitted before this returns).
   */
  writable(frame: GpuVideoFrame): OwnedGpuVideoFrame | undefined;
  /**
   * Keeps `frame` alive past this run until the returned handle is released. A kept frame is the
   * processor's: a run that ends for want of memory does not give it back to its input.
   */
  keep<F>(frame: F): KeptFrame<F>;
  /**
   * Marks `frame`, read in this run, as used up: a later allocation of the run that fails does
   * not give it back to its input. Only a processor that does something it cannot undo with a
   * frame before it has the memory for its output needs it (an encoder fed the frame, then found
   * no memory for the access unit); writing, `drop()` and `keep()` already count as using it.
   */
  consume(frame: unknown): void;
  /**
   * Counts `frame` as dropped by this node (in `NodeStats.framesDropped`, and so in every status
   * line): call it for each frame read and deliberately not passed on or consumed, so no frame is
   * ever lost silently.
   */
  drop(frame: unknown): void;
}

class Kept<F> implements KeptFrame<F> {
  readonly frame: F;
  #held: boolean;

  constructor(frame: F) {
    this.frame = frame;
    this.#held = frame instanceof OwnedFrame && !frame.released;
    if (this.#held) (frame as OwnedFrame).retain();
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    (this.frame as OwnedFrame).release();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/** Throws unless the shape (or frame) is an object at all. */
function requireShape(
  frame: "video" | "audio" | "encoded-video" | "encoded-audio" | "frame",
  shape: unknown,
): void {
  if (typeof shape !== "object" || shape === null) {
    throw new InvalidFrameShapeError(
      frame,
      frame === "frame" ? "frame" : "shape",
      shape,
      "an object",
    );
  }
}

function positiveInteger(
  frame: "video" | "audio" | "encoded-audio",
  name: string,
  value: number,
): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidFrameShapeError(frame, name, value, "a positive integer");
  }
}

const EMPTY = new Uint8Array(0);

/** The stream fields of an encoded audio frame, for a new frame like it. */
function audioStream(frame: EncodedAudioFrame) {
  const { codec, sampleRate, channels, frameCount, extradata } = frame;
  return { codec, sampleRate, channels, frameCount, extradata };
}

/**
 * The runtime's {@linkcode Frames} for one node: allocates from the isolate's memory source and
 * holds the current run's references until {@linkcode NodeFrames.flush}.
 *
 * @example An in-place gain allocates nothing once the input is its own
 * ```ts
 * import assert from "node:assert/strict";
 * import { HeapMemorySource } from "./heap_memory.ts";
 * import { NodeFrames } from "./node_frames.ts";
 *
 * const memory = new HeapMemorySource();
 * const source = new NodeFrames("tone", memory);
 * const gain = new NodeFrames("gain", memory);
 * const block = source.audio({ channels: 1, sampleRate: 48000, frameCount: 4 })!;
 * block.samples.fill(0.5);
 * block.retain(); // a connection queues it
 * source.flush(); // tone's process() returned
 * gain.adopt(block); // gain read it: the connection's reference is now gain's
 * const out = gain.writable(block)!;
 * assert.equal(out, block); // the only reference: written in place
 * out.samples[0] *= 2;
 * assert.equal(out.samples[0], 1);
 * gain.flush();
 * assert.equal(block.released, true);
 * assert.throws(() => block.samples, { name: "FrameReleasedError" });
 * ```
 */
export class NodeFrames implements Frames {
  readonly #node: string;
  /** Where the node holds a frame it took without an input (its own holder, no port). */
  readonly #holder: FrameHolder;
  readonly #memory: FrameMemorySource;
  readonly #ledger: FrameLedger | undefined;
  /** The run's references, in the order taken: frames read (with `#from`) and made. */
  #held: unknown[] = [];
  /** For each of `#held`: the input it was read from while it may go back there, else undefined. */
  #from: (FrameReturn | undefined)[] = [];
  #heldCount = 0;
  /** How many of `#held` are plain-object frames (no reference to release). */
  #plainHeld = 0;
  /** `#heldCount` at the run's last write: what was taken before it is finished. */
  #written = 0;
  readonly #spare: boolean;
  readonly #onExhausted: (() => void) | undefined;
  readonly #gpu: NodeGpu | undefined;
  #exhausted = false;
  /** An allocation failed in the current run (cleared by `flush()`). */
  #failed = false;
  #dropped = 0;

  /**
   * Creates the frames of one node.
   *
   * @param node The node's id (frames remember it as their origin).
   * @param memory Where payloads come from.
   * @param ledger Where live frames are counted (the runtime's leak report).
   * @param options `spare`: this node's frames may as well live in local memory (a source:
   *   nothing it holds waits for it), so it takes shared memory only while a reserve stays free
   *   (`FrameMemorySource.allocateSpare`); `onExhausted`: called when an allocation fails;
   *   `gpu`: the node's `ctx.gpu`, whose texture pool `gpuVideo()` allocates from.
   */
  constructor(
    node: string,
    memory: FrameMemorySource,
    ledger?: FrameLedger,
    options: { spare?: boolean; onExhausted?: () => void; gpu?: NodeGpu } = {},
  ) {
    this.#node = node;
    this.#holder = { node, label: "" };
    this.#memory = memory;
    this.#ledger = ledger;
    this.#spare = options.spare ?? false;
    this.#onExhausted = options.onExhausted;
    this.#gpu = options.gpu;
  }

  get shared(): boolean {
    return this.#memory.shared;
  }

  video(shape: VideoShape): OwnedVideoFrame | undefined {
    requireShape("video", shape);
    const { width, height, format } = shape;
    if (!PIXEL_FORMATS.includes(format)) {
      throw new InvalidFrameShapeError(
        "video",
        "format",
        format,
        `one of ${PIXEL_FORMATS.join(", ")}`,
        PIXEL_FORMATS,
      );
    }
    positiveInteger("video", "width", width);
    positiveInteger("video", "height", height);
    const memory = this.#allocate(videoFrameByteLength(format, width, height));
    if (memory === undefined) return undefined;
    const stride = format === "RGBA" || format === "BGRA" ? width * 4 : width;
    return this.#hold(
      new OwnedVideoFrame(memory, { width, height, format, stride }, this.#node, this.#ledger),
    );
  }

  audio<C extends number>(shape: AudioShape<C>): OwnedAudioFrame<C> | undefined {
    requireShape("audio", shape);
    positiveInteger("audio", "channels", shape.channels);
    positiveInteger("audio", "frameCount", shape.frameCount);
    if (!(shape.sampleRate > 0 && shape.sampleRate < Infinity)) {
      throw new InvalidFrameShapeError(
        "audio",
        "sampleRate",
        shape.sampleRate,
        "a finite number above 0",
      );
    }
    const memory = this.#allocate(shape.channels * shape.frameCount * 4);
    if (memory === undefined) return undefined;
    return this.#hold(new OwnedAudioFrame(memory, shape, this.#node, this.#ledger));
  }

  encoded(shape: EncodedShape): OwnedEncodedVideoFrame | undefined {
    requireShape("encoded-video", shape);
    if (!VIDEO_CODECS.includes(shape.codec)) {
      throw new InvalidFrameShapeError(
        "encoded-video",
        "codec",
        shape.codec,
        `one of ${VIDEO_CODECS.join(", ")}`,
        VIDEO_CODECS,
      );
    }
    if (!Number.isInteger(shape.byteLength) || shape.byteLength < 0) {
      throw new InvalidFrameShapeError(
        "encoded-video",
        "byteLength",
        shape.byteLength,
        "an integer of 0 or more",
      );
    }
    const memory = this.#allocate(shape.byteLength);
    if (memory === undefined) return undefined;
    return this.#hold(new OwnedEncodedVideoFrame(memory, shape.codec, this.#node, this.#ledger));
  }

  encodedAudio(shape: EncodedAudioShape): OwnedEncodedAudioFrame | undefined {
    requireShape("encoded-audio", shape);
    const { codec, byteLength, sampleRate, channels, frameCount } = shape;
    if (!AUDIO_CODECS.includes(codec)) {
      throw new InvalidFrameShapeError(
        "encoded-audio",
        "codec",
        codec,
        `one of ${AUDIO_CODECS.join(", ")}`,
        AUDIO_CODECS,
      );
    }
    if (!Number.isInteger(byteLength) || byteLength < 0) {
      throw new InvalidFrameShapeError(
        "encoded-audio",
        "byteLength",
        byteLength,
        "an integer of 0 or more",
      );
    }
    positiveInteger("encoded-audio", "channels", channels);
    positiveInteger("encoded-audio", "frameCount", frameCount);
    if (!(sampleRate > 0 && sampleRate < Infinity)) {
      throw new InvalidFrameShapeError(
        "encoded-audio",
        "sampleRate",
        sampleRate,
        "a finite number above 0",
      );
    }
    const extradata = shape.extradata ?? EMPTY;
    if (!(extradata instanceof Uint8Array) || extradata.length > MAX_AUDIO_EXTRADATA_BYTES) {
      throw new InvalidFrameShapeError(
        "encoded-audio",
        "extradata",
        extradata instanceof Uint8Array ? `${extradata.length} bytes` : extradata,
        `a Uint8Array of at most ${MAX_AUDIO_EXTRADATA_BYTES} bytes`,
      );
    }
    const memory = this.#allocate(byteLength);
    if (memory === undefined) return undefined;
    return this.#hold(
      new OwnedEncodedAudioFrame(
        memory,
        { codec, sampleRate, channels, frameCount, extradata },
        this.#node,
        this.#ledger,
      ),
    );
  }

  gpuVideo(shape: GpuVideoShape): OwnedGpuVideoFrame | undefined {
    requireShape("video", shape);
    const { width, height, format } = shape;
    if (!GPU_PIXEL_FORMATS.includes(format)) {
      throw new InvalidFrameShapeError(
        "video",
        "format",
        format,
        `one of ${GPU_PIXEL_FORMATS.join(", ")} (a GPU frame)`,
        GPU_PIXEL_FORMATS,
      );
    }
    positiveInteger("video", "width", width);
    positiveInteger("video", "height", height);
    const gpu = this.#gpu;
    if (gpu === undefined) throw new GpuNotReadyError(this.#node);
    const pool = gpu.textures();
    const limit = pool.device!.limits.maxTextureDimension2D;
    if (width > limit) {
      throw new InvalidFrameShapeError("video", "width", width, `at most ${limit}`);
    }
    if (height > limit) {
      throw new InvalidFrameShapeError("video", "height", height, `at most ${limit}`);
    }
    const memory = pool.allocate({ width, height, format });
    if (memory === undefined) {
      this.#exhausted = this.#failed = true;
      this.#onExhausted?.();
      return undefined;
    }
    return this.#hold(new OwnedGpuVideoFrame(memory, this.#node, this.#ledger));
  }

  like(frame: GpuVideoFrame): OwnedGpuVideoFrame | undefined;
  like(frame: VideoFrame): OwnedVideoFrame | undefined;
  like<C extends number>(frame: AudioFrame<C>): OwnedAudioFrame<C> | undefined;
  like(frame: EncodedVideoFrame): OwnedEncodedVideoFrame | undefined;
  like(frame: EncodedAudioFrame): OwnedEncodedAudioFrame | undefined;
  like(
    frame: GpuVideoFrame | VideoFrame | AudioFrame | EncodedVideoFrame | EncodedAudioFrame,
  ): OwnedFrame<FramePayload> | undefined {
    requireShape("frame", frame);
    switch (frame.kind) {
      case "gpu-video":
        return this.gpuVideo(frame);
      case "video":
        return this.video(frame);
      case "audio":
        return this.audio(frame);
      case "encoded-video":
        return this.encoded({ codec: frame.codec, byteLength: frame.data.byteLength });
      case "encoded-audio":
        return this.encodedAudio({ ...audioStream(frame), byteLength: frame.data.byteLength });
      default:
        // A data frame has no payload to allocate; anything else is not a frame.
        throw new InvalidFrameShapeError(
          "frame",
          "kind",
          (frame as { kind?: unknown }).kind,
          "one of video, gpu-video, audio, encoded-video, encoded-audio",
          ["video", "gpu-video", "audio", "encoded-video", "encoded-audio"],
        );
    }
  }

  writable(frame: VideoFrame): OwnedVideoFrame | undefined;
  writable<C extends number>(frame: AudioFrame<C>): OwnedAudioFrame<C> | undefined;
  writable(frame: EncodedVideoFrame): OwnedEncodedVideoFrame | undefined;
  writable(frame: EncodedAudioFrame): OwnedEncodedAudioFrame | undefined;
  writable(frame: GpuVideoFrame): OwnedGpuVideoFrame | undefined;
  writable(
    frame: VideoFrame | AudioFrame | EncodedVideoFrame | EncodedAudioFrame | GpuVideoFrame,
  ): OwnedFrame<FramePayload> | undefined {
    if (frame instanceof OwnedFrame && frame.unique) {
      const at = this.#indexOf(frame);
      if (at >= 0) {
        this.#from[at] = undefined; // written in place: it is this run's output now
        return frame;
      }
    }
    switch (frame.kind) {
      case "video": {
        const copy = this.video(frame);
        if (copy === undefined) return undefined;
        copy.data.set(frame.data.subarray(0, copy.data.byteLength));
        copy.timestampNs = frame.timestampNs;
        copy.frameNumber = frame.frameNumber;
        return copy;
      }
      case "audio": {
        const copy = this.audio(frame);
        if (copy === undefined) return undefined;
        copy.samples.set(frame.samples.subarray(0, copy.samples.length));
        copy.timestampNs = frame.timestampNs;
        copy.frameNumber = frame.frameNumber;
        return copy;
      }
      case "encoded-video": {
        const copy = this.encoded({ codec: frame.codec, byteLength: frame.data.byteLength });
        if (copy === undefined) return undefined;
        copy.data.set(frame.data);
        copy.keyframe = frame.keyframe;
        copy.timestampNs = frame.timestampNs;
        copy.frameNumber = frame.frameNumber;
        return copy;
      }
      case "encoded-audio": {
        const bytes = frame.data;
        const copy = this.encodedAudio({ ...audioStream(frame), byteLength: bytes.byteLength });
        if (copy === undefined) return undefined;
        copy.data.set(bytes);
        copy.timestampNs = frame.timestampNs;
        copy.frameNumber = frame.frameNumber;
        return copy;
      }
      case "gpu-video": {
        const copy = this.gpuVideo(frame);
        if (copy === undefined) return undefined;
        const device = this.#gpu!.device;
        const encoder = device.createCommandEncoder();
        encoder.copyTextureToTexture({ texture: frame.texture }, { texture: copy.texture }, [
          frame.width,
          frame.height,
        ]);
        device.queue.submit([encoder.finish()]);
        copy.timestampNs = frame.timestampNs;
        copy.frameNumber = frame.frameNumber;
        return copy;
      }
    }
  }

  keep<F>(frame: F): KeptFrame<F> {
    this.#consume(frame);
    if (frame instanceof OwnedFrame && frame.heldBy !== this.#node) {
      frame.holder = { node: this.#node, label: frame.heldAt };
    }
    return new Kept(frame);
  }

  consume(frame: unknown): void {
    this.#consume(frame);
  }

  drop(frame: unknown): void {
    this.#consume(frame);
    this.#dropped++;
  }

  /** Frames counted by {@linkcode NodeFrames.drop} since the node was made. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Makes this the owner of a node's ports, as the runtime does for every node: what its inputs
   * hand out is the run's (released after it, or given back), and its writes end what the run
   * read before them.
   *
   * @param ports The node's port table (`definition.ports()`).
   */
  bind(ports: BindablePorts): void {
    for (const input of ports.inputBindings) {
      input.owner = this;
      input.node = this.#node; // frames it hands out are held by this node
    }
    for (const output of ports.outputBindings) output.owner = this;
  }

  /**
   * Takes over a reference to `frame` for the current run (the runtime calls it for every frame
   * an input hands out). Plain-object frames hold no reference; they are remembered only so that
   * a run that ends for want of memory gives them back too.
   *
   * @param frame A frame read from an input.
   * @param from The input it was read from, which takes it back if the run ends for want of
   *   memory before writing anything after reading it.
   */
  adopt(frame: unknown, from?: FrameReturn): void {
    if (isOwnedFrame(frame)) {
      if (this.#ledger !== undefined) frame.track(this.#ledger);
      frame.holder = from ?? this.#holder;
    } else if (from === undefined) return;
    else this.#plainHeld++;
    this.#from[this.#heldCount] = from;
    this.#held[this.#heldCount++] = frame;
  }

  /**
   * A frame given back to an input was dropped there without being read again: counted as
   * dropped by this node.
   *
   * @param _frame The frame.
   */
  discard(_frame: unknown): void {
    this.#dropped++;
  }

  /**
   * The run wrote a frame to an output (the runtime calls it on every write): what it read up to
   * here is finished, and stays finished if a later allocation of the run fails.
   */
  wrote(): void {
    this.#written = this.#heldCount;
  }

  /**
   * Ends a run (after each `process()`): releases every reference the run held, except that when
   * an allocation failed in it, the frames it read since its last write, and did not drop, keep
   * or make writable in place, go back to the front of their inputs with their references, in the
   * order read, so the next run reads them again and back-pressure loses nothing.
   */
  flush(): void {
    const n = this.#heldCount;
    const giveBackFrom = this.#failed ? this.#written : n;
    this.#failed = false;
    this.#written = 0;
    if (n === 0) return;
    this.#heldCount = 0;
    const held = this.#held;
    const plain = this.#plainHeld;
    this.#plainHeld = 0;
    // `#from` entries are not cleared: each is written again before it is read.
    if (plain === 0) {
      for (let i = 0; i < giveBackFrom; i++) {
        const frame = held[i] as OwnedFrame;
        held[i] = undefined;
        frame.release();
      }
    } else {
      for (let i = 0; i < giveBackFrom; i++) {
        const frame = held[i];
        held[i] = undefined;
        if (isOwnedFrame(frame)) frame.release();
      }
    }
    if (giveBackFrom === n) return;
    const from = this.#from;
    // Last first: each input puts a frame in front of those already given back.
    for (let i = n - 1; i >= giveBackFrom; i--) {
      const frame = held[i];
      const input = from[i];
      held[i] = undefined;
      if (input !== undefined) input.giveBack(frame);
      else if (frame instanceof OwnedFrame) frame.release();
    }
  }

  /** Whether an allocation failed since the last call (the runtime waits for memory). */
  takeExhausted(): boolean {
    const exhausted = this.#exhausted;
    this.#exhausted = false;
    return exhausted;
  }

  /** Calls `callback` once, when the memory source frees memory (or the GPU pool a texture). */
  onMemoryFree(callback: () => void): void {
    const gpu = this.#gpu;
    if (gpu === undefined || !gpu.available) return this.#memory.onFree(callback);
    let called = false;
    const once = () => {
      if (called) return;
      called = true;
      callback();
    };
    this.#memory.onFree(once);
    gpu.textures().onFree(once);
  }

  #allocate(byteLength: number) {
    const memory = this.#spare && this.#memory.allocateSpare
      ? this.#memory.allocateSpare(byteLength)
      : this.#memory.allocate(byteLength);
    if (memory === undefined) {
      this.#exhausted = this.#failed = true;
      this.#onExhausted?.();
    }
    return memory;
  }

  #hold<F extends OwnedFrame<FramePayload>>(frame: F): F {
    this.#from[this.#heldCount] = undefined;
    this.#held[this.#heldCount++] = frame;
    return frame;
  }

  /** Where the run holds `frame`, the newest reference first; -1 when it holds none. */
  #indexOf(frame: unknown): number {
    const held = this.#held;
    for (let i = this.#heldCount - 1; i >= 0; i--) if (held[i] === frame) return i;
    return -1;
  }

  /** `frame` is used up by this run (dropped, kept): it never goes back to its input. */
  #consume(frame: unknown): void {
    const at = this.#indexOf(frame);
    if (at >= 0) this.#from[at] = undefined;
  }
}
