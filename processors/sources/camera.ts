/**
 * The {@linkcode Camera} processor.
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
import { cameraFootprint } from "../video/footprints.ts";
import type { VideoCaptureSource } from "../capture/video_capture_source.ts";
import type { CameraTypes } from "./camera.gen.ts";

/**
 * Config of {@linkcode Camera}.
 */
export interface CameraConfig {
  /**
   * Which camera: on macOS an AVFoundation unique ID, on Linux a V4L2 device (`"/dev/video0"`
   * or `"0"`); empty for the default (first) camera. `listCaptureDevices("camera")` lists them.
   *
   * @default ""
   */
  device: string;
  /**
   * Width asked for; the device picks its closest mode (0: its current one).
   *
   * @integer
   * @minimum 0
   * @maximum 7680
   * @default 1280
   */
  width: number;
  /**
   * Height asked for (0: the device's current one).
   *
   * @integer
   * @minimum 0
   * @maximum 4320
   * @default 720
   */
  height: number;
  /**
   * Frames per second asked for (the watcher checks for frames eight times as often).
   *
   * @exclusiveMinimum 0
   * @maximum 240
   * @default 30
   */
  fps: number;
  /**
   * Pixel format of the frames (Linux delivers I420 only).
   *
   * @default "I420"
   */
  pixelFormat: "RGBA" | "BGRA" | "I420" | "NV12";
}

/** Largest camera frame the pool is sized for (4K BGRA); untouched slot memory costs nothing. */
const MAX_FRAME_BYTES = videoFrameByteLength("BGRA", 3840, 2160);

/**
 * Captures a camera: AVFoundation on macOS, Video4Linux2 on Linux. Other OSes fail `setup()` with
 * `UnsupportedPlatformError`.
 *
 * A native thread (a V4L2 streaming loop, or AVFoundation's sample-buffer delegate on its own
 * dispatch queue) converts each frame to the configured format straight into a frame-pool slot.
 * The node is `pull`: the capture drives it. A short timer (an eighth of the frame interval, 1 to
 * 5 ms) asks the capture ring whether frames are waiting and wakes the node only then;
 * `process()` writes the newest without a copy: the frame's payload is the capture's slot, which
 * goes back to the capture when the last reader releases the frame (when readers hold every slot,
 * the capture drops new frames, counted). Frames are stamped with their capture time on the media
 * clock. The size is the device's closest
 * to the request. Errors are typed: `DeviceNotFoundError` (no such camera),
 * `PermissionDeniedError` (macOS privacy settings, or the device file's permissions),
 * `UnsupportedError` (a camera offering only compressed formats), `DeviceError` (unplugged).
 *
 * @example A camera that does not exist fails the node's setup with a typed error
 * ```ts
 * import assert from "node:assert/strict";
 * import { Camera, createRuntime, NullSink } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const errors: string[] = [];
 * rt.on((event) => {
 *   if (event.type === "node-error") errors.push(`${event.node}: ${event.name} in ${event.phase}`);
 * });
 * const cam = rt.add(Camera, { device: "/dev/video91", width: 640, height: 480 }, { id: "cam" });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(cam.outputs.video, sink.inputs.in);
 * await rt.start(); // the other nodes run; "cam" is in state error
 * await rt.stop();
 * assert.deepEqual(errors, [ "cam: DeviceNotFoundError in setup" ]);
 * ```
 */
@processor({ tags: ["video", "source", "capture"], mode: "pull" })
export class Camera extends Processor<CameraTypes> {
  /** The camera's frames. */
  @output()
  video!: OutputPort<VideoFrame>;

  /** Device, size, rate and pixel format. */
  @config()
  config!: CameraConfig;

  /**
   * The frames a config makes, for admission control: `width` x `height` in `pixelFormat`, and
   * the frames the capture ring holds (4) besides the one being written.
   * The hook is `cameraFootprint` of `footprints.ts`, which the generated registry imports
   * without this class.
   */
  static footprint: (config: CameraConfig) => FrameFootprint = cameraFootprint;

  #source: VideoCaptureSource | undefined;

  /** The size the device delivers (0 before `setup()`). */
  get size(): { width: number; height: number } {
    return { width: this.#source?.width ?? 0, height: this.#source?.height ?? 0 };
  }

  /**
   * Opens the camera and starts capturing (the native capture code is imported here, on first
   * use, so a program that never captures does not load it).
   *
   * @param ctx The node's name, clock and wake (run by a runtime, a watcher calls it when
   * frames wait).
   * @throws {UnsupportedPlatformError} Off macOS and Linux.
   * @throws {DeviceNotFoundError} When there is no such camera.
   * @throws {PermissionDeniedError} When access is refused.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    if (Deno.build.os !== "darwin" && Deno.build.os !== "linux") {
      const { UnsupportedPlatformError } = await import("../../ffi/media/media_errors.ts");
      throw new UnsupportedPlatformError("camera capture", Deno.build.os, ["darwin", "linux"]);
    }
    const { device, width, height, fps, pixelFormat } = this.config;
    const { VideoCaptureSource } = await import("../capture/video_capture_source.ts");
    const { watchIntervalMs } = await import("../capture/capture_watcher.ts");
    this.#source = VideoCaptureSource.open(
      "camera",
      { device, width, height, fps, pixelFormat },
      MAX_FRAME_BYTES,
      ctx,
    );
    if (ctx.wake) this.#source.watch(ctx.wake, watchIntervalMs(1000 / fps));
  }

  /**
   * Writes the newest frame, if one came.
   *
   * @param _ctx The node's name and clock.
   * @throws {DeviceError} When the camera stopped (unplugged).
   */
  process(_ctx: ProcessContext): void {
    this.#source?.writeNewest(this.outputs.video);
  }

  /** Stops the watcher and the capture (frames still held downstream stay valid). Idempotent. */
  override teardown(): void {
    this.#source?.close();
    this.#source = undefined;
  }
}
