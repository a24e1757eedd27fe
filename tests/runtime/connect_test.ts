import assert from "node:assert/strict";
import {
  ConfigValidationError,
  NodeNotFoundError,
  PortNotFoundError,
  PortTypeMismatchError,
  ProcessorNotFoundError,
  Runtime,
} from "../../mod.ts";
import {
  ConnectionNotFoundError,
  CycleError,
  DestinationOccupiedError,
  InvalidNodeIdError,
  PortDirectionError,
} from "../../core/graph/errors.ts";
import {
  AudioMixer,
  builtinRegistry,
  Gain,
  NullSink,
  TestToneGenerator,
} from "../../processors/mod.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";
import {
  collectorNode,
  counterNode,
  probe,
  relayNode,
  resetProbes,
  testRegistry,
} from "../fixtures/runtime/test_nodes.ts";

function setup() {
  resetProbes();
  const time = new FakeTime();
  const registry = testRegistry.with(builtinRegistry);
  return { rt: new Runtime({ registry, clock: time, timers: time }), time };
}

Deno.test("Runtime.add() returns typed handles with snake_case ids, or the id given", () => {
  const { rt } = setup();
  const tone = rt.add(TestToneGenerator, { frequency: 440, amplitude: 0.3 });
  const mix = rt.add(AudioMixer, {}, { id: "mix" });
  const mix2 = rt.add("AudioMixer");
  assert.equal(tone.name, "test_tone_generator_1");
  assert.equal(mix.name, "mix");
  assert.equal(mix2.name, "audio_mixer_1");
  assert.equal(tone.outputs.audio.portType, "AudioFrame<2>");
  assert.deepEqual(rt.node("mix").inputs.in_3, mix.inputs.in_3);
  const c = rt.connect(tone.outputs.audio, mix.inputs.in_0);
  assert.deepEqual(c, {
    id: "conn_1",
    from: "test_tone_generator_1.audio",
    to: "mix.in_0",
    capacity: 8,
    policy: "fifo",
  });
});

Deno.test("Runtime.connect() with mismatched frame types does not compile and throws", () => {
  const { rt } = setup();
  const counter = rt.add(counterNode);
  const gain = rt.add(Gain);
  const sink = rt.add(NullSink);
  rt.connect(counter.outputs.out, sink.inputs.in); // DataFrame into Frame: fine
  assert.throws(
    // @ts-expect-error DataFrame<number> into AudioFrame<2>
    () => rt.connect(counter.outputs.out, gain.inputs.in),
    (e) =>
      e instanceof PortTypeMismatchError && e.outputType === "DataFrame<number>" &&
      e.inputType === "AudioFrame<2>",
  );
  assert.throws(
    // @ts-expect-error an input where an output belongs
    () => rt.connect(gain.inputs.in, sink.inputs.in),
    (e) => e instanceof PortDirectionError && e.port === "gain_1.in",
  );
});

Deno.test("Runtime string layer reports unknown processors, nodes, ports and bad config", () => {
  const { rt } = setup();
  assert.throws(
    () => rt.add("AudioMixr"),
    (e) => e instanceof ProcessorNotFoundError && e.available.includes("AudioMixer"),
  );
  assert.throws(
    () => rt.add("TestToneGenerator", { frequency: 99_999 }),
    (e) => e instanceof ConfigValidationError && e.issues[0].field === "frequency",
  );
  assert.equal(rt.describe().nodes.length, 0, "a refused add leaves no node behind");
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("Gain", {}, { id: "gain" });
  assert.throws(() => rt.add("Gain", {}, { id: "gain" }), InvalidNodeIdError);
  assert.throws(
    () => rt.connectByName("tone", "audo", "gain", "in"),
    (e) =>
      e instanceof PortNotFoundError &&
      e.message ===
        "Cannot find output 'audo' on 'tone': did you mean audio? available outputs: audio",
  );
  assert.throws(() => rt.connectByName("tone", "audio", "gian", "in"), NodeNotFoundError);
  assert.throws(
    () => rt.connectByName("gain", "in", "tone", "audio"),
    /Cannot connect from 'gain.in': it is an input, expected an output/,
  );
  assert.throws(() => rt.node("nope"), /Cannot find node 'nope': no node has this id/);
});

Deno.test("Runtime.connect() into an occupied input names the existing connection", () => {
  const { rt } = setup();
  const a = rt.add(TestToneGenerator);
  const b = rt.add(TestToneGenerator);
  const gain = rt.add(Gain);
  const first = rt.connect(a.outputs.audio, gain.inputs.in);
  assert.throws(
    () => rt.connect(b.outputs.audio, gain.inputs.in),
    (e) => e instanceof DestinationOccupiedError && e.existing === first.id,
  );
});

