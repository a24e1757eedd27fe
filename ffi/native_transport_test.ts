import assert from "node:assert/strict";
import type { Frame } from "../core/frame.ts";
import type { VideoFrame } from "../core/video_frame.ts";
import { FramePool } from "./frame_pool.ts";
import { videoSlotBytes } from "./frame_format.ts";
import { NativeTransport } from "./native_transport.ts";
import { READER_HOLD } from "./native_transport_ends.ts";
import { PoolFrameAllocator } from "./pool_frame_allocator.ts";
import type { NativeConnectionStats } from "./connection_shared_state.ts";

const spec = (policy: "fifo" | "latest" = "fifo") => ({
  connection: "conn_1",
  fromIsolate: "main",
  toIsolate: "worker:a",
  portType: "VideoFrame",
  capacity: 4,
  policy,
});

Deno.test("NativeTransport.adoptReader() calls onData from the doorbell when a frame is pushed", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
  const transport = new NativeTransport({ pool });
  const channel = transport.open(spec());
  const woke = Promise.withResolvers<void>();
  let calls = 0;
  using reader = transport.adoptReader<Frame>(channel.reader, () => {
    calls++;
    woke.resolve();
  });
  using writer = transport.adoptWriter(channel.writer);
  await Promise.resolve();
  assert.equal(calls, 0, "nothing queued: no wake-up");
  writer.push({ kind: "data", timestampNs: 5, value: "x" });
  // A doorbell rung by this very isolate is a V8 task the event loop does not wait for (across
  // isolates it wakes the loop); a timer keeps the loop alive meanwhile.
  const timer = setTimeout(() => {}, 10_000);
  await woke.promise;
  clearTimeout(timer);
  assert.equal(reader.available, 1);
  assert.equal(reader.pop()?.timestampNs, 5);
  assert.equal(channel.stats().read, 1);
  channel.close();
});

Deno.test("NativeTransport.poll() reports frames written since the previous poll, once", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
  const transport = new NativeTransport({ pool });
  const channel = transport.open(spec());
  let calls = 0;
  using _reader = transport.adoptReader(channel.reader, () => calls++);
  using writer = transport.adoptWriter(channel.writer);
  assert.equal(transport.poll(), 0);
  writer.push({ kind: "data", timestampNs: 1, value: 1 });
  assert.equal(transport.poll(), 1);
  assert.equal(transport.poll(), 0, "still queued, but not new");
  assert.equal(calls, 2, "onData is called whenever frames are queued");
  writer.push({ kind: "data", timestampNs: 2, value: 2 });
  assert.equal(transport.poll(), 1);
});

Deno.test("NativeTransport sends pool frames by slot: zero copies, one slot in use", () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 64, 64), slotCount: 4 });
  const transport = new NativeTransport({ pool });
  const channel = transport.open(spec("latest"));
  using reader = transport.adoptReader<VideoFrame>(channel.reader, () => {});
  using writer = transport.adoptWriter<VideoFrame>(channel.writer);
  using allocator = new PoolFrameAllocator(pool, { hold: 1 });
  const frame = allocator.allocateVideo("RGBA", 64, 64)!;
  frame.data[0] = 200;
  writer.push(frame);
  const read = reader.pop()!;
  assert.equal(read.data[0], 200);
  assert.equal(read.slot, frame.slot);
  const stats = channel.stats() as NativeConnectionStats;
  assert.equal(stats.zeroCopyWrites, 1);
  assert.equal(stats.copiedWrites, 0);
  assert.equal(pool.stats().inUse, 1);
});

Deno.test("NativeTransport.tearDownConnection() makes the writer drop frames and marks the channel abandoned", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
  const transport = new NativeTransport({ pool });
  const channel = transport.open(spec());
  using writer = transport.adoptWriter(channel.writer);
  using reader = transport.adoptReader<Frame>(channel.reader, () => {});
  writer.push({ kind: "data", timestampNs: 1, value: 1 });
  assert.equal(transport.tearDownConnection("conn_1"), true);
  assert.equal(transport.tearDownConnection("conn_9"), false);
  for (let i = 0; i < 10; i++) {
    assert.equal(writer.push({ kind: "data", timestampNs: 2, value: 2 }), true);
  }
  const stats = channel.stats();
  assert.equal(stats.written, 1);
  assert.equal((stats as NativeConnectionStats).abandoned, true);
  assert.equal(reader.pop()?.timestampNs, 1, "what was queued before stays readable");
});

Deno.test("NativeTransport opens its pool lazily and refuses foreign endpoints", () => {
  let opened = 0;
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
  const transport = new NativeTransport({
    pool: () => {
      opened++;
      return pool;
    },
  });
  assert.equal(opened, 0);
  assert.throws(
    () => transport.adoptWriter({ kind: "something-else" }),
    /Cannot adopt a channel end: expected an endpoint of a NativeTransport channel/,
  );
  transport.open(spec()).close();
  assert.equal(opened, 1);
});

Deno.test("SignalledReader keeps video frames valid for READER_HOLD reads, then gives their slots back", () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 8, 8), slotCount: 16 });
  const transport = new NativeTransport({ pool });
  const channel = transport.open({ ...spec("fifo"), capacity: 16 });
  const reader = transport.adoptReader<VideoFrame>(channel.reader, () => {});
  const writer = transport.adoptWriter<VideoFrame>(channel.writer);
  const allocator = new PoolFrameAllocator(pool, { hold: 1 });
  for (let n = 0; n < 12; n++) {
    const frame = allocator.allocateVideo("RGBA", 8, 8)!;
    frame.data.fill(n);
    frame.frameNumber = n;
    writer.push(frame);
  }
  allocator.close();
  const first = reader.pop()!;
  const later: VideoFrame[] = [];
  for (let n = 1; n < READER_HOLD; n++) later.push(reader.pop()!);
  // Passed on by reference to a node of this isolate, the first frame is still intact.
  assert.equal(first.frameNumber, 0);
  assert.equal(first.data[0], 0);
  assert.deepEqual(later.map((f) => f.frameNumber), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(pool.stats().inUse, 12, "8 held by the reader, 4 queued");
  reader.pop(); // the ninth read ends the first frame's lifetime
  assert.equal(pool.stats().inUse, 11);
  writer[Symbol.dispose]();
  reader[Symbol.dispose]();
  assert.equal(pool.stats().inUse, 0);
  channel.close();
});
