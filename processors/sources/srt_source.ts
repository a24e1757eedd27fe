/**
 * The {@linkcode SrtSource} processor.
 *
 * @module
 */

import {
  config,
  type EncodedVideoFrame,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { NetSource, NetStats } from "../../ffi/net/net_endpoint.ts";
import { type SrtConfig, srtEndpointSettings } from "../base/srt_config.ts";
import { PeerWatch } from "../base/peer_events.ts";
import { ReceivedUnits } from "../base/received_units.ts";
import type { SrtSourceTypes } from "./srt_source.gen.ts";

/**
 * Config of {@linkcode SrtSource}: its mode, and the SRT settings it shares with `SrtSink`.
 */
export interface SrtSourceConfig extends SrtConfig {
  /**
   * `listener` binds `host:port` and takes one sender at a time (the next when one leaves);
   * `caller` connects to a sender that listens, and reconnects with backoff.
   *
   * @default "listener"
   */
  mode: "caller" | "listener";
}

/** How often the node looks for received access units. */
const POLL_NS = 5_000_000;

/**
 * Receives H.264 video as MPEG-TS over SRT (`srt-protocol`; TS parsed by `mpeg2ts`) and outputs its
 * access units, for `Mp4Writer` or `H264Decoder`: from `ffmpeg -f mpegts srt://...`, GStreamer's
 * `srtsink`, OBS or a media server.
 *
 * A native thread owns the connection and demuxes; the node polls every 5 ms and never waits.
 * Access units keep the stream's timing: the first is stamped with the graph clock when it
 * arrives, the later ones by their PTS distance from it. Each new sender (or the same one after
 * a reconnection) is a new stream: it starts at its first keyframe (what comes before is dropped,
 * counted) and is placed on the clock as it arrives, after everything before it, so timestamps
 * downstream only rise. Other streams of the TS (audio, data) are ignored. When the graph falls behind, the native queue drops its oldest access unit
 * (counted) and resumes at the next keyframe.
 *
 * Counters (`rt.stats().nodes[id].processor`): as `SrtSink`'s, counting what is received. Each
 * sender that connects or leaves is a peer event (`node-log` with `data.peer`: `connected`,
 * `reconnected`, `disconnected`; a caller's failed attempts `retrying`): a sender that closes
 * is noticed at once, one that vanishes after `idleTimeoutMs` of silence.
 *
 * @example Listen for a sender; without one nothing comes out and nothing blocks
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, NullSink, SrtSource } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * const srt = rt.add(SrtSource, { port: 47_001 }, { id: "srt" });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(srt.outputs.video, sink.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * const stats = rt.stats().nodes.srt;
 * await rt.stop();
 * assert.equal(stats.framesOut, 0);
 * assert.equal(stats.processor?.connected, 0);
 * ```
 */
@processor({ tags: ["video", "source", "network"], mode: "loop" })
export class SrtSource extends Processor<SrtSourceTypes> {
  /** H.264 access units (Annex B) as received. */
  @output()
  video!: OutputPort<EncodedVideoFrame>;

  /** Mode, address, latency, encryption and queue. */
  @config()
  config!: SrtSourceConfig;

  #source: NetSource | undefined;
  #last: NetStats | undefined;
  #units = new ReceivedUnits();
  #peers = new PeerWatch();

  /** The connection's counters (the last ones after teardown); `undefined` before setup. */
  get netStats(): NetStats | undefined {
    return this.#source?.stats() ?? this.#last;
  }

  /**
   * Starts the native receiver, which listens (or connects) right away, and the 5 ms poll
   * (its module is imported here, on first use, so a program that never streams does not load it).
   *
   * @param ctx The node's name, clock and loop.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    const { NetSource } = await import("../../ffi/net/net_endpoint.ts");
    this.#units.reset();
    this.#source = NetSource.create("srt", srtEndpointSettings(this.config));
    this.#peers = new PeerWatch(this.config.mode === "caller");
    ctx.loop?.setPeriodNs(POLL_NS);
  }

  /**
   * Outputs every access unit received since the last run.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const source = this.#source;
    if (source === undefined) return;
    const { mode, host, port } = this.config;
    this.#peers.report(ctx.log, source.stats(), `srt ${mode} ${host}:${port}`);
    this.#units.drain(source, ctx, this.outputs.video);
  }

  /** The connection's counters. */
  override reportStats(): { [key: string]: number | null } | undefined {
    const stats = this.netStats;
    return stats && { ...stats };
  }

  /** Closes the connection and stops the receiver. Idempotent. */
  override teardown(): void {
    if (this.#source === undefined) return;
    this.#source.close(); // sends what is queued first
    this.#last = this.#source.stats();
    this.#source = undefined;
  }
}
