import assert from "node:assert/strict";
import { TestPatternRenderer } from "../../processors/video/test_pattern.ts";
import { run, withTempDir } from "./media_tools.ts";
import { decodeErrors, decodeI420, probe, psnr, startExample } from "./mp4_tools.ts";

const SMALL = ["--width", "320", "--height", "240", "--fps", "30"];

Deno.test("record_test_pattern.ts writes an MP4 that ffprobe reads as H.264 + Opus and ffmpeg decodes cleanly", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pattern.mp4`;
    const recorder = startExample("record_test_pattern.ts", [
      "--out",
      path,
      "--seconds",
      "2",
      ...SMALL,
    ]);
    const summary = await recorder.summary();
    assert.equal((await recorder.child.status).code, 0);
    assert.deepEqual(summary.errors, []);
    const { format, streams } = await probe(path);
    assert.match(format, /mp4/);
    assert.equal(streams.length, 2);
    const [video, audio] = streams;
    assert.deepEqual(
      [video.codec_type, video.codec_name, video.width, video.height],
      ["video", "h264", 320, 240],
    );
    assert.equal(
      Number(video.nb_read_frames),
      summary.videoFrames,
      "every encoded frame is in the file",
    );
    assert.ok(Math.abs(Number(video.duration) - 2) < 0.2, `video duration ${video.duration}`);
    assert.deepEqual(
      [audio.codec_type, audio.codec_name, audio.sample_rate, audio.channels],
      ["audio", "opus", "48000", 2],
    );
    // 480-sample blocks cut into 960-sample Opus packets, the last one padded.
    assert.equal(Number(audio.nb_read_frames), Math.ceil((summary.audioBlocks as number) / 2));
    assert.ok(
      Math.abs(Number(audio.duration) - Number(video.duration)) < 0.1,
      "A/V durations match",
    );
    assert.equal(await decodeErrors(path), "");
    // The frames are the test pattern's, in order, at good quality.
    const frames = await decodeI420(path);
    const renderer = new TestPatternRenderer("I420", 320, 240);
    const expected = new Uint8Array(renderer.byteLength);
    for (const n of [0, 15, Number(video.nb_read_frames) - 1]) {
      renderer.render(n, expected);
      const got = frames.subarray(n * renderer.byteLength, (n + 1) * renderer.byteLength);
      assert.ok(psnr(got, expected) >= 35, `frame ${n}: ${psnr(got, expected).toFixed(1)} dB`);
    }
    // The same check by ffmpeg's own psnr filter, over every frame against the rendered source.
    const count = Number(video.nb_read_frames);
    const reference = new Uint8Array(count * renderer.byteLength);
    for (let n = 0; n < count; n++) {
      renderer.render(
        n,
        reference.subarray(n * renderer.byteLength, (n + 1) * renderer.byteLength),
      );
    }
    await Deno.writeFile(`${dir}/reference.yuv`, reference);
    const measured = await new Deno.Command("ffmpeg", {
      args: [
        ..."-hide_banner -nostats -i".split(" "),
        path,
        ..."-f rawvideo -pix_fmt yuv420p -s 320x240 -r 30 -i".split(" "),
        `${dir}/reference.yuv`,
        ..."-lavfi [0:v][1:v]psnr -f null -".split(" "),
      ],
    }).output();
    const log = new TextDecoder().decode(measured.stderr);
    const average = Number(/PSNR y:[\d.]+ u:[\d.]+ v:[\d.]+ average:([\d.]+)/.exec(log)?.[1]);
    assert.ok(average >= 35, `ffmpeg psnr average ${average} dB\n${log.slice(-400)}`);
  });
});

Deno.test("A recording stopped with SIGINT mid-run keeps every frame it accepted and plays cleanly", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/interrupted.mp4`;
    const recorder = startExample("record_test_pattern.ts", ["--out", path, ...SMALL]);
    await recorder.reached(40);
    recorder.child.kill("SIGINT");
    const summary = await recorder.summary();
    assert.equal((await recorder.child.status).code, 0);
    assert.equal(summary.stoppedBy, "signal");
    const { streams } = await probe(path);
    assert.equal(Number(streams[0].nb_read_frames), summary.videoFrames);
    assert.ok((summary.videoFrames as number) >= 40);
    assert.equal(Number(streams[1].nb_read_frames), Math.ceil((summary.audioBlocks as number) / 2));
    assert.equal(await decodeErrors(path), "");
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
