import assert from "node:assert/strict";
import { dominantFrequency } from "../../processors/dsp/fft.ts";
import { writeAll } from "../../processors/formats/file_io.ts";
import { TestPatternRenderer } from "../../processors/video/test_pattern.ts";
import { run, withTempDir } from "./media_tools.ts";
import {
  decodeErrors,
  decodeI420,
  decodeMonoF32,
  ffmpegPsnr,
  framePtsSeconds,
  keyframeIndices,
  probe,
  psnr,
  seededRandom,
  startExample,
  testSeed,
} from "./mp4_tools.ts";

const SMALL = ["--width", "320", "--height", "240", "--fps", "30"];
const SEED = testSeed("mp4_recording_test");

Deno.test("A 3 s 1280x720 30 fps recording: one H.264 and one Opus stream, 90 frames, 3 s, a keyframe every 30, >= 35 dB against the source, the tone's pitch", async () => {
  await withTempDir(async (dir) => {
    const [width, height, fps, seconds, keyframeInterval] = [1280, 720, 30, 3, 30];
    const path = `${dir}/pattern.mp4`;
    // The default bit rate: the example's --bitrate default is the encoder's (2 Mbit/s); the
    // example sets the keyframe interval to the frame rate.
    const recorder = startExample("record_test_pattern.ts", [
      ..."--out".split(" "),
      path,
      ...`--seconds ${seconds} --width ${width} --height ${height} --fps ${fps}`.split(" "),
    ]);
    const summary = await recorder.summary();
    assert.equal((await recorder.child.status).code, 0);
    assert.deepEqual(summary.errors, []);
    const { format, streams } = await probe(path);
    assert.match(format, /mp4/);
    assert.deepEqual(streams.map((s) => `${s.codec_type}/${s.codec_name}`), [
      "video/h264",
      "audio/opus",
    ]);
    const [video, audio] = streams;
    assert.deepEqual([video.width, video.height], [width, height]);
    const frames = Number(video.nb_read_frames);
    // Frame n of the pattern is stamped n / fps: the file's timestamps give each frame's number.
    // A pattern that fell behind (a loaded machine) skips numbers and says how long it skipped;
    // every frame it made before the limit is in the file.
    const numbers = (await framePtsSeconds(path)).map((t, _, all) =>
      Math.round((t - all[0]) * fps)
    );
    assert.equal(numbers.length, frames);
    assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]), `frame numbers ${numbers}`);
    assert.ok(numbers[frames - 1] <= seconds * fps - 1, `last frame ${numbers[frames - 1]}`);
    const skippedFrames = Math.round((Number(summary.skippedMs ?? 0) * fps) / 1000);
    assert.ok(
      Math.abs(frames + skippedFrames - seconds * fps) <= 1,
      `${frames} frames and ${skippedFrames} skipped by the pattern, expected 90 +- 1 in all`,
    );
    for (const stream of [video, audio]) {
      const duration = Number(stream.duration);
      assert.ok(
        Math.abs(duration - seconds) <= 0.05,
        `${stream.codec_name} lasts ${duration} s, expected 3 s +- 50 ms`,
      );
    }
    assert.deepEqual([audio.sample_rate, audio.channels], ["48000", 2]);
    assert.equal(await decodeErrors(path), "");

    // Keyframes at the configured interval, and only there.
    const keyframes = await keyframeIndices(path);
    const expectedKeys = [...Array(Math.ceil(frames / keyframeInterval)).keys()]
      .map((k) => k * keyframeInterval);
    assert.deepEqual(keyframes, expectedKeys);

    // Every decoded frame against the frame the pattern rendered, by ffmpeg's psnr filter.
    const renderer = new TestPatternRenderer("I420", width, height);
    const reference = await Deno.open(`${dir}/reference.yuv`, { write: true, create: true });
    const frame = new Uint8Array(renderer.byteLength);
    for (const n of numbers) {
      renderer.render(n, frame);
      await writeAll(reference, frame);
    }
    reference.close();
    const quality = await ffmpegPsnr(
      path,
      `${dir}/reference.yuv`,
      width,
      height,
      fps,
      `${dir}/psnr.log`,
    );
    assert.equal(quality.frames, frames);
    assert.ok(quality.average >= 35, `average PSNR ${quality.average} dB`);
    assert.ok(quality.min >= 35, `worst frame ${quality.min} dB`);

    // The audio is the 440 Hz tone.
    const samples = await decodeMonoF32(path);
    const pitch = dominantFrequency(samples, 48_000);
    assert.ok(Math.abs(pitch - 440) < 1, `dominant frequency ${pitch} Hz, expected 440`);
  });
});

