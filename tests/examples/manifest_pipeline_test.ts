import assert from "node:assert/strict";
import { dominantFrequency } from "../../processors/dsp/fft.ts";
import { soxSamples, withTempDir } from "../media/media_tools.ts";
import { ROOT, runDeno } from "./run_example.ts";
import { soxInfo, spectralPeaks } from "./wav_checks.ts";

const MANIFEST = `${ROOT}examples/manifest_pipeline.json`;

Deno.test("examples/manifest_pipeline.json validates and runs with deno task run into a valid WAV", async () => {
  const validated = await runDeno(["task", "validate", "examples/manifest_pipeline.json"]);
  assert.match(validated.stdout, /valid/);

  await withTempDir(async (dir) => {
    // The same manifest, recording into the temporary directory instead of the project root.
    const manifest = JSON.parse(await Deno.readTextFile(MANIFEST));
    const wav = manifest.nodes.find((node: { type: string }) => node.type === "WavWriter");
    const path = `${dir}/pipeline.wav`;
    wav.config.path = path;
    await Deno.writeTextFile(`${dir}/pipeline.json`, JSON.stringify(manifest));

    const { stdout } = await runDeno(["task", "run", `${dir}/pipeline.json`, "--seconds", "1"]);
    assert.match(stdout, /6 nodes, 5 connections for 1 s/);
    assert.match(stdout, /^stopped: .*stopped \| 6 nodes, 0 failed/m);

    const info = await soxInfo(path);
    assert.equal(info.rate, 48_000);
    assert.equal(info.channels, 2);
    assert.ok(Math.abs(info.seconds - 1) <= 0.15, `duration ${info.seconds} s`);

    const samples = await soxSamples(path); // sox decodes the file, not the project's reader
    const f = dominantFrequency(samples, 48_000, { channels: 2 });
    assert.ok(Math.abs(f - 330) <= 2, `dominant ${f} Hz`); // tone_low is the louder
    const peaks = spectralPeaks(samples, 48_000, {
      channels: 2,
      channel: 1,
      count: 2,
      minSeparationHz: 50,
    });
    assert.ok(Math.abs(peaks[1] - 990) <= 2, `peaks ${peaks} Hz`);
  });
});
