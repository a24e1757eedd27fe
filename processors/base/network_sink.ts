/**
 * The {@linkcode NetworkSink} base of processors that send H.264 through a native network sender.
 *
 * @module
 */

import {
  type EncodedVideoFrame,
  type InputPort,
  type ProcessContext,
  Processor,
  type ProcessorTypes,
  type SetupContext,
} from "../../mod.ts";
import type { NetKind, NetSink, NetStats } from "../../ffi/net/net_endpoint.ts";
import { PeerWatch } from "./peer_events.ts";

/** Which native sender a {@linkcode NetworkSink} starts, and its settings. */
export interface NetworkSinkEndpoint {
  /** The transport: `srt` or `rtmp`. */
  readonly kind: NetKind;
  /** The transport's settings (see `docs/network.md`). */
  readonly settings: Record<string, unknown>;
}

/**
 * The base of a processor that hands H.264 access units to a native sender (`NetSink`: SRT,
 * RTMP), as GStreamer's `GstBaseSink` is of its network sinks. A native thread owns the
 * connection, its reconnects and its queue; the base owns the sender's lifecycle and counters:
 *
 * - `setup()` closes a previous sender, imports the native module (on first use, so a program
 *   that never streams does not load it) and starts the sender the subclass names in
 *   {@linkcode NetworkSink.endpoint}, which connects (or listens) right away.
 * - `process()` copies every access unit waiting on `video` into the sender's bounded queue and
 *   never waits for the network; the sender drops (and counts) what does not fit. It also logs
 *   each change of the link as a peer event (`node-log` with `data.peer`: `connected`,
 *   `disconnected`, `retrying`, `reconnected`; see {@linkcode PeerWatch}).
 * - {@linkcode NetworkSink.netStats} and `reportStats()` give the connection's counters
 *   (`rt.stats().nodes[id].processor`), the last ones after teardown.
 * - `teardown()` sends what is queued, closes the connection and keeps its last counters.
 *   Idempotent.
 *
 * A subclass keeps its own `@processor`, `@config` and `@input` decorators (codegen reads the
 * class it generates for) and declares the input `video`.
 *
 * @typeParam T The subclass's generated types (`SrtSinkTypes`).
 *
 * @example A sender to a port where nobody listens: nothing blocks, everything is counted
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   config, connectLocal, createProcessContext, type EncodedVideoFrame, input, type InputBinding,
 *   type InputPort, OutputBinding, processor, type ProcessorTypes,
 * } from "@streamlib/streamlib";
 * import { NetworkSink, type NetworkSinkEndpoint } from "./network_sink.ts";
 *
 * interface NowhereTypes extends ProcessorTypes {
 *   readonly config: { port: number };
 * }
 *
 * @processor({ mode: "push" })
 * class NowhereSink extends NetworkSink<NowhereTypes> {
 *   @input({ required: true }) video!: InputPort<EncodedVideoFrame>;
 *   @config() config!: { port: number };
 *
 *   protected endpoint(): NetworkSinkEndpoint {
 *     return { kind: "srt", settings: { address: `127.0.0.1:${this.config.port}`, queueFrames: 2 } };
 *   }
 * }
 *
 * const sink = new NowhereSink();
 * sink.config = { port: 9 };
 * const encoder = new OutputBinding<EncodedVideoFrame>("encoder", "EncodedVideoFrame");
 * connectLocal(encoder, sink.video as InputBinding<EncodedVideoFrame>);
 * const ctx = createProcessContext("nowhere");
 * await sink.setup(ctx);
 * for (let i = 0; i < 5; i++) {
 *   const data = new Uint8Array([0, 0, 0, 1, 0x65, i]);
 *   encoder.write({ kind: "encoded-video", codec: "h264", data, keyframe: true, timestampNs: i * 1e6, frameNumber: i });
 * }
 * sink.process(ctx);
 * sink.teardown();
 * assert.equal(sink.netStats?.connected, 0);
 * assert.equal(sink.netStats?.frames, 0);
 * ```
 */
export abstract class NetworkSink<T extends ProcessorTypes> extends Processor<T> {
  /** The subclass's `@input()` of H.264 access units (Annex B, keyframes with SPS and PPS). */
  abstract readonly video: InputPort<EncodedVideoFrame>;

  #sink: NetSink | undefined;
  #last: NetStats | undefined;
  #peers = new PeerWatch();
  #peer = "";

  /** The connection's counters (the last ones after teardown); `undefined` before setup. */
  get netStats(): NetStats | undefined {
    return this.#sink?.stats() ?? this.#last;
  }

  /**
   * Queues one audio packet on the native sender beside the video, for a subclass that sends
   * audio (SRT: an Opus packet; RTMP: an FLV AAC `AUDIODATA` body); nothing while the sender is
   * closed.
   *
   * @param packet One packet (copied).
   * @param timestampNs Presentation time of its first sample, in ns, on the video's clock.
   * @returns `false` when the sender is closed or its queue was full and dropped its oldest entry.
   * @throws {NetEndpointError} When the native thread failed.
   */
  protected pushAudio(packet: Uint8Array, timestampNs: number): boolean {
    return this.#sink?.pushAudio(packet, timestampNs) ?? false;
  }

  /**
   * Sets the audio stream's configuration on the native sender (RTMP: the FLV AAC sequence
   * header), kept beside its queue so no overflow drops it; nothing while the sender is closed.
   *
   * @param config The configuration (copied).
   * @throws {NetEndpointError} When the native thread failed.
   */
  protected setAudioConfig(config: Uint8Array): void {
    this.#sink?.setAudioConfig(config);
  }

  /**
   * The native sender to start, from the config: called by `setup()`.
   *
   * @returns The transport and its settings.
   */
  protected abstract endpoint(): NetworkSinkEndpoint;

  /**
   * Starts the native sender, which connects (or listens) right away.
   *
   * @param _ctx The node's name and clock.
   * @throws {UnsupportedError} For a setting the native side refuses.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    this.teardown();
    const { NetSink } = await import("../../ffi/net/net_endpoint.ts");
    const { kind, settings } = this.endpoint();
    this.#sink = NetSink.create(kind, settings);
    this.#peers = new PeerWatch(settings.mode !== "listener");
    this.#peer = peerName(kind, settings);
  }

  /**
   * Queues every waiting access unit for the sender.
   *
   * @param _ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const sink = this.#sink;
    let frame;
    while ((frame = this.video.read()) !== undefined) {
      sink?.push(frame.data, frame.timestampNs, frame.keyframe);
    }
    if (sink !== undefined) this.#peers.report(ctx.log, sink.stats(), this.#peer);
  }

  /** The connection's counters. */
  override reportStats(): { [key: string]: number | null } | undefined {
    const stats = this.netStats;
    return stats && { ...stats };
  }

  /** Sends what is queued, closes the connection and stops the sender. Idempotent. */
  override teardown(): void {
    if (this.#sink === undefined) return;
    this.#sink.close(); // sends what is queued first
    this.#last = this.#sink.stats();
    this.#sink = undefined;
  }
}

/**
 * The peer of a sender, in words, for its peer events: transport, mode and address (never an
 * RTMP stream key).
 *
 * @param kind The transport.
 * @param settings The native settings.
 * @returns E.g. `srt caller 127.0.0.1:9000`.
 */
function peerName(kind: string, settings: Record<string, unknown>): string {
  const mode = typeof settings.mode === "string" ? ` ${settings.mode}` : "";
  const address = typeof settings.address === "string" ? ` ${settings.address}` : "";
  return `${kind}${mode}${address}`;
}
