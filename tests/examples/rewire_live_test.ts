import assert from "node:assert/strict";
import { dominantFrequency } from "../../processors/dsp/fft.ts";
import { soxSamples, withTempDir } from "../media/media_tools.ts";
import { runExample } from "./run_example.ts";
import { soxInfo } from "./wav_checks.ts";

Deno.test("examples/rewire_live.ts switches tones and inserts and removes a Gain while running", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/rewire.wav`;
    const { stdout } = await runExample("rewire_live.ts", ["--step-ms", "400", "--out", path]);

    // The printed graph follows each edit.
    const summaries = stdout.split("\n").filter((line) => line.includes("now:"));
    assert.equal(summaries.length, 4, stdout);
    assert.match(summaries[0], /low\.audio -> mix\.in_0/);
    assert.doesNotMatch(summaries[1], /low\.audio/);
    assert.match(summaries[1], /high\.audio -> mix\.in_0/);
    assert.match(summaries[2], /5 nodes: .*mix\.out -> gain\.in .*gain\.out -> wav\.in/);
    assert.match(summaries[3], /4 nodes: .*mix\.out -> wav\.in/);
    assert.doesNotMatch(summaries[3], /gain/);
    assert.match(stdout, /event node-added: gain \(Gain\)/);
    assert.match(stdout, /event node-removed: gain \(Gain\)/);

    // The recording heard it: 440 Hz first, 880 Hz at the end, and a stretch at a quarter level.
    // sox decodes the file, not the project's WavReader.
    const { rate, channels } = await soxInfo(path);
    assert.deepEqual([rate, channels], [48_000, 2]);
    const samples = await soxSamples(path);
    const window = 0.3 * rate * 2; // 0.3 s of interleaved stereo
    const first = dominantFrequency(samples.subarray(0, window), rate, { channels: 2 });
    const last = dominantFrequency(samples.subarray(samples.length - window), rate, {
      channels: 2,
    });
    assert.ok(Math.abs(first - 440) <= 2, `first 0.3 s: ${first} Hz`);
    assert.ok(Math.abs(last - 880) <= 2, `last 0.3 s: ${last} Hz`);

    const block = 480 * 2;
    const peaks: number[] = [];
    for (let at = 0; at + block <= samples.length; at += block) {
      let peak = 0;
      for (let i = at; i < at + block; i++) peak = Math.max(peak, Math.abs(samples[i]));
      peaks.push(peak);
    }
    const loud = Math.max(...peaks);
    const quarter = peaks.filter((p) => p > 0.2 * loud && p < 0.3 * loud).length;
    assert.ok(quarter >= 20, `${quarter} blocks at a quarter of the peak level ${loud}`);
  });
});
