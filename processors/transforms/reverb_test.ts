import assert from "node:assert/strict";
import {
  type AudioFrame,
  ConfigValidationError,
  connectLocal,
  createAudioFrame,
  InputBinding,
  OutputBinding,
  type ProcessContext,
} from "../../mod.ts";
import { processorInit } from "../../core/processor/processor.ts";
import { reverbNode } from "./reverb.gen.ts";
import { createProcessContext } from "../../mod.ts";
import { sleep, until, workerRig } from "../../tests/fixtures/workers/harness.ts";
import { tap } from "../../tests/fixtures/workers/worker_nodes.ts";

const ctx: ProcessContext = createProcessContext("reverb");

async function start(config: unknown) {
  const ports = reverbNode.ports();
  const reverb = reverbNode.create(config, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(source, ports.input("in"), { capacity: 16, policy: "fifo" });
  connectLocal(ports.output<AudioFrame<2>>("out"), sink, { capacity: 16, policy: "fifo" });
  await reverb.setup(ctx);
  return { reverb, source, sink };
}

/** Energy of interleaved stereo `samples` in each window of `frames` frames. */
function windowEnergy(samples: Float32Array, frames: number): number[] {
  const energies: number[] = [];
  for (let start = 0; start + 2 * frames <= samples.length; start += 2 * frames) {
    let sum = 0;
    for (let i = start; i < start + 2 * frames; i++) sum += samples[i] * samples[i];
    energies.push(sum);
  }
  return energies;
}

Deno.test("Reverb.process() turns an impulse into a tail that arrives late and decays", async () => {
  const { reverb, source, sink } = await start({ roomSize: 0.7, wet: 1, dry: 0 });
  const rate = 48_000;
  const blocks = 10; // 2 s in blocks of 0.2 s
  for (let b = 0; b < blocks; b++) {
    const frame = { ...createAudioFrame(2, rate, rate / 5), frameNumber: b };
    if (b === 0) frame.samples[0] = frame.samples[1] = 1;
    source.write(frame);
  }
  reverb.process(ctx);
  const tail = new Float32Array(2 * 2 * rate);
  for (let b = 0; b < blocks; b++) {
    const block = sink.read()!;
    assert.equal(block.frameNumber, b);
    tail.set(block.samples, b * block.samples.length);
  }
  const firstComb = Math.round((1116 * rate) / 44_100);
  assert.ok(tail.subarray(0, 2 * firstComb).every((s) => s === 0), "nothing before the first comb");
  const energy = windowEnergy(tail, rate / 10); // 0.1 s windows
  assert.ok(energy[0] > 0);
  for (let w = 2; w < energy.length; w++) {
    assert.ok(energy[w] < energy[w - 1], `window ${w}: ${energy[w]} >= ${energy[w - 1]}`);
  }
  assert.ok(energy[19] > 0 && energy[19] < energy[1] * 1e-3, `decay ${energy[19] / energy[1]}`);
  assert.notDeepEqual(
    tail.filter((_, i) => i % 2 === 0).slice(3000, 3100),
    tail.filter((_, i) => i % 2 === 1).slice(3000, 3100),
  );
});

Deno.test("Reverb with wet 0 and dry 1 passes audio through unchanged, at any sample rate", async () => {
  const { reverb, source, sink } = await start({ wet: 0, dry: 1 });
  const frame = createAudioFrame(2, 44_100, 4);
  frame.samples.set([0.5, -0.5, 0.25, 0.125, 0, 1, -1, 0]);
  source.write(frame);
  reverb.process(ctx);
  const out = sink.read()!;
  assert.deepEqual(Array.from(out.samples), Array.from(frame.samples));
  assert.equal(out.sampleRate, 44_100);
});

Deno.test("Reverb config bounds every parameter to 0..1", () => {
  assert.deepEqual(reverbNode.create().config, {
    roomSize: 0.5,
    damping: 0.5,
    wet: 0.3,
    dry: 0.7,
    width: 1,
  });
  assert.throws(
    () => reverbNode.create({ roomSize: 1.5 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "roomSize" &&
      e.issues[0].expected === "a number from 0 to 1",
  );
});

Deno.test("Reverb.configChanged() changes the mix in place: the tail keeps ringing", async () => {
  const changed = await start({ roomSize: 0.7, wet: 1, dry: 0 });
  const reference = await start({ roomSize: 0.7, wet: 1, dry: 0 });
  const rate = 48_000;
  const run = (r: typeof changed, b: number) => {
    const frame = { ...createAudioFrame(2, rate, rate / 10), frameNumber: b };
    if (b === 0) frame.samples[0] = frame.samples[1] = 1;
    r.source.write(frame);
    r.reverb.process(ctx);
    return r.sink.read()!.samples;
  };
  for (let b = 0; b < 3; b++) assert.deepEqual(run(changed, b), run(reference, b));
  (processorInit(changed.reverb)!.config as { wet: number }).wet = 0.5;
  changed.reverb.configChanged(["wet"]);
  for (let b = 3; b < 6; b++) {
    const half = run(changed, b);
    const full = run(reference, b);
    assert.ok(full.some((s) => Math.abs(s) > 1e-6), `block ${b} carries the tail`);
    assert.deepEqual(half, full.map((s) => s * 0.5), `block ${b}: the same tail at half level`);
  }
});

Deno.test("Reverb.process() reverberates a block it holds alone in place", async () => {
  const ports = reverbNode.ports();
  const reverb = reverbNode.create({ wet: 0, dry: 0.5 }, ports);
  const own = createProcessContext("reverb", { ports });
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(source, ports.input("in"), { capacity: 4, policy: "fifo" });
  connectLocal(ports.output<AudioFrame<2>>("out"), sink, { capacity: 4, policy: "fifo" });
  await reverb.setup(own);
  const writer = createProcessContext("source");
  const block = writer.frames.audio({ channels: 2, sampleRate: 48_000, frameCount: 2 })!;
  block.samples.set([1, -1, 0.5, -0.5]);
  source.write(block);
  writer.frames.flush(); // only the connection holds it now
  reverb.process(own);
  const out = sink.read()!;
  assert.equal(out, block, "the same block went out");
  assert.deepEqual([...out.samples], [0.5, -0.5, 0.25, -0.25]);
  own.frames.flush();
});

Deno.test("Reverb in a Worker after a tone in the main isolate: every block back in order, nothing leaks", async () => {
  await using rig = workerRig();
  const { rt, backend } = rig;
  rt.add("TestToneGenerator", { blockSize: 64 }, { id: "tone" });
  rt.add("Reverb", {}, { id: "room", placement: { worker: "dsp" } });
  rt.add("AudioTap", {}, { id: "wet" });
  rt.add("AudioTap", {}, { id: "dry" });
  rt.connectByName("tone", "audio", "room", "in");
  rt.connectByName("tone", "audio", "dry", "in"); // fan-out: the reverb copies the shared block
  rt.connectByName("room", "out", "wet", "in");
  await rt.start();
  await until(() => tap("wet").frameNumbers.length >= 20, "20 blocks through the reverb");
  await sleep(20);
  await rt.stop();
  assert.deepEqual(tap("wet").frameNumbers, tap("dry").frameNumbers);
  assert.notDeepEqual(tap("wet").samples[10], tap("dry").samples[10], "the room is heard");
  assert.deepEqual(rt.frameLeaks(), []);
  assert.equal(backend.pool.stats().inUse, 0, "every pool slot is free again");
});
