import assert from "node:assert/strict";
import { type AudioFrame, createAudioFrame } from "../../core/frames/audio_frame.ts";
import type { ConnectionStats } from "../../core/transport/connection.ts";
import type { DataFrame } from "../../core/frames/data_frame.ts";
import { HeapMemorySource } from "../../core/frames/heap_memory.ts";
import { LocalConnection } from "../../core/ports/local_connection.ts";
import { NodeFrames } from "../../core/frames/node_frames.ts";
import type { VideoFrame } from "../../core/frames/video_frame.ts";
import { InvalidArgumentError, InvalidHandleError } from "../native/errors.ts";
import { slotBytesFor, videoSlotBytes } from "./frame_format.ts";
import { FramePool } from "./frame_pool.ts";
import { createNativeConnection } from "./native_connection.ts";
import { NativeConnectionReader } from "./native_connection_reader.ts";
import { NativeConnectionWriter } from "./native_connection_writer.ts";
import { SlotMemorySource } from "./slot_memory.ts";

function data(i: number): DataFrame<number> {
  return { kind: "data", timestampNs: i, value: i };
}

function assertAddsUp(stats: ConnectionStats): void {
  assert.equal(stats.written, stats.read + stats.dropped + stats.queued, JSON.stringify(stats));
}

function core(stats: ConnectionStats): ConnectionStats {
  const { capacity, queued, written, read, dropped, fullRejections, discarded, policy } = stats;
  return { capacity, queued, written, read, dropped, fullRejections, discarded, policy };
}

Deno.test("createNativeConnection() matches LocalConnection frame for frame, under both policies", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 16 });
  for (const policy of ["fifo", "latest"] as const) {
    const local = new LocalConnection<DataFrame<number>>({ capacity: 3, policy });
    const [writer, reader] = createNativeConnection<DataFrame<number>>({
      capacity: 3,
      policy,
      pool,
    });
    // A fixed script of pushes and reads, including overflow and popLatest.
    const script = "ppppprpppLrrpppppLrrr";
    let i = 0;
    for (const step of script) {
      if (step === "p") {
        assert.equal(writer.push(data(i)), local.push(data(i)), `push ${i} (${policy})`);
        i++;
      } else {
        const a = step === "r" ? reader.pop() : reader.popLatest();
        const b = step === "r" ? local.pop() : local.popLatest();
        assert.equal(a?.value, b?.value, `${step} after ${i} (${policy})`);
      }
      assert.equal(reader.available, local.available);
      assert.deepEqual(core(writer.stats()), local.stats());
    }
    writer.close();
    reader.close();
  }
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("NativeConnectionWriter.push() refuses a full fifo and releases nothing it kept", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 8 });
  const [writer, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
  const block = createAudioFrame(1, 8000, 16);
  assert.equal(writer.push(block), true);
  assert.equal(writer.push(block), true);
  assert.equal(writer.freeSlots, 0);
  assert.equal(writer.push(block), false);
  assert.equal(pool.stats().inUse, 2, "only the two queued frames hold slots");
  assert.equal(pool.stats().acquiredTotal, 2, "the refused frame was not even copied");
  const stats = writer.stats();
  assert.equal(stats.fullRejections, 1);
  assert.equal(stats.copiedWrites, 2);
  assertAddsUp(stats);
  writer.close();
  reader.close();
  assert.equal(pool.stats().inUse, 0, "close() released the queued frames");
});

Deno.test("NativeConnectionReader keeps a frame valid until the next read, then releases it", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
  const [writer, reader] = createNativeConnection<AudioFrame>({
    capacity: 4,
    policy: "fifo",
    pool,
  });
  const block = createAudioFrame(2, 8000, 8);
  block.samples.fill(0.25);
  writer.push(block);
  block.samples.fill(0.5);
  writer.push(block);
  const first = reader.pop()!;
  assert.equal(pool.stats().inUse, 2);
  assert.equal(first.samples[0], 0.25);
  const second = reader.pop()!;
  assert.equal(pool.stats().inUse, 1, "the first frame's slot went back on the next pop");
  assert.equal(second.samples[15], 0.5);
  assert.equal(reader.pop(), undefined);
  assert.equal(pool.stats().inUse, 0, "an empty pop also ends the previous frame");
  writer.close();
  reader.close();
});

