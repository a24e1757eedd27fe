/**
 * Audio levels for the dashboard's meters.
 *
 * @module
 */

import type { AudioFrame } from "../../mod.ts";
import type { AudioLevel } from "../shared/protocol.ts";

/**
 * The RMS and peak of each channel of one block, linear (1 is full scale).
 *
 * @param frame An audio block (interleaved samples).
 * @returns The level per channel.
 *
 * @example A full-scale square wave
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureLevel } from "./audio_levels.ts";
 *
 * const samples = new Float32Array([1, -0.5, -1, 0.5]);
 * const frame = { kind: "audio", channels: 2, sampleRate: 48000, frameCount: 2, samples, timestampNs: 0, frameNumber: 0 } as const;
 * assert.deepEqual(measureLevel(frame), { rms: [ 1, 0.5 ], peak: [ 1, 0.5 ] });
 * ```
 */
export function measureLevel(frame: AudioFrame): AudioLevel {
  const { channels, frameCount, samples } = frame;
  const sums = new Array<number>(channels).fill(0);
  const peak = new Array<number>(channels).fill(0);
  for (let i = 0; i < frameCount; i++) {
    for (let ch = 0; ch < channels; ch++) {
      const s = samples[i * channels + ch];
      sums[ch] += s * s;
      const a = Math.abs(s);
      if (a > peak[ch]) peak[ch] = a;
    }
  }
  const rms = sums.map((sum) => frameCount > 0 ? Math.sqrt(sum / frameCount) : 0);
  return { rms: rms.map(round), peak: peak.map(round) };
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
