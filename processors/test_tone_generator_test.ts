import assert from "node:assert/strict";
import {
  type AudioFrame,
  ConfigValidationError,
  InputBinding,
  type MediaClock,
  type ProcessContext,
  type Processor,
} from "../mod.ts";
import { connectLocal, READER_KEEPS } from "../mod.ts";
import { testToneGeneratorNode } from "./test_tone_generator.gen.ts";

const clock: MediaClock = { nowNs: () => 1_000_000 };
const ctx: ProcessContext = { node: "tone", clock };

function start(config: unknown, capacity = 8) {
  const ports = testToneGeneratorNode.ports();
  const tone: Processor = testToneGeneratorNode.create(config, ports);
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  const conn = connectLocal(ports.output<AudioFrame<2>>("audio"), sink, {
    capacity,
    policy: "fifo",
  });
  tone.setup(ctx);
  return { tone, sink, conn };
}

Deno.test("TestToneGenerator.process() writes a sine whose phase runs on across blocks", () => {
  const { tone, sink } = start({
    frequency: 1000,
    amplitude: 0.5,
    sampleRate: 48_000,
    blockSize: 64,
  });
  tone.process(ctx);
  tone.process(ctx);
  const first = sink.read()!;
  const second = sink.read()!;
  assert.equal(first.channels, 2);
  assert.equal(first.frameCount, 64);
  for (const [block, offset] of [[first, 0], [second, 64]] as const) {
    for (let i = 0; i < 64; i++) {
      const expected = 0.5 * Math.sin((2 * Math.PI * 1000 * (offset + i)) / 48_000);
      assert.ok(Math.abs(block.samples[2 * i] - expected) < 1e-5, `sample ${offset + i}`);
      assert.equal(block.samples[2 * i + 1], block.samples[2 * i]);
    }
  }
});

Deno.test("TestToneGenerator.process() stamps blocks at exact sample times from setup", () => {
  const { tone, sink } = start({ sampleRate: 48_000, blockSize: 480 });
  for (let i = 0; i < 3; i++) tone.process(ctx);
  const blocks = [sink.read()!, sink.read()!, sink.read()!];
  assert.deepEqual(blocks.map((b) => b.frameNumber), [0, 1, 2]);
  assert.deepEqual(blocks.map((b) => b.timestampNs), [1_000_000, 11_000_000, 21_000_000]);
  assert.equal(blocks[0].sampleRate, 48_000);
});

Deno.test("TestToneGenerator.process() writes a square wave of the configured amplitude", () => {
  const { tone, sink } = start({
    waveform: "square",
    amplitude: 0.25,
    frequency: 100,
    blockSize: 480,
  });
  tone.process(ctx);
  const block = sink.read()!;
  const values = new Set(block.samples);
  assert.deepEqual([...values].sort(), [-0.25, 0.25]);
  assert.equal(block.samples[0], 0.25);
  assert.equal(block.samples[2 * 300], -0.25);
  assert.equal(block.samples[2 * 479], -0.25);
});

Deno.test("TestToneGenerator.process() reuses its blocks instead of allocating per call", () => {
  const { tone, sink } = start({ blockSize: 16 }, 16);
  const seen = new Set<Float32Array>();
  for (let i = 0; i < 40; i++) {
    tone.process(ctx);
    seen.add(sink.read()!.samples);
  }
  assert.equal(seen.size, 16 + READER_KEEPS + 1); // the sink's connection holds 16
});

Deno.test("TestToneGenerator never overwrites a block still queued in a large connection", () => {
  const { tone, sink } = start({ blockSize: 16 }, 64);
  for (let i = 0; i < 64; i++) tone.process(ctx); // nothing read: 64 blocks queued
  const numbers: number[] = [];
  for (let i = 0; i < 64; i++) numbers.push(sink.read()!.frameNumber);
  assert.deepEqual(numbers, Array.from({ length: 64 }, (_, i) => i));
});

Deno.test("TestToneGenerator config is validated with the field and expected type named", () => {
  assert.throws(
    () => testToneGeneratorNode.create({ frequency: 30_000 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "frequency" &&
      e.issues[0].expected === "a number from 1 to 20000",
  );
  assert.throws(() => testToneGeneratorNode.create({ blockSize: 100.5 }), /an integer from 16/);
  assert.throws(() => testToneGeneratorNode.create({ waveform: "saw" }), /one of "sine", "square"/);
  assert.deepEqual(testToneGeneratorNode.create({}).config, {
    frequency: 440,
    amplitude: 0.25,
    sampleRate: 48_000,
    blockSize: 480,
    waveform: "sine",
  });
});
