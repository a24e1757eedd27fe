import assert from "node:assert/strict";
import { dominantFrequency } from "../../processors/dsp/fft.ts";
import { soxSamples, withTempDir } from "../media/media_tools.ts";
import { numberAfter, runExample } from "./run_example.ts";
import { soxInfo } from "./wav_checks.ts";

Deno.test("examples/tone_to_wav.ts records a 48 kHz stereo WAV of the tone it was asked for", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/tone.wav`;
    const { stdout } = await runExample("tone_to_wav.ts", [
      "--seconds",
      "1",
      "--frequency",
      "523",
      "--out",
      path,
    ]);

    const info = await soxInfo(path);
    assert.equal(info.rate, 48_000);
    assert.equal(info.channels, 2);
    assert.ok(Math.abs(info.seconds - 1) <= 0.15, `duration ${info.seconds} s`);
    // every block it reported, and the silence it filled where the tone skipped time under load
    const filled = numberAfter(stdout, "samples and");
    assert.equal(info.samples, numberAfter(stdout, "wrote") * 480 + filled, stdout);
    assert.equal(info.samples, numberAfter(stdout, "time:"), stdout);

    const samples = await soxSamples(path); // sox's decoding, not the project's WavReader
    for (const channel of [0, 1]) {
      const f = dominantFrequency(samples, 48_000, { channels: 2, channel });
      assert.ok(Math.abs(f - 523) <= 2, `channel ${channel}: ${f} Hz`);
    }
  });
});
