import assert from "node:assert/strict";
import {
  type AudioFrame,
  ConfigValidationError,
  connectLocal,
  createAudioFrame,
  InputBinding,
  monotonicClock,
  OutputBinding,
  type ProcessContext,
  READER_KEEPS,
} from "../mod.ts";
import { channelConverterNode } from "./channel_converter.gen.ts";

const ctx: ProcessContext = { node: "channels", clock: monotonicClock };

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

Deno.test("ChannelConverter.process() reuses capacity + READER_KEEPS + 1 blocks per output; channels is bounded to 1..32", () => {
  const { converter, source, sinks } = start({}, ["stereo"]);
  const seen = new Set<Float32Array>();
  for (let i = 0; i < 40; i++) {
    source.write(block(1, [i / 40, 0]));
    converter.process(ctx);
    seen.add(sinks.stereo.read()!.samples);
  }
  assert.equal(seen.size, 8 + READER_KEEPS + 1); // the sink's connection holds 8
  assert.throws(
    () => channelConverterNode.create({ channels: 0 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "channels" &&
      e.issues[0].expected === "an integer from 1 to 32",
  );
});
