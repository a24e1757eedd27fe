/**
 * Hostile clients against a real `SessionHandler`: sessions whose wire messages (an open, frames,
 * ends, pings, closes, text) are mutated at random (bits flipped, cut short, extended, their
 * length or a string's length rewritten, replaced by noise), from fixed seeds. Whatever a client
 * sends, the server answers only with messages that decode, with codes of the error table, ends
 * every connection by itself within its time limits, frees every session, and serves a correct
 * client afterwards.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ERROR_CODES } from "../../frontend/error_codes.ts";
import { decodeWireMessage, encodeWireMessage } from "../../sessions/wire/mod.ts";
import { block, frameBytes, gain, RawClient, startServer } from "./ws_helpers.ts";

/** A linear congruential generator: the same messages for a seed on every run. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) & 0x7fff_ffff;
    return Math.floor((state / 0x8000_0000) * n);
  };
}

const OPEN = encodeWireMessage({ type: "open", pipeline: "gain", token: "", metadata: {} });
const OTHERS = [
  encodeWireMessage({ type: "end", port: "audio" }),
  encodeWireMessage({ type: "ping", id: 7 }),
  encodeWireMessage({ type: "close", code: "", message: "" }),
];

/** `message` broken one of six ways. */
function mutate(message: Uint8Array, pick: (n: number) => number): Uint8Array {
  const bytes = new Uint8Array(message);
  const view = new DataView(bytes.buffer);
  switch (pick(6)) {
    case 0: // bits flipped anywhere, header included
      for (let k = 0, n = 1 + pick(4); k < n; k++) bytes[pick(bytes.length)] ^= 1 << pick(8);
      return bytes;
    case 1: // cut short
      return bytes.slice(0, pick(bytes.length));
    case 2: { // bytes after its end
      const longer = new Uint8Array(bytes.length + 1 + pick(64));
      longer.set(bytes);
      return longer;
    }
    case 3: // the header's length rewritten
      view.setUint32(4, [0, 7, 8, bytes.length - 1, bytes.length + 1, 0xffff_ffff][pick(6)], true);
      return bytes;
    case 4: { // a u16 in the body (a string's or a count's length) rewritten
      const at = 8 + pick(Math.max(1, bytes.length - 9));
      if (at + 2 <= bytes.length) view.setUint16(at, [0, 0xffff, 257, 4097][pick(4)], true);
      return bytes;
    }
    default: { // noise
      const noise = new Uint8Array(pick(100));
      for (let k = 0; k < noise.length; k++) noise[k] = pick(256);
      return noise;
    }
  }
}

/** One hostile session: what it received, and whether the server ended it. */
async function hostileSession(url: string, pick: (n: number) => number): Promise<string[]> {
  const client = new RawClient(url);
  // RawClient decodes every message and throws on one that does not decode: decode here instead.
  const received: string[] = [];
  client.socket.onmessage = (event) => {
    const message = decodeWireMessage(new Uint8Array(event.data as ArrayBuffer), {
      maxMessageBytes: 64 * 1024 * 1024,
    });
    received.push(
      message.type === "error" || message.type === "close"
        ? `${message.type}:${message.code}`
        : message.type,
    );
  };
  await client.opened;
  const messages: (Uint8Array | string)[] = [pick(10) < 3 ? mutate(OPEN, pick) : OPEN];
  for (let i = 0, n = pick(12); i < n; i++) {
    const message = pick(10) < 6 ? frameBytes(i) : OTHERS[pick(OTHERS.length)];
    messages.push(pick(2) === 0 ? mutate(message, pick) : message);
  }
  if (pick(5) === 0) messages.push("text, not binary");
  for (const message of messages) {
    if (client.socket.readyState !== WebSocket.OPEN) break;
    client.send(message);
  }
  // The server ends it: a close of the client's, an error, the idle or open timeout (1 s here).
  const ended = await Promise.race([
    client.closed.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000)),
  ]);
  assert.ok(ended, `the server did not end a session that received ${received} within 10 s`);
  return received;
}

Deno.test("SessionHandler: sessions of mutated wire messages end with coded errors and free everything", async () => {
  const server = startServer({ gain: gain() }, { idleTimeoutMs: 1_000, maxSessions: 8 }, {
    openTimeoutMs: 1_000,
  });
  try {
    const codes = new Set<string>();
    const pick = random(20_261_127);
    for (let round = 0; round < 6; round++) {
      const sessions = await Promise.all(
        Array.from({ length: 6 }, () => hostileSession(server.url, pick)),
      );
      for (const received of sessions) {
        for (const entry of received) {
          const [type, code] = entry.split(":");
          if (code === undefined || code === "") continue;
          codes.add(code);
          assert.ok(
            Object.hasOwn(ERROR_CODES, code),
            `${type} with code '${code}' (not in the table)`,
          );
        }
      }
    }
    // The mutations reached past the decoder: malformed messages and sessions that opened.
    assert.ok(codes.has("wire_malformed"), `codes seen: ${[...codes]}`);
    assert.ok(server.recorder.events.some((e) => e.startsWith("started:")), "no session opened");
    // Every session is freed, and a correct client is served.
    const deadline = Date.now() + 5_000;
    while ((await server.runner.list()).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(await server.runner.list(), []);
    const client = new RawClient(server.url);
    assert.equal((await client.open("gain")).type, "accept");
    client.send(frameBytes(0, 0.25));
    const out = await client.until("frame");
    assert.ok(out.type === "frame" && out.frame.kind === "audio");
    assert.equal(out.frame.samples[0], block(0.5).samples[0]);
    client.socket.close();
    await client.closed;
  } finally {
    await server.close();
  }
});
