import assert from "node:assert/strict";
import { PortTypeMismatchError } from "./connect.ts";
import { Graph, GRAPH_JOURNAL_LENGTH } from "./graph.ts";
import { gainNode } from "../../processors/transforms/gain.gen.ts";
import { MAX_NODE_ID_LENGTH, snakeCase } from "./node_id.ts";
import {
  ConnectionNotFoundError,
  ConnectionOptionsError,
  CycleError,
  DestinationOccupiedError,
  InvalidNodeIdError,
  NodeNotFoundError,
  PortDirectionError,
} from "./errors.ts";
import { PortNotFoundError } from "../ports/port_table.ts";
import type { ProcessorDescriptor } from "../schema/descriptor.ts";

function descriptor(name: string, inputs: string[], outputs: string[]): ProcessorDescriptor {
  const port = (direction: "input" | "output") => (spec: string) => {
    const [portName, portType] = spec.split(":");
    return { name: portName, direction, portType, required: false, description: "" };
  };
  return {
    name,
    description: "",
    tags: [],
    mode: "push",
    inputs: inputs.map(port("input")),
    outputs: outputs.map(port("output")),
    config: { type: "object" },
    source: `${name}.ts`,
  };
}

const filter = descriptor("AudioFilter", ["in:AudioFrame<2>"], ["out:AudioFrame<2>"]);
const camera = descriptor("Camera", [], ["video:VideoFrame"]);
const sink = descriptor("AnySink", ["in:Frame"], []);

function graph(...nodes: [string, ProcessorDescriptor][]): Graph {
  const g = new Graph();
  for (const [id, d] of nodes) g.addNode({ id, descriptor: d });
  return g;
}

Deno.test("snakeCase() turns processor names into id stems", () => {
  assert.equal(snakeCase("AudioMixer"), "audio_mixer");
  assert.equal(snakeCase("Y4mWriter"), "y4m_writer");
  assert.equal(snakeCase("HTTPSource"), "http_source");
});

Deno.test("Graph.newNodeId() counts per processor and skips ids that are taken", () => {
  const g = graph(["audio_filter_2", filter]);
  assert.equal(g.newNodeId("AudioFilter"), "audio_filter_1");
  g.addNode({ id: "audio_filter_1", descriptor: filter });
  assert.equal(g.newNodeId("AudioFilter"), "audio_filter_3");
  assert.equal(g.newNodeId("Camera"), "camera_1");
});

Deno.test("Graph.addNode() refuses taken and malformed ids", () => {
  const g = graph(["a", filter]);
  assert.throws(
    () => g.addNode({ id: "a", descriptor: filter }),
    (e) =>
      e instanceof InvalidNodeIdError && e.reason === "taken" &&
      /'a': the id is taken/.test(e.message),
  );
  for (const id of ["", "a.b", "1x", "a b"]) {
    assert.throws(() => g.addNode({ id, descriptor: filter }), /an id is a letter or '_'/);
  }
});

Deno.test("Graph.connect() applies the frame type's default capacity and policy", () => {
  const g = graph(["cam", camera], ["f", filter], ["g", filter], ["s", sink], ["t", sink]);
  assert.deepEqual(pick(g.connect("cam", "video", "s", "in")), ["latest", 3]);
  assert.deepEqual(pick(g.connect("f", "out", "g", "in")), ["fifo", 8]);
  assert.deepEqual(pick(g.connect("g", "out", "t", "in", { capacity: 2, policy: "latest" })), [
    "latest",
    2,
  ]);
  assert.deepEqual(g.connections.map((c) => c.id), ["conn_1", "conn_2", "conn_3"]);
});

function pick(c: { policy: string; capacity: number }) {
  return [c.policy, c.capacity];
}

Deno.test("Graph.check() names unknown nodes, unknown ports and wrong directions", () => {
  const g = graph(["f", filter], ["s", sink]);
  assert.throws(
    () => g.check("nope", "out", "s", "in"),
    (e) => e instanceof NodeNotFoundError && e.node === "nope" && e.available.join() === "f,s",
  );
  assert.throws(
    () => g.check("f", "outt", "s", "in"),
    (e) =>
      e instanceof PortNotFoundError && e.direction === "output" &&
      e.message === "Cannot find output 'outt' on 'f': did you mean out? available outputs: out",
  );
  assert.throws(
    () => g.check("f", "in", "s", "in"),
    (e) => e instanceof PortDirectionError && e.port === "f.in" && e.expected === "output",
  );
  assert.throws(
    () => g.check("f", "out", "f", "out"),
    /Cannot connect to 'f.out': it is an output, expected an input/,
  );
});

Deno.test("Graph.check() refuses mismatched types naming both", () => {
  const g = graph(["cam", camera], ["f", filter]);
  assert.throws(
    () => g.check("cam", "video", "f", "in"),
    (e) =>
      e instanceof PortTypeMismatchError && e.outputType === "VideoFrame" &&
      e.inputType === "AudioFrame<2>",
  );
});

Deno.test("Graph.check() refuses a second connection into an input, naming the first", () => {
  const g = graph(["f", filter], ["g", filter], ["s", sink]);
  g.connect("f", "out", "s", "in");
  assert.throws(
    () => g.check("g", "out", "s", "in"),
    (e) =>
      e instanceof DestinationOccupiedError && e.existing === "conn_1" &&
      e.existingFrom === "f.out" && /already has connection 'conn_1' from 'f.out'/.test(e.message),
  );
});

