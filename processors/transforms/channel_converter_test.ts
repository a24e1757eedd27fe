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
import { HeapMemorySource } from "../../core/frames/heap_memory.ts";
import type { OwnedAudioFrame } from "../../core/frames/owned_frame.ts";
import { sleep, until, workerRig } from "../../tests/fixtures/workers/harness.ts";
import { tap } from "../../tests/fixtures/workers/worker_nodes.ts";
import { channelConverterNode } from "./channel_converter.gen.ts";
import { createProcessContext } from "../../mod.ts";

const ctx: ProcessContext = createProcessContext("channels");

function start(config: unknown, connect: ("mono" | "stereo" | "out")[]) {
  const ports = channelConverterNode.ports();
  const converter = channelConverterNode.create(config, ports);
  const source = new OutputBinding<AudioFrame>("source", "AudioFrame");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  const sinks = Object.fromEntries(connect.map((name) => {
    const sink = new InputBinding<AudioFrame>(name, "AudioFrame");
    connectLocal(ports.output<AudioFrame>(name), sink, { capacity: 8, policy: "fifo" });
    return [name, sink];
  }));
  converter.setup(ctx);
  return { converter, source, sinks };
}

function block(channels: number, values: number[], frameNumber = 0): AudioFrame {
  const frame = createAudioFrame(channels, 44_100, values.length / channels);
  frame.samples.set(values);
  return { ...frame, frameNumber, timestampNs: 1000 * frameNumber };
}

Deno.test("ChannelConverter.process() writes mono, stereo and the configured count from stereo", () => {
  const { converter, source, sinks } = start({ channels: 3 }, ["mono", "stereo", "out"]);
  source.write(block(2, [1, 0, 0.5, -0.5, -1, 0.25], 7));
  converter.process(ctx);
  const mono = sinks.mono.read()!;
  assert.deepEqual([mono.channels, mono.frameCount], [1, 3]);
  assert.deepEqual(Array.from(mono.samples), [0.5, 0, -0.375]);
  const stereo = sinks.stereo.read()!;
  assert.deepEqual(Array.from(stereo.samples), [1, 0, 0.5, -0.5, -1, 0.25]);
  const out = sinks.out.read()!;
  assert.equal(out.channels, 3);
  assert.deepEqual(Array.from(out.samples), [1, 0, 1, 0.5, -0.5, 0.5, -1, 0.25, -1]);
  for (const frame of [mono, stereo, out]) {
    assert.deepEqual([frame.sampleRate, frame.frameNumber, frame.timestampNs], [44_100, 7, 7000]);
  }
});

Deno.test("ChannelConverter.process() duplicates mono to stereo and averages 5.1 to mono", () => {
  const { converter, source, sinks } = start({}, ["mono", "stereo"]);
  source.write(block(1, [0.25, -0.75]));
  source.write(block(6, [0.6, 0.6, 0, 0, 0, -0.6]));
  converter.process(ctx);
  assert.deepEqual(Array.from(sinks.stereo.read()!.samples), [0.25, 0.25, -0.75, -0.75]);
  assert.deepEqual(Array.from(sinks.mono.read()!.samples), [0.25, -0.75]);
  const fromSix = sinks.stereo.read()!.samples;
  assert.ok(Math.abs(fromSix[0] - 0.2) < 1e-6 && Math.abs(fromSix[1] - 0) < 1e-6);
  assert.ok(Math.abs(sinks.mono.read()!.samples[0] - 0.1) < 1e-6);
});

/** A converter whose reads, the source's writes and the sinks' reads each have their context. */
function owned(connect: ("mono" | "stereo" | "out")[], memory = new HeapMemorySource()) {
  const ports = channelConverterNode.ports();
  const converter = channelConverterNode.create({ channels: 2 }, ports);
  const run = createProcessContext("channels", { memory, ports });
  const writer = createProcessContext("source", { memory });
  const reader = createProcessContext("sinks", { memory });
  const source = new OutputBinding<AudioFrame>("source", "AudioFrame");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  const sinks = Object.fromEntries(connect.map((name) => {
    const sink = new InputBinding<AudioFrame>(name, "AudioFrame");
    sink.owner = reader.frames;
    connectLocal(ports.output<AudioFrame>(name), sink, { capacity: 8, policy: "fifo" });
    return [name, sink];
  }));
  converter.setup(run);
  const write = (channels: number, values: number[], frameNumber = 0) => {
    const frame = writer.frames.audio({
      channels,
      sampleRate: 44_100,
      frameCount: values.length / channels,
    })!;
    frame.samples.set(values);
    frame.frameNumber = frameNumber;
    source.write(frame);
    writer.frames.flush();
    return frame;
  };
  return { converter, run, reader, write, sinks };
}

