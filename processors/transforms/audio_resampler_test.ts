import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  InputBinding,
  OutputBinding,
  type ProcessContext,
} from "../../mod.ts";
import { ResamplerChannelsError, ResamplerRateError } from "../../ffi/media/resampler_errors.ts";
import { createRuntime } from "../runtime.ts";
import { NullSink } from "../sinks/null_sink.ts";
import { TestToneGenerator } from "../sources/test_tone_generator.ts";
import { AudioResampler } from "./audio_resampler.ts";
import { audioResamplerNode } from "./audio_resampler.gen.ts";

function harness(config: Record<string, unknown> = {}) {
  const ports = audioResamplerNode.ports();
  const node = audioResamplerNode.create(config, ports) as AudioResampler;
  const source = new OutputBinding<AudioFrame>("source", "AudioFrame");
  const sink = new InputBinding<AudioFrame>("sink", "AudioFrame");
  connectLocal(source, ports.input("in"), { capacity: 64 });
  connectLocal(ports.output("out"), sink, { capacity: 64 });
  const lines: string[] = [];
  const line = (m: unknown) => void lines.push(String(m));
  const base = createProcessContext("resampler");
  const ctx: ProcessContext = {
    ...base,
    log: { debug: line, info: line, warn: line, error: line },
  };
  const drain = () => {
    const out: AudioFrame[] = [];
    for (let f; (f = sink.read()) !== undefined;) {
      out.push({ ...f, samples: f.samples.slice() });
    }
    base.frames.flush();
    return out;
  };
  const send = (channels: number, rate: number, frames: number, timestampNs = 0, fill = 0.25) => {
    const block = { ...createAudioFrame(channels, rate, frames), timestampNs };
    block.samples.fill(fill);
    source.write(block);
    node.process(ctx);
    return drain();
  };
  return { node, ctx, send, lines, source, drain };
}

Deno.test("AudioResampler stamps blocks on the media clock and does not drift over a long run", async () => {
  const { node, send } = harness({ sampleRate: 48_000, quality: "fast" });
  await node.setup(createProcessContext("resampler"));
  const start = 5_000_000_000;
  let frames = 0;
  let input = 0;
  const sizes = [441, 1, 1000, 4410, 17];
  for (let i = 0; input < 44_100 * 120; i++) {
    const n = sizes[i % sizes.length];
    for (const out of send(2, 44_100, n, start + Math.round(input * 1e9 / 44_100))) {
      assert.equal(out.sampleRate, 48_000);
      assert.equal(out.channels, 2);
      // The first sample's time: the stream's start plus the frames before it at 48 kHz.
      assert.equal(out.timestampNs, start + Math.round(frames * 1e9 / 48_000));
      frames += out.frameCount;
    }
    input += n;
  }
  assert.ok(Math.abs(frames - Math.round(input * 48_000 / 44_100)) <= 1, `${frames} of ${input}`);
  assert.ok(node.latencyNs > 0 && node.latencyNs < 5_000_000, `latency ${node.latencyNs} ns`);
  node.teardown();
});

Deno.test("AudioResampler.drain() writes the filter's tail at the end of the stream: the whole input comes out", async () => {
  for (const quality of ["fast", "balanced", "best"]) {
    const { node, ctx, send, drain } = harness({ sampleRate: 48_000, quality });
    await node.setup(createProcessContext("resampler"));
    // 0.1 s of a constant 0.25 at 44.1 kHz, in uneven blocks.
    let frames = 0;
    let sum = 0;
    for (const n of [441, 1_000, 17, 2_952]) {
      for (const out of send(1, 44_100, n)) {
        frames += out.frameCount;
        for (const x of out.samples) sum += x;
      }
    }
    const latency = Math.round(node.latencyNs * 48_000 / 1e9);
    assert.ok(Math.abs(frames - 4_800) <= 1, `${frames} frames before the end`);
    assert.equal(node.drain(ctx), false);
    const tail = drain();
    const tailFrames = tail.reduce((n, b) => n + b.frameCount, 0);
    assert.ok(
      Math.abs(tailFrames - latency) <= 1,
      `${quality}: tail ${tailFrames}, latency ${latency}`,
    );
    // The tail follows the stream on the clock.
    assert.equal(tail[0].timestampNs, Math.round(frames * 1e9 / 48_000));
    for (const out of tail) for (const x of out.samples) sum += x;
    // Every input sample came out: 0.25 over 4,800 output frames (the filter's gain is 1); the
    // tail held about `latency` frames of it.
    assert.ok(Math.abs(sum / 0.25 - 4_800) < 2, `${quality}: ${sum / 0.25} frames of signal`);
    assert.equal(node.drain(ctx), false, "drained once");
    assert.equal(drain().length, 0);
    node.teardown();
  }
});