Deno.test("Runtime.connect() refuses a cycle with its path", () => {
  const { rt } = setup();
  const a = rt.add(relayNode, {}, { id: "a" });
  const b = rt.add(relayNode, {}, { id: "b" });
  rt.connect(a.outputs.out, b.inputs.in);
  assert.throws(
    () => rt.connect(b.outputs.out, a.inputs.in),
    (e) => e instanceof CycleError && e.path.join(" -> ") === "b.out -> a.in -> a.out -> b.in",
  );
});

Deno.test("Runtime.disconnect() twice and connecting a removed node are typed errors", () => {
  const { rt } = setup();
  const src = rt.add(counterNode, {}, { id: "src" });
  const sink = rt.add(collectorNode, {}, { id: "sink" });
  const c = rt.connect(src.outputs.out, sink.inputs.in);
  rt.disconnect(c.id);
  assert.throws(
    () => rt.disconnect(c.id),
    (e) => e instanceof ConnectionNotFoundError && e.disconnected,
  );
  rt.remove("sink");
  assert.throws(
    () => rt.connect(src.outputs.out, sink.inputs.in),
    (e) => e instanceof NodeNotFoundError && e.removed && e.node === "sink",
  );
  assert.throws(() => rt.remove("sink"), /Cannot find node 'sink': it was removed/);
});

Deno.test("Runtime fans an output out to every connection, each with its own buffer", async () => {
  const { rt, time } = setup();
  const src = rt.add(counterNode, {}, { id: "src" });
  const fast = rt.add(collectorNode, {}, { id: "fast" });
  const newest = rt.add(collectorNode, { latest: true }, { id: "newest" });
  rt.connect(src.outputs.out, fast.inputs.in, { capacity: 16, policy: "fifo" });
  rt.connect(src.outputs.out, newest.inputs.in, { capacity: 2, policy: "latest" });
  await rt.start();
  await time.advance(4e6);
  await rt.stop();
  assert.deepEqual(probe("fast").received, [0, 1, 2, 3, 4]);
  assert.deepEqual(probe("newest").received, [0, 1, 2, 3, 4]);
  const described = rt.describe().nodes.find((n) => n.id === "src")!;
  assert.deepEqual(described.outputs[0].connections, ["conn_1", "conn_2"]);
});

/**
 * A reader that stalls without failing: an async relay whose first `process()` awaits a gate
 * that opens only when the test says, reading nothing meanwhile. (A reader that fails does not
 * stall its connection: it discards, see `failed_branch_test.ts`.)
 */
function stalledRelay(rt: Runtime, id: string) {
  const node = rt.add(relayNode, { async: true }, { id });
  let open!: () => void;
  probe(id).gate = new Promise<void>((resolve) => open = resolve);
  return { node, open };
}

Deno.test("Runtime latest connections roll off the oldest when their reader stalls", async () => {
  const { rt, time } = setup();
  const src = rt.add(counterNode, {}, { id: "src" });
  // The reader's first run waits and reads nothing: frames pile up behind it.
  const a = stalledRelay(rt, "a");
  rt.connect(src.outputs.out, a.node.inputs.in, { capacity: 2, policy: "latest" });
  await rt.start();
  await time.advance(9e6);
  const { conn_1: latest } = rt.stats().connections;
  assert.deepEqual(
    [latest.written, latest.queued, latest.dropped, latest.fullRejections],
    [10, 2, 8, 0],
  );
  assert.equal(rt.stats().nodes.src.blockedRuns, 0);
  a.open();
  await rt.stop();
});

Deno.test("Runtime fifo connections hold their writer back when the reader stalls: nothing lost", async () => {
  const { rt, time } = setup();
  const src = rt.add(counterNode, {}, { id: "src" });
  const a = stalledRelay(rt, "a");
  const b = rt.add(collectorNode, {}, { id: "b" });
  rt.connect(src.outputs.out, a.node.inputs.in, { capacity: 2, policy: "fifo" });
  rt.connect(src.outputs.out, b.inputs.in, { capacity: 2, policy: "latest" });
  await rt.start();
  await time.advance(9e6);
  const { conn_1: fifo, conn_2: latest } = rt.stats().connections;
  // The source wrote 2 frames, then skipped its 8 other deadlines (a loop node waits by
  // skipping): no frame was refused or dropped, and the fan-out's other branch saw the same 2.
  assert.deepEqual([fifo.written, fifo.queued, fifo.dropped, fifo.fullRejections], [2, 2, 0, 0]);
  assert.deepEqual([latest.written, latest.dropped], [2, 0]);
  assert.equal(rt.stats().nodes.src.blockedRuns, 8);
  assert.deepEqual(probe("b").received, [0, 1]);
  a.open();
  await rt.stop();
});

Deno.test("Runtime writes to an unconnected output are a no-op", async () => {
  const { rt, time } = setup();
  rt.add(counterNode, {}, { id: "src" });
  await rt.start();
  await time.advance(2e6);
  await rt.stop();
  const stats = rt.stats().nodes.src;
  assert.equal(stats.calls, 3);
  assert.equal(stats.framesOut, 3);
  assert.equal(stats.errors, 0);
});
