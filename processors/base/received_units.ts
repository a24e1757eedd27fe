/**
 * What the network source nodes (`SrtSource`, `RtspSource`) share: taking the access units a
 * native {@linkcode NetSource} received, stamping them on the graph's clock and writing them to
 * the node's video output.
 *
 * @module
 */

import type { EncodedVideoFrame, OutputPort, ProcessContext } from "../../mod.ts";
import type { NetSource, ReceivedAccessUnit } from "../../ffi/net/net_endpoint.ts";

/** The largest access unit taken (a 4K keyframe at a high bit rate fits). */
const MAX_ACCESS_UNIT_BYTES = 8 << 20;

/**
 * Moves received H.264 access units to a video output, keeping the stream's timing: the first
 * is stamped with the graph clock when it arrives, the later ones by their PTS distance from it.
 * A new stream (a new sender, or the same after a reconnection) is placed on the clock as it
 * arrives, after everything before it, so timestamps downstream only rise. An access unit for
 * which no frame memory is free now is kept and goes first on the next call.
 *
 * @example Nothing received, nothing written
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetSource } from "../../ffi/net/net_endpoint.ts";
 * import { ReceivedUnits } from "./received_units.ts";
 *
 * using source = NetSource.create("srt", { mode: "listener", address: "127.0.0.1:0" });
 * const units = new ReceivedUnits();
 * const ctx = { frames: { encoded: () => assert.fail("no frame asked for") }, clock: { nowNs: () => 0 } };
 * const port = { space: 8, write: () => assert.fail("nothing to write") };
 * units.drain(source, ctx as never, port as never);
 * assert.equal(units.framesOut, 0);
 * ```
 */
export class ReceivedUnits {
  #buffer = new Uint8Array(0);
  #pending: ReceivedAccessUnit | undefined;
  #firstPtsNs = Number.NaN;
  #startNs = 0;
  #lastNs = Number.NEGATIVE_INFINITY;
  #frameNumber = 0;

  /** Access units written since the last {@linkcode ReceivedUnits.reset}. */
  get framesOut(): number {
    return this.#frameNumber;
  }

  /** Forgets the stream (for a node's new `setup()`); the read buffer is allocated on first use. */
  reset(): void {
    this.#pending = undefined;
    this.#firstPtsNs = Number.NaN;
    this.#lastNs = Number.NEGATIVE_INFINITY;
    this.#frameNumber = 0;
  }

  /**
   * Writes every access unit `source` holds to `out`, while `out` has space and frame memory
   * is free.
   *
   * @param source The native receiver.
   * @param ctx The node's clock and frames.
   * @param out The node's video output.
   * @throws {NetEndpointError} When the native thread failed.
   */
  drain(source: NetSource, ctx: ProcessContext, out: OutputPort<EncodedVideoFrame>): void {
    if (this.#buffer.length === 0) this.#buffer = new Uint8Array(MAX_ACCESS_UNIT_BYTES);
    while (out.space > 0) {
      const unit = this.#pending ?? source.read(this.#buffer);
      if (unit === undefined) return;
      const frame = ctx.frames.encoded({ codec: "h264", byteLength: unit.length });
      if (frame === undefined) {
        this.#pending = unit; // no frame memory now: first on the next run
        return;
      }
      this.#pending = undefined;
      if (Number.isNaN(this.#firstPtsNs) || unit.newStream) {
        this.#firstPtsNs = unit.timestampNs;
        this.#startNs = Math.max(ctx.clock.nowNs(), this.#lastNs + 1);
      }
      frame.data.set(this.#buffer.subarray(0, unit.length));
      frame.keyframe = unit.keyframe;
      frame.timestampNs = this.#startNs + (unit.timestampNs - this.#firstPtsNs);
      this.#lastNs = Math.max(this.#lastNs, frame.timestampNs);
      frame.frameNumber = this.#frameNumber++;
      out.write(frame);
    }
  }
}
