import assert from "node:assert/strict";
import {
  connectLocal,
  createProcessContext,
  type EncodedVideoFrame,
  InputBinding,
  OutputBinding,
  type VideoFrame,
} from "../../mod.ts";
import { HeapMemorySource } from "../../core/frames/heap_memory.ts";
import { h264DecoderNode } from "./h264_decoder.gen.ts";
import { h264EncoderNode } from "./h264_encoder.gen.ts";
import { testPatternNode } from "../sources/test_pattern.gen.ts";
import { runForLeaks } from "../../tests/fixtures/runtime/leak_rig.ts";

Deno.test("H264Decoder waits for frame memory instead of losing a picture", async () => {
  // Encode 4 frames of 64x48.
  const patternPorts = testPatternNode.ports();
  const pattern = testPatternNode.create(
    { width: 64, height: 48, pixelFormat: "I420" },
    patternPorts,
  );
  const encoderPorts = h264EncoderNode.ports();
  const encoder = h264EncoderNode.create({ backend: "openh264" }, encoderPorts);
  const units = new InputBinding<EncodedVideoFrame>("units", "EncodedVideoFrame");
  connectLocal(patternPorts.output("video"), encoderPorts.input("in"));
  connectLocal(encoderPorts.output("out"), units, { capacity: 8, policy: "fifo" });
  const encode = createProcessContext("enc");
  await pattern.setup(encode);
  await encoder.setup(encode);
  const encoded: EncodedVideoFrame[] = [];
  for (let i = 0; i < 4; i++) {
    pattern.process(encode);
    encoder.process(encode);
    encoded.push(units.read()!);
  }
  encoder.teardown();

  // Decode them with room for exactly one picture of frame memory (a 64x48 I420 frame).
  const ports = h264DecoderNode.ports();
  const decoder = h264DecoderNode.create({}, ports);
  const source = new OutputBinding<EncodedVideoFrame>("source", "EncodedVideoFrame");
  const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  connectLocal(ports.output("out"), sink, { capacity: 8, policy: "fifo" });
  const ctx = createProcessContext("dec", {
    memory: new HeapMemorySource({ budgetBytes: 64 * 48 * 3 / 2 }),
  });
  await decoder.setup(ctx);
  for (const unit of encoded) source.write(unit);
  decoder.process(ctx); // the first picture takes the only memory; the next unit waits
  ctx.frames.flush();
  assert.equal(decoder.decodedFrames, 1);
  assert.equal(ports.input("in").available, 3);
  const numbers: number[] = [];
  for (let i = 0; i < 3; i++) {
    const picture = sink.read() as VideoFrame & { release(): void };
    numbers.push(picture.frameNumber);
    picture.release(); // the reader is done: its memory is free again
    decoder.process(ctx);
    ctx.frames.flush();
  }
  numbers.push(sink.read()!.frameNumber);
  assert.deepEqual(numbers, [0, 1, 2, 3]);
  assert.deepEqual([decoder.decodedFrames, decoder.droppedFrames, decoder.decodeErrors], [4, 0, 0]);
  decoder.teardown();
});

Deno.test("H264Decoder in a runtime, in one isolate and in a Worker, decodes and leaks no frame", async () => {
  for (const worker of [false, true]) {
    const { leaks, problems, stats } = await runForLeaks(
      (rt, placement) => {
        rt.add("TestPattern", { width: 160, height: 120, fps: 100, pixelFormat: "I420" }, {
          id: "bars",
        });
        rt.add("H264Encoder", { backend: "openh264" }, { id: "enc" });
        rt.add("H264Decoder", {}, { id: "dec", placement });
        rt.add("NullSink", {}, { id: "sink" });
        rt.connectByName("bars", "video", "enc", "in");
        rt.connectByName("enc", "out", "dec", "in");
        rt.connectByName("dec", "out", "sink", "in");
      },
      (rt) => rt.stats().nodes.sink.framesIn >= 10,
      { worker },
    );
    assert.deepEqual(problems, [], `worker: ${worker}`);
    assert.deepEqual(leaks, [], `worker: ${worker}`);
    assert.equal(stats.nodes.dec.framesDropped, 0);
  }
});
