import assert from "node:assert/strict";
import { soxSamples, withTempDir } from "../media/media_tools.ts";
import { runExample } from "./run_example.ts";
import { soxInfo, spectralPeaks } from "./wav_checks.ts";

Deno.test("examples/mixer.ts records both tones through the reverb", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/mix.wav`;
    const { stdout } = await runExample("mixer.ts", [
      "--seconds",
      "1",
      "--low",
      "440",
      "--high",
      "1000",
      "--out",
      path,
    ]);
    assert.match(stdout, /^room +in \d+, out \d+/m);

    const info = await soxInfo(path);
    assert.equal(info.rate, 48_000);
    assert.equal(info.channels, 2);
    assert.ok(Math.abs(info.seconds - 1) <= 0.15, `duration ${info.seconds} s`);

    const samples = await soxSamples(path); // sox decodes the file, not the project's reader
    for (const channel of [0, 1]) {
      const peaks = spectralPeaks(samples, 48_000, {
        channels: 2,
        channel,
        count: 2,
        minSeparationHz: 50,
      }).sort((a, b) => a - b);
      assert.equal(peaks.length, 2);
      assert.ok(Math.abs(peaks[0] - 440) <= 2, `channel ${channel}: peaks ${peaks} Hz`);
      assert.ok(Math.abs(peaks[1] - 1000) <= 2, `channel ${channel}: peaks ${peaks} Hz`);
    }
  });
});
