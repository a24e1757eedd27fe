import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
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
