import assert from "node:assert/strict";
import { BodyReadError, readBody, readBodyText } from "./read_body.ts";

/** A request whose body is `parts`, then held open (never closed) when `hold` is set. */
function streamed(parts: string[], hold = false, headers: Record<string, string> = {}): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
      if (!hold) controller.close();
    },
  });
  return new Request("http://x/", { method: "POST", body, headers });
}

async function refused(promise: Promise<unknown>): Promise<BodyReadError> {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof BodyReadError, `expected a BodyReadError, got ${error}`);
  return error;
}

Deno.test("readBody() refuses a declared Content-Length over the bound before reading", async () => {
  const request = streamed(["x"], true, { "content-length": "2048" });
  const error = await refused(readBody(request, { maxBytes: 1024, timeoutMs: 5_000 }));
  assert.equal(error.code, "body_too_large");
  assert.equal(error.status, 413);
  assert.match(error.message, /^Cannot read the body: it is over 1024 bytes/);
});

Deno.test("readBody() refuses a body that grows past the bound, naming what it is", async () => {
  const request = streamed(["a".repeat(600), "b".repeat(600)], true);
  const limits = { maxBytes: 1024, timeoutMs: 5_000, what: "the offer" };
  const error = await refused(readBody(request, limits));
  assert.equal(error.code, "body_too_large");
  assert.match(error.message, /^Cannot read the offer: it is over 1024 bytes/);
});

Deno.test("readBody() ends a body that does not arrive in time with body_timeout", async () => {
  const started = performance.now();
  const error = await refused(
    readBody(streamed(["half"], true), { maxBytes: 1024, timeoutMs: 100 }),
  );
  assert.equal(error.code, "body_timeout");
  assert.equal(error.status, 408);
  assert.match(error.message, /within 100 ms \(4 bytes came\)/);
  assert.ok(performance.now() - started < 2_000);
});

Deno.test("readBody() rejects with the signal's reason when the server stops mid-body", async () => {
  const stop = new AbortController();
  const reading = readBody(streamed(["half"], true), {
    maxBytes: 1024,
    timeoutMs: 60_000,
    signal: stop.signal,
  });
  const reason = new Error("stopping");
  setTimeout(() => stop.abort(reason), 20);
  assert.equal(await reading.then(() => undefined, (e) => e), reason);
});

Deno.test("readBody() reports a body cut off by its client as body_incomplete", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("part"));
      controller.error(new TypeError("connection reset"));
    },
  });
  const request = new Request("http://x/", { method: "POST", body });
  const error = await refused(readBody(request, { maxBytes: 1024, timeoutMs: 5_000 }));
  assert.equal(error.code, "body_incomplete");
  assert.equal(error.status, 400);
});

Deno.test("readBodyText() refuses bytes that are not UTF-8", async () => {
  const request = new Request("http://x/", { method: "POST", body: new Uint8Array([0xff, 0xfe]) });
  const error = await refused(readBodyText(request, { maxBytes: 1024, timeoutMs: 5_000 }));
  assert.equal(error.code, "invalid_utf8");
});

Deno.test("a body refused mid-read does not hold Deno.serve's graceful shutdown", async () => {
  // A cancelled request body holds server.shutdown() until the client sends the rest; the
  // reader lets a refused body go without cancelling it.
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (request) => {
    try {
      await readBody(request, { maxBytes: 1024, timeoutMs: 100 });
      return new Response("read");
    } catch (error) {
      return new Response((error as BodyReadError).code, { status: 408 });
    }
  });
  const conn = await Deno.connect({ port: server.addr.port, hostname: "127.0.0.1" });
  try {
    await conn.write(new TextEncoder().encode(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf",
    ));
    const answer = new Uint8Array(1024);
    const n = await conn.read(answer);
    assert.match(new TextDecoder().decode(answer.subarray(0, n ?? 0)), /^HTTP\/1\.1 408/);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      server.shutdown().then(() => "stopped"),
      new Promise((resolve) => timer = setTimeout(resolve, 3_000, "held")),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, "stopped");
  } finally {
    conn.close();
  }
});