Deno.test("NativeConnectionReader.popLatest() releases every skipped slot and counts it dropped", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 200 });
  const [writer, reader] = createNativeConnection({ capacity: 150, policy: "fifo", pool });
  for (let i = 0; i < 150; i++) assert.equal(writer.push(data(i)), true);
  assert.equal(reader.popLatest()?.timestampNs, 149);
  assert.equal(pool.stats().inUse, 1, "149 skipped across three native batches, released");
  const stats = reader.stats();
  assert.equal(stats.dropped, 149);
  assert.equal(stats.read, 1);
  assertAddsUp(stats);
  writer.close();
  reader.close();
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("createNativeConnection() latest: 10,000 frames through capacity 2 with a slow reader leak no slot", () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 32, 32), slotCount: 6 });
  const frames = new NodeFrames("src", new SlotMemorySource(pool));
  const [writer, reader] = createNativeConnection<VideoFrame>({
    capacity: 2,
    policy: "latest",
    pool,
  });
  let last = -1;
  let reads = 0;
  for (let i = 0; i < 10_000; i++) {
    const frame = frames.video({ width: 32, height: 32, format: "RGBA" })!;
    frame.frameNumber = i;
    frame.data[0] = i & 0xff;
    assert.equal(writer.push(frame), true);
    frames.flush(); // the run ends: its reference goes, the queued message keeps the slot
    if (i % 7 === 0) {
      const got = i % 14 === 0 ? reader.pop() : reader.popLatest();
      assert.ok(got !== undefined && got.frameNumber > last);
      assert.equal(got.data[0], got.frameNumber & 0xff);
      last = got.frameNumber;
      reads++;
    }
  }
  const stats = writer.stats();
  assert.equal(stats.written, 10_000);
  assert.equal(stats.read, reads);
  assert.equal(stats.zeroCopyWrites, 10_000);
  assert.equal(stats.poolExhausted, 0);
  assertAddsUp(stats);
  assert.ok(pool.stats().inUse <= 3, "2 queued, 1 read");
  writer.close();
  reader.close();
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("NativeConnectionWriter.push() counts a drop (latest) or keeps the frame until a slot frees (fifo) when the pool is exhausted", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 2 });
  const [latest, latestReader] = createNativeConnection({ capacity: 4, policy: "latest", pool });
  const [fifo, fifoReader] = createNativeConnection({ capacity: 4, policy: "fifo", pool });
  assert.equal(latest.push(data(0)), true);
  assert.equal(fifo.push(data(1)), true);
  assert.equal(latest.push(data(2)), true, "latest never refuses");
  assert.equal(fifo.push(data(3)), true, "fifo keeps the frame: back-pressure, not loss");
  assert.equal(fifo.pending, true);
  assert.equal(fifo.freeSlots, 0, "the writer waits until a slot frees");
  assert.equal(fifo.push(data(4)), false, "nothing overtakes the kept frame");
  const a = latest.stats();
  assert.equal(a.poolExhausted, 1);
  assert.equal(a.written, 2);
  assert.equal(a.dropped, 1);
  assertAddsUp(a);
  const b = fifo.stats();
  assert.equal(b.poolExhausted, 1);
  assert.equal(b.written, 1, "the kept frame is not written yet");
  assert.equal(b.fullRejections, 1);
  assertAddsUp(b);
  assert.equal(fifo.flushPending(), false, "still no slot");
  latestReader.close(); // releases the slot of the frame queued there
  assert.equal(fifo.freeSlots, 2, "reading freeSlots wrote the kept frame (2 queued of 4)");
  assert.equal(fifo.pending, false);
  assert.deepEqual([fifoReader.pop(), fifoReader.pop()].map((f) => (f as DataFrame).value), [1, 3]);
  assert.equal(fifo.stats().written, 2);
  assertAddsUp(fifo.stats());
  for (const end of [latest, latestReader, fifo, fifoReader]) end.close();
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("NativeConnectionWriter.close() lets go of a frame kept for want of a slot", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 1 });
  const [fifo, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
  const frames = new NodeFrames("tone", new HeapMemorySource());
  const held = pool.acquire();
  const block = frames.audio({ channels: 2, sampleRate: 48_000, frameCount: 16 })!;
  assert.equal(fifo.push(block), true);
  assert.equal(fifo.pending, true);
  assert.equal(block.refCount, 2, "the writer holds a reference while it keeps the frame");
  fifo.close();
  assert.equal(block.refCount, 1);
  assert.equal(fifo.stats().fullRejections, 1, "counted as not taken");
  pool.release(held);
  reader.close();
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("NativeConnectionReader.close() stops the writer: later pushes are refused or dropped", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 4 });
  for (const policy of ["fifo", "latest"] as const) {
    const [writer, reader] = createNativeConnection({ capacity: 2, policy, pool });
    writer.push(data(0));
    reader.close();
    assert.equal(pool.stats().inUse, 0);
    assert.equal(writer.isAbandoned(), true);
    assert.equal(writer.push(data(1)), policy === "latest");
    assert.equal(pool.stats().inUse, 0, "nothing strands in the ring");
    const stats = writer.stats();
    assert.equal(stats.abandoned, true);
    assertAddsUp(stats);
    writer.close();
  }
});

