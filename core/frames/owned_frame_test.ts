import assert from "node:assert/strict";
import { HeapMemorySource } from "./heap_memory.ts";
import { NodeFrames } from "./node_frames.ts";
import { isOwnedFrame, OwnedFrame } from "./owned_frame.ts";

Deno.test("isOwnedFrame() answers as instanceof OwnedFrame for every kind and for plain values", () => {
  const frames = new NodeFrames("maker", new HeapMemorySource());
  const owned = [
    frames.video({ width: 2, height: 2, format: "RGBA" })!,
    frames.audio({ channels: 2, sampleRate: 48_000, frameCount: 4 })!,
    frames.encoded({ codec: "h264", byteLength: 4 })!,
    frames.encodedAudio({
      codec: "aac",
      byteLength: 4,
      sampleRate: 48_000,
      channels: 2,
      frameCount: 1024,
    })!,
  ];
  const plain: unknown[] = [
    { kind: "data", value: 1 },
    { kind: "audio", channels: 1, sampleRate: 8000, frameCount: 1, samples: new Float32Array(1) },
    Object.create(null),
    7,
    "frame",
    null,
    undefined,
  ];
  for (const [i, value] of [...owned, ...plain].entries()) {
    assert.equal(isOwnedFrame(value), value instanceof OwnedFrame, `value ${i}`);
  }
  assert.ok(owned.every(isOwnedFrame));
  frames.flush();
  assert.ok(owned.every((frame) => frame.released && isOwnedFrame(frame))); // dead, still owned
});
