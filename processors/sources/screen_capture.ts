/**
 * The {@linkcode ScreenCapture} processor.
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
import type { FrameFootprint } from "../../core/admission/footprint.ts";
import { videoFrameByteLength } from "../../core/frames/video_frame.ts";
import { screenCaptureFootprint } from "../video/footprints.ts";
import type { VideoCaptureSource } from "../capture/video_capture_source.ts";
import type { ScreenCaptureTypes } from "./screen_capture.gen.ts";

/**
 * Config of {@linkcode ScreenCapture}.
 */
export interface ScreenCaptureConfig {
  /**
   * The X11 display (`":0"`, `":99.0"`); empty for `$DISPLAY`.
   *
   * @default ""
   */
  display: string;
  /**
   * Left edge of the captured region.
   *
   * @integer
   * @minimum 0
   * @default 0
   */
  x: number;
  /**
   * Top edge of the captured region.
   *
   * @integer
   * @minimum 0
   * @default 0
   */
  y: number;
  /**
   * Width of the region; 0 for the rest of the screen from `x`.
   *
   * @integer
   * @minimum 0
   * @maximum 7680
   * @default 0
   */
  width: number;
  /**
   * Height of the region; 0 for the rest of the screen from `y`.
   *
   * @integer
   * @minimum 0
   * @maximum 4320
   * @default 0
   */
  height: number;
  /**
   * Frames per second captured.
   *
   * @exclusiveMinimum 0
   * @maximum 120
   * @default 30
   */
  fps: number;
  /**
   * Pixel format of the frames; I420 needs an even region.
   *
   * @default "I420"
   */
  pixelFormat: "RGBA" | "BGRA" | "I420";
}

/**
 * Captures an X11 screen (a desktop or an Xvfb server) on a native thread, Linux only.
 *
 * The thread grabs the region at `fps` on absolute deadlines and converts the server's pixels to
 * the configured format straight into frame-pool slots. The node is `pull`: the capture drives it.
 * A short timer (an eighth of the frame interval, 1 to 5 ms) asks the capture ring whether frames
 * are waiting and wakes the node only then; `process()` writes the newest frame without a copy
 * (older ones waiting are dropped): the frame's payload is the capture's slot, which goes back to
 * the capture when the last reader releases the frame (when readers hold every slot, the thread
 * drops new frames, counted). Frames are stamped with their capture time on the media clock. A missing
 * display fails `setup()` with `DeviceNotFoundError`; on other OSes with
 * `UnsupportedPlatformError`; a display that goes away mid-capture fails `process()` with
 * `DeviceError`.
 *
 * @example A display that cannot be reached fails the node's setup with a typed error
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, NullSink, ScreenCapture } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const errors: string[] = [];
 * rt.on((event) => {
 *   if (event.type === "node-error") errors.push(`${event.node}: ${event.name} in ${event.phase}`);
 * });
 * const screen = rt.add(ScreenCapture, { display: ":248" }, { id: "screen" });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(screen.outputs.video, sink.inputs.in);
 * await rt.start(); // the other nodes run; "screen" is in state error
 * await rt.stop();
 * // On Linux (elsewhere the error is UnsupportedPlatformError):
 * assert.deepEqual(errors, [ "screen: DeviceNotFoundError in setup" ]);
 * ```
 */
@processor({ tags: ["video", "source", "capture"], mode: "pull" })
export class ScreenCapture extends Processor<ScreenCaptureTypes> {
  /** The captured frames. */
  @output()
  video!: OutputPort<VideoFrame>;

  /** Display, region, rate and pixel format. */
  @config()
  config!: ScreenCaptureConfig;

  /**
   * The frames a config makes, for admission control: `width` x `height` in `pixelFormat` and the
   * capture ring's 4 frames; unknown (`undefined`) while a size is 0 (the screen's own size).
   * The hook is `screenCaptureFootprint` of `footprints.ts`, which the generated registry imports
   * without this class.
   */
  static footprint: (config: ScreenCaptureConfig) => FrameFootprint | undefined =
    screenCaptureFootprint;

  #source: VideoCaptureSource | undefined;

  /** Frames the capture thread took and dropped (before `process()` saw them). */
  get counts(): { captured: number; dropped: number } {
    return this.#source?.counts ?? { captured: 0, dropped: 0 };
  }

  /**
   * Opens the display and starts the capture thread, and (run by a runtime) the watcher that
   * wakes the node when frames wait. The native capture code is imported here, on first use, so
   * a program that never captures does not load it.
   *
   * @param ctx The node's name, clock and wake.
   * @throws {UnsupportedPlatformError} Off Linux.
   * @throws {DeviceNotFoundError} When the display cannot be reached.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    if (Deno.build.os !== "linux") {
      const { UnsupportedPlatformError } = await import("../../ffi/media/media_errors.ts");
      throw new UnsupportedPlatformError("X11 screen capture", Deno.build.os, ["linux"]);
    }
    const { display, x, y, width, height, fps, pixelFormat } = this.config;
    const { listCaptureDevices } = await import("../../ffi/media/capture_devices.ts");
    const { VideoCaptureSource } = await import("../capture/video_capture_source.ts");
    const { watchIntervalMs } = await import("../capture/capture_watcher.ts");
    const [screen] = listCaptureDevices("screen", { display });
    const full = screen?.modes[0] ?? { width: 0, height: 0 };
    const w = width || Math.max(full.width - x, 0);
    const h = height || Math.max(full.height - y, 0);
    this.#source = VideoCaptureSource.open(
      "screen",
      { device: display, x, y, width: w, height: h, fps, pixelFormat },
      videoFrameByteLength("BGRA", Math.max(w, 2), Math.max(h, 2)),
      ctx,
    );
    if (ctx.wake) this.#source.watch(ctx.wake, watchIntervalMs(1000 / fps));
  }

  /**
   * Writes the newest captured frame, if one came (older ones waiting are dropped).
   *
   * @param _ctx The node's name and clock.
   * @throws {DeviceError} When the display went away.
   */
  process(_ctx: ProcessContext): void {
    this.#source?.writeNewest(this.outputs.video);
  }

  /** Stops the watcher and the capture thread (frames still held downstream stay valid). Idempotent. */
  override teardown(): void {
    this.#source?.close();
    this.#source = undefined;
  }
}
