import assert from "node:assert/strict";
import { createAudioFrame } from "../core/frames/audio_frame.ts";
import type { ConnectionStats } from "../core/transport/connection.ts";
import type { Frame } from "../core/frames/frame.ts";
import { NodeFrames } from "../core/frames/node_frames.ts";
import { FramePool, slotBytesFor, videoSlotBytes } from "../ffi/mod.ts";
import { createNativeConnection } from "../ffi/transport/native_connection.ts";
import type { NativeConnectionWriter } from "../ffi/transport/native_connection_writer.ts";
import { SlotMemorySource } from "../ffi/transport/slot_memory.ts";
import {
  audioSample,
  type ConnectionJob,
  type ConnectionReport,
  writeVideoPattern,
} from "./fixtures/connection_patterns.ts";

const WIDTH = 1920;
const HEIGHT = 1080;
const STALL_MS = 20_000;

/** Starts the Worker; resolves once it has adopted the reader, with the promise of its report. */
async function startWorker(job: ConnectionJob): Promise<{ report: Promise<ConnectionReport> }> {
  const worker = new Worker(new URL("./fixtures/native_connection_worker.ts", import.meta.url), {
    type: "module",
  });
  let ready!: () => void;
  const started = new Promise<void>((resolve) => ready = resolve);
  const report = new Promise<ConnectionReport>((resolve, reject) => {
    worker.onmessage = (e) => e.data === "ready" ? ready() : resolve(e.data);
    worker.onerror = (e) => reject(e);
  });
  worker.postMessage(job);
  await Promise.race([started, report]);
  return { report: report.finally(() => worker.terminate()) };
}

/** Spins until `attempt` succeeds: the main isolate is the writer and may wait for room. */
function until<T>(attempt: () => T | undefined | false): T {
  const since = performance.now();
  for (;;) {
    const result = attempt();
    if (result !== undefined && result !== false) return result;
    if (performance.now() - since > STALL_MS) throw new Error("the Worker stalled");
  }
}

/** `ctx.frames` of a writing node whose frames live in `pool`'s slots. */
function poolFrames(pool: FramePool): NodeFrames {
  return new NodeFrames("writer", new SlotMemorySource(pool));
}

function sendVideo(
  writer: NativeConnectionWriter<Frame>,
  frames: NodeFrames,
  count: number,
  intervalMs = 0,
): void {
  for (let n = 0; n < count; n++) {
    const due = performance.now() + intervalMs;
    while (performance.now() < due) { /* pace the writer */ }
    const frame = until(() => frames.video({ width: WIDTH, height: HEIGHT, format: "RGBA" }));
    writeVideoPattern(frame, n);
    frame.frameNumber = n;
    frame.timestampNs = n * 16_666_667;
    until(() => writer.push(frame)); // the connection takes its own reference to the slot
    frames.flush(); // what the runtime does when the writer's process() returns
  }
}

function assertAddsUp(stats: ConnectionStats): void {
  assert.equal(stats.written, stats.read + stats.dropped + stats.queued, JSON.stringify(stats));
}

Deno.test("createNativeConnection() main -> Worker, fifo: 1080p RGBA pool frames arrive zero-copy, all in order", async () => {
  const count = 90;
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", WIDTH, HEIGHT), slotCount: 8 });
  const [writer, reader] = createNativeConnection({ capacity: 4, policy: "fifo", pool });
  const { report } = await startWorker({ mode: "video", reader: reader.transfer() });
  sendVideo(writer, poolFrames(pool), count);
  writer.close();
  const { received, frameNumbers, errors } = await report;
  assert.deepEqual(errors, []);
  assert.equal(received, count);
  assert.deepEqual(frameNumbers, Array.from({ length: count }, (_, i) => i));
  const stats = writer.stats();
  assert.equal(stats.read, count);
  assert.equal(stats.dropped, 0);
  assert.equal(stats.zeroCopyWrites, count);
  assert.equal(stats.copiedWrites, 0);
  assertAddsUp(stats);
  assert.equal(pool.stats().inUse, 0, "no slot leaked");
});

