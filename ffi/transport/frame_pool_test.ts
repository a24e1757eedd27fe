import assert from "node:assert/strict";
import { InvalidArgumentError, InvalidHandleError, PoolExhaustedError } from "../native/errors.ts";
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

Deno.test("FramePool.close() detaches every view it handed out, so using one cannot crash", () => {
  // 64 MiB: the slab is its own mapping, unmapped when freed, so a write through a live view
  // after close() would fault.
  const pool = FramePool.create({ slotBytes: 64 * 1024 * 1024, slotCount: 1 });
  const slot = pool.acquire();
  const bytes = pool.bytes(slot);
  const floats = pool.floats(slot);
  const header = new Uint32Array(bytes.buffer, 0, 16); // as SlotHeaders makes them
  bytes.fill(1);
  pool.close();
  assert.equal(bytes.length, 0);
  assert.equal(floats.length, 0);
  assert.equal(header.length, 0);
  assert.ok(bytes.buffer.detached);
  bytes[0] = 9;
  floats[1_000_000] = 1.5;
  header[3] = 1;
  assert.equal(bytes[0], undefined, "writes to a detached view do nothing");
  assert.throws(() => bytes.fill(7), TypeError, "methods refuse a detached view");
  assert.throws(() => pool.bytes(slot), /this frame pool is closed/);
});

Deno.test("FramePool.close() of an attached handle detaches only that handle's views", () => {
  using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
  const attached = FramePool.attach(pool.share());
  const slot = pool.acquire();
  const mine = pool.bytes(slot);
  const theirs = attached.bytes(slot);
  attached.close();
  assert.equal(theirs.length, 0);
  mine[0] = 5;
  assert.equal(pool.bytes(slot)[0], 5, "the memory lives while another handle is open");
  pool.release(slot);
});

Deno.test("FramePool.bytes() and floats() refuse a free, stale or out-of-range slot", () => {
  using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
  const slot = pool.acquire();
  pool.bytes(slot)[0] = 1;
  pool.release(slot);
  const named = (handle: number) => (e: unknown) =>
    e instanceof InvalidHandleError &&
    e.message.startsWith(`Cannot view frame pool slot ${handle}: Invalid slot handle`) &&
    e.message.includes("valid: a handle from acquire() or tryAcquire()") &&
    e.message.includes("index below 1");
  assert.throws(() => pool.bytes(slot), named(slot), "released slot");
  assert.throws(() => pool.floats(slot), named(slot), "released slot");
  const again = pool.acquire();
  assert.equal(again & 0xffff, slot & 0xffff);
  assert.throws(() => pool.bytes(slot), named(slot), "stale handle of a reused slot");
  assert.equal(pool.bytes(again)[0], 1, "the live handle still sees the memory");
  assert.throws(() => pool.bytes(again + 1), named(again + 1), "index past the last slot");
  assert.throws(() => pool.bytes(0), named(0), "never a handle");
  pool.release(again);
});
