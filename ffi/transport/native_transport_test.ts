import assert from "node:assert/strict";
import type { Frame } from "../../core/frames/frame.ts";
import type { VideoFrame } from "../../core/frames/video_frame.ts";
import { FramePool } from "./frame_pool.ts";
import { videoSlotBytes } from "./frame_format.ts";
import { NativeTransport } from "./native_transport.ts";
import {
  ASLEEP_ON_BELL,
  ASLEEP_ON_WAKE,
  SIGNAL_BELL,
  SIGNAL_BYTES,
  SIGNAL_READER_ASLEEP,
  SIGNAL_SPACE,
  SIGNAL_WRITER_WAITING,
} from "./channel/doorbell.ts";
import { WAKE_BELL, WAKE_BYTES } from "./channel/wake.ts";
import { SignalledReader } from "./channel/reader.ts";
import { POOL_WAIT_LIMIT_MS, SignalledWriter } from "./channel/writer.ts";
import { createNativeConnection } from "./native_connection.ts";
import { armLateRing, type LateRing } from "./channel/_late_ring.ts";
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
import type { AudioFrame } from "../../core/frames/audio_frame.ts";
import { HeapMemorySource } from "../../core/frames/heap_memory.ts";
import { NodeFrames } from "../../core/frames/node_frames.ts";
import { FrameReleasedError, OwnedFrame } from "../../core/frames/owned_frame.ts";
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
  const frames = new NodeFrames("pattern", transport.sharedMemory!);
  const frame = frames.video({ width: 64, height: 64, format: "RGBA" })!;
  frame.data[0] = 200;
  writer.push(frame);
  const read = reader.pop()!;
  assert.equal(read.data[0], 200);
  assert.equal(read.slot, frame.slot);
  const stats = channel.stats() as NativeConnectionStats;
  assert.equal(stats.zeroCopyWrites, 1);
  assert.equal(stats.copiedWrites, 0);
  assert.equal(pool.stats().inUse, 1);
  frames.flush();
  (read as unknown as OwnedFrame).release();
  assert.equal(pool.stats().inUse, 0);
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
  assert.equal(stats.discarded, 10, "the drops are counted, not silent");
  assert.equal((stats as NativeConnectionStats).abandoned, true);
  assert.equal(reader.pop()?.timestampNs, 1, "what was queued before stays readable");
});

