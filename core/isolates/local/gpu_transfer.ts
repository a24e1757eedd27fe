/**
 * The transfers a connection makes between CPU and GPU frames (GStreamer's `glupload` and
 * `gldownload`, but in the connection, not as nodes): {@linkcode UploadReader} at the reading end
 * of a connection into a GPU input, {@linkcode DownloadWriter} at the writing end of a
 * connection from a GPU output into a CPU input or another isolate.
 *
 * @module
 */

import type { ConnectionReader, ConnectionWriter } from "../../transport/connection.ts";
import type { DeliveryPolicy } from "../../transport/ring.ts";
import type { FrameMemorySource } from "../../frames/memory.ts";
import { type FrameLedger, OwnedVideoFrame, releaseFrame } from "../../frames/owned_frame.ts";
import { OwnedGpuVideoFrame } from "../../frames/owned_gpu_frame.ts";
import type { GpuResources } from "../../gpu/gpu_context.ts";
import { GPU_PIXEL_FORMATS, type GpuPixelFormat } from "../../gpu/gpu_video_frame.ts";
import type { VideoFrame } from "../../frames/video_frame.ts";
import type { MediaClock } from "../../time/media_clock.ts";
import { paddedRowBytes, unpadRows } from "../../gpu/frame_io.ts";

/** The counters a transfer adds to its connection's stats. */
export interface TransferStats {
  /** Which transfer the connection makes. */
  transfer: "upload" | "download";
  /** CPU frames uploaded into textures. */
  uploads: number;
  /** GPU frames downloaded into CPU memory. */
  downloads: number;
  /** Time spent in transfers, in nanoseconds (an upload's call; a download's copy to mapped). */
  transferNs: number;
  /** Bytes moved. */
  transferBytes: number;
  /**
   * Frames the transfer dropped: a CPU frame of a format the upload does not take, a download
   * with no memory for its copy, a `latest` connection with its capacity of downloads in flight.
   */
  transferDropped: number;
}

/** What a transfer needs from its isolate. */
export interface TransferEnvironment {
  /** The isolate's GPU resources. */
  readonly gpu: GpuResources;
  /** The isolate's frame memory (for downloads). */
  readonly memory: FrameMemorySource;
  /** Where live frames are counted. */
  readonly ledger?: FrameLedger;
  /** The media clock (transfer times). */
  readonly clock: MediaClock;
  /** Reports a warning about the connection (once per cause). */
  warn(code: "gpu_upload_format", message: string): void;
}

/** A transfer's common part: its counters. */
abstract class Transfer {
  /** The counters. */
  readonly counters: TransferStats;

  constructor(transfer: "upload" | "download") {
    this.counters = {
      transfer,
      uploads: 0,
      downloads: 0,
      transferNs: 0,
      transferBytes: 0,
      transferDropped: 0,
    };
  }
}

/**
 * The reading end of a connection into a GPU input: each CPU video frame read is written into a
 * texture of the isolate's pool (`queue.writeTexture`) and handed out as an
 * {@linkcode OwnedGpuVideoFrame}; the CPU frame is released. Frames the reader skips are never
 * uploaded. When the pool is exhausted the frame waits (the reader reads nothing) and the reader
 * is woken when a texture is freed.
 */
export class UploadReader extends Transfer implements ConnectionReader<unknown>, Disposable {
  readonly #inner: ConnectionReader<unknown> & { clear?(): number };
  readonly #env: TransferEnvironment;
  readonly #origin: string;
  readonly #onData: () => void;
  #pending: unknown = undefined;
  #warned = false;
  #waiting = false;

  /**
   * Wraps the connection's reader.
   *
   * @param inner The connection's reader (CPU frames).
   * @param env The isolate's GPU, memory, ledger and clock.
   * @param origin The name the uploaded frames carry as their maker (`conn_1:upload`).
   * @param onData Wakes the reading node (a texture was freed).
   */
  constructor(
    inner: ConnectionReader<unknown> & { clear?(): number },
    env: TransferEnvironment,
    origin: string,
    onData: () => void,
  ) {
    super("upload");
    this.#inner = inner;
    this.#env = env;
    this.#origin = origin;
    this.#onData = onData;
  }

