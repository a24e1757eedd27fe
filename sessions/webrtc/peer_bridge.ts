/**
 * {@linkcode PeerBridge}: one pipeline session and its browser on one duplex WebRTC endpoint.
 *
 * @module
 */

import type { Frame } from "../../core/frames/frame.ts";
import type { AudioFrame } from "../../core/frames/audio_frame.ts";
import type { EncodedVideoFrame } from "../../core/frames/encoded_video_frame.ts";
import type { VideoFrame } from "../../core/frames/video_frame.ts";
import { H264Decoder } from "../../ffi/media/h264_decoder.ts";
import { H264Encoder } from "../../ffi/media/h264_encoder.ts";
import { OpusDecoder } from "../../ffi/media/opus_decoder.ts";
import type { WebRtcEndpoint } from "../../ffi/net/webrtc_endpoint.ts";
import { OpusPackets } from "../../processors/webrtc/opus_packets.ts";
import type { Session } from "../session.ts";
import type { SessionObserver } from "../websocket/observer.ts";

/** How often the bridge drains the endpoint's receive queue and checks the peer, in ms. */
const TICK_MS = 5;
/** Frames of one input sent to the graph and not yet taken; past it the next are dropped. */
const MAX_PENDING = 8;
/** The longest access unit or Opus packet read from the peer. */
const MAX_RECEIVED_BYTES = 4 * 1024 * 1024;
/** How long a peer may take to reach the network thread after its answer (never this long). */
const FIRST_PEER_MS = 5_000;
/** Opus bit rate of what the session sends, bits per second. */
const AUDIO_BITRATE = 64_000;

/** Counters of a {@linkcode PeerBridge}. */
export interface PeerBridgeCounts {
  /** Frames from the peer the graph took. */
  framesIn: number;
  /** Frames of the graph's outputs handed to the peer's connection. */
  framesOut: number;
  /** Frames from the peer dropped because the graph had `MAX_PENDING` of that input waiting. */
  framesDropped: number;
  /** Output frames not sent: of an output other than `audio`/`video`, or of another kind. */
  outputsIgnored: number;
}

/**
 * Carries media between a pipeline {@linkcode Session} and its one WebRTC peer (a duplex
 * {@linkcode WebRtcEndpoint} that has answered the peer's offer):
 *
 * - **in**: every 5 ms it drains the endpoint's receive queue; Opus packets are decoded to 48 kHz
 *   blocks of the channel count the session's `audio` input takes (`AudioFrame<1>`: mono, else
 *   stereo) and H.264 access units to I420 pictures, and sent to the inputs `audio` and `video`
 *   with timestamps from the peer's RTP clock (from 0). It never waits for the graph: with 8
 *   frames of an input in flight the next are dropped and counted.
 * - **out**: it reads the session's outputs: `audio` blocks become 20 ms Opus packets, `video`
 *   pictures are encoded to H.264 (baseline, a keyframe when the peer asks: PLI/FIR, connect) and
 *   H.264 access units pass as they are; the endpoint's queue drops what the network cannot take.
 * - **the end**: the peer gone (its DTLS close, or a silence that proves it gone) ends the session with
 *   `client_disconnected`; the session's end (its outputs ended, a limit, a fault) closes the
 *   endpoint. Either way {@linkcode PeerBridge.done} resolves with the code and everything is freed.
 */
export class PeerBridge {
  readonly #session: Session;
  readonly #endpoint: WebRtcEndpoint;
  readonly #observer: SessionObserver;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #buffer = new Uint8Array(MAX_RECEIVED_BYTES);
  readonly #started = performance.now();
  readonly #pending = new Map<string, number>();
  readonly #originNs = new Map<string, number>();
  readonly #done = Promise.withResolvers<string>();
  #opusIn: OpusDecoder | undefined;
  #pcm = new Float32Array(0);
  #h264In: H264Decoder | undefined;
  #opusOut: OpusPackets | undefined;
  #h264Out: H264Encoder | undefined;
  #h264Buffer = new Uint8Array(0);
  #keyframeRequests = 0;
  #wantsKeyframe = true;
  #seenPeer = false;
  #ended = false;
  /** Counters. */
  readonly counts: PeerBridgeCounts = {
    framesIn: 0,
    framesOut: 0,
    framesDropped: 0,
    outputsIgnored: 0,
  };

  /**
   * Starts carrying media; the endpoint has answered the peer's offer and is owned by the bridge
   * from now on (closed when the bridge ends).
   *
   * @param session The running session.
   * @param endpoint The duplex endpoint of its peer.
   * @param observer The server's metrics hooks (`frameIn`, `frameOut`).
   */
  constructor(session: Session, endpoint: WebRtcEndpoint, observer: SessionObserver = {}) {
    this.#session = session;
    this.#endpoint = endpoint;
    this.#observer = observer;
    const inputs = session.inputTypes;
    if ("audio" in inputs) {
      const channels = /^AudioFrame<1>$/.test(inputs.audio) ? 1 : 2;
      this.#opusIn = OpusDecoder.create({ sampleRate: 48_000, channels });
      this.#pcm = new Float32Array(5_760 * channels); // 120 ms, the longest Opus packet
    }
    if ("video" in inputs) this.#h264In = H264Decoder.create();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    session.done.then(() => this.#end(session.error?.code ?? ""));
    this.#pumpOutputs();
  }

  /** The session's id. */
  get sessionId(): string {
    return this.#session.id;
  }

  /** Resolves with the code the session ended with (`""`: it ended normally) once all is freed. */
  get done(): Promise<string> {
    return this.#done.promise;
  }

