import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  InputBinding,
  OutputBinding,
  type Processor,
} from "../../mod.ts";
import { HeapMemorySource } from "../../core/frames/heap_memory.ts";
import type { OwnedAudioFrame } from "../../core/frames/owned_frame.ts";
import { gainNode } from "./gain.gen.ts";
import { createRuntime, Gain, NullSink, TestToneGenerator } from "../mod.ts";
import { sleep, until, workerRig } from "../../tests/fixtures/workers/harness.ts";
import { tap } from "../../tests/fixtures/workers/worker_nodes.ts";

const STEREO = { channels: 2 as const, sampleRate: 44_100, frameCount: 2 };

function start(gain: number, memory = new HeapMemorySource()) {
  const ports = gainNode.ports();
  const processor: Processor = gainNode.create({ gain }, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  connectLocal(ports.output<AudioFrame<2>>("out"), sink, { capacity: 8, policy: "fifo" });
  // As a runtime does: what the gain reads is its run's, what the sink reads is the sink's.
  const ctx = createProcessContext("gain", { memory, ports });
  const sinkCtx = createProcessContext("sink", { memory });
  sink.owner = sinkCtx.frames;
  processor.setup(ctx);
  return { processor, source, sink, ctx, sinkCtx };
}

function block(values: number[], frameNumber: number): AudioFrame<2> {
  const frame = createAudioFrame(2, 44_100, values.length / 2);
  frame.samples.set(values);
  return { ...frame, frameNumber, timestampNs: frameNumber * 1000 };
}

Deno.test("Gain.process() scales every waiting block in order and keeps its metadata", () => {
  const { processor, source, sink, ctx } = start(0.5);
  source.write(block([1, -1, 0.5, 0.25], 0));
  source.write(block([2, 2], 1));
  processor.process(ctx);
  const first = sink.read()!;
  assert.deepEqual([...first.samples], [0.5, -0.5, 0.25, 0.125]);
  assert.deepEqual([first.frameNumber, first.timestampNs, first.sampleRate, first.frameCount], [
    0,
    0,
    44_100,
    2,
  ]);
  const second = sink.read()!;
  assert.deepEqual([...second.samples], [1, 1]);
  assert.equal(second.frameCount, 1);
  assert.equal(sink.read(), undefined);
  ctx.frames.flush();
});

Deno.test("Gain.process() gives every sample exactly fround(sample * gain), optimized or not", () => {
  // Enough long blocks for V8 to optimize the per-sample loop: its output must not change when
  // the optimized code takes over (each product rounded once to float32, as the plain loop does).
  const { processor, source, sink, ctx } = start(0.7);
  let seed = 1;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 30 - 1;
  for (let n = 0; n < 200; n++) {
    const values = Array.from({ length: 9_600 }, random);
    source.write(block(values, n));
    processor.process(ctx);
    const out = sink.read()!;
    const expected = Float32Array.from(values, (v) => Math.fround(Math.fround(v) * 0.7));
    assert.deepEqual(out.samples, expected, `block ${n}`);
    assert.equal(out.frameNumber, n);
    ctx.frames.flush();
  }
});

Deno.test("Gain.process() scales a block it holds alone in place, and copies a shared one", () => {
  const { processor, source, sink, ctx, sinkCtx } = start(2);
  // A block from ctx.frames that only the connection to the gain holds: written in place.
  const own = ctx.frames.audio(STEREO)!;
  own.samples.set([1, 2, 3, 4]);
  source.write(own);
  ctx.frames.flush(); // the source's run returned: the connection holds the only reference
  processor.process(ctx);
  const out = sink.read()!;
  assert.equal(out, own, "the same block went out");
  assert.deepEqual([...out.samples], [2, 4, 6, 8]);
  ctx.frames.flush();

  // A block another reader also holds (fan-out): copied, the other reader's view unchanged.
  const shared = ctx.frames.audio(STEREO)!;
  shared.samples.set([1, 1, 1, 1]);
  const other = ctx.frames.keep(shared);
  source.write(shared);
  ctx.frames.flush();
  processor.process(ctx);
  const copy = sink.read()!;
  assert.notEqual(copy, shared);
  assert.deepEqual([...copy.samples], [2, 2, 2, 2]);
  assert.deepEqual([...other.frame.samples], [1, 1, 1, 1]);
  other.release();
  ctx.frames.flush();
  sinkCtx.frames.flush();
  assert.equal(shared.released, true);
  assert.equal((copy as OwnedAudioFrame<2>).released, true, "the sink's reference was the last");
});

Deno.test("Gain.process() leaves a plain input block untouched", () => {
  const { processor, source, sink, ctx } = start(3);
  const input = block([1, 1], 0);
  source.write(input);
  processor.process(ctx);
  assert.deepEqual([...input.samples], [1, 1]);
  assert.deepEqual([...sink.read()!.samples], [3, 3]);
  ctx.frames.flush();
});

Deno.test("Gain.process() keeps a block that finds no frame memory and writes it first when memory frees", () => {
  const memory = new HeapMemorySource({ budgetBytes: 16 }); // one 2-frame stereo block
  const { processor, source, sink, ctx, sinkCtx } = start(0.5, memory);
  const hog = createProcessContext("hog", { memory });
  const held = hog.frames.audio(STEREO)!; // takes the whole budget
  source.write(block([4, 4, 4, 4], 0)); // plain blocks: the gain must copy, and cannot
  source.write(block([8, 8, 8, 8], 1));
  processor.process(ctx);
  ctx.frames.flush();
  assert.equal(sink.read(), undefined, "nothing went out");
  assert.equal(ctx.frames.takeExhausted(), true, "the runtime would wait for memory");
  hog.frames.flush();
  assert.equal(held.released, true);
  for (const expected of [0, 1]) {
    processor.process(ctx);
    const out = sink.read()!;
    assert.equal(out.frameNumber, expected);
    assert.deepEqual([...out.samples], expected === 0 ? [2, 2, 2, 2] : [4, 4, 4, 4]);
    ctx.frames.flush();
    sinkCtx.frames.flush(); // the sink's run returned: the block's memory frees for the next one
  }
});

Deno.test("Gain.process() with an unconnected output drains its input without error", () => {
  const ports = gainNode.ports();
  const processor: Processor = gainNode.create({}, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const conn = connectLocal(source, ports.input("in"));
  const ctx = createProcessContext("gain");
  processor.setup(ctx);
  source.write(block([1, 1], 0));
  processor.process(ctx);
  assert.equal(conn.read, 1);
});

Deno.test("Gain config rejects a factor outside 0..16", () => {
  assert.throws(
    () => gainNode.create({ gain: -1 }),
    /config field 'gain' must be a number from 0 to 16/,
  );
  assert.equal(gainNode.create().config.gain, 1);
});

Deno.test("Gain in a runtime: tone -> gain -> sink and a fan-out to a second sink leak no frame", async () => {
  await using rt = createRuntime();
  const tone = rt.add(TestToneGenerator, { blockSize: 64 });
  const gain = rt.add(Gain, { gain: 0.5 }, { id: "gain" });
  const sink = rt.add(NullSink, {}, { id: "sink" });
  const dry = rt.add(NullSink, {}, { id: "dry" });
  rt.connect(tone.outputs.audio, gain.inputs.in);
  rt.connect(tone.outputs.audio, dry.inputs.in); // the gain copies: the dry sink shares the block
  rt.connect(gain.outputs.out, sink.inputs.in);
  await rt.start();
  await until(() => rt.stats().nodes.sink.framesIn >= 10, "10 blocks through the gain");
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("Gain in a Worker: every block comes back scaled, by reference, and no frame or slot leaks", async () => {
  await using rig = workerRig();
  const { rt, backend } = rig;
  rt.add("TestToneGenerator", { frequency: 997, amplitude: 0.4, blockSize: 64 }, { id: "tone" });
  rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
  rt.add("AudioTap", {}, { id: "wet" });
  rt.add("AudioTap", {}, { id: "dry" });
  rt.connectByName("tone", "audio", "gain", "in");
  const back = rt.connectByName("gain", "out", "wet", "in");
  rt.connectByName("tone", "audio", "dry", "in");
  await rt.start();
  await until(() => tap("wet").frameNumbers.length >= 20, "20 blocks through the Worker");
  await sleep(20);
  await rt.stop();
  const wet = tap("wet");
  const dry = tap("dry");
  assert.deepEqual(wet.frameNumbers, dry.frameNumbers);
  for (let i = 0; i < wet.samples.length; i++) {
    assert.deepEqual(wet.samples[i], dry.samples[i].map((x) => Math.fround(x * 0.5)), `block ${i}`);
  }
  const stats = rt.stats().connections[back.id] as { copiedWrites?: number; written: number };
  assert.equal(stats.copiedWrites, 0, "blocks cross the Worker in pool slots, not copied");
  assert.deepEqual(rt.frameLeaks(), []);
  assert.equal(backend.pool.stats().inUse, 0, "every pool slot is free again");
});
