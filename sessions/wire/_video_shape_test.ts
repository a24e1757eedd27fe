import assert from "node:assert/strict";
import { minimumVideoBytes, packVideoRows } from "./_video_shape.ts";

Deno.test("packVideoRows() packs padded rows and drops bytes after the planes", () => {
  const packed = {
    width: 2,
    height: 2,
    format: "RGBA" as const,
    stride: 8,
    data: new Uint8Array(16),
  };
  assert.equal(packVideoRows(packed), packed); // already packed: the same frame, no copy
  // RGBA at stride 12, the last row's padding left out, as the format allows.
  const rgba = Uint8Array.from({ length: minimumVideoBytes("RGBA", 2, 2, 12) }, (_, i) => i);
  const out = packVideoRows({ width: 2, height: 2, format: "RGBA", stride: 12, data: rgba });
  assert.equal(out.stride, 8);
  assert.deepEqual([...out.data], [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19]);
  // NV12 3x3 at stride 4: the Y rows packed to 3, the chroma (2 x 2x2 bytes) after them as sent,
  // and a byte after the planes dropped.
  const nv12 = Uint8Array.from({ length: 4 * 3 + 8 + 1 }, (_, i) => i);
  const yuv = packVideoRows({ width: 3, height: 3, format: "NV12", stride: 4, data: nv12 });
  assert.equal(yuv.stride, 3);
  assert.deepEqual([...yuv.data], [0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19]);
  // Packed rows with a byte after the planes: cut to the frame's size.
  const extra = packVideoRows({
    width: 1,
    height: 1,
    format: "I420",
    stride: 1,
    data: new Uint8Array(4),
  });
  assert.equal(extra.data.length, 3);
});