Deno.test("SignalledReader.setDiscarding() drops what is queued and lets its writer go on, counted, until it reads again", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
  const transport = new NativeTransport({ pool });
  const channel = transport.open({ ...spec(), capacity: 2 });
  using writer = transport.adoptWriter(channel.writer);
  using reader = transport.adoptReader<Frame>(channel.reader, () => {});
  const data = (value: number) => ({ kind: "data" as const, timestampNs: value, value });
  assert.ok(writer.push(data(1)) && writer.push(data(2)));
  assert.equal(writer.space, 0);
  let woken = false;
  writer.onSpace!(() => woken = true); // a writer waiting for room, as a parked node does
  reader.setDiscarding!(true); // its node failed
  assert.equal(writer.space, Infinity);
  for (let i = 3; i < 13; i++) assert.equal(writer.push(data(i)), true);
  const timer = setTimeout(() => {}, 10_000);
  while (!woken) await delay(1);
  clearTimeout(timer);
  const stats = channel.stats();
  assert.deepEqual(
    [stats.written, stats.dropped, stats.discarded, stats.queued, stats.fullRejections],
    [2, 2, 10, 0, 0],
  );
  assert.equal(pool.stats().inUse, 0, "nothing held for a reader that does not read");
  reader.setDiscarding!(false); // set up again
  assert.equal(writer.space, 2);
  assert.ok(writer.push(data(13)));
  assert.equal(reader.pop()?.timestampNs, 13);
  channel.close();
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

Deno.test("SignalledReader returns owned frames: each lives until its last holder releases it, zero-copy, audio too", () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 8, 8), slotCount: 16 });
  const transport = new NativeTransport({ pool });
  const channel = transport.open({ ...spec("fifo"), capacity: 16 });
  const reader = transport.adoptReader<VideoFrame | AudioFrame>(channel.reader, () => {});
  const writer = transport.adoptWriter<VideoFrame | AudioFrame>(channel.writer);
  const frames = new NodeFrames("src", transport.sharedMemory!);
  for (let n = 0; n < 12; n++) {
    const frame = frames.video({ width: 8, height: 8, format: "RGBA" })!;
    frame.data.fill(n);
    frame.frameNumber = n;
    writer.push(frame);
  }
  const block = frames.audio({ channels: 2, sampleRate: 48000, frameCount: 4 })!;
  block.samples.fill(0.25);
  writer.push(block);
  frames.flush(); // the writer's references go: only the queued messages hold the slots
  assert.equal(pool.stats().inUse, 13);
  const stats = channel.stats() as NativeConnectionStats;
  assert.equal(stats.zeroCopyWrites, 13, "video and audio crossed by slot reference");
  const read: OwnedFrame[] = [];
  for (let n = 0; n < 13; n++) read.push(reader.pop() as unknown as OwnedFrame);
  assert.ok(read.every((f) => f instanceof OwnedFrame));
  assert.deepEqual(read.slice(0, 12).map((f) => (f as unknown as VideoFrame).data[0]), [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
  ]);
  assert.equal((read[12] as unknown as AudioFrame).samples[7], 0.25);
  assert.ok(read[0].unique, "the reader's frame is the slot's only holder: writable in place");
  assert.equal(pool.stats().inUse, 13, "read frames keep their slots, however many reads follow");
  read[0].release();
  assert.equal(pool.stats().inUse, 12);
  assert.throws(() => (read[0] as unknown as VideoFrame).data, FrameReleasedError);
  for (const f of read) f.release();
  assert.equal(pool.stats().inUse, 0);
  writer[Symbol.dispose]();
  reader[Symbol.dispose]();
  channel.close();
});

Deno.test("SignalledWriter: a frame that must be copied while every pool slot is held waits for a slot (space 0), then goes first; end waits for it", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 1 });
  const transport = new NativeTransport({ pool });
  const channel = transport.open(spec());
  using reader = transport.adoptReader<AudioFrame>(channel.reader, () => {});
  using writer = transport.adoptWriter<AudioFrame>(channel.writer);
  const heap = new NodeFrames("tone", new HeapMemorySource());
  const block = heap.audio({ channels: 1, sampleRate: 8000, frameCount: 4 })!;
  block.samples.set([1, 2, 3, 4]);
  const held = pool.acquire();
  assert.equal(writer.push(block), true, "kept, not lost");
  assert.equal(writer.space, 0, "the writing node waits");
  (writer as unknown as { end(ended: boolean): void }).end(true);
  assert.equal(reader.ended, false, "the end waits for the kept frame");
  heap.flush(); // the writing run ends; the writer still holds the block
  assert.equal(block.released, false);
  pool.release(held);
  await until(() => reader.available === 1);
  assert.deepEqual([...reader.pop()!.samples], [1, 2, 3, 4]);
  assert.equal(block.released, true, "the writer let go of it once copied");
  await until(() => reader.ended === true);
  assert.equal((channel.stats() as NativeConnectionStats).copiedWrites, 1);
  channel.close();
});

