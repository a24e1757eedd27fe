import assert from "node:assert/strict";
import { HeapMemorySource } from "./heap_memory.ts";
import { InvalidFrameShapeError } from "./memory.ts";
import { createProcessContext } from "../processor/create_context.ts";
import { LiveFrames } from "./ledger.ts";
import { NodeFrames } from "./node_frames.ts";
import { FrameReleasedError, type OwnedAudioFrame, type OwnedFrame } from "./owned_frame.ts";
import { LocalConnection } from "../ports/local_connection.ts";
import { InputBinding } from "../ports/input_binding.ts";
import { OutputBinding } from "../ports/output_binding.ts";

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

Deno.test("NodeFrames refuses bad shapes with InvalidFrameShapeError naming the field, its value and what it takes", () => {
  const frames = new NodeFrames("x", new HeapMemorySource());
  const refused = (
    make: () => unknown,
    frame: string,
    field: string,
    value: string,
    message: RegExp,
  ) =>
    assert.throws(make, (e) => {
      assert.ok(e instanceof InvalidFrameShapeError && e instanceof RangeError, String(e));
      assert.equal(e.code, "invalid_frame_shape");
      assert.deepEqual([e.frame, e.field, e.value], [frame, field, value]);
      assert.match(e.message, message);
      assert.deepEqual(JSON.parse(JSON.stringify(e.details)), { ...e.details });
      return true;
    });
  refused(
    () => frames.video({ width: 0, height: 2, format: "RGBA" }),
    "video",
    "width",
    "0",
    /width must be a positive integer, got 0/,
  );
  refused(
    () => frames.video({ width: 2, height: NaN, format: "RGBA" }),
    "video",
    "height",
    "NaN",
    /height/,
  );
  refused(
    () => frames.video({ width: 2, height: 2, format: "YUV9" as "RGBA" }),
    "video",
    "format",
    "'YUV9'",
    /format must be one of RGBA, BGRA, I420, NV12, got 'YUV9'/,
  );
  refused(
    () => frames.audio({ channels: 1.5, sampleRate: 1, frameCount: 1 }),
    "audio",
    "channels",
    "1.5",
    /channels/,
  );
  for (const rate of [0, -1, NaN, Infinity]) {
    refused(
      () => frames.audio({ channels: 1, sampleRate: rate, frameCount: 1 }),
      "audio",
      "sampleRate",
      String(rate),
      /sampleRate must be a finite number above 0/,
    );
  }
  refused(
    () => frames.encoded({ codec: "h264", byteLength: -1 }),
    "encoded-video",
    "byteLength",
    "-1",
    /byteLength/,
  );
  refused(
    () => frames.encoded({ codec: "mpeg2" as "h264", byteLength: 4 }),
    "encoded-video",
    "codec",
    "'mpeg2'",
    /codec must be one of h264, h265, vp8, vp9, av1/,
  );
  const formats = (() => {
    try {
      frames.video({ width: 2, height: 2, format: "YUV9" as "RGBA" });
    } catch (e) {
      return (e as InvalidFrameShapeError).details.available;
    }
  })();
  assert.deepEqual(formats, ["RGBA", "BGRA", "I420", "NV12"]);
  refused(
    () => frames.like({ kind: "data" } as never),
    "frame",
    "kind",
    "'data'",
    /kind must be one of video, gpu-video, audio, encoded-video, encoded-audio, got 'data'/,
  );
  refused(
    () => frames.like(null as never),
    "frame",
    "frame",
    "null",
    /must be an object, got null/,
  );
  refused(
    () => frames.video(undefined as never),
    "video",
    "shape",
    "undefined",
    /shape must be an object/,
  );
  refused(
    () =>
      frames.video({
        width: 2,
        height: 2,
        format: {
          toString: () => {
            throw new Error("hostile");
          },
        },
      } as never),
    "video",
    "format",
    "an object",
    /format must be one of/,
  );
  // Nothing was allocated by the refusals.
  assert.equal(frames.video({ width: 2, height: 2, format: "RGBA" })?.width, 2);
});

/** A source and a gain sharing one small memory, with the gain's input bound as the runtime does. */
function gainAfterSource(budgetBytes: number) {
  const memory = new HeapMemorySource({ budgetBytes });
  const source = new NodeFrames("src", memory);
  const gain = new NodeFrames("gain", memory);
  const conn = new LocalConnection<OwnedAudioFrame<1>>({ capacity: 8 });
  const input = new InputBinding<OwnedAudioFrame<1>>("in", "AudioFrame<1>");
  input.attach(conn);
  input.owner = gain;
  const output = new OutputBinding<unknown>("out", "AudioFrame<1>");
  output.owner = gain;
  const block = (n: number) => {
    const b = source.audio({ channels: 1, sampleRate: 48000, frameCount: 4 })!;
    b.samples.fill(n);
    b.frameNumber = n;
    return b;
  };
  return { memory, source, gain, conn, input, output, block };
}

