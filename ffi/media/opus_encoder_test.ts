import assert from "node:assert/strict";
import { InvalidArgumentError, NativeError } from "../native/errors.ts";
import { OpusDecoder } from "./opus_decoder.ts";
import { OPUS_MAX_PACKET_BYTES, OpusEncoder } from "./opus_encoder.ts";

Deno.test("OpusEncoder.encode() and OpusDecoder.decode() carry a stereo tone through libopus", () => {
  using encoder = OpusEncoder.create({ sampleRate: 48_000, channels: 2, bitrate: 96_000 });
  using decoder = OpusDecoder.create({ sampleRate: 48_000, channels: 2 });
  assert.ok(encoder.preSkip > 0 && encoder.preSkip < 960, String(encoder.preSkip));
  const block = new Float32Array(960 * 2);
  const packet = new Uint8Array(OPUS_MAX_PACKET_BYTES);
  const pcm = new Float32Array(5760 * 2);
  const left: number[] = [];
  let t = 0;
  for (let f = 0; f < 50; f++) {
    for (let i = 0; i < 960; i++, t++) {
      block[2 * i] = 0.5 * Math.sin((2 * Math.PI * 440 * t) / 48_000);
      block[2 * i + 1] = 0.25 * Math.sin((2 * Math.PI * 660 * t) / 48_000);
    }
    const n = encoder.encode(block, packet);
    assert.ok(n > 10 && n < 1000, `packet of ${n} bytes`);
    assert.equal(decoder.decode(packet.subarray(0, n), pcm), 960);
    for (let i = 0; i < 960; i++) left.push(pcm[2 * i]);
  }
  let signal = 0;
  let noise = 0;
  for (let i = 24_000; i < left.length; i++) {
    const expected = 0.5 * Math.sin((2 * Math.PI * 440 * (i - encoder.preSkip)) / 48_000);
    signal += expected ** 2;
    noise += (left[i] - expected) ** 2;
  }
  const snr = 10 * Math.log10(signal / noise);
  assert.ok(snr > 20, `SNR ${snr.toFixed(1)} dB`);
});

Deno.test("OpusEncoder refuses rates, channel counts and frame lengths libopus does not take", () => {
  assert.throws(
    () => OpusEncoder.create({ sampleRate: 44_100, channels: 2 }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "sampleRate",
  );
  assert.throws(
    () => OpusDecoder.create({ sampleRate: 48_000, channels: 6 }),
    (e: unknown) => e instanceof InvalidArgumentError && e.valid === "1 or 2",
  );
  using encoder = OpusEncoder.create({ sampleRate: 16_000, channels: 1 });
  assert.throws(
    () => encoder.encode(new Float32Array(100), new Uint8Array(4000)),
    (e: unknown) => e instanceof NativeError && /2\.5\/5\/10\/20\/40\/60 ms/.test(e.message),
  );
  assert.ok(encoder.encode(new Float32Array(320), new Uint8Array(4000)) > 0, "20 ms at 16 kHz");
});