Deno.test("A recording stopped with SIGINT at a random moment keeps every frame it accepted and plays cleanly", async () => {
  const draw = seededRandom(SEED, 1);
  await withTempDir(async (dir) => {
    const path = `${dir}/interrupted.mp4`;
    const recorder = startExample("record_test_pattern.ts", ["--out", path, ...SMALL]);
    await recorder.started;
    const wait = draw(0, 2000);
    const context = `seed ${SEED}: SIGINT ${wait} ms after the recording started`;
    await new Promise((resolve) => setTimeout(resolve, wait));
    recorder.child.kill("SIGINT");
    const summary = await recorder.summary();
    assert.equal((await recorder.child.status).code, 0, context);
    assert.equal(summary.stoppedBy, "signal", context);
    const videoFrames = summary.videoFrames as number;
    // 20 ms packets of the tone's 10 ms blocks, with the silence the writer put where the tone
    // skipped time under load (or minus what it trimmed): audio stays on its timestamps.
    const { audioFilledSamples = 0, audioTrimmedSamples = 0 } = (summary.recorded ?? {}) as Record<
      string,
      number
    >;
    const samples = (summary.audioBlocks as number) * 480 + audioFilledSamples -
      audioTrimmedSamples;
    const opusPackets = Math.ceil(samples / 960);
    if (videoFrames + opusPackets === 0) {
      // Stopped before the first frame: no file is left behind as if it were a recording.
      await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound, context);
      return;
    }
    // Every frame accepted is in the file (a stream with none has no track).
    const { streams } = await probe(path);
    const counts = Object.fromEntries(streams.map((s) => [s.codec_name, Number(s.nb_read_frames)]));
    const expected = Object.fromEntries(
      [["h264", videoFrames], ["opus", opusPackets]].filter(([, n]) => n as number > 0),
    );
    assert.deepEqual(counts, expected, context);
    assert.equal(await decodeErrors(path), "", context);
  });
});

Deno.test("A recording killed outright (SIGKILL) leaves a playable file missing at most the open fragment", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/killed.mp4`;
    const recorder = startExample("record_test_pattern.ts", ["--out", path, ...SMALL]);
    await recorder.reached(120);
    recorder.child.kill("SIGKILL");
    assert.equal((await recorder.child.status).signal, "SIGKILL");
    const { streams } = await probe(path);
    const frames = Number(streams.find((s) => s.codec_type === "video")!.nb_read_frames);
    // A fragment closes at the first keyframe (every 30 frames here) 0.5 s or more after it
    // began; at least 120 frames were encoded, so only the open fragment (plus the second of
    // progress reporting) may be missing.
    assert.ok(frames >= 60 && frames % 30 === 0, `${frames} frames survived`);
    assert.ok(streams.some((s) => s.codec_name === "opus"));
    assert.equal(await decodeErrors(path), "");
  });
});

Deno.test("transcode.ts round trip (MP4 -> decode -> scale -> encode -> MP4) keeps every frame above 28 dB", async () => {
  await withTempDir(async (dir) => {
    const original = `${dir}/original.mp4`;
    const recorder = startExample("record_test_pattern.ts", [
      "--out",
      original,
      "--seconds",
      "1",
      ...SMALL,
    ]);
    await recorder.summary();
    for (const [w, h] of [[320, 240], [160, 120]]) {
      const out = `${dir}/transcoded_${w}.mp4`;
      const { stdout, code } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("../../examples/transcode.ts", import.meta.url).pathname,
          "--in",
          original,
          "--out",
          out,
          "--width",
          `${w}`,
          "--height",
          `${h}`,
          "--bitrate",
          "1500000",
        ],
        stdout: "piped",
        stderr: "null",
      }).output();
      assert.equal(code, 0);
      const summary = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
      const before = await probe(original);
      const after = await probe(out);
      assert.deepEqual([after.streams[0].width, after.streams[0].height], [w, h]);
      assert.equal(after.streams[0].nb_read_frames, before.streams[0].nb_read_frames);
      assert.equal(summary.videoFrames, Number(before.streams[0].nb_read_frames));
      assert.equal(after.streams[1].nb_read_frames, before.streams[1].nb_read_frames);
      assert.equal(await decodeErrors(out), "");
      if (w !== 320) continue;
      // Same size: compare the second generation with the pattern itself.
      const frames = await decodeI420(out);
      const renderer = new TestPatternRenderer("I420", w, h);
      const expected = new Uint8Array(renderer.byteLength);
      const count = frames.length / renderer.byteLength;
      for (let n = 0; n < count; n += 7) {
        renderer.render(n, expected);
        const got = frames.subarray(n * renderer.byteLength, (n + 1) * renderer.byteLength);
        const quality = psnr(got, expected);
        assert.ok(quality > 28, `frame ${n}: ${quality.toFixed(1)} dB`);
      }
    }
  });
});

Deno.test("camera_record.ts fails with a typed error naming a missing camera", async () => {
  if (Deno.build.os !== "linux") return;
  await withTempDir(async (dir) => {
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../examples/camera_record.ts", import.meta.url).pathname,
        "--device",
        "/dev/video77",
        "--out",
        `${dir}/cam.mp4`,
        "--seconds",
        "1",
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.equal(code, 1);
    const summary = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
    assert.match(
      summary.errors[0],
      /camera: Cannot open camera capture: No such camera: \/dev\/video77/,
    );
  });
  void run;
});