Deno.test("NativeConnectionWriter.adopt() and NativeConnectionReader.adopt() take up transferred ends, checking the pool", () => {
  using pool = FramePool.create({ slotBytes: slotBytesFor(64), slotCount: 4 });
  using other = FramePool.create({ slotBytes: slotBytesFor(64), slotCount: 4 });
  const [writer, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
  const sent = writer.transfer();
  const moved = reader.transfer();
  assert.throws(() => writer.push(data(0)), InvalidHandleError);
  assert.throws(() => reader.pop(), InvalidHandleError);
  assert.throws(() => NativeConnectionWriter.adopt(moved), /Cannot adopt a connection-writer/);
  assert.throws(
    () => NativeConnectionWriter.adopt(sent, { pool: other }),
    /options.pool is not the pool this connection was created with/,
  );
  const w = NativeConnectionWriter.adopt(structuredClone(sent), { pool });
  const r = NativeConnectionReader.adopt(structuredClone(moved));
  assert.equal(w.push(data(7)), true);
  assert.equal(r.pop()?.timestampNs, 7);
  assert.equal(r.state.stats().read, 1);
  w.close();
  r.close();
  assert.equal(pool.stats().inUse, 0);
  assert.equal(w.stats().read, 1, "stats outlive the ends");
});

Deno.test("createNativeConnection() names an invalid capacity, policy or slot size", () => {
  using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
  using ok = FramePool.create({ slotBytes: 128, slotCount: 1 });
  assert.throws(() => createNativeConnection({ pool }), /pool.slotBytes 64 is invalid/);
  assert.throws(
    () => createNativeConnection({ pool: ok, capacity: 0 }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "capacity",
  );
  assert.throws(
    () => createNativeConnection({ pool: ok, policy: "newest" as "latest" }),
    /policy newest is invalid, expected one of fifo,latest/,
  );
});

Deno.test("NativeConnectionReader.clear() drops what is queued, releases its slots, and keeps the connection open", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 4 });
  const [writer, reader] = createNativeConnection({ capacity: 4, policy: "fifo", pool });
  for (let i = 0; i < 3; i++) assert.equal(writer.push(data(i)), true);
  assert.equal(pool.stats().inUse, 3);
  assert.equal(reader.clear(), 3);
  assert.equal(pool.stats().inUse, 0);
  const stats = reader.stats();
  assert.equal(stats.dropped, 3);
  assertAddsUp(stats);
  assert.equal(writer.push(data(3)), true, "still open");
  assert.equal(reader.pop()?.timestampNs, 3);
  writer.close();
  reader.close();
  assert.equal(reader.clear(), 0);
  assert.equal(pool.stats().inUse, 0);
});
