import assert from "node:assert/strict";
import { psnr } from "../psnr.ts";
import { createImage } from "./image.ts";
import { PixelEffect } from "./pixel_effect.ts";
import { WgslError } from "./wgsl_error.ts";
import { imageOf, runAndRead, testDevice, testPicture } from "./_test_gpu.ts";

const VIGNETTE = `
fn effect(c: vec4f, uv: vec2f) -> vec4f {
  let d = distance(uv, vec2f(0.5));
  return vec4f(c.rgb * (1.0 - params.strength * d * d), c.a);
}`;

function vignetteCpu(src: Uint8Array, w: number, h: number, strength: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const du = (x + 0.5) / w - 0.5;
      const dv = (y + 0.5) / h - 0.5;
      const k = 1 - strength * (du * du + dv * dv);
      const o = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) {
        out[o + c] = Math.round(Math.min(1, Math.max(0, (src[o + c] / 255) * k)) * 255);
      }
      out[o + 3] = src[o + 3];
    }
  }
  return out;
}

Deno.test("PixelEffect runs one WGSL function per pixel, with uv and parameters, as its CPU twin", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  using effect = await PixelEffect.create(device, {
    name: "vignette",
    wgsl: VIGNETTE,
    params: ["strength"],
  });
  for (const [w, h, strength] of [[33, 19, 1.5], [1, 1, 2], [128, 72, 0.5]]) {
    effect.setParams({ strength });
    const src = testPicture(w, h, w, false);
    const srcImage = imageOf(device, src, w, h);
    const dst = createImage(device, w, h);
    const got = await runAndRead(device, (e) => effect.apply(e, srcImage, dst), dst);
    const db = psnr(vignetteCpu(src, w, h, strength), got);
    assert.ok(db >= 50, `${db.toFixed(1)} dB at ${w}x${h}`);
  }
});

Deno.test("PixelEffect gives the author's code frame.size, frame.time and neighbours through src", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  using effect = await PixelEffect.create(device, {
    name: "probe",
    wgsl: `
      fn effect(c: vec4f, uv: vec2f) -> vec4f {
        let right = textureLoad(src, vec2u(min(u32(uv.x * frame.size.x) + 1u, u32(frame.size.x) - 1u), 0u), 0);
        return vec4f(frame.size.x / 255.0, frame.time / 255.0, right.r, 1.0);
      }`,
  });
  const src = imageOf(device, new Uint8Array([10, 0, 0, 255, 200, 0, 0, 255]), 2, 1);
  const dst = createImage(device, 2, 1);
  const got = await runAndRead(device, (e) => effect.apply(e, src, dst, 7), dst);
  assert.deepEqual(Array.from(got.subarray(0, 4)), [2, 7, 200, 255]);
});

Deno.test("PixelEffect.create() reports WGSL errors with the author's line numbers", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  try {
    await PixelEffect.create(device, {
      name: "broken",
      wgsl: "fn effect(c: vec4f, uv: vec2f) -> vec4f {\n  return colour;\n}",
    });
    assert.fail("compiled");
  } catch (e) {
    assert.ok(e instanceof WgslError);
    assert.equal(e.code, "wgsl_invalid");
    assert.equal(e.shader, "broken");
    assert.match(e.messages.join("\n"), /colour/);
    assert.match(e.messages[0], /^line 2: /);
  }
  await assert.rejects(
    () =>
      PixelEffect.create(device, {
        name: "x",
        wgsl: "fn effect(c: vec4f, uv: vec2f) -> vec4f { return c; }",
        params: ["1a"],
      }),
    WgslError,
  );
});

Deno.test("PixelEffect.setParams() refuses a name the effect does not have", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  using effect = await PixelEffect.create(device, {
    name: "v",
    wgsl: VIGNETTE,
    params: ["strength"],
  });
  assert.throws(
    () => effect.setParams({ strenght: 1 }),
    /no such parameter, expected one of strength/,
  );
});
