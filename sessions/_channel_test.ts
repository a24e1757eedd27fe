import assert from "node:assert/strict";
import { createChannelBuffers, MAX_RING_BYTES, RING_BYTES, SessionChannel } from "./_channel.ts";

type Message = { readonly t: string; readonly [key: string]: unknown };

/** Two ends of a new channel; `got` collects what the second hears. */
function pair() {
  const [a, b] = createChannelBuffers();
  const { port1, port2 } = new MessageChannel();
  const got: Message[] = [];
  const sender = new SessionChannel<Message, Message>(a, port1, () => {});
  const receiver = new SessionChannel<Message, Message>(b, port2, (m) => got.push(m));
  return {
    sender,
    got,
    async until(n: number): Promise<void> {
      const deadline = Date.now() + 10_000;
      while (got.length < n && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      assert.equal(got.length, n, `${n} messages arrive`);
    },
    close() {
      sender.close();
      receiver.close();
    },
  };
}

function send(id: number, frame: Record<string, unknown>, metadata?: unknown): Message {
  return { t: "send", id, input: "in", frame, metadata, seq: id };
}

Deno.test("SessionChannel.post() keeps order between ring records and port messages", async () => {
  const channel = pair();
  try {
    const samples = new Float32Array([1, 2, 3]);
    for (let id = 0; id < 30; id++) {
      if (id % 3 === 0) {
        // A data frame's value may be any clonable value: it crosses the port.
        channel.sender.post(send(id, { kind: "data", value: new Map([["id", id]]) }));
      } else if (id % 3 === 1) {
        channel.sender.post(send(id, { kind: "audio", channels: 1, sampleRate: 8000, samples }));
      } else {
        channel.sender.post({ t: "credit", output: "out", n: id });
      }
    }
    await channel.until(30);
    channel.got.forEach((m, i) => assert.equal(m.id ?? m.n, i));
    const data = channel.got[0].frame as { value: Map<string, number> };
    assert.ok(data.value instanceof Map, "a port message is a structured clone");
    const audio = channel.got[1].frame as { samples: Float32Array };
    assert.deepEqual([...audio.samples], [1, 2, 3]);
  } finally {
    channel.close();
  }
});

Deno.test("SessionChannel.post() carries a frame's fields, metadata and only its view's samples", async () => {
  const channel = pair();
  try {
    const whole = new Float32Array([9, 0.5, 0.25, 9]);
    channel.sender.post(
      send(1, {
        kind: "audio",
        channels: 2,
        sampleRate: 48_000,
        timestampNs: 20_000_000,
        samples: whole.subarray(1, 3),
      }, { speaker: "a" }),
    );
    channel.sender.post({
      t: "frame",
      output: "out",
      item: {
        seq: 3,
        metadata: {},
        frame: { kind: "encoded-audio", codec: "opus", data: new Uint8Array([7, 8]) },
      },
    });
    await channel.until(2);
    const [sent, out] = channel.got as unknown as [
      { frame: Record<string, unknown>; metadata: unknown },
      { item: { frame: { data: Uint8Array } } },
    ];
    assert.deepEqual(sent.metadata, { speaker: "a" });
    assert.equal(sent.frame.timestampNs, 20_000_000);
    assert.equal(sent.frame.sampleRate, 48_000);
    assert.ok(sent.frame.samples instanceof Float32Array);
    assert.deepEqual([...(sent.frame.samples as Float32Array)], [0.5, 0.25]);
    assert.ok(!((sent.frame.samples as Float32Array).buffer instanceof SharedArrayBuffer));
    assert.deepEqual([...out.item.frame.data], [7, 8]);
  } finally {
    channel.close();
  }
});

Deno.test("SessionChannel.post() holds what does not fit the ring until the reader makes room", async () => {
  const channel = pair();
  try {
    const samples = new Float32Array(1_000); // 4 kB a record: more than a ring's worth below
    const count = Math.ceil((4 * RING_BYTES) / 4_000);
    for (let id = 0; id < count; id++) {
      channel.sender.post(send(id, { kind: "audio", channels: 1, sampleRate: 8000, samples }));
    }
    await channel.until(count);
    channel.got.forEach((m, i) => assert.equal(m.id, i));
  } finally {
    channel.close();
  }
});

Deno.test("SessionChannel.post() moves to a larger ring for large frames, in order", async () => {
  const channel = pair();
  try {
    // 40 kB of samples: over a quarter of the first ring, so the channel grows once.
    const big = new Float32Array(10_000).fill(0.5);
    const small = new Float32Array(4).fill(0.25);
    for (let id = 0; id < 60; id++) {
      const samples = id % 2 === 0 ? big : small;
      channel.sender.post(send(id, { kind: "audio", channels: 1, sampleRate: 8000, samples }));
      channel.sender.post({ t: "credit", output: "audio", n: id });
    }
    await channel.until(120);
    for (let id = 0; id < 60; id++) {
      const sent = channel.got[2 * id] as unknown as {
        id: number;
        input: string;
        frame: { samples: Float32Array };
      };
      assert.equal(sent.id, id);
      assert.equal(sent.input, "in");
      assert.equal(sent.frame.samples.length, id % 2 === 0 ? 10_000 : 4);
      assert.deepEqual(channel.got[2 * id + 1], { t: "credit", output: "audio", n: id });
    }
  } finally {
    channel.close();
  }
});

Deno.test("SessionChannel.post() sends a frame too large for any ring through the port", async () => {
  const channel = pair();
  try {
    const samples = new Float32Array(MAX_RING_BYTES / 4).fill(0.5);
    channel.sender.post(send(1, { kind: "audio", channels: 1, sampleRate: 8000, samples }));
    // The same input's name was defined by the large frame's records: a small one still has it.
    channel.sender.post(
      send(2, { kind: "audio", channels: 1, sampleRate: 8000, samples: samples.subarray(0, 2) }),
    );
    await channel.until(2);
    const [large, small] = channel.got as unknown as {
      input: string;
      frame: { samples: Float32Array };
    }[];
    assert.equal(large.frame.samples.length, MAX_RING_BYTES / 4);
    assert.equal(small.input, "in");
    assert.equal(small.frame.samples.length, 2);
  } finally {
    channel.close();
  }
});

Deno.test("SessionChannel.post() returns true only when the payload was copied and is free to reuse", async () => {
  const channel = pair();
  try {
    // In the ring at once: the array may carry the next block (overwritten here at once).
    const samples = new Float32Array(1_000).fill(1);
    const results: boolean[] = [];
    const count = Math.ceil((4 * RING_BYTES) / 4_000);
    for (let id = 0; id < count; id++) {
      const copied = channel.sender.post(
        send(id, { kind: "audio", channels: 1, sampleRate: 8000, samples }),
      );
      results.push(copied);
      if (!copied) break; // held for room: the payload is the channel's until it is written
      samples.fill(id + 2); // reused: what was sent must not change
    }
    assert.equal(results[0], true);
    assert.equal(results.at(-1), false, "the ring fills before the reader reads");
    // Through the port: the payload moved or was cloned, never reported free.
    const large = new Float32Array(MAX_RING_BYTES / 4);
    const frame = { kind: "audio", channels: 1, sampleRate: 8000, samples: large };
    assert.equal(channel.sender.post(send(99, frame)), false);
    await channel.until(results.length + 1);
    for (let id = 0; id < results.length - 1; id++) {
      const sent = channel.got[id] as unknown as { id: number; frame: { samples: Float32Array } };
      assert.equal(sent.id, id);
      assert.ok(sent.frame.samples.every((x) => x === id + 1), `block ${id} kept its samples`);
    }
  } finally {
    channel.close();
  }
});

Deno.test("SessionChannel.post() throws DataCloneError for a port message that cannot be cloned", () => {
  const channel = pair();
  try {
    assert.throws(
      () => channel.sender.post(send(1, { kind: "data", value: () => {} })),
      (error: unknown) => error instanceof DOMException && error.name === "DataCloneError",
    );
  } finally {
    channel.close();
  }
});

Deno.test("SessionChannel.hold() delivers what it posts on release(), the reader rung once", async () => {
  const channel = pair();
  try {
    // The reader sleeps on its ring from its start: records written unrung stay unread.
    channel.sender.hold();
    channel.sender.post({ t: "credit", output: "out", n: 1 });
    channel.sender.hold(); // pairs nest
    const samples = new Float32Array([0.5, 0.25]);
    channel.sender.post(send(1, { kind: "audio", channels: 1, sampleRate: 8000, samples }));
    channel.sender.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(channel.got.length, 0);
    channel.sender.release();
    await channel.until(2);
    const [credit, sent] = channel.got as unknown as [
      { n: number },
      { frame: { samples: Float32Array } },
    ];
    assert.equal(credit.n, 1);
    assert.deepEqual([...sent.frame.samples], [0.5, 0.25]);
  } finally {
    channel.close();
  }
});

Deno.test("SessionChannel keeps a held record's head when the ring is full (the encoder reuses it)", async () => {
  const channel = pair();
  try {
    // Fill the ring past its room while the reader sleeps and nothing rings: later records wait
    // in the backlog, each with its own copy of the encoder's reused head.
    channel.sender.hold();
    const samples = new Float32Array(1000).fill(0.25);
    for (let id = 1; id <= 40; id++) {
      channel.sender.post(send(id, { kind: "audio", channels: 1, sampleRate: 8000, samples }));
    }
    channel.sender.release();
    await channel.until(40);
    const ids = (channel.got as unknown as { id: number }[]).map((m) => m.id);
    assert.deepEqual(ids, Array.from({ length: 40 }, (_, i) => i + 1));
  } finally {
    channel.close();
  }
});
