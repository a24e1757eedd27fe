import assert from "node:assert/strict";
import { RunGuard } from "./_run_guard.ts";

Deno.test("RunGuard stops a run that never returns at maxRunMs and says so once", async () => {
  const stopped: number[] = [];
  const guard = new RunGuard((ms) => stopped.push(ms), 50);
  await guard.load();
  let reachedFinally = false;
  const started = performance.now();
  guard.run(() => {
    try {
      while (true) { /* a processor that never returns */ }
    } finally {
      reachedFinally = true;
    }
  });
  const tookMs = performance.now() - started;
  assert.deepEqual(stopped, [50]);
  assert.ok(tookMs >= 45 && tookMs < 2_000, `stopped after ${tookMs.toFixed(0)} ms`);
  assert.equal(reachedFinally, false, "V8 unwinds the run without running its finally blocks");
  // The isolate goes on: the next run runs.
  let ran = false;
  guard.run(() => ran = true);
  assert.equal(ran, true);
  assert.deepEqual(stopped, [50]);
});

Deno.test("RunGuard passes a run's own error on, and runs directly before load()", async () => {
  const stopped: number[] = [];
  const guard = new RunGuard((ms) => stopped.push(ms));
  let calls = 0;
  guard.run(() => calls++); // not loaded: called directly
  await guard.load();
  guard.run(() => calls++);
  assert.equal(calls, 2);
  assert.throws(() =>
    guard.run(() => {
      throw new RangeError("the processor's own error");
    }), RangeError);
  assert.deepEqual(stopped, []);
});
