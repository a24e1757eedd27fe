/**
 * {@linkcode RetryFrame}: an input frame a transform read but could not finish for want of frame
 * memory, given back first on its next run.
 *
 * @module
 */

import type { InputPort } from "../mod.ts";
import type { Frames, KeptFrame } from "../core/node_frames.ts";

/**
 * One input's frame that a run read but could not turn into an output frame because frame memory
 * was exhausted (`ctx.frames.writable()` or `audio()` returned `undefined`). The runtime runs the
 * node again when memory frees; {@linkcode RetryFrame.next} then gives that frame back before
 * reading a new one, so back-pressure never loses a frame. Without exhaustion it only forwards
 * `port.read()`.
 *
 * @example A frame that found no memory comes back first
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createAudioFrame, createProcessContext, OutputBinding } from "@streamlib/streamlib";
 * import type { AudioFrame } from "@streamlib/streamlib";
 * import { gainNode } from "./gain.gen.ts";
 * import { RetryFrame } from "./retry_frame.ts";
 *
 * const ports = gainNode.ports();
 * const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
 * connectLocal(source, ports.input("in"), { capacity: 4, policy: "fifo" });
 * for (const n of [0, 1]) source.write({ ...createAudioFrame(2, 48_000, 1), frameNumber: n });
 * const ctx = createProcessContext("gain");
 *
 * const retry = new RetryFrame<AudioFrame<2>>();
 * const first = retry.next(ports.input<AudioFrame<2>>("in"))!;
 * retry.retry(ctx.frames, first); // no memory for its output: keep it
 * ctx.frames.flush(); // the run returned
 * assert.equal(retry.next(ports.input("in")), first); // the next run gets it again
 * retry.done(); // it went out
 * assert.equal(retry.next(ports.input<AudioFrame<2>>("in"))?.frameNumber, 1);
 * ```
 */
export class RetryFrame<F> {
  #kept: KeptFrame<F> | undefined;

  /** Whether a frame waits to be tried again. */
  get waiting(): boolean {
    return this.#kept !== undefined;
  }

  /**
   * The frame kept by {@linkcode RetryFrame.retry}, else the next frame of `port`.
   *
   * @param port The input.
   * @returns The frame, or `undefined` when none waits.
   */
  next(port: InputPort<F>): F | undefined {
    return this.#kept !== undefined ? this.#kept.frame : port.read();
  }

  /**
   * Keeps `frame` past this run for the next {@linkcode RetryFrame.next}.
   *
   * @param frames The run's `ctx.frames`.
   * @param frame The frame from `next()` that could not be finished.
   */
  retry(frames: Frames, frame: F): void {
    this.#kept ??= frames.keep(frame);
  }

  /** The frame from `next()` is finished: lets a kept one go. Idempotent. */
  done(): void {
    this.#kept?.release();
    this.#kept = undefined;
  }
}
