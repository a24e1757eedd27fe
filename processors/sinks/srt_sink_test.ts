import assert from "node:assert/strict";
import type { AudioFrame, InputBinding } from "../../mod.ts";
import { ConfigValidationError } from "../../core/config/validation.ts";
import { createRuntime, SrtSink, SrtSource } from "../mod.ts";

Deno.test("SrtSink and SrtSource configs refuse bad hosts, ports and passphrases with invalid_config", () => {
  const rt = createRuntime({ workers: false });
  const bad = [
    { host: "example.com", port: 9000 },
    { host: "127.0.0.1", port: 0 },
    { host: "127.0.0.1", port: 70_000 },
    { host: "127.0.0.1", port: 9000, passphrase: "short" },
    { host: "127.0.0.1", port: 9000, latencyMs: 5 },
    { host: "127.0.0.1", port: 9000, mode: "rendezvous" },
  ];
  for (const config of bad) {
    for (const type of [SrtSink, SrtSource] as const) {
      assert.throws(
        () => rt.add(type as typeof SrtSink, config as never),
        (error) => error instanceof ConfigValidationError && error.code === "invalid_config",
        JSON.stringify(config),
      );
    }
  }
});

Deno.test("SrtSink counts every access unit it could not send while no peer listens", async () => {
  const { NetSink } = await import("../../ffi/net/net_endpoint.ts");
  using sink = NetSink.create("srt", { address: "127.0.0.1:9", queueFrames: 2 });
  for (let i = 0; i < 5; i++) sink.push(new Uint8Array([0, 0, 0, 1, 0x65, i]), i * 1e6, true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const stats = sink.stats();
  assert.equal(stats.connected, 0);
  assert.equal(stats.frames, 0);
  assert.equal(stats.framesDropped + stats.framesQueued, 5);
});

Deno.test("SrtSink fails with srt_audio_format on audio of other channels than audioChannels or at a rate Opus does not take", async () => {
  const { H264Encoder, TestPattern, TestToneGenerator } = await import("../mod.ts");
  const cases = [
    { tone: { sampleRate: 48_000 }, sink: { audioChannels: 1 }, argument: /channels 2/ },
    { tone: { sampleRate: 44_100 }, sink: { audioChannels: 2 }, argument: /sampleRate 44100/ },
  ];
  for (const { tone, sink, argument } of cases) {
    const rt = createRuntime({ workers: false });
    const failures: { code?: string; message: string }[] = [];
    rt.on((event) => {
      if (event.type === "node-error" && event.node === "srt") failures.push(event);
    });
    const pattern = rt.add(TestPattern, { width: 64, height: 48, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264" });
    const source = rt.add(TestToneGenerator, tone);
    const srt = rt.add(SrtSink, { host: "127.0.0.1", port: 9, ...sink }, { id: "srt" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, srt.inputs.video);
    rt.connect(source.outputs.audio, srt.inputs.audio);
    await rt.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await rt.stop();
    assert.equal(failures[0]?.code, "srt_audio_format", JSON.stringify(failures));
    assert.match(failures[0].message, argument);
  }
});

Deno.test("SrtSink.drain() queues the Opus packetizer's last partial packet at the end of the stream", async () => {
  const { connectLocal, createAudioFrame, createProcessContext, OutputBinding } = await import(
    "../../mod.ts"
  );
  const { srtSinkNode } = await import("./srt_sink.gen.ts");
  // A caller to a port where nobody listens: packets are counted as queued, none sent.
  const sink = srtSinkNode.create({ host: "127.0.0.1", port: 9 });
  const audio = new OutputBinding<AudioFrame>("tone", "AudioFrame");
  connectLocal(audio, sink.audio as InputBinding<AudioFrame>);
  const ctx = createProcessContext("srt");
  await sink.setup(ctx);
  try {
    // 30 ms of stereo: one 20 ms packet now, 10 ms and the encoder's lookahead held back.
    audio.write(createAudioFrame(2, 48_000, 1_440));
    sink.process(ctx);
    assert.equal(sink.reportStats()?.audioPackets, 1);
    sink.drain();
    assert.equal(sink.reportStats()?.audioPackets, 2, "the held 16.5 ms went out as a packet");
  } finally {
    await sink.teardown();
  }
});
