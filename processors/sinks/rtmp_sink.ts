/**
 * The {@linkcode RtmpSink} processor.
 *
 * @module
 */

import {
  config,
  type EncodedAudioFrame,
  type EncodedVideoFrame,
  input,
  type InputPort,
  type ProcessContext,
  processor,
  type SetupContext,
} from "../../mod.ts";
import { NetworkSink, type NetworkSinkEndpoint } from "../base/network_sink.ts";
import { EncodedAudioCodecError } from "../formats/encoded_audio_codec_error.ts";
import type { RtmpSinkTypes } from "./rtmp_sink.gen.ts";

/**
 * Config of {@linkcode RtmpSink}.
 */
export interface RtmpSinkConfig {
  /**
   * Where to publish: `rtmp://IP[:port]/app/streamKey` (port 1935 when left out). The host is
   * an IP address (IPv6 in brackets); names are not resolved. `rtmps://` is not supported.
   *
   * @pattern ^rtmp://((\d{1,3}\.){3}\d{1,3}|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?/[^/?#\s]+/[^?#\s]+$
   */
  url: string;
  /**
   * Access units the native queue holds; when the network falls behind the oldest is dropped
   * (counted) and the stream resumes at the next keyframe.
   *
   * @integer
   * @minimum 1
   * @maximum 4096
   * @default 64
   */
  queueFrames: number;
}

/** The parts of an `rtmp://` URL the native publisher takes. */
export interface RtmpTarget {
  /** `IP:port` (IPv6 in brackets). */
  address: string;
  /** The application, the first path segment. */
  app: string;
  /** The stream key, the rest of the path. */
  streamKey: string;
  /** The `tcUrl` of the `connect` command: `rtmp://host:port/app`. */
  tcUrl: string;
}

/**
 * Splits an `rtmp://` URL (already checked by the config schema).
 *
 * @param url `rtmp://IP[:port]/app/streamKey`.
 * @returns Address, app, stream key and tcUrl.
 *
 * @example Split a URL
 * ```ts
 * import assert from "node:assert/strict";
 * import { rtmpTarget } from "./rtmp_sink.ts";
 *
 * assert.deepEqual(rtmpTarget("rtmp://127.0.0.1/live/cam-1"), {
 *   address: "127.0.0.1:1935",
 *   app: "live",
 *   streamKey: "cam-1",
 *   tcUrl: "rtmp://127.0.0.1:1935/live",
 * });
 * ```
 */
export function rtmpTarget(url: string): RtmpTarget {
  const parsed = new URL(url);
  const address = `${parsed.hostname}:${parsed.port || "1935"}`;
  const [app, ...key] = parsed.pathname.slice(1).split("/");
  return {
    address,
    app,
    streamKey: decodeURIComponent(key.join("/")),
    tcUrl: `rtmp://${address}/${app}`,
  };
}

/**
 * Publishes H.264 video, and AAC audio from an `AacEncoder`, over RTMP (FLV messages; handshake
 * and chunking by the `rml_rtmp` crate), for the services and servers that still take RTMP
 * (`ffmpeg -listen 1`, nginx-rtmp, streaming platforms).
 *
 * A native thread owns the TCP connection: `process()` copies each access unit into a bounded
 * native queue and never waits for the network. It sends an AVC sequence header (SPS and PPS)
 * before the first keyframe and whenever they change. When the queue is full the oldest access
 * unit is dropped and the stream resumes at the next keyframe; until the server accepts the
 * publish, and after a reconnect, access units are dropped up to the next keyframe (counted).
 * Lost connections are retried with backoff (100 ms doubling to 2 s).
 *
 * Audio: connect `audio` to an `AacEncoder` (AAC-LC, what FLV players and ffmpeg's and
 * GStreamer's FLV demuxers read; they do not read Opus in FLV). The sink sends an AAC sequence
 * header (the AudioSpecificConfig) before the first frame of every publish, then each frame as an
 * FLV audio message. Audio and video share the queue and one clock: both are stamped relative to
 * the first video keyframe sent, and audio, like video, waits for a keyframe after a drop.
 *
 * Counters (`rt.stats().nodes[id].processor`): as `SrtSink`'s; `packets` counts RTMP media
 * messages, `audioPackets` the AAC frames queued, and `packetsLost` and `packetsRetransmitted`
 * stay 0 (TCP does not say).
 *
 * @example Publish to a server that is not there: nothing blocks, and access units are dropped
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, H264Encoder, RtmpSink, TestPattern } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * const pattern = rt.add(TestPattern, { width: 64, height: 48, fps: 30, pixelFormat: "I420" });
 * const encoder = rt.add(H264Encoder, { backend: "openh264" });
 * const rtmp = rt.add(RtmpSink, { url: "rtmp://127.0.0.1:9/live/key" }, { id: "rtmp" });
 * rt.connect(pattern.outputs.video, encoder.inputs.in);
 * rt.connect(encoder.outputs.out, rtmp.inputs.video);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 200));
 * const stats = rt.stats().nodes.rtmp;
 * await rt.stop();
 * assert.ok(stats.framesIn > 0);
 * assert.equal(stats.processor?.connected, 0);
 * assert.ok(Number(stats.processor?.connectFailures) > 0);
 * ```
 */
