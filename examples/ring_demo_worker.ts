/// <reference lib="deno.worker" />
// The Worker of examples/ring_demo.ts: reads frames by slot handle and finds the white box.

import { FrameMessageBatch } from "../core/frames/message.ts";
import { FramePool, NativeRingConsumer, NativeRingProducer } from "../ffi/mod.ts";

self.onmessage = (event) => {
  const { width, height, timeOrigin } = event.data;
  // Each isolate has its own performance.timeOrigin; measure against the main isolate's.
  const offsetMs = performance.timeOrigin - timeOrigin;
  const frames = NativeRingConsumer.adopt(event.data.frames);
  const returns = NativeRingProducer.adopt(event.data.returns);
  const pool = FramePool.attach(event.data.pool);
  const message = new FrameMessageBatch(1);
  let analysed = 0, lastReport = performance.now(), worstMs = 0;
  let where = "";

  const tick = () => {
    // Frames the latest ring rolled off still hold a slot: the producer gets them back too.
    if (frames.isAbandoned() && frames.isEmpty()) {
      frames.close();
      returns.close();
      pool.close();
      return;
    }
    if (frames.pop(message)) {
      const slot = message.slot(0);
      const pixels = pool.bytes(slot); // zero-copy view of the frame in native memory
      const first = pixels.indexOf(255);
      const pixel = first / 4;
      where = `box at (${pixel % width}, ${Math.floor(pixel / width)}) of ${width}x${height}`;
      worstMs = Math.max(worstMs, offsetMs + performance.now() - message.timestampNs(0) / 1e6);
      analysed++;
      returns.push(message);
    }
    if (performance.now() - lastReport >= 1000) {
      const s = frames.stats();
      self.postMessage(
        `worker: ${analysed} frames analysed, ${s.dropped} dropped, ${where}, ` +
          `worst latency ${worstMs.toFixed(2)} ms`,
      );
      lastReport = performance.now();
      worstMs = 0;
    }
    setTimeout(tick, 1);
  };
  tick();
};
