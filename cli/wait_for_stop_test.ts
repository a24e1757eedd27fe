import assert from "node:assert/strict";
import { startUnlessStopped } from "./wait_for_stop.ts";

const after = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(resolve, ms, value));
const never = new Promise<never>(() => {});

Deno.test("startUnlessStopped(): a start that returns first is 'started'", async () => {
  assert.equal(await startUnlessStopped({ start: () => after(5, undefined) }, never), "started");
});

Deno.test("startUnlessStopped(): a start that throws gives its error", async () => {
  const failing = { start: () => Promise.reject(new RangeError("no device")) };
  const result = await startUnlessStopped(failing, never);
  assert.ok(result instanceof RangeError && result.message === "no device");
});

Deno.test("startUnlessStopped(): a stop during a slow start waits for it, then is 'stopped'", async () => {
  let started = false;
  const slow = { start: () => after(100, undefined).then(() => void (started = true)) };
  assert.equal(await startUnlessStopped(slow, after(10, "signal"), 2_000), "stopped");
  assert.ok(started, "start() was waited for, so the graph can be stopped cleanly");
});

Deno.test("startUnlessStopped(): a stop during a start that never returns is 'late' after the grace", async () => {
  const t0 = performance.now();
  assert.equal(await startUnlessStopped({ start: () => never }, after(10, "signal"), 100), "late");
  const ms = performance.now() - t0;
  assert.ok(ms >= 100 && ms < 1_000, `${ms.toFixed(0)} ms`);
});
