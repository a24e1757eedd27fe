import assert from "node:assert/strict";
import { createRuntime } from "../../../processors/mod.ts";
import { visibleGraph } from "../../server/graph_view.ts";
import { NODE_WIDTH } from "../../shared/geometry.ts";
import type { GraphLayout } from "../../shared/protocol.ts";
import { anchorOf, boxesOf, drawingSize, edgePoints, freeId } from "./boxes.ts";

function toneToSink() {
  const rt = createRuntime();
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("tone", "audio", "sink", "in");
  return visibleGraph(rt.describe());
}

Deno.test("boxesOf() keeps laid-out boxes and stacks the others in a column right of them", () => {
  const graph = toneToSink();
  const layout: GraphLayout = {
    width: 300,
    height: 200,
    nodes: { tone: { x: 10, y: 20, width: NODE_WIDTH, height: 1 } },
    edges: {},
  };
  const boxes = boxesOf(graph, layout);
  assert.equal(boxes.tone.x, 10);
  assert.notEqual(boxes.tone.height, 1); // the height is the node's own
  assert.deepEqual({ x: boxes.sink.x, y: boxes.sink.y }, { x: 324, y: 24 });
  assert.ok(drawingSize(layout, boxes).width >= 324 + NODE_WIDTH + 24);
});

Deno.test("edgePoints() follows the layout's route unless an end's node is moved by hand", () => {
  const graph = toneToSink();
  const id = graph.connections[0].id;
  const route = [{ x: 1, y: 1 }, { x: 2, y: 2 }];
  const layout: GraphLayout = {
    width: 600,
    height: 200,
    nodes: {
      tone: { x: 0, y: 0, width: NODE_WIDTH, height: 80 },
      sink: { x: 400, y: 0, width: NODE_WIDTH, height: 80 },
    },
    edges: { [id]: route },
  };
  const boxes = boxesOf(graph, layout);
  const c = graph.connections[0];
  assert.deepEqual(edgePoints(c, graph, layout, boxes, null), route);
  assert.deepEqual(edgePoints(c, graph, layout, boxes, { id: "sink" }), [
    anchorOf(graph, boxes, c.from, "output"),
    anchorOf(graph, boxes, c.to, "input"),
  ]);
});

Deno.test("freeId() takes the first unused number", () => {
  const graph = toneToSink();
  assert.equal(freeId("NullSink", graph), "null_sink_1");
  assert.equal(freeId("TestToneGenerator", graph), "test_tone_generator_1");
});
