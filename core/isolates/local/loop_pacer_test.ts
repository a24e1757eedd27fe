import assert from "node:assert/strict";
import { LoopPacer } from "./loop_pacer.ts";

Deno.test("LoopPacer.advance() runs each deadline once, on time, without drift", () => {
  const pacer = new LoopPacer({ periodNs: 1000, startNs: 5000 });
  assert.equal(pacer.advance(4999), 0);
  let runs = 0;
  // Ticks that always arrive 300 ns late never shift later deadlines.
  for (let n = 0; n < 100; n++) runs += pacer.advance(5000 + n * 1000 + 300);
  assert.equal(runs, 100);
  assert.equal(pacer.nextDeadlineNs, 5000 + 100 * 1000);
  assert.equal(pacer.lateRuns, 0);
  assert.equal(pacer.skippedRuns, 0);
});

Deno.test("LoopPacer.advance() catches up at most maxCatchUp runs and counts late and skipped", () => {
  const pacer = new LoopPacer({ periodNs: 10, startNs: 0, maxCatchUp: 4 });
  assert.equal(pacer.advance(0), 1);
  assert.equal(pacer.advance(35), 3); // 10, 20, 30; 10 and 20 are a full period late
  assert.equal(pacer.lateRuns, 2);
  assert.equal(pacer.advance(1000), 4); // 40..70 run, 80..1000 skipped
  assert.equal(pacer.skippedRuns, (1000 - 80) / 10 + 1);
  assert.equal(pacer.nextDeadlineNs, 1010);
  assert.equal(pacer.advance(1010), 1);
});

Deno.test("LoopPacer.setPeriod() keeps the next deadline and restart() re-anchors it", () => {
  const pacer = new LoopPacer({ periodNs: 10, startNs: 0 });
  pacer.advance(0);
  pacer.setPeriod(25);
  assert.equal(pacer.nextDeadlineNs, 10);
  pacer.advance(10);
  assert.equal(pacer.nextDeadlineNs, 35);
  pacer.restart(500);
  assert.equal(pacer.nextDeadlineNs, 500);
  assert.equal(pacer.advance(499), 0);
});

Deno.test("LoopPacer rejects a period that is not a finite positive number", () => {
  for (const periodNs of [0, -1, Number.NaN, Infinity]) {
    assert.throws(() => new LoopPacer({ periodNs, startNs: 0 }), RangeError);
  }
  assert.throws(() => new LoopPacer({ periodNs: 1, startNs: 0, maxCatchUp: 0 }), /maxCatchUp/);
});
