import assert from "node:assert/strict";
import { LoopDriver } from "./loop_driver.ts";
import type { RuntimeTimers } from "../../time/timers.ts";

function rig(maxCatchUp = 4) {
  const clock = { now: 0, nowNs: () => clock.now };
  const fired: (() => void)[] = [];
  const timers: RuntimeTimers = { setTimeout: (fn) => fired.push(fn), clearTimeout: () => {} };
  const served: (number | undefined)[] = [];
  const driver: LoopDriver = new LoopDriver(
    () => (served.push(driver.deadlineNs), true),
    clock,
    timers,
    maxCatchUp,
  );
  return { clock, fired, served, driver };
}

Deno.test("LoopDriver gives each run the deadline it serves, never a skipped one", () => {
  const { clock, fired, served, driver } = rig(2);
  clock.now = 1_000;
  driver.setPeriod(10);
  driver.start(); // first deadline: now
  fired.shift()!();
  clock.now = 1_025; // 1010 and 1020 due: both run, late
  fired.shift()!();
  clock.now = 1_075; // 1030 .. 1070 due: two run, three are skipped (the catch-up bound)
  fired.shift()!();
  clock.now = 1_080; // the next deadline after the skipped ones
  fired.shift()!();
  assert.deepEqual(served, [1_000, 1_010, 1_020, 1_030, 1_040, 1_080]);
  assert.equal(driver.skippedRuns, 3);
  assert.equal(driver.deadlineNs, undefined, "outside a run");
  driver.stop();
});

Deno.test("LoopDriver: a run that changes the period keeps the deadlines already due", () => {
  const clock = { now: 0, nowNs: () => clock.now };
  const fired: (() => void)[] = [];
  const timers: RuntimeTimers = { setTimeout: (fn) => fired.push(fn), clearTimeout: () => {} };
  const served: (number | undefined)[] = [];
  const driver: LoopDriver = new LoopDriver(
    () => {
      served.push(driver.deadlineNs);
      if (served.length === 1) driver.setPeriod(100); // from the next deadline on
      return true;
    },
    clock,
    timers,
    4,
  );
  driver.setPeriod(10);
  driver.start();
  clock.now = 20; // deadlines 0, 10, 20 due at the first tick
  fired.shift()!();
  clock.now = 130; // the next deadline stays at 30; the new period counts from there
  fired.shift()!();
  assert.deepEqual(served, [0, 10, 20, 30, 130]);
  driver.stop();
});

Deno.test("LoopDriver clears the deadline when a run throws", () => {
  const clock = { nowNs: () => 0 };
  const fired: (() => void)[] = [];
  const timers: RuntimeTimers = { setTimeout: (fn) => fired.push(fn), clearTimeout: () => {} };
  const driver = new LoopDriver(
    () => {
      throw new Error("boom");
    },
    clock,
    timers,
    4,
  );
  driver.setPeriod(10);
  driver.start();
  assert.throws(() => fired.shift()!(), /boom/);
  assert.equal(driver.deadlineNs, undefined);
});

Deno.test("LoopDriver runs each tick through the timers' guard", () => {
  const clock = { now: 0, nowNs: () => clock.now };
  const fired: (() => void)[] = [];
  const guarded: string[] = [];
  const timers: RuntimeTimers = {
    setTimeout: (fn) => fired.push(fn),
    clearTimeout: () => {},
    guard: (turn) => {
      guarded.push("in");
      turn();
      guarded.push("out");
    },
  };
  const driver = new LoopDriver(() => (guarded.push("run"), true), clock, timers, 4);
  driver.setPeriod(10);
  driver.start();
  fired.shift()!();
  clock.now = 10;
  fired.shift()!();
  assert.deepEqual(guarded, ["in", "run", "out", "in", "run", "out"]);
  driver.stop();
});
