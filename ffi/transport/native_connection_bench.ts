import { type AudioFrame, createAudioFrame } from "../../core/frames/audio_frame.ts";
import { HeapMemorySource } from "../../core/frames/heap_memory.ts";
import { NodeFrames } from "../../core/frames/node_frames.ts";
import type { Frame } from "../../core/frames/frame.ts";
import { slotBytesFor, videoSlotBytes } from "./frame_format.ts";
import { FramePool } from "./frame_pool.ts";
import { createNativeConnection } from "./native_connection.ts";
import { SlotMemorySource } from "./slot_memory.ts";

const pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 1920, 1080), slotCount: 8 });
// Held for the whole bench (never flushed), as a processor holds a frame within one run.
const shape = { width: 1920, height: 1080, format: "RGBA" } as const;
const pooled = new NodeFrames("pooled", new SlotMemorySource(pool)).video(shape)!;
const plain = new NodeFrames("plain", new HeapMemorySource()).video(shape)!;
const [fifoWriter, fifoReader] = createNativeConnection<Frame>({
  capacity: 4,
  policy: "fifo",
  pool,
});
const [latestWriter, latestReader] = createNativeConnection<Frame>({
  capacity: 2,
  policy: "latest",
  pool,
});

const audioPool = FramePool.create({ slotBytes: slotBytesFor(480 * 2 * 4), slotCount: 8 });
const block: AudioFrame<2> = createAudioFrame(2, 48_000, 480);
const [audioWriter, audioReader] = createNativeConnection<AudioFrame>({
  capacity: 4,
  policy: "fifo",
  pool: audioPool,
});

Deno.bench("NativeConnectionWriter.push() + pop(), 1080p RGBA pool frame (zero copy)", {
  group: "1080p",
  baseline: true,
}, () => {
  fifoWriter.push(pooled);
  fifoReader.pop();
});

Deno.bench("NativeConnectionWriter.push() + pop(), 1080p RGBA plain frame (one copy)", {
  group: "1080p",
}, () => {
  fifoWriter.push(plain);
  fifoReader.pop();
});

Deno.bench("NativeConnectionWriter.push() x3 + popLatest(), latest, 1080p RGBA pool frame", {
  group: "1080p",
}, () => {
  latestWriter.push(pooled);
  latestWriter.push(pooled);
  latestWriter.push(pooled);
  latestReader.popLatest();
});

Deno.bench("NativeConnectionWriter.push() + pop(), 480-sample stereo audio block (copy)", {
  group: "audio",
}, () => {
  audioWriter.push(block);
  audioReader.pop();
});
