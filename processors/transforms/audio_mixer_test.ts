import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  InputBinding,
  OutputBinding,
  type ProcessContext,
  type Processor,
} from "../../mod.ts";
import { processorInit } from "../../core/processor/processor.ts";
import { HeapMemorySource } from "../../core/frames/heap_memory.ts";
import { audioMixerNode } from "./audio_mixer.gen.ts";
import { createProcessContext } from "../../mod.ts";
import { sleep, until, workerRig } from "../../tests/fixtures/workers/harness.ts";
import { tap } from "../../tests/fixtures/workers/worker_nodes.ts";

const ctx: ProcessContext = createProcessContext("mixer");

function start(config: unknown, inputs: number[]) {
  const ports = audioMixerNode.ports();
  const mixer: Processor = audioMixerNode.create(config, ports);
  const sources = inputs.map((i) => {
    const source = new OutputBinding<AudioFrame<2>>(`s${i}`, "AudioFrame<2>");
    connectLocal(source, ports.input(`in_${i}`), { capacity: 8, policy: "fifo" });
    return source;
  });
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(ports.output<AudioFrame<2>>("out"), sink, { capacity: 8, policy: "fifo" });
  mixer.setup(ctx);
  return { mixer, sources, sink };
}

function block(values: number[], timestampNs = 0): AudioFrame<2> {
  const frame = createAudioFrame(2, 48_000, values.length / 2);
  frame.samples.set(values);
  return { ...frame, timestampNs };
}

Deno.test("AudioMixer.process() sums one block per input with per-input gains", () => {
  const { mixer, sources, sink } = start({ gains: [1, 0.5, 2] }, [0, 1, 2]);
  sources[0].write(block([0.1, 0.2], 7));
  sources[1].write(block([0.4, 0.4]));
  sources[2].write(block([0.1, -0.1]));
  mixer.process(ctx);
  const mix = sink.read()!;
  assert.ok(Math.abs(mix.samples[0] - 0.5) < 1e-6);
  assert.ok(Math.abs(mix.samples[1] - 0.2) < 1e-6);
  assert.equal(mix.timestampNs, 7);
  assert.equal(mix.frameCount, 1);
});

Deno.test("AudioMixer.process() waits for every connected input by default", () => {
  const { mixer, sources, sink } = start({}, [0, 3]);
  sources[0].write(block([1, 1]));
  mixer.process(ctx);
  assert.equal(sink.read(), undefined);
  sources[1].write(block([1, 1]));
  mixer.process(ctx);
  assert.deepEqual([...sink.read()!.samples], [2, 2]);
});

Deno.test("AudioMixer.process() stops waiting for an input whose stream ended: the others' last blocks are mixed", () => {
  const { mixer, sources, sink } = start({}, [0, 2]);
  sources[0].write(block([1, 1]));
  sources[1].write(block([0.5, 0.5]));
  sources[1].write(block([0.25, 0.25])); // one block more than in_0 will have
  sources[0].endOfStream(true);
  mixer.process(ctx);
  assert.deepEqual([...sink.read()!.samples], [1.5, 1.5]);
  // in_0 has ended and is read empty: in_2's last block goes out alone, not held for ever.
  assert.deepEqual([...sink.read()!.samples], [0.25, 0.25]);
  assert.equal(sink.read(), undefined);
});

Deno.test("AudioMixer.process() with waitForAll false mixes whatever has arrived", () => {
  const { mixer, sources, sink } = start({ waitForAll: false }, [0, 1]);
  sources[1].write(block([0.25, 0.25]));
  sources[1].write(block([0.5, 0.5]));
  mixer.process(ctx);
  assert.deepEqual([...sink.read()!.samples], [0.25, 0.25]);
  assert.deepEqual([...sink.read()!.samples], [0.5, 0.5]);
});

Deno.test("AudioMixer.process() sums blocks of different lengths over the longest", () => {
  const { mixer, sources, sink } = start({}, [0, 1]);
  sources[0].write(block([1, 1, 1, 1]));
  sources[1].write(block([1, 1]));
  mixer.process(ctx);
  assert.deepEqual([...sink.read()!.samples], [2, 2, 1, 1]);
});

