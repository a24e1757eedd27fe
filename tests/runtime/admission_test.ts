/**
 * Admission control on a live runtime (issue 14, item 6): a node whose config would pin more
 * frame memory than the budget is refused at `add()`, `setConfig()` and `connect()`, the graph
 * keeps running, and the process's memory does not grow.
 */

import assert from "node:assert/strict";
import { addDemoPipeline } from "../../examples/demo_pipeline.ts";
import { FrameTooLargeError } from "../../core/frames/memory.ts";
import { MemoryBudgetError } from "../../core/admission/check.ts";
import { createRuntime } from "../../processors/mod.ts";

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("Runtime.add() refuses a 7680x4320 TestPattern on the running demo; the demo runs on and memory stays put", async () => {
  await using rt = createRuntime({ workers: false });
  addDemoPipeline(rt);
  await rt.start();
  await sleep(500);
  const before = Deno.memoryUsage().rss;
  const framesBefore = rt.stats().nodes.video_out.framesIn;
  try {
    rt.add("TestPattern", { width: 7680, height: 4320 }, { id: "huge" });
    assert.fail("admitted");
  } catch (error) {
    assert.ok(error instanceof MemoryBudgetError, String(error));
    assert.equal(error.code, "memory_budget_exceeded");
    const frame = 7680 * 4320 * 4;
    assert.equal(error.details.node, "huge");
    assert.equal(error.details.frameBytes, frame);
    assert.equal(error.details.bytes, 5 * frame);
    assert.equal(error.details.budgetBytes, 512 * MiB);
    assert.ok((error.details.usedBytes as number) > 0, "the demo's own share is named");
    assert.match(error.message, /memory budget of 512\.0 MiB.*--memory-budget/);
  }
  assert.equal(rt.describe().nodes.length, 8, "the demo's 8 nodes, nothing else");
  assert.equal(rt.state, "running");
  // The video branch runs on: more frames come (waited for, not timed: a loaded machine is slow).
  const deadline = performance.now() + 10_000;
  while (rt.stats().nodes.video_out.framesIn <= framesBefore + 5 && performance.now() < deadline) {
    await sleep(50);
  }
  const after = Deno.memoryUsage().rss;
  assert.ok(rt.stats().nodes.video_out.framesIn > framesBefore + 5, "the video branch ran on");
  assert.equal(rt.stats().nodes.video_out.framesDropped, 0);
  // The process's RSS also holds what the test files running beside this one (`--parallel`)
  // allocate meanwhile (82 MiB seen in CI): the bound sits well above that and well below the
  // 660 MB an admitted 8K pattern pins.
  assert.ok(
    after - before < 256 * MiB,
    `RSS grew by ${((after - before) / MiB).toFixed(1)} MiB (an admitted 8K pattern pins 660 MB)`,
  );
});

Deno.test("Runtime.setConfig() is refused past the budget and keeps the old config", async () => {
  await using rt = createRuntime({ workers: false });
  addDemoPipeline(rt);
  await rt.start();
  await rt.pause(); // width and height are not live fields: they change while paused
  assert.throws(() => rt.setConfig("pattern", { width: 7680, height: 4320 }), MemoryBudgetError);
  const config = rt.describe().nodes.find((n) => n.id === "pattern")!.config as {
    width: number;
    height: number;
  };
  assert.deepEqual([config.width, config.height], [640, 360]);
  assert.equal(rt.setConfig("pattern", { width: 1280, height: 720 }).applied, "setup");
  await rt.resume();
  await sleep(300);
  assert.equal(rt.state, "running");
  assert.equal(rt.stats().nodes.pattern.state, "running");
  assert.ok(rt.stats().nodes.video_out.framesIn > 0);
});

Deno.test("Runtime.connectByName() refuses a capacity that would pin past the budget; nothing is connected", () => {
  const rt = createRuntime({ workers: false, memoryBudgetBytes: 64 * MiB });
  rt.add("TestPattern", { width: 1280, height: 720 }, { id: "pattern" });
  rt.add("NullSink", {}, { id: "sink" });
  assert.throws(
    () => rt.connectByName("pattern", "video", "sink", "in", { capacity: 100 }),
    (e) => e instanceof MemoryBudgetError && e.details.node === "pattern",
  );
  assert.deepEqual(rt.describe().connections, []);
  rt.connectByName("pattern", "video", "sink", "in", { capacity: 2 });
  assert.equal(rt.describe().connections.length, 1);
});

Deno.test("Runtime.add() counts what the graph already pins; remove() gives it back", () => {
  const rt = createRuntime({ workers: false, memoryBudgetBytes: 300 * MiB });
  const i420 = { width: 7680, height: 4320, pixelFormat: "I420" } as const;
  rt.add("TestPattern", i420, { id: "one" }); // 49.8 MB a frame, 249 MB with its 5 slots
  assert.throws(
    () => rt.add("TestPattern", i420, { id: "two" }),
    (e) =>
      e instanceof MemoryBudgetError && e.details.node === "two" &&
      e.details.usedBytes === 5 * 7680 * 4320 * 1.5,
  );
  rt.remove("one");
  rt.add("TestPattern", i420, { id: "two" });
});

Deno.test("Runtime's memoryBudgetBytes and maxFrameBytes raise the limits", () => {
  assert.throws(
    () => createRuntime({ workers: false }).add("TestPattern", { width: 7680, height: 4320 }),
    MemoryBudgetError,
  );
  const rt = createRuntime({
    workers: false,
    memoryBudgetBytes: 4096 * MiB,
    maxFrameBytes: 256 * MiB,
  });
  rt.add("TestPattern", { width: 7680, height: 4320 }, { id: "huge" });
  rt.add("TestPattern", { width: 7680, height: 4320 }, { id: "huge_2" });
  assert.equal(rt.describe().nodes.length, 2);
  // A budget that fits but a frame limit that does not: refused as too large a frame.
  const frames = createRuntime({ workers: false, memoryBudgetBytes: 4096 * MiB });
  assert.throws(
    () => frames.add("TestPattern", { width: 7680, height: 4320 }, { id: "huge" }),
    (e) => e instanceof FrameTooLargeError && e.details.node === "huge",
  );
});
