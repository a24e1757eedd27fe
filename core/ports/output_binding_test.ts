import assert from "node:assert/strict";
import { LocalConnection } from "./local_connection.ts";
import { OutputBinding } from "./output_binding.ts";

Deno.test("OutputBinding.write() to an unconnected output is a no-op that reports success", () => {
  const output = new OutputBinding<number>("out", "DataFrame");
  assert.equal(output.isConnected, false);
  assert.equal(output.write(1), true);
  assert.equal(output.connectionCount, 0);
});

Deno.test("OutputBinding.write() fans out and reports a full fifo without skipping the others", () => {
  const output = new OutputBinding<number>("out", "DataFrame");
  const full = new LocalConnection<number>({ capacity: 1, policy: "fifo" });
  const latest = new LocalConnection<number>({ capacity: 1, policy: "latest" });
  output.attach(full);
  output.attach(latest);
  output.attach(latest);
  assert.equal(output.connectionCount, 2);
  assert.equal(output.write(1), true);
  assert.equal(output.write(2), false);
  assert.equal(full.pop(), 1);
  assert.equal(latest.pop(), 2);
  assert.equal(output.detach(full), true);
  assert.equal(output.detach(full), false);
  assert.equal(output.write(3), true);
});

Deno.test("OutputBinding.framesWritten counts every write once, connected or not", () => {
  const output = new OutputBinding<number>("out", "DataFrame");
  output.write(1);
  output.attach(new LocalConnection<number>());
  output.attach(new LocalConnection<number>());
  output.write(2);
  assert.equal(output.framesWritten, 2);
});
