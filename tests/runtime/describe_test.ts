import assert from "node:assert/strict";
import { Runtime } from "../../mod.ts";
import { AudioMixer, builtinRegistry, NullSink, TestToneGenerator } from "../../processors/mod.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";

async function pipeline() {
  const time = new FakeTime();
  const rt = new Runtime({ registry: builtinRegistry, clock: time, timers: time });
  const tone = rt.add(TestToneGenerator, { frequency: 440, amplitude: 0.3 }, { id: "tone" });
  const mix = rt.add(AudioMixer, { gains: [0.5] }, { id: "mix", onError: "restart" });
  const sink = rt.add(NullSink, {}, { id: "sink" });
  rt.connect(tone.outputs.audio, mix.inputs.in_0);
  rt.connect(mix.outputs.out, sink.inputs.in, { capacity: 4, policy: "latest" });
  await rt.start();
  await time.advance(50e6);
  return { rt, time };
}

Deno.test("Runtime.describe() returns the whole graph as plain JSON", async () => {
  const { rt } = await pipeline();
  const graph = rt.describe();
  assert.deepEqual(JSON.parse(JSON.stringify(graph)), graph);
  assert.equal(graph.state, "running");
  assert.deepEqual(graph.isolates, { main: ["tone", "mix", "sink"] });
  const mix = graph.nodes[1];
  assert.deepEqual(
    { ...mix, stats: undefined },
    {
      id: "mix",
      type: "AudioMixer",
      mode: "push",
      state: "running",
      placement: "main",
      isolate: "main",
      onError: "restart",
      maxRestarts: 3,
      config: { gains: [0.5], waitForAll: true },
      inputs: [
        { name: "in_0", portType: "AudioFrame<2>", connection: "conn_1" },
        { name: "in_1", portType: "AudioFrame<2>", connection: null },
        { name: "in_2", portType: "AudioFrame<2>", connection: null },
        { name: "in_3", portType: "AudioFrame<2>", connection: null },
        { name: "in_4", portType: "AudioFrame<2>", connection: null },
        { name: "in_5", portType: "AudioFrame<2>", connection: null },
        { name: "in_6", portType: "AudioFrame<2>", connection: null },
        { name: "in_7", portType: "AudioFrame<2>", connection: null },
      ],
      outputs: [{ name: "out", portType: "AudioFrame<2>", connections: ["conn_2"] }],
      failure: null,
      stats: undefined,
    },
  );
  assert.deepEqual(graph.connections[1], {
    id: "conn_2",
    from: "mix.out",
    to: "sink.in",
    capacity: 4,
    policy: "latest",
    fromType: "AudioFrame<2>",
    toType: "Frame",
    crossIsolate: false,
    stats: {
      capacity: 4,
      queued: 0,
      written: 6,
      read: 6,
      dropped: 0,
      fullRejections: 0,
      discarded: 0,
      policy: "latest",
    },
  });
  await rt.stop();
});

Deno.test("Runtime.stats() counts calls, frames and process-time percentiles per node", async () => {
  const { rt } = await pipeline();
  const stats = rt.stats();
  assert.deepEqual(JSON.parse(JSON.stringify(stats)), stats);
  const { tone, mix, sink } = stats.nodes;
  assert.deepEqual([tone.calls, tone.framesIn, tone.framesOut], [6, 0, 6]);
  assert.deepEqual([mix.calls, mix.framesIn, mix.framesOut], [6, 6, 6]);
  assert.deepEqual([sink.calls, sink.framesIn, sink.framesOut], [6, 6, 0]);
  assert.deepEqual([tone.framesRefused, tone.framesRefusedByOutput], [0, { audio: 0 }]);
  assert.deepEqual(sink.framesRefusedByOutput, {}, "a node without outputs lists none");
  assert.equal(tone.state, "running");
  assert.equal(mix.processTime.count, 6);
  assert.ok(mix.processTime.p50Ns <= mix.processTime.p99Ns);
  assert.ok(mix.processTime.p99Ns <= mix.processTime.maxNs);
  assert.deepEqual(stats.connections.conn_1, {
    capacity: 8,
    queued: 0,
    written: 6,
    read: 6,
    dropped: 0,
    fullRejections: 0,
    discarded: 0,
    policy: "fifo",
  });
  await rt.stop();
});
