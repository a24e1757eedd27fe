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