Deno.test("SignalledWriter gives up a frame that waited POOL_WAIT_LIMIT_MS for a slot (counted), so a graph whose slots are all queued moves again", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 1 });
  const transport = new NativeTransport({ pool });
  const channel = transport.open(spec());
  using _reader = transport.adoptReader<AudioFrame>(channel.reader, () => {});
  using writer = transport.adoptWriter<AudioFrame>(channel.writer);
  const heap = new NodeFrames("tone", new HeapMemorySource());
  const block = heap.audio({ channels: 1, sampleRate: 8000, frameCount: 4 })!;
  const held = pool.acquire();
  const start = performance.now();
  assert.equal(writer.push(block), true);
  assert.equal(writer.space, 0);
  await until(() => (writer.space ?? 0) > 0);
  assert.ok(performance.now() - start >= POOL_WAIT_LIMIT_MS - 1);
  const stats = channel.stats() as NativeConnectionStats;
  assert.equal(stats.written, 0);
  assert.equal(stats.poolExhausted, 1);
  assert.equal(stats.fullRejections, 1, "given up, and counted");
  heap.flush();
  assert.equal(block.released, true);
  pool.release(held);
  channel.close();
});

/** Polls `ready` every millisecond for up to 5 s. */
async function until(ready: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

Deno.test("SignalledReader wakes its node again within a few ms when writers skip the notify (its node stopped short of reading the ring empty)", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 8 });
  const [w, r] = createNativeConnection({ capacity: 8, policy: "fifo", pool });
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
  const writer = new SignalledWriter(w, signal);
  let woken = 0;
  const notifies: number[] = [];
  // A node that reads one frame per wake and never reads the ring empty, so the reader stays
  // awake (SIGNAL_READER_ASLEEP 0) and the frames pushed meanwhile ring no notify.
  const reader = new SignalledReader(r, signal, () => {
    woken++;
    if (woken === 1) {
      for (let n = 1; n <= 3; n++) {
        notifies.push(signal[SIGNAL_READER_ASLEEP]);
        writer.push({ kind: "data", timestampNs: n, value: n });
      }
    }
    reader.pop();
  }, () => {});
  writer.push({ kind: "data", timestampNs: 0, value: 0 });
  // Only the fallback timer (1-2 ms per wake) can tell the node about the last three frames.
  for (let i = 0; i < 1000 && reader.available + (woken === 0 ? 1 : 0) > 0; i++) await delay(1);
  assert.deepEqual(notifies, [0, 0, 0], "the reader was awake: those pushes skipped the notify");
  assert.equal(reader.available, 0, "every frame was read");
  assert.equal(woken, 4);
  reader[Symbol.dispose]();
  writer[Symbol.dispose]();
});

Deno.test("SignalledReader arms no fallback timer when its node reads the ring empty in the run onData asked for", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 8 });
  const [w, r] = createNativeConnection({ capacity: 8, policy: "fifo", pool });
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
  const writer = new SignalledWriter(w, signal);
  const realSetTimeout = globalThis.setTimeout;
  const pause = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));
  let timers = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    timers++;
    return realSetTimeout(...args);
  }) as typeof setTimeout;
  let read = 0;
  try {
    // As the runtime's scheduler does: onData asks for a run in a microtask, which reads the
    // ring empty.
    const reader = new SignalledReader(r, signal, () => {
      queueMicrotask(() => {
        while (reader.pop() !== undefined) read++;
      });
    }, () => {});
    for (let n = 0; n < 10; n++) {
      await pause(3); // the reader is asleep again, and a timer armed for the last wake has fired
      writer.push({ kind: "data", timestampNs: n, value: n });
      for (let i = 0; i < 100 && read <= n; i++) await pause(1);
    }
    reader[Symbol.dispose]();
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.equal(read, 10);
  assert.equal(timers, 0, "no fallback timer for wakes whose run read the ring empty");
  writer[Symbol.dispose]();
});

