import assert from "node:assert/strict";
import { convertFrame } from "../../processors/video/color_convert.ts";
import { frameByteLength, type PixelFormat } from "../../processors/video/pixel_format.ts";
import { BilinearScaler } from "../../processors/video/scale.ts";
import { testPatternBox, TestPatternRenderer } from "../../processors/video/test_pattern.ts";
import { run, withTempDir } from "./media_tools.ts";

const W = 640;
const H = 480;
const FFMPEG_FORMATS: Record<PixelFormat, string> = {
  RGBA: "rgba",
  BGRA: "bgra",
  I420: "yuv420p",
  NV12: "nv12",
};

/** Converts one raw frame with ffmpeg's swscale. */
async function ffmpegConvert(
  dir: string,
  frame: Uint8Array,
  from: PixelFormat,
  to: PixelFormat,
  flags: string[],
): Promise<Uint8Array> {
  const input = `${dir}/in.raw`;
  await Deno.writeFile(input, frame);
  const out = await run("ffmpeg", [
    "-v",
    "error",
    "-f",
    "rawvideo",
    "-pix_fmt",
    FFMPEG_FORMATS[from],
    "-s",
    `${W}x${H}`,
    "-i",
    input,
    ...flags,
    "-f",
    "rawvideo",
    "-pix_fmt",
    FFMPEG_FORMATS[to],
    "-",
  ]);
  return out.stdout;
}

function differences(a: Uint8Array, b: Uint8Array, from = 0, to = a.length) {
  let max = 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / (to - from) };
}

function pattern(format: PixelFormat, frameNumber: number): Uint8Array {
  const renderer = new TestPatternRenderer(format, W, H);
  const frame = new Uint8Array(renderer.byteLength);
  renderer.render(frameNumber, frame);
  return frame;
}

Deno.test("convertFrame() RGBA/BGRA -> I420/NV12 matches ffmpeg's swscale", async () => {
  await withTempDir(async (dir) => {
    for (const source of ["RGBA", "BGRA"] as const) {
      const rgb = pattern(source, 10);
      for (const target of ["I420", "NV12"] as const) {
        const ours = new Uint8Array(frameByteLength(target, W, H));
        convertFrame(rgb, source, ours, target, W, H);
        // swscale's area filter averages each 2x2 block for chroma, as we do.
        const exact = await ffmpegConvert(dir, rgb, source, target, [
          "-sws_flags",
          "area+accurate_rnd",
        ]);
        const all = differences(ours, exact);
        assert.ok(all.max <= 1, `${source}->${target} vs area+accurate_rnd: max ${all.max}`);
        // With default flags luma still agrees; chroma differs only around colour edges, where
        // swscale's bicubic chroma filter reaches across them.
        const usual = await ffmpegConvert(dir, rgb, source, target, []);
        const luma = differences(ours, usual, 0, W * H);
        const chroma = differences(ours, usual, W * H);
        assert.ok(luma.max <= 1, `${source}->${target} luma: max ${luma.max}`);
        assert.ok(chroma.mean < 0.5, `${source}->${target} chroma: mean ${chroma.mean}`);
      }
    }
  });
});

Deno.test("convertFrame() I420/NV12 -> RGBA matches ffmpeg's swscale with nearest chroma", async () => {
  await withTempDir(async (dir) => {
    for (const source of ["I420", "NV12"] as const) {
      const yuv = pattern(source, 4);
      for (const target of ["RGBA", "BGRA"] as const) {
        const ours = new Uint8Array(frameByteLength(target, W, H));
        convertFrame(yuv, source, ours, target, W, H);
        const theirs = await ffmpegConvert(dir, yuv, source, target, [
          "-sws_flags",
          "neighbor+accurate_rnd+full_chroma_int",
        ]);
        const diff = differences(ours, theirs);
        assert.ok(diff.max <= 1, `${source}->${target}: max ${diff.max}`);
      }
    }
  });
});

Deno.test("TestPatternRenderer I420 output equals ffmpeg's smptebars outside the moving box", async () => {
  const raw = (await run("ffmpeg", [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    `smptebars=size=${W}x${H}:rate=1`,
    "-frames:v",
    "1",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "yuv420p",
    "-",
  ])).stdout;
  const ours = pattern("I420", 37);
  const box = testPatternBox(W, H, 37);
  const inBox = (x: number, y: number) =>
    x >= box.x && x < box.x + box.size && y >= box.y && y < box.y + box.size;
  let compared = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (inBox(x, y)) continue;
      assert.equal(ours[y * W + x], raw[y * W + x], `Y at ${x},${y}`);
      compared++;
    }
  }
  for (let plane = 0; plane < 2; plane++) {
    const base = W * H + plane * (W / 2) * (H / 2);
    for (let cy = 0; cy < H / 2; cy++) {
      for (let cx = 0; cx < W / 2; cx++) {
        if (inBox(2 * cx, 2 * cy)) continue;
        const i = base + cy * (W / 2) + cx;
        assert.equal(ours[i], raw[i], `${plane ? "V" : "U"} at ${cx},${cy}`);
      }
    }
  }
  assert.equal(compared, W * H - box.size * box.size);
});

Deno.test("BilinearScaler upscaling matches ffmpeg's bilinear scale within one level", async () => {
  await withTempDir(async (dir) => {
    for (const format of ["RGBA", "I420"] as const) {
      for (const [dw, dh] of [[128, 96], [96, 72]]) {
        const renderer = new TestPatternRenderer(format, 64, 48);
        const src = new Uint8Array(renderer.byteLength);
        renderer.render(3, src);
        const scaler = new BilinearScaler(format, 64, 48, dw, dh);
        const ours = new Uint8Array(scaler.dstByteLength);
        scaler.scale(src, ours);
        await Deno.writeFile(`${dir}/small.raw`, src);
        const theirs = (await run("ffmpeg", [
          "-v",
          "error",
          "-f",
          "rawvideo",
          "-pix_fmt",
          FFMPEG_FORMATS[format],
          "-s",
          "64x48",
          "-i",
          `${dir}/small.raw`,
          "-vf",
          `scale=${dw}:${dh}:flags=bilinear+accurate_rnd`,
          "-f",
          "rawvideo",
          "-pix_fmt",
          FFMPEG_FORMATS[format],
          "-",
        ])).stdout;
        assert.equal(theirs.length, ours.length);
        const diff = differences(ours, theirs);
        assert.ok(diff.max <= 1, `${format} 64x48 -> ${dw}x${dh}: max ${diff.max}`);
      }
    }
  });
});
