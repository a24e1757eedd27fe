/**
 * The {@linkcode WhipSource} processor.
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
import type { JsonValue } from "../../core/schema/json_schema.ts";
import { BufferTooSmallError } from "../../ffi/native/errors.ts";
import type { OpusDecoder } from "../../ffi/media/opus_decoder.ts";
import type { WebRtcEndpoint } from "../../ffi/net/webrtc_endpoint.ts";
import { WebRtcPeerLog } from "../base/webrtc_peer_log.ts";
import type { WhipSourceTypes } from "./whip_source.gen.ts";

/**
 * Config of {@linkcode WhipSource}.
 */
export interface WhipSourceConfig {
  /**
   * The IP address the media (UDP) socket binds; `127.0.0.1` takes publishers on this machine
   * only.
   *
   * @minLength 2
   * @default "127.0.0.1"
   */
  bind: string;
  /**
   * The UDP port for media; 0 picks a free one.
   *
   * @integer
   * @minimum 0
   * @maximum 65535
   * @default 0
   */
  port: number;
  /**
   * The address announced to the publisher (the ICE candidate); empty for the bind address.
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
   * Received frames the queue from the network thread holds; when this node falls behind, new
   * frames are dropped and counted.
   *
   * @integer
   * @minimum 2
   * @maximum 1024
   * @default 256
   */
  queueFrames: number;
  /**
   * Channels of the decoded audio (Opus is decoded at 48 kHz).
   *
   * @integer
   * @minimum 1
   * @maximum 2
   * @default 2
   */
  audioChannels: number;
}

const PERIOD_NS = 5_000_000;

/**
 * Takes a WHIP publish (a browser's camera and microphone, OBS) and outputs its video as H.264
 * access units, as received (Annex B; no re-encoding, so straight into `Mp4Writer`), and its
 * audio decoded from Opus to 48 kHz blocks.
 *
 * The publisher reaches it through the dashboard's server: `POST /api/v1/whip/<node id>` with an
 * SDP offer (`application/sdp`, the token) answers 201 with the SDP answer and a `Location` to
 * `DELETE` (docs/webrtc.md). One publisher at a time; a new publish is taken after a `DELETE`,
 * and also while the old publisher is still listed but has sent nothing for 3 s (it vanished), so
 * a publisher that comes back need not wait for ICE to time out. Media arrives on a native thread (str0m)
 * and waits in a bounded queue that this node drains every 5 ms; if it falls behind, frames
 * are dropped and counted. Video goes out from the first keyframe; a keyframe request from
 * downstream (`InputPort.requestKeyframe()`) becomes a PLI to the publisher. Audio and video
 * are stamped as the publisher captured them, from its RTCP sender reports (each pairs a
 * stream's RTP time with the sender's wall clock); until both streams have had one (the first
 * second or so; Chromium's audio, up to 5 s), each stream is placed by the arrival of its first
 * frame and its RTP spacing, and the `avSync` stat says `arrival` (then `sender-reports`). The
 * session's first frame is stamped with the media-clock time it is read; times keep increasing.
 * Each publisher that connects or leaves is a peer event (`connected`, then `reconnected` for
 * the next one; `disconnected`, with why: its `DELETE`, or its silence past its own cadence).
 *
 * @example Wait for a publisher
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, NullSink, WhipSource } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * const whip = rt.add(WhipSource, {}, { id: "camera_in" });
 * const sink = rt.add(NullSink, {});
 * rt.connect(whip.outputs.video, sink.inputs.in);
 * await rt.start();
 * assert.equal(rt.stats().nodes.camera_in.processor!.publishers, 0);
 * await rt.stop();
 * ```
 */
@processor({ tags: ["video", "audio", "source", "network", "webrtc"], mode: "loop" })
export class WhipSource extends Processor<WhipSourceTypes> {
  /** H.264 access units (Annex B) as the publisher sent them, from its first keyframe. */
  @output()
  video!: OutputPort<EncodedVideoFrame>;

  /** The publisher's audio, decoded from Opus, 48 kHz. */
  @output()
  audio!: OutputPort<AudioFrame>;

  /** Addresses, queue length and audio channels. */
  @config()
  config!: WhipSourceConfig;

  #endpoint: WebRtcEndpoint | undefined;
  #decoder: OpusDecoder | undefined;
  #buffer = new Uint8Array(1 << 20);
  #pcm = new Float32Array(0);
  #offsetNs: number | undefined;
  #publishers = new WebRtcPeerLog("publisher", { onePeer: true });
  #session = -1;
  #keyframeSeen = false;
  #videoFrames = 0;
  #audioFrames = 0;
  #dropped = 0;
  #publishes = 0;

