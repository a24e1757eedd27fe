import assert from "node:assert/strict";
import { LineTransport } from "./stdio_transport.ts";

const line = (text: string) => new TextEncoder().encode(`${text}\n`);

Deno.test("LineTransport closes on a failed write and keeps the error; later sends write nothing", async () => {
  // Input that stays open: only the failed write can close the transport.
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(line('{"jsonrpc":"2.0","id":1,"method":"ping"}'));
    },
  });
  const broken = new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
  let writes = 0;
  const transport = new LineTransport({
    input,
    write: () => {
      writes++;
      return Promise.reject(broken);
    },
  });
  const errors: Error[] = [];
  transport.onerror = (error) => errors.push(error);
  const closed = new Promise<void>((resolve) => transport.onclose = resolve);
  await transport.start();
  await assert.rejects(
    transport.send({ jsonrpc: "2.0", id: 1, result: {} }),
    Deno.errors.BrokenPipe,
  );
  await closed;
  assert.equal(transport.writeError, broken);
  assert.deepEqual(errors, [broken]);
  await transport.send({ jsonrpc: "2.0", id: 2, result: {} }); // closed: not written, no error
  assert.equal(writes, 1);
  assert.equal(errors.length, 1);
});

Deno.test("LineTransport: a successful write leaves writeError undefined", async () => {
  const written: string[] = [];
  const transport = new LineTransport({
    input: ReadableStream.from([]),
    write: (bytes) => {
      written.push(new TextDecoder().decode(bytes));
      return Promise.resolve();
    },
  });
  await transport.send({ jsonrpc: "2.0", id: 1, result: {} });
  assert.equal(transport.writeError, undefined);
  assert.deepEqual(written, ['{"jsonrpc":"2.0","id":1,"result":{}}\n']);
});

Deno.test("LineTransport drops notifications, never responses, while the client does not read", async () => {
  // A real reader that never reads: `sleep` with its stdin a pipe. Once the pipe's buffer is
  // full, writes wait; the queue behind them must stay bounded.
  const reader = new Deno.Command("sleep", { args: ["30"], stdin: "piped" }).spawn();
  const writer = reader.stdin.getWriter();
  const maxQueuedBytes = 1024 * 1024;
  const transport = new LineTransport({
    input: new ReadableStream(), // stays open
    write: (bytes) => writer.write(bytes),
    maxQueuedBytes,
  });
  const errors: Error[] = [];
  transport.onerror = (error) => errors.push(error);
  const closed = new Promise<void>((resolve) => transport.onclose = resolve);
  await transport.start();
  const data = "x".repeat(50 * 1024);
  const pending: Promise<void>[] = [];
  for (let i = 0; i < 100; i++) {
    pending.push(
      transport.send({ jsonrpc: "2.0", method: "notifications/message", params: { data } }),
    );
  }
  // At most the bound plus the pipe's buffer (64 KiB on Linux) of 50 KiB messages got through.
  const kept = 100 - transport.droppedNotifications;
  assert.ok(kept <= (maxQueuedBytes + 65536) / (50 * 1024) + 2, `${kept} queued`);
  assert.deepEqual(errors.map((e) => e.name), ["NotificationsDroppedError"], "reported once");
  // A response waits its turn instead of being dropped.
  const response = transport.send({ jsonrpc: "2.0", id: 7, result: { data } });
  assert.equal(transport.droppedNotifications, 100 - kept, "the response was not dropped");
  pending.push(response);
  reader.kill("SIGKILL");
  await reader.status;
  await Promise.allSettled(pending); // the pipe broke: the writes fail, the transport closes
  await closed;
});
