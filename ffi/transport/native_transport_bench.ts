/**
 * The transport's side of a Worker hop, in one isolate: a burst of 64-byte audio frames from a
 * `SlotMemorySource` through two channels of a {@linkcode NativeTransport}, each frame read as an
 * owned frame, written on and released, as a `PassThrough` in a Worker does. No thread wakes up,
 * so it measures the encode, decode, ring and reference-count calls alone (the CPU that
 * `bench/worker_hops_probe.ts` reports adds the wake-ups and the cache misses of several threads).
 *
 * Run: `deno bench -A ffi/transport/native_transport_bench.ts`
 *
 * @module
 */

import { NodeFrames } from "../../core/frames/node_frames.ts";
import type { OwnedAudioFrame } from "../../core/frames/owned_frame.ts";
import { slotBytesFor } from "./frame_format.ts";
import { FramePool } from "./frame_pool.ts";
import { NativeTransport } from "./native_transport.ts";
import { holdingsBytes } from "./slot_memory.ts";

const BURST = 64;
const pool = FramePool.create({ slotBytes: slotBytesFor(3840), slotCount: 4096 });
const transport = new NativeTransport({
  pool,
  holdings: new SharedArrayBuffer(holdingsBytes(pool.slotCount)),
});
const spec = (connection: string) => ({
  connection,
  fromIsolate: "worker:a",
  toIsolate: "worker:b",
  portType: "AudioFrame",
  capacity: 256,
  policy: "fifo" as const,
});
const first = transport.open(spec("first"));
const second = transport.open(spec("second"));
const firstWriter = transport.adoptWriter<OwnedAudioFrame>(first.writer);
const firstReader = transport.adoptReader<OwnedAudioFrame>(first.reader, () => {});
const secondWriter = transport.adoptWriter<OwnedAudioFrame>(second.writer);
const secondReader = transport.adoptReader<OwnedAudioFrame>(second.reader, () => {});
const frames = new NodeFrames("source", transport.sharedMemory!);
let frameNumber = 0;

Deno.bench(`${BURST} frames of 64 B through two hops (push, pop, push on, release)`, () => {
  for (let i = 0; i < BURST; i++) {
    const frame = frames.audio({ channels: 1, sampleRate: 48_000, frameCount: 16 })!;
    frame.frameNumber = frameNumber++;
    firstWriter.push(frame);
  }
  frames.flush();
  for (let i = 0; i < BURST; i++) {
    const frame = firstReader.pop()!;
    secondWriter.push(frame);
    frame.release();
  }
  for (let i = 0; i < BURST; i++) secondReader.pop()!.release();
});
