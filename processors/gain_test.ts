import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  InputBinding,
  monotonicClock,
  OutputBinding,
  type ProcessContext,
  type Processor,
} from "../mod.ts";
import { gainNode } from "./gain.gen.ts";

const ctx: ProcessContext = { node: "gain", clock: monotonicClock };

function start(gain: number) {
  const ports = gainNode.ports();
  const processor: Processor = gainNode.create({ gain }, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  const out = connectLocal(ports.output<AudioFrame<2>>("out"), sink, {
    capacity: 8,
    policy: "fifo",
  });
  processor.setup(ctx);
  return { processor, source, sink, out };
}

function block(values: number[], frameNumber: number): AudioFrame<2> {
  const frame = createAudioFrame(2, 44_100, values.length / 2);
  frame.samples.set(values);
  return { ...frame, frameNumber, timestampNs: frameNumber * 1000 };
}

Deno.test("Gain.process() scales every waiting block in order and keeps its metadata", () => {
  const { processor, source, sink } = start(0.5);
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
});

Deno.test("Gain.process() leaves the input block untouched", () => {
  const { processor, source, sink } = start(3);
  const input = block([1, 1], 0);
  source.write(input);
  processor.process(ctx);
  assert.deepEqual([...input.samples], [1, 1]);
  assert.deepEqual([...sink.read()!.samples], [3, 3]);
});

Deno.test("Gain.process() with an unconnected output drains its input without error", () => {
  const ports = gainNode.ports();
  const processor: Processor = gainNode.create({}, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const conn = connectLocal(source, ports.input("in"));
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