Deno.test("Graph.check() refuses a cycle and reports its path", () => {
  const g = graph(["a", filter], ["b", filter], ["c", filter]);
  g.connect("a", "out", "b", "in");
  g.connect("b", "out", "c", "in");
  assert.throws(
    () => g.check("c", "out", "a", "in"),
    (e) =>
      e instanceof CycleError &&
      e.path.join(" ") === "c.out a.in a.out b.in b.out c.in" &&
      e.message.endsWith("it would close a cycle: c.out -> a.in -> a.out -> b.in -> b.out -> c.in"),
  );
  assert.throws(() => graph(["a", filter]).check("a", "out", "a", "in"), CycleError);
});

Deno.test("Graph.check() refuses invalid capacities and policies", () => {
  const g = graph(["f", filter], ["s", sink]);
  for (const options of [{ capacity: 0 }, { capacity: 1.5 }, { policy: "lifo" as never }]) {
    assert.throws(() => g.check("f", "out", "s", "in", options), ConnectionOptionsError);
  }
});

Deno.test("Graph.disconnect() twice says the connection was already disconnected", () => {
  const g = graph(["f", filter], ["s", sink]);
  const c = g.connect("f", "out", "s", "in");
  g.disconnect(c.id);
  assert.throws(
    () => g.disconnect(c.id),
    (e) =>
      e instanceof ConnectionNotFoundError && e.disconnected &&
      /already disconnected/.test(e.message),
  );
  assert.throws(() => g.disconnect("conn_9"), /no connection has this id/);
  g.connect("f", "out", "s", "in"); // the input is free again
});

Deno.test("Graph.removeNode() removes its connections and later lookups say it was removed", () => {
  const g = graph(["f", filter], ["g", filter], ["s", sink]);
  g.connect("f", "out", "g", "in");
  g.connect("g", "out", "s", "in");
  const { connections } = g.removeNode("g");
  assert.deepEqual(connections.map((c) => c.id), ["conn_1", "conn_2"]);
  assert.deepEqual(g.connections, []);
  assert.throws(
    () => g.check("g", "out", "s", "in"),
    (e) => e instanceof NodeNotFoundError && e.removed && /it was removed/.test(e.message),
  );
});

Deno.test("Graph.touchedSince() names the nodes each edit touched, and forgets past its journal", () => {
  const graph = new Graph();
  for (const id of ["a", "b", "c"]) graph.addNode({ id, descriptor: gainNode.descriptor });
  const before = graph.revision;
  const c = graph.connect("a", "out", "b", "in");
  assert.deepEqual([...graph.touchedSince(before)!].sort(), ["a", "b"]);
  const later = graph.revision;
  graph.disconnect(c.id);
  graph.removeNode("c");
  assert.deepEqual([...graph.touchedSince(later)!].sort(), ["a", "b", "c"]);
  assert.deepEqual([...graph.touchedSince(graph.revision)!], []);
  for (let i = 0; i < 3 * GRAPH_JOURNAL_LENGTH; i++) {
    graph.disconnect(graph.connect("a", "out", "b", "in").id);
  }
  assert.equal(graph.touchedSince(later), undefined, "too old: read everything again");
});

Deno.test("Graph.connect() checks for a cycle along a 20,000-node chain without walking it per edge", () => {
  const graph = new Graph();
  const n = 20_000;
  for (let i = 0; i < n; i++) graph.addNode({ id: `g${i}`, descriptor: gainNode.descriptor });
  for (let i = 1; i < n; i++) graph.connect(`g${i - 1}`, "out", `g${i}`, "in");
  assert.equal(graph.outgoing("g0").length, 1);
  assert.equal(graph.incoming(`g${n - 1}`).length, 1);
  try {
    graph.connect(`g${n - 1}`, "out", "g0", "in");
    assert.fail("a cycle was made");
  } catch (error) {
    assert.ok(error instanceof CycleError);
    assert.equal(error.path.length, 2 * n);
  }
});

Deno.test("Graph.checkNodeId() refuses an id over MAX_NODE_ID_LENGTH and quotes only its start", () => {
  const graph = new Graph();
  graph.checkNodeId("a".repeat(MAX_NODE_ID_LENGTH));
  try {
    graph.checkNodeId("a".repeat(100_000));
    assert.fail("accepted");
  } catch (error) {
    assert.ok(error instanceof InvalidNodeIdError);
    assert.equal(error.code, "invalid_node_id");
    assert.equal(error.reason, "too_long");
    assert.match(error.message, /100000 characters long, the limit is 64/);
    assert.ok(error.message.length < 200, error.message);
    assert.ok(JSON.stringify(error.details).length < 200);
  }
});

Deno.test("Graph errors quote at most an excerpt of a 1 MB id, in the message and the details", () => {
  const graph = new Graph();
  const huge = "x".repeat(1_000_000);
  for (
    const edit of [
      () => graph.node(huge),
      () => graph.removeNode(huge),
      () => graph.disconnect(huge),
      () => graph.connect(huge, "out", huge, "in"),
    ]
  ) {
    try {
      edit();
      assert.fail("accepted");
    } catch (error) {
      const e = error as Error & { details?: unknown };
      assert.ok(e.message.length < 300, e.message.slice(0, 200));
      assert.ok(JSON.stringify(e.details ?? {}).length < 300);
    }
  }
});
