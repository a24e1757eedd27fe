import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  type EncodedAudioFrame,
  type MediaClock,
  OutputBinding,
  type ProcessContext,
} from "../../mod.ts";
import { mp4WriterNode } from "./mp4_writer.gen.ts";

const clock: MediaClock = { nowNs: () => 0 };
const ctx: ProcessContext = createProcessContext("rec", { clock });

Deno.test("Mp4Writer with audioCodec aac records AAC-LC (mp4a, esds) that ffmpeg plays at its time", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/tone.mp4`;
    const ports = mp4WriterNode.ports();
    const writer = mp4WriterNode.create({ path, audioCodec: "aac", audioBitrate: 96_000 }, ports);
    const audioIn = new OutputBinding<AudioFrame>("a", "AudioFrame");
    connectLocal(audioIn, ports.input("audio"), { capacity: 64, policy: "fifo" });
    await writer.setup(ctx);
    // 2 s of 48 kHz stereo in 10 ms blocks: silence, then a 1 kHz tone from 0.5 s.
    for (let n = 0; n < 200; n++) {
      const block = createAudioFrame(2, 48_000, 480);
      for (let i = 0; i < 480; i++) {
        const t = n * 480 + i;
        const v = t >= 24_000 ? 0.5 * Math.sin((2 * Math.PI * 1_000 * t) / 48_000) : 0;
        block.samples[2 * i] = block.samples[2 * i + 1] = v;
      }
      audioIn.write({ ...block, timestampNs: 3e9 + n * 10e6, frameNumber: n });
      if (n % 20 === 19) await writer.process(ctx);
    }
    await writer.teardown();
    const info = JSON.parse(
      (await run("ffprobe", [
        ..."-v error -show_entries stream=codec_name,codec_tag_string,profile,channels,sample_rate,start_time"
          .split(" "),
        "-of",
        "json",
        path,
      ])).text,
    ).streams;
    assert.equal(info.length, 1);
    assert.deepEqual(
      [info[0].codec_name, info[0].codec_tag_string, info[0].profile, info[0].channels],
      ["aac", "mp4a", "LC", 2],
    );
    assert.equal(info[0].sample_rate, "48000");
    // The first frame starts 1600 samples early (the encoder's delay), so that decoded, on the
    // file's timeline, the tone starts at 0.5 s. ffmpeg writes the decoded samples from the
    // first one: the file's time of output sample i is start_time + i / rate.
    const start = Number(info[0].start_time);
    assert.ok(Math.abs(start + 1_600 / 48_000) < 1e-3, `start_time ${start}`);
    const pcm = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-i", path, "-af", "pan=mono|c0=c0", "-f", "f32le", "-"],
      stdout: "piped",
    }).output();
    assert.ok(pcm.success);
    const samples = new Float32Array(pcm.stdout.buffer.slice(0, pcm.stdout.length & ~3));
    const onset = start + samples.findIndex((s) => Math.abs(s) > 0.1) / 48_000;
    console.log(`AAC in MP4: tone starts at ${(onset * 1000).toFixed(1)} ms (sent at 500 ms)`);
    assert.ok(Math.abs(onset - 0.5) < 0.002, `tone starts at ${onset} s`);
  });
});

Deno.test("Mp4Writer's encodedAudio records AacEncoder's frames as they are, at their time", async () => {
  const { aacEncoderNode } = await import("../transforms/aac_encoder.gen.ts");
  await withTempDir(async (dir) => {
    const path = `${dir}/encoded.mp4`;
    const aacPorts = aacEncoderNode.ports();
    const aac = aacEncoderNode.create({ bitrate: 96_000 }, aacPorts);
    const ports = mp4WriterNode.ports();
    const writer = mp4WriterNode.create({ path, audioCodec: "aac" }, ports);
    const audioIn = new OutputBinding<AudioFrame>("a", "AudioFrame");
    connectLocal(audioIn, aacPorts.input("in"), { capacity: 256, policy: "fifo" });
    connectLocal(aacPorts.output("out"), ports.input("encodedAudio"), { capacity: 256 });
    const aacCtx = createProcessContext("aac", { clock });
    const recCtx = createProcessContext("rec", { clock });
    await aac.setup(aacCtx);
    await writer.setup(recCtx);
    // 2 s of 48 kHz stereo in 10 ms blocks: silence, then a 1 kHz tone from 0.5 s.
    for (let n = 0; n < 200; n++) {
      const block = createAudioFrame(2, 48_000, 480);
      for (let i = 0; i < 480; i++) {
        const t = n * 480 + i;
        const v = t >= 24_000 ? 0.5 * Math.sin((2 * Math.PI * 1_000 * t) / 48_000) : 0;
        block.samples[2 * i] = block.samples[2 * i + 1] = v;
      }
      audioIn.write({ ...block, timestampNs: 3e9 + n * 10e6, frameNumber: n });
      if (n % 20 === 19) {
        aac.process(aacCtx);
        aacCtx.frames.flush();
        await writer.process(recCtx);
        recCtx.frames.flush();
      }
    }
    await writer.teardown();
    aac.teardown();
    assert.equal((writer as unknown as { stats: { audioPackets: number } }).stats.audioPackets, 93);
    const info = JSON.parse(
      (await run("ffprobe", [
        ..."-v error -show_entries stream=codec_name,profile,channels,sample_rate,start_time"
          .split(" "),
        "-of",
        "json",
        path,
      ])).text,
    ).streams;
    assert.deepEqual(
      [info[0].codec_name, info[0].profile, info[0].channels, info[0].sample_rate],
      ["aac", "LC", 2, "48000"],
    );
    // The file begins at the first frame, stamped 1600 samples (the encoder's delay) before the
    // first block: decoded, the tone lands at 0.5 s of the blocks' clock, 0.5 s + 1600 samples
    // into the file.
    assert.equal(Number(info[0].start_time), 0);
    const pcm = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-i", path, "-af", "pan=mono|c0=c0", "-f", "f32le", "-"],
      stdout: "piped",
    }).output();
    assert.ok(pcm.success);
    const samples = new Float32Array(pcm.stdout.buffer.slice(0, pcm.stdout.length & ~3));
    const onset = samples.findIndex((s) => Math.abs(s) > 0.1) / 48_000 - 1_600 / 48_000;
    assert.ok(Math.abs(onset - 0.5) < 0.002, `tone starts at ${onset} s of the blocks' clock`);
  });
});

Deno.test("Mp4Writer's encodedAudio refuses frames of another codec than audioCodec", async () => {
  await withTempDir(async (dir) => {
    const ports = mp4WriterNode.ports();
    const writer = mp4WriterNode.create({ path: `${dir}/opus.mp4` }, ports); // audioCodec opus
    const encoded = new OutputBinding<EncodedAudioFrame>("e", "EncodedAudioFrame");
    connectLocal(encoded, ports.input("encodedAudio"), { capacity: 4 });
    await writer.setup(ctx);
    encoded.write({
      kind: "encoded-audio",
      codec: "aac",
      sampleRate: 48_000,
      channels: 2,
      frameCount: 1024,
      extradata: new Uint8Array([0x11, 0x90]),
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array(8),
    });
    await assert.rejects(() => writer.process(ctx), {
      code: "encoded_audio_codec",
      message: /codec aac, expected opus: set the writer's audioCodec to aac/,
    });
    await writer.teardown();
  });
});
