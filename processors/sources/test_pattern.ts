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
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import type { FrameFootprint } from "../../core/admission/footprint.ts";
import { testPatternFootprint } from "../video/footprints.ts";
import type { TestPatternRenderer } from "../video/test_pattern.ts";
import type { TestPatternTypes } from "./test_pattern.gen.ts";

/**
 * Config of {@linkcode TestPattern}.
 *
 * @example Small I420 frames at 50 fps: 20 ms apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, InputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { type TestPatternConfig } from "@streamlib/streamlib/processors";
 * import { testPatternNode } from "./test_pattern.gen.ts";
 *
 * const config: TestPatternConfig = { width: 32, height: 16, fps: 50, pixelFormat: "I420" };
 * const ports = testPatternNode.ports();
 * const pattern = testPatternNode.create(config, ports);
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(ports.output("video"), sink);
 * const ctx = createProcessContext("bars");
 * await pattern.setup(ctx);
 * pattern.process(ctx);
 * pattern.process(ctx);
 * const [a, b] = [sink.read()!, sink.read()!];
 * assert.deepEqual([a.width, a.height, a.format], [32, 16, "I420"]);
 * assert.equal(b.timestampNs - a.timestampNs, 20_000_000);
 * assert.equal(pattern.periodNs, 20_000_000);
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

/**
 * Generates SMPTE colour bars with a bouncing white box, one frame per `process()` call.
 *
 * Frame `n` is stamped `start + n / fps` seconds, where `start` is the clock time at `setup()`;
 * the box position depends only on `n`, so any frame can be reproduced. Frames come from
 * `ctx.frames` (they cross to Workers and native code by reference). When no frame memory is free
 * the frame is skipped (counted in {@linkcode TestPattern.droppedFrames} and the node's
 * `framesDropped`), so the stream keeps its timing; deadlines the runtime skipped because the loop
 * fell behind leave a gap in the timestamps, counted in {@linkcode TestPattern.skippedNs} (and
 * `skippedMs` of the node's processor stats). The loop period, `1 / fps`, is declared to the
 * runtime in `setup()` (`ctx.loop.setPeriodNs`) and readable as {@linkcode TestPattern.periodNs}.
 *
 * @example Render one 64x48 I420 frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, InputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { testPatternNode } from "./test_pattern.gen.ts";
 *
 * const ports = testPatternNode.ports();
 * const pattern = testPatternNode.create({ width: 64, height: 48, pixelFormat: "I420" }, ports);
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(ports.output("video"), sink);
 * const ctx = createProcessContext("bars");
 * await pattern.setup(ctx);
 * pattern.process(ctx);
 * const frame = sink.read()!;
 * assert.deepEqual([frame.width, frame.height, frame.format, frame.data.length], [64, 48, "I420", 4608]);
 * ctx.frames.flush(); // what the runtime does when process() returns; the sink's reference stays
 * assert.equal(frame.data[0], 235); // the white box's luma: frame 0 has it top left
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

  /**
   * The frames a config makes, for admission control: one `width` x `height` frame in
   * `pixelFormat`.
   * The hook is `testPatternFootprint` of `footprints.ts`, which the generated registry imports
   * without this class.
   */
  static footprint: (config: TestPatternConfig) => FrameFootprint = testPatternFootprint;

  #renderer: TestPatternRenderer | undefined;
  #frames = 0;
  #dropped = 0;
  #nextNs = 0;
  #periodNs = 0;
  #skippedNs = 0;
  #stamped = false;

  /** Nanoseconds between frames (`1e9 / fps`); 0 before `setup()`. */
  get periodNs(): number {
    return this.#periodNs;
  }

  /** Frames skipped because no frame memory was free. */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /**
   * Media time the stream skipped because the loop fell behind (deadlines the runtime skipped),
   * in nanoseconds: the gaps in the frames' timestamps, which keep them on the clock.
   */
  get skippedNs(): number {
    return this.#skippedNs;
  }

  /**
   * The counters in `rt.stats().nodes[id].processor`: frames skipped for want of memory, and
   * the media time skipped for falling behind (ms).
   *
   * @returns The counters.
   */
  override reportStats(): { droppedFrames: number; skippedMs: number } {
    return { droppedFrames: this.#dropped, skippedMs: Math.round(this.#skippedNs / 1e6) };
  }

  /**
   * Draws the bars once and declares the loop period (`1 / fps`). The renderer's code is
   * imported here, on first use, so a program that never draws the pattern does not load it.
   *
   * @param ctx The node's name and clock.
   * @throws {ConfigValidationError} When `width` or `height` is odd for I420 or NV12.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    const { width, height, fps, pixelFormat } = this.config;
    checkChromaSize("TestPattern", pixelFormat, width, height);
    const { TestPatternRenderer } = await import("../video/test_pattern.ts");
    this.#renderer = new TestPatternRenderer(pixelFormat, width, height);
    this.#frames = 0;
    this.#dropped = 0;
    this.#skippedNs = 0;
    this.#stamped = false;
    this.#periodNs = 1e9 / fps;
    this.#nextNs = Math.round(ctx.clock.nowNs());
    ctx.loop?.setPeriodNs(this.#periodNs);
  }

  /**
   * Renders the next frame and writes it to `video`.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const renderer = this.#renderer;
    if (!renderer) return;
    const n = this.#frames++;
    const { width, height, pixelFormat } = this.config;
    const frame = ctx.frames.video({ width, height, format: pixelFormat });
    if (frame === undefined) {
      ctx.frames.drop(undefined); // skipped, so the stream keeps its timing: counted
      this.#dropped++;
      return;
    }
    renderer.render(n, frame.data);
    frame.frameNumber = n;
    frame.timestampNs = this.#stamp(ctx);
    this.outputs.video.write(frame);
  }

  /**
   * The frame's time: the deadline this run serves, on the clock (a loop that fell behind skips
   * deadlines, so counting periods from the start would fall behind it), never before the
   * previous frame's end; one period after the previous frame in runs without a deadline (by
   * hand, or out of the loop).
   */
  #stamp(ctx: ProcessContext): number {
    const next = this.#nextNs;
    const deadline = ctx.deadlineNs;
    const ns = deadline === undefined ? next : Math.max(Math.round(deadline), next);
    if (this.#stamped) this.#skippedNs += ns - next; // not the wait for the first deadline
    this.#stamped = true;
    this.#nextNs = ns + Math.round(this.#periodNs);
    return ns;
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
