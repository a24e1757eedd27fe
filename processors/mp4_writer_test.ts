import assert from "node:assert/strict";
import { run, withTempDir } from "../tests/media/media_tools.ts";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  type EncodedVideoFrame,
  type MediaClock,
  OutputBinding,
  type ProcessContext,
} from "../mod.ts";
import { InvalidArgumentError } from "../ffi/errors.ts";
import { mp4WriterNode } from "./mp4_writer.gen.ts";

const clock: MediaClock = { nowNs: () => 0 };
const ctx: ProcessContext = { node: "rec", clock };

function writerWith(path: string, video: boolean, audio: boolean) {
  const ports = mp4WriterNode.ports();
  const writer = mp4WriterNode.create({ path }, ports);
  const videoIn = new OutputBinding<EncodedVideoFrame>("v", "EncodedVideoFrame");
  const audioIn = new OutputBinding<AudioFrame>("a", "AudioFrame");
  if (video) connectLocal(videoIn, ports.input("video"), { capacity: 64, policy: "fifo" });
  if (audio) connectLocal(audioIn, ports.input("audio"), { capacity: 64, policy: "fifo" });
  return { writer, videoIn, audioIn };
}

Deno.test("Mp4Writer records an audio-only file: Opus packets stamped from the sample count", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/tone.mp4`;
    const { writer, audioIn } = writerWith(path, false, true);
    await writer.setup(ctx);
    for (let n = 0; n < 50; n++) {
      const block = createAudioFrame(1, 16_000, 320); // 20 ms of 16 kHz mono
      for (let i = 0; i < 320; i++) {
        block.samples[i] = 0.4 * Math.sin((2 * Math.PI * 500 * (n * 320 + i)) / 16_000);
      }
      audioIn.write({ ...block, timestampNs: 5e9 + n * 20e6, frameNumber: n });
      if (n % 10 === 9) await writer.process(ctx);
    }
    await writer.teardown();
    await writer.teardown();
    assert.deepEqual(writer.stats, { videoFrames: 0, audioPackets: 50, droppedVideo: 0 });
    const info = JSON.parse(
      (await run("ffprobe", [
        "-v",
        "error",
        "-count_frames",
        "-show_entries",
        "stream=codec_name,channels,nb_read_frames,duration",
        "-of",
        "json",
        path,
      ])).text,
    ).streams;
    assert.deepEqual(
      [info.length, info[0].codec_name, info[0].channels, info[0].nb_read_frames],
      [1, "opus", 1, "50"],
    );
    assert.ok(Math.abs(Number(info[0].duration) - 1) < 0.05, info[0].duration);
  });
});

Deno.test("Mp4Writer refuses a graph with nothing connected and audio at rates Opus does not take", async () => {
  await withTempDir(async (dir) => {
    const none = writerWith(`${dir}/none.mp4`, false, false).writer;
    await assert.rejects(
      () => none.setup(ctx),
      (e: unknown) =>
        e instanceof TypeError && /neither 'video' nor 'audio'/.test((e as Error).message),
    );
    const { writer, audioIn } = writerWith(`${dir}/cd.mp4`, false, true);
    await writer.setup(ctx);
    audioIn.write(createAudioFrame(2, 44_100, 441));
    await assert.rejects(
      () => writer.process(ctx),
      (e: unknown) =>
        e instanceof InvalidArgumentError && e.argument === "sampleRate" &&
        /resample first/.test(e.message),
    );
    await writer.teardown();
  });
});

Deno.test("Mp4Writer drops video before the first keyframe", async () => {
  await withTempDir(async (dir) => {
    const { writer, videoIn } = writerWith(`${dir}/late.mp4`, true, false);
    await writer.setup(ctx);
    videoIn.write({
      kind: "encoded-video",
      codec: "h264",
      keyframe: false,
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array([0, 0, 0, 1, 0x41, 0]),
    });
    await writer.process(ctx);
    await writer.teardown();
    assert.deepEqual(writer.stats, { videoFrames: 0, audioPackets: 0, droppedVideo: 1 });
  });
});
