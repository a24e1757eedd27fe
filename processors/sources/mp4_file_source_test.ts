import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import {
  type AudioFrame,
  connectLocal,
  InputBinding,
  type MediaClock,
  type VideoFrame,
} from "../../mod.ts";
import type { HandProcessContext } from "../../core/processor/create_context.ts";
import { runForLeaks } from "../../tests/fixtures/runtime/leak_rig.ts";
import { createRuntime } from "../mod.ts";
import {
  Mp4ReadError,
  TruncatedMp4Error,
  UnsupportedMp4CodecError,
} from "../formats/mp4_errors.ts";
import { MAX_MOOV_BYTES } from "../formats/mp4_boxes.ts";
import { mp4FileSourceNode } from "./mp4_file_source.gen.ts";
import { createProcessContext } from "../../mod.ts";

const clock: MediaClock = { nowNs: () => 7e9 };
const ctx: HandProcessContext = createProcessContext("play", { clock });

/** A 1 s file: ffmpeg's testsrc at 10 fps in H.264 (x264, with B-frames) and a 48 kHz Opus tone. */
async function makeFile(path: string, audioCodec = "libopus"): Promise<void> {
  await run("ffmpeg", [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=128x96:rate=10:duration=1",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000:duration=1",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-bf",
    "2",
    "-c:a",
    audioCodec,
    "-ac",
    "2",
    path,
  ]);
}

Deno.test("Mp4FileSource plays an x264 + Opus file: 10 frames in display order and 1 s of stereo audio, then ends the stream", async () => {
  await withTempDir(async (dir) => {
    const ctx = createProcessContext("play", { clock });
    const path = `${dir}/in.mp4`;
    await makeFile(path);
    const ports = mp4FileSourceNode.ports();
    const source = mp4FileSourceNode.create({ path }, ports);
    const video = new InputBinding<VideoFrame>("v", "VideoFrame");
    const audio = new InputBinding<AudioFrame<2>>("a", "AudioFrame<2>");
    connectLocal(ports.output("video"), video, { capacity: 64, policy: "fifo" });
    connectLocal(ports.output("audio"), audio, { capacity: 256, policy: "fifo" });
    const declared: number[] = [];
    await source.setup({
      ...ctx,
      loop: { periodNs: undefined, setPeriodNs: (ns) => void declared.push(ns) },
    });
    assert.deepEqual(declared, [1e8]);
    const frames: { timestampNs: number; width: number; height: number; format: string }[] = [];
    let last: Uint8Array | undefined;
    for (let i = 0; i < 30 && !source.ended; i++) {
      await source.process(ctx);
      ctx.frames.flush(); // what the runtime does when process() returns
      let f;
      while ((f = video.read()) !== undefined) {
        frames.push({ ...f });
        last = f.data.slice();
      }
    }
    assert.ok(source.ended && ctx.ended, "ended, and said so with ctx.endOfStream()");
    assert.equal(frames.length, 10);
    assert.deepEqual(
      frames.map((x) => x.timestampNs - 7e9),
      [...Array(10).keys()].map((n) => n * 1e8),
    );
    assert.deepEqual([frames[0].width, frames[0].height, frames[0].format], [128, 96, "I420"]);
    const expected = (await run("ffmpeg", [
      "-v",
      "error",
      "-i",
      path,
      "-f",
      "rawvideo",
      "-pix_fmt",
      "yuv420p",
      "-",
    ])).stdout;
    assert.deepEqual(
      last,
      expected.subarray(9 * 18_432, 10 * 18_432),
      "bit-exact like ffmpeg",
    );
    let samples = 0;
    let block;
    while ((block = audio.read()) !== undefined) {
      assert.deepEqual([block.channels, block.sampleRate], [2, 48_000]);
      samples += block.frameCount;
    }
    assert.ok(Math.abs(samples - 48_000) <= 960, `${samples} samples`);
    source.teardown();
  });
});

