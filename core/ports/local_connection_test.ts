import assert from "node:assert/strict";
import { InputBinding } from "./input_binding.ts";
import { connectLocal, LocalConnection } from "./local_connection.ts";
import { OutputBinding } from "./output_binding.ts";
import { HeapMemorySource } from "../frames/heap_memory.ts";
import { NodeFrames } from "../frames/node_frames.ts";

Deno.test("LocalConnection.push() under latest rolls the oldest off and counts it dropped", () => {
  const conn = new LocalConnection<number>({ capacity: 3, policy: "latest" });
  for (let i = 1; i <= 5; i++) assert.equal(conn.push(i), true);
  assert.equal(conn.available, 3);
  assert.deepEqual([conn.pop(), conn.pop(), conn.pop(), conn.pop()], [3, 4, 5, undefined]);
  assert.deepEqual(conn.stats(), {
    capacity: 3,
    queued: 0,
    written: 5,
    read: 3,
    dropped: 2,
    fullRejections: 0,
    discarded: 0,
    policy: "latest",
  });
});

Deno.test("LocalConnection.push() under fifo refuses when full and counts the rejection", () => {
  const conn = new LocalConnection<string>({ capacity: 2, policy: "fifo" });
  assert.equal(conn.push("a"), true);
  assert.equal(conn.push("b"), true);
  assert.equal(conn.isFull, true);
  assert.equal(conn.push("c"), false);
  assert.equal(conn.fullRejections, 1);
  assert.equal(conn.pop(), "a");
  assert.equal(conn.push("c"), true);
  assert.deepEqual([conn.pop(), conn.pop()], ["b", "c"]);
  assert.equal(conn.dropped, 0);
  assert.equal(conn.written, 3);
});

Deno.test("LocalConnection.popLatest() returns the newest and drops the rest", () => {
  const conn = new LocalConnection<number>({ capacity: 4, policy: "fifo" });
  conn.push(1);
  conn.push(2);
  conn.push(3);
  assert.equal(conn.popLatest(), 3);
  assert.equal(conn.dropped, 2);
  assert.equal(conn.read, 1);
  assert.equal(conn.isEmpty, true);
  assert.equal(conn.popLatest(), undefined);
});

Deno.test("LocalConnection keeps order across many wrap-arounds", () => {
  const conn = new LocalConnection<number>({ capacity: 3, policy: "fifo" });
  const seen: number[] = [];
  let next = 0;
  for (let round = 0; round < 100; round++) {
    while (conn.push(next)) next++;
    seen.push(conn.pop()!);
    if (round % 3 === 0) seen.push(conn.pop()!);
  }
  assert.deepEqual(seen, seen.map((_, i) => i));
  assert.equal(conn.peek(), seen.length);
  assert.equal(conn.freeSlots, 3 - conn.available);
});

Deno.test("LocalConnection() rejects a bad capacity or policy", () => {
  assert.throws(() => new LocalConnection({ capacity: 0 }), RangeError);
  assert.throws(() => new LocalConnection({ capacity: 1.5 }), RangeError);
  // @ts-expect-error not a policy
  assert.throws(() => new LocalConnection({ policy: "newest" }), /unknown policy 'newest'/);
});

Deno.test("connectLocal() wires an output binding to an input binding", () => {
  const out = new OutputBinding<number>("out", "DataFrame");
  const inp = new InputBinding<number>("in", "DataFrame");
  const conn = connectLocal(out, inp, { capacity: 1, policy: "fifo" });
  assert.equal(out.write(1), true);
  assert.equal(out.write(2), false);
  assert.equal(inp.read(), 1);
  assert.equal(conn.fullRejections, 1);
  assert.equal(out.isConnected && inp.isConnected, true);
});

Deno.test("LocalConnection.setDiscarding() wakes a writer waiting for room and releases what was queued", () => {
  const frames = new NodeFrames("src", new HeapMemorySource());
  const frame = frames.video({ width: 2, height: 2, format: "RGBA" })!;
  const conn = new LocalConnection<unknown>({ capacity: 1, policy: "fifo" });
  conn.push(frame); // the connection's own reference
  assert.equal(frame.refCount, 2);
  let woken = 0;
  conn.onSpace(() => woken++);
  assert.equal(woken, 0, "full: the writer waits");
  conn.setDiscarding(true);
  assert.equal(woken, 1, "the reader stopped reading: the writer is woken at once");
  assert.equal(frame.refCount, 1, "the queued frame's reference is released");
  assert.ok(conn.push(frame));
  assert.equal(frame.refCount, 1, "a discarded push takes no reference");
  frames.flush();
  assert.equal(frame.released, true);
  const { discarded, dropped, written, queued } = conn.stats();
  assert.deepEqual([discarded, dropped, written, queued], [1, 1, 1, 0]);
});
