import assert from "node:assert/strict";
import { encode } from "fast-png";
import {
  connectLocal,
  createProcessContext,
  type GpuVideoFrame,
  InputBinding,
  OutputBinding,
  type OwnedGpuVideoFrame,
} from "../../mod.ts";
import { compositeRgba, premultiply } from "../video/composite.ts";
import { GpuReadback } from "../video/gpu/readback.ts";
import { testPicture } from "../video/gpu/_test_gpu.ts";
import { psnr } from "../video/psnr.ts";
import { createRuntime } from "../runtime.ts";
import { NullSink } from "../sinks/null_sink.ts";
import { TestPattern } from "../sources/test_pattern.ts";
import { ImageOverlay, overlayPlacement } from "./image_overlay.ts";
import { imageOverlayNode } from "./image_overlay.gen.ts";

/** A PNG of `testPicture()` (varied alpha) in a temporary file. */
async function pngFile(width: number, height: number) {
  const data = testPicture(width, height, 7, false);
  const path = await Deno.makeTempFile({ suffix: ".png" });
  await Deno.writeFile(path, encode({ width, height, data, channels: 4, depth: 8 }));
  return { path, picture: { data, width, height } };
}

/** An ImageOverlay driven by hand, as a runtime drives it (no runtime needed). */
async function handDriven(src: string) {
  const ctx = createProcessContext("logo");
  const device = await ctx.gpu.ready();
  const ports = imageOverlayNode.ports();
  const overlay = imageOverlayNode.create({ src }, ports);
  const source = new OutputBinding<GpuVideoFrame>("source", "GpuVideoFrame");
  const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
  connectLocal(source, ports.input("in"));
  connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink);
  await overlay.setup(ctx);
  const run = async (rgba: Uint8Array, width: number, height: number) => {
    const frame = ctx.frames.gpuVideo({ width, height, format: "RGBA" })!;
    device.queue.writeTexture({ texture: frame.texture }, rgba as Uint8Array<ArrayBuffer>, {
      bytesPerRow: width * 4,
    }, [width, height]);
    source.write(frame);
    overlay.process(ctx);
    const out = sink.read() as OwnedGpuVideoFrame;
    const pixels = await new GpuReadback(device).texture(out.texture);
    ctx.frames.flush(); // what the runtime does when process() returns
    out.release(); // the sink's reference
    return pixels;
  };
  return { ctx, overlay, run };
}

Deno.test("ImageOverlay matches compositeRgba() within 50 dB: odd sizes, partly outside, scaled, alpha 0, 0.5 and 1, changed live", async () => {
  const { path, picture } = await pngFile(31, 19);
  const { overlay: node, run } = await handDriven(path);
  try {
    const [W, H] = [97, 61];
    const frame = testPicture(W, H, 3);
    const overlay = premultiply(picture); // what GpuOverlay uploads
    const cases = [
      { x: 0, y: 0, width: 0, height: 0, alpha: 1 }, // its own size
      { x: -7, y: 50, width: 0, height: 0, alpha: 1 }, // out at the left and the bottom
      { x: 80, y: -5, width: 45, height: 0, alpha: 0.5 }, // scaled up, out at the right and top
      { x: 10, y: 20, width: 13, height: 9, alpha: 0.5 }, // scaled down
      { x: 10, y: 20, width: 0, height: 0, alpha: 0 }, // hidden
    ];
    for (const change of cases) {
      Object.assign(node.config, change); // what rt.setConfig() does to live fields
      node.configChanged(Object.keys(change));
      const got = await run(frame, W, H);
      const expected = new Uint8Array(W * H * 4);
      compositeRgba(
        [
          { picture: { data: frame, width: W, height: H }, x: 0, y: 0, width: W, height: H },
          { picture: overlay, ...overlayPlacement(change, picture), z: 1, premultiplied: true },
        ],
        expected,
        W,
        H,
      );
      if (change.alpha === 0) assert.deepEqual(got, frame, "alpha 0 leaves the frame as it is");
      const db = psnr(expected, got);
      assert.ok(db >= 50, `${db.toFixed(1)} dB for ${JSON.stringify(change)}`);
    }
  } finally {
    node.teardown();
    await Deno.remove(path);
  }
});

