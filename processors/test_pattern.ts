/**
 * The {@linkcode TestPattern} processor.
 *
 * @module
 */

import {
  config,
  ConfigValidationError,
  type FrameAllocator,
  output,
  type OutputPort,
  type PixelFormat,
  PlainFrameAllocator,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
  type VideoFrame,
} from "../mod.ts";
import { TestPatternRenderer } from "./video/test_pattern.ts";
import type { TestPatternTypes } from "./test_pattern.gen.ts";

/**
 * Config of {@linkcode TestPattern}.
 *
 * @example Small I420 frames at 50 fps: 20 ms apart
 * ```ts
 * import { connectLocal, InputBinding, monotonicClock, type VideoFrame } from "@streamlib/streamlib";
 * import { type TestPatternConfig, testPatternNode } from "@streamlib/streamlib/processors";
 *
 * const config: TestPatternConfig = { width: 32, height: 16, fps: 50, pixelFormat: "I420" };
 * const ports = testPatternNode.ports();
 * const pattern = testPatternNode.create(config, ports);
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(ports.output("video"), sink);
 * const ctx = { node: "bars", clock: monotonicClock };
 * pattern.setup(ctx);
 * pattern.process(ctx);
 * pattern.process(ctx);
 * const [a, b] = [sink.read()!, sink.read()!];
 * console.log(a.width, a.height, a.format); // 32 16 I420
 * console.log(b.timestampNs - a.timestampNs, pattern.periodNs); // 20000000 20000000
 * ```
 */
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

/** Frames that stay valid: keep downstream connection capacities below this minus one. */
const POOL_SIZE = 8;

/**
 * Generates SMPTE colour bars with a bouncing white box, one frame per `process()` call.
 *
 * Frame `n` is stamped `start + n / fps` seconds, where `start` is the clock time at `setup()`;
 * the box position depends only on `n`, so any frame can be reproduced. Frames come from the
 * runtime's frame allocator (`ctx.frameAllocator`: frame-pool slots that cross to Workers without
 * a copy) or, run by hand, plain memory, with 8 valid at a time, so a frame is reused after 7
 * others: keep downstream connection capacities below that (the default is 3). When the frame
 * pool is exhausted the frame is skipped (counted in {@linkcode TestPattern.droppedFrames}). The loop period, `1 / fps`, is declared to the runtime in `setup()`
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
  #allocator: FrameAllocator | undefined;
  #frames = 0;
  #dropped = 0;
  #startNs = 0;
  #periodNs = 0;

  /** Nanoseconds between frames (`1e9 / fps`); 0 before `setup()`. */
  get periodNs(): number {
    return this.#periodNs;
  }

  /** Frames skipped because no frame memory was free (an exhausted frame pool). */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /**
   * Draws the bars once, takes a frame allocator and declares the loop period (`1 / fps`).
   *
   * @param ctx The node's name and clock.
   * @throws {ConfigValidationError} When `width` or `height` is odd for I420 or NV12.
   */
  override setup(ctx: SetupContext): void {
    const { width, height, fps, pixelFormat } = this.config;
    checkChromaSize("TestPattern", pixelFormat, width, height);
    this.#renderer = new TestPatternRenderer(pixelFormat, width, height);
    this.#allocator?.close();
    this.#allocator = ctx.frameAllocator?.(POOL_SIZE) ??
      new PlainFrameAllocator({ hold: POOL_SIZE });
    this.#frames = 0;
    this.#dropped = 0;
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
    const allocator = this.#allocator;
    if (!renderer || !allocator) return;
    const n = this.#frames++;
    const { width, height, pixelFormat } = this.config;
    allocator.fit(this.outputs.video.capacity);
    const frame = allocator.allocateVideo(pixelFormat, width, height);
    if (!frame) {
      this.#dropped++;
      return;
    }
    renderer.render(n, frame.data);
    frame.frameNumber = n;
    frame.timestampNs = this.#startNs + Math.round(n * this.#periodNs);
    this.outputs.video.write(frame);
  }

  /** Gives the frame allocator back (its frames' memory returns to the pool). */
  override teardown(): void {
    this.#allocator?.close();
    this.#allocator = undefined;
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