  get available(): number {
    return (this.#pending === undefined ? 0 : 1) + this.#inner.available;
  }

  get ended(): boolean {
    return this.#pending === undefined && this.#inner.ended === true;
  }

  pop(): unknown {
    for (;;) {
      const frame = this.#pending ?? this.#inner.pop();
      this.#pending = undefined;
      if (frame === undefined) return undefined;
      const uploaded = this.#upload(frame);
      if (uploaded !== null) return uploaded;
    }
  }

  popLatest(): unknown {
    const newest = this.#inner.popLatest();
    if (newest !== undefined && this.#pending !== undefined) {
      releaseFrame(this.#pending);
      this.#pending = undefined;
    }
    const frame = newest ?? this.#pending;
    this.#pending = undefined;
    if (frame === undefined) return undefined;
    const uploaded = this.#upload(frame);
    return uploaded === null ? this.pop() : uploaded;
  }

  requestKeyframe(): void {
    this.#inner.requestKeyframe?.();
  }

  setDiscarding(discarding: boolean): void {
    if (discarding) this.#dropPending();
    this.#inner.setDiscarding?.(discarding);
  }

  /**
   * Drops what waits (the frame waiting for a texture and the connection's queue).
   *
   * @returns How many frames the connection's queue dropped.
   */
  clear(): number {
    this.#dropPending();
    return this.#inner.clear?.() ?? 0;
  }

  [Symbol.dispose](): void {
    this.#dropPending();
    (this.#inner as Partial<Disposable>)[Symbol.dispose]?.();
  }

  #dropPending(): void {
    if (this.#pending === undefined) return;
    releaseFrame(this.#pending);
    this.#pending = undefined;
  }

  /**
   * The frame as a GPU frame; `undefined` (the frame kept for later) when no texture is free;
   * `null` when it was dropped.
   */
  #upload(frame: unknown): unknown {
    const cpu = frame as VideoFrame | { kind?: string };
    if (cpu.kind !== "video") return frame; // already a GPU frame, or not a frame at all
    const video = cpu as VideoFrame;
    if (!GPU_PIXEL_FORMATS.includes(video.format as GpuPixelFormat)) {
      this.counters.transferDropped++;
      releaseFrame(frame);
      if (!this.#warned) {
        this.#warned = true;
        this.#env.warn(
          "gpu_upload_format",
          `A CPU frame in ${video.format} reached a GPU input: the upload takes ${
            GPU_PIXEL_FORMATS.join(" and ")
          } frames (convert it first); dropped`,
        );
      }
      return null;
    }
    const pool = this.#env.gpu.textures;
    const device = pool.device;
    const memory = device &&
      pool.allocate({
        width: video.width,
        height: video.height,
        format: video.format as GpuPixelFormat,
      });
    if (memory === undefined || device === undefined) {
      this.#pending = frame; // waits for a texture (or for the node's device)
      if (!this.#waiting && device !== undefined) {
        this.#waiting = true;
        pool.onFree(() => {
          this.#waiting = false;
          this.#onData();
        });
      }
      return undefined;
    }
    const start = this.#env.clock.nowNs();
    const gpu = new OwnedGpuVideoFrame(memory, this.#origin, this.#env.ledger);
    const rowBytes = video.width * 4;
    device.queue.writeTexture(
      { texture: memory.texture },
      video.data as Uint8Array<ArrayBuffer>,
      { bytesPerRow: video.stride, rowsPerImage: video.height },
      [video.width, video.height],
    );
    gpu.timestampNs = video.timestampNs;
    gpu.frameNumber = video.frameNumber;
    releaseFrame(frame);
    const counters = this.counters;
    counters.uploads++;
    counters.transferBytes += rowBytes * video.height;
    counters.transferNs += this.#env.clock.nowNs() - start;
    return gpu;
  }
}

interface Download {
  readonly buffer: GPUBuffer;
  readonly bytesPerRow: number;
  readonly width: number;
  readonly height: number;
  readonly format: GpuPixelFormat;
  readonly timestampNs: number;
  readonly frameNumber: number;
  readonly origin: string;
  readonly start: number;
  done: boolean;
  failed: boolean;
}

/**
 * The writing end of a connection from a GPU output to a CPU input (or to another isolate): each
 * GPU frame written is copied into a mappable buffer (`copyTextureToBuffer`), and when the map
 * resolves, into a CPU video frame of the isolate's frame memory, which goes into the connection
 * in the order written. Downloads in flight count against a `fifo` connection's space; a
 * `latest` one drops a frame when its capacity of downloads is in flight. End of stream waits
 * for the downloads in flight.
 */
export class DownloadWriter extends Transfer implements ConnectionWriter<unknown> {
  readonly #inner: ConnectionWriter<unknown>;
  readonly #env: TransferEnvironment;
  readonly #policy: DeliveryPolicy;
  readonly #limit: number;
  readonly #inflight: Download[] = [];
  readonly #buffers = new Map<number, GPUBuffer[]>();
  #idle: (() => void)[] = [];
  /** A writer waiting for room that downloads in flight, not the connection, hold back. */
  #spaceWaiter: (() => void) | undefined;
  #endPending = false;
  #closed = false;
  #fullRejections = 0;

  /**
   * Wraps the connection's writer.
   *
   * @param inner The connection's writer (CPU frames).
   * @param env The isolate's GPU, memory, ledger and clock.
   * @param options The connection's policy and capacity.
   */
  constructor(
    inner: ConnectionWriter<unknown>,
    env: TransferEnvironment,
    options: { policy: DeliveryPolicy; capacity: number },
  ) {
    super("download");
    this.#inner = inner;
    this.#env = env;
    this.#policy = options.policy;
    this.#limit = Math.max(1, options.capacity);
  }

  get space(): number {
    return Math.max(0, (this.#inner.space ?? Infinity) - this.#inflight.length);
  }

  get capacity(): number | undefined {
    return this.#inner.capacity;
  }

  /** Downloads in flight. */
  get inFlight(): number {
    return this.#inflight.length;
  }

  /** Pushes this end refused (a `fifo` connection whose space downloads in flight took). */
  get fullRejections(): number {
    return this.#fullRejections;
  }

  push(frame: unknown): boolean {
    const gpu = frame as OwnedGpuVideoFrame | { kind?: string };
    if (gpu?.kind !== "gpu-video") return this.#inner.push(frame);
    if (this.#closed) return true;
    if (this.#policy === "fifo" && this.space <= 0) {
      this.#fullRejections++;
      return false;
    }
    if (this.#inflight.length >= this.#limit) {
      this.counters.transferDropped++; // `latest`: this frame rolls off before it is made
      return true;
    }
    const device = this.#env.gpu.textures.device;
    if (device === undefined) {
      this.counters.transferDropped++;
      return true;
    }
    const { width, height, format, texture } = gpu as OwnedGpuVideoFrame;
    const bytesPerRow = paddedRowBytes(width * 4);
    const size = bytesPerRow * height;
    const buffer = this.#buffers.get(size)?.pop() ??
      device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    // Queue order: a later writer of this texture (once the frame is released and the texture
    // reused) submits after this copy, so the frame need not be held until it is done.
    encoder.copyTextureToBuffer({ texture }, { buffer, bytesPerRow, rowsPerImage: height }, [
      width,
      height,
    ]);
    device.queue.submit([encoder.finish()]);
    const job: Download = {
      buffer,
      bytesPerRow,
      width,
      height,
      format,
      timestampNs: (gpu as OwnedGpuVideoFrame).timestampNs,
      frameNumber: (gpu as OwnedGpuVideoFrame).frameNumber,
      origin: (gpu as OwnedGpuVideoFrame).origin ?? "",
      start: this.#env.clock.nowNs(),
      done: false,
      failed: false,
    };
    this.#inflight.push(job);
    buffer.mapAsync(GPUMapMode.READ).then(
      () => {
        job.done = true;
        this.#finish();
      },
      () => {
        job.done = job.failed = true;
        this.#finish();
      },
    );
    return true;
  }

  end(ended: boolean): void {
    if (ended && this.#inflight.length > 0) {
      this.#endPending = true;
      return;
    }
    this.#endPending = false;
    this.#inner.end?.(ended);
  }

  onSpace(callback: () => void): void {
    // With room in the connection and none left to downloads in flight, the connection would
    // call back at once, and a writer woken to find no space again would spin until a map
    // resolves: wait for a download to finish instead.
    if (this.#inflight.length > 0 && this.space <= 0 && (this.#inner.space ?? Infinity) > 0) {
      this.#spaceWaiter = callback;
      return;
    }
    this.#spaceWaiter = undefined;
    this.#inner.onSpace?.(callback);
  }

  takeKeyframeRequest(): boolean {
    return this.#inner.takeKeyframeRequest?.() ?? false;
  }

  /** Resolves when no download is in flight. */
  idle(): Promise<void> {
    if (this.#inflight.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops delivering: downloads in flight finish into nothing; staging buffers are destroyed. */
  close(): void {
    this.#closed = true;
    const waiter = this.#spaceWaiter;
    this.#spaceWaiter = undefined;
    waiter?.();
    for (const list of this.#buffers.values()) for (const buffer of list) buffer.destroy();
    this.#buffers.clear();
  }

  #finish(): void {
    const inflight = this.#inflight;
    while (inflight.length > 0 && inflight[0].done) {
      const job = inflight.shift()!;
      this.#deliver(job);
    }
    const waiter = this.#spaceWaiter;
    if (waiter !== undefined && (this.space > 0 || inflight.length === 0)) {
      // The connection calls back at once if it has room, else when its reader reads.
      this.#spaceWaiter = undefined;
      if (this.#inner.onSpace) this.#inner.onSpace(waiter);
      else waiter();
    }
    if (inflight.length > 0) return;
    if (this.#endPending) {
      this.#endPending = false;
      this.#inner.end?.(true);
    }
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  #deliver(job: Download): void {
    const { buffer, width, height, bytesPerRow } = job;
    if (this.#closed || job.failed) {
      if (!job.failed) buffer.unmap();
      buffer.destroy();
      this.counters.transferDropped++;
      return;
    }
    const rowBytes = width * 4;
    const memory = this.#env.memory.allocate(rowBytes * height);
    if (memory === undefined) {
      buffer.unmap();
      this.#recycle(buffer);
      this.counters.transferDropped++;
      return;
    }
    const frame = new OwnedVideoFrame(
      memory,
      { width, height, format: job.format, stride: rowBytes },
      job.origin,
      this.#env.ledger,
    );
    unpadRows(new Uint8Array(buffer.getMappedRange()), bytesPerRow, rowBytes, height, frame.data);
    buffer.unmap();
    this.#recycle(buffer);
    frame.timestampNs = job.timestampNs;
    frame.frameNumber = job.frameNumber;
    this.#inner.push(frame); // the connection takes its own reference
    frame.release(); // the transfer's
    const counters = this.counters;
    counters.downloads++;
    counters.transferBytes += rowBytes * height;
    counters.transferNs += this.#env.clock.nowNs() - job.start;
  }

  #recycle(buffer: GPUBuffer): void {
    let list = this.#buffers.get(buffer.size);
    if (list === undefined) this.#buffers.set(buffer.size, list = []);
    if (list.length < this.#limit) list.push(buffer);
    else buffer.destroy();
  }
}