Deno.test("AudioMixer inputs are the array field and the generated accessors alike", () => {
  const ports = audioMixerNode.ports();
  const mixer = audioMixerNode.create({}, ports);
  assert.deepEqual(mixer.in, [
    mixer.inputs.in_0,
    mixer.inputs.in_1,
    mixer.inputs.in_2,
    mixer.inputs.in_3,
    mixer.inputs.in_4,
    mixer.inputs.in_5,
    mixer.inputs.in_6,
    mixer.inputs.in_7,
  ]);
  assert.equal(audioMixerNode.create({ gains: new Array(8).fill(0.5) }).config.gains.length, 8);
  assert.throws(() => audioMixerNode.create({ gains: new Array(9).fill(1) }), /at most 8 items/);
});

Deno.test("AudioMixer mixes all eight inputs, each with its own gain, and waits for all eight", () => {
  const inputs = [0, 1, 2, 3, 4, 5, 6, 7];
  const gains = inputs.map((i) => 1 + i); // 1 … 8
  const { mixer, sources, sink } = start({ gains }, inputs);
  for (const i of inputs.slice(0, 7)) sources[i].write(block([2 ** i / 1024, -(2 ** i) / 1024]));
  mixer.process(ctx);
  assert.equal(sink.read(), undefined); // in_7 has nothing yet
  sources[7].write(block([2 ** 7 / 1024, -(2 ** 7) / 1024]));
  mixer.process(ctx);
  // Each input a distinct power of two, so a missing or doubled input changes the sum.
  const expected = inputs.reduce((sum, i) => sum + gains[i] * 2 ** i, 0) / 1024;
  const mix = sink.read()!;
  assert.ok(Math.abs(mix.samples[0] - expected) < 1e-5, `${mix.samples[0]} vs ${expected}`);
  assert.ok(Math.abs(mix.samples[1] + expected) < 1e-5, `${mix.samples[1]} vs ${-expected}`);
  assert.equal(sink.read(), undefined);
});

Deno.test("AudioMixer mixes only the connected inputs, wherever they sit among the eight", () => {
  const { mixer, sources, sink } = start({}, [1, 4, 7]);
  sources[0].write(block([0.125, 0.125]));
  sources[1].write(block([0.25, 0.25]));
  mixer.process(ctx);
  assert.equal(sink.read(), undefined); // in_7 is connected and empty: waitForAll holds the mix
  sources[2].write(block([0.5, 0.5]));
  mixer.process(ctx);
  assert.deepEqual([...sink.read()!.samples], [0.875, 0.875]);
});

Deno.test("AudioMixer.configChanged() takes new gains in place, as rt.setConfig() applies them", () => {
  const { mixer, sources, sink } = start({ gains: [1, 1] }, [0, 1]);
  const config = processorInit(mixer)!.config as { gains: number[] };
  sources[0].write(block([0.5, 0.5]));
  sources[1].write(block([0.25, 0.25]));
  mixer.process(ctx);
  assert.deepEqual([...sink.read()!.samples], [0.75, 0.75]);
  config.gains = [0, 2];
  mixer.configChanged(["gains"]);
  sources[0].write(block([0.5, 0.5]));
  sources[1].write(block([0.25, 0.25]));
  mixer.process(ctx);
  assert.deepEqual([...sink.read()!.samples], [0.5, 0.5]);
});

/** A mixer whose reads and the sink's are owned by their own contexts, as under a runtime. */
function owned(config: unknown, inputs: number[], memory = new HeapMemorySource()) {
  const ports = audioMixerNode.ports();
  const mixer: Processor = audioMixerNode.create(config, ports);
  const mix = createProcessContext("mixer", { memory, ports });
  const reader = createProcessContext("sink", { memory });
  const writer = createProcessContext("source", { memory });
  const sources = inputs.map((i) => {
    const source = new OutputBinding<AudioFrame<2>>(`s${i}`, "AudioFrame<2>");
    connectLocal(source, ports.input(`in_${i}`), { capacity: 8, policy: "fifo" });
    return source;
  });
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  sink.owner = reader.frames;
  connectLocal(ports.output<AudioFrame<2>>("out"), sink, { capacity: 8, policy: "fifo" });
  mixer.setup(mix);
  /** Writes a block made by the source's context (reference counted), as a source would. */
  const write = (input: number, values: number[], frameNumber = 0) => {
    const frame = writer.frames.audio({
      channels: 2,
      sampleRate: 48_000,
      frameCount: values.length / 2,
    });
    if (frame === undefined) throw new Error("no memory for the test block");
    frame.samples.set(values);
    frame.frameNumber = frameNumber;
    sources[input].write(frame);
    writer.frames.flush();
    return frame;
  };
  const run = () => {
    mixer.process(mix);
    mix.frames.flush();
  };
  return { mixer, mix, reader, write, run, sink };
}