@processor({ tags: ["video", "audio", "sink", "network"], mode: "push" })
export class RtmpSink extends NetworkSink<RtmpSinkTypes> {
  /** H.264 access units (Annex B, keyframes with SPS and PPS), e.g. from `H264Encoder`. */
  @input({ required: true })
  video!: InputPort<EncodedVideoFrame>;

  /** AAC-LC frames (`EncodedAudioFrame` of codec `aac`) from an `AacEncoder`. */
  @input()
  audio!: InputPort<EncodedAudioFrame>;

  /** Server URL and queue. */
  @config()
  config!: RtmpSinkConfig;

  /**
   * The native publisher, for `url` (it connects right away).
   *
   * @returns RTMP with the URL's address, app, stream key and tcUrl.
   */
  protected endpoint(): NetworkSinkEndpoint {
    return {
      kind: "rtmp",
      settings: {
        ...rtmpTarget(this.config.url),
        queueFrames: this.config.queueFrames,
        audio: this.audio.isConnected,
      },
    };
  }

  #audioConfig: Uint8Array | undefined;
  #audioPackets = 0;

  /**
   * Starts the native publisher.
   *
   * @param ctx The node's name and clock.
   * @throws {UnsupportedError} For a setting the native side refuses.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    await super.setup(ctx);
    this.#audioConfig = undefined;
    this.#audioPackets = 0;
  }

  /**
   * Queues every waiting access unit, then every waiting AAC frame as an FLV audio body (first
   * setting the sender's sequence header when the stream's AudioSpecificConfig is new).
   *
   * @param ctx The node's name, clock and frames.
   * @throws {EncodedAudioCodecError} For audio other than AAC (`encoded_audio_codec`).
   */
  override process(ctx: ProcessContext): void {
    super.process(ctx);
    let frame;
    while ((frame = this.audio.read()) !== undefined) {
      if (frame.codec !== "aac") {
        const hint = "FLV carries AAC; connect an AacEncoder";
        throw new EncodedAudioCodecError("send audio over RTMP", frame.codec, ["aac"], hint);
      }
      if (!sameBytes(frame.extradata, this.#audioConfig)) {
        // FLV AUDIODATA: 0xAF (AAC; rate, size and type bits fixed for AAC), 0 = sequence header.
        // State of the sender, not an entry of its queue: a full queue drops its oldest entry.
        this.setAudioConfig(flvAudioBody(0, frame.extradata));
        this.#audioConfig = frame.extradata.slice();
      }
      this.pushAudio(flvAudioBody(1, frame.data), frame.timestampNs);
      this.#audioPackets++;
    }
  }

  /** The connection's counters and the AAC frames queued. */
  override reportStats(): { [key: string]: number | null } | undefined {
    const stats = super.reportStats();
    return stats && { ...stats, audioPackets: this.#audioPackets };
  }
}

/** Whether two byte strings are equal (`b` undefined: never). */
function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An FLV `AUDIODATA` body for AAC: `0xAF`, the packet type (0 config, 1 frame), the payload. */
function flvAudioBody(type: 0 | 1, payload: Uint8Array): Uint8Array {
  const body = new Uint8Array(2 + payload.length);
  body[0] = 0xaf;
  body[1] = type;
  body.set(payload, 2);
  return body;
}
