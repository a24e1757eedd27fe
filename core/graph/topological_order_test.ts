import assert from "node:assert/strict";
import { topologicalOrder } from "./topological_order.ts";

Deno.test("topologicalOrder() puts every node before the nodes it feeds, sources in input order", () => {
  const edges = [
    { from: "mix", to: "sink" },
    { from: "a", to: "mix" },
    { from: "b", to: "mix" },
    { from: "a", to: "tap" },
  ];
  assert.deepEqual(topologicalOrder(["sink", "tap", "mix", "b", "a"], edges), [
    "b",
    "a",
    "mix",
    "tap",
    "sink",
  ]);
});

Deno.test("topologicalOrder() ignores edges to unknown nodes", () => {
  assert.deepEqual(topologicalOrder(["x"], [{ from: "x", to: "gone" }]), ["x"]);
});
