/**
 * A native WebRTC endpoint (str0m on a native thread with its own UDP socket): WHEP playback
 * (`send`: frames pushed here go to every viewer), WHIP ingest (`receive`: the publisher's
 * frames are read here), or one peer both ways (`duplex`: a pipeline session's browser). Offers are answered synchronously; frames cross by numeric FFI calls.
 *
 * @module
 */

import { lastNativeError, statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import {
  SL_ERR_BUFFER_TOO_SMALL,
  SL_ERR_DEVICE_NOT_FOUND,
  SL_ERR_INVALID_ARGUMENT,
  SL_ERR_INVALID_HANDLE,
  SL_ERR_TABLE_FULL,
} from "../native/status.ts";
import type { NativeLibrary } from "../native/symbols.ts";
import { WebRtcError } from "./webrtc_errors.ts";

/** Which way an endpoint's media flows. */
export type WebRtcMode = "send" | "receive" | "duplex";

/** Options of {@linkcode WebRtcEndpoint.create}. */
export interface WebRtcEndpointOptions {
  /** The endpoint's name, unique in the process: the node id, used by the HTTP routes. */
  name: string;
  /**
   * `send` (WHEP: to viewers), `receive` (WHIP: from one publisher) or `duplex` (one peer both
   * ways: its frames are read here, pushed frames go to it; any offer with an audio or video line).
   */
  mode: WebRtcMode;
  /** The IP address the UDP socket binds (default `127.0.0.1`). */
  bind?: string;
  /** The UDP port, 0 for any free one (default 0). */
  port?: number;
  /** The address announced in the ICE candidate (default the bind address). */
  publicAddress?: string;
  /** The port announced in the ICE candidate, 0 for the bound one (a port forward in front). */
  publicPort?: number;
  /** Most peers at once (default 8 for `send`, 1 for `receive` and `duplex`). */
  maxPeers?: number;
  /** Frames the queue between JS and the network thread holds (default 64). */
  queueFrames?: number;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

/** A frame read from a receiving endpoint. */
export interface ReceivedFrame {
  /** `video` (H.264 access unit, Annex B) or `audio` (Opus packet). */
  kind: "video" | "audio";
  /** Its length in the buffer passed to `read()`. */
  byteLength: number;
  /**
   * Presentation time in ns on the session's timeline, shared by its audio and video: by the
   * publisher's RTCP sender reports once both streams had one, by arrival until then.
   */
  timestampNs: number;
  /** Whether the access unit holds an IDR picture. */
  keyframe: boolean;
  /** The publisher's session: frames of a new session start a new timeline. */
  session: number;
}

/** One peer's counters, as `stats()` reports them. */
export interface WebRtcPeerStats {
  /** The session id (the WHEP/WHIP resource). */
  session: number;
  /** `new`, `connected` or `disconnected`. */
  state: string;
  /** Bytes sent, all traffic. */
  bytesSent: number;
  /** Bytes received, all traffic. */
  bytesReceived: number;
  /** Send rate over the last second, all traffic, bits per second. */
  sendBitrateBps: number;
  /** Receive rate over the last second, all traffic, bits per second. */
  receiveBitrateBps: number;
  /** Round-trip time from RTCP, ms (`null` until measured). */
  rttMs: number | null;
  /** Fraction of packets lost (0..1) the last report gave (`null` until reported). */
  loss: number | null;
  /** Packets the peer reported lost. */
  packetsLost: number;
  /** NACKs received (send) or sent (receive). */
  nacks: number;
  /** PLIs received (send) or sent (receive). */
  plis: number;
  /** FIRs received (send) or sent (receive). */
  firs: number;
  /** Frames sent to (or received from) this peer. */
  frames: number;
  /** Frames not sent to this peer (video before its first keyframe, or refused). */
  framesDropped: number;
  /**
   * A receiving peer's: how its audio and video are placed on one timeline, `arrival` until both
   * streams had an RTCP sender report, `sender-reports` after (absent until media arrives).
   */
  avSync?: "arrival" | "sender-reports";
}

/**
 * A peer's session began or ended, as {@linkcode WebRtcEndpoint.peerEvents} reports it: a peer
 * `connected` (ICE and DTLS completed), or a connected peer's session ended (`disconnected`).
 */
export interface WebRtcPeerEvent {
  /** The session id (the WHEP/WHIP resource). */
  session: number;
  /** What happened. */
  change: "connected" | "disconnected";
  /** The address its datagrams came from (`null` if none came). */
  remote: string | null;
  /**
   * Why a session ended: `closed` (a `DELETE`, or this side ended it), `replaced` (a new offer
   * took its place after its silence proved it gone), `silent` (its silence proved it gone),
   * `ice-timeout`, `closed-by-peer` (its DTLS close), `error`; empty for `connected`.
   */
  reason: string;
  /** How long nothing had come from the peer when its session ended, ms. */
  silentMs: number;
}

/** An endpoint's stats. */
export interface WebRtcEndpointStats {
  /** The bound UDP address. */
  address: string;
  /** Keyframe requests so far (PLI/FIR from viewers, one per new viewer). */
  keyframeRequests: number;
  /**
   * Sessions ended to make room for a new offer because nothing had come from their peer for
   * 3 s (it vanished without a `DELETE`).
   */
  peersReplaced: number;
  /** Frames queued for the network thread. */
  framesQueued: number;
  /** Frames dropped because a queue was full (the network thread fell behind). */
  framesDropped: number;
  /** Each peer. */
  peers: WebRtcPeerStats[];
}

const free: NativeFree = (lib, handle) => void lib.symbols.sl_webrtc_free(handle);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A native WebRTC endpoint.
 *
 * @example Answer nothing until offered, then free
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebRtcEndpoint } from "./webrtc_endpoint.ts";
 *
 * using endpoint = WebRtcEndpoint.create({ name: "doc-webrtc", mode: "send" });
 * assert.ok(endpoint.port > 0);
 * assert.equal(WebRtcEndpoint.find("doc-webrtc")?.mode, "send");
 * assert.equal(endpoint.poll().peers, 0);
 * assert.deepEqual(endpoint.stats().peers, []);
 * assert.deepEqual(endpoint.peerEvents(), []);
 * ```
 */
export class WebRtcEndpoint extends NativeHandle {
  /** The name (node id). */
  readonly name: string;
  /** Send, receive or both. */
  readonly mode: WebRtcMode;
  /** The bound UDP port. */
  readonly port: number;
  readonly #info = new Float64Array(4);
  #events = new Uint8Array(1024);

  private constructor(
    lib: NativeLibrary,
    handle: number,
    name: string,
    mode: WebRtcMode,
    port: number,
    owned: boolean,
  ) {
    // A found endpoint is borrowed: closing it only forgets the handle.
    super(lib, handle, owned ? free : undefined);
    this.name = name;
    this.mode = mode;
    this.port = port;
  }

  /**
   * Binds a UDP socket and starts the endpoint's native thread.
   *
   * @param options Name, mode, addresses and limits.
   * @returns The endpoint.
   * @throws {WebRtcError} `webrtc_endpoint_taken` when a live endpoint has the name.
   * @throws {UnsupportedError} For a config the native side refuses (bad address).
   * @throws {DeviceError} When the socket cannot be bound.
   */
  static create(options: WebRtcEndpointOptions): WebRtcEndpoint {
    const lib = options.library ?? loadNativeLibrary();
    const config = encoder.encode(JSON.stringify({
      name: options.name,
      mode: options.mode,
      bind: options.bind,
      port: options.port,
      publicAddress: options.publicAddress,
      publicPort: options.publicPort,
      maxPeers: options.maxPeers,
      queueFrames: options.queueFrames,
    }));
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_webrtc_create(config, config.length, out);
    if (r === SL_ERR_INVALID_ARGUMENT) {
      const error = statusError(lib, r, "create a WebRTC endpoint");
      if (/another WebRTC endpoint/.test(error.message)) {
        throw new WebRtcError("webrtc_endpoint_taken", options.name, error.message);
      }
      throw error;
    }
    if (r < 0) throw statusError(lib, r, "create a WebRTC endpoint");
    return new WebRtcEndpoint(lib, out[0], options.name, options.mode, r, true);
  }

  /**
   * The live endpoint named `name` (made in any isolate of this process), or `undefined`. The
   * returned object does not own the endpoint: closing it does nothing.
   *
   * @param name The endpoint's name (node id).
   * @param library The library to use.
   * @returns The endpoint, or `undefined` when none is live.
   */
  static find(name: string, library?: NativeLibrary): WebRtcEndpoint | undefined {
    const lib = library ?? loadNativeLibrary();
    const bytes = encoder.encode(name);
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_webrtc_find(bytes, bytes.length, out);
    if (r === SL_ERR_DEVICE_NOT_FOUND) return undefined;
    if (r < 0) throw statusError(lib, r, "find a WebRTC endpoint");
    const mode = (["send", "receive", "duplex"] as const)[r] ?? "send";
    return new WebRtcEndpoint(lib, out[0], name, mode, 0, false);
  }

  /**
   * Answers an SDP offer with a new session.
   *
   * @param sdp The offer.
   * @returns The session id and the answer.
   * @throws {WebRtcError} `webrtc_invalid_offer`, `webrtc_too_many_peers`, or
   * `webrtc_endpoint_unavailable` when the endpoint was closed meanwhile.
   */
  acceptOffer(sdp: string): { session: number; answer: string } {
    const bytes = encoder.encode(sdp);
    const session = new Uint32Array(1);
    // An answer is about as long as its offer, and offers are bounded by the API's body limit.
    const out = new Uint8Array(Math.max(65_536, bytes.length * 2));
    const r = this.symbols.sl_webrtc_accept_offer(
      this.nativeHandle,
      bytes,
      bytes.length,
      out,
      out.length,
      session,
    );
    if (r > out.length) {
      this.closeSession(session[0]); // the answer cannot be delivered: no session is left behind
      throw new WebRtcError(
        "webrtc_invalid_offer",
        this.name,
        `Cannot answer for '${this.name}': the answer would be ${r} bytes (too many media lines)`,
      );
    }
    if (r === SL_ERR_INVALID_ARGUMENT) {
      throw new WebRtcError("webrtc_invalid_offer", this.name, this.#detail(r, "accept the offer"));
    }
    if (r === SL_ERR_TABLE_FULL) {
      throw new WebRtcError(
        "webrtc_too_many_peers",
        this.name,
        `Cannot take another peer on '${this.name}': ${lastNativeError(this.lib)}`,
      );
    }
    if (r === SL_ERR_INVALID_HANDLE) {
      throw new WebRtcError(
        "webrtc_endpoint_unavailable",
        this.name,
        `Cannot answer for '${this.name}': its endpoint was closed (the node stopped)`,
      );
    }
    if (r < 0) throw statusError(this.lib, r, "accept a WebRTC offer");
    return { session: session[0], answer: decoder.decode(out.subarray(0, r)) };
  }

  /**
   * Makes an SDP offer to publish (WHIP): a sendonly H.264 line and, with `audio`, an Opus line.
   * Complete it with {@linkcode WebRtcEndpoint.acceptAnswer}, or end it with `closeSession()`.
   *
   * @param audio Whether to offer audio too.
   * @returns The session id and the offer.
   * @throws {WebRtcError} `webrtc_too_many_peers` when the endpoint has its most peers.
   */
  createOffer(audio: boolean): { session: number; offer: string } {
    const session = new Uint32Array(1);
    const out = new Uint8Array(65_536);
    const r = this.symbols.sl_webrtc_create_offer(
      this.nativeHandle,
      audio ? 1 : 0,
      out,
      out.length,
      session,
    );
    if (r === SL_ERR_TABLE_FULL) {
      throw new WebRtcError(
        "webrtc_too_many_peers",
        this.name,
        `Cannot make another offer on '${this.name}': ${lastNativeError(this.lib)}`,
      );
    }
    if (r < 0) throw statusError(this.lib, r, "make a WebRTC offer");
    return { session: session[0], offer: decoder.decode(out.subarray(0, Math.min(r, out.length))) };
  }

  /**
   * Completes an offered session with the server's answer.
   *
   * @param session The id `createOffer()` gave.
   * @param sdp The answer.
   * @throws {WebRtcError} `webrtc_publish_failed` when the answer does not parse or fit the
   *   offer (the session is ended), `webrtc_session_not_found` when no offer of this id waits.
   */
  acceptAnswer(session: number, sdp: string): void {
    const bytes = encoder.encode(sdp);
    const r = this.symbols.sl_webrtc_accept_answer(this.nativeHandle, session, bytes, bytes.length);
    if (r === SL_ERR_INVALID_ARGUMENT) {
      throw new WebRtcError("webrtc_publish_failed", this.name, this.#detail(r, "take the answer"));
    }
    if (r === SL_ERR_INVALID_HANDLE) {
      throw new WebRtcError(
        "webrtc_session_not_found",
        this.name,
        `Cannot take the answer for session ${session} of '${this.name}': no offer waits`,
      );
    }
    if (r < 0) throw statusError(this.lib, r, "take a WebRTC answer");
  }

  /**
   * Ends a session.
   *
   * @param session Its id.
   * @throws {WebRtcError} `webrtc_session_not_found` for an unknown (or ended) session.
   */
  closeSession(session: number): void {
    const r = this.symbols.sl_webrtc_close_session(this.nativeHandle, session);
    if (r === SL_ERR_INVALID_HANDLE) {
      throw new WebRtcError(
        "webrtc_session_not_found",
        this.name,
        `Cannot end session ${session} of '${this.name}': no live session has this id`,
      );
    }
    if (r < 0) throw statusError(this.lib, r, "end a WebRTC session");
  }

  /**
   * Queues a frame for every peer (sending endpoints). Never blocks.
   *
   * @param kind `video` (an H.264 access unit, Annex B) or `audio` (an Opus packet).
   * @param data The bytes (copied).
   * @param timestampNs Presentation time in ns.
   * @param keyframe Whether the access unit is an IDR picture.
   * @returns `false` when the queue was full and the frame was dropped (counted).
   */
  push(kind: "video" | "audio", data: Uint8Array, timestampNs: number, keyframe: boolean): boolean {
    const r = this.symbols.sl_webrtc_push(
      this.nativeHandle,
      kind === "video" ? 0 : 1,
      data,
      data.length,
      timestampNs,
      keyframe ? 1 : 0,
    );
    if (r < 0) throw statusError(this.lib, r, "push a frame to a WebRTC endpoint");
    return r === 1;
  }

  /**
   * Reads the oldest frame a receiving endpoint got.
   *
   * @param out Where the bytes go.
   * @returns The frame, or `undefined` when none waits.
   * @throws {BufferTooSmallError} When `out` is too small (the frame stays first).
   */
  read(out: Uint8Array): ReceivedFrame | undefined {
    const info = this.#info;
    const r = this.symbols.sl_webrtc_read(this.nativeHandle, out, out.length, info);
    if (r === 0) return undefined;
    if (r < 0) {
      throw statusError(
        this.lib,
        r,
        r === SL_ERR_BUFFER_TOO_SMALL ? "read a WebRTC frame" : "read a WebRTC endpoint",
      );
    }
    return {
      kind: info[0] === 0 ? "video" : "audio",
      byteLength: r,
      timestampNs: info[1],
      keyframe: info[2] === 1,
      session: info[3],
    };
  }

  /**
   * The counters a processor polls every run (no allocation but the returned object's).
   *
   * @returns Keyframe requests so far, peers now, frames dropped by full queues.
   */
  poll(): { keyframeRequests: number; peers: number; framesDropped: number } {
    const r = this.symbols.sl_webrtc_poll(this.nativeHandle, this.#info);
    if (r < 0) throw statusError(this.lib, r, "poll a WebRTC endpoint");
    return { keyframeRequests: this.#info[0], peers: this.#info[1], framesDropped: this.#info[2] };
  }

  /** Asks the publisher of a receiving endpoint for a keyframe (PLI). */
  requestKeyframe(): void {
    const r = this.symbols.sl_webrtc_request_keyframe(this.nativeHandle);
    if (r < 0) throw statusError(this.lib, r, "request a keyframe");
  }

  /**
   * The endpoint's stats and each peer's.
   *
   * @returns The stats.
   */
  stats(): WebRtcEndpointStats {
    let out = new Uint8Array(4096);
    let n = this.symbols.sl_webrtc_stats(this.nativeHandle, out, out.length);
    if (n > out.length) {
      out = new Uint8Array(n + 1024);
      n = this.symbols.sl_webrtc_stats(this.nativeHandle, out, out.length);
    }
    if (n < 0) throw statusError(this.lib, n, "read WebRTC stats");
    return JSON.parse(decoder.decode(out.subarray(0, Math.min(n, out.length))));
  }

  /**
   * Takes the peer events since the last call: peers that connected, connected peers whose
   * session ended and why. Cheap when there are none (one FFI call, no allocation but the array).
   *
   * @returns The events, oldest first.
   */
  peerEvents(): WebRtcPeerEvent[] {
    let out = this.#events;
    let n = this.symbols.sl_webrtc_peer_events(this.nativeHandle, out, out.length);
    if (n > out.length) {
      out = this.#events = new Uint8Array(n * 2);
      n = this.symbols.sl_webrtc_peer_events(this.nativeHandle, out, out.length);
    }
    if (n < 0) throw statusError(this.lib, n, "read WebRTC peer events");
    if (n <= 2) return []; // "[]"
    return JSON.parse(decoder.decode(out.subarray(0, n)));
  }

  /** Stops the endpoint (its peers are closed) when this object owns it. Idempotent. */
  override close(): void {
    super.close();
  }

  #detail(status: number, operation: string): string {
    return statusError(this.lib, status, operation).message;
  }
}
