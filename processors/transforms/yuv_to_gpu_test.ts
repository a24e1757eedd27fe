import assert from "node:assert/strict";
import {
  connectLocal,
  createProcessContext,
  type GpuVideoFrame,
  InputBinding,
  OutputBinding,
  type VideoFrame,
} from "../../mod.ts";
import { convertFrame } from "../video/color_convert.ts";
import { GpuReadback } from "../video/gpu/readback.ts";
import { testPicture } from "../video/gpu/_test_gpu.ts";
import { frameByteLength } from "../video/pixel_format.ts";
import { gpuToYuvNode } from "./gpu_to_yuv.gen.ts";
import { yuvToGpuNode } from "./yuv_to_gpu.gen.ts";

Deno.test("YuvToGpu and GpuToYuv convert as convertFrame() does, byte for byte, in every format", async () => {
  const ctx = createProcessContext("yuv");
  const device = await ctx.gpu.ready();
  using readback = new GpuReadback(device);
  for (const [w, h] of [[34, 18], [64, 36], [6, 2]]) {
    const rgba = testPicture(w, h, w);
    for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
      // CPU bytes of `format` onto the GPU: RGBA as convertFrame() gives it.
      const data = new Uint8Array(frameByteLength(format, w, h));
      convertFrame(rgba, "RGBA", data, format, w, h);
      const upPorts = yuvToGpuNode.ports();
      const up = yuvToGpuNode.create({}, upPorts);
      const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
      const onGpu = new InputBinding<GpuVideoFrame>("gpu", "GpuVideoFrame");
      connectLocal(source, upPorts.input("in"));
      connectLocal(upPorts.output("out") as OutputBinding<GpuVideoFrame>, onGpu);
      await up.setup(ctx);
      source.write({
        kind: "video",
        width: w,
        height: h,
        format,
        stride: w,
        timestampNs: 7,
        frameNumber: 3,
        data,
      });
      up.process(ctx);
      const frame = onGpu.read()!;
      assert.deepEqual([frame.width, frame.height, frame.timestampNs, frame.frameNumber], [
        w,
        h,
        7,
        3,
      ]);
      const expected = new Uint8Array(w * h * 4);
      convertFrame(data, format, expected, "RGBA", w, h);
      assert.deepEqual(await readback.texture(frame.texture), expected, `${format} ${w}x${h} up`);
      up.teardown();
      if (format === "RGBA" || format === "BGRA") continue;
      // And back: GpuToYuv's readback is convertFrame()'s RGBA -> format.
      const downPorts = gpuToYuvNode.ports();
      const down = gpuToYuvNode.create({ pixelFormat: format }, downPorts);
      const gpuIn = new OutputBinding<GpuVideoFrame>("gpu", "GpuVideoFrame");
      const cpuOut = new InputBinding<VideoFrame>("cpu", "VideoFrame");
      connectLocal(gpuIn, downPorts.input("in"));
      connectLocal(downPorts.output("out") as OutputBinding<VideoFrame>, cpuOut);
      await down.setup(ctx);
      gpuIn.write(frame);
      await down.process(ctx);
      const back = cpuOut.read()!;
      const again = new Uint8Array(data.length);
      convertFrame(expected, "RGBA", again, format, w, h);
      assert.deepEqual(back.data.subarray(0, data.length), again, `${format} ${w}x${h} down`);
      down.teardown();
      ctx.frames.flush();
    }
  }
});

Deno.test("YuvToGpu drops frames it cannot convert and GpuToYuv odd-sized ones", async () => {
  const ctx = createProcessContext("yuv");
  await ctx.gpu.ready();
  const ports = yuvToGpuNode.ports();
  const up = yuvToGpuNode.create({}, ports);
  const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
  const sink = new InputBinding<GpuVideoFrame>("gpu", "GpuVideoFrame");
  connectLocal(source, ports.input("in"));
  connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink);
  await up.setup(ctx);
  const frame = (format: "I420" | "RGBA", w: number, h: number, bytes: number): VideoFrame => ({
    kind: "video",
    width: w,
    height: h,
    format,
    stride: w,
    timestampNs: 0,
    frameNumber: 0,
    data: new Uint8Array(bytes),
  });
  source.write(frame("I420", 5, 3, 100)); // odd 4:2:0
  source.write(frame("RGBA", 4, 4, 10)); // short payload
  up.process(ctx);
  assert.equal(sink.read(), undefined);
  assert.equal(ctx.frames.dropped, 2);
  up.teardown();
});