Deno.test("AudioMixer.process() mixes into the longest block in place when it holds it alone", () => {
  const { write, run, sink, reader } = owned({ gains: [0.5, 1] }, [0, 1]);
  write(0, [1, 1]);
  const long = write(1, [0.25, 0.25, 0.5, 0.5]);
  run();
  const mix = sink.read()!;
  assert.equal(mix, long, "the longest block itself went out");
  assert.deepEqual([...mix.samples], [0.75, 0.75, 0.5, 0.5]);
  reader.frames.flush();
  assert.equal(long.released, true, "the sink's reference was the last");
});

Deno.test("AudioMixer.process() loses no block when frame memory is exhausted: what it read goes back to its inputs and is mixed first later", () => {
  const memory = new HeapMemorySource({ budgetBytes: 3 * 8 }); // three 1-frame stereo blocks
  const { mixer, mix, write, run, sink, reader } = owned({}, [0, 1], memory);
  const a = write(0, [0.25, 0.25], 5);
  const b = write(1, [0.5, 0.5], 6);
  const hog = createProcessContext("hog", { memory });
  hog.frames.audio({ channels: 2, sampleRate: 48_000, frameCount: 1 }); // the last free block
  const other = mix.frames.keep(a); // a second reader of in_0's block: the mix must copy it
  run();
  assert.equal(sink.read(), undefined, "nothing mixed without memory");
  assert.equal(mix.frames.takeExhausted(), true, "the runtime would wait for memory");
  other.release();
  assert.equal(a.released, false, "back on its input for the next run");
  assert.equal(b.released, false, "back on its input for the next run");
  hog.frames.flush(); // memory frees
  run();
  const out = sink.read()!;
  assert.deepEqual([...out.samples], [0.75, 0.75]);
  assert.equal(out.frameNumber, 5, "from the first input");
  assert.equal(out, a, "given back alone, in_0's block is mixed into in place");
  assert.equal(b.released, true);
  reader.frames.flush();
  assert.equal(a.released, true);
  mixer.teardown();
});

Deno.test("AudioMixer in a runtime and in a Worker: two tones mixed, nothing leaks, no slot left in use", async () => {
  await using rig = workerRig();
  const { rt, backend } = rig;
  rt.add("TestToneGenerator", { frequency: 440, blockSize: 64 }, { id: "low" });
  rt.add("TestToneGenerator", { frequency: 660, blockSize: 64 }, { id: "high" });
  rt.add("AudioMixer", { gains: [1, 0.5] }, { id: "mix", placement: { worker: "dsp" } });
  rt.add("AudioMixer", {}, { id: "local_mix" });
  rt.add("AudioTap", {}, { id: "mixed" });
  rt.add("AudioTap", {}, { id: "local" });
  rt.connectByName("low", "audio", "mix", "in_0");
  rt.connectByName("high", "audio", "mix", "in_1");
  rt.connectByName("low", "audio", "local_mix", "in_0"); // fan-out: the blocks are shared
  rt.connectByName("high", "audio", "local_mix", "in_1");
  rt.connectByName("mix", "out", "mixed", "in");
  rt.connectByName("local_mix", "out", "local", "in");
  await rt.start();
  await until(() => tap("mixed").frameNumbers.length >= 20, "20 mixes from the Worker");
  await sleep(20);
  await rt.stop();
  assert.ok(tap("local").frameNumbers.length >= 20);
  assert.deepEqual(rt.frameLeaks(), []);
  assert.equal(backend.pool.stats().inUse, 0, "every pool slot is free again");
});
