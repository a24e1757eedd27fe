import assert from "node:assert/strict";
import { HeapMemorySource, heapSizeClass } from "./heap_memory.ts";

Deno.test("heapSizeClass: multiples of 64 up to 1 KiB, then at most 12.5% over, always a multiple of 4", () => {
  assert.deepEqual([0, 1, 64, 65, 1024].map(heapSizeClass), [64, 64, 64, 128, 1024]);
  assert.equal(heapSizeClass(1025), 1152);
  assert.equal(heapSizeClass(1280 * 720 * 3 / 2), 1_441_792);
  for (let n = 0; n < 200_000; n += 37) {
    const c = heapSizeClass(n);
    assert.ok(c >= n && c % 4 === 0, `${n} -> ${c}`);
    if (n > 1024) assert.ok(c <= n * 1.125, `${n} -> ${c}: over 12.5%`);
  }
});

Deno.test("HeapMemorySource: payloads of varying size reuse a few buffers, with exact-length views", () => {
  const source = new HeapMemorySource();
  const buffers = new Set<ArrayBufferLike>();
  let seed = 7;
  for (let i = 0; i < 20_000; i++) {
    seed = (seed * 48271) % 2147483647;
    const byteLength = 2_000 + (seed % 30_000); // encoded access units of 2-32 KB, one at a time
    const memory = source.allocate(byteLength)!;
    assert.equal(memory.byteLength, byteLength);
    assert.equal(memory.bytes.length, byteLength);
    assert.equal(memory.floats.length, byteLength >>> 2);
    memory.bytes.fill(1);
    buffers.add(memory.bytes.buffer);
    memory.free();
  }
  // One buffer per size class met (2-32 KB: 4 powers of two, 8 classes each), not one per size.
  assert.ok(buffers.size <= 40, `${buffers.size} buffers`);
  assert.ok(source.stats().idleBytes! <= 40 * 32 * 1024);
});

Deno.test("HeapMemorySource keeps idle memory up to its peak use (at least 16 MiB), never up to the whole budget", () => {
  const source = new HeapMemorySource({ budgetBytes: 1024 * 2 ** 20 });
  const mib = 2 ** 20;
  // 64 payloads of 1 MiB in use at once: the peak.
  const held = Array.from({ length: 64 }, () => source.allocate(mib)!);
  for (const memory of held) memory.free();
  assert.equal(source.stats().idleBytes, 64 * mib);
  // Then 200 payloads of distinct classes, one at a time: idle memory stays within the peak.
  for (let i = 0; i < 200; i++) source.allocate(mib + 4096 + i * 131_072)!.free();
  assert.ok(source.stats().idleBytes! <= 64 * mib + 2 * mib, `${source.stats().idleBytes}`);
  assert.equal(source.stats().inUse, 0);
  assert.equal(source.stats().bytesInUse, 0);
});

Deno.test("HeapMemorySource: the budget counts the payload bytes asked for", () => {
  const source = new HeapMemorySource({ budgetBytes: 1000 });
  const a = source.allocate(600)!;
  assert.equal(source.allocate(401), undefined);
  const b = source.allocate(400)!;
  assert.equal(source.stats().bytesInUse, 1000);
  a.free();
  b.free();
  assert.equal(source.stats().exhausted, 1);
});

Deno.test("HeapMemorySource recycles everything that was in use at the peak, whatever the class rounding", () => {
  const source = new HeapMemorySource();
  const frame = 1920 * 1080 * 4; // 8,294,400 bytes in a class of 8 MiB: more than the floor in pairs
  for (const inFlight of [1, 2, 3, 5]) {
    const first = Array.from({ length: inFlight }, () => source.allocate(frame)!);
    const buffers = new Set(first.map((m) => m.bytes.buffer));
    for (const m of first) m.free();
    const again = Array.from({ length: inFlight }, () => source.allocate(frame)!);
    assert.ok(
      again.every((m) => buffers.has(m.bytes.buffer)),
      `${inFlight} in flight: a new buffer was made instead of reusing a freed one`,
    );
    for (const m of again) m.free();
  }
});

Deno.test("HeapMemorySource: after a change of frame size, the new size recycles (idle memory of the old size goes first)", () => {
  const source = new HeapMemorySource();
  const big = 1920 * 1080 * 4; // 1080p RGBA
  const small = 1280 * 720 * 4; // then 720p
  // A peak of 6 large frames in flight: every byte of idle memory allowed is of the old size.
  const held = Array.from({ length: 6 }, () => source.allocate(big)!);
  for (const m of held) m.free();
  const idleBefore = source.stats().idleBytes!;
  for (const inFlight of [1, 3, 6]) {
    const first = Array.from({ length: inFlight }, () => source.allocate(small)!);
    const buffers = new Set(first.map((m) => m.bytes.buffer));
    for (const m of first) m.free();
    const again = Array.from({ length: inFlight }, () => source.allocate(small)!);
    assert.ok(
      again.every((m) => buffers.has(m.bytes.buffer)),
      `${inFlight} in flight at the new size: a new buffer was made instead of reusing a freed one`,
    );
    for (const m of again) m.free();
  }
  // Idle memory stayed within the bound, and the old size is still there for what fits beside.
  assert.ok(source.stats().idleBytes! <= idleBefore, `${source.stats().idleBytes} > ${idleBefore}`);
  const back = source.allocate(big)!;
  assert.ok(held.some((m) => m.bytes.buffer === back.bytes.buffer), "an old-size buffer was kept");
  back.free();
});

Deno.test("HeapMemorySource.shareBudget() brings what is in use into the shared budget and draws from it from then on", async () => {
  const { FrameBudget } = await import("./frame_budget.ts");
  const budget = FrameBudget.create(1000);
  const main = new HeapMemorySource({ budgetBytes: 1000 });
  const held = main.allocate(400)!; // before any other isolate: no shared accounting
  assert.equal(budget.bytesInUse, 0);
  main.shareBudget(budget);
  assert.equal(budget.bytesInUse, 400);
  // Another isolate's memory takes most of the rest: the main isolate is refused.
  const worker = new HeapMemorySource({ shared: FrameBudget.attach(budget.buffer) });
  const other = worker.allocate(500)!;
  assert.equal(main.allocate(200), undefined);
  assert.equal(main.stats().exhausted, 1);
  other.free();
  held.free();
  assert.equal(budget.bytesInUse, 0);
  assert.ok(main.allocate(1000) !== undefined);
});
