import assert from "node:assert/strict";
import { FloorLink } from "./worker_chain_floor_worker.ts";

/**
 * Awaits `wait`, keeping the event loop turning meanwhile (a bell rung from the waiter's own
 * isolate resolves its `Atomics.waitAsync` in a task the event loop does not wait for by itself);
 * fails after 2 s: a bell that was never rung.
 */
async function turning(wait: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const missed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("No bell within 2 s")), 2000);
  });
  try {
    await Promise.race([wait, missed]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("FloorLink.push() refuses a full ring and pop() returns numbers in order", () => {
  const link = FloorLink.create(2);
  assert.ok(link.push(1));
  assert.ok(link.push(2));
  assert.equal(link.push(3), false);
  assert.equal(link.pop(), 1);
  assert.ok(link.push(3));
  assert.equal(link.pop(), 2);
  assert.equal(link.pop(), 3);
  assert.equal(link.pop(), undefined);
});

Deno.test("FloorLink.untilData() returns at once for a queued number and wakes for a push", async () => {
  const writer = FloorLink.create(4);
  const reader = new FloorLink(writer.buffer);
  writer.push(7);
  await reader.untilData("waitAsync"); // queued: no wait
  assert.equal(reader.pop(), 7);
  const woken = reader.untilData("waitAsync"); // sleeps: the next push must ring
  writer.push(8);
  await turning(woken);
  assert.equal(reader.pop(), 8);
});

Deno.test("FloorLink.untilRoom() wakes a waiting writer after a pop", async () => {
  const writer = FloorLink.create(1);
  const reader = new FloorLink(writer.buffer);
  assert.ok(writer.push(1));
  assert.equal(writer.push(2), false);
  const room = writer.untilRoom("waitAsync");
  assert.equal(reader.pop(), 1);
  await turning(room);
  assert.ok(writer.push(2));
});
