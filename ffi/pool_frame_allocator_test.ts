import assert from "node:assert/strict";
import type { VideoFrame } from "../core/video_frame.ts";
import { FrameTooLargeError } from "./frame_codec_errors.ts";
import { FRAME_HEADER_BYTES, videoSlotBytes } from "./frame_format.ts";
import { FramePool } from "./frame_pool.ts";
import { createNativeConnection } from "./native_connection.ts";
import { PoolFrameAllocator } from "./pool_frame_allocator.ts";

Deno.test("PoolFrameAllocator.allocateVideo() returns a slot view after the header, slot set", () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("I420", 8, 6), slotCount: 2 });
  using allocator = new PoolFrameAllocator(pool);
  const frame = allocator.allocateVideo("I420", 8, 6)!;
  assert.equal(frame.kind, "video");
  assert.equal(frame.stride, 8);
  assert.equal(frame.data.byteLength, 8 * 6 + 2 * 4 * 3);
  assert.equal(frame.data.buffer, pool.bytes(frame.slot!).buffer);
  assert.equal(frame.data.byteOffset, FRAME_HEADER_BYTES);
  assert.equal(pool.stats().inUse, 1);
});

Deno.test("PoolFrameAllocator.allocateVideo() drops a frame's reference hold allocations later", () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 4, 4), slotCount: 2 });
  const allocator = new PoolFrameAllocator(pool, { hold: 2 });
  const a = allocator.allocateVideo("RGBA", 4, 4)!;
  const slotA = a.slot!;
  allocator.allocateVideo("RGBA", 4, 4);
  assert.equal(pool.stats().inUse, 2);
  const c = allocator.allocateVideo("RGBA", 4, 4)!;
  assert.equal(pool.stats().inUse, 2, "a left the window");
  assert.equal(c, a, "the frame object of a reused slot is reused");
  assert.notEqual(c.slot, slotA, "with the slot's new generation");
  allocator.close();
  allocator.close();
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("PoolFrameAllocator.allocateVideo() returns undefined when the pool is exhausted", () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 4, 4), slotCount: 1 });
  using allocator = new PoolFrameAllocator(pool, { hold: 2 });
  assert.ok(allocator.allocateVideo("RGBA", 4, 4));
  assert.equal(allocator.allocateVideo("RGBA", 4, 4), undefined);
  assert.ok(allocator.allocateVideo("RGBA", 4, 4), "the first frame left the window");
});

Deno.test("PoolFrameAllocator.allocateVideo() names the sizes of a frame too large for the slots", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 1 });
  using allocator = new PoolFrameAllocator(pool);
  assert.throws(
    () => allocator.allocateVideo("RGBA", 16, 16),
    (e: unknown) =>
      e instanceof FrameTooLargeError && e.payloadBytes === 1024 && e.requiredSlotBytes === 1088,
  );
  assert.throws(() => allocator.allocateVideo("RGBA", 0, 16), /width must be a positive integer/);
  assert.throws(() => new PoolFrameAllocator(pool, { hold: 0 }), RangeError);
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("PoolFrameAllocator frames fanned out to two connections live until every holder is done", () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 8, 8), slotCount: 4 });
  const allocator = new PoolFrameAllocator(pool, { hold: 1 });
  const [w1, r1] = createNativeConnection<VideoFrame>({ capacity: 2, policy: "fifo", pool });
  const [w2, r2] = createNativeConnection<VideoFrame>({ capacity: 2, policy: "latest", pool });
  const frame = allocator.allocateVideo("RGBA", 8, 8)!;
  frame.data.fill(3);
  frame.frameNumber = 12;
  assert.equal(w1.push(frame), true);
  assert.equal(w2.push(frame), true);
  assert.equal(pool.retain(frame.slot!) - 1, 3, "the window's reference plus one per connection");
  pool.release(frame.slot!);
  allocator.close();
  assert.equal(pool.stats().inUse, 1, "still queued twice");
  const a = r1.pop()!;
  const b = r2.pop()!;
  assert.equal(a.slot, b.slot);
  assert.equal(a.frameNumber, 12);
  assert.equal(b.data[63], 3);
  assert.equal(w1.stats().zeroCopyWrites + w2.stats().zeroCopyWrites, 2);
  r1.pop();
  assert.equal(pool.stats().inUse, 1, "r2 still holds it");
  r2.pop();
  assert.equal(pool.stats().inUse, 0);
  for (const end of [w1, r1, w2, r2]) end.close();
});
