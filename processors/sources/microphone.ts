/**
 * The {@linkcode Microphone} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import { DeviceError } from "../../ffi/native/errors.ts";
import { FRAME_HEADER_BYTES } from "../../ffi/transport/frame_format.ts";
import { FramePool } from "../../ffi/transport/frame_pool.ts";
import type { CapturedFrame, NativeCapture } from "../../ffi/media/native_capture.ts";
import type { CaptureWatcher } from "../capture/capture_watcher.ts";
import type { MicrophoneTypes } from "./microphone.gen.ts";

/**
 * Config of {@linkcode Microphone}.
 *
 * @example Capture the default microphone at 44.1 kHz
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, Microphone, type MicrophoneConfig } from "@streamlib/streamlib/processors";
 *
 * const config: MicrophoneConfig = { device: "", sampleRate: 44_100 };
 * const rt = createRuntime();
 * rt.add(Microphone, config, { id: "mic" }); // validated now; the device opens at start()
 * assert.deepEqual(rt.describe().nodes[0].config, { device: "", sampleRate: 44_100 });
 * ```
 */
export interface MicrophoneConfig {
  /**
   * Which microphone (an AVFoundation unique ID); empty for the default input.
   *
   * @default ""
   */
  device: string;
  /**
   * Samples per second delivered (AVFoundation converts).
   *
   * @integer
   * @minimum 8000
   * @maximum 192000
   * @default 48000
   */
  sampleRate: number;
}

/** How often the watcher asks whether blocks arrived (AVFoundation delivers every ~10-20 ms). */
const WATCH_MS = 2;
/** Largest block AVFoundation delivers, with room to spare (1 s of 192 kHz stereo f32). */
const MAX_BLOCK_BYTES = 192_000 * 2 * 4;

/**
 * Captures a microphone as stereo `f32` blocks with AVFoundation, macOS only: elsewhere `setup()`
 * fails with `UnsupportedPlatformError` ("not supported on this OS").
 *
 * AVFoundation's sample-buffer delegate, on a dispatch queue of its own, copies each buffer into
 * a frame-pool slot. The node is `pull`: the capture drives it. A 2 ms timer asks the capture ring
 * whether blocks are waiting and wakes the node only then; `process()` writes every block that
 * arrived, in order, each copied into a new frame from `ctx.frames` (the capture's slot goes back
 * to the capture at once). While frame memory is exhausted the next captured block waits in its
 * slot and the node runs again when memory frees. Blocks are stamped with their capture time on
 * the media clock. Errors are typed: `PermissionDeniedError` (refused in System Settings >
 * Privacy & Security), `DeviceNotFoundError`, `DeviceError`.
 *
 * @example Off macOS, the node fails its setup with UnsupportedPlatformError
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, Microphone, NullSink } from "@streamlib/streamlib/processors";
 *
 * if (Deno.build.os !== "darwin") {
 *   const rt = createRuntime();
 *   const errors: string[] = [];
 *   rt.on((event) => {
 *     if (event.type === "node-error") errors.push(`${event.node}: ${event.name} in ${event.phase}`);
 *   });
 *   const mic = rt.add(Microphone, {}, { id: "mic" });
 *   const sink = rt.add(NullSink, {}, { id: "sink" });
 *   rt.connect(mic.outputs.audio, sink.inputs.in);
 *   await rt.start(); // the other nodes run; "mic" is in state error
 *   await rt.stop();
 *   assert.deepEqual(errors, ["mic: UnsupportedPlatformError in setup"]);
 *   assert.deepEqual(rt.frameLeaks(), []);
 * }
 * ```
 */
@processor({ tags: ["audio", "source", "capture"], mode: "pull" })
export class Microphone extends Processor<MicrophoneTypes> {
  /** The captured audio, stereo. */
  @output()
  audio!: OutputPort<AudioFrame<2>>;

  /** Device and sample rate. */
  @config()
  config!: MicrophoneConfig;

  #pool: FramePool | undefined;
  #capture: NativeCapture | undefined;
  #watcher: CaptureWatcher | undefined;
  /** A captured block that found no frame memory: written first on the next run. */
  #pending: CapturedFrame | undefined;
  #offsetNs = 0;
  #count = 0;

  /**
   * Asks for microphone access and starts capturing (the native capture code is imported here,
   * on first use, so a program that never captures does not load it).
   *
   * @param ctx The node's name, clock and wake (run by a runtime, a watcher calls it when
   * blocks wait).
   * @throws {UnsupportedPlatformError} Off macOS.
   * @throws {PermissionDeniedError} When access is refused.
   * @throws {DeviceNotFoundError} When there is no such microphone.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    if (Deno.build.os !== "darwin") {
      const { UnsupportedPlatformError } = await import("../../ffi/media/media_errors.ts");
      throw new UnsupportedPlatformError("microphone capture", Deno.build.os, ["darwin"]);
    }
    const { device, sampleRate } = this.config;
    const { NativeCapture, nativeNowNs } = await import("../../ffi/media/native_capture.ts");
    const { CaptureWatcher } = await import("../capture/capture_watcher.ts");
    const pool = FramePool.create({
      slotBytes: FRAME_HEADER_BYTES + MAX_BLOCK_BYTES,
      slotCount: 32,
    });
    try {
      this.#capture = NativeCapture.open({
        kind: "microphone",
        device,
        sampleRate,
        channels: 2,
        pool,
        ringCapacity: 24,
      });
    } catch (error) {
      pool.close();
      throw error;
    }
    this.#pool = pool;
    this.#offsetNs = ctx.clock.nowNs() - nativeNowNs();
    this.#count = 0;
    if (ctx.wake) this.#watcher = new CaptureWatcher(this.#capture!, ctx.wake, WATCH_MS);
  }

  /**
   * Writes every block that arrived since the last call.
   *
   * @param ctx The node's name, clock and frames.
   * @throws {DeviceError} When the capture stopped by itself.
   */
  process(ctx: ProcessContext): void {
    const capture = this.#capture;
    const pool = this.#pool;
    if (!capture || !pool) return;
    const sampleRate = this.config.sampleRate;
    let captured;
    while ((captured = this.#pending ?? capture.poll()) !== undefined) {
      this.#pending = undefined;
      const samples = captured.byteLength / 4;
      const frameCount = samples >> 1;
      if (frameCount === 0) {
        pool.release(captured.slot);
        continue;
      }
      const block = ctx.frames.audio({ channels: 2, sampleRate, frameCount });
      if (block === undefined) {
        this.#pending = captured; // no frame memory: it waits in its slot for the next run
        break;
      }
      const first = captured.offset / 4;
      block.samples.set(pool.floats(captured.slot).subarray(first, first + 2 * frameCount));
      pool.release(captured.slot);
      block.timestampNs = Math.round(captured.nativeTimestampNs + this.#offsetNs);
      block.frameNumber = this.#count++;
      this.outputs.audio.write(block);
    }
    const { running, failureStatus } = capture.stats();
    if (!running && failureStatus !== 0) {
      throw new DeviceError("capture audio", capture.failure() ?? "the capture stopped");
    }
  }

  /** Stops the watcher and the capture and frees the pool. Idempotent. */
  override teardown(): void {
    if (this.#pending !== undefined) this.#pool?.release(this.#pending.slot);
    this.#pending = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#capture?.close();
    this.#capture = undefined;
    this.#pool?.close();
    this.#pool = undefined;
  }
}
