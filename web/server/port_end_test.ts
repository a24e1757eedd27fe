import assert from "node:assert/strict";
import { nodeOf, portOf } from "./port_end.ts";

Deno.test("nodeOf() and portOf() split node.port ends", () => {
  assert.equal(nodeOf("mix_1.in_0"), "mix_1");
  assert.equal(portOf("mix_1.in_0"), "in_0");
  assert.equal(nodeOf("a-b.out"), "a-b");
});
