/**
 * The {@linkcode VideoWindow} processor.
 *
 * @module
 */

import {
  config,
  input,
  type InputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import type { FramePresenter } from "../../ffi/display/frame_presenter.ts";
import type { SdlWindow } from "../../ffi/display/sdl_window.ts";
import type { VideoWindowTypes } from "./video_window.gen.ts";

/** How often the window's events are taken while no frame arrives, in ms. */
const EVENT_POLL_MS = 20;

/**
 * Config of {@linkcode VideoWindow}.
 *
 * @example A fixed 640x360 window
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VideoWindowConfig } from "@streamlib/streamlib/processors";
 * import { videoWindowNode } from "./video_window.gen.ts";
 *
 * const config: VideoWindowConfig = {
 *   title: "preview",
 *   width: 640,
 *   height: 360,
 *   closeEndsGraph: true,
 * };
 * assert.deepEqual(
 *   videoWindowNode.create({ width: 640, height: 360 }).config,
 *   { ...config, title: "streamlib" },
 * );
 * ```
 */
export interface VideoWindowConfig {
  /**
   * The window's title.
   *
   * @default "streamlib"
   */
  title: string;
  /**
   * Width of the window's drawable area in pixels; 0 (or a `height` of 0) for the first frame's
   * width.
   *
   * @integer
   * @minimum 0
   * @maximum 7680
   * @default 0
   */
  width: number;
  /**
   * Height of the window's drawable area in pixels; 0 (or a `width` of 0) for the first frame's
   * height.
   *
   * @integer
   * @minimum 0
   * @maximum 4320
   * @default 0
   */
  height: number;
  /**
   * Whether closing the window ends the whole graph (`ctx.endOfStream({ graph: true })`: every
   * source ends, live ones too, what is queued is still processed, then `end-of-stream`, on which
   * `streamlib run` exits 0), as closing a player's window ends playback; `false` ends only this
   * node and the rest of the graph runs on.
   *
   * @default true
   * @live
   */
  closeEndsGraph: boolean;
}

/**
 * Shows video in a native window: SDL 2 (loaded through FFI) makes the window, WebGPU draws
 * each frame to it through `Deno.UnsafeWindowSurface`. Linux with X11 (a desktop, XWayland, or
 * Xvfb); Deno must run with `--unstable-webgpu`.
 *
 * Frames in every pixel format are shown: RGBA and BGRA are uploaded as they are, I420 and NV12
 * by plane and converted to RGB in the fragment shader (BT.601 limited range, as `ColorConvert`).
 * Each run shows the newest frame waiting and skips older ones (counted in `framesSkipped`), so a
 * slow window never holds the pipeline back. The picture is scaled to fit the window with its
 * aspect ratio kept (black bars); at the frame's own size it is shown pixel for pixel. The window
 * opens at `width` x `height`, or, when either is 0, at the first frame's size once that frame
 * arrives; it can be resized, and the last frame is drawn again at the new size.
 *
 * Closing the window (its close button) ends the stream: the window goes away and the node emits
 * `node-eos`. With `closeEndsGraph` (the default) the whole graph ends, as `rt.endOfStream()` ends
 * it: every source ends, live ones too, what is queued runs down to the other sinks, and
 * `end-of-stream` follows (`streamlib run` exits 0); otherwise only this node ends and frames still
 * coming to it are discarded. Either way `rt.stop()` tears it down as usual. The window's events are taken at every frame and every 20 ms while none arrives (a timer in the
 * isolate; nothing runs on another thread). What is missing fails `setup()` with a typed error:
 * `WindowSurfaceUnavailableError` (`window_surface_unavailable`: run with `--unstable-webgpu`),
 * `SdlUnavailableError` (`sdl_unavailable`: install `libsdl2-2.0-0`),
 * `DisplayUnavailableError` (`display_unavailable`: set `DISPLAY`),
 * `WindowGpuUnavailableError` (`window_gpu_unavailable`: install `mesa-vulkan-drivers`).
 * See `docs/video_window.md`.
 *
 * @example Without `--unstable-webgpu` the node says what to run with
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { videoWindowNode } from "./video_window.gen.ts";
 *
 * const window = videoWindowNode.create({ title: "preview" });
 * const flagged = "UnsafeWindowSurface" in Deno; // deno test runs without the flag
 * if (!flagged) {
 *   await assert.rejects(window.setup(createProcessContext("win")), { code: "window_surface_unavailable" });
 * }
 * ```
 *
 * @example Show colour bars until the window is closed
 * ```ts ignore
 * // Opens a window: needs a display and `deno run -A --unstable-webgpu`;
 * // tests/display/video_window_test.ts runs this under Xvfb and closes the window.
 * import assert from "node:assert/strict";
 * import { createRuntime, TestPattern, VideoWindow } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const bars = rt.add(TestPattern, { width: 640, height: 360, pixelFormat: "RGBA" });
 * const window = rt.add(VideoWindow, { title: "bars" });
 * rt.connect(bars.outputs.video, window.inputs.in);
 * const ended = new Promise((resolve) => rt.on((e) => e.type === "end-of-stream" && resolve(e)));
 * await rt.start();
 * await ended; // the close button was pressed: the live pattern ended too
 * await rt.stop();
 * assert.deepEqual(rt.frameLeaks(), []);
 * ```
 */
@processor({ tags: ["video", "sink", "display"], mode: "push" })
export class VideoWindow extends Processor<VideoWindowTypes> {
  /** Video to show, any pixel format. */
  @input({ required: true })
  in!: InputPort<VideoFrame>;

  /** Title and size. */
  @config()
  config!: VideoWindowConfig;

  #window: SdlWindow | undefined;
  #presenter: FramePresenter | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sized = false;
  #skipped = 0;
  #presented = 0;

  /** Frames shown since construction. */
  get framesPresented(): number {
    return this.#presented + (this.#presenter?.framesPresented ?? 0);
  }

  /** Frames read but not shown because a newer one was waiting, since construction. */
  get framesSkipped(): number {
    return this.#skipped;
  }

  /** Whether the window is open (from `setup()` until it is closed or torn down). */
  get windowOpen(): boolean {
    return this.#window !== undefined;
  }

  /**
   * The counters in `rt.stats().nodes[id].processor`.
   *
   * @returns Frames shown and skipped, and whether the window is open.
   */
  override reportStats(): { framesPresented: number; framesSkipped: number; windowOpen: boolean } {
    return {
      framesPresented: this.framesPresented,
      framesSkipped: this.#skipped,
      windowOpen: this.windowOpen,
    };
  }

  /**
   * Opens the window (hidden until the first frame when its size is the frame's) and its WebGPU
   * surface, and starts taking its events.
   *
   * @param ctx The node's name, clock and `wake`.
   * @throws {WindowSurfaceUnavailableError} Without `--unstable-webgpu`, or off X11.
   * @throws {SdlUnavailableError} When SDL 2 is not installed.
   * @throws {DisplayUnavailableError} When there is no display.
   * @throws {WindowGpuUnavailableError} When there is no WebGPU adapter.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    // Loaded here, on first use: a program that never opens a window loads no SDL or WebGPU code.
    const [{ SdlWindow }, { FramePresenter, requireWindowSurface }] = await Promise.all([
      import("../../ffi/display/sdl_window.ts"),
      import("../../ffi/display/frame_presenter.ts"),
    ]);
    requireWindowSurface(); // before any window opens
    const { title, width, height } = this.config;
    this.#sized = width > 0 && height > 0;
    const window = SdlWindow.open({
      title,
      width: this.#sized ? width : 640,
      height: this.#sized ? height : 360,
      hidden: !this.#sized,
    });
    try {
      this.#presenter = await FramePresenter.create(window.x11, window.width, window.height);
    } catch (error) {
      window.close();
      throw error;
    }
    this.#window = window;
    if (this.#sized) this.#presenter.redraw(); // black until the first frame
    const wake = ctx.wake;
    const timer = setInterval(() => {
      window.pollEvents();
      if (window.closeRequested || window.resizePending) wake?.();
    }, EVENT_POLL_MS);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /**
   * Shows the newest frame waiting, follows the window's size, and ends the stream once the
   * window is closed.
   *
   * @param ctx The node's context (`endOfStream()` when the window closed, for the whole graph
   *   with `closeEndsGraph`).
   */
  process(ctx: ProcessContext): void {
    const [window, presenter] = [this.#window, this.#presenter];
    if (window === undefined || presenter === undefined) return;
    window.pollEvents();
    if (window.closeRequested) {
      this.#close();
      const graph = this.config.closeEndsGraph;
      ctx.log.info(`window closed: end of stream${graph ? " of the graph" : ""}`);
      ctx.endOfStream({ graph });
      return;
    }
    const resized = window.takeResize();
    if (resized) presenter.resize(window.width, window.height);
    const waiting = this.inputs.in.available;
    const frame = this.inputs.in.readLatest();
    if (frame === undefined) {
      if (resized) presenter.redraw();
      return;
    }
    this.#skipped += Math.max(0, waiting - 1);
    if (!this.#sized) {
      this.#sized = true;
      window.resize(frame.width, frame.height);
      presenter.resize(frame.width, frame.height);
      window.show();
    }
    presenter.present(frame);
  }

  /** Closes the surface and the window. Idempotent. */
  override teardown(): void {
    this.#close();
  }

  #close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#presented += this.#presenter?.framesPresented ?? 0;
    this.#presenter?.close(); // the surface before the window it presents to
    this.#window?.close();
    [this.#presenter, this.#window] = [undefined, undefined];
  }
}