Deno.test("ImageOverlay scales in premultiplied alpha: no dark fringe from transparent black pixels", async () => {
  const path = await Deno.makeTempFile({ suffix: ".png" });
  // Opaque red beside transparent black, stretched 8 times over white.
  const data = new Uint8Array([255, 0, 0, 255, 0, 0, 0, 0]);
  await Deno.writeFile(path, encode({ width: 2, height: 1, data, channels: 4, depth: 8 }));
  const { overlay, run } = await handDriven(path);
  try {
    Object.assign(overlay.config, { width: 16, height: 1 });
    overlay.configChanged(["width", "height"]);
    const got = await run(new Uint8Array(16 * 4).fill(255), 16, 1);
    const reds = Array.from({ length: 16 }, (_, x) => got[x * 4]);
    // Red over white keeps red at 255 wherever the edge is; straight filtering would darken it
    // towards the transparent pixel's black (to 192 in the edge's middle).
    assert.deepEqual(reds, new Array(16).fill(255));
    const greens = Array.from({ length: 16 }, (_, x) => got[x * 4 + 1]);
    assert.ok(
      greens[0] === 0 && greens[15] === 255 &&
        greens.every((g, i) => i === 0 || g >= greens[i - 1]),
    );
  } finally {
    overlay.teardown();
    await Deno.remove(path);
  }
});

Deno.test("ImageOverlay blends straight alpha: a half-transparent pixel keeps its colour at half weight", async () => {
  const path = await Deno.makeTempFile({ suffix: ".png" });
  await Deno.writeFile(
    path,
    encode({ width: 1, height: 1, data: new Uint8Array([200, 40, 0, 128]), channels: 4, depth: 8 }),
  );
  const { overlay, run } = await handDriven(path);
  try {
    const white = new Uint8Array([255, 255, 255, 255]);
    // 200 * 128/255 + 255 * (1 - 128/255) = 227; a decoder that premultiplied would give 177.
    assert.deepEqual(Array.from(await run(white, 1, 1)), [227, 147, 127, 255]);
  } finally {
    overlay.teardown();
    await Deno.remove(path);
  }
});

Deno.test("ImageOverlay.setup() fails with a coded ImageLoadError for a missing, garbled or unsupported source", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const garbled = `${dir}/cut.png`;
    await Deno.writeFile(
      garbled,
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0]),
    );
    const gif = `${dir}/a.gif`;
    await Deno.writeTextFile(gif, "GIF89a");
    for (
      const [src, code] of [[`${dir}/none.png`, "image_not_found"], [garbled, "image_invalid"], [
        gif,
        "image_unsupported",
      ]]
    ) {
      await assert.rejects(handDriven(src), (e) => (e as { code?: string }).code === code, src);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ImageOverlay in a runtime: a live change while running, no frame or texture left at stop", async () => {
  const { path } = await pngFile(21, 13);
  const rt = createRuntime();
  try {
    const pattern = rt.add(TestPattern, { width: 65, height: 47, fps: 200, pixelFormat: "RGBA" });
    const logo = rt.add(ImageOverlay, { src: path, x: 40, y: 30 });
    const sink = rt.add(NullSink, {});
    rt.connect(pattern.outputs.video, logo.inputs.in);
    rt.connect(logo.outputs.out, sink.inputs.in);
    await rt.start();
    const frames = async (n: number) => {
      const deadline = Date.now() + 30_000;
      while (rt.stats().nodes[sink.name].framesIn < n) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${n} frames`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await frames(5);
    assert.equal(rt.setConfig(logo.name, { x: -5, alpha: 0.5, width: 30 }).applied, "live");
    const seen = rt.stats().nodes[sink.name].framesIn;
    await frames(seen + 5);
    await rt.stop();
    assert.deepEqual(rt.frameLeaks(), []);
    assert.equal(rt.stats().gpu?.inUse, 0, "every texture is back in the pool");
  } finally {
    await Deno.remove(path);
  }
});
