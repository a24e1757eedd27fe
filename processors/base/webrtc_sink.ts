/**
 * The {@linkcode WebRtcSink} base of processors that send media over a native WebRTC endpoint.
 *
 * @module
 */

import {
  type AudioFrame,
  type EncodedVideoFrame,
  type InputPort,
  type ProcessContext,
  Processor,
  type ProcessorTypes,
  type SetupContext,
} from "../../mod.ts";
import type { WebRtcEndpoint } from "../../ffi/net/webrtc_endpoint.ts";
import type { OpusPackets } from "../webrtc/opus_packets.ts";

/** The config fields every {@linkcode WebRtcSink} has: its socket, queue and Opus bit rate. */
export interface WebRtcSinkConfig {
  /** The IP address the media (UDP) socket binds. */
  readonly bind: string;
  /** The UDP port for media; 0 picks a free one. */
  readonly port: number;
  /** The address announced to peers (the ICE candidate); empty for the bind address. */
  readonly publicAddress: string;
  /** The UDP port announced to peers; 0 for the bound port. */
  readonly publicPort: number;
  /** Frames the queue to the network thread holds. */
  readonly queueFrames: number;
  /** Opus bit rate for `audio`, bits per second. */
  readonly audioBitrate: number;
}

/**
 * The base of a processor that sends H.264 video and Opus audio to WebRTC peers from a native
 * endpoint (str0m on its own thread, one UDP port), as GStreamer's `GstBaseSink` is of its network
 * sinks. The base owns the endpoint and the Opus packetizer; the subclass says how many peers it
 * takes, when media goes out, and how peers arrive (WHEP viewers, a WHIP server):
 *
 * - `setup()` closes what a previous setup opened, imports the native WebRTC code (on first use,
 *   so a program that never streams does not load it), binds the socket under the node's id and
 *   starts an Opus packetizer when `audio` is connected.
 * - `process()` polls the endpoint, passes the peers' keyframe requests (PLI/FIR, new peers) to
 *   the encoder upstream (`InputPort.requestKeyframe()`), asks {@linkcode WebRtcSink.live}
 *   whether to send, then hands every waiting access unit and every 20 ms Opus packet to the
 *   network thread. It never waits: an audio block the packetizer refuses is counted with
 *   `ctx.frames.drop()` and in {@linkcode WebRtcSink.audioBlocksRefused}.
 * - `drain()` at the end of the stream encodes and sends what the packetizer still holds.
 * - `teardown()` closes every session and the endpoint, and the packetizer. Idempotent.
 *
 * A subclass keeps its own `@processor`, `@config` and `@input` decorators (codegen reads the
 * class it generates for), declares the inputs `video` and `audio`, and reports its own stats.
 *
 * @typeParam T The subclass's generated types (`WhepSinkTypes`).
 *
 * @example A sender that serves two peers; nobody connects, so nothing is sent
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   type AudioFrame, config, createProcessContext, type EncodedVideoFrame, input, type InputPort,
 *   processor, type ProcessorTypes,
 * } from "@streamlib/streamlib";
 * import { WebRtcSink, type WebRtcSinkConfig } from "./webrtc_sink.ts";
 *
 * interface TwoTypes extends ProcessorTypes {
 *   readonly config: WebRtcSinkConfig;
 * }
 *
 * @processor({ mode: "push" })
 * class TwoPeerSink extends WebRtcSink<TwoTypes> {
 *   @input({ required: true }) video!: InputPort<EncodedVideoFrame>;
 *   @input() audio!: InputPort<AudioFrame>;
 *   @config() config!: WebRtcSinkConfig;
 *
 *   protected maxPeers(): number {
 *     return 2;
 *   }
 *   protected live(peers: number): boolean {
 *     return peers > 0;
 *   }
 * }
 *
 * const sink = new TwoPeerSink();
 * sink.config = {
 *   bind: "127.0.0.1", port: 0, publicAddress: "", publicPort: 0, queueFrames: 8, audioBitrate: 64000,
 * };
 * await sink.setup(createProcessContext("two_peers"));
 * assert.match(sink.endpoint!.stats().address, /^127\.0\.0\.1:\d+$/);
 * await sink.teardown();
 * assert.equal(sink.endpoint, undefined);
 * ```
 */
export abstract class WebRtcSink<T extends ProcessorTypes> extends Processor<T> {
  /** The subclass's `@input()` of H.264 access units (Annex B, keyframes with SPS and PPS). */
  abstract readonly video: InputPort<EncodedVideoFrame>;
  /** The subclass's `@input()` of audio to send as Opus: 8-48 kHz, mono or stereo. */
  abstract readonly audio: InputPort<AudioFrame>;
  /** The subclass's `@config()` field; the base reads the socket, queue and Opus fields. */
  abstract config: WebRtcSinkConfig;

  #endpoint: WebRtcEndpoint | undefined;
  #opus: OpusPackets | undefined;
  #keyframeRequests = 0;
  #audioRefused = 0;

