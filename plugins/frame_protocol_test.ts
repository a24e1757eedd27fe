import assert from "node:assert/strict";
import { encodeMessage, MessageReader, ProtocolError } from "./frame_protocol.ts";

const streamOf = (...chunks: Uint8Array[]) => ReadableStream.from(chunks);

Deno.test("MessageReader.read() decodes messages split across chunks", async () => {
  const payload = new Uint8Array(new Float32Array([0.5, -1]).buffer);
  const bytes = encodeMessage({ type: "audio", channels: 2, frameCount: 1 }, payload);
  const reader = new MessageReader(
    streamOf(bytes.subarray(0, 3), bytes.subarray(3, 20), bytes.subarray(20)),
  );
  const message = await reader.read();
  assert.equal(message?.header.bytes, 8);
  assert.deepEqual([...new Float32Array(message!.payload.buffer)], [0.5, -1]);
  assert.equal(await reader.read(), undefined);
});

Deno.test("MessageReader.read() names the bytes of text written instead of a message", async () => {
  const reader = new MessageReader(streamOf(new TextEncoder().encode("hello world\n")));
  await assert.rejects(
    () => reader.read(),
    (error: unknown) =>
      error instanceof ProtocolError &&
      /a header length of 1819043176 bytes .*"hello world\."/.test(error.message),
  );
});

Deno.test("MessageReader.read() rejects a header that is not JSON and a truncated payload", async () => {
  const bad = new Uint8Array([3, 0, 0, 0, 0x7b, 0x7b, 0x7b]);
  await assert.rejects(
    () => new MessageReader(streamOf(bad)).read(),
    /a header that is not JSON, read 3 bytes "\{\{\{"/,
  );
  const cut = encodeMessage({ type: "audio" }, new Uint8Array(8)).subarray(0, 30);
  await assert.rejects(() => new MessageReader(streamOf(cut)).read(), /the output ended inside/);
});