Deno.test("NodeFrames.flush() gives a block read since the run's last write back to its input when an allocation failed", () => {
  // Three blocks of 16 bytes fill the budget: no copy fits.
  const { source, gain, conn, input, output, block } = gainAfterSource(48);
  const other = new LocalConnection<OwnedAudioFrame<1>>({ capacity: 8 }); // a second reader of block 1
  const blocks = [block(0), block(1), block(2)];
  for (const b of blocks) conn.push(b);
  other.push(blocks[1]);
  source.flush(); // the connections hold the blocks; the source's run is over
  const first = input.read()!;
  const inPlace = gain.writable(first)!; // the run holds the only reference: no copy
  assert.equal(inPlace, first);
  output.write(inPlace);
  const second = input.read()!;
  assert.equal(gain.writable(second), undefined); // shared: a copy is needed, no memory is free
  gain.flush(); // the run returned for want of memory
  assert.equal(first.released, true); // written (to no connection) and finished
  assert.equal(second.released, false); // block 1 is back on the input, not lost
  assert.equal(input.available, 2);
  assert.equal(input.framesRead, 2);
  assert.equal(input.read(), second); // read again first, then the queue
  assert.equal(input.read(), blocks[2]);
  assert.equal(input.framesRead, 3); // a block read again is not counted twice
  gain.flush();
  assert.equal(blocks[2].released, true);
  assert.equal(second.refCount, 1); // the other connection's
});

Deno.test("NodeFrames.flush() keeps what the run dropped, kept, wrote or consumed; gives the rest back in read order", () => {
  const { source, gain, conn, input, output, block } = gainAfterSource(5 * 16);
  const blocks = [0, 1, 2, 3, 4].map(block);
  for (const b of blocks) conn.push(b);
  source.flush();
  const read = [0, 1, 2, 3, 4].map(() => input.read()!);
  gain.drop(read[0]);
  using kept = gain.keep(read[1]);
  gain.consume(read[4]);
  // Block 2 and 3 are neither: an allocation fails, so both go back, in the order read.
  assert.equal(gain.audio({ channels: 1, sampleRate: 48000, frameCount: 4 }), undefined);
  gain.flush();
  assert.equal(read[0].released, true);
  assert.equal(kept.frame.released, false);
  assert.equal(read[4].released, true);
  assert.deepEqual([input.read()?.frameNumber, input.read()?.frameNumber, input.read()], [
    2,
    3,
    undefined,
  ]);
  gain.flush();
  void output;
});

Deno.test("NodeFrames.flush() gives nothing back when no allocation failed, or what was read before the last write", () => {
  const { source, gain, conn, input, output, block } = gainAfterSource(2 * 16);
  conn.push(block(0));
  conn.push(block(1));
  source.flush();
  const a = input.read()!;
  output.write(gain.writable(a)!); // in place: no memory needed
  const b = input.read()!;
  output.write(b);
  assert.equal(gain.audio({ channels: 1, sampleRate: 48000, frameCount: 4 }), undefined);
  gain.flush();
  assert.equal(a.released, true);
  assert.equal(b.released, true);
  assert.equal(input.available, 0);
});

Deno.test("InputBinding: frames given back count in available and ended, readLatest() skips older ones, clear() and detach() drop them", () => {
  const { source, gain, conn, input, block } = gainAfterSource(3 * 16);
  for (const n of [0, 1, 2]) conn.push(block(n));
  source.flush();
  conn.end(true);
  const r0 = input.read()!;
  const r1 = input.read()!;
  assert.equal(gain.audio({ channels: 1, sampleRate: 48000, frameCount: 4 }), undefined);
  gain.flush();
  assert.equal(input.available, 3);
  assert.equal(input.ended, false);
  const latest = input.readLatest()!; // block 2 is newer than what came back
  assert.equal(latest.frameNumber, 2);
  assert.equal(r0.released, true);
  assert.equal(r1.released, true);
  assert.equal(gain.dropped, 2);
  gain.flush();
  assert.equal(input.ended, true);
  // Given back, then dropped with the connection.
  const { source: s2, gain: g2, conn: c2, input: i2, block: b2 } = gainAfterSource(16);
  c2.push(b2(7));
  s2.flush();
  const only = i2.read()!;
  assert.equal(g2.audio({ channels: 1, sampleRate: 48000, frameCount: 4 }), undefined);
  g2.flush();
  assert.equal(i2.readLatest(), only); // nothing newer queued: the newest given back
  assert.equal(g2.audio({ channels: 1, sampleRate: 48000, frameCount: 4 }), undefined);
  g2.flush();
  assert.equal(i2.clear(), 1);
  assert.equal(only.released, true);
});

