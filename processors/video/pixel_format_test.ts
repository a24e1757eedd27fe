import assert from "node:assert/strict";
import { PIXEL_FORMATS as CORE_PIXEL_FORMATS } from "../../core/frames/video_frame.ts";
import {
  frameByteLength,
  frameLayout,
  FrameSizeError,
  isPixelFormat,
  isValidFrameSize,
  PIXEL_FORMATS,
  UnsupportedPixelFormatError,
} from "./pixel_format.ts";

Deno.test("frameLayout() places the planes of every format", () => {
  assert.deepEqual(frameLayout("RGBA", 3, 2).planes, [
    { name: "RGBA", offset: 0, stride: 12, width: 3, height: 2, byteLength: 24 },
  ]);
  assert.deepEqual(
    frameLayout("I420", 8, 4).planes.map((p) => [p.name, p.offset, p.stride, p.height]),
    [
      ["Y", 0, 8, 4],
      ["U", 32, 4, 2],
      ["V", 40, 4, 2],
    ],
  );
  const nv12 = frameLayout("NV12", 8, 4);
  assert.deepEqual(nv12.planes.map((p) => [p.name, p.offset, p.stride, p.width, p.height]), [
    ["Y", 0, 8, 8, 4],
    ["UV", 32, 8, 4, 2],
  ]);
  for (const format of PIXEL_FORMATS) {
    const layout = frameLayout(format, 640, 480);
    const last = layout.planes.at(-1)!;
    assert.equal(layout.byteLength, last.offset + last.byteLength);
    assert.equal(layout.byteLength, frameByteLength(format, 640, 480));
  }
});

Deno.test("frameByteLength() rejects odd 4:2:0 sizes and non-positive sizes", () => {
  assert.equal(frameByteLength("BGRA", 3, 3), 36);
  assert.throws(() => frameByteLength("I420", 63, 48), {
    name: "FrameSizeError",
    message:
      "Cannot lay out a 63x48 I420 frame: 4:2:0 chroma subsampling needs an even width and height",
  });
  assert.throws(() => frameByteLength("NV12", 64, 47), (e) => {
    assert.ok(e instanceof FrameSizeError && e instanceof RangeError);
    assert.deepEqual([e.format, e.width, e.height], ["NV12", 64, 47]);
    return true;
  });
  assert.throws(() => frameByteLength("RGBA", 0, 4), FrameSizeError);
  assert.throws(() => frameByteLength("RGBA", 1.5, 4), FrameSizeError);
});

Deno.test("isPixelFormat() and UnsupportedPixelFormatError name the supported formats", () => {
  assert.ok(isPixelFormat("I420"));
  assert.ok(!isPixelFormat("rgba"));
  assert.throws(() => frameByteLength("YUY2" as never, 4, 4), (e: unknown) => {
    assert.ok(e instanceof UnsupportedPixelFormatError && e instanceof TypeError);
    assert.equal(e.format, "YUY2");
    assert.deepEqual(e.supported, ["RGBA", "BGRA", "I420", "NV12"]);
    assert.equal(
      e.message,
      "Cannot use pixel format 'YUY2': unsupported, expected one of RGBA, BGRA, I420, NV12",
    );
    return true;
  });
});

Deno.test("PIXEL_FORMATS is core's list: one definition of the pixel formats", () => {
  assert.equal(PIXEL_FORMATS, CORE_PIXEL_FORMATS);
});

Deno.test("isValidFrameSize() follows frameByteLength() without throwing", () => {
  for (const format of PIXEL_FORMATS) {
    for (const [width, height] of [[4, 2], [5, 3], [0, 2], [2.5, 2], [-2, 2]]) {
      let valid = true;
      try {
        frameByteLength(format, width, height);
      } catch {
        valid = false;
      }
      assert.equal(isValidFrameSize(format, width, height), valid, `${format} ${width}x${height}`);
    }
  }
});
