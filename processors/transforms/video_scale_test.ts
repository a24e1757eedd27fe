import assert from "node:assert/strict";
import {
  ConfigValidationError,
  connectLocal,
  InputBinding,
  OutputBinding,
  type PixelFormat,
  type ProcessContext,
  type VideoFrame,
} from "../../mod.ts";
import { frameByteLength } from "../video/pixel_format.ts";
import { TestPatternRenderer } from "../video/test_pattern.ts";
import { videoScaleNode } from "./video_scale.gen.ts";
import { createProcessContext } from "../../mod.ts";
import { runForLeaks } from "../../tests/fixtures/runtime/leak_rig.ts";

const ctx: ProcessContext = createProcessContext("scale");

async function start(config: unknown) {
  const ports = videoScaleNode.ports();
  const scale = videoScaleNode.create(config, ports);
  const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
  const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  connectLocal(ports.output<VideoFrame>("out"), sink, { capacity: 8, policy: "fifo" });
  await scale.setup(ctx);
  return { scale, source, sink };
}

function frame(format: PixelFormat, width: number, height: number, data?: Uint8Array): VideoFrame {
  return {
    kind: "video",
    width,
    height,
    format,
    stride: format.endsWith("A") ? width * 4 : width,
    timestampNs: 42,
    frameNumber: 3,
    data: data ?? new Uint8Array(frameByteLength(format, width, height)),
  };
}

Deno.test("VideoScale.process() halves the test pattern and keeps known pixels", async () => {
  const { scale, source, sink } = await start({ width: 320, height: 240 });
  for (const format of ["RGBA", "I420"] as const) {
    const pattern = new TestPatternRenderer(format, 640, 480);
    const data = new Uint8Array(pattern.byteLength);
    pattern.render(0, data);
    source.write(frame(format, 640, 480, data));
    scale.process(ctx);
    const out = sink.read()!;
    assert.deepEqual(
      [out.format, out.width, out.height, out.stride, out.data.length],
      [format, 320, 240, format === "RGBA" ? 1280 : 320, frameByteLength(format, 320, 240)],
    );
    assert.deepEqual([out.timestampNs, out.frameNumber], [42, 3]);
    // The middle of the yellow bar (second of seven, 92 pixels wide at 640) at row 100.
    const x = (92 + 46) / 2;
    const y = 50;
    if (format === "RGBA") {
      assert.deepEqual(Array.from(out.data.subarray((y * 320 + x) * 4, (y * 320 + x) * 4 + 4)), [
        191,
        191,
        0,
        255,
      ]);
    } else {
      assert.equal(out.data[y * 320 + x], 162); // 75% yellow's luma
    }
  }
  assert.equal(scale.droppedFrames, 0);
});

Deno.test("VideoScale.process() interpolates an upscale bilinearly", async () => {
  const { scale, source, sink } = await start({ width: 4, height: 4 });
  const data = new Uint8Array(16);
  data.set([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255]);
  source.write(frame("RGBA", 2, 2, data));
  scale.process(ctx);
  const out = sink.read()!;
  assert.deepEqual(Array.from({ length: 4 }, (_, x) => out.data[4 * x]), [0, 64, 191, 255]);
});

Deno.test("VideoScale.process() passes frames of the target size on and drops unscalable ones", async () => {
  const { scale, source, sink } = await start({ width: 8, height: 6 });
  const same = frame("NV12", 8, 6);
  source.write(same);
  source.write({ ...frame("RGBA", 6, 4), format: "I420", width: 5, height: 3 });
  source.write(frame("I420", 16, 12, new Uint8Array(10)));
  scale.process(ctx);
  assert.equal(sink.read(), same);
  assert.equal(sink.read(), undefined);
  assert.equal(scale.droppedFrames, 2);
});

Deno.test("VideoScale config needs an even size", () => {
  assert.throws(
    () => videoScaleNode.create({ width: 321 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "width" &&
      e.issues[0].expected === "an integer from 2 to 7680 a multiple of 2",
  );
});

Deno.test("VideoScale in a runtime, in one isolate and in a Worker, scales every frame and leaks none", async () => {
  for (const worker of [false, true]) {
    const { leaks, problems, stats } = await runForLeaks(
      (rt, placement) => {
        rt.add("TestPattern", { width: 320, height: 240, fps: 200 }, { id: "bars" });
        rt.add("VideoScale", { width: 160, height: 120 }, { id: "scale", placement });
        rt.add("NullSink", {}, { id: "sink" });
        rt.connectByName("bars", "video", "scale", "in");
        rt.connectByName("scale", "out", "sink", "in");
      },
      (rt) => rt.stats().nodes.sink.framesIn >= 20,
      { worker, pool: { slotBytes: 320 * 240 * 4 + 64, slotCount: 32 } },
    );
    assert.deepEqual(problems, [], `worker: ${worker}`);
    assert.deepEqual(leaks, [], `worker: ${worker}`);
    assert.equal(stats.nodes.scale.framesDropped, 0);
  }
});