Deno.test("Mp4FileSource fails setup with typed errors for a missing file and an MP3 track", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      () => mp4FileSourceNode.create({ path: `${dir}/nope.mp4` }).setup(ctx),
      (e: unknown) =>
        e instanceof Mp4ReadError && e.path.endsWith("nope.mp4") && e.code === "not_found" &&
        /cannot be opened/.test((e as Error).message),
    );
    const mp3 = `${dir}/mp3.mp4`;
    await makeFile(mp3, "libmp3lame");
    await assert.rejects(
      () => mp4FileSourceNode.create({ path: mp3 }).setup(ctx),
      (e: unknown) =>
        e instanceof UnsupportedMp4CodecError && e.codec === "mp3" &&
        e.supported.join() === "aac,opus" && e.code === "unsupported_codec" &&
        // The way forward: the command that makes the file readable.
        e.message.includes(`ffmpeg -i ${mp3} -c:v copy -c:a aac ${dir}/mp3.aac.mp4`),
    );
  });
});

Deno.test("Mp4FileSource plays an x264 + AAC file: stereo at 48 kHz from the edit list's start, as many samples as ffmpeg decodes", async () => {
  await withTempDir(async (dir) => {
    const ctx = createProcessContext("play", { clock });
    const path = `${dir}/aac.mp4`;
    await makeFile(path, "aac");
    const ffmpegFrames = (await run("ffmpeg", ["-v", "error", "-i", path, "-f", "f32le", "-"]))
      .stdout.length / 8;
    const ports = mp4FileSourceNode.ports();
    const source = mp4FileSourceNode.create({ path }, ports);
    const video = new InputBinding<VideoFrame>("v", "VideoFrame");
    const audio = new InputBinding<AudioFrame<2>>("a", "AudioFrame<2>");
    connectLocal(ports.output("video"), video, { capacity: 64, policy: "fifo" });
    connectLocal(ports.output("audio"), audio, { capacity: 256, policy: "fifo" });
    await source.setup(ctx);
    for (let i = 0; i < 30 && !source.ended; i++) {
      await source.process(ctx);
      ctx.frames.flush();
      while (video.read() !== undefined);
    }
    assert.ok(source.ended);
    let frames = 0;
    let first: number | undefined;
    let block;
    while ((block = audio.read()) !== undefined) {
      assert.deepEqual([block.channels, block.sampleRate], [2, 48_000]);
      first ??= block.timestampNs;
      frames += block.frameCount;
    }
    assert.equal(first, 7e9, "the first block plays at the file's time 0 (the priming dropped)");
    assert.equal(frames, ffmpegFrames);
    assert.equal(source.videoFrames, 10);
    source.teardown();
  });
});

Deno.test("Mp4FileSource refuses a corrupt, an empty and a truncated MP4 in setup() with typed errors naming the problem", async () => {
  await withTempDir(async (dir) => {
    const good = `${dir}/good.mp4`;
    await makeFile(good);
    const bytes = await Deno.readFile(good);
    // Corrupt: the same bytes with the first box's type overwritten.
    const corrupt = bytes.slice();
    corrupt.set([0xde, 0xad, 0xbe, 0xef], 4);
    await Deno.writeFile(`${dir}/corrupt.mp4`, corrupt);
    await Deno.writeFile(`${dir}/noise.mp4`, new Uint8Array(4096).map((_, i) => (i * 7919) % 251));
    await Deno.writeFile(`${dir}/empty.mp4`, new Uint8Array(0));
    // Truncated: cut in the middle (inside the 'mdat' box).
    const cut = Math.floor(bytes.length / 2);
    await Deno.writeFile(`${dir}/truncated.mp4`, bytes.subarray(0, cut));
    const refused = async (name: string, check: (e: Mp4ReadError) => boolean) => {
      await assert.rejects(
        () => mp4FileSourceNode.create({ path: `${dir}/${name}` }).setup(ctx),
        (e: unknown) =>
          e instanceof Mp4ReadError && e.path === `${dir}/${name}` &&
          e.message.startsWith(`Cannot read ${dir}/${name}: `) && check(e),
      );
    };
    await refused(
      "corrupt.mp4",
      (e) => /not an MP4 file: .*expected an 'ftyp' box/.test(e.message),
    );
    await refused("noise.mp4", (e) => /not an MP4 file/.test(e.message));
    await refused("empty.mp4", (e) => /it is empty \(0 bytes\)/.test(e.message));
    await refused(
      "truncated.mp4",
      (e) =>
        e instanceof TruncatedMp4Error && e.code === "truncated" && e.fileBytes === cut &&
        e.offset + e.declaredBytes > cut &&
        /it is truncated: its '\w{4}' box at byte \d+ declares \d+ bytes but the file ends at byte/
          .test(e.message),
    );
    // The intact file still plays.
    const source = mp4FileSourceNode.create({ path: good });
    await source.setup(ctx);
    source.teardown();
  });
});

