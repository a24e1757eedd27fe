import { SampleRateMismatchError } from "../formats/writer_errors.ts";
import assert from "node:assert/strict";
import { run, soxSamples, withTempDir } from "../../tests/media/media_tools.ts";
import {
  type AudioFrame,
  ConfigValidationError,
  connectLocal,
  createAudioFrame,
  type MediaClock,
  OutputBinding,
  type ProcessContext,
} from "../../mod.ts";
import { dominantFrequency } from "../dsp/fft.ts";
import { readWavFile } from "../formats/wav_reader.ts";
import { testToneGeneratorNode } from "../sources/test_tone_generator.gen.ts";
import { wavWriterNode } from "./wav_writer.gen.ts";
import { createProcessContext } from "../../mod.ts";

const clock: MediaClock = { nowNs: () => 0 };
const ctx: ProcessContext = createProcessContext("rec", { clock });

/** `sox --i` of a file: rate, channels, samples per channel and encoding. */
async function soxInfo(path: string) {
  const text = (await run("sox", ["--i", path])).text;
  const field = (name: string) =>
    /:\s*(.*)$/.exec(text.split("\n").find((l) => l.startsWith(name))!)![1];
  return {
    rate: Number(field("Sample Rate")),
    channels: Number(field("Channels")),
    samples: Number(/= (\d+) samples/.exec(field("Duration"))![1]),
    encoding: field("Sample Encoding"),
  };
}

Deno.test("WavWriter records a 1 kHz tone that sox reads back at the right rate, size and pitch", async () => {
  await withTempDir(async (dir) => {
    for (const sampleFormat of ["pcm16", "float32"] as const) {
      const path = `${dir}/tone_${sampleFormat}.wav`;
      const tonePorts = testToneGeneratorNode.ports();
      const tone = testToneGeneratorNode.create({ frequency: 1000, blockSize: 480 }, tonePorts);
      const ports = wavWriterNode.ports();
      const writer = wavWriterNode.create({ path, sampleFormat }, ports);
      connectLocal(tonePorts.output("audio"), ports.input("in"), { capacity: 8, policy: "fifo" });
      tone.setup(ctx);
      await writer.setup(ctx);
      for (let i = 0; i < 50; i++) {
        tone.process(ctx);
        if (i % 4 === 3) await writer.process(ctx);
      }
      await writer.process(ctx);
      await writer.teardown();
      await writer.teardown(); // idempotent

      assert.equal(writer.framesWritten, 24_000);
      const info = await soxInfo(path);
      assert.deepEqual([info.rate, info.channels, info.samples], [48_000, 2, 24_000]);
      assert.match(info.encoding, sampleFormat === "pcm16" ? /Signed Integer PCM/ : /Floating/);
      const samples = await soxSamples(path); // sox's decoding, not ours
      assert.equal(samples.length, 2 * 24_000);
      const frequency = dominantFrequency(samples, 48_000, { channels: 2 });
      assert.ok(Math.abs(frequency - 1000) <= 2, `dominant frequency ${frequency}`);
    }
  });
});

Deno.test("WavWriter keeps the file readable mid-recording and writes nothing after teardown", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/live.wav`;
    const ports = wavWriterNode.ports();
    const writer = wavWriterNode.create({ path, sampleRate: 8000, channels: 1 }, ports);
    const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
    connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
    await writer.setup(ctx);
    const block = createAudioFrame(2, 8000, 800);
    source.write(block);
    await writer.process(ctx);
    assert.equal((await soxInfo(path)).samples, 800); // the header is already patched
    await writer.teardown();
    source.write(block);
    await writer.process(ctx);
    assert.equal((await readWavFile(path)).info.frameCount, 800);
  });
});

Deno.test("WavWriter converts channel counts and fails the node on a block at another sample rate", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/mono.wav`;
    const ports = wavWriterNode.ports();
    const writer = wavWriterNode.create(
      { path, sampleRate: 16_000, channels: 1, sampleFormat: "float32" },
      ports,
    );
    const source = new OutputBinding<AudioFrame>("source", "AudioFrame<2>");
    connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
    await writer.setup(ctx);
    const stereo = createAudioFrame(2, 16_000, 2);
    stereo.samples.set([0.5, 0.25, -1, 0]);
    source.write(stereo);
    source.write(createAudioFrame(1, 44_100, 4));
    await assert.rejects(writer.process(ctx), (error: unknown) => {
      assert.ok(error instanceof SampleRateMismatchError);
      assert.equal(error.code, "sample_rate_mismatch");
      assert.deepEqual([error.expected, error.received], [16_000, 44_100]);
      return true;
    });
    await writer.teardown();
    const { info, samples } = await readWavFile(path);
    assert.equal(info.channels, 1);
    assert.deepEqual(Array.from(samples), [0.375, -0.5]);
  });
});

Deno.test("WavWriter records each later take to the next free <name>-N.wav, never truncating the first", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/take.wav`;
    const ports = wavWriterNode.ports();
    const writer = wavWriterNode.create({ path, sampleRate: 8000, channels: 2 }, ports);
    const source = new OutputBinding<AudioFrame>("source", "AudioFrame<2>");
    connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
    for (const frames of [80, 40]) {
      await writer.setup(ctx);
      source.write(createAudioFrame(2, 8000, frames));
      await writer.process(ctx);
      await writer.teardown();
    }
    assert.equal(writer.path, `${dir}/take-1.wav`);
    assert.equal((await readWavFile(path)).samples.length, 160, "the first take is intact");
    assert.equal((await readWavFile(`${dir}/take-1.wav`)).samples.length, 80);
  });
});

Deno.test("WavWriter config requires a path and names the valid sample formats", () => {
  assert.throws(
    () => wavWriterNode.create({}),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "path" &&
      e.issues[0].reason === "missing",
  );
  assert.throws(
    () => wavWriterNode.create({ path: "x.wav", sampleFormat: "pcm24" }),
    /config field 'sampleFormat' must be one of "pcm16", "float32"/,
  );
});

Deno.test("WavWriter places blocks by their timestamps: silence fills a gap, counted; blocks stamped alike are kept whole", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/gap.wav`;
    const ports = wavWriterNode.ports();
    const writer = wavWriterNode.create({ path, sampleRate: 8000, channels: 1 }, ports);
    const source = new OutputBinding<AudioFrame<1>>("source", "AudioFrame<1>");
    connectLocal(source, ports.input("in"), { capacity: 16, policy: "fifo" });
    await writer.setup(ctx);
    const block = (ms: number) => {
      const frame = createAudioFrame(1, 8000, 80); // 10 ms
      frame.samples.fill(0.5);
      return { ...frame, timestampNs: 1e9 + ms * 1e6 };
    };
    // 0, 10, 20 ms; the source skips 250 ms; 280 ms; then two blocks stamped alike (kept whole).
    for (const ms of [0, 10, 20, 280, 290, 290]) source.write(block(ms));
    await writer.process(ctx);
    await writer.teardown();
    assert.equal(writer.filledSamples, 2000, "250 ms at 8 kHz");
    assert.deepEqual(writer.reportStats(), { framesWritten: 2480, filledSamples: 2000 });
    const { samples } = await readWavFile(path);
    assert.equal(samples.length, 2480);
    assert.equal(samples[239], 0.5, "the third block");
    assert.deepEqual([samples[240], samples[2239]], [0, 0], "the gap");
    assert.ok(Math.abs(samples[2240] - 0.5) < 1e-4, "the block after the gap, at 280 ms");
  });
});