Deno.test("ChannelConverter.process() passes a block on as it is where the channels match, and converts into new frames otherwise", () => {
  const { converter, run, reader, write, sinks } = owned(["mono", "stereo", "out"]);
  const input = write(2, [1, 0, 0.5, -0.5], 3);
  converter.process(run);
  run.frames.flush();
  const stereo = sinks.stereo.read()!;
  const out = sinks.out.read()!;
  const mono = sinks.mono.read()! as OwnedAudioFrame<1>;
  assert.equal(stereo, input, "stereo in, stereo out: shared, not copied");
  assert.equal(out, input);
  assert.notEqual(mono, input);
  assert.deepEqual([...mono.samples], [0.5, 0]);
  assert.equal(mono.frameNumber, 3);
  reader.frames.flush();
  assert.equal(input.released, true);
  assert.equal(mono.released, true);
});

Deno.test("ChannelConverter.process() keeps a block that finds no frame memory and converts it first later", () => {
  const memory = new HeapMemorySource({ budgetBytes: 32 });
  const { converter, run, reader, write, sinks } = owned(["stereo"], memory);
  const first = write(1, [0.25, -0.25], 0); // 8 bytes
  const second = write(1, [0.5, -0.5], 1); // 8 bytes
  const hog = createProcessContext("hog", { memory });
  hog.frames.audio({ channels: 2, sampleRate: 44_100, frameCount: 2 }); // the other 16
  converter.process(run);
  run.frames.flush();
  assert.equal(sinks.stereo.read(), undefined, "no memory for the stereo block");
  assert.equal(run.frames.takeExhausted(), true, "the runtime would wait for memory");
  assert.equal(first.released, false, "kept for the next run");
  hog.frames.flush(); // 16 bytes free
  converter.process(run);
  run.frames.flush();
  const out = sinks.stereo.read()!;
  assert.deepEqual([out.frameNumber, ...out.samples], [0, 0.25, 0.25, -0.25, -0.25]);
  assert.equal(first.released, true);
  assert.equal(sinks.stereo.read(), undefined, "the second waits for the sink to free memory");
  reader.frames.flush();
  converter.process(run);
  run.frames.flush();
  assert.deepEqual([...sinks.stereo.read()!.samples], [0.5, 0.5, -0.5, -0.5]);
  reader.frames.flush();
  assert.equal(second.released, true);
  converter.teardown();
});

Deno.test("ChannelConverter channels is bounded to 1..32", () => {
  assert.throws(
    () => channelConverterNode.create({ channels: 0 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "channels" &&
      e.issues[0].expected === "an integer from 1 to 32",
  );
});

Deno.test("ChannelConverter in a Worker: a mono tone's stereo and mono outputs come back in order, nothing leaks", async () => {
  await using rig = workerRig();
  const { rt, backend } = rig;
  rt.add("TestToneGenerator", { blockSize: 64 }, { id: "tone" });
  rt.add("ChannelConverter", {}, { id: "down", placement: { worker: "dsp" } });
  rt.add("ChannelConverter", {}, { id: "up", placement: { worker: "dsp" } });
  rt.add("AudioTap", {}, { id: "stereo" });
  rt.connectByName("tone", "audio", "down", "in");
  rt.connectByName("down", "mono", "up", "in");
  rt.connectByName("up", "stereo", "stereo", "in");
  await rt.start();
  await until(() => tap("stereo").frameNumbers.length >= 20, "20 blocks through the converters");
  await sleep(20);
  await rt.stop();
  const got = tap("stereo").frameNumbers;
  assert.deepEqual(got, Array.from({ length: got.length }, (_, i) => i));
  assert.deepEqual(rt.frameLeaks(), []);
  assert.equal(backend.pool.stats().inUse, 0, "every pool slot is free again");
});
