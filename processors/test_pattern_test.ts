import assert from "node:assert/strict";
import {
  ConfigValidationError,
  connectLocal,
  InputBinding,
  type MediaClock,
  type ProcessContext,
  READER_KEEPS,
  type SetupContext,
  type VideoFrame,
} from "../mod.ts";
import { testPatternNode } from "./test_pattern.gen.ts";
import { TestPatternRenderer } from "./video/test_pattern.ts";

const clock: MediaClock = { nowNs: () => 5_000 };
const ctx: ProcessContext = { node: "bars", clock };

function start(config: unknown, capacity = 8) {
  const ports = testPatternNode.ports();
  const pattern = testPatternNode.create(config, ports);
  const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
  connectLocal(ports.output<VideoFrame>("video"), sink, { capacity, policy: "fifo" });
  pattern.setup(ctx);
  return { pattern, sink };
}

Deno.test("TestPattern.process() renders the bars with the moving box in every pixel format", () => {
  for (const pixelFormat of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const { pattern, sink } = start({ width: 96, height: 64, pixelFormat });
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

Deno.test("TestPattern declares a 1/fps loop period, stamps frames by it and reuses capacity + READER_KEEPS + 1 frames", () => {
  const { pattern, sink } = start({ width: 16, height: 16, fps: 25 }, 8);
  assert.equal(pattern.periodNs, 40_000_000);
  const declared: number[] = [];
  const loop = { periodNs: undefined, setPeriodNs: (ns: number) => void declared.push(ns) };
  const setup: SetupContext = { node: "bars", clock, loop };
  pattern.setup(setup);
  assert.deepEqual(declared, [40_000_000]);
  const seen = new Set<Uint8Array>();
  const stamps: number[] = [];
  for (let i = 0; i < 20; i++) {
    pattern.process(ctx);
    const frame = sink.read()!;
    seen.add(frame.data);
    stamps.push(frame.timestampNs);
  }
  assert.equal(seen.size, 8 + READER_KEEPS + 1); // the sink's connection holds 8
  assert.deepEqual(stamps.slice(0, 3), [5_000, 40_005_000, 80_005_000]);
});

Deno.test("TestPattern config names the field and the valid values", () => {
  assert.throws(
    () => testPatternNode.create({ pixelFormat: "YUY2" }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "pixelFormat" &&
      e.message.includes('one of "RGBA", "BGRA", "I420", "NV12"'),
  );
  const odd = testPatternNode.create({ width: 641, height: 480, pixelFormat: "I420" });
  assert.throws(
    () => odd.setup(ctx),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues.length === 1 &&
      e.issues[0].field === "width" && e.issues[0].actual === "641" &&
      /even integer for I420.*"RGBA" or "BGRA"/.test(e.message),
  );
  const rgb = testPatternNode.create({ width: 641, height: 481, pixelFormat: "RGBA" });
  rgb.setup(ctx);
  assert.deepEqual(testPatternNode.create().config, {
    width: 640,
    height: 480,
    fps: 30,
    pixelFormat: "RGBA",
  });
});
