/**
 * The config fields `SrtSink` and `SrtSource` share, and how they become the
 * native SRT endpoint's settings.
 *
 * @module
 */

/**
 * The SRT settings of both ends of a stream: address, latency, encryption, stream id, queue and
 * idle timeout. `SrtSinkConfig` and `SrtSourceConfig` extend it with their `mode`, whose default
 * differs (a sender calls, a receiver listens).
 */
export interface SrtConfig {
  /**
   * The peer's IP address (caller) or the local one to bind (listener); IPv4 or IPv6, no names.
   *
   * @pattern ^((\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)$
   * @default "127.0.0.1"
   */
  host: string;
  /**
   * UDP port.
   *
   * @integer
   * @minimum 1
   * @maximum 65535
   */
  port: number;
  /**
   * SRT latency in ms: how long the receiver may wait for retransmissions.
   *
   * @integer
   * @minimum 20
   * @maximum 8000
   * @default 120
   */
  latencyMs: number;
  /**
   * Passphrase for AES encryption (10 to 79 characters); empty for none.
   *
   * @pattern ^(|.{10,79})$
   * @default ""
   */
  passphrase: string;
  /**
   * AES key length when a passphrase is set.
   *
   * @default "aes-128"
   */
  keyLength: "aes-128" | "aes-192" | "aes-256";
  /**
   * Stream id a caller sends (`SRTO_STREAMID`); empty for none. Listeners ignore it.
   *
   * @maxLength 512
   * @default ""
   */
  streamId: string;
  /**
   * Access units the native queue holds: to send (a sender) or received and not yet read (a
   * receiver). When the network (or the graph) falls behind the oldest is dropped (counted) and
   * the stream resumes at the next keyframe.
   *
   * @integer
   * @minimum 1
   * @maximum 4096
   * @default 64
   */
  queueFrames: number;
  /**
   * Silence from the peer, in ms, after which the connection counts as lost. At least 1,500: a
   * live SRT peer with nothing to send sends only a keep-alive a second.
   *
   * @integer
   * @minimum 1500
   * @maximum 60000
   * @default 3000
   */
  idleTimeoutMs: number;
}

/** The settings the native SRT endpoint takes (`NetSink.create("srt", ...)`, `NetSource`). */
export type SrtEndpointSettings = {
  /** `caller` or `listener`. */
  mode: "caller" | "listener";
  /** `host:port`, IPv6 in brackets. */
  address: string;
  /** SRT latency in ms. */
  latencyMs: number;
  /** Passphrase; empty for none. */
  passphrase: string;
  /** AES key size in bytes: 16, 24 or 32. */
  keySize: number;
  /** Stream id; empty for none. */
  streamId: string;
  /** Access units the native queue holds. */
  queueFrames: number;
  /** Silence in ms after which the connection counts as lost. */
  idleTimeoutMs: number;
  /** A sink's Opus stream: its channels (1 or 2); absent or 0 for video only. */
  audioChannels?: number;
};

const KEY_BYTES = { "aes-128": 16, "aes-192": 24, "aes-256": 32 } as const;

/**
 * The native endpoint's settings for an SRT config.
 *
 * @param config The config, with its mode.
 * @returns Address, key size in bytes and the rest as they are.
 *
 * @example A caller with a 256-bit key
 * ```ts
 * import assert from "node:assert/strict";
 * import { srtEndpointSettings } from "./srt_config.ts";
 *
 * const settings = srtEndpointSettings({
 *   mode: "caller",
 *   host: "::1",
 *   port: 9000,
 *   latencyMs: 120,
 *   passphrase: "",
 *   keyLength: "aes-256",
 *   streamId: "",
 *   queueFrames: 64,
 *   idleTimeoutMs: 3000,
 * });
 * assert.equal(settings.address, "[::1]:9000");
 * assert.equal(settings.keySize, 32);
 * ```
 */
export function srtEndpointSettings(
  config: SrtConfig & { readonly mode: "caller" | "listener" },
): SrtEndpointSettings {
  return {
    mode: config.mode,
    address: socketAddress(config.host, config.port),
    latencyMs: config.latencyMs,
    passphrase: config.passphrase,
    keySize: KEY_BYTES[config.keyLength],
    streamId: config.streamId,
    queueFrames: config.queueFrames,
    idleTimeoutMs: config.idleTimeoutMs,
  };
}

/**
 * The `address` setting of the native endpoint: `host:port`, IPv6 in brackets.
 *
 * @param host An IPv4 or IPv6 address.
 * @param port The port.
 * @returns The socket address text.
 *
 * @example IPv4 and IPv6
 * ```ts
 * import assert from "node:assert/strict";
 * import { socketAddress } from "./srt_config.ts";
 *
 * assert.equal(socketAddress("127.0.0.1", 9000), "127.0.0.1:9000");
 * assert.equal(socketAddress("::1", 9000), "[::1]:9000");
 * ```
 */
export function socketAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