  /** The live endpoint (`undefined` before `setup()` and after `teardown()`). */
  get endpoint(): WebRtcEndpoint | undefined {
    return this.#endpoint;
  }

  /** Whether audio is sent: `audio` was connected at `setup()`. */
  protected get sendsAudio(): boolean {
    return this.#opus !== undefined;
  }

  /** Audio blocks the Opus packetizer refused since `setup()` (each counted as dropped). */
  protected get audioBlocksRefused(): number {
    return this.#audioRefused;
  }

  /**
   * How many peers the endpoint takes at once.
   *
   * @returns The most sessions at once.
   */
  protected abstract maxPeers(): number;

  /**
   * Whether this run sends what it reads; called once per `process()`, after the poll (frames
   * read while it is `false` are not sent).
   *
   * @param peers The sessions connected now.
   * @param ctx The node's name, clock and frames.
   * @returns `true` to send.
   */
  protected abstract live(peers: number, ctx: ProcessContext): boolean;

  /**
   * Called for every access unit read, sent or not. The default does nothing.
   *
   * @param _frame The access unit.
   * @param _ctx The node's name, clock and frames.
   */
  protected onVideo(_frame: EncodedVideoFrame, _ctx: ProcessContext): void {}

  /**
   * Closes what a previous setup opened, then opens the endpoint ({@linkcode WebRtcSink.open}).
   *
   * @param ctx The node's name and clock.
   * @throws What {@linkcode WebRtcSink.open} throws.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    await this.teardown();
    await this.open(ctx);
  }

  /**
   * Binds the UDP socket and starts the network thread under the node's id, and the Opus
   * packetizer when `audio` is connected; a subclass's own `setup()` calls it after `teardown()`.
   *
   * @param ctx The node's name and clock.
   * @throws {WebRtcError} `webrtc_endpoint_taken` when another live endpoint has this id.
   * @throws {UnsupportedError} For an address that is not an IP address, or `0.0.0.0` without
   *   `publicAddress`.
   * @throws {DeviceError} When the socket cannot be bound (port in use).
   */
  protected async open(ctx: SetupContext): Promise<void> {
    const { bind, port, publicAddress, publicPort, queueFrames, audioBitrate } = this.config;
    const { WebRtcEndpoint } = await import("../../ffi/net/webrtc_endpoint.ts");
    const { OpusPackets } = await import("../webrtc/opus_packets.ts");
    this.#endpoint = WebRtcEndpoint.create({
      name: ctx.node,
      mode: "send",
      bind,
      port,
      publicAddress: publicAddress === "" ? undefined : publicAddress,
      publicPort,
      maxPeers: this.maxPeers(),
      queueFrames,
    });
    this.#opus = this.audio.isConnected ? new OpusPackets(audioBitrate) : undefined;
    this.#keyframeRequests = 0;
    this.#audioRefused = 0;
  }

  /**
   * Passes the peers' keyframe requests upstream, then hands every waiting frame to the network
   * thread while {@linkcode WebRtcSink.live} says so.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const endpoint = this.#endpoint;
    if (!endpoint) return;
    const { keyframeRequests, peers } = endpoint.poll();
    if (keyframeRequests > this.#keyframeRequests) {
      this.#keyframeRequests = keyframeRequests;
      this.video.requestKeyframe();
    }
    const live = this.live(peers, ctx);
    let video;
    while ((video = this.video.read()) !== undefined) {
      this.onVideo(video, ctx);
      if (live) endpoint.push("video", video.data, video.timestampNs, video.keyframe);
    }
    const opus = this.#opus;
    let audio;
    while ((audio = this.audio.read()) !== undefined) {
      if (!opus) continue;
      const fits = opus.add(audio, (packet, timestampNs) => {
        if (live) endpoint.push("audio", packet, timestampNs, false);
      });
      if (!fits) {
        this.#audioRefused++;
        ctx.frames.drop(audio);
      }
    }
  }

  /**
   * At the end of the stream: the audio still inside the Opus packetizer (a partial 20 ms block
   * and the encoder's lookahead) is encoded and sent, while {@linkcode WebRtcSink.live} says so,
   * so the stream's last samples go out.
   *
   * @param ctx The node's name, clock and frames.
   */
  override drain(ctx: ProcessContext): void {
    const endpoint = this.#endpoint;
    const opus = this.#opus;
    if (!endpoint || !opus) return;
    const live = this.live(endpoint.poll().peers, ctx);
    opus.flush((packet, timestampNs) => {
      if (live) endpoint.push("audio", packet, timestampNs, false);
    });
  }

  /** Closes every session and the endpoint, and the Opus packetizer. Idempotent. */
  override teardown(): void | Promise<void> {
    this.#endpoint?.close();
    this.#endpoint = undefined;
    this.#opus?.close();
    this.#opus = undefined;
  }
}
