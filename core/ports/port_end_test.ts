import assert from "node:assert/strict";
import { nodeOf, portOf, splitPortEnd } from "./port_end.ts";

Deno.test("nodeOf() and portOf() split node.port ends at the last dot", () => {
  assert.equal(nodeOf("mix_1.in_0"), "mix_1");
  assert.equal(portOf("mix_1.in_0"), "in_0");
  assert.equal(nodeOf("a-b.out"), "a-b");
});

Deno.test("splitPortEnd() keeps an end without a dot as a port of no node", () => {
  assert.deepEqual(splitPortEnd("out"), { node: "", port: "out" });
  assert.deepEqual(splitPortEnd("a.b.c"), { node: "a.b", port: "c" });
});
