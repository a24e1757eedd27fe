import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  type EncodedAudioFrame,
  FrameReleasedError,
  InputBinding,
  OutputBinding,
} from "../../mod.ts";
import type { AacEncoder } from "./aac_encoder.ts";
import { aacEncoderNode } from "./aac_encoder.gen.ts";

/** An encoder node wired to a source and a sink of its own, set up. */
async function harness(bitrate: number) {
  const ports = aacEncoderNode.ports();
  const aac = aacEncoderNode.create({ bitrate }, ports) as AacEncoder;
  const source = new OutputBinding<AudioFrame>("source", "AudioFrame");
  const packets = new InputBinding<EncodedAudioFrame>("packets", "EncodedAudioFrame");
  connectLocal(source, ports.input("in"), { capacity: 256 });
  connectLocal(ports.output("out"), packets, { capacity: 256 });
  const ctx = createProcessContext("aac");
  await aac.setup(ctx);
  return { aac, source, packets, ctx };
}

Deno.test("AacEncoder gathers blocks of any size into 1024-sample frames, stamped on the input's clock", async () => {
  const { aac, source, packets, ctx } = await harness(64_000);
  try {
    // 44.1 kHz mono in blocks of 300 samples: 3000 samples = 2 frames and 952 waiting.
    for (let i = 0; i < 10; i++) {
      const block = createAudioFrame(1, 44_100, 300);
      block.samples.fill(0.2);
      source.write({ ...block, timestampNs: 5e9 + Math.round((i * 300 * 1e9) / 44_100) });
    }
    aac.process(ctx);
    ctx.frames.flush();
    const first = packets.read()!;
    const second = packets.read()!;
    assert.equal(packets.read(), undefined);
    assert.equal(first.kind, "encoded-audio");
    assert.equal(first.codec, "aac");
    assert.deepEqual([...first.extradata], [0x12, 0x08]); // AAC-LC, 44.1 kHz, mono
    assert.deepEqual([first.sampleRate, first.channels, first.frameCount], [44_100, 1, 1024]);
    assert.deepEqual([first.frameNumber, second.frameNumber], [0, 1]);
    assert.ok(first.data.length > 0);
    const delayNs = (1600 * 1e9) / 44_100;
    assert.ok(Math.abs(first.timestampNs - (5e9 - delayNs)) < 1);
    // The second frame starts at sample 1024, inside the fourth block.
    assert.ok(Math.abs(second.timestampNs - (5e9 + (1024 * 1e9) / 44_100 - delayNs)) < 1_000);
    assert.deepEqual(aac.reportStats().packets, 2);
  } finally {
    aac.teardown();
  }
});

Deno.test("AacEncoder refuses a rate, channel count or bit rate AAC-LC cannot take, naming what is valid", async () => {
  const cases: [number, number, number, RegExp][] = [
    [96_000, 2, 128_000, /sampleRate 96000, expected one of 8000, .*48000 Hz/],
    [48_000, 6, 128_000, /channels 6, expected 1 or 2/],
    [8_000, 1, 128_000, /bitrate 128000, expected 8000\.\.48000 bits\/s at 8000 Hz/],
  ];
  for (const [rate, channels, bitrate, message] of cases) {
    const { aac, source, ctx } = await harness(bitrate);
    try {
      source.write({ ...createAudioFrame(channels, rate, 480), timestampNs: 0 });
      assert.throws(() => aac.process(ctx), { code: "aac_encoder_config", message });
    } finally {
      aac.teardown();
    }
  }
});

Deno.test("AacEncoder refuses a second format in one stream", async () => {
  const { aac, source, ctx } = await harness(128_000);
  try {
    source.write({ ...createAudioFrame(2, 48_000, 480), timestampNs: 0 });
    source.write({ ...createAudioFrame(2, 44_100, 480), timestampNs: 10_000_000 });
    assert.throws(() => aac.process(ctx), {
      code: "aac_encoder_config",
      message:
        /sampleRate 44100, expected 48000 Hz with 2 channel\(s\), the format the stream began with/,
    });
  } finally {
    aac.teardown();
  }
});

Deno.test("AacEncoder writes owned frames: released with the reader's run, dead after it", async () => {
  const { aac, source, packets, ctx } = await harness(64_000);
  try {
    source.write({ ...createAudioFrame(2, 48_000, 1024), timestampNs: 0 });
    aac.process(ctx);
    ctx.frames.flush(); // the encoder's run ends: the connection holds the frame now
    const frame = packets.read()!;
    assert.equal(frame.codec, "aac");
    const bytes = frame.data.length;
    assert.ok(bytes > 0);
    const reader = createProcessContext("sink");
    reader.frames.adopt(frame); // what the runtime does for a frame an input hands out
    reader.frames.flush(); // the reader's run ends: its reference was the last
    assert.throws(
      () => frame.data,
      (e) => e instanceof FrameReleasedError && e.code === "frame_released",
    );
  } finally {
    aac.teardown();
  }
});
