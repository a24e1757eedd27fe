import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dominantFrequency } from "../../processors/dsp/fft.ts";
import { readWavFile } from "../../processors/formats/wav_reader.ts";
import { run, soxStat, withTempDir } from "./media_tools.ts";

const FIXTURE = fileURLToPath(
  new URL("../fixtures/media/wav_record_until_killed.ts", import.meta.url),
);

/** Starts the recorder, waits until it reports `frames` frames, SIGKILLs it, returns the count. */
async function recordThenKill(path: string, sampleFormat: string, frames: number): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", `--allow-write=${path}`, FIXTURE, path, sampleFormat],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  let reported = 0;
  let pending = "";
  try {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      if (lines.length > 0) reported = Number(lines.at(-1));
      if (reported >= frames) break;
    }
  } finally {
    child.kill("SIGKILL");
    clearTimeout(timer);
  }
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL", "the recorder was killed, not finished");
  assert.ok(reported >= frames, `the recorder reported only ${reported} frames`);
  return reported;
}

Deno.test("WavWriter: a recorder killed with SIGKILL leaves a WAV that sox, ffprobe and WavReader read", async () => {
  await withTempDir(async (dir) => {
    for (const sampleFormat of ["pcm16", "float32"]) {
      const path = `${dir}/killed_${sampleFormat}.wav`;
      const reported = await recordThenKill(path, sampleFormat, 24_000);

      // sox accepts the header without complaint and finds at least every reported frame.
      const soxFrames = Number((await run("sox", ["--i", "-s", path])).text);
      assert.ok(soxFrames >= reported, `sox sees ${soxFrames} frames, ${reported} were reported`);
      const stat = (await run("sox", [path, "-n", "stat"])).stderr;
      assert.ok(Math.abs(soxStat(stat, "Maximum amplitude") - 0.5) < 1e-3, stat);

      const probe = JSON.parse(
        (await run("ffprobe", [
          "-v",
          "error",
          "-count_packets",
          "-show_entries",
          "stream=sample_rate,channels,duration",
          "-of",
          "json",
          path,
        ])).text,
      ).streams[0];
      assert.equal(probe.sample_rate, "48000");
      assert.equal(probe.channels, 2);
      assert.ok(Number(probe.duration) >= reported / 48_000);

      const { info, samples } = await readWavFile(path);
      assert.equal(info.truncated, false);
      assert.equal(info.frameCount, soxFrames);
      // The header never claims more than the file holds, and every frame is intact: the tone is
      // phase-continuous across all blocks, with no zeroed or torn samples.
      const maxStep = 0.5 * ((2 * Math.PI * 1_000) / 48_000) + 1e-3;
      for (let i = 2; i < samples.length; i++) {
        assert.ok(Math.abs(samples[i] - samples[i - 2]) <= maxStep, `discontinuity at sample ${i}`);
      }
      const f = dominantFrequency(samples, 48_000, { channels: 2 });
      assert.ok(Math.abs(f - 1_000) <= 2, `${f} Hz`);
    }
  });
});
