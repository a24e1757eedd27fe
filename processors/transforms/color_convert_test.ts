import assert from "node:assert/strict";
import {
  ConfigValidationError,
  connectLocal,
  InputBinding,
  OutputBinding,
  type ProcessContext,
  type VideoFrame,
} from "../../mod.ts";
import { colorConvertNode } from "./color_convert.gen.ts";
import { TestPatternRenderer } from "../video/test_pattern.ts";
import { createProcessContext } from "../../mod.ts";
import { runForLeaks } from "../../tests/fixtures/runtime/leak_rig.ts";

const ctx: ProcessContext = createProcessContext("convert");

async function start(pixelFormat: string) {
  const ports = colorConvertNode.ports();
  const convert = colorConvertNode.create({ pixelFormat }, ports);
  const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
  const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  connectLocal(ports.output<VideoFrame>("out"), sink, { capacity: 8, policy: "fifo" });
  await convert.setup(ctx);
  return { convert, source, sink };
}

function bars(width: number, height: number): VideoFrame {
  const pattern = new TestPatternRenderer("RGBA", width, height);
  const data = new Uint8Array(pattern.byteLength);
  pattern.render(0, data);
  return {
    kind: "video",
    width,
    height,
    format: "RGBA",
    stride: width * 4,
    timestampNs: 9,
    frameNumber: 1,
    data,
  };
}

Deno.test("ColorConvert RGBA -> I420 -> RGBA round trip of the bars stays within 3 levels", async () => {
  for (const middle of ["I420", "NV12"] as const) {
    const toYuv = await start(middle);
    const toRgb = await start("RGBA");
    const input = bars(320, 240);
    toYuv.source.write(input);
    toYuv.convert.process(ctx);
    const yuv = toYuv.sink.read()!;
    assert.deepEqual([yuv.format, yuv.stride, yuv.data.length], [middle, 320, 320 * 240 * 1.5]);
    toRgb.source.write(yuv);
    toRgb.convert.process(ctx);
    const back = toRgb.sink.read()!;
    assert.deepEqual([back.format, back.width, back.height, back.stride], ["RGBA", 320, 240, 1280]);
    assert.deepEqual([back.timestampNs, back.frameNumber], [9, 1]);
    let worst = 0;
    for (let i = 0; i < input.data.length; i++) {
      worst = Math.max(worst, Math.abs(back.data[i] - input.data[i]));
    }
    assert.ok(worst <= 3, `${middle}: worst difference ${worst}`);
  }
});

Deno.test("ColorConvert swaps RGBA to BGRA and passes frames already in the target format on", async () => {
  const { convert, source, sink } = await start("BGRA");
  const input = bars(8, 8);
  source.write(input);
  convert.process(ctx);
  const out = sink.read()!;
  assert.deepEqual(Array.from(out.data.subarray(8 * 4, 8 * 4 + 4)), [
    input.data[8 * 4 + 2],
    input.data[8 * 4 + 1],
    input.data[8 * 4],
    255,
  ]);
  source.write(out);
  convert.process(ctx);
  assert.equal(sink.read(), out);
});

Deno.test("ColorConvert drops odd-sized frames it cannot convert to 4:2:0", async () => {
  const { convert, source, sink } = await start("I420");
  source.write(bars(5, 3));
  convert.process(ctx);
  assert.equal(sink.read(), undefined);
  assert.equal(convert.droppedFrames, 1);
});

Deno.test("ColorConvert config names the valid pixel formats", () => {
  assert.throws(
    () => colorConvertNode.create({ pixelFormat: "YUY2" }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "pixelFormat" &&
      e.issues[0].expected === 'one of "RGBA", "BGRA", "I420", "NV12"',
  );
});

Deno.test("ColorConvert in a runtime, in one isolate and in a Worker, converts every frame and leaks none", async () => {
  for (const worker of [false, true]) {
    const { leaks, problems, stats } = await runForLeaks(
      (rt, placement) => {
        rt.add("TestPattern", { width: 64, height: 48, fps: 200 }, { id: "bars" });
        rt.add("ColorConvert", { pixelFormat: "NV12" }, { id: "convert", placement });
        rt.add("ColorConvert", { pixelFormat: "NV12" }, { id: "same", placement });
        rt.add("NullSink", {}, { id: "sink" });
        rt.connectByName("bars", "video", "convert", "in");
        rt.connectByName("convert", "out", "same", "in"); // already NV12: passed on
        rt.connectByName("same", "out", "sink", "in");
      },
      (rt) => rt.stats().nodes.sink.framesIn >= 20,
      { worker },
    );
    assert.deepEqual(problems, [], `worker: ${worker}`);
    assert.deepEqual(leaks, [], `worker: ${worker}`);
    assert.equal(stats.nodes.convert.framesDropped, 0);
  }
});
