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
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import type { WebRtcEndpoint } from "../../ffi/net/webrtc_endpoint.ts";
import type { OpusPackets } from "../webrtc/opus_packets.ts";
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
   * Viewers at once; a further WHEP offer gets 503 `webrtc_too_many_peers`, unless a viewer has
   * sent nothing for 3 s (it vanished without a `DELETE`): the new one takes its place.
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
 * `processor` in the node's `rt.stats()`.
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
 * const whep = rt.add(WhepSink, {}, { id: "live" });
 * rt.connect(pattern.outputs.video, encoder.inputs.in);
 * rt.connect(encoder.outputs.out, whep.inputs.video);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * const stats = rt.stats().nodes.live.processor!;
 * assert.equal(stats.viewers, 0);
 * assert.match(String(stats.address), /^127\.0\.0\.1:\d+$/);
 * await rt.stop();
 * ```
 */
@processor({ tags: ["video", "audio", "sink", "network", "webrtc"], mode: "push" })
export class WhepSink extends Processor<WhepSinkTypes> {
  /** H.264 access units (Annex B, keyframes with SPS and PPS), e.g. from `H264Encoder`. */
  @input({ required: true })
  video!: InputPort<EncodedVideoFrame>;

  /** Audio to send as Opus: 8-48 kHz, mono or stereo. */
  @input()
  audio!: InputPort<AudioFrame>;

  /** Addresses, viewer count, queue length and Opus bit rate. */
  @config()
  config!: WhepSinkConfig;

  #endpoint: WebRtcEndpoint | undefined;
  #opus: OpusPackets | undefined;
  #keyframeRequests = 0;
  #audioRefused = 0;
  #videoAgeNs = 0;

  /** The live endpoint (`undefined` before `setup()` and after `teardown()`). */
  get endpoint(): WebRtcEndpoint | undefined {
    return this.#endpoint;
  }

  /**
   * Binds the UDP socket and starts the network thread, under the node's id.
   *
   * The native WebRTC code is imported here, on first use, so a program that never streams does
   * not load it.
   *
   * @param ctx The node's name and clock.
   * @throws {WebRtcError} `webrtc_endpoint_taken` when another live endpoint has this id.
   * @throws {UnsupportedError} For an address that is not an IP address, or `0.0.0.0` without
   *   `publicAddress`.
   * @throws {DeviceError} When the socket cannot be bound (port in use).
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    const { bind, port, publicAddress, publicPort, maxViewers, queueFrames, audioBitrate } =
      this.config;
    const { WebRtcEndpoint } = await import("../../ffi/net/webrtc_endpoint.ts");
    const { OpusPackets } = await import("../webrtc/opus_packets.ts");
    this.#endpoint = WebRtcEndpoint.create({
      name: ctx.node,
      mode: "send",
      bind,
      port,
      publicAddress: publicAddress === "" ? undefined : publicAddress,
      publicPort,
      maxPeers: maxViewers,
      queueFrames,
    });
    this.#opus = this.inputs.audio.isConnected ? new OpusPackets(audioBitrate) : undefined;
    this.#keyframeRequests = 0;
    this.#audioRefused = 0;
  }

  /**
   * Hands every waiting frame to the network thread (only while someone watches), and passes
   * viewers' keyframe requests upstream.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const endpoint = this.#endpoint;
    if (!endpoint) return;
    const { keyframeRequests, peers } = endpoint.poll();
    if (keyframeRequests > this.#keyframeRequests) {
      this.#keyframeRequests = keyframeRequests;
      this.inputs.video.requestKeyframe();
    }
    let video;
    while ((video = this.inputs.video.read()) !== undefined) {
      this.#videoAgeNs = ctx.clock.nowNs() - video.timestampNs;
      if (peers > 0) endpoint.push("video", video.data, video.timestampNs, video.keyframe);
    }
    const opus = this.#opus;
    let audio;
    while ((audio = this.inputs.audio.read()) !== undefined) {
      if (!opus) continue;
      const fits = opus.add(audio, (packet, timestampNs) => {
        if (peers > 0) endpoint.push("audio", packet, timestampNs, false);
      });
      if (!fits) {
        this.#audioRefused++;
        ctx.frames.drop(audio);
      }
    }
  }

  /**
   * The endpoint's address, viewers and their counters, for `rt.stats()`.
   *
   * @returns The counters (empty before setup).
   */
  override reportStats(): { [key: string]: JsonValue } {
    const endpoint = this.#endpoint;
    if (!endpoint) return {};
    const stats = endpoint.stats();
    return {
      address: stats.address,
      viewers: stats.peers.length,
      keyframeRequests: stats.keyframeRequests,
      viewersReplaced: stats.peersReplaced,
      framesDropped: stats.framesDropped,
      audioBlocksRefused: this.#audioRefused,
      videoAgeMs: Math.round(this.#videoAgeNs / 1e4) / 100,
      peers: stats.peers as unknown as JsonValue,
    };
  }

  /** Closes every viewer's session and stops the endpoint. Idempotent. */
  override teardown(): void {
    this.#endpoint?.close();
    this.#endpoint = undefined;
    this.#opus?.close();
    this.#opus = undefined;
  }
}
