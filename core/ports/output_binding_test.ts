import assert from "node:assert/strict";
import { LocalConnection } from "./local_connection.ts";
import { OutputBinding } from "./output_binding.ts";
import { FrameReleasedError } from "../frames/owned_frame.ts";
import { HeapMemorySource } from "../frames/heap_memory.ts";
import { NodeFrames } from "../frames/node_frames.ts";

Deno.test("OutputBinding.write() to an unconnected output is a no-op that reports success", () => {
  const output = new OutputBinding<number>("out", "DataFrame");
  assert.equal(output.isConnected, false);
  assert.equal(output.write(1), true);
  assert.equal(output.connectionCount, 0);
});

Deno.test("OutputBinding.write() fans out and reports a full fifo without skipping the others", () => {
  const output = new OutputBinding<number>("out", "DataFrame");
  const full = new LocalConnection<number>({ capacity: 1, policy: "fifo" });
  const latest = new LocalConnection<number>({ capacity: 1, policy: "latest" });
  output.attach(full);
  output.attach(latest);
  output.attach(latest);
  assert.equal(output.connectionCount, 2);
  assert.equal(output.write(1), true);
  assert.equal(output.write(2), false);
  assert.equal(full.pop(), 1);
  assert.equal(latest.pop(), 2);
  assert.equal(output.detach(full), true);
  assert.equal(output.detach(full), false);
  assert.equal(output.write(3), true);
});

Deno.test("OutputBinding.framesWritten counts every write once, connected or not", () => {
  const output = new OutputBinding<number>("out", "DataFrame");
  output.write(1);
  output.attach(new LocalConnection<number>());
  output.attach(new LocalConnection<number>());
  output.write(2);
  assert.equal(output.framesWritten, 2);
});

Deno.test("OutputBinding.framesRefused counts each write a connection refused once, whatever the fan-out", () => {
  const output = new OutputBinding<number>("out", "DataFrame");
  const a = new LocalConnection<number>({ capacity: 1, policy: "fifo" });
  const b = new LocalConnection<number>({ capacity: 1, policy: "fifo" });
  const latest = new LocalConnection<number>({ capacity: 1, policy: "latest" });
  output.attach(a);
  output.attach(latest);
  assert.equal(output.write(1), true);
  assert.equal(output.framesRefused, 0);
  assert.equal(output.write(2), false);
  assert.equal(output.framesRefused, 1, "refused by the full fifo");
  output.attach(b);
  assert.equal(output.write(3), false, "a still full; b takes it");
  assert.equal(output.framesRefused, 2);
  a.pop();
  b.pop();
  assert.equal(output.write(4), true, "a latest connection never refuses");
  assert.deepEqual([output.framesWritten, output.framesRefused], [4, 2]);
  assert.equal(a.fullRejections, 2, "the connection counts the same refusals");
});

Deno.test("OutputBinding.write() of a released frame throws FrameReleasedError naming the node and port; no connection sees it", () => {
  const frames = new NodeFrames("src", new HeapMemorySource());
  const output = new OutputBinding<unknown>("out", "AudioFrame");
  output.label = "relay.out";
  output.node = "relay";
  const conn = new LocalConnection<unknown>({ capacity: 4 });
  output.attach(conn);
  const frame = frames.audio({ channels: 1, sampleRate: 8000, frameCount: 4 })!;
  frames.flush(); // the run's reference goes: the frame is dead
  assert.throws(() => output.write(frame), (e: unknown) => {
    assert.ok(e instanceof FrameReleasedError);
    assert.deepEqual([e.code, e.use, e.node, e.port, e.origin], [
      "frame_released",
      "write",
      "relay",
      "relay.out",
      "src",
    ]);
    assert.match(e.message, /Cannot write a released audio frame \(made by 'src'\) to 'relay.out'/);
    return true;
  });
  assert.equal(conn.available, 0);
  assert.equal(output.framesWritten, 0);
});
