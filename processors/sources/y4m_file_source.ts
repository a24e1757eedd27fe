/**
 * The {@linkcode Y4mFileSource} processor.
 *
 * @module
 */

import {
  config,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import type { Y4mReader } from "../formats/y4m_reader.ts";
import type { Y4mFileSourceTypes } from "./y4m_file_source.gen.ts";

/**
 * Config of {@linkcode Y4mFileSource}.
 *
 * @example Record bars at 25 fps, then play the file in a loop
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, NullSink, TestPattern, Y4mFileSource, type Y4mFileSourceConfig, Y4mWriter } from "@streamlib/streamlib/processors";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/bars.y4m`;
 * const record = createRuntime();
 * const pattern = record.add(TestPattern, { width: 64, height: 48, fps: 25 });
 * const writer = record.add(Y4mWriter, { path, width: 64, height: 48, fps: 25 });
 * record.connect(pattern.outputs.video, writer.inputs.in);
 * await record.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await record.stop();
 *
 * const config: Y4mFileSourceConfig = { path, loop: true };
 * const play = createRuntime();
 * const source = play.add(Y4mFileSource, config, { id: "y4m" });
 * const sink = play.add(NullSink, {}, { id: "sink" });
 * play.connect(source.outputs.video, sink.inputs.in);
 * await play.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await play.stop();
 * assert.equal(play.stats().nodes.y4m.periodNs, 40000000);
 * assert.ok(play.stats().nodes.sink.framesIn > 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface Y4mFileSourceConfig {
  /**
   * The YUV4MPEG2 file to play (8-bit 4:2:0: `C420jpeg`, `C420`, `C420mpeg2` or `C420paldv`).
   *
   * @minLength 1
   */
  path: string;
  /**
   * Start again from the first frame at the end of the file instead of ending.
   *
   * @live
   * @default false
   */
  loop: boolean;
}