  /**
   * Binds the UDP socket and starts the network thread, under the node's id.
   *
   * The native WebRTC code is imported here, on first use, so a program that never streams does
   * not load it.
   *
   * @param ctx The node's name, clock and loop control.
   * @throws {WebRtcError} `webrtc_endpoint_taken` when another live endpoint has this id.
   * @throws {DeviceError} When the socket cannot be bound.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    ctx.loop?.setPeriodNs(PERIOD_NS);
    const { WebRtcEndpoint } = await import("../../ffi/net/webrtc_endpoint.ts");
    const { OpusDecoder } = await import("../../ffi/media/opus_decoder.ts");
    const { bind, port, publicAddress, publicPort, queueFrames, audioChannels } = this.config;
    this.#endpoint = WebRtcEndpoint.create({
      name: ctx.node,
      mode: "receive",
      bind,
      port,
      publicAddress: publicAddress === "" ? undefined : publicAddress,
      publicPort,
      maxPeers: 1,
      queueFrames,
    });
    this.#decoder = OpusDecoder.create({ sampleRate: 48_000, channels: audioChannels });
    this.#pcm = new Float32Array(5_760 * audioChannels); // 120 ms, the longest Opus packet
    this.#offsetNs = undefined;
    this.#publishers = new WebRtcPeerLog("publisher", { onePeer: true });
    this.#session = -1;
    this.#keyframeSeen = false;
    this.#videoFrames = 0;
    this.#audioFrames = 0;
    this.#dropped = 0;
    this.#publishes = 0;
  }

  /**
   * Writes every frame received since the last run.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const endpoint = this.#endpoint;
    if (!endpoint) return;
    if (this.outputs.video.takeKeyframeRequest()) endpoint.requestKeyframe();
    this.#publishers.report(ctx.log, endpoint.peerEvents());
    for (;;) {
      let frame;
      try {
        frame = endpoint.read(this.#buffer);
      } catch (error) {
        if (!(error instanceof BufferTooSmallError)) throw error;
        this.#buffer = new Uint8Array(error.needed * 2);
        continue;
      }
      if (frame === undefined) return;
      if (frame.session !== this.#session) {
        // A new publisher (the last one left or vanished): a new RTP timeline, video from its
        // first keyframe.
        this.#session = frame.session;
        this.#offsetNs = undefined;
        this.#keyframeSeen = false;
        this.#publishes++;
      }
      // One offset for the session: its audio and video share the native timeline.
      const offset = this.#offsetNs ??= ctx.clock.nowNs() - frame.timestampNs;
      const timestampNs = frame.timestampNs + offset;
      const data = this.#buffer.subarray(0, frame.byteLength);
      if (frame.kind === "video") this.#writeVideo(ctx, data, frame.keyframe, timestampNs);
      else this.#writeAudio(ctx, data, timestampNs);
    }
  }

  #writeVideo(ctx: ProcessContext, data: Uint8Array, keyframe: boolean, timestampNs: number) {
    this.#keyframeSeen ||= keyframe;
    if (!this.#keyframeSeen || !this.outputs.video.isConnected) return;
    const out = ctx.frames.encoded({ codec: "h264", byteLength: data.length });
    if (out === undefined) {
      this.#dropped++;
      return;
    }
    out.data.set(data);
    out.keyframe = keyframe;
    out.timestampNs = timestampNs;
    out.frameNumber = this.#videoFrames++;
    this.outputs.video.write(out);
  }

  #writeAudio(ctx: ProcessContext, packet: Uint8Array, timestampNs: number) {
    const decoder = this.#decoder;
    if (!decoder || !this.outputs.audio.isConnected) return;
    const frameCount = decoder.decode(packet, this.#pcm);
    if (frameCount <= 0) return;
    const channels = decoder.channels;
    const block = ctx.frames.audio({ channels, sampleRate: 48_000, frameCount });
    if (block === undefined) {
      this.#dropped++;
      return;
    }
    block.samples.set(this.#pcm.subarray(0, frameCount * channels));
    block.timestampNs = timestampNs;
    block.frameNumber = this.#audioFrames++;
    this.outputs.audio.write(block);
  }

  /**
   * The endpoint's address, its publisher's counters, and frames written.
   *
   * @returns The counters (empty before setup).
   */
  override reportStats(): { [key: string]: JsonValue } {
    const endpoint = this.#endpoint;
    if (!endpoint) return {};
    const stats = endpoint.stats();
    return {
      address: stats.address,
      publishers: stats.peers.length,
      publishes: this.#publishes,
      publishersReplaced: stats.peersReplaced,
      avSync: stats.peers[0]?.avSync ?? null,
      videoFrames: this.#videoFrames,
      audioFrames: this.#audioFrames,
      framesDropped: stats.framesDropped + this.#dropped,
      peers: stats.peers as unknown as JsonValue,
    };
  }

  /** Ends the publisher's session and stops the endpoint. Idempotent. */
  override teardown(): void {
    this.#endpoint?.close();
    this.#endpoint = undefined;
    this.#decoder?.close();
    this.#decoder = undefined;
  }
}
