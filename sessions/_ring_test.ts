import assert from "node:assert/strict";
import { createRing, RingReader, RingWriter, SIGNAL_AT } from "./_ring.ts";
import { SIGNAL_BYTES } from "../ffi/transport/channel/doorbell.ts";
import { withLateRing } from "../ffi/transport/channel/_late_ring.ts";

function record(n: number, length: number): Uint8Array {
  return new Uint8Array(length).fill(n & 0xff);
}

Deno.test("createRing() refuses a capacity that is not a power of two from 1024", () => {
  assert.throws(() => createRing(1000), RangeError);
  assert.throws(() => createRing(512), RangeError);
  assert.equal(createRing(1024).byteLength > 1024, true);
});

Deno.test("RingWriter.write() keeps records whole and in order across many wrap-arounds", () => {
  const buffer = createRing(1024);
  const writer = new RingWriter(buffer);
  const reader = new RingReader(buffer);
  let written = 0;
  let read = 0;
  // Lengths that do not divide the ring, so records meet its end at every offset.
  const lengthOf = (n: number) => 1 + ((n * 37) % 200);
  while (read < 2_000) {
    while (written < 2_000 && writer.write(record(written, lengthOf(written)))) written++;
    const got = reader.peek();
    assert.ok(got !== undefined, `record ${read} is there`);
    assert.equal(got.byteLength, lengthOf(read));
    assert.ok(got.every((b) => b === (read & 0xff)), `record ${read} is intact`);
    reader.advance();
    read++;
  }
  assert.equal(reader.peek(), undefined);
});

Deno.test("RingWriter.write() refuses a record with no room or over maxRecordBytes", () => {
  const buffer = createRing(1024);
  const writer = new RingWriter(buffer);
  const reader = new RingReader(buffer);
  assert.equal(writer.maxRecordBytes, 248);
  assert.equal(writer.write(record(1, 249)), false);
  let n = 0;
  while (writer.write(record(n, 200))) n++;
  assert.equal(n, 4); // 4 x 208 bytes of 1024
  reader.advance();
  assert.equal(writer.write(record(9, 200)), true);
});

Deno.test("RingReader.peek() gives every record's bytes on 8 bytes of the shared memory", () => {
  const buffer = createRing(1024);
  const writer = new RingWriter(buffer);
  const reader = new RingReader(buffer);
  for (let n = 0; n < 300; n++) {
    assert.ok(writer.write(new Uint8Array(8).fill(n & 0xff), record(n, 1 + ((n * 13) % 150))));
    const got = reader.peek()!;
    assert.equal(got.byteOffset % 8, 0, `record ${n} starts on 8 bytes`);
    assert.equal(got[8], n & 0xff);
    reader.advance();
  }
});

Deno.test("RingWriter.write() takes a head and a payload as one record", () => {
  const buffer = createRing(1024);
  const writer = new RingWriter(buffer);
  const reader = new RingReader(buffer);
  assert.ok(writer.write(new Uint8Array([1, 2]), new Uint8Array([3, 4, 5])));
  assert.deepEqual([...reader.peek()!], [1, 2, 3, 4, 5]);
});

Deno.test("RingReader.wait() resolves when a Worker writes, and RingWriter.whenRoom() when it reads", async () => {
  const buffer = createRing(1024);
  const reader = new RingReader(buffer);
  const worker = new Worker(
    `data:text/javascript,${
      encodeURIComponent(`
        const ring = import(${JSON.stringify(new URL("./_ring.ts", import.meta.url).href)});
        self.onmessage = async ({ data: buffer }) => {
          const { RingWriter } = await ring;
          const writer = new RingWriter(buffer);
          let n = 0;
          while (n < 50) {
            if (writer.write(new Uint8Array(200).fill(n))) n++;
            else await writer.whenRoom();
          }
          self.postMessage(n);
        };
      `)
    }`,
    { type: "module" },
  );
  try {
    const done = new Promise<number>((resolve) => (worker.onmessage = (e) => resolve(e.data)));
    worker.postMessage(buffer);
    for (let n = 0; n < 50; n++) {
      let got = reader.peek();
      while (got === undefined) {
        await reader.wait();
        got = reader.peek();
      }
      assert.equal(got[0], n);
      reader.advance();
    }
    assert.equal(await done, 50);
  } finally {
    worker.terminate();
  }
});

Deno.test("RingWriter.whenRoom() never misses the pop that rings it: 200,000 records through a 1 KiB ring", async () => {
  // The writer in a Worker waits for room again and again while this thread pops as fast as it
  // can: a whenRoom() that read the room bell after saying it waits could take a pop's ring as
  // already seen and then wait for one that never came (the ring drained), a hang.
  const TOTAL = 200_000;
  const buffer = createRing(1024);
  const reader = new RingReader(buffer);
  const worker = new Worker(
    `data:text/javascript,${
      encodeURIComponent(`
        const ring = import(${JSON.stringify(new URL("./_ring.ts", import.meta.url).href)});
        self.onmessage = async ({ data: buffer }) => {
          const { RingWriter } = await ring;
          const writer = new RingWriter(buffer);
          const record = new Uint8Array(40);
          let n = 0;
          let waits = 0;
          while (n < ${TOTAL}) {
            new DataView(record.buffer).setUint32(0, n, true);
            if (writer.write(record)) n++;
            else { waits++; await writer.whenRoom(); }
          }
          self.postMessage(waits);
        };
      `)
    }`,
    { type: "module" },
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const done = new Promise<number>((resolve) => (worker.onmessage = (e) => resolve(e.data)));
    worker.postMessage(buffer);
    const read = (async () => {
      for (let n = 0; n < TOTAL; n++) {
        let got = reader.peek();
        while (got === undefined) {
          await reader.wait();
          got = reader.peek();
        }
        assert.equal(new DataView(got.buffer, got.byteOffset).getUint32(0, true), n);
        reader.advance();
      }
      return await done;
    })();
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the writer stopped: a lost wake-up")), 30_000);
    });
    const waits = await Promise.race([read, late]);
    assert.ok(waits > 1_000, `the writer waited for room ${waits} times`);
  } finally {
    clearTimeout(timer);
    worker.terminate();
  }
});

Deno.test("RingReader.interrupt() ends a pending wait()", async () => {
  const reader = new RingReader(createRing(1024));
  const waiting = reader.wait();
  reader.interrupt();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"late">((resolve) => (timer = setTimeout(resolve, 5_000, "late")));
  const result = await Promise.race([waiting.then(() => "woken" as const), timeout]);
  clearTimeout(timer);
  assert.equal(result, "woken");
});

Deno.test("RingReader.wait() returns at once when a writer's late ring takes the flag it raised", async () => {
  // Decision 0070: the writer of a record the reader has already read rings late, taking the
  // flag the reader just raised to sleep. Read after the flag, the bell would hold that ring, and
  // the wait would sleep with the flag down, so no later write would ring it.
  const buffer = createRing(1024);
  const reader = new RingReader(buffer);
  const signal = new Int32Array(buffer, SIGNAL_AT, SIGNAL_BYTES / 4);
  const waiting = withLateRing(signal, undefined, () => reader.wait());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const asleep = new Promise<"asleep">((resolve) => (timer = setTimeout(resolve, 1_000, "asleep")));
  const result = await Promise.race([waiting.then(() => "returned" as const), asleep]);
  clearTimeout(timer);
  reader.interrupt();
  assert.equal(result, "returned");
});
