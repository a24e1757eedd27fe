import assert from "node:assert/strict";
import { createAudioFrame } from "../../mod.ts";
import { measureLevel } from "./audio_levels.ts";

Deno.test("measureLevel() gives a sine's RMS as peak / sqrt(2), per channel", () => {
  const frame = createAudioFrame(2, 48000, 4800);
  for (let i = 0; i < 4800; i++) {
    const s = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000);
    frame.samples[2 * i] = s;
    frame.samples[2 * i + 1] = s / 2;
  }
  const level = measureLevel(frame);
  assert.ok(Math.abs(level.rms[0] - 0.5 / Math.SQRT2) < 1e-3);
  assert.ok(Math.abs(level.rms[1] - 0.25 / Math.SQRT2) < 1e-3);
  assert.ok(Math.abs(level.peak[0] - 0.5) < 1e-3);
});

Deno.test("measureLevel() reports silence as zero", () => {
  assert.deepEqual(measureLevel(createAudioFrame(1, 48000, 16)), { rms: [0], peak: [0] });
});
