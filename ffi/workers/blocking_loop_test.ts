import assert from "node:assert/strict";
import { BlockingLoop, EVENT_LOOP_EVERY_MS } from "./blocking_loop.ts";
import { WAKE_BYTES } from "../transport/channel/wake.ts";

function wakeWord(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(WAKE_BYTES));
}

Deno.test("BlockingLoop runs deferred calls and stops once nothing is left", async () => {
  const loop = new BlockingLoop({ wake: wakeWord(), mayBlock: () => true, turnsDue: () => false });
  let called = 0;
  loop.defer(() => called++);
  await loop.stopped();
  assert.equal(called, 1);
});

Deno.test("BlockingLoop blocks its thread and still lets timers of the event loop run", async () => {
  const loop = new BlockingLoop({ wake: wakeWord(), mayBlock: () => true, turnsDue: () => false });
  const idle = { sleepy: () => false, look: () => false };
  // A timer armed before the loop starts blocking fires once the loop lets a task through (at
  // least every EVENT_LOOP_EVERY_MS); a loop that never did would meet the deadline instead.
  const fired = new Promise<void>((resolve) => setTimeout(resolve, 1));
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    deadline = setTimeout(
      () => reject(new Error("the timer never fired")),
      2500 * EVENT_LOOP_EVERY_MS,
    );
  });
  loop.add(idle);
  await Promise.race([fired, late]);
  clearTimeout(deadline);
  loop.delete(idle);
  loop.wakeUp();
  await loop.stopped();
  assert.ok(loop.counts.blocked > 0, "it blocked");
  assert.ok(loop.counts.eventLoop > 0, "it let the event loop through");
});

Deno.test("BlockingLoop tells an end's node, runs the turn, and waits through the event loop while commands are handled", async () => {
  let mayBlock = false;
  let due = 0;
  const loop = new BlockingLoop({
    wake: wakeWord(),
    mayBlock: () => mayBlock,
    turnsDue: () => due > 0,
  });
  let frames = 3;
  let runs = 0;
  const end = {
    sleepy: () => false,
    look: () => {
      if (frames === 0) return false;
      frames--;
      due++;
      queueMicrotask(() => (due--, runs++)); // the scheduler's turn
      return true;
    },
  };
  loop.add(end);
  const deadline = performance.now() + 10_000;
  while (runs < 3 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  assert.equal(runs, 3);
  assert.equal(loop.counts.blocked, 0, "no block while commands are in flight");
  mayBlock = true;
  loop.wakeUp();
  while (loop.counts.blocked === 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.ok(loop.counts.blocked > 0, "it blocks once commands are done");
  loop.delete(end);
  loop.wakeUp();
  await loop.stopped();
});
