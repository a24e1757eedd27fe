import assert from "node:assert/strict";
import { decodeSamples, encodeSamples } from "./pcm_codec.ts";

function bytes(...values: number[]): DataView {
  return new DataView(new Uint8Array(values).buffer);
}

Deno.test("decodeSamples() scales every PCM depth to [-1, 1)", () => {
  const out = new Float32Array(3);
  decodeSamples(bytes(0, 128, 255), 0, "pcm", 8, out, 0, 3);
  assert.deepEqual(Array.from(out), [-1, 0, 127 / 128]);
  decodeSamples(bytes(0x00, 0x80, 0xff, 0x7f, 0x00, 0x40), 0, "pcm", 16, out, 0, 3);
  assert.deepEqual(Array.from(out), [-1, 32767 / 32768, 0.5].map(Math.fround));
  decodeSamples(
    bytes(0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x00, 0x00, 0xc0),
    0,
    "pcm",
    24,
    out,
    0,
    3,
  );
  assert.deepEqual(Array.from(out), [-1, 8388607 / 8388608, -0.5].map(Math.fround));
  decodeSamples(bytes(0, 0, 0, 0x80, 0, 0, 0, 0x40), 0, "pcm", 32, out, 1, 2);
  assert.deepEqual(Array.from(out), [-1, -1, 0.5]);
});

Deno.test("decodeSamples() reads 32 and 64-bit float from any offset", () => {
  const view = new DataView(new ArrayBuffer(1 + 16));
  view.setFloat64(1, 0.125, true);
  view.setFloat64(9, -0.75, true);
  const out = new Float32Array(2);
  decodeSamples(view, 1, "float", 64, out, 0, 2);
  assert.deepEqual(Array.from(out), [0.125, -0.75]);
  view.setFloat32(1, 0.3, true);
  decodeSamples(view, 1, "float", 32, out, 1, 1);
  assert.equal(out[1], Math.fround(0.3));
});

Deno.test("encodeSamples() round-trips through decodeSamples()", () => {
  const samples = new Float32Array([0, 0.5, -0.5, 0.999, -1, 1.5, NaN]);
  const view = new DataView(new ArrayBuffer(samples.length * 4));
  const out = new Float32Array(samples.length);
  encodeSamples(samples, 0, samples.length, "pcm16", view);
  decodeSamples(view, 0, "pcm", 16, out, 0, samples.length);
  assert.deepEqual(
    Array.from(out),
    [0, 0.5, -0.5, Math.round(0.999 * 32768) / 32768, -1, 32767 / 32768, 0].map(Math.fround),
  );
  encodeSamples(samples, 1, 5, "float32", view);
  decodeSamples(view, 0, "float", 32, out, 0, 5);
  assert.deepEqual(Array.from(out.subarray(0, 5)), Array.from(samples.subarray(1, 6)));
});

Deno.test("encodeSamples() and decodeSamples() give the same bytes and values at any alignment", () => {
  const samples = new Float32Array(301).map((_, i) => Math.sin(i * 0.37) * 1.2);
  samples[7] = NaN;
  // Ties, the smallest floats, -0 and infinities: where rounding shortcuts go wrong.
  const edges = [0.5, 1.5, -0.5, -1.5, -2.5, 32766.5, -32767.5, 32767.5, -32768.5].map((x) =>
    x / 32768
  );
  samples.set([...edges, 1e-45, -1e-45, 2 ** -40, -(2 ** -40), -0, Infinity, -Infinity], 10);
  for (
    const [encoding, decoding, bits, size] of [["pcm16", "pcm", 16, 2], [
      "float32",
      "float",
      32,
      4,
    ]] as const
  ) {
    const decoded: Float32Array[] = [];
    const encoded: number[][] = [];
    for (const shift of [0, 1]) { // aligned (typed-array view) and odd (DataView per sample)
      const bytes = new Uint8Array(shift + samples.length * size);
      encodeSamples(samples, 0, samples.length, encoding, new DataView(bytes.buffer, shift));
      encoded.push(Array.from(bytes.subarray(shift)));
      const out = new Float32Array(samples.length);
      decodeSamples(new DataView(bytes.buffer), shift, decoding, bits, out, 0, samples.length);
      decoded.push(out);
    }
    assert.deepEqual(encoded[0], encoded[1], encoding);
    assert.deepEqual(decoded[0], decoded[1], encoding);
  }
});
