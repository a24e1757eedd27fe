import assert from "node:assert/strict";
import {
  ConfigValidationError,
  connectLocal,
  InputBinding,
  type MediaClock,
  type ProcessContext,
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import type { OwnedFrame } from "../../core/frames/owned_frame.ts";
import { runForLeaks } from "../../tests/fixtures/runtime/leak_rig.ts";
import { testPatternNode } from "./test_pattern.gen.ts";
import { TestPatternRenderer } from "../video/test_pattern.ts";
import { createProcessContext } from "../../mod.ts";

const clock: MediaClock = { nowNs: () => 5_000 };
const ctx: ProcessContext = createProcessContext("bars", { clock });

async function start(config: unknown, capacity = 8) {
  const ports = testPatternNode.ports();
  const pattern = testPatternNode.create(config, ports);
  const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
  connectLocal(ports.output<VideoFrame>("video"), sink, { capacity, policy: "fifo" });
  await pattern.setup(ctx);
  return { pattern, sink };
}

Deno.test("TestPattern.process() renders the bars with the moving box in every pixel format", async () => {
  for (const pixelFormat of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const { pattern, sink } = await start({ width: 96, height: 64, pixelFormat });
    pattern.process(ctx);
    pattern.process(ctx);
    const renderer = new TestPatternRenderer(pixelFormat, 96, 64);
    for (const n of [0, 1]) {
      const frame = sink.read()!;
      assert.equal(frame.format, pixelFormat);
      assert.deepEqual([frame.width, frame.height, frame.frameNumber], [96, 64, n]);
      assert.equal(frame.stride, pixelFormat.endsWith("A") ? 96 * 4 : 96);
      const expected = new Uint8Array(renderer.byteLength);
      renderer.render(n, expected);
      assert.deepEqual(frame.data, expected, `${pixelFormat} frame ${n}`);
    }
  }
});

Deno.test("TestPattern declares a 1/fps loop period, stamps frames by it, and a frame a reader holds stays intact", async () => {
  const hand = createProcessContext("bars", { clock });
  const { pattern, sink } = await start({ width: 16, height: 16, fps: 25, pixelFormat: "I420" }, 8);
  assert.equal(pattern.periodNs, 40_000_000);
  const declared: number[] = [];
  const loop = { periodNs: undefined, setPeriodNs: (ns: number) => void declared.push(ns) };
  const setup: SetupContext = { node: "bars", clock, loop };
  await pattern.setup(setup);
  assert.deepEqual(declared, [40_000_000]);
  const stamps: number[] = [];
  let first: VideoFrame | undefined;
  for (let i = 0; i < 20; i++) {
    pattern.process(hand);
    hand.frames.flush(); // the runtime's release when process() returns
    const frame = sink.read()!;
    stamps.push(frame.timestampNs);
    if (i === 0) first = frame;
    else {
      (frame as unknown as OwnedFrame).release(); // the reader is done with it
      assert.throws(() => frame.data, { name: "FrameReleasedError" });
    }
  }
  assert.deepEqual(stamps.slice(0, 3), [5_000, 40_005_000, 80_005_000]);
  // The first frame is still held by its reader (the sink's reference): 19 frames later its
  // pixels are its own, never recycled for another frame.
  const renderer = new TestPatternRenderer("I420", 16, 16);
  const expected = new Uint8Array(renderer.byteLength);
  renderer.render(0, expected);
  assert.deepEqual(first!.data, expected);
});

Deno.test("TestPattern in a runtime, in one isolate and in a Worker, leaks no frame", async () => {
  for (const worker of [false, true]) {
    const { leaks, problems, stats } = await runForLeaks(
      (rt, placement) => {
        rt.add("TestPattern", { width: 64, height: 48, fps: 200 }, { id: "bars", placement });
        rt.add("NullSink", {}, { id: "sink" });
        rt.connectByName("bars", "video", "sink", "in", { capacity: 16, policy: "fifo" });
      },
      (rt) => rt.stats().nodes.sink.framesIn >= 20,
      { worker },
    );
    assert.deepEqual(problems, [], `worker: ${worker}`);
    assert.deepEqual(leaks, [], `worker: ${worker}`);
    assert.equal(stats.nodes.bars.framesDropped, 0);
  }
});

Deno.test("TestPattern config names the field and the valid values", async () => {
  assert.throws(
    () => testPatternNode.create({ pixelFormat: "YUY2" }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "pixelFormat" &&
      e.message.includes('one of "RGBA", "BGRA", "I420", "NV12"'),
  );
  const odd = testPatternNode.create({ width: 641, height: 480, pixelFormat: "I420" });
  await assert.rejects(
    () => odd.setup(ctx),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues.length === 1 &&
      e.issues[0].field === "width" && e.issues[0].actual === "641" &&
      /even integer for I420.*"RGBA" or "BGRA"/.test(e.message),
  );
  const rgb = testPatternNode.create({ width: 641, height: 481, pixelFormat: "RGBA" });
  await rgb.setup(ctx);
  assert.deepEqual(testPatternNode.create().config, {
    width: 640,
    height: 480,
    fps: 30,
    pixelFormat: "RGBA",
  });
});

Deno.test("TestPattern stamps a frame with the deadline its run serves, so skipped deadlines leave a gap, not a lag", async () => {
  const { pattern, sink } = await start({ width: 16, height: 16, fps: 25, pixelFormat: "I420" });
  const hand = createProcessContext("bars", { clock });
  let deadline: number | undefined;
  const run = Object.create(hand, { deadlineNs: { get: () => deadline } }) as ProcessContext;
  const stamps: number[] = [];
  // Deadlines 1 s and 1.04 s, then three skipped by a loop that fell behind, then 1.2 s; then a
  // run without a deadline (out of the loop) and one whose deadline precedes the previous end.
  for (const d of [1e9, 1.04e9, 1.2e9, undefined, 1.2e9]) {
    deadline = d;
    pattern.process(run);
    hand.frames.flush(); // the runtime's release when process() returns
    stamps.push(sink.read()!.timestampNs);
  }
  assert.deepEqual(stamps, [1e9, 1.04e9, 1.2e9, 1.24e9, 1.28e9]);
  // The gap (1.08 s to 1.2 s) is counted; the wait for the first deadline is not.
  assert.equal(pattern.skippedNs, 120_000_000);
  assert.deepEqual(pattern.reportStats(), { droppedFrames: 0, skippedMs: 120 });
});
