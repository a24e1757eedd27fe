/**
 * `rt.setConfig()`: live fields change in place (same node, same connections, same counters, no
 * frame lost); other fields are locked while the node runs, set the node up again while it is
 * paused, and wait for the next setup while it is stopped.
 */

import assert from "node:assert/strict";
import {
  ConfigLockedError,
  ConfigValidationError,
  defineNode,
  type InputPort,
  type InputRef,
  NodeNotFoundError,
  NotReconfigurableError,
  type OutputPort,
  type OutputRef,
  type PortTable,
  Processor,
  Runtime,
  type RuntimeEvent,
  type SetupContext,
  type TypesOf,
} from "../../mod.ts";
import { LocalIsolate } from "../../core/isolates/local/host.ts";
import { processorInit } from "../../core/processor/processor.ts";
import { FramePool } from "../../ffi/mod.ts";
import { NativeTransport } from "../../ffi/transport/native_transport.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";
import {
  collectorNode,
  counterNode,
  probe,
  resetProbes,
  type Seq,
  testRegistry,
} from "../fixtures/runtime/test_nodes.ts";

interface ScaleConfig {
  factor: number;
  offset: number;
}

type ScaleTypes = {
  inputs: { readonly in: InputPort<Seq> };
  outputs: { readonly out: OutputPort<Seq> };
  config: ScaleConfig;
  handle: {
    readonly name: string;
    readonly processor: string;
    readonly inputs: { readonly in: InputRef<Seq> };
    readonly outputs: { readonly out: OutputRef<Seq> };
  };
};

