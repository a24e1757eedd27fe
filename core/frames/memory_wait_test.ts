import assert from "node:assert/strict";
import { MEMORY_WAIT_LIMIT_MS, type MemoryStall, MemoryWait } from "./memory_wait.ts";
import type { RuntimeTimers } from "../time/timers.ts";

/** Timers fired by hand, and a memory source whose frees are called by hand. */
function rig(givenBack: number) {
  const timers = new Map<number, { callback: () => void; delayMs: number }>();
  let next = 1;
  const manual: RuntimeTimers = {
    setTimeout: (callback, delayMs) => (timers.set(next, { callback, delayMs }), next++),
    clearTimeout: (id) => void timers.delete(id),
  };
  const fire = () => {
    const due = [...timers.values()];
    timers.clear();
    for (const t of due) t.callback();
  };
  let waiters: (() => void)[] = [];
  const memory = { onFree: (callback: () => void) => void waiters.push(callback) };
  const free = () => {
    const now = waiters;
    waiters = [];
    for (const w of now) w();
  };
  const input = {
    name: "in",
    givenBack,
    clear() {
      const n = this.givenBack;
      this.givenBack = 0;
      return n;
    },
  };
  let runs = 0;
  const stalls: MemoryStall[] = [];
  const wait = new MemoryWait(memory, [input], manual, () => runs++, (s) => stalls.push(s));
  return { wait, timers, fire, free, input, stalls, runs: () => runs };
}

Deno.test("MemoryWait runs the node once memory frees, and arms no limit when nothing was given back", () => {
  const { wait, timers, free, stalls, runs } = rig(0);
  wait.start();
  wait.start(); // already waiting: one wait
  assert.equal(timers.size, 0);
  free();
  assert.equal(runs(), 1);
  assert.equal(wait.waiting, false);
  free();
  assert.equal(runs(), 1, "a later free is not this wait's");
  assert.deepEqual(stalls, []);
});

Deno.test("MemoryWait drops what the inputs got back after MEMORY_WAIT_LIMIT_MS with nothing freed, says so, and runs the node", () => {
  const { wait, timers, fire, free, input, stalls, runs } = rig(2);
  wait.start();
  assert.equal([...timers.values()][0].delayMs, MEMORY_WAIT_LIMIT_MS);
  fire();
  assert.deepEqual(stalls, [{ dropped: [{ port: "in", count: 2 }] }]);
  assert.equal(input.givenBack, 0);
  assert.equal(runs(), 1);
  free(); // the callback of the wait that stalled: not run twice
  assert.equal(runs(), 1);
});

Deno.test("MemoryWait.suspend() stops the limit's clock while the node is paused; resume() starts it again", () => {
  const { wait, timers, fire, free, input, stalls, runs } = rig(1);
  wait.start();
  wait.suspend();
  assert.equal(timers.size, 0);
  fire();
  assert.deepEqual(stalls, []);
  assert.equal(input.givenBack, 1, "nothing dropped while paused");
  wait.resume();
  assert.equal(timers.size, 1);
  free(); // memory frees in time: the limit is cleared
  assert.equal(timers.size, 0);
  assert.equal(runs(), 1);
  wait.resume(); // not waiting: nothing armed
  assert.equal(timers.size, 0);
});
