import assert from "node:assert/strict";
import {
  type AudioFrame,
  ConfigValidationError,
  InputBinding,
  type MediaClock,
  type ProcessContext,
} from "../../mod.ts";
import { connectLocal } from "../../mod.ts";
import { HeapMemorySource } from "../../core/frames/heap_memory.ts";
import { createRuntime, NullSink, TestToneGenerator } from "../mod.ts";
import { testToneGeneratorNode } from "./test_tone_generator.gen.ts";
import { createProcessContext } from "../../mod.ts";

const clock: MediaClock = { nowNs: () => 1_000_000 };
const ctx: ProcessContext = createProcessContext("tone", { clock });

function start(config: unknown, capacity = 8, context: ProcessContext = ctx) {
  const ports = testToneGeneratorNode.ports();
  const tone = testToneGeneratorNode.create(config, ports) as TestToneGenerator;
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  const conn = connectLocal(ports.output<AudioFrame<2>>("audio"), sink, {
    capacity,
    policy: "fifo",
  });
  tone.setup(context);
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

Deno.test("TestToneGenerator.process() keeps the exact phase when its live frequency changes", () => {
  const ports = testToneGeneratorNode.ports();
  const live = testToneGeneratorNode.create(
    { frequency: 440, amplitude: 1, blockSize: 333 },
    ports,
  );
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(ports.output<AudioFrame<2>>("audio"), sink, { capacity: 64, policy: "fifo" });
  live.setup(ctx);
  let phase = 0;
  let worst = 0;
  for (const frequency of [440, 997, 5_000, 20, 12_345.6, 440]) {
    live.config.frequency = frequency; // what rt.setConfig() does between two runs
    live.configChanged(["frequency"]);
    live.process(ctx);
    const block = sink.read()!;
    for (let n = 0; n < 333; n++) {
      const exact = Math.sin(2 * Math.PI * ((phase + (n * frequency) / 48_000) % 1));
      worst = Math.max(worst, Math.abs(block.samples[2 * n] - exact));
    }
    phase = (phase + (333 * frequency) / 48_000) % 1;
  }
  assert.ok(worst <= 2 ** -24, `max error against Math.sin ${worst}`);
});

Deno.test("TestToneGenerator refuses a frequency at or above half the sample rate, at setup and live", () => {
  const ports = testToneGeneratorNode.ports();
  const low = testToneGeneratorNode.create({ frequency: 5_000, sampleRate: 8_000 }, ports);
  assert.throws(
    () => low.setup(ctx),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.code === "invalid_config" &&
      e.issues[0].field === "frequency" && /below half the sample rate \(4000\)/.test(e.message),
  );
  const { tone } = start({ frequency: 1_000, sampleRate: 8_000 });
  tone.config.frequency = 4_000;
  assert.throws(() => tone.configChanged(["frequency"]), ConfigValidationError);
});

Deno.test("TestToneGenerator.process() writes nothing and keeps its place while frame memory is exhausted", () => {
  const memory = new HeapMemorySource({ budgetBytes: 2 * 16 * 4 }); // one 16-frame stereo block
  const local = createProcessContext("tone", { clock, memory });
  const { tone, sink } = start({ blockSize: 16 }, 8, local);
  const reader = createProcessContext("sink", { memory });
  sink.owner = reader.frames; // as a runtime does: what the sink reads is its run's
  tone.process(local); // takes the whole budget
  tone.process(local); // none left: nothing written
  assert.equal(local.frames.takeExhausted(), true);
  const first = sink.read()!;
  assert.equal(sink.read(), undefined);
  local.frames.flush();
  reader.frames.flush(); // both runs returned: the block is free again
  tone.process(local);
  const second = sink.read()!;
  assert.equal(second.frameNumber, 1, "no block number was skipped");
  assert.equal(second.timestampNs - first.timestampNs, Math.round((16 * 1e9) / 48_000));
});

Deno.test("TestToneGenerator in a runtime, fanned out to two sinks, leaks no frame", async () => {
  await using rt = createRuntime();
  const tone = rt.add(TestToneGenerator, { blockSize: 64 });
  const a = rt.add(NullSink, {}, { id: "a" });
  const b = rt.add(NullSink, {}, { id: "b" });
  rt.connect(tone.outputs.audio, a.inputs.in);
  rt.connect(tone.outputs.audio, b.inputs.in);
  await rt.start();
  while (rt.stats().nodes.b.framesIn < 10) await new Promise((r) => setTimeout(r, 5));
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
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

Deno.test("TestToneGenerator stamps a block with the deadline its run serves: a gap after skipped deadlines, no lag", () => {
  const { tone, sink } = start({ sampleRate: 48_000, blockSize: 480 });
  let deadline: number | undefined;
  const run = Object.create(ctx, { deadlineNs: { get: () => deadline } }) as ProcessContext;
  const stamps: number[] = [];
  // 10 ms blocks: deadlines 5 ms and 15 ms, three skipped, 55 ms; then a run without a deadline
  // and one whose deadline precedes the previous block's end.
  for (const d of [5e6, 15e6, 55e6, undefined, 60e6]) {
    deadline = d;
    tone.process(run);
    stamps.push(sink.read()!.timestampNs);
  }
  assert.deepEqual(stamps, [5e6, 15e6, 55e6, 65e6, 75e6]);
  // The gap (25 ms to 55 ms) is counted; the wait for the first deadline is not.
  assert.equal(tone.skippedNs, 30_000_000);
  assert.deepEqual(tone.reportStats(), { skippedMs: 30 });
});
