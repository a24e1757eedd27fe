import assert from "node:assert/strict";
import { addDemoPipeline } from "../../examples/demo_pipeline.ts";
import { createRuntime } from "../../processors/mod.ts";
import { layoutGraph } from "./layout.ts";
import { NODE_WIDTH, portAnchor } from "../shared/geometry.ts";

Deno.test("layoutGraph() places sources left of what they feed, without overlaps, edges port to port", async () => {
  const rt = createRuntime();
  addDemoPipeline(rt);
  const graph = rt.describe();
  const layout = await layoutGraph(graph);
  for (const c of graph.connections) {
    const [from, to] = [c.from.split(".")[0], c.to.split(".")[0]];
    assert.ok(layout.nodes[from].x + NODE_WIDTH <= layout.nodes[to].x, `${c.from} -> ${c.to}`);
    const points = layout.edges[c.id];
    const toNode = graph.nodes.find((n) => n.id === to)!;
    const index = toNode.inputs.findIndex((p) => p.name === c.to.split(".")[1]);
    const anchor = portAnchor("input", index);
    assert.deepEqual(points.at(-1), {
      x: layout.nodes[to].x + anchor.x,
      y: layout.nodes[to].y + anchor.y,
    });
  }
  const boxes = Object.values(layout.nodes);
  for (const a of boxes) {
    for (const b of boxes) {
      if (a === b) continue;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y ||
        b.y + b.height <= a.y;
      assert.ok(apart, "boxes do not overlap");
    }
  }
  assert.ok(layout.width > 0 && layout.height > 0);
});

Deno.test("layoutGraph() lays out an empty graph", async () => {
  const layout = await layoutGraph({ state: "stopped", nodes: [], connections: [], isolates: {} });
  assert.deepEqual(layout.nodes, {});
});

Deno.test("layoutGraph() keeps every placed node where it was when a node is added or removed", async () => {
  const rt = createRuntime();
  addDemoPipeline(rt);
  const before = await layoutGraph(rt.describe());
  rt.add("NullSink", {}, { id: "extra" });
  rt.connectByName("scale", "out", "extra", "in");
  const added = await layoutGraph(rt.describe(), before);
  for (const [id, box] of Object.entries(before.nodes)) assert.deepEqual(added.nodes[id], box, id);
  const extra = added.nodes.extra;
  for (const [id, box] of Object.entries(before.nodes)) {
    const apart = extra.x >= box.x + box.width || extra.y >= box.y + box.height;
    assert.ok(apart, `extra is clear of ${id}`);
  }
  const edge = rt.describe().connections.find((c) => c.to === "extra.in")!;
  const anchor = portAnchor("input", 0);
  assert.deepEqual(added.edges[edge.id].at(-1), { x: extra.x + anchor.x, y: extra.y + anchor.y });
  rt.remove("tone_b");
  const removed = await layoutGraph(rt.describe(), added);
  for (const [id, box] of Object.entries(removed.nodes)) assert.deepEqual(box, added.nodes[id], id);
  assert.equal(removed.nodes.tone_b, undefined);
});

Deno.test("layoutGraph() puts pinned nodes at their pins and routes their edges to them", async () => {
  const rt = createRuntime();
  addDemoPipeline(rt);
  const before = await layoutGraph(rt.describe());
  const pins = { reverb: { x: 900, y: 700 }, extra: { x: 40, y: 900 } };
  rt.add("NullSink", {}, { id: "extra" });
  const after = await layoutGraph(rt.describe(), before, pins);
  assert.deepEqual([after.nodes.reverb.x, after.nodes.reverb.y], [900, 700]);
  assert.deepEqual([after.nodes.extra.x, after.nodes.extra.y], [40, 900]);
  assert.deepEqual(after.nodes.tone_a, before.nodes.tone_a);
  const into = rt.describe().connections.find((c) => c.to === "reverb.in")!;
  assert.deepEqual(after.edges[into.id].at(-1), { x: 900, y: 700 + portAnchor("input", 0).y });
  assert.ok(after.height >= 900 + after.nodes.extra.height);
});
