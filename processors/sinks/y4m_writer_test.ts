import { UnconvertibleFrameError } from "../formats/writer_errors.ts";
import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import {
  ConfigValidationError,
  connectLocal,
  type MediaClock,
  OutputBinding,
  type ProcessContext,
  type VideoFrame,
} from "../../mod.ts";
import { testPatternNode } from "../sources/test_pattern.gen.ts";
import { convertFrame } from "../video/color_convert.ts";
import { TestPatternRenderer } from "../video/test_pattern.ts";
import { y4mWriterNode } from "./y4m_writer.gen.ts";
import { createProcessContext } from "../../mod.ts";

const clock: MediaClock = { nowNs: () => 0 };
const ctx: ProcessContext = createProcessContext("rec", { clock });

async function probe(path: string) {
  const out = await run("ffprobe", [
    "-v",
    "error",
    "-count_frames",
    "-show_entries",
    "stream=width,height,nb_read_frames,pix_fmt,r_frame_rate",
    "-of",
    "json",
    path,
  ]);
  return JSON.parse(out.text).streams[0];
}

/** Records `frames` test-pattern frames in `pixelFormat` through a Y4mWriter. */
async function record(path: string, pixelFormat: string, frames: number, fps: number) {
  const patternPorts = testPatternNode.ports();
  const pattern = testPatternNode.create({ width: 160, height: 120, pixelFormat }, patternPorts);
  const ports = y4mWriterNode.ports();
  const writer = y4mWriterNode.create({ path, width: 160, height: 120, fps }, ports);
  connectLocal(patternPorts.output("video"), ports.input("in"), { capacity: 4, policy: "fifo" });
  await pattern.setup(ctx);
  await writer.setup(ctx);
  for (let n = 0; n < frames; n++) {
    pattern.process(ctx);
    if (n % 2 === 1) await writer.process(ctx);
  }
  await writer.process(ctx);
  await writer.teardown();
  return writer;
}

Deno.test("Y4mWriter records TestPattern I420 frames that ffprobe counts and ffmpeg decodes bit-exact", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/bars.y4m`;
    const writer = await record(path, "I420", 10, 25);
    assert.equal(writer.framesWritten, 10);
    assert.deepEqual(await probe(path), {
      width: 160,
      height: 120,
      pix_fmt: "yuv420p",
      r_frame_rate: "25/1",
      nb_read_frames: "10",
    });
    const raw = (await run("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-"])).stdout;
    const renderer = new TestPatternRenderer("I420", 160, 120);
    const expected = new Uint8Array(renderer.byteLength);
    renderer.render(9, expected);
    assert.deepEqual(raw.subarray(9 * renderer.byteLength), expected);
  });
});

Deno.test("Y4mWriter converts RGBA frames to I420 and labels NTSC rates as 30000/1001", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/bars_rgba.y4m`;
    await record(path, "RGBA", 4, 29.97);
    const info = await probe(path);
    assert.deepEqual(
      [info.width, info.height, info.nb_read_frames, info.r_frame_rate],
      [160, 120, "4", "30000/1001"],
    );
    const raw = (await run("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-"])).stdout;
    const rgba = new TestPatternRenderer("RGBA", 160, 120);
    const frame = new Uint8Array(rgba.byteLength);
    rgba.render(0, frame);
    const i420 = new Uint8Array(160 * 120 * 3 / 2);
    convertFrame(frame, "RGBA", i420, "I420", 160, 120);
    assert.deepEqual(raw.subarray(0, i420.length), i420);
  });
});