Deno.test("Mp4FileSource refuses a folder, a device and a FIFO with code not_regular_file, without blocking", async () => {
  await withTempDir(async (dir) => {
    const fifo = `${dir}/pipe.mp4`;
    await run("mkfifo", [fifo]);
    const kinds = [[dir, "directory"], ["/dev/zero", "character device"], [fifo, "FIFO"]];
    for (const [path, kind] of kinds) {
      await assert.rejects(
        () => mp4FileSourceNode.create({ path }).setup(ctx),
        (e: unknown) =>
          e instanceof Mp4ReadError && e.code === "not_regular_file" &&
          e.message === `Cannot read ${path}: it is a ${kind}, expected a regular .mp4 file`,
      );
    }
  });
});

Deno.test("Mp4FileSource refuses a 'moov' box above the bound with code too_large, reading only box headers", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/huge_moov.mp4`;
    const ftyp = [0, 0, 0, 16, ...new TextEncoder().encode("ftypisom"), 0, 0, 2, 0];
    const moovBytes = MAX_MOOV_BYTES + 8;
    const header = [0, 0, 0, 1, ...new TextEncoder().encode("moov"), 0, 0, 0, 0];
    const size = new DataView(new ArrayBuffer(4));
    size.setUint32(0, moovBytes);
    using file = await Deno.create(path);
    await file.write(new Uint8Array([...ftyp, ...header, ...new Uint8Array(size.buffer)]));
    await file.truncate(16 + moovBytes); // a sparse file: nothing past the headers is written
    await assert.rejects(
      () => mp4FileSourceNode.create({ path }).setup(ctx),
      (e: unknown) =>
        e instanceof Mp4ReadError && e.code === "too_large" &&
        e.message.includes(`is ${moovBytes} bytes, expected at most ${MAX_MOOV_BYTES}`),
    );
  });
});

Deno.test("Mp4FileSource on a FIFO with no writer: the node fails at setup and the runtime stops within a second", async () => {
  await withTempDir(async (dir) => {
    const fifo = `${dir}/pipe.mp4`;
    await run("mkfifo", [fifo]);
    await using rt = createRuntime({ workers: false });
    const errors: string[] = [];
    rt.on((e) => e.type === "node-error" && errors.push(`${e.node} ${e.phase} ${e.name}`));
    rt.add("Mp4FileSource", { path: fifo }, { id: "clip" });
    rt.add("NullSink", {}, { id: "sink" });
    rt.connectByName("clip", "video", "sink", "in");
    const started = performance.now();
    await rt.start();
    await rt.stop();
    const ms = performance.now() - started;
    assert.deepEqual(errors, ["clip setup Mp4ReadError"]);
    assert.ok(ms < 1000, `start and stop took ${ms} ms`);
  });
});

Deno.test("Mp4FileSource in a runtime, in one isolate and in a Worker, plays the file, ends the stream and leaks none", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/in.mp4`;
    await makeFile(path);
    for (const worker of [false, true]) {
      const { leaks, problems, stats } = await runForLeaks(
        (rt, placement) => {
          rt.add("Mp4FileSource", { path }, { id: "clip", placement });
          rt.add("NullSink", {}, { id: "video" });
          rt.add("NullSink", {}, { id: "audio" });
          rt.connectByName("clip", "video", "video", "in", { capacity: 16, policy: "fifo" });
          rt.connectByName("clip", "audio", "audio", "in", { capacity: 64, policy: "fifo" });
        },
        (rt) => rt.ended,
        { worker },
      );
      assert.deepEqual(problems, [], `worker: ${worker}`);
      assert.deepEqual(leaks, [], `worker: ${worker}`);
      assert.equal(stats.nodes.video.framesIn, 10);
      assert.ok(stats.nodes.audio.framesIn >= 49, `${stats.nodes.audio.framesIn} audio blocks`);
    }
  });
});
