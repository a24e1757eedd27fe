/**
 * A small native pipeline, until the runtime arrives: a 640x360 RGBA test pattern (a moving box)
 * is drawn at 60 fps into frame-pool slots in the main isolate and sent by slot handle through a
 * `latest` native ring to a Worker, which finds the box in the frame without copying it and
 * reports its position and the end-to-end latency. One status line a second.
 *
 * Run: `deno task demo` (add `-- --seconds 10` for longer).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { FrameMessageBatch } from "../core/frames/message.ts";
import { createNativeRing, FramePool } from "../ffi/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { seconds: { type: "string", default: "5" }, fps: { type: "string", default: "60" } },
});
const SECONDS = Number(values.seconds);
const FPS = Number(values.fps);
const WIDTH = 640, HEIGHT = 360, BOX = 40;

using pool = FramePool.create({ slotBytes: WIDTH * HEIGHT * 4, slotCount: 8 });
const [frames, framesIn] = createNativeRing({ capacity: 2, policy: "latest" });
const [returns, returnsIn] = createNativeRing({ capacity: 16, policy: "fifo" });
const worker = new Worker(new URL("./ring_demo_worker.ts", import.meta.url), { type: "module" });
worker.postMessage({
  frames: framesIn.transfer(),
  returns: returns.transfer(),
  pool: pool.share(),
  width: WIDTH,
  height: HEIGHT,
  timeOrigin: performance.timeOrigin, // timestamps below are ms since this origin, in ns
});
worker.onmessage = (e) => console.log(e.data);

function draw(pixels: Uint8Array, frame: number): void {
  pixels.fill(32); // dark grey background, opaque alpha below
  const x0 = (frame * 4) % (WIDTH - BOX), y0 = (frame * 2) % (HEIGHT - BOX);
  for (let y = y0; y < y0 + BOX; y++) {
    pixels.fill(255, (y * WIDTH + x0) * 4, (y * WIDTH + x0 + BOX) * 4);
  }
}

const message = new FrameMessageBatch(1);
const start = performance.now();
let frame = 0, exhausted = 0;
while (performance.now() - start < SECONDS * 1000) {
  // Take back slots the Worker is done with, so the pool never runs dry.
  while (returnsIn.pop(message)) pool.release(message.slot(0));
  const slot = pool.tryAcquire();
  if (slot === undefined) exhausted++;
  else {
    draw(pool.bytes(slot), frame);
    message.write(0, slot, 0, WIDTH * HEIGHT * 4, 0, performance.now() * 1e6, frame);
    frames.push(message); // latest: never blocks; a frame the Worker skipped comes back as dropped
  }
  frame++;
  const due = start + (frame * 1000) / FPS;
  await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
}
const stats = frames.stats();
console.log(
  `done: ${frame} frames drawn, ${stats.read} analysed, ${stats.dropped} dropped by the latest ` +
    `ring, ${exhausted} skipped for want of a pool slot`,
);
frames.close();
await new Promise((r) => setTimeout(r, 100));
worker.terminate();
returnsIn.close();
