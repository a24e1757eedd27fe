import assert from "node:assert/strict";
import { dominantFrequency } from "../../processors/dsp/fft.ts";
import { soxSamples, withTempDir } from "../media/media_tools.ts";
import { numberAfter, runExample } from "./run_example.ts";
import { soxInfo } from "./wav_checks.ts";

Deno.test("examples/worker_pipeline.ts runs the reverb in a Worker and records the tone", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/worker.wav`;
    const { stdout } = await runExample("worker_pipeline.ts", [
      "--seconds",
      "1",
      "--frequency",
      "660",
      "--out",
      path,
    ]);
    assert.match(stdout, /^isolate main: tone, wav$/m);
    assert.match(stdout, /^isolate worker:dsp: room$/m);
    assert.match(stdout, /^connection tone\.audio -> room\.in \(crosses isolates\)$/m);
    assert.match(stdout, /^connection room\.out -> wav\.in \(crosses isolates\)$/m);
    const recorded = numberAfter(stdout, "wav:");
    assert.equal(numberAfter(stdout, "room (in the Worker):"), recorded); // nothing lost crossing

    const info = await soxInfo(path);
    assert.equal(info.rate, 48_000);
    assert.equal(info.channels, 2);
    // Every block, and silence where the tone skipped time (its loop stalled, say while the
    // Worker started): the WAV stays on the tone's timestamps.
    const filled = numberAfter(stdout, "file holds");
    const skippedMs = numberAfter(stdout, "tone skipped");
    assert.ok(Math.abs(filled / 48 - skippedMs) <= 1, stdout);
    assert.equal(info.samples, recorded * 480 + filled);
    assert.ok(Math.abs(info.seconds - 1) <= 0.15, `duration ${info.seconds} s`);

    const samples = await soxSamples(path); // sox decodes the file, not the project's reader
    for (const channel of [0, 1]) {
      const f = dominantFrequency(samples, 48_000, { channels: 2, channel });
      assert.ok(Math.abs(f - 660) <= 2, `channel ${channel}: ${f} Hz`);
    }
  });
});
