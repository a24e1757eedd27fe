import assert from "node:assert/strict";
import { InputBinding } from "./input_binding.ts";
import { connectLocal, LocalConnection } from "./local_connection.ts";
import { OutputBinding } from "./output_binding.ts";

Deno.test("LocalConnection.takeKeyframeRequest() is true once after requestKeyframe()", () => {
  const c = new LocalConnection<number>({ capacity: 2, policy: "fifo" });
  assert.equal(c.takeKeyframeRequest(), false);
  c.requestKeyframe();
  c.requestKeyframe();
  assert.equal(c.takeKeyframeRequest(), true);
  assert.equal(c.takeKeyframeRequest(), false);
});

Deno.test("InputPort.requestKeyframe() reaches the writer's OutputPort.takeKeyframeRequest() across a fan-out", () => {
  const out = new OutputBinding<number>("out", "Frame");
  const a = new InputBinding<number>("a", "Frame");
  const b = new InputBinding<number>("b", "Frame");
  connectLocal(out, a);
  connectLocal(out, b);
  assert.equal(out.takeKeyframeRequest(), false);
  b.requestKeyframe();
  assert.equal(out.takeKeyframeRequest(), true);
  assert.equal(out.takeKeyframeRequest(), false);
  new InputBinding<number>("unconnected", "Frame").requestKeyframe(); // no-op, no throw
});
