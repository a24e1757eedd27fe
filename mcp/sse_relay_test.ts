import assert from "node:assert/strict";
import { relaySse } from "./sse_relay.ts";

const event = (i: number, size: number) =>
  new TextEncoder().encode(`data: ${String(i).padEnd(size, ".")}\n\n`);

Deno.test("relaySse() drops whole events while the client does not read, and relays the rest in order", async () => {
  let push!: (chunk: Uint8Array) => void;
  let finish!: () => void;
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      push = (chunk) => controller.enqueue(chunk);
      finish = () => controller.close();
    },
  });
  const drops: number[] = [];
  let ended = 0;
  const body = relaySse(source, { onEnd: () => ended++, onDrop: (n) => drops.push(n) }, 10_000);
  // Nobody reads: 100 events of 1 KB arrive, 9 fit under 10 000 bytes.
  for (let i = 0; i < 100; i++) push(event(i, 1000));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(drops.at(-1), 91);
  finish();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(ended, 1, "the source ended: the stream is over for the session");
  // The client reads at last: the events that were kept, whole and in order.
  const text = await new Response(body).text();
  const ids = [...text.matchAll(/^data: (\d+)\./gm)].map((m) => Number(m[1]));
  assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(ended, 1);
});

Deno.test("relaySse(): a client that goes away cancels the source and ends the stream", async () => {
  let cancelled: unknown;
  const source = new ReadableStream<Uint8Array>({ cancel: (reason) => void (cancelled = reason) });
  let ended = 0;
  const body = relaySse(source, { onEnd: () => ended++ });
  await body.cancel("gone");
  assert.equal(cancelled, "gone");
  assert.equal(ended, 1);
});

Deno.test("relaySse(): a client that goes away while a read waits ends it quietly", async () => {
  const source = new ReadableStream<Uint8Array>();
  let ended = 0;
  const body = relaySse(source, { onEnd: () => ended++ });
  const reader = body.getReader();
  const read = reader.read(); // waits: nothing comes
  await reader.cancel("gone");
  assert.deepEqual(await read, { done: true, value: undefined });
  await new Promise((resolve) => setTimeout(resolve, 10)); // the waiting pull settles
  assert.equal(ended, 1);
});
