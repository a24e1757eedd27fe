import assert from "node:assert/strict";
import type { RuntimeStats } from "../mod.ts";
import { createRuntime } from "../processors/mod.ts";
import { isTapEvent, RateTracker, visibleGraph } from "./graph_view.ts";
import { TAP_PREFIX } from "./preview_tap.ts";

function stats(timeNs: number, calls: number, written: number): RuntimeStats {
  const latency = { count: 0, p50Ns: 0, p99Ns: 0, maxNs: 0, meanNs: 0 };
  return {
    state: "running",
    timeNs,
    nodes: {
      a: {
        state: "running",
        calls,
        framesIn: 0,
        framesOut: calls,
        framesDropped: 0,
        errors: 0,
        restarts: 0,
        blockedRuns: 0,
        processTime: latency,
        lateRuns: 0,
        skippedRuns: 0,
        periodNs: null,
      },
    },
    connections: {
      c: {
        capacity: 4,
        queued: 0,
        written,
        read: written,
        dropped: 0,
        fullRejections: 0,
        policy: "fifo",
      },
    },
  };
}

Deno.test("RateTracker.view() gives per-second rates over the window and marks moving edges", () => {
  const tracker = new RateTracker(1e9);
  const visible = { nodes: new Set(["a"]), connections: new Set(["c"]) };
  assert.equal(tracker.view(stats(0, 0, 0), visible, {}).nodes.a.rates.calls, 0);
  const half = tracker.view(stats(0.5e9, 50, 50), visible, {});
  assert.equal(half.nodes.a.rates.calls, 100);
  assert.equal(half.connections.c.rates.moving, true);
  const still = tracker.view(stats(1e9, 100, 50), visible, {});
  assert.equal(still.connections.c.rates.moving, false);
  assert.equal(still.connections.c.rates.written, 50);
});

Deno.test("visibleGraph() hides taps, their connections and their events", () => {
  const rt = createRuntime();
  rt.add("TestPattern", {}, { id: "p" });
  rt.add("NullSink", {}, { id: `${TAP_PREFIX}1` });
  rt.connectByName("p", "video", `${TAP_PREFIX}1`, "in");
  const view = visibleGraph(rt.describe());
  assert.deepEqual(view.nodes.map((n) => n.id), ["p"]);
  assert.deepEqual(view.connections, []);
  assert.deepEqual(view.nodes[0].outputs[0].connections, []);
  assert.equal(
    isTapEvent({
      type: "node-added",
      timeNs: 0,
      node: `${TAP_PREFIX}1`,
      processor: "X",
      isolate: "main",
    }),
    true,
  );
  assert.equal(
    isTapEvent({ type: "runtime-state", timeNs: 0, from: "stopped", to: "starting" }),
    false,
  );
});
