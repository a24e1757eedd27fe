/**
 * The {@linkcode WhepSink} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  type EncodedVideoFrame,
  input,
  type InputPort,
  type ProcessContext,
  processor,
} from "../../mod.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import { WebRtcSink } from "../base/webrtc_sink.ts";
import { WebRtcPeerLog } from "../base/webrtc_peer_log.ts";
import type { WhepSinkTypes } from "./whep_sink.gen.ts";

/**
 * Config of {@linkcode WhepSink}.
 */
export interface WhepSinkConfig {
  /**
   * The IP address the media (UDP) socket binds; `127.0.0.1` serves this machine only.
   *
   * @minLength 2
   * @default "127.0.0.1"
   */
  bind: string;
  /**
   * The UDP port for media; 0 picks a free one (every viewer shares it).
   *
   * @integer
   * @minimum 0
   * @maximum 65535
   * @default 0
   */
  port: number;
  /**
   * The address announced to viewers (the ICE candidate); empty for the bind address. Needed
   * when `bind` is `0.0.0.0`.
   *
   * @default ""
   */
  publicAddress: string;
  /**
   * The UDP port announced to peers (the ICE candidate's) when a port forward or NAT mapping sits
   * in front of the socket; 0 for the bound port.
   *
   * @integer
   * @minimum 0
   * @maximum 65535
   * @default 0
   */
  publicPort: number;
  /**
   * Viewers at once; a further WHEP offer gets 503 `webrtc_too_many_peers` (its message says
   * the endpoint is full and the limit), unless a viewer's silence proves it gone (it vanished
   * without a `DELETE`: 3 s for a viewer that was receiving media, 7 s at most, past its ICE
   * consent checks; see docs/webrtc.md): the new one takes its place.
   *
   * @integer
   * @minimum 1
   * @maximum 64
   * @default 8
   */
  maxViewers: number;
  /**
   * Frames the queue to the network thread holds; when the thread falls behind, new frames
   * are dropped and counted (the graph never waits).
   *
   * @integer
   * @minimum 2
   * @maximum 1024
   * @default 64
   */
  queueFrames: number;
  /**
   * Opus bit rate for `audio`, bits per second.
   *
   * @integer
   * @minimum 6000
   * @maximum 510000
   * @default 64000
   */
  audioBitrate: number;
}

/**
 * Serves the pipeline live over WebRTC to WHEP players (browsers): H.264 access units from
 * `H264Encoder` go out as they are (no re-encoding), audio is encoded to Opus in 20 ms packets.
 *
 * Players reach it through the dashboard's server: `POST /api/v1/whep/<node id>` with an SDP
 * offer (`application/sdp`, the token as for every mutating call) answers 201 with the SDP
 * answer and a `Location` to `DELETE` when done (docs/webrtc.md). Media flows over one UDP port
 * from a native thread (str0m); this node only hands frames to it and never waits: a viewer
 * that stops reading, or a network thread that falls behind, costs dropped frames (counted in
 * `rt.stats()`), never a stalled graph. A viewer's PLI/FIR, and every new viewer, asks the
 * encoder upstream for a keyframe (`InputPort.requestKeyframe()`); viewers get video from
 * their first keyframe on. Use the encoder's `baseline` profile (the default), which every
 * browser decodes. Per-viewer stats (bit rate, RTT, loss, NACK/PLI/FIR counts) are under
 * `processor` in the node's `rt.stats()`. Each viewer that connects or leaves is a peer event
 * (`connected`; `disconnected`, with why: its `DELETE`, or its silence past its own cadence, 3 s
 * to 7 s), named by session and address (docs/network.md, "When the peer disappears").
 *
 * The node id names the endpoint in the process: two runtimes in one process cannot both have
 * a `WhepSink` of the same id (setup fails with `webrtc_endpoint_taken`).
 *
 * @example Serve a test pattern; nobody watches yet
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, H264Encoder, TestPattern, WhepSink } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * const pattern = rt.add(TestPattern, { width: 160, height: 120, fps: 30, pixelFormat: "I420" });
 * const encoder = rt.add(H264Encoder, { backend: "openh264" });
 * const whep = rt.add(WhepSink, {}, { id: "preview" });
 * rt.connect(pattern.outputs.video, encoder.inputs.in);
 * rt.connect(encoder.outputs.out, whep.inputs.video);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * const stats = rt.stats().nodes.preview.processor!;
 * assert.equal(stats.viewers, 0);
 * assert.match(String(stats.address), /^127\.0\.0\.1:\d+$/);
 * await rt.stop();
 * ```
 */
@processor({ tags: ["video", "audio", "sink", "network", "webrtc"], mode: "push" })
export class WhepSink extends WebRtcSink<WhepSinkTypes> {
  /** H.264 access units (Annex B, keyframes with SPS and PPS), e.g. from `H264Encoder`. */
  @input({ required: true })
  video!: InputPort<EncodedVideoFrame>;

  /** Audio to send as Opus: 8-48 kHz, mono or stereo. */
  @input()
  audio!: InputPort<AudioFrame>;

  /** Addresses, viewer count, queue length and Opus bit rate. */
  @config()
  config!: WhepSinkConfig;

  #videoAgeNs = 0;
  #viewers = new WebRtcPeerLog("viewer", { onePeer: false });

  /**
   * Sends what waits (see {@linkcode WebRtcSink}), then logs each viewer that connected or left
   * since the last run as a peer event (`connected`, `disconnected` with why).
   *
   * @param ctx The node's name, clock, frames and log.
   */
  override process(ctx: ProcessContext): void {
    super.process(ctx);
    const endpoint = this.endpoint;
    if (endpoint) this.#viewers.report(ctx.log, endpoint.peerEvents());
  }

  /**
   * Viewers at once: `maxViewers`.
   *
   * @returns The most sessions at once.
   */
  protected maxPeers(): number {
    return this.config.maxViewers;
  }

  /**
   * Sends only while someone watches.
   *
   * @param peers The viewers connected now.
   * @returns Whether any is.
   */
  protected live(peers: number): boolean {
    return peers > 0;
  }

  /**
   * Notes how old the newest access unit is, for the `videoAgeMs` stat.
   *
   * @param video The access unit.
   * @param ctx The node's clock.
   */
  protected override onVideo(video: EncodedVideoFrame, ctx: ProcessContext): void {
    this.#videoAgeNs = ctx.clock.nowNs() - video.timestampNs;
  }

  /**
   * The endpoint's address, viewers and their counters, for `rt.stats()`.
   *
   * @returns The counters (empty before setup).
   */
  override reportStats(): { [key: string]: JsonValue } {
    const endpoint = this.endpoint;
    if (!endpoint) return {};
    const stats = endpoint.stats();
    return {
      address: stats.address,
      viewers: stats.peers.length,
      keyframeRequests: stats.keyframeRequests,
      viewersReplaced: stats.peersReplaced,
      framesDropped: stats.framesDropped,
      audioBlocksRefused: this.audioBlocksRefused,
      videoAgeMs: Math.round(this.#videoAgeNs / 1e4) / 100,
      peers: stats.peers as unknown as JsonValue,
    };
  }
}