/** Writes `value * factor + offset`; the factor it uses is derived in setup and configChanged. */
class Scale extends Processor<ScaleTypes> {
  #id = "";
  #factor = 0;
  get config(): ScaleConfig {
    return processorInit(this)!.config as ScaleConfig;
  }
  override setup(ctx: SetupContext): void {
    this.#id = ctx.node;
    probe(this.#id).setups++;
    this.#factor = this.config.factor;
  }
  override teardown(): void {
    probe(this.#id).teardowns++;
  }
  override configChanged(changed: readonly string[]): void {
    probe(this.#id).log.push(`configChanged ${changed.join(",")}`);
    this.#factor = this.config.factor;
  }
  process(): void {
    let frame;
    while ((frame = this.inputs.in.read()) !== undefined) {
      this.outputs.out.write({ ...frame, value: frame.value * this.#factor + this.config.offset });
    }
  }
}

const scaleNode = defineNode<TypesOf<Scale>, Scale>({
  descriptor: {
    name: "Scale",
    description: "Scale, a test node.",
    tags: ["test"],
    mode: "push",
    inputs: [{
      name: "in",
      direction: "input",
      portType: "DataFrame<number>",
      required: false,
      description: "in",
    }],
    outputs: [{
      name: "out",
      direction: "output",
      portType: "DataFrame<number>",
      required: false,
      description: "out",
    }],
    config: {
      type: "object",
      properties: {
        factor: { type: "number", minimum: 0, default: 2, "x-live": true },
        offset: { type: "number", default: 0 },
      },
      additionalProperties: false,
    },
    source: "tests/runtime/set_config_test.ts",
  },
  processorClass: Scale,
  accessors: (ports: PortTable) =>
    ({
      inputs: { in: ports.input("in") },
      outputs: { out: ports.output("out") },
    }) as never,
});

/** src (counter) -> scale -> sink (collector), on fake time. */
function rig() {
  resetProbes();
  const time = new FakeTime();
  const rt = new Runtime({ registry: testRegistry.with([scaleNode]), clock: time, timers: time });
  rt.add(counterNode, {}, { id: "src" });
  rt.add(scaleNode, {}, { id: "scale" });
  rt.add(collectorNode, {}, { id: "sink" });
  const ids = [
    rt.connectByName("src", "out", "scale", "in").id,
    rt.connectByName("scale", "out", "sink", "in").id,
  ];
  const events: RuntimeEvent[] = [];
  rt.on((event) => events.push(event));
  const ticks = async (n: number) => {
    for (let i = 0; i < n; i++) await time.advance(1e6);
  };
  return { rt, ids, events, ticks, time };
}

/**
 * Checks that the sink got `f(i)` for every i from 0 to the number of frames the source wrote,
 * in order, switching once from `before` to `after` (no frame lost or duplicated), and returns
 * the index of the switch.
 */
function assertSwitch(
  rt: Runtime,
  before: (i: number) => number,
  after: (i: number) => number,
): number {
  const received = probe("sink").received;
  const sent = rt.stats().nodes.src.framesOut;
  assert.equal(received.length, sent, "every frame the source wrote reached the sink");
  const at = received.findIndex((v, i) => i > 0 && v !== before(i));
  assert.ok(at > 1 && at < received.length - 1, `the change shows mid-stream (at ${at})`);
  assert.deepEqual(received, received.map((_, i) => (i < at ? before(i) : after(i))));
  return at;
}

Deno.test("setConfig() changes a live field of a running node in place: same node, connections and counters, no frame lost", async () => {
  const { rt, ids, events, ticks } = rig();
  await rt.start();
  await ticks(10);
  const before = rt.stats().nodes.scale;
  const change = rt.setConfig("scale", { factor: 3 });
  assert.deepEqual(change, {
    node: "scale",
    config: { factor: 3, offset: 0 },
    changed: ["factor"],
    applied: "live",
  });
  await ticks(10);
  const after = rt.stats().nodes.scale;
  assert.ok(after.framesIn > before.framesIn && before.framesIn >= 9, "counters kept counting");
  await rt.stop();

  assertSwitch(rt, (i) => 2 * i, (i) => 3 * i);
  assert.equal(probe("scale").setups, 1, "never set up again");
  assert.deepEqual(probe("scale").log, ["configChanged factor"]);
  const graph = rt.describe();
  assert.deepEqual(graph.connections.map((c) => c.id), ids);
  assert.deepEqual(graph.nodes.find((n) => n.id === "scale")!.config, { factor: 3, offset: 0 });
  assert.equal(rt.stats().nodes.scale.framesIn, rt.stats().nodes.src.framesOut);
  for (const id of ids) assert.equal(rt.stats().connections[id].dropped, 0);
  const edits = events.filter((e) => e.type !== "node-state" && e.type !== "runtime-state");
  assert.deepEqual(edits.map((e) => e.type), ["node-config"]);
  assert.deepEqual(
    edits[0].type === "node-config" && [edits[0].node, edits[0].changed, edits[0].applied],
    ["scale", ["factor"], "live"],
  );
});

Deno.test("setConfig() refuses fields that are not live while the node runs, naming them and the live ones", async () => {
  const { rt, events, ticks } = rig();
  await rt.start();
  await ticks(3);
  const seen = events.length;
  for (const patch of [{ offset: 1 }, { factor: 4, offset: 1 }]) {
    assert.throws(
      () => rt.setConfig("scale", patch),
      (error: unknown) => {
        assert.ok(error instanceof ConfigLockedError);
        assert.deepEqual([error.node, error.state, error.fields, error.live], [
          "scale",
          "running",
          ["offset"],
          ["factor"],
        ]);
        assert.match(error.message, /Cannot change 'offset' of node 'scale' while it is running/);
        assert.match(error.message, /live fields are factor; pause or stop/);
        return true;
      },
    );
  }
  assert.deepEqual(rt.describe().nodes.find((n) => n.id === "scale")!.config, {
    factor: 2,
    offset: 0,
  });
  assert.equal(events.length, seen, "no event for a refused change");
  await rt.stop();
  assert.deepEqual(probe("scale").log, [], "the processor heard nothing");
});

Deno.test("setConfig() on a paused node sets that node alone up again with a locked field, keeping its connections and queued frames", async () => {
  const { rt, ids, events, ticks, time } = rig();
  await rt.start();
  await ticks(10);
  // The source writes, and the graph pauses before the scale reads it.
  time.jump(1e6);
  time.fireDue();
  await rt.pause();
  assert.equal(rt.stats().connections[ids[0]].queued, 1, "a frame waits in the scale's input");
  const from = events.length;
  const change = rt.setConfig("scale", { offset: 1 });
  assert.equal(change.applied, "setup");
  await rt.settled();
  assert.deepEqual([probe("scale").setups, probe("scale").teardowns], [2, 1]);
  assert.deepEqual([probe("src").setups, probe("sink").setups], [1, 1], "the others untouched");
  const states = events.slice(from).filter((e) => e.type === "node-state" && e.node === "scale")
    .map((e) => e.type === "node-state" && e.to);
  assert.deepEqual(states, ["stopping", "starting", "paused"]);
  assert.equal(rt.describe().nodes.find((n) => n.id === "scale")!.state, "paused");
  assert.equal(rt.stats().connections[ids[0]].queued, 1, "and still waits after the new setup");
  await rt.resume();
  await ticks(10);
  await rt.stop();
  const at = assertSwitch(rt, (i) => 2 * i, (i) => 2 * i + 1);
  assert.equal(at, 11, "the queued frame was read after the change, with the new offset");
  assert.deepEqual(rt.describe().connections.map((c) => c.id), ids);
  assert.deepEqual(probe("scale").log, [], "a locked field is not a live change");
});

Deno.test("setConfig() on a stopped node stores the config for its next setup", async () => {
  const { rt, ticks } = rig();
  const change = rt.setConfig("scale", { factor: 5, offset: 2 });
  assert.deepEqual([change.changed, change.applied], [["factor", "offset"], "stored"]);
  assert.equal(probe("scale").setups, 0);
  await rt.start();
  await ticks(5);
  await rt.stop();
  const received = probe("sink").received;
  assert.ok(received.length >= 4);
  assert.deepEqual(received, received.map((_, i) => 5 * i + 2));
  assert.deepEqual(probe("scale").log, [], "configChanged is only for set-up nodes");
});

Deno.test("setConfig() validates the merged config and the patch, and finds the node, before changing anything", async () => {
  const { rt, events } = rig();
  await rt.start();
  assert.throws(
    () => rt.setConfig("scale", { factor: -1 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "factor" &&
      /config field 'factor' must be a number at least 0, got -1/.test(e.message),
  );
  assert.throws(
    () => rt.setConfig("scale", { gain: 1 }),
    (e: unknown) => e instanceof ConfigValidationError && e.issues[0].field === "gain",
  );
  assert.throws(() => rt.setConfig("scale", [] as never), ConfigValidationError);
  assert.throws(
    () => rt.setConfig("scael", { factor: 1 }),
    (e: unknown) => e instanceof NodeNotFoundError && e.available.includes("scale"),
  );
  const seen = events.length;
  const same = rt.setConfig("scale", { factor: 2 });
  assert.deepEqual([same.changed, same.applied], [[], "none"]);
  assert.equal(events.length, seen, "no event when nothing changed");
  await rt.stop();
});

Deno.test("setConfig() refuses nodes whose host cannot change a config in place", () => {
  using pool = FramePool.create({ slotBytes: 4096, slotCount: 4 });
  const transport = new NativeTransport({ pool });
  const fixed = new LocalIsolate({ isolate: "worker:fixed", transport });
  Object.defineProperty(fixed, "configureNode", { value: undefined });
  const rt = new Runtime({ registry: testRegistry, isolates: { transport, workers: { fixed } } });
  rt.add(scaleNode, {}, { id: "scale", placement: { worker: "fixed" } });
  assert.throws(
    () => rt.setConfig("scale", { factor: 3 }),
    (e: unknown) =>
      e instanceof NotReconfigurableError && e.node === "scale" && e.isolate === "worker:fixed",
  );
  assert.deepEqual(rt.describe().nodes[0].config, { factor: 2, offset: 0 });
});
