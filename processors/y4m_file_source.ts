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
  RotatingPool,
  type SetupContext,
  type VideoFrame,
} from "../mod.ts";
import { TruncatedY4mFrameError, Y4mHeaderError } from "./formats/y4m_errors.ts";
import { Y4mReader } from "./formats/y4m_reader.ts";
import type { Y4mFileSourceTypes } from "./y4m_file_source.gen.ts";

/**
 * Config of {@linkcode Y4mFileSource}.
 *
 * @example Record bars at 25 fps, then play the file in a loop
 * ```ts
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
 * console.log(play.stats().nodes.y4m.periodNs); // 40000000
 * console.log(play.stats().nodes.sink.framesIn > 0); // true
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

type Frame = { -readonly [K in keyof VideoFrame]: VideoFrame[K] };

/** Frames in the rotating pool: keep downstream connection capacities below this minus one. */
const POOL_SIZE = 8;

/**
 * Plays a YUV4MPEG2 (`.y4m`) file as I420 frames, one frame per `process()` call.
 *
 * The file is opened in `setup()` (a missing, malformed or non-4:2:0 file fails there with a
 * `Y4mReadError` naming the path; so does an odd width or height, which I420 frames here cannot
 * hold) and read with async file I/O in `process()`.
 *
 * End of stream: without `loop`, the first `process()` call that finds no frame left sets
 * {@linkcode Y4mFileSource.ended} and writes nothing, as every later call does. With `loop`, the file is reopened at its end (one open per
 * pass, not per frame) and frames run on. A frame cut short by the end of the file counts as the
 * end. Frame `n` is stamped `start + n / frameRate` seconds (the header's `F` rate), where `start`
 * is the clock time at `setup()`; `1 / frameRate` is also the loop period declared to the runtime
 * in `setup()` (`ctx.loop.setPeriodNs`; readable as {@linkcode Y4mFileSource.periodNs}). Frames
 * come from a rotating pool of 8.
 *
 * @example Play a two-frame file
 * ```ts
 * import { connectLocal, InputBinding, monotonicClock, type VideoFrame } from "@streamlib/streamlib";
 * import { y4mFileSourceNode } from "@streamlib/streamlib/processors";
 * import { Y4mWriter } from "./formats/y4m_writer.ts";
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
 * const ctx = { node: "y4m", clock: monotonicClock };
 * await source.setup(ctx);
 * while (!source.ended) await source.process(ctx);
 * console.log(sink.read()?.data[0], sink.read()?.data[0], sink.read()); // 128 64 undefined
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
  #pool: RotatingPool<Frame> | undefined;
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
   * Opens the file, checks its size, allocates the frame pool and declares the loop period.
   *
   * @param ctx The node's name and clock.
   * @throws {Y4mReadError} When the file is missing, malformed, not 4:2:0, or of odd size.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    const { path } = this.config;
    this.teardown();
    const reader = await Y4mReader.open(path);
    const { width, height, frameRate } = reader.header;
    if (width % 2 !== 0 || height % 2 !== 0) {
      reader.close();
      throw new Y4mHeaderError(
        path,
        `size ${width}x${height} is odd, expected an even width and height for I420 frames`,
        `W${width} H${height}`,
      );
    }
    this.#reader = reader;
    this.#pool = new RotatingPool<Frame>(POOL_SIZE, () => ({
      kind: "video",
      width,
      height,
      format: "I420",
      stride: width,
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array(reader.frameByteLength),
    }));
    this.#ended = false;
    this.#frames = 0;
    this.#periodNs = (frameRate.denominator * 1e9) / frameRate.numerator;
    this.#startNs = Math.round(ctx.clock.nowNs());
    ctx.loop?.setPeriodNs(this.#periodNs);
  }

  /**
   * Reads the next frame and writes it to `video`; does nothing once the file has ended.
   *
   * @param _ctx The node's name and clock.
   */
  async process(_ctx: ProcessContext): Promise<void> {
    const pool = this.#pool;
    if (!this.#reader || !pool || this.#ended) return;
    pool.fit(this.outputs.video.capacity);
    const frame = pool.next();
    let got = await this.#read(frame.data);
    if (!got && this.config.loop && this.#reader.framesRead > 0) {
      this.#reader.close();
      this.#reader = await Y4mReader.open(this.config.path);
      got = await this.#read(frame.data);
    }
    if (!got) {
      this.#ended = true;
      return;
    }
    const n = this.#frames++;
    frame.frameNumber = n;
    frame.timestampNs = this.#startNs + Math.round(n * this.#periodNs);
    this.outputs.video.write(frame);
  }

  /** Closes the file. */
  override teardown(): void {
    this.#reader?.close();
    this.#reader = undefined;
  }

  /** Reads one frame; a frame cut short by the end of the file counts as the end. */
  async #read(out: Uint8Array): Promise<boolean> {
    try {
      return await this.#reader!.readFrame(out);
    } catch (error) {
      if (error instanceof TruncatedY4mFrameError) return false;
      throw error;
    }
  }
}
