import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  type EncodedVideoFrame,
  type MediaClock,
  OutputBinding,
  type ProcessContext,
} from "../../mod.ts";
import { ConfigValidationError } from "../../mod.ts";
import { InvalidArgumentError } from "../../ffi/native/errors.ts";
import { Mp4WriteError } from "../formats/mp4_errors.ts";
import { OPUS_BITRATE_MAX, OPUS_BITRATE_MIN } from "../formats/mp4_recording.ts";
import { mp4WriterNode } from "./mp4_writer.gen.ts";
import { createProcessContext } from "../../mod.ts";

const clock: MediaClock = { nowNs: () => 0 };
const ctx: ProcessContext = createProcessContext("rec", { clock });

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
    assert.deepEqual(writer.stats, {
      videoFrames: 0,
      audioPackets: 50,
      droppedVideo: 0,
      droppedAudio: 0,
      audioFilledSamples: 0,
      audioTrimmedSamples: 0,
    });
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
        // It says what to do: the processor that resamples, by name, or the alternatives.
        /put an AudioResampler \(sampleRate 48000.*set the audio source's sampleRate to one of these.* or record this audio with a WavWriter/
          .test(e.message),
    );
    await writer.teardown();
  });
});

Deno.test("Mp4Writer drops video before the first keyframe, and deletes a file that received nothing", async () => {
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
    assert.ok((await Deno.stat(`${dir}/late.mp4.partial`)).isFile, "created at setup()");
    await assert.rejects(
      () => Deno.stat(`${dir}/late.mp4`),
      Deno.errors.NotFound,
      "not yet playable",
    );
    await writer.process(ctx);
    await writer.teardown();
    assert.deepEqual(writer.stats, {
      videoFrames: 0,
      audioPackets: 0,
      droppedVideo: 1,
      droppedAudio: 0,
      audioFilledSamples: 0,
      audioTrimmedSamples: 0,
    });
    // No header-only file is left behind as if it were a recording.
    await assert.rejects(() => Deno.stat(`${dir}/late.mp4`), Deno.errors.NotFound);
    assert.deepEqual(writer.paths, []);
  });
});

/** 20 ms blocks of a 48 kHz stereo tone, numbered from `first`. */
function toneBlocks(first: number, count: number, sampleRate = 48_000): AudioFrame[] {
  return [...Array(count).keys()].map((i) => {
    const n = first + i;
    const frames = sampleRate / 50;
    const block = createAudioFrame(2, sampleRate, frames);
    for (let k = 0; k < frames; k++) {
      const v = 0.3 * Math.sin((2 * Math.PI * 440 * (n * frames + k)) / sampleRate);
      block.samples[2 * k] = block.samples[2 * k + 1] = v;
    }
    return { ...block, timestampNs: n * 20e6, frameNumber: n };
  });
}

async function opusPackets(path: string): Promise<number> {
  const out = await run("ffprobe", [
    ..."-v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0".split(" "),
    path,
  ]);
  return Number(out.text.trim());
}

Deno.test("Mp4Writer fails setup() with Mp4WriteError naming an unwritable path, and creates nothing", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file.txt`, "not a directory");
    await Deno.mkdir(`${dir}/folder.mp4`);
    const cases: [string, RegExp][] = [
      [`${dir}/missing/take.mp4`, /its directory .*\/missing does not exist/],
      [`${dir}/folder.mp4`, /it is a directory/],
      [`${dir}/file.txt/take.mp4`, /file\.txt is not a directory/],
    ];
    for (const [path, reason] of cases) {
      const { writer } = writerWith(path, false, true);
      await assert.rejects(
        () => writer.setup(ctx),
        (e: unknown) =>
          e instanceof Mp4WriteError && e.path === path && reason.test(e.reason) &&
          e.message.startsWith(`Cannot write ${path}: `) &&
          e.message.endsWith("expected a file path in an existing, writable directory"),
      );
      await writer.teardown();
    }
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(left, ["file.txt", "folder.mp4"]);
  });
});

Deno.test("Mp4Writer refuses an audio bit rate of 0 naming the Opus range, the same bounds the recording checks", () => {
  assert.throws(
    () => mp4WriterNode.create({ path: "a.mp4", audioBitrate: 0 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "audioBitrate" &&
      /must be an integer from 6000 to 510000, got 0/.test(e.message),
  );
  const schema = mp4WriterNode.descriptor.config.properties!.audioBitrate;
  assert.deepEqual([schema.minimum, schema.maximum], [OPUS_BITRATE_MIN, OPUS_BITRATE_MAX]);
});

Deno.test("Mp4Writer set up again after recording (a restart) records to take-1.mp4 and never truncates what it finalized", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/take.mp4`;
    const { writer, audioIn } = writerWith(path, false, true);
    await writer.setup(ctx);
    for (const block of toneBlocks(0, 30)) audioIn.write(block);
    await writer.process(ctx);
    await writer.teardown(); // what the runtime does before a restart's setup()
    assert.deepEqual(writer.paths, [path]);
    await writer.setup(ctx);
    assert.deepEqual(writer.paths, [path, `${dir}/take-1.mp4`]);
    for (const block of toneBlocks(30, 20)) audioIn.write(block);
    await writer.process(ctx);
    await writer.teardown();
    assert.equal(await opusPackets(path), 30, "the first recording is intact");
    assert.equal(await opusPackets(`${dir}/take-1.mp4`), 20);
    // A third run that records nothing leaves no file and no name behind.
    await writer.setup(ctx);
    await writer.teardown();
    assert.deepEqual(writer.paths, [path, `${dir}/take-1.mp4`]);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["take-1.mp4", "take.mp4"]);
  });
});

