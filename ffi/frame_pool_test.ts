import assert from "node:assert/strict";
import { InvalidArgumentError, InvalidHandleError, PoolExhaustedError } from "./errors.ts";
import { FramePool } from "./frame_pool.ts";

Deno.test("FramePool.acquire() hands out every slot once, then reports exhaustion", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 3 });
  const slots = [pool.acquire(), pool.acquire(), pool.acquire()];
  assert.equal(new Set(slots.map((s) => s & 0xffff)).size, 3);
  assert.equal(pool.tryAcquire(), undefined);
  assert.throws(() => pool.acquire(), PoolExhaustedError);
  const stats = pool.stats();
  assert.equal(stats.inUse, 3);
  assert.equal(stats.exhaustedTotal, 2);
  for (const slot of slots) assert.equal(pool.release(slot), 0);
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("FramePool.retain() and release() count references; a stale slot is refused", () => {
  using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
  const slot = pool.acquire();
  assert.equal(pool.retain(slot), 2);
  assert.equal(pool.release(slot), 1);
  assert.equal(pool.release(slot), 0);
  assert.throws(() => pool.release(slot), InvalidHandleError, "double release");
  const again = pool.acquire();
  assert.notEqual(again, slot, "a reused slot gets a new generation");
  assert.equal(again & 0xffff, slot & 0xffff);
  assert.throws(() => pool.retain(slot), InvalidHandleError, "stale handle");
  pool.release(again);
});

Deno.test("FramePool.bytes() and floats() are views of the same native memory", () => {
  using pool = FramePool.create({ slotBytes: 3840 * 2160 * 4, slotCount: 2 });
  const slot = pool.acquire();
  const bytes = pool.bytes(slot);
  assert.equal(bytes.byteLength, 33_177_600);
  assert.equal(pool.bytes(slot), bytes, "views are cached");
  pool.floats(slot)[1] = 1.5;
  assert.deepEqual([...bytes.subarray(4, 8)], [0, 0, 0xc0, 0x3f]);
  bytes[bytes.length - 1] = 7;
  assert.equal(pool.bytes(slot)[33_177_599], 7);
  pool.release(slot);
});

Deno.test("FramePool.create() names the bad size or count and the valid range", () => {
  const cases: [number, number, RegExp][] = [
    [0, 1, /slotBytes 0 is invalid, expected an integer from 1 to 268435456/],
    [-5, 1, /slotBytes -5/],
    [1.5, 1, /slotBytes 1.5/],
    [2 ** 29, 1, /slotBytes 536870912/],
    [64, 0, /slotCount 0 is invalid, expected an integer from 1 to 65536/],
    [64, 70_000, /slotCount 70000/],
    [268_435_456, 65_536, /at most 68719476736 bytes/],
  ];
  for (const [slotBytes, slotCount, message] of cases) {
    assert.throws(
      () => FramePool.create({ slotBytes, slotCount }),
      (e: unknown) => e instanceof InvalidArgumentError && message.test(e.message),
    );
  }
});

Deno.test("FramePool.close() is idempotent and later calls fail with a typed error", () => {
  const pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
  const shared = pool.share();
  pool.close();
  pool.close();
  assert.throws(() => pool.acquire(), /this frame pool is closed/);
  assert.throws(() => pool.stats(), InvalidHandleError);
  assert.throws(() => FramePool.attach(shared), InvalidHandleError, "attach after free");
});

Deno.test("FramePool.attach() opens the same memory under a second handle", () => {
  using pool = FramePool.create({ slotBytes: 64, slotCount: 2 });
  const other = FramePool.attach(pool.share());
  const slot = pool.acquire();
  pool.bytes(slot).set([1, 2, 3]);
  assert.deepEqual([...other.bytes(slot).subarray(0, 3)], [1, 2, 3]);
  assert.equal(other.release(slot), 0);
  other.close();
  assert.equal(pool.stats().inUse, 0, "the pool outlives the attached handle");
});
