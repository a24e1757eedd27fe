import assert from "node:assert/strict";
import { createProcessContext } from "../processor/create_context.ts";
import { GpuResources } from "../gpu/gpu_context.ts";
import { GpuNotReadyError } from "../gpu/errors.ts";
import { readGpuFrame, writeGpuFrame } from "../gpu/frame_io.ts";
import { FrameReleasedError } from "./owned_frame.ts";

const pixels = (n: number, value: number) => new Uint8Array(n * 4).fill(value);

Deno.test("NodeFrames.gpuVideo() throws GpuNotReadyError before ctx.gpu.ready()", () => {
  const ctx = createProcessContext("fx");
  assert.throws(
    () => ctx.frames.gpuVideo({ width: 2, height: 2, format: "RGBA" }),
    (e) => e instanceof GpuNotReadyError && e.node === "fx",
  );
});

Deno.test("NodeFrames.gpuVideo() refuses CPU-only formats and sizes over the device's limit", async () => {
  const ctx = createProcessContext("fx");
  const device = await ctx.gpu.ready();
  assert.throws(
    () => ctx.frames.gpuVideo({ width: 2, height: 2, format: "I420" as "RGBA" }),
    { name: "InvalidFrameShapeError" },
  );
  const limit = device.limits.maxTextureDimension2D;
  assert.throws(() => ctx.frames.gpuVideo({ width: limit + 1, height: 1, format: "RGBA" }), {
    name: "InvalidFrameShapeError",
  });
});

Deno.test("NodeFrames.writable() of a GPU frame: in place when unique, else a GPU copy", async () => {
  const ctx = createProcessContext("fx");
  await ctx.gpu.ready();
  const frame = ctx.frames.gpuVideo({ width: 4, height: 2, format: "RGBA" })!;
  writeGpuFrame(frame, pixels(8, 42));
  frame.frameNumber = 9;
  assert.equal(ctx.frames.writable(frame), frame, "only this run holds it");
  frame.retain(); // a connection queues it too
  const copy = ctx.frames.writable(frame)!;
  assert.notEqual(copy, frame);
  assert.equal(copy.frameNumber, 9);
  assert.deepEqual(await readGpuFrame(copy), pixels(8, 42));
  ctx.frames.flush();
  assert.throws(() => copy.texture, FrameReleasedError);
  assert.equal(frame.refCount, 1, "the connection's reference is left");
  frame.release();
  assert.throws(() => frame.texture, FrameReleasedError);
});

Deno.test("NodeFrames.gpuVideo() returns undefined at the pool's budget, and the pool says when a texture frees", async () => {
  const gpu = new GpuResources({ budgetBytes: 16 * 16 * 4 });
  const ctx = createProcessContext("fx", { gpu });
  await ctx.gpu.ready();
  const first = ctx.frames.gpuVideo({ width: 16, height: 16, format: "RGBA" })!;
  assert.equal(ctx.frames.gpuVideo({ width: 16, height: 16, format: "RGBA" }), undefined);
  assert.equal(ctx.frames.takeExhausted(), true);
  let freed = 0;
  ctx.frames.onMemoryFree(() => freed++);
  ctx.frames.flush();
  assert.equal(freed, 1);
  assert.equal(first.released, true);
  assert.deepEqual([gpu.stats().inUse, gpu.stats().free, gpu.stats().exhausted], [0, 1, 1]);
  gpu.close();
});