Deno.test("Mp4Writer refuses audio whose rate changes mid-recording, and keeps what it recorded before", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/switch.mp4`;
    const { writer, audioIn } = writerWith(path, false, true);
    await writer.setup(ctx);
    for (const block of toneBlocks(0, 10)) audioIn.write(block);
    await writer.process(ctx);
    audioIn.write(toneBlocks(10, 1, 16_000)[0]);
    await assert.rejects(
      () => writer.process(ctx),
      (e: unknown) =>
        e instanceof InvalidArgumentError && e.argument === "sampleRate" && e.value === 16_000 &&
        /expected 48000 Hz, as the recording began/.test(e.message),
    );
    await writer.teardown();
    assert.equal(await opusPackets(path), 10);
  });
});

/** The audio stream's duration in seconds and its decoded packet count, by ffprobe. */
async function audioDuration(path: string): Promise<number> {
  const out = await run("ffprobe", [
    ..."-v error -select_streams a:0 -show_entries stream=duration -of csv=p=0".split(" "),
    path,
  ]);
  return Number(out.text.trim());
}

Deno.test("Mp4Writer places audio by its timestamps: a gap is filled with silence, counted, with an av_drift warning", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/gap.mp4`;
    const { writer, audioIn } = writerWith(path, false, true);
    const hand = createProcessContext("rec", { clock });
    await writer.setup(hand);
    // 1 s of 20 ms blocks, then the source skips 500 ms (blocks 50..74 never made), then 1 s.
    for (const block of [...toneBlocks(0, 50), ...toneBlocks(75, 50)]) {
      audioIn.write(block);
      await writer.process(hand);
    }
    await writer.teardown();
    const stats = writer.stats;
    assert.equal(stats.audioFilledSamples, 24_000, "500 ms at 48 kHz");
    assert.equal(stats.audioTrimmedSamples, 0);
    assert.equal(stats.audioPackets, 125, "2.5 s of 20 ms packets: the gap is in the file");
    const duration = await audioDuration(path);
    assert.ok(Math.abs(duration - 2.5) < 0.03, `audio lasts ${duration} s, not 2.5`);
    assert.deepEqual(hand.warnings.map((w) => [w.code, w.port]), [["av_drift", "audio"]]);
    assert.match(hand.warnings[0].message, /moved 500 ms ahead of its sample count/);
    assert.match(hand.warnings[0].message, /24000 sample\(s\) of silence filled/);
  });
});

Deno.test("Mp4Writer trims audio stamped over time it already covered, and keeps jitter within 5 ms as is", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/overlap.mp4`;
    const { writer, audioIn } = writerWith(path, false, true);
    const hand = createProcessContext("rec", { clock });
    await writer.setup(hand);
    const blocks = toneBlocks(0, 100).map((block, n) => {
      // Jitter of +-2 ms on every block; blocks 50..99 stamped 100 ms early (5 blocks' worth).
      const jitter = n % 2 === 0 ? 2e6 : -2e6;
      return { ...block, timestampNs: block.timestampNs + jitter - (n >= 50 ? 100e6 : 0) };
    });
    for (const block of blocks) {
      audioIn.write(block);
      await writer.process(hand);
    }
    await writer.teardown();
    const stats = writer.stats;
    // Block 50 starts 100 ms (minus jitter) before block 49 ended: its samples and the next
    // blocks' are trimmed until the stream is back on its timestamps.
    assert.ok(
      Math.abs(stats.audioTrimmedSamples - 4_800) <= 4 * 48,
      `trimmed ${stats.audioTrimmedSamples} samples, not about 4800 (100 ms)`,
    );
    assert.equal(stats.audioFilledSamples, 0);
    const duration = await audioDuration(path);
    assert.ok(Math.abs(duration - 1.9) < 0.03, `audio lasts ${duration} s, not 1.9`);
    assert.deepEqual(hand.warnings.map((w) => w.code), ["av_drift"]);
    assert.match(hand.warnings[0].message, /behind its sample count/);
  });
});
