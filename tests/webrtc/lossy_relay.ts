/**
 * A UDP relay that loses packets, for the packet-loss test where `tc netem` is not available
 * (this machine's kernel has no netem qdisc): it sits between one browser and one endpoint on
 * loopback and drops a fixed fraction of the datagrams in each direction, chosen by a seeded
 * generator so runs are repeatable.
 *
 * @module
 */

import dgram from "node:dgram";

/** A running relay. */
export interface LossyRelay {
  /** The port the browser sends to (announce it as the endpoint's `publicPort`). */
  readonly port: number;
  /** Where the relay forwards the browser's datagrams (the endpoint's bound port). */
  target: number;
  /** Datagrams forwarded and dropped so far. */
  readonly counts: { forwarded: number; dropped: number };
  /** Closes both sockets. */
  close(): void;
}

/**
 * mulberry32: a small seeded generator in [0, 1).
 *
 * @param seed The seed.
 * @returns The generator.
 */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Starts a relay on 127.0.0.1 that loses `loss` of the datagrams each way.
 *
 * @param loss The fraction lost, e.g. 0.02.
 * @param seed The generator's seed.
 * @returns The relay; set `target` before traffic flows.
 */
export async function lossyRelay(loss: number, seed = 18): Promise<LossyRelay> {
  const next = random(seed);
  const front = dgram.createSocket("udp4");
  const back = dgram.createSocket("udp4");
  const counts = { forwarded: 0, dropped: 0 };
  let browser: { address: string; port: number } | undefined;
  const relay = {
    port: 0,
    target: 0,
    counts,
    close() {
      front.close();
      back.close();
    },
  };
  front.on("message", (message, from) => {
    browser = { address: from.address, port: from.port };
    if (relay.target === 0) return;
    if (next() < loss) return void counts.dropped++;
    counts.forwarded++;
    back.send(message, relay.target, "127.0.0.1");
  });
  back.on("message", (message) => {
    if (!browser) return;
    if (next() < loss) return void counts.dropped++;
    counts.forwarded++;
    front.send(message, browser.port, browser.address);
  });
  await new Promise<void>((resolve) => front.bind(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => back.bind(0, "127.0.0.1", resolve));
  relay.port = front.address().port;
  return relay;
}
