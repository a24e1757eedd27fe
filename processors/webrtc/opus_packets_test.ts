import assert from "node:assert/strict";
import type { AudioFrame } from "../../core/frames/audio_frame.ts";
import { OpusPackets } from "./opus_packets.ts";

const block = (timestampNs: number, frameCount = 480): AudioFrame => ({
  kind: "audio",
  channels: 2,
  sampleRate: 48_000,
  frameCount,
  samples: new Float32Array(frameCount * 2),
  timestampNs,
  frameNumber: 0,
});

Deno.test("OpusPackets pads a gap in the blocks' timestamps with silence, so later samples keep their time", () => {
  using packets = new OpusPackets(64_000);
  const times: number[] = [];
  const emit = (_packet: Uint8Array, t: number) => times.push(t);
  packets.add(block(0), emit); // 10 ms of a packet
  packets.add(block(70e6), emit); // the source skipped 60 ms: the packet is padded and sent
  packets.add(block(80e6), emit); // completes the packet that began at 70 ms
  assert.deepEqual(times, [0, 70e6]);
  assert.equal(packets.gapsBridged, 1);
});

Deno.test("OpusPackets fills a short gap inside the packet and keeps going", () => {
  using packets = new OpusPackets(64_000);
  const times: number[] = [];
  const emit = (_packet: Uint8Array, t: number) => times.push(t);
  packets.add(block(0, 240), emit); // 5 ms
  packets.add(block(10e6, 240), emit); // 5 ms skipped: padded to 10 ms, then 5 ms more
  packets.add(block(15e6, 240), emit); // 20 ms reached
  packets.add(block(20e6, 960), emit); // one whole packet
  assert.deepEqual(times, [0, 20e6]);
  assert.equal(packets.gapsBridged, 1);
});

Deno.test("OpusPackets takes contiguous blocks and sub-millisecond jitter without padding", () => {
  using packets = new OpusPackets(64_000);
  const times: number[] = [];
  const emit = (_packet: Uint8Array, t: number) => times.push(t);
  for (let i = 0; i < 10; i++) packets.add(block(i * 10e6 + (i % 2) * 300_000), emit);
  assert.deepEqual(times, [0, 20e6, 40e6, 60e6, 80e6]);
  assert.equal(packets.gapsBridged, 0);
});

Deno.test("OpusPackets.flush() sends the partial packet and the encoder's lookahead at the end", () => {
  using packets = new OpusPackets(64_000);
  const times: number[] = [];
  const emit = (_packet: Uint8Array, t: number) => times.push(t);
  packets.flush(emit); // nothing added: nothing to send
  assert.deepEqual(times, []);
  packets.add(block(0, 960), emit); // one whole 20 ms packet
  packets.add(block(20e6, 100), emit); // and 100 frames of the next
  assert.deepEqual(times, [0]);
  packets.flush(emit);
  // The partial packet padded (100 + 860 frames) holds the 312-frame lookahead too: one packet.
  assert.deepEqual(times, [0, 20e6]);
  // A flush right after a whole packet still sends the lookahead, in a packet of silence.
  packets.add(block(40e6, 960), emit);
  packets.flush(emit);
  assert.deepEqual(times, [0, 20e6, 40e6, 60e6]);
});
