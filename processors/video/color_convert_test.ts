import assert from "node:assert/strict";
import { BufferSizeError } from "./buffer_size_error.ts";
import { convertFrame } from "./color_convert.ts";
import { frameByteLength, FrameSizeError, type PixelFormat } from "./pixel_format.ts";
import { TestPatternRenderer } from "./test_pattern.ts";
import { rgbToYcbcr, ycbcrToRgb } from "./ycbcr.ts";

const W = 224;
const H = 120;

function pattern(format: PixelFormat, frame = 0): Uint8Array {
  const renderer = new TestPatternRenderer(format, W, H);
  const out = new Uint8Array(renderer.byteLength);
  renderer.render(frame, out);
  return out;
}

Deno.test("convertFrame() round-trips the bars RGBA -> I420 -> RGBA within 3 levels inside each bar", () => {
  const rgba = pattern("RGBA");
  for (const via of ["I420", "NV12"] as const) {
    const yuv = new Uint8Array(frameByteLength(via, W, H));
    const back = new Uint8Array(rgba.length);
    convertFrame(rgba, "RGBA", yuv, via, W, H);
    convertFrame(yuv, via, back, "RGBA", W, H);
    let worst = 0;
    let edges = 0;
    for (let i = 0; i < rgba.length; i++) {
      const error = Math.abs(rgba[i] - back[i]);
      if (error > 3) edges++;
      else worst = Math.max(worst, error);
    }
    // Chroma is shared by 2x2 blocks; every bar edge is even, so only the box edges could differ.
    assert.equal(edges, 0, `${via}: ${edges} samples off by more than 3`);
    assert.ok(worst <= 3);
  }
});

Deno.test("convertFrame() agrees with the per-pixel ycbcr reference on flat colours", () => {
  const rgba = new Uint8Array(4 * 4);
  const yuv = new Uint8Array(6);
  const ycc = [0, 0, 0];
  for (const [r, g, b] of [[12, 200, 99], [255, 128, 0], [1, 2, 3], [250, 250, 5]]) {
    for (let i = 0; i < 16; i += 4) rgba.set([r, g, b, 255], i);
    convertFrame(rgba, "RGBA", yuv, "I420", 2, 2);
    rgbToYcbcr(r, g, b, ycc);
    assert.ok(
      Math.abs(yuv[0] - ycc[0]) <= 1 && Math.abs(yuv[4] - ycc[1]) <= 1 &&
        Math.abs(yuv[5] - ycc[2]) <= 1,
    );
    const rgb = [0, 0, 0];
    ycbcrToRgb(yuv[0], yuv[4], yuv[5], rgb);
    const out = new Uint8Array(16);
    convertFrame(yuv, "I420", out, "RGBA", 2, 2);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(out[c] - rgb[c]) <= 1);
    assert.equal(out[3], 255);
  }
});

Deno.test("convertFrame() swaps RGBA and BGRA and repacks I420 and NV12 losslessly", () => {
  const rgba = pattern("RGBA", 3);
  const bgra = new Uint8Array(rgba.length);
  convertFrame(rgba, "RGBA", bgra, "BGRA", W, H);
  assert.deepEqual(bgra, pattern("BGRA", 3));
  assert.deepEqual(Array.from(bgra.subarray(0, 4)), [rgba[2], rgba[1], rgba[0], rgba[3]]);

  const i420 = pattern("I420", 3);
  const nv12 = new Uint8Array(i420.length);
  convertFrame(i420, "I420", nv12, "NV12", W, H);
  assert.deepEqual(nv12, pattern("NV12", 3));
  const back = new Uint8Array(i420.length);
  convertFrame(nv12, "NV12", back, "I420", W, H);
  assert.deepEqual(back, i420);

  const copy = new Uint8Array(i420.length);
  convertFrame(i420, "I420", copy, "I420", W, H);
  assert.deepEqual(copy, i420);
});

Deno.test("convertFrame() BGRA input gives the same YUV as RGBA input", () => {
  const fromRgba = new Uint8Array(frameByteLength("NV12", W, H));
  const fromBgra = new Uint8Array(fromRgba.length);
  convertFrame(pattern("RGBA"), "RGBA", fromRgba, "NV12", W, H);
  convertFrame(pattern("BGRA"), "BGRA", fromBgra, "NV12", W, H);
  assert.deepEqual(fromBgra, fromRgba);
});

Deno.test("convertFrame() rejects short buffers and odd 4:2:0 sizes", () => {
  assert.throws(
    () => convertFrame(new Uint8Array(64), "RGBA", new Uint8Array(23), "I420", 4, 4),
    (e) => {
      assert.ok(e instanceof BufferSizeError);
      assert.deepEqual([e.role, e.expected, e.actual], ["destination", 24, 23]);
      assert.equal(
        e.message,
        "Cannot convert a 4x4 RGBA frame to I420: the destination has 23 bytes, expected at least 24",
      );
      return true;
    },
  );
  assert.throws(() => convertFrame(new Uint8Array(10), "RGBA", new Uint8Array(64), "BGRA", 4, 4), {
    name: "BufferSizeError",
  });
  assert.throws(
    () => convertFrame(new Uint8Array(36), "RGBA", new Uint8Array(64), "I420", 3, 3),
    FrameSizeError,
  );
});
