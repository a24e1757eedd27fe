/**
 * Random and mutated bytes into `decodeWireMessage()`: whatever comes in, a message or a
 * `WireError` comes out, and a message that comes out re-encodes. Seeded (mulberry32), so a
 * failure names the seed and case that repeat it.
 */

import assert from "node:assert/strict";
import { sampleMessages } from "../../tests/sessions/wire_samples.ts";
import { decodeWireMessage } from "./decode.ts";
import { encodeWireMessage } from "./encode.ts";
import { WireError } from "./errors.ts";

const SEED = 0x5eed_0033;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decodesOrRefuses(bytes: Uint8Array, what: string): "ok" | string {
  try {
    const message = decodeWireMessage(bytes, { maxMessageBytes: 1 << 20 });
    // Whatever decodes is a message the encoder takes back.
    encodeWireMessage(message, { maxMessageBytes: 1 << 20 });
    return "ok";
  } catch (error) {
    assert.ok(error instanceof WireError, `${what}: threw ${String(error)}`);
    return error.code;
  }
}

Deno.test("decodeWireMessage() on 2,000 random buffers: only WireError comes out", () => {
  const random = prng(SEED);
  const codes = new Set<string>();
  for (let i = 0; i < 2_000; i++) {
    const length = Math.floor(random() * 64);
    const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    // Half of them start with a valid header, so the bodies are exercised too; a quarter with
    // the magic only.
    if (i % 2 === 0 && length >= 8) {
      bytes.set([0x53, 0x4c, 1, 1 + (i % 8)]);
      new DataView(bytes.buffer).setUint32(4, length, true);
    } else if (i % 4 === 1 && length >= 2) {
      bytes.set([0x53, 0x4c]);
    }
    codes.add(decodesOrRefuses(bytes, `seed ${SEED} case ${i}`));
  }
  for (const code of ["wire_malformed", "wire_truncated", "wire_version"]) {
    assert.ok(codes.has(code), `no case gave ${code}: ${[...codes]}`);
  }
});

Deno.test("decodeWireMessage() on 4,000 mutations of valid messages: only WireError comes out", () => {
  const random = prng(SEED + 1);
  const messages = sampleMessages().map(({ message }) => encodeWireMessage(message));
  const outcomes = new Set<string>();
  for (let i = 0; i < 4_000; i++) {
    const bytes = messages[i % messages.length].slice();
    const mutation = Math.floor(random() * 4);
    const at = Math.floor(random() * bytes.length);
    let mutated: Uint8Array = bytes;
    if (mutation === 0) {
      // Flip 1 to 3 bytes anywhere.
      for (let n = 0; n <= Math.floor(random() * 3); n++) {
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
    } else if (mutation === 1) {
      // Flip a byte of the body and keep the length right, so the body's fields are checked.
      bytes[Math.max(8, at)] ^= 1 << Math.floor(random() * 8);
    } else if (mutation === 2) {
      // Cut, or extend, and fix the length field.
      mutated = random() < 0.5
        ? bytes.slice(0, Math.max(8, at))
        : new Uint8Array([...bytes, ...Array.from({ length: 1 + at % 7 }, () => 0)]);
      new DataView(mutated.buffer).setUint32(4, mutated.length, true);
    } else {
      // A length field or count set to a large value.
      const view = new DataView(bytes.buffer);
      const where = Math.max(8, Math.min(at, bytes.length - 2));
      view.setUint16(where, 0xffff - Math.floor(random() * 16), true);
    }
    outcomes.add(decodesOrRefuses(mutated, `seed ${SEED + 1} case ${i}`));
  }
  assert.ok(outcomes.has("ok") && outcomes.has("wire_malformed") && outcomes.has("wire_truncated"));
});