/**
 * Plays a YUV4MPEG2 (`.y4m`) file as I420 frames, one frame per `process()` call.
 *
 * The file is opened in `setup()` (a missing, malformed or non-4:2:0 file fails there with a
 * `Y4mReadError` naming the path and carrying a `code`; so does an odd width or height, which I420
 * frames here cannot hold, and a path that is a folder, FIFO or device: `not_regular_file`, refused
 * before opening, so a FIFO with no writer never blocks). Frames are read with async file I/O in
 * `process()` straight into frames from `ctx.frames`: no copy afterwards, also across Workers. When
 * no frame memory is free, nothing is read and the frame comes on a later run. `streamlib validate`
 * opens the file the same way (`checkInput`). Frames are limited range: a full-range file
 * (`XCOLORRANGE=FULL`, FFmpeg's `yuvj420p`) is scaled to it as it is read. Interlaced files (`It`,
 * `Ib`, `Im`) play as they are stored, each frame its two fields woven. A frame larger than the
 * runtime's `maxFrameBytes` (64 MiB by default; 8192x8192 is 96 MiB) fails the first `process()`
 * with `frame_too_large`, before anything is allocated for it.
 *
 * End of stream: without `loop`, the run that writes the last frame calls `ctx.endOfStream()`
 * and sets {@linkcode Y4mFileSource.ended}; later calls write nothing. A frame cut short by the end
 * of the file counts as the end, with a `warn` line in the node's log naming the frame and the
 * bytes missing. With `loop`, the file is reopened at its end (one open per pass, not per frame)
 * and frames run on; a file whose size changed meanwhile fails the node (`bad_header`). Frame `n` is
 * stamped `start + n / frameRate` seconds (the header's `F` rate), where `start` is the clock time
 * at `setup()`; `1 / frameRate` is also the loop period declared to the runtime in `setup()`
 * (`ctx.loop.setPeriodNs`; readable as {@linkcode Y4mFileSource.periodNs}).
 *
 * @example Play a two-frame file
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, InputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { y4mFileSourceNode } from "./y4m_file_source.gen.ts";
 * import { Y4mWriter } from "../formats/y4m_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const writer = await Y4mWriter.create(`${dir}/grey.y4m`, { width: 4, height: 2 });
 * await writer.writeFrame(new Uint8Array(12).fill(128));
 * await writer.writeFrame(new Uint8Array(12).fill(64));
 * await writer.close();
 *
 * const ports = y4mFileSourceNode.ports();
 * const source = y4mFileSourceNode.create({ path: `${dir}/grey.y4m` }, ports);
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(ports.output("video"), sink);
 * const ctx = createProcessContext("y4m");
 * await source.setup(ctx);
 * while (!source.ended) {
 *   await source.process(ctx);
 *   ctx.frames.flush(); // what the runtime does when process() returns
 * }
 * assert.ok(ctx.ended); // the source said end of stream with its last frame
 * assert.deepEqual([sink.read()?.data[0], sink.read()?.data[0], sink.read()], [128, 64, undefined]);
 * await source.teardown();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
@processor({ tags: ["video", "source", "file"], mode: "loop" })
export class Y4mFileSource extends Processor<Y4mFileSourceTypes> {
  /** The file's frames, I420. */
  @output()
  video!: OutputPort<VideoFrame>;

  /** File and looping. */
  @config()
  config!: Y4mFileSourceConfig;

  #reader: Y4mReader | undefined;
  #ended = false;
  #frames = 0;
  #startNs = 0;
  #periodNs = 0;

  /** The open file's size and frame rate (from its header); `undefined` before `setup()`. */
  get header():
    | {
      readonly width: number;
      readonly height: number;
      readonly frameRate: { readonly numerator: number; readonly denominator: number };
    }
    | undefined {
    return this.#reader?.header;
  }

  /** Whether every frame of the file has been written out (never, with `loop`). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Nanoseconds between frames (from the header's frame rate); 0 before `setup()`. */
  get periodNs(): number {
    return this.#periodNs;
  }

  /**
   * Opens the file as `setup()` does and closes it again: what `streamlib validate` runs, so a
   * file the source cannot play (not 4:2:0, an odd size, a bad header) is refused before a run.
   *
   * @param config The node's config.
   * @throws {Y4mReadError} When the file is missing, not a regular file, not YUV4MPEG2, not 8-bit
   * 4:2:0 or of an odd size (its `code` says which).
   */
  static async checkInput(config: { path: string }): Promise<void> {
    (await openY4m(config.path)).close();
  }

  /**
   * Opens the file, checks its size and declares the loop period.
   *
   * @param ctx The node's name and clock.
   * @throws {Y4mReadError} When the file is missing, not a regular file, malformed, not 4:2:0,
   *   or of odd size.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    const { path } = this.config;
    this.teardown();
    const reader = await openY4m(path);
    const { frameRate } = reader.header;
    this.#reader = reader;
    this.#ended = false;
    this.#frames = 0;
    this.#periodNs = (frameRate.denominator * 1e9) / frameRate.numerator;
    this.#startNs = Math.round(ctx.clock.nowNs());
    ctx.loop?.setPeriodNs(this.#periodNs);
  }

  /**
   * Reads the next frame into a frame from `ctx.frames` and writes it to `video`; says end of
   * stream with the last one; does nothing once the file has ended.
   *
   * @param ctx The node's name, clock and frames.
   */
  async process(ctx: ProcessContext): Promise<void> {
    const reader = this.#reader;
    if (!reader || this.#ended) return;
    const { width, height } = reader.header;
    const frame = ctx.frames.video({ width, height, format: "I420" });
    if (frame === undefined) return; // no frame memory free: nothing read, the frame comes later
    let got = await this.#read(frame.data, ctx);
    if (!got && this.config.loop && this.#reader!.framesRead > 0) {
      this.#reader!.close();
      this.#reader = await openY4m(this.config.path);
      const now = this.#reader.header;
      if (now.width !== width || now.height !== height) {
        const { Y4mHeaderError } = await import("../formats/_y4m_errors.ts"); // loaded by openY4m
        throw new Y4mHeaderError(
          this.config.path,
          `the file changed while playing: it is ${now.width}x${now.height} now, it was ${width}x${height}`,
          `W${now.width} H${now.height}`,
        );
      }
      got = await this.#read(frame.data, ctx);
    }
    if (got) {
      const n = this.#frames++;
      frame.frameNumber = n;
      frame.timestampNs = this.#startNs + Math.round(n * this.#periodNs);
      this.outputs.video.write(frame);
    }
    if (!got || (!this.config.loop && this.#reader!.atEnd)) {
      this.#ended = true;
      ctx.endOfStream();
    }
  }

  /** Closes the file. */
  override teardown(): void {
    this.#reader?.close();
    this.#reader = undefined;
  }

  /** Reads one frame; a frame cut short by the end of the file counts as the end (logged). */
  async #read(out: Uint8Array, ctx: ProcessContext): Promise<boolean> {
    try {
      return await this.#reader!.readFrame(out);
    } catch (error) {
      const { TruncatedY4mFrameError } = await import("../formats/_y4m_errors.ts");
      if (!(error instanceof TruncatedY4mFrameError)) throw error;
      const { frameIndex, expectedBytes, actualBytes } = error;
      ctx.log.warn(`${error.message}; the file ends at frame ${frameIndex}`, {
        path: this.config.path,
        frameIndex,
        expectedBytes,
        actualBytes,
      });
      return false;
    }
  }
}

/**
 * Opens a Y4M file for the source: the reader is imported here, on first use (a program that never
 * reads Y4M does not load it), and an odd size, which I420 frames cannot hold, is refused.
 */
async function openY4m(path: string): Promise<Y4mReader> {
  const { Y4mReader } = await import("../formats/y4m_reader.ts");
  const { Y4mHeaderError } = await import("../formats/_y4m_errors.ts");
  const reader = await Y4mReader.open(path);
  const { width, height } = reader.header;
  if (width % 2 !== 0 || height % 2 !== 0) {
    reader.close();
    throw new Y4mHeaderError(
      path,
      `size ${width}x${height} is odd, expected an even width and height for I420 frames`,
      `W${width} H${height}`,
    );
  }
  return reader;
}
