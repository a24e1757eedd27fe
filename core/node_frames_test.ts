import assert from "node:assert/strict";
import { HeapMemorySource } from "./heap_memory.ts";
import { LiveFrames } from "./frame_ledger.ts";
import { NodeFrames } from "./node_frames.ts";
import { FrameReleasedError, type OwnedFrame } from "./owned_frame.ts";
import { LocalConnection } from "./local_connection.ts";

Deno.test("NodeFrames.flush() releases what the run made; a released frame throws FrameReleasedError", () => {
  const frames = new NodeFrames("pattern", new HeapMemorySource());
  const frame = frames.video({ width: 4, height: 2, format: "RGBA" })!;
  assert.equal(frame.data.length, 32);
  assert.equal(frame.stride, 16);
  frames.flush();
  assert.equal(frame.released, true);
  assert.equal(frame.refCount, 0);
  assert.throws(() => frame.data, (e: unknown) => {
    assert.ok(e instanceof FrameReleasedError);
    assert.equal(e.code, "frame_released");
    assert.equal(e.origin, "pattern");
    assert.match(e.message, /released video frame \(made by 'pattern'\)/);
    return true;
  });
});

Deno.test("NodeFrames recycles freed memory into new frame objects; the dead one stays dead", () => {
  const memory = new HeapMemorySource();
  const frames = new NodeFrames("tone", memory);
  const a = frames.audio({ channels: 2, sampleRate: 48000, frameCount: 8 })!;
  const bufferA = a.samples.buffer;
  frames.flush();
  const b = frames.audio({ channels: 2, sampleRate: 48000, frameCount: 8 })!;
  assert.notEqual(a, b);
  assert.equal(b.samples.buffer, bufferA); // same memory, new frame object
  assert.throws(() => a.samples, FrameReleasedError); // recycling never revives a dead frame
  assert.equal(memory.stats().allocated, 2);
  assert.equal(memory.stats().inUse, 1);
});

Deno.test("A connection holds its own reference: fan-out to N connections takes N, no copy", () => {
  const memory = new HeapMemorySource();
  const frames = new NodeFrames("src", memory);
  const conns = [new LocalConnection({ capacity: 4 }), new LocalConnection({ capacity: 4 })];
  const frame = frames.video({ width: 2, height: 2, format: "I420" })!;
  for (const c of conns) c.push(frame);
  assert.equal(frame.refCount, 3);
  frames.flush();
  assert.equal(frame.refCount, 2);
  const reader = new NodeFrames("sink", memory);
  for (const c of conns) {
    const got = c.pop()!;
    assert.equal(got, frame); // the same object on every branch
    reader.adopt(got);
  }
  reader.flush();
  assert.equal(frame.released, true);
  assert.equal(memory.stats().inUse, 0);
});

Deno.test("LocalConnection releases frames that roll off, are skipped or cleared", () => {
  const memory = new HeapMemorySource();
  const frames = new NodeFrames("src", memory);
  const latest = new LocalConnection<OwnedFrame>({ capacity: 2, policy: "latest" });
  const made = [];
  for (let i = 0; i < 5; i++) {
    const f = frames.audio({ channels: 1, sampleRate: 8000, frameCount: 1 })!;
    made.push(f);
    latest.push(f);
  }
  frames.flush();
  assert.deepEqual(made.map((f) => f.released), [true, true, true, false, false]);
  const newest = latest.popLatest()!;
  assert.equal(newest, made[4]);
  assert.equal(made[3].released, true); // skipped by popLatest
  newest.release(); // the reader's reference
  const fifo = new LocalConnection<OwnedFrame>({ capacity: 4, policy: "fifo" });
  fifo.push(frames.audio({ channels: 1, sampleRate: 8000, frameCount: 1 })!);
  frames.flush();
  assert.equal(fifo.clear(), 1);
  assert.equal(memory.stats().inUse, 0);
});

Deno.test("NodeFrames.writable() writes in place when the run holds the only reference, copies otherwise", () => {
  const memory = new HeapMemorySource();
  const src = new NodeFrames("src", memory);
  const frame = src.audio({ channels: 1, sampleRate: 8000, frameCount: 2 })!;
  frame.samples.set([1, 2]);
  frame.timestampNs = 5;
  const a = new LocalConnection<OwnedFrame>({ capacity: 2 });
  const b = new LocalConnection<OwnedFrame>({ capacity: 2 });
  a.push(frame);
  b.push(frame);
  src.flush();
  const gain = new NodeFrames("gain", memory);
  const read = a.pop()!;
  gain.adopt(read);
  const out = gain.writable(frame)!; // branch b still holds it: copy
  assert.notEqual(out, frame);
  assert.deepEqual([...out.samples], [1, 2]);
  assert.equal(out.timestampNs, 5);
  out.samples[0] = 9;
  assert.equal(frame.samples[0], 1); // the other branch never sees the change
  gain.flush();
  const other = new NodeFrames("other", memory);
  other.adopt(b.pop()!);
  assert.equal(other.writable(frame), frame); // now the only holder
  other.flush();
  assert.equal(memory.stats().inUse, 0);
});

Deno.test("NodeFrames.keep() holds a frame past flush() until released; `using` releases it", () => {
  const live = new LiveFrames();
  const frames = new NodeFrames("enc", new HeapMemorySource(), live);
  const frame = frames.encoded({ codec: "h264", byteLength: 3 })!;
  {
    using kept = frames.keep(frame);
    frames.flush();
    assert.equal(kept.frame.data.length, 3);
    assert.equal(live.size, 1);
  }
  assert.equal(frame.released, true);
  assert.equal(live.size, 0);
  // keep() of a plain object frame is harmless
  frames.keep({ kind: "data", timestampNs: 0, value: 1 }).release();
});

Deno.test("Frame memory past its budget is refused (undefined), counted, and announced when freed", () => {
  const memory = new HeapMemorySource({ budgetBytes: 64 });
  const frames = new NodeFrames("big", memory);
  const first = frames.video({ width: 4, height: 4, format: "RGBA" })!;
  assert.equal(frames.video({ width: 4, height: 4, format: "RGBA" }), undefined);
  assert.equal(frames.takeExhausted(), true);
  assert.equal(frames.takeExhausted(), false);
  assert.equal(memory.stats().exhausted, 1);
  let woke = 0;
  frames.onMemoryFree(() => woke++);
  frames.flush();
  assert.equal(first.released, true);
  assert.equal(woke, 1);
  assert.ok(frames.video({ width: 4, height: 4, format: "RGBA" }));
});

Deno.test("NodeFrames refuses bad shapes with RangeErrors naming the field", () => {
  const frames = new NodeFrames("x", new HeapMemorySource());
  assert.throws(
    () => frames.video({ width: 0, height: 2, format: "RGBA" }),
    /width must be a positive integer, got 0/,
  );
  assert.throws(
    () => frames.video({ width: 2, height: 2, format: "YUV9" as "RGBA" }),
    /unknown pixel format 'YUV9', expected one of RGBA, BGRA, I420, NV12/,
  );
  assert.throws(() => frames.audio({ channels: 1.5, sampleRate: 1, frameCount: 1 }), /channels/);
  assert.throws(() => frames.encoded({ codec: "h264", byteLength: -1 }), /byteLength/);
});
