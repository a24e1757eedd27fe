/**
 * Network endpoints in native code: {@linkcode NetSink} sends H.264 access units (SRT with
 * MPEG-TS, RTMP with FLV) and Opus packets (SRT), {@linkcode NetSource} receives them (SRT,
 * RTSP). Each runs on its own native
 * thread that connects, reconnects and counts; JavaScript only pushes, reads and polls counters.
 *
 * @module
 */

import { DeviceError, statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";
import { NetEndpointError } from "./net_errors.ts";

/** A transport. */
export type NetKind = "srt" | "rtmp" | "rtsp";
/** Transports, in ABI code order. */
export const NET_KINDS: readonly NetKind[] = ["srt", "rtmp", "rtsp"];

/**
 * Counters of one endpoint, cumulative over its connections (a source reads "sent" as
 * "received").
 */
export interface NetStats {
  /** 1 while a peer is connected, else 0. */
  connected: number;
  /** Connections established. */
  connections: number;
  /** Connections lost (peer gone, error, idle timeout). */
  disconnects: number;
  /** Connection attempts that failed (caller mode), each followed by a backoff. */
  connectFailures: number;
  /** Payload bytes sent (received, for a source). */
  bytes: number;
  /** Bits per second over the last second. */
  bitrate: number;
  /** Transport packets sent or received (SRT data packets; RTMP media messages). */
  packets: number;
  /** Packets lost (SRT: reported by the receiver, or detected by this receiver). */
  packetsLost: number;
  /** Packets retransmitted (SRT). */
  packetsRetransmitted: number;
  /** Loss reports (SRT NAK packets): received by a sink, sent by a source; 0 for RTMP. */
  naks: number;
  /** Access units sent (received), Opus packets included (SRT). */
  frames: number;
  /** Access units (and Opus packets) dropped: queue full, no peer connected, or waiting for a keyframe. */
  framesDropped: number;
  /** Access units (and Opus packets) waiting in the native queue now. */
  framesQueued: number;
  /**
   * The connection's smoothed round-trip time in ms (SRT: the receiver's measure, carried in
   * its full ACKs; RTMP: the kernel's TCP estimate, on Linux); `null` until measured, and for
   * SRT while no peer is connected.
   */
  rttMs: number | null;
  /**
   * Datagrams or handshakes from the network the protocol could not handle (malformed, an
   * extension or key setting it refuses), dropped; each ended a handshake attempt (a listener
   * then waits for the next caller, and a caller with a bad key is sent a rejection) or the
   * session it came in (SRT).
   */
  peerErrors: number;
  /** 1 once the native thread failed: `push()` and `read()` then throw {@linkcode NetEndpointError}. */
  failed: number;
}

const STAT_NAMES: readonly (keyof NetStats)[] = [
  "connected",
  "connections",
  "disconnects",
  "connectFailures",
  "bytes",
  "bitrate",
  "packets",
  "packetsLost",
  "packetsRetransmitted",
  "naks",
  "frames",
  "framesDropped",
  "framesQueued",
  "rttMs", // microseconds natively, 0 for none
  "peerErrors",
  "failed",
];

const free: NativeFree = (lib, handle) => void lib.symbols.sl_net_free(handle);

const encoder = new TextEncoder();

/** The handle, library and counters buffer both endpoint classes hold. */
abstract class NetEndpoint extends NativeHandle {
  readonly #stats = new Float64Array(STAT_NAMES.length);

  /** The transport: `srt`, `rtmp` or `rtsp`. */
  readonly kind: NetKind;

  protected constructor(lib: NativeLibrary, handle: number, kind: NetKind) {
    super(lib, handle, free);
    this.kind = kind;
  }

  protected get handle(): number {
    this.checkOpen("use a network endpoint");
    return this.nativeHandle;
  }

  /**
   * The counters now; after `close()`, the final ones.
   *
   * @returns A fresh object.
   */
  stats(): NetStats {
    if (!this.closed) this.#read(this.nativeHandle);
    const out = {} as NetStats;
    STAT_NAMES.forEach((name, i) => out[name] = this.#stats[i]);
    const rttUs = out.rttMs ?? 0;
    out.rttMs = rttUs > 0 ? Math.round(rttUs) / 1000 : null;
    return out;
  }

  #read(handle: number): void {
    const n = this.symbols.sl_net_stats(handle, this.#stats, this.#stats.length);
    if (n < 0) throw statusError(this.lib, n, "read network stats");
  }

  /**
   * Stops the thread (a sink first sends what is queued, then closes its connection), keeps the
   * final counters and frees the endpoint: what `close()` does, once.
   *
   * @param handle The endpoint's handle, detached by `close()`.
   */
  protected override free(handle: number): void {
    this.symbols.sl_net_close(handle);
    try {
      this.#read(handle);
    } finally {
      super.free(handle);
    }
  }

  /**
   * The error of a failed push or read: {@linkcode NetEndpointError} when the native thread
   * failed (the native side reports it as a device error), else the status's typed error.
   */
  protected failure(status: number, operation: "send" | "receive", what: string): Error {
    const error = statusError(this.lib, status, what);
    if (!(error instanceof DeviceError) || this.stats().failed !== 1) return error;
    return new NetEndpointError(this.kind, operation, error.message);
  }

  protected static open(
    lib: NativeLibrary,
    create: "sl_net_sink_create" | "sl_net_source_create",
    kind: NetKind,
    settings: Record<string, unknown>,
  ): number {
    const json = encoder.encode(JSON.stringify(settings));
    const out = new Uint32Array(1);
    const r = lib.symbols[create](NET_KINDS.indexOf(kind), json, json.length, out);
    if (r < 0) throw statusError(lib, r, `start a ${kind.toUpperCase()} endpoint`);
    return out[0];
  }
}

/**
 * Sends H.264 access units. `push()` never blocks: a full queue drops its oldest access unit
 * (counted), and the stream resumes at the next keyframe.
 *
 * @example Start an SRT caller with no peer: it keeps retrying, and pushes are dropped, counted
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetSink } from "./net_endpoint.ts";
 *
 * using sink = NetSink.create("srt", { mode: "caller", address: "127.0.0.1:9", queueFrames: 2 });
 * for (let i = 0; i < 3; i++) sink.push(new Uint8Array([0, 0, 0, 1, 0x65]), i * 1e6, true);
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * assert.equal(sink.stats().connected, 0);
 * assert.ok(sink.stats().framesDropped >= 1);
 * ```
 */
export class NetSink extends NetEndpoint {
  /**
   * Starts a sink; its thread connects (or listens) at once and reconnects by itself.
   *
   * @param kind `srt` or `rtmp`.
   * @param settings The transport's settings (see `docs/network.md`).
   * @param library The library to use; {@linkcode loadNativeLibrary}'s default otherwise.
   * @returns The sink.
   * @throws {UnsupportedError} For a malformed setting the native side refuses.
   */
  static create(
    kind: NetKind,
    settings: Record<string, unknown>,
    library: NativeLibrary = loadNativeLibrary(),
  ): NetSink {
    const handle = NetEndpoint.open(library, "sl_net_sink_create", kind, settings);
    return new NetSink(library, handle, kind);
  }

  /**
   * Queues one access unit (copied) without blocking.
   *
   * @param data Annex B bytes.
   * @param timestampNs Presentation time in ns.
   * @param keyframe Whether it is an IDR picture with SPS and PPS.
   * @returns `false` when the queue was full and dropped its oldest access unit.
   * @throws {NetEndpointError} When the native thread failed.
   */
  push(data: Uint8Array, timestampNs: number, keyframe: boolean): boolean {
    return this.#push(data, timestampNs, keyframe ? 1 : 0, "queue an access unit");
  }

  /**
   * Queues one audio packet (copied) without blocking: an Opus packet for the audio stream of
   * an SRT sink created with `audioChannels`, or an FLV AAC `AUDIODATA` frame for an RTMP sink
   * (its sequence header goes to {@linkcode NetSink.setAudioConfig}). It shares the queue
   * with the video and, like a video access unit, waits for the stream's next keyframe after a
   * drop. An SRT sink without `audioChannels` drops it (counted).
   *
   * @param packet One packet.
   * @param timestampNs Presentation time of its first sample, in ns, on the video's clock.
   * @returns `false` when the queue was full and dropped its oldest entry.
   * @throws {NetEndpointError} When the native thread failed.
   */
  pushAudio(packet: Uint8Array, timestampNs: number): boolean {
    return this.#push(packet, timestampNs, 2, "queue an audio packet");
  }

  /**
   * Sets the audio stream's configuration: for an RTMP sink, the FLV AAC sequence header
   * (`0xAF 0x00` + AudioSpecificConfig). It is kept beside the queue, where no overflow or drain
   * drops it, and sent before the first audio packet of every publish and again when it changes.
   *
   * @param config The configuration (copied).
   * @throws {NetEndpointError} When the native thread failed.
   */
  setAudioConfig(config: Uint8Array): void {
    this.#push(config, 0, 2 | 4, "set the audio configuration");
  }

  #push(data: Uint8Array, timestampNs: number, flags: number, what: string): boolean {
    const r = this.lib.symbols.sl_net_sink_push(
      this.handle,
      data,
      data.length,
      timestampNs,
      flags,
    );
    if (r < 0) throw this.failure(r, "send", what);
    return r === 1;
  }
}

/** An access unit a {@linkcode NetSource} received. */
export interface ReceivedAccessUnit {
  /** Its length in the caller's buffer. */
  length: number;
  /** Presentation time in ns (from the stream's PTS). */
  timestampNs: number;
  /** Whether it holds an IDR picture. */
  keyframe: boolean;
  /**
   * Whether it is the first of a new stream (a new sender, or the same after a reconnection):
   * its timestamps need not follow the previous stream's. A new stream starts at a keyframe.
   */
  newStream: boolean;
  /**
   * Whether it is audio rather than video: an Opus packet (SRT), or decoded PCM (RTSP: the rate
   * and channels as two little-endian `u32`s, then interleaved little-endian `f32` samples).
   */
  audio: boolean;
  /** Whether it is an H.265 access unit rather than an H.264 one (RTSP). */
  h265: boolean;
  /** Whether it is audio in an ADTS frame (AAC, header included) rather than Opus (SRT). */
  aac: boolean;
}

/**
 * Receives H.264 access units and Opus packets (SRT: MPEG-TS demuxed natively), or H.264/H.265
 * access units and decoded AAC or G.711 audio (RTSP: RTP depacketized by `retina`). When the graph does not read, the
 * native queue drops its oldest (counted) and resumes at the next keyframe.
 *
 * @example Listen for an SRT caller; nothing arrives without one
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetSource } from "./net_endpoint.ts";
 *
 * using source = NetSource.create("srt", { mode: "listener", address: "127.0.0.1:0" });
 * assert.equal(source.read(new Uint8Array(1024)), undefined);
 * assert.equal(source.stats().connections, 0);
 * ```
 */
export class NetSource extends NetEndpoint {
  readonly #info = new Float64Array(2);

  /**
   * Starts a source; its thread listens (or connects) at once.
   *
   * @param kind `srt` or `rtsp`.
   * @param settings The transport's settings (see `docs/network.md`).
   * @param library The library to use; {@linkcode loadNativeLibrary}'s default otherwise.
   * @returns The source.
   * @throws {UnsupportedError} For a malformed setting or a kind that cannot receive.
   */
  static create(
    kind: NetKind,
    settings: Record<string, unknown>,
    library: NativeLibrary = loadNativeLibrary(),
  ): NetSource {
    const handle = NetEndpoint.open(library, "sl_net_source_create", kind, settings);
    return new NetSource(library, handle, kind);
  }

  /**
   * Copies the next received access unit into `out`.
   *
   * @param out Where it goes.
   * @returns Its length and metadata, or `undefined` when none is waiting. Access units larger
   * than `out` are dropped (counted in `framesDropped`).
   * @throws {NetEndpointError} When the native thread failed.
   */
  read(out: Uint8Array): ReceivedAccessUnit | undefined {
    const r = this.lib.symbols.sl_net_source_read(this.handle, out, out.length, this.#info);
    if (r < 0) throw this.failure(r, "receive", "read a received access unit");
    if (r === 0) return undefined;
    const flags = this.#info[1];
    return {
      length: r,
      timestampNs: this.#info[0],
      keyframe: (flags & 1) !== 0,
      newStream: (flags & 2) !== 0,
      audio: (flags & 4) !== 0,
      h265: (flags & 8) !== 0,
      aac: (flags & 16) !== 0,
    };
  }
}
