/**
 * A GPU chain into H.264 and MP4: test pattern (CPU, uploaded by its connection) -> GpuScale ->
 * VideoCompositor (with a second live pattern as picture in picture) -> TextOverlay -> WgslEffect
 * -> GpuToYuv (I420, one readback) -> H264Encoder -> Mp4Writer, checked with ffprobe and ffmpeg;
 * no frame leaked and every texture back in the pool.
 *
 * A machine without a WebGPU adapter fails this test (it does not skip it): install
 * `mesa-vulkan-drivers` (`scripts/install_test_deps.sh` does).
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, Mp4Writer, TestPattern } from "../../processors/mod.ts";
import {
  GpuScale,
  GpuToYuv,
  TextOverlay,
  VideoCompositor,
  WgslEffect,
} from "../../processors/mod.ts";
import { withTempDir } from "../media/media_tools.ts";
import { decodeErrors, probe } from "../media/mp4_tools.ts";

/** Waits for `done()` (checked every 10 ms), failing after a generous deadline. */
async function until(done: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("A GPU chain feeds H264Encoder through GpuToYuv: an MP4 ffprobe reads, no texture leaked", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/gpu.mp4`;
    const rt = createRuntime();
    const main = rt.add(TestPattern, { width: 320, height: 240, pixelFormat: "RGBA", fps: 30 });
    const inset = rt.add(TestPattern, { width: 160, height: 120, pixelFormat: "BGRA", fps: 15 });
    const scale = rt.add(GpuScale, { width: 256, height: 144 });
    const mix = rt.add(VideoCompositor, {
      width: 256,
      height: 144,
      layers: [
        { x: 0, y: 0, width: 0, height: 0, alpha: 1, z: 0 },
        { x: 168, y: 8, width: 80, height: 60, alpha: 0.8, z: 1 },
      ],
    });
    const caption = rt.add(TextOverlay, { text: "GPU", x: 8, y: 8, scale: 2 });
    const vignette = rt.add(WgslEffect, {
      wgsl: `fn effect(c: vec4f, uv: vec2f) -> vec4f {
        let d = distance(uv, vec2f(0.5));
        return vec4f(c.rgb * (1.0 - params.strength * d * d), c.a);
      }`,
      params: { strength: 0.8 },
    });
    const yuv = rt.add(GpuToYuv, { pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 30 });
    const writer = rt.add(Mp4Writer, { path });
    const fifo = { policy: "fifo", capacity: 4 } as const;
    const upload = rt.connect(main.outputs.video, scale.inputs.in, fifo);
    rt.connect(inset.outputs.video, mix.inputs.in_1);
    rt.connect(scale.outputs.out, mix.inputs.in_0, fifo);
    rt.connect(mix.outputs.out, caption.inputs.in, fifo);
    rt.connect(caption.outputs.out, vignette.inputs.in, fifo);
    rt.connect(vignette.outputs.out, yuv.inputs.in, fifo);
    const readback = rt.connect(yuv.outputs.out, encoder.inputs.in, fifo);
    rt.connect(encoder.outputs.out, writer.inputs.video, fifo);
    await rt.start();
    await until(() => rt.stats().nodes[writer.name].framesIn >= 30, "30 frames in the writer");
    const stats = rt.stats();
    await rt.stop();

    const { format, streams } = await probe(path);
    assert.match(format, /mp4/);
    assert.equal(streams.length, 1);
    assert.equal(streams[0].codec_name, "h264");
    assert.deepEqual([streams[0].width, streams[0].height], [256, 144]);
    assert.ok(Number(streams[0].nb_read_frames) >= 30, streams[0].nb_read_frames);
    assert.equal(await decodeErrors(path), "");
    // One upload into the chain, and no download anywhere in it: GpuToYuv reads back I420 itself.
    assert.ok(stats.connections[upload.id].uploads! >= 30);
    assert.equal(stats.connections[readback.id].downloads, undefined);
    assert.deepEqual(rt.frameLeaks(), []);
    assert.equal(rt.stats().gpu?.inUse, 0, "every texture is back in the pool");
  });
});
