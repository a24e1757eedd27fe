/**
 * The {@linkcode TestPattern} processor.
 *
 * @module
 */

import {
  config,
  ConfigValidationError,
  output,
  type OutputPort,
  type PixelFormat,
  type ProcessContext,
  Processor,
  processor,
  RotatingPool,
  type SetupContext,
  type VideoFrame,
} from "../mod.ts";
import { TestPatternRenderer } from "./video/test_pattern.ts";
import type { TestPatternTypes } from "./test_pattern.gen.ts";

/** Config of {@linkcode TestPattern}. */
export interface TestPatternConfig {
  /**
   * Frame width in pixels (even for I420 and NV12).
   *
   * @integer
   * @minimum 2
   * @maximum 7680
   * @default 640
   */
  width: number;
  /**
   * Frame height in pixels (even for I420 and NV12).
   *
   * @integer
   * @minimum 2
   * @maximum 4320
   * @default 480
   */
  height: number;
  /**
   * Frames per second; sets the frame timestamps and the loop period.
   *
   * @exclusiveMinimum 0
   * @maximum 240
   * @default 30
   */
  fps: number;
  /**
   * Pixel format of the frames.
   *
   * @default "RGBA"
   */
  pixelFormat: "RGBA" | "BGRA" | "I420" | "NV12";
}

type Frame = { -readonly [K in keyof VideoFrame]: VideoFrame[K] };

/** Frames in the rotating pool: keep downstream connection capacities below this minus one. */
const POOL_SIZE = 8;

/**
 * Generates SMPTE colour bars with a bouncing white box, one frame per `process()` call.
 *
 * Frame `n` is stamped `start + n / fps` seconds, where `start` is the clock time at `setup()`;
 * the box position depends only on `n`, so any frame can be reproduced. Frames come from a
 * rotating pool of 8, so a frame is reused after 7 others: keep downstream connection capacities
 * below that (the default is 4). The loop period, `1 / fps`, is declared to the runtime in `setup()`
 * (`ctx.loop.setPeriodNs`) and readable as {@linkcode TestPattern.periodNs}.
 *
 * @example Render one 64x48 I420 frame
 * ```ts
 * import { connectLocal, InputBinding, monotonicClock, type VideoFrame } from "@streamlib/streamlib";
 * import { testPatternNode } from "@streamlib/streamlib/processors";
 *
 * const ports = testPatternNode.ports();
 * const pattern = testPatternNode.create({ width: 64, height: 48, pixelFormat: "I420" }, ports);
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(ports.output("video"), sink);
 * const ctx = { node: "bars", clock: monotonicClock };
 * pattern.setup(ctx);
 * pattern.process(ctx);
 * const frame = sink.read()!;
 * console.log(frame.width, frame.height, frame.format, frame.data.length); // 64 48 I420 4608
 * ```
 */
@processor({ tags: ["video", "source", "test"], mode: "loop" })
export class TestPattern extends Processor<TestPatternTypes> {
  /** The test pattern frames. */
  @output()
  video!: OutputPort<VideoFrame>;

  /** Size, rate and pixel format. */
  @config()
  config!: TestPatternConfig;

  #renderer: TestPatternRenderer | undefined;
  #pool: RotatingPool<Frame> | undefined;
  #frames = 0;
  #startNs = 0;
  #periodNs = 0;

  /** Nanoseconds between frames (`1e9 / fps`); 0 before `setup()`. */
  get periodNs(): number {
    return this.#periodNs;
  }

  /**
   * Draws the bars once, allocates the frame pool and declares the loop period (`1 / fps`).
   *
   * @param ctx The node's name and clock.
   * @throws {ConfigValidationError} When `width` or `height` is odd for I420 or NV12.
   */
  override setup(ctx: SetupContext): void {
    const { width, height, fps, pixelFormat } = this.config;
    checkChromaSize("TestPattern", pixelFormat, width, height);
    const renderer = new TestPatternRenderer(pixelFormat, width, height);
    const stride = pixelFormat === "RGBA" || pixelFormat === "BGRA" ? width * 4 : width;
    this.#renderer = renderer;
    this.#pool = new RotatingPool<Frame>(POOL_SIZE, () => ({
      kind: "video",
      width,
      height,
      format: pixelFormat,
      stride,
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array(renderer.byteLength),
    }));
    this.#frames = 0;
    this.#periodNs = 1e9 / fps;
    this.#startNs = Math.round(ctx.clock.nowNs());
    ctx.loop?.setPeriodNs(this.#periodNs);
  }

  /**
   * Renders the next frame and writes it to `video`.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const renderer = this.#renderer;
    const pool = this.#pool;
    if (!renderer || !pool) return;
    const frame = pool.next();
    const n = this.#frames++;
    renderer.render(n, frame.data);
    frame.frameNumber = n;
    frame.timestampNs = this.#startNs + Math.round(n * this.#periodNs);
    this.outputs.video.write(frame);
  }
}

/**
 * Throws when a 4:2:0 format is asked for at an odd size (the schema cannot say "even when").
 *
 * @param processor The processor name, for the message.
 * @param format The configured pixel format.
 * @param width The configured width.
 * @param height The configured height.
 */
function checkChromaSize(
  processor: string,
  format: PixelFormat,
  width: number,
  height: number,
): void {
  if (format === "RGBA" || format === "BGRA") return;
  const expected =
    `an even integer for ${format} (4:2:0 chroma covers 2x2 pixels), or pixelFormat "RGBA" or "BGRA"`;
  const issues = ([["width", width], ["height", height]] as const)
    .filter(([, value]) => value % 2 !== 0)
    .map(([field, value]) => ({
      field,
      reason: "mismatch" as const,
      expected,
      actual: String(value),
    }));
  if (issues.length > 0) throw new ConfigValidationError(processor, issues);
}
