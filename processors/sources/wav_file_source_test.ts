import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import {
  type AudioFrame,
  ConfigValidationError,
  connectLocal,
  InputBinding,
  type MediaClock,
  type ProcessContext,
  type SetupContext,
} from "../../mod.ts";
import { dominantFrequency } from "../dsp/fft.ts";
import { WavNotFoundError, WavNotRegularFileError } from "../formats/wav_errors.ts";
import { HeapMemorySource } from "../../core/frames/heap_memory.ts";
import type { RuntimeEvent } from "../../mod.ts";
import { createRuntime, Gain, NullSink, WavFileSource } from "../mod.ts";
import { tap } from "../../tests/fixtures/workers/worker_nodes.ts";
import { until, workerRig } from "../../tests/fixtures/workers/harness.ts";
import { WavWriter } from "../formats/wav_writer.ts";
import { wavFileSourceNode } from "./wav_file_source.gen.ts";
import { createProcessContext } from "../../mod.ts";

const clock: MediaClock = { nowNs: () => 1_000 };
const ctx: ProcessContext = createProcessContext("wav", { clock });

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

async function mkfifo(path: string): Promise<void> {
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(made.success, `mkfifo ${path}: ${new TextDecoder().decode(made.stderr)}`);
}

Deno.test("WavFileSource refuses a FIFO with no writer in setup, without blocking: the runtime stops within a second", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/take.wav`;
    await mkfifo(path);
    const source = wavFileSourceNode.create({ path });
    await assert.rejects(
      () => source.setup(ctx),
      (e: unknown) =>
        e instanceof WavNotRegularFileError && e.code === "not_regular_file" && e.found === "FIFO",
    );

    await using rt = createRuntime();
    const errors: RuntimeEvent[] = [];
    rt.on((e) => e.type === "node-error" && errors.push(e));
    const wav = rt.add(WavFileSource, { path }, { id: "wav" });
    const sink = rt.add(NullSink, {}, { id: "sink" });
    rt.connect(wav.outputs.audio, sink.inputs.in);
    await rt.start();
    assert.equal(rt.describe().nodes.find((n) => n.id === "wav")?.state, "error");
    assert.match(
      (errors[0] as { message: string }).message,
      /it is a FIFO, expected a regular WAV file/,
    );
    // The JS thread never waited on the FIFO: a timer still fires and stop() returns promptly.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("stop() took over a second")), 1000);
    });
    await Promise.race([rt.stop(), late]);
    clearTimeout(timer);
    assert.deepEqual(rt.frameLeaks(), []);
  });
});

Deno.test("WavFileSource ends the stream after its last block: the runtime says end-of-stream with every block delivered, nothing leaks", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/short.wav`;
    const writer = await WavWriter.create(path, { sampleRate: 48_000, channels: 2 });
    await writer.write(new Float32Array(2 * 4800 + 2 * 100).fill(0.25)); // 10 blocks + 100 frames
    await writer.close();
    await using rt = createRuntime();
    const wav = rt.add(WavFileSource, { path, blockSize: 480 }, { id: "wav" });
    const gain = rt.add(Gain, { gain: 2 }, { id: "gain" });
    const sink = rt.add(NullSink, {}, { id: "sink" });
    rt.connect(wav.outputs.audio, gain.inputs.in);
    rt.connect(gain.outputs.out, sink.inputs.in);
    const ended = new Promise<void>((resolve) =>
      rt.on((e) => e.type === "end-of-stream" && resolve())
    );
    await rt.start();
    await ended;
    assert.equal(rt.ended, true);
    assert.equal(rt.stats().nodes.sink.framesIn, 11);
    await rt.stop();
    assert.deepEqual(rt.frameLeaks(), []);
  });
});

Deno.test("WavFileSource reads nothing while frame memory is exhausted, and goes on where it was", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/ramp.wav`;
    const writer = await WavWriter.create(path, {
      sampleRate: 8000,
      channels: 1,
      sampleFormat: "float32",
    });
    await writer.write(Float32Array.from({ length: 32 }, (_, i) => i / 32));
    await writer.close();
    const memory = new HeapMemorySource({ budgetBytes: 2 * 16 * 4 }); // one stereo block of 16
    const local = createProcessContext("wav", { clock, memory });
    const ports = wavFileSourceNode.ports();
    const source = wavFileSourceNode.create({ path, blockSize: 16 }, ports);
    const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
    const reader = createProcessContext("sink", { memory });
    sink.owner = reader.frames;
    connectLocal(ports.output<AudioFrame<2>>("audio"), sink, { capacity: 4, policy: "fifo" });
    await source.setup(local);
    await source.process(local);
    await source.process(local); // no memory: nothing read
    assert.equal(local.frames.takeExhausted(), true);
    local.frames.flush();
    assert.equal(sink.read()!.samples[0], 0);
    reader.frames.flush();
    await source.process(local);
    const second = sink.read()!;
    assert.equal(second.frameNumber, 1);
    assert.equal(second.samples[0], 16 / 32, "the second block starts where the first ended");
    assert.equal(local.ended, true, "the last block ended the stream");
    local.frames.flush();
    reader.frames.flush();
    source.teardown();
  });
});

Deno.test("WavFileSource in the main isolate feeding a Gain in a Worker: end of stream crosses, nothing leaks", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/take.wav`;
    const writer = await WavWriter.create(path, { sampleRate: 48_000, channels: 1 });
    await writer.write(new Float32Array(64 * 20).fill(0.5));
    await writer.close();
    await using rig = workerRig();
    const { rt, backend } = rig;
    rt.add("WavFileSource", { path, blockSize: 64 }, { id: "wav" });
    rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
    rt.add("AudioTap", {}, { id: "out" });
    rt.connectByName("wav", "audio", "gain", "in");
    rt.connectByName("gain", "out", "out", "in");
    await rt.start();
    await until(() => rt.ended, "end of stream through the Worker");
    assert.deepEqual(tap("out").frameNumbers, Array.from({ length: 20 }, (_, i) => i));
    assert.ok(tap("out").samples.every((b) => b.every((x) => x === 0.25)));
    await rt.stop();
    assert.deepEqual(rt.frameLeaks(), []);
    assert.equal(backend.pool.stats().inUse, 0, "every pool slot is free again");
  });
});