Deno.test("SignalledWriter rings a sleeping reader once: the pushes after it, until the reader says again that it may sleep, skip the bell", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 8 });
  const [w, r] = createNativeConnection({ capacity: 8, policy: "fifo", pool });
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
  const writer = new SignalledWriter(w, signal);
  // A reader about to sleep, in another isolate as far as the writer can tell: the flag up, the
  // bell as it saw it.
  Atomics.store(signal, SIGNAL_READER_ASLEEP, 1);
  const seen = Atomics.load(signal, SIGNAL_BELL);
  for (let n = 0; n < 5; n++) writer.push({ kind: "data", timestampNs: n, value: n });
  assert.equal(Atomics.load(signal, SIGNAL_BELL), seen + 1, "one bell for five pushes");
  assert.equal(Atomics.load(signal, SIGNAL_READER_ASLEEP), 0, "the writer took the flag");
  // Its wait on the bell it saw returns at once: the first push was not missed.
  assert.equal(Atomics.waitAsync(signal, SIGNAL_BELL, seen).value, "not-equal");
  // The reader sleeps again: the next push rings again.
  Atomics.store(signal, SIGNAL_READER_ASLEEP, 1);
  writer.push({ kind: "data", timestampNs: 5, value: 5 });
  assert.equal(Atomics.load(signal, SIGNAL_BELL), seen + 2);
  // A real reader reads all six after the bells.
  let woken = 0;
  const reader = new SignalledReader(r, signal, () => woken++, () => {});
  for (let i = 0; i < 100 && woken === 0; i++) await delay(1);
  const values: unknown[] = [];
  for (let frame = reader.pop(); frame !== undefined; frame = reader.pop()) {
    values.push(frame.kind === "data" ? frame.value : undefined);
  }
  assert.deepEqual(values, [0, 1, 2, 3, 4, 5]);
  reader[Symbol.dispose]();
  writer[Symbol.dispose]();
});

Deno.test("SignalledReader wakes a blocking writer waiting for room once half the ring is free, or when read empty; an event-loop one at once", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 8 });
  const [w, r] = createNativeConnection({ capacity: 4, policy: "fifo", pool });
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
  const writerWake = new Int32Array(new SharedArrayBuffer(WAKE_BYTES));
  using writer = new SignalledWriter(w, signal);
  using reader = new SignalledReader(r, signal, () => {}, () => {}, undefined, undefined, {
    writerWake,
  });
  const rings = () => writerWake[WAKE_BELL];
  for (let n = 0; n < 4; n++) assert.ok(writer.push({ kind: "data", timestampNs: n, value: n }));
  assert.equal(writer.space, 0);
  // A writer in a Worker that blocks says it waits on its wake word.
  Atomics.store(signal, SIGNAL_WRITER_WAITING, ASLEEP_ON_WAKE);
  assert.equal(reader.pop()?.kind, "data");
  assert.equal(rings(), 0, "one place free: not yet");
  assert.equal(Atomics.load(signal, SIGNAL_WRITER_WAITING), ASLEEP_ON_WAKE);
  assert.equal(reader.pop()?.kind, "data");
  assert.equal(rings(), 1, "half the ring free: rung");
  assert.equal(Atomics.load(signal, SIGNAL_WRITER_WAITING), 0, "the reader took the flag");
  // Waiting again with one place free: the pop that frees a second one rings.
  assert.ok(writer.push({ kind: "data", timestampNs: 4, value: 4 }));
  Atomics.store(signal, SIGNAL_WRITER_WAITING, ASLEEP_ON_WAKE);
  assert.equal(reader.pop()?.kind, "data");
  assert.equal(rings(), 2, "two free of four after this pop");
  // With one frame left and the writer waiting again, reading the ring empty rings.
  assert.equal(reader.pop()?.kind, "data");
  Atomics.store(signal, SIGNAL_WRITER_WAITING, ASLEEP_ON_WAKE);
  assert.equal(reader.pop()?.kind, "data");
  assert.equal(reader.pop(), undefined);
  assert.equal(rings(), 3, "read empty: rung");
  // A writer that waits through its event loop is rung on the room bell after any pop.
  for (let n = 5; n < 9; n++) assert.ok(writer.push({ kind: "data", timestampNs: n, value: n }));
  Atomics.store(signal, SIGNAL_WRITER_WAITING, ASLEEP_ON_BELL);
  const seen = Atomics.load(signal, SIGNAL_SPACE);
  assert.equal(reader.pop()?.kind, "data");
  assert.equal(Atomics.load(signal, SIGNAL_SPACE), seen + 1);
  assert.equal(rings(), 3);
});

