import assert from "node:assert/strict";
import { connectLocal, createAudioFrame, type Frame, OutputBinding } from "../../mod.ts";
import { nullSinkNode } from "./null_sink.gen.ts";
import { createProcessContext } from "../../mod.ts";

Deno.test("NullSink.process() drains frames of every kind and counts them", () => {
  const ports = nullSinkNode.ports();
  const sink = nullSinkNode.create({}, ports);
  const source = new OutputBinding<Frame>("source", "Frame");
  const conn = connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  source.write({ ...createAudioFrame(1, 8000, 4), timestampNs: 10 });
  source.write({ kind: "data", timestampNs: 20, value: { ok: true } });
  source.write({
    kind: "video",
    width: 1,
    height: 1,
    format: "RGBA",
    stride: 4,
    timestampNs: 30,
    frameNumber: 0,
    data: new Uint8Array(4),
  });
  assert.ok(Number.isNaN(sink.lastTimestampNs));
  sink.process(createProcessContext("sink"));
  assert.equal(sink.received, 3);
  assert.equal(sink.lastTimestampNs, 30);
  assert.equal(conn.available, 0);
});

Deno.test("NullSink takes no config", () => {
  assert.throws(() => nullSinkNode.create({ verbose: true }), /config field 'verbose' is unknown/);
});
