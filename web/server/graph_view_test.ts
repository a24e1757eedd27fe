import assert from "node:assert/strict";
import type { RuntimeStats } from "../../mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { RateTracker, visibleGraph } from "./graph_view.ts";

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
        framesRefused: 0,
        framesRefusedByOutput: { out: 0 },
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
        discarded: 0,
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

Deno.test("visibleGraph() is the runtime's graph: previews are probes, nothing is hidden", () => {
  const rt = createRuntime();
  rt.add("TestPattern", {}, { id: "p" });
  rt.add("NullSink", {}, { id: "s" });
  rt.connectByName("p", "video", "s", "in");
  using _probe = rt.probe("p.video", () => {});
  const view = visibleGraph(rt.describe());
  assert.deepEqual(view.nodes.map((n) => n.id), ["p", "s"]);
  assert.equal(view.connections.length, 1);
  assert.deepEqual(view, rt.describe());
});