Deno.test("NodeFrames.flush() forgets a failed allocation of a run that held nothing (a source's)", () => {
  const { source, gain, conn, input, output, block } = gainAfterSource(16);
  const hog = source.audio({ channels: 1, sampleRate: 48000, frameCount: 4 })!; // all the memory
  assert.equal(gain.audio({ channels: 1, sampleRate: 48000, frameCount: 4 }), undefined);
  gain.flush(); // a run that held nothing and found no memory
  source.flush();
  assert.equal(hog.released, true);
  conn.push(block(1));
  source.flush();
  const b = input.read()!;
  output.write(b);
  gain.flush(); // no allocation failed in this run: nothing goes back
  assert.equal(input.available, 0);
  assert.equal(b.released, true);
});

Deno.test("createProcessContext() binds a port table's inputs and outputs, and refuses what is not one", () => {
  const inputs = [new InputBinding<unknown>("in", "Frame")];
  const outputs = [new OutputBinding<unknown>("out", "Frame")];
  const ctx = createProcessContext("t", {
    ports: { inputBindings: inputs, outputBindings: outputs },
  });
  assert.equal(inputs[0].owner, ctx.frames);
  assert.equal(outputs[0].owner, ctx.frames);
  assert.throws(
    () => createProcessContext("t", { ports: {} as never }),
    (e: unknown) => e instanceof TypeError && /options\.ports must be a port table/.test(e.message),
  );
});

Deno.test("NodeFrames.encodedAudio() makes owned frames: like(), writable() and released use", () => {
  const memory = new HeapMemorySource();
  const ledger = new LiveFrames();
  const encoder = new NodeFrames("aac", memory, ledger);
  const extradata = new Uint8Array([0x11, 0x90]);
  const frame = encoder.encodedAudio({
    codec: "aac",
    byteLength: 3,
    sampleRate: 48_000,
    channels: 2,
    frameCount: 1024,
    extradata,
  })!;
  frame.data.set([1, 2, 3]);
  frame.timestampNs = 7;
  frame.frameNumber = 4;
  assert.equal(frame.kind, "encoded-audio");
  assert.equal(frame.extradata, extradata); // shared, not copied
  const like = encoder.like(frame)!;
  assert.deepEqual(
    [like.codec, like.sampleRate, like.channels, like.frameCount, like.data.length],
    ["aac", 48_000, 2, 1024, 3],
  );
  frame.retain(); // a second holder: writable() copies
  const copy = encoder.writable(frame)!;
  assert.notEqual(copy, frame);
  assert.deepEqual([...copy.data, copy.timestampNs, copy.frameNumber], [1, 2, 3, 7, 4]);
  assert.equal(ledger.size, 3); // frame, like, copy: alive
  encoder.flush();
  assert.equal(frame.released, false); // the second holder's reference
  frame.release();
  assert.throws(
    () => frame.data,
    (e) => e instanceof FrameReleasedError && e.frameKind === "encoded-audio",
  );
  assert.equal(ledger.size, 0);
});

Deno.test("NodeFrames.encodedAudio() refuses a bad shape with InvalidFrameShapeError", () => {
  const frames = new NodeFrames("aac", new HeapMemorySource());
  const shape = {
    codec: "aac" as const,
    byteLength: 4,
    sampleRate: 48_000,
    channels: 2,
    frameCount: 1024,
  };
  const cases: [Record<string, unknown>, string][] = [
    [{ codec: "mp3" }, "codec"],
    [{ byteLength: -1 }, "byteLength"],
    [{ channels: 0 }, "channels"],
    [{ frameCount: 1.5 }, "frameCount"],
    [{ sampleRate: NaN }, "sampleRate"],
    [{ extradata: new Uint8Array(25) }, "extradata"],
  ];
  for (const [change, field] of cases) {
    assert.throws(
      () => frames.encodedAudio({ ...shape, ...change } as never),
      (e) =>
        e instanceof InvalidFrameShapeError && e.code === "invalid_frame_shape" &&
        e.frame === "encoded-audio" && e.field === field,
      field,
    );
  }
});
