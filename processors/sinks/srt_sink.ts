/**
 * The {@linkcode SrtSink} processor.
 *
 * @module
 */

import { config, type EncodedVideoFrame, input, type InputPort, processor } from "../../mod.ts";
import { NetworkSink, type NetworkSinkEndpoint } from "../base/network_sink.ts";
import { type SrtConfig, srtEndpointSettings } from "../base/srt_config.ts";
import type { SrtSinkTypes } from "./srt_sink.gen.ts";

/**
 * Config of {@linkcode SrtSink}: its mode, and the SRT settings it shares with `SrtSource`.
 */
export interface SrtSinkConfig extends SrtConfig {
  /**
   * `caller` connects to `host:port` (and reconnects with backoff when the peer goes away);
   * `listener` binds `host:port` and serves one caller at a time.
   *
   * @default "caller"
   */
  mode: "caller" | "listener";
}

/**
 * Sends H.264 video as MPEG-TS over SRT (the `srt-protocol` crate; TS packets written by
 * `mpeg2ts`), for `ffmpeg`, GStreamer, OBS, media servers and anything else that reads
 * `srt://`.
 *
 * A native thread owns the connection: `process()` copies each access unit into a bounded native
 * queue and never waits for the network. When the queue is full the oldest access unit is
 * dropped and the stream resumes at the next keyframe; while no peer is connected access units
 * are dropped too, and a new connection starts at the next keyframe (keep the encoder's keyframe
 * interval short). A caller reconnects with backoff (100 ms doubling to 2 s) when the peer goes
 * away; a listener takes the next caller. Audio is not sent: the TS muxer crate has no Opus
 * mapping and there is no AAC encoder here (see `docs/network.md`).
 *
 * Counters (`rt.stats().nodes[id].processor`): `connected`, `connections`, `disconnects`,
 * `connectFailures`, `bytes`, `bitrate`, `packets`, `packetsLost`, `packetsRetransmitted`,
 * `naks`, `frames`, `framesDropped`, `framesQueued`.
 *
 * @example Stream a test pattern to an SRT listener that is not there yet: nothing blocks
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, H264Encoder, SrtSink, TestPattern } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * const pattern = rt.add(TestPattern, { width: 64, height: 48, fps: 30, pixelFormat: "I420" });
 * const encoder = rt.add(H264Encoder, { backend: "openh264" });
 * const srt = rt.add(SrtSink, { host: "127.0.0.1", port: 9, queueFrames: 4 }, { id: "srt" });
 * rt.connect(pattern.outputs.video, encoder.inputs.in);
 * rt.connect(encoder.outputs.out, srt.inputs.video);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 200));
 * const stats = rt.stats().nodes.srt;
 * await rt.stop();
 * assert.ok(stats.framesIn > 0);
 * assert.equal(stats.processor?.connected, 0);
 * assert.ok(Number(stats.processor?.framesDropped) > 0);
 * ```
 */
@processor({ tags: ["video", "sink", "network"], mode: "push" })
export class SrtSink extends NetworkSink<SrtSinkTypes> {
  /** H.264 access units (Annex B, keyframes with SPS and PPS), e.g. from `H264Encoder`. */
  @input({ required: true })
  video!: InputPort<EncodedVideoFrame>;

  /** Mode, address, latency, encryption and queue. */
  @config()
  config!: SrtSinkConfig;

  /**
   * The native sender, which connects (caller) or listens (listener) right away.
   *
   * @returns SRT with the config's address, latency, encryption and queue.
   */
  protected endpoint(): NetworkSinkEndpoint {
    return { kind: "srt", settings: srtEndpointSettings(this.config) };
  }
}
