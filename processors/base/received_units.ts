/**
 * What the network source nodes (`SrtSource`, `RtspSource`) share: taking the access units a
 * native {@linkcode NetSource} received, stamping them on the graph's clock and writing them to
 * the node's video output (and, from SRT, handing Opus packets to the node's audio path).
 *
 * @module
 */

import type { EncodedVideoFrame, OutputPort, ProcessContext } from "../../mod.ts";
import type { NetSource, ReceivedAccessUnit } from "../../ffi/net/net_endpoint.ts";

/** The largest access unit taken (a 4K keyframe at a high bit rate fits). */
const MAX_ACCESS_UNIT_BYTES = 8 << 20;

/** Where a source node's received audio packets go (SRT carries Opus or AAC beside the video). */
export interface ReceivedAudio {
  /** The node's audio output: while connected and full, reading waits, as for video. */
  readonly port: { readonly isConnected: boolean; readonly space: number };
  /**
   * Takes one packet, stamped on the graph's clock like the video; the bytes are valid for the
   * call only. Called only while `port` is connected.
   *
   * @param aac Whether the packet is an ADTS frame (AAC) rather than an Opus packet.
   */
  write(ctx: ProcessContext, packet: Uint8Array, timestampNs: number, aac: boolean): void;
}

/**
 * Moves received H.264 or H.265 access units to a video output, keeping the stream's timing: the first
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
 * const port = { isConnected: true, space: 8, write: () => assert.fail("nothing to write") };
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
   * Writes every access unit `source` holds to `video` (and Opus packets to `audio`), while
   * the output a unit is for has space and frame memory is free. A unit for an output that is
   * not connected is read and left out.
   *
   * @param source The native receiver.
   * @param ctx The node's clock and frames.
   * @param video The node's video output.
   * @param audio Where Opus packets go; without it they are left out.
   * @throws {NetEndpointError} When the native thread failed.
   */
  drain(
    source: NetSource,
    ctx: ProcessContext,
    video: OutputPort<EncodedVideoFrame>,
    audio?: ReceivedAudio,
  ): void {
    if (this.#buffer.length === 0) this.#buffer = new Uint8Array(MAX_ACCESS_UNIT_BYTES);
    for (;;) {
      const unit = this.#pending ?? source.read(this.#buffer);
      if (unit === undefined) return;
      const port = unit.audio ? audio?.port : video;
      if (port?.isConnected && port.space <= 0) {
        this.#pending = unit; // the output is full: first on the next run
        return;
      }
      if (Number.isNaN(this.#firstPtsNs) || unit.newStream) {
        // A new stream's PTS start anywhere: it is placed on the graph's clock as it arrives,
        // after everything the previous stream output, so timestamps downstream only rise. A
        // stream starts at a keyframe, so audio follows the video's placement.
        this.#firstPtsNs = unit.timestampNs;
        this.#startNs = Math.max(ctx.clock.nowNs(), this.#lastNs + 1);
      }
      const timestampNs = this.#startNs + (unit.timestampNs - this.#firstPtsNs);
      if (unit.audio) {
        if (audio?.port.isConnected) {
          audio.write(ctx, this.#buffer.subarray(0, unit.length), timestampNs, unit.aac);
          this.#lastNs = Math.max(this.#lastNs, timestampNs);
        }
      } else if (video.isConnected) {
        const codec = unit.h265 ? "h265" : "h264";
        const frame = ctx.frames.encoded({ codec, byteLength: unit.length });
        if (frame === undefined) {
          this.#pending = unit; // no frame memory now: first on the next run
          return;
        }
        frame.data.set(this.#buffer.subarray(0, unit.length));
        frame.keyframe = unit.keyframe;
        frame.timestampNs = timestampNs;
        this.#lastNs = Math.max(this.#lastNs, timestampNs);
        frame.frameNumber = this.#frameNumber++;
        video.write(frame);
      }
      this.#pending = undefined;
    }
  }
}
