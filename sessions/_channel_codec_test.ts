import assert from "node:assert/strict";
import { RecordDecoder, RecordEncoder, type Records } from "./_channel_codec.ts";

/** The records as the ring would hand them over (head and payload as one run of bytes). */
function decodeAll(decoder: RecordDecoder, records: Records): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < records.length; i += 2) {
    const head = records[i]!;
    const payload = records[i + 1];
    const record = new Uint8Array(head.byteLength + (payload?.byteLength ?? 0));
    record.set(head);
    if (payload) record.set(payload, head.byteLength);
    const message = decoder.decode(record);
    if (message !== undefined) out.push(message);
  }
  return out;
}

function roundTrip(messages: { t: string }[]): unknown[] {
  const encoder = new RecordEncoder();
  const decoder = new RecordDecoder();
  return messages.flatMap((m) => {
    const records = encoder.encode(m);
    assert.ok(records !== undefined, `${m.t} goes in the ring`);
    return decodeAll(decoder, records);
  });
}

Deno.test("RecordEncoder.encode() carries a block's messages in fixed heads, exactly", () => {
  const samples = new Float32Array([0.5, -0.25, 1]);
  const messages = [
    {
      t: "send",
      id: 7,
      input: "audio",
      frame: { kind: "audio", channels: 1, sampleRate: 16_000, samples },
      metadata: undefined,
      seq: undefined,
    },
    {
      t: "send",
      id: 8,
      input: "audio",
      frame: { kind: "audio", channels: 2, sampleRate: 48_000, timestampNs: 5, samples },
      metadata: { speaker: "a" },
      seq: 3,
    },
    { t: "ack", id: 8, seq: 3 },
    {
      t: "frame",
      output: "out",
      item: {
        frame: {
          kind: "audio",
          channels: 1,
          sampleRate: 16_000,
          frameCount: 3,
          samples,
          timestampNs: 0,
          frameNumber: 4,
        },
        seq: 3,
        metadata: {},
      },
    },
    { t: "credit", output: "out", n: 8 },
  ];
  const decoded = roundTrip(messages) as Record<string, unknown>[];
  assert.equal(decoded.length, messages.length);
  // Absent fields stay absent (not present as undefined).
  assert.deepEqual(decoded[0], {
    t: "send",
    id: 7,
    input: "audio",
    frame: { kind: "audio", channels: 1, sampleRate: 16_000, samples },
    metadata: undefined,
    seq: undefined,
  });
  assert.ok(!Object.hasOwn(decoded[0].frame as object, "timestampNs"));
  assert.deepEqual(decoded.slice(1), messages.slice(1));
  const out = (decoded[3].item as { frame: { samples: Float32Array } }).frame.samples;
  assert.ok(!(out.buffer instanceof SharedArrayBuffer));
  assert.notEqual(out.buffer, samples.buffer);
});

Deno.test("RecordEncoder.encode() defines a name once per channel", () => {
  const encoder = new RecordEncoder();
  const credit = { t: "credit", output: "out", n: 1 };
  assert.equal(encoder.encode(credit)!.length, 4); // the name, then the credit
  assert.equal(encoder.encode(credit)!.length, 2);
});

Deno.test("RecordEncoder.encode() falls back to JSON, or to the port, for what a head cannot carry", () => {
  const encoder = new RecordEncoder();
  const decoder = new RecordDecoder();
  // A field a head does not carry: JSON, exactly.
  const odd = {
    t: "send",
    id: 1,
    input: "in",
    frame: {
      kind: "audio",
      channels: 1,
      sampleRate: 8000,
      label: "x",
      samples: new Float32Array(2),
    },
  };
  assert.deepEqual(decodeAll(decoder, encoder.encode(odd)!), [odd]);
  const video = {
    t: "frame",
    output: "v",
    item: {
      frame: { kind: "video", width: 2, height: 1, format: "rgba", data: new Uint8Array(8) },
      seq: 0,
      metadata: {},
    },
  };
  assert.deepEqual(decodeAll(decoder, encoder.encode(video)!), [video]);
  const end = { t: "end", input: "in" };
  assert.deepEqual(decodeAll(decoder, encoder.encode(end)!), [end]);
  // Not plain JSON: the port.
  const data = { t: "send", id: 2, input: "in", frame: { kind: "data", value: 1 } };
  assert.equal(encoder.encode(data), undefined);
  const nan = {
    t: "send",
    id: 3,
    input: "in",
    frame: { kind: "audio", channels: NaN, samples: new Float32Array(1) },
  };
  assert.equal(encoder.encode(nan), undefined);
  const metadata = { ...odd, metadata: { n: 1 } };
  assert.equal(encoder.encode(metadata), undefined);
});

Deno.test("RecordEncoder.encode() stops defining names after 256, and goes on in JSON", () => {
  const encoder = new RecordEncoder();
  const decoder = new RecordDecoder();
  const got: unknown[] = [];
  for (let i = 0; i < 300; i++) {
    const credit = { t: "credit", output: `o${i}`, n: i };
    got.push(...decodeAll(decoder, encoder.encode(credit)!));
  }
  assert.deepEqual(
    got,
    Array.from({ length: 300 }, (_, i) => ({ t: "credit", output: `o${i}`, n: i })),
  );
});

Deno.test("RecordDecoder copies a block's samples into the arrays its allocator gives", () => {
  const encoder = new RecordEncoder();
  const given: Float32Array[] = [];
  const decoder = new RecordDecoder((length) => {
    const samples = new Float32Array(length);
    given.push(samples);
    return samples;
  });
  const samples = new Float32Array([0.5, -0.25, 1, 0.125]);
  const frame = { kind: "audio", channels: 2, sampleRate: 48_000, samples };
  const [send, out] = [
    { t: "send", id: 1, input: "a", frame, metadata: { k: "v" }, seq: 9 },
    { t: "frame", output: "b", item: { frame, seq: 2, metadata: {} } },
  ].map((m) => decodeAll(decoder, encoder.encode(m)!)[0]) as [
    { frame: { samples: Float32Array }; metadata: unknown; seq: number },
    { item: { frame: { samples: Float32Array } } },
  ];
  assert.equal(given.length, 2);
  assert.equal(send.frame.samples, given[0]);
  assert.equal(out.item.frame.samples, given[1]);
  assert.deepEqual([...given[0]], [...samples]);
  assert.deepEqual([...given[1]], [...samples]);
  assert.deepEqual([send.metadata, send.seq], [{ k: "v" }, 9]);
});
