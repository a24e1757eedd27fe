import assert from "node:assert/strict";
import { run, withTempDir } from "../tests/media/media_tools.ts";
import {
  type AudioFrame,
  ConfigValidationError,
  connectLocal,
  InputBinding,
  type MediaClock,
  type ProcessContext,
  type SetupContext,
} from "../mod.ts";
import { dominantFrequency } from "./dsp/fft.ts";
import { WavNotFoundError } from "./formats/wav_errors.ts";
import { WavWriter } from "./formats/wav_writer.ts";
import { wavFileSourceNode } from "./wav_file_source.gen.ts";

const clock: MediaClock = { nowNs: () => 1_000 };
const ctx: ProcessContext = { node: "wav", clock };

async function start(config: Record<string, unknown>) {
  const ports = wavFileSourceNode.ports();
  const source = wavFileSourceNode.create(config, ports);
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(ports.output<AudioFrame<2>>("audio"), sink, { capacity: 4, policy: "fifo" });
  const declared: number[] = [];
  const loop = { periodNs: undefined, setPeriodNs: (ns: number) => void declared.push(ns) };
  const setup: SetupContext = { ...ctx, loop };
  await source.setup(setup);
  return { source, sink, declared };
}

/** Runs `process()` until the source ends or `limit` blocks, collecting copies of the blocks. */
async function drain(
  source: { process(ctx: ProcessContext): Promise<void>; ended: boolean },
  sink: InputBinding<AudioFrame<2>>,
  limit: number,
) {
  const blocks: { frameCount: number; samples: number[]; timestampNs: number }[] = [];
  for (let i = 0; i < limit && !source.ended; i++) {
    await source.process(ctx);
    const block = sink.read();
    if (block) {
      blocks.push({
        frameCount: block.frameCount,
        samples: Array.from(block.samples),
        timestampNs: block.timestampNs,
      });
    }
  }
  return blocks;
}

Deno.test("WavFileSource plays a sox 1 kHz tone as stereo blocks at its declared period, then ends", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/tone.wav`;
    await run("sox", ["-n", "-r", "48000", "-c", "1", path, "synth", "0.5", "sine", "1000"]);
    const { source, sink, declared } = await start({ path, blockSize: 1024 });
    const { sampleRate, channels, frameCount } = source.info!;
    assert.deepEqual([sampleRate, channels, frameCount], [48_000, 1, 24_000]);
    assert.deepEqual(declared, [1024e9 / 48_000]);
    const blocks = await drain(source, sink, 100);
    assert.ok(source.ended);
    assert.equal(blocks.length, 24);
    assert.deepEqual(blocks.slice(-2).map((b) => b.frameCount), [1024, 24_000 - 23 * 1024]);
    assert.equal(blocks[1].timestampNs - blocks[0].timestampNs, Math.round(1024e9 / 48_000));
    const samples = new Float32Array(blocks.flatMap((b) => b.samples));
    assert.equal(samples.length, 2 * 24_000);
    for (let i = 0; i < samples.length; i += 2) assert.equal(samples[i], samples[i + 1]);
    const frequency = dominantFrequency(samples, 48_000, { channels: 2 });
    assert.ok(Math.abs(frequency - 1000) <= 2, `dominant frequency ${frequency}`);
    await source.process(ctx);
    assert.equal(sink.read(), undefined);
    source.teardown();
  });
});

Deno.test("WavFileSource with loop runs on across the end of the file without a gap", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/ramp.wav`;
    const writer = await WavWriter.create(path, {
      sampleRate: 8000,
      channels: 2,
      sampleFormat: "float32",
    });
    const ramp = new Float32Array(2 * 40);
    for (let i = 0; i < 40; i++) ramp.set([i / 64, -i / 64], 2 * i);
    await writer.write(ramp);
    await writer.close();
    const { source, sink } = await start({ path, blockSize: 16, loop: true });
    const blocks = await drain(source, sink, 10);
    assert.ok(!source.ended);
    assert.equal(blocks.length, 10);
    assert.ok(blocks.every((b) => b.frameCount === 16));
    const left = blocks.flatMap((b) => b.samples.filter((_, i) => i % 2 === 0));
    assert.deepEqual(left, Array.from({ length: 160 }, (_, i) => (i % 40) / 64));
    source.teardown();
  });
});

Deno.test("WavFileSource sets ended with the last block when the file is whole blocks long", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/eight.wav`;
    const writer = await WavWriter.create(path, { sampleRate: 8000, channels: 1 });
    await writer.write(new Float32Array(32));
    await writer.close();
    const { source, sink } = await start({ path, blockSize: 16 });
    await source.process(ctx);
    assert.ok(!source.ended);
    await source.process(ctx);
    assert.ok(source.ended);
    assert.deepEqual([sink.read()?.frameCount, sink.read()?.frameCount, sink.read()], [
      16,
      16,
      undefined,
    ]);
    source.teardown();
  });
});

Deno.test("WavFileSource folds six channels to stereo", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/six.wav`;
    const writer = await WavWriter.create(path, {
      sampleRate: 8000,
      channels: 6,
      sampleFormat: "float32",
    });
    await writer.write(new Float32Array([0.5, 0.25, 0.25, 0, 0, -0.25]));
    await writer.close();
    const { source, sink } = await start({ path, blockSize: 16 });
    const [block] = await drain(source, sink, 4);
    assert.deepEqual(block.samples, [0.25, 0]);
    source.teardown();
  });
});

Deno.test("WavFileSource names the missing field or file", async () => {
  assert.throws(
    () => wavFileSourceNode.create({ blockSize: 64 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "path" &&
      /config field 'path' is missing: expected a string/.test(e.message),
  );
  assert.throws(
    () => wavFileSourceNode.create({ path: "" }),
    /'path' must be a string of at least 1/,
  );
  const source = wavFileSourceNode.create({ path: "/nonexistent/take.wav" });
  await assert.rejects(
    () => source.setup(ctx),
    (e: unknown) => e instanceof WavNotFoundError && e.path === "/nonexistent/take.wav",
  );
});
