import assert from "node:assert/strict";
import { NodeCounters, TIMED_RUN_SAMPLE, TIMED_RUNS_IN_FULL } from "./node_counters.ts";
import { PortTable } from "../ports/port_table.ts";

const ports = new PortTable({ name: "X", inputs: [], outputs: [] });

function runs(counters: NodeCounters, n: number): number {
  let timed = 0;
  for (let i = 0; i < n; i++) {
    if (counters.timesNextRun()) {
      counters.called(1_000);
      timed++;
    } else counters.called();
  }
  return timed;
}

Deno.test("NodeCounters times every one of a node's first runs", () => {
  const counters = new NodeCounters();
  assert.equal(runs(counters, TIMED_RUNS_IN_FULL), TIMED_RUNS_IN_FULL);
  const stats = counters.snapshot(ports, undefined);
  assert.equal(stats.calls, TIMED_RUNS_IN_FULL);
  assert.equal(stats.processTime.count, TIMED_RUNS_IN_FULL);
});

Deno.test("NodeCounters then times one run in TIMED_RUN_SAMPLE and counts every run", () => {
  const counters = new NodeCounters();
  const later = 100 * TIMED_RUN_SAMPLE;
  const timed = runs(counters, TIMED_RUNS_IN_FULL + later);
  assert.equal(timed, TIMED_RUNS_IN_FULL + later / TIMED_RUN_SAMPLE);
  const stats = counters.snapshot(ports, undefined);
  assert.equal(stats.calls, TIMED_RUNS_IN_FULL + later);
  assert.equal(stats.processTime.count, timed);
  assert.ok(stats.processTime.meanNs > 0);
});

Deno.test("NodeCounters: a run not timed leaves the histogram alone", () => {
  const counters = new NodeCounters();
  counters.called();
  const stats = counters.snapshot(ports, undefined);
  assert.equal(stats.calls, 1);
  assert.equal(stats.processTime.count, 0);
});