Deno.test("AudioResampler restarts and logs when the input rate changes mid-stream", async () => {
  const { node, send, lines } = harness({ sampleRate: 16_000 });
  await node.setup(createProcessContext("resampler"));
  send(1, 48_000, 4_800, 0);
  const after = send(1, 32_000, 3_200, 100_000_000);
  assert.equal(node.restarts, 1);
  assert.match(lines.join("\n"), /48000 Hz x1 to 32000 Hz x1: the resampler restarts/);
  // The new stream's clock starts at its first block.
  assert.equal(after[0].timestampNs, 100_000_000);
  assert.equal(after.reduce((n, b) => n + b.frameCount, 0), 1_600);
  node.teardown();
});

Deno.test("AudioResampler passes blocks at the output rate through untouched", async () => {
  const { node, send } = harness({ sampleRate: 48_000 });
  await node.setup(createProcessContext("resampler"));
  const [out] = send(2, 48_000, 480, 42, 0.5);
  assert.deepEqual([out.frameCount, out.timestampNs, out.samples[0]], [480, 42, 0.5]);
  assert.equal(node.latencyNs, 0);
  node.teardown();
});

Deno.test("AudioResampler skips empty blocks, silences NaN and refuses bad rates and channels", async () => {
  const { node, send, ctx, source, drain } = harness({ sampleRate: 16_000 });
  await node.setup(ctx);
  const empty = { ...createAudioFrame(1, 48_000, 1), frameCount: 0, samples: new Float32Array(0) };
  source.write(empty);
  node.process(ctx);
  assert.deepEqual(drain(), []);
  assert.equal(node.emptyBlocks, 1);
  const out = send(1, 48_000, 480, 0, Number.NaN);
  assert.equal(out[0].frameCount, 160);
  assert.ok(out[0].samples.every((v) => v === 0));
  assert.equal(node.nonFiniteSamples, 480);
  assert.throws(() => send(9, 48_000, 10), ResamplerChannelsError);
  assert.throws(
    () => send(1, 500, 10),
    (e) => e instanceof ResamplerRateError && e.code === "resampler_rate_out_of_range",
  );
  node.teardown();
});

Deno.test("AudioResampler config refuses an output rate outside 1000 to 768000 Hz", () => {
  const rt = createRuntime();
  for (const sampleRate of [999, 768_001, 44_100.5]) {
    assert.throws(
      () => rt.add(AudioResampler, { sampleRate }),
      (e: unknown) =>
        (e as { code?: string }).code === "invalid_config" && /1000|768000|integer/.test(String(e)),
    );
  }
  assert.throws(
    () => rt.add(AudioResampler, { quality: "ultra" as unknown as "best" }),
    (e: unknown) => (e as { code?: string }).code === "invalid_config",
  );
});

Deno.test("AudioResampler runs in a graph: a 44.1 kHz tone comes out at 48 kHz without leaks", async () => {
  await using rt = createRuntime();
  const tone = rt.add(TestToneGenerator, { sampleRate: 44_100 });
  const resampler = rt.add(AudioResampler, { sampleRate: 48_000 }, { id: "resampler" });
  const sink = rt.add(NullSink);
  rt.connect(tone.outputs.audio, resampler.inputs.in);
  rt.connect(resampler.outputs.out, sink.inputs.in);
  await rt.start();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await rt.stop();
  assert.ok(rt.stats().nodes.resampler.framesOut > 0);
  assert.deepEqual(rt.frameLeaks(), []);
});