  /**
   * Ends the session and closes the peer's endpoint. Idempotent.
   *
   * @param code Why, as counted (`""` for the client's own `DELETE`).
   * @returns When everything is freed.
   */
  close(code = ""): Promise<string> {
    this.#end(code);
    return this.done;
  }

  #tick(): void {
    if (this.#ended) return;
    let peers: number, keyframeRequests: number;
    try {
      ({ peers, keyframeRequests } = this.#endpoint.poll());
    } catch {
      this.#end("session_isolate_died");
      return;
    }
    if (keyframeRequests > this.#keyframeRequests) {
      this.#keyframeRequests = keyframeRequests;
      this.#wantsKeyframe = true;
    }
    if (peers > 0) this.#seenPeer = true;
    else if (this.#seenPeer || performance.now() - this.#started > FIRST_PEER_MS) {
      // Its DTLS close, its silence, or never connected within the connect timeout.
      this.#end("client_disconnected");
      return;
    }
    for (;;) {
      const frame = this.#endpoint.read(this.#buffer);
      if (frame === undefined) break;
      const data = this.#buffer.subarray(0, frame.byteLength);
      const origin = this.#originNs.get(frame.kind) ?? frame.timestampNs;
      this.#originNs.set(frame.kind, origin);
      const timestampNs = Math.max(0, frame.timestampNs - origin);
      if (frame.kind === "audio") this.#audioIn(data, timestampNs);
      else this.#videoIn(data, timestampNs);
    }
  }

  #audioIn(packet: Uint8Array, timestampNs: number): void {
    const decoder = this.#opusIn;
    if (!decoder) return;
    const frameCount = decoder.decode(packet, this.#pcm);
    if (frameCount <= 0) return;
    const samples = this.#pcm.slice(0, frameCount * decoder.channels);
    this.#send("audio", {
      kind: "audio",
      channels: decoder.channels,
      sampleRate: 48_000,
      samples,
      timestampNs,
    });
  }

  #videoIn(accessUnit: Uint8Array, timestampNs: number): void {
    const decoder = this.#h264In;
    if (!decoder || !decoder.decode(accessUnit, timestampNs)) return;
    const data = new Uint8Array(decoder.byteLength);
    decoder.read(data);
    this.#send("video", {
      kind: "video",
      width: decoder.width,
      height: decoder.height,
      format: "I420",
      data,
      timestampNs: decoder.timestampNs,
    });
  }

  #send(input: string, frame: Parameters<Session["send"]>[1]): void {
    const pending = this.#pending.get(input) ?? 0;
    if (pending >= MAX_PENDING) {
      this.counts.framesDropped++;
      return;
    }
    this.#pending.set(input, pending + 1);
    this.#session.send(input, frame).then(
      () => {
        this.counts.framesIn++;
        this.#observer.frameIn?.();
      },
      () => this.counts.framesDropped++, // refused, or the session ended (its own end follows)
    ).finally(() => this.#pending.set(input, (this.#pending.get(input) ?? 1) - 1));
  }

  async #pumpOutputs(): Promise<void> {
    try {
      for await (const { output, frame } of this.#session.outputs()) {
        if (this.#ended) break;
        if (this.#sendOut(output, frame)) {
          this.counts.framesOut++;
          this.#observer.frameOut?.();
        } else this.counts.outputsIgnored++;
      }
      // Every output ended (or there is none): the session has nothing more for the peer.
      if (Object.keys(this.#session.outputTypes).length > 0) this.#end("");
    } catch { /* the session failed: its done ends the bridge with the code */ }
  }

  /** Hands one output frame to the peer; `false` when it is not media the peer gets. */
  #sendOut(output: string, frame: Frame): boolean {
    if (output === "audio" && frame.kind === "audio") {
      const opus = this.#opusOut ??= new OpusPackets(AUDIO_BITRATE);
      return opus.add(
        frame as AudioFrame,
        (packet, timestampNs) => void this.#endpoint.push("audio", packet, timestampNs, false),
      );
    }
    if (output !== "video") return false;
    if (frame.kind === "encoded-video") {
      const unit = frame as EncodedVideoFrame;
      if (unit.codec !== "h264") return false;
      this.#endpoint.push("video", unit.data, unit.timestampNs, unit.keyframe);
      return true;
    }
    if (frame.kind !== "video") return false;
    const picture = frame as VideoFrame;
    let encoder = this.#h264Out;
    if (!encoder || encoder.width !== picture.width || encoder.height !== picture.height) {
      encoder?.close();
      encoder = this.#h264Out = H264Encoder.create({
        width: picture.width,
        height: picture.height,
        keyframeInterval: 0, // a keyframe when the peer asks (connect, PLI, FIR)
        threads: 1,
      });
      this.#h264Buffer = new Uint8Array(encoder.maxAccessUnitBytes);
      this.#wantsKeyframe = true;
    }
    const n = encoder.encode(picture, this.#h264Buffer, this.#wantsKeyframe);
    if (n > 0) {
      this.#wantsKeyframe = false;
      const unit = this.#h264Buffer.subarray(0, n);
      this.#endpoint.push("video", unit, picture.timestampNs, encoder.keyframe);
    }
    return true;
  }

  #end(code: string): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#timer);
    this.#endpoint.close();
    this.#opusIn?.close();
    this.#h264In?.close();
    this.#opusOut?.close();
    this.#h264Out?.close();
    const session = this.#session;
    const finished = session.state === "closed" || session.state === "failed";
    (finished ? Promise.resolve() : session.close()).finally(() =>
      this.#done.resolve(session.error?.code ?? code)
    );
  }
}