Deno.test("Y4mWriter scales frames of another size and fails the node on a frame it cannot convert", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/small.y4m`;
    const ports = y4mWriterNode.ports();
    const writer = y4mWriterNode.create({ path, width: 4, height: 2 }, ports);
    const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
    connectLocal(source, ports.input("in"), { capacity: 4, policy: "fifo" });
    await writer.setup(ctx);
    const frame = (width: number, height: number): VideoFrame => ({
      kind: "video",
      width,
      height,
      format: "I420",
      stride: width,
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array(width * height * 3 / 2),
    });
    const big = frame(8, 4);
    big.data.fill(200); // a flat 8x4 frame scales to a flat 4x2 one
    source.write(big);
    source.write(frame(4, 2));
    await writer.process(ctx);
    assert.equal(writer.framesWritten, 2, "the 8x4 frame was scaled, not dropped");
    source.write(frame(5, 3));
    await assert.rejects(writer.process(ctx), (error: unknown) => {
      assert.ok(error instanceof UnconvertibleFrameError);
      assert.equal(error.code, "unconvertible_frame");
      assert.equal(error.frame, "I420 5x3");
      return true;
    });
    await writer.teardown();
    const file = await Deno.readFile(path);
    const header = file.indexOf(10) + 1;
    const firstFrame = file.subarray(header + 6, header + 6 + 12); // after "FRAME\n"
    assert.ok(firstFrame.every((v) => v === 200), `scaled frame: ${firstFrame}`);
  });
});

Deno.test("Y4mWriter config requires a path and an even size", () => {
  assert.throws(
    () => y4mWriterNode.create({ width: 64, height: 48 }),
    (e: unknown) => e instanceof ConfigValidationError && e.issues[0].field === "path",
  );
  assert.throws(
    () => y4mWriterNode.create({ path: "a.y4m", width: 641 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "width" &&
      /a multiple of 2/.test(e.message),
  );
});

Deno.test("Y4mWriter places frames by their timestamps: the last picture is repeated over a gap, counted", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/gap.y4m`;
    const ports = y4mWriterNode.ports();
    const writer = y4mWriterNode.create({ path, width: 4, height: 2, fps: 25 }, ports);
    const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
    connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
    await writer.setup(ctx);
    const frame = (n: number, luma: number): VideoFrame => ({
      kind: "video",
      width: 4,
      height: 2,
      format: "I420",
      stride: 4,
      timestampNs: 5e9 + n * 40e6, // 25 fps
      frameNumber: n,
      data: new Uint8Array(12).fill(luma),
    });
    // Frames 0 and 1, then the source skips 2..4, then frame 5; then one stamped like frame 5.
    for (const [n, luma] of [[0, 10], [1, 20], [5, 60], [5, 70]]) source.write(frame(n, luma));
    await writer.process(ctx);
    await writer.teardown();
    assert.equal(writer.repeatedFrames, 3);
    assert.deepEqual(writer.reportStats(), { framesWritten: 7, repeatedFrames: 3 });
    const raw = (await run("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-"])).stdout;
    const lumas = [...Array(7).keys()].map((i) => raw[i * 12]);
    assert.deepEqual(lumas, [10, 20, 20, 20, 20, 60, 70]);
  });
});

Deno.test("Y4mWriter writes a slow fps exactly and places frames by the rate it wrote", async () => {
  await withTempDir(async (dir) => {
    // One frame an hour (a time-lapse) and one each 2500 s: before, both were written F1:1000
    // (the rate in thousandths, at least 1) while frames were placed an hour or 2500 s apart.
    for (const [fps, rate] of [[1 / 3600, "1/3600"], [0.0004, "1/2500"], [12.5, "25/2"]] as const) {
      const path = `${dir}/slow_${rate.replace("/", "_")}.y4m`;
      const ports = y4mWriterNode.ports();
      const writer = y4mWriterNode.create({ path, width: 4, height: 2, fps }, ports);
      const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
      connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
      await writer.setup(ctx);
      // Frames 0, 1 and 2 of the rate, on time: none repeated.
      for (const n of [0, 1, 2]) {
        source.write({
          kind: "video",
          width: 4,
          height: 2,
          format: "I420",
          stride: 4,
          timestampNs: Math.round((n * 1e9) / fps),
          frameNumber: n,
          data: new Uint8Array(12).fill(16 + n),
        });
      }
      await writer.process(ctx);
      await writer.teardown();
      assert.equal(writer.repeatedFrames, 0, rate);
      const info = await probe(path);
      assert.equal(info.r_frame_rate, rate);
      assert.equal(info.nb_read_frames, "3");
    }
  });
});
