import assert from "node:assert/strict";
import { BlockingLoop, EVENT_LOOP_EVERY_MS } from "./blocking_loop.ts";
import { WAKE_BYTES } from "../transport/channel/wake.ts";
import { ASLEEP_ON_WAKE, readerMaySleep, SIGNAL_BYTES } from "../transport/channel/doorbell.ts";
import { withLateRing } from "../transport/channel/_late_ring.ts";

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

Deno.test("BlockingLoop reads its wake word before its ends raise their flags: a late ring ends the wait at once", async () => {
  const wake = wakeWord();
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
  const loop = new BlockingLoop({ wake, mayBlock: () => true, turnsDue: () => false });
  let passes = 0;
  const end = {
    // Pass 1: the end raises its reader flag, and a writer's late ring takes it at once (decision
    // 0070). The wait that follows is bounded (1 ms): read after the flag, the wake word would
    // already hold the ring, and that wait would run out.
    sleepy: () => {
      if (++passes > 1) return false;
      withLateRing(signal, wake, () => readerMaySleep(signal, ASLEEP_ON_WAKE));
      return true;
    },
    look: () => {
      if (passes > 1) loop.delete(end);
      return false;
    },
  };
  loop.add(end);
  await loop.stopped();
  assert.equal(passes, 2);
  assert.ok(loop.counts.blocked >= 1, "it blocked");
  assert.equal(loop.counts.ranOut, 0, "the late ring ended the bounded wait");
});
