/**
 * The {@linkcode RtspSource} processor.
 *
 * @module
 */

import {
  type AudioFrame,
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
import { logPeer, PeerWatch } from "../base/peer_events.ts";
import { type ReceivedAudio, ReceivedUnits } from "../base/received_units.ts";
import type { RtspSourceTypes } from "./rtsp_source.gen.ts";

/** Config of {@linkcode RtspSource}. */
export interface RtspSourceConfig {
  /**
   * The stream: `rtsp://host[:port]/path` (port 554 when left out). A host name is resolved at
   * each connection. A user name and password for the server's authentication may be given as
   * `rtsp://user:password@host/path` (they are visible wherever the config is).
   *
   * @pattern ^rtsp://[^/?#\s]+(/\S*)?$
   */
  url: string;
  /**
   * How RTP reaches this client: `tcp` interleaves it on the RTSP connection (works through
   * NAT and firewalls, nothing lost); `udp` receives it on two ports of this machine's (lower
   * latency on a LAN; a packet lost or reordered costs its picture, counted in `packetsLost`).
   *
   * @default "tcp"
   */
  transport: "tcp" | "udp";
  /**
   * Access units the native queue holds, received and not yet read. When the graph falls
   * behind the oldest is dropped (counted) and the stream resumes at the next keyframe.
   *
   * @integer
   * @minimum 1
   * @maximum 4096
   * @default 64
   */
  queueFrames: number;
  /**
   * How long one attempt to connect (TCP, `DESCRIBE`, `SETUP`, `PLAY`) may take, in ms, before
   * it counts as failed and the next one is made. It also bounds what a hostile server can make
   * the client buffer (an RTSP header that never ends), hence at most 20 s.
   *
   * @integer
   * @minimum 100
   * @maximum 20000
   * @default 5000
   */
  connectTimeoutMs: number;
  /**
   * Time without video, in ms, after which the server counts as gone and the node connects
   * again.
   *
   * @integer
   * @minimum 500
   * @maximum 60000
   * @default 3000
   */
  idleTimeoutMs: number;
}

/** How often the node looks for received access units. */
const POLL_NS = 5_000_000;

/**
 * Plays video and audio from an RTSP server or IP camera (the `retina` crate: `DESCRIBE`, `SETUP`
 * of the first H.264 or H.265 video stream and of the first AAC, G.711 A-law or mu-law audio
 * stream, `PLAY`) over TCP (interleaved) or UDP. `video` carries the access units in Annex B with
 * the parameter sets (SPS and PPS; VPS, SPS and PPS for H.265) before each keyframe, with the
 * codec they have (`h264` or `h265`), for `Mp4Writer`, `SrtSink`, `RtmpSink` or `H264Decoder` (the
 * sinks and the decoder take H.264); `audio` carries the audio decoded natively (AAC with
 * Symphonia, G.711 by its tables) at the stream's rate and channels, for `AudioResampler`,
 * `Mp4Writer` or any audio processor. A stream without video is refused; one without audio
 * leaves `audio` silent, and an audio `SETUP` the server refuses leaves the session video-only.
 * Audio and video are placed on the clock by their RTP times from `PLAY` (the server's
 * `RTP-Info`), not aligned by RTCP sender reports.
 *
 * A native thread owns the connection; the node polls every 5 ms and never waits. When the
 * server goes away, refuses, answers what is not RTSP, or sends no video for `idleTimeoutMs`,
 * it connects again with backoff (100 ms doubling to 2 s), and each session is a new stream
 * that starts at its first keyframe, placed on the clock after everything before it (as
 * `SrtSource`'s senders are). When the graph falls behind, the native queue drops its oldest
 * access unit (counted) and resumes at the next keyframe.
 *
 * Counters (`rt.stats().nodes[id].processor`): as `SrtSource`'s; `packetsLost` counts RTP
 * sequence gaps, `peerErrors` attempts whose answer the client refused or that did not finish
 * within `connectTimeoutMs` (and access units that did not parse), and `packets`,
 * `packetsRetransmitted`, `naks` and `rttMs` stay 0/`null`. Peer events (`node-log` with
 * `data.peer`): `connected`, `disconnected`, `retrying` (once per outage; with
 * `data.code: "rtsp_peer_invalid"` and a `detail` when the server answered what the client
 * refuses or stalled; a server that is down refuses the connection, and `retrying` has no code)
 * and `reconnected`.
 *
 * @example Point it at a server that is not there: it keeps retrying, and stop() returns
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, NullSink, RtspSource } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * const cam = rt.add(RtspSource, { url: "rtsp://127.0.0.1:9/cam", connectTimeoutMs: 200 }, {
 *   id: "cam",
 * });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(cam.outputs.video, sink.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 300));
 * const stats = rt.stats().nodes.cam;
 * await rt.stop();
 * assert.equal(stats.framesOut, 0);
 * assert.equal(stats.processor?.connected, 0);
 * assert.ok(Number(stats.processor?.connectFailures) >= 1);
 * ```
 */
@processor({ tags: ["video", "source", "network"], mode: "loop" })
export class RtspSource extends Processor<RtspSourceTypes> {
  /** H.264 or H.265 access units (Annex B, keyframes with their parameter sets) as received. */
  @output()
  video!: OutputPort<EncodedVideoFrame>;

  /** The audio stream decoded: blocks of the stream's rate and channels. */
  @output()
  audio!: OutputPort<AudioFrame>;

  /** URL, transport, queue and timeouts. */
  @config()
  config!: RtspSourceConfig;

  #source: NetSource | undefined;
  #last: NetStats | undefined;
  #units = new ReceivedUnits();
  #peers = new PeerWatch();
  #peerErrors = 0;
  #audio: DecodedAudio | undefined;

  /** The connection's counters (the last ones after teardown); `undefined` before setup. */
  get netStats(): NetStats | undefined {
    return this.#source?.stats() ?? this.#last;
  }

  /**
   * Starts the native client, which connects right away, and the 5 ms poll.
   *
   * @param ctx The node's name, clock and loop.
   * @throws {UnsupportedError} For a URL the native side refuses (the config's pattern lets
   * it by).
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    const { NetSource } = await import("../../ffi/net/net_endpoint.ts");
    this.#units.reset();
    const { url, transport, queueFrames, connectTimeoutMs, idleTimeoutMs } = this.config;
    this.#source = NetSource.create("rtsp", {
      url,
      transport,
      queueFrames,
      connectTimeoutMs,
      idleTimeoutMs,
    });
    this.#peers = new PeerWatch();
    this.#peerErrors = 0;
    ctx.loop?.setPeriodNs(POLL_NS);
  }

  /**
   * Reports peer changes and outputs every access unit received since the last run.
   *
   * @param ctx The node's log, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const source = this.#source;
    if (source === undefined) return;
    const stats = source.stats();
    const refused = stats.peerErrors - this.#peerErrors;
    this.#peerErrors = stats.peerErrors;
    const peer = `rtsp ${this.config.transport} ${redact(this.config.url)}`;
    for (const change of this.#peers.changes(stats)) {
      if (change === "retrying" && refused > 0) {
        const why = "the server's answer was refused or did not come within connectTimeoutMs";
        logPeer(ctx.log, change, peer, why, "rtsp_peer_invalid");
      } else logPeer(ctx.log, change, peer);
    }
    this.#audio ??= new DecodedAudio(this.outputs.audio);
    this.#units.drain(source, ctx, this.outputs.video, this.#audio);
  }

  /** The connection's counters. */
  override reportStats(): { [key: string]: number | null } | undefined {
    const stats = this.netStats;
    const audio = this.#audio;
    return stats && {
      ...stats,
      audioFrames: audio?.frames ?? 0,
      audioDropped: audio?.dropped ?? 0,
    };
  }

  /** Closes the connection and stops the client. Idempotent. */
  override teardown(): void {
    if (this.#source === undefined) return;
    this.#source.close();
    this.#last = this.#source.stats();
    this.#source = undefined;
  }
}

/** The URL without a password, for logs. */
/**
 * Writes the RTSP thread's decoded audio (the rate and channels as little-endian `u32`s, then
 * interleaved `f32` samples) to `port` as audio frames; one that finds no frame memory, or whose
 * header does not fit its length, is dropped and counted.
 */
class DecodedAudio implements ReceivedAudio {
  readonly port: OutputPort<AudioFrame>;
  frames = 0;
  dropped = 0;

  constructor(port: OutputPort<AudioFrame>) {
    this.port = port;
  }

  write(ctx: ProcessContext, packet: Uint8Array, timestampNs: number): void {
    const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    const rate = packet.byteLength >= 8 ? view.getUint32(0, true) : 0;
    const channels = packet.byteLength >= 8 ? view.getUint32(4, true) : 0;
    const samples = (packet.byteLength - 8) / 4;
    const frameCount = channels > 0 ? samples / channels : 0;
    if (rate === 0 || !Number.isInteger(frameCount) || frameCount === 0) {
      this.dropped++;
      return;
    }
    const frame = ctx.frames.audio({ channels, sampleRate: rate, frameCount });
    if (frame === undefined) {
      this.dropped++;
      return;
    }
    const out = frame.samples;
    for (let i = 0; i < samples; i++) out[i] = view.getFloat32(8 + 4 * i, true);
    frame.timestampNs = timestampNs;
    frame.frameNumber = this.frames++;
    this.port.write(frame);
  }
}

function redact(url: string): string {
  return url.replace(/^(rtsp:\/\/[^:@/]*):[^@/]*@/, "$1:***@");
}