Deno.test("createNativeConnection() main -> Worker, latest: a slow reader sees increasing frame numbers, no slot leaks", async () => {
  const count = 600;
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", WIDTH, HEIGHT), slotCount: 8 });
  const [writer, reader] = createNativeConnection({ capacity: 2, policy: "latest", pool });
  const { report } = await startWorker({ mode: "video", reader: reader.transfer(), slowMs: 0.5 });
  sendVideo(writer, poolFrames(pool), count, 0.1);
  writer.close();
  const { received, frameNumbers, errors } = await report;
  assert.deepEqual(errors, []);
  assert.ok(received > 1 && received < count, `${received} of ${count} read`);
  for (let i = 1; i < frameNumbers.length; i++) {
    assert.ok(
      frameNumbers[i] > frameNumbers[i - 1],
      `frame ${frameNumbers[i]} after ${frameNumbers[i - 1]}`,
    );
  }
  assert.equal(frameNumbers.at(-1), count - 1, "the newest frame is never lost");
  const stats = writer.stats();
  assert.equal(stats.written, count);
  assert.equal(stats.read, received);
  assert.equal(stats.dropped, count - received);
  assert.equal(stats.queued, 0);
  assertAddsUp(stats);
  assert.equal(pool.stats().inUse, 0, "rolled-off and skipped frames all went back to the pool");
});

Deno.test("createNativeConnection() main -> Worker: the reader closing mid-stream strands no slot", async () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 64, 64), slotCount: 8 });
  for (const policy of ["fifo", "latest"] as const) {
    const frames = poolFrames(pool);
    const [writer, reader] = createNativeConnection({ capacity: 3, policy, pool });
    const { report } = await startWorker({
      mode: "video",
      reader: reader.transfer(),
      stopAfter: 50,
    });
    let n = 0;
    const since = performance.now();
    // Push flat out until the Worker's close is seen; the handshake keeps the ring empty after it.
    while (!writer.isAbandoned() && performance.now() - since < STALL_MS) {
      const frame = frames.video({ width: 64, height: 64, format: "RGBA" });
      if (frame === undefined) continue;
      writeVideoPattern(frame, n);
      frame.frameNumber = n;
      if (writer.push(frame)) n++;
      frames.flush();
    }
    assert.equal(
      writer.push(frames.video({ width: 64, height: 64, format: "RGBA" })!),
      policy === "latest",
    );
    frames.flush();
    const { received, errors } = await report;
    assert.deepEqual(errors, []);
    assert.equal(received, 50);
    const stats = writer.stats();
    assert.equal(stats.queued, 0);
    assertAddsUp(stats);
    writer.close();
    assert.equal(pool.stats().inUse, 0, `${policy}: no slot left in the ring`);
  }
});

Deno.test("createNativeConnection() main -> Worker, fifo: audio blocks arrive in order, sample-exact", async () => {
  const count = 2000;
  using pool = FramePool.create({ slotBytes: slotBytesFor(480 * 2 * 4), slotCount: 32 });
  const [writer, reader] = createNativeConnection({ capacity: 16, policy: "fifo", pool });
  const { report } = await startWorker({ mode: "audio", reader: reader.transfer() });
  const block = createAudioFrame(2, 48_000, 480) as ReturnType<typeof createAudioFrame<2>> & {
    timestampNs: number;
    frameNumber: number;
  };
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < block.samples.length; i++) block.samples[i] = audioSample(n, i);
    block.frameNumber = n;
    block.timestampNs = n * 10_000_000;
    until(() => writer.push(block)); // the block is copied: reusing it at once is safe
  }
  writer.close();
  const { received, frameNumbers, errors } = await report;
  assert.deepEqual(errors, []);
  assert.equal(received, count);
  assert.deepEqual(frameNumbers, Array.from({ length: count }, (_, i) => i));
  const stats = writer.stats();
  assert.equal(stats.copiedWrites, count);
  assert.equal(stats.read, count);
  assertAddsUp(stats);
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("createNativeConnection() main -> Worker: the Worker writes into the frame it received and the main isolate sees it", async () => {
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", WIDTH, HEIGHT), slotCount: 2 });
  const frames = poolFrames(pool);
  const [writer, reader] = createNativeConnection({ capacity: 1, policy: "fifo", pool });
  const { report } = await startWorker({ mode: "zero-copy", reader: reader.transfer() });
  const frame = frames.video({ width: WIDTH, height: HEIGHT, format: "RGBA" })!;
  writeVideoPattern(frame, 5);
  frame.frameNumber = 5;
  assert.equal(writer.push(frame), true);
  const { errors, slot } = await report;
  assert.deepEqual(errors, []);
  assert.equal(slot, frame.slot, "the Worker read the very slot written here");
  assert.equal(frame.data[1], 0xcd, "its write is visible here: one memory, no copy");
  assert.equal(pool.stats().acquiredTotal, 1, "no second slot was ever taken");
  assert.equal(writer.stats().zeroCopyWrites, 1);
  writer.close();
  frames.flush(); // the writer's own reference: the slot is free now
  assert.equal(pool.stats().inUse, 0);
});
