import assert from "node:assert/strict";
import { ConnectionSharedState } from "./connection_shared_state.ts";

Deno.test("ConnectionSharedState carries a keyframe request from reader to writer once, across mappings", () => {
  const reader = ConnectionSharedState.create(4, "fifo");
  const writer = ConnectionSharedState.from(reader.buffer); // as the other isolate maps it
  assert.equal(writer.takeKeyframeRequest(), false);
  reader.requestKeyframe();
  reader.requestKeyframe();
  assert.equal(writer.takeKeyframeRequest(), true);
  assert.equal(writer.takeKeyframeRequest(), false);
  assert.equal(writer.readerClosed || writer.writerClosed, false); // other flags untouched
});

Deno.test("ConnectionSharedState close handshake: a push begun before close is waited for, one after it is refused", () => {
  const writer = ConnectionSharedState.create(4, "fifo");
  const reader = ConnectionSharedState.from(writer.buffer);
  // Idle writer: the reader closes at once.
  assert.equal(writer.beginPush(), true);
  writer.endPush();
  assert.equal(reader.readerClosed, false);
  assert.equal(reader.closeReader(), true);
  assert.equal(writer.readerClosed, true);
  // After close, every push is refused and leaves the busy bit down (a second close is immediate).
  assert.equal(writer.beginPush(), false);
  assert.equal(writer.beginPush(), false);
  assert.equal(reader.closeReader(), true);
  assert.equal(writer.takeKeyframeRequest(), false); // the handshake's word is its own
  assert.equal(writer.writerClosed, false);
});

Deno.test("ConnectionSharedState close handshake: a reader closing while a push is in flight in a Worker waits for it", async () => {
  const writer = ConnectionSharedState.create(4, "fifo");
  const go = new Int32Array(new SharedArrayBuffer(8));
  const code = `
    import { ConnectionSharedState } from ${
    JSON.stringify(new URL("./connection_shared_state.ts", import.meta.url).href)
  };
    self.onmessage = ({ data: [buffer, go] }) => {
      const state = ConnectionSharedState.from(buffer);
      const flags = new Int32Array(go);
      const began = state.beginPush();
      Atomics.store(flags, 0, began ? 1 : 2); // in flight now
      Atomics.notify(flags, 0);
      Atomics.wait(flags, 1, 0, 50); // the push takes 50 ms
      Atomics.store(flags, 1, 1);
      state.endPush();
      self.postMessage("done");
    };`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  try {
    const done = new Promise((resolve) => worker.onmessage = resolve);
    worker.postMessage([writer.buffer, go.buffer]);
    while (Atomics.load(go, 0) === 0) await new Promise((r) => setTimeout(r, 1));
    assert.equal(Atomics.load(go, 0), 1, "the Worker's push began before the close");
    const reader = ConnectionSharedState.from(writer.buffer);
    assert.equal(reader.closeReader(), true);
    assert.equal(Atomics.load(go, 1), 1, "closeReader() returned only after the push ended");
    await done;
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
});
