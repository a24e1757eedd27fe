import assert from "node:assert/strict";
import { checkVideoGeometry, packedStride, PlainFrameAllocator } from "./frame_allocator.ts";
import type { PixelFormat } from "./video_frame.ts";

Deno.test("PlainFrameAllocator.allocateVideo() sizes packed frames of every format", () => {
  using allocator = new PlainFrameAllocator({ hold: 4 });
  const expected: [PixelFormat, number, number][] = [
    ["RGBA", 24, 6 * 5 * 4],
    ["BGRA", 24, 6 * 5 * 4],
    ["I420", 6, 6 * 5 + 2 * 3 * 3],
    ["NV12", 6, 6 * 5 + 2 * 3 * 3],
  ];
  for (const [format, stride, bytes] of expected) {
    const frame = allocator.allocateVideo(format, 6, 5);
    assert.equal(frame.kind, "video");
    assert.equal(frame.format, format);
    assert.equal(frame.stride, stride);
    assert.equal(frame.data.byteLength, bytes);
    assert.equal(frame.slot, undefined);
  }
});

Deno.test("PlainFrameAllocator.allocateVideo() reuses a frame after hold allocations, not before", () => {
  using allocator = new PlainFrameAllocator({ hold: 3 });
  const frames = [0, 1, 2].map(() => allocator.allocateVideo("RGBA", 2, 2));
  assert.equal(new Set(frames).size, 3);
  frames[0].frameNumber = 9;
  frames[0].timestampNs = 5;
  const again = allocator.allocateVideo("RGBA", 2, 2);
  assert.equal(again, frames[0]);
  assert.equal(again.frameNumber, 0, "stamps are reset");
  assert.equal(again.timestampNs, 0);
  const resized = allocator.allocateVideo("RGBA", 4, 2);
  assert.notEqual(resized, frames[1], "a new size gets a new buffer");
  assert.equal(resized.data.byteLength, 32);
});

Deno.test("PlainFrameAllocator rejects a bad hold, format or size with a RangeError", () => {
  assert.throws(() => new PlainFrameAllocator({ hold: 0 }), /hold must be a positive integer/);
  using allocator = new PlainFrameAllocator();
  assert.equal(allocator.hold, 2);
  assert.throws(
    () => allocator.allocateVideo("RGB" as PixelFormat, 2, 2),
    /unknown pixel format 'RGB', expected one of RGBA,BGRA,I420,NV12/,
  );
  assert.throws(() => allocator.allocateVideo("RGBA", 2, 1.5), RangeError);
});

Deno.test("checkVideoGeometry() and packedStride() describe packed planes", () => {
  checkVideoGeometry("NV12", 1, 1);
  assert.throws(
    () => checkVideoGeometry("RGBA", -1, 1),
    /width must be a positive integer, got -1/,
  );
  assert.equal(packedStride("BGRA", 3), 12);
  assert.equal(packedStride("I420", 3), 3);
});