Deno.test("A channel end that blocks is rung on its isolate's wake word alone", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 8 });
  const [w, r] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
  const readerWake = new Int32Array(new SharedArrayBuffer(WAKE_BYTES));
  const writerWake = new Int32Array(new SharedArrayBuffer(WAKE_BYTES));
  using writer = new SignalledWriter(w, signal, { readerWake });
  using reader = new SignalledReader(r, signal, () => {}, () => {}, undefined, undefined, {
    writerWake,
  });
  // The reader blocks on its wake word: a push rings that word, not the doorbell.
  Atomics.store(signal, SIGNAL_READER_ASLEEP, ASLEEP_ON_WAKE);
  writer.push({ kind: "data", timestampNs: 0, value: 0 });
  writer.push({ kind: "data", timestampNs: 1, value: 1 });
  assert.deepEqual([signal[SIGNAL_BELL], readerWake[WAKE_BELL]], [0, 1]);
  // The writer blocks on its wake word for room: the pop that frees half rings that word alone.
  Atomics.store(signal, SIGNAL_WRITER_WAITING, ASLEEP_ON_WAKE);
  assert.equal(reader.pop()?.kind, "data");
  assert.deepEqual([signal[SIGNAL_SPACE], writerWake[WAKE_BELL]], [0, 1]);
  // A writer waiting through its event loop is rung on the room bell alone.
  Atomics.store(signal, SIGNAL_WRITER_WAITING, ASLEEP_ON_BELL);
  assert.equal(reader.pop()?.kind, "data");
  assert.deepEqual([signal[SIGNAL_SPACE], writerWake[WAKE_BELL]], [1, 1]);
});

Deno.test("SignalledReader is woken by the next push after a writer's late ring took its new flag", async () => {
  // Decision 0070: a writer pushed frame 1 and was preempted before its ring; the reader read the
  // frame anyway, then raised its flag to sleep, and the late ring took that flag. Reading the
  // bell after raising the flag, the reader slept on the bell the late ring had already moved,
  // and no later push rang it (the flag was down): the connection stalled with a full ring.
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 8 });
  const [w, r] = createNativeConnection({ capacity: 4, policy: "fifo", pool });
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
  const read: number[] = [];
  let late: LateRing | undefined;
  let runs = 0;
  const ranTwice = Promise.withResolvers<void>();
  // deno-lint-ignore prefer-const -- the node's run reads it once the reader exists
  let reader: SignalledReader<Frame>;
  const run = () => {
    runs++;
    // The late ring: armed in the first run, it rings right after the reader's next raise.
    late ??= armLateRing(signal);
    for (let frame; (frame = reader.pop()) !== undefined;) read.push(frame.timestampNs);
    if (runs === 2) ranTwice.resolve();
  };
  reader = new SignalledReader(r, signal, () => queueMicrotask(run), () => {});
  using writer = new SignalledWriter(w, signal);
  const keepAlive = setInterval(() => {}, 20); // doorbells rung by this isolate (see above)
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    writer.push({ kind: "data", timestampNs: 1, value: 1 });
    for (let i = 0; i < 2_000 && !late?.rang; i++) await delay(1);
    assert.ok(late?.rang, "the late ring took the reader's flag");
    writer.push({ kind: "data", timestampNs: 2, value: 2 });
    const stalled = new Promise<"stalled">((
      resolve,
    ) => (timer = setTimeout(resolve, 2_000, "stalled")));
    assert.equal(
      await Promise.race([ranTwice.promise.then(() => "woken" as const), stalled]),
      "woken",
    );
    assert.deepEqual(read, [1, 2]);
  } finally {
    clearInterval(keepAlive);
    clearTimeout(timer);
    late?.disarm();
    reader[Symbol.dispose]();
  }
});
