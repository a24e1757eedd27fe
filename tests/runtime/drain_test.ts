/**
 * `drain()` at end of stream (GStreamer's drain on EOS): a processor that holds frames back (a
 * filter's delay, an encoder's lookahead) writes them once its inputs have ended, under
 * back-pressure, before its outputs carry the end — in one isolate and in a Worker, sync and
 * async; `stop()` does not drain; `rt.endOfStream()` does.
 */

import assert from "node:assert/strict";
import { NodeRegistry, Runtime } from "../../mod.ts";
import { WorkerBackend } from "../../ffi/mod.ts";
import {
  checkSinkNode,
  holdBackNode,
  resetReports,
  seqSourceNode,
  sinkReport,
} from "../fixtures/runtime/frame_nodes.ts";
import { endOfStream } from "../fixtures/runtime/end_of_stream.ts";

const registry = new NodeRegistry([seqSourceNode, holdBackNode, checkSinkNode]);

for (const worker of [false, true]) {
  for (const asyncDrain of [false, true]) {
    const where = `${worker ? "in a Worker" : "in one isolate"}, ${asyncDrain ? "async" : "sync"}`;
    Deno.test(`drain() writes what a processor held back at end of stream, through a capacity-1 output (${where})`, async () => {
      resetReports();
      const backend = worker
        ? new WorkerBackend({
          pool: { slotBytes: 4096, slotCount: 64 },
          registries: [new URL("../fixtures/runtime/frame_nodes.ts", import.meta.url)],
        })
        : undefined;
      try {
        await using rt = new Runtime({ registry, ...(backend && { isolates: backend }) });
        rt.add("SeqSource", { total: 200, frameCount: 8, eos: true }, { id: "src" });
        rt.add("HoldBack", { hold: 12, asyncDrain }, {
          id: "hold",
          ...(worker && { placement: { worker: "w" } }),
        });
        rt.add("CheckSink", { hops: 1 }, { id: "sink" });
        rt.connectByName("src", "out", "hold", "in", { capacity: 4, policy: "fifo" });
        // Capacity 1: the 12 held blocks cannot all go out in one drain() call.
        rt.connectByName("hold", "out", "sink", "in", { capacity: 1, policy: "fifo" });
        const ended = endOfStream(rt);
        await rt.start();
        assert.deepEqual((await ended).sort(), ["hold", "sink", "src"]);
        const report = sinkReport("sink");
        assert.equal(report.received, 200, "the held blocks came out before the end");
        assert.equal(report.corrupt, 0);
        assert.equal(report.outOfOrder, 0);
        await rt.stop();
        assert.deepEqual(rt.frameLeaks(), []);
      } finally {
        await backend?.close();
      }
    });
  }
}

Deno.test("stop() does not drain: held blocks are released, not written; rt.endOfStream() drains", async () => {
  resetReports();
  await using rt = new Runtime({ registry });
  rt.add("SeqSource", { total: 1e9, frameCount: 8 }, { id: "live" });
  rt.add("HoldBack", { hold: 5 }, { id: "hold" });
  rt.add("CheckSink", { hops: 1 }, { id: "sink" });
  rt.connectByName("live", "out", "hold", "in", { capacity: 4, policy: "fifo" });
  rt.connectByName("hold", "out", "sink", "in", { capacity: 4, policy: "fifo" });
  for (const how of ["endOfStream", "stop"] as const) {
    const ended = how === "endOfStream" ? endOfStream(rt) : undefined;
    await rt.start();
    const deadline = Date.now() + 10_000;
    while (sinkReport("sink").received < 50) {
      assert.ok(Date.now() < deadline, "no frames reached the sink");
      await new Promise((r) => setTimeout(r, 5));
    }
    if (how === "endOfStream") {
      rt.endOfStream();
      await ended;
      // Every block the source wrote reached the sink: the 5 held ones by drain().
      assert.equal(sinkReport("sink").received, rt.stats().nodes.live.framesOut);
      await rt.stop();
    } else {
      await rt.stop();
      const { live, sink } = rt.stats().nodes;
      assert.ok(live.framesOut - sink.framesIn >= 5, "held blocks were not written at stop");
    }
    assert.deepEqual(rt.frameLeaks(), []);
    resetReports();
  }
});
