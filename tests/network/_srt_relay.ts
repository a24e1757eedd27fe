/**
 * A UDP relay between an SRT caller and an SRT listener that loses and delays datagrams, for the
 * loss-recovery tests (`tc netem` is not available in this machine's kernel). It remembers when
 * it first forwarded each data message (by a hash of its payload), so a test can tell how long
 * after it was sent the receiving application got it; and it counts the retransmissions it saw.
 *
 * @module
 */

import dgram from "node:dgram";
import { random } from "../webrtc/lossy_relay.ts";

/** Options of {@linkcode srtRelay}. */
export interface SrtRelayOptions {
  /** The fraction of datagrams lost each way, e.g. 0.02. */
  loss: number;
  /** The delay added each way, in milliseconds. */
  delayMs: number;
  /** The generator's seed (runs are repeatable). */
  seed?: number;
}

/** A running relay. */
export interface SrtRelay {
  /** The port the caller sends to. */
  readonly port: number;
  /** Where the relay forwards the caller's datagrams (the listener's port). */
  target: number;
  /** Datagrams forwarded and dropped, and retransmitted data packets forwarded. */
  readonly counts: { forwarded: number; dropped: number; retransmitted: number };
  /**
   * When a data message with this payload first reached the relay from its sender (either
   * side; `performance.now()`), if it did.
   */
  sentAt(payload: Uint8Array): number | undefined;
  /** Every data payload's hash that reached the relay, with the time it first did. */
  readonly sent: ReadonlyMap<number, number>;
  /** Closes both sockets and drops what is still delayed. */
  close(): void;
}

/**
 * FNV-1a over `bytes`.
 *
 * @param bytes What to hash.
 * @returns A 32-bit hash.
 */
export function payloadHash(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** The SRT header's length; a data packet has the top bit of its first byte clear. */
const SRT_HEADER = 16;

/**
 * Starts a relay on 127.0.0.1; the first datagram to its port makes its sender the caller.
 *
 * @param options Loss, delay and seed.
 * @returns The relay; set `target` before the caller starts.
 */
export async function srtRelay(options: SrtRelayOptions): Promise<SrtRelay> {
  const next = random(options.seed ?? 32);
  const front = dgram.createSocket("udp4");
  const back = dgram.createSocket("udp4");
  const counts = { forwarded: 0, dropped: 0, retransmitted: 0 };
  const sent = new Map<number, number>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  let caller: { address: string; port: number } | undefined;
  const later = (send: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) send();
    }, options.delayMs);
    timers.add(timer);
  };
  const relay: SrtRelay = {
    port: 0,
    target: 0,
    counts,
    sent,
    sentAt: (payload) => sent.get(payloadHash(payload)),
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      front.close();
      back.close();
    },
  };
  const isData = (m: Uint8Array) => m.length > SRT_HEADER && (m[0] & 0x80) === 0;
  front.on("message", (message, from) => {
    caller = { address: from.address, port: from.port };
    if (relay.target === 0) return;
    if (next() < options.loss) return void counts.dropped++;
    counts.forwarded++;
    const to = relay.target;
    later(() => back.send(message, to, "127.0.0.1"));
  });
  back.on("message", (message) => {
    if (!caller) return;
    if (next() < options.loss) return void counts.dropped++;
    counts.forwarded++;
    const to = caller;
    later(() => front.send(message, to.port, to.address));
  });
  // Data is recorded as it reaches the relay, lost or not (a loss is SRT's to recover).
  front.prependListener("message", (message) => record(message));
  back.prependListener("message", (message) => record(message));
  function record(message: Uint8Array) {
    if (!isData(message)) return;
    if ((message[4] & 0x04) !== 0) counts.retransmitted++;
    const key = payloadHash(message.subarray(SRT_HEADER));
    if (!sent.has(key)) sent.set(key, performance.now());
  }
  await new Promise<void>((resolve) => front.bind(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => back.bind(0, "127.0.0.1", resolve));
  (relay as { port: number }).port = front.address().port;
  return relay;
}
